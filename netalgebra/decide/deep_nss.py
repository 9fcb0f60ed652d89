"""Deep witnesses seen only by all layers together: a partial-permutation target, a graded
Nullstellensatz identity over the entries of the whole product, and an exact escaping family.

Some deep patterns are not closed although no grouped pattern has a core: grouping at a hidden
layer (:mod:`netalgebra.decide.deep_cores`) forgets that the path sums of different entries share
weights, and the grouped pattern may attain every matrix.  Example: ``random:3,3,3,3:0.5:7``, whose
escaping family tends to the permutation matrix ``P = [[0,1,0],[1,0,0],[0,0,1]]``; both grouped
patterns (at hidden layers 1 and 2) contain ``P``, but ``W_3 W_2 W_1 = P`` has no solution.

**Targets.**  0/1 matrices ``A`` with at most one 1 in each row and each column (partial
permutations), with at least two 1s, all inside ``K`` (the entries joined by a path), largest
first, and no more 1s than the generic rank of the product (:func:`_generic_rank`: a matrix of
larger rank is not in the closure of ``L_I``).  Which targets are tried only affects which
patterns are decided, never a verdict.

**Non-attainment (proved).**  Let ``f_e = phi_e - A_e`` for the entries ``e = (r, c)`` joined by a
path, ``phi_e`` the sum over the paths ``c -> r`` of their weight products.  An identity
``sum_e m_e f_e = 1`` with polynomial multipliers shows that ``phi(theta) = A`` has no solution,
not even a complex one: at a solution the left side would be 0.  The unknown coefficients of the
``m_e`` over chosen monomials satisfy linear equations (a Macaulay matrix), solved modulo a prime
and then exactly over Q (:func:`netalgebra.decide.nullstellensatz.solve_macaulay`); the verifier
re-expands the identity with its own product map, so how the monomials are chosen matters for
completeness only.  They are chosen by two gradings under which every ``f_e`` is homogeneous:
(i) for each live hidden neuron ``h``, weights into ``h`` have degree +1 and weights out of ``h``
degree -1 in the coordinate of ``h`` (a path enters and leaves ``h`` equally often, so ``phi_e``,
like the constant ``A_e``, has degree 0); (ii) rows and columns of the target joined by a 1 of
``A`` share a class ``rho``; a weight of ``W_L`` in row ``r`` has degree ``+rho(r)``, a weight of
``W_1`` in column ``c`` degree ``-rho(c)``, so a path ``c -> r`` has degree ``rho(r) - rho(c)``,
which is 0 when ``A_{r,c} != 0``.  The homogeneous part of degree 0 of any identity is again an
identity, in which ``m_e`` has the degree opposite to that of ``f_e``; so only such monomials are
needed.  A monomial of degree 0 in grading (i) is a multiset of edges entering and leaving every
hidden neuron equally often, a flow, which decomposes into input -> output paths: a product of
path monomials.  The candidates are the products of at most :data:`MAX_PATHS` path monomials with
the required degree in grading (ii).

**Escaping family.**  :func:`netalgebra.decide.deep_cores._projection_family` draws inner layers
as monomials in ``t`` and solves the last layer (or, transposed, the first) by exact projection;
a family is kept only when ``phi(theta(t)) -> A`` and a pole at ``t = 0`` are checked exactly.

Together: ``A`` lies in the closure of ``L_I`` and not in ``L_I``, so ``L_I`` is not closed.
The certificate is that of the other deep cores
(:func:`netalgebra.decide.certify.deep_not_closed_certificate`), re-checked by ``verify``.
"""

import random
from fractions import Fraction
from itertools import combinations, combinations_with_replacement, permutations

from flint import nmod_mat

from cad.budget import Budget
from cad.errors import BudgetExceeded
from netalgebra.decide.deep_cores import _projection_family
from netalgebra.decide.family import fraction_text
from netalgebra.decide.nullstellensatz import solve_macaulay
from netalgebra.naming import weight_name
from netalgebra.theorems.structure import DisjointSets, live_neurons

