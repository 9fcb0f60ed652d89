"""CAD projection: Lazard's projection (the default) and McCallum's (opt-in).

Conventions
-----------
Polynomials are flint ``fmpz_mpoly`` objects of a ring's context whose
generators are the CAD variables ``x_1, ..., x_n`` in the caller's order.  The
*level* of a polynomial is ``1 + index`` of the last variable it depends on
(0 for constants).  Projecting with respect to ``x_k`` turns the level-``k``
factors into polynomials of level ``< k``.

Every set handled here is a set of *projection factors*: primitive,
irreducible (over Z, hence over Q) non-constant polynomials, normalised so that
the leading term in the context's lex order has a positive coefficient;
duplicates up to sign are removed (the sign of a factor never matters for a
sign-invariant decomposition).

Lazard's projection
-------------------
For a finite set ``A`` of irreducible level-``k`` polynomials (a squarefree
basis), Lazard's projection with respect to ``x_k`` is

    PL(A) = { ldcf(f), trailing coefficient of f, disc(f) : f in A }
            ∪ { res(f, g) : f != g in A },

where the trailing coefficient is the lowest-degree *nonzero* coefficient in
``x_k``.  D. Lazard, "An improved projection for cylindrical algebraic
decomposition" (1994) proposed it; the gap in its proof was closed by
S. McCallum, A. Parusiński, L. Paunescu, "Validity proof of Lazard's method for
CAD construction", J. Symbolic Comput. 92 (2019) 52-69: if every element of
PL(A) is Lazard-valuation invariant on a connected analytic submanifold
``S`` of R^{k-1}, then every ``f`` in ``A`` is *Lazard delineable* on ``S`` and
valuation invariant in each section.  Unlike McCallum's projection there is
no well-orientedness hypothesis: it is valid for every input, provided the
lifting uses the Lazard valuation (see :mod:`cad.decomposition`).

McCallum's projection
---------------------
S. McCallum, "An improved projection operation for cylindrical algebraic
decomposition of three-dimensional space", J. Symb. Comput. 5 (1988), and
"... of arbitrary dimension" (in *Quantifier Elimination and CAD*, Springer
1998):

    PM(A) = { coefficients of f, disc(f) : f in A } ∪ { res(f, g) }.

We use the standard reduction (Brown 2001): of the coefficients only those from
the leading one down to and including the first that is a nonzero constant are
needed, since past it ``f`` can never be nullified.  The projection is valid
only for *well-oriented* inputs (no projection factor vanishes identically over
a cell of positive dimension); the lifting phase checks this and the caller
(:func:`cad.decomposition.cad`) falls back to Lazard when the check fails.
"""

from __future__ import annotations

from cad.decomposition.equational import equational_step
from cad.errors import InputError
from cad.poly.ops import coefficients_in, irreducible_factors, poly_key, poly_level

__all__ = [
    "lazard_projection",
    "mccallum_projection",
    "projection_factors",
    "brown_order",
]


# ---------------------------------------------------------------------------
# factor sets (flint objects are unhashable: keyed by poly_key)
# ---------------------------------------------------------------------------

def _add_factors(target, p):
    """Add the irreducible factors of ``p`` to ``target`` (dict key -> poly)."""
    for f in irreducible_factors(p):
        target.setdefault(poly_key(f), f)


# ---------------------------------------------------------------------------
# one projection step
# ---------------------------------------------------------------------------

def _var_index(ring, var):
    names = tuple(getattr(ring, "variables", None) or ring.ctx.names())
    if isinstance(var, int):
        if not 0 <= var < len(names):
            raise InputError(f"variable index {var} out of range for variables {names}")
        return var
    if var not in names:
        raise InputError(f"unknown variable {var!r}; the ring's variables are {names}")
    return names.index(var)


def _split_by_var(polys, i):
    """(factors depending on generator i, other factors), all irreducible & normalised."""
    main, rest = {}, {}
    for p in polys:
        for f in irreducible_factors(p):
            (main if f.degrees()[i] > 0 else rest).setdefault(poly_key(f), f)
    return list(main.values()), rest


