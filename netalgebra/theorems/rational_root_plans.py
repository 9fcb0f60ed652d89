"""Realisations through a layer merge or a single-edge sub-pattern, for nodes (the root first of
all) where the plans of :mod:`netalgebra.theorems.rational_plans` and the wider search find none:
one layer fixed to a 0/1 matrix that merges with its neighbour, the shorter pattern realised by
the ordinary plans, its weights lifted back; or some neurons of one layer cut down to a single
edge, the sparser pattern realised by the ordinary plans.

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

The sub-pattern.  A pattern ``I'`` whose masks are contained in ``I``'s has ``L_I' ⊆ L_I``: its
weights, with 0 on the dropped edges, are weights of ``I``.  The sub-patterns drawn here keep, in
one layer, a single edge of some neurons (as readers, *in*, or as feeders, *out*); they keep the
weights of the other neurons, which a merge cannot.

Search (completeness only).  Merges (each neuron of the layer keeps one edge) alternate with
random single-edge sub-patterns; a candidate is searched only if its boolean product is ``K``
(so its entries, free variables and ring are the node's) and its product has full generic rank
(mod p, a filter).  Its plans are found and replayed exactly by its own
:class:`netalgebra.theorems.rational_cover._Search` (:meth:`realisations`), one realisation per
candidate; the verifier multiplies the lifted weights out on the original masks.

Why these and not larger linear blocks (measured on ``random:4,4,4,4:0.7:41``, main 5809549): plans
with square blocks of up to 8 entries exist at the root (about 40 % of random tries modulo p), but
the exact replay of most exceeds the size guard (41 of 46 distinct plans in one run: polynomials of
more than 1500 terms before a gcd);
fixing a whole layer keeps the remaining equations those of a product with one factor fewer,
solved entry by entry with small weights.
"""

from itertools import islice, product

from netalgebra.layer_merge import merged_support

__all__ = ["merge_choices", "shorter_pattern", "lift", "single_edge_sub_pattern", "merged_realisations"]

MAX_CHOICES = 1000      # choices of the 1s per layer and kind at most
MAX_SUB = 200           # single-edge sub-patterns drawn per call at most
SHARES = (0.3, 0.5)     # chance that a neuron of the sub-pattern's layer keeps one edge only
MAX_TRIED = 40          # candidates (same K, full generic rank) searched per call at most
PLANS_PER_CANDIDATE = 4


def merge_choices(masks, rng, limit=MAX_CHOICES):
    """Merges ``(kind, l, chosen)`` (``l`` the 0-based index of the layer set to 0/1) in random
    order, at most ``limit`` of each kind and layer: ``kind`` "in": ``chosen[n]`` the input read
    by neuron ``n`` of layer ``l`` (None: no edge); "out": ``chosen[n]`` the neuron of layer
    ``l + 1`` fed by neuron ``n`` (a sub-mask of ``masks[l]`` with one 1 per column, merged with
    ``masks[l - 1]``)."""
    out = []
    for kind, l in _layer_kinds(len(masks)):
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


def _layer_kinds(L):
    """``("in", l)`` for the layers whose neurons read (all but the last), then ``("out", l)`` for
    those whose neurons feed (all but the first)."""
    return [("in", l) for l in range(L - 1)] + [("out", l) for l in range(1, L)]


def single_edge_sub_pattern(masks, rng, share):
    """A sub-pattern: in one random layer, each neuron (as reader, *in*, or as feeder, *out*) with
    more than one edge keeps one random edge, with chance ``share``.  Its weights, 0 on the
    dropped edges, are weights of ``masks``: its products are products of the pattern."""
    kind, l = rng.choice(_layer_kinds(len(masks)))
    m = [list(r) for r in masks[l]]
    rows, cols = len(m), len(m[0])
    for n in range(rows if kind == "in" else cols):
        cells = [(n, a) for a in range(cols)] if kind == "in" else [(b, n) for b in range(rows)]
        on = [c for c in cells if m[c[0]][c[1]]]
        if len(on) > 1 and rng.random() < share:
            keep = rng.choice(on)
            for (i, j) in on:
                m[i][j] = int((i, j) == keep)
    return masks[:l] + (tuple(tuple(r) for r in m),) + masks[l + 1:]


def _candidates(masks, rng):
    """Alternately a merge (``(choice, shorter masks)``) and a single-edge sub-pattern (``(None,
    masks)``), :data:`MAX_SUB` turns at most (so at most that many merges are used)."""
    merges = iter(merge_choices(masks, rng))
    for _ in range(MAX_SUB):
        choice = next(merges, None)
        if choice is not None:
            yield choice, shorter_pattern(masks, *choice)
        yield None, single_edge_sub_pattern(masks, rng, rng.choice(SHARES))


def merged_realisations(search, sigma, free, rng):
    """Realisations ``{weight: Frac}`` of ``sigma`` on ``search``'s pattern (a
    :class:`netalgebra.theorems.rational_cover._Search`) through merges and single-edge
    sub-patterns (module docstring), at most one per candidate: the candidate's own search finds
    them (same ``K``, so the same entries and ring), :func:`lift` carries a merge's back.
    ``free``: the node's free entries (indices into ``search.K``)."""
    from netalgebra.theorems import rational_cover as rc       # (cycle: rational_cover imports this module)

    masks, K = search.masks, search.K
    one = rc.Frac(search.ctx.from_dict({(0,) * search.ctx.nvars(): 1}))
    tried, seen = 0, set()
    for choice, short in _candidates(masks, rng):
        if tried >= MAX_TRIED:
            return
        if search.budget is not None:
            search.budget.check("time (rational cover)")
        if short in seen or rc.product_support(short) != K or not rc.full_dimensional(short):
            continue
        seen.add(short)
        tried += 1
        plans = rc._Search(short, search.budget).realisations(sigma, free, rng, PLANS_PER_CANDIDATE)
        val = next(iter(plans), None)
        if val is not None:
            nonzero = {w: f for w, f in val.items() if not f.is_zero()}
            yield nonzero if choice is None else lift(masks, *choice, nonzero, one)
