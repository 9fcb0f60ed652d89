"""Helpers for values that are "a rational number or a real algebraic number".

Exact coordinates in ``cad`` are either rationals (``fmpq``; ``int`` / ``fmpz`` are
accepted where a caller hands them in) or irrational real algebraic numbers
(:class:`cad.numbers.real_algebraic.RealAlgebraic`).  This module is the one home of
the small operations every layer needs on such values: coercion to ``fmpq``, the
rational test, rational bounds and their refinement, comparison, separation of two
distinct values by rationals, the ONE Stern--Brocot "simplest rational in an
interval" routine, and printing.

A real algebraic number is used only through its interface (``is_rational``,
``rational``, ``interval``, ``refine(width)``, comparisons with ``fmpq``), so this
module does not import :mod:`cad.numbers.real_algebraic` (which imports this one).
"""

from __future__ import annotations

from flint import fmpq, fmpz

from cad.errors import InputError, InternalError

__all__ = [
    "sign",
    "to_fmpq",
    "as_real",
    "as_integer",
    "as_rational",
    "is_rational_type",
    "is_rational",
    "rational_or_none",
    "rational_value",
    "simplify",
    "floor",
    "bounds",
    "refine",
    "separate",
    "compare",
    "negate",
    "integer_below",
    "simplest_between",
    "strictly_between",
    "rational_near",
    "height",
    "lower_gap",
    "integer_floor_below",
    "integer_ceil_above",
    "value_str",
    "exact_str",
]


# --------------------------------------------------------------------------- coercion


def sign(v) -> int:
    """-1, 0 or 1: the sign of a number that compares with 0 (int, fmpz, fmpq)."""
    return 1 if v > 0 else (-1 if v < 0 else 0)


_RATIONAL = "a rational number (fmpq, int) or RealAlgebraic"


def to_fmpq(v, name="value", expected=_RATIONAL):
    """``v`` (fmpq, int, fmpz, Fraction; not bool) as an ``fmpq``.

    Raises :class:`InputError` ``"{name}: expected {expected}, got {type}"`` otherwise.
    """
    if isinstance(v, fmpq):
        return v
    if isinstance(v, (int, fmpz)) and not isinstance(v, bool):
        return fmpq(v)
    from fractions import Fraction  # here: importing fractions costs the start-up milliseconds

    if isinstance(v, Fraction):
        return fmpq(v.numerator, v.denominator)
    raise InputError(f"{name}: expected {expected}, got {type(v).__name__}")


def as_real(v, name="coordinate"):
    """A coordinate as handed in by a user: ``fmpq`` when rational (int, fmpz, Fraction,
    rational RealAlgebraic), else the irrational ``RealAlgebraic`` itself."""
    if hasattr(v, "is_rational") and hasattr(v, "interval"):  # a RealAlgebraic
        return v.rational if v.is_rational else v
    return to_fmpq(v, name)


def as_integer(value):
    """``value`` as fmpz when it is an exact integer (bool, int, fmpz, integral fmpq), else None."""
    if isinstance(value, bool):
        return fmpz(int(value))
    if isinstance(value, (int, fmpz)):
        return fmpz(value)
    if isinstance(value, fmpq):
        return value.p if value.q == 1 else None
    return None


def as_rational(value):
    """``value`` as fmpq (int, fmpz, fmpq, Fraction, sympy Rational: anything with an integer
    numerator and denominator, floats excluded), else None."""
    if isinstance(value, fmpq):
        return value
    if isinstance(value, (int, fmpz)):
        return fmpq(value)
    num = getattr(value, "numerator", None)
    den = getattr(value, "denominator", None)
    if num is not None and den is not None and not isinstance(value, float):
        if callable(num):  # old sympy versions: numerator() / denominator() are methods
            num, den = num(), den()
        try:
            return fmpq(int(num), int(den))
        except (TypeError, ValueError):
            return None
    return None


# --------------------------------------------------------------------------- rational or algebraic


