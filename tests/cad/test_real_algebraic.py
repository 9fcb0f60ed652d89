"""Tests for cad.numbers.real_algebraic (real algebraic numbers), cad.poly.sign (exact signs at
algebraic points) and cad.poly.fibre (roots in a fibre).

Ground truth is independent of the implementation: sympy ``real_roots`` (canonical
``CRootOf``), high-precision evaluation (mpmath, 100 digits), and, for signs at
points with radical coordinates, exact reduction modulo ``x^2 - k`` / ``x^3 - k``
followed by linear independence of the monomials ``sqrt(k1)^i * k2^(j/e)`` over Q.
"""

import pickle
from fractions import Fraction

import mpmath
import pytest
import sympy
from flint import fmpq, fmpz_mpoly_ctx, fmpz_poly
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cad.errors import InputError
from cad.numbers.real_algebraic import RealAlgebraic
from cad.poly.fibre import real_roots_in_fiber
from cad.poly.sign import sign_at

X = sympy.Symbol("x")
x = fmpz_poly([0, 1])
CTX2 = fmpz_mpoly_ctx.get(("x", "y"), "lex")
CTX3 = fmpz_mpoly_ctx.get(("x", "y", "z"), "lex")
DIGITS = 100


def sym(f):
    return sympy.Poly([int(c) for c in reversed(f.coeffs())], X)


def mp(v):
    """mpmath value (100 digits) of a sympy number."""
    return mpmath.mpf(sympy.N(v, DIGITS + 10).evalf(DIGITS + 10))


def rat(q):
    return sympy.Rational(int(q.p), int(q.q))


@st.composite
def int_polys(draw, max_deg=6, lo=-8, hi=8):
    d = draw(st.integers(1, max_deg))
    cs = draw(st.lists(st.integers(lo, hi), min_size=d + 1, max_size=d + 1))
    if cs[-1] == 0:
        cs[-1] = 1
    f = fmpz_poly(cs)
    # sometimes a repeated factor
    if draw(st.booleans()):
        g = fmpz_poly(draw(st.lists(st.integers(-3, 3), min_size=2, max_size=3)))
        if not g.is_zero():
            f *= g**2
    return f


def sympy_roots(f):
    """Distinct real roots (canonical CRootOf / Rational), sorted."""
    return sorted(set(sympy.real_roots(sym(f), radicals=False)), key=lambda r: mp(r))


def same_number(r, s):
    """Exact equality of two sympy real roots.  sympy does not always write a number one way
    (``2 CRootOf(x^2 + x - 1, 0)`` is ``CRootOf(x^2 + 2 x - 4, 0)``), so: equal forms, else
    the same minimal polynomial ``p`` (degree ``d``) and a distance below half Mahler's bound
    ``sqrt(3) d^(-(d+2)/2) |p|_2^(1-d)`` on the distance of two distinct roots of the
    squarefree integer polynomial ``p`` (its discriminant is at least 1 in absolute value),
    the distance evaluated to 80 digits."""
    if r == s:
        return True
    x = sympy.Symbol("x")
    p = sympy.Poly(sympy.minimal_polynomial(r, x), x)
    if p.monic() != sympy.Poly(sympy.minimal_polynomial(s, x), x).monic():
        return False
    d = p.degree()
    if d == 1:
        return True
    norm = sympy.sqrt(sum(c ** 2 for c in p.all_coeffs()))
    sep = sympy.sqrt(3) * sympy.Integer(d) ** sympy.Rational(-(d + 2), 2) * norm ** (1 - d)
    return abs(sympy.N(r - s, 80)) < sympy.N(sep / 2, 80)


# ----------------------------------------------------------------------------- roots_of


