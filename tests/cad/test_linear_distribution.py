"""Linear equations inside disjunctions (cad.elimination.linear_cases, "Equations inside a
disjunction") and the repeated preprocessing pass (cad.elimination.preprocess.preprocess):
the exact result on davenport_heintz, agreement with the rule switched off at random rational
points, and QEPCAD B on the shared problem (answers compared by our ``equivalent``)."""

import os
import sys
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cad import logic
from cad.elimination import driver, equivalent, preprocess, qe
from cad.elimination.linear_cases import split_linear_equations
from cad.io import parse_qepcad, parse_qepcad_output_formula
from cad.poly import PolyRing
from tests.cad.test_qe import agrees_with_step_off

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DAVENPORT_HEINTZ = os.path.join(ROOT, "benchmarks", "qe", "davenport_heintz.qepcad")


SMALL = st.integers(-2, 2)
RELS = st.sampled_from(["<", "<=", ">", ">=", "/=", "="])


def _ring(names):
    """The ring of ``names`` and its generators."""
    ring = PolyRing(names)
    return ring, [ring.gen(n) for n in names]


def _two_kinds(draw):
    """Two different quantifiers, ``(outer, inner)``."""
    first = draw(st.sampled_from(["E", "A"]))
    return first, "A" if first == "E" else "E"


def _substitute(node, v, num, den):
    return preprocess.map_atoms(node, lambda a: preprocess._substitute(a, v, num, den))


def test_distribution_over_the_disjunction_of_davenport_heintz():
    """(E b)(E a)[[[a = d /\\ b = c] \\/ [a = c /\\ b = 1]] /\\ a^2 /= b]: two branches, each
    substituting a and b, give d^2 - c /= 0 \\/ c^2 - 1 /= 0 (computed by hand)."""
    ring = PolyRing(("d", "c", "b", "a"))
    d, c, b, a = (ring.gen(n) for n in ("d", "c", "b", "a"))
    matrix = logic.And((
        logic.Or((logic.And((logic.Atom(a - d, "="), logic.Atom(b - c, "="))),
                  logic.And((logic.Atom(a - c, "="), logic.Atom(b - 1, "="))))),
        logic.Atom(a * a - b, "/=")))
    out = split_linear_equations(matrix, range(2, 4), _substitute, preprocess.fold_constants,
                                 parametric=False)
    assert isinstance(out, logic.Or)

    def atoms(k):
        return sorted((str(a.poly), a.rel) for a in (k.children() if isinstance(k, logic.And)
                                                      else (k,)))

    # an inequation is split into its irreducible factors: c^2 - 1 /= 0 is c - 1 /= 0 /\ c + 1 /= 0
    got = sorted(atoms(k) for k in out.children())
    want = sorted([[(str(d * d - c), "/=")], sorted([(str(c - 1), "/="), (str(c + 1), "/=")])])
    assert got == want


def test_no_distribution_when_a_disjunct_has_no_equation():
    """A disjunct without a usable equation would only grow the formula: left alone."""
    ring = PolyRing(("d", "b", "a"))
    d, b, a = (ring.gen(n) for n in ("d", "b", "a"))
    matrix = logic.And((logic.Or((logic.Atom(a - d, "="), logic.Atom(a * b - 1, "="))),
                        logic.Atom(a * a - b, "/=")))
    assert split_linear_equations(matrix, range(1, 3), _substitute, preprocess.fold_constants,
                                  parametric=False) is matrix


def test_davenport_heintz_loses_every_bound_variable():
    """The universal block goes by distribution (through the negation), then the next pass
    removes c by its linear equation: only d is left, with no quantifier."""
    with open(DAVENPORT_HEINTZ, encoding="utf-8") as fh:
        problem = parse_qepcad(fh.read())
    task = driver._prenex_in_cad_order(problem)
    matrix, order, quants = preprocess.preprocess(task.cad_matrix, task.order, task.quants,
                                                  task.nfree)
    assert order == ("d",) and quants == []
    ring = problem.ring
    want = parse_qepcad_output_formula("d = 1 \\/ d = -1", ring)
    assert equivalent(ring, qe(problem).formula, want, ("d",))


