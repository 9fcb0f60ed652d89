"""Rational covers: ``L_I = V_K`` proved by weights that are rational functions of ``Y``, with a
case tree on the zeros of their denominators (docs/mathematics.md, "``deep_rational_cover``").

Setting.  ``K`` is the boolean product of the masks, ``V_K`` the matrices supported in ``K``;
always ``L_I ⊆ V_K``.  A *node* is a set ``S = {Y = sigma(u) : u in R^F, n(u) != 0 for n in N}``:
``F`` a set of free entries of ``Y`` (variables ``y{i}_{j}``), ``sigma`` the entries of ``Y`` as
rational functions of them, ``N`` a list of polynomials assumed non-zero (every denominator of
``sigma`` divides a product of members of ``N``).  The root is ``F = K``, ``sigma = id``, ``N = ∅``,
so ``S = V_K``.  A node carries

* a *realisation*: weights ``W_l(u)``, rational functions of ``u`` (absent ones 0) on the masks'
  supports, with ``W_L(u) ... W_1(u) = sigma(u)`` as rational functions;
* *children* ``p_1, ..., p_m`` (in this order) such that every factor of a denominator of the
  realisation is in ``N`` or is some ``p_i`` (up to a scalar); more children than that are allowed.
  Child ``i`` names a variable ``x`` of ``F`` in which ``p_i = e*x + g`` has degree 1 (``e``, ``g``
  free of ``x``), where every factor of ``e`` is a constant, in ``N``, or a factor of one of
  ``p_1 .. p_{i-1}``.  Its set is the node ``F' = F - {x}``, ``sigma' = sigma(x = -g/e)``, ``N'`` =
  the factors of the numerators of ``n(x = -g/e)`` for ``n`` in ``N`` and the factors of
  ``p_1, ..., p_{i-1}``, and the factors of ``e``.

**Lemma (cover).**  If every node of a finite tree has a realisation and its children as above,
then ``V_K ⊆ L_I``, hence ``L_I = V_K`` (closed).

*Proof.* By induction from the leaves, every ``Y`` in a node's set ``S`` is a product.  Let
``Y = sigma(u)`` in ``S``.  If every denominator of the realisation is non-zero at ``u``, the
weights ``W_l(u)`` are real matrices on the masks' supports and their product is ``sigma(u) = Y``
(an identity of rational functions holds at every point where all its denominators are non-zero;
those of ``sigma`` divide products of members of ``N``, non-zero on ``S``).  Otherwise some factor of
a denominator vanishes at ``u``; it is not in ``N`` (non-zero on ``S``), so it is a factor of some
``p_i``; take the least ``i`` with ``p_i(u) = 0``.  Then ``e(u) != 0`` (its factors are in ``N`` or
factors of earlier ``p_j``, non-zero at ``u``), so ``x = -g(u)/e(u)``: ``Y = sigma'(u')`` for ``u'``
the other coordinates, and each ``n`` in ``N`` and each earlier ``p_j`` is non-zero at ``u``, so the
numerator of ``n(x = -g/e)`` (which is ``n(u)`` times a power of ``e(u)``) and its factors are
non-zero at ``u'``, as is ``e``: ``Y`` is in child ``i``'s set, and by induction a product.  The
child is a node as defined: with ``A(q)`` the numerator ``q(x = -g/e) * e^(deg_x q)``, ``A`` is
multiplicative, so a denominator of ``sigma`` dividing ``prod n_i^a_i`` (``n_i`` in ``N``) gives one of
``sigma'`` dividing ``e^m prod A(n_i)^a_i``, a product of members of ``N'``.  A node
whose ``N`` contains the zero polynomial has an empty set and needs nothing.  No irreducibility is
used: ``p = c * prod f^a`` vanishes exactly where one of its ``f`` does.  ∎

Everything is exact (rational functions over Q), and the verifier
(:mod:`netalgebra.certificate.rational_cover`) recomputes every child's ``sigma'`` and ``N'`` and
every product with its own code, and multiplies every factorisation it uses back.

Search (completeness only; a failed search proves nothing).  At a node, a *plan* is found at a
random point modulo a prime: the equations ``(W_L ... W_1)[i, j] = sigma[i, j]`` are multilinear in
the weights, so an entry whose live paths hold a single unset weight is solved for it, and so are
two or three (:data:`BLOCK`) entries with as many unset weights entering linearly (:func:`_propagate`); otherwise
one unset weight of an entry with the fewest is fixed to a constant, keeping the Jacobian of the
node's free entries of full rank (:func:`_plan`).  Plans are replayed exactly (:func:`_replay`);
the realisation with the fewest new denominator factors (homogeneous ones preferred) is kept, the
others, restricted by each substitution, are tried first at the children; a factor's child is
preceded by children over the factors of its leading coefficient when those are not yet assumed
non-zero.  Where these plans find no realisation, a *wider* search (with its own generator, so
the first search's random choices are those of before) starts with the weights of the node's
vanishing rows and columns at 0 (:func:`_vanishing_lines`: a realisation of the sub-pattern
without those edges is one of the pattern), fixes some weights to the target entry ``y_e`` of
their equation instead of 1 (homogeneous solutions, no denominators like ``y - 1``) and solves
square linear blocks of up to :data:`FALLBACK_BLOCK` entries.  Its realisations are rational
functions of ``u`` like the others, so the lemma and the certificate are unchanged.  Bounded by
the budget, :data:`MAX_NODES`, :data:`MAX_TERMS` and the size guard of
:mod:`netalgebra.theorems.rational_functions`.
"""

