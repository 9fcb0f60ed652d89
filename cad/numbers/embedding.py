"""Polynomials over ``K = Q(alpha)``, and one real algebraic number as a rational function
of another: ``alpha = N(v) / D(v)``.

Lifting over a cell whose sample has two irrational coordinates ``alpha`` (earlier) and
``v`` (the last) needs the fibre polynomial over ``Q(alpha, v)``.  Its norm over both
minimal polynomials has degree ``deg_y * deg alpha * deg v``, and ``deg v`` already
counts the conjugates of ``alpha`` (``v`` is a root of a polynomial with coefficients in
``Q(alpha)``): often ``Q(v) = Q(alpha, v)``, and then writing ``alpha = N(v)/D(v)`` leaves one
algebraic number, whose norm has degree ``deg_y * deg v``.  :func:`express_in` finds ``N``
and ``D`` from a relation ``G(alpha, v) = 0`` by a gcd over ``Q(v)``.  :func:`gcd_over` and
:func:`squarefree_over` work in ``K[z]`` with elements of ``K`` as fmpq_polys modulo the
minimal polynomial.
"""

from __future__ import annotations

from flint import arb, ctx as _flint_ctx, fmpq_poly, fmpz

from cad.errors import InternalError

__all__ = ["express_in", "Embedding", "gcd_over", "squarefree_over"]


def express_in(alpha, v, relation):
    """``(N, D)``, fmpq_polys of degree below ``deg v`` with ``D(v) != 0`` and
    ``alpha = N(v) / D(v)``, or None.

    ``alpha`` and ``v`` are irrational :class:`RealAlgebraic`; ``relation[e]`` is an
    fmpq_poly ``g_e`` such that ``G(z, w) = sum_e g_e(w) z^e`` satisfies ``G(alpha, v) = 0``
    (the caller's guarantee).

    Proof.  The minimal polynomial ``m_v`` is irreducible, so ``K = Q[w]/(m_v)`` is a field
    and ``w -> v`` maps it isomorphically onto ``Q(v)``; an element is 0 in ``K`` iff its
    remainder modulo ``m_v`` is the zero polynomial.  Euclid's algorithm in ``K[z]`` on
    ``m_alpha(z)`` and ``G(z, w)`` (:func:`gcd_over`: each remainder replaced by a non-zero
    multiple in ``K``, leading coefficients that are 0 in ``K`` dropped first) ends with a
    non-zero multiple of ``H = gcd(m_alpha, G)``.
    ``alpha`` is a common root, so ``z - alpha`` divides ``H`` over ``Q(v)``.  When ``H``
    has degree 1, ``H = D z - N`` with ``D(v) != 0`` and its root ``N(v)/D(v)`` is
    ``alpha``.  Otherwise (``G(z, v)`` also vanishes at another conjugate of ``alpha``, or
    is 0) the answer is None: nothing is claimed.  ``N/D`` needs no inverse in ``K`` (in a
    field of high degree an inverse has huge coefficients).
    """
    m = fmpq_poly(v.poly)
    a = gcd_over(m, [fmpq_poly(c) for c in alpha.poly.coeffs()], [fmpq_poly(g) for g in relation])
    if len(a) != 2:
        return None
    n, d = -a[0] % m, a[1] % m
    # a cheap consistency check of the caller's guarantee (N(v)/D(v) and alpha must overlap)
    with _flint_ctx.workprec(64):
        x = v.arb(64)
        q = (n.numer()(x) / arb(n.denom())) / (d.numer()(x) / arb(d.denom()))
        if not q.overlaps(alpha.arb(64)):
            raise InternalError("express_in: the relation does not vanish at (alpha, v)")
    return n, d


class Embedding:
    """``alpha = N(v) / D(v)``: maps an fmpq_poly ``c`` of degree ``< deg alpha`` to the fmpq_poly
    ``D^E c(N/D)`` modulo ``m_v``, for one even ``E >= deg alpha - 1``: its value at ``v`` is
    ``c(alpha)`` times the same positive number ``D(v)^E`` for every ``c``."""

    __slots__ = ("v", "_m", "_npow", "_dpow", "_e")

    def __init__(self, v, n, d, deg_alpha):
        self.v = v
        self._m = m = fmpq_poly(v.poly)
        e = deg_alpha - 1 + (deg_alpha - 1) % 2
        self._e = e
        npow, dpow = [fmpq_poly(1)], [fmpq_poly(1)]
        for _ in range(e):
            npow.append(npow[-1] * n % m)
            dpow.append(dpow[-1] * d % m)
        self._npow, self._dpow = npow, dpow

    def image(self, c):
        """``D^E c(N/D)`` modulo ``m_v``."""
        e = self._e
        out = fmpq_poly(0)
        for j, cj in enumerate(c.coeffs()):
            if cj != 0:
                out += cj * self._npow[j] * self._dpow[e - j]
        return out % self._m