@given(int_polys())
def test_roots_of_matches_sympy(f):
    ours = RealAlgebraic.roots_of(f)
    theirs = sympy_roots(f)
    assert len(ours) == len(theirs)
    for a, s in zip(ours, theirs):
        v = mp(s)
        lo, hi = a.interval
        assert mp(rat(lo)) <= v <= mp(rat(hi))
        assert a.is_rational == bool(s.is_Rational)
        if a.is_rational:
            assert rat(a.rational) == s
        else:
            assert a.poly(a.interval[0]) != 0
            # to_sympy gives the same number: sympy writes it in several forms (CRootOf of
            # 3x^2 - 4 or 2 CRootOf of 3x^2 - 1), so compare minimal polynomials (ours is
            # irreducible) and location (our interval isolates one root of it)
            x = sympy.Symbol("x")
            ours_poly = sympy.Poly(sum(int(c) * x**i for i, c in enumerate(a.poly.coeffs())), x)
            for expr in (a.to_sympy(), s):
                mp_expr = sympy.Poly(sympy.minimal_polynomial(expr, x), x)
                assert sympy.div(ours_poly, mp_expr)[1].is_zero and mp_expr.degree() == ours_poly.degree()
                assert mp(rat(lo)) <= mpmath.mpf(sympy.N(expr, 30)) <= mp(rat(hi))
        assert abs(float(a) - float(v)) <= 1e-12 * max(1.0, abs(float(v)))
        ball = a.arb(200)
        assert abs(mpmath.mpf(str(ball.mid().str(60, radius=False))) - v) < mpmath.mpf(10) ** -50
    assert all(ours[i] < ours[i + 1] for i in range(len(ours) - 1))


@given(int_polys(max_deg=5), int_polys(max_deg=5))
def test_comparisons_agree_with_high_precision(f, g):
    A = RealAlgebraic.roots_of(f)
    B = RealAlgebraic.roots_of(g)
    SA = sympy_roots(f)
    SB = sympy_roots(g)
    for a, sa in zip(A, SA):
        for b, sb in zip(B, SB):
            equal = same_number(sa, sb)
            assert (a == b) == equal
            assert (a != b) == (not equal)
            if equal:
                assert hash(a) == hash(b)
                assert not a < b and not b < a and a <= b and a >= b
            else:
                lt = mp(sa) < mp(sb)
                assert (a < b) == lt and (a > b) == (not lt)
                assert (a <= b) == lt and (b < a) == (not lt)
                m = a.midpoint_between(b)
                assert min(mp(sa), mp(sb)) < mp(rat(m)) < max(mp(sa), mp(sb))
    # comparisons with rationals
    for a, sa in zip(A, SA):
        for q in (fmpq(-1), fmpq(1, 3), fmpq(7, 5), 2):
            qq = fmpq(q)
            assert (a < q) == (mp(sa) < mp(rat(qq))) or same_number(sa, rat(qq))
            assert (a == q) == same_number(sa, rat(qq))


@given(int_polys(max_deg=4), int_polys(max_deg=4))
def test_same_root_from_different_polynomials(f, g):
    # every root of g is a root of f*g: the two descriptions must be equal and hash equally
    RG = RealAlgebraic.roots_of(g)
    RFG = RealAlgebraic.roots_of(f * g)
    for r in RG:
        matches = [s for s in RFG if s == r]
        assert len(matches) == 1
        assert hash(matches[0]) == hash(r)
    assert set(RG) <= set(RFG)
    assert len(set(RFG) | set(RG)) == len(RFG)


@given(int_polys(max_deg=5), int_polys(max_deg=7, lo=-20, hi=20))
def test_sign_of_univariate(f, h):
    for a, sa in zip(RealAlgebraic.roots_of(f), sympy_roots(f)):
        # exact: h(a) = 0 iff the canonical polynomial of a divides h
        if sa.is_Rational:
            val = sym(h).eval(sa)
            expected = int(sympy.sign(val))
        else:
            # sympy's own irreducible polynomial (sympy may give quadratic roots as radicals)
            minp = sympy.Poly(sympy.minimal_polynomial(sa, X), X)
            if sympy.rem(sym(h), minp).is_zero:
                expected = 0
            else:
                expected = int(mpmath.sign(mpmath.polyval([mp(c) for c in sym(h).all_coeffs()], mp(sa))))
        assert a.sign_of(h) == expected
        assert a.sign_of(h * a.poly) == 0


