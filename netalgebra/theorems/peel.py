r"""Two layers: rank-one peeling, a proof that ``V_P ⊆ L_I`` for a set ``P`` of positions.

Notation.  For two layers ``W_1`` (mask ``A``) and ``W_2`` (mask ``B``), hidden neuron ``k`` has the
rows ``R_k`` (``B[r][k] = 1``) and the columns ``C_k`` (``A[k][c] = 1``), and
``W_2 W_1 = Σ_k b_k a_k^T`` with ``b_k`` any vector supported on ``R_k`` and ``a_k`` any vector
supported on ``C_k``, independently.  For a set ``N`` of hidden neurons let
``S_N = {Σ_{k ∈ N} b_k a_k^T}``; ``S_N`` for all neurons is ``L_I``.  A *peel proof* is a finite
tree of claims ``V_P ⊆ S_N`` (``P`` a set of positions), each proved by one step from its
children:

* *empty*: ``P = ∅``.  ``V_∅ = {0} ⊆ S_N`` (every ``b_k = 0``).
* *row segment* ``(k, r)`` with ``k ∈ N``, ``r ∈ R_k`` and ``C = {c ∈ C_k : (r, c) ∈ P} ≠ ∅``;
  child ``(P - {r} x C, N - {k})``.  For ``M ∈ V_P`` take ``b_k = e_r`` and ``a_k = M[r, C]``
  (zero off ``C``): ``M - b_k a_k^T`` lies in ``V_{P - {r} x C} ⊆ S_{N - k}``, so ``M ∈ S_N``.
  The *column segment* ``(k, c)`` is the transposed step.
* *pivot* ``(k, r, c)`` with ``k ∈ N``, ``(r, c) ∈ P ∩ R_k x C_k``; let
  ``R = {i ∈ R_k : (i, c) ∈ P}`` and ``C = {j ∈ C_k : (r, j) ∈ P}``.  Children: *zero*
  ``(P - {(r, c)}, N)`` and *nonzero* ``((P ∪ R x C) - {r} x C - R x {c}, N - {k})``.  For
  ``M ∈ V_P``: if ``M[r, c] = 0`` then ``M ∈ V_{P - (r, c)}``.  Otherwise take ``b_k = M[R, c]``
  (zero off ``R``) and ``a_k = M[r, C] / M[r, c]`` (zero off ``C``); ``M' = M - b_k a_k^T`` is
  supported on ``P ∪ R x C``, and ``M'[r, j] = M[r, j] - M[r, c] M[r, j] / M[r, c] = 0`` for
  ``j ∈ C``, ``M'[i, c] = M[i, c] - M[i, c] M[r, c] / M[r, c] = 0`` for ``i ∈ R``: ``M'`` lies in
  the nonzero child's ``V``, hence in ``S_{N - k}``, and ``M = M' + b_k a_k^T ∈ S_N``.

So a peel proof whose root is ``(K, all neurons)``, ``K`` the boolean product, proves
``V_K ⊆ L_I``; with ``L_I ⊆ V_K``, ``L_I = V_K``.  The case split of a pivot depends on the
target (whether one entry of ``M``, or of the remainder ``M'`` of earlier peels, vanishes): the
star assignments of :mod:`netalgebra.theorems.subspace` are the special case without pivots.
:func:`realise` builds the factors of a given ``M`` by following the proof, exactly.
"""

from fractions import Fraction

from netalgebra.theorems.structure import max_matching, shallow_supports

__all__ = ["peel_proof", "PeelSearch", "realise", "parents_first", "MAX_PEEL_CLAIMS", "MAX_PEEL_DEPTH"]

MAX_PEEL_CLAIMS = 20_000     # claims (P, N) explored before the search gives up (no claim made)
MAX_PEEL_DEPTH = 300         # nested claims before the search gives up (stays below Python's recursion limit)


class _TooLarge(Exception):
    """The search went past MAX_PEEL_CLAIMS claims or MAX_PEEL_DEPTH nested claims."""


def _boxes(first, second):
    """``{k: (R_k, C_k)}`` for the hidden neurons with rows and columns."""
    R, C = shallow_supports((first, second))
    return {k: (R[k], C[k]) for k in range(len(R)) if R[k] and C[k]}


def peel_proof(first, second, positions, budget=None):
    """A peel proof (module docstring) of ``V_positions ⊆ L_I`` for the two layers
    ``first = I_1``, ``second = I_2``, as a list of nodes ``{positions, neurons, step}`` (root first,
    children after their parents), or None when the bounded search finds none."""
    return PeelSearch(first, second).proof(positions, budget)


