"""The network as a graph: reductions that preserve closedness, block projection,
canonical forms.

Neurons are nodes ``(l, i)`` (layer l = 0..L, index i); an allowed weight
``W_l[i, j]`` is an edge ``(l-1, j) -> (l, i)``.  Entry (i, j) of ``W_L ... W_1``
is the sum over the paths from input j to output i of the products of their
weights (Le, Riccietti, Gribonval, NeurIPS 2023; see also docs/mathematics.md,
"Reductions that preserve closedness of L_I").

Reductions (each returns the reduced pattern(s) with the maps back):

* :func:`prune` -- keep only neurons on some input -> output path.  A weight on no
  such path never appears in the product, and a row/column no path reaches is
  identically zero, so ``L_I ≅ L_{I'} × {0}``; closedness is preserved.
* :func:`reduce` -- prune, then split into connected components of the neuron
  graph.  Distinct components have disjoint inputs, outputs and weights, so ``L_I``
  is (up to zero rows/columns) the product of the components' ``L_{I_c}`` placed
  on disjoint blocks; it is closed iff every factor is.
* :func:`transposition` -- ``L_{I^T} = {A^T : A ∈ L_I}``, a linear homeomorphism.
* :func:`block` -- the sub-pattern induced by output rows R', input columns C' and
  all hidden neurons (the Block projection lemma: A ∈ L_I ⇒ A[R',C'] ∈ L_{I'}, and
  B ∈ cl L_{I'} ⇒ B ⊕ 0 ∈ cl L_I, so a non-closed block makes I non-closed).

Canonical form (:func:`canonical_form`) under permutations of inputs, of the
hidden neurons of each layer and of outputs: exact, by individualisation and
refinement (colour refinement of the layered graph, then branching on the
vertices of a non-singleton cell and keeping the lexicographically least relabelled
mask tuple), with two exact savings: connected components are canonised
separately and sorted, and branches on "twins" (same in- and out-neighbours,
whose swap is an automorphism fixing the current colouring) are explored once.

networkx is imported only by :func:`to_digraph`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cad.errors import InputError
from netalgebra.naming import weight_name
from netalgebra.pattern import SparsityPattern
from netalgebra.theorems import structure

__all__ = ["to_digraph", "Embedding", "Reduction", "Transposition", "live_neurons", "prune",
           "reduce", "transposition", "block", "canonical_form", "canonical_labeling", "are_isomorphic"]


def _check(pattern):
    if not isinstance(pattern, SparsityPattern):
        raise InputError(f"expected a SparsityPattern, got {type(pattern).__name__}")


def to_digraph(pattern):
    """networkx DiGraph: nodes ``(l, i)`` with attributes ``layer``, ``index``, ``kind``
    ('input' / 'hidden' / 'output'); edges ``(l-1, j) -> (l, i)`` with attributes ``layer`` (= l)
    and ``variable`` (the weight name ``w{l}_{i}_{j}``)."""
    import networkx as nx

    _check(pattern)
    G = nx.DiGraph(name=pattern.name or "")
    widths, L = pattern.widths, pattern.depth
    for l, n in enumerate(widths):
        kind = "input" if l == 0 else ("output" if l == L else "hidden")
        for i in range(n):
            G.add_node((l, i), layer=l, index=i, kind=kind)
    for l, i, j in pattern.support:
        G.add_edge((l - 1, j), (l, i), layer=l, variable=weight_name(l, i, j))
    return G


# --- embeddings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Embedding:
    """A sub-pattern of ``original`` and where its neurons sit there.

    ``neurons[l]`` lists, for every neuron of layer l of ``pattern``, its index in
    layer l of ``original`` (so ``inputs = neurons[0]``, ``outputs = neurons[-1]``).
    ``pattern``'s masks are the original masks restricted to these neurons.
    """

    pattern: SparsityPattern
    original: SparsityPattern
    neurons: tuple

    @property
    def inputs(self):
        return self.neurons[0]

    @property
    def outputs(self):
        return self.neurons[-1]

    @property
    def hidden(self):
        return self.neurons[1:-1]

    def variable_map(self):
        """Sub-pattern weight name -> original weight name."""
        nb = self.neurons
        return {weight_name(l, i, j): weight_name(l, nb[l][i], nb[l - 1][j]) for (l, i, j) in self.pattern.support}

    def lift_weights(self, weights):
        """Original weights (a dict over all original variables) equal to ``weights`` on the
        sub-pattern's variables and 0 elsewhere.  With these weights the original product is
        ``embed_matrix`` of the sub-pattern's product (every other path has a zero weight)."""
        if not isinstance(weights, Mapping):
            raise InputError("lift_weights expects a mapping from weight names to values")
        vm = self.variable_map()
        unknown = [k for k in weights if k not in vm]
        if unknown:
            raise InputError(f"unknown weight {unknown[0]!r}: not a free weight of the sub-pattern")
        out = {weight_name(l, i, j): 0 for (l, i, j) in self.original.support}
        for k, v in weights.items():
            out[vm[k]] = v
        return out

    def embed_matrix(self, B, zero=0):
        """The N_L x N_0 matrix equal to B on (outputs, inputs) and ``zero`` elsewhere."""
        w = self.original.widths
        A = [[zero] * w[0] for _ in range(w[-1])]
        rows, cols = self.outputs, self.inputs
        if len(B) != len(rows) or any(len(r) != len(cols) for r in B):
            raise InputError(f"block must have shape {len(rows)}x{len(cols)}")
        for a, i in enumerate(rows):
            for b, j in enumerate(cols):
                A[i][j] = B[a][b]
        return A

    def restrict_matrix(self, A):
        """A[outputs, inputs] (A of the original shape N_L x N_0)."""
        return [[A[i][j] for j in self.inputs] for i in self.outputs]


