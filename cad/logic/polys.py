"""The polynomials inside formulas: their variables, moving them between flint contexts,
clearing denominators, the sign of a constant and their text in QEPCAD B syntax.

An atom holds an ``fmpz_mpoly``; inputs may bring rationals or polynomials of another context.
Denominators are always cleared by a *positive* integer, so the relation of an atom is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping

from flint import fmpq, fmpq_mpoly, fmpq_mpoly_ctx, fmpz, fmpz_mpoly, fmpz_mpoly_ctx

from cad.errors import InputError

__all__ = ["poly_vars", "sign_of_constant", "clear_denominators", "to_zpoly", "to_qpoly",
           "move", "poly_str"]


def poly_vars(p) -> list:
    """Names of the variables ``p`` depends on, in context order."""
    names = p.context().names()
    return [names[i] for i, d in enumerate(p.degrees()) if d > 0]


def sign_of_constant(p) -> int:
    """The sign of the constant polynomial ``p``."""
    if p.is_zero():
        return 0
    c = p.leading_coefficient()
    return 1 if c > 0 else -1


def clear_denominators(q: fmpq_mpoly, ctx) -> fmpz_mpoly:
    """``q`` times the least positive integer making it integral, as an fmpz_mpoly of ``ctx``."""
    den = fmpz(1)
    for c in q.coeffs():
        if c.q != 1:
            den = den * c.q // den.gcd(c.q)
    if q.context().names() != ctx.names():
        raise InputError("polynomial context mismatch")
    return ctx.from_dict({e: (c * den).p for e, c in q.terms()})


def to_zpoly(p, ctx) -> fmpz_mpoly:
    """Coerce ``p`` (int, fmpz, fmpq, fmpz_mpoly, fmpq_mpoly) into an fmpz_mpoly of ``ctx``, clearing
    denominators by a positive integer (sign preserving); polynomials of other contexts are mapped
    by variable name."""
    if isinstance(p, fmpz_mpoly):
        if p.context() is ctx:
            return p
        return move(p, ctx, {})
    if isinstance(p, fmpq_mpoly):
        qctx = fmpq_mpoly_ctx.get(ctx.names(), "lex")
        if p.context() is not qctx:
            p = move(p, qctx, {})
        return clear_denominators(p, ctx)
    if isinstance(p, bool):
        raise InputError(f"expected a polynomial, got the boolean {p!r}")
    if isinstance(p, (int, fmpz)):
        return ctx.constant(p)
    if isinstance(p, fmpq):
        return ctx.constant(p.p)  # p/q times q > 0
    raise InputError(f"expected a polynomial, got {type(p).__name__}: {p!r}")


def to_qpoly(p, qctx):
    """``p`` (number or polynomial, matched by variable name) as an fmpq_mpoly of ``qctx``."""
    if isinstance(p, fmpq_mpoly):
        return p if p.context() is qctx else move(p, qctx, {})
    if isinstance(p, fmpz_mpoly):
        return qctx.from_dict({e: fmpq(c) for e, c in p.terms()}) if p.context().names() == \
            qctx.names() else to_qpoly(move(p, fmpz_mpoly_ctx.get(qctx.names(), "lex"), {}), qctx)
    return qctx.constant(fmpq(p) if not isinstance(p, fmpq) else p)


def move(p, ctx, rename: Mapping[str, str]):
    """``p`` in context ``ctx`` (same kind), variables renamed by ``rename`` and otherwise by name."""
    names = set(ctx.names())
    mapping = {}
    for v in poly_vars(p):
        w = rename.get(v, v)
        if w not in names:
            raise InputError(f"variable {w!r} of polynomial {p} is not among the variables "
                             f"{', '.join(ctx.names()) or '(none)'}")
        mapping[v] = w
    if not mapping:  # a constant
        if p.is_zero():
            return ctx.from_dict({})
        return ctx.constant(p.leading_coefficient())
    return p.project_to_context(ctx, mapping=mapping)


def poly_str(p) -> str:
    """QEPCAD B syntax (juxtaposition, ``^``), terms ordered as QEPCAD B prints them (descending
    in the last variable, then the one before, ...): ``x^4 + p x^2 + q x + r``."""
    names = p.context().names()
    parts = []
    # QEPCAD's order: by degree in the last (main) variable first, then the next-to-last, ...
    for exps, c in sorted(p.terms(), key=lambda t: t[0][::-1], reverse=True):
        mono = " ".join(names[i] if e == 1 else f"{names[i]}^{e}" for i, e in enumerate(exps) if e)
        neg = c < 0
        a = -c if neg else c
        s = (mono if a == 1 else f"{a} {mono}") if mono else str(a)
        if parts:
            parts.append(("- " if neg else "+ ") + s)
        else:
            parts.append("-" + s if neg else s)
    return " ".join(parts) if parts else "0"
