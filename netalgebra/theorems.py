"""Sufficient conditions for closedness, as fast paths with certificates.

Each theorem is a function ``masks -> dict | None``: it returns the
``"theorem"`` part of a closed certificate (name, statement, source, the
hypotheses it checked) when its hypotheses hold, else None.  Every statement is
proved below or cited precisely; :func:`netalgebra.certificate.verify`
re-checks the hypotheses with its own code.

Notation (Le, Riccietti, Gribonval, NeurIPS 2023, arXiv 2306.02666, Section 2):
pattern ``I = (I_1, ..., I_L)``, ``I_l`` an ``N_l x N_{l-1}`` 0/1 mask,
``L_I = {W_L ... W_1 : supp W_l ⊆ I_l}``.  For ``L = 2`` hidden neuron ``k``
reads the inputs ``C_k = {c : I_1[k, c] = 1}`` and reaches the outputs
``R_k = {r : I_2[r, k] = 1}``; its contribution ``W_2[:, k] W_1[k, :]`` ranges
over the rank-<=1 matrices supported on ``S_k = R_k x C_k``, so
``L_I = sum_k {u v^T : supp u ⊆ R_k, supp v ⊆ C_k}``.

Only the standard library is imported here (the command line must start fast).
"""

from __future__ import annotations

from itertools import combinations

SOURCE_PAPER = ("Le, Riccietti, Gribonval, 'Does a sparse ReLU network training problem always "
                "admit an optimum?', NeurIPS 2023, arXiv 2306.02666")

__all__ = [
    "masks_of", "widths", "shallow_supports", "live_neurons", "live_components",
    "one_layer", "shallow_scalar_output", "shallow_support_groups", "deep_dense_components",
    "shallow_free_lines", "shallow_two_points", "shallow_subspace_absorption",
    "closed_by_theorem", "THEOREMS",
]


# ----------------------------------------------------------------------------------------------
# plain-mask utilities (shared with decide.py, not with certificate.py)
def masks_of(pattern):
    """The masks of a SparsityPattern (or of anything with ``.masks``, or raw nested lists)."""
    m = getattr(pattern, "masks", pattern)
    return tuple(tuple(tuple(int(x) for x in row) for row in layer) for layer in m)


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


def live_components(masks, live=None):
    """Connected components of the live layered graph, each a list of per-layer sets.

    Lemma (components).  Paths from input ``c`` to output ``r`` stay in one
    component, so the product is block diagonal: entry (r, c) is zero unless
    r and c lie in the same component, and the block of a component depends only
    on that component's weights.  The weight sets are disjoint, so ``L_I`` is
    (up to zero entries) the product of the components' ``L``; a product of
    sets is closed iff every factor is (each factor is the intersection of the
    product with a coordinate subspace, since every factor contains 0).
    """
    if live is None:
        live = live_neurons(masks)
    L = len(masks)
    parent = {}

    def find(n):
        parent.setdefault(n, n)
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for l in range(L + 1):
        for i in live[l]:
            find((l, i))
    for l in range(1, L + 1):
        m = masks[l - 1]
        for i in live[l]:
            for j in live[l - 1]:
                if m[i][j]:
                    a, b = find((l, i)), find((l - 1, j))
                    if a != b:
                        parent[a] = b
    comps = {}
    for n in list(parent):
        comps.setdefault(find(n), [set() for _ in range(L + 1)])[n[0]].add(n[1])
    return sorted(comps.values(), key=lambda c: (min(c[0]) if c[0] else -1))


def _theorem(name, statement, hypotheses, source=SOURCE_PAPER):
    return {"name": name, "statement": statement, "source": source, "hypotheses": hypotheses}