@dataclass(frozen=True)
class Reduction:
    """Result of :func:`reduce`.

    ``components`` -- the connected components of the pruned pattern (empty iff L_I = {0});
    ``zero_rows`` / ``zero_cols`` -- outputs / inputs on no path (rows / columns of every
    product that are identically 0); ``dead`` -- per layer, the neurons removed.
    Every A ∈ L_I is ``embed(restrict(A))`` and ``L_I = {embed(blocks) : blocks[c] ∈ L_{I_c}}``.
    """

    original: SparsityPattern
    components: tuple
    zero_rows: tuple
    zero_cols: tuple
    dead: tuple

    def embed(self, blocks, zero=0):
        """Assemble the original N_L x N_0 matrix from one block per component (zeros elsewhere)."""
        if len(blocks) != len(self.components):
            raise InputError(f"expected {len(self.components)} blocks, got {len(blocks)}")
        w = self.original.widths
        A = [[zero] * w[0] for _ in range(w[-1])]
        for comp, B in zip(self.components, blocks):
            E = comp.embed_matrix(B, zero)
            for i in comp.outputs:
                for j in comp.inputs:
                    A[i][j] = E[i][j]
        return A

    def restrict(self, A):
        """The blocks of A, one per component."""
        return [c.restrict_matrix(A) for c in self.components]

    def lift_weights(self, weights_per_component):
        """Original weights from one weight mapping per component (0 on pruned weights)."""
        out = {weight_name(l, i, j): 0 for (l, i, j) in self.original.support}
        for comp, ws in zip(self.components, weights_per_component):
            vm = comp.variable_map()
            for k, v in ws.items():
                if k not in vm:
                    raise InputError(f"unknown weight {k!r} for component with inputs {comp.inputs}")
                out[vm[k]] = v
        return out


def live_neurons(pattern):
    """Per layer, the sorted tuple of neurons lying on some input -> output path
    (reachable from an input and reaching an output; in a layered DAG that is exactly
    "on a full path")."""
    _check(pattern)
    return tuple(tuple(sorted(x)) for x in structure.live_neurons(pattern.masks))


