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

**Rotated equations (proved).**  For a permutation target of an ``n x n`` pattern with a hidden
layer of ``n`` live neurons ``S``, :func:`rotated_identity` adds the equations ``Y_S A^T X_S = I`` of
the product cut there (``X_S Y_S = A`` with square ``X_S``, ``Y_S``); they hold wherever ``A`` is attained, are of degree
``L`` and make low-degree identities exist where the ``f_e`` alone need high degree (proof in
:func:`netalgebra.certificate.not_closed._rotated_combination`; the certificate kind is
``"deep rotated permutation"``).  It is tried first on such targets, then the identity above.

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
from netalgebra.decide.deep_cores import _projection_family
from netalgebra.decide.family import fraction_text
from netalgebra.decide.nullstellensatz import solve_macaulay
from netalgebra.naming import weight_name
from netalgebra.theorems.structure import DisjointSets, live_masks, live_neurons

__all__ = ["find_permutation_core", "permutation_identity", "rotated_identity", "MAX_PATHS"]

MAX_PATHS = 2                # multipliers: products of at most this many path monomials
MAX_MATRIX = 3000            # rows or columns of a Macaulay matrix beyond which a degree is skipped
MAX_TARGETS = 400            # targets tried at most
FAMILY_TRIES = 160           # draws of the projection family per target with an identity
SHARE, MAX_SECONDS = 0.3, 4.0   # the search's share of the remaining budget, at most this


def _live_paths(masks, budget=None):
    """``(variables, paths, products)``: the live weights ``(l, i, j)`` (``l`` 1-based); per input ->
    output path ``(r, c, exponent tuple over the variables)``; and for ``k <= MAX_PATHS`` the distinct
    products of ``k`` path monomials, as ``(exponents, endpoints of the paths)``."""
    live = live_neurons(masks)
    vars_ = [(l, i, j) for l, m in enumerate(live_masks(masks, live), start=1) for i, row in enumerate(m)
             for j, x in enumerate(row) if x]
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
            if len(seen) > MAX_MATRIX:
                return vars_, paths, products   # the Macaulay matrices of this degree would be too large anyway
            if budget is not None and len(seen) % 1024 == 0:
                budget.check("time (deep Nullstellensatz)")
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


ROTATED_DEGREES = ((0, 1, 2), (3,))   # multiplier degrees of the rotated identity: a pass over every target each


def _partial_products(masks, lo, hi, idx):
    """Entries of ``W_hi ... W_{lo+1}`` as ``{(i, j): {sorted tuple of variable indices: 1}}`` (the
    neurons ``i`` of layer ``hi`` and ``j`` of layer ``lo``; weights ``(l, i, j)`` indexed by ``idx``)."""
    cur = {(j, j): {(): 1} for j in range(len(masks[lo][0]))}
    for l in range(lo + 1, hi + 1):
        nxt = {}
        for (a, c), poly in cur.items():
            for i, row in enumerate(masks[l - 1]):
                if row[a] and (l, i, a) in idx:
                    acc = nxt.setdefault((i, c), {})
                    for mon, co in poly.items():
                        key = tuple(sorted(mon + (idx[(l, i, a)],)))
                        acc[key] = acc.get(key, 0) + co
        cur = nxt
    return cur


