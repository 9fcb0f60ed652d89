"""The fast paths of cad.poly.fibre agree with the general ones.

* :class:`PartialFibre` (coordinates substituted once per cell, then one more per child)
  gives the polynomial :func:`fiber_polynomial` gives from scratch (up to a positive
  constant), and over one irrational coordinate the exact signs and roots.
* Over one irrational coordinate, the univariate route (:class:`FibreOverAlgebraic`) finds the
  same roots as the multivariate one (:func:`_roots_over_algebraic`), they are roots of
  ``q(alpha, y)`` by the exact sign test, and its signs at rational points are exact.
"""

from flint import fmpq, fmpz_mpoly_ctx, fmpz_poly
from hypothesis import assume, given
from hypothesis import strategies as st

from cad.numbers.real_algebraic import RealAlgebraic
from cad.poly.fibre import (
    FibreOverAlgebraic,
    _prepare_fiber,
    _roots_over_algebraic,
    PartialFibre,
    fiber_polynomial,
    real_roots_in_fiber,
)
from cad.poly.sign import sign_at

CTX = fmpz_mpoly_ctx.get(("a", "b", "x", "y"), "lex")
CTX2 = fmpz_mpoly_ctx.get(("x", "y"), "lex")

small = st.integers(-4, 4)
rationals = st.builds(lambda p, q: fmpq(p, q), st.integers(-7, 7), st.integers(1, 5))


def mpolys(ctx, max_exp=3, max_terms=6):
    nv = ctx.nvars()
    monos = st.tuples(*[st.integers(0, max_exp)] * nv)
    return st.dictionaries(monos, small.filter(bool), min_size=1, max_size=max_terms).map(ctx.from_dict)


def same_up_to_positive_constant(f, g):
    if f.is_zero() or g.is_zero():
        return f.is_zero() and g.is_zero()
    return f * abs(g.leading_coefficient()) == g * abs(f.leading_coefficient()) and \
        (f.leading_coefficient() > 0) == (g.leading_coefficient() > 0)


@given(mpolys(CTX), st.lists(rationals, min_size=3, max_size=3))
def test_partial_fibre_equals_fresh_substitution(p, pt):
    """The cached partial substitution, evaluated at the next coordinate, is the fibre."""
    for k in (0, 1, 2):
        # the terms of p in the first k + 2 variables: a factor of level k + 2
        pk = CTX.from_dict({m: c for m, c in zip(p.monoms(), p.coeffs()) if not any(m[k + 2:])})
        if pk.is_zero():
            continue
        pf = PartialFibre(pk, tuple(pt[:k]))
        assert (pf.q, []) == _prepare_fiber(pk, tuple(pt[:k]))
        assert same_up_to_positive_constant(pf.fibre(pt[k]), fiber_polynomial(pk, tuple(pt[:k + 1])))


@st.composite
def algebraic_numbers(draw):
    """An irrational real root of a random integer polynomial of degree 2 to 4."""
    d = draw(st.integers(2, 4))
    cs = draw(st.lists(st.integers(-6, 6), min_size=d, max_size=d)) + [draw(st.integers(1, 3))]
    roots = [r for r in RealAlgebraic.roots_of(fmpz_poly(cs)) if not r.is_rational]
    if not roots:
        return RealAlgebraic.roots_of(fmpz_poly([-2, 0, 1]))[draw(st.integers(0, 1))]
    return roots[draw(st.integers(0, len(roots) - 1))]


def roots_by_both_routes(p, alpha):
    """The roots of ``p(alpha, y)`` by the one-algebraic route, checked against the
    multivariate norm route (same roots, or both None) and by the exact sign test."""
    general = _roots_over_algebraic(p, [(0, alpha)], 1)
    fast = real_roots_in_fiber(p, [alpha], 1)
    assert (general is None) == (fast is None)
    if general is not None:
        assert len(general) == len(fast) and all(g == f for g, f in zip(general, fast))
        for beta in fast:
            assert sign_at(p, (alpha, beta)) == 0
    return fast


@given(mpolys(CTX2, max_exp=4), algebraic_numbers(), st.integers(0, 2))
def test_one_algebraic_route_matches_general_route(q, alpha, mult):
    """Both routes agree, with multiplied-in factors vanishing at alpha (degree drops) and
    a fibre sharing alpha's minimal polynomial; the reduced fibre's signs at rational points
    are the exact signs."""
    m = alpha.poly
    mx = CTX2.from_dict({(e, 0): int(c) for e, c in enumerate(m.coeffs()) if c})
    x, y = CTX2.gens()
    # the last two have a double root at alpha (zero discriminant) and a root in Q(alpha)
    for p in (q, q + mx * y ** 3, q * mx ** mult + (y - x) * mult, (y - x) ** 2 * (1 + mult),
              (2 * y - x - mult) ** 2 + q * mx):
        if p.is_zero():
            continue
        fast = roots_by_both_routes(p, alpha)
        if fast is None:
            continue
        fibre = PartialFibre(p, ()).fibre(alpha)
        assert isinstance(fibre, FibreOverAlgebraic)
        for t in (fmpq(-3), fmpq(1, 2), fmpq(5)) + tuple(b.interval[0] for b in fast):
            assert fibre(t) == sign_at(p, (alpha, t))


