r"""Equational-constraint projection at the top level, and the check that keeps it valid.

The setting
-----------
Quantifier elimination asks for the truth of ``(E x_n)[f = 0 /\ psi]`` (or, for a universal
innermost variable, ``(A x_n)[f /= 0 \/ psi]``) over the cells of ``R^{n-1}``.  ``f = 0`` is
an *equational constraint* (EC): off the zero set of ``f`` the matrix is false (true), so
the other polynomials ``g`` need to be sign-invariant only on the *sections* of ``f``, not
everywhere.  Let ``E`` be the irreducible factors of ``f`` (all of level ``n``: a factor of
lower level would make ``f = 0`` hold on whole cylinders, and such ``f`` are not accepted as
constraints by the callers) and ``A`` the level-``n`` projection factors, ``E ⊆ A``.  The
first projection step (w.r.t. ``x_n``) is replaced by

    ``P_E(A) = P(E) ∪ { res_{x_n}(e, g) : e ∈ E, g ∈ A \ E }``,

where ``P`` is the chosen operator: Lazard's ``PL`` (leading and trailing coefficient,
discriminant of each ``e``, resultants of pairs of ``E``) or McCallum's (coefficients from
the leading one down to the first non-zero constant, discriminants, resultants).  The lower
levels are projected with the full operator, as before.

Why it is valid (the proof obligations)
---------------------------------------
Let ``S`` be a cell of level ``n - 1`` built from the lower projection factors.

1. *Lazard base* (A. Nair, J. H. Davenport, G. Sankaran, "On benefits of equality
   constraints in lex-least invariant CAD", SC² 2019, and Davenport, Nair, Sankaran, Uncu,
   "Lazard-style CAD and equational constraints", ISSAC 2023, cited).  The lower CAD is
   Lazard-valuation invariant for ``P_E(A)`` (McCallum, Parusiński, Paunescu 2019).  If
   ``f`` is *not nullified at any point of* ``S``, then ``f`` is Lazard delineable on ``S``
   and every ``g ∈ A`` is sign-invariant in every section of ``f`` over ``S``.  Where ``f``
   is nullified over part of ``S`` (a *curtain*) the theorem says nothing: that case is
   detected and refused (below).
2. *McCallum base* (S. McCallum, "On projection in CAD-based quantifier elimination with
   equational constraints", ISSAC 1999, Theorem 2.2, cited).  Under well-orientedness of the
   lower levels (checked by the lifting as before) the lower CAD is order-invariant for
   ``P_E(A)``; if ``f`` is not nullified at any point of ``S`` it is analytically delineable
   on ``S`` (McCallum 1998) and every ``g`` is sign-invariant in each section of ``f``.
3. *Truth on the cylinder* (proved).  Over ``s ∈ S`` the matrix is false (true for the
   universal form) off the sections of ``f``, and on a section every factor of level ``n``
   has one sign (1 or 2), every lower factor one sign on ``S``; so the truth value of
   ``(E x_n)`` (``(A x_n)``) on ``S`` is the value at the sample of ``S``, which the lifting
   computes from the roots of *all* level-``n`` factors over that sample.  Stacks over a
   0-dimensional cell need nothing: there the roots of every level-``n`` factor (or the
   Lazard valuation polynomial of a nullified one) are in the stack, so every factor is
   sign-invariant on every cell of it.

What is checked (:func:`check_not_nullified`)
----------------------------------------------
Before a stack over a cell ``S`` of level ``n - 1`` and positive dimension is built, every
``e ∈ E`` must have a *guard*: a coefficient in ``x_n`` whose irreducible factors are all
projection factors of the lower levels (or a non-zero constant), non-zero at the sample.
A lower projection factor is sign-invariant on ``S``, so the guard is non-zero on all of
``S`` and ``e`` is nullified at no point of ``S``.  The guards are the coefficients that
``P(E)`` put into the projection: leading and trailing coefficient (Lazard), the leading
coefficients down to the first constant (McCallum).  When no guard holds,
:class:`ConstraintNullified` is raised and the caller redoes the decomposition without
the constraint, with the full projection (valid for every input).  The partial CAD of QE
lifts only cells whose truth value is open, so a nullification over a cell already decided
(e.g. where another conjunct is false) costs nothing.
"""

from __future__ import annotations

from cad.errors import CadError, InputError
from cad.poly.ops import coefficients_in, irreducible_factors, poly_key, poly_level

__all__ = ["ConstraintNullified", "EquationalConstraint", "equational_step",
           "check_not_nullified"]


