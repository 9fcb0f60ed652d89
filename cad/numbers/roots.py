"""Exact real root isolation for univariate integer polynomials.

Algorithm
---------
Descartes' rule of signs with bisection: the Vincent--Collins--Akritas method
(Collins & Akritas, "Polynomial real root isolation using Descartes' rule of
signs", SYMSAC 1976; see also Rouillier & Zimmermann, "Efficient isolation of
polynomial's real roots", J. Comput. Appl. Math. 162 (2004), and Basu--Pollack--Roy,
*Algorithms in Real Algebraic Geometry*, Sect. 10.2).

For a polynomial ``g`` of degree ``d`` the number of roots in the open interval
``(0, 1)`` is bounded by the number of sign variations ``V`` of the coefficients of
``(x + 1)^d g(1 / (x + 1))`` and has the same parity (Descartes' rule applied to the
Moebius transform ``x -> 1/(x+1)`` mapping ``(0, oo)`` onto ``(0, 1)``).  ``V = 0``
proves there is no root, ``V = 1`` proves there is exactly one.  By the one- and
two-circle theorems (Obreshkoff, Ostrowski; Krandick & Mehlhorn) bisection of a
squarefree polynomial's search interval always terminates.

Everything is exact (flint ``fmpz_poly`` arithmetic, integer Taylor shifts, rational
endpoints).  Exact rational roots are reported as degenerate intervals ``(r, r)``:
dyadic ones are met at bisection points, others are detected by the rational root
theorem (``lc(f) * r`` is an integer for every rational root ``r`` of a primitive
``f``): each isolating interval is refined (quadratic interval refinement) until it
holds at most two candidates ``k / lc(f)``, which are tested exactly; a modular
filter (no root modulo a prime not dividing ``lc(f)`` => no rational root) skips
this for most polynomials.
"""

from __future__ import annotations

from flint import arb, ctx as _flint_ctx, fmpq, fmpq_poly, fmpz_poly, nmod_poly

from cad.errors import InputError
from cad.numbers.rational import to_fmpq

__all__ = [
    "isolate_real_roots",
    "refine_root",
    "count_real_roots",
    "squarefree_part",
    "as_fmpz_poly",
    "sign_at_rational",
    "root_bound_exponent",
]

_RATIONAL = "a rational number (fmpq or int)"
_X_PLUS_1 = fmpz_poly([1, 1])
_TWO_X = fmpz_poly([0, 2])


# --------------------------------------------------------------------------- input


def as_fmpz_poly(f, name="f", allow_zero=False) -> fmpz_poly:
    """Return ``f`` as an ``fmpz_poly``.

    Accepts ``fmpz_poly``, ``fmpq_poly`` (multiplied by its positive denominator,
    which keeps roots and signs) and lists of integer coefficients (low degree
    first).  Raises :class:`InputError` naming ``name`` for other types and for the
    zero polynomial (unless ``allow_zero``).
    """
    if isinstance(f, fmpz_poly):
        g = f
    elif isinstance(f, fmpq_poly):
        g = f.numer()
    elif isinstance(f, (list, tuple)):
        try:
            g = fmpz_poly(list(f))
        except Exception as exc:  # noqa: BLE001 -- re-raised with context
            raise InputError(f"{name}: coefficient list must contain integers ({exc})") from None
    else:
        raise InputError(
            f"{name}: expected a univariate integer polynomial (flint fmpz_poly), got {type(f).__name__}"
        )
    if not allow_zero and g.is_zero():
        raise InputError(f"{name}: the zero polynomial has infinitely many roots")
    return g


# --------------------------------------------------------------------------- helpers


def _primitive(f: fmpz_poly) -> fmpz_poly:
    """Primitive part with positive leading coefficient."""
    c = f.content()
    if f.leading_coefficient() < 0:
        c = -c
    if c != 1:
        f = f // c  # exact: c divides every coefficient
    return f