import random
from itertools import combinations

from flint import nmod_mat

from netalgebra.naming import entry_name, weight_name
from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.rational_functions import (Frac, TooLarge, gauss_jordan, irreducible_factors,
                                                     poly_terms, ring, solve_for, substitute)

__all__ = ["rational_cover", "full_dimensional", "product_support", "entry_paths", "MAX_NODES"]

PRIME = (1 << 61) - 1
MAX_NODES = 200         # nodes of one case tree searched, failed ones included
TRIES = 60              # random plans per node at most
KEEP = 8                # realisations compared per node at most
ALTERNATIVES = 2        # realisations whose children are searched per node at most
MAX_PATHS = 4096        # paths through the product, all entries together
MAX_TERMS = 300         # terms of a weight's numerator and denominator together
CONSTANTS = (1,)
ZERO_AT_ZERO, ZERO_ELSEWHERE = 0.5, 0.1   # chance of the constant 0
BLOCK = 3               # largest square linear block solved at once (:func:`_propagate`)
FALLBACK_TRIES = 30     # plans of the wider search at a node where the first finds none
FALLBACK_BLOCK = 5      # ... its largest square linear block
ENTRY_WEIGHT = 0.5      # ... its chance that a weight fixed to a non-zero value is set to the entry's target
SLACK = 0               # an entry with at most this many more unset weights than the fewest may be chosen


def product_support(masks):
    """``K``: the positions ``(i, j)`` of the boolean product ``I_L ... I_1``, sorted."""
    reach = [{j} for j in range(len(masks[0][0]))]          # reach[j]: neurons reached from input j
    for m in masks:
        reach = [{a for a in range(len(m)) if any(m[a][b] for b in r)} for r in reach]
    return sorted((i, j) for j, r in enumerate(reach) for i in r)


def entry_paths(masks, K):
    """For each ``(i, j)`` of ``K``: its paths, tuples of weights ``(l, a, b)`` (``l`` 1-based)."""
    out = {}
    for (i, j) in K:
        partial = [((), j)]
        for l, m in enumerate(masks, start=1):
            partial = [(p + ((l, a, b),), a) for p, b in partial for a in range(len(m)) if m[a][b]]
        out[(i, j)] = [p for p, end in partial if end == i]
    return out


