"""Smart constructors and the normal form :func:`normalize`.

:func:`atom`, :func:`conj`, :func:`disj`, :func:`negate`, :func:`implies`, :func:`iff`,
:func:`exists`, :func:`forall` build nodes of :mod:`cad.logic.ast` and additionally flatten
nested conjunctions/disjunctions, drop duplicates and neutral elements, evaluate constant
atoms, negate atoms by flipping the relation and drop quantified variables that do not occur.
Every parser builds through them, so ``normalize(f)`` (rebuild through them) is the normal form
used for round-trip comparisons.
"""

from __future__ import annotations

from flint import fmpq, fmpq_mpoly, fmpq_mpoly_ctx, fmpz_mpoly, fmpz_mpoly_ctx

from cad.errors import InputError
from cad.logic.ast import (
    FALSE, NEGATED, RELATIONS, TRUE, And, Atom, Exists, Forall, Formula, Iff, Implies, Not, Or,
    Truth, _check_formula, holds,
)
from cad.logic.polys import sign_of_constant, to_qpoly, to_zpoly
from cad.logic.queries import free_variables

__all__ = ["atom", "conj", "disj", "negate", "implies", "iff", "exists", "forall", "quantify",
           "normalize"]


def atom(poly, rel: str, rhs=None, ctx=None) -> Formula:
    """The atom ``poly rel rhs`` as ``(poly - rhs) rel 0``; constant comparisons become TRUE/FALSE.

    ``poly``/``rhs`` may be fmpz_mpoly, fmpq_mpoly (denominators are cleared by a positive
    integer, so the relation is unchanged) or numbers (then ``ctx`` or the other side gives the
    context).
    """
    if rel not in RELATIONS:
        raise InputError(f"unknown relation {rel!r} (expected one of {' '.join(RELATIONS)})")
    if ctx is None:
        for side in (poly, rhs):
            if isinstance(side, (fmpz_mpoly, fmpq_mpoly)):
                c = side.context()
                ctx = c if isinstance(side, fmpz_mpoly) else fmpz_mpoly_ctx.get(c.names(), "lex")
                break
    if ctx is None:  # both sides numbers
        ctx = fmpz_mpoly_ctx.get((), "lex")
    if rhs is not None:
        if isinstance(poly, fmpq_mpoly) or isinstance(rhs, (fmpq_mpoly, fmpq)):
            qctx = fmpq_mpoly_ctx.get(ctx.names(), "lex")
            poly = to_qpoly(poly, qctx) - to_qpoly(rhs, qctx)
        else:
            poly = to_zpoly(poly, ctx) - to_zpoly(rhs, ctx)
    p = to_zpoly(poly, ctx)
    if p.is_constant():
        return TRUE if holds(sign_of_constant(p), rel) else FALSE
    return Atom(p, rel)


def _flatten(args, cls, unit, zero):
    out = []
    seen = set()
    stack = list(args)
    stack.reverse()
    while stack:
        a = stack.pop()
        if isinstance(a, (list, tuple)):
            stack.extend(reversed(a))
            continue
        _check_formula(a, f"an argument of {cls.__name__}")
        if isinstance(a, cls):
            stack.extend(reversed(a.args))
            continue
        if a == unit:
            continue
        if a == zero:
            return zero
        if a in seen:
            continue
        seen.add(a)
        out.append(a)
    if not out:
        return unit
    if len(out) == 1:
        return out[0]
    return cls(tuple(out))


def conj(*args) -> Formula:
    """Conjunction: flattens nested ``And``, drops TRUE and duplicates, FALSE absorbs."""
    return _flatten(args, And, TRUE, FALSE)


def disj(*args) -> Formula:
    """Disjunction: flattens nested ``Or``, drops FALSE and duplicates, TRUE absorbs."""
    return _flatten(args, Or, FALSE, TRUE)


def negate(f: Formula) -> Formula:
    """``~f`` simplified trivially: constants flip, atoms flip their relation, ``~~g = g``."""
    _check_formula(f, "the argument of negate")
    if isinstance(f, Truth):
        return FALSE if f.value else TRUE
    if isinstance(f, Atom):
        return Atom(f.poly, NEGATED[f.rel])
    if isinstance(f, Not):
        return f.arg
    return Not(f)


def implies(a: Formula, b: Formula) -> Formula:
    """``a ==> b`` with the trivial simplifications for constants and ``a == b``."""
    _check_formula(a, "the left side of implies")
    _check_formula(b, "the right side of implies")
    if a == TRUE:
        return b
    if a == FALSE or b == TRUE or a == b:
        return TRUE
    if b == FALSE:
        return negate(a)
    return Implies(a, b)


def iff(a: Formula, b: Formula) -> Formula:
    """``a <==> b`` with the trivial simplifications for constants and ``a == b``."""
    _check_formula(a, "the left side of iff")
    _check_formula(b, "the right side of iff")
    if a == b:
        return TRUE
    if a == TRUE:
        return b
    if b == TRUE:
        return a
    if a == FALSE:
        return negate(b)
    if b == FALSE:
        return negate(a)
    return Iff(a, b)


def quantify(cls, variables, body: Formula) -> Formula:
    """``cls(variables, body)`` for a quantifier class ``cls``, simplified as :func:`exists`."""
    if isinstance(variables, str):
        variables = (variables,)
    _check_formula(body, f"the body of {cls.__name__}")
    if isinstance(body, Truth):
        return body
    vs = []
    if isinstance(body, cls):  # (E x)(E y) B == (E x, y) B
        inner = body.variables
        body = body.body
    else:
        inner = ()
    occurring = free_variables(body)
    for v in tuple(variables) + tuple(inner):
        if not isinstance(v, str):
            raise InputError(f"quantified variables must be names, got {v!r}")
        if v in occurring and v not in vs:
            vs.append(v)
    if not vs:
        return body
    return cls(tuple(vs), body)


def exists(variables, body: Formula) -> Formula:
    """``(E v1)...(E vn) body``; merges nested existential blocks and drops variables not free in
    ``body`` (over the non-empty reals ``(E x) B == B`` when ``x`` does not occur)."""
    return quantify(Exists, variables, body)


def forall(variables, body: Formula) -> Formula:
    """``(A v1)...(A vn) body``; as :func:`exists`."""
    return quantify(Forall, variables, body)


def normalize(f: Formula) -> Formula:
    """Rebuild ``f`` through the smart constructors (the normal form for round-trip comparisons):
    every node with :meth:`Formula.simplify` over its normalized children, so atoms with a
    constant polynomial become TRUE/FALSE."""
    if not isinstance(f, Formula):
        raise InputError(f"not a formula: {f!r}")
    return f.simplify([normalize(c) for c in f.children()])
