"""Closure, interior, boundary and frontier of a set by the epsilon sentence and QE.

With max-norm boxes,
``y in cl(S)  <=>  (A e)[e > 0 ==> (E y')(S(y') /\\ /\\_i -e < y'_i - y_i < e)]``;
the reductions applied before the QE (bounded DNF, density of ``{p /= 0}``, closure of a
product, the relaxation lemma) and their proofs are in :mod:`cad.topology.closedness`, step 7.
"""

import time

from cad import logic
from cad.io import to_str
from cad.errors import BudgetExceeded, InputError
from cad.poly import PolyRing
from cad.elimination import qe
from cad.topology.engine import budget_for
from cad.topology.plane import plane_closure
from cad.topology.points import gap_cells
from cad.topology.result import new_stats
from cad.topology.syntax import (
    as_problem,
    closed_by_syntax,
    components,
    conjuncts,
    disjuncts,
    fresh_name,
    quantifier_free,
    relaxation,
    used_variables,
)


def epsilon_sentence(f, ring, variables=None, encoding="shift", with_complement=True):
    """The problem ``~f(y) /\\ y in cl(f)`` (``with_complement``) or ``y in cl(f)`` with max-norm
    boxes, free variables ``variables`` (default: those of ``f``), as a :class:`Problem`:

    * ``encoding='shift'``: ``(A e)(E d)[e <= 0 \\/ (f(y + d) /\\ /\\_i (d_i - e < 0 /\\
      d_i + e > 0))]``
    * ``encoding='primed'``: ``(A e)(E z)[e <= 0 \\/ (f(z) /\\ /\\_i (z_i - y_i - e < 0 /\\
      z_i - y_i + e > 0))]``.
    """
    if variables is None:
        fv = logic.free_variables(f)
        variables = tuple(v for v in ring.variables if v in fv)
    variables = tuple(variables)
    taken = set(ring.variables) | set(variables)
    e = fresh_name("e", taken)
    zs = [fresh_name("d" if encoding == "shift" else v + "p", taken) for v in variables]
    big = PolyRing(variables + (e,) + tuple(zs))
    fy = logic.to_ring(f, big)
    E = big.gen(e)
    box = []
    if encoding == "shift":
        sub = {v: big.gen(v) + big.gen(z) for v, z in zip(variables, zs)}
        fz = logic.substitute(fy, sub, big)
        for z in zs:
            box += [logic.Atom(big.gen(z) - E, "<"), logic.Atom(big.gen(z) + E, ">")]
    elif encoding == "primed":
        sub = {v: big.gen(z) for v, z in zip(variables, zs)}
        fz = logic.substitute(fy, sub, big)
        for v, z in zip(variables, zs):
            diff = big.gen(z) - big.gen(v)
            box += [logic.Atom(diff - E, "<"), logic.Atom(diff + E, ">")]
    else:
        raise InputError(f"encoding: unknown box encoding {encoding!r} (use 'shift' or 'primed')")
    inner = logic.disj(logic.Atom(E, "<="), logic.exists(tuple(zs), logic.conj(fz, *box)))
    body = logic.Forall((e,), inner)
    if with_complement:
        # cl(f) <= R(f) (relaxation lemma): R(f) /\ ~f lets partial CAD drop free cells early
        body = logic.conj(logic.to_ring(relaxation(f), big), logic.nnf(logic.Not(fy)), body)
    return logic.Problem(big, variables, body)


def _qe_formula(problem, budget, ring):
    return logic.to_ring(logic.nnf(qe(problem, budget=budget).formula), ring)