def test_constructors_and_printing():
    r = RealAlgebraic(x**2 - 2, 1, 2)
    assert str(r) == "root of x^2 - 2 in (1, 2)"
    assert not r.is_rational and r.rational is None
    # a reducible defining polynomial is reduced to the minimal polynomial
    r2 = RealAlgebraic((x**2 - 2) * (x**2 - 3) * (x - 5), fmpq(1), fmpq(3, 2))
    assert r2 == r and r2.poly == x**2 - 2 and hash(r2) == hash(r)
    q = RealAlgebraic((3 * x - 1) * (x**2 + 1), 0, 1)
    assert q.is_rational and q.rational == fmpq(1, 3) and q == fmpq(1, 3) and hash(q) == hash(fmpq(1, 3))
    assert RealAlgebraic.from_rational(2) == 2 and str(RealAlgebraic.from_rational(fmpq(-1, 2))) == "-1/2"
    assert RealAlgebraic.from_rational(Fraction(1, 2)) == fmpq(1, 2)
    assert RealAlgebraic(x - 3, 3, 3) == 3
    c = RealAlgebraic(2 * x**3 - 3 * x + 7, -2, -1)
    assert str(c).startswith("root of 2 x^3 - 3 x + 7 in (")
    assert -r < 0 and (-r).sign_of(x**2 - 2) == 0 and -r == RealAlgebraic(x**2 - 2, -2, -1)
    assert pickle.loads(pickle.dumps(r)) == r and pickle.loads(pickle.dumps(q)) == q
    assert r.to_sympy() == sympy.sqrt(2) or sympy.simplify(r.to_sympy() - sympy.sqrt(2)) == 0
    assert q.to_sympy() == sympy.Rational(1, 3)
    r.refine(fmpq(1, 10**30))
    lo, hi = r.interval
    assert hi - lo <= fmpq(1, 10**30) and lo**2 < 2 < hi**2
    assert r.refine_bits(5000) is r
    lo, hi = r.interval
    assert hi - lo <= fmpq(1, 2**5000) and lo**2 < 2 < hi**2
    assert r.midpoint_between(2) == fmpq(3, 2) or 1 < r.midpoint_between(2) < 2
    assert r.midpoint_between(-r) == 0
    assert abs(float(r) - 2**0.5) < 1e-15


def test_bad_input():
    with pytest.raises(InputError, match="zero polynomial"):
        RealAlgebraic(fmpz_poly([]), 0, 1)
    with pytest.raises(InputError, match="exactly one root"):
        RealAlgebraic(x**2 - 2, -2, 2)
    with pytest.raises(InputError, match="exactly one root"):
        RealAlgebraic(x**2 - 2, 2, 3)
    with pytest.raises(InputError, match="greater"):
        RealAlgebraic(x**2 - 2, 2, 1)
    with pytest.raises(InputError, match="not a root"):
        RealAlgebraic(x**2 - 2, 1, 1)
    with pytest.raises(InputError, match="endpoint"):
        RealAlgebraic((x**2 - 2) * (x - 1), 1, 2)
    with pytest.raises(InputError, match="rational"):
        RealAlgebraic(x**2 - 2, 1.0, 2)
    with pytest.raises(InputError, match="equal"):
        RealAlgebraic(x**2 - 2, 1, 2).midpoint_between(RealAlgebraic(x**4 - 4, 1, 3))
    X_, Y_ = CTX2.gens()
    with pytest.raises(InputError, match="coordinates"):
        sign_at(X_ + Y_, [1, 2, 3])
    with pytest.raises(InputError, match="'y'"):
        sign_at(X_ + Y_, [1])
    with pytest.raises(InputError, match="point\\[0\\]"):
        sign_at(X_ + Y_, ["a", 1])
    with pytest.raises(InputError, match="fmpz_mpoly"):
        sign_at("x + y", [1, 2])
    with pytest.raises(InputError, match="var_index"):
        real_roots_in_fiber(X_ + Y_, [1], 0)
    with pytest.raises(InputError, match="var_index"):
        real_roots_in_fiber(X_ + Y_, [1, 2], 2)
    Xz, Yz, Zz = CTX3.gens()
    with pytest.raises(InputError, match="'z'"):
        real_roots_in_fiber(Xz + Zz, [1], 1)