# ----------------------------------------------------------------------------------------------
def one_layer(masks):
    """L = 1: ``L_I = {W : supp W ⊆ I_1}`` is a coordinate subspace, hence closed.

    For the ReLU class on a finite ``Omega`` (no activation at all): ``F_I(Omega)``
    is the image of the linear map ``(W, b) -> (W x + b)_{x in Omega}``, a linear
    subspace of a finite-dimensional space, hence closed.
    """
    if len(masks) != 1:
        return None
    return _theorem("one_layer",
                    "With one layer, L_I is the coordinate subspace {W : supp W in I_1} and "
                    "F_I(Omega) is the image of a linear map; both are closed.",
                    {"depth": 1}, source="elementary (linear algebra)")


def shallow_scalar_output(masks):
    """L = 2 and N_2 = 1: L_I is closed and F_I(Omega) is closed for every finite Omega.

    Linear part (proved here): each hidden neuron k with ``R_k = {0}`` contributes
    ``{u v^T : u in R, supp v ⊆ C_k} = {row vectors supported on C_k}``, a
    coordinate subspace; a sum of linear subspaces is a linear subspace, so
    ``L_I`` is the coordinate subspace supported on the union of the ``C_k``
    (over neurons reaching the output): closed.

    ReLU part (cited): the paper proves that every training problem with a
    one-hidden-layer sparse ReLU network of output dimension one has a global
    optimum, via closedness of ``F_I(Omega)`` for finite ``Omega`` (Le,
    Riccietti, Gribonval, NeurIPS 2023, abstract and Section 4).
    """
    if len(masks) != 2 or len(masks[1]) != 1:
        return None
    return _theorem("shallow_scalar_output",
                    "One hidden layer and output dimension one: L_I is a coordinate subspace, and "
                    "F_I(Omega) is closed for every finite Omega (the paper's existence theorem for "
                    "one-hidden-layer networks of output dimension one, Section 4).",
                    {"depth": 2, "output_dim": 1})


def _rank_peeling(R, C, ks):
    """Greedy rank peeling for a group (see :func:`shallow_support_groups`, kind (c)).

    Returns ``(rows, cols, order)`` when the group fills its rectangle, else None.
    """
    rows = frozenset().union(*(R[k] for k in ks))
    cols = frozenset().union(*(C[k] for k in ks))
    defic = sorted(((len(rows - R[k]) + len(cols - C[k]), k) for k in ks), key=lambda x: (-x[0], x[1]))
    rho = min(len(rows), len(cols))
    order = []
    for delta, k in defic:
        if rho > delta:
            rho -= 1
            order.append(k)
    if rho:
        return None
    return sorted(rows), sorted(cols), order