class RotatedRing:
    """What :func:`rotated_identity` needs of a pattern whatever the target, built once per pattern:
    the weights, the whole product and the two halves of each square cut, and the monomials of each
    degree bucketed by their degree in grading (i) (the hidden neurons), with the first- and
    last-layer weights that grading (ii) reads once the target's classes are known."""

    def __init__(self, masks):
        self.n, self.L = len(masks[0][0]), len(masks)
        self.live = live_neurons(masks)      # a cut layer needs exactly n live neurons (X_S, Y_S square)
        self.cuts = [k for k in range(1, self.L) if len(self.live[k]) == self.n] if len(masks[-1]) == self.n else []
        self.vars_ = [(l, i, j) for l, m in enumerate(live_masks(masks, self.live), start=1)
                      for i, row in enumerate(m) for j, x in enumerate(row) if x]     # the live weights
        idx = {v: q for q, v in enumerate(self.vars_)}
        self.whole = _partial_products(masks, 0, self.L, idx)
        self.halves = {k: (_partial_products(masks, 0, k, idx), _partial_products(masks, k, self.L, idx))
                       for k in self.cuts}
        self.by_hidden = {}      # degree -> {grade (i): [(monomial, its weights' ends)]}

    def hidden_grade(self, mon):
        """Degree of a monomial in grading (i): +1 per weight into a hidden neuron, -1 per weight out."""
        g = {}
        for q in mon:
            l, i, j = self.vars_[q]
            if l < self.L:
                g[(l, i)] = g.get((l, i), 0) + 1
            if l > 1:
                g[(l - 1, j)] = g.get((l - 1, j), 0) - 1
        return tuple(sorted((k, v) for k, v in g.items() if v))

    def ends(self, mon):
        """The monomial's last-layer rows (+1) and first-layer columns (-1), read by grading (ii)."""
        out = []
        for q in mon:
            l, i, j = self.vars_[q]
            if l == self.L:
                out.append((1, i, None))
            if l == 1:
                out.append((-1, None, j))
        return tuple(out)

    def monomials(self, D, budget=None):
        """``{grade (i): [(monomial, ends)]}`` of the monomials of degree ``D`` (cached)."""
        if D not in self.by_hidden:
            out = {}
            for n_mon, mon in enumerate(combinations_with_replacement(range(len(self.vars_)), D)):
                out.setdefault(self.hidden_grade(mon), []).append((mon, self.ends(mon)))
                if budget is not None and n_mon % 1024 == 0:
                    budget.check("time (deep Nullstellensatz)")
            self.by_hidden[D] = out
        return self.by_hidden[D]