__all__ = ["find_permutation_core", "permutation_identity", "MAX_PATHS"]

MAX_PATHS = 2                # multipliers: products of at most this many path monomials
MAX_MATRIX = 3000            # rows or columns of a Macaulay matrix beyond which a degree is skipped
MAX_TARGETS = 400            # targets tried at most
FAMILY_TRIES = 80            # draws of the projection family per target with an identity
SHARE, MAX_SECONDS = 0.25, 3.0  # the search's share of the remaining budget, at most this


def _live_paths(masks, budget=None):
    """``(variables, paths, products)``: the live weights ``(l, i, j)`` (``l`` 1-based); per input ->
    output path ``(r, c, exponent tuple over the variables)``; and for ``k <= MAX_PATHS`` the distinct
    products of ``k`` path monomials, as ``(exponents, endpoints of the paths)``."""
    live = live_neurons(masks)
    vars_ = [(l, i, j) for l, m in enumerate(masks, start=1) for i, row in enumerate(m)
             for j, x in enumerate(row) if x and i in live[l] and j in live[l - 1]]
    idx = {v: n for n, v in enumerate(vars_)}
    paths = []
    for c in sorted(live[0]):
        partial = [(c, ())]
        for l, m in enumerate(masks, start=1):
            partial = [(i, p + (idx[(l, i, j)],)) for j, p in partial for i in sorted(live[l]) if m[i][j]]
        for r, p in partial:
            e = [0] * len(vars_)
            for x in p:
                e[x] += 1
            paths.append((r, c, tuple(e)))
    products = {}
    for k in range(MAX_PATHS + 1):
        seen = {}
        for combo in combinations_with_replacement(range(len(paths)), k):
            e = [0] * len(vars_)
            for x in combo:
                for q, v in enumerate(paths[x][2]):
                    e[q] += v
            seen.setdefault(tuple(e), tuple(paths[x][:2] for x in combo))
            if budget is not None and len(seen) % 4096 == 0:
                budget.check("time (deep Nullstellensatz)")
        if len(seen) > MAX_MATRIX:
            break               # the Macaulay matrices of this degree would be too large anyway
        products[k] = list(seen.items())
    return vars_, paths, products


def _generic_rank(masks, seed=0, p=1000003):
    """The rank of ``W_L ... W_1`` at random weights modulo ``p``: with high probability the generic
    rank ``r`` of the product, and never above it.  Every matrix of ``L_I``, hence of its closure, has
    rank <= ``r``, so a target of larger rank is not tried (a low draw only skips targets)."""
    rng = random.Random(seed)
    P = nmod_mat([[int(i == j) for j in range(len(masks[0][0]))] for i in range(len(masks[0][0]))], p)
    for m in masks:
        P = nmod_mat([[rng.randrange(1, p) if x else 0 for x in row] for row in m], p) * P
    return P.rank()


def _targets(masks, K):
    """Partial-permutation 0/1 targets (tuples of their 1s) inside ``K``, at least two 1s and at most
    the generic rank of 1s, larger first."""
    nL, n0 = len(masks[-1]), len(masks[0][0])
    out = []
    for k in range(min(nL, n0, _generic_rank(masks)), 1, -1):
        for R in combinations(range(nL), k):
            for C in combinations(range(n0), k):
                for perm in permutations(C):
                    ones = tuple(zip(R, perm))
                    if all((r, c) in K for r, c in ones):
                        out.append(ones)
                        if len(out) >= MAX_TARGETS:
                            return out
    return out


