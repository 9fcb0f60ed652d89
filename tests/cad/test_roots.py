"""Tests for cad.numbers.roots: exact real root isolation, checked against sympy (Sturm sequences)."""

import pytest
import sympy
from flint import fmpq, fmpq_poly, fmpz_poly
from hypothesis import given
from hypothesis import strategies as st

from cad.errors import InputError
from cad.numbers.real_algebraic import RealAlgebraic
from cad.numbers.roots import count_real_roots, isolate_real_roots, refine_root

X = sympy.Symbol("x")


def to_sympy(f):
    return sympy.Poly([int(c) for c in reversed(f.coeffs())], X)


def rat(q):
    return sympy.Rational(int(q.p), int(q.q))


small_coeffs = st.lists(st.integers(-9, 9), min_size=1, max_size=5)


@st.composite
def polys_with_repeated_roots(draw):
    """Products of random factors raised to random powers (degree <= 12)."""
    f = fmpz_poly([draw(st.integers(1, 5)) * draw(st.sampled_from([1, -1]))])
    nfac = draw(st.integers(1, 4))
    for _ in range(nfac):
        g = fmpz_poly(draw(small_coeffs))
        if g.is_zero():
            continue
        e = draw(st.integers(1, 3))
        if f.degree() + e * max(g.degree(), 0) > 12:
            continue
        f *= g**e
    if f.degree() < 1:
        f *= fmpz_poly([draw(st.integers(-3, 3)), draw(st.integers(1, 3))])
    return f


@st.composite
def dense_polys(draw):
    d = draw(st.integers(1, 12))
    cs = draw(st.lists(st.integers(-(2**20), 2**20), min_size=d + 1, max_size=d + 1))
    if cs[-1] == 0:
        cs[-1] = 1
    return fmpz_poly(cs)


def check_isolation(f):
    sf = to_sympy(f)
    ivs = isolate_real_roots(f)
    # number of distinct real roots, independently (sympy Sturm count)
    assert len(ivs) == sf.count_roots()
    for lo, hi in ivs:
        assert lo <= hi
        if lo == hi:
            assert f(lo) == 0
        else:
            assert f(lo) != 0 and f(hi) != 0
            assert sf.count_roots(rat(lo), rat(hi)) == 1
    for (a, b), (c, d) in zip(ivs, ivs[1:]):
        assert b <= c and (a, b) != (c, d)
        if b == c:  # touching only when neither is an exact root at the common point
            assert a < b and c < d
    return ivs


@given(polys_with_repeated_roots())
def test_isolation_repeated_roots(f):
    check_isolation(f)


@given(dense_polys())
def test_isolation_dense(f):
    check_isolation(f)


@given(st.integers(-(2**40), 2**40), st.integers(-(2**40), 2**40),
       st.integers(-(2**40), 2**40).filter(bool), st.integers(-30, 30), st.integers(-30, 30))
def test_isolation_quadratics(a, b, c, r, s):
    """Quadratics, with perfect-square discriminants (rational roots r, s) and large
    coefficients: isolation checked against sympy, and RealAlgebraic.roots_of (the quadratic
    formula) against sympy's roots."""
    check_isolation(fmpz_poly([a, b, c]))
    if r != s:
        check_isolation(fmpz_poly([r * s, -(r + s), 1]) * abs(c))
    # RealAlgebraic.roots_of takes the same formula: its numbers refine to the sympy roots
    f = fmpz_poly([a, b, c])
    ours = RealAlgebraic.roots_of(f)
    # radicals=False: sympy's own isolation (CRootOf), not sqrt of the discriminant, whose
    # factorisation with a trial limit can fail inside sympy 1.14's factor cache (ValueError
    # "... is not a prime factor of ...", seen on a 22-digit discriminant)
    theirs = sympy.real_roots(to_sympy(f), radicals=False)
    assert len(ours) == len(set(theirs))
    for z, t in zip(ours, sorted(set(theirs))):
        lo, hi = z.refine(fmpq(1, 2**40)).interval
        assert rat(lo) <= t <= rat(hi)


@given(polys_with_repeated_roots())
def test_multiplicities(f):
    sf = to_sympy(f)
    res = isolate_real_roots(f, multiplicities=True)
    assert [iv for iv, _m in res] == isolate_real_roots(f)
    # sum of multiplicities = number of real roots counted with multiplicity
    assert sum(m for _iv, m in res) == len(sympy.real_roots(sf))
    for (lo, hi), m in res:
        assert m >= 1
        # the root is a root of f^(m-1) but not of f^(m)
        d_m1 = sf.diff((X, m - 1)) if m > 1 else sf
        d_m = sf.diff((X, m))
        if lo == hi:
            assert d_m1.eval(rat(lo)) == 0 and d_m.eval(rat(lo)) != 0
        else:
            g = sympy.Poly(sympy.gcd(d_m1.as_expr(), sf.as_expr()), X)
            assert g.count_roots(rat(lo), rat(hi)) == 1
            g2 = sympy.Poly(sympy.gcd(d_m.as_expr(), sf.as_expr()), X)
            assert g2.degree() <= 0 or g2.count_roots(rat(lo), rat(hi)) == 0