# ----------------------------------------------------------------------------------------------
# plans modulo a prime
def _mod(f, point):
    """``f`` (a :class:`Frac`) at ``point`` modulo :data:`PRIME`, or None where its denominator vanishes."""
    def ev(p):
        s = 0
        for exps, c in p.to_dict().items():
            t = int(c.p) * pow(int(c.q), -1, PRIME)
            for x, e in zip(point, exps):
                if e:
                    t = t * pow(x, e, PRIME) % PRIME
            s += t
        return s % PRIME
    d = ev(f.den)
    return None if d == 0 else ev(f.num) * pow(d, -1, PRIME) % PRIME


def _live_unset(paths, e, val, zero):
    live = [pt for pt in paths[e] if zero.isdisjoint(pt)]
    return live, {w for pt in live for w in pt if w not in val}


def _linear_system(paths, es, ws, val, zero, target, nought, one):
    """The equations of the entries ``es`` as a linear system in the weights ``ws`` (every live path
    holds at most one of them and has its other weights set): ``(matrix, right-hand side)`` in the
    arithmetic of ``nought`` / ``one``, or None if a live path holds two of ``ws``."""
    mat, rhs = [], []
    for e in es:
        row, r = [nought] * len(ws), target[e]
        for pt in paths[e]:
            if not zero.isdisjoint(pt):
                continue
            inside = [k for k, w in enumerate(ws) if w in pt]
            if len(inside) > 1:
                return None
            term = one
            for w in pt:
                if w not in ws:
                    term = term * val[w]
            if inside:
                row[inside[0]] = row[inside[0]] + term
            else:
                r = r - term
        mat.append(row)
        rhs.append(r)
    return mat, rhs


class _ModP(int):
    """An integer modulo :data:`PRIME`, with the operations the elimination needs."""

    def __add__(self, o):
        return _ModP((int(self) + int(o)) % PRIME)

    def __sub__(self, o):
        return _ModP((int(self) - int(o)) % PRIME)

    def __mul__(self, o):
        return _ModP(int(self) * int(o) % PRIME)


def _mod_solve(paths, es, ws, val, zero, yval):
    system = _linear_system(paths, es, ws, {w: _ModP(v) for w, v in val.items()}, zero,
                            {e: _ModP(yval[e]) for e in es}, _ModP(0), _ModP(1))
    if system is None:
        return None
    return gauss_jordan(*system, lambda x: x == 0, lambda x: _ModP(pow(int(x), -1, PRIME)))


def _propagate(paths, yval, val, zero, steps, pending, block=BLOCK):
    """Solve pending entries while one has a single unset weight on its live paths, or ``k`` entries
    (``2 <= k <= block``) have as many unset weights entering linearly with a non-singular matrix;
    check the entries with none.  False when an entry is inconsistent."""
    while pending:
        progressed, unsets = False, {}
        for e in list(pending):
            live, unset = _live_unset(paths, e, val, zero)
            if len(unset) == 1:
                ws = sorted(unset)
                sol = _mod_solve(paths, [e], ws, val, zero, yval)
                if sol is not None:
                    val[ws[0]] = int(sol[0])
                    steps.append(("solve", tuple(ws), (e,)))
                    pending.remove(e)
                    progressed = True
                    continue
            if len(unset) <= 1:     # no unset weight, or one whose coefficient is 0 for good
                if sum(_prod(val, pt) for pt in live if unset.isdisjoint(pt)) % PRIME != yval[e]:
                    return False
                pending.remove(e)
                progressed = True
                continue
            unsets[e] = unset
        if progressed:
            continue
        for k in range(2, block + 1):
            small = sorted((e, u) for e, u in unsets.items() if len(u) <= k)   # k entries, k unknowns
            for combo in combinations(small, k):
                ws = set().union(*(u for _, u in combo))
                if len(ws) != k:
                    continue
                ws = sorted(ws)
                es = [e for e, _ in combo]
                sol = _mod_solve(paths, es, ws, val, zero, yval)
                if sol is None:
                    continue
                val.update((w, int(x)) for w, x in zip(ws, sol))
                steps.append(("solve", tuple(ws), tuple(es)))
                for e in es:
                    pending.remove(e)
                break
            else:
                continue
            break
        else:
            return True
    return True


