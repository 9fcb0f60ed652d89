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

from netalgebra.theorems.structure import shallow_supports

__all__ = ["peel_proof", "realise", "parents_first", "MAX_PEEL_CLAIMS", "MAX_PEEL_DEPTH"]

MAX_PEEL_CLAIMS = 20_000     # claims (P, N) explored before the search gives up (no claim made)
MAX_PEEL_DEPTH = 300         # nested claims before the search gives up (stays below Python's recursion limit)


class _TooLarge(Exception):
    """The search went past MAX_PEEL_CLAIMS claims or MAX_PEEL_DEPTH nested claims."""


def _boxes(first, second):
    """``{k: (R_k, C_k)}`` for the hidden neurons with rows and columns."""
    R, C = shallow_supports((first, second))
    return {k: (R[k], C[k]) for k in range(len(R)) if R[k] and C[k]}


def _pivot_child(P, R_k, C_k, r, c):
    R = {i for i in R_k if (i, c) in P}
    C = {j for j in C_k if (r, j) in P}
    return frozenset((P | {(i, j) for i in R for j in C}) - {(r, j) for j in C} - {(i, c) for i in R})


def peel_proof(first, second, positions, budget=None):
    """A peel proof (module docstring) of ``V_positions ⊆ L_I`` for the two layers
    ``first = I_1``, ``second = I_2``, as a list of nodes ``{positions, neurons, step}`` (root first,
    children after their parents), or None when the bounded search finds none."""
    boxes = _boxes(first, second)
    memo, nodes, explored, depth = {}, [], [0], [0]

    def node(P, N, step):
        nodes.append({"positions": sorted([r, c] for r, c in P), "neurons": sorted(N), "step": step})
        return len(nodes) - 1

    def claim(P, N):
        depth[0] += 1
        try:
            if depth[0] > MAX_PEEL_DEPTH:
                raise _TooLarge
            return _claim(P, N)
        finally:
            depth[0] -= 1

    def _claim(P, N):
        key = (P, N)
        if key in memo:
            return memo[key]
        if not P:
            memo[key] = node(P, N, {"empty": True})
            return memo[key]
        explored[0] += 1
        if explored[0] > MAX_PEEL_CLAIMS:
            raise _TooLarge
        if budget is not None:
            budget.check("time (peel)")
        memo[key] = None                  # children are smaller in (|N|, |P|): no cycle
        if any(not any(r in boxes[k][0] and c in boxes[k][1] for k in N) for r, c in P):
            return None                   # a position no neuron left can reach
        for k in sorted(N):               # segments first: they need no case split
            R_k, C_k = boxes[k]
            for r in sorted(R_k):
                seg = {(r, c) for c in C_k if (r, c) in P}
                if seg and (child := claim(P - seg, N - {k})) is not None:
                    memo[key] = node(P, N, {"row_segment": [k, r], "next": child})
                    return memo[key]
            for c in sorted(C_k):
                seg = {(r, c) for r in R_k if (r, c) in P}
                if seg and (child := claim(P - seg, N - {k})) is not None:
                    memo[key] = node(P, N, {"column_segment": [k, c], "next": child})
                    return memo[key]
        for k in sorted(N):
            R_k, C_k = boxes[k]
            for r, c in sorted(P):
                if r not in R_k or c not in C_k:
                    continue
                nonzero = claim(_pivot_child(P, R_k, C_k, r, c), N - {k})
                if nonzero is None:
                    continue
                zero = claim(P - {(r, c)}, N)
                if zero is not None:
                    memo[key] = node(P, N, {"pivot": [k, r, c], "nonzero": nonzero, "zero": zero})
                    return memo[key]
        return None

    try:
        root = claim(frozenset(positions), frozenset(boxes))
    except _TooLarge:
        return None
    if root is None:
        return None
    return parents_first(nodes, root)


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
