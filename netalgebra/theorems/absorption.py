"""One hidden layer: absorb the neurons whose uncovered support is a coordinate subspace,
then decide the rest (a smaller pattern) by the other theorems."""

from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.structure import shallow_supports

__all__ = ["shallow_subspace_absorption", "MAX_ABSORPTION_POSITIONS"]

# The theorem works on explicit sets of covered positions (sum over hidden neurons of
# |rows| x |columns|); beyond this many it is not attempted (it then does not apply, which
# never makes a verdict wrong), so memory stays bounded whatever the budget.
MAX_ABSORPTION_POSITIONS = 2_000_000


def _star_components(E, budget=None):
    """True when every connected component of the bipartite row-column graph with edge set E
    (a set of (r, c) positions) lies in one row or one column (a "star"; single edges included)."""
    return all(len({r for r, _c in comp}) == 1 or len({c for _r, c in comp}) == 1
               for comp in _position_components(E, budget))


def _position_components(E, budget=None):
    """Connected components of a set E of positions (two positions are adjacent when they share
    a row or a column), each a set, sorted by their smallest (row, column)."""
    E = set(E)
    out = []
    while E:
        if budget is not None:
            budget.check("time (subspace absorption)")
        start = min(E)
        comp, rows, cols = set(), {start[0]}, {start[1]}
        grew = True
        while grew:
            grew = False
            for e in sorted(E):
                if e[0] in rows or e[1] in cols:
                    E.discard(e)
                    comp.add(e)
                    rows.add(e[0])
                    cols.add(e[1])
                    grew = True
        out.append(comp)
    return sorted(out, key=min)


