"""Sections of the last free level next to a true sector are true without being lifted when the
problem defines a closed set (cad.elimination.pcad: defines_closed_set, _truths_closed): the
same answers as lifting them, fewer cells."""

import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cad import BudgetExceeded, parse_qepcad, qe
from cad.decomposition import clear_projection_cache
from cad.elimination import pcad
from cad.logic import And, Atom, Exists, Forall, Or, Problem

from bounded import within_hard_limit
from strategies import R

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _matrix(text):
    return parse_qepcad(f"[t]\n(a,b,x)\n2\n(A x)[{text}].\nfinish\n").formula.body


def test_closed_sets_are_recognised():
    closed = pcad.defines_closed_set
    assert closed(_matrix("x^2 + a >= 0"), 2, ["A"])
    assert closed(_matrix("x^2 + a >= 0 /\\ [b x = 0 \\/ a <= x]"), 2, ["A"])
    assert not closed(_matrix("x^2 + a > 0"), 2, ["A"])              # strict
    assert not closed(_matrix("x^2 + a /= 0 \\/ b >= 0"), 2, ["A"])  # /=
    assert not closed(_matrix("x^2 + a >= 0"), 2, ["E"])             # a projection
    assert not closed(_matrix("x^2 + a >= 0"), 2, [])                # nothing bound
    assert not closed(_matrix("x^2 + a >= 0"), 0, ["A"])             # a sentence


def _answer(problem, closed_sets):
    saved = pcad.defines_closed_set
    if not closed_sets:
        pcad.defines_closed_set = lambda *args: False
    try:
        clear_projection_cache()
        return qe(problem, hard_limit=False, timeout=5)
    finally:
        pcad.defines_closed_set = saved


def test_quartic_same_answer_fewer_cells():
    with open(os.path.join(ROOT, "benchmarks", "qe", "quartic.qepcad"), encoding="utf-8") as fh:
        problem = parse_qepcad(fh.read())
    lifted, inferred = _answer(problem, False), _answer(problem, True)
    assert inferred.formula == lifted.formula
    assert inferred.cells < lifted.cells


# polynomials in a, b, x (degree <= 2 in each): two free variables, one bound
small_polys = st.builds(lambda terms: R.ctx.from_dict(terms), st.dictionaries(
    st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2), st.just(0)),
    st.integers(-4, 4).filter(bool), min_size=1, max_size=3))
closed_atoms = st.builds(Atom, small_polys, st.sampled_from(["=", "<=", ">="]))
closed_matrices = st.recursive(
    closed_atoms,
    lambda kids: st.one_of(st.builds(lambda xs: And(tuple(xs)), st.lists(kids, min_size=2, max_size=3)),
                           st.builds(lambda xs: Or(tuple(xs)), st.lists(kids, min_size=2, max_size=3))),
    max_leaves=3)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(closed_matrices)
def test_universal_closed_problems_answer_as_when_every_section_is_lifted(matrix):
    problem = Problem(R, ("a", "b"), Forall(("x", "y"), matrix))

    def both():     # in a child killed at the deadline: one flint call can outlast timeout=5
        lifted, inferred = _answer(problem, False), _answer(problem, True)
        return str(lifted.formula), lifted.cells, str(inferred.formula), inferred.cells
    try:
        lifted, lifted_cells, inferred, inferred_cells = within_hard_limit(both, 10)
    except BudgetExceeded:
        assume(False)
    assert inferred == lifted
    assert inferred_cells <= lifted_cells


def test_existential_problems_are_not_affected():
    problem = Problem(R, ("a",), Exists(("x",), Atom(R.gen("x") ** 2 + R.gen("a"), "<=")))
    assert not pcad.defines_closed_set(problem.formula.body, 1, ["E"])
    lifted, inferred = _answer(problem, False), _answer(problem, True)
    assert inferred.formula == lifted.formula and inferred.cells == lifted.cells
