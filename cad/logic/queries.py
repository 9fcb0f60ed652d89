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
    return set(_free(f))


def _free(f) -> frozenset:
    """:func:`free_variables` as a frozenset, cached on each node: nodes are immutable (their
    hash is cached the same way), so the set computed once stays right, and building
    ``(E x)(A y)... B`` one quantifier at a time walks ``B`` once instead of once per quantifier."""
    cache = getattr(f, "__dict__", None)
    if cache is not None:
        out = cache.get("_free")
        if out is not None:
            return out
    if isinstance(f, (Atom, RootAtom)):
        out = frozenset(poly_vars(f.poly))
    elif isinstance(f, Quantifier):
        out = _free(f.body) - frozenset(f.variables)
    else:
        out = frozenset().union(*[_free(g) for g in f.children()])
    if cache is not None:
        object.__setattr__(f, "_free", out)
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