def shallow_subspace_absorption(masks, budget=None):
    r"""L = 2: absorb hidden neurons whose remaining contribution is a coordinate subspace.

    Construction.  ``U`` (a set of output positions) starts empty.  Repeatedly
    pick a live hidden neuron k, not yet absorbed, whose uncovered support
    ``E_k = S_k \ U`` (``S_k = R_k x C_k``) is a union of "stars": every
    connected component of the bipartite row-column graph with edges ``E_k``
    lies in one row or one column.  Absorb it: ``U := U ∪ E_k``.  Let J be the
    neurons never absorbed.  Hypothesis: for every j in J, ``E_j = S_j \ U`` is
    empty (j is dropped) or a union of "pieces" ``R'_{j,t} x C'_{j,t}``: every
    connected component of the bipartite row-column graph with edges ``E_j`` is
    a full rectangle (then distinct pieces of j have disjoint rows and disjoint
    columns); and the pattern ``I*`` with one hidden neuron per piece (support
    ``R'_{j,t} x C'_{j,t}``) is closed by a theorem (checked recursively; J
    empty means ``I* = 0``).  Numbering in ``I*``: the pieces of j in J
    (increasing j, pieces by smallest (row, column)) keep index j for the first
    piece and get the next new hidden index (n_1, n_1 + 1, ...) for the others.

    Claim: ``L_I = {M : P(M) in L_{I*}}`` with P zeroing the positions in U,
    i.e. ``L_I`` is, in coordinates, ``R^U x L_{I*}``; so ``L_I`` is closed
    (iff ``L_{I*}`` is).

    Proof.  Write ``L_J = sum_{j in J} {u v^T : supp u ⊆ R_j, supp v ⊆ C_j}``.
    (1) ``P(L_J) = L_{I*}``: ``P`` of a rank-one ``u v^T`` on ``S_j`` keeps its
    entries on ``E_j``, i.e. ``Σ_t u_{R'_t} v_{C'_t}^T`` over the pieces of j.
    The pieces use pairwise disjoint rows and pairwise disjoint columns, so the
    restrictions ``(u_{R'_t}, v_{C'_t})`` are independent and each ranges over
    all vectors (extend by zeros): ``P({u v^T})`` is the sum over the pieces of
    the rank-<=1 matrices on ``R'_t x C'_t``, i.e. the contribution of j's
    hidden neurons in ``I*``; P is linear, so it maps the sum to the sum.
    ``L_{I*}`` is supported off U.
    (2) ``L_I ⊆ P^{-1}(P(L_J))``: an absorbed neuron k_i (absorbed at step i,
    ``U_i = U_{i-1} ∪ E_{k_i}``) contributes a matrix supported on
    ``S_{k_i} ⊆ U_i ⊆ U``, which P kills.
    (3) ``P^{-1}(P(L_J)) ⊆ L_I``: let ``P(M) = P(N)``, ``N in L_J``; the residual
    ``D = M - N`` is supported on U.  For i = m, ..., 1 (reverse order) choose
    the contribution ``c_i = u v^T`` of k_i to equal D on ``E_{k_i}``: on a star
    centred at row r put ``u_r = 1`` and ``v_c = D[r, c]`` on its columns
    (transposed for a column star); components use disjoint rows and columns,
    other entries of u, v are 0.  ``c_i`` is supported on ``S_{k_i} ⊆ U_i``, so
    ``D - c_i`` vanishes on ``E_{k_i}`` and on every ``E_{k_j}``, j > i (those are
    disjoint from ``U_{j-1} ⊇ U_i``): after the update D is supported on
    ``U_{i-1}``.  At the end ``D = 0``: ``M = N + sum_i c_i in L_I``.
    (4) In coordinates ``L_I = R^U x L_{I*}``, closed since ``L_{I*}`` is.
    Example: ``M_1 = [[1,0,0],[1,0,1],[0,0,1]]``, ``M_2 = [[0,1,1],[1,1,0]]``: two
    single-entry neurons are absorbed, the middle neuron's remaining support is
    the "diagonal" {(0,0), (1,2)} (two stars): J is empty and ``L_I`` is the
    coordinate subspace on U.  (A 2x2 LU block is never absorbed: the
    remaining L-shaped support is a path, not a union of stars.)  Example of
    pieces: ``M_1 = [[1,1,1],[1,1,0],[0,0,1]]``, ``M_2 = [[1,1,0],[1,0,1],[1,0,1]]``:
    neurons 1 ({0} x {0,1}) and 2 ({1,2} x {2}) are absorbed, neuron 0's rest
    is {(0,2)} ⊔ {1,2} x {0,1}, two pieces; ``I*`` is two disjoint rank-one
    blocks, so ``L_I`` is closed (it is not dense: dimension 8 in R^9).

    Returns the theorem (hypotheses: the absorption order, the reduced masks
    and the nested theorem) or None when nothing is absorbed or I* is not
    closed by a theorem.
    """
    if len(masks) != 2:
        return None
    M1, M2 = masks
    n0, n1, n2 = len(M1[0]), len(M1), len(M2)
    R, C = shallow_supports(masks)
    live = [k for k in range(n1) if R[k] and C[k]]
    if sum(len(R[k]) * len(C[k]) for k in live) > MAX_ABSORPTION_POSITIONS:
        return None
    S = {k: {(r, c) for r in R[k] for c in C[k]} for k in live}
    U, order = set(), []
    rest = list(live)
    changed = True
    while changed:
        changed = False
        for k in rest:
            E = S[k] - U
            if _star_components(E, budget):
                U |= E
                order.append(k)
                rest.remove(k)
                changed = True
                break
    if not order:
        return None
    pieces = []                  # (hidden index in I*, rows, cols)
    extra = n1
    for j in rest:
        E = S[j] - U
        comps = _position_components(E, budget)
        for t, comp in enumerate(comps):
            rows, cols = {r for r, _ in comp}, {c for _, c in comp}
            if len(comp) != len(rows) * len(cols):
                return None      # not a union of rectangles: the projection is not a pattern's L
            if t == 0:
                pieces.append((j, rows, cols))
            else:
                pieces.append((extra, rows, cols))
                extra += 1
    N1 = [[0] * n0 for _ in range(extra)]
    N2 = [[0] * extra for _ in range(n2)]
    for h, rows, cols in pieces:
        for c in cols:
            N1[h][c] = 1
        for r in rows:
            N2[r][h] = 1
    reduced = (tuple(map(tuple, N1)), tuple(map(tuple, N2)))
    if any(any(row) for row in N1):
        from netalgebra.theorems.registry import closed_by_theorem   # (cycle: the registry lists us)

        inner = closed_by_theorem(reduced, budget=budget)
        if inner is None:
            return None
    else:
        inner = None
    hyp = {"depth": 2, "absorbed": order, "free_positions": sorted([r, c] for r, c in U),
           "reduced_masks": [[list(r) for r in N1], [list(r) for r in N2]], "then": inner}
    return fragment("shallow_subspace_absorption",
                    "One hidden layer: the listed neurons, absorbed in order, each add a coordinate "
                    "subspace on their not-yet-covered support (a union of single-row/single-column "
                    "stars); the other neurons' remaining supports are rectangles, or unions of rectangles "
                    "in disjoint rows and columns (one hidden neuron of I* per rectangle), forming a "
                    "pattern I* closed by the theorem 'then' (none: I* = 0). L_I is R^U times L_I*, "
                    "hence closed.",
                    hyp, source="proved in netalgebra.theorems.shallow_subspace_absorption")