def shallow_support_groups(masks):
    """L = 2, rank-one supports grouped into identical or single-row/column families.

    Hypotheses.  Drop dead hidden neurons (``R_k`` or ``C_k`` empty: they
    contribute 0).  Join two live neurons when their supports ``S_k = R_k x C_k``
    intersect; take the connected classes ("groups").  Require for each group g
    either (a) all supports in g are identical, ``S_k = R x C``; or (b) every
    neuron of g has ``|R_k| = 1`` or ``|C_k| = 1``; or (c) the rank peeling
    below empties the group's rectangle.

    Claim: ``L_I`` is closed.

    Proof.  Let ``U_g`` be the union of the supports of group g; the ``U_g`` are
    pairwise disjoint (supports of different groups do not intersect, by the
    definition of the classes).  ``L_I = sum_g L_g`` where ``L_g`` (the sum over
    k in g) consists of matrices supported on ``U_g``; on disjoint coordinate
    sets the sum is direct, so ``L_I`` is linearly isomorphic (a coordinate
    embedding) to the product of the ``L_g``, closed iff each is.
    (a) With m neurons on the same ``R x C``, ``L_g`` is the set of matrices
    supported on ``R x C`` whose ``R x C`` block has rank <= m: a sum of m
    rank-<=1 matrices has rank <= m, and conversely a block of rank ``s <= m``
    factors as ``U V`` with ``U`` of size ``|R| x s`` and ``V`` of size
    ``s x |C|``, i.e. as a sum of s rank-one terms ``u v^T`` with
    ``supp u ⊆ R``, ``supp v ⊆ C`` (pad with zero terms).  The set of matrices of
    rank <= m is closed (vanishing of all (m+1)-minors).  (b) A neuron with
    ``|R_k| = 1`` contributes ``{e_r v^T : supp v ⊆ C_k}``, a coordinate subspace
    (likewise ``|C_k| = 1``); a sum of linear subspaces is a linear subspace,
    closed.  (c) "Rank peeling": let ``R = ∪ R_k``, ``C = ∪ C_k`` over the
    group and give neuron k the deficiency ``δ_k = |R minus R_k| + |C minus C_k|``.
    Start from ``ρ = min(|R|, |C|)`` and scan the neurons by decreasing δ,
    decrementing ρ whenever ``ρ > δ_k``; if ρ reaches 0, ``L_g`` is every
    matrix supported on ``R x C`` (a coordinate subspace, closed).
    Proof: for any M on ``R x C`` keep the invariant rank(M_i) <= ρ_i.  At a
    decrementing neuron k, if r = rank(M_i) > δ_k: let W = colspace(M_i) ∩
    {vanishing off R_k} (dim >= r - |R minus R_k|) and Y = {y : y^T M_i vanishes
    off C_k} (dim >= |R| - r + (r - |C minus C_k|), as Y contains the left kernel
    and maps onto rowspace ∩ {vanishing off C_k}).  If y^T w = 0 for all y in Y,
    w in W then dim W + dim Y <= |R|, i.e. r <= δ_k: impossible.  So some
    w = M_i x in W and y in Y have y^T M_i x != 0, and by Wedderburn's rank
    reduction ``M_i - (M_i x)(y^T M_i) / (y^T M_i x)`` has rank r - 1; the
    subtracted term is ``u v^T`` with ``supp u ⊆ R_k``, ``supp v ⊆ C_k``.  If
    r <= δ_k <= ρ_i - 1 the neuron contributes 0; so do skipped neurons.  At
    the end M_end = 0, so M is in ``L_g``; and ``L_g`` lies in the matrices
    supported on ``R x C``.  This covers the paper-notes "identical or disjoint supports"
    condition (butterfly 4, block rank-1, dense shallow, diagonal) and, with
    (b), scalar-output networks.
    """
    if len(masks) != 2:
        return None
    R, C = shallow_supports(masks)
    live = [k for k in range(len(R)) if R[k] and C[k]]
    parent = {k: k for k in live}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    # group by overlapping supports (bitmasks: S_a and S_b meet iff R and C both meet)
    rb_ = {k: sum(1 << r for r in R[k]) for k in live}
    cb_ = {k: sum(1 << c for c in C[k]) for k in live}
    for a, b in combinations(live, 2):
        if rb_[a] & rb_[b] and cb_[a] & cb_[b]:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[ra] = rb
    groups = {}
    for k in live:
        groups.setdefault(find(k), []).append(k)
    out = []
    for ks in groups.values():
        if all(R[k] == R[ks[0]] and C[k] == C[ks[0]] for k in ks):
            out.append({"neurons": sorted(ks), "kind": "identical",
                        "rows": sorted(R[ks[0]]), "cols": sorted(C[ks[0]]),
                        "rank_bound": min(len(ks), len(R[ks[0]]), len(C[ks[0]]))})
        elif all(len(R[k]) == 1 or len(C[k]) == 1 for k in ks):
            out.append({"neurons": sorted(ks), "kind": "subspace"})
        elif _rank_peeling(R, C, ks) is not None:
            rows, cols, order = _rank_peeling(R, C, ks)
            out.append({"neurons": sorted(ks), "kind": "full_rectangle", "rows": rows, "cols": cols,
                        "peeling_order": order})
        else:
            return None
    out.sort(key=lambda g: g["neurons"])
    return _theorem("shallow_support_groups",
                    "One hidden layer; the rank-one supports R_k x C_k of the live hidden neurons fall "
                    "into groups with disjoint unions, each group having identical supports (a block of "
                    "bounded rank) or only single-row/single-column supports (a coordinate subspace). "
                    "Then L_I is a direct sum of closed sets, hence closed.",
                    {"depth": 2, "groups": out},
                    source="proved in netalgebra.theorems.shallow_support_groups (cf. paper-notes, results 5-6)")


