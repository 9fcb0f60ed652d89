"""Witness search for one hidden layer: small blocks whose sub-pattern is not closed.

A *core* is a block (output rows R' x input columns C') with an explicit missing point
``B``: an escaping family with limit B and a Nullstellensatz identity showing that B is
not attained.  The block projection lemma (proved in :func:`find_core_2x2`) lifts B to
``B (+) 0``, missing from the whole pattern.  :func:`find_core` tries, in turn, the 2x2
cores (:func:`find_core_2x2`), the 3x2 "collision" cores (:func:`find_core_3x2`), the 2x3
ones (the same search on the transposed pattern, mapped back by :func:`_transpose_parts`)
and a bounded search for 3x3 cores (:func:`find_core_3x3`).
"""

from itertools import combinations

from cad.budget import Budget
from netalgebra.decide.family import INV_T, ONE, T
from netalgebra.decide.nullstellensatz import nss_graded, nss_ring
from netalgebra.naming import parse_weight_name, weight_name

__all__ = ["find_core", "find_core_2x2", "find_core_3x2", "find_core_3x3"]

CORE3_MAX_BLOCKS = 400      # 3x3 blocks tried by find_core_3x3 (C(n2,3) C(n0,3) is capped here)
CORE3_MAX_NEURONS = 6       # hidden neurons linking a block
CORE3_BUDGET_SHARE = 0.4    # at most this share of the remaining budget goes to the 3x3 search
CORE3_MAX_SECONDS = 30.0    # and at most this many seconds (also without a budget)


def find_core_2x2(masks, budget=None):
    """Find a 2x2 block of a one-hidden-layer pattern whose sub-pattern is not closed.

    **Which 2x2 blocks are not closed.**  Fix rows ``R' = {r, r'}`` and columns
    ``C' = {c, c'}``.  The block of ``W_2 W_1`` is ``sum_k u_k v_k^T`` with
    ``u_k`` supported on ``R_k ∩ R'`` and ``v_k`` on ``C_k ∩ C'``.  A neuron
    whose block support has one row or one column contributes a coordinate
    subspace; a neuron covering the whole block ("full") contributes all
    rank-<=1 2x2 matrices.  So the block set is ``V + n_F x {rank <= 1}``
    with V a coordinate subspace with support P.  It is all of R^{2x2} when
    ``n_F >= 2``, or ``n_F = 1`` and P contains a full row, a full column or a
    diagonal; it is V when ``n_F = 0`` and rank <= 1 when ``n_F = 1, P = {}``.
    In the remaining case ``n_F = 1, |P| = 1`` it is not closed: with P = {(r,c)},
    the matrix B with ``B[r,c'] = B[r',c] = 1`` and ``B[r',c'] = 0`` (any value at
    (r,c)) is a limit of block values but is not one (``u_r v_c' = 1``,
    ``u_r' v_c = 1`` force ``u_r' v_c' != 0``).  This function finds exactly such
    blocks: a position p = (r, c) covered by >= 2 neurons and a neuron k
    covering p, (r, c'), (r', c), (r', c') where the last three are covered by k
    alone.  Coverage counts ``cnt[r][c] = |{k : r in R_k, c in C_k}|`` are
    popcounts of bitmasks; the search visits positions by increasing count and
    uses per-row / per-column bitmasks of count-1 positions, so ``ul:100`` is
    found at once and dense patterns are rejected in O(N^2) big-integer
    operations.

    **Block projection lemma** (any depth).  The R'xC' block of
    ``W_L ... W_1`` is the sum over paths from C' to R', i.e. the product map of
    the sub-pattern induced by R', C' and all hidden neurons.  (a) If ``A in L_I``
    then ``A[R',C'] in L_{I'}``; (b) setting every weight off these paths to 0
    gives ``B (+) 0 in cl(L_I)`` for every ``B in cl(L_{I'})``.  Hence
    ``A = B (+) 0`` is in ``cl(L_I) \\ L_I``.  (The certificate does not rely on
    the lemma: it gives the family explicitly and a Nullstellensatz identity
    over the three block entries covered by k alone, which are entries of the
    full product.)

    Returns ``{"k", "k2", "r", "c", "r2", "c2"}`` (p = (r, c), block rows
    {r, r2}, columns {c, c2}) or None.
    """
    M1, M2 = masks
    n0, n1, n2 = len(M1[0]), len(M1), len(M2)
    RN = [sum(1 << k for k in range(n1) if M2[r][k]) for r in range(n2)]  # neurons reaching r
    CN = [sum(1 << k for k in range(n1) if M1[k][c]) for c in range(n0)]  # neurons reading c
    Rb = [sum(1 << r for r in range(n2) if M2[r][k]) for k in range(n1)]
    Cb = [sum(1 << c for c in range(n0) if M1[k][c]) for k in range(n1)]
    cnt = [[(RN[r] & CN[c]).bit_count() for c in range(n0)] for r in range(n2)]
    if budget is not None:
        budget.check("time (witness search)")
    one_in_row = [sum(1 << c for c in range(n0) if cnt[r][c] == 1) for r in range(n2)]
    one_in_col = [sum(1 << r for r in range(n2) if cnt[r][c] == 1) for c in range(n0)]
    cand = [(cnt[r][c], r, c) for r in range(n2) if one_in_row[r] for c in range(n0)
            if cnt[r][c] >= 2 and one_in_col[c]]
    cand.sort()
    for step, (_, r, c) in enumerate(cand):
        if budget is not None and step % 256 == 0:
            budget.check("time (witness search)")
        ks = RN[r] & CN[c]
        while ks:
            low = ks & -ks
            k = low.bit_length() - 1
            ks ^= low
            rows = Rb[k] & one_in_col[c] & ~(1 << r)
            cols = Cb[k] & one_in_row[r] & ~(1 << c)
            if not rows or not cols:
                continue
            rr = rows
            while rr:
                lowr = rr & -rr
                r2 = lowr.bit_length() - 1
                rr ^= lowr
                both = one_in_row[r2] & cols
                if both:
                    c2 = (both & -both).bit_length() - 1
                    others = (RN[r] & CN[c]) & ~(1 << k)
                    k2 = (others & -others).bit_length() - 1
                    return {"k": k, "k2": k2, "r": r, "c": c, "r2": r2, "c2": c2}
    return None