def _frontier_disjunct(D, ring, budget, encoding, stats):
    """Quantifier-free formula of ``cl(D) \\ D`` (a subset of ``cl(D)``; only its part outside
    ``D`` matters).  ``D`` is a disjunct in NNF."""
    if closed_by_syntax(D):
        return logic.FALSE
    if isinstance(D, logic.Atom) and D.rel == "/=":
        # cl({p /= 0}) = R^n (density lemma): frontier = {p = 0}
        stats["lemmas"].add("density of {p /= 0}")
        return logic.Atom(D.poly, "=")
    comps = components(conjuncts(D))
    if len(comps) > 1:
        stats["lemmas"].add("closure of a product")
        cls = [logic.disj(c, _frontier_disjunct(c, ring, budget, encoding, stats)) for c in comps]
        return logic.conj(logic.nnf(logic.Not(D)), *cls)
    t0 = time.monotonic()
    prob = epsilon_sentence(D, ring, encoding=encoding)
    out = _qe_formula(prob, budget, ring)
    stats["epsilon_qe"].append((to_str(D, ring), round(time.monotonic() - t0, 4)))
    return out


def frontier_formula(S, ring, budget, encoding, stats):
    """Quantifier-free formula of ``cl(S) \\ S`` for the quantifier-free NNF ``S``."""
    if closed_by_syntax(S):
        return logic.FALSE
    parts = []
    for D in disjuncts(S):
        fr = _frontier_disjunct(D, ring, budget, encoding, stats)
        if fr != logic.FALSE:
            parts.append(fr)
    if not parts:
        return logic.FALSE
    return logic.conj(logic.nnf(logic.Not(S)), logic.disj(*parts))


def _simplify(f, ring, budget):
    """Shorter equivalent by QE of the quantifier-free formula (kept as is on failure)."""
    if isinstance(f, logic.Truth):
        return f
    try:
        res = qe(logic.Problem(ring, ring.variables, f), budget=budget)
        return logic.to_ring(res.formula, ring)
    except BudgetExceeded:
        raise
    except Exception:
        return f


def _complement(S):
    return logic.nnf(logic.Not(S)) if not isinstance(S, logic.Truth) else logic.negate(S)


def frontier(problem, variables=None, timeout=None, encoding="shift", *, budget=None):
    """Quantifier-free formula of ``cl(S) \\ S`` (:mod:`cad.topology.closedness`, step 7)."""
    budget = budget_for(timeout, budget)
    problem = as_problem(problem, variables)
    ring, S, _ = quantifier_free(problem, budget)
    return frontier_formula(S, ring, budget, encoding, new_stats())


def closure(problem, variables=None, timeout=None, encoding="shift", *, budget=None):
    """Quantifier-free formula of the closure of the set (``S \\/ cl(S) \\ S``), in the ring of the
    free variables.  Proofs: :mod:`cad.topology.closedness`, steps 1-7."""
    budget = budget_for(timeout, budget)
    problem = as_problem(problem, variables)
    ring, S, _ = quantifier_free(problem, budget)
    if closed_by_syntax(S):
        return S
    R = relaxation(S)
    gap = gap_cells(S, R, ring, used_variables(S, ring), budget)
    if gap is not None and not gap:
        return S
    if len(used_variables(S, ring)) <= 2:
        c = plane_closure(S, ring, budget)
        if c is not None:
            return _simplify(c, ring, budget)
    fr = frontier_formula(S, ring, budget, encoding, new_stats())
    return _simplify(logic.disj(S, fr), ring, budget)


def interior(problem, variables=None, timeout=None, encoding="shift", *, budget=None):
    """Quantifier-free formula of the interior: ``int(S) = ~cl(~S)``."""
    budget = budget_for(timeout, budget)
    problem = as_problem(problem, variables)
    ring, S, _ = quantifier_free(problem, budget)
    c = closure(logic.Problem(ring, ring.variables, _complement(S)), encoding=encoding, budget=budget)
    return logic.nnf(logic.negate(c) if isinstance(c, (logic.Atom, logic.Truth)) else logic.Not(c))


def boundary(problem, variables=None, timeout=None, encoding="shift", *, budget=None):
    """Quantifier-free formula of the boundary: ``cl(S) /\\ cl(~S)``."""
    budget = budget_for(timeout, budget)
    problem = as_problem(problem, variables)
    ring, S, _ = quantifier_free(problem, budget)
    a = closure(logic.Problem(ring, ring.variables, S), encoding=encoding, budget=budget)
    b = closure(logic.Problem(ring, ring.variables, _complement(S)), encoding=encoding, budget=budget)
    return _simplify(logic.conj(a, b), ring, budget)
