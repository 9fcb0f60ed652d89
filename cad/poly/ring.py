"""Polynomial rings over Z and Q with an explicit variable order: :class:`PolyRing`.

Polynomials are *raw* python-flint objects: ``fmpz_mpoly`` (integer
coefficients) of ``ring.ctx`` and ``fmpq_mpoly`` (rational coefficients) of
``ring.qctx``.  There is no wrapper class per polynomial, so the hot paths of
projection and lifting run in FLINT (``fmpz_mpoly`` resultants, discriminants,
gcds and factorisation; FLINT documentation, "fmpz_mpoly: multivariate
polynomials over the integers").  :class:`PolyRing` owns the variable order:
the contexts are created with ``lex`` ordering over the variables *in the
order given*, so flint's term order is the ring's order and the ring never
relies on name sorting.

sympy is used only by :meth:`PolyRing.to_sympy` / :meth:`PolyRing.from_sympy`
and is imported inside them, so importing this module costs only flint.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flint import fmpq, fmpq_mpoly, fmpq_mpoly_ctx, fmpz, fmpz_mpoly, fmpz_mpoly_ctx, fmpz_poly

from cad.errors import InputError, InternalError
from cad.numbers.rational import as_integer as _as_int, as_rational as _as_rational
from cad.poly.ops import coefficients_in, factor, poly_level, squarefree_factors
from cad.poly.parse import (
    _ONE,
    NAME_RE,
    _describe,
    _error,
    _parse_tokens,
    _q_mul,
    _q_sum,
    _q_to_fmpq_mpoly,
    tokenize,
)

__all__ = ["PolyRing"]


class PolyRing:
    """The polynomial ring Z[v_1, ..., v_n] (and Q[v_1, ..., v_n]) in a fixed variable order.

    ``variables`` gives the order: flint contexts use ``lex`` ordering with ``v_1 > ... > v_n`` in
    flint's term order, and *levels* in the CAD sense count from the front: the main variable of a
    polynomial is the last variable (in this order) it depends on, as in Collins' CAD where
    ``x_n`` is projected first.

    Rings are cheap (flint caches contexts) and compare equal when their variable tuples are
    equal.  Methods take a variable either by name or by 0-based index.
    """

    __slots__ = ("variables", "ctx", "qctx", "nvars", "gens", "_index", "_qgens")

    def __init__(self, variables: Sequence[str]):
        if isinstance(variables, str):
            raise InputError("variables must be a sequence of names, not a single string "
                             f"{variables!r}")
        try:
            names = tuple(variables)
        except TypeError:
            raise InputError(f"variables must be a sequence of names, got {type(variables).__name__}")
        seen = set()
        for v in names:
            if not isinstance(v, str) or not NAME_RE.match(v):
                raise InputError(f"invalid variable name {v!r} (use letters, digits and '_', "
                                 "starting with a letter or '_')")
            if v in seen:
                raise InputError(f"variable {v!r} is listed twice")
            seen.add(v)
        self.variables = names
        self.nvars = len(names)
        self.ctx = fmpz_mpoly_ctx.get(names, "lex")
        self.qctx = fmpq_mpoly_ctx.get(names, "lex")
        self.gens = tuple(self.ctx.gens())
        self._qgens = tuple(self.qctx.gens())
        self._index = {v: i for i, v in enumerate(names)}

    # ---------------------------------------------------------------- basics

    def __repr__(self):
        return f"PolyRing({list(self.variables)!r})"

    def __eq__(self, other):
        return isinstance(other, PolyRing) and other.variables == self.variables

    def __hash__(self):
        return hash(("PolyRing", self.variables))

    def __reduce__(self):
        return (PolyRing, (self.variables,))

    def index(self, name) -> int:
        """0-based position of variable ``name`` (a name or an index) in the ring order."""
        if isinstance(name, str):
            i = self._index.get(name)
            if i is None:
                raise InputError(f"unknown variable {name!r} (the variables are "
                                 f"{', '.join(self.variables) or 'none'})")
            return i
        if isinstance(name, (int, fmpz)) and not isinstance(name, bool):
            i = int(name)
            if 0 <= i < self.nvars:
                return i
            raise InputError(f"variable index {i} out of range for {self.nvars} variables")
        raise InputError(f"expected a variable name, got {name!r}")

    def gen(self, name) -> fmpz_mpoly:
        """The generator for variable ``name``."""
        return self.gens[self.index(name)]

    def zero(self) -> fmpz_mpoly:
        """A fresh zero polynomial (fresh, so a caller's in-place ``iadd`` cannot corrupt a shared one)."""
        return self.ctx.constant(0)

    def one(self) -> fmpz_mpoly:
        """A fresh constant polynomial 1."""
        return self.ctx.constant(1)

    def constant(self, c) -> fmpz_mpoly:
        return self.ctx.constant(c)

    def __call__(self, value) -> fmpz_mpoly:
        """Coerce ``value`` into the ring: int, fmpz, integral fmpq, a string in QEPCAD syntax with
        integer coefficients, or an fmpz_mpoly / integral fmpq_mpoly of a ring whose variables the
        polynomial uses all belong to this ring (mapped by name)."""
        if isinstance(value, fmpz_mpoly):
            if value.context() is self.ctx:
                return value
            return self._import(value, self.ctx)
        if isinstance(value, str):
            num, den = self._parse_text(value)
            if den != 1:
                raise InputError(f"polynomial {value!r} has non-integer coefficients; use "
                                 "parse() (clears denominators) or parse_rational()")
            return num
        if isinstance(value, fmpq_mpoly):
            if value.context() is not self.qctx:
                value = self._import(value, self.qctx)
            num, den = self._clear(value)
            if den != 1:
                raise InputError(f"polynomial {self.to_str(value)} has non-integer coefficients")
            return num
        c = _as_int(value)
        if c is None:
            raise InputError(f"cannot convert {value!r} of type {type(value).__name__} into an "
                             f"integer polynomial in {', '.join(self.variables) or 'no variables'}")
        return self.ctx.constant(c)

    def _import(self, p, target_ctx):
        src = p.context()
        names = src.names()
        used = [names[i] for i, d in enumerate(p.degrees()) if d > 0]
        for v in used:
            if v not in self._index:
                raise InputError(f"polynomial uses variable {v!r}, which is not among the ring's "
                                 f"variables {', '.join(self.variables) or '(none)'}")
        mapping = {v: v for v in names if v in self._index}
        for v in names:
            if v not in self._index:
                mapping[v] = 0
        return p.project_to_context(target_ctx, mapping=mapping)

    # ---------------------------------------------------------------- parsing and printing

    def _parse_text(self, text):
        if not isinstance(text, str):
            raise InputError(f"expected polynomial text, got {type(text).__name__}")
        toks = tokenize(text)
        num, den, pos = _parse_tokens(toks, 0, self)
        tok = toks[pos]
        if tok.kind != "eof":
            raise _error(tok, f"unexpected {_describe(tok)} after the polynomial")
        return num, den

    def parse(self, text: str) -> fmpz_mpoly:
        """Parse QEPCAD syntax into an integer polynomial equal to ``text`` times a *positive*
        integer (the least common denominator), so signs are preserved: ``"1/2 x - 1/3"`` ->
        ``3*x - 2``.  Raises :class:`ParseError` with line and column."""
        return self._parse_text(text)[0]

    def parse_rational(self, text: str) -> fmpq_mpoly:
        """Parse QEPCAD syntax exactly into an ``fmpq_mpoly`` of ``qctx``."""
        num, den = self._parse_text(text)
        return _q_to_fmpq_mpoly(num, den, self.qctx)

    def to_str(self, p) -> str:
        """QEPCAD B syntax with juxtaposition for products, terms in the ring's lex order:
        ``3 x^2 y - z``, ``1/2 x + 1``.  Parses back with :meth:`parse` / :meth:`parse_rational`."""
        if isinstance(p, (int, fmpz, fmpq)):
            return str(p)
        names = p.context().names()  # the polynomial's own context decides what its exponents mean
        parts = []
        for exps, c in p.terms():
            mono = " ".join(
                names[i] if e == 1 else f"{names[i]}^{e}" for i, e in enumerate(exps) if e
            )
            neg = c < 0
            a = -c if neg else c
            if mono:
                s = mono if a == 1 else f"{a} {mono}"
            else:
                s = str(a)
            if parts:
                parts.append(("- " if neg else "+ ") + s)
            else:
                parts.append(("-" + s) if neg else s)
        return " ".join(parts) if parts else "0"

    # ---------------------------------------------------------------- conversions

    def _clear(self, q: fmpq_mpoly):
        """``(num, den)``: fmpz_mpoly numerator and positive fmpz denominator with q == num/den."""
        coeffs = q.coeffs()
        den = _ONE
        for c in coeffs:
            if c.q != 1:
                den = den.lcm(c.q)
        if den == 1:
            return self.ctx.from_dict({e: c.p for e, c in q.terms()}), den
        return self.ctx.from_dict({e: (c * den).p for e, c in q.terms()}), den

    def clear_denominators(self, q) -> fmpz_mpoly:
        """The integer polynomial ``q * d`` for the least positive integer ``d`` making it integral."""
        if isinstance(q, fmpz_mpoly):
            return self(q)
        if q.context() is not self.qctx:
            q = self._import(q, self.qctx)
        return self._clear(q)[0]

    def to_rational(self, p) -> fmpq_mpoly:
        """``p`` as an fmpq_mpoly of ``qctx``."""
        if isinstance(p, fmpq_mpoly):
            return p if p.context() is self.qctx else self._import(p, self.qctx)
        return fmpq_mpoly(self(p), self.qctx)

    def to_univariate(self, p) -> fmpz_poly:
        """``p`` (depending on at most one variable) as a flint ``fmpz_poly`` in that variable."""
        p = self(p)
        degs = p.degrees()
        used = [i for i, d in enumerate(degs) if d > 0]
        if len(used) > 1:
            raise InputError(f"polynomial {self.to_str(p)} depends on several variables "
                             f"({', '.join(self.variables[i] for i in used)}); expected at most one")
        if not used:
            return fmpz_poly([p.leading_coefficient()]) if not p.is_zero() else fmpz_poly()
        i = used[0]
        coeffs = [0] * (degs[i] + 1)
        for exps, c in p.terms():
            coeffs[exps[i]] = c
        return fmpz_poly(coeffs)

    def from_univariate(self, f, var) -> fmpz_mpoly:
        """The flint ``fmpz_poly`` (or coefficient list, low degree first) ``f`` in variable ``var``."""
        i = self.index(var)
        coeffs = f.coeffs() if isinstance(f, fmpz_poly) else list(f)
        n = self.nvars
        d = {}
        for k, c in enumerate(coeffs):
            if c:
                e = [0] * n
                e[i] = k
                d[tuple(e)] = c
        return self.ctx.from_dict(d)

    def to_sympy(self, p, symbols=None):
        """``p`` as a sympy expression in ``sympy.Symbol(name)`` for each variable (or in the given
        ``symbols``, one per ring variable)."""
        import sympy

        if symbols is None:
            symbols = sympy.symbols(self.variables) if self.nvars else ()
            if self.nvars == 1:
                symbols = (symbols[0],) if isinstance(symbols, (tuple, list)) else (symbols,)
        if isinstance(p, (int, fmpz)):
            return sympy.Integer(int(p))
        if isinstance(p, fmpq):
            return sympy.Rational(int(p.p), int(p.q))
        terms = []
        rational = isinstance(p, fmpq_mpoly)
        for exps, c in p.terms():
            coeff = sympy.Rational(int(c.p), int(c.q)) if rational else sympy.Integer(int(c))
            factors = [coeff]
            for s, e in zip(symbols, exps):
                if e:
                    factors.append(s ** int(e) if e != 1 else s)
            terms.append(sympy.Mul(*factors))
        return sympy.Add(*terms)

    def from_sympy(self, expr):
        """Convert a sympy polynomial expression (or ``sympy.Poly``, int, Rational) into the ring.

        Symbols are matched to ring variables *by name* (assumptions are ignored).  Returns an
        ``fmpz_mpoly`` when every coefficient is an integer, else an ``fmpq_mpoly``.  Raises
        :class:`InputError` naming the offending term for anything that is not a polynomial with
        rational coefficients: division by a variable, negative or fractional powers, functions,
        floats, unknown symbols, relations.
        """
        import sympy

        if isinstance(expr, sympy.Poly):
            expr = expr.as_expr()
        if isinstance(expr, (int, fmpz)) and not isinstance(expr, bool):
            return self.ctx.constant(int(expr))
        if isinstance(expr, fmpq):
            expr = sympy.Rational(int(expr.p), int(expr.q))
        if not isinstance(expr, sympy.Basic):
            raise InputError(f"expected a sympy expression, got {type(expr).__name__}: {expr!r}")
        ctx, gens, index = self.ctx, self.gens, self._index
        Add, Mul, Pow, Symbol = sympy.Add, sympy.Mul, sympy.Pow, sympy.Symbol
        Rational = sympy.Rational

        def conv(e):
            if e.is_Rational:  # Integer or Rational
                if e.q == 1:
                    return ctx.constant(int(e.p)), _ONE
                return ctx.constant(int(e.p)), fmpz(int(e.q))
            if isinstance(e, Symbol):
                i = index.get(e.name)
                if i is None:
                    raise InputError(f"unknown variable {e.name!r} in term {e} (the variables are "
                                     f"{', '.join(self.variables) or 'none'})")
                return gens[i], _ONE
            if isinstance(e, Add):
                return _q_sum([conv(a) for a in e.args])
            if isinstance(e, Mul):
                args = e.args
                acc = conv(args[0])
                for a in args[1:]:
                    acc = _q_mul(acc, conv(a))
                return acc
            if isinstance(e, Pow):
                base, ex = e.args
                if ex.is_Integer and ex >= 0:
                    num, den = conv(base)
                    k = int(ex)
                    return num ** k, den ** k
                if base.is_Rational and ex.is_Integer:
                    # a rational constant such as 2**-1
                    val = Rational(base) ** ex
                    return conv(val)
                raise InputError(f"non-polynomial term {e}: exponents must be non-negative "
                                 "integers (no division by variables, no roots)")
            if e.is_Float:
                raise InputError(f"floating-point number {e} is not exact; use a Rational")
            if isinstance(e, sympy.Rel) or isinstance(e, sympy.logic.boolalg.Boolean):
                raise InputError(f"expected a polynomial, got the formula {e}")
            raise InputError(f"non-polynomial term {e} (only +, *, non-negative integer powers, "
                             "integers, rationals and the ring's variables are allowed)")

        num, den = conv(expr)
        if den == 1:
            return num
        return _q_to_fmpq_mpoly(num, den, self.qctx)

    # ---------------------------------------------------------------- structure

    def _i(self, var) -> int:
        if isinstance(var, str):
            i = self._index.get(var)
            if i is not None:
                return i
        return self.index(var)

    def degree(self, p, var) -> int:
        """Degree of ``p`` in ``var``; -1 for the zero polynomial."""
        if p.is_zero():
            return -1
        return int(p.degrees()[self._i(var)])

    def degrees(self, p) -> tuple:
        """Degrees in every variable (ring order); all -1 for zero."""
        return tuple(int(d) for d in p.degrees())

    def used_variables(self, p) -> tuple:
        """Names of the variables ``p`` depends on, in ring order."""
        return tuple(v for v, d in zip(self.variables, p.degrees()) if d > 0)

    def main_variable(self, p):
        """The last variable (in ring order) ``p`` depends on; None for constants."""
        k = poly_level(p)
        return self.variables[k - 1] if k else None

    def level(self, p) -> int:
        """1 + index of the main variable; 0 for constants."""
        return poly_level(p)

    def _coeff_dicts(self, p, i):
        """Group the terms of p by the exponent of variable i: {k: {exps with e_i = 0: coeff}}."""
        groups: dict = {}
        for exps, c in p.terms():
            k = exps[i]
            if k:
                exps = exps[:i] + (0,) + exps[i + 1:]
            g = groups.get(k)
            if g is None:
                groups[k] = {exps: c}
            else:
                g[exps] = c
        return groups

    def coefficients(self, p, var) -> list:
        """Coefficients of ``p`` as a polynomial in ``var`` (polynomials of the same ring not
        involving ``var``), from degree 0 up to the degree; ``[]`` for zero."""
        return coefficients_in(p, self._i(var))

    def leading_coefficient(self, p, var):
        """Coefficient of the highest power of ``var`` in ``p`` (zero for zero)."""
        i = self._i(var)
        if p.is_zero():
            return p
        d = p.degrees()[i]
        if d == 0:
            return p
        ctx = p.context()
        return ctx.from_dict({exps[:i] + (0,) + exps[i + 1:]: c for exps, c in p.terms()
                              if exps[i] == d})

    def trailing_coefficient(self, p, var):
        """Coefficient of the lowest power of ``var`` that occurs in ``p`` with a non-zero
        coefficient (zero for zero)."""
        i = self._i(var)
        if p.is_zero():
            return p
        if p.degrees()[i] == 0:
            return p
        terms = list(p.terms())
        low = min(exps[i] for exps, _ in terms)
        ctx = p.context()
        return ctx.from_dict({exps[:i] + (0,) + exps[i + 1:]: c for exps, c in terms
                              if exps[i] == low})

    def resultant(self, p, q, var):
        """Sylvester resultant of ``p`` and ``q`` with respect to ``var`` (FLINT
        ``fmpz_mpoly_resultant``; conventions as sympy's: zero if either is zero, ``c^deg`` for a
        non-zero constant ``c``)."""
        name = self.variables[self._i(var)]
        return p.resultant(q, name)

    def discriminant(self, p, var):
        """Discriminant of ``p`` in ``var``: ``(-1)^(d(d-1)/2) res(p, dp/dvar) / lc(p)`` (FLINT
        ``fmpz_mpoly_discriminant``), ``1`` for degree 1 and ``0`` when ``p`` does not involve
        ``var`` (sympy's convention)."""
        i = self._i(var)
        if p.is_zero() or p.degrees()[i] <= 0:
            return p.context().from_dict({})
        return p.discriminant(self.variables[i])

    def content(self, p, var):
        """Content of ``p`` w.r.t. ``var``: the gcd (over Z, so including the integer content) of
        its coefficients in ``var``, normalised to a positive leading coefficient; 0 for 0."""
        i = self._i(var)
        if p.is_zero():
            return p
        if p.degrees()[i] == 0:
            g = p
        else:
            ctx = p.context()
            groups = self._coeff_dicts(p, i)
            g = None
            # gcd of the smallest coefficients first: it shrinks fast and often becomes 1
            for k in sorted(groups, key=lambda k: len(groups[k])):
                c = ctx.from_dict(groups[k])
                g = c if g is None else g.gcd(c)
                if g.is_one():
                    return g
        # normalise to positive leading coefficient (flint's gcd already does when it ran)
        if g.leading_coefficient() < 0:
            g = -g
        return g

    def primitive_part(self, p, var):
        """``p / content(p, var)`` (exact division); 0 for 0."""
        if p.is_zero():
            return p
        c = self.content(p, var)
        if c.is_one():
            return p
        q, r = divmod(p, c)
        if not r.is_zero():
            raise InternalError(f"content {c} does not divide {self.to_str(p)}")
        return q

    def squarefree_factors(self, p):
        """:func:`cad.poly.ops.squarefree_factors`: ``(c, [(f_i, e_i)])``, ``p = c * prod f_i^e_i``,
        the ``f_i`` pairwise coprime, squarefree, primitive, positive leading coefficient."""
        return squarefree_factors(p)

    def factor(self, p):
        """:func:`cad.poly.ops.factor`: ``(c, [(f_i, e_i)])``, ``p = c * prod f_i^e_i``, the ``f_i``
        distinct, irreducible over Z, primitive, positive leading coefficient."""
        return factor(p)

    def derivative(self, p, var):
        return p.derivative(self.variables[self._i(var)])

    def gcd(self, p, q):
        return p.gcd(q)

    # ---------------------------------------------------------------- evaluation

    def substitute(self, p, values: Mapping):
        """Replace variables by values: ``{name: int | fmpz | fmpq | fmpz_mpoly | fmpq_mpoly}``.

        Returns an ``fmpz_mpoly`` when ``p`` and every value are integral (ints, integral fmpq,
        fmpz_mpoly), else an ``fmpq_mpoly``.  Unlisted variables stay."""
        if not values:
            return p
        ints = {}
        polys = {}
        rational = isinstance(p, fmpq_mpoly)
        for name, v in values.items():
            i = self._i(name)
            c = _as_int(v)
            if c is not None:
                ints[i] = c
                continue
            if isinstance(v, (fmpz_mpoly, fmpq_mpoly)):
                if isinstance(v, fmpq_mpoly):
                    rational = True
                    if v.context() is not self.qctx:
                        v = self._import(v, self.qctx)
                elif v.context() is not self.ctx:
                    v = self._import(v, self.ctx)
                polys[i] = v
                continue
            r = _as_rational(v)
            if r is None:
                raise InputError(f"cannot substitute {v!r} of type {type(v).__name__} for "
                                 f"variable {self.variables[i]!r}")
            ints[i] = r
            rational = True
        if rational:
            p = self.to_rational(p)
            ints = {i: fmpq(c) for i, c in ints.items()}
            polys = {i: self.to_rational(v) for i, v in polys.items()}
        if ints and polys:
            for i, c in ints.items():
                polys[i] = p.context().constant(c)
            ints = {}
        if polys:
            gens = self._qgens if rational else self.gens
            args = [polys.get(i, g) for i, g in enumerate(gens)]
            return p.compose(*args)
        return p.subs(ints)

    def evaluate(self, p, point: Mapping) -> fmpq:
        """Value of ``p`` at a point ``{name: rational}`` (variables ``p`` does not depend on may be
        omitted)."""
        vals = [None] * self.nvars
        integral = not isinstance(p, fmpq_mpoly)
        for name, v in point.items():
            i = self._i(name)
            c = _as_int(v)
            if c is None:
                c = _as_rational(v)
                if c is None:
                    raise InputError(f"value {v!r} for variable {self.variables[i]!r} is not a "
                                     "rational number")
                integral = False
            vals[i] = c
        degs = p.degrees()
        for i, d in enumerate(degs):
            if vals[i] is None:
                if d > 0:
                    raise InputError(f"no value given for variable {self.variables[i]!r}")
                vals[i] = fmpz(0)
        if not self.nvars:
            return fmpq(p.leading_coefficient()) if not p.is_zero() else fmpq(0)
        if integral:
            return fmpq(p(*vals))
        return fmpq(self.to_rational(p)(*[fmpq(v) for v in vals]))