def _add_resultants(A, name, out, budget):
    """Add the irreducible factors of ``res(f, g)`` w.r.t. ``name``, ``f != g`` in ``A``."""
    for a in range(len(A)):
        for b in range(a + 1, len(A)):
            _add_factors(out, A[a].resultant(A[b], name))
            if budget is not None:
                budget.check()


def _lazard_step(A, i, out, budget=None):
    """Add the irreducible factors of PL(A) w.r.t. generator ``i`` to ``out``."""
    name = A[0].context().names()[i] if A else None
    for f in A:
        cs = coefficients_in(f, i)
        _add_factors(out, cs[-1])                         # leading coefficient
        _add_factors(out, next(c for c in cs if not c.is_zero()))   # trailing coefficient
        if len(cs) > 2:                                   # degree >= 2: discriminant
            _add_factors(out, f.discriminant(name))
        if budget is not None:
            budget.check()
    _add_resultants(A, name, out, budget)


def _mccallum_step(A, i, out, budget=None):
    """Add the irreducible factors of PM(A) (reduced coefficient set) to ``out``."""
    name = A[0].context().names()[i] if A else None
    for f in A:
        cs = coefficients_in(f, i)
        for c in reversed(cs):                            # leading first
            if c.is_zero():
                continue
            _add_factors(out, c)
            if c.is_constant():
                break
        if len(cs) > 2:
            _add_factors(out, f.discriminant(name))
        if budget is not None:
            budget.check()
    _add_resultants(A, name, out, budget)


def lazard_projection(polys, ring, var):
    """Lazard's projection of ``polys`` with respect to ``var`` (name or generator index).

    The input polynomials are first replaced by their irreducible factors.
    Factors not involving ``var`` are passed through unchanged (they belong to
    the lower levels of the CAD).  Returns the irreducible, normalised,
    non-constant factors of

        { ldcf, trailing coefficient, discriminant of f } ∪ { res(f, g) }

    for the factors ``f, g`` that involve ``var`` -- McCallum, Parusiński and
    Paunescu, J. Symb. Comput. 92 (2019), Definition of PL and Theorem 2.
    Duplicates up to sign are removed.
    """
    i = _var_index(ring, var)
    A, out = _split_by_var(polys, i)
    _lazard_step(A, i, out)
    return list(out.values())


def mccallum_projection(polys, ring, var):
    """McCallum's projection (with Brown's coefficient reduction) w.r.t. ``var``.

    Only valid for well-oriented inputs; :func:`cad.decomposition.cad` checks
    well-orientedness while lifting and falls back to Lazard's projection.
    """
    i = _var_index(ring, var)
    A, out = _split_by_var(polys, i)
    _mccallum_step(A, i, out)
    return list(out.values())


# ---------------------------------------------------------------------------
# the full projection phase
# ---------------------------------------------------------------------------

_CACHE = {}
_CACHE_MAX = 64


def clear_projection_cache():
    """Forget the projections :func:`projection_factors` has cached (the next call computes
    its own)."""
    _CACHE.clear()


