"""Real algebraic numbers and exact signs of polynomials at real algebraic points.

A real algebraic number is represented by its minimal polynomial over Z (primitive,
irreducible, positive leading coefficient) and an isolating interval with rational
endpoints (Loos, "Computing in algebraic extensions", in *Computer Algebra --
Symbolic and Algebraic Computation*, 1982; Basu--Pollack--Roy, *Algorithms in Real
Algebraic Geometry*, Ch. 10).  Rational numbers are a special case stored as
``fmpq``.

Signs of polynomials at algebraic points (:func:`sign_at`) use ball arithmetic
(flint ``arb``) as a filter; uncertain cases are settled by an exact zero test based
on resultants (see :func:`sign_at`).  Roots in a fiber (:func:`real_roots_in_fiber`)
come from the norm of the polynomial (a resultant with the minimal polynomials of
the coordinates) and are confirmed exactly.
"""

from __future__ import annotations

from flint import arb, ctx as _flint_ctx, fmpq, fmpq_mpoly, fmpq_mpoly_ctx, fmpq_poly, fmpz, fmpz_mpoly, fmpz_poly

from cad.errors import InputError
from cad.roots import (
    _isolate_squarefree,
    _primitive,
    as_fmpz_poly,
    qir_refine,
    root_bound_exponent,
    sign_at_rational,
    squarefree_part,
)

__all__ = ["RealAlgebraic", "sign_at", "real_roots_in_fiber", "fiber_polynomial", "as_real"]


def _sgn(v) -> int:
    return 1 if v > 0 else (-1 if v < 0 else 0)


def _to_fmpq(v, name="value"):
    if isinstance(v, fmpq):
        return v
    if isinstance(v, (int, fmpz)) and not isinstance(v, bool):
        return fmpq(v)
    from fractions import Fraction

    if isinstance(v, Fraction):
        return fmpq(v.numerator, v.denominator)
    raise InputError(f"{name}: expected a rational number (fmpq, int) or RealAlgebraic, got {type(v).__name__}")


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
        from cad.roots import count_real_roots

        if slo == shi or count_real_roots(sq, lo, hi) != 1:
            raise InputError(f"RealAlgebraic: ({lo}, {hi}) does not contain exactly one root of the polynomial")
        self._init_from_squarefree(sq, lo, hi)

    # -- construction helpers -------------------------------------------------------

    def _set_rational(self, q):
        self._rat = q
        self._poly = fmpz_poly([-q.p, q.q])
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

    def _set_irrational(self, g, lo, hi):
        self._rat = None
        self._poly = g
        self._lo = lo
        self._hi = hi
        self._disp = (lo, hi)
        self._slo = sign_at_rational(g, lo)
        self._hash = None
        self._arb = None
        self._index = None

    @classmethod
    def _irreducible(cls, g, lo, hi):
        """Trusted constructor: ``g`` irreducible primitive, lc > 0, deg >= 2, isolating (lo, hi)."""
        self = cls.__new__(cls)
        self._set_irrational(g, lo, hi)
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
        sq = squarefree_part(f)
        ivs = _isolate_squarefree(sq)
        if not ivs:
            return []
        facs = None
        out = []
        for lo, hi in ivs:
            if lo == hi:
                out.append(cls.from_rational(lo))
                continue
            if facs is None:
                _c, fl = sq.factor()
                facs = [_primitive(g) for g, _e in fl if g.degree() >= 1]
            g = sq
            if len(facs) > 1:
                for h in facs:
                    if sign_at_rational(h, lo) * sign_at_rational(h, hi) < 0:
                        g = h
                        break
            elif facs:
                g = facs[0]
            if g.degree() == 1:  # cannot happen (rational roots are exact) but stay safe
                out.append(cls.from_rational(fmpq(-g[0], g[1])))
            else:
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
        return self._poly

    @property
    def interval(self):
        """Current isolating interval ``(lo, hi)`` (``lo == hi`` for rationals)."""
        return (self._lo, self._hi)

    @property
    def degree(self) -> int:
        return self._poly.degree()

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
                return _simplest_between(A, B)
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