class ConstraintNullified(CadError):
    """An equational constraint may vanish identically over part of a cell: the
    equational projection is not known to be valid there (see the module docstring)."""

    def __init__(self, poly, cell):
        self.poly = poly
        self.cell = cell
        super().__init__(
            f"equational constraint factor {poly} has no non-zero guard coefficient over cell "
            f"{cell.index} (dimension {cell.dimension}): it may be nullified there")


class EquationalConstraint:
    """The constraint ``f = 0`` with ``f`` the product of ``polys``: its irreducible factors
    ``factors`` (normalised as projection factors; all must be of level ``n``) and, for
    each, its ``guards``: coefficients in ``x_n`` that the projection keeps sign-invariant
    on every cell of level ``n - 1`` (filled by :func:`equational_step`)."""

    def __init__(self, polys):
        found = {}
        for p in polys:
            for f in irreducible_factors(p):
                found.setdefault(poly_key(f), f)
        self.factors = list(found.values())
        self.keys = frozenset(found)
        self.guards = {}              # poly_key(e) -> [coefficients]
        # for check_not_nullified: [(factor, [(guard, its level)])] once the guards are known,
        # and (id(cell), id(guard)) -> is the guard non-zero at the sample of that cell, whose
        # level is the guard's own; both reset by each Decomposition built on this constraint
        self.reset_checks()

    def reset_checks(self):
        """Forget the guard-check caches: a Decomposition rebuilt after NotWellOriented has other
        guards and other cells (the cache is keyed by cell identity)."""
        self._checks = None
        self._nonzero = {}

    def __repr__(self):
        return f"EquationalConstraint({', '.join(map(str, self.factors))})"


def equational_step(ec, A, i, out, method, add_factors, add_resultants, budget=None):
    """Add the irreducible factors of ``P_E(A)`` w.r.t. generator ``i`` to ``out`` and record
    the guards of the constraint's factors in ``ec.guards``.

    ``A``: the level-``n`` projection factors (``ec.factors`` among them); ``method``:
    ``'lazard'`` or ``'mccallum'``; ``add_factors(out, p)`` and ``add_resultants(B, name,
    out, budget)`` are the projection module's helpers (irreducible factors into ``out``,
    pairwise resultants of a list).
    """
    name = A[0].context().names()[i]
    E = [g for g in A if poly_key(g) in ec.keys]
    if len(E) != len(ec.keys):
        raise InputError("equational constraint: a factor is not among the level-n inputs")
    others = [g for g in A if poly_key(g) not in ec.keys]
    for e in E:
        cs = coefficients_in(e, i)
        if method == "lazard":
            guards = [cs[-1], next(c for c in cs if not c.is_zero())]
        else:
            guards = []
            for c in reversed(cs):
                if c.is_zero():
                    continue
                guards.append(c)
                if c.is_constant():
                    break
        for c in guards:
            add_factors(out, c)
        ec.guards[poly_key(e)] = guards
        if len(cs) > 2:
            add_factors(out, e.discriminant(name))
        if budget is not None:
            budget.check()
    add_resultants(E, name, out, budget)
    for e in E:
        for g in others:
            add_factors(out, e.resultant(g, name))
            if budget is not None:
                budget.check()


def check_not_nullified(ec, cell, sign_at):
    """Raise :class:`ConstraintNullified` unless every factor of ``ec`` has a guard that is
    non-zero at ``cell``'s sample (``cell``: level ``n - 1``, positive dimension).

    A guard of level ``L`` depends on the first ``L`` coordinates only, and those are the
    sample of ``cell``'s ancestor of level ``L`` (samples extend their parents' samples):
    its sign is computed once per such ancestor and kept in ``ec``."""
    if ec._checks is None:
        ec._checks = [(e, [(c, poly_level(c)) for c in ec.guards[poly_key(e)]])
                      for e in ec.factors]
    for e, guards in ec._checks:
        if not any(_nonzero_at(ec, c, level, cell, sign_at) for c, level in guards):
            raise ConstraintNullified(e, cell)


def _nonzero_at(ec, c, level, cell, sign_at):
    """Is the guard ``c`` of level ``level`` non-zero at ``cell``'s sample?  (Cached per
    ancestor, see above.)"""
    if level == 0:
        return not c.is_zero()
    while len(cell.index) > level:
        cell = cell.parent
    key = (id(cell), id(c))
    found = ec._nonzero.get(key)
    if found is None:
        found = ec._nonzero[key] = sign_at(c, cell.sample) != 0
    return found


def constraint_factors(polys, n):
    """The level-``n`` irreducible factors of the product of ``polys``, or None when some
    factor has a lower level (then ``f = 0`` holds on whole cylinders)."""
    found = {}
    for p in polys:
        for f in irreducible_factors(p):
            if f.degrees()[n - 1] == 0:
                return None
            found.setdefault(poly_key(f), f)
    return list(found.values())