def projection_factors(polys, ring, method="lazard", budget=None, equational=None):
    """Projection factor sets of every level, for a CAD in the ring's variable order.

    Returns a list ``levels`` of length ``n = ring.nvars``; ``levels[k-1]`` is
    the list of projection factors of level ``k`` (irreducible, normalised,
    main variable ``x_k``), in a deterministic order (sorted by degree in
    ``x_k``, then by total degree and number of terms, so that cheap
    polynomials are handled first).  The sets are closed under the chosen
    projection: projecting ``levels[k-1]`` w.r.t. ``x_k`` yields factors that
    all appear in the lower levels.

    Results are cached (by variable names, input polynomials and method), so a
    quantifier-elimination loop that rebuilds decompositions of the same
    polynomials does not repeat the projection.  ``budget`` (a
    :class:`cad.budget.Budget` or None) is checked after every factor and
    resultant: a spent budget raises :class:`cad.errors.BudgetExceeded`.

    ``equational`` (an :class:`cad.decomposition.equational.EquationalConstraint` whose
    factors are of level ``n`` and among the inputs' factors, or None): the first step
    (w.r.t. ``x_n``) is the equational projection ``P_E`` of
    :mod:`cad.decomposition.equational`, which also records the constraint's guards; the
    result is then valid for that constraint only, under the check made while lifting.
    """
    if method not in ("lazard", "mccallum"):
        raise InputError(f"unknown projection {method!r}; use 'lazard' or 'mccallum'")
    ctx = ring.ctx
    n = ctx.nvars()
    names = tuple(ctx.names())
    ec_key = None if equational is None else tuple(sorted(equational.keys))
    ckey = (names, method, ec_key, tuple(sorted(poly_key(p) for p in polys)))
    hit = _CACHE.get(ckey)
    if hit is not None:
        levels, guards = hit
        if equational is not None:
            equational.guards.update(guards)
        return [list(level) for level in levels]

    buckets = [dict() for _ in range(n + 1)]
    for p in polys:
        for f in irreducible_factors(p):
            buckets[poly_level(f)].setdefault(poly_key(f), f)
    step = _lazard_step if method == "lazard" else _mccallum_step
    for k in range(n, 1, -1):
        A = list(buckets[k].values())
        if not A:
            continue
        out = {}
        if k == n and equational is not None:
            equational_step(equational, A, k - 1, out, method, _add_factors, _add_resultants,
                            budget)
        else:
            step(A, k - 1, out, budget)
        for key, f in out.items():
            buckets[poly_level(f)].setdefault(key, f)
    levels = []
    for k in range(1, n + 1):
        fs = list(buckets[k].values())
        fs.sort(key=lambda f: (f.degrees()[k - 1], f.total_degree(), len(f), str(f)))
        levels.append(fs)
    if len(_CACHE) >= _CACHE_MAX:
        _CACHE.pop(next(iter(_CACHE)))
    guards = {} if equational is None else dict(equational.guards)
    _CACHE[ckey] = ([list(level) for level in levels], guards)
    return levels


# ---------------------------------------------------------------------------
# Brown's variable-ordering heuristic
# ---------------------------------------------------------------------------

def brown_order(polys, names, fixed_prefix=()):
    """Order the variables ``names`` with Brown's heuristic; returns a tuple of names.

    C. W. Brown, "Companion to the tutorial: cylindrical algebraic decomposition"
    (ISSAC 2004), as evaluated by Dolzmann, Seidl and Sturm, "Efficient
    projection orders for CAD" (ISSAC 2004) and Huang et al. (2014): the
    variable projected *first* (i.e. placed *last* in the order) is the one with

      1. the lowest maximal degree in the input polynomials; ties broken by
      2. the lowest maximal total degree of a term containing it; then
      3. the smallest number of terms containing it.

    The rule is applied greedily to the whole input (the standard cheap form
    of the heuristic).  ``fixed_prefix`` names stay first, in the given order
    (free variables of a QE problem).  Ties keep the caller's relative order.
    """
    names = list(names)
    ctx_names = tuple(polys[0].context().names()) if polys else tuple(names)
    idx = {v: ctx_names.index(v) for v in names}
    stats = {}
    for v in names:
        i = idx[v]
        deg = tdeg = nterms = 0
        for p in polys:
            for m in p.monoms():
                if m[i] > 0:
                    deg = max(deg, m[i])
                    tdeg = max(tdeg, sum(m))
                    nterms += 1
        stats[v] = (deg, tdeg, nterms)
    movable = [v for v in names if v not in fixed_prefix]
    # projected first = smallest key -> goes last
    ranked = sorted(movable, key=lambda v: (stats[v], -names.index(v)))
    return tuple(fixed_prefix) + tuple(reversed(ranked))
