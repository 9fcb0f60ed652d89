"""Real algebraic numbers: :class:`RealAlgebraic`.

A real algebraic number is represented by its minimal polynomial over Z (primitive,
irreducible, positive leading coefficient) and an isolating interval with rational
endpoints (Loos, "Computing in algebraic extensions", in *Computer Algebra --
Symbolic and Algebraic Computation*, 1982; Basu--Pollack--Roy, *Algorithms in Real
Algebraic Geometry*, Ch. 10).  Rational numbers are a special case stored as
``fmpq``.  Signs of multivariate polynomials at points with algebraic coordinates
are in :mod:`cad.poly.sign`, roots in a fibre in :mod:`cad.poly.fibre`.
"""

from __future__ import annotations

from math import gcd, isqrt

from flint import arb, ctx as _flint_ctx, fmpq, fmpq_poly, fmpz, fmpz_poly

from cad.errors import InputError
from cad.numbers.rational import as_real, sign as _sgn, simplest_between, to_fmpq as _to_fmpq
from cad.numbers.roots import (
    _isolate_squarefree,
    _primitive,
    as_fmpz_poly,
    count_real_roots,
    qir_refine,
    sign_at_rational,
    squarefree_part,
)

__all__ = ["RealAlgebraic", "as_real"]


def _poly_str(f: fmpz_poly, var="x") -> str:
    """``3 x^2 - 2 x + 1`` (QEPCAD-like syntax)."""
    parts = []
    coeffs = f.coeffs()
    for i in range(len(coeffs) - 1, -1, -1):
        c = int(coeffs[i])
        if c == 0:
            continue
        sign = "-" if c < 0 else "+"
        a = abs(c)
        if i == 0:
            body = str(a)
        else:
            mon = var if i == 1 else f"{var}^{i}"
            body = mon if a == 1 else f"{a} {mon}"
        parts.append((sign, body))
    if not parts:
        return "0"
    s = ("-" if parts[0][0] == "-" else "") + parts[0][1]
    for sign, body in parts[1:]:
        s += f" {sign} {body}"
    return s


def _isolate_quadratic(a, b, c):
    """The sorted isolating intervals of the roots of ``c x^2 + b x + a`` (integers, ``c > 0``,
    ``D = b^2 - 4ac != 0``) by the quadratic formula: with ``s = isqrt(D)``, the rational
    roots ``(-b -+ s) / 2c`` when ``s^2 = D``, else the irrational ``(-b -+ sqrt(D)) / 2c`` in
    ``(-b - s - 1, -b - s) / 2c`` and ``(-b + s, -b + s + 1) / 2c`` (disjoint: ``D >= 2``
    gives ``s >= 1``; the rational ends are not roots)."""
    D = b * b - 4 * a * c
    if D < 0:
        return []
    s = isqrt(D)
    c2 = 2 * c
    if s * s == D:
        return [(fmpq(-b - s, c2),) * 2, (fmpq(-b + s, c2),) * 2]
    return [(fmpq(-b - s - 1, c2), fmpq(-b - s, c2)), (fmpq(-b + s, c2), fmpq(-b + s + 1, c2))]


