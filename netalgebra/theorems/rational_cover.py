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

A node marked ``scaling`` may also leave a denominator factor to a diagonal rescaling of ``Y``
(the scaling lemma, proved in :mod:`netalgebra.theorems.rational_scaling`).

Everything is exact (rational functions over Q), and the verifier
(:mod:`netalgebra.certificate.rational_cover`) recomputes every child's ``sigma'`` and ``N'`` and
every product with its own code, and multiplies every factorisation it uses back.

Search (completeness only; a failed search proves nothing).  At a node, a *plan* is found at a
random point modulo a prime (:mod:`netalgebra.theorems.rational_plans`: entries solved for weights
that enter them linearly, other weights fixed to constants while the Jacobian of the node's free
entries keeps full rank).  Plans are replayed exactly (:func:`_replay`); the realisation with the
fewest new denominator factors (homogeneous ones preferred) is kept, the others, restricted by each
substitution, are tried first at the children; a factor's child is preceded by children over the
factors of its leading coefficient when those are not yet assumed non-zero.  At invariant nodes
(all of them, as the search builds trees) a factor is replaced by the factors of one of its
bihomogeneous components, none if one is constant (the scaling lemma,
:mod:`netalgebra.theorems.rational_scaling`; the node is then marked ``scaling``).  A node set met
twice (children over ``y_a = 0`` then ``y_b = 0`` and the other way round) is searched once.
Where these plans find no realisation, a *wider* search (with its own generator, so
the first search's random choices are those of before) starts with the weights of the node's
vanishing rows and columns at 0 (:func:`vanishing_lines`: a realisation of the sub-pattern
without those edges is one of the pattern), fixes some weights to the target entry ``y_e`` of
their equation instead of 1 (homogeneous solutions, no denominators like ``y - 1``) and solves
square linear blocks of up to :data:`FALLBACK_BLOCK` entries.  Its realisations are rational
functions of ``u`` like the others, so the lemma and the certificate are unchanged.  Where the
wider search finds none either and the switch :data:`MERGES` is on (off by default; always in
:func:`root_realisation`), realisations of shorter or sparser patterns with the same ``K``
are lifted (:mod:`netalgebra.theorems.rational_root_plans`; ordinary realisations again).  Bounded by
the budget, :data:`MAX_NODES`, :data:`MAX_TERMS` and the size guard of
:mod:`netalgebra.theorems.rational_functions`.
"""

import random

from netalgebra.naming import entry_name, weight_name
from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.rational_functions import (Frac, TooLarge, gauss_jordan, irreducible_factors,
                                                     poly_terms, ring, solve_for, substitute)
from netalgebra.theorems.rational_plans import (BLOCK, PRIME, linear_system, mod_value, path_product, plan, rank,
                                                 vanishing_lines)
from netalgebra.theorems.rational_root_plans import merged_realisations
from netalgebra.theorems.rational_scaling import factors_to_cover, is_bihomogeneous

__all__ = ["rational_cover", "cover_tree", "root_realisation", "within_path_limit", "full_dimensional", "product_support", "entry_paths", "MAX_NODES"]

MAX_NODES = 200         # nodes of one case tree searched, failed ones included
TRIES = 60              # random plans per node at most
KEEP = 8                # realisations compared per node at most
ALTERNATIVES = 2        # realisations whose children are searched per node at most
MAX_PATHS = 4096        # paths through the product, all entries together
MAX_TERMS = 300         # terms of a weight's numerator and denominator together
FALLBACK_TRIES = 30     # plans of the wider search at a node where the first finds none
FALLBACK_BLOCK = 5      # ... its largest square linear block
ENTRY_WEIGHT = 0.5      # ... its chance that a weight fixed to a non-zero value is set to the entry's target
MERGES = False          # in the case tree, where the wider search finds nothing: layer merges and single-edge
                        # sub-patterns (off: on 25 4,4,4,4 roots they give realisations but no whole tree, at
                        # ~1.5x the time of those unknowns; :func:`root_realisation` uses them for density)
SCALING = True          # use the scaling lemma at invariant nodes (:mod:`netalgebra.theorems.rational_scaling`)



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
            system = linear_system(paths, x, w, val, zero, sigma, nought, one)
            tick = None if budget is None else (lambda: budget.check("time (rational cover)"))
            sol = None if system is None else gauss_jordan(*system, Frac.is_zero, lambda f: one / f, tick)
        except TooLarge:
            return None
        if sol is None or any(len(f.num) + len(f.den) > MAX_TERMS for f in sol):
            return None
        val.update(zip(w, sol))
    point = [rng.randrange(1, PRIME) for _ in range(ctx.nvars())]
    at = {w: mod_value(f, point) for w, f in val.items()}
    if any(v is None for v in at.values()):
        return None
    for e, ps in paths.items():
        total = sum(path_product(at, pt) for pt in ps if zero.isdisjoint(pt) and all(v in at for v in pt))
        if total % PRIME != mod_value(sigma[e], point):
            return None
    return val


def _score(new):
    """Fewest new factors first, then fewest inhomogeneous ones (a constant in a denominator, like
    ``y - 1``, pins an entry to a value and tends to breed long chains of children), then degree."""
    inhomogeneous = sum(len({sum(m) for m in p.monoms()}) > 1 for p in new)
    return len(new) + inhomogeneous, sum(p.total_degree() for p in new)


def _new_factors(val, nonzero, grading=None):
    """The factors children must cover for the realisation ``val``, and whether the node relies on
    the scaling lemma for it (:mod:`netalgebra.theorems.rational_scaling`; ``grading`` given only at
    invariant nodes): a denominator factor not in ``nonzero`` is covered by itself, or at an
    invariant node by the factors of one of its bihomogeneous components."""
    out, scaling = [], False
    for f in val.values():
        if not f.den.is_constant():
            for p in irreducible_factors(f.den):
                if p in nonzero:
                    continue
                need, moved = ([p], False) if grading is None else factors_to_cover(p, nonzero, grading)
                scaling = scaling or moved
                out.extend(q for q in need if q not in out)
    return out, scaling


class _Search:
    def __init__(self, masks, budget):
        self.masks, self.budget = masks, budget
        self.K = product_support(masks)
        self.paths = entry_paths(masks, self.K)
        self.names = tuple(entry_name(i, j) for i, j in self.K)
        self.ctx = ring(self.names)
        self.nodes = 0
        self.seen = {}          # node sets searched: (sigma, assumptions, free, invariant) -> node or None

    def root(self):
        gens = self.ctx.gens()
        sigma = {e: Frac(g) for e, g in zip(self.K, gens)}
        return self.node(sigma, [], frozenset(range(len(self.K))), [], random.Random(len(self.K)), True)

    def realisations(self, sigma, free, rng, tries, wider=False):
        """Realisations of ``sigma`` by random plans, each once.  ``wider``: the plans start with
        the weights of the node's vanishing rows and columns at 0 (:func:`vanishing_lines`), set
        some weights to entries (:data:`ENTRY_WEIGHT`) and solve larger linear blocks
        (:data:`FALLBACK_BLOCK`)."""
        seen = set()
        lines = vanishing_lines(self.paths, [e for e, f in sigma.items() if f.is_zero()]) if wider else ()
        options = (lines, ENTRY_WEIGHT, FALLBACK_BLOCK) if wider else ((), 0.0, BLOCK)
        for _ in range(tries):
            if self.budget is not None:
                self.budget.check("time (rational cover)")
            point = [rng.randrange(1, PRIME) if k in free else 0 for k in range(len(self.K))]
            yval = {e: mod_value(f, point) for e, f in sigma.items()}
            if any(v is None for v in yval.values()):
                continue
            zeros = [e for e, f in sigma.items() if f.is_zero()] if rng.random() < 0.5 else ()
            steps = plan(self.paths, yval, rng, [self.K[k] for k in sorted(free)], zeros, *options)
            if steps is None or tuple(steps) in seen:
                continue
            seen.add(tuple(steps))
            val = _replay(steps, self.paths, sigma, self.ctx, self.budget, rng)
            if val is not None:
                yield val

    def fallbacks(self, sigma, free, rng):
        """The wider search's realisations, or if it finds none, those through layer merges and
        single-edge sub-patterns (:func:`netalgebra.theorems.rational_root_plans.merged_realisations`;
        :data:`MERGES`)."""
        found = False
        for val in self.realisations(sigma, free, rng, FALLBACK_TRIES, wider=True):
            found = True
            yield val
        if not found and MERGES:
            yield from merged_realisations(self, sigma, free, rng)

    def node(self, sigma, nonzero, free, pool, rng, invariant):
        """A node of the case tree (certificate form) over the given set, or None.  ``pool``:
        realisations of ``sigma`` inherited from the ancestors (restricted to this set);
        ``invariant``: the set is invariant under diagonal rescaling (scaling lemma).  A set met
        before (the same ``sigma``, assumptions, free entries and invariance: children over
        ``y_a = 0`` then ``y_b = 0`` and over ``y_b = 0`` then ``y_a = 0`` reach one set) gets the
        answer found there, a failure included (the search is a heuristic; a subtree proves its
        set whatever path leads to it)."""
        key = (tuple(sorted((e, str(f.num), str(f.den)) for e, f in sigma.items())),
               frozenset(str(n) for n in nonzero), free, invariant)
        if key not in self.seen:
            self.seen[key] = self._node(sigma, nonzero, free, pool, rng, invariant)
        return self.seen[key]

    def _node(self, sigma, nonzero, free, pool, rng, invariant):
        grading = self.K if invariant and SCALING else None
        self.nodes += 1
        if self.nodes > MAX_NODES:
            return None
        if any(n.is_zero() for n in nonzero):
            return {"empty": True}
        scored = []
        for val in pool:
            new = _new_factors(val, nonzero, grading)
            scored.append((_score(new[0]), len(scored), val, new))
        if not any(sc[0][0] == 0 for sc in scored):
            fresh = 0
            for val in self.realisations(sigma, free, rng, TRIES if not pool else TRIES // 3):
                new = _new_factors(val, nonzero, grading)
                scored.append((_score(new[0]), len(scored), val, new))
                fresh += 1
                if not new[0] or fresh >= KEEP:
                    break
            if not scored:      # its own generator: the first search's random choices stay as they were
                spare = random.Random(self.nodes)
                for val in self.fallbacks(sigma, free, spare):
                    new = _new_factors(val, nonzero, grading)
                    scored.append((_score(new[0]), len(scored), val, new))
                    if not new[0] or len(scored) >= KEEP:
                        break
        if not scored:
            return None
        scored.sort(key=lambda sc: sc[:2])
        for choice in range(min(len(scored), ALTERNATIVES)):
            _, _, val, (new, scaling) = scored[choice]
            pool = [sc[2] for k, sc in enumerate(scored) if k != choice]
            children, assumed, inv = [], list(nonzero), [invariant]
            if all(self.cover(p, sigma, assumed, free, pool, rng, children, inv)
                   for p in sorted(new, key=lambda q: (q.total_degree(), str(q)))):
                out = {"weights": {weight_name(*w): [poly_terms(f.num, self.names), poly_terms(f.den, self.names)]
                                   for w, f in sorted(val.items()) if not f.is_zero()},
                       "children": children}
                if scaling:
                    out["scaling"] = True
                return out
        return None

    def cover(self, p, sigma, assumed, free, pool, rng, children, inv, depth=0):
        """Append a child over ``{p = 0}`` (an irreducible ``p``) to ``children``, preceded by children
        over the factors of its leading coefficient that are not yet assumed non-zero (covering more
        than needed is harmless); False if some child is not found.  ``inv[0]``: the next child's
        set is invariant under rescaling (the node's is, and so far every child's polynomial is
        bihomogeneous); updated here."""
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
            if not self.cover(f, sigma, assumed, free, pool, rng, children, inv, depth + 1):
                return False
        inv[0] = inv[0] and is_bihomogeneous(p, self.K)
        child = self.child(sigma, assumed, free, p, (k, e, g), pool, rng, inv[0])
        if child is None:
            return False
        children.append(child)
        assumed.append(p)
        return True

    def child(self, sigma, assumed, free, p, choice, pool, rng, invariant):
        """The child over ``{p = 0}`` (``assumed`` non-zero), solved for ``x_k = -g/e`` (``choice``);
        ``invariant``: its set is invariant under rescaling."""
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
        node = self.node(sigma2, nonzero2, free - {k}, pool2, rng, invariant)
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
    return bool(K) and rank(paths, {}, generic, K) == len(K)


def within_path_limit(masks):
    """True when ``K`` is non-empty and the product has at most :data:`MAX_PATHS` paths (all
    entries together): the search is tried only then."""
    K = product_support(masks)
    return bool(K) and sum(len(p) for p in entry_paths(masks, K).values()) <= MAX_PATHS


def root_realisation(masks, budget=None, tries=TRIES):
    """Weights (certificate form ``{name: [numerator, denominator]}``) that are rational functions
    of the entries of ``K`` and multiply out to ``Y``, from the plain plans at the root or else
    through a layer merge or sub-pattern (:mod:`netalgebra.theorems.rational_root_plans`), or None.
    Where their denominators do not vanish they realise ``Y``: ``L_I`` is dense in ``V_K``."""
    if not full_dimensional(masks):         # (False too beyond the path limit)
        return None
    search = _Search(masks, budget)
    sigma = {e: Frac(g) for e, g in zip(search.K, search.ctx.gens())}
    free, rng = frozenset(range(len(search.K))), random.Random(len(search.K))
    val = next(iter(search.realisations(sigma, free, rng, tries)), None)
    if val is None:         # through a layer merge or a single-edge sub-pattern
        val = next(iter(merged_realisations(search, sigma, free, rng)), None)
    if val is None:
        return None
    return {weight_name(*w): [poly_terms(f.num, search.names), poly_terms(f.den, search.names)]
            for w, f in sorted(val.items()) if not f.is_zero()}


def cover_tree(masks, budget=None):
    """A case tree (the ``tree`` of ``deep_rational_cover``) proving ``V_K ⊆ L_I`` for the
    pattern ``masks`` of any depth, or None (also when :func:`within_path_limit` fails).  The
    lemma holds at every depth; :func:`rational_cover` asks for depth >= 3 only because two-layer
    patterns have their own theorems."""
    if not within_path_limit(masks):
        return None
    return _Search(masks, budget).root()


def rational_cover(masks, budget=None, any_depth=False):
    """The ``deep_rational_cover`` fragment (a case tree proving ``L_I = V_K``), or None.

    Tried only for depth >= 3 unless ``any_depth`` (the lemma holds at every depth; two-layer
    patterns have their own theorems, which the registry tries first, so the pipeline asks for a
    two-layer cover itself, after those and the core search, and so does ``deep_subchain_cover``
    for a reduced pattern); the search is bounded by :data:`MAX_NODES`, :data:`MAX_PATHS` and
    ``budget`` (a spent budget raises ``BudgetExceeded``)."""
    if len(masks) < 3 and not any_depth:
        return None
    tree = cover_tree(masks, budget)
    if tree is None:
        return None
    return fragment("deep_rational_cover", STATEMENT, {"tree": tree},
                    source="proved: netalgebra.theorems.rational_cover (docs/mathematics.md, \"Rational covers\")")
