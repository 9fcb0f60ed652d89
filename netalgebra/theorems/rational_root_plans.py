"""Realisations through a layer merge: one layer fixed to a 0/1 matrix that merges with its
neighbour, the shorter pattern realised by the ordinary plans, its weights lifted back.

Why.  On many full-rank 4,4,4,4 patterns the plans of :mod:`netalgebra.theorems.rational_plans`
find nothing at the root: after the constants that keep the Jacobian of full rank a bilinear
system remains that no small linear block solves.  Fixing a whole layer at once changes the
shape of the problem: the rest is a product of one layer fewer, often solved entry by entry.

The merge (docs/mathematics.md, "Layer merge", used here with a choice of the 1s).  Let ``Q`` be a
sub-mask of ``I_l`` in which every row has at most one 1 (neuron ``n`` of layer ``l`` reads only
``a(n)``; *in*) and ``J[i, a] = OR_{n : a(n) = a} I_{l+1}[i, n]``.  Given any ``X`` supported on
``J``, put ``W_l[n, a(n)] = 1`` (every other weight of ``W_l`` 0) and, for each ``(i, a)`` of
``J``, ``W_{l+1}[i, n] = X[i, a]`` for one chosen ``n`` with ``a(n) = a`` and ``I_{l+1}[i, n] = 1``
(every other weight of ``W_{l+1}`` 0); then ``W_{l+1} W_l = X``.  The transpose (*out*): every
column of ``Q`` (a sub-mask of ``I_{l+1}``) has at most one 1, merged with ``W_l``.  So weights
``V`` of the shorter pattern (``I_l, I_{l+1}`` replaced by ``J``) with product ``sigma`` lift to
weights of the original pattern with the same product, rational functions of the node's free
entries whenever ``V`` are.  The lifted realisation is an ordinary one: the cover lemma of
:mod:`netalgebra.theorems.rational_cover` and the verifier's product check apply unchanged, and
nothing about the merge is claimed or certified.

Search (completeness only).  Random choices of ``Q`` (each neuron keeps one of its edges) whose
shorter pattern has the same boolean product ``K`` and full generic rank (mod p, a filter);
its plans are found and replayed as at any node (:func:`netalgebra.theorems.rational_cover._replay`),
on the shorter pattern's paths.
"""

from itertools import islice, product

from netalgebra.layer_merge import merged_support

__all__ = ["merge_choices", "shorter_pattern", "lift", "merged_realisations"]

MAX_CHOICES = 1000      # choices of the 1s per layer and kind at most
MAX_SHORTER = 12        # shorter patterns (same K, full generic rank) tried per call at most
PLANS_PER_MERGE = 4     # plans of one shorter pattern


def merge_choices(masks, rng, limit=MAX_CHOICES):
    """Merges ``(kind, l, chosen)`` (``l`` the 0-based index of the layer set to 0/1) in random
    order, at most ``limit`` of each kind and layer: ``kind`` "in": ``chosen[n]`` the input read
    by neuron ``n`` of layer ``l`` (None: no edge); "out": ``chosen[n]`` the neuron of layer
    ``l + 1`` fed by neuron ``n`` (a sub-mask of ``masks[l]`` with one 1 per column, merged with
    ``masks[l - 1]``)."""
    out = []
    for kind, l in [("in", l) for l in range(len(masks) - 1)] + [("out", l) for l in range(1, len(masks))]:
        m = masks[l]
        if kind == "in":
            options = [[a for a, on in enumerate(row) if on] or [None] for row in m]
        else:
            options = [[b for b in range(len(m)) if m[b][n]] or [None] for n in range(len(m[0]))]
        out.extend((kind, l, chosen) for chosen in islice(product(*options), limit))
    rng.shuffle(out)
    return out


def _sub_mask(masks, kind, l, chosen):
    m = masks[l]
    if kind == "in":
        return tuple(tuple(int(a == chosen[n]) for a in range(len(m[0]))) for n in range(len(m)))
    return tuple(tuple(int(b == chosen[n]) for n in range(len(m[0]))) for b in range(len(m)))


def shorter_pattern(masks, kind, l, chosen):
    """The masks with layer ``l`` (as the 0/1 sub-mask ``chosen``) merged into its neighbour."""
    q = _sub_mask(masks, kind, l, chosen)
    if kind == "in":
        return masks[:l] + (merged_support(q, masks[l + 1]),) + masks[l + 2:]
    return masks[:l - 1] + (merged_support(masks[l - 1], q),) + masks[l + 1:]


def lift(masks, kind, l, chosen, val, one):
    """Weights ``{(layer, a, b): value}`` of the original pattern (layers 1-based; absent ones 0)
    from the non-zero weights ``val`` of :func:`shorter_pattern`: the merge of the module
    docstring, the merged layer's ``X[i, a]`` on the first neuron realising it, ``one`` on the 1s
    of ``chosen``.  Their product is that of ``val``."""
    out = {(l + 1, n, x) if kind == "in" else (l + 1, x, n): one for n, x in enumerate(chosen) if x is not None}
    merged = l if kind == "in" else l - 1          # 0-based index of the merged layer in the shorter masks
    for (k, i, j), f in val.items():
        if k - 1 < merged:
            out[(k, i, j)] = f
        elif k - 1 > merged:
            out[(k + 1, i, j)] = f
        elif kind == "in":       # X[i, j] = W_{l+2}[i, n] W_{l+1}[n, j], a(n) = j
            n = next(n for n, a in enumerate(chosen) if a == j and masks[l + 1][i][n])
            out[(l + 2, i, n)] = f
        else:                    # X[i, j] = W_{l+1}[i, n] W_l[n, j], b(n) = i
            n = next(n for n, b in enumerate(chosen) if b == i and masks[l - 1][n][j])
            out[(l, n, j)] = f
    return out


def merged_realisations(search, sigma, free, rng):
    """Realisations ``{weight: Frac}`` of ``sigma`` on ``search``'s pattern (a
    :class:`netalgebra.theorems.rational_cover._Search`) through merges (module docstring):
    the shorter pattern's own search finds them (same ``K``, so the same entries and ring),
    :func:`lift` carries them back.  ``free``: the node's free entries (indices into ``search.K``)."""
    from netalgebra.theorems import rational_cover as rc       # (cycle: rational_cover imports this module)

    masks, K = search.masks, search.K
    one = rc.Frac(search.ctx.from_dict({(0,) * search.ctx.nvars(): 1}))
    tried = 0
    for choice in merge_choices(masks, rng):
        if tried >= MAX_SHORTER:
            return
        if search.budget is not None:
            search.budget.check("time (rational cover)")
        short = shorter_pattern(masks, *choice)
        if rc.product_support(short) != K or not rc.full_dimensional(short):
            continue
        tried += 1
        shorter = rc._Search(short, search.budget)
        for val in shorter.realisations(sigma, free, rng, PLANS_PER_MERGE):
            yield lift(masks, *choice, {w: f for w, f in val.items() if not f.is_zero()}, one)
            break