def _simplest_between(lo, hi):
    """The simplest rational in the open interval ``(lo, hi)`` (``lo < hi``): an integer
    of least absolute value if there is one, otherwise the Stern--Brocot simplest fraction
    (continued fraction expansion of the endpoints)."""
    if lo < 0 < hi:
        return fmpq(0)
    if hi <= 0:
        return -_simplest_between(-hi, -lo)
    # 0 <= lo < hi
    n = lo.floor() + 1  # smallest integer > lo
    if n < hi:
        return fmpq(n)
    # lo, hi in [fl, fl + 1] with no integer strictly inside
    fl = lo.floor()
    a = lo - fl
    b = hi - fl
    # simplest in (a, b) subset (0, 1]:  1/x with x in (1/b, 1/a)
    if a == 0:
        x = fmpq(fmpq(1, 1) / b).floor() + 1
        return fmpq(fl) + fmpq(1) / x
    inner = _simplest_between(fmpq(1) / b, fmpq(1) / a)
    return fmpq(fl) + fmpq(1) / inner


def as_real(v, name="coordinate"):
    """RealAlgebraic or fmpq -> fmpq when rational, else the RealAlgebraic itself."""
    if isinstance(v, RealAlgebraic):
        return v._rat if v._rat is not None else v
    return _to_fmpq(v, name)


# ====================================================================================
#  Signs of multivariate polynomials at real algebraic points
# ====================================================================================


def _qctx_of(zctx):
    return fmpq_mpoly_ctx.get(zctx.names(), zctx.ordering())


def _to_q(p, qctx=None):
    """fmpz_mpoly -> fmpq_mpoly with the same variables and ordering."""
    return fmpq_mpoly(p)


def _to_z(q, zctx):
    """A positive integer multiple of the fmpq_mpoly ``q`` as fmpz_mpoly (sign-preserving)."""
    ms = q.monoms()
    cs = q.coeffs()
    den = fmpz(1)
    for c in cs:
        den = den * c.q // den.gcd(c.q)
    return zctx.from_dict({m: (c * den).p for m, c in zip(ms, cs)})


def _prepare(p, point, name="sign_at", constant_ok=True):
    """Validate ``point`` against ``p``'s context; substitute the rational coordinates.

    Returns ``(q, alg)`` where ``q`` is an fmpz_mpoly or fmpq_mpoly equal, as a
    function of the remaining variables, to ``p`` with the rational coordinates
    substituted, and ``alg`` the list ``[(index, RealAlgebraic)]`` of the irrational
    coordinates ``p`` depends on.  When every coordinate ``p`` depends on is rational,
    ``q`` is the value itself (fmpz / fmpq) and ``alg`` is empty.
    """
    if not isinstance(p, (fmpz_mpoly, fmpq_mpoly)):
        raise InputError(f"{name}: expected a flint fmpz_mpoly, got {type(p).__name__}")
    try:
        pts = list(point)
    except TypeError:
        raise InputError(f"{name}: point must be a sequence of coordinates, got {type(point).__name__}") from None
    zctx = p.context()
    n = zctx.nvars()
    k = len(pts)
    if k > n:
        raise InputError(f"{name}: point has {k} coordinates but the polynomial ring has only {n} variables")
    degs = p.degrees()
    if k < n:
        for i in range(k, n):
            if degs[i] > 0:
                raise InputError(
                    f"{name}: the polynomial depends on variable {zctx.names()[i]!r} (index {i}) "
                    f"but the point gives only {k} coordinates"
                )
    vals = [0] * n
    alg = []
    all_int = True
    for i in range(k):
        v = pts[i]
        if isinstance(v, RealAlgebraic):
            if v._rat is not None:
                v = v._rat
        elif not isinstance(v, fmpq):
            v = _to_fmpq(v, f"{name}: point[{i}] ({zctx.names()[i]})")
        if degs[i] == 0:
            continue
        if isinstance(v, RealAlgebraic):
            alg.append((i, v))
        else:
            if v.q != 1:
                all_int = False
                vals[i] = v
            else:
                vals[i] = v.p
    if not alg:
        if constant_ok:
            if all_int and isinstance(p, fmpz_mpoly):
                return p(*vals), alg
            return (p if isinstance(p, fmpq_mpoly) else fmpq_mpoly(p))(*vals), alg
    ints = {}
    rats = {}
    alg_idx = {i for i, _a in alg}
    for i in range(k):
        if degs[i] == 0 or i in alg_idx:
            continue
        v = vals[i]
        if isinstance(v, fmpq):
            rats[i] = v
        else:
            ints[i] = v
    return _subs_exact(p, ints, rats), alg



