"""Exact rational functions of the family parameter t, for escaping families.

Certificates store each weight of an escaping family as ``{"num": [...], "den": [...]}``
(coefficients of numerator and denominator in t, rationals as strings).
"""

from fractions import Fraction

from flint import fmpq_poly

__all__ = ["fraction_text", "RationalFunction", "T", "INV_T", "ONE"]


def fraction_text(x):
    """A rational as the certificate writes it: ``"p"`` or ``"p/q"``."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


class RationalFunction:
    """Minimal rational function of t for building certificates (not shared with the verifier)."""

    __slots__ = ("n", "d")

    def __init__(self, n, d=None):
        self.n = n if isinstance(n, fmpq_poly) else fmpq_poly(n)
        self.d = fmpq_poly([1]) if d is None else (d if isinstance(d, fmpq_poly) else fmpq_poly(d))
        if self.n == 0:
            self.n, self.d = fmpq_poly([]), fmpq_poly([1])
        else:
            g = self.n.gcd(self.d)
            if g.degree() > 0:
                self.n, self.d = self.n // g, self.d // g

    def __add__(self, o):
        return RationalFunction(self.n * o.d + o.n * self.d, self.d * o.d)

    def __mul__(self, o):
        return RationalFunction(self.n * o.n, self.d * o.d)

    def __neg__(self):
        return RationalFunction(-self.n, self.d)

    def json(self):
        return {"num": [fraction_text(Fraction(int(c.p), int(c.q))) for c in self.n.coeffs()] or ["0"],
                "den": [fraction_text(Fraction(int(c.p), int(c.q))) for c in self.d.coeffs()]}


T = RationalFunction([0, 1])            # t
INV_T = RationalFunction([1], [0, 1])   # 1/t
ONE = RationalFunction([1])