def _zero_cover(paths, zeros, columns, rng, generic, forced=()):
    """Weights to set to 0 so that every path of a random part of ``zeros`` (entries identically 0
    on the node) holds one, chosen at random among those hitting the most paths left, with the
    Jacobian of ``columns`` still of full rank; None if the random choice breaks the rank.  The
    weights ``forced`` are set to 0 first."""
    chosen = dict.fromkeys(forced, 0)
    left = [pt for e in zeros if rng.random() < 0.5 for pt in paths[e] if chosen.keys().isdisjoint(pt)]
    while left:
        count = {}
        for pt in left:
            for w in pt:
                count[w] = count.get(w, 0) + 1
        top = max(count.values())
        w = rng.choice(sorted(v for v, c in count.items() if c >= top - rng.randrange(2)))
        chosen[w] = 0
        left = [pt for pt in left if w not in pt]
    if _rank(paths, chosen, generic, columns) < len(columns):
        return None
    return chosen


def _vanishing_lines(paths, zeros):
    """Weights set to 0 where a whole output row (input column) of ``K`` is in ``zeros`` (entries
    identically 0 on the node): that row's last-layer (that column's first-layer) weights.  With
    them 0 the row's (column's) equations hold, and the rest is the sub-pattern without those edges
    (a realisation of it, weights 0 included, is one of this pattern)."""
    zeros = set(zeros)
    rows, cols = {}, {}
    for (i, j) in paths:
        rows.setdefault(i, []).append((i, j))
        cols.setdefault(j, []).append((i, j))
    out = set()
    for line, last in ((rows, True), (cols, False)):
        for es in line.values():
            if all(e in zeros for e in es):
                out.update(pt[-1] if last else pt[0] for e in es for pt in paths[e])
    return out


def _plan(paths, yval, rng, columns=None, zeros=(), forced=(), entry_chance=0.0, block=BLOCK):
    """Steps ``("const", w, c)`` / ``("solve", weights, entries)`` that solve the equations at the
    point ``yval`` (entry -> value mod :data:`PRIME`), or None.  Randomised greedy: solve what can
    be solved (:func:`_propagate`), else fix one unset weight of an entry with the fewest to a
    constant (0 more often when the entry's target is 0, where a zero weight on its paths is the
    natural way to make it vanish), keeping the Jacobian of the entries ``columns`` (the node's free
    ones: their values determine the others) in the unfixed weights of full rank ``len(columns)``
    (mod p, at a random point; a necessary condition for those entries to take generic values).
    The weights ``forced`` start at 0; with chance ``entry_chance`` a weight to be fixed to a
    non-zero constant is set to its entry's target ``y_e`` instead (step ``("entry", w, e)``: the
    solution stays homogeneous, so its denominators do not pin entries to constants like ``y - 1``)."""
    val, zero, steps, pending = {}, set(), [], list(paths)
    fixed, protected = {}, set()
    generic = {w: rng.randrange(1, PRIME) for ps in paths.values() for pt in ps for w in pt}
    if (zeros or forced) and columns is not None:
        fixed = _zero_cover(paths, zeros, columns, rng, generic, forced)
        if fixed is None:
            return None
        val, zero = dict(fixed), set(fixed)
        steps = [("const", w, 0) for w in sorted(fixed)]
    while True:
        if not _propagate(paths, yval, val, zero, steps, pending, block):
            return None
        if not pending:
            return steps
        sets = []
        for e in pending:
            _, unset = _live_unset(paths, e, val, zero)
            if len(unset) > 1 and unset - protected:
                sets.append((len(unset), rng.random(), e, unset - protected))
        if not sets:
            return None
        sets.sort(key=lambda x: x[:2])
        n = sets[0][0]
        _, _, e, unset = rng.choice([x for x in sets if x[0] <= n + SLACK])
        w = rng.choice(sorted(unset))
        c = 0 if rng.random() < (ZERO_AT_ZERO if yval[e] == 0 else ZERO_ELSEWHERE) else rng.choice(CONSTANTS)
        if columns is not None and _rank(paths, {**fixed, w: c}, generic, columns) < len(columns):
            protected.add(w)
            continue
        if entry_chance and c and yval[e] and rng.random() < entry_chance:    # w = y_e: stays homogeneous
            fixed[w] = val[w] = yval[e]
            steps.append(("entry", w, e))
            continue
        fixed[w] = c
        val[w] = c % PRIME
        if c == 0:
            zero.add(w)
        steps.append(("const", w, c))