def find_core_3x2(masks, budget=None):
    """Find a 3x2 "collision" core of a one-hidden-layer pattern (no 2x2 core needed).

    Hypotheses: hidden neurons k1 != k2, columns c0 != c1 read by both, rows
    r0, r1, r2 with (r0, c0), (r0, c1) covered by k1 alone, (r1, c0), (r1, c1)
    covered by k2 alone, and (r2, c1) covered by exactly {k1, k2}.

    Claim: ``A`` with rows ``A[r0] = A[r1] = e_{c0}``, ``A[r2] = e_{c1}`` on the
    block (zero elsewhere) lies in ``cl(L_I)`` but not in ``L_I``.  Limit: with
    v1 = W1[k1, :] = e_{c0}, v2 = W1[k2, :] = e_{c0} + t e_{c1},
    W2[r0,k1] = W2[r1,k2] = 1, W2[r2,k1] = -1/t, W2[r2,k2] = 1/t, row r2 of
    the product is (v2 - v1)/t = e_{c1}, and the other rows tend to A.
    Not attained: rows r0, r1 force ``W1[k1,c1] = W1[k2,c1] = 0``, so entry
    (r2, c1) would be 0.  As a Nullstellensatz identity, with a = W2[r0,k1],
    p = W1[k1,c0], q = W1[k1,c1], b = W2[r1,k2], x = W1[k2,c0], y = W1[k2,c1],
    c = W2[r2,k1], d = W2[r2,k2] and e1 = a p - 1, e2 = a q, e3 = b x - 1,
    e4 = b y, e5 = c q + d y - 1:
    ``(-c q) e1 + (c p) e2 + (-d y) e3 + (d x) e4 - e5 = 1``.
    The pattern of the non-closed 3-2-2 example ``M_1 = ones(2,2)``,
    ``M_2 = [[1,0],[0,1],[1,1]]`` has this core and no 2x2 core.

    Returns ``{"k1", "k2", "r0", "r1", "r2", "c0", "c1"}`` or None.
    """
    M1, M2 = masks
    n0, n1, n2 = len(M1[0]), len(M1), len(M2)
    RN = [sum(1 << k for k in range(n1) if M2[r][k]) for r in range(n2)]
    CN = [sum(1 << k for k in range(n1) if M1[k][c]) for c in range(n0)]
    Rb = [sum(1 << r for r in range(n2) if M2[r][k]) for k in range(n1)]
    Cb = [sum(1 << c for c in range(n0) if M1[k][c]) for k in range(n1)]
    one_in_col = [sum(1 << r for r in range(n2) if (RN[r] & CN[c]).bit_count() == 1) for c in range(n0)]
    # columns in which neuron k owns some row alone
    owned_cols = [[c for c in range(n0) if Cb[k] >> c & 1 and Rb[k] & one_in_col[c]] for k in range(n1)]
    cands = [k for k in range(n1) if len(owned_cols[k]) >= 2]
    for k1 in cands:
        if budget is not None:
            budget.check("time (witness search)")
        for k2 in cands:
            if k2 == k1 or not (Rb[k1] & Rb[k2]):
                continue
            if budget is not None:
                budget.check("time (witness search)")
            common = [c for c in owned_cols[k1] if c in owned_cols[k2]]
            for c1 in common:
                both = (1 << k1) | (1 << k2)
                r2s = [r for r in range(n2) if (RN[r] & CN[c1]) == both]
                if not r2s:
                    continue
                for c0 in common:
                    if c0 == c1:
                        continue
                    o1 = Rb[k1] & one_in_col[c0] & one_in_col[c1]
                    o2 = Rb[k2] & one_in_col[c0] & one_in_col[c1]
                    if o1 and o2:
                        r0 = (o1 & -o1).bit_length() - 1
                        r1 = (o2 & -o2).bit_length() - 1
                        return {"k1": k1, "k2": k2, "r0": r0, "r1": r1, "r2": r2s[0], "c0": c0, "c1": c1}
    return None


