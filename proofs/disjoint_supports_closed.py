"""Disjoint rank-one supports are closed: butterfly 4 and block rank-1.

Run: ``python proofs/disjoint_supports_closed.py [--preset NAME ...] [--timeout 30]``.
``--preset`` replaces the default patterns (butterfly:4, block:2:2,1,2).  A pattern whose
rank-one supports overlap without being identical (e.g. ``ul:2``) violates the hypothesis
and fails loudly.
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
from netalgebra.graph import block  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402

DEFAULT = ["butterfly:4", "block:2:2,1,2"]


def supports(pat):
    M1, M2 = pat.masks
    R = [frozenset(r for r in range(len(M2)) if M2[r][k]) for k in range(len(M1))]
    C = [frozenset(c for c in range(len(M1[0])) if M1[k][c]) for k in range(len(M1))]
    return R, C


def main():
    ap = _proof.parser(__doc__)
    ap.add_argument("--preset", action="append", default=None, help="pattern(s) to prove closed")
    ap.add_argument("--timeout", type=float, default=30.0, help="CAD budget per block (seconds)")
    args = ap.parse_args()
    names = args.preset or DEFAULT

    P = _proof.Proof(
        "Pairwise disjoint (or identical) rank-one supports: L_I is closed",
        "One hidden layer; hidden neuron k has rank-one support S_k = R_k x C_k (outputs it reaches "
        "x inputs it reads).  If the supports of distinct live neurons are pairwise disjoint (or "
        "identical), then L_I is a direct sum, over the distinct supports S, of the sets of "
        "matrices supported on S of rank <= (number of neurons on S): closed.  Examples: "
        "butterfly 4 (W_2 = ones(2) (x) I_2, W_1 = I_2 (x) ones(2)) and block rank-1.",
        "Le, Riccietti, Gribonval, NeurIPS 2023 (arXiv 2306.02666), Section 4 (conditions on the "
        "supports; butterfly as a closed example on which z3 times out); docs/mathematics.md, "
        "'Results', Result 5; netalgebra.theorems.shallow_support_groups.")

    cache = {}     # QE result per distinct block sub-pattern (masks)
    for name in names:
        pat = SparsityPattern.preset(name)
        P.section(name)
        P.step(str(pat))
        P.require(f"{name}: one hidden layer", pat.depth == 2, f"depth {pat.depth}")
        R, C = supports(pat)
        live = [k for k in range(len(R)) if R[k] and C[k]]
        P.step("supports: " + ", ".join(f"S_{k} = {sorted(R[k])} x {sorted(C[k])}" for k in live))
        clash = [(a, b) for i, a in enumerate(live) for b in live[i + 1:]
                 if (R[a], C[a]) != (R[b], C[b]) and (R[a] & R[b]) and (C[a] & C[b])]
        P.require(f"{name}: hypothesis: live supports pairwise disjoint or identical", not clash,
                  f"S_{clash[0][0]} and S_{clash[0][1]} overlap" if clash else f"{len(live)} live neurons")

        v = decide(pat, budget=30)
        rep = verify(v.certificate) if v.certificate else None
        th = (v.certificate or {}).get("theorem", {})
        P.check(f"{name}: decide() says closed, certificate verified exactly",
                v.status == "closed" and rep is not None and rep.ok,
                f"theorem {th.get('name')}; " + "; ".join(c for c, ok, d in (rep.checks if rep else [])[2:]))

        # -- independent route: the direct sum, checked on the polynomial map, then CAD per block
        lm = linear_map(pat)
        owner = {}
        for (l, i, j) in pat.support:
            owner[f"w{l}_{i}_{j}"] = i if l == 1 else j       # the hidden neuron a weight belongs to
        groups = {}
        for k in live:
            groups.setdefault((R[k], C[k]), []).append(k)
        ok_entries = True
        for r in range(pat.widths[2]):
            for c in range(pat.widths[0]):
                ks = {owner[lm.variables[v]] for path in lm.paths[r][c] for v in path}
                inside = [key for key in groups if r in key[0] and c in key[1]]
                want = set(groups[inside[0]]) if inside else set()
                ok_entries &= (ks == want) and len(inside) <= 1
        P.check(f"{name}: each entry (r, c) of W_2 W_1 involves exactly the weights of the neurons whose "
                f"support contains (r, c), and at most one support does", ok_entries,
                "so L_I is the direct sum over the supports S of the block maps (disjoint coordinates, "
                "disjoint weights): closed iff each block image is closed")
        for (Rk, Ck), ks in sorted(groups.items(), key=lambda kv: min(kv[1])):
            emb = block(pat, sorted(Rk), sorted(Ck))
            sub = emb.pattern
            P.check(f"{name}: block {sorted(Rk)} x {sorted(Ck)}: sub-pattern is dense "
                    f"{'-'.join(map(str, sub.widths))}", all(all(all(x) for x in row) for row in sub.masks),
                    f"hidden neurons {list(emb.neurons[1])}")
            prob = image_formula(linear_map(sub))
            from cad.elimination import qe
            from cad.topology import is_syntactically_closed
            t0 = time.perf_counter()
            again = sub.masks in cache
            if not again:
                res = qe(prob, timeout=args.timeout)
                free = PolyRing(prob.free)
                cache[sub.masks] = (free, logic.to_ring(res.formula, free))
            free, qf = cache[sub.masks]
            P.check(f"{name}: block {sorted(Rk)} x {sorted(Ck)}: CAD image is closed by syntax",
                    is_syntactically_closed(qf),
                    f"{{ {to_str(qf, free)} }} " + ("(same sub-pattern as above: QE result reused)" if again
                                                     else f"({time.perf_counter() - t0:.1f} s)"))
    P.finish("L_I is closed for these patterns (theorem certificate and CAD agree).")


if __name__ == "__main__":
    _proof.run(main)