def gcd_over(m, a, b):
    """A non-zero multiple of ``gcd(a, b)`` in ``K[z]``, ``K = Q[w]/(m)`` for an irreducible
    ``m`` (``a``, ``b``: lists of fmpq_polys, low to high degree in ``z``; an empty list when
    both are 0).  Euclid's algorithm with pseudo-remainders: each remainder is replaced by a
    non-zero multiple in ``K``, which changes the gcd by a unit only."""
    # small fields: monic remainders (an inverse in K is cheap there and keeps the
    # coefficients small); large ones: pseudo-remainders (no inverse, whose coefficients
    # would be huge)
    norm = _monic if m.degree() <= MONIC_DEGREE else _primitive
    a, b = norm(a, m), norm(b, m)
    while b:
        a, b = b, norm(_pdivide(a, b, m)[1], m)
    return a


# the largest degree of K at which gcd_over makes its remainders monic
MONIC_DEGREE = 32


def _monic(a, m):
    """``a`` with its leading coefficients that are 0 in ``K`` dropped, made monic in ``K``."""
    a = [c % m for c in a]
    _trim(a)
    if not a:
        return a
    inv = _inverse(a[-1], m)
    return [c * inv % m for c in a[:-1]] + [fmpq_poly(1)]


def squarefree_over(m, f):
    """A non-zero multiple in ``K[z]`` of the squarefree part of ``f`` (as in
    :func:`gcd_over`; ``f`` non-zero), or None when ``f`` is squarefree already.  In
    characteristic 0, ``f / gcd(f, f')`` has the same roots as ``f``, each simple."""
    g = gcd_over(m, f, [e * c for e, c in enumerate(f)][1:])
    if len(g) <= 1:
        return None
    return _primitive(_pdivide(_primitive(f, m), g, m)[0], m)


def _primitive(a, m):
    """``a`` (a polynomial in ``z`` over ``K = Q[w]/(m)``) with its leading coefficients that
    are 0 in ``K`` dropped, coefficients of degree ``>= deg m`` reduced, and divided by its
    rational content: the same polynomial up to a non-zero rational factor."""
    dm = m.degree()
    a = [c % m if c.degree() >= dm else c for c in a]
    while a and (a[-1] % m).is_zero():
        a.pop()
    if not a:
        return a
    den = fmpz(1)
    for c in a:
        den = den.lcm(c.denom()) if not c.is_zero() else den
    nums = [(c * den).numer() for c in a]
    g = fmpz(0)
    for c in nums:
        for x in c.coeffs():
            g = g.gcd(x)
            if g == 1:
                break
    return [fmpq_poly(c) / g for c in nums]


def _pdivide(a, b, m):
    """``(Q, R)`` with ``c a = Q b + R`` in ``K[z]`` for some non-zero ``c`` in ``K`` (a power of
    ``lc(b)``, which must not be 0 in ``K``) and ``deg R < deg b``: pseudo-division, each
    coefficient reduced modulo ``m`` as it goes (the same element of ``K``)."""
    a = list(a)
    lb = b[-1]
    db = len(b) - 1
    q = [fmpq_poly(0)] * max(0, len(a) - db)
    while len(a) > db:
        la = a.pop()
        shift = len(a) - db
        q = [c * lb % m for c in q]
        q[shift] += la
        a = [c * lb for c in a]
        for j in range(db):
            a[shift + j] -= la * b[j]
        a = [c % m for c in a]
    return q, a


def _trim(a):
    while a and a[-1].is_zero():
        a.pop()
    return a


def _inverse(c, m):
    """The inverse of the non-zero ``c`` in ``Q[w]/(m)`` (``m`` irreducible, ``deg c < deg m``)."""
    g, s, _t = c.xgcd(m)
    if g.degree() != 0:
        raise InternalError("embedding: a non-zero element of Q[w]/(m) has no inverse (m reducible?)")
    return s / g[0]
