"""Polynomials: rings with a variable order, the QEPCAD polynomial parser, small operations.

``from cad.poly import PolyRing`` is the entry point.  Exact signs at algebraic points
are in :mod:`cad.poly.sign`, real roots in a fibre in :mod:`cad.poly.fibre` (not
imported here, so that ``import cad.poly`` stays as light as flint).
"""

from cad.poly.ops import coefficients_in, normalize, poly_key, poly_level
from cad.poly.parse import NAME_RE, Token, parse_polynomial_tokens, tokenize
from cad.poly.ring import PolyRing

__all__ = [
    "PolyRing",
    "Token",
    "tokenize",
    "parse_polynomial_tokens",
    "NAME_RE",
    "poly_level",
    "poly_key",
    "coefficients_in",
    "normalize",
]
