"""The equational constraint one connective further out (cad.elimination.pcad.equational_constraint):
``(A v)[L /\\ [f /= 0 \\/ ...]]`` and ``(E v)[L \\/ [f = 0 /\\ ...]]`` with ``L`` free of ``v``.
Unit tests of the recognition, and QE with the constraint against QE without it at random
rational points."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cad import logic
from cad.elimination import driver, preprocess
from cad.elimination.pcad import equational_constraint
from cad.poly import PolyRing
from tests.cad.test_qe import agrees_with_step_off
from unittest import mock

RING = PolyRing(("x", "u", "v"))


def atom(text, rel):
    return logic.Atom(RING.parse(text), rel)


F = "u*v^2 + v - x"


def test_universal_conjunction_with_one_part_in_the_last_variable():
    m = logic.And((atom("x - u", ">"), logic.Or((atom(F, "/="), atom("v^2 - u", "<"))),
                   atom("u + 1", "/=")))
    assert equational_constraint(m, 3, 1, ["A", "A"]) == RING.parse(F)
    # the bare atom as that part
    m2 = logic.And((atom("x - u", ">"), atom(F, "/=")))
    assert equational_constraint(m2, 3, 1, ["E", "A"]) == RING.parse(F)


def test_existential_disjunction_with_one_part_in_the_last_variable():
    m = logic.Or((atom("x", "<"), logic.And((atom(F, "="), atom("v - u", ">")))))
    assert equational_constraint(m, 3, 1, ["A", "E"]) == RING.parse(F)


def test_refused_when_two_parts_involve_the_last_variable():
    # ((A v) is not distributive over the conjunction's other part with v)
    m = logic.And((atom("x - v", ">"), logic.Or((atom(F, "/="), atom("v^2 - u", "<")))))
    assert equational_constraint(m, 3, 1, ["A", "A"]) is None
    m = logic.Or((atom("x - v", "<"), logic.And((atom(F, "="), atom("v - u", ">")))))
    assert equational_constraint(m, 3, 1, ["A", "E"]) is None


def test_refused_with_the_wrong_connective_or_relation():
    # a universal v needs f /= 0 inside a disjunction, not f = 0
    m = logic.And((atom("x - u", ">"), logic.Or((atom(F, "="), atom("v^2 - u", "<")))))
    assert equational_constraint(m, 3, 1, ["A", "A"]) is None
    # an existential v: the outer connective must be a disjunction
    m = logic.And((atom("x", "<"), atom(F, "="), atom("v - u", ">")))
    assert equational_constraint(m, 3, 1, ["A", "E"]) == RING.parse(F)   # the plain form
    m = logic.Or((atom("x", "<"), logic.Or((atom(F, "="), atom("v - u", ">")))))
    assert equational_constraint(m, 3, 1, ["A", "E"]) is None


@st.composite
def outer_problem(draw):
    """(Q u)(A v)[L /\\ [f /= 0 \\/ ...]] or (Q u)(E v)[L \\/ [f = 0 /\\ ...]], L in x, u."""
    x, u, v = (RING.gen(n) for n in ("x", "u", "v"))
    small = [RING.ctx.constant(1), x, u, x - u, u + 1]

    def pick():
        return RING.ctx.constant(draw(st.integers(-2, 2))) + draw(st.sampled_from(small))

    rels = st.sampled_from(["<", "<=", ">", ">=", "/=", "="])
    f = pick() * v ** 2 + pick() * v + draw(st.integers(-2, 2)) * x
    assume(f.degrees()[2] == 2)
    others = tuple(logic.Atom(draw(st.integers(0, 1)) * v * v + draw(st.integers(-1, 1)) * v
                              + pick(), draw(rels)) for _ in range(draw(st.integers(1, 2))))
    low = tuple(logic.Atom(pick() * pick() + draw(st.integers(-2, 2)), draw(rels))
                for _ in range(draw(st.integers(1, 2))))
    if draw(st.booleans()):
        body = logic.Exists(("v",), logic.Or(low + (logic.And((logic.Atom(f, "="),) + others),)))
    else:
        body = logic.Forall(("v",), logic.And(low + (logic.Or((logic.Atom(f, "/="),) + others),)))
    body = logic.Exists(("u",), body) if draw(st.booleans()) else logic.Forall(("u",), body)
    return logic.Problem(ring=RING, free=("x",), formula=body)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outer_problem(), st.randoms(use_true_random=False))
def test_outer_equational_qe_agrees_with_full_projection_at_points(problem, rnd):
    with mock.patch.object(preprocess, "split_quadratic_equations", lambda matrix, *rest: matrix):
        agrees_with_step_off(problem, rnd, driver, "equational_constraint", lambda *a: None,
                             npoints=4, num=4, dens=(1, 2, 3))


def test_a_conjunct_in_the_last_variable_is_not_split_off():
    """(A v)[v^2 - x > 0 /\\ v^2 + 1 /= 0] is x < 0.  Taking v^2 + 1 as the constraint here
    would project only res(v^2 + 1, v^2 - x) = (x + 1)^2 and answer wrongly on -1 < x < 0."""
    from cad.elimination import equivalent, qe
    ring = PolyRing(("x", "v"))
    m = logic.And((logic.Atom(ring.parse("v^2 - x"), ">"), logic.Atom(ring.parse("v^2 + 1"), "/=")))
    assert equational_constraint(m, 2, 1, ["A"]) is None
    with mock.patch.object(preprocess, "split_quadratic_equations", lambda matrix, *rest: matrix):
        got = qe(logic.Problem(ring=ring, free=("x",), formula=logic.Forall(("v",), m)),
                 timeout=60).formula
    want = logic.Atom(ring.parse("x"), "<")
    assert equivalent(ring, got, want, ("x",), timeout=60)
