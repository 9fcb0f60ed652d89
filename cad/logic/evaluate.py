"""Substitution of values for free variables, and exact evaluation at a point."""

from __future__ import annotations

from collections.abc import Mapping

from flint import fmpq, fmpq_mpoly, fmpq_mpoly_ctx, fmpz, fmpz_mpoly

from cad.numbers.rational import compare, rational_or_none
from cad.poly.fibre import real_roots_in_fiber
from cad.poly.sign import sign_at
from cad.errors import InputError
from cad.logic.ast import Atom, Formula, Quantifier, RootAtom, holds
from cad.logic.build import atom
from cad.logic.polys import clear_denominators, poly_str, poly_vars, to_qpoly
from cad.logic.queries import formula_context

__all__ = ["substitute", "evaluate", "atom_sign", "indexed_root", "root_atom_holds"]


def substitute(f: Formula, values: Mapping, ring=None) -> Formula:
    """Replace the *free* occurrences of variables by values ``{name: int | fmpz | fmpq |
    fmpz_mpoly | fmpq_mpoly}`` (polynomials of the formula's context); constant atoms become
    TRUE/FALSE.  Rational values clear denominators by a positive integer, so relations are
    preserved.  Raises :class:`InputError` for real algebraic values (use :func:`evaluate`) and
    when a polynomial value would be captured by a quantifier."""
    values = dict(values)
    if not values:
        return f
    ctx = ring.ctx if ring is not None else formula_context(f)
    if ctx is None:
        return f
    names = ctx.names()
    index = {v: i for i, v in enumerate(names)}
    qctx = fmpq_mpoly_ctx.get(names, "lex")
    conv = {}
    captured = {}
    for name, v in values.items():
        if name not in index:
            raise InputError(f"cannot substitute for {name!r}: not a variable (the variables are "
                             f"{', '.join(names) or 'none'})")
        if isinstance(v, bool):
            raise InputError(f"value for {name!r} must be a number or polynomial, got {v!r}")
        if isinstance(v, (int, fmpz, fmpq)):
            conv[name] = qctx.constant(fmpq(v) if not isinstance(v, fmpq) else v)
        elif isinstance(v, (fmpz_mpoly, fmpq_mpoly)):
            conv[name] = to_qpoly(v, qctx)
            captured[name] = set(poly_vars(v))
        else:
            raise InputError(f"cannot substitute {v!r} of type {type(v).__name__} for {name!r} "
                             "(only rationals and polynomials; use evaluate() at algebraic points)")
    gens = qctx.gens()

    def sub_atom(a, active):
        used = set(poly_vars(a.poly)) & active
        if not used:
            return a
        args = [conv[v] if v in used else gens[i] for i, v in enumerate(names)]
        q = to_qpoly(a.poly, qctx).compose(*args)
        return atom(clear_denominators(q, ctx), a.rel)

    def walk(g, active, bound):
        if isinstance(g, Atom):
            for v in set(poly_vars(g.poly)) & active:
                clash = captured.get(v, set()) & bound
                if clash:
                    raise InputError(f"substituting for {v!r} would capture the bound variable "
                                     f"{sorted(clash)[0]!r}")
            return sub_atom(g, active)
        if isinstance(g, Quantifier):
            inner = active - set(g.variables)
            return g.simplify([walk(g.body, inner, bound | set(g.variables))])
        return g.simplify([walk(c, active, bound) for c in g.children()])

    return walk(f, set(conv), set())


def _sign_rational(p, vals) -> int:
    """Exact sign of ``p`` at the rational point ``vals`` (one fmpq or None per generator)."""
    if p.is_zero():
        return 0
    total = fmpq(0)
    powers = {}
    for exps, c in p.terms():
        t = fmpq(c)
        for i, e in enumerate(exps):
            if e:
                key = (i, e)
                pw = powers.get(key)
                if pw is None:
                    pw = vals[i] ** e
                    powers[key] = pw
                t *= pw
        total += t
    return (total > 0) - (total < 0)


