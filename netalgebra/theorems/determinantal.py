"""Determinantal peeling: the proof search behind :func:`shallow_support_groups`, kind (d).

A proof tree shows ``T(U, rho) = {A : supp A ⊆ U, rank A <= rho} ⊆ L_K`` for a family K of
rank-one supports; the steps and their proofs are in the docstring of
:func:`netalgebra.theorems.groups.shallow_support_groups`.  The certificate verifier replays
the tree with its own code.
"""

from netalgebra.theorems.structure import DisjointSets, max_matching

__all__ = ["determinantal_proof"]


class _SearchExhausted(Exception):
    """The proof search of :func:`_det_prove` ran over its work budget (no claim is made)."""


_DET_WORK_LIMIT = 300_000      # ~0.2 s of search; larger groups are left to the other routes


def _det_box(sup):
    """Rows and columns of ``U = ∪ R_k x C_k`` for ``sup = {k: (R_k, C_k)}``."""
    rows = frozenset().union(*(R for R, _ in sup.values())) if sup else frozenset()
    cols = frozenset().union(*(C for _, C in sup.values())) if sup else frozenset()
    return rows, cols


def _det_components(sup):
    """Connected components of the bipartite row-column graph of ``U``, as sub-dicts of ``sup``.

    A rectangle ``R_k x C_k`` is connected in that graph, so every neuron lies in one component.
    """
    sets = DisjointSets()
    for R, C in sup.values():
        nodes = [("r", r) for r in R] + [("c", c) for c in C]
        for x in nodes[1:]:
            sets.union(nodes[0], x)
    comps = {}
    for k, (R, C) in sup.items():
        comps.setdefault(sets.find(("r", min(R))), {})[k] = (R, C)
    return sorted(comps.values(), key=lambda s: (min(_det_box(s)[0]), min(_det_box(s)[1])))


def _det_transpose(sup):
    return {k: (C, R) for k, (R, C) in sup.items()}


def _det_drop_row(sup, r, without=None):
    """The supports with row r removed from every neuron (and neuron ``without`` removed)."""
    out = {}
    for j, (R, C) in sup.items():
        if j != without and R - {r}:
            out[j] = (R - {r}, C)
    return out


def _det_line_data(sup):
    """Row picture data for the line steps: ``U_r`` per row (union of the ``C_j`` over neurons j
    reaching r) and, per neuron k, the rows i of ``R_k`` with a position of ``{i} x C_k``
    covered by no other neuron (hypothesis (iii) of the free / peel step holds for (r, k) iff
    these rows are inside {r}).  Returns ``(urow, lonely, cost)``."""
    urow, count = {}, {}
    cost = 0
    for R, C in sup.values():
        cost += len(R) * len(C)
        for r in R:
            urow[r] = urow.get(r, frozenset()) | C
            for c in C:
                count[(r, c)] = count.get((r, c), 0) + 1
    lonely = {k: {i for i in R if any(count[(i, c)] == 1 for c in C)} for k, (R, C) in sup.items()}
    return urow, lonely, cost


def _det_matching(sup, urow):
    """A matching of every row r to a distinct neuron k with ``r in R_k`` and ``U_r = urow[r]``
    inside ``C_k`` (augmenting paths), as a sorted list of ``[r, k]``, or None."""
    ok = {r: [k for k, (R, C) in sorted(sup.items()) if r in R and U_r <= C] for r, U_r in urow.items()}
    owner = max_matching(ok)
    if len(owner) < len(urow):
        return None
    return sorted([r, k] for k, r in owner.items())


def _det_greedy(sup, rho):
    """Greedy rank peeling on the bounding box from ``rho``; the order, or None if rho stays > 0."""
    rows, cols = _det_box(sup)
    defic = [(len(rows - R) + len(cols - C), k) for k, (R, C) in sup.items()]
    order = []
    for delta, k in sorted(defic, key=lambda x: (-x[0], x[1])):
        if rho > delta:
            rho -= 1
            order.append(k)
    return order if rho == 0 else None


def _det_prove(sup, rho, memo, work):
    """Search a proof that ``T(U, rho) = {A : supp A ⊆ U, rank A <= rho}`` lies in ``L`` for the
    supports ``sup = {k: (R_k, C_k)}`` (non-empty sets); the steps are those of
    :func:`shallow_support_groups`, kind (d).  Returns a proof node (JSON-ready) or None; raises
    :class:`_SearchExhausted` past the work budget.
    """
    rows, cols = _det_box(sup)
    rho = min(rho, len(rows), len(cols))
    key = (frozenset(sup.items()), rho)
    if key in memo:
        return memo[key]
    work[0] += 1 + len(rows) + len(cols) + 2 * sum(len(R) * len(C) for R, C in sup.values())
    if work[0] > _DET_WORK_LIMIT:
        raise _SearchExhausted
    memo[key] = None                 # (no cycles: every step removes a line or a neuron)
    node = None
    if rho == 0:
        node = {"rho": 0, "step": "zero"}
    elif len(_det_components(sup)) > 1:
        parts = []
        for part in _det_components(sup):
            sub = _det_prove(part, rho, memo, work)
            if sub is None:
                parts = None
                break
            prow, pcol = _det_box(part)
            parts.append({"rows": sorted(prow), "cols": sorted(pcol), "proof": sub})
        if parts is not None:
            node = {"rho": rho, "step": "split", "parts": parts}
    else:
        order = _det_greedy(sup, rho)
        if order is not None:
            node = {"rho": rho, "step": "rectangle", "order": order}
        data = {} if node is not None else {
            side: (s,) + _det_line_data(s) for side, s in (("row", sup), ("col", _det_transpose(sup)))}
        for side in ("row", "col"):
            if node is not None:
                break
            s, urow = data[side][0], data[side][1]
            pairs = _det_matching(s, urow)
            if pairs is not None:
                node = {"rho": rho, "step": "matching", "side": side, "pairs": pairs}
        for side in ("row", "col"):
            if node is not None:
                break
            s, urow, lonely, _ = data[side]
            back = (lambda d: d) if side == "row" else _det_transpose
            for line in sorted(urow):
                for k in sorted(j for j, (R, _) in s.items() if line in R):
                    Rk, Ck = s[k]
                    if not (urow[line] <= Ck and lonely[k] <= {line}):
                        continue                             # (i) or (iii) fails
                    rest = _det_prove(back(_det_drop_row(s, line, without=k)), rho, memo, work)
                    if rest is not None:
                        node = {"rho": rho, "step": "free", "side": side, "line": line, "neuron": k,
                                "rest": rest}
                        break
                    if any(not urow[i].isdisjoint(urow[line]) for i in urow if i not in Rk):
                        continue                             # (ii) fails
                    nz = _det_prove(back(_det_drop_row(s, line, without=k)), rho - 1, memo, work)
                    z = None if nz is None else _det_prove(back(_det_drop_row(s, line)), rho, memo, work)
                    if z is not None:
                        node = {"rho": rho, "step": "peel", "side": side, "line": line, "neuron": k,
                                "nonzero": nz, "zero": z}
                        break
                if node is not None:
                    break
    memo[key] = node
    return node


def determinantal_proof(R, C, ks):
    """Kind (d) of :func:`shallow_support_groups` for the group ``ks``: ``(rows, cols, rho, proof)``
    or None."""
    sup = {k: (R[k], C[k]) for k in ks}
    rows, cols = _det_box(sup)
    rho = min(len(ks), len(rows), len(cols))
    try:
        proof = _det_prove(sup, rho, {}, [0])
    except _SearchExhausted:
        return None
    if proof is None:
        return None
    return sorted(rows), sorted(cols), rho, proof
