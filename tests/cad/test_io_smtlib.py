"""Tests of cad.io.smtlib: reading and writing SMT-LIB2 scripts."""

import random

import pytest
from strategies import R, formulas, random_points
from hypothesis import given, settings

from cad.errors import ParseError
from cad.io import parse_formula, parse_qepcad, parse_smtlib, to_qepcad, to_smtlib
from cad.logic import (
    Atom, Problem, conj, evaluate, exists, free_variables, iff, implies, is_quantifier_free,
    negate, to_ring,
)
from cad.poly import PolyRing


def test_smtlib_example():
    text = """; a comment
(set-logic NRA)
(set-info :source |parabola|)
(declare-fun a () Real)
(declare-const b Real)
(declare-const c Real)
(assert (exists ((x Real)) (= (+ (* a x x) (* b x) c) 0)))
(assert (or (> a 1.5) (<= (/ b 2) (- c))))
(check-sat)
(exit)
"""
    p = parse_smtlib(text)
    assert p.free == ("a", "b", "c") and p.ring.variables == ("a", "b", "c", "x")
    assert p.description == "parabola"
    ring = p.ring
    expected = parse_formula("(E x)[a x^2 + b x + c = 0] /\\ [2 a - 3 > 0 \\/ b + 2 c <= 0]", ring)
    assert p.formula == expected
    assert parse_smtlib(to_smtlib(p)) == p


def test_smtlib_connectives_and_shadowing():
    text = """(declare-const x Real)(declare-const y Real)
(define-fun two () Real 2.0)
(define-fun pos () Bool (> x 0))
(assert (=> pos (distinct x y two) (< 0 x y 3)))
(assert (let ((s (+ x y)) (p (>= x 0))) (and p (not (= s 1)) (xor p (< y 0)))))
(assert (ite (> y 0) (>= x 1) (exists ((x Real)) (= (* x x) y))))
(assert (forall ((x Real) (z Real)) (=> (= x z) (= (- x z) 0))))
(check-sat)"""
    p = parse_smtlib(text)
    assert p.free == ("x", "y")
    ring = PolyRing(["x", "y"])
    X, Y = ring.gens
    rng = random.Random(1)
    # check the quantifier-free part by evaluation against a hand translation
    qf = conj(*[g for g in p.formula.args if is_quantifier_free(g)])
    hand = conj(
        implies(Atom(X, ">"), implies(conj(Atom(X - Y, "/="), Atom(X - 2, "/="), Atom(Y - 2, "/=")),
                                      conj(Atom(-X, "<"), Atom(X - Y, "<"), Atom(Y - 3, "<")))),
        Atom(X, ">="), Atom(X + Y - 1, "/="), negate(iff(Atom(X, ">="), Atom(Y, "<"))))
    for pt in random_points(["x", "y"], 200, rng):
        assert evaluate(qf, p.ring, pt) == evaluate(hand, ring, pt)
    # the exists under ite binds a fresh copy of x, distinct from the declared x
    bound = [v for v in p.ring.variables if v not in p.free]
    assert bound and "x" not in bound
    assert free_variables(p.formula) <= {"x", "y"}


def test_smtlib_unknown_command_and_errors():
    with pytest.raises(ParseError, match="push"):
        parse_smtlib("(declare-const x Real)\n(push 1)")
    with pytest.raises(ParseError) as info:
        parse_smtlib("(declare-fun f (Real) Real)")
    assert (info.value.line, info.value.column) == (1, 16)  # the argument list
    with pytest.raises(ParseError, match="unbalanced"):
        parse_smtlib("(assert true))")


@settings(max_examples=40)
@given(formulas)
def test_smtlib_round_trip(f):
    bound = free_variables(f) - {"a", "b"}
    p = parse_qepcad(to_qepcad(Problem(R, ("a", "b"), exists(sorted(bound), f))))
    q = parse_smtlib(to_smtlib(p))
    assert q.free == p.free
    assert set(q.ring.variables) == set(p.ring.variables)
    assert to_ring(q.formula, p.ring) == p.formula