@st.composite
def disjunctive_linear_problem(draw):
    """(E u)(E v) or (A u)(A v) over x: a disjunction of conjunctions each holding an
    equation linear in u or v with an integer coefficient, and a further atom; the universal
    problems take the dual shape (inequations in a conjunction of disjunctions)."""
    ring, (x, u, v) = _ring(("x", "u", "v"))
    small, rels = SMALL, RELS
    terms = [x, x * x, ring.ctx.constant(1)]

    def linear():
        w = draw(st.sampled_from([u, v]))
        coeff = draw(st.sampled_from([1, -1, 2, -3]))
        return (coeff * w + draw(small) * draw(st.sampled_from(terms))
                + draw(small) * (v if w is u else u))

    def other():
        return logic.Atom(draw(st.sampled_from([u * v, u * u - v, u + v * x, v * x - 1, u - x]))
                          + draw(small) * draw(st.sampled_from(terms)), draw(rels))

    universal = draw(st.booleans())
    disjuncts = []
    for _ in range(draw(st.integers(2, 3))):
        eq = logic.Atom(linear(), "/=" if universal else "=")
        extra = other()
        disjuncts.append(logic.Or((eq, extra)) if universal else logic.And((eq, extra)))
    split = logic.And(tuple(disjuncts)) if universal else logic.Or(tuple(disjuncts))
    rest = other()
    body = logic.Or((split, rest)) if universal else logic.And((split, rest))
    q = logic.Forall if universal else logic.Exists
    return logic.Problem(ring=ring, free=("x",), formula=q(("u",), q(("v",), body)))


def test_repeated_pass_agrees_with_a_single_pass():
    """The repeat of the preprocessing on the next block keeps the answer: compared with
    one pass only (the repeat switched off) on davenport_heintz, by `equivalent`."""
    with open(DAVENPORT_HEINTZ, encoding="utf-8") as fh:
        problem = parse_qepcad(fh.read())
    got = qe(problem).formula
    with mock.patch.object(preprocess, "_count_blocks", lambda quants: 0):
        single = qe(problem).formula
    ring = problem.ring
    assert equivalent(ring, got, single, ("d",))


def _run_qepcad():
    """``benchmarks/qepcad_runner.run_qepcad`` (``benchmarks/`` last on the path: its cad.py
    must not shadow the cad package, here or in processes spawned later)."""
    bench = os.path.join(ROOT, "benchmarks")
    if bench not in sys.path:
        sys.path.append(bench)
    from qepcad_runner import run_qepcad
    return run_qepcad


def test_davenport_heintz_agrees_with_qepcad(qepcad):
    run_qepcad = _run_qepcad()
    with open(DAVENPORT_HEINTZ, encoding="utf-8") as fh:
        text = fh.read()
    problem = parse_qepcad(text)
    run = run_qepcad(text, qepcad, timeout=60)
    assert run.status == "answer", run.status
    theirs = parse_qepcad_output_formula(run.answer, problem.ring)
    assert equivalent(problem.ring, qe(problem, timeout=60).formula, theirs, problem.free)


# ---------------------------------------------------------------------------
# variables of an outer block confined to parts without inner variables
# ---------------------------------------------------------------------------

@st.composite
def confined_block_problem(draw):
    """(Q w)(Q s)(Q' y)[A(x, w, y) op C(x, w, s)] with ``op`` the connective that ``Q``
    distributes over: s occurs only beside x and w, in linear equations (existential) or
    inequations (universal) with integer or polynomial coefficients."""
    ring, (x, w, s, y) = _ring(("x", "w", "s", "y"))
    small, rels = SMALL, RELS
    kind, inner = _two_kinds(draw)
    eq = "=" if kind == "E" else "/="
    junction, dual = (logic.Or, logic.And) if kind == "E" else (logic.And, logic.Or)
    coeff = draw(st.sampled_from([ring.ctx.constant(1), ring.ctx.constant(-2), x, w, x - 1]))
    confined = [logic.Atom(coeff * s + draw(small) * x + draw(small) * w + draw(small), eq),
                logic.Atom(draw(st.sampled_from([s * s - x, s * w - 1, s + x * w, s - w]))
                           + draw(small), draw(rels))]
    part_c = dual(tuple(confined))
    part_a = logic.Atom(draw(st.sampled_from([y * y - x * w, x * y + w, y - w * w, w * y - x]))
                        + draw(small), draw(rels))
    quant = {"E": logic.Exists, "A": logic.Forall}
    body = quant[inner](("y",), junction((part_a, part_c)))
    body = quant[kind](("w",), quant[kind](("s",), body))
    return logic.Problem(ring=ring, free=("x",), formula=body)


