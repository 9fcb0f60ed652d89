"""Deep patterns: every live connected component dense between consecutive layers."""

from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.structure import live_components, live_neurons

__all__ = ["deep_dense_components"]


def deep_dense_components(masks):
    """Every connected component of the live network is dense: L_I is closed.

    Proof.  By :func:`live_neurons` and :func:`live_components`, ``L_I`` is the
    product over components of the component's linear counterpart, placed on
    disjoint blocks ``S_L x S_0``.  In a component dense between consecutive live
    layers with widths ``n_0, ..., n_L``, the product of arbitrary matrices has
    rank <= ``m = min(n_1, ..., n_{L-1})`` (``m = min(n_0, n_L)`` when L = 1),
    and every ``n_L x n_0`` matrix ``M`` of rank ``s <= m`` is attained: write
    ``M = U V`` with inner dimension s, take ``W_1 = [V; 0]``,
    ``W_l = diag(I_s, 0)`` in the middle and ``W_L = [U, 0]``.  The rank-<=m
    matrices form a closed set (minors), so each factor, and the product, is
    closed.  Edges touching dead neurons lie on no path and do not matter.
    """
    live = live_neurons(masks)
    comps = live_components(masks, live)
    L = len(masks)
    info = []
    for comp in comps:
        for l in range(1, L + 1):
            m = masks[l - 1]
            if not all(m[i][j] for i in comp[l] for j in comp[l - 1]):
                return None
        ws = [len(s) for s in comp]
        info.append({"inputs": sorted(comp[0]), "outputs": sorted(comp[L]), "widths": ws,
                     "rank_bound": min(ws[1:L]) if L > 1 else min(ws[0], ws[L])})
    return fragment("deep_dense_components",
                    "After removing neurons on no input-output path, every connected component is dense "
                    "between consecutive layers; L_I is then a direct sum of sets of matrices of bounded "
                    "rank, hence closed.",
                    {"depth": L, "components": info},
                    source="proved in netalgebra.theorems.deep_dense_components (paper-notes, result 6)")