@given(mpolys(CTX, max_exp=2), algebraic_numbers(), rationals, rationals, st.integers(0, 2))
def test_partial_fibre_over_one_irrational_coordinate(p, alpha, r, v, pos):
    """A sample with one irrational coordinate (at any of the first two places): the fibre at
    a rational next coordinate has the exact signs and roots of the fresh computation."""
    sample = [r, r]
    if pos < 2:
        sample[pos] = alpha
    sample = tuple(sample)
    pf = PartialFibre(p, sample)
    g = pf.fibre(v)
    point = sample + (v,)
    fresh = real_roots_in_fiber(p, point, 3)
    got = pf.roots(g)
    assert (got is None) == (fresh is None)
    if got is not None:
        assert len(got) == len(fresh) and all(a == b for a, b in zip(got, fresh))
    for t in (fmpq(-2), fmpq(1, 3), fmpq(4)):
        s = g(t)
        assert (s > 0) - (s < 0) == sign_at(p, point + (t,))


@st.composite
def quadratic_irrationals(draw):
    """``(t +- sqrt(d)) / a`` for a non-square ``d``: a root of ``(a x - t)^2 - d``."""
    d = draw(st.sampled_from([2, 3, 5, 6, 7, 10, 13]))
    t, a = draw(small), draw(st.integers(1, 3))
    return RealAlgebraic.roots_of(fmpz_poly([t * t - d, -2 * a * t, a * a]))[draw(st.integers(0, 1))]


@given(quadratic_irrationals(), st.lists(st.tuples(small, small), min_size=3, max_size=3),
       st.integers(0, 2))
def test_roots_over_a_quadratic_field_match_the_norm_route(alpha, cs, shape):
    """Lines and quadratics with coefficients in Q(alpha), alpha of degree 2, solved by the
    formulas of cad.numbers.quadratic_field (field elements, balls then an exact sign change),
    have the roots of the norm route, and each is a root by the exact sign test."""
    x, y = CTX2.gens()
    c, b, a = ((u + v * x) for u, v in cs)
    p = (a * y ** 2 + b * y + c, b * y + c, (b * y + c) ** 2 * a)[shape]
    if p.is_zero():
        return
    fast = roots_by_both_routes(p, alpha)
    if fast is not None:
        assert all(fast[i] < fast[i + 1] for i in range(len(fast) - 1))


@given(st.lists(st.tuples(rationals, rationals), min_size=1, max_size=5),
       st.tuples(st.integers(-9, 9), st.integers(-9, 9), st.integers(1, 5)))
def test_quadratic_norm_is_the_resultant_up_to_a_constant(coeffs, m):
    """The norm over a quadratic irrational by its formula (U^2 + s U V + t V^2) is a rational
    multiple of the resultant with the minimal polynomial (computed by flint)."""
    from flint import fmpq_poly

    from cad.numbers.quadratic_field import quadratic_norm
    from cad.poly.fibre import _norm

    p0, p1, p2 = m
    mp = fmpz_poly([p0, p1, p2])
    # irreducible quadratics with real roots (the minimal polynomials of quadratic irrationals)
    assume(p1 * p1 - 4 * p0 * p2 > 0 and len(mp.factor()[1]) == 1 and mp.factor()[1][0][0].degree() == 2)
    cs = [fmpq_poly([u, v]) for u, v in coeffs]
    assume(not all(c.is_zero() for c in cs))
    mine = quadratic_norm(cs, mp)
    den = 1
    for c in cs:
        den = den * int(c.denom())
    terms = {}
    for e, c in enumerate(cs):
        for d, x in enumerate((c * den).numer().coeffs()):
            if x != 0:
                terms[(d, e)] = int(x)
    res = _norm(CTX2.from_dict(terms), [(0, RealAlgebraic.roots_of(mp)[0])], 1)
    assert not mine.is_zero() and not res.is_zero()
    assert mine * res.leading_coefficient() == res * mine.leading_coefficient()


@given(st.lists(st.tuples(rationals, rationals, rationals), min_size=2, max_size=5))
def test_integer_fibre_is_the_fibre_and_built_once(coeffs):
    """Over the cube root of 2: the integer fibre is a positive multiple of ``sum c_e(x) y^e`` (the
    coefficients reduced modulo x^3 - 2), the same object on every call for the same context."""
    from flint import fmpq_poly

    alpha = RealAlgebraic.roots_of(fmpz_poly([-2, 0, 0, 1]))[0]
    cs = [fmpq_poly(list(c)) for c in coeffs]
    assume(not cs[-1].is_zero())
    f = FibreOverAlgebraic(alpha, cs, 0)
    z = f._integer_fibre(CTX2, 1)
    assert f._integer_fibre(CTX2, 1) is z
    den = 1
    for c in cs:
        den = den * int(c.denom())
    direct = CTX2.from_dict({(d, e): int(x) for e, c in enumerate(cs) for d, x in enumerate((c * den).numer().coeffs())
                             if x != 0})
    assert same_up_to_positive_constant(z, direct)
