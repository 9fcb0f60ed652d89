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


# ----------------------------------------------------------------------------------------------
# determinantal peeling (shallow_support_groups, kind (d))
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
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for R, C in sup.values():
        nodes = [("r", r) for r in R] + [("c", c) for c in C]
        for x in nodes[1:]:
            a, b = find(nodes[0]), find(x)
            if a != b:
                parent[a] = b
    comps = {}
    for k, (R, C) in sup.items():
        comps.setdefault(find(("r", min(R))), {})[k] = (R, C)
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
    owner = {}

    def augment(r, seen):
        for k in ok[r]:
            if k not in seen:
                seen.add(k)
                if k not in owner or augment(owner[k], seen):
                    owner[k] = r
                    return True
        return False

    for r in sorted(urow):
        if not augment(r, set()):
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


def _determinantal(R, C, ks):
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
    supported on ``R x C``.  This covers the paper-notes "identical or disjoint supports"
    condition (butterfly 4, block rank-1, dense shallow, diagonal) and, with
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
            det = _determinantal(R, C, ks)
            if det is None:
                return None
            rows, cols, rho, proof = det
            out.append({"neurons": sorted(ks), "kind": "determinantal", "rows": rows, "cols": cols,
                        "rank": rho, "proof": proof})
    out.sort(key=lambda g: g["neurons"])
    return _theorem("shallow_support_groups",
                    "One hidden layer; the rank-one supports R_k x C_k of the live hidden neurons fall "
                    "into groups with disjoint unions, each group having identical supports (a block of "
                    "bounded rank), only single-row/single-column supports (a coordinate subspace), a "
                    "rank peeling that fills its rectangle, or a determinantal peeling tree showing that "
                    "it is {A : supp A in U_g, rank A <= rank} (a coordinate subspace cut by minors). "
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
    return all(len({r for r, _c in comp}) == 1 or len({c for _r, c in comp}) == 1
               for comp in _position_components(E))


def _position_components(E):
    """Connected components of a set E of positions (two positions are adjacent when they share
    a row or a column), each a set, sorted by their smallest (row, column)."""
    E = set(E)
    out = []
    while E:
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


def shallow_subspace_absorption(masks):
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
    pieces = []                  # (hidden index in I*, rows, cols)
    extra = n1
    for j in rest:
        E = S[j] - U
        comps = _position_components(E)
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
                    "stars); the other neurons' remaining supports are rectangles, or unions of rectangles "
                    "in disjoint rows and columns (one hidden neuron of I* per rectangle), forming a "
                    "pattern I* closed by the theorem 'then' (none: I* = 0). L_I is R^U times L_I*, "
                    "hence closed.",
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
