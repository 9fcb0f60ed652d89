r"""Real roots of lines and quadratics with coefficients in a quadratic field ``Q(alpha)``.

Lifting over a section whose coordinate ``alpha`` is a quadratic irrational (the most common
irrational coordinate) meets fibres ``c1 y + c0`` and ``a y^2 + b y + c`` with coefficients in
``Q(alpha)``, each given as an fmpq_poly of degree below 2 reduced modulo the minimal
polynomial ``m = p2 x^2 + p1 x + p0`` of ``alpha``.  The generic route
(:func:`cad.poly.fibre.real_roots_in_fiber`) isolates every real root of the norm and then
tests each candidate; here the roots come from the formulas, exactly.

**A line** (and the double root ``-b / 2a`` of a quadratic with zero discriminant): the root
``y = -c0 / c1`` is an element ``A + B alpha`` of ``Q(alpha)`` (:func:`field_element_root`):
``1 / c1 = c1' / N(c1)`` with the conjugate ``c1'`` (``alpha' = -p1/p2 - alpha``, the sum of the
roots of ``m``) and the rational norm ``N(c1) = c1 c1'``.  For ``B != 0`` the minimal polynomial
of ``y`` is ``B^2 m((y - A)/B) = p2 (y - A)^2 + p1 B (y - A) + p0 B^2`` (irreducible: ``y`` is
irrational), and the affine image ``A + B (lo, hi)`` of an isolating interval of ``alpha``
isolates ``y``: the map is a bijection sending the roots of ``m`` onto those of that
polynomial, and the endpoints (not roots of ``m``) onto non-roots.

**A quadratic with positive discriminant** (:func:`quadratic_roots`): both roots are real and
simple.  Let ``N(y) = Res_x(F(x, y), m(x))``, ``F`` the fibre with ``x`` for ``alpha``; then
``N = lc(m)^deg_x F * F(alpha, y) F(alpha', y)`` up to sign, of degree 4 in ``y`` (``a(alpha') != 0``
because ``a(alpha) != 0`` and conjugation is a field isomorphism), so its roots are the two
roots of ``F(alpha, y)`` and the two of ``F(alpha', y)``.  Ball arithmetic at 64 bits gives
rigorous enclosures of all four (the conjugate ones from the ball of ``alpha' = -p1/p2 - alpha``;
they are non-real when the conjugate discriminant's ball is negative).  When the ball of a
root of ``F(alpha, y)`` meets no other real ball, the closed rational interval ``[lo, hi]`` of
that ball holds exactly one root of ``N``, a simple one; exactly one irreducible factor ``g``
of ``N`` vanishes there, and it changes sign between ``lo`` and ``hi`` (checked exactly; an
endpoint that is a root of ``g`` makes the check fail).  Then ``(g, lo, hi)`` is the root.
When a ball check is inconclusive the function returns None and the caller takes the
generic route, so the result never depends on a float.
"""

from __future__ import annotations

from flint import arb, ctx as _flint_ctx, fmpq, fmpq_poly

from cad.numbers.real_algebraic import RealAlgebraic
from cad.numbers.roots import _dyadic, _primitive, sign_at_rational

__all__ = ["field_element_root", "quadratic_norm", "quadratic_roots"]

_PREC = 64


def _minimal_coefficients(m):
    """``(p0, p1, p2)`` of the quadratic ``m = p2 x^2 + p1 x + p0`` (a minimal polynomial), as fmpqs."""
    return fmpq(m[0]), fmpq(m[1]), fmpq(m[2])


def quadratic_norm(coeffs, m):
    """``Res_x(F(x, y), m(x))`` up to a non-zero rational factor, a primitive fmpz_poly in ``y``,
    for ``F = sum_e coeffs[e](x) y^e`` (fmpq_polys of degree below 2) and an irreducible
    quadratic ``m = p2 x^2 + p1 x + p0``.  The resultant is ``p2^deg_x(F)`` times the product of
    ``F(alpha, y) = U + alpha V`` over the two roots ``alpha`` of ``m`` (``U``, ``V`` the
    coefficients of ``x^0`` and ``x^1``), and ``(U + alpha V)(U + alpha' V) = U^2 + s U V + t V^2``
    with ``s = alpha + alpha' = -p1/p2`` and ``t = alpha alpha' = p0/p2``.  Not 0: a coefficient
    of degree below 2 vanishing at a root of the irreducible ``m`` is 0, so neither factor is."""
    u = fmpq_poly([c[0] for c in coeffs])
    v = fmpq_poly([c[1] for c in coeffs])
    p0, p1, p2 = _minimal_coefficients(m)
    n = (u * u * p2 - u * v * p1 + v * v * p0).numer()
    c = n.content()
    return n // c if c != 1 else n


