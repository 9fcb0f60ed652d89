"""Transforms that rebuild a formula: negation normal form, mapping atoms, moving into another
ring, renaming bound variables apart.

Normal forms are standard (e.g. Enderton, "A Mathematical Introduction to Logic", 2nd ed.,
sec. 2.6); the prenex form is in :mod:`cad.logic.prenex`.

Variable renaming and how a ring grows
--------------------------------------
Polynomials live in a fixed flint context, so renaming a bound variable ``x`` that clashes with
another use of ``x`` needs a context with a *new* variable.  Fresh names are ``x1``, ``x2``, ...
(the first not already used; letters and digits only, so QEPCAD B accepts them) and are appended
to the end of the variable list (:func:`standardize_apart`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flint import fmpz_mpoly_ctx

from cad.errors import InputError
from cad.logic.ast import Atom, Formula, Quantifier, RootAtom
from cad.logic.build import atom
from cad.logic.polys import move, poly_vars
from cad.logic.queries import formula_context, free_variables

__all__ = ["nnf", "map_atoms", "to_ring", "standardize_apart", "rename_variables"]


def nnf(f: Formula) -> Formula:
    """Negation normal form: only And, Or, atoms, constants and quantifiers; ``==>`` and ``<==>``
    eliminated, negations absorbed into the atoms by flipping relations (``~ p < 0`` is
    ``p >= 0``) and moved through quantifiers (``~(E x)B == (A x)~B``).  Each node class says
    how in :meth:`Formula.to_nnf`."""
    if not isinstance(f, Formula):
        raise InputError(f"not a formula: {f!r}")
    return f.to_nnf(True)


def map_atoms(f: Formula, fn) -> Formula:
    """Rebuild ``f`` (through the smart constructors) with every atom replaced by ``fn(atom)``."""
    if isinstance(f, Atom):
        return fn(f)
    if not isinstance(f, Formula):
        raise InputError(f"not a formula: {f!r}")
    return f.simplify([map_atoms(c, fn) for c in f.children()])


def to_ring(f: Formula, ring) -> Formula:
    """``f`` with every polynomial moved into ``ring`` (variables matched by name; root atoms
    too)."""
    ctx = ring.ctx
    f = _move_root_atoms(f, ctx, {})
    return map_atoms(f, lambda a: a if a.poly.context() is ctx else atom(move(a.poly, ctx, {}),
                                                                         a.rel))


def _moved_root_atom(a, ctx, rename):
    return RootAtom(rename.get(a.var, a.var), a.rel, a.index, move(a.poly, ctx, rename))


def _move_root_atoms(f, ctx, rename):
    """``f`` with its :class:`RootAtom` nodes moved into ``ctx`` (renamed by ``rename``)."""
    if isinstance(f, RootAtom):
        return f if f.poly.context() is ctx and not rename else _moved_root_atom(f, ctx, rename)
    kids = f.children()
    if not kids:
        return f
    new = [_move_root_atoms(c, ctx, rename) for c in kids]
    return f if all(a is b for a, b in zip(new, kids)) else f.rebuild(new)


def rename_variables(f: Formula, ctx, rename) -> Formula:
    """``f`` with its polynomials moved into ``ctx`` and every variable (free or bound) renamed
    by ``rename`` (names not in it are kept); the tree is rebuilt as is, without simplifying."""
    def walk(g):
        if isinstance(g, Atom):
            return Atom(move(g.poly, ctx, rename), g.rel)
        if isinstance(g, RootAtom):
            return _moved_root_atom(g, ctx, rename)
        if isinstance(g, Quantifier):
            return type(g)(tuple(rename.get(v, v) for v in g.variables), walk(g.body))
        return g.rebuild([walk(c) for c in g.children()])

    return walk(f)


def _fresh_name(base: str, taken: set) -> str:
    stem = base.rstrip("0123456789") or base
    if not re.match(r"[A-Za-z]", stem):
        stem = "v" + stem
    stem = re.sub(r"[^A-Za-z0-9]", "", stem) or "v"
    k = 1
    while f"{stem}{k}" in taken:
        k += 1
    return f"{stem}{k}"


def standardize_apart(f: Formula, ctx=None, reserved: Iterable[str] = ()):
    """Rename bound variables so that every quantified variable is bound once and differs from
    every free variable and from ``reserved``.  Returns ``(formula, ctx, origin)``: the context
    is ``ctx`` extended by the fresh names (appended at the end) and ``origin`` maps each fresh
    name to the variable it renames.  ``ctx`` defaults to the context of ``f``'s polynomials."""
    if ctx is None:
        ctx = formula_context(f)
        if ctx is None:  # no atoms: nothing can clash
            return f, ctx, {}
    names = list(ctx.names())
    taken = set(names) | free_variables(f) | set(reserved)
    used = set(free_variables(f)) | set(reserved)
    fresh: list = []
    origin: dict = {}

    def plan(g, env):
        """Pass 1: decide the new name of every binder (pre-order, deterministic)."""
        if isinstance(g, Quantifier):
            env = dict(env)
            for v in g.variables:
                if v in used:
                    nv = _fresh_name(v, taken)
                    taken.add(nv)
                    fresh.append(nv)
                    origin[nv] = origin.get(v, v)
                else:
                    nv = v
                used.add(nv)
                env[v] = nv
            plan(g.body, env)
        else:
            for c in g.children():
                plan(c, env)

    plan(f, {})
    if not fresh:
        return f, ctx, {}
    new_ctx = fmpz_mpoly_ctx.get(tuple(names) + tuple(fresh), "lex")
    used = set(free_variables(f)) | set(reserved)
    counter = iter(fresh)

    def rebuild(g, env):
        """Pass 2: the same walk, taking the fresh names in the order pass 1 made them."""
        if isinstance(g, Atom):
            ren = {v: env[v] for v in poly_vars(g.poly) if v in env}
            return Atom(move(g.poly, new_ctx, ren), g.rel)
        if isinstance(g, RootAtom):
            ren = {v: env[v] for v in poly_vars(g.poly) if v in env}
            return _moved_root_atom(g, new_ctx, ren)
        if isinstance(g, Quantifier):
            env = dict(env)
            vs = []
            for v in g.variables:
                if v in used:
                    nv = next(counter)
                else:
                    nv = v
                used.add(nv)
                env[v] = nv
                vs.append(nv)
            return type(g)(tuple(vs), rebuild(g.body, env))
        return g.rebuild([rebuild(c, env) for c in g.children()])

    return rebuild(f, {}), new_ctx, origin
