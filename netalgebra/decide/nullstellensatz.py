"""Non-membership proofs for the 3x3 core search: a graded Nullstellensatz identity of
bounded degree, found modulo a prime and then solved exactly over Q.

An identity ``sum_e m_e (phi_e - A_e) = 1`` over block entries e shows that the product
map never takes the value A on the block.  Solving modulo p may miss an identity that
exists over Q (never produce a wrong one); the exact solve and the verifier's own
re-expansion make every returned identity correct.
"""

from fractions import Fraction
from itertools import combinations_with_replacement

from flint import fmpq, fmpq_mat, nmod_mat

from netalgebra.decide.family import fraction_text
from netalgebra.naming import weight_name
from netalgebra.theorems.structure import DisjointSets

__all__ = ["CORE3_NSS_DEGREES", "nss_ring", "nss_graded", "solve_macaulay"]

CORE3_NSS_DEGREES = (0, 2, 4)
ELIMINATION_OPS_PER_SECOND = 2e8   # a safe (low) rate of elimination mod p in flint: n^3 operations for an n x n matrix


def nss_ring(masks, rows, cols):
    """Variables of the block and the torus-invariant monomials of degree <= max(CORE3_NSS_DEGREES)
    (cached per block by :func:`find_core_3x3`; see :func:`nss_graded`)."""
    M1, M2 = masks
    n1 = len(M1)
    vars_ = []
    for k in range(n1):
        if any(M2[i][k] for i in rows) and any(M1[k][j] for j in cols):
            vars_ += [("u", k, i) for i in rows if M2[i][k]] + [("v", k, j) for j in cols if M1[k][j]]
    tor = [(1 if kind == "u" else -1, k) for kind, k, _ in vars_]
    mons = []
    for deg in range(max(CORE3_NSS_DEGREES) + 1):
        for combo in combinations_with_replacement(range(len(vars_)), deg):
            t = [0] * n1
            for x in combo:
                t[tor[x][1]] += tor[x][0]
            if not any(t):
                mons.append(combo)
    return vars_, mons


def nss_graded(masks, rows, cols, A, budget=None, ring=None):
    """A Nullstellensatz identity ``sum_e m_e (phi_e - A_e) = 1`` over the block entries, or None.

    Linear algebra in bounded degree (Macaulay matrix), cut down by two gradings
    under which every ``f_e = phi_e - A_e`` is homogeneous: the torus
    ``u_k -> s u_k, v_k -> v_k / s`` of each hidden neuron (u_k = W2[:,k],
    v_k = W1[k,:]), and row/column weights ``W2[i,k] : +rho_i``,
    ``W1[k,j] : -rho_j`` where rows and columns joined by a non-zero entry of
    A share their weight (connected components of supp A).  Taking the degree-0
    part of any identity gives one whose multiplier ``m_e`` is homogeneous of
    degree ``-deg f_e``, so only those monomials are unknowns (degrees
    ``CORE3_NSS_DEGREES`` in turn).  Infeasibility modulo a prime skips a degree
    (at worst a missed identity, never a wrong one); the multipliers are then
    solved exactly over Q, and the identity is re-expanded by the verifier anyway.
    Returns ``(equations, multipliers)`` in certificate format, or None.
    """
    M1, M2 = masks
    n1 = len(M1)
    vars_, mons = ring if ring is not None else nss_ring(masks, rows, cols)
    idx = {v: n for n, v in enumerate(vars_)}
    nv = len(vars_)
    sets = DisjointSets([("r", i) for i in rows] + [("c", j) for j in cols])
    for i in rows:
        for j in cols:
            if A[i][j]:
                sets.union(("r", i), ("c", j))
    find = sets.find
    comps = {c: n for n, c in enumerate(sorted(sets.classes()))}
    vc = [(1 if kind == "u" else -1, comps[find(("r" if kind == "u" else "c", a))]) for kind, k, a in vars_]
    eqs = []
    for i in rows:
        for j in cols:
            terms = {}
            for k in range(n1):
                if M2[i][k] and M1[k][j]:
                    e = [0] * nv
                    e[idx[("u", k, i)]] += 1
                    e[idx[("v", k, j)]] += 1
                    terms[tuple(e)] = 1
            if not terms:
                if A[i][j]:
                    return None
                continue
            if A[i][j]:
                terms[(0,) * nv] = -Fraction(A[i][j])
            d = [0] * len(comps)
            d[comps[find(("r", i))]] -= 1
            d[comps[find(("c", j))]] += 1
            eqs.append(((i, j), terms, tuple(d)))
    buckets = {}
    for combo in mons:
        d = [0] * len(comps)
        for x in combo:
            d[vc[x][1]] += vc[x][0]
        buckets.setdefault((len(combo), tuple(d)), []).append(combo)
    for D in CORE3_NSS_DEGREES:
        if budget is not None:
            budget.check("time (witness search (Nullstellensatz))")
        unk = [(ne, combo) for ne, (_, _, want) in enumerate(eqs) for deg in range(D + 1)
               for combo in buckets.get((deg, want), [])]
        if not unk:
            continue
        rowidx = {(0,) * nv: 0}
        entries = []
        for c, (ne, combo) in enumerate(unk):
            e0 = [0] * nv
            for x in combo:
                e0[x] += 1
            for mon, co in eqs[ne][1].items():
                m = tuple(a + b for a, b in zip(e0, mon))
                entries.append((rowidx.setdefault(m, len(rowidx)), c, Fraction(co)))
        nr, nc = len(rowidx), len(unk)
        if nr > 4000 or nc > 4000:
            return None     # too large for this bounded search
        sol = solve_macaulay(entries, nr, nc, budget)
        if sol is None:
            continue
        if sol == "too large":
            return None
        mults = [[] for _ in eqs]
        for c, val in sol.items():
            if val == 0:
                continue
            ne, combo = unk[c]
            mon = {}
            for x in combo:
                kind, k, a = vars_[x]
                nm = weight_name(2, a, k) if kind == "u" else weight_name(1, k, a)
                mon[nm] = mon.get(nm, 0) + 1
            mults[ne].append([fraction_text(Fraction(int(val.p), int(val.q))), sorted([n, e] for n, e in mon.items())])
        keep = [n for n in range(len(eqs)) if mults[n]]
        return [list(eqs[n][0]) for n in keep], [mults[n] for n in keep]
    return None