def _subs_exact(p, ints, rats):
    """Substitute integer values first (staying in Z[x]), then rationals (moving to Q[x] only then)."""
    if ints:
        p = p.subs(ints)
    if rats:
        if isinstance(p, fmpz_mpoly):
            p = fmpq_mpoly(p)
        p = p.subs(rats)
    return p

def _univariate(q, i):
    """fmpz_poly (positive multiple) of an mpoly depending on variable i only."""
    coeffs = {}
    for m, c in zip(q.monoms(), q.coeffs()):
        coeffs[m[i]] = c
    d = max(coeffs) if coeffs else 0
    lst = [coeffs.get(e, 0) for e in range(d + 1)]
    if isinstance(q, fmpq_mpoly):
        return fmpq_poly(lst).numer()
    return fmpz_poly(lst)


def _arb_eval(q, vals, prec):
    """Ball evaluation of the mpoly ``q`` at ``vals`` (dict index -> arb)."""
    with _flint_ctx.workprec(prec):
        total = arb(0)
        powers = {}
        for m, c in q.terms():
            t = arb(c)
            for i, e in enumerate(m):
                if e:
                    key = (i, e)
                    pw = powers.get(key)
                    if pw is None:
                        pw = powers[key] = vals[i] ** e
                    t = t * pw
            total = total + t
        return total


def _sign_filter(q, alg, precs=(64,)):
    """Sign of q at the algebraic coordinates by ball arithmetic, or None if unsure."""
    for prec in precs:
        vals = {i: a.arb(prec) for i, a in alg}
        v = _arb_eval(q, vals, prec + 10)
        if v > 0:
            return 1
        if v < 0:
            return -1
    return None


def _reduce_mod_minpolys(q, alg):
    """Remainder of ``q`` modulo the minimal polynomials ``m_i(x_i)`` (over Q).

    Multivariate division by a univariate ``m_i`` (leading monomial ``x_i^d`` in every
    monomial order) leaves a remainder of degree ``< d`` in ``x_i`` that differs from
    ``q`` by a multiple of ``m_i(x_i)``, hence has the same value at the point.
    """
    zctx = q.context()
    if isinstance(q, fmpz_mpoly):
        qctx = _qctx_of(zctx)
        q = _to_q(q, qctx)
    else:
        qctx = zctx
    n = qctx.nvars()
    degs = q.degrees()
    for i, a in alg:
        m = a._poly
        d = m.degree()
        if degs[i] >= d:
            exps = [0] * n
            md = {}
            for e, c in enumerate(m.coeffs()):
                if c != 0:
                    exps[i] = e
                    md[tuple(exps)] = c
            mq = qctx.from_dict(md)
            q = divmod(q, mq)[1]
            if q.is_zero():
                return q
            degs = q.degrees()
    return q