def _sub(pattern, neurons):
    masks = pattern.masks
    sub = tuple(tuple(tuple(masks[l - 1][i][j] for j in neurons[l - 1]) for i in neurons[l])
                for l in range(1, len(neurons)))
    return SparsityPattern(sub)


def prune(pattern):
    """Remove every neuron on no input -> output path (dead hidden neurons: no incoming or
    no outgoing edge, iterated; inputs/outputs no path reaches).  Returns an
    :class:`Embedding`, or ``None`` when no path exists at all (then L_I = {0})."""
    live = live_neurons(pattern)
    if any(len(x) == 0 for x in live):
        return None
    return Embedding(_sub(pattern, live), pattern, live)


def reduce(pattern):
    """Prune dead neurons, then split into connected components of the neuron graph.

    Returns a :class:`Reduction`; each component is an :class:`Embedding` into the
    original pattern.  Components are ordered by their smallest input index.
    """
    _check(pattern)
    live = live_neurons(pattern)
    widths = pattern.widths
    dead = tuple(tuple(i for i in range(widths[l]) if i not in set(live[l])) for l in range(len(widths)))
    zero_rows, zero_cols = dead[-1], dead[0]
    if any(len(x) == 0 for x in live):
        return Reduction(pattern, (), tuple(range(widths[-1])), tuple(range(widths[0])),
                         tuple(tuple(range(w)) for w in widths))
    comps = tuple(Embedding(_sub(pattern, c), pattern, c) for c in structure.components(pattern.masks, live))
    return Reduction(pattern, comps, zero_rows, zero_cols, dead)


@dataclass(frozen=True)
class Transposition:
    """``pattern`` = ``original.transpose()``; ``L_pattern = {A^T : A ∈ L_original}``."""

    pattern: SparsityPattern
    original: SparsityPattern

    def variable_map(self):
        """Transposed weight name -> original weight name (W'_{L+1-l} = W_l^T)."""
        L = self.original.depth
        return {weight_name(L + 1 - l, j, i): weight_name(l, i, j) for (l, i, j) in self.original.support}

    def lift_weights(self, weights):
        vm = self.variable_map()
        unknown = [k for k in weights if k not in vm]
        if unknown:
            raise InputError(f"unknown weight {unknown[0]!r} of the transposed pattern")
        return {vm[k]: v for k, v in weights.items()}

    @staticmethod
    def lift_matrix(A):
        """A matrix of the transposed pattern's shape -> its transpose (original shape)."""
        return [list(r) for r in zip(*A)]


def transposition(pattern):
    """The transposed pattern with the map back (see :class:`Transposition`)."""
    _check(pattern)
    return Transposition(pattern.transpose(), pattern)