@given(st.lists(st.tuples(st.integers(-30, 30), st.integers(1, 12)), min_size=1, max_size=6))
def test_rational_roots_are_exact(pairs):
    f = fmpz_poly([1])
    expected = set()
    for p, q in pairs:
        f *= fmpz_poly([-p, q])
        expected.add(sympy.Rational(p, q))
    f *= fmpz_poly([-2, 0, 1])  # plus two irrational roots
    ivs = isolate_real_roots(f)
    exact = {rat(lo) for lo, hi in ivs if lo == hi}
    assert exact == expected
    assert len(ivs) == len(expected) + 2


@given(polys_with_repeated_roots(), st.integers(1, 60))
def test_refine_root(f, bits):
    sf = to_sympy(f)
    width = fmpq(1, 2**bits)
    for lo, hi in isolate_real_roots(f):
        a, b = refine_root(f, lo, hi, width)
        assert lo <= a <= b <= hi
        assert b - a <= width
        if a == b:
            assert f(a) == 0
        else:
            assert sf.count_roots(rat(a), rat(b)) == 1


@given(polys_with_repeated_roots(), st.fractions(-10, 10, max_denominator=20), st.fractions(-10, 10, max_denominator=20))
def test_count_real_roots(f, a, b):
    lo, hi = (a, b) if a <= b else (b, a)
    sf = to_sympy(f)
    expected = sf.count_roots(sympy.Rational(lo.numerator, lo.denominator), sympy.Rational(hi.numerator, hi.denominator))
    assert count_real_roots(f, fmpq(lo.numerator, lo.denominator), fmpq(hi.numerator, hi.denominator)) == expected
    assert count_real_roots(f) == sf.count_roots()
    assert count_real_roots(f, lo=fmpq(lo.numerator, lo.denominator)) == sf.count_roots(
        sympy.Rational(lo.numerator, lo.denominator), None
    )


def test_close_roots_mignotte():
    # x^d - 2 (a x - 1)^2 has two roots within ~ 2 a^(-d/2 - 1) of 1/a
    for d, a in [(8, 10), (12, 30), (20, 100)]:
        f = fmpz_poly([0] * d + [1]) - 2 * fmpz_poly([-1, a]) ** 2
        check_isolation(f)


def test_wilkinson_and_large_degree():
    f = fmpz_poly([1])
    for k in range(1, 21):
        f *= fmpz_poly([-k, 1])
    ivs = isolate_real_roots(f)
    assert [lo for lo, _ in ivs] == [fmpq(k) for k in range(1, 21)]
    g = f + 1  # perturbed Wilkinson: roots no longer integers
    check_isolation(g)
    # Chebyshev polynomial: 30 roots in (-1, 1)
    t30 = fmpz_poly.chebyshev_t(30)
    ivs = check_isolation(t30)
    assert len(ivs) == 30 and all(-1 <= lo and hi <= 1 for lo, hi in ivs)


def test_simple_cases():
    x = fmpz_poly([0, 1])
    assert isolate_real_roots(x) == [(fmpq(0), fmpq(0))]
    assert isolate_real_roots(x**2 + 1) == []
    assert isolate_real_roots(fmpz_poly([5])) == []
    assert isolate_real_roots(fmpq_poly([fmpq(1, 2), 1])) == [(fmpq(-1, 2), fmpq(-1, 2))]
    (lo, hi), = isolate_real_roots(x**3 - 2)
    assert lo < hi and lo**3 < 2 < hi**3
    assert isolate_real_roots((x - 1) ** 3 * x**2, multiplicities=True) == [
        ((fmpq(0), fmpq(0)), 2),
        ((fmpq(1), fmpq(1)), 3),
    ]


def test_bad_input():
    with pytest.raises(InputError, match="zero polynomial"):
        isolate_real_roots(fmpz_poly([]))
    with pytest.raises(InputError, match="zero polynomial"):
        count_real_roots(fmpz_poly([0]))
    with pytest.raises(InputError, match="fmpz_poly"):
        isolate_real_roots("x^2 - 2")
    x = fmpz_poly([0, 1])
    with pytest.raises(InputError, match="isolating"):
        refine_root(x**2 - 2, fmpq(-2), fmpq(2), fmpq(1, 10))
    with pytest.raises(InputError, match="width"):
        refine_root(x**2 - 2, fmpq(1), fmpq(2), fmpq(0))
    with pytest.raises(InputError, match="lo"):
        refine_root(x**2 - 2, fmpq(2), fmpq(1), fmpq(1, 10))
