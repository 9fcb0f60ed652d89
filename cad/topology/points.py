"""Exact points of a quantifier-free set from the cells of a CAD, and max-norm distances.

A point is a dict ``{variable: fmpq | RealAlgebraic}``; every point returned for the set has
been checked by exact evaluation of its formula (truth of the cell's sample).
"""

from flint import fmpq

from cad import logic
from cad.errors import BudgetExceeded
from cad.numbers.rational import height, is_rational, lower_gap, simplify
from cad.decomposition import cad
from cad.topology.syntax import cad_polynomials, used_variables

GAP_CAD_CELLS = 20000    # cell budget of the relaxation lemma's CAD


def cell_point(cell, names):
    """The sample of ``cell`` as a point (rational coordinates as ``fmpq``)."""
    return {v: simplify(x) for v, x in zip(names, cell.sample)}


def true_cells(f, ring, names, budget, max_cells=None, extra=()):
    """Full CAD of ``f``'s polynomials (plus ``extra``) over ``names``: a list of
    ``(cell, sample point, truth of f there)`` for the cells of full level."""
    polys = cad_polynomials(f) + list(extra)
    D = cad(polys, names, budget=budget, max_cells=max_cells)
    out = []
    for c in D.leaves():
        if c.level != len(names):
            continue
        pt = cell_point(c, names)
        out.append((c, pt, logic.evaluate(f, ring, pt)))
    return out


def capped_true_cells(f, ring, names, budget, max_cells):
    """:func:`true_cells`, or None when the CAD needs more than ``max_cells`` cells."""
    try:
        return true_cells(f, ring, names, budget, max_cells=max_cells)
    except BudgetExceeded as exc:
        if exc.what == "cells":
            return None
        raise


def best_point(f, ring, budget, extra=()):
    """A point of the quantifier-free set ``f`` (None when empty): sample of a true cell of the
    largest dimension, rational sample preferred.  Unused coordinates are 0."""
    names = used_variables(f, ring)
    if isinstance(f, logic.Truth):
        return {v: fmpq(0) for v in ring.variables} if f.value else None
    if not names:
        return None
    best, key = None, None
    for c, pt, val in true_cells(f, ring, names, budget, extra=extra):
        if not val:
            continue
        nrat = sum(1 for x in pt.values() if is_rational(x))
        k = (c.dimension, nrat, -sum(height(x) for x in pt.values()))
        if key is None or k > key:
            best, key = pt, k
    if best is None:
        return None
    return {v: best.get(v, fmpq(0)) for v in ring.variables}


def gap_cells(S, R, ring, names, budget):
    """Sample points of the cells of a CAD of ``S``'s polynomials where ``R`` holds and ``S`` does
    not (None when the CAD exceeds its cell budget)."""
    if not names:
        return []
    cells = capped_true_cells(S, ring, names, budget, GAP_CAD_CELLS)
    if cells is None:
        return None
    return [pt for _c, pt, v in cells if not v and logic.evaluate(R, ring, pt)]


def box_point(S, ring, names, center, radius, budget):
    """A point of S in the open max-norm box around the rational ``center``."""
    box_atoms = []
    for v in names:
        x = ring.gen(v)
        c, r = center[v], radius
        for bound, rel in ((c - r, ">"), (c + r, "<")):
            # x - bound with denominators cleared (a positive factor keeps the relation)
            box_atoms.append(logic.Atom(x * int(bound.q) - int(bound.p), rel))
    return best_point(logic.conj(S, *box_atoms), ring, budget)


def dist_lower(p, w):
    """Rational lower bound (> 0 when p != w) of the max-norm distance of the points."""
    return max((lower_gap(p[v], w[v]) for v in w), default=fmpq(0))


def dist_float(p, w):
    """The max-norm distance of the points, in floating point (for display)."""
    return max((abs(float(p[v]) - float(w[v])) for v in w), default=0.0)
