"""Tests of cad.numbers.rational: helpers for "rational or real algebraic" values.

The simplest rational of an interval is checked against a brute-force search (least
denominator, then least absolute numerator), independent of the Stern--Brocot descent.
"""

from fractions import Fraction

import pytest
from flint import fmpq, fmpz, fmpz_poly
from hypothesis import given
from hypothesis import strategies as st

from cad.errors import InputError
from cad.numbers import rational as Q
from cad.numbers.real_algebraic import RealAlgebraic

SQRT2 = RealAlgebraic(fmpz_poly([-2, 0, 1]), 1, 2)


def brute_simplest(lo, hi, lo_open, hi_open):
    """Least denominator, then least |numerator|, in the interval (hi None: +oo)."""
    def inside(x):
        above = x > lo if lo_open else x >= lo
        below = True if hi is None else (x < hi if hi_open else x <= hi)
        return above and below

    den = 1
    while True:
        best = None
        # candidates p/den near the interval, scanned by |p|
        start = int((lo * den).floor()) - 1
        stop = (int((hi * den).ceil()) + 1) if hi is not None else max(start + 3, 0)
        for p in range(start, stop + 1):
            x = fmpq(p, den)
            if inside(x) and (best is None or abs(p) < abs(best.p)):
                best = x
        if best is not None:
            return best
        den += 1


fractions = st.builds(fmpq, st.integers(-60, 60), st.integers(1, 12))


@given(fractions, fractions, st.booleans(), st.booleans())
def test_simplest_between_is_the_simplest(a, b, lo_open, hi_open):
    if a == b:
        b = a + fmpq(1, 7)
    lo, hi = min(a, b), max(a, b)
    assert Q.simplest_between(lo, hi, lo_open, hi_open) == brute_simplest(lo, hi, lo_open, hi_open)


@given(fractions, st.booleans())
def test_simplest_between_unbounded(a, lo_open):
    assert Q.simplest_between(a, None, lo_open, True) == brute_simplest(a, None, lo_open, True)


def test_simplest_between_examples():
    assert Q.simplest_between(fmpq(-1, 2), fmpq(1, 2)) == 0
    assert Q.simplest_between(fmpq(1, 3), fmpq(1, 2)) == fmpq(2, 5)
    assert Q.simplest_between(fmpq(-1, 2), fmpq(-1, 3)) == fmpq(-2, 5)
    assert Q.simplest_between(fmpq(0), fmpq(1, 3)) == fmpq(1, 4)
    assert Q.simplest_between(fmpq(0), fmpq(1, 3), lo_open=False) == 0
    assert Q.simplest_between(fmpq(1), fmpq(2), False, False) == 1
    assert Q.simplest_between(fmpq(1), fmpq(2)) == fmpq(3, 2)


def test_between_algebraic_values():
    # the simplest rational between 1 and the separating end of sqrt(2)'s refined interval
    v = Q.strictly_between(fmpq(1), SQRT2)
    assert 1 < v < SQRT2 and v == fmpq(5, 4)
    assert Q.strictly_between(fmpq(-1), fmpq(1)) == 0
    u, l = Q.separate(SQRT2, fmpq(3, 2))
    assert SQRT2 <= u < l <= fmpq(3, 2)
    assert Q.integer_below(SQRT2) == 1 and Q.integer_below(fmpq(2)) == 1
    assert Q.integer_below(-SQRT2) == -2
    assert Q.compare(SQRT2, fmpq(3, 2)) == -1 and Q.compare(2, fmpz(2)) == 0
    assert Q.compare(fmpq(3, 2), SQRT2) == 1


# A root 7e-148 above 0 isolated in (0, 1024), met by the random-formula sweep (seed 1235473947,
# chunk 3): 200 quarterings of its interval (down to 4e-118) could not separate it from 0.
TINY_ROOT = RealAlgebraic(fmpz_poly([
    -1,
    1467780214392700884008835799999961718096728268384162900337843426582531053359504819109678632313755437433375851430790736227239874738284386084561786656,
    -1449537020581985531351129840660204272551962815743670842855575384497730821785760000,
    16942702631737705282214837473450476938045159622127653757708969279048516176003149172472973408368217719011172864257576749960422784526588521873408]),
    0, 1024)


