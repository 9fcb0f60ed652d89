"""Exact coordinates of the topology routes: each is an ``fmpq`` or a :class:`RealAlgebraic`.

Private to :mod:`cad.topology`.  These are "rational or algebraic" helpers; the issue 14
integration pass moves them to ``cad/numbers/rational.py`` beside the other copies.
"""

from flint import fmpq, fmpq_poly, fmpz, fmpz_poly

from cad.algebraic import RealAlgebraic


def is_rat(v):
    """True for ``fmpq``, ``fmpz``, ``int`` and rational :class:`RealAlgebraic` values."""
    if isinstance(v, (fmpq, fmpz, int)):
        return True
    return bool(getattr(v, "is_rational", False))


def to_fmpq(v):
    """The ``fmpq`` of a rational value (see :func:`is_rat`)."""
    if isinstance(v, fmpq):
        return v
    if isinstance(v, (fmpz, int)):
        return fmpq(v)
    return fmpq(v.rational)


def canonical(v):
    """``fmpq`` when rational, the :class:`RealAlgebraic` otherwise."""
    return to_fmpq(v) if is_rat(v) else v


def format_value(x):
    """A rational as ``p/q``, an irrational algebraic number as its own ``str``."""
    if is_rat(x):
        return str(to_fmpq(x))
    return str(x)


def height(x):
    """Bit size of a rational (64 for an irrational number): small heights print shorter."""
    if is_rat(x):
        q = to_fmpq(x)
        return max(abs(int(q.p)), int(q.q)).bit_length()
    return 64


def rational_near(x, width):
    """A rational within ``width`` of ``x``."""
    if is_rat(x):
        return to_fmpq(x)
    x.refine(width)
    lo, hi = x.interval
    return (fmpq(lo) + fmpq(hi)) / 2


def abs_diff_lower(a, b):
    """Rational lower bound (> 0 when a != b) of |a - b| for fmpq / RealAlgebraic a, b."""
    if is_rat(a) and is_rat(b):
        return abs(to_fmpq(a) - to_fmpq(b))
    # refine both until the intervals separate
    A, B = a, b
    for _ in range(200):
        alo, ahi = (to_fmpq(A), to_fmpq(A)) if is_rat(A) else tuple(map(fmpq, A.interval))
        blo, bhi = (to_fmpq(B), to_fmpq(B)) if is_rat(B) else tuple(map(fmpq, B.interval))
        if ahi < blo:
            return blo - ahi
        if bhi < alo:
            return alo - bhi
        if A == B:
            return fmpq(0)
        for X, lo, hi in ((A, alo, ahi), (B, blo, bhi)):
            if not is_rat(X):
                X.refine((hi - lo) / 4)
    return fmpq(0)


def floor_below(r):
    """A rational strictly below ``r`` (an integer at least 1 below)."""
    if is_rat(r):
        return to_fmpq(r) - 1
    lo, _ = r.interval
    return fmpq(fmpz(int(fmpq(lo).floor())) - 1)


def ceil_above(r):
    """A rational strictly above ``r`` (an integer at least 1 above)."""
    if is_rat(r):
        return to_fmpq(r) + 1
    _, hi = r.interval
    return fmpq(fmpz(int(fmpq(hi).ceil())) + 1)


def affine_algebraic(t0, a, b):
    """``a + b t0`` exactly (a, b rational; t0 fmpq or RealAlgebraic)."""
    if b == 0:
        return a
    if is_rat(t0):
        return a + b * to_fmpq(t0)
    # x = a + b t  <=>  t = (x - a) / b ;  m(t) = 0  <=>  m((x - a)/b) = 0
    m = t0.poly
    lin = fmpq_poly([-a / b, 1 / b])
    g = fmpq_poly(0)
    pw = fmpq_poly(1)
    for c in m.coeffs():
        g += c * pw
        pw *= lin
    num = g.numer()
    lo, hi = map(fmpq, t0.interval)
    xs = sorted([a + b * lo, a + b * hi])
    return RealAlgebraic(fmpz_poly([int(c) for c in num.coeffs()]), xs[0], xs[1])