def deep_dense_components(masks):
    """Every connected component of the live network is dense: L_I is closed.

    Proof.  By :func:`live_neurons` and :func:`live_components`, ``L_I`` is the
    product over components of the component's linear counterpart, placed on
    disjoint blocks ``S_L x S_0``.  In a component dense between consecutive live
    layers with widths ``n_0, ..., n_L``, the product of arbitrary matrices has
    rank <= ``m = min(n_1, ..., n_{L-1})`` (``m = min(n_0, n_L)`` when L = 1),
    and every ``n_L x n_0`` matrix ``M`` of rank ``s <= m`` is attained: write
    ``M = U V`` with inner dimension s, take ``W_1 = [V; 0]``,
    ``W_l = diag(I_s, 0)`` in the middle and ``W_L = [U, 0]``.  The rank-<=m
    matrices form a closed set (minors), so each factor, and the product, is
    closed.  Edges touching dead neurons lie on no path and do not matter.
    """
    live = live_neurons(masks)
    comps = live_components(masks, live)
    L = len(masks)
    info = []
    for comp in comps:
        for l in range(1, L + 1):
            m = masks[l - 1]
            if not all(m[i][j] for i in comp[l] for j in comp[l - 1]):
                return None
        ws = [len(s) for s in comp]
        info.append({"inputs": sorted(comp[0]), "outputs": sorted(comp[L]), "widths": ws,
                     "rank_bound": min(ws[1:L]) if L > 1 else min(ws[0], ws[L])})
    return _theorem("deep_dense_components",
                    "After removing neurons on no input-output path, every connected component is dense "
                    "between consecutive layers; L_I is then a direct sum of sets of matrices of bounded "
                    "rank, hence closed.",
                    {"depth": L, "components": info},
                    source="proved in netalgebra.theorems.deep_dense_components (paper-notes, result 6)")


def shallow_free_lines(masks):
    """L = 2: delete output rows / input columns that one hidden neuron fills freely.

    Step (row r, neuron k).  Hypotheses: ``R_k = {r}`` and ``C_j ⊆ C_k`` for
    every hidden neuron j reaching r.  Claim: ``L_I = L_{I'} x R^{C_k}`` where
    I' zeroes row r of ``I_2``, so ``L_I`` is closed iff ``L_{I'}`` is.
    Proof.  (⊆) Row r of any product is supported on the union of the ``C_j``
    over neurons j reaching r, i.e. on ``C_k``; the other rows do not involve
    ``W_2[r, :]``, so they form an element of ``L_{I'}`` with the same weights.
    (⊇) Given M whose other rows are ``W_2' W_1'`` for weights of I' and whose
    row r is supported on ``C_k``: neuron k reaches no row of I', so its input
    weights are unused there; set ``W_1[k, :] = M[r, :]``, ``W_2[r, k] = 1``
    and ``W_2[r, j] = 0`` for j != k.  Row r becomes ``M[r, :]`` and, since k
    reaches only r, the other rows are unchanged.  A product with a
    coordinate space is closed iff the factor is.  The column step
    (``C_k = {c}``, ``R_j ⊆ R_k`` for every j reading c) is the transpose.

    Steps are applied until none applies; then the other theorems are tried on
    the reduced masks.  Returns ``(reduced_masks, steps)``; ``steps`` lists
    ``["row", r, k]`` / ``["col", c, k]`` in order.
    """
    M1 = [list(r) for r in masks[0]]
    M2 = [list(r) for r in masks[1]]
    n0, n1, n2 = len(M1[0]), len(M1), len(M2)
    steps = []
    changed = True
    while changed:
        changed = False
        R = [{r for r in range(n2) if M2[r][k]} for k in range(n1)]
        C = [{c for c in range(n0) if M1[k][c]} for k in range(n1)]
        for k in range(n1):
            if len(R[k]) == 1 and C[k]:
                r = next(iter(R[k]))
                if all(C[j] <= C[k] for j in range(n1) if M2[r][j]):
                    M2[r] = [0] * n1
                    steps.append(["row", r, k])
                    changed = True
                    break
            if len(C[k]) == 1 and R[k]:
                c = next(iter(C[k]))
                if all(R[j] <= R[k] for j in range(n1) if M1[j][c]):
                    for j in range(n1):
                        M1[j][c] = 0
                    steps.append(["col", c, k])
                    changed = True
                    break
    return (tuple(tuple(r) for r in M1), tuple(tuple(r) for r in M2)), steps


