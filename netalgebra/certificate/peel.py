"""Checker of rank-one peel proofs: ``V_K ⊆ L_I`` for two layers (proved in
:mod:`netalgebra.theorems.peel`; docs/mathematics.md, "Rank-one peeling").

Replayed with the verifier's own code: each node holds positions ``P`` and hidden neurons ``N``;
the root holds ``K`` and every neuron with a row and a column; a step is ``empty`` (``P = ∅``), a
row or column segment ``[k, line]`` or a pivot ``[k, r, c]``, and its children's ``P`` and ``N``
are recomputed from the masks and compared.  Children come after their node, so the tree is finite.
"""

from netalgebra.certificate.kernel import Malformed, supports

__all__ = ["check_peel"]


def _index(x, bound, where):
    if type(x) is not int or not 0 <= x < bound:
        raise Malformed(f"{where}: expected an index below {bound}")
    return x


def _node_sets(node, n_rows, n_cols, n_mid, where):
    if not isinstance(node, dict):
        raise Malformed(f"{where}: expected an object")
    P, N = node.get("positions"), node.get("neurons")
    if not isinstance(P, list) or not all(isinstance(p, list) and len(p) == 2 for p in P):
        raise Malformed(f"{where}.positions: expected a list of [row, column]")
    if not isinstance(N, list):
        raise Malformed(f"{where}.neurons: expected a list of hidden neurons")
    pos = {(_index(r, n_rows, where), _index(c, n_cols, where)) for r, c in P}
    neu = {_index(k, n_mid, where) for k in N}
    if len(pos) != len(P) or len(neu) != len(N):
        raise Malformed(f"{where}: repeated position or neuron")
    return frozenset(pos), frozenset(neu)


def _child(step, key, t, sets, where):
    child = step.get(key)
    if type(child) is not int or not t < child < len(sets):
        raise Malformed(f"{where}.{key}: expected the index of a later node")
    return sets[child]


def check_peel(nodes, first, second, K, report, budget):
    """Re-check a peel proof of ``V_K ⊆ L_I`` for the layers ``first = I_1``, ``second = I_2``
    (``K`` a set of positions); raises Malformed on the first violated condition."""
    n_rows, n_mid, n_cols = len(second), len(first), len(first[0])
    rows_of, cols_of = supports((first, second))
    if not isinstance(nodes, list) or not nodes:
        raise Malformed("peel: expected a non-empty list of nodes")
    sets = [_node_sets(nd, n_rows, n_cols, n_mid, f"peel[{t}]") for t, nd in enumerate(nodes)]
    everyone = frozenset(k for k in range(n_mid) if rows_of[k] and cols_of[k])
    report.check("peel: the root holds the positions of K and every neuron with a row and a column",
                 sets[0] == (frozenset(K), everyone))
    for t, (node, (P, N)) in enumerate(zip(nodes, sets)):
        where = f"peel[{t}]"
        if budget is not None and t % 256 == 0:
            budget.check("time (peel)")
        step = node.get("step")
        if not isinstance(step, dict):
            raise Malformed(f"{where}.step: expected an object")
        if "empty" in step:
            if P:
                raise Malformed(f"{where}: 'empty' with positions left")
            continue
        kind = next((x for x in ("row_segment", "column_segment", "pivot") if x in step), None)
        args = step.get(kind)
        if kind is None or not isinstance(args, list) or len(args) != (3 if kind == "pivot" else 2):
            raise Malformed(f"{where}.step: expected 'empty', 'row_segment', 'column_segment' or 'pivot'")
        k = _index(args[0], n_mid, where)
        if k not in N:
            raise Malformed(f"{where}: neuron {k} is not among the node's neurons")
        R_k, C_k = rows_of[k], cols_of[k]
        if kind == "row_segment":
            r = _index(args[1], n_rows, where)
            seg = {(r, c) for c in C_k if (r, c) in P} if r in R_k else set()
        elif kind == "column_segment":
            c = _index(args[1], n_cols, where)
            seg = {(r, c) for r in R_k if (r, c) in P} if c in C_k else set()
        if kind != "pivot":
            if not seg:
                raise Malformed(f"{where}: the segment holds no position of neuron {k}")
            if _child(step, "next", t, sets, where) != (P - seg, N - {k}):
                raise Malformed(f"{where}.next: not the positions and neurons left by the segment")
            continue
        r, c = _index(args[1], n_rows, where), _index(args[2], n_cols, where)
        if (r, c) not in P or r not in R_k or c not in C_k:
            raise Malformed(f"{where}: the pivot is not a position of the node inside rows x columns of {k}")
        R = {i for i in R_k if (i, c) in P}
        C = {j for j in C_k if (r, j) in P}
        rest = (P | {(i, j) for i in R for j in C}) - {(r, j) for j in C} - {(i, c) for i in R}
        if _child(step, "nonzero", t, sets, where) != (rest, N - {k}):
            raise Malformed(f"{where}.nonzero: not the remainder of the rank-one peel")
        if _child(step, "zero", t, sets, where) != (P - {(r, c)}, N):
            raise Malformed(f"{where}.zero: not the positions without the pivot")
    report.check("peel: every node is empty, a segment or a pivot with the children it implies", True,
                 f"{len(nodes)} node(s)")
