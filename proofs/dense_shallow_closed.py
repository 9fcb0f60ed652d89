"""Dense shallow networks are closed: L_I = {W_2 W_1} = {rank <= N_1} for all-ones masks.

Run: ``python proofs/dense_shallow_closed.py [--preset NAME ...] [--timeout 40]``.
``--preset`` replaces the default list of dense patterns; the first one is also cross-checked
by CAD.  A non-dense pattern (e.g. ``--preset ul:2``) violates the hypothesis and fails loudly.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _proof  # noqa: E402

import time  # noqa: E402

from cad import logic  # noqa: E402
from cad.io import to_str  # noqa: E402
from cad.poly import PolyRing  # noqa: E402
from netalgebra.certificate import verify  # noqa: E402
from netalgebra.compile import image_formula, linear_map  # noqa: E402
from netalgebra.decide import decide  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402

DEFAULT = ["dense:2,1,2", "dense:2,2,2", "dense:3,3,3", "dense:3,1,3", "dense:3,2,4", "dense:4,3,2",
           "dense:5,2,5"]


def main():
    ap = _proof.parser(__doc__)
    ap.add_argument("--preset", action="append", default=None, help="dense pattern(s) to prove closed")
    ap.add_argument("--timeout", type=float, default=40.0, help="CAD budget (seconds)")
    args = ap.parse_args()
    names = args.preset or DEFAULT

    P = _proof.Proof(
        "Dense one-hidden-layer networks: L_I is closed",
        "If I_1 and I_2 are all-ones masks (N_1 x N_0 and N_2 x N_1), then L_I = {W_2 W_1} is the "
        "set of N_2 x N_0 matrices of rank <= min(N_0, N_1, N_2), a closed set (vanishing of "
        "all minors of that size plus one).  Cross-check: for dense 2-1-2 the CAD computes the "
        "image {a d - b c = 0} by quantifier elimination, a closed set by its syntax.",
        "Le, Riccietti, Gribonval, NeurIPS 2023 (arXiv 2306.02666), Section 3.3 (dense 2-1-2 and "
        "3-3-3 as closed examples on which z3 struggles); docs/mathematics.md, 'Results', Results 5-6; "
        "netalgebra.theorems (shallow_support_groups / deep_dense_components).")

    P.section("Theorem certificates")
    pats = [SparsityPattern.preset(n) for n in names]
    for pat in pats:
        name = pat.name
        dense = pat.depth == 2 and all(all(all(r) for r in m) for m in pat.masks)
        P.require(f"{name}: hypothesis: one hidden layer, all-ones masks", dense,
                  f"depth {pat.depth}, nnz {pat.nnz} of {sum(len(m) * len(m[0]) for m in pat.masks)}")
        v = decide(pat, budget=30)
        rep = verify(v.certificate) if v.certificate else None
        th = (v.certificate or {}).get("theorem", {})
        P.check(f"{name}: decide() says closed, certificate verified exactly",
                v.status == "closed" and rep is not None and rep.ok,
                f"theorem {th.get('name')}: " + "; ".join(f"{c}" + (f" ({d})" if d else "")
                                                          for c, ok, d in (rep.checks if rep else [])[2:]))
        w = pat.widths
        P.step(f"{name}: L_I = {{{w[2]} x {w[0]} matrices of rank <= {min(w)}}}"
               + ("  (= all matrices)" if min(w) == min(w[0], w[2]) else ""))

    P.section("CAD cross-check: quantifier elimination of the image")
    pat = pats[0]
    lm = linear_map(pat)
    prob = image_formula(lm)
    P.step(f"{pat.name}: image_formula = {to_str(prob.formula, prob.ring)}")
    from cad.elimination import equivalent, qe
    from cad.topology import is_closed, is_syntactically_closed
    t0 = time.perf_counter()
    res = qe(prob, timeout=args.timeout)
    free = PolyRing(prob.free)
    qf = logic.to_ring(res.formula, free)
    P.check(f"{pat.name}: QE of the image", True,
            f"{{ {to_str(qf, free)} }} ({res.cells} cells, {time.perf_counter() - t0:.1f} s)")
    P.check(f"{pat.name}: the QE result is closed by syntax (only =, <=, >= atoms under /\\, \\/)",
            is_syntactically_closed(qf))
    w = pat.widths
    if w == (2, 1, 2):
        g = free.gen
        rank1 = logic.Atom(g("y0_0") * g("y1_1") - g("y0_1") * g("y1_0"), "=")
        P.check("dense 2-1-2: the image is exactly {a d - b c = 0} (CAD decides the equivalence)",
                equivalent(free, qf, rank1, timeout=args.timeout))
    cl = is_closed(prob, timeout=args.timeout)
    P.check(f"{pat.name}: cad.topology.is_closed on the image formula", cl.closed is True, cl.reason[:160])
    P.finish("Dense one-hidden-layer linear counterparts are closed.")


if __name__ == "__main__":
    _proof.run(main)