def _zero_gap_bits(qz, alg):
    """``b`` such that ``q(alpha) != 0`` implies ``|q(alpha)| > 2^-b``.

    ``qz`` has integer coefficients; ``alg = [(i, alpha_i)]`` with minimal polynomials
    ``m_i`` (degree ``d_i``, leading coefficient ``l_i``, all complex roots of modulus
    ``< 2^{k_i}``, Fujiwara).  Proof: the iterated resultant
    ``R(t) = Res_{x_1}(... Res_{x_k}(t - q, m_k) ..., m_1)`` is an integer polynomial
    (never computed) equal, by Poisson's formula ``Res_x(A, m) = l^{deg_x A}
    prod_{m(b)=0} A(b)`` applied level by level, to
    ``c * prod_{b in Z(m_1) x ... x Z(m_k)} (t - q(b))`` with
    ``|c| = prod |l_i|^{f_i}``, ``f_i <= deg_{x_i}(q) * prod_{j != i} d_j``.  So
    ``q(alpha)`` is a root of ``R`` and the Mahler measure satisfies
    ``M(R) = |c| prod_b max(1, |q(b)|) <= |c| H^D`` with ``D = prod d_i`` and
    ``H = sum_terms |coeff| prod 2^{k_i e_i} >= |q(b)|``.  Writing ``R = t^j R_1`` with
    ``R_1(0) != 0``, a root ``z != 0`` of ``R_1`` satisfies
    ``|z| >= |R_1(0)| / (|lc R_1| prod_{z' != z} max(1, |z'|)) >= 1 / M(R_1) = 1 / M(R)``
    because ``R_1(0)`` is a non-zero integer.  Hence ``|q(alpha)| >= 1/(|c| H^D)``.
    """
    degs = qz.degrees()
    ds = {i: a._poly.degree() for i, a in alg}
    D = 1
    for d in ds.values():
        D *= d
    ks = {}
    cbits = 0
    for i, a in alg:
        k = root_bound_exponent(a._poly)
        ks[i] = k if k > 0 else 0
        lbits = int(abs(a._poly.leading_coefficient())).bit_length()
        cbits += degs[i] * (D // ds[i]) * lbits
    H = 0
    for m, c in qz.terms():
        sh = 0
        for i, _a in alg:
            sh += ks[i] * m[i]
        H += abs(int(c)) << sh
    return cbits + D * max(H.bit_length(), 1) + 1


def _exact_sign(q, alg):
    """Exact sign of the mpoly ``q`` (rational coordinates already substituted) at the
    irrational coordinates ``alg``.  See :func:`sign_at` for the proof."""
    if q.is_constant():
        return _sgn(q.coeffs()[0]) if not q.is_zero() else 0
    q = _reduce_mod_minpolys(q, alg)
    if q.is_zero():
        return 0
    if q.is_constant():
        return _sgn(q.coeffs()[0])
    degs = q.degrees()
    alg = [(i, a) for i, a in alg if degs[i] > 0]
    if len(alg) == 1:
        i, a = alg[0]
        f = _univariate(q, i)
        # deg f < deg minpoly and minpoly irreducible: f(a) == 0 iff f == 0
        return a._sign_nonzero(f) if not f.is_zero() else 0
    zctx = q.context()
    qz = _to_z(q, _zctx_of(zctx)) if isinstance(q, fmpq_mpoly) else q
    return _sign_by_balls(qz, alg, _zero_gap_bits(qz, alg))


def _zctx_of(qctx):
    from flint import fmpz_mpoly_ctx

    return fmpz_mpoly_ctx.get(qctx.names(), qctx.ordering())


def _sign_by_balls(q, alg, bits):
    """Evaluate q at the point in balls of increasing precision.

    ``bits is None``: ``q(alpha) != 0`` is known, stop when the ball excludes 0.
    Otherwise ``q(alpha) != 0`` implies ``|q(alpha)| > 2^-bits``, so a ball inside
    ``[-2^-bits, 2^-bits]`` proves ``q(alpha) = 0``.  One of the two happens at finite
    precision since the ball radius tends to 0 as the precision grows.
    """
    prec = 64
    bound = None
    while True:
        vals = {i: a.arb(prec) for i, a in alg}
        v = _arb_eval(q, vals, prec + 10)
        if v > 0:
            return 1
        if v < 0:
            return -1
        if bits is not None:
            with _flint_ctx.workprec(prec + 10):
                if bound is None:
                    bound = arb(fmpq(1, 1 << bits))
                if abs(v) <= bound:
                    return 0
            # jump close to the needed precision rather than doubling from 64
            prec = max(2 * prec, bits + 64) if prec < bits else 2 * prec
        else:
            prec *= 2


def sign_at(p, point) -> int:
    """Exact sign (-1, 0, 1) of the integer polynomial ``p`` at ``point``.

    ``point[i]`` is the value (RealAlgebraic, fmpq or int) of the i-th generator of
    ``p``'s context; a shorter point is allowed when ``p`` does not depend on the
    remaining generators.

    Method.  Rational coordinates are substituted exactly first (a positive
    multiple of ``p`` is kept when denominators are cleared, so signs are unchanged).
    With the remaining irrational coordinates ``alpha_1..alpha_k`` (minimal
    polynomials ``m_1..m_k``), a ball evaluation at 64 bits settles most cases.
    Otherwise the exact test:

    1. ``q`` := remainder of ``p`` modulo every ``m_i(x_i)``; ``q(alpha) = p(alpha)``.
       ``q = 0`` gives sign 0.  If only one ``alpha`` is left, ``q`` is univariate of
       degree ``< deg m``; since ``m`` is irreducible, ``q(alpha) = 0`` iff ``q = 0``.
    2. Else, root separation: ``q(alpha)`` is a root of the integer polynomial
       ``R(t) = Res_{x_1}(... Res_{x_k}(t - q(x), m_k(x_k)) ..., m_1(x_1))`` whose Mahler
       measure is bounded from the degrees, leading coefficients and root bounds of the
       ``m_i`` and the coefficients of ``q`` (``R`` itself is never computed); a
       non-zero root of an integer polynomial has modulus ``>= 1/M(R)``.  This gives
       ``b`` with ``q(alpha) != 0 => |q(alpha)| > 2^-b`` (:func:`_zero_gap_bits` has the
       full proof).
    3. Balls of increasing precision around ``q(alpha)`` (coordinates refined by
       exact quadratic interval refinement): a ball excluding 0 gives the sign, a ball
       inside ``[-2^-b, 2^-b]`` proves ``q(alpha) = 0``.  Since the radius tends to 0,
       one of the two happens at finite precision.
    """
    q, alg = _prepare(p, point)
    if not alg:
        return _sgn(q)
    if len(alg) == 1:
        i, a = alg[0]
        return a.sign_of(_univariate(q, i))
    if q.is_constant():  # the algebraic coordinates cancelled out
        return _sgn(q.coeffs()[0]) if not q.is_zero() else 0
    s = _sign_filter(q, alg)
    if s is not None:
        return s
    return _exact_sign(q, alg)


# ====================================================================================
#  Real roots in a fiber
# ====================================================================================


def _coefficients_in(q, j):
    """Coefficients of the mpoly ``q`` as a polynomial in variable j: dict e -> mpoly."""
    qc = q.context()
    n = qc.nvars()
    groups = {}
    for m, c in zip(q.monoms(), q.coeffs()):
        e = m[j]
        mm = m[:j] + (0,) + m[j + 1 :]
        groups.setdefault(e, {})[mm] = c
    return {e: qc.from_dict(d) for e, d in groups.items()}, n


def real_roots_in_fiber(p, point, var_index):
    """Distinct real roots ``y`` of ``p(point, y)`` where ``y`` is generator ``var_index``.

    ``point`` gives the values of generators ``0 .. var_index-1`` (so
    ``len(point) == var_index``); ``p`` must not depend on generators after
    ``var_index``.  Returns a sorted list of :class:`RealAlgebraic`, or ``None`` when
    ``p(point, y)`` vanishes identically in ``y``.

    Method: rational coordinates are substituted.  The leading coefficient in ``y``
    may vanish at the point: coefficients are tested exactly (:func:`sign_at`) from
    the top down and the vanishing ones dropped (their terms are 0 at the point).
    With only rational coordinates the result is a univariate rational polynomial,
    isolated directly.  Otherwise the norm ``N(y) = Res_{x_1}(...Res_{x_k}(q, m_k)...,
    m_1)`` equals ``c * prod_b q(b, y)`` over the tuples ``b`` of conjugates; its roots
    contain those of ``q(alpha, y)``.  If some tuple makes ``q(b, y)`` vanish
    identically ``N`` is 0; then ``N`` is taken as the lowest non-zero coefficient in
    ``s`` of the norm of ``q + s`` (the product over the other tuples, still a
    multiple of ``q(alpha, y)``).  Each real root ``beta`` of ``N`` (isolated exactly,
    then described by its minimal polynomial) is kept iff ``q(alpha, beta) = 0``:
    a 64-bit ball excluding 0 rejects it; a sign change of ``q(alpha, y)`` between
    the endpoints of an interval isolating ``beta`` among the roots of ``N`` accepts
    it (the only possible root of ``q(alpha, y)`` there is ``beta``); otherwise (even
    multiplicity or near misses) the exact zero test of :func:`sign_at` decides.
    """
    if not isinstance(p, (fmpz_mpoly, fmpq_mpoly)):
        raise InputError(f"real_roots_in_fiber: expected a flint fmpz_mpoly, got {type(p).__name__}")
    try:
        pts = list(point)
    except TypeError:
        raise InputError("real_roots_in_fiber: point must be a sequence of coordinates") from None
    zctx = p.context()
    n = zctx.nvars()
    if not isinstance(var_index, int) or isinstance(var_index, bool):
        raise InputError(f"real_roots_in_fiber: var_index must be an int, got {type(var_index).__name__}")
    if var_index != len(pts):
        raise InputError(
            f"real_roots_in_fiber: var_index = {var_index} but the point has {len(pts)} coordinates "
            "(it must give the values of the variables before var_index)"
        )
    if var_index >= n:
        raise InputError(f"real_roots_in_fiber: var_index = {var_index} but the ring has only {n} variables")
    if p.is_zero():
        return None
    degs = p.degrees()
    for i in range(var_index + 1, n):
        if degs[i] > 0:
            raise InputError(
                f"real_roots_in_fiber: the polynomial depends on variable {zctx.names()[i]!r} (index {i}) "
                f"after var_index = {var_index}"
            )
    # substitute the rational coordinates (y stays symbolic)
    q, alg = _prepare_fiber(p, pts)
    if q.is_zero():
        return None
    coeffs, _n = _coefficients_in(q, var_index)
    if not alg:
        # univariate in y
        lst = [fmpq(0)] * (max(coeffs) + 1)
        for e, c in coeffs.items():
            lst[e] = fmpq(c.coeffs()[0]) if not c.is_zero() else fmpq(0)
        f = fmpq_poly(lst).numer()
        if f.is_zero():
            return None
        return RealAlgebraic.roots_of(f) if f.degree() > 0 else []
    # drop coefficients vanishing at the point (degree drop)
    qc = q.context()
    top = None
    for e in sorted(coeffs, reverse=True):
        c = coeffs[e]
        cd = c.degrees()
        calg = [(i, a) for i, a in alg if cd[i] > 0]
        if not calg:
            s = _sgn(c.coeffs()[0]) if not c.is_zero() else 0
        elif len(calg) == 1:
            i, a = calg[0]
            s = a.sign_of(_univariate(c, i))
        else:
            s = _sign_filter(c, calg)
            if s is None:
                s = _exact_sign(c, calg)
        if s != 0:
            top = e
            break
    if top is None:
        return None
    if top == 0:
        return []
    gens = qc.gens()
    y = gens[var_index]
    qt = qc.from_dict({})
    for e, c in coeffs.items():
        if e <= top:
            qt = qt + c * y**e
    qt = _reduce_mod_minpolys(qt, alg)
    qd = qt.degrees()
    alg_used = [(i, a) for i, a in alg if qd[i] > 0]
    if not alg_used:
        # the reduced polynomial no longer involves the algebraic coordinates
        f = _univariate(qt, var_index)
        return RealAlgebraic.roots_of(f) if f.degree() > 0 else []
    zq = _to_z(qt, _zctx_of(qc)) if isinstance(qt, fmpq_mpoly) else qt
    N = _norm(zq, alg_used, var_index)
    cands = RealAlgebraic.roots_of(N)
    out = []
    for beta in cands:
        if _vanishes_at(zq, alg_used, var_index, beta):
            out.append(beta)
    return out


def fiber_polynomial(p, point):
    """``p(point, y)`` as a univariate fmpz_poly in ``y`` (generator ``len(point)``), up to a
    positive constant factor, when every coordinate ``p`` depends on is rational; else None.

    Lifting evaluates the same factor at the several rational sector samples of one
    stack: substituting the base point once and evaluating this polynomial keeps the
    signs exact and avoids re-substituting every coordinate for each sample.
    """
    q, alg = _prepare_fiber(p, point)
    if alg:
        return None
    return _univariate(q, len(point))


def _prepare_fiber(p, pts):
    """Substitute the rational coordinates among ``pts`` (y = generator len(pts) kept)."""
    degs = p.degrees()
    ints, rats, alg = {}, {}, []
    for i, v in enumerate(pts):
        if degs[i] == 0:
            continue
        if type(v) is not fmpq:
            v = as_real(v, f"real_roots_in_fiber: point[{i}] ({p.context().names()[i]})")
        if isinstance(v, RealAlgebraic):
            alg.append((i, v))
        elif v.q == 1:
            ints[i] = v.p
        else:
            rats[i] = v
    return _subs_exact(p, ints, rats), alg


def _norm(zq, alg, j):
    """Univariate (in generator j) norm of zq w.r.t. the algebraic coordinates."""
    zctx = zq.context()
    names = zctx.names()
    n = zctx.nvars()

    def minpoly_mpoly(c, i, nv):
        md = {}
        for e, a in enumerate(alg_dict[i]._poly.coeffs()):
            if a != 0:
                exps = [0] * nv
                exps[i] = e
                md[tuple(exps)] = a
        return c.from_dict(md)

    alg_dict = dict(alg)
    N = zq
    for i, _a in reversed(alg):
        N = N.resultant(minpoly_mpoly(zctx, i, n), names[i])
    if N.is_zero():
        # some conjugate tuple kills q(b, y) identically: use the norm of q + s and take
        # the lowest non-zero coefficient in s (product over the other tuples)
        sname = "_s"
        while sname in names:
            sname += "_"
        ectx = zctx.append_gens(sname)
        s = ectx.gens()[-1]
        N = zq.project_to_context(ectx) + s
        for i, _a in reversed(alg):
            N = N.resultant(minpoly_mpoly(ectx, i, n + 1), names[i])
        low = {}
        for m, c in zip(N.monoms(), N.coeffs()):
            low.setdefault(m[n], {})[m] = c
        e = min(low)
        N = zctx.from_dict({m[:n]: c for m, c in low[e].items()})
    return _univariate(N, j)


def _sign_q(q, alg):
    """Exact sign of the mpoly ``q`` at the irrational coordinates ``alg`` (all other
    variables it depends on already substituted)."""
    if q.is_zero():
        return 0
    if q.is_constant():
        return _sgn(q.coeffs()[0])
    degs = q.degrees()
    al = [(i, a) for i, a in alg if degs[i] > 0]
    if not al:
        return _sgn(q.coeffs()[0])
    if len(al) == 1:
        i, a = al[0]
        return a.sign_of(_univariate(q, i))
    s = _sign_filter(q, al)
    if s is not None:
        return s
    return _exact_sign(q, al)


def _subs_rational(zq, j, r):
    if r.q == 1:
        return zq.subs({j: r.p})
    return _to_q(zq, _qctx_of(zq.context())).subs({j: r})


def _vanishes_at(zq, alg, j, beta):
    """Exact test ``q(alpha, beta) == 0`` for a real root ``beta`` of the norm ``N``.

    ``beta``'s current interval lies inside an interval isolating it among the roots
    of ``N``, and every root of ``q(alpha, y)`` is a root of ``N``.  So a sign change
    of ``q(alpha, y)`` between the endpoints (which are not roots of ``N``) proves
    ``q(alpha, beta) = 0``; a ball excluding 0 proves the opposite; remaining cases
    (roots of even multiplicity) go to the exact test of :func:`_exact_sign`.
    """
    if isinstance(beta, RealAlgebraic) and beta._rat is not None:
        beta = beta._rat
    if not isinstance(beta, RealAlgebraic):
        return _sign_q(_subs_rational(zq, j, beta), alg) == 0
    al = list(alg) + [(j, beta)]
    if _sign_filter(zq, al, (64,)) is not None:
        return False
    lo, hi = beta.interval
    slo = _sign_q(_subs_rational(zq, j, lo), alg)
    shi = _sign_q(_subs_rational(zq, j, hi), alg)
    if slo * shi < 0:
        return True
    return _exact_sign(zq, al) == 0
