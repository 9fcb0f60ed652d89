"""Size limits of polynomials read from input, decided before any arithmetic is done.

A formula such as ``x^99999999999999999999 > 0`` or ``(x + y + 1)^100000 > 0`` asks flint
for an object that does not fit in memory (or in a machine word): the readers refuse it up
front with a :class:`cad.errors.ParseError` that names the limit, instead of overflowing or
running out of memory.  The limits are far beyond what a CAD can process anyway.

Bounds used (``p`` with ``t`` terms, degree ``d_v`` in variable ``v`` and coefficients of at
most ``b`` bits):

- ``p^e`` has degree ``e d_v`` in ``v``, at most ``prod_v (e d_v + 1)`` terms (its monomials
  lie in that box), and coefficients of at most ``e (b + log2 t)`` bits (each is a sum of at
  most ``t^e`` products of ``e`` coefficients);
- ``p q`` has degree ``d_v(p) + d_v(q)``, at most ``min(t_p t_q, prod_v (d_v(p)+d_v(q)+1))``
  terms and coefficients of at most ``b_p + b_q + log2 min(t_p, t_q)`` bits.
"""

from flint import fmpz

__all__ = ["MAX_DIGITS", "MAX_DEGREE", "MAX_TERMS", "MAX_COEFFICIENT_BITS", "MAX_SIZE_BITS",
           "integer_literal", "check_power", "check_product"]

MAX_DIGITS = 100_000              # digits of one integer literal
MAX_DEGREE = 100_000              # degree of a polynomial in one variable
MAX_TERMS = 1_000_000             # terms of one polynomial
MAX_COEFFICIENT_BITS = 1_000_000  # bits of one coefficient (about 300,000 digits)
MAX_SIZE_BITS = 400_000_000       # terms times coefficient bits of one polynomial (50 MB)


def integer_literal(text, error):
    """The integer written in ``text`` (decimal digits) as ``fmpz``; ``error(message)`` builds
    the exception raised when it has more than :data:`MAX_DIGITS` digits."""
    if len(text) > MAX_DIGITS:
        raise error(f"integer literal of {len(text)} digits exceeds the limit of {MAX_DIGITS} "
                    "digits")
    return fmpz(text)


def _shape(p):
    """(terms, degrees, coefficient bits) of an ``fmpz_mpoly``/``fmpq_mpoly``."""
    if p.is_zero():
        return 0, [0] * len(p.degrees()), 0
    bits = 0
    for c in p.coeffs():
        num = getattr(c, "numer", None)
        size = max(num().bit_length(), c.denom().bit_length()) if num else c.bit_length()
        bits = max(bits, size)
    return len(p), [max(int(d), 0) for d in p.degrees()], bits


def _check(degrees, terms, bits, what, error):
    if degrees and max(degrees) > MAX_DEGREE:
        raise error(f"{what} has degree {max(degrees)} in one variable, over the limit of "
                    f"{MAX_DEGREE}")
    if terms > MAX_TERMS:
        raise error(f"{what} may have {terms} terms, over the limit of {MAX_TERMS}")
    if bits > MAX_COEFFICIENT_BITS:
        raise error(f"{what} may have coefficients of {bits} bits, over the limit of "
                    f"{MAX_COEFFICIENT_BITS} bits")
    if terms * bits > MAX_SIZE_BITS:
        raise error(f"{what} may take {terms} terms of {bits} bits, over the limit of "
                    f"{MAX_SIZE_BITS} bits in all")


def _box(degrees):
    n = 1
    for d in degrees:
        n *= d + 1
        if n > MAX_TERMS:
            return n
    return n


def check_power(p, e, error):
    """Raise ``error(message)`` when ``p^e`` would exceed a size limit (see the module)."""
    if e > MAX_DEGREE:
        raise error(f"exponent {e} exceeds the limit of {MAX_DEGREE}")
    terms, degrees, bits = _shape(p)
    if terms <= 1 and bits <= 1:
        _check([d * e for d in degrees], terms, 0, "the power", error)
        return
    degrees = [d * e for d in degrees]
    _check(degrees, _box(degrees) if terms > 1 else 1, e * (bits + terms.bit_length()),
           "the power", error)


def check_product(p, q, error):
    """Raise ``error(message)`` when ``p q`` would exceed a size limit (see the module)."""
    tp, dp, bp = _shape(p)
    tq, dq, bq = _shape(q)
    degrees = [a + b for a, b in zip(dp, dq)]
    terms = min(tp * tq, _box(degrees))
    _check(degrees, terms, bp + bq + min(tp, tq).bit_length(), "the product", error)