def atom_sign(p, point: Mapping) -> int:
    """Exact sign of the polynomial ``p`` at ``point`` (``{name: fmpq | int | RealAlgebraic}``)."""
    names = p.context().names()
    degs = p.degrees()
    vals = [None] * len(names)
    algebraic = False
    last_used = -1
    for i, v in enumerate(names):
        if degs[i] <= 0:
            continue
        last_used = i
        if v not in point:
            raise InputError(f"no value given for variable {v!r} (polynomial {poly_str(p)})")
        x = point[v]
        r = rational_or_none(x)
        if r is None:
            if not hasattr(x, "sign_of"):
                raise InputError(f"value {x!r} for variable {v!r} is neither rational nor a "
                                 "cad.numbers.real_algebraic.RealAlgebraic")
            algebraic = True
            vals[i] = x
        else:
            vals[i] = r
    if not algebraic:
        return _sign_rational(p, vals)
    # sign_at wants values for a prefix of the generators; unused ones are filled with 0
    pt = [vals[i] if vals[i] is not None else fmpq(0) for i in range(last_used + 1)]
    return int(sign_at(p, pt))


def _coordinate(point, v, p):
    if v not in point:
        raise InputError(f"no value given for variable {v!r} (polynomial {poly_str(p)})")
    x = point[v]
    r = rational_or_none(x)
    if r is not None:
        return r
    if not hasattr(x, "sign_of"):
        raise InputError(f"value {x!r} for variable {v!r} is neither rational nor a "
                         "cad.numbers.real_algebraic.RealAlgebraic")
    return x


def indexed_root(p, var_index, index, point: Mapping):
    """The ``index``-th distinct real root (from the bottom; ``index < 0`` from the top) of
    ``p`` as a polynomial in generator ``var_index``, the earlier generators taking their
    values in ``point``; ``None`` when there are fewer roots or ``p`` vanishes identically
    there.  Exact: :func:`cad.poly.fibre.real_roots_in_fiber` (a ``RealAlgebraic`` or ``fmpq``)."""
    names = p.context().names()
    degs = p.degrees()
    coords = [(_coordinate(point, names[i], p) if degs[i] > 0 else fmpq(0))
              for i in range(var_index)]
    roots = real_roots_in_fiber(p, coords, var_index)
    if roots is None or abs(index) > len(roots):
        return None
    return roots[index - 1] if index > 0 else roots[index]


def root_atom_holds(a: RootAtom, point: Mapping) -> bool:
    """Truth of the :class:`cad.logic.ast.RootAtom` ``a`` at ``point`` (false when the
    indexed root does not exist, as in QEPCAD B)."""
    r = indexed_root(a.poly, a.var_index, a.index, point)
    if r is None:
        return False
    x = _coordinate(point, a.var, a.poly)
    return holds(compare(x, r), a.rel)


def evaluate(formula: Formula, ring, point: Mapping) -> bool:
    """Truth of the quantifier-free ``formula`` at ``point`` (``{name: fmpq | int |
    RealAlgebraic}``); exact.  Rational points use fmpq arithmetic; points with an irrational
    algebraic coordinate use :func:`cad.poly.sign.sign_at` (interval filter + exact fallback).
    Variables the formula does not use may be omitted."""
    cache = {}

    def ev(g):
        if isinstance(g, Atom):
            key = (id(g.poly.context()), str(g.poly))
            s = cache.get(key)
            if s is None:
                s = atom_sign(g.poly, point)
                cache[key] = s
            return holds(s, g.rel)
        if isinstance(g, RootAtom):
            return root_atom_holds(g, point)
        if not isinstance(g, Formula):
            raise InputError(f"not a formula: {g!r}")
        return g.truth(ev(c) for c in g.children())

    return ev(formula)