def field_element_root(alpha, c0, c1):
    """The root ``-c0/c1`` of the line ``c1(alpha) y + c0(alpha)`` (``c1`` non-zero, both reduced
    modulo the minimal polynomial of the quadratic irrational ``alpha``), a
    :class:`RealAlgebraic` (see the module docstring)."""
    p0, p1, p2 = _minimal_coefficients(alpha.poly)
    m = fmpq_poly([p0, p1, p2])
    u, v = c1[0], c1[1]
    conj = fmpq_poly([u - v * p1 / p2, -v])          # c1(alpha') as a polynomial in alpha
    norm = (c1 * conj) % m                            # a non-zero rational
    y = (-c0 * conj) % m
    A, B = y[0] / norm[0], y[1] / norm[0]
    if B == 0:
        return RealAlgebraic.from_rational(A)
    # B^2 m((y - A)/B), leading coefficient p2 > 0
    g = fmpq_poly([p2 * A * A - p1 * B * A + p0 * B * B, -2 * p2 * A + p1 * B, p2]).numer()
    lo, hi = alpha.interval
    ends = sorted((A + B * lo, A + B * hi))
    return RealAlgebraic._irreducible(_primitive(g), ends[0], ends[1])


def _roots_balls(coeffs, z):
    """Balls of the real roots of ``a y^2 + b y + c`` (``coeffs = [c, b, a]``, fmpq_polys in
    ``alpha``) with ``alpha`` in the ball ``z``: a list, [] when they are certainly non-real,
    None when the discriminant's ball contains 0 or ``a``'s does."""
    c, b, a = (p.numer()(z) / arb(p.denom()) for p in coeffs)
    if not (a > 0 or a < 0):
        return None
    d = b * b - 4 * a * c
    if d < 0:
        return []
    if not d > 0:
        return None
    r = d.sqrt()
    return [(-b - r) / (2 * a), (-b + r) / (2 * a)]


def _exact_ends(ball):
    """The ends of ``ball`` as fmpqs, computed exactly from its dyadic midpoint and radius."""
    mid, rad = _dyadic(ball), _dyadic(ball.rad())   # rad(): an exact ball, its own midpoint
    return [mid - rad, mid + rad]


def quadratic_roots(alpha, coeffs, norm):
    """The two real roots, sorted, of ``a y^2 + b y + c`` (``coeffs = [c, b, a]`` reduced modulo
    the minimal polynomial of the quadratic irrational ``alpha``, discriminant known positive),
    given ``norm = Res_x(F(x, y), m(x))`` as an fmpz_poly in ``y``; None when the 64-bit balls do
    not separate the roots of the norm (see the module docstring)."""
    p0, p1, p2 = _minimal_coefficients(alpha.poly)
    with _flint_ctx.workprec(_PREC):
        z = alpha.arb(_PREC)
        own = _roots_balls(coeffs, z)
        other = _roots_balls(coeffs, -arb(p1) / arb(p2) - z)
        if not own or other is None:
            return None
        balls = own + other
        for i, x in enumerate(own):
            if any(j != i and x.overlaps(y) for j, y in enumerate(balls)):
                return None
        intervals = sorted(_exact_ends(x) for x in own)
    _c, facs = norm.factor()
    out = []
    for lo, hi in intervals:
        found = [g for g, _e in facs
                 if sign_at_rational(g, lo) * sign_at_rational(g, hi) < 0]
        if len(found) != 1:
            return None
        g = _primitive(found[0])
        if g.degree() == 1:
            out.append(RealAlgebraic.from_rational(fmpq(-g[0], g[1])))
        else:
            out.append(RealAlgebraic._irreducible(g, lo, hi))
    return out