def is_rational_type(v) -> bool:
    """Is ``v`` of a rational type (fmpq, fmpz, int)?  (A rational RealAlgebraic is not.)"""
    return isinstance(v, (fmpq, fmpz, int))


def is_rational(v) -> bool:
    """Is the value ``v`` (fmpq, fmpz, int or RealAlgebraic) a rational number?"""
    return is_rational_type(v) or bool(v.is_rational)


def rational_value(v) -> fmpq:
    """The ``fmpq`` value of a rational ``v`` (see :func:`is_rational`)."""
    if isinstance(v, fmpq):
        return v
    if isinstance(v, (fmpz, int)):
        return fmpq(v)
    return fmpq(v.rational)


def rational_or_none(v):
    """``v`` as fmpq when it is rational (int, fmpz, fmpq, rational RealAlgebraic), else None;
    a bool is bad input, not a number."""
    if isinstance(v, bool):
        raise InputError(f"coordinate {v!r} is not a number")
    if is_rational_type(v):
        return rational_value(v)
    if getattr(v, "is_rational", False) and v.rational is not None:
        return fmpq(v.rational)
    return None


def simplify(v):
    """``fmpq`` when ``v`` is rational, else the (irrational) RealAlgebraic itself."""
    return rational_value(v) if is_rational(v) else v


def floor(q) -> fmpz:
    """``floor(q)`` as fmpz for a rational ``q``."""
    return rational_value(q).floor()


def bounds(v):
    """Rationals ``(lo, hi)`` with ``lo <= v <= hi``: the isolating interval, or ``(v, v)``."""
    if type(v) is fmpq:
        return v, v
    if is_rational(v):
        q = rational_value(v)
        return q, q
    lo, hi = v.interval
    return (lo if type(lo) is fmpq else fmpq(lo)), (hi if type(hi) is fmpq else fmpq(hi))


def refine(v):
    """Quarter the isolating interval of an irrational RealAlgebraic; returns the number."""
    lo, hi = bounds(v)
    r = v.refine((hi - lo) / 4)
    return r if r is not None and hasattr(r, "interval") else v


QUARTERINGS = 200               # separation steps that quarter the isolating intervals, as always
MAX_SEPARATION_BITS = 1 << 16   # then absolute precision doubled up to this; beyond, reported, not refined on


def separate(a, b):
    """Rationals ``(u, l)`` with ``a <= u < l <= b`` for values ``a < b``.

    Refines the isolating intervals until they are disjoint (:func:`_separating`); for an
    irrational value the end of its isolating interval is not the value itself.
    """
    for _ in _separating(a, b):
        _, u = bounds(a)
        l, _ = bounds(b)
        if u < l:
            return u, l
    raise _unseparated()


def _unseparated():
    return InternalError("internal: could not separate two distinct real algebraic numbers "
                         f"within {MAX_SEPARATION_BITS} bits")


def _separating(a, b):
    """Yield before each refinement of the irrational ones of ``a``, ``b``: first
    :data:`QUARTERINGS` times their isolating intervals quartered (enough for most pairs, and
    the sample points chosen between them stay those of before), then refined to absolute width
    ``2^-k`` for ``k`` doubling up to :data:`MAX_SEPARATION_BITS` (quadratic interval
    refinement).  So a pair ``d`` apart is separated at about ``2 log2(1/d)`` bits, not after a
    fixed number of steps: a root ``7e-148`` above ``0``, isolated in ``(0, 1024)``, is out of
    reach of 200 quarterings (``1024 / 4^200`` is ``4e-118``) and separated at 512 bits."""
    irrational = [x for x in (a, b) if not is_rational(x)]
    for _ in range(QUARTERINGS):
        yield
        for x in irrational:
            if not x.is_rational:      # a bisection may land on the root (a rational number)
                refine(x)
    bits = 16
    while bits <= MAX_SEPARATION_BITS:
        yield
        for x in irrational:
            if not x.is_rational:
                x.refine_bits(bits)
        bits *= 2
    yield


