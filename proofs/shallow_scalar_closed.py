"""One hidden layer, scalar output: F_I(Omega) is closed -- the theorem certificate, and an exact
CAD decision of the closedness of F_I(Omega) itself for a small training set Omega.

Run: ``python proofs/shallow_scalar_closed.py [--preset masks:1|1] [--points "0;1;2"] [--timeout 55]``.
Points are integer vectors separated by ``;`` (coordinates by ``,``).  A pattern with a vector
output (e.g. ``--preset ul:2``) violates the hypothesis and the proof fails loudly.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _proof  # noqa: E402

import itertools  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402

from flint import fmpq  # noqa: E402

from cad import logic  # noqa: E402
from cad.io import to_str  # noqa: E402
from cad.poly import PolyRing  # noqa: E402
from netalgebra.certificate import verify  # noqa: E402
from netalgebra.compile import relu_formula  # noqa: E402
from netalgebra.decide import decide  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402


def parse_points(text):
    pts = []
    for chunk in text.split(";"):
        pts.append([int(c) for c in chunk.split(",")])
    return pts


def network_outputs(pattern, theta, x):
    """Exact scalar output of the one-hidden-layer network (max(0, z) computed)."""
    M1, M2 = pattern.masks
    n1 = len(M1)
    out = theta["b2_0"]
    for k in range(n1):
        z = theta[f"b1_{k}"] + sum(theta[f"w1_{k}_{j}"] * x[j] for j in range(len(x)) if M1[k][j])
        if M2[0][k]:
            out += theta[f"w2_0_{k}"] * max(Fraction(0), z)
    return out


def main():
    ap = _proof.parser(__doc__)
    ap.add_argument("--preset", default="masks:1|1", help="pattern preset (default masks:1|1: 1-1-1)")
    ap.add_argument("--points", default="0;1;2", help='integer training inputs, e.g. "0;1;2"')
    ap.add_argument("--timeout", type=float, default=55.0, help="CAD budget in seconds")
    ap.add_argument("--unreduced", action="store_true",
                    help="also run cad.topology.is_closed on relu_formula itself, without reductions "
                         "(~40 s for 2 points; 3 points do not finish in 300 s)")
    args = ap.parse_args()
    pat = SparsityPattern.preset(args.preset)
    pts = parse_points(args.points)

    P = _proof.Proof(
        "One hidden layer, scalar output: F_I(Omega) is closed (theorem + exact CAD decision)",
        "For a one-hidden-layer ReLU network with output dimension one and any support I, the set "
        "F_I(Omega) = {(f_theta(x))_{x in Omega}} of output vectors on a finite training set Omega is "
        "closed, so every regression problem on Omega has an optimal network.  Checked here for "
        "I = %s and Omega = %s: by the theorem's certificate, and independently by deciding the "
        "closedness of F_I(Omega) with the CAD engine." % (args.preset, pts),
        "Le, Riccietti, Gribonval, NeurIPS 2023 (arXiv 2306.02666), Section 4 (existence of "
        "optima for one-hidden-layer networks with scalar output); docs/mathematics.md, "
        "'Results', Result 4 (and Result 3: closedness is decidable).")

    P.section("Part A: the theorem certificate")
    P.step(str(pat))
    P.require("hypothesis: one hidden layer and output dimension one",
              pat.depth == 2 and pat.widths[-1] == 1, f"widths {pat.widths}")
    P.require("hypothesis: Omega is a finite set of distinct integer points of R^N_0",
              all(len(p) == pat.widths[0] for p in pts) and len({tuple(p) for p in pts}) == len(pts),
              f"{len(pts)} points in R^{pat.widths[0]}")
    v = decide(pat, budget=30, points=pts)
    P.check("decide(pattern, points=Omega) says closed", v.status == "closed", v.reason[:150])
    rep = verify(v.certificate) if v.certificate else None
    P.check("certificate verified by netalgebra.certificate.verify", rep is not None and rep.ok,
            "; ".join(f"{c}: {d}" for c, ok, d in rep.checks) if rep else "no certificate")

    P.section("Part B: exact CAD decision of the closedness of F_I(Omega)")
    S = relu_formula(pat, pts)
    if args.unreduced:
        from cad.errors import BudgetExceeded as _BE
        from cad.topology import is_closed as _is_closed
        try:
            res0 = _is_closed(S, timeout=args.timeout)
            P.check("unreduced: cad.topology.is_closed(relu_formula(I, Omega)) says closed",
                    res0.closed is True, f"{res0.reason[:200]} ({res0.seconds:.1f} s)")
        except _BE as exc:
            P.check("unreduced: cad.topology.is_closed(relu_formula(I, Omega)) within the budget",
                    False, str(exc))
    ring = S.ring
    body = S.formula.body
    P.step(f"S = relu_formula(I, Omega): free {list(S.free)}; quantified {len(S.formula.variables)} "
           f"variables {list(S.formula.variables)}; {len(body.args)} atoms")
    P.step("encoding: a = relu(z)  <=>  a >= 0 /\\ a - z >= 0 /\\ a (a - z) = 0, with the "
           "pre-activation z substituted (relu_formula's default)")
    K = len(pts)
    acts = [x for x in S.formula.variables if x.startswith("a")]
    pn = [f"p{k}" for k in range(1, K)]
    big = PolyRing(list(ring.variables) + pn)
    g = big.gen
    body = logic.to_ring(body, big)

    # -- reduction 1: the output bias ----------------------------------------------------------
    P.step("Reduction 1 (output bias c = b2_0).  The output atom of point 0 reads y0 - c - r0 = 0 "
           "with r0 free of c; EXISTS c (c = y0 - r0 /\\ phi) <=> phi[c := y0 - r0].  Then put "
           "y_k = p_k + y0 (k >= 1).  If y0 disappears, F = {y : (y_k - y_0)_k in D}; the linear "
           "homeomorphism y -> (y0, y1 - y0, ...) maps F onto R x D, so F is closed iff D is.")
    out0 = [a for a in body.args if big.degree(a.poly, "y0_0") >= 1]
    c_coef = big.coefficients(out0[0].poly, "b2_0") if len(out0) == 1 else []
    P.require("the output atom of point 0 is -b2_0 + r0 = 0, r0 = y0_0 - (hidden part), free of b2_0",
              len(out0) == 1 and out0[0].rel == "=" and len(c_coef) == 2 and c_coef[1] == big(-1)
              and big.coefficients(out0[0].poly, "y0_0")[1] == big(1))
    r0 = c_coef[0]                                   # poly = -b2_0 + r0, r0 contains y0_0 - (...)
    sub = {"b2_0": r0}
    for k in range(1, K):
        sub[f"y{k}_0"] = g(f"p{k}") + g("y0_0")
    body1 = logic.substitute(logic.conj(*[a for a in body.args if a is not out0[0]]), sub, big)
    fv1 = logic.free_variables(body1)
    P.require("after the substitution y0_0 and b2_0 no longer occur", "y0_0" not in fv1 and "b2_0" not in fv1,
              f"variables left: {sorted(fv1)}")

    # -- reduction 2: activation case split -----------------------------------------------------
    P.step("Reduction 2 (activation case split).  a >= 0 /\\ a - z >= 0 /\\ a (a - z) = 0  <=>  "
           "(a = 0 /\\ z <= 0) \\/ (a = z /\\ z >= 0); then EXISTS a (a = u /\\ psi) <=> psi[a := u].  "
           "With one hidden layer z involves no activation, so the substitutions commute.")
    rest = list(body1.args)
    cases = []
    for a in acts:
        A = g(a)
        pos = [t for t in rest if t.poly == A and t.rel == ">="]
        ge = [t for t in rest if t.rel == ">=" and t.poly != A and big.degree(t.poly, a) == 1]
        ok = len(pos) == 1 and len(ge) == 1
        if ok:
            cf = big.coefficients(ge[0].poly, a)
            z = -cf[0]
            prod = [t for t in rest if t.rel == "=" and t.poly == A * ge[0].poly]
            ok = (len(cf) == 2 and cf[1] == big(1) and len(prod) == 1
                  and not (set(acts) & {vv for vv in big.variables if big.degree(z, vv) > 0}))
        P.require(f"ReLU encoding of {a} recognised (a >= 0, a - z >= 0, a (a - z) = 0, z free of activations)", ok)
        for t in (pos[0], ge[0], prod[0]):
            rest.remove(t)
        cases.append((a, z))
    quant = [x for x in S.formula.variables if x != "b2_0" and x not in acts]
    R = PolyRing(pn + quant)
    disjuncts = []
    for sig in itertools.product((0, 1), repeat=len(cases)):
        f = logic.conj(*rest)
        cons = []
        for (a, z), on in zip(cases, sig):
            f = logic.substitute(f, {a: z if on else 0}, big)
            cons.append(logic.Atom(z if on else -z, ">="))
        disjuncts.append(logic.to_ring(logic.conj(*cons, f), R))
    Dprob = logic.Problem(R, tuple(pn), logic.Exists(tuple(quant), logic.disj(*disjuncts)))
    P.step(f"D = {{p : EXISTS {', '.join(quant)} [ {len(disjuncts)} activation cases ]}}, "
           f"{len(pn)} free + {len(quant)} quantified variables (from {len(S.free)} + {len(S.formula.variables)})")

    # -- CAD: QE, then closedness -----------------------------------------------------------------
    from cad.errors import BudgetExceeded
    from cad.elimination import qe
    from cad.topology import is_closed
    t0 = time.perf_counter()
    try:
        res = qe(Dprob, timeout=args.timeout)
    except BudgetExceeded as exc:
        P.require("CAD quantifier elimination of D within the budget", False, str(exc))
    qf = res.formula
    P.check("CAD quantifier elimination of D", True,
            f"{res.cells} cells, {time.perf_counter() - t0:.1f} s: D = {{ {to_str(qf, R)} }}")
    rfree = PolyRing(pn)
    qf_free = logic.to_ring(qf, rfree)
    left = max(1.0, args.timeout - (time.perf_counter() - t0))
    cl = is_closed(logic.Problem(rfree, tuple(pn), qf_free), timeout=left)
    P.check("cad.topology.is_closed(D): closed", cl.closed is True,
            f"{cl.reason} ({cl.route}, {cl.seconds:.2f} s)" +
            (f"; witness {cl.witness}" if not cl.closed else ""))

    # -- cross-checks ---------------------------------------------------------------------------
    if pat.widths[1] == 1 and "w2_0_0" in quant:
        # Second route (one hidden unit): v relu(z) = sign(v) relu(|v| z) and scaling (w, b) by
        # |v| > 0 keeps every activation case, so D = D+ u (-D+) with D+ the set at v = 1
        # (v = 0 gives 0, which lies in D+ at w = b = 0).  QE of D+ has two bound variables.
        q2 = [x for x in quant if x != "w2_0_0"]
        R2 = PolyRing(pn + q2)
        plus = logic.Problem(R2, tuple(pn), logic.Exists(tuple(q2), logic.to_ring(
            logic.substitute(logic.disj(*disjuncts), {"w2_0_0": 1}, R), R2)))
        t1 = time.perf_counter()
        res2 = qe(plus, timeout=args.timeout)
        qplus = logic.to_ring(res2.formula, rfree)
        qminus = logic.substitute(qplus, {x: -rfree.gen(x) for x in pn}, rfree)
        from cad.elimination import equivalent
        same = equivalent(rfree, qf_free, logic.disj(qplus, qminus), timeout=args.timeout)
        P.check("second route (positive homogeneity): D = D+ u (-D+), D+ = {v = 1} by CAD; the CAD "
                "decides that both descriptions of D are equivalent", same,
                f"D+ = {{ {to_str(qplus, rfree)} }} ({time.perf_counter() - t1:.1f} s)")
    rng = random.Random(0)
    names = [x for x in S.formula.variables if x not in acts]
    bad = 0
    for trial in range(300):
        theta = {nm: Fraction(rng.randint(-6, 6), rng.randint(1, 3)) for nm in names}
        ys = [network_outputs(pat, theta, x) for x in pts]
        point = {f"p{k}": fmpq((ys[k] - ys[0]).numerator, (ys[k] - ys[0]).denominator) for k in range(1, K)}
        if not logic.evaluate(qf_free, rfree, point):
            bad += 1
    P.check("soundness spot check: 300 random rational networks, evaluated exactly, give output "
            "differences satisfying the QE formula", bad == 0, f"{bad} violations")
    grid = [dict(zip(pn, c)) for c in itertools.product(range(-2, 3), repeat=len(pn))]
    outside = [q for q in grid if not logic.evaluate(qf_free, rfree, {k: fmpq(v) for k, v in q.items()})]
    P.step(f"D is a proper subset: {len(outside)} of {len(grid)} integer points of [-2,2]^{len(pn)} lie "
           f"outside it (e.g. {outside[0] if outside else None}), so F_I(Omega) != R^{K}")
    P.finish("F_I(Omega) = R x D is closed (certificate and CAD agree).")


if __name__ == "__main__":
    _proof.run(main)