def _core_2x2_parts(core):
    """Target entries, family, equations and multipliers of a 2x2 core (see not_closed_certificate)."""
    k, k2, r, c, r2, c2 = (core[x] for x in ("k", "k2", "r", "c", "r2", "c2"))
    wa, wb, wx, wy = weight_name(2, r, k), weight_name(2, r2, k), weight_name(1, k, c), weight_name(1, k, c2)
    fam = {wa: INV_T, wb: T, wx: INV_T, wy: T, weight_name(2, r, k2): INV_T, weight_name(1, k2, c): -INV_T}
    eqs = [[r, c2], [r2, c], [r2, c2]]
    mult = [[["-1", sorted([[wb, 1], [wx, 1]])]], [["-1", []]], [["1", sorted([[wa, 1], [wx, 1]])]]]
    ones = [(r, c2), (r2, c)]
    text = (f"hidden neuron {k} covers the block, neuron {k2} also reaches entry ({r},{c}), and the other "
            f"three block entries are covered by neuron {k} alone")
    return ones, fam, eqs, mult, sorted((r, r2)), sorted((c, c2)), text


def _core_3x2_parts(core):
    k1, k2, r0, r1, r2, c0, c1 = (core[x] for x in ("k1", "k2", "r0", "r1", "r2", "c0", "c1"))
    a, p, q = weight_name(2, r0, k1), weight_name(1, k1, c0), weight_name(1, k1, c1)
    b, x, y = weight_name(2, r1, k2), weight_name(1, k2, c0), weight_name(1, k2, c1)
    cc, d = weight_name(2, r2, k1), weight_name(2, r2, k2)
    fam = {a: ONE, p: ONE, b: ONE, x: ONE, y: T, cc: -INV_T, d: INV_T}
    eqs = [[r0, c0], [r0, c1], [r1, c0], [r1, c1], [r2, c1]]
    mult = [[["-1", sorted([[cc, 1], [q, 1]])]], [["1", sorted([[cc, 1], [p, 1]])]],
            [["-1", sorted([[d, 1], [y, 1]])]], [["1", sorted([[d, 1], [x, 1]])]], [["-1", []]]]
    ones = [(r0, c0), (r1, c0), (r2, c1)]
    text = (f"hidden neurons {k1} and {k2} read columns {c0},{c1}; rows {r0} and {r1} are theirs alone and row "
            f"{r2} at column {c1} is reached by exactly these two: rows {r0},{r1} force both to ignore column "
            f"{c1}, yet (v{k2} - v{k1})/t tends to e_{c1}")
    return ones, fam, eqs, mult, sorted((r0, r1, r2)), sorted((c0, c1)), text


def _transpose_parts(parts):
    """Map core data found on the transposed pattern back: w1_i_j <-> w2_j_i, (r, c) <-> (c, r)."""
    ones, fam, eqs, mult, rows, cols, text = parts

    def ren(name):
        l, i, j = parse_weight_name(name)
        return weight_name(3 - l, j, i)

    fam = {ren(n): v for n, v in fam.items()}
    mult = [[[c, sorted([[ren(v), e] for v, e in mon])] for c, mon in m] for m in mult]
    return ([(c, r) for r, c in ones], fam, [[c, r] for r, c in eqs], mult, cols, rows,
            "in the transposed pattern, " + text)