def compare(a, b) -> int:
    """-1, 0, 1: the order of two values (fmpq, fmpz, int or RealAlgebraic), exactly."""
    if type(a) is fmpq:   # the common cases first: two rationals, a rational and a RealAlgebraic
        if type(b) is fmpq:
            return (a > b) - (a < b)
        if hasattr(b, "_cmp"):
            return -b._cmp(a)
    elif type(b) is fmpq and hasattr(a, "_cmp"):
        return a._cmp(b)
    if is_rational_type(a):
        a = rational_value(a)
    if is_rational_type(b):
        b = rational_value(b)
    # a RealAlgebraic: one exact comparison (refining intervals) instead of == then <
    if hasattr(a, "_cmp"):
        return a._cmp(b)
    if hasattr(b, "_cmp"):
        return -b._cmp(a)
    if a == b:
        return 0
    return -1 if a < b else 1


def negate(v):
    """``-v`` (fmpq for rational types)."""
    if is_rational_type(v):
        return -rational_value(v)
    return -v


_HALF = fmpq(1, 2)


def integer_below(v) -> fmpq:
    """The largest integer strictly below ``v``, as fmpq.

    For an irrational ``v`` the isolating interval is first refined to width at most 1/2
    (bisection: logarithmically many steps in its width), so that ``floor(lo)`` is at most
    one below the answer; walking up from ``floor(lo)`` one integer at a time would take
    as many steps as the interval is wide (billions for a root near ``4.5e9`` isolated in
    ``(0, 2^33)``).  When the isolating interval ``(lo, hi)`` already lies in
    ``[n, n + 1]`` for ``n = floor(lo)``, the answer is ``n`` (``v`` is irrational) at once."""
    if type(v) is fmpq:
        return fmpq(v.ceil() - 1)
    if is_rational(v):
        q = rational_value(v)
        m = floor(q)
        return fmpq(m - 1 if fmpq(m) == q else m)
    lo, hi = bounds(v)
    m = lo.floor()
    if hi <= m + 1:
        return fmpq(m)
    if hi - lo > _HALF:
        v.refine(_HALF)
        lo, _ = bounds(v)
    m = floor(lo)
    while compare(v, fmpq(m + 1)) > 0:
        m += 1
    return fmpq(m)   # v is irrational, so not m


def integer_above(v) -> fmpq:
    """The smallest integer strictly above ``v``, as fmpq: ``-integer_below(-v)`` without
    negating an algebraic number (a new minimal polynomial); see :func:`integer_below` (here
    ``(lo, hi)`` in ``[n - 1, n]`` for ``n = ceil(hi)`` gives ``n`` at once)."""
    if type(v) is fmpq:
        return fmpq(v.floor() + 1)
    if is_rational(v):
        return fmpq(floor(rational_value(v)) + 1)
    lo, hi = bounds(v)
    m = hi.ceil()
    if lo >= m - 1:
        return fmpq(m)
    if hi - lo > _HALF:
        v.refine(_HALF)
        _, hi = bounds(v)
    m = -floor(-hi)
    while compare(v, fmpq(m - 1)) < 0:
        m -= 1
    return fmpq(m)   # v is irrational, so not m


# --------------------------------------------------------------------------- simplest rationals


def simplest_between(lo, hi, lo_open=True, hi_open=True) -> fmpq:
    """The simplest rational (least denominator, then least ``|numerator|``) in the interval
    from ``lo`` to ``hi`` (``lo < hi``; ``hi=None`` is ``+oo``), open or closed at each end.

    An integer of least absolute value when the interval holds one.  Otherwise the
    interval lies in ``[fl, fl + 1]`` and the answer is ``fl + 1/s`` with ``s`` the
    simplest rational of the image ``(1/(hi - fl), 1/(lo - fl))`` (open/closed flags
    swap): the continued-fraction descent of the Stern--Brocot tree.  Exact, on Python
    integers (numerator, positive denominator), which is much cheaper than fmpq arithmetic.
    """
    lo = rational_value(lo)
    hi = None if hi is None else rational_value(hi)
    p, q = _simplest(int(lo.p), int(lo.q), None if hi is None else int(hi.p),
                     None if hi is None else int(hi.q), lo_open, hi_open)
    return fmpq(p, q)