class RealAlgebraic:
    """A real algebraic number: minimal polynomial + isolating interval (immutable value).

    ``RealAlgebraic(poly, lo, hi)``: ``poly`` a non-zero integer polynomial with exactly
    one distinct root in the open interval ``(lo, hi)`` (or ``lo == hi`` a rational
    root).  The polynomial is reduced to the irreducible factor (flint ``factor``)
    vanishing at the root, so equal numbers have equal ``poly`` and the hash only
    depends on the value.  The isolating interval is refined in place when needed
    (refinement never changes the value).
    """

    __slots__ = ("_poly", "_lo", "_hi", "_slo", "_rat", "_hash", "_arb", "_index", "_disp")

    def __init__(self, poly, lo, hi):
        f = as_fmpz_poly(poly, "RealAlgebraic poly")
        lo = _to_fmpq(lo, "RealAlgebraic lo")
        hi = _to_fmpq(hi, "RealAlgebraic hi")
        if lo > hi:
            raise InputError(f"RealAlgebraic: lo = {lo} is greater than hi = {hi}")
        if f.degree() <= 0:
            raise InputError("RealAlgebraic poly: a non-zero constant has no roots")
        if lo == hi:
            if f(lo) != 0:
                raise InputError(f"RealAlgebraic: {lo} is not a root of the polynomial")
            self._set_rational(lo)
            return
        sq = squarefree_part(f)
        slo = sign_at_rational(sq, lo)
        shi = sign_at_rational(sq, hi)
        if slo == 0 or shi == 0:
            raise InputError(f"RealAlgebraic: an endpoint of ({lo}, {hi}) is a root; use an open isolating interval")
        if slo == shi or count_real_roots(sq, lo, hi) != 1:
            raise InputError(f"RealAlgebraic: ({lo}, {hi}) does not contain exactly one root of the polynomial")
        self._init_from_squarefree(sq, lo, hi)

    # -- construction helpers -------------------------------------------------------

    def _set_rational(self, q):
        self._rat = q
        self._poly = None     # q x - p, made when asked (:attr:`poly`): most rational roots never are
        self._lo = self._hi = q
        self._slo = 0
        self._hash = None
        self._arb = None
        self._index = 0

    def _init_from_squarefree(self, sq, lo, hi):
        """``sq`` squarefree with exactly one root in (lo, hi), non-zero at lo and hi."""
        if sq.degree() > 1:
            _c, facs = sq.factor()
            if len(facs) > 1:
                for g, _e in facs:
                    if g.degree() >= 1 and sign_at_rational(g, lo) * sign_at_rational(g, hi) < 0:
                        sq = g
                        break
        sq = _primitive(sq)
        if sq.degree() == 1:
            self._set_rational(fmpq(-sq[0], sq[1]))
            return
        self._set_irrational(sq, lo, hi)

    def _set_irrational(self, g, lo, hi, slo=None):
        self._rat = None
        self._poly = g
        self._lo = lo
        self._hi = hi
        self._disp = (lo, hi)
        self._slo = sign_at_rational(g, lo) if slo is None else slo
        self._hash = None
        self._arb = None
        self._index = None

    @classmethod
    def _irreducible(cls, g, lo, hi, slo=None):
        """Trusted constructor: ``g`` irreducible primitive, lc > 0, deg >= 2, isolating (lo, hi);
        ``slo`` the sign of ``g(lo)`` when known."""
        self = cls.__new__(cls)
        self._set_irrational(g, lo, hi, slo)
        return self

    @classmethod
    def from_rational(cls, q):
        """The rational number ``q`` (fmpq, int, Fraction)."""
        self = cls.__new__(cls)
        self._set_rational(_to_fmpq(q, "from_rational"))
        return self

    @classmethod
    def roots_of(cls, f) -> list:
        """The distinct real roots of the non-zero integer polynomial ``f``, sorted."""
        f = as_fmpz_poly(f)
        if f.degree() <= 0:
            return []
        if f.degree() == 1:
            return [cls.from_rational(fmpq(-f[0], f[1]))]
        if f.degree() == 2:   # the quadratic formula (most fibres of low-degree problems)
            # the primitive part with a positive leading coefficient, on Python integers
            a, b, c = int(f[0]), int(f[1]), int(f[2])
            content = gcd(a, b, c) if c > 0 else -gcd(a, b, c)
            if content != 1:
                a, b, c = a // content, b // content, c // content
            if b * b == 4 * a * c:
                return [cls.from_rational(fmpq(-b, 2 * c))]
            # non-square discriminant: g is irreducible, positive left of its lower root
            # and negative between its roots
            g = fmpz_poly([a, b, c])
            return [cls.from_rational(lo) if lo == hi else cls._irreducible(g, lo, hi, 1 - 2 * k)
                    for k, (lo, hi) in enumerate(_isolate_quadratic(a, b, c))]
        sq = squarefree_part(f)
        if sq.degree() == 2:
            return cls.roots_of(sq)
        # the irreducible factors first (cheap in flint): their linear ones give the rational
        # roots, so the isolation needs no search for them
        _c, fl = sq.factor()
        facs = [_primitive(g) for g, _e in fl if g.degree() >= 1]
        rational = [fmpq(-g[0], g[1]) for g in facs if g.degree() == 1]
        ivs = _isolate_squarefree(sq, rational)
        out = []
        for lo, hi in ivs:
            if lo == hi:
                out.append(cls.from_rational(lo))
                continue
            g = sq
            if len(facs) > 1:
                for h in facs:
                    if h.degree() > 1 and sign_at_rational(h, lo) * sign_at_rational(h, hi) < 0:
                        g = h
                        break
            elif facs:
                g = facs[0]
            out.append(cls._irreducible(g, lo, hi))
        return out

    # -- basic properties -----------------------------------------------------------

    @property
    def is_rational(self) -> bool:
        return self._rat is not None

    @property
    def rational(self):
        return self._rat

    @property
    def poly(self) -> fmpz_poly:
        """Minimal polynomial (primitive, irreducible, positive leading coefficient)."""
        if self._poly is None:
            q = self._rat
            self._poly = fmpz_poly([-q.p, q.q])
        return self._poly

    @property
    def interval(self):
        """Current isolating interval ``(lo, hi)`` (``lo == hi`` for rationals)."""
        return (self._lo, self._hi)

    @property
    def degree(self) -> int:
        return 1 if self._rat is not None else self._poly.degree()

    # -- refinement -----------------------------------------------------------------

    def refine(self, width):
        """Shrink the isolating interval to width ``<= width`` (bisection, exact signs)."""
        width = _to_fmpq(width, "width")
        if width <= 0:
            raise InputError(f"refine: width must be positive, got {width}")
        if self._rat is not None:
            return self
        self._refine_to(width)
        return self

    def _bisect(self):
        lo, hi = self._lo, self._hi
        m = (lo + hi) / 2
        # prefer a simple dyadic point: keeps the numbers in later evaluations short
        sm = sign_at_rational(self._poly, m)
        if sm == 0:  # impossible for an irreducible poly of degree >= 2
            self._set_rational(m)
            return
        if sm == self._slo:
            self._lo = m
        else:
            self._hi = m

    def _refine_to(self, width):
        while self._rat is None and self._hi - self._lo > width:
            self._bisect()

    def refine_bits(self, bits):
        """Shrink the isolating interval to absolute width ``<= 2^-bits`` (quadratic interval
        refinement: far fewer sign evaluations than bisection for many bits)."""
        self._refine_bits(int(bits))
        return self

    def _refine_bits(self, bits):
        """Refine to absolute width <= 2^-bits (quadratic interval refinement)."""
        if self._rat is not None:
            return
        target = fmpq(1, 1 << bits) if bits >= 0 else fmpq(1 << (-bits))
        if self._hi - self._lo <= target:
            return
        lo, hi, s = qir_refine(self._poly, self._lo, self._hi, self._slo, target)
        if s == 0:  # impossible for an irreducible polynomial of degree >= 2
            self._set_rational(lo)
            return
        self._lo, self._hi, self._slo = lo, hi, s

    def arb(self, prec=53) -> arb:
        """Ball enclosure (at working precision ``prec``) of the number."""
        if self._rat is not None:
            with _flint_ctx.workprec(prec):
                return arb(self._rat)
        cache = self._arb
        if cache is not None and cache[0] >= prec:
            return cache[1]
        # absolute accuracy prec bits above the magnitude of the number
        mag = max(abs(self._lo), abs(self._hi))
        mbits = int(mag.floor()).bit_length() if mag >= 1 else 0
        self._refine_bits(prec - mbits)
        with _flint_ctx.workprec(prec + 10):
            a = arb(self._lo).union(arb(self._hi))
        self._arb = (prec, a)
        return a

    def __float__(self):
        if self._rat is not None:
            return float(self._rat.p) / float(self._rat.q) if abs(self._rat.p) < (1 << 1000) else float(
                self.arb(64).mid()
            )
        return float(self.arb(64).mid())

    # -- comparison -----------------------------------------------------------------

    def _cmp_rational(self, q) -> int:
        """sign(self - q) for an fmpq ``q``."""
        if self._rat is not None:
            return _sgn(self._rat - q)
        if q <= self._lo:
            return 1
        if q >= self._hi:
            return -1
        sq = sign_at_rational(self._poly, q)
        if sq == 0:  # impossible (irreducible, degree >= 2)
            self._set_rational(q)
            return 0
        if sq == self._slo:  # no sign change on (lo, q): root in (q, hi)
            self._lo = q
            self._slo = sq
            return 1
        self._hi = q
        return -1

    def _cmp(self, other) -> int:
        if type(other) is fmpq:
            return self._cmp_rational(other)
        if not isinstance(other, RealAlgebraic):
            other = _to_fmpq(other, "comparison operand")
            return self._cmp_rational(other)
        if other._rat is not None:
            return self._cmp_rational(other._rat)
        if self._rat is not None:
            return -other._cmp_rational(self._rat)
        if self is other:
            return 0
        f, g = self._poly, other._poly
        if f == g:
            # Same irreducible polynomial: on J = intersection of the two intervals f has
            # at most one (simple) root; it has one iff f changes sign on J, and then that
            # root is the root isolated by both intervals.  Otherwise the roots lie
            # outside J on the sides of the intervals.
            lo = max(self._lo, other._lo)
            hi = min(self._hi, other._hi)
            if lo < hi and sign_at_rational(f, lo) * sign_at_rational(f, hi) < 0:
                return 0
            return -1 if self._lo < other._lo or (self._lo == other._lo and self._hi < other._hi) else 1
        # different minimal polynomials: the numbers differ; refine until disjoint
        while True:
            if self._hi <= other._lo:
                return -1
            if other._hi <= self._lo:
                return 1
            if self._hi - self._lo >= other._hi - other._lo:
                # cutting at the other's endpoint is as good as bisecting and often better
                self._bisect()
            else:
                other._bisect()
            if self._rat is not None or other._rat is not None:  # pragma: no cover
                return self._cmp(other)

    def __eq__(self, other):
        if isinstance(other, RealAlgebraic):
            if (self._rat is None) != (other._rat is None):
                return False
            if self._rat is not None:
                return self._rat == other._rat
            if self._poly != other._poly:
                return False
            return self._cmp(other) == 0
        try:
            q = _to_fmpq(other)
        except InputError:
            return NotImplemented
        return self._rat is not None and self._rat == q

    def __ne__(self, other):
        r = self.__eq__(other)
        return r if r is NotImplemented else not r

    def _cmp_or_ni(self, other):
        if isinstance(other, (RealAlgebraic, fmpq, fmpz, int)) and not isinstance(other, bool):
            return self._cmp(other)
        from fractions import Fraction

        if isinstance(other, Fraction):
            return self._cmp(other)
        return None

    def __lt__(self, other):
        c = self._cmp_or_ni(other)
        return NotImplemented if c is None else c < 0

    def __le__(self, other):
        c = self._cmp_or_ni(other)
        return NotImplemented if c is None else c <= 0

    def __gt__(self, other):
        c = self._cmp_or_ni(other)
        return NotImplemented if c is None else c > 0

    def __ge__(self, other):
        c = self._cmp_or_ni(other)
        return NotImplemented if c is None else c >= 0

    def __hash__(self):
        if self._rat is not None:
            return hash(self._rat)
        h = self._hash
        if h is None:
            # the minimal polynomial is canonical, so equal numbers hash equally
            h = self._hash = hash(("RealAlgebraic", tuple(int(c) for c in self._poly.coeffs())))
        return h

    def __neg__(self):
        if self._rat is not None:
            return RealAlgebraic.from_rational(-self._rat)
        g = fmpz_poly([(-c if i % 2 else c) for i, c in enumerate(self._poly.coeffs())])
        return RealAlgebraic._irreducible(_primitive(g), -self._hi, -self._lo)

    # -- signs of polynomials ---------------------------------------------------------

    def sign_of(self, f) -> int:
        """Exact sign of ``f(self)`` for a univariate integer (or rational) polynomial.

        Rational case: exact evaluation.  Otherwise ``r = f mod minpoly`` has
        ``r(self) = f(self)``; ``r = 0`` iff ``f(self) = 0`` (minimal polynomial is
        irreducible, ``deg r < deg minpoly``).  For ``r != 0`` the sign is found by ball
        evaluation on refined isolating intervals (terminates since ``r(self) != 0``).
        """
        if isinstance(f, fmpq_poly):
            f = f.numer()  # positive denominator dropped
        else:
            f = as_fmpz_poly(f, "sign_of f", allow_zero=True)
        if f.is_zero():
            return 0
        if self._rat is not None:
            return sign_at_rational(f, self._rat)
        if f.degree() >= self._poly.degree():
            r = fmpq_poly(f) % fmpq_poly(self._poly)
            if r.is_zero():
                return 0
            f = r.numer()
        return self._sign_nonzero(f)

    def _sign_nonzero(self, f) -> int:
        """Sign of f(self), knowing it is non-zero."""
        if f.degree() <= 0:
            return _sgn(f[0])
        # the current interval may already be enough
        with _flint_ctx.workprec(64):
            v = f(arb(self._lo).union(arb(self._hi)))
        if v > 0:
            return 1
        if v < 0:
            return -1
        prec = 64
        while True:
            a = self.arb(prec)
            with _flint_ctx.workprec(prec + 10):
                v = f(a)
            if v > 0:
                return 1
            if v < 0:
                return -1
            prec *= 2

    # -- conversions ----------------------------------------------------------------

    def root_index(self) -> int:
        """0-based index of this number among the real roots of its minimal polynomial."""
        if self._rat is not None:
            return 0
        if self._index is None:
            ivs = _isolate_squarefree(self._poly)
            idx = None
            for i, (lo, hi) in enumerate(ivs):
                other = RealAlgebraic._irreducible(self._poly, lo, hi)
                if self._cmp(other) == 0:
                    idx = i
                    break
            self._index = idx
        return self._index

    def to_sympy(self):
        """sympy ``Rational`` or ``CRootOf(minpoly, index)`` (sympy imported lazily)."""
        import sympy

        if self._rat is not None:
            return sympy.Rational(int(self._rat.p), int(self._rat.q))
        x = sympy.Symbol("x")
        expr = sum(int(c) * x**i for i, c in enumerate(self._poly.coeffs()))
        return sympy.CRootOf(sympy.Poly(expr, x), self.root_index())

    def midpoint_between(self, other):
        """A simple rational strictly between ``self`` and ``other`` (which must differ)."""
        if not isinstance(other, RealAlgebraic):
            other = RealAlgebraic.from_rational(_to_fmpq(other, "midpoint_between other"))
        c = self._cmp(other)
        if c == 0:
            raise InputError("midpoint_between: the two numbers are equal")
        a, b = (self, other) if c < 0 else (other, self)
        while True:
            A = a._rat if a._rat is not None else a._hi
            B = b._rat if b._rat is not None else b._lo
            if A < B:
                return simplest_between(A, B)
            if a._rat is None and (b._rat is not None or a._hi - a._lo >= b._hi - b._lo):
                a._bisect()
            else:
                b._bisect()

    # -- printing -------------------------------------------------------------------

    def __str__(self):
        if self._rat is not None:
            return str(self._rat)
        # the first (usually short) isolating interval; refinement only shrinks it
        lo, hi = self._disp
        return f"root of {_poly_str(self._poly)} in ({lo}, {hi})"

    def __repr__(self):
        if self._rat is not None:
            return f"RealAlgebraic.from_rational({self._rat})"
        lo, hi = self._disp
        return f"RealAlgebraic({_poly_str(self._poly)!r}, {lo}, {hi})"

    def __reduce__(self):
        if self._rat is not None:
            return (_unpickle_rational, (int(self._rat.p), int(self._rat.q)))
        return (
            _unpickle_algebraic,
            ([int(c) for c in self._poly.coeffs()], int(self._lo.p), int(self._lo.q), int(self._hi.p), int(self._hi.q)),
        )