def _rank(paths, fixed, generic, columns):
    """Rank mod p of the Jacobian of the entries ``columns`` of the product in the unfixed weights,
    at ``generic`` (fixed weights at their constants)."""
    at = {w: fixed.get(w, x) % PRIME for w, x in generic.items()}
    index = {w: k for k, w in enumerate(w for w in generic if w not in fixed)}
    if not index or not columns:
        return 0
    jac = [[0] * len(columns) for _ in index]
    for c, e in enumerate(columns):
        for pt in paths[e]:
            for w in pt:
                k = index.get(w)
                if k is not None:
                    jac[k][c] += _prod(at, pt, w)
    return nmod_mat(len(index), len(columns), [x % PRIME for row in jac for x in row], PRIME).rank()


def _prod(val, path, skip=None):
    out = 1
    for w in path:
        if w != skip:
            out = out * val[w] % PRIME
    return out


# ----------------------------------------------------------------------------------------------
# exact replay
def _replay(steps, paths, sigma, ctx, budget, rng):
    """The weights of a plan as :class:`Frac` (exact), or None if a step is singular, a weight grows
    beyond :data:`MAX_TERMS` terms, or the product differs from ``sigma`` at a random point modulo
    :data:`PRIME` (a filter only: the verifier multiplies the realisation out exactly)."""
    one = Frac(ctx.from_dict({(0,) * ctx.nvars(): 1}))
    nought = Frac(ctx.from_dict({}))
    val, zero = {}, set()
    for kind, w, x in steps:
        if kind == "const":
            val[w] = Frac(ctx.from_dict({(0,) * ctx.nvars(): x})) if x else nought
            if not x:
                zero.add(w)
            continue
        if kind == "entry":
            val[w] = sigma[x]
            continue
        if budget is not None:
            budget.check("time (rational cover)")
        try:
            system = _linear_system(paths, x, w, val, zero, sigma, nought, one)
            tick = None if budget is None else (lambda: budget.check("time (rational cover)"))
            sol = None if system is None else gauss_jordan(*system, Frac.is_zero, lambda f: one / f, tick)
        except TooLarge:
            return None
        if sol is None or any(len(f.num) + len(f.den) > MAX_TERMS for f in sol):
            return None
        val.update(zip(w, sol))
    point = [rng.randrange(1, PRIME) for _ in range(ctx.nvars())]
    at = {w: _mod(f, point) for w, f in val.items()}
    if any(v is None for v in at.values()):
        return None
    for e, ps in paths.items():
        total = sum(_prod(at, pt) for pt in ps if zero.isdisjoint(pt) and all(v in at for v in pt))
        if total % PRIME != _mod(sigma[e], point):
            return None
    return val


def _score(new):
    """Fewest new factors first, then fewest inhomogeneous ones (a constant in a denominator, like
    ``y - 1``, pins an entry to a value and tends to breed long chains of children), then degree."""
    inhomogeneous = sum(len({sum(m) for m in p.monoms()}) > 1 for p in new)
    return len(new) + inhomogeneous, sum(p.total_degree() for p in new)