_OPEN = object()      # "no claim remembered" (None is a remembered failure)


class PeelSearch:
    """The bounded search for peel proofs on one pair of masks, its claims remembered across calls
    (an elimination tree asks for many position sets of one pattern, and their claims overlap).

    Claims are bit masks: position ``(r, c)`` is bit ``r * n_cols + c``, neuron ``k`` bit ``k``.
    Two necessary conditions prune a claim ``V_P ⊆ S_N`` before its steps are tried: every position
    lies in the rows x columns of a neuron of ``N``, and the term rank of ``P`` (the largest number
    of its positions with distinct rows and columns; a generic matrix of ``V_P`` has that rank) is at
    most ``|N|`` (every matrix of ``S_N`` has rank at most ``|N|``)."""

    def __init__(self, first, second):
        n_rows, n = len(second), len(first[0])
        self.n_cols = n
        boxes = _boxes(first, second)
        self.neurons = sorted(boxes)
        bit = self._bit
        self.row_bits = [sum(bit(r, c) for c in range(n)) for r in range(n_rows)]
        self.col_bits = [sum(bit(r, c) for r in range(n_rows)) for c in range(n)]
        self.box = {k: sum(bit(r, c) for r in boxes[k][0] for c in boxes[k][1]) for k in boxes}
        # per neuron, its row segments and column segments as masks (inside its box)
        self.lines = {k: ([self.box[k] & self.row_bits[r] for r in sorted(boxes[k][0])],
                          [self.box[k] & self.col_bits[c] for c in sorted(boxes[k][1])]) for k in boxes}
        self.memo, self.nodes, self.claims, self.ranks, self.spans = {}, [], 0, {}, {}

    def _bit(self, r, c):
        return 1 << (r * self.n_cols + c)

    def _positions(self, P):
        n, out = self.n_cols, []
        while P:
            low = P & -P
            i = low.bit_length() - 1
            out.append((i // n, i % n))
            P ^= low
        return out

    def _span(self, P, rows):
        """The union of the whole rows (``rows``) or whole columns meeting the positions ``P``."""
        key = (P, rows)
        if key not in self.spans:
            out = 0
            for r, c in self._positions(P):
                out |= self.row_bits[r] if rows else self.col_bits[c]
            self.spans[key] = out
        return self.spans[key]

    def proof(self, positions, budget=None, limit=MAX_PEEL_CLAIMS):
        """Nodes of a peel proof of ``V_positions ⊆ S_all`` (as :func:`peel_proof`), or None when the
        search, at most ``limit`` new claims, finds none."""
        P = sum(self._bit(r, c) for r, c in positions)
        everyone = sum(1 << k for k in self.neurons)
        pending = []                   # claims opened by this call: forgotten if it gives up
        try:
            root = self._claim(P, everyone, budget, self.claims + limit, pending, 0)
        except _TooLarge:
            for key in pending:
                if key in self.memo and self.memo[key] is None:
                    del self.memo[key]
            return None
        return None if root is None else parents_first(self.nodes, root)

    def _node(self, P, N, step):
        self.nodes.append({"positions": sorted([r, c] for r, c in self._positions(P)),
                           "neurons": [k for k in self.neurons if N >> k & 1], "step": step})
        return len(self.nodes) - 1

    def _lines_met(self, P):
        """min(rows, columns) met by ``P``: a bound on its term rank, checked first because it is cheap."""
        return min(sum(1 for b in self.row_bits if P & b), sum(1 for b in self.col_bits if P & b))

    def _term_rank(self, P):
        if P not in self.ranks:
            self.ranks[P] = _term_rank(self._positions(P))
        return self.ranks[P]

    def _claim(self, P, N, budget, stop, pending, depth):
        key = (P, N)
        if key in self.memo:
            return self.memo[key]
        if not P:
            self.memo[key] = self._node(P, N, {"empty": True})
            return self.memo[key]
        self.claims += 1
        if self.claims > stop or depth > MAX_PEEL_DEPTH:
            raise _TooLarge
        if budget is not None and self.claims % 64 == 0:
            budget.check("time (peel)")
        self.memo[key] = None           # children are smaller in (|N|, |P|): no cycle
        pending.append(key)
        memo = self.memo
        ks = [k for k in self.neurons if N >> k & 1]
        reach = 0
        for k in ks:
            reach |= self.box[k]
        if P & ~reach or (self._lines_met(P) > len(ks) and self._term_rank(P) > len(ks)):
            return None
        for k in ks:                    # segments first: they need no case split
            rest = N & ~(1 << k)
            rows, cols = self.lines[k]
            for kind, lines in (("row_segment", rows), ("column_segment", cols)):
                for line in lines:
                    seg = P & line
                    if not seg:
                        continue
                    child = memo.get((P & ~seg, rest), _OPEN)       # (a remembered claim without a call)
                    if child is _OPEN:
                        child = self._claim(P & ~seg, rest, budget, stop, pending, depth + 1)
                    if child is not None:
                        x = (seg.bit_length() - 1) // self.n_cols if kind == "row_segment" else \
                            (seg.bit_length() - 1) % self.n_cols
                        self.memo[key] = self._node(P, N, {kind: [k, x], "next": child})
                        return self.memo[key]
        for k in ks:
            rest = N & ~(1 << k)
            box = self.box[k]
            for r, c in self._positions(P & box):
                in_row = P & box & self.row_bits[r]          # {r} x C
                in_col = P & box & self.col_bits[c]          # R x {c}
                fill = self._span(in_col, True) & self._span(in_row, False)     # R x C
                nonzero_set = (P | fill) & ~(in_row | in_col)
                nonzero = memo.get((nonzero_set, rest), _OPEN)
                if nonzero is _OPEN:
                    nonzero = self._claim(nonzero_set, rest, budget, stop, pending, depth + 1)
                if nonzero is None:
                    continue
                zero = self._claim(P & ~self._bit(r, c), N, budget, stop, pending, depth + 1)
                if zero is not None:
                    self.memo[key] = self._node(P, N, {"pivot": [k, r, c], "nonzero": nonzero, "zero": zero})
                    return self.memo[key]
        return None


def _term_rank(positions):
    """The largest number of positions with distinct rows and distinct columns."""
    cols_of = {}
    for r, c in positions:
        cols_of.setdefault(r, []).append(c)
    return len(max_matching(cols_of))


_CHILD_KEYS = ("next", "nonzero", "zero")


def parents_first(nodes, root):
    """The proof nodes reachable from ``root`` (children by index under :data:`_CHILD_KEYS` of their
    ``step``), renumbered root first with children after their parents (reverse post-order)."""
    order, seen = [], {root}
    stack = [(root, iter([nodes[root]["step"][k] for k in _CHILD_KEYS if k in nodes[root]["step"]]))]
    while stack:                          # iterative depth-first search (no recursion limit)
        i, children = stack[-1]
        child = next((j for j in children if j not in seen), None)
        if child is None:
            stack.pop()
            order.append(i)               # post-order: after all its children
            continue
        seen.add(child)
        stack.append((child, iter([nodes[child]["step"][k] for k in _CHILD_KEYS if k in nodes[child]["step"]])))
    order.reverse()
    new = {old: t for t, old in enumerate(order)}
    out = []
    for old in order:
        step = {key: (new[v] if key in _CHILD_KEYS else v) for key, v in nodes[old]["step"].items()}
        out.append(dict(nodes[old], step=step))
    return out


def realise(first, second, nodes, M):
    """Factors ``(W_1, W_2)`` (lists of Fractions) with ``W_2 W_1 = M`` for ``M`` supported on the
    root's positions, built by following the peel proof ``nodes`` (the constructive content of the
    module docstring's proof)."""
    boxes = _boxes(first, second)
    n_mid, n_in, n_out = len(first), len(first[0]), len(second)
    W1 = [[Fraction(0)] * n_in for _ in range(n_mid)]
    W2 = [[Fraction(0)] * n_mid for _ in range(n_out)]
    M = [[Fraction(x) for x in row] for row in M]
    t = 0
    while True:
        step = nodes[t]["step"]
        P = {tuple(p) for p in nodes[t]["positions"]}
        if "empty" in step:
            return W1, W2
        if "row_segment" in step or "column_segment" in step:
            k, x = step.get("row_segment") or step["column_segment"]
            R_k, C_k = boxes[k]
            if "row_segment" in step:
                b = {x: Fraction(1)}
                a = {c: M[x][c] for c in C_k if (x, c) in P}
            else:
                a = {x: Fraction(1)}
                b = {r: M[r][x] for r in R_k if (r, x) in P}
            t = step["next"]
        else:
            k, r, c = step["pivot"]
            if M[r][c] == 0:
                t = step["zero"]
                continue
            R_k, C_k = boxes[k]
            b = {i: M[i][c] for i in R_k if (i, c) in P}
            a = {j: M[r][j] / M[r][c] for j in C_k if (r, j) in P}
            t = step["nonzero"]
        for i, bi in b.items():
            W2[i][k] = bi
            for j, aj in a.items():
                M[i][j] -= bi * aj
        for j, aj in a.items():
            W1[k][j] = aj
