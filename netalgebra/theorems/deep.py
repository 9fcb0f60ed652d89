"""Deep patterns: every live connected component dense between consecutive layers; a hidden
layer with a single live neuron."""

from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.structure import live_components, live_neurons

__all__ = ["deep_dense_components", "deep_single_neuron_layer"]


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


def deep_single_neuron_layer(masks):
    """Some hidden layer has exactly one live neuron ``h``: ``L_I`` is the set of rank-<=1 matrices
    supported on ``R x C`` (``R`` the outputs ``h`` reaches, ``C`` the inputs reaching ``h``), closed.

    Proof.  Dead neurons carry no product, so ``M = W_L ... W_1 = T[:, h] B[h, :]`` with
    ``T = W_L ... W_{l+1}`` and ``B = W_l ... W_1``, whose weights are disjoint sets.  Lemma: for
    masks ``I`` and a set ``S`` of neurons, ``{W x : supp x ⊆ S, supp W ⊆ I}`` is every vector
    supported on the neighbours ``N(S)``: given ``y``, pick for each ``i`` in ``N(S)`` one
    ``s(i) ∈ S`` joined to ``i``, take ``x`` = 1 on ``S`` and ``W[i, s(i)] = y_i``, all other
    weights 0.  By induction from ``e_h``, ``T[:, h]`` ranges over all vectors supported on ``R``;
    transposed, ``B[h, :]`` over all vectors supported on ``C``, independently.  So ``L_I`` is
    ``{u v^T}``, the matrices supported on ``R x C`` whose 2x2 minors vanish: a closed set.
    """
    L = len(masks)
    if L < 2:
        return None
    live = live_neurons(masks)
    for l in range(1, L):
        if len(live[l]) == 1:
            (h,) = live[l]
            return fragment("deep_single_neuron_layer",
                            f"Hidden layer {l} has one live neuron ({h}): L_I is the set of rank-at-most-one "
                            "matrices supported on (outputs it reaches) x (inputs reaching it), hence closed.",
                            {"depth": L, "hidden_layer": l, "neuron": h},
                            source="proved in netalgebra.theorems.deep_single_neuron_layer")
    return None
