"""sympy relationals and Boolean expressions to and from formulas.

The only module of :mod:`cad` that imports sympy, and only inside :func:`to_sympy` and
:func:`from_sympy`, so that ``cad`` starts without it.
"""

from __future__ import annotations

from cad.errors import InputError
from cad.logic.ast import FALSE, TRUE, And, Atom, Formula, Iff, Implies, Not, Or, Problem, Quantifier, Truth
from cad.logic.build import atom, conj, disj, iff, implies, negate
from cad.logic.prenex import standard_problem
from cad.poly import PolyRing

__all__ = ["to_sympy", "from_sympy"]


def to_sympy(formula: Formula, ring=None):
    """The quantifier-free ``formula`` as a sympy Boolean expression (relationals ``Eq``, ``Ne``,
    ``Lt``, ``Le``, ``Gt``, ``Ge`` with right-hand side 0; ``And``, ``Or``, ``Not``, ``Implies``,
    ``Equivalent``).  sympy has no first-order quantifiers, so quantified formulas raise
    :class:`InputError`.  Symbols are ``sympy.Symbol(name)`` (``real=False`` default, matched by
    name in :func:`from_sympy`)."""
    import sympy

    symbols = {}

    def sym(name):
        s = symbols.get(name)
        if s is None:
            s = sympy.Symbol(name)
            symbols[name] = s
        return s

    def poly(p):
        names = p.context().names()
        terms = []
        for exps, c in p.terms():
            factors = [sympy.Integer(int(c))]
            for i, e in enumerate(exps):
                if e:
                    factors.append(sym(names[i]) ** int(e))
            terms.append(sympy.Mul(*factors))
        return sympy.Add(*terms)

    rels = {"=": sympy.Eq, "/=": sympy.Ne, "<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt,
            ">=": sympy.Ge}

    # the sympy class of each connective; its arguments are the converted children
    connectives = {And: sympy.And, Or: sympy.Or, Not: sympy.Not, Implies: sympy.Implies,
                   Iff: sympy.Equivalent}

    def conv(f):
        op = connectives.get(type(f))
        if op is not None:
            return op(*[conv(c) for c in f.children()])
        if isinstance(f, Atom):
            return rels[f.rel](poly(f.poly), 0)
        if isinstance(f, Truth):
            return sympy.true if f.value else sympy.false
        if isinstance(f, Quantifier):
            raise InputError("sympy has no quantifiers: eliminate them first (quantified "
                             f"variables {', '.join(f.variables)})")
        raise InputError(f"not a formula: {f!r}")

    return conv(formula)


def from_sympy(expr, variables) -> Problem:
    """A quantifier-free :class:`Problem` from a sympy relational / Boolean expression.

    ``variables`` (names or sympy Symbols) fixes the ring's variable order; all of them are free.
    Supported: ``Eq Ne Lt Le Gt Ge`` between polynomials with rational coefficients, ``And Or Not
    Implies Equivalent Xor ITE``, ``true``/``false`` (also Python booleans).  Symbols are matched by
    name; a symbol outside ``variables``, a non-polynomial term (``1/x``, ``sqrt(x)``), or a float
    raises :class:`InputError` naming it."""
    import sympy
    from sympy.logic import boolalg

    names = []
    for v in variables if not isinstance(variables, str) else [variables]:
        names.append(v.name if isinstance(v, sympy.Symbol) else str(v))
    ring = PolyRing(names)
    ctx = ring.ctx
    if isinstance(expr, bool):
        expr = sympy.true if expr else sympy.false
    if not isinstance(expr, sympy.Basic):
        raise InputError(f"expected a sympy Boolean expression, got {type(expr).__name__}")
    unknown = sorted(s.name for s in expr.free_symbols if s.name not in set(names))
    if unknown:
        raise InputError(f"symbol {unknown[0]!r} is not among the variables "
                         f"{', '.join(names) or '(none)'}")
    relmap = {"==": "=", "!=": "/=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

    def conv(e):
        if e is sympy.true or e == sympy.true:
            return TRUE
        if e is sympy.false or e == sympy.false:
            return FALSE
        if isinstance(e, sympy.core.relational.Relational):
            op = e.rel_op
            if op not in relmap:
                raise InputError(f"unsupported relation {op!r} in {e}")
            lhs = ring.from_sympy(e.lhs)
            rhs = ring.from_sympy(e.rhs)
            return atom(lhs, relmap[op], rhs, ctx=ctx)
        if isinstance(e, boolalg.And):
            return conj(*[conv(a) for a in e.args])
        if isinstance(e, boolalg.Or):
            return disj(*[conv(a) for a in e.args])
        if isinstance(e, boolalg.Not):
            return negate(conv(e.args[0]))
        if isinstance(e, boolalg.Implies):
            return implies(conv(e.args[0]), conv(e.args[1]))
        if isinstance(e, boolalg.Equivalent):
            fs = [conv(a) for a in e.args]
            return conj(*[iff(fs[0], g) for g in fs[1:]])
        if isinstance(e, boolalg.Xor):
            fs = [conv(a) for a in e.args]
            acc = fs[0]
            for g in fs[1:]:
                acc = negate(iff(acc, g))
            return acc
        if isinstance(e, boolalg.ITE):
            c, a, b = (conv(x) for x in e.args)
            return disj(conj(c, a), conj(negate(c), b))
        if isinstance(e, sympy.Symbol):
            raise InputError(f"Boolean symbol {e} is not supported (atoms compare polynomials)")
        raise InputError(f"unsupported sympy expression {e} ({type(e).__name__}); expected "
                         "relations between polynomials combined by And/Or/Not/Implies/"
                         "Equivalent")

    formula = conv(expr)
    return standard_problem(names, tuple(names), formula)
