"""Lifting over a cell where a projection factor is nullified.

:func:`lazard_valuation_polynomial` (Lazard's projection; McCallum, Parusiński,
Paunescu, J. Symb. Comput. 92 (2019), Sect. 2 and 5) and
:func:`delineating_derivative` (McCallum's projection over a point).
"""

from __future__ import annotations

from cad.errors import InputError, InternalError
from cad.poly.fibre import real_roots_in_fiber
from cad.poly.sign import sign_at as _sign_at

__all__ = ["delineating_derivative", "lazard_valuation_polynomial"]


def _vanishes_on_prefix(g, prefix, sign_at):
    """True iff g(prefix, x_{j+1}, ...) is the zero polynomial, j = len(prefix)."""
    j = len(prefix)
    groups = {}
    for m, c in zip(g.monoms(), g.coeffs()):
        groups.setdefault(m[j:], {})[m[:j] + (0,) * (len(m) - j)] = c
    ctx = g.context()
    for d in groups.values():
        coeff = ctx.from_dict(d)
        if coeff.is_constant() or sign_at(coeff, prefix) != 0:
            return False
    return True


def delineating_derivative(f, point, roots_in_fiber=None):
    """A partial derivative ``h`` of ``f`` of least total order not vanishing identically on
    the line over ``point``, with its real roots there: ``(h, roots)``.

    Used with McCallum's projection when a level-``k+1`` factor ``f`` is nullified over a
    0-dimensional cell ``{s}`` of level ``k < n-1`` (McCallum 1998 suggested modifying the
    lifting there; Brown, "The McCallum projection, lifting, and order-invariance",
    USNA-CS-TR-2005-02, discusses it).  McCallum's theorem lifts validly over a cell of
    level ``k+1`` when every level-``k+1`` factor is *order-invariant* in it; ``f`` is
    identically 0 on the line ``L = {s} x R``, so only its order there is in question.

    Claim: with the roots of ``h(s, x_{k+1})`` among the stack's sections, ``f`` is
    order-invariant in every cell of the stack over ``s``.  Proof: let ``m`` be the
    total order of ``h`` (derivatives in all of ``x_1..x_{k+1}``).  Every partial
    derivative of order ``< m`` vanishes identically on ``L`` (minimality), so the order
    of ``f`` is ``>= m`` at every point of ``L``; at a point where ``h`` does not vanish,
    an order-``m`` derivative is non-zero, so the order is exactly ``m``.  A sector of the
    stack contains no root of ``h(s, .)``, so ``f`` has order ``m`` throughout it; a
    section is a point.  (``h(s, .)`` is not identically 0 for ``f != 0``: some
    derivative of ``f`` is a non-zero constant.)  Non-nullified factors are
    order-invariant in the sections by McCallum's theorem and have order 0 in sectors.
    """
    if roots_in_fiber is None:
        roots_in_fiber = real_roots_in_fiber
    if f.is_zero():
        raise InputError("a delineating derivative of the zero polynomial is undefined")
    k = len(point)
    level = [f]
    seen = set()
    while True:
        nxt = []
        for g in level:
            for i in range(k + 1):
                d = g.derivative(i)
                if d.is_zero():
                    continue
                key = str(d)
                if key in seen:
                    continue
                seen.add(key)
                rs = roots_in_fiber(d, point, k)
                if rs is not None:
                    return d, rs
                nxt.append(d)
        if not nxt:   # unreachable: a derivative of f of top order is a non-zero constant
            raise InternalError(f"internal: no delineating derivative of {f} at {point}")
        level = nxt


def lazard_valuation_polynomial(f, point, sign_at=None):
    """The Lazard valuation polynomial of ``f`` at ``point = (s_1..s_k)``.

    MPP 2019, Sect. 2: for ``i = 1..k`` replace ``f`` by the lowest-order
    coefficient of its expansion in ``(x_i - s_i)`` that does not vanish
    identically after substituting ``s_1..s_i``.  We return a polynomial ``g``
    over Z (a multiple of iterated partial derivatives of ``f``) such that
    ``g(s_1..s_k, x_{k+1}, ...)`` equals that coefficient up to a nonzero
    constant; in particular ``g(s, x_{k+1})`` is not identically zero (for
    ``f`` not the zero polynomial).  ``point`` values are fmpq or RealAlgebraic.
    """
    if sign_at is None:
        sign_at = _sign_at
    if f.is_zero():
        raise InputError("the Lazard valuation of the zero polynomial is undefined")
    g = f
    for i in range(len(point)):
        while _vanishes_on_prefix(g, point[: i + 1], sign_at):
            g = g.derivative(i)
            if g.is_zero():  # impossible: g(s_1..s_{i-1}, x_i, ...) is not identically zero
                raise InternalError(f"internal: Lazard valuation of {f} at {point} failed")
    return g
