"""Checker of ``shallow_subspace_absorption``: replay of the absorption, with the verifier's own code.

The theorem and its proof are in :func:`netalgebra.theorems.shallow_subspace_absorption`.
"""

from netalgebra.certificate.kernel import Malformed, supports, widths
from netalgebra.certificate.shallow import require_depth_two

__all__ = ["check_absorption"]


def _stars_only(E):
    """Every connected component of the bipartite graph with edges E (positions (r, c)) has a
    single row or a single column (verifier's own union-find)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, c in E:
        a, b = find(("r", r)), find(("c", c))
        if a != b:
            parent[a] = b
    rows, cols = {}, {}
    for r, c in E:
        root = find(("r", r))
        rows.setdefault(root, set()).add(r)
        cols.setdefault(root, set()).add(c)
    return all(len(rows[k]) == 1 or len(cols[k]) == 1 for k in rows)


def _rect_pieces(E):
    """Connected components of a position set E (adjacent: same row or same column), as
    (rows, cols, number of positions), ordered by their smallest position (verifier's own code)."""
    left = sorted(E)
    out = []
    while left:
        comp = [left.pop(0)]
        rows, cols = {comp[0][0]}, {comp[0][1]}
        changed = True
        while changed:
            changed = False
            for e in list(left):
                if e[0] in rows or e[1] in cols:
                    left.remove(e)
                    comp.append(e)
                    rows.add(e[0])
                    cols.add(e[1])
                    changed = True
        out.append((min(comp), rows, cols, len(comp)))
    return [(rows, cols, n) for _, rows, cols, n in sorted(out, key=lambda x: x[0])]


def check_absorption(hypotheses, masks, question, report, budget):
    """Replay the absorption of :func:`netalgebra.theorems.shallow_subspace_absorption`.

    Recomputes from the masks: for each listed neuron in order, its uncovered support
    ``E_k = S_k minus U`` is a union of single-row/single-column stars, then ``U`` grows by
    ``E_k``; the listed neurons are live and distinct; every other live neuron's ``S_j minus U``
    is empty or a union of rectangles (its connected components, which then use disjoint rows and
    columns); the reduced pattern I* built here (one hidden neuron per rectangle) is closed by the
    nested theorem (re-checked recursively) or is zero.
    """
    from netalgebra.certificate.closed import check_theorem   # closed's registry imports this module

    if not require_depth_two(masks, report):
        return
    w = widths(masks)
    order = hypotheses.get("absorbed") if isinstance(hypotheses, dict) else None
    if not isinstance(order, list) or not order or not all(isinstance(k, int) and not isinstance(k, bool)
                                                           and 0 <= k < w[1] for k in order) \
            or len(set(order)) != len(order):
        raise Malformed("theorem.hypotheses.absorbed: expected a non-empty list of distinct hidden neurons")
    R, C = supports(masks)
    live = [k for k in range(w[1]) if R[k] and C[k]]
    U = set()
    ok = all(k in live for k in order)
    for k in order:
        E = {(r, c) for r in R[k] for c in C[k]} - U
        ok &= _stars_only(E)
        U |= E
    report.check("absorbed neurons add coordinate subspaces (stars)", ok, f"order {order}")
    # I*: one hidden neuron per rectangle of each remaining support (the first keeps the index
    # of its neuron, the others get new indices w[1], w[1] + 1, ... in order)
    rect = True
    pieces, nxt = [], w[1]
    for j in live:
        if j in order:
            continue
        E = {(r, c) for r in R[j] for c in C[j]} - U
        for t, (rows, cols, size) in enumerate(_rect_pieces(E)):
            if size != len(rows) * len(cols):
                rect = False
            pieces.append((j if t == 0 else nxt, rows, cols))
            nxt += 0 if t == 0 else 1
    N1 = [[0] * w[0] for _ in range(nxt)]
    N2 = [[0] * nxt for _ in range(w[2])]
    for h, rows, cols in pieces:
        for c in cols:
            N1[h][c] = 1
        for r in rows:
            N2[r][h] = 1
    report.check("remaining supports are rectangles (in disjoint rows and columns)", rect)
    inner = hypotheses.get("then")
    if any(any(row) for row in N1):
        if not isinstance(inner, dict):
            raise Malformed("theorem.hypotheses.then: the reduced pattern is not zero; a theorem is required")
        check_theorem(inner, [tuple(map(tuple, N1)), tuple(map(tuple, N2))], question, report, budget)
    else:
        report.check("reduced pattern is zero", True, "L_I is the coordinate subspace on U")
