"""One hidden layer whose rank-one supports fall into groups with disjoint unions, each
group closed for one of four reasons (identical supports, single lines, rank peeling,
determinantal peeling)."""

from itertools import combinations

from netalgebra.theorems.determinantal import determinantal_proof
from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.structure import DisjointSets, shallow_supports

__all__ = ["shallow_support_groups"]


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
    below empties the group's rectangle; or (d) the determinantal peeling tree
    below (recorded in the certificate) proves ``T(U_g, ρ_g) ⊆ L_g``.

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
    supported on ``R x C``.  This covers the "identical or disjoint supports" condition
    (docs/mathematics.md, "Results") (butterfly 4, block rank-1, dense shallow, diagonal) and, with
    (b), scalar-output networks.

    (d) "Determinantal peeling": ``L_g = T(U_g, ρ_g)``, a coordinate subspace
    cut by a determinantal variety.  Notation: for a family K of supports
    ``k -> (R_k, C_k)`` (non-empty sets) put ``U(K) = ∪_k R_k x C_k``,
    ``L_K = {Σ_{k in K} u_k v_k^T : supp u_k ⊆ R_k, supp v_k ⊆ C_k}`` and
    ``T(U, ρ) = {A : supp A ⊆ U, rank A <= ρ}``; ``U_r = {c : (r, c) in U}`` is
    row r of U.  ``K^{-r}`` removes row r from every ``R_j`` (a neuron left with
    no row is removed), ``(K - k)^{-r}`` also removes neuron k; then
    ``U(K^{-r}) = U(K) minus row r``.  Monotonicity: removing neurons or
    shrinking some ``R_j``/``C_j`` only shrinks ``L`` (set those entries of
    ``u_j``/``v_j`` to 0), so ``L_{K^{-r}} ⊆ L_K`` and ``L_{(K-k)^{-r}} ⊆ L_{K-k}``.

    Claim.  With ``ρ_g = min(|g|, |R|, |C|)`` (R, C the rows and columns of
    ``U_g``), ``L_g = T(U_g, ρ_g)``, which is closed: the intersection of a
    coordinate subspace with the common zero set of the (ρ_g+1)-minors.
    (⊆) an element of ``L_g`` is a sum of |g| rank-<=1 matrices supported in
    ``U_g ⊆ R x C``.  (⊇) is ``Claim(g, ρ_g)``, where ``Claim(K, ρ)`` reads
    ``T(U(K), ρ) ⊆ L_K``; the certificate holds a finite proof tree of it.  A
    node for ``(K, ρ)`` first replaces ρ by ``min(ρ, #rows, #columns of U(K))``
    (T does not change: rank is at most either number) and is one of:

    * ``zero``: ρ = 0.  ``T = {0} ⊆ L_K``.
    * ``split``: the bipartite graph on the rows and columns of ``U(K)``, with
      an edge per position of ``U(K)``, has components ``P_1..P_m`` (m >= 2);
      each rectangle ``R_k x C_k`` is connected, so it lies in one component,
      giving a partition ``K = K_1 ⊔ ... ⊔ K_m``; one child ``Claim(K_j, ρ)``
      per component.  Proof: for A in T, the block ``A_j`` of A on the rows x
      columns of ``P_j`` (zero elsewhere) is a submatrix of A, so
      ``rank A_j <= ρ``, and ``supp A_j ⊆ U(K_j)``; ``A = Σ_j A_j`` since the
      components partition the positions of U.  So ``A_j in L_{K_j}``, and the
      ``K_j`` being disjoint, ``A in L_K``.
    * ``rectangle``: the greedy rank peeling of (c) on the bounding box
      ``B = rows x columns of U(K)``, started from ρ instead of
      ``min(|R|, |C|)``, reaches 0 in the recorded order.  The proof of (c)
      never uses the start value: every A in ``T(B, ρ) ⊇ T(U(K), ρ)`` is in ``L_K``.
    * ``matching`` (rows): an injective map ``r -> k_r`` on the rows of
      ``U(K)`` with ``r in R_{k_r}`` and ``U_r ⊆ C_{k_r}``.  Then every A
      supported on ``U(K)`` is ``Σ_r e_r A[r, :]`` with ``u_{k_r} = e_r``,
      ``v_{k_r} = A[r, :]`` (supported on ``U_r ⊆ C_{k_r}``), the other neurons
      0: ``R^{U(K)} ⊆ L_K``, a fortiori ``T ⊆ L_K``.
    * ``free`` (row r, neuron k), hypotheses (i) ``r in R_k`` and
      ``U_r ⊆ C_k``; (iii) ``(R_k - {r}) x C_k ⊆ ∪_{j != k} R_j x C_j``.  Child:
      ``Claim((K - k)^{-r}, ρ)``.  Proof: neuron k takes ``u_k = e_r``,
      ``v_k = A[r, :]`` (supported on ``U_r ⊆ C_k``).  ``A' = A - u_k v_k^T``
      is A with row r zeroed, so ``rank A' <= rank A <= ρ`` and
      ``supp A' ⊆ U(K) minus row r = ∪_{j != k} (R_j - {r}) x C_j ∪ (R_k - {r}) x C_k``,
      which is ``U((K - k)^{-r})`` by (iii).  So
      ``A' in L_{(K-k)^{-r}} ⊆ L_{K-k}`` and ``A = A' + u_k v_k^T in L_K``.
    * ``peel`` (row r, neuron k), hypotheses (i), (iii) and (ii) every row
      ``i not in R_k`` of ``U(K)`` avoids the columns ``U_r``:
      ``({i} x U_r) ∩ U(K) = ∅``.  Needs ρ >= 1.  Children
      ``Claim((K - k)^{-r}, ρ - 1)`` ("nonzero") and ``Claim(K^{-r}, ρ)``
      ("zero").  Proof: let ``a = A[r, :]`` (supported on ``U_r``).  If a = 0,
      ``supp A ⊆ U(K) minus row r = U(K^{-r})``, so ``A in L_{K^{-r}} ⊆ L_K``.
      Otherwise pick c with ``a_c != 0`` (so ``c in U_r``) and put
      ``u = A[:, c] / a_c``, ``v = a``.  If ``A[i, c] != 0`` then
      ``(i, c) in U(K)``, so ``i in R_k`` by (ii): ``supp u ⊆ R_k``, ``u_r = 1``,
      ``supp v ⊆ U_r ⊆ C_k``.  ``A' = A - u v^T`` is one Gaussian elimination
      step with pivot (r, c): row r and column c of A' vanish and the rest of
      A' is the Schur complement of ``a_c``, so ``rank A' = rank A - 1 <= ρ - 1``.
      ``supp A' ⊆ U(K) ∪ R_k x C_k = U(K)``, minus row r, which is
      ``U((K - k)^{-r})`` by (iii).  So ``A' in L_{(K-k)^{-r}} ⊆ L_{K-k}`` and
      ``A = A' + u v^T in L_K``.
    * ``matching`` / ``free`` / ``peel`` on a column: the same on the
      transposed supports ``k -> (C_k, R_k)`` (``L`` and T commute with
      transposition).

    Every step removes a line or a neuron, so the tree is finite; the
    certificate verifier replays it with its own code.  Example (3,2,3):
    ``M_1 = [[1,1,1],[1,1,0]]``, ``M_2 = [[1,1],[1,1],[0,1]]`` (neuron 0 on
    {0,1} x {0,1,2}, neuron 1 on {0,1,2} x {0,1}): ρ = 2, peel row 2 with
    neuron 1; "nonzero" leaves neuron 0 with ρ = 1 (a rectangle), "zero" leaves
    both neurons inside {0,1} x {0,1,2} with ρ = 2 (rank peeling): ``L_I`` is
    every 3x3 matrix with ``A[2,2] = 0`` and rank <= 2.
    """
    if len(masks) != 2:
        return None
    R, C = shallow_supports(masks)
    live = [k for k in range(len(R)) if R[k] and C[k]]
    sets = DisjointSets(live)
    # group by overlapping supports (bitmasks: S_a and S_b meet iff R and C both meet)
    rb_ = {k: sum(1 << r for r in R[k]) for k in live}
    cb_ = {k: sum(1 << c for c in C[k]) for k in live}
    for a, b in combinations(live, 2):
        if rb_[a] & rb_[b] and cb_[a] & cb_[b]:
            sets.union(a, b)
    groups = sets.classes()
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
            det = determinantal_proof(R, C, ks)
            if det is None:
                return None
            rows, cols, rho, proof = det
            out.append({"neurons": sorted(ks), "kind": "determinantal", "rows": rows, "cols": cols,
                        "rank": rho, "proof": proof})
    out.sort(key=lambda g: g["neurons"])
    return fragment("shallow_support_groups",
                    "One hidden layer; the rank-one supports R_k x C_k of the live hidden neurons fall "
                    "into groups with disjoint unions, each group having identical supports (a block of "
                    "bounded rank), only single-row/single-column supports (a coordinate subspace), a "
                    "rank peeling that fills its rectangle, or a determinantal peeling tree showing that "
                    "it is {A : supp A in U_g, rank A <= rank} (a coordinate subspace cut by minors). "
                    "Then L_I is a direct sum of closed sets, hence closed.",
                    {"depth": 2, "groups": out},
                    source="proved in netalgebra.theorems.shallow_support_groups (cf. paper-notes, results 5-6)")