def _star_components(E):
    """True when every connected component of the bipartite row-column graph with edge set E
    (a set of (r, c) positions) lies in one row or one column (a "star"; single edges included)."""
    E = set(E)
    while E:
        comp = {E.pop()}
        rows, cols = {next(iter(comp))[0]}, {next(iter(comp))[1]}
        grew = True
        while grew:
            grew = False
            for e in list(E):
                if e[0] in rows or e[1] in cols:
                    E.discard(e)
                    comp.add(e)
                    rows.add(e[0])
                    cols.add(e[1])
                    grew = True
        if len(rows) > 1 and len(cols) > 1:
            return False
    return True


def shallow_subspace_absorption(masks):
    r"""L = 2: absorb hidden neurons whose remaining contribution is a coordinate subspace.

    Construction.  ``U`` (a set of output positions) starts empty.  Repeatedly
    pick a live hidden neuron k, not yet absorbed, whose uncovered support
    ``E_k = S_k \ U`` (``S_k = R_k x C_k``) is a union of "stars": every
    connected component of the bipartite row-column graph with edges ``E_k``
    lies in one row or one column.  Absorb it: ``U := U ∪ E_k``.  Let J be the
    neurons never absorbed.  Hypothesis: for every j in J, ``E_j = S_j \ U`` is
    a (non-empty) rectangle ``R'_j x C'_j`` (or empty: j is dropped), and the
    pattern ``I*`` with supports ``R'_j x C'_j`` (j in J) is closed by a theorem
    (checked recursively; J empty means ``I* = 0``).

    Claim: ``L_I = {M : P(M) in L_{I*}}`` with P zeroing the positions in U,
    i.e. ``L_I`` is, in coordinates, ``R^U x L_{I*}``; so ``L_I`` is closed
    (iff ``L_{I*}`` is).

    Proof.  Write ``L_J = sum_{j in J} {u v^T : supp u ⊆ R_j, supp v ⊆ C_j}``.
    (1) ``P(L_J) = L_{I*}``: ``P`` of a rank-one ``u v^T`` on ``S_j`` keeps its
    entries on ``E_j = R'_j x C'_j``, i.e. ``u_{R'} v_{C'}^T``, and every rank-one
    matrix on ``R'_j x C'_j`` arises (extend u, v by zeros); P is linear, so it
    maps the sum to the sum.  ``L_{I*}`` is supported off U.
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
    remaining L-shaped support is a path, not a union of stars.)

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
    S = {k: {(r, c) for r in R[k] for c in C[k]} for k in live}
    U, order = set(), []
    rest = list(live)
    changed = True
    while changed:
        changed = False
        for k in rest:
            E = S[k] - U
            if _star_components(E):
                U |= E
                order.append(k)
                rest.remove(k)
                changed = True
                break
    if not order:
        return None
    N1 = [[0] * n0 for _ in range(n1)]
    N2 = [[0] * n1 for _ in range(n2)]
    for j in rest:
        E = S[j] - U
        if not E:
            continue
        rows, cols = {r for r, _ in E}, {c for _, c in E}
        if len(E) != len(rows) * len(cols):
            return None          # not a rectangle: the projection is not a pattern's L
        for c in cols:
            N1[j][c] = 1
        for r in rows:
            N2[r][j] = 1
    reduced = (tuple(map(tuple, N1)), tuple(map(tuple, N2)))
    if any(any(row) for row in N1):
        inner = closed_by_theorem(reduced)
        if inner is None:
            return None
    else:
        inner = None
    hyp = {"depth": 2, "absorbed": order, "free_positions": sorted([r, c] for r, c in U),
           "reduced_masks": [[list(r) for r in N1], [list(r) for r in N2]], "then": inner}
    return _theorem("shallow_subspace_absorption",
                    "One hidden layer: the listed neurons, absorbed in order, each add a coordinate "
                    "subspace on their not-yet-covered support (a union of single-row/single-column "
                    "stars); the other neurons' remaining supports are rectangles forming a pattern I* "
                    "closed by the theorem 'then' (none: I* = 0). L_I is R^U times L_I*, hence closed.",
                    hyp, source="proved in netalgebra.theorems.shallow_subspace_absorption")


def shallow_two_points(masks, npoints):
    """L = 2 and a training set of at most two points: F_I(Omega) is closed.

    Proof.  One point: the output bias alone reaches every value, so
    F_I(Omega) = R^{N_2}.  Two points x_1, x_2: the output bias b_2 is free, so
    F_I(Omega) = {(y_1, y_2) : y_1 - y_2 in D} with
    D = {W_2 (relu(W_1 x_1 + b_1) - relu(W_1 x_2 + b_1))}.  For hidden neuron k
    put s_k = W_1[k, :] (x_1 - x_2); as b_1[k] ranges over R,
    relu(a + s_k) - relu(a) takes every value between 0 and s_k.  If some
    c in C_k has (x_1 - x_2)_c != 0, s_k ranges over R (choose W_1[k, c]), so
    delta_k ranges over R; otherwise delta_k = 0.  Neurons have independent
    parameters, so D = {sum_k W_2[:, k] delta_k} over the "active" neurons,
    the coordinate subspace on the union of their R_k.  F_I(Omega) is the
    preimage of the closed set D under the linear map (y_1, y_2) -> y_1 - y_2,
    hence closed.  (Elementary; proved here.)
    """
    if len(masks) != 2 or npoints is None or npoints > 2:
        return None
    return _theorem("shallow_two_points",
                    "One hidden layer and at most two training points: F_I(Omega) is the preimage of a "
                    "coordinate subspace under (y_1, y_2) -> y_1 - y_2 (free output bias), hence closed.",
                    {"depth": 2, "points": npoints},
                    source="proved in netalgebra.theorems.shallow_two_points")


THEOREMS = (one_layer, shallow_scalar_output, shallow_support_groups, deep_dense_components)
RELU_THEOREMS = (one_layer, shallow_scalar_output)


def closed_by_theorem(pattern, question="linear", npoints=None):
    """The first theorem whose hypotheses hold, as the ``theorem`` part of a certificate, or None.

    ``question="relu_points"`` only uses the theorems that speak about
    ``F_I(Omega)`` itself (one layer; one hidden layer with scalar output; one
    hidden layer with ``npoints <= 2`` training points).
    """
    masks = masks_of(pattern)
    for th in (THEOREMS if question == "linear" else RELU_THEOREMS):
        res = th(masks)
        if res is not None:
            return res
    if question == "relu_points":
        return shallow_two_points(masks, npoints)
    if question == "linear" and len(masks) == 2:
        reduced, steps = shallow_free_lines(masks)
        if steps:
            inner = closed_by_theorem(reduced)
            if inner is not None:
                return _theorem("shallow_free_lines",
                                "One hidden layer: each listed output row (input column) is filled freely by "
                                "a hidden neuron that reaches only that row (reads only that column) and reads "
                                "(reaches) everything the row's (column's) other neurons read (reach); so L_I "
                                "is L_I' times a coordinate space, with I' the pattern without those lines, "
                                "and I' is closed by the theorem 'then'.",
                                {"depth": 2, "steps": steps, "then": inner},
                                source="proved in netalgebra.theorems.shallow_free_lines")
        return shallow_subspace_absorption(masks)
    return None
