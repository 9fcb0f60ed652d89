"""Regenerate the offline not-closed certificates of ``tests/data/known_not_closed/`` (needs Singular).

For a preset and a 0/1 target ``A``: the escaping family comes from
``netalgebra.decide.deep_cores._projection_family`` (400 draws, seed 0; it checks the limit
exactly), and the multipliers of a Nullstellensatz identity ``sum_e m_e (phi_e - A_e) = 1`` come
from Singular's ``lift`` over Q.  The certificate is written only if ``netalgebra.certificate.verify``
accepts it.  Singular is a search tool here and nothing else: the decider does not call it, and
the checker trusts nothing it produced.

    python benchmarks/known_not_closed.py random:4,4,4,4:0.7:92 "1110;1111;1010;1000" out.json
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from fractions import Fraction

# run as a script, this directory is sys.path[0]; its modules must not shadow packages
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)


def _lift(masks, A):
    """The multipliers of ``sum_e m_e (phi_e - A_e) = 1`` by Singular's ``lift``: ``[(entry, terms)]``
    over the entries of ``K`` (the boolean product), each ``terms`` in certificate form."""
    from netalgebra.theorems.rational_cover import entry_paths, product_support

    K = product_support(masks)
    if any(A[r][c] for r in range(len(A)) for c in range(len(A[0])) if (r, c) not in K):
        raise SystemExit("the target is not supported in K (it is not in the closure)")
    paths = entry_paths(masks, K)
    weights = sorted({w for ps in paths.values() for pt in ps for w in pt})
    index = {w: k for k, w in enumerate(weights)}        # Singular variable x<k> is weights[k]
    poly = {e: "+".join("*".join(f"x{index[w]}" for w in pt) for pt in paths[e]) for e in K}
    prog = "\n".join([f"ring r=0,({','.join(f'x{k}' for k in range(len(weights)))}),dp;",
                      "ideal I=" + ",".join(f"{poly[r, c]}-({A[r][c]})" for r, c in K) + ";",
                      "matrix L=lift(I,ideal(1));",
                      'int k; for(k=1;k<=nrows(L);k++){ print("MULT"); print(L[k,1]); }', "quit;"])
    out = subprocess.run(["Singular", "-q"], input=prog, capture_output=True, text=True, check=True).stdout
    blocks = [b.strip() for b in out.split("MULT")[1:]]
    if len(blocks) != len(K):
        raise SystemExit("Singular: 1 is not in the ideal (the target may be attained over C)")
    return [(e, _terms(b, weights)) for e, b in zip(K, blocks)]


def _terms(poly, weights):
    """Certificate multiplier terms ``[coefficient, [[weight, exponent], ...]]`` of a Singular polynomial
    in the variables ``x<k>`` (``weights[k]``)."""
    from netalgebra.decide.family import fraction_text
    from netalgebra.naming import weight_name

    poly = poly.replace("\n", "").replace(" ", "")
    out = []
    for t in ([] if poly == "0" else re.findall(r"[+-]?[^+-]+", poly)):
        sign, coef, mono = (-1 if t[0] == "-" else 1), Fraction(1), {}
        for f in t.lstrip("+-").split("*"):
            x = re.fullmatch(r"x(\d+)(?:\^(\d+))?", f)
            if x is None:
                coef *= Fraction(f)
            else:
                v = weight_name(*weights[int(x.group(1))])
                mono[v] = mono.get(v, 0) + int(x.group(2) or 1)
        out.append([fraction_text(sign * coef), sorted([v, e] for v, e in mono.items())])
    return out


def main(argv=None):
    from cad.budget import Budget
    from netalgebra.certificate import verify
    from netalgebra.decide.certify import deep_not_closed_certificate
    from netalgebra.decide.deep_cores import _projection_family
    from netalgebra.pattern import SparsityPattern
    from netalgebra.theorems import masks_of

    preset, target, out = (argv or sys.argv[1:])[:3]
    pattern = SparsityPattern.preset(preset)
    masks = masks_of(pattern)
    A = [[int(x) for x in row] for row in target.split(";")]
    ones = sorted((r, c) for r, row in enumerate(A) for c, x in enumerate(row) if x)
    fam = _projection_family(masks, set(ones), Budget.of(60), tries=400)
    if fam is None:
        raise SystemExit("no escaping family found for this target")
    lifted = _lift(masks, A)
    eqs = [list(e) for e, t in lifted if t]
    mult = [t for _, t in lifted if t]
    cert = deep_not_closed_certificate(pattern, masks, ("deep 0/1 target (offline)", (
        ones, fam, eqs, mult, list(range(len(A))), list(range(len(A[0]))), "")))
    cert["argument"] = (
        f"The 0/1 target with 1s at {ones} is a limit of the escaping family (phi(theta(t)) -> A while "
        "||theta(t)|| -> infinity) and is not attained: a Nullstellensatz identity over "
        f"{len(eqs)} entries of the whole product shows phi(theta) = A has no solution, even over C, so "
        "L_I is not closed. Found outside the decider (session 13): the target is a point of a node where "
        "the rational-cover search failed, the family comes from netalgebra.decide.deep_cores."
        "_projection_family, and the identity's multipliers from Singular's lift (offline). The checker "
        "re-verifies all of it. By Theorem 3.1 of the paper (cited; no training set is given for depth >= 3) "
        "some finite training set then has no optimum.")
    rep = verify(cert)
    if not rep.ok:
        raise SystemExit(f"the certificate does not verify: {rep.summary()}")
    with open(out, "w") as f:
        json.dump(cert, f, separators=(",", ":"))
    print(f"{preset}: {sum(len(t) for t in mult)} multiplier terms over {len(eqs)} entries; verified; wrote {out}")


if __name__ == "__main__":
    main()