def permutation_identity(masks, ones, budget=None, ring=None):
    """A Nullstellensatz identity ``sum_e m_e (phi_e - A_e) = 1`` for the 0/1 target with 1s at
    ``ones`` (module docstring), as ``(equations, multipliers)`` in certificate format, or None."""
    vars_, paths, products = ring if ring is not None else _live_paths(masks, budget)
    nv = len(vars_)
    ones = set(ones)
    sets = DisjointSets([("r", i) for i in range(len(masks[-1]))] + [("c", j) for j in range(len(masks[0][0]))])
    for r, c in ones:
        sets.union(("r", r), ("c", c))
    comp = {x: n for n, x in enumerate(sorted(sets.classes()))}

    def grade(ends):            # grading (ii) of a product of paths with these (r, c), sparse
        g = {}
        for r, c in ends:
            a, b = comp[sets.find(("r", r))], comp[sets.find(("c", c))]
            if a != b:
                g[a], g[b] = g.get(a, 0) + 1, g.get(b, 0) - 1
        return tuple(sorted((a, v) for a, v in g.items() if v))

    eqs = {}
    for r, c, e in paths:
        eqs.setdefault((r, c), {})
        eqs[(r, c)][e] = eqs[(r, c)].get(e, 0) + 1
    order = sorted(eqs)
    zero = (0,) * nv
    for rc in ones:
        eqs[rc][zero] = eqs[rc].get(zero, 0) - 1
    want = {rc: tuple((a, -v) for a, v in grade([rc])) for rc in order}
    mons = {}                   # (number of paths, grade) -> exponent tuples
    for k, items in products.items():
        for e, ends in items:
            mons.setdefault((k, grade(ends)), []).append(e)
    for D in range(len(products)):
        unk = [(rc, m) for rc in order for k in range(D + 1) for m in mons.get((k, want[rc]), [])]
        if len(unk) > MAX_MATRIX:
            return None
        rowidx, entries = {zero: 0}, []
        for col, (rc, m) in enumerate(unk):
            for mon, co in eqs[rc].items():
                key = tuple(a + b for a, b in zip(m, mon))
                entries.append((rowidx.setdefault(key, len(rowidx)), col, Fraction(co)))
        if not unk:
            continue
        if len(rowidx) > MAX_MATRIX:
            return None
        sol = solve_macaulay(entries, len(rowidx), len(unk), budget)
        if sol == "too large":
            return None
        if sol is None:
            continue
        mults = {}
        for col, val in sol.items():
            if val != 0:
                rc, m = unk[col]
                mono = sorted([weight_name(*vars_[q]), x] for q, x in enumerate(m) if x)
                mults.setdefault(rc, []).append([fraction_text(Fraction(int(val.p), int(val.q))), mono])
        keep = sorted(mults)
        return [list(rc) for rc in keep], [mults[rc] for rc in keep]
    return None


def find_permutation_core(masks, budget=None):
    """A witness of the module docstring for a pattern with ``L >= 3`` layers, in the layout of
    :func:`netalgebra.decide.deep_cores.find_deep_core`, or None (also when its share of ``budget``,
    :data:`SHARE` of the rest and at most :data:`MAX_SECONDS`, runs out)."""
    if len(masks) < 3:
        return None
    left = None if budget is None else budget.remaining()
    seconds = MAX_SECONDS if left is None else min(MAX_SECONDS, SHARE * left)
    inner = Budget(seconds) if budget is None else budget.sub(seconds)
    try:
        return _search(masks, inner)
    except BudgetExceeded:
        if budget is not None:
            budget.check("time (deep Nullstellensatz)")
        return None


def _search(masks, budget):
    ring = _live_paths(masks, budget)
    K = {(r, c) for r, c, _ in ring[1]}
    for ones in _targets(masks, K):
        budget.check("time (deep Nullstellensatz)")
        found = permutation_identity(masks, ones, budget, ring)
        if found is None:
            continue
        fam = _projection_family(masks, set(ones), budget, tries=FAMILY_TRIES)
        if fam is None:
            continue
        eqs, mult = found
        rows, cols = sorted(r for r, _ in ones), sorted(c for _, c in ones)
        text = (f"the 0/1 target with 1s at {sorted(ones)} is a limit of the escaping family and is not "
                f"attained: a graded Nullstellensatz identity over {len(eqs)} entries of the whole product")
        return "deep permutation", (sorted(ones), fam, eqs, mult, rows, cols, text)
    return None