def test_a_root_closer_to_zero_than_200_quarterings_reach_is_separated():
    zero = fmpq(0)
    u, l = Q.separate(zero, TINY_ROOT)
    assert 0 <= u < l and Q.compare(l, TINY_ROOT) <= 0
    assert 0 < Q.strictly_between(zero, TINY_ROOT) < l
    gap = Q.lower_gap(zero, TINY_ROOT)
    assert 0 < gap and Q.compare(gap, TINY_ROOT) <= 0
    assert fmpq(1, 10 ** 148) < TINY_ROOT < fmpq(1, 10 ** 147)


@given(st.integers(1, 3000), st.integers(-3, 3))
def test_separation_of_a_rational_and_a_root_near_it(k, r):
    # root = r + sqrt(2) / 2^k, of 4^k (x - r)^2 - 2, isolated in (r, r + 1024): above r by less
    # than 2^(1 - k), which a fixed number of quarterings cannot reach for large k
    poly = fmpz_poly([-2]) + fmpz_poly([-r, 1]) ** 2 * 4 ** k
    root = RealAlgebraic(poly, r, r + 1024)
    u, l = Q.separate(fmpq(r), root)
    assert r <= u < l and Q.compare(l, root) <= 0
    gap = Q.lower_gap(root, fmpq(r))
    assert 0 < gap < fmpq(2, 2 ** k)
    assert Q.lower_gap(root, root) == 0


def test_coercion_and_tests():
    assert Q.to_fmpq(3) == 3 and Q.to_fmpq(Fraction(1, 3)) == fmpq(1, 3)
    with pytest.raises(InputError, match="lo: expected"):
        Q.to_fmpq(True, "lo")
    with pytest.raises(InputError, match="RealAlgebraic"):
        Q.to_fmpq(1.5)
    half = RealAlgebraic.from_rational(fmpq(1, 2))
    assert Q.as_real(half) == fmpq(1, 2) and isinstance(Q.as_real(half), type(fmpq(1)))
    assert Q.as_real(SQRT2) is SQRT2
    assert Q.is_rational(half) and Q.is_rational(3) and not Q.is_rational(SQRT2)
    assert Q.simplify(half) == fmpq(1, 2) and Q.simplify(SQRT2) is SQRT2
    assert Q.negate(fmpz(2)) == -2 and Q.negate(SQRT2) < 0
    assert Q.bounds(fmpq(1, 3)) == (fmpq(1, 3), fmpq(1, 3))
    lo, hi = Q.bounds(SQRT2)
    assert lo < SQRT2 < hi
    assert Q.as_integer(fmpq(4, 2)) == 2 and Q.as_integer(fmpq(1, 2)) is None
    assert Q.as_rational(Fraction(3, 4)) == fmpq(3, 4) and Q.as_rational(0.5) is None
    assert Q.height(fmpq(-5, 3)) == 3 and Q.height(SQRT2) == 64
    r = Q.rational_near(SQRT2, fmpq(1, 1000))
    assert abs(r * r - 2) < fmpq(1, 100)


def test_value_str():
    assert Q.value_str(fmpq(-3, 2)) == "-3/2"
    assert Q.value_str(SQRT2) == "~1.41421 (root of x^2 - 2)"


@given(st.integers(1, 10**12), st.integers(-(10**10), 10**10), st.integers(1, 60))
def test_integer_below_far_from_its_isolating_interval_ends(n, shift, bits):
    """The largest integer below ``shift + sqrt(n)`` (n not a square), isolated in an interval
    of width about ``2^bits`` times the value: found by refining, not by walking up from the
    interval's lower end (which takes as many steps as the interval is wide)."""
    import math

    r = math.isqrt(n)
    if r * r == n:
        n += 1
        r = math.isqrt(n)
    # shift + sqrt(n) is the root of (x - shift)^2 - n in (shift, shift + 2^bits * (r + 1))
    v = RealAlgebraic(fmpz_poly([shift * shift - n, -2 * shift, 1]), fmpq(shift),
                      fmpq(shift + (r + 1) * 2**bits))
    assert Q.integer_below(v) == shift + r
    assert Q.integer_below(fmpq(shift) + fmpq(1, 3)) == shift
    assert Q.integer_below(fmpq(shift)) == shift - 1
    # integer_above is integer_below mirrored, without negating the number
    w = RealAlgebraic(fmpz_poly([shift * shift - n, -2 * shift, 1]), fmpq(shift),
                      fmpq(shift + (r + 1) * 2**bits))
    assert Q.integer_above(w) == shift + r + 1 == -Q.integer_below(-w)
    assert Q.integer_above(fmpq(shift) + fmpq(1, 3)) == shift + 1
    assert Q.integer_above(fmpq(shift)) == shift + 1