def block(pattern, rows, cols, prune_hidden=True):
    """Sub-pattern induced by output rows ``rows`` (R'), input columns ``cols`` (C') and all
    hidden neurons -- the Block projection lemma (docs/mathematics.md, "Reductions that preserve
    closedness of L_I").

    The R' x C' block of ``W_L ... W_1`` only involves weights on paths from C' to R', and
    equals the product of the induced sub-pattern's weights; conversely, setting every
    other weight to 0 (:meth:`Embedding.lift_weights`) gives ``B ⊕ 0``.  Hence
    ``A ∈ L_I ⇒ A[R',C'] ∈ L_{I'}`` and ``B ∈ cl L_{I'} ⇒ B ⊕ 0 ∈ cl L_I``: a non-closed
    block makes the pattern non-closed, with witness ``B ⊕ 0`` (``Embedding.embed_matrix``).

    ``rows``/``cols`` keep the order given (distinct, in range).  With ``prune_hidden``,
    hidden neurons on no C' -> R' path are removed (rows and columns are kept even if
    no path reaches them).  Returns an :class:`Embedding`, or ``None`` when no path joins
    C' to R' (the block is identically 0, so closed).
    """
    _check(pattern)
    widths, L = pattern.widths, pattern.depth

    def idx(seq, n, what):
        try:
            seq = tuple(int(x) for x in seq)
        except (TypeError, ValueError):
            raise InputError(f"block {what} must be a list of indices") from None
        if not seq:
            raise InputError(f"block {what} must not be empty")
        if len(set(seq)) != len(seq):
            raise InputError(f"block {what} {seq} lists an index twice")
        bad = [x for x in seq if not 0 <= x < n]
        if bad:
            raise InputError(f"block {what}: index {bad[0]} out of range 0..{n - 1}")
        return seq

    rows = idx(rows, widths[-1], "rows")
    cols = idx(cols, widths[0], "cols")
    neurons = [cols] + [tuple(range(w)) for w in widths[1:-1]] + [rows]
    if L == 1:
        sub = _sub(pattern, neurons)
        return Embedding(sub, pattern, tuple(neurons))
    sub = _sub(pattern, neurons)
    if prune_hidden:
        live = live_neurons(sub)
        if any(len(x) == 0 for x in live[1:-1]) or not live[0]:
            return None
        neurons = [cols] + [tuple(neurons[l][i] for i in live[l]) for l in range(1, L)] + [rows]
        sub = _sub(pattern, neurons)
    return Embedding(sub, pattern, tuple(neurons))


# --- canonical form ------------------------------------------------------------------------


class _LayeredGraph:
    """Adjacency of a layered graph on vertices 0..n-1 with a layer per vertex."""

    __slots__ = ("layer", "inn", "out", "n")

    def __init__(self, layer, inn, out):
        self.layer, self.inn, self.out, self.n = layer, inn, out, len(layer)


def _relabel(keys):
    """Replace keys by their rank among the distinct keys (canonical: depends on the keys only)."""
    ranks = {k: r for r, k in enumerate(sorted(set(keys)))}
    return [ranks[k] for k in keys], len(ranks)


def _refine(g, colors, ncolors):
    """Colour refinement (1-WL) of the layered graph, to the coarsest stable refinement."""
    while True:
        keys = [(colors[v], tuple(sorted(colors[u] for u in g.inn[v])),
                 tuple(sorted(colors[u] for u in g.out[v]))) for v in range(g.n)]
        new, k = _relabel(keys)
        if k == ncolors:
            return new, k
        colors, ncolors = new, k


def _orbit_roots(n, gens):
    """Union-find roots of the orbits of the group generated by ``gens`` (permutations of 0..n-1)."""
    sets = structure.DisjointSets(range(n))
    for g in gens:
        for x in range(n):
            sets.union(x, g[x])
    return sets.find


def _canon_component(g, masks_fn):
    """Least leaf of the individualisation-refinement tree of g; returns (form, order) where
    order lists vertices sorted by their discrete colour.

    Pruning (exact): an automorphism gamma fixing the individualised prefix pointwise maps the
    current colouring to itself and the subtree of v onto the subtree of gamma(v), with the same
    leaf forms; so one vertex per orbit of the target cell is explored.  Automorphisms come from
    twins (same neighbourhoods) and from pairs of leaves with equal forms (McKay's idea).
    """
    best = [None, None]
    autos = []
    init, k = _relabel(list(g.layer))

    def leaf(colors):
        order = sorted(range(g.n), key=colors.__getitem__)
        form = masks_fn(order)
        if best[0] is None or form < best[0]:
            best[0], best[1] = form, order
        elif form == best[0]:
            gamma = [0] * g.n
            for a, b in zip(order, best[1]):
                gamma[a] = b
            if any(gamma[x] != x for x in range(g.n)):
                autos.append(gamma)

    def search(colors, k, prefix):
        colors, k = _refine(g, colors, k)
        if k == g.n:
            leaf(colors)
            return
        cells = {}
        for v, c in enumerate(colors):
            cells.setdefault(c, []).append(v)
        # target cell: smallest non-singleton, ties by colour -- both isomorphism invariant
        target = min((len(vs), c) for c, vs in cells.items() if len(vs) > 1)[1]
        seen_twins = set()
        explored = []
        for v in cells[target]:
            twin = (frozenset(g.inn[v]), frozenset(g.out[v]))
            if twin in seen_twins:
                continue          # swapping twins is an automorphism fixing `colors`
            if explored and autos:
                stab = [a for a in autos if all(a[p] == p for p in prefix)]
                if stab:
                    find = _orbit_roots(g.n, stab)
                    rv = find(v)
                    if any(find(u) == rv for u in explored):
                        continue
            seen_twins.add(twin)
            explored.append(v)
            search([2 * c + (0 if u == v else 1) for u, c in enumerate(colors)], k + 1, prefix + (v,))

    search(init, k, ())
    return best[0], best[1]


