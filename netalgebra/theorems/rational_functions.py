"""Rational functions of the product's entries, exact (python-flint ``fmpq_mpoly``), and the
substitution that restricts them to a hypersurface ``p = 0`` solved for one variable.

The decider's side of the rational-cover theorem (:mod:`netalgebra.theorems.rational_cover`);
the verifier has its own copy (:mod:`netalgebra.certificate.rational_cover`), deliberately not
shared.  A polynomial's certificate form is the kernel's list of terms
``[coefficient, [[variable, exponent], ...]]``.
"""

from flint import fmpq, fmpq_mpoly_ctx

__all__ = ["Frac", "TooLarge", "MAX_PRODUCT", "MAX_GCD", "gauss_jordan", "ring", "poly_terms", "monic", "irreducible_factors", "solve_for", "substitute"]


def ring(names):
    """The polynomial ring over Q in the variables ``names`` (a tuple of strings)."""
    return fmpq_mpoly_ctx.get(tuple(names), "degrevlex")


MAX_PRODUCT = 40000      # terms a product may have at most (bound: product of the factors' terms)
MAX_GCD = 1500           # terms of numerator and denominator together before reducing by their gcd


class TooLarge(Exception):
    """An operation would make a polynomial of more than :data:`MAX_PRODUCT` terms (the search
    drops that candidate: flint calls cannot be interrupted by the budget, so size is bounded first)."""


def _guard(*pairs):
    for a, b in pairs:
        if len(a) * len(b) > MAX_PRODUCT:
            raise TooLarge


class Frac:
    """``num / den`` in lowest terms, ``den`` with leading coefficient 1 (both ``fmpq_mpoly``)."""

    __slots__ = ("num", "den")

    def __init__(self, num, den=None, reduced=False):
        ctx = num.context()
        den = ctx.from_dict({(0,) * ctx.nvars(): 1}) if den is None else den
        if den.is_zero():
            raise ZeroDivisionError("rational function with zero denominator")
        if num.is_zero():
            den = ctx.from_dict({(0,) * ctx.nvars(): 1})
        elif not reduced and not den.is_constant():
            if len(num) + len(den) > MAX_GCD:
                raise TooLarge      # a multivariate gcd this size can take seconds, uninterruptibly
            g = num.gcd(den)
            if not g.is_constant():
                num, den = num / g, den / g
        lc = den.leading_coefficient()
        if lc != 1:
            num, den = num / lc, den / lc
        self.num, self.den = num, den

    def __add__(self, o):
        _guard((self.num, o.den), (o.num, self.den), (self.den, o.den))
        if self.den == o.den:
            return Frac(self.num + o.num, self.den)
        if self.den.is_constant():
            return Frac(self.num * o.den + o.num, o.den, reduced=True)   # gcd(a*d + b, d) = gcd(b, d) = 1
        return Frac(self.num * o.den + o.num * self.den, self.den * o.den)

    def __sub__(self, o):
        return self + (-o)

    def __neg__(self):
        return Frac(-self.num, self.den, reduced=True)

    def __mul__(self, o):
        _guard((self.num, o.num), (self.den, o.den))
        if self.num.is_zero() or o.num.is_zero():
            return Frac(self.num * 0)
        if self.den.is_constant() and o.den.is_constant():
            return Frac(self.num * o.num, reduced=True)
        return Frac(self.num * o.num, self.den * o.den)

    def __truediv__(self, o):
        _guard((self.num, o.den), (self.den, o.num))
        return Frac(self.num * o.den, self.den * o.num)

    def is_zero(self):
        return self.num.is_zero()

    def __eq__(self, o):
        return self.num == o.num and self.den == o.den

    def __hash__(self):
        return hash((str(self.num), str(self.den)))


def poly_terms(p, names):
    """``p`` in the certificate's form: ``[[coefficient, [[variable, exponent], ...]], ...]``."""
    out = []
    for exps, c in sorted(p.to_dict().items(), reverse=True):
        c = fmpq(c)
        out.append([str(c.p) if c.q == 1 else f"{c.p}/{c.q}",
                    [[names[k], int(e)] for k, e in enumerate(exps) if e]])
    return out


def monic(p):
    """``p`` divided by its leading coefficient (a canonical representative up to scalars)."""
    return p / p.leading_coefficient()


def irreducible_factors(p):
    """The distinct monic irreducible factors of a non-zero polynomial ``p`` of positive degree."""
    return [monic(f) for f, _ in p.factor()[1]]


def solve_for(p, k):
    """``(e, g)`` with ``p = e * x_k + g`` and ``e``, ``g`` free of ``x_k``, or None if
    ``p`` does not have degree exactly 1 in ``x_k``."""
    if p.degrees()[k] != 1:
        return None
    ctx = p.context()
    e, g = {}, {}
    for exps, c in p.to_dict().items():
        rest = exps[:k] + (0,) + exps[k + 1:]
        (e if exps[k] else g)[rest] = c
    return ctx.from_dict(e), ctx.from_dict(g)


def _substitute_poly(p, k, e, g):
    """``(A, d)`` with ``p(x_k = -g/e) = A / e^d`` (``d`` the degree of ``p`` in ``x_k``)."""
    ctx = p.context()
    d = 0 if p.is_zero() else int(p.degrees()[k])
    if d == 0:
        return p, 0
    by_power = {}
    for exps, c in p.to_dict().items():
        rest = exps[:k] + (0,) + exps[k + 1:]
        by_power.setdefault(exps[k], {})[rest] = c
    out = ctx.from_dict({})
    if len(p) * max(len(g), len(e)) ** d > MAX_PRODUCT:
        raise TooLarge
    for j, coeffs in by_power.items():
        out += ctx.from_dict(coeffs) * (-g) ** j * e ** (d - j)
    return out, d


def substitute(f, k, e, g):
    """The rational function ``f`` with ``x_k`` replaced by ``-g/e`` (``e`` not identically 0)."""
    a, da = _substitute_poly(f.num, k, e, g)
    b, db = _substitute_poly(f.den, k, e, g)
    if da >= db:
        return Frac(a, b * e ** (da - db))
    return Frac(a * e ** (db - da), b)


def gauss_jordan(mat, rhs, is_zero, inverse, tick=None):
    """The solution of ``mat x = rhs`` by Gauss--Jordan elimination, or None for a singular matrix;
    entries of any field type with ``+``, unary ``-`` and ``*`` (``is_zero``, ``inverse`` given).
    ``tick`` (optional) is called before each pivot and each entry update: a budget check, since
    with rational-function entries one row operation can take seconds."""
    n = len(mat)
    a = [list(row) + [r] for row, r in zip(mat, rhs)]
    for c in range(n):
        if tick is not None:
            tick()
        piv = next((i for i in range(c, n) if not is_zero(a[i][c])), None)
        if piv is None:
            return None
        a[c], a[piv] = a[piv], a[c]
        inv = inverse(a[c][c])
        a[c] = [x * inv for x in a[c]]
        for i in range(n):
            if i != c and not is_zero(a[i][c]):
                f = a[i][c]
                row = []
                for x, y in zip(a[i], a[c]):
                    if tick is not None:
                        tick()
                    row.append(x + -(f * y))
                a[i] = row
    return [row[n] for row in a]