def find_core(masks, budget=None):
    """The first certifiable core of a one-hidden-layer pattern: 2x2, then 3x2, then 2x3, then 3x3.

    The 3x3 search (:func:`find_core_3x3`) runs on its own budget: at most
    ``CORE3_BUDGET_SHARE`` of the remaining budget and ``CORE3_MAX_SECONDS``; when
    that share runs out it gives up (None) and the rest goes to the CAD route.

    Returns ``(kind, parts)`` with parts = (entries equal to 1 in the target,
    family, equations, multipliers, block rows, block columns, description),
    or None.  ``budget``: a :class:`cad.budget.Budget`, seconds, or None (no limit).
    """
    budget = None if budget is None else Budget.of(budget)
    core = find_core_2x2(masks, budget)
    if core is not None:
        return "2x2", _core_2x2_parts(core)
    core = find_core_3x2(masks, budget)
    if core is not None:
        return "3x2", _core_3x2_parts(core)
    tm = (tuple(zip(*masks[1])), tuple(zip(*masks[0])))
    core = find_core_3x2(tm, budget)
    if core is not None:
        return "2x3", _transpose_parts(_core_3x2_parts(core))
    # when the 3x3 search's own share runs out, the rest goes to the CAD route
    core = Budget.run_share(budget, CORE3_BUDGET_SHARE, CORE3_MAX_SECONDS, find_core_3x3, masks,
                            what="time (witness search (3x3))")
    if core is not None:
        A, fam, eqs, mult, rows, cols, text = core
        ones = [(r, c) for r in rows for c in cols if A[r][c]]
        return "3x3", (ones, fam, eqs, mult, rows, cols, text)
    return None


def _rect_cover(entries, neurons, Rb, Cb):
    """Assign the 1-entries ``entries`` to distinct neurons, each taking an all-ones rectangle
    inside its support: returns {k: (rows, cols)} or None (small exhaustive search)."""
    if not entries:
        return {}
    r0, c0 = min(entries)
    for n, k in enumerate(neurons):
        if not (Rb[k] >> r0 & 1 and Cb[k] >> c0 & 1):
            continue
        rs = sorted({r for r, c in entries if c == c0 and Rb[k] >> r & 1})
        cs = sorted({c for r, c in entries if r == r0 and Cb[k] >> c & 1})
        # every sub-rectangle containing (r0, c0) of the maximal candidate
        for mr in range(1, 1 << len(rs)):
            rr = [rs[q] for q in range(len(rs)) if mr >> q & 1]
            if r0 not in rr:
                continue
            for mc in range(1, 1 << len(cs)):
                cc = [cs[q] for q in range(len(cs)) if mc >> q & 1]
                if c0 not in cc or not all((r, c) in entries for r in rr for c in cc):
                    continue
                rest = entries - {(r, c) for r in rr for c in cc}
                sub = _rect_cover(rest, neurons[:n] + neurons[n + 1:], Rb, Cb)
                if sub is not None:
                    sub[k] = (rr, cc)
                    return sub
    return None


def _hook_family(A, rows, cols, neurons, Rb, Cb):
    """An escaping family with limit A (0/1 on the block rows x cols), or None.

    Collision of two neurons k, k' sharing a row i and a column j:
    ``u_k = e_i / t + a``, ``v_k = e_j + t b``, ``u_k' = -e_i / t + a'``, ``v_k' = e_j + t b'``
    (a, b on the supports of k, a', b' on those of k').  Then
    ``u_k v_k^T + u_k' v_k'^T = e_i (b - b')^T + (a + a') e_j^T + t (a b^T + a' b'^T)``:
    the limit is any "hook" ``e_i w^T + z e_j^T`` with w on C_k u C_k' and z on R_k u R_k'.
    The rest of A is a sum of all-ones rectangles, one per remaining neuron (``_rect_cover``).
    Returns (family {name: _R}, description) or None.
    """
    ones = {(r, c) for r in rows for c in cols if A[r][c]}
    for x in range(len(neurons)):
        for y in range(len(neurons)):
            k, k2 = neurons[x], neurons[y]
            if k == k2:
                continue
            Ri, Cj = Rb[k] & Rb[k2], Cb[k] & Cb[k2]
            for i in rows:
                if not Ri >> i & 1:
                    continue
                for j in cols:
                    if not Cj >> j & 1:
                        continue
                    hc = [c for c in cols if (Cb[k] | Cb[k2]) >> c & 1]
                    hr = [r for r in rows if (Rb[k] | Rb[k2]) >> r & 1 and r != i]
                    H = {(i, c) for c in hc} | {(r, j) for r in hr}
                    rest = ones - H
                    others = [q for q in neurons if q not in (k, k2)]
                    cover = _rect_cover(rest, others, Rb, Cb)
                    if cover is None:
                        continue
                    fam = {weight_name(2, i, k): INV_T, weight_name(1, k, j): ONE,
                           weight_name(2, i, k2): -INV_T, weight_name(1, k2, j): ONE}

                    def add(name, v):
                        fam[name] = fam[name] + v if name in fam else v
                    for c in hc:
                        if A[i][c]:
                            if Cb[k] >> c & 1:
                                add(weight_name(1, k, c), T)         # b_c = 1
                            else:
                                add(weight_name(1, k2, c), -T)       # b'_c = -1
                    for r in hr:
                        if A[r][j]:
                            add(weight_name(2, r, k) if Rb[k] >> r & 1 else weight_name(2, r, k2), ONE)
                    for q, (rr, cc) in cover.items():
                        for r in rr:
                            add(weight_name(2, r, q), ONE)
                        for c in cc:
                            add(weight_name(1, q, c), ONE)
                    fam = {n: v for n, v in fam.items() if v.n != 0}
                    text = (f"hidden neurons {k} and {k2} collide on entry ({i},{j}) (u = +-e_{i}/t + ..., "
                            f"v = e_{j} + t ...), their difference quotient giving the hook on row {i} / "
                            f"column {j}; the rest of A is "
                            + (", ".join(f"rows {rr} x cols {cc} from neuron {q}" for q, (rr, cc) in
                                         sorted(cover.items())) or "zero"))
                    return fam, text
    return None