def canonical_labeling(pattern):
    """``(canonical pattern, perms)`` with ``perms[l][new] = old`` for every layer l = 0..L.

    The canonical pattern is ``pattern`` with its neurons permuted within each layer, and is
    equal for two patterns iff they are isomorphic (same widths, and equal up to permutations of
    inputs, hidden neurons per layer and outputs).  See the module docstring for the algorithm.
    """
    _check(pattern)
    masks, widths, L = pattern.masks, pattern.widths, pattern.depth
    everything = tuple(tuple(range(w)) for w in widths)
    comps = structure.components(pattern.masks, everything)
    keyed = []
    for comp in comps:
        verts = [(l, i) for l in range(L + 1) for i in comp[l]]
        pos = {v: k for k, v in enumerate(verts)}
        layer = [l for l, _ in verts]
        inn = [[] for _ in verts]
        out = [[] for _ in verts]
        for (l, i), k in pos.items():
            if l == 0:
                continue
            row = masks[l - 1][i]
            for j in comp[l - 1]:
                if row[j]:
                    kk = pos[(l - 1, j)]
                    inn[k].append(kk)
                    out[kk].append(k)
        g = _LayeredGraph(layer, inn, out)

        def masks_fn(order, verts=verts):
            per = [[] for _ in range(L + 1)]
            for v in order:
                l, i = verts[v]
                per[l].append(i)
            form = tuple(tuple(tuple(masks[l - 1][i][j] for j in per[l - 1]) for i in per[l])
                         for l in range(1, L + 1))
            return (tuple(len(p) for p in per), form), per

        def fn(order):
            return masks_fn(order)[0]

        form, order = _canon_component(g, fn)
        keyed.append((form, masks_fn(order)[1]))
    keyed.sort(key=lambda t: t[0])
    perms = [[] for _ in range(L + 1)]
    for _, per in keyed:
        for l in range(L + 1):
            perms[l].extend(per[l])
    perms = tuple(tuple(p) for p in perms)
    canon = tuple(tuple(tuple(masks[l - 1][i][j] for j in perms[l - 1]) for i in perms[l])
                  for l in range(1, L + 1))
    return SparsityPattern(canon), perms


def canonical_form(pattern, transpose=False):
    """Canonical representative of the isomorphism class of ``pattern`` (a SparsityPattern,
    unnamed).  With ``transpose=True`` the class also identifies a pattern with its transpose
    (the lexicographically least of the two canonical forms, by (widths, masks))."""
    c = canonical_labeling(pattern)[0]
    if transpose:
        t = canonical_labeling(pattern.transpose())[0]
        if (t.widths, t.masks) < (c.widths, c.masks):
            return t
    return c


def are_isomorphic(p, q):
    """Whether p and q are equal up to permutations of inputs, hidden neurons (per layer) and outputs."""
    _check(p)
    _check(q)
    return p.widths == q.widths and canonical_form(p) == canonical_form(q)
