"""Small operations on raw flint multivariate polynomials (``fmpz_mpoly`` / ``fmpq_mpoly``).

flint polynomials are unhashable: :func:`poly_key` is the exact key.  The *level* of a
polynomial is ``1 + index`` of the last generator it depends on (0 for constants), as in
Collins' CAD.  The Z <-> Q conversions keep signs: :func:`to_z` returns a positive
integer multiple.
"""

from __future__ import annotations

from flint import fmpq_mpoly, fmpq_mpoly_ctx, fmpq_poly, fmpz, fmpz_mpoly, fmpz_mpoly_ctx, fmpz_poly

__all__ = [
    "poly_key",
    "normalize",
    "poly_level",
    "coefficients_in",
    "qctx_of",
    "zctx_of",
    "to_q",
    "to_z",
    "univariate",
    "subs_exact",
]


def poly_key(p):
    """A hashable key identifying ``p`` exactly (flint polynomials are unhashable)."""
    return (tuple(p.monoms()), tuple(int(c) for c in p.coeffs()))


def normalize(p):
    """``p`` or ``-p``, whichever has a positive leading coefficient (lex order)."""
    if p.is_zero():
        return p
    return -p if p.leading_coefficient() < 0 else p


def poly_level(p):
    """1 + index of the last generator ``p`` depends on; 0 for constants."""
    degs = p.degrees()
    for i in range(len(degs) - 1, -1, -1):
        if degs[i] > 0:
            return i + 1
    return 0


def coefficients_in(p, i):
    """Coefficients of ``p`` as a polynomial in generator ``i``, low to high degree.

    Each coefficient is a polynomial of the same context not depending on generator
    ``i`` (zero for missing degrees); ``[]`` for the zero polynomial.  Built directly
    from the term list (one pass).
    """
    ctx = p.context()
    d = p.degrees()[i] if not p.is_zero() else -1
    if d < 0:
        return []
    buckets = [dict() for _ in range(d + 1)]
    for m, c in zip(p.monoms(), p.coeffs()):
        e = m[i]
        mm = list(m)
        mm[i] = 0
        buckets[e][tuple(mm)] = c
    return [ctx.from_dict(b) if b else ctx.from_dict({}) for b in buckets]


def qctx_of(zctx):
    """The ``fmpq_mpoly`` context with the variables and ordering of ``zctx``."""
    return fmpq_mpoly_ctx.get(zctx.names(), zctx.ordering())


def zctx_of(qctx):
    """The ``fmpz_mpoly`` context with the variables and ordering of ``qctx``."""
    return fmpz_mpoly_ctx.get(qctx.names(), qctx.ordering())


def to_q(p):
    """fmpz_mpoly -> fmpq_mpoly with the same variables and ordering."""
    return fmpq_mpoly(p)


def to_z(q, zctx):
    """A positive integer multiple of the fmpq_mpoly ``q`` as fmpz_mpoly (sign-preserving)."""
    ms = q.monoms()
    cs = q.coeffs()
    den = fmpz(1)
    for c in cs:
        den = den * c.q // den.gcd(c.q)
    return zctx.from_dict({m: (c * den).p for m, c in zip(ms, cs)})


def subs_exact(p, ints, rats):
    """Substitute integer values first (staying in Z[x]), then rationals (moving to Q[x] only then)."""
    if ints:
        p = p.subs(ints)
    if rats:
        if isinstance(p, fmpz_mpoly):
            p = fmpq_mpoly(p)
        p = p.subs(rats)
    return p


def univariate(q, i):
    """fmpz_poly (positive multiple) of an mpoly depending on variable i only."""
    coeffs = {}
    for m, c in zip(q.monoms(), q.coeffs()):
        coeffs[m[i]] = c
    d = max(coeffs) if coeffs else 0
    lst = [coeffs.get(e, 0) for e in range(d + 1)]
    if isinstance(q, fmpq_mpoly):
        return fmpq_poly(lst).numer()
    return fmpz_poly(lst)