def _unpickle_rational(p, q):
    return RealAlgebraic.from_rational(fmpq(p, q))


def _unpickle_algebraic(coeffs, lp, lq, hp, hq):
    return RealAlgebraic._irreducible(fmpz_poly(coeffs), fmpq(lp, lq), fmpq(hp, hq))


def affine_image(t0, a, b):
    """``a + b t0`` exactly, for rationals ``a``, ``b`` and ``t0`` an fmpq or RealAlgebraic.

    For irrational ``t0`` with minimal polynomial ``m``: ``x = a + b t`` iff
    ``t = (x - a) / b``, so ``x`` is a root of the numerator of ``m((x - a) / b)``,
    isolated by the image of ``t0``'s interval.
    """
    if b == 0:
        return a
    if not isinstance(t0, RealAlgebraic) or t0.is_rational:
        return a + b * (fmpq(t0.rational) if isinstance(t0, RealAlgebraic) else fmpq(t0))
    m = t0.poly
    lin = fmpq_poly([-a / b, 1 / b])
    g = fmpq_poly(0)
    power = fmpq_poly(1)
    for c in m.coeffs():
        g += c * power
        power *= lin
    num = g.numer()
    lo, hi = map(fmpq, t0.interval)
    xs = sorted([a + b * lo, a + b * hi])
    return RealAlgebraic(fmpz_poly([int(c) for c in num.coeffs()]), xs[0], xs[1])
