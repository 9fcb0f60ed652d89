"""Tests of cad.io.sympy_bridge: formulas to and from sympy."""

import random

import pytest
from strategies import R, random_points, x

from cad.errors import InputError
from cad.io import from_sympy, to_sympy
from cad.logic import TRUE, Atom, evaluate, exists


def test_sympy_round_trip_and_errors():
    sympy = pytest.importorskip("sympy")
    X, Y = sympy.symbols("x y")
    e = sympy.And(X ** 2 + Y < sympy.Rational(1, 2), sympy.Or(sympy.Ne(X, Y), sympy.Eq(X, 0)),
                  sympy.Implies(X > 0, Y >= 0))
    p = from_sympy(e, [X, "y"])
    assert p.free == ("x", "y") and p.ring.variables == ("x", "y")
    rx, ry = p.ring.gens
    assert Atom(2 * rx ** 2 + 2 * ry - 1, "<") in p.formula.args  # sympy sorts And args
    back = to_sympy(p.formula, p.ring)
    rng = random.Random(2)
    for pt in random_points(["x", "y"], 50, rng):
        subs = {X: sympy.Rational(int(pt["x"].p), int(pt["x"].q)),
                Y: sympy.Rational(int(pt["y"].p), int(pt["y"].q))}
        assert bool(back.subs(subs)) == evaluate(p.formula, p.ring, pt) == bool(e.subs(subs))
    assert from_sympy(sympy.true, ["x"]).formula == TRUE
    with pytest.raises(InputError):
        from_sympy(1 / X > 0, ["x"])
    with pytest.raises(InputError, match="'z'"):
        from_sympy(sympy.Symbol("z") > 0, ["x"])
    with pytest.raises(InputError):
        to_sympy(exists("x", Atom(x, ">")), R)
