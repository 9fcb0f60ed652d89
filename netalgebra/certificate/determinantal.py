"""Replay of a determinantal proof tree (groups of kind ``determinantal`` of the theorem
``shallow_support_groups``), with the verifier's own code.

A group of hidden neurons ``k`` with rank-one supports ``R_k x C_k`` contributes
``L_g = sum_k {u v^T : supp u in R_k, supp v in C_k}``.  Every element of ``L_g`` has support in
the union ``U`` and rank at most ``rho = min(#neurons, #rows, #cols)``; the proof tree shows the
converse: every ``A`` with ``supp A in U`` and ``rank A <= rho`` lies in ``L_g``.  So ``L_g`` is
a determinantal variety intersected with a coordinate subspace, which is closed.  The steps are
proved in :func:`netalgebra.theorems.shallow_support_groups`, kind (d); :func:`replay` re-checks
every step's hypotheses.
"""

from netalgebra.certificate.kernel import Malformed

__all__ = ["group_holds", "replay"]


def group_holds(neurons, R, C, group):
    """A ``determinantal`` group: its ``rank`` is min(#neurons, #rows, #cols) and its proof replays.

    The proof tree shows T = {A : supp A in U_g, rank A <= rho} is inside L_g, and L_g is
    inside T when rho >= min(#neurons, #rows, #cols) of the group.
    """
    sup = {k: (R[k], C[k]) for k in neurons}
    rows = frozenset().union(*(R[k] for k in neurons))
    cols = frozenset().union(*(C[k] for k in neurons))
    rho = group.get("rank")
    if not isinstance(rho, int) or isinstance(rho, bool):
        raise Malformed("theorem.hypotheses.groups: determinantal needs an integer 'rank'")
    ok = rho == min(len(set(neurons)), len(rows), len(cols))
    return ok & (all(R[k] and C[k] for k in neurons) and replay(group.get("proof"), sup, rho))


def _cells(sup):
    """The positions U = union of R_k x C_k, as a set of (row, col)."""
    return {(r, c) for R, C in sup.values() for r in R for c in C}


def _parts(sup):
    """Connected components of U's bipartite row/column graph: list of (rows, cols, sub-supports)."""
    pending = dict(sup)
    out = []
    while pending:
        k0 = min(pending)
        rows, cols = set(pending[k0][0]), set(pending[k0][1])
        members = {k0: pending.pop(k0)}
        grown = True
        while grown:
            grown = False
            for k in sorted(pending):
                R, C = pending[k]
                if rows & R or cols & C:
                    rows |= R
                    cols |= C
                    members[k] = pending.pop(k)
                    grown = True
        out.append((frozenset(rows), frozenset(cols), members))
    return out


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _without_line(S, line, neuron=None):
    """Row picture: every support loses row ``line``; ``neuron`` (if given) is removed."""
    return {j: (frozenset(R - {line}), C) for j, (R, C) in S.items() if j != neuron and R - {line}}


def replay(node, sup, rho, depth=0):
    """Re-check a determinantal proof node for the supports ``sup = {k: (R_k, C_k)}`` and the rank
    bound ``rho``: True iff every step's hypotheses hold (malformed nodes raise Malformed).

    Claim of a node: every A with supp A in U (the union of the supports) and rank A <= rho is a
    sum of u_k v_k^T with supp u_k in R_k, supp v_k in C_k.  The steps are proved in
    :func:`netalgebra.theorems.shallow_support_groups`, kind (d).
    """
    if not isinstance(node, dict) or depth > 900:
        raise Malformed("theorem.hypotheses.groups: a determinantal proof node must be an object")
    cells = _cells(sup)
    box_r = {r for r, _ in cells}
    box_c = {c for _, c in cells}
    rho = min(rho, len(box_r), len(box_c))
    if node.get("rho") != rho:
        return False
    step = node.get("step")
    if step == "zero":
        return rho == 0
    if step == "split":
        parts = node.get("parts")
        if not isinstance(parts, list):
            raise Malformed("theorem.hypotheses.groups: split needs a list of parts")
        comps = _parts(sup)
        if len(comps) < 2 or len(parts) != len(comps):
            return False
        given = {}
        for p in parts:
            if not isinstance(p, dict) or not isinstance(p.get("rows"), list) or not isinstance(p.get("cols"), list):
                raise Malformed("theorem.hypotheses.groups: each split part needs rows, cols and proof")
            given[(frozenset(p["rows"]), frozenset(p["cols"]))] = p.get("proof")
        ok = True
        for rows, cols, members in comps:
            if (rows, cols) not in given:
                return False
            ok = replay(given[(rows, cols)], members, rho, depth + 1) and ok
        return ok
    if step == "rectangle":
        order = node.get("order")
        if not isinstance(order, list) or not all(_is_int(k) and k in sup for k in order) \
                or len(set(order)) != len(order):
            raise Malformed("theorem.hypotheses.groups: rectangle needs an order of distinct neurons")
        left = rho
        for k in order:
            R, C = sup[k]
            if not left > len(box_r - R) + len(box_c - C):
                return False
            left -= 1
        return left == 0
    side = node.get("side")
    if side not in ("row", "col"):
        raise Malformed(f"theorem.hypotheses.groups: unknown determinantal step {step!r} / side {side!r}")
    # row picture: transpose the supports for a column step (sub-claims are transposed back)
    S = {j: (R, C) if side == "row" else (C, R) for j, (R, C) in sup.items()}
    back = (lambda d: d) if side == "row" else (lambda d: {j: (C, R) for j, (R, C) in d.items()})
    cellsS = _cells(S)
    if step == "matching":
        pairs = node.get("pairs")
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 and _is_int(p[0])
                                                  and _is_int(p[1]) for p in pairs):
            raise Malformed("theorem.hypotheses.groups: matching needs a list of [line, neuron] pairs")
        lines = [p[0] for p in pairs]
        used = [p[1] for p in pairs]
        ok = sorted(lines) == sorted({r for r, _ in cellsS}) and len(set(used)) == len(used)
        for r, k in pairs:
            ok = ok and k in S and r in S[k][0] and {c for i, c in cellsS if i == r} <= S[k][1]
        return bool(ok)
    if step not in ("peel", "free"):
        raise Malformed(f"theorem.hypotheses.groups: unknown determinantal step {step!r}")
    line, k = node.get("line"), node.get("neuron")
    if not (_is_int(line) and _is_int(k)) or k not in S:
        raise Malformed("theorem.hypotheses.groups: a line step needs an integer line and a neuron of the group")
    Rk, Ck = S[k]
    row_line = {c for i, c in cellsS if i == line}
    others = {(i, c) for j, (R, C) in S.items() if j != k for i in R for c in C}
    ok = rho >= 1 and line in Rk and row_line <= Ck                               # (i)
    ok = ok and all((i, c) in others for i in Rk if i != line for c in Ck)      # (iii)
    if step == "free":
        if not ok:
            return False
        return replay(node.get("rest"), back(_without_line(S, line, k)), rho, depth + 1)
    ok = ok and not any((i, c) in cellsS for i in {i for i, _ in cellsS} - Rk for c in row_line)  # (ii)
    if not ok:
        return False
    a = replay(node.get("nonzero"), back(_without_line(S, line, k)), rho - 1, depth + 1)
    b = replay(node.get("zero"), back(_without_line(S, line)), rho, depth + 1)
    return a and b

