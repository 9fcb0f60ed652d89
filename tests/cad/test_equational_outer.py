"""The equational constraint one connective further out (cad.elimination.pcad.equational_constraint):
``(A v)[L /\\ [f /= 0 \\/ ...]]`` and ``(E v)[L \\/ [f = 0 /\\ ...]]`` with ``L`` free of ``v``.
Unit tests of the recognition and of a case where a wrong split answers wrongly; QE with the
constraint against QE without it at random rational points is in test_equational.py
(``equational_problem(outer=True)``)."""

from unittest import mock

from cad import logic
from cad.elimination import preprocess
from cad.elimination.pcad import equational_constraint
from cad.poly import PolyRing

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