def _simplest(ln, ld, hn, hd, lo_open, hi_open):
    """:func:`simplest_between` of ``ln/ld`` and ``hn/hd`` (``hn`` None: ``+oo``), as ``(p, q)``."""
    if hn is not None and hn <= 0:
        p, q = _simplest(-hn, hd, -ln, ld, hi_open, lo_open)
        return -p, q
    if ln < 0 or (ln == 0 and not lo_open):
        return 0, 1
    fl = ln // ld
    cand = fl if (fl * ld == ln and not lo_open) else fl + 1
    if hn is None or cand * hd < hn or (cand * hd == hn and not hi_open):
        return cand, 1
    # lo, hi in [fl, fl + 1]: x in (a, b) iff 1/x in (1/b, 1/a), then fl + 1/(p/q)
    an = ln - fl * ld
    p, q = _simplest(hd, hn - fl * hd, ld if an else None, an if an else None, hi_open, lo_open)
    return fl * p + q, p


def strictly_between(a, b) -> fmpq:
    """A simple rational strictly between the values ``a < b`` (fmpq or RealAlgebraic): the
    simplest one between the rationals of :func:`separate` (for an irrational end, the end of
    its isolating interval counts as inside)."""
    if type(a) is fmpq and type(b) is fmpq:
        return simplest_between(a, b)
    u, l = separate(a, b)
    # an isolating interval of an irrational number excludes it, so its end may be used
    return simplest_between(u, l, is_rational(a), is_rational(b))


def rational_near(x, width) -> fmpq:
    """A rational within ``width`` of ``x``: ``x`` itself when rational, else the midpoint of
    an isolating interval refined to ``width``."""
    if is_rational(x):
        return rational_value(x)
    x.refine(width)
    lo, hi = x.interval
    return (fmpq(lo) + fmpq(hi)) / 2


def height(x) -> int:
    """Bit size ``max(|p|, q)`` of a rational ``p/q``; 64 for an irrational number."""
    if is_rational(x):
        q = rational_value(x)
        return max(abs(int(q.p)), int(q.q)).bit_length()
    return 64


def lower_gap(a, b) -> fmpq:
    """A rational lower bound of ``|a - b|``, positive when ``a != b`` (refines the
    isolating intervals until they separate, :func:`_separating`; 0 when the values are
    equal; ``InternalError`` rather than 0 for distinct values closer than
    ``2^-MAX_SEPARATION_BITS``)."""
    if is_rational(a) and is_rational(b):
        return abs(rational_value(a) - rational_value(b))
    for _ in _separating(a, b):
        alo, ahi = bounds(a)
        blo, bhi = bounds(b)
        if ahi < blo:
            return blo - ahi
        if bhi < alo:
            return alo - bhi
        if a == b:
            return fmpq(0)
    raise _unseparated()


def integer_floor_below(v) -> fmpq:
    """An integer strictly below ``v`` and at least 1 below it (cheap: from the lower bound)."""
    if is_rational(v):
        return rational_value(v) - 1
    return fmpq(floor(bounds(v)[0]) - 1)


def integer_ceil_above(v) -> fmpq:
    """An integer strictly above ``v`` and at least 1 above it (cheap: from the upper bound)."""
    if is_rational(v):
        return rational_value(v) + 1
    return fmpq(-floor(-bounds(v)[1]) + 1)


# --------------------------------------------------------------------------- printing


def value_str(v) -> str:
    """Rationals exactly; irrational algebraic numbers as ``~1.41421 (root of x^2 - 2)``."""
    if is_rational(v):
        return str(rational_value(v))
    text = str(v).split(" in (")[0]
    return f"~{float(v):.6g} ({text})"


def exact_str(v) -> str:
    """A rational as ``p/q``; an irrational algebraic number as its own exact ``str``
    (defining polynomial and isolating interval)."""
    return str(rational_value(v)) if is_rational(v) else str(v)
