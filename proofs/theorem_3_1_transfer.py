"""Theorem 3.1 (transfer) for ul:2: an explicit finite training set with no optimal ReLU network,
and approximating parameters whose exact loss tends to 0.

Run: ``python proofs/theorem_3_1_transfer.py [--preset ul:2] [--npoints N] [--kmax 16]``.
``--preset`` changes the pattern (a closed pattern such as ``dense:2,2,2`` fails: there is
no missing matrix to transfer); ``--npoints`` keeps only the first N training points (too
few points break the pigeonhole step of the non-attainment argument, which then fails).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _proof  # noqa: E402

from fractions import Fraction  # noqa: E402
from itertools import combinations  # noqa: E402

from flint import fmpq, fmpq_poly  # noqa: E402

from netalgebra.certificate import verify  # noqa: E402
from netalgebra.compile import image_formula, linear_map  # noqa: E402
from netalgebra.decide import decide  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402


# -- exact rational functions of t (numerator, denominator) as flint fmpq_poly ------------------
def rf(obj):
    num = fmpq_poly([fmpq(Fraction(c).numerator, Fraction(c).denominator) for c in obj["num"]])
    den = fmpq_poly([fmpq(Fraction(c).numerator, Fraction(c).denominator) for c in obj.get("den", ["1"])])
    return (num, den)


def rconst(q):
    q = Fraction(q)
    return (fmpq_poly([fmpq(q.numerator, q.denominator)]), fmpq_poly([1]))


def radd(a, b):
    return (a[0] * b[1] + b[0] * a[1], a[1] * b[1])


def rmul(a, b):
    return (a[0] * b[0], a[1] * b[1])


def rval(a, t):
    """Value at a rational t (Fraction)."""
    q = fmpq(t.numerator, t.denominator)
    v = a[0](q) / a[1](q)
    return Fraction(int(v.p), int(v.q))


def valuation(p):
    cs = p.coeffs()
    return next(i for i, c in enumerate(cs) if c != 0)


def rvaluation(a):
    """Order of a at t = 0 (None for the zero function)."""
    if a[0] == 0:
        return None
    return valuation(a[0]) - valuation(a[1])


def det(m):
    m = [row[:] for row in m]
    n, d = len(m), Fraction(1)
    for c in range(n):
        p = next((r for r in range(c, n) if m[r][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p] = m[p], m[c]
            d = -d
        d *= m[c][c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            for k in range(c, n):
                m[r][k] -= f * m[c][k]
    return d


def main():
    ap = _proof.parser(__doc__)
    ap.add_argument("--preset", default="ul:2", help="pattern preset (default ul:2)")
    ap.add_argument("--npoints", type=int, default=None, help="keep only the first N training points")
    ap.add_argument("--kmax", type=int, default=16, help="evaluate the loss at t = 2^-k, k = 1..kmax")
    args = ap.parse_args()

    P = _proof.Proof(
        "Theorem 3.1 (transfer) for %s: a finite training set with no optimum" % args.preset,
        "If the linear counterpart L_I is not closed, some finite training set {(x_i, y_i)} makes "
        "the ReLU regression problem with support I have no optimum: the squared loss has "
        "infimum 0 (approached by explicit parameters theta(t), t -> 0+) but is positive for "
        "every parameter.  Here I = %s, the missing matrix is the anti-identity J and y_i = J x_i."
        % args.preset,
        "Le, Riccietti, Gribonval, NeurIPS 2023 (arXiv 2306.02666), Theorem 3.1; "
        "docs/mathematics.md, 'Results', Result 2 (large hidden biases keep every ReLU active; K d + 1 "
        "points in general position defeat every activation pattern).")

    pat = SparsityPattern.preset(args.preset)
    P.section("Objects")
    P.step(str(pat))
    if pat.depth != 2:
        P.require("one hidden layer (the transfer argument below is written for L = 2)", False,
                  f"depth {pat.depth}")
    v = decide(pat, budget=30)
    P.require("decide(): L_I is not closed, with a certificate", v.status == "not_closed" and v.certificate,
              f"status {v.status}: {v.reason[:150]}")
    cert = v.certificate
    rep = verify(cert)
    P.check(f"certificate verified exactly by netalgebra.certificate.verify ({len(rep.checks)} checks)",
            rep.ok, "; ".join(f"{c}: {d}" for c, ok, d in rep.failures))
    A = [[Fraction(x) for x in row] for row in cert["target"]]
    relu = cert["relu"]
    X = [[Fraction(c) for c in x] for x in relu["points"]]
    Y = [[Fraction(c) for c in y] for y in relu["targets"]]
    if args.npoints is not None:
        X, Y = X[:args.npoints], Y[:args.npoints]
    n, (n0, n1, n2) = len(X), pat.widths
    P.step(f"missing matrix A = {_proof.matrix_str(A)}")
    P.step(f"training set ({n} points): " + ", ".join(
        f"({_proof.matrix_str([x])[1:-1]} -> {_proof.matrix_str([y])[1:-1]})" for x, y in zip(X, Y)))
    P.check("targets are y_i = A x_i", all(
        Y[i][r] == sum(A[r][j] * X[i][j] for j in range(n0)) for i in range(n) for r in range(n2)))

    # ---------------------------------------------------------------------------------------
    P.section("1. The infimum of the loss is 0: exact loss along theta(t)")
    fam = {k: rf(w) for k, w in cert["escaping_family"]["weights"].items()}
    bias = {k: rf(b) for k, b in relu["biases"].items()}
    P.step("weights: " + ", ".join(f"{k} = {_proof.ratfun_str(w)}" for k, w in
                                   sorted(cert["escaping_family"]["weights"].items())) + " (others 0)")
    P.step("biases: " + ", ".join(f"{k} = {_proof.ratfun_str(b)}" for k, b in sorted(relu["biases"].items())))
    zero = rconst(0)
    M1, M2 = pat.masks
    W1 = {(i, j): fam.get(f"w1_{i}_{j}", zero) for i in range(n1) for j in range(n0) if M1[i][j]}
    W2 = {(i, j): fam.get(f"w2_{i}_{j}", zero) for i in range(n2) for j in range(n1) if M2[i][j]}
    Z, Fx = [], []   # pre-activations and (ReLU = identity) outputs, as rational functions of t
    for x in X:
        z = []
        for k in range(n1):
            acc = bias.get(f"b1_{k}", zero)
            for j in range(n0):
                if (k, j) in W1 and x[j]:
                    acc = radd(acc, rmul(W1[k, j], rconst(x[j])))
            z.append(acc)
        Z.append(z)
        out = []
        for r in range(n2):
            acc = bias.get(f"b2_{r}", zero)
            for k in range(n1):
                if (r, k) in W2:
                    acc = radd(acc, rmul(W2[r, k], z[k]))
            out.append(acc)
        Fx.append(out)
    # loss(t) = (1 / (n N_2)) sum_i ||f_t(x_i) - y_i||^2 where every ReLU is active
    loss = zero
    for out, y in zip(Fx, Y):
        for r in range(n2):
            e = radd(out[r], rconst(-y[r]))
            loss = radd(loss, rmul(e, e))
    loss = rmul(loss, rconst(Fraction(1, n * n2)))
    g = loss[0].gcd(loss[1])
    loss = (loss[0] / g, loss[1] / g) if g != 0 else loss
    vz = rvaluation(loss)
    P.check("for small t > 0 every hidden pre-activation is positive (lowest Laurent coefficient > 0)",
            all(a[0] != 0 and (a[0].coeffs()[valuation(a[0])] / a[1].coeffs()[valuation(a[1])]) > 0
                for z in Z for a in z),
            "so relu(z) = z and the network is x -> W2(t) W1(t) x + W2(t) b1(t) + b2(t)")
    P.check("the loss along theta(t) is a rational function of t vanishing at t = 0",
            vz is None or vz > 0,
            f"loss(t) = O(t^{vz}) (exact; numerator degree {loss[0].degree()}, denominator degree "
            f"{loss[1].degree()})" if vz is not None else "loss(t) == 0")
    losses = []
    for k in range(1, args.kmax + 1):
        t = Fraction(1, 2 ** k)
        # direct exact evaluation of the ReLU network (max(0, z) computed, not assumed)
        tot = Fraction(0)
        active = True
        w1 = {key: rval(a, t) for key, a in W1.items()}
        w2 = {key: rval(a, t) for key, a in W2.items()}
        b1 = [rval(bias.get(f"b1_{k2}", zero), t) for k2 in range(n1)]
        b2 = [rval(bias.get(f"b2_{r}", zero), t) for r in range(n2)]
        for x, y in zip(X, Y):
            z = [b1[h] + sum(w1.get((h, j), 0) * x[j] for j in range(n0)) for h in range(n1)]
            active &= all(zz > 0 for zz in z)
            a = [max(Fraction(0), zz) for zz in z]
            f = [b2[r] + sum(w2.get((r, h), 0) * a[h] for h in range(n1)) for r in range(n2)]
            tot += sum((f[r] - y[r]) ** 2 for r in range(n2))
        L = tot / (n * n2)
        losses.append((k, L, active, L == rval(loss, t)))
    P.step("exact loss at t = 2^-k: " + "; ".join(
        f"k={k}: {_proof.rat(L) if len(_proof.rat(L)) < 40 else f'{float(L):.6e}'}"
        for k, L, _, _ in losses if k in (1, 2, 3, args.kmax - 1, args.kmax)))
    P.check(f"the ReLU network evaluated exactly at t = 2^-k (k = 1..{args.kmax}) has all units active "
            f"and its loss equals loss(t)", all(a and s for _, _, a, s in losses))
    P.check("the exact loss is strictly decreasing in k",
            all(losses[i + 1][1] < losses[i][1] for i in range(len(losses) - 1)))
    P.check("the exact loss is positive at every sampled t (no exact fit is found, as proved below)",
            all(L > 0 for _, L, _, _ in losses))

    # ---------------------------------------------------------------------------------------
    P.section("2. The loss is never 0: no network fits the training set exactly")
    lm = linear_map(pat)
    Kp = [k for k in range(n1) if any(M1[k][c] for c in relu["block_cols"]) and
          any(M2[r][k] for r in relu["block_rows"])]
    Rp, Cp = relu["block_rows"], relu["block_cols"]
    d = len(Cp)
    P.check("(a) the training points vanish outside the block columns C' = %s" % Cp,
            all(x[j] == 0 for x in X for j in range(n0) if j not in Cp))
    P.step(f"(a') on such inputs, the outputs R' = {Rp} of any network are "
           f"x -> sum_(k in K') W2[R',k] relu(W1[k,C'] x_C' + b1_k) + const, K' = {Kp} the hidden units "
           f"linking C' to R' (a unit outside K' reads nothing from C' -- constant -- or misses R').  "
           f"On a fixed activation set S of K' this is affine with linear part (W2 D_S W1)[R',C'], the "
           f"R' x C' block of a product of admissible weights (rows of W1 outside S zeroed).  There are "
           f"at most 2^|K'| = {2 ** len(Kp)} sets S.")
    P.check(f"(b) pigeonhole: n = {n} > 2^|K'| * d' = {2 ** len(Kp)} * {d}, so some S holds on "
            f">= d' + 1 = {d + 1} training points", n > (2 ** len(Kp)) * d, f"n = {n}")
    bad = [s for s in combinations(range(n), d + 1)
           if det([[Fraction(1)] + [X[i][c] for c in Cp] for i in s]) == 0]
    P.check(f"(c) every {d + 1} training points are affinely independent in the block coordinates "
            f"(all C({n},{d + 1}) exact determinants non-zero)", not bad, f"dependent: {bad[:3]}" if bad else "")
    P.step("(d) hence an exact fit gives M x_i + c = A[R',C'] x_i on d' + 1 affinely independent points, so "
           "M = A[R',C'] (and c = 0) with M the R' x C' block of some element of L_I")
    ring = lm.ring
    total = ring.zero()
    eqs = cert["non_attainment"]["equations"]
    P.check("(e0) the identity below only involves entries of the block R' x C'",
            all(r in Rp and c in Cp for r, c in eqs))
    for (r, c), mult in zip(eqs, cert["non_attainment"]["multipliers"]):
        m = ring.zero()
        for coef, mono in mult:
            term = ring(int(Fraction(coef)))
            for var, e in mono:
                term = term * ring.gen(var) ** e
            m = m + term
        total = total + m * (lm.entries[r][c] - int(A[r][c]))
    P.check("(e) no element of L_I has R' x C' block A[R',C']: Nullstellensatz identity on block entries only sum_i m_i (phi_i(theta) - A_i) = 1 "
            "(re-expanded with flint)", total == 1,
            "; ".join(f"m_{i} = {ring.to_str(ring.zero() + sum((ring(int(Fraction(c))) * _mono(ring, mono) for c, mono in mm), ring.zero()))}"
                      for i, mm in enumerate(cert["non_attainment"]["multipliers"])))
    # independent exact decision of the same fact by CAD (a sentence without free variables)
    from cad import logic
    from cad.io import to_str
    from cad.elimination import decide as qe_decide
    img = image_formula(lm)
    sub = {f"y{i}_{j}": fmpq(A[i][j].numerator, A[i][j].denominator) for i in range(n2) for j in range(n0)}
    sentence = logic.Problem(img.ring, (), logic.substitute(img.formula, sub, img.ring))
    try:
        truth = qe_decide(sentence, timeout=30)
        P.check("(e') CAD decides the sentence 'exists theta: phi(theta) = A' to be false", truth is False,
                to_str(sentence.formula, img.ring)[:200])
    except Exception as exc:  # noqa: BLE001
        P.check("(e') CAD decides the sentence 'exists theta: phi(theta) = A' to be false", False,
                f"{type(exc).__name__}: {exc}")
    P.step("(f) (d) and (e) contradict each other: the loss is positive for every parameter, while "
           "part 1 shows its infimum is 0.  The training problem has no optimum.")
    P.finish("No optimal network exists for this training set.")


def _mono(ring, mono):
    m = ring(1)
    for v, e in mono:
        m = m * ring.gen(v) ** e
    return m


if __name__ == "__main__":
    _proof.run(main)