def rotated_identity(masks, ones, budget=None, degrees=(0, 1, 2), ring=None):
    """An identity ``sum_e m_e f_e + sum_ab m_ab g_ab = 1`` for a permutation target ``A`` (1s at
    ``ones``) of an ``n x n`` pattern, with the rotated equations ``g_ab`` of every hidden layer with
    ``n`` live neurons (:func:`netalgebra.certificate.not_closed._rotated_combination` proves that they
    vanish wherever ``phi = A``), as the certificate's ``non_attainment`` object, or None.

    Rotation puts the layers ``k+1..L`` before ``1..k``: the equations are of degree ``L`` like the
    ``f_e``, but hold only where ``A`` is attained, so low-degree multipliers often suffice where the
    ``f_e`` alone may need degree ``3L``.  Example: when no cycle ``a -> output r -> input c -> a`` with
    ``A_rc = 1`` passes a neuron ``a`` of the cut layer, ``g_aa = -1`` and ``m_aa = -1`` is an
    identity.  The multipliers are all monomials of degree ``<= max(degrees)`` of the
    degree opposite to their equation's in the gradings of the module docstring (every ``f_e`` and
    ``g_ab`` is homogeneous in both: a rotated path crosses the cut neurons ``b`` then ``a``, with
    degree ``e_a - e_b`` in grading (i), and passes ``r`` then ``c`` of the same class in (ii)); a
    column whose product has a non-constant monomial no other column has cannot be used and is dropped first.
    ``degrees``: the multiplier degrees tried, in turn (each with all lower degrees included);
    ``ring``: the pattern's :class:`RotatedRing` (built here when None).  The columns are counted (and
    the budget checked) while they are built: more than :data:`MAX_MATRIX` before the unusable ones
    are dropped gives None (the next degrees have more)."""
    ring = RotatedRing(masks) if ring is None else ring
    n, ones = ring.n, set(ones)
    if not ring.cuts or len(ones) != n:
        return None
    cls = {r: q for q, (r, _) in enumerate(sorted(ones))}       # grading (ii): row r and column c of a 1
    col_cls = {c: cls[r] for r, c in ones}

    def class_grade(ends):
        g = {}
        for sign, r, c in ends:
            key = cls[r] if c is None else col_cls[c]
            g[key] = g.get(key, 0) + sign
        return tuple(sorted((k, v) for k, v in g.items() if v))

    eqs = []                    # (label, polynomial {sorted index tuple: coefficient})
    for (r, c), poly in sorted(ring.whole.items()):
        eqs.append(((None, r, c), {**poly, (): -1} if (r, c) in ones else dict(poly)))
    for k in ring.cuts:
        Y, X = ring.halves[k]
        for a in sorted(ring.live[k]):
            for b in sorted(ring.live[k]):
                g = {(): -1} if a == b else {}
                for r, c in ones:
                    for m1, c1 in Y.get((a, c), {}).items():
                        for m2, c2 in X.get((r, b), {}).items():
                            key = tuple(sorted(m1 + m2))
                            g[key] = g.get(key, 0) + c1 * c2
                g = {m: v for m, v in g.items() if v}
                if g:
                    eqs.append(((k, a, b), g))
    want = []                   # per equation: the (grade (i), grade (ii)) its multiplier must have
    for _, g in eqs:
        m = next((m for m in g if m), ())
        want.append((tuple((h, -v) for h, v in ring.hidden_grade(m)),
                     tuple((q, -v) for q, v in class_grade(ring.ends(m)))))
    for D in degrees:
        cols = []
        for q, (wh, wc) in enumerate(want):
            for d in range(D + 1):
                for m, ends in ring.monomials(d, budget).get(wh, ()):
                    if class_grade(ends) == wc:
                        cols.append((q, m, {tuple(sorted(m + mon)): co for mon, co in eqs[q][1].items()}))
                        if len(cols) > MAX_MATRIX:
                            return None          # too large before dropping: higher degrees are larger still
                        if budget is not None and len(cols) % 64 == 0:
                            budget.check("time (deep Nullstellensatz)")
        cols = _usable_columns(cols)
        rowidx, entries = {(): 0}, []
        for col, (_, _, prod) in enumerate(cols):
            for mon, co in prod.items():
                entries.append((rowidx.setdefault(mon, len(rowidx)), col, Fraction(co)))
        if not cols or len(rowidx) > MAX_MATRIX:
            continue
        sol = solve_macaulay(entries, len(rowidx), len(cols), budget)
        if sol == "too large":
            return None
        if sol is None:
            continue
        return _rotated_certificate_part(ring.vars_, eqs, cols, sol)
    return None


def _usable_columns(cols):
    """The columns ``(equation, multiplier monomial, product)`` left after dropping, repeatedly, a
    column with a non-constant monomial that no other column has (its coefficient is 0 in every
    solution of the Macaulay system, so dropping it loses no identity)."""
    count, where = {}, {}
    for q, (_, _, prod) in enumerate(cols):
        for mon in prod:
            count[mon] = count.get(mon, 0) + 1
            where.setdefault(mon, []).append(q)
    alive = set(range(len(cols)))
    stack = [mon for mon, x in count.items() if x == 1 and mon]
    while stack:
        mon = stack.pop()
        if count[mon] != 1:
            continue
        q = next(q for q in where[mon] if q in alive)
        alive.discard(q)
        for other in cols[q][2]:
            count[other] -= 1
            if count[other] == 1 and other:
                stack.append(other)
    return [cols[q] for q in sorted(alive)]