def solve_macaulay(entries, nr, nc, budget=None, p=1000003):
    """Solve ``M x = e_0`` exactly for the sparse Macaulay matrix ``entries`` (``(row, col, Fraction)``,
    ``nr x nc``; row 0 is the constant monomial): first modulo the prime ``p`` (rank test, pivot
    columns), then over Q on those pivot columns.  Returns ``{column: fmpq}`` (a solution), None when
    there is none modulo ``p`` or over Q on the pivots (a solution over Q may rarely be missed, never
    a wrong one), or ``"too large"`` when the elimination would not end within ``budget``."""
    rem = budget.remaining() if budget is not None else None
    if rem is not None and nr * nc * min(nr, nc) > ELIMINATION_OPS_PER_SECOND * rem:
        return "too large"   # one elimination in flint cannot be interrupted: do not start what cannot end in time
    Mm = nmod_mat(nr, nc + 1, p)
    for r, c, co in entries:
        Mm[r, c] = Mm[r, c] + co.numerator * pow(co.denominator, -1, p)
    rk = Mm.rank()
    Mm[0, nc] = 1
    if budget is not None:
        budget.check("time (witness search (Nullstellensatz))")
    if Mm.rank() > rk:
        return None       # no solution modulo p
    if budget is not None:
        budget.check("time (witness search (Nullstellensatz))")
    R, rk_aug = Mm.rref()
    pivs = [next(c for c in range(nc + 1) if R[r, c] != 0) for r in range(rk_aug)]
    if pivs and pivs[-1] == nc:
        return None
    # exact solve over Q on the pivot columns found modulo p: row-reduce [M_piv | e_0]
    pos = {c: n for n, c in enumerate(pivs)}
    Q = fmpq_mat(nr, len(pivs) + 1)
    for r, c, co in entries:
        if c in pos:
            Q[r, pos[c]] = Q[r, pos[c]] + fmpq(co.numerator, co.denominator)
    Q[0, len(pivs)] = 1
    if budget is not None:
        budget.check("time (witness search (Nullstellensatz))")
    R, rank = Q.rref()
    sol = {}
    for r in range(rank):
        piv = next(c for c in range(len(pivs) + 1) if R[r, c] != 0)
        if piv == len(pivs):
            return None
        sol[pivs[piv]] = R[r, len(pivs)]
    return sol
