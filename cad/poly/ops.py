"""Small operations on raw flint multivariate polynomials (``fmpz_mpoly`` / ``fmpq_mpoly``).

flint polynomials are unhashable: :func:`poly_key` is the exact key.  The *level* of a
polynomial is ``1 + index`` of the last generator it depends on (0 for constants), as in
Collins' CAD.  The Z <-> Q conversions keep signs: :func:`to_z` returns a positive
integer multiple.

Multivariate factoring has its one home here (:func:`factor`, :func:`irreducible_factors`,
:func:`squarefree_factors`); nothing else calls flint's ``factor`` on an mpoly.
"""

from __future__ import annotations

from cad.errors import InternalError
from flint import fmpq, fmpq_mpoly, fmpq_mpoly_ctx, fmpq_poly, fmpz, fmpz_mpoly, fmpz_mpoly_ctx, fmpz_poly

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
    "factor",
    "irreducible_factors",
    "squarefree_factors",
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


# ----------------------------------------------------------------------------- factoring

def _factor_order_key(fe):
    """The order in which :func:`factor` lists ``(f, e)``: by multiplicity ``e``, then by the
    terms of ``f`` (leading first) compared as ``(exponent vector, coefficient)`` pairs.

    Distinct factors have distinct term lists, so this is a total order on a factor list.
    It is the order python-flint 0.9 gives when its own sort succeeds, so outputs did not
    change when the project stopped depending on that sort; unlike flint's comparison it
    compares Python integers (or rationals), which never overflow."""
    f, e = fe
    return (e, tuple(zip(f.monoms(), (_as_exact(c) for c in f.coeffs()))))


def _as_exact(c):
    return int(c) if isinstance(c, fmpz) else c


def _primitive_positive(f, zctx):
    """The primitive integer polynomial with positive leading coefficient that is a rational
    multiple of the non-zero ``f`` (``fmpz_mpoly`` or ``fmpq_mpoly``), in ``zctx``."""
    g = to_z(f, zctx) if isinstance(f, fmpq_mpoly) else f
    content = fmpz(0)
    for c in g.coeffs():
        content = content.gcd(c)
        if content == 1:
            break
    if content != 1:
        g = g / content
    return -g if g.leading_coefficient() < 0 else g


def _factor_over_q(p):
    """``p.factor()`` for an ``fmpz_mpoly`` computed over Q (whose factor list flint orders
    without converting coefficients to machine integers), mapped back to Z.

    Over Q the factors are determined up to non-zero rational multiples; each is replaced by
    its primitive integer multiple with positive leading coefficient.  By Gauss' lemma these
    are irreducible over Z, and ``p / prod f^e`` is then the signed integer content of ``p``
    (a product of primitive polynomials is primitive); the division is checked to be exact."""
    zctx = p.context()
    _c, qfacs = fmpq_mpoly(p).factor()
    facs = [(_primitive_positive(f, zctx), int(e)) for f, e in qfacs if not f.is_constant()]
    prod = zctx.constant(1)
    for f, e in facs:
        prod *= f**e
    c, rem = divmod(p, prod)
    if not (rem.is_zero() and c.is_constant()):
        raise InternalError(f"factoring {p} over Q: the factors do not divide it")
    return fmpz(c.leading_coefficient()), facs


def factor(p):
    """``(c, [(f_1, e_1), ...])`` with ``p = c * prod f_i^e_i``, the ``f_i`` distinct, irreducible
    over Z, primitive, with positive leading coefficient, listed in the order of
    :func:`_factor_order_key`; ``c`` is the signed integer content (an ``fmpz``; ``fmpq`` for an
    ``fmpq_mpoly``, whose factors are then flint's over Q).  ``(0, [])`` for zero.

    python-flint 0.9's ``fmpz_mpoly.factor`` sorts its factors with a key that converts
    coefficients to C ``long``: it raises ``OverflowError`` when two factors agree up to a
    coefficient beyond 64 bits (``(10**10*a + 1)*((10**10 + 1)*a + 1)``).  Then the same
    factorisation is computed over Q (:func:`_factor_over_q`).  The order of the result is
    always the project's own, never flint's."""
    if isinstance(p, fmpq_mpoly):
        c, facs = p.factor()
        c = fmpq(c)
    elif p.is_zero():
        return fmpz(0), []
    else:
        try:
            c, facs = p.factor()
        except OverflowError:
            c, facs = _factor_over_q(p)
        c = fmpz(c)
    facs = [(f, int(e)) for f, e in facs]
    facs.sort(key=_factor_order_key)
    return c, facs


def irreducible_factors(p):
    """The distinct irreducible non-constant factors of ``p`` (no multiplicities), each
    primitive with positive leading coefficient (lex), in the order of :func:`factor`."""
    if p.is_zero() or p.is_constant():
        return []
    return [normalize(f) for f, _e in factor(p)[1] if not f.is_constant()]


def squarefree_factors(p):
    """``(c, [(f_1, e_1), ...])`` with ``p = c * prod f_i^e_i``, ``c`` the signed integer content
    (``fmpq`` for an ``fmpq_mpoly``), the ``f_i`` pairwise coprime, squarefree, primitive with
    positive leading coefficient (FLINT ``fmpz_mpoly_factor_squarefree``, which does not sort
    its factors: no ``OverflowError`` on large coefficients).  ``(0, [])`` for zero."""
    c, facs = p.factor_squarefree()
    c = fmpq(c) if isinstance(p, fmpq_mpoly) else fmpz(c)
    return c, [(f, int(e)) for f, e in facs]