def find_core_3x3(masks, budget=None, max_blocks=None):
    """A 3x3 block (R' x C') with a missing 0/1 point: escaping family and Nullstellensatz proof.

    For each block of 3 output rows and 3 input columns (at most ``CORE3_MAX_BLOCKS``,
    with at most ``CORE3_MAX_NEURONS`` hidden neurons linking it), every 0/1 matrix A on
    the covered block entries that has a collision ("hook") escaping family
    (:func:`_hook_family`) is tested for non-membership by a graded Nullstellensatz
    search of bounded degree (:func:`nss_graded`).  Block projection (see
    :func:`find_core_2x2`) lifts A (zero outside the block) to the whole pattern; the
    certificate's identity involves block entries only.  Each (sub-pattern, A) is tried
    once (cache).  Returns ``(A, family, equations, multipliers, rows, cols, text)`` or None.
    """
    M1, M2 = masks
    n0, n1, n2 = len(M1[0]), len(M1), len(M2)
    if n1 < 2:
        return None
    Rb = [sum(1 << r for r in range(n2) if M2[r][k]) for k in range(n1)]
    Cb = [sum(1 << c for c in range(n0) if M1[k][c]) for k in range(n1)]
    seen = set()
    nblocks = 0
    cap = CORE3_MAX_BLOCKS if max_blocks is None else max_blocks
    for rows in combinations(range(n2), min(3, n2)):
        rmask = sum(1 << r for r in rows)
        for cols in combinations(range(n0), min(3, n0)):
            if min(len(rows), len(cols)) < 2:
                return None
            cmask = sum(1 << c for c in cols)
            neurons = [k for k in range(n1) if Rb[k] & rmask and Cb[k] & cmask]
            if len(neurons) < 2 or len(neurons) > CORE3_MAX_NEURONS:
                continue
            nblocks += 1
            if nblocks > cap:
                return None
            if budget is not None:
                budget.check("time (witness search (3x3))")
            key = tuple(sorted((Rb[k] & rmask, Cb[k] & cmask) for k in neurons)), rows, cols
            if key in seen:
                continue
            seen.add(key)
            ring = None
            covered = [(r, c) for r in rows for c in cols if any(Rb[k] >> r & 1 and Cb[k] >> c & 1 for k in neurons)]
            # targets by increasing number of ones (the sparse ones are the natural witnesses)
            subsets = sorted(range(1, 1 << len(covered)), key=lambda m: (m.bit_count(), m))
            for step, m in enumerate(subsets):
                if budget is not None and step % 32 == 0:
                    budget.check("time (witness search (3x3))")
                A = [[0] * n0 for _ in range(n2)]
                for q, (r, c) in enumerate(covered):
                    if m >> q & 1:
                        A[r][c] = 1
                if _rect_cover({(r, c) for r, c in covered if A[r][c]}, neurons, Rb, Cb) is not None:
                    continue      # A is visibly in L_I: disjoint all-ones rectangles, one per neuron
                fam = _hook_family(A, rows, cols, neurons, Rb, Cb)
                if fam is None:
                    continue
                if ring is None:
                    ring = nss_ring(masks, rows, cols)
                nss = nss_graded(masks, rows, cols, A, budget, ring)
                if nss is None:
                    continue
                return A, fam[0], nss[0], nss[1], list(rows), list(cols), fam[1]
    return None
