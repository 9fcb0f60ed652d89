"""Questions about a formula that walk its tree: atoms, polynomials, variables, quantifiers."""

from __future__ import annotations

from cad.logic.ast import Atom, Formula, Quantifier, RootAtom
from cad.logic.polys import poly_vars

__all__ = ["atoms", "polynomials", "has_node", "is_quantifier_free", "free_variables", "bound_variables",
           "formula_context"]


def atoms(f: Formula) -> list:
    """The atoms of ``f`` in order of first occurrence, without duplicates."""
    out, seen = [], set()
    stack = [f]
    while stack:
        g = stack.pop()
        if isinstance(g, Atom):
            if g not in seen:
                seen.add(g)
                out.append(g)
        else:
            stack.extend(reversed(g.children()))
    return out


def polynomials(f: Formula) -> list:
    """The distinct polynomials of the atoms of ``f`` (also under quantifiers), first occurrence
    first."""
    out, seen = [], set()
    for a in atoms(f):
        key = (id(a.poly.context()), str(a.poly))
        if key not in seen:
            seen.add(key)
            out.append(a.poly)
    return out


def has_node(f: Formula, kind) -> bool:
    """Some node of ``f`` (``f`` included) is an instance of ``kind``."""
    stack = [f]
    while stack:
        g = stack.pop()
        if isinstance(g, kind):
            return True
        stack.extend(g.children())
    return False


def is_quantifier_free(f: Formula) -> bool:
    return not has_node(f, Quantifier)


def free_variables(f: Formula, ring=None) -> set:
    """Names of the variables occurring free in ``f``.  (``ring`` is accepted for the contract's
    signature; the names come from the polynomials' contexts.)"""
    if isinstance(f, (Atom, RootAtom)):
        return set(poly_vars(f.poly))
    if isinstance(f, Quantifier):
        return free_variables(f.body) - set(f.variables)
    out = set()
    for g in f.children():
        out |= free_variables(g)
    return out


def bound_variables(f: Formula) -> set:
    """Names bound by some quantifier of ``f``."""
    out = set()
    stack = [f]
    while stack:
        g = stack.pop()
        if isinstance(g, Quantifier):
            out.update(g.variables)
        stack.extend(g.children())
    return out


def formula_context(f: Formula):
    """The flint context of ``f``'s first atom (``None`` when ``f`` has no atoms)."""
    for a in atoms(f):
        return a.poly.context()
    return None
