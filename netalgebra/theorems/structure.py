"""The masks of a pattern as a layered graph: widths, supports, live neurons, components.

The one copy of this code on the decider side (theorems, decision pipeline, graph
reductions).  The certificate verifier (:mod:`netalgebra.certificate`) keeps its own
independent copy on purpose.  Only the standard library is imported here.
"""

from netalgebra.pattern import SparsityPattern

_INT = {int}

__all__ = ["masks_of", "widths", "shallow_supports", "live_neurons", "live_masks", "components",
           "live_components", "DisjointSets"]


class DisjointSets:
    """Union-find over hashable items (an item is added on first use), with path halving.

    ``union(a, b)`` hangs the root of a's class under the root of b's; path halving never
    changes which item is a root, so the roots depend only on the sequence of unions.
    """

    __slots__ = ("parent",)

    def __init__(self, items=()):
        self.parent = {x: x for x in items}

    def find(self, x):
        parent = self.parent
        if x not in parent:
            parent[x] = x
            return x
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a, b):
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[a] = b

    def classes(self):
        """``{root: [items of its class]}``, items in the order they were added."""
        out = {}
        for x in self.parent:
            out.setdefault(self.find(x), []).append(x)
        return out


def masks_of(pattern):
    """The masks of a SparsityPattern (or of anything with ``.masks``, or raw nested lists)."""
    m = getattr(pattern, "masks", pattern)
    if isinstance(pattern, SparsityPattern):
        return m                  # already validated tuples of 0/1 ints (fast for N = 1024)
    return tuple(tuple(row if type(row) is tuple and set(map(type, row)) <= _INT else tuple(map(int, row))
                       for row in layer) for layer in m)


def widths(masks):
    return (len(masks[0][0]),) + tuple(len(m) for m in masks)


def shallow_supports(masks):
    """For L = 2: lists ``R[k]``, ``C[k]`` (frozensets) of each hidden neuron's rows and columns."""
    M1, M2 = masks
    n0, n1, n2 = widths(masks)
    R = [frozenset(r for r in range(n2) if M2[r][k]) for k in range(n1)]
    C = [frozenset(c for c in range(n0) if M1[k][c]) for k in range(n1)]
    return R, C


def live_neurons(masks):
    """Per layer 0..L, the neurons on at least one input -> output path.

    Removing the others does not change ``L_I``: an entry of ``W_L ... W_1`` is
    the sum over input -> output paths of the products of their weights, and a
    neuron on no path appears in no term.
    """
    L = len(masks)
    w = widths(masks)
    fwd = [set(range(w[0]))]
    for l in range(1, L + 1):
        m = masks[l - 1]
        fwd.append({i for i in range(w[l]) if any(m[i][j] for j in fwd[-1])})
    bwd = [set() for _ in range(L + 1)]
    bwd[L] = set(range(w[L]))
    for l in range(L, 0, -1):
        m = masks[l - 1]
        bwd[l - 1] = {j for j in range(w[l - 1]) if any(m[i][j] for i in bwd[l])}
    return [fwd[l] & bwd[l] for l in range(L + 1)]


def live_masks(masks, live=None):
    """The masks with every edge that does not join two live neurons (:func:`live_neurons`) set
    to 0: the edges on at least one input -> output path.  ``L_I`` is unchanged (the dropped
    weights appear in no path product)."""
    if live is None:
        live = live_neurons(masks)
    return tuple(tuple(tuple(int(bool(x) and i in live[l + 1] and j in live[l]) for j, x in enumerate(row))
                       for i, row in enumerate(m)) for l, m in enumerate(masks))


def components(masks, neurons):
    """Connected components (undirected) of the graph that ``masks`` induces on ``neurons``
    (per layer l = 0..L, an iterable of indices); each a per-layer tuple of sorted indices.
    Sorted by their first neuron ``(layer, index)``."""
    L = len(masks)
    sets = DisjointSets((l, i) for l in range(L + 1) for i in neurons[l])
    for l in range(1, L + 1):
        m, prev = masks[l - 1], neurons[l - 1]
        for i in neurons[l]:
            for j in prev:
                if m[i][j]:
                    sets.union((l, i), (l - 1, j))
    comps = []
    for nodes in sets.classes().values():
        per = [[] for _ in range(L + 1)]
        for l, i in nodes:
            per[l].append(i)
        comps.append(tuple(tuple(sorted(x)) for x in per))
    comps.sort(key=lambda c: next((l, c[l][0]) for l in range(L + 1) if c[l]))
    return comps


def live_components(masks, live=None):
    """Connected components of the live layered graph, each a list of per-layer sets.

    Lemma (components).  Paths from input ``c`` to output ``r`` stay in one
    component, so the product is block diagonal: entry (r, c) is zero unless
    r and c lie in the same component, and the block of a component depends only
    on that component's weights.  The weight sets are disjoint, so ``L_I`` is
    (up to zero entries) the product of the components' ``L``; a product of
    sets is closed iff every factor is (each factor is the intersection of the
    product with a coordinate subspace, since every factor contains 0).

    Every live component holds an input (a live neuron is reached from one), so the
    order is by smallest input.
    """
    if live is None:
        live = live_neurons(masks)
    return [[set(x) for x in comp] for comp in components(masks, live)]


def max_matching(options):
    """A maximum matching of the keys of ``options`` (each to one of its listed partners, no partner
    twice), by augmenting paths, as ``{partner: key}``; keys are tried in sorted order."""
    owner = {}

    def augment(x, seen):
        for y in options[x]:
            if y not in seen:
                seen.add(y)
                if y not in owner or augment(owner[y], seen):
                    owner[y] = x
                    return True
        return False

    for x in sorted(options):
        augment(x, set())
    return owner