def _new_factors(val, nonzero):
    out = []
    for f in val.values():
        if not f.den.is_constant():
            for p in irreducible_factors(f.den):
                if p not in nonzero and p not in out:
                    out.append(p)
    return out


class _Search:
    def __init__(self, masks, budget):
        self.masks, self.budget = masks, budget
        self.K = product_support(masks)
        self.paths = entry_paths(masks, self.K)
        self.names = tuple(entry_name(i, j) for i, j in self.K)
        self.ctx = ring(self.names)
        self.nodes = 0

    def root(self):
        gens = self.ctx.gens()
        sigma = {e: Frac(g) for e, g in zip(self.K, gens)}
        return self.node(sigma, [], frozenset(range(len(self.K))), [], random.Random(len(self.K)))

    def realisations(self, sigma, free, rng, tries, wider=False):
        """Realisations of ``sigma`` by random plans, each once.  ``wider``: the plans start with
        the weights of the node's vanishing rows and columns at 0 (:func:`_vanishing_lines`), set
        some weights to entries (:data:`ENTRY_WEIGHT`) and solve larger linear blocks
        (:data:`FALLBACK_BLOCK`)."""
        seen = set()
        lines = _vanishing_lines(self.paths, [e for e, f in sigma.items() if f.is_zero()]) if wider else ()
        options = (lines, ENTRY_WEIGHT, FALLBACK_BLOCK) if wider else ((), 0.0, BLOCK)
        for _ in range(tries):
            if self.budget is not None:
                self.budget.check("time (rational cover)")
            point = [rng.randrange(1, PRIME) if k in free else 0 for k in range(len(self.K))]
            yval = {e: _mod(f, point) for e, f in sigma.items()}
            if any(v is None for v in yval.values()):
                continue
            zeros = [e for e, f in sigma.items() if f.is_zero()] if rng.random() < 0.5 else ()
            steps = _plan(self.paths, yval, rng, [self.K[k] for k in sorted(free)], zeros, *options)
            if steps is None or tuple(steps) in seen:
                continue
            seen.add(tuple(steps))
            val = _replay(steps, self.paths, sigma, self.ctx, self.budget, rng)
            if val is not None:
                yield val

    def node(self, sigma, nonzero, free, pool, rng):
        """A node of the case tree (certificate form) over the given set, or None.  ``pool``:
        realisations of ``sigma`` inherited from the ancestors (restricted to this set)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return None
        if any(n.is_zero() for n in nonzero):
            return {"empty": True}
        scored = []
        for val in pool:
            new = _new_factors(val, nonzero)
            scored.append((_score(new), len(scored), val, new))
        if not any(sc[0][0] == 0 for sc in scored):
            fresh = 0
            for val in self.realisations(sigma, free, rng, TRIES if not pool else TRIES // 3):
                new = _new_factors(val, nonzero)
                scored.append((_score(new), len(scored), val, new))
                fresh += 1
                if not new or fresh >= KEEP:
                    break
            if not scored:      # its own generator: the first search's random choices stay as they were
                spare = random.Random(self.nodes)
                for val in self.realisations(sigma, free, spare, FALLBACK_TRIES, wider=True):
                    new = _new_factors(val, nonzero)
                    scored.append((_score(new), len(scored), val, new))
                    if not new or len(scored) >= KEEP:
                        break
        if not scored:
            return None
        scored.sort(key=lambda sc: sc[:2])
        for choice in range(min(len(scored), ALTERNATIVES)):
            _, _, val, new = scored[choice]
            pool = [sc[2] for k, sc in enumerate(scored) if k != choice]
            children, assumed = [], list(nonzero)
            if all(self.cover(p, sigma, assumed, free, pool, rng, children)
                   for p in sorted(new, key=lambda q: (q.total_degree(), str(q)))):
                return {"weights": {weight_name(*w): [poly_terms(f.num, self.names), poly_terms(f.den, self.names)]
                                    for w, f in sorted(val.items()) if not f.is_zero()},
                        "children": children}
        return None

    def cover(self, p, sigma, assumed, free, pool, rng, children, depth=0):
        """Append a child over ``{p = 0}`` (an irreducible ``p``) to ``children``, preceded by children
        over the factors of its leading coefficient that are not yet assumed non-zero (covering more
        than needed is harmless); False if some child is not found."""
        if p in assumed:
            return True                     # an earlier child covers it: p != 0 from here on
        choice = None
        for k in sorted(free):
            split = solve_for(p, k)
            if split is None:
                continue
            e, g = split
            missing = [] if e.is_constant() else [f for f in irreducible_factors(e) if f not in assumed]
            key = (len(missing), not e.is_constant(), e.total_degree())
            if choice is None or key < choice[0]:
                choice = (key, k, e, g, missing)
        if choice is None or choice[4] and depth >= 2:
            return False
        _, k, e, g, missing = choice
        for f in missing:
            if not self.cover(f, sigma, assumed, free, pool, rng, children, depth + 1):
                return False
        child = self.child(sigma, assumed, free, p, (k, e, g), pool, rng)
        if child is None:
            return False
        children.append(child)
        assumed.append(p)
        return True

    def child(self, sigma, assumed, free, p, choice, pool, rng):
        """The child over ``{p = 0}`` (``assumed`` non-zero), solved for ``x_k = -g/e`` (``choice``)."""
        k, e, g = choice
        try:
            sigma2 = {x: substitute(f, k, e, g) for x, f in sigma.items()}
            subs = [substitute(Frac(n), k, e, g).num for n in assumed + ([] if e.is_constant() else [e])]
        except TooLarge:
            return None
        nonzero2 = []
        for m in subs:
            for f in ([m] if m.is_zero() or m.is_constant() else irreducible_factors(m)):
                if not f.is_constant() and f not in nonzero2 or f.is_zero():
                    nonzero2.append(f)
        pool2 = []
        for val in pool:
            if self.budget is not None:
                self.budget.check("time (rational cover)")
            try:
                pool2.append({w: substitute(f, k, e, g) for w, f in val.items()})
            except (ZeroDivisionError, TooLarge):   # a denominator vanishes on the hypersurface, or too big
                pass
        node = self.node(sigma2, nonzero2, free - {k}, pool2, rng)
        if node is None:
            return None
        return {"zero": poly_terms(p, self.names), "variable": self.names[k], "node": node}


STATEMENT = ("L_I = V_K (closed): every matrix supported in the boolean product K is a product, by weights "
             "that are rational functions of its entries, with a case tree on the zeros of their denominators")


def full_dimensional(masks):
    """Whether the Jacobian of the product has rank ``|K|`` at a random point modulo a prime (then
    ``L_I`` is dense in ``V_K``; a rank below ``|K|`` at a random point may be bad luck, so this
    only decides whether a cover is searched, never a verdict)."""
    K = product_support(masks)
    paths = entry_paths(masks, K)
    if sum(len(p) for p in paths.values()) > MAX_PATHS:
        return False
    rng = random.Random(0)
    generic = {w: rng.randrange(1, PRIME) for ps in paths.values() for pt in ps for w in pt}
    return bool(K) and _rank(paths, {}, generic, K) == len(K)


def rational_cover(masks, budget=None):
    """The ``deep_rational_cover`` fragment (a case tree proving ``L_I = V_K``), or None.

    Tried only for depth >= 3; the search is bounded by :data:`MAX_NODES`, :data:`MAX_PATHS` and
    ``budget`` (a spent budget raises ``BudgetExceeded``)."""
    if len(masks) < 3:
        return None
    search = _Search(masks, budget)
    if not search.K or sum(len(p) for p in search.paths.values()) > MAX_PATHS:
        return None
    tree = search.root()
    if tree is None:
        return None
    return fragment("deep_rational_cover", STATEMENT, {"tree": tree},
                    source="proved: netalgebra.theorems.rational_cover (docs/mathematics.md, \"Rational covers\")")