# ----------------------------------------------------------------------------- sign_at

RADICALS = [(2, 2), (3, 2), (5, 2), (7, 2), (2, 3), (3, 3), (5, 3)]  # (k, e): k^(1/e)


def radical(k, e):
    """RealAlgebraic k^(1/e) and its sympy value (k prime, e in {2, 3})."""
    return RealAlgebraic(x**e - k, 0, k), sympy.root(k, e)


def exact_value_sign(expr, syms, rads):
    """Sign of expr(k_i^(1/e_i)) exactly: reduce modulo s_i^e_i - k_i (sympy), then the
    reduced polynomial vanishes at the point iff it is the zero polynomial (the
    monomials prod s_i^{j_i}, j_i < e_i, are linearly independent over Q for distinct
    primes k_i); otherwise 100-digit evaluation gives the sign."""
    rels = [s**e - k for s, (k, e) in zip(syms, rads)]
    _q, r = sympy.reduced(sympy.expand(expr), rels, *syms) if rels else (None, sympy.expand(expr))
    r = sympy.expand(r)
    if r == 0:
        return 0
    val = r.subs({s: sympy.root(k, e) for s, (k, e) in zip(syms, rads)})
    v = sympy.N(val, DIGITS)
    assert abs(v) > sympy.Float(10) ** -(DIGITS // 2)
    return 1 if v > 0 else -1


mpoly_terms = st.dictionaries(
    st.tuples(st.integers(0, 3), st.integers(0, 3)), st.integers(-6, 6), min_size=1, max_size=6
)


def build(terms, ctx):
    return ctx.from_dict({m: c for m, c in terms.items() if c}) if any(terms.values()) else ctx.from_dict({(0,) * ctx.nvars(): 1})


@settings(max_examples=40)
@given(mpoly_terms, st.sampled_from(RADICALS), st.sampled_from(RADICALS), st.integers(0, 3))
def test_sign_at_two_radicals(terms, ra, rb, mode):
    assume(ra[0] != rb[0])
    a, _sa = radical(*ra)
    b, _sb = radical(*rb)
    xs, ys = sympy.symbols("xs ys")
    p = build(terms, CTX2)
    X_, Y_ = CTX2.gens()
    ma = X_ ** ra[1] - ra[0]
    mb = Y_ ** rb[1] - rb[0]
    if mode == 1:  # built to vanish exactly
        p = ma * p + mb * (X_ + 2 * Y_ - 1)
    elif mode == 2:  # vanishes, plus a tiny perturbation direction
        p = ma * p * mb + 1
    expr = sympy.sympify(str(p).replace("^", "**"), locals={"x": xs, "y": ys})
    expected = exact_value_sign(expr, [xs, ys], [ra, rb])
    if mode == 1:
        assert expected == 0
    assert sign_at(p, [a, b]) == expected
    assert sign_at(p, (a, b)) == expected  # any sequence type


@settings(max_examples=40)
@given(mpoly_terms, st.sampled_from(RADICALS), st.fractions(-3, 3, max_denominator=5))
def test_sign_at_one_radical_and_rational(terms, ra, q):
    a, _sa = radical(*ra)
    X_, Y_ = CTX2.gens()
    p = build(terms, CTX2)
    xs = sympy.Symbol("xs")
    qq = sympy.Rational(q.numerator, q.denominator)
    expr = sympy.sympify(str(p).replace("^", "**"), locals={"x": xs, "y": qq})
    expected = exact_value_sign(expr, [xs], [ra])
    fq = fmpq(q.numerator, q.denominator)
    assert sign_at(p, [a, fq]) == expected
    # the rational coordinate given as a RealAlgebraic, and the order of coordinates swapped
    p_swapped = CTX2.from_dict({(j, i): c for (i, j), c in p.to_dict().items()})
    assert sign_at(p_swapped, [RealAlgebraic.from_rational(fq), a]) == expected


def test_sign_at_zero_on_constructed_fiber_points():
    X_, Y_, Z_ = CTX3.gens()
    s2 = RealAlgebraic(x**2 - 2, 1, 2)
    c3 = RealAlgebraic(x**3 - 3, 1, 2)
    # b is a root of q(a, y): q(a, b) = 0 exactly, q(a, b) + 1 > 0 ...
    q = Y_**3 - X_ * Y_ - 1
    for b in real_roots_in_fiber(q, [s2], 1):
        assert sign_at(q, [s2, b]) == 0
        assert sign_at(q + 1, [s2, b]) == 1
        assert sign_at(Y_**3 - X_ * Y_, [s2, b]) == 1
        # numeric sanity
        assert abs(float(b) ** 3 - 2**0.5 * float(b) - 1) < 1e-9
    # three algebraic coordinates, exact zero: z = a * b (z root of z^6 - 72)
    for zz in RealAlgebraic.roots_of(x**6 - 72):
        expected = 0 if zz > 0 else -1  # z - a b with a = sqrt 2, b = cbrt 3, a b > 0
        assert sign_at(Z_ - X_ * Y_, [s2, c3, zz]) == expected
    # value extremely close to zero but not zero
    assert sign_at(X_ - Y_, [s2, RealAlgebraic(x**4 - 4, 1, 2)]) == 0
    near = RealAlgebraic(10**40 * x**2 - 2 * 10**40 - 1, 1, 2)  # sqrt(2 + 1e-40)
    assert sign_at(X_ - Y_, [s2, near]) == -1
    assert sign_at(X_**2 - Y_**2, [s2, near]) == -1
    assert sign_at(10**40 * Y_**2 - 2 * 10**40 - 1 + 0 * X_, [s2, near]) == 0
    # the point may be a prefix when the polynomial does not depend on the rest
    assert sign_at(X_**2 - 2, [s2]) == 0
    assert sign_at(X_ - 1, [fmpq(3, 2), 7, 9]) == 1
    assert sign_at(CTX3.from_dict({}), [s2, 1, 2]) == 0


# ----------------------------------------------------------------------------- fibers


def test_fiber_circle():
    X_, Y_ = CTX2.gens()
    circle = X_**2 + Y_**2 - 1
    h = RealAlgebraic(2 * x**2 - 1, 0, 1)  # sqrt(2)/2
    roots = real_roots_in_fiber(circle, [h], 1)
    assert roots == [-h, h]
    assert real_roots_in_fiber(circle, [1], 1) == [0]
    assert real_roots_in_fiber(circle, [fmpq(3, 5)], 1) == [fmpq(-4, 5), fmpq(4, 5)]
    assert all(r.is_rational for r in real_roots_in_fiber(circle, [fmpq(3, 5)], 1))
    assert real_roots_in_fiber(circle, [2], 1) == []
    s3h = RealAlgebraic(4 * x**2 - 3, 0, 1)  # sqrt(3)/2 -> y = +-1/2
    assert real_roots_in_fiber(circle, [s3h], 1) == [fmpq(-1, 2), fmpq(1, 2)]
    # tangent at an algebraic point: double root
    s2 = RealAlgebraic(x**2 - 2, 1, 2)
    assert real_roots_in_fiber((Y_ - X_) ** 2 * (Y_**2 + 1), [s2], 1) == [s2]


def test_fiber_degree_drop_and_vanishing():
    X_, Y_ = CTX2.gens()
    s2 = RealAlgebraic(x**2 - 2, 1, 2)
    # leading coefficient vanishes at sqrt 2: degree drops from 2 to 1
    assert real_roots_in_fiber((X_**2 - 2) * Y_**2 + Y_ - 1, [s2], 1) == [1]
    assert real_roots_in_fiber((X_**2 - 2) * Y_**2 + X_ * Y_ - 2, [s2], 1) == [s2]
    assert real_roots_in_fiber((X_**2 - 2) * (Y_**3 + Y_ + 1), [s2], 1) is None
    assert real_roots_in_fiber((X_ - 1) * Y_ + X_**2 - 1, [1], 1) is None
    assert real_roots_in_fiber((X_**2 - 2) * Y_ + 3, [s2], 1) == []
    assert real_roots_in_fiber(CTX2.from_dict({}), [s2], 1) is None
    # a conjugate point kills every coefficient (norm is identically 0): (sqrt2, sqrt2)
    Xz, Yz, Zz = CTX3.gens()
    assert real_roots_in_fiber((Xz + Yz) * (Zz - 3), [s2, s2], 2) == [3]
    assert real_roots_in_fiber((Xz - Yz) * (Zz - 3), [s2, s2], 2) is None
    assert real_roots_in_fiber((Xz + Yz) * (Zz - 3), [s2, -s2], 2) is None


def test_fiber_near_miss_candidates():
    """A root of the conjugate factor lies within 1e-30 of a true root: the 64-bit
    filter cannot separate them, the exact tests must."""
    X_, Y_ = CTX2.gens()
    s2 = RealAlgebraic(x**2 - 2, 1, 2)
    p = (Y_ - X_) * (10**30 * Y_ + 10**30 * X_ - 1)
    roots = real_roots_in_fiber(p, [s2], 1)
    # at x = sqrt 2: y = sqrt 2 and y = 1e-30 - sqrt 2 (not -sqrt 2, not sqrt 2 + 1e-30)
    assert len(roots) == 2
    assert roots[1] == s2 and roots[0] != -s2 and roots[0] > -s2
    assert sign_at(10**30 * Y_ + 10**30 * X_ - 1, [s2, roots[0]]) == 0
    # double roots next to a near miss: (y - x)^2 (10^30 y + 10^30 x - 1)^2
    assert real_roots_in_fiber(p**2, [s2], 1) == roots
    Xz, Yz, Zz = CTX3.gens()
    s3 = RealAlgebraic(x**2 - 3, 1, 2)
    q = (Zz - Xz * Yz) * (10**30 * Zz + 10**30 * Xz * Yz - 1)
    r3 = real_roots_in_fiber(q**2, [s2, s3], 2)
    six = RealAlgebraic(x**2 - 6, 2, 3)
    assert len(r3) == 2 and r3[1] == six and r3[0] != -six and r3[0] > -six


def test_fiber_two_algebraic_coordinates():
    Xz, Yz, Zz = CTX3.gens()
    s2 = RealAlgebraic(x**2 - 2, 1, 2)
    s3 = RealAlgebraic(x**2 - 3, 1, 2)
    roots = real_roots_in_fiber((Zz**2 - Xz * Yz) * (Zz - Xz - Yz) * (Zz**2 + 1), [s2, s3], 2)
    expected = sorted([-(6**0.25), 6**0.25, 2**0.5 + 3**0.5])
    assert [round(float(r), 12) for r in roots] == [round(v, 12) for v in expected]
    for r in roots:
        assert sign_at((Zz**2 - Xz * Yz) * (Zz - Xz - Yz), [s2, s3, r]) == 0


@settings(max_examples=30)
@given(
    st.lists(st.tuples(st.integers(1, 4), st.integers(-5, 5), st.integers(-5, 5)), min_size=1, max_size=4),
    st.sampled_from(RADICALS),
    st.booleans(),
)
def test_fiber_random_lines(lines, ra, extra):
    """p = prod (c y - u x - v) [* (y^2 + x^2 + 1)]: roots (u a + v) / c at x = a."""
    a, sa = radical(*ra)
    X_, Y_ = CTX2.gens()
    p = CTX2.from_dict({(0, 0): 1})
    for c, u, v in lines:
        p *= c * Y_ - u * X_ - v
    if extra:
        p *= Y_**2 + X_**2 + 1
    roots = real_roots_in_fiber(p, [a], 1)
    values = sorted({sympy.nsimplify((u * sa + v) / c) for c, u, v in lines}, key=mp)
    assert len(roots) == len(values)
    for r, v in zip(roots, values):
        assert abs(mp(r.to_sympy()) - mp(v)) < mpmath.mpf(10) ** -60
        assert r.is_rational == bool(v.is_Rational)
    assert all(roots[i] < roots[i + 1] for i in range(len(roots) - 1))
