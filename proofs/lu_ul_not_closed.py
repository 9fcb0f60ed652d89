"""LU and UL are not closed: for d = 2, 3 by verified certificates, and for every d <= 10
through the embedded 2x2 witness (block projection lemma), verified exactly.

Run: ``python proofs/lu_ul_not_closed.py [--max-d 10] [--preset NAME ...]``.
``--preset`` replaces the LU/UL families by the given patterns and claims the same
(not closed, via a 2x2 LU/UL core); for a closed pattern such as ``dense:2,2,2`` the
proof fails with a non-zero exit status.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _proof  # noqa: E402

from fractions import Fraction  # noqa: E402
from itertools import combinations  # noqa: E402

from flint import fmpq  # noqa: E402

from netalgebra.certificate import verify  # noqa: E402
from netalgebra.compile import linear_map  # noqa: E402
from netalgebra.decide import decide  # noqa: E402
from netalgebra.graph import block  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402

BASES = ("lu:2", "ul:2")


def ratfun_value(rf, t):
    """Evaluate a certificate rational function {"num": [...], "den": [...]} at rational t."""
    num = sum(Fraction(c) * t ** i for i, c in enumerate(rf["num"]))
    den = sum(Fraction(c) * t ** i for i, c in enumerate(rf.get("den", ["1"])))
    return num / den


def flint_nullstellensatz(pattern, cert):
    """Re-expand sum_i m_i (phi_i - A_i) with flint polynomials of netalgebra.compile.linear_map
    (independent of the verifier's own dictionary polynomials).  Returns the polynomial."""
    lm = linear_map(pattern)
    ring = lm.ring
    A = cert["target"]
    total = ring.zero()
    for (r, c), mult in zip(cert["non_attainment"]["equations"], cert["non_attainment"]["multipliers"]):
        m = ring.zero()
        for coef, mono in mult:
            term = ring(int(Fraction(coef)))
            for v, e in mono:
                term = term * ring.gen(v) ** e
            m = m + term
        total = total + m * (lm.entries[r][c] - int(Fraction(A[r][c])))
    return total


def family_check(P, pattern, cert, label):
    """Exact evaluation of phi(theta(t)) at t = 2^-k: distance to A falls, the norm grows."""
    lm = linear_map(pattern)
    A = [[Fraction(x) for x in row] for row in cert["target"]]
    fam = cert["escaping_family"]["weights"]
    dists, norms = [], []
    for k in range(1, 21):
        t = Fraction(1, 2 ** k)
        w = {v: 0 for v in lm.variables}
        for name, rf in fam.items():
            w[name] = ratfun_value(rf, t)
        M = lm.evaluate({k2: fmpq(v.numerator, v.denominator) for k2, v in w.items()})
        dists.append(max(abs(Fraction(int(M[i][j].p), int(M[i][j].q)) - A[i][j])
                         for i in range(len(A)) for j in range(len(A[0]))))
        norms.append(max(abs(v) for v in w.values()))
    dec = all(dists[i + 1] < dists[i] for i in range(len(dists) - 1)) or all(d == 0 for d in dists[1:])
    return P.check(f"{label}: exact phi(theta(2^-k)), k = 1..20",
                   dec and all(norms[i + 1] > norms[i] for i in range(len(norms) - 1)) and dists[-1] <= Fraction(1, 2 ** 19),
                   f"max|phi - A| = {float(dists[0]):.3g}, ..., {float(dists[-1]):.3g} (strictly falling); "
                   f"max|theta| = {float(norms[0]):.3g}, ..., {float(norms[-1]):.3g} (strictly growing)")


def report_certificate(P, name, pattern, cert):
    rep = verify(cert)
    P.step(f"target A = {_proof.matrix_str(cert['target'])}  (a point of cl(L_I) \\ L_I)")
    fam = cert["escaping_family"]["weights"]
    P.step("escaping family (t -> 0+): " + ", ".join(
        f"{k} = {_proof.ratfun_str(rf)}" for k, rf in
        sorted(fam.items())))
    for cname, ok, detail in rep.checks:
        P.check(f"{name}: verify: {cname}", ok, detail)
    total = flint_nullstellensatz(pattern, cert)
    P.check(f"{name}: Nullstellensatz identity re-expanded with flint (linear_map entries)",
            total == 1, f"sum_i m_i (phi_i - A_i) = {total}")
    family_check(P, pattern, cert, name)
    return rep.ok


def cad_cross_check(P, name, pattern, cert):
    """Independent exact decision: QE of the image of L_I, then cad.topology.is_closed."""
    from cad.topology import is_closed
    from netalgebra.compile import image_formula
    res = is_closed(image_formula(linear_map(pattern)), timeout=40)
    P.check(f"{name}: CAD decision (QE of the image + cad.topology.is_closed) says not closed",
            res.closed is False, f"{res.reason[:230]} ({res.seconds:.1f} s)")


def find_embedded_core(pattern, base_patterns):
    """First (rows, cols) whose block sub-pattern (hidden neurons on no path pruned) has exactly
    the masks of one of the base patterns.  Returns (embedding, base name) or (None, None)."""
    w = pattern.widths
    if pattern.depth != 2:
        return None, None
    for rows in combinations(range(w[-1]), 2):
        for cols in combinations(range(w[0]), 2):
            emb = block(pattern, rows, cols)
            if emb is None:
                continue
            for name, bp in base_patterns.items():
                if emb.pattern.masks == bp.masks:
                    return emb, name
    return None, None


def lift_certificate(emb, base_cert):
    """The base (2x2) certificate carried to the whole pattern by the block projection lemma:
    every weight off the block's paths is 0, the target is B (+) 0, the training points are zero
    outside the block columns, hidden neurons / outputs are renamed along the embedding."""
    pat = emb.original
    vm = emb.variable_map()
    hid = emb.neurons[1]
    rows, cols = emb.outputs, emb.inputs
    B = base_cert["target"]
    A = emb.embed_matrix(B, "0")
    fam = {vm[k]: v for k, v in base_cert["escaping_family"]["weights"].items()}
    eqs = [[rows[r], cols[c]] for r, c in base_cert["non_attainment"]["equations"]]
    mults = [[[c, [[vm[v], e] for v, e in mono]] for c, mono in m]
             for m in base_cert["non_attainment"]["multipliers"]]
    relu = base_cert["relu"]
    n0 = pat.widths[0]
    pts, tgs = [], []
    for x in relu["points"]:
        X = ["0"] * n0
        for c, v in zip(cols, x):
            X[c] = v
        pts.append(X)
        tgs.append([_proof.rat(sum(Fraction(A[i][j]) * Fraction(X[j]) for j in range(n0)))
                    for i in range(len(A))])
    biases = {}
    for name, rf in relu["biases"].items():
        layer, idx = name[1:].split("_")
        idx = int(idx)
        biases[f"b1_{hid[idx]}" if layer == "1" else f"b2_{rows[idx]}"] = rf
    return {
        "format": base_cert["format"], "verdict": "not_closed", "question": "linear",
        "pattern": {"name": pat.name, "masks": [[list(r) for r in m] for m in pat.masks]},
        "target": A,
        "escaping_family": {"parameter": "t", "limit": "0+", "weights": fam},
        "non_attainment": {"method": "nullstellensatz", "equations": eqs, "multipliers": mults},
        "relu": {"block_rows": list(rows), "block_cols": list(cols), "points": pts, "targets": tgs,
                 "biases": biases},
        "argument": "2x2 certificate lifted by the block projection lemma",
    }


def main():
    ap = _proof.parser(__doc__)
    ap.add_argument("--max-d", type=int, default=10, help="largest d for the embedded witness (default 10)")
    ap.add_argument("--preset", action="append", default=None,
                    help="pattern preset(s) to prove non-closed instead of lu:d / ul:d")
    ap.add_argument("--json", action="append", default=None, help="pattern JSON file(s), same role")
    args = ap.parse_args()

    P = _proof.Proof(
        "LU and UL sparse factorizations are not closed (d = 2, 3, and every d <= %d)" % args.max_d,
        "For W_1 upper and W_2 lower triangular (lu:d), and for W_1 lower and W_2 upper triangular "
        "(ul:d), the set L_I = {W_2 W_1} of d x d products is not closed: some A is a limit of "
        "products but not a product. Hence (Theorem 3.1) some finite training set has no optimal "
        "ReLU network with these supports.",
        "Le, Riccietti, Gribonval, NeurIPS 2023 (arXiv 2306.02666), the LU example and Section 3; "
        "docs/mathematics.md, 'Results', Result 1 (L_eps U_eps -> J) and 'Useful lemmas for "
        "the engine' (block projection).")

    custom = []
    for name in args.preset or []:
        custom.append(SparsityPattern.preset(name))
    for path in args.json or []:
        custom.append(SparsityPattern.from_json(path))

    P.section("Part A: certificates for d = 2 and d = 3 (decide + exact verify)")
    small = custom if custom else [SparsityPattern.preset(f"{f}:{d}") for d in (2, 3) for f in ("lu", "ul")]
    for pat in small:
        name = pat.name or str(pat.widths)
        P.step(str(pat))
        v = decide(pat, budget=30)
        P.require(f"{name}: decide() says not_closed", v.status == "not_closed" and v.certificate,
                  f"status {v.status}: {v.reason[:160]}")
        report_certificate(P, name, pat, v.certificate)
        if pat.nnz <= 6:
            cad_cross_check(P, name, pat, v.certificate)

    P.section("Part B: every d <= %d through the embedded 2x2 witness" % args.max_d)
    P.step("Block projection lemma (docs/mathematics.md, 'Useful lemmas for the engine'): the R' x C' "
           "block of W_2 W_1 is the product map of "
           "the sub-pattern on R', C' and the hidden neurons on C' -> R' paths; setting all other "
           "weights to 0 embeds that sub-pattern's escaping family, so B (+) 0 is in cl(L_I); and "
           "the Nullstellensatz identity of the block only uses entries of the block, so B (+) 0 "
           "is not in L_I.  The lifted certificate is re-checked from the full masks by verify().")
    bases = {}
    base_certs = {}
    for b in BASES:
        bp = SparsityPattern.preset(b)
        v = decide(bp, budget=30)
        P.require(f"base {b}: certificate verified", v.status == "not_closed" and verify(v.certificate).ok)
        bases[b], base_certs[b] = bp, v.certificate
    patterns = custom if custom else [SparsityPattern.preset(f"{f}:{d}") for f in ("lu", "ul")
                                      for d in range(2, args.max_d + 1)]
    for pat in patterns:
        name = pat.name or str(pat.widths)
        emb, base = find_embedded_core(pat, bases)
        if not P.check(f"{name}: contains an embedded 2x2 LU/UL core", emb is not None,
                       "no 2x2 block whose sub-pattern is lu:2 or ul:2" if emb is None else
                       f"rows {list(emb.outputs)} x columns {list(emb.inputs)}, hidden neurons "
                       f"{list(emb.neurons[1])}: sub-pattern == {base}"):
            continue
        lifted = lift_certificate(emb, base_certs[base])
        rep = verify(lifted)
        P.check(f"{name}: lifted certificate verified exactly ({len(rep.checks)} checks)", rep.ok,
                "; ".join(f"{c}: {d}" for c, ok, d in rep.failures) if not rep.ok else
                f"target = {base} witness at rows {list(emb.outputs)}, cols {list(emb.inputs)}, 0 elsewhere")
        v = decide(pat, budget=30)
        P.check(f"{name}: independent cross-check, decide() finds a verified certificate",
                v.status == "not_closed" and verify(v.certificate).ok, v.reason[:110])
    P.finish("L_I is not closed for lu:d and ul:d, d = 2..%d." % args.max_d if not custom else
             "The given patterns are not closed.")


if __name__ == "__main__":
    _proof.run(main)