def _rotated_certificate_part(vars_, eqs, cols, sol):
    """The ``non_attainment`` object of a solved rotated identity (certificate format)."""
    plain, rotated = {}, {}
    for col, val in sol.items():
        if val == 0:
            continue
        q, m, _ = cols[col]
        (k, a, b), exps = eqs[q][0], {}
        for x in m:
            exps[weight_name(*vars_[x])] = exps.get(weight_name(*vars_[x]), 0) + 1
        term = [fraction_text(Fraction(int(val.p), int(val.q))), sorted([v, e] for v, e in exps.items())]
        (plain if k is None else rotated.setdefault(k, {})).setdefault((a, b), []).append(term)
    return {"method": "nullstellensatz", "equations": [list(e) for e in sorted(plain)],
            "multipliers": [plain[e] for e in sorted(plain)],
            "rotated": [{"cut": k, "equations": [list(e) for e in sorted(rotated[k])],
                         "multipliers": [rotated[k][e] for e in sorted(rotated[k])]} for k in sorted(rotated)]}


def find_permutation_core(masks, budget=None, rotated=True):
    """A witness of the module docstring for a pattern with ``L >= 3`` layers, in the layout of
    :func:`netalgebra.decide.deep_cores.find_deep_core`, or None (also when its share of ``budget``,
    :data:`SHARE` of the rest and at most :data:`MAX_SECONDS`, runs out).  ``rotated=False``: products
    of paths only (no rotated equations; tests of that certificate kind)."""
    if len(masks) < 3:
        return None
    return Budget.run_share(budget, SHARE, MAX_SECONDS, lambda b: _search(masks, b, rotated),
                            what="time (deep Nullstellensatz)")


def _search(masks, budget, rotated=True):
    """Passes over the targets, cheapest identities first: rotated ones for the permutation targets
    (multipliers of degree <= 2, then 3: a few hundredths of a second each), then the products of
    paths (:func:`permutation_identity`, tenths of a second each) for every target."""
    ring = _live_paths(masks, budget)
    K = {(r, c) for r, c, _ in ring[1]}
    targets, refuted = _targets(masks, K), set()
    full = [ones for ones in targets if rotated and len(ones) == len(masks[0][0]) == len(masks[-1])]
    rotated_ring = RotatedRing(masks) if full else None
    passes = [(full, lambda ones, d=d: rotated_identity(masks, ones, budget, d, rotated_ring)) for d in ROTATED_DEGREES]
    for group, identity in passes + [(targets, lambda ones: permutation_identity(masks, ones, budget, ring))]:
        for ones in group:
            if ones in refuted:
                continue        # an identity is known; its family failed (the same draws would again)
            budget.check("time (deep Nullstellensatz)")
            found = identity(ones)
            if found is not None:
                refuted.add(ones)
            witness = _witness(masks, ones, found, budget)
            if witness is not None:
                return witness
    return None


def _witness(masks, ones, found, budget):
    """The witness of an identity ``found`` for the target ``ones`` once an escaping family is
    found (:func:`_projection_family`), or None."""
    if found is None:
        return None
    fam = _projection_family(masks, set(ones), budget, tries=FAMILY_TRIES)
    if fam is None:
        return None
    rows, cols = sorted(r for r, _ in ones), sorted(c for _, c in ones)
    if isinstance(found, dict):       # rotated: the whole non_attainment object (deep_not_closed_certificate)
        cuts = [part["cut"] for part in found["rotated"]]
        text = (f"the permutation target with 1s at {sorted(ones)} is a limit of the escaping family and is "
                f"not attained: a graded Nullstellensatz identity over {len(found['equations'])} entries of "
                f"the whole product and the rotated products cut at hidden layer(s) {cuts}")
        return "deep rotated permutation", (sorted(ones), fam, found, None, rows, cols, text)
    eqs, mult = found
    text = (f"the 0/1 target with 1s at {sorted(ones)} is a limit of the escaping family and is not "
            f"attained: a graded Nullstellensatz identity over {len(eqs)} entries of the whole product")
    return "deep permutation", (sorted(ones), fam, eqs, mult, rows, cols, text)