def test_xxy_closed_loses_s_and_t():
    """(E s)(E t) of xxy_closed occur only in u - s = 0 /\\ v - s t = 0, beside no variable
    of (A x)(A y): both go, and the answer stays FALSE (answers.md)."""
    path = os.path.join(ROOT, "benchmarks", "qe", "xxy_closed.qepcad")
    with open(path, encoding="utf-8") as fh:
        problem = parse_qepcad(fh.read())
    task = driver._prenex_in_cad_order(problem)
    _matrix, order, quants = preprocess.preprocess(task.cad_matrix, task.order, task.quants,
                                                   task.nfree)
    assert "s" not in order and "t" not in order
    assert qe(problem).formula == logic.FALSE


def test_xxy_closed_agrees_with_qepcad(qepcad):
    run_qepcad = _run_qepcad()
    path = os.path.join(ROOT, "benchmarks", "qe", "xxy_closed.qepcad")
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    run = run_qepcad(text, qepcad, timeout=60)
    assert run.status == "answer", run.status
    assert run.answer.strip() == "FALSE"
    assert qe(parse_qepcad(text), timeout=60).formula == logic.FALSE


# ---------------------------------------------------------------------------
# both rules against the rule switched off, at random rational points
# ---------------------------------------------------------------------------

@st.composite
def two_block_problem(draw):
    """(Q w)(Q' u)(Q' v)[...]: an inner block with equations that the split removes, then an
    outer variable w with a linear equation of its own, for the repeated pass."""
    ring, (x, w, u, v) = _ring(("x", "w", "u", "v"))
    small, rels = SMALL, RELS
    outer, inner = _two_kinds(draw)
    eq_in = "=" if inner == "E" else "/="
    eq_out = "=" if outer == "E" else "/="
    inner_junction, inner_dual = (logic.And, logic.Or) if inner == "E" else (logic.Or, logic.And)
    outer_junction = logic.And if outer == "E" else logic.Or
    disjuncts = tuple(
        inner_junction((logic.Atom(draw(st.sampled_from([1, -2])) * draw(st.sampled_from([u, v]))
                                   + draw(small) * w + draw(small) * x + draw(small), eq_in),
                        logic.Atom(draw(st.sampled_from([u * v, u - w, v * x + w, u * u - x]))
                                   + draw(small), draw(rels))))
        for _ in range(2))
    body_inner = inner_junction((inner_dual(disjuncts),
                                 logic.Atom(draw(st.sampled_from([u + v - w, u * w - 1, v - x]))
                                            + draw(small), draw(rels))))
    quant = {"E": logic.Exists, "A": logic.Forall}
    inner_part = quant[inner](("u",), quant[inner](("v",), body_inner))
    outer_atom = logic.Atom(draw(st.sampled_from([1, -1, 3])) * w + draw(small) * x * x
                            + draw(small), eq_out)
    body = quant[outer](("w",), outer_junction((outer_atom, inner_part)))
    return logic.Problem(ring=ring, free=("x",), formula=body)


def _rule_off(matrix, *rest):
    return matrix


@pytest.mark.parametrize("step, off, problems", [
    ("split_parametric_linear_equations", _rule_off, disjunctive_linear_problem()),
    ("eliminate_confined_variables", _rule_off, confined_block_problem()),
    ("_count_blocks", lambda quants: 0, two_block_problem()),     # one pass only
])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), rnd=st.randoms(use_true_random=False))
def test_rule_agrees_with_the_rule_off_at_points(step, off, problems, data, rnd):
    agrees_with_step_off(data.draw(problems), rnd, preprocess, step, off,
                         npoints=4, num=3, dens=(1, 2))