def squarefree_part(f: fmpz_poly) -> fmpz_poly:
    """Primitive squarefree part ``f / gcd(f, f')`` with positive leading coefficient."""
    f = _primitive(f)
    if f.degree() <= 1:
        return f
    g = f.gcd(f.derivative())
    if g.degree() > 0:
        f = _primitive(f // g)
    return f


def sign_at_rational(f: fmpz_poly, r) -> int:
    """Exact sign of ``f(r)`` for rational ``r``."""
    v = f(r)
    return 1 if v > 0 else (-1 if v < 0 else 0)


def _reverse(g: fmpz_poly, d: int) -> fmpz_poly:
    """``x^d g(1/x)`` (``d >= deg g``)."""
    c = g.coeffs()
    c.extend([0] * (d + 1 - len(c)))
    c.reverse()
    return fmpz_poly(c)


def _variations(coeffs, cap=2) -> int:
    """Number of sign variations in ``coeffs`` (zeros skipped), stopping at ``cap``."""
    v = 0
    last = 0
    for c in coeffs:
        if c > 0:
            if last < 0:
                v += 1
                if v >= cap:
                    return v
            last = 1
        elif c < 0:
            if last > 0:
                v += 1
                if v >= cap:
                    return v
            last = -1
    return v


def root_bound_exponent(f: fmpz_poly) -> int:
    """An integer ``k`` with ``|z| < 2^k`` for every complex root ``z != 0`` of ``f``.

    Fujiwara's bound ``|z| <= 2 max_i |a_{n-i}/a_n|^{1/i}`` (Fujiwara 1916), with each
    ratio over-estimated through bit lengths: ``|a|/|b| < 2^(bits(a) - bits(b) + 1)``.
    """
    c = [int(x) for x in f.coeffs()]
    n = len(c) - 1
    lb = abs(c[n]).bit_length()
    best = None
    for i in range(1, n + 1):
        a = c[n - i]
        if a:
            e = -((-(a.bit_length() - lb + 1)) // i)  # ceil division
            if best is None or e > best:
                best = e
    if best is None:  # f = a x^n: only the root 0
        return 0
    return best + 1


# --------------------------------------------------------------------------- core isolation


def _positive_roots(f: fmpz_poly, k: int, out_intervals, out_exact):
    """Isolate the roots of squarefree ``f`` (``f(0) != 0``) in ``(0, 2^k)``.

    Appends open intervals ``(lo, hi)`` to ``out_intervals`` and exact (dyadic)
    roots to ``out_exact``.  A node ``(r, d, c, j)`` stands for the interval
    ``I = 2^k (c/2^j, (c+1)/2^j)`` and ``r = x^d g(1/x)`` is the reversal of
    ``g(x) = const * f(2^k (c + x) / 2^j)`` (positive constant), so that roots of ``f``
    in ``I`` are roots of ``g`` in ``(0, 1)``; Descartes' test is the sign variation
    count of ``r(x + 1)``.  Children: ``rev(g_L) = r(2x)`` (``g_L(x) = 2^d g(x/2)``) and
    ``g_R(x) = g_L(x + 1)``.  Keeping the reversed polynomial saves one reversal
    (a Python-level coefficient copy, the dominant cost) per node.
    """
    n = f.degree()
    coeffs = [int(x) for x in f.coeffs()]
    if k >= 0:
        g0 = [a << (k * i) for i, a in enumerate(coeffs)]
    else:
        g0 = [a << ((-k) * (n - i)) for i, a in enumerate(coeffs)]
    g0.reverse()
    r0 = _primitive_keep_sign(fmpz_poly(g0))
    scale = fmpq(2) ** k if k >= 0 else fmpq(1, 2 ** (-k))
    stack = [(r0, n, 0, 0)]
    while stack:
        r, d, c, j = stack.pop()
        v = _variations(r(_X_PLUS_1).coeffs(), 2)
        if v == 0:
            continue
        if v == 1:
            den = 1 << j
            out_intervals.append((scale * fmpq(c, den), scale * fmpq(c + 1, den)))
            continue
        rl = r(_TWO_X)
        gl = _reverse(rl, d)
        gr = gl(_X_PLUS_1)
        if gr[0] == 0:
            # the midpoint is a root (exact dyadic root); remove it from both halves
            out_exact.append(scale * fmpq(2 * c + 1, 1 << (j + 1)))
            gr = gr.right_shift(1)
            gl = gl // fmpz_poly([-1, 1])
            rl = _reverse(gl, d - 1)
            rr = _reverse(gr, d - 1)
            dd = d - 1
        else:
            rr = _reverse(gr, d)
            dd = d
        stack.append((_primitive_keep_sign(rr), dd, 2 * c + 1, j + 1))
        stack.append((_primitive_keep_sign(rl), dd, 2 * c, j + 1))


def _primitive_keep_sign(g: fmpz_poly) -> fmpz_poly:
    """Divide by the (positive) content: keeps the sign of g everywhere."""
    c = g.content()
    if c != 1 and c != 0:
        g = g // c
    return g


def qir_refine(f, lo, hi, slo, target):
    """Refine the isolating interval ``(lo, hi)`` of the unique root of ``f`` in it.

    ``f`` squarefree on the interval (the root is simple), ``slo = sign f(lo) != 0``
    and ``f(hi)`` of the opposite sign.  Returns ``(lo, hi, slo)`` with
    ``hi - lo <= target``, or ``(r, r, 0)`` if an exact root ``r`` was met.

    Quadratic interval refinement (Abbott, "Quadratic interval refinement for real
    roots", ACM Comm. Computer Algebra 48, 2014): the interval is cut into ``N`` grid
    cells; the secant through the endpoints predicts the cell holding the root, and
    exact signs at the cell's grid points confirm it (then ``N <- N^2``: quadratic
    convergence) or not (the interval still shrinks to one side of the tested point,
    and ``N <- sqrt(N)``; for ``N <= 4`` plain bisection).  Every step is verified by
    exact signs at rational points, so the result is always an isolating interval.
    """
    flo = f(lo)
    fhi = f(hi)
    N = 4
    while hi - lo > target:
        w = hi - lo
        if N > 4:
            pos = (flo / (flo - fhi)) * N  # secant root as a grid position in (0, N)
            k = int((pos + fmpq(1, 2)).floor())
            if k < 1:
                k = 1
            elif k > N - 1:
                k = N - 1
            m = lo + w * fmpq(k, N)
            fm = f(m)
            if fm == 0:
                return m, m, 0
            if (fm > 0) == (slo > 0):
                # root in (m, hi): test the next grid point
                m2 = lo + w * fmpq(k + 1, N) if k + 1 < N else hi
                fm2 = fhi if k + 1 >= N else f(m2)
                if fm2 == 0:
                    return m2, m2, 0
                lo, flo = m, fm
                if (fm2 > 0) != (slo > 0):
                    hi, fhi = m2, fm2
                    N = N * N if N < (1 << 4096) else N
                    continue
                lo, flo = m2, fm2
            else:
                m2 = lo + w * fmpq(k - 1, N) if k > 1 else lo
                fm2 = flo if k <= 1 else f(m2)
                if fm2 == 0:
                    return m2, m2, 0
                hi, fhi = m, fm
                if (fm2 > 0) == (slo > 0):
                    lo, flo = m2, fm2
                    N = N * N if N < (1 << 4096) else N
                    continue
                hi, fhi = m2, fm2
            N = 1 << ((N.bit_length() - 1) // 2)
            continue
        m = (lo + hi) / 2
        fm = f(m)
        if fm == 0:
            return m, m, 0
        if (fm > 0) == (slo > 0):
            lo, flo = m, fm
        else:
            hi, fhi = m, fm
        N = 16
    return lo, hi, slo


_FILTER_PRIMES = (1009, 1013, 1019, 1021, 1031, 1033, 1039, 1049)


def _may_have_rational_root(f: fmpz_poly) -> bool:
    """False only if ``f`` provably has no rational root.

    If ``f`` has the rational root ``a/b`` (lowest terms) then ``b | lc(f)``; for a
    prime ``p`` not dividing ``lc(f)``, ``a * b^-1 mod p`` is a root of ``f mod p``, so
    ``gcd(f mod p, x^p - x)`` is non-constant.  A random polynomial has no root
    modulo ``p`` with probability about ``1/e``; a few primes usually settle it.
    """
    if f.degree() <= 1:
        return True
    cs = [int(c) for c in f.coeffs()]
    lc = cs[-1]
    for p in _FILTER_PRIMES:
        if lc % p == 0:
            continue
        g = nmod_poly([c % p for c in cs], p)
        x = nmod_poly([0, 1], p)
        if g.gcd(x.pow_mod(p, g) - x).degree() == 0:
            return False
    return True


def _dyadic(a) -> fmpq:
    """The exact value of the midpoint of an arb ball as an fmpq."""
    man, exp = a.mid().man_exp()
    man = int(man)
    exp = int(exp)
    return fmpq(man << exp) if exp >= 0 else fmpq(man, 1 << (-exp))


def _newton_bracket(f, lo, hi, slo, eps):
    """Try to find ``(u, v)``, ``lo <= u < v <= hi``, ``v - u <= 2 eps``, holding the root.

    Newton's iteration in floating ball arithmetic (flint ``arb``, midpoints only) from
    the midpoint gives an approximation ``x``; the claim "the root lies in
    ``(x - eps, x + eps)``" is then CONFIRMED EXACTLY by the signs of ``f`` at the two
    rational endpoints.  Returns None when the numeric step or the confirmation fails.
    """
    bits = max(int(eps.q).bit_length(), 1) + 20
    prec = bits + 30
    df = f.derivative()
    with _flint_ctx.workprec(prec):
        # safeguarded Newton (Newton steps, bisection when a step leaves the bracket),
        # all on ball midpoints: a purely numeric search, confirmed exactly below
        a = arb(lo)
        b = arb(hi)
        x = arb(((a + b) / 2).mid())
        tol = arb(eps) / 8
        ok = False
        for _ in range(4 * bits):
            fx = f(x).mid()
            if fx == 0:
                ok = True
                break
            sx = 1 if fx > 0 else -1
            if sx == slo:
                a = x
            else:
                b = x
            d = df(x).mid()
            xn = None
            if d != 0:
                xn = arb((x - fx / d).mid())
                if not (a < xn < b):
                    xn = None
            if xn is None:
                xn = arb(((a + b) / 2).mid())
            step = abs(xn - x)
            x = xn
            if step < tol or (b - a) < tol:
                ok = True
                break
        if not ok:
            return None
        xq = _dyadic(x)
    u = xq - eps
    v = xq + eps
    su = slo if u <= lo else sign_at_rational(f, u)
    sv = -slo if v >= hi else sign_at_rational(f, v)
    if u < lo:
        u = lo
    if v > hi:
        v = hi
    if su == 0:
        return (u, u, 0)
    if sv == 0:
        return (v, v, 0)
    if su == sv:
        return None
    return (u, v, su)


def _rational_root_in(f, lo, hi):
    """The root of ``f`` in the isolating interval ``(lo, hi)`` if it is rational, else None.

    Rational root theorem: a rational root ``a/b`` (lowest terms) of the primitive
    ``f`` has ``b | lc(f)``, so ``lc(f) * root`` is an integer.  The interval is shrunk
    until ``lc * (lo, hi)`` holds at most two integers, which are tested exactly.
    Shrinking: a Newton bracket confirmed by exact signs (:func:`_newton_bracket`),
    else quadratic interval refinement (:func:`qir_refine`).
    """
    L = f.leading_coefficient()
    if L < 0:
        L = -L
    if L > 1:
        # quick exit: no candidate k / L in the interval at all
        kmin = int((lo * L).floor()) + 1
        kmax = int((hi * L).ceil()) - 1
        if kmax < kmin:
            return None
    slo = sign_at_rational(f, lo)
    width = fmpq(1, 2 * L) if L > 1 else fmpq(1, 2)
    if hi - lo > 2 * width:
        br = _newton_bracket(f, lo, hi, slo, width / 2) if L > 1 else None
        if br is None:
            lo, hi, slo = qir_refine(f, lo, hi, slo, width)
        else:
            lo, hi, slo = br
        if slo == 0:
            return lo
    kmin = int((lo * L).floor()) + 1
    kmax = int((hi * L).ceil()) - 1
    for kk in range(kmin, kmax + 1):
        q = fmpq(kk, L)
        if lo < q < hi and f(q) == 0:
            return q
    return None


def _isolate_squarefree(f: fmpz_poly, rational_roots=None):
    """Sorted list of ``(lo, hi)`` isolating the real roots of squarefree primitive ``f``.
    ``rational_roots``, when the caller knows them (from the linear factors), are all the
    rational roots of ``f``: an interval holding one is that root."""
    n = f.degree()
    if n <= 0:
        return []
    if n == 1:
        r = fmpq(-f[0], f[1])
        return [(r, r)]
    full = f
    exact = []
    intervals = []
    if f[0] == 0:
        exact.append(fmpq(0))
        f = f.right_shift(1)
        n -= 1
        if n == 0:
            return [(exact[0], exact[0])]
    if f.degree() >= 1:
        k = root_bound_exponent(f)
        _positive_roots(f, k, intervals, exact)
        fneg = fmpz_poly([(-c if i % 2 else c) for i, c in enumerate(f.coeffs())])
        neg_iv = []
        neg_ex = []
        _positive_roots(fneg, k, neg_iv, neg_ex)
        intervals.extend((-hi, -lo) for lo, hi in neg_iv)
        exact.extend(-r for r in neg_ex)
    # non-dyadic rational roots: lc * root is an integer (rational root theorem)
    if intervals:
        maybe_rational = rational_roots is None and _may_have_rational_root(f)
        kept = []
        for lo, hi in intervals:
            # an endpoint may coincide with an exact root (0 or a bisection point):
            # shrink the interval so that no endpoint is a root.
            lo, hi = _avoid_root_endpoints(full, lo, hi)
            if lo == hi:
                r = lo
            elif rational_roots is not None:
                r = next((q for q in rational_roots if lo < q < hi), None)
            elif maybe_rational:
                r = _rational_root_in(full, lo, hi)
            else:
                r = None
            if r is None:
                kept.append((lo, hi))
            else:
                exact.append(r)
        intervals = kept
    res = [(r, r) for r in exact] + intervals
    res.sort(key=lambda iv: iv[0])
    return res


def _avoid_root_endpoints(sq, lo, hi):
    """Shrink the isolating interval ``(lo, hi)`` of squarefree ``sq`` until its
    endpoints are not roots.  The sign of ``sq`` just right of a simple root ``lo`` is
    the sign of ``sq'(lo)`` (just left of ``hi``: minus the sign of ``sq'(hi)``)."""
    slo = sign_at_rational(sq, lo)
    shi = sign_at_rational(sq, hi)
    if slo and shi:
        return lo, hi
    d = sq.derivative()
    if slo == 0:
        slo = sign_at_rational(d, lo)
    while True:
        m = (lo + hi) / 2
        sm = sign_at_rational(sq, m)
        if sm == 0:
            return m, m
        if sm == slo:
            lo = m
            slo = sm
        else:
            hi = m
        if sign_at_rational(sq, lo) and sign_at_rational(sq, hi):
            return lo, hi


def isolate_real_roots(f, multiplicities=False):
    """Isolate the real roots of a non-zero integer polynomial.

    Returns the sorted list of isolating intervals ``(lo, hi)`` (``fmpq`` endpoints):
    ``lo == hi`` for exact rational roots, otherwise the open interval ``(lo, hi)``
    contains exactly one root of ``f`` and its endpoints are not roots.  The
    intervals are pairwise disjoint.  With ``multiplicities=True`` the entries are
    ``((lo, hi), m)`` with ``m`` the multiplicity of the root in ``f``.

    Method: squarefree part (``f / gcd(f, f')``) then Descartes bisection (VCA), see
    the module docstring.  Raises :class:`InputError` for the zero polynomial.
    """
    f = as_fmpz_poly(f)
    if f.degree() <= 0:
        return []
    sq = squarefree_part(f)
    roots = _isolate_squarefree(sq)
    if not multiplicities:
        return roots
    _c, factors = f.factor_squarefree()
    out = []
    for lo, hi in roots:
        m = 0
        for g, e in factors:
            if g.degree() <= 0:
                continue
            if lo == hi:
                if g(lo) == 0:
                    m = e
                    break
            elif sign_at_rational(g, lo) * sign_at_rational(g, hi) < 0:
                # g's roots are among the squarefree part's; at most one is in (lo, hi)
                # and it is simple, so it exists iff g changes sign.
                m = e
                break
        out.append(((lo, hi), m))
    return out


def refine_root(f, lo, hi, width):
    """Shrink the isolating interval ``(lo, hi)`` of a root of ``f`` to width ``<= width``.

    ``(lo, hi)`` must contain exactly one root of ``f`` (as returned by
    :func:`isolate_real_roots`).  Quadratic interval refinement with exact signs
    (:func:`qir_refine`); when a test point is the root, returns ``(r, r)``.
    """
    f = as_fmpz_poly(f)
    lo = to_fmpq(lo, "lo", _RATIONAL)
    hi = to_fmpq(hi, "hi", _RATIONAL)
    width = to_fmpq(width, "width", _RATIONAL)
    if lo == hi:
        return lo, hi
    if lo > hi:
        raise InputError(f"refine_root: lo = {lo} is greater than hi = {hi}")
    if width <= 0:
        raise InputError(f"refine_root: width must be positive, got {width}")
    sq = squarefree_part(f)
    slo = sign_at_rational(sq, lo)
    shi = sign_at_rational(sq, hi)
    if slo == 0 or shi == 0 or slo == shi:
        raise InputError(f"refine_root: ({lo}, {hi}) is not an isolating interval of a root of f")
    lo, hi, _s = qir_refine(sq, lo, hi, slo, width)
    return lo, hi


def count_real_roots(f, lo=None, hi=None) -> int:
    """Number of distinct real roots of ``f`` in the closed interval ``[lo, hi]``.

    ``None`` stands for ``-oo`` / ``+oo``.  Exact: isolates the roots and decides
    the position of each root with respect to ``lo`` and ``hi`` by exact signs.
    """
    f = as_fmpz_poly(f)
    lo = None if lo is None else to_fmpq(lo, "lo", _RATIONAL)
    hi = None if hi is None else to_fmpq(hi, "hi", _RATIONAL)
    if lo is not None and hi is not None and lo > hi:
        return 0
    sq = squarefree_part(f)
    count = 0
    for a, b in _isolate_squarefree(sq):
        if _root_ge(sq, a, b, lo) and _root_le(sq, a, b, hi):
            count += 1
    return count


def _root_ge(sq, a, b, t):
    """Is the root isolated by (a, b) (or a == b) >= t ?"""
    if t is None or a >= t:
        return True
    if b <= t:
        return a == b == t
    # a < t < b
    st = sign_at_rational(sq, t)
    if st == 0:
        return True
    return sign_at_rational(sq, a) * st > 0  # no sign change on (a, t): root in (t, b)


def _root_le(sq, a, b, t):
    if t is None or b <= t:
        return True
    if a >= t:
        return a == b == t
    st = sign_at_rational(sq, t)
    if st == 0:
        return True
    return sign_at_rational(sq, a) * st < 0
