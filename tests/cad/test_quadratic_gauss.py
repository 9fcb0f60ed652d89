"""Substitution of the roots of quadratic equations (cad.elimination.quadratic_cases): the
sign rules for ``U + W sqrt(D)`` and the radical-free substitution checked against exact
evaluation, the preprocessing step against QE without it at random points, and the QEPCAD B
problem "portfolio" of issue 19; the implied bounds (cad.elimination.bounds): soundness at
points of the conjunction and QE with them against QE without."""

import math
import os
from unittest import mock

import pytest
from flint import fmpq, fmpz_poly
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cad import logic
from cad.elimination import driver, equivalent, preprocess, qe
from cad.elimination.bounds import implied_bounds
from cad.elimination import quadratic_cases
from cad.elimination.quadratic_cases import (
    root_sign_condition, root_substitution, split_quadratic_cases,
)
from cad.io import parse_qepcad, parse_qepcad_output_formula
from cad.logic import evaluate
from cad.numbers.real_algebraic import RealAlgebraic
from cad.poly import PolyRing
from tests.cad.test_qe import agrees_with_step_off

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RELS = ("=", "/=", "<", "<=", ">", ">=")
RING = PolyRing(("x", "y", "v"))
X, Y, V = (RING.gen(n) for n in ("x", "y", "v"))


def _holds(sign, rel):
    return {"=": sign == 0, "/=": sign != 0, "<": sign < 0, "<=": sign <= 0,
            ">": sign > 0, ">=": sign >= 0}[rel]


def _sqrt(q):
    """The square root of the non-negative rational ``q`` when it is rational, else None."""
    n, d = int(q.p), int(q.q)
    rn, rd = math.isqrt(n), math.isqrt(d)
    return fmpq(rn, rd) if rn * rn == n and rd * rd == d else None


def _sign_u_plus_w_sqrt(u, w, dd):
    """Exact sign of ``u + w sqrt(dd)`` (``dd >= 0`` rational), computed without the rules:
    with a rational square root directly, otherwise ``sqrt(dd)`` is irrational, so the sum
    is zero only for ``u = w = 0``, and a ball of increasing precision settles its sign."""
    s = _sqrt(dd)
    if s is not None:
        z = u + w * s
        return (z > 0) - (z < 0)
    if w == 0:
        return (u > 0) - (u < 0)
    from flint import arb, ctx
    old = ctx.prec
    try:
        prec = 64
        while True:
            ctx.prec = prec
            z = arb(u) + arb(w) * arb(dd).sqrt()
            if z > 0:
                return 1
            if z < 0:
                return -1
            prec *= 2
    finally:
        ctx.prec = old


small = st.integers(-4, 4)


@st.composite
def polys_xy(draw, terms=4):
    """A polynomial in x, y of degree <= 2 with small integer coefficients."""
    monos = [RING.ctx.constant(1), X, Y, X * Y, X * X, Y * Y]
    p = RING.ctx.constant(0)
    for _ in range(draw(st.integers(0, terms))):
        p += draw(small) * draw(st.sampled_from(monos))
    return p


points = st.tuples(st.fractions(-3, 3, max_denominator=4), st.fractions(-3, 3, max_denominator=4))


@settings(max_examples=400, deadline=None)
@given(polys_xy(), polys_xy(), polys_xy(), points, st.sampled_from(RELS))
def test_sign_rules_agree_with_exact_evaluation(U, W, D, pt, rel):
    env = {"x": fmpq(pt[0].numerator, pt[0].denominator),
           "y": fmpq(pt[1].numerator, pt[1].denominator)}
    dd = _eval(D, env)
    assume(dd >= 0)
    want = _holds(_sign_u_plus_w_sqrt(_eval(U, env), _eval(W, env), dd), rel)
    got = evaluate(root_sign_condition(U, W, D, rel), RING, env)
    assert got == want, (str(U), str(W), str(D), env, rel)


@pytest.mark.parametrize("rel", RELS)
def test_sign_rules_on_the_boundary_cases(rel):
    # every sign of U and W, with D = 0, D a square and D not a square
    c = RING.ctx.constant
    for u in (-3, -2, 0, 2, 3):
        for w in (-1, 0, 1):
            for dd in (0, 1, 2, 4, 9):
                want = _holds(_sign_u_plus_w_sqrt(fmpq(u), fmpq(w), fmpq(dd)), rel)
                got = evaluate(root_sign_condition(c(u), c(w), c(dd), rel), RING, {})
                assert got == want, (u, w, dd, rel)


def _eval(p, env):
    """``p`` at the rational point ``env`` (exact)."""
    total = fmpq(0)
    for exps, c in p.to_dict().items():
        term = fmpq(int(c))
        for name, e in zip(("x", "y", "v"), exps):
            if e:
                term *= env[name] ** e
        total += term
    return total


@st.composite
def quadratic_and_atom(draw):
    """``f = a v^2 + b v + c`` (``a`` possibly parametric) and ``g`` of degree 1..3 in v."""
    a = draw(polys_xy(terms=2))
    assume(not a.is_zero())
    b, c = draw(polys_xy()), draw(polys_xy())
    g = RING.ctx.constant(0)
    for e in range(draw(st.integers(1, 3)) + 1):
        g += draw(polys_xy(terms=2)) * V ** e
    assume(g.degrees()[2] > 0)
    return a, b, c, g


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quadratic_and_atom(), points, st.sampled_from(RELS))
def test_root_substitution_agrees_with_the_roots(fg, pt, rel):
    """At a rational (x, y) with ``a /= 0`` and ``D >= 0``: the radical-free condition for the
    root ``(-b ± sqrt D) / (2 a)`` holds iff ``g rel 0`` holds at that root, the root taken
    as an exact real algebraic number from the univariate ``f``."""
    a, b, c, g = fg
    env = {"x": fmpq(pt[0].numerator, pt[0].denominator),
           "y": fmpq(pt[1].numerator, pt[1].denominator)}
    av, bv, cv = (_eval(p, env) for p in (a, b, c))
    assume(av != 0 and bv * bv - 4 * av * cv >= 0)
    D = b * b - 4 * a * c
    den = av.q * bv.q * cv.q
    num = fmpz_poly([int(cv * den), int(bv * den), int(av * den)])
    roots = RealAlgebraic.roots_of(num)
    lo, hi = roots[0], roots[-1]
    U, W = root_substitution(g, 2, a, b, D)
    for sign, root in ((1, hi if av > 0 else lo), (-1, lo if av > 0 else hi)):
        want = evaluate(logic.Atom(g, rel), RING, dict(env, v=root))
        got = evaluate(root_sign_condition(U, W if sign > 0 else -W, D, rel), RING, env)
        assert got == want, (str(a), str(b), str(c), str(g), env, rel, sign)


def test_split_with_a_constant_leading_coefficient_has_no_zero_case():
    # (E v)[v^2 - x = 0 /\ v - y > 0]: two branches, both with x >= 0 and free of v
    f = logic.Atom(V * V - X, "=")
    g = logic.Atom(V - Y, ">")
    out = split_quadratic_cases(logic.And((f, g)), [2], preprocess.fold_constants)
    assert isinstance(out, logic.Or) and len(out.children()) == 2
    for part in out.children():
        assert logic.Atom(X, ">=") in part.children()
        assert all(a.poly.degrees()[2] == 0 for a in preprocess.atom_occurrences(part))


def test_split_with_a_parametric_leading_coefficient_keeps_the_linear_case():
    # (E v)[x v^2 + v - 1 = 0 /\ v > 0]: where x = 0 the equation is v - 1 = 0
    f = logic.Atom(X * V * V + V - 1, "=")
    with mock.patch.object(quadratic_cases, "PARAMETRIC", True):
        out = split_quadratic_cases(logic.And((f, logic.Atom(V, ">"))), [2],
                                    preprocess.fold_constants)
    texts = [str(part) for part in out.children()]
    assert len(texts) == 3
    assert sum("v - 1 = 0" in t and "x = 0" in t for t in texts) == 1


def test_split_is_abandoned_beyond_the_branch_cap():
    # six quadratic equations in six variables: 2^6 branches > cap
    ring = PolyRing(("x",) + tuple(f"v{i}" for i in range(6)))
    vs = [ring.gen(f"v{i}") for i in range(6)]
    x = ring.gen("x")
    eqs = tuple(logic.Atom(v * v - x - i, "=") for i, v in enumerate(vs))
    matrix = logic.And(eqs + (logic.Atom(sum(vs) - x, ">"),))
    with mock.patch("cad.elimination.quadratic_cases.MAX_BRANCHES", 8):
        assert split_quadratic_cases(matrix, range(1, 7), preprocess.fold_constants) is matrix


# ---------------------------------------------------------------------------
# QE with the step against QE without, at random points
# ---------------------------------------------------------------------------

@st.composite
def quadratic_problem(draw, one_variable_block=False):
    """(E u)(E v)[f = 0 /\\ atoms] with f quadratic in v (leading coefficient constant or
    parametric), or the universal dual (A u)(A v)[f /= 0 \\/ atoms]; free x (and u, with
    ``one_variable_block``: then only v is bound)."""
    ring = PolyRing(("x", "u", "v"))
    x, u, v = (ring.gen(n) for n in ("x", "u", "v"))
    small_polys = [ring.ctx.constant(1), x, u, x - u, u + 1, x * u]

    def pick():
        return ring.ctx.constant(draw(st.integers(-2, 2))) + draw(st.sampled_from(small_polys))

    lead = draw(st.sampled_from([ring.ctx.constant(1), ring.ctx.constant(-2), x, u, x - 1]))
    f = lead * v ** 2 + pick() * v + pick()
    rels = st.sampled_from(RELS)
    others = tuple(logic.Atom(draw(st.integers(0, 1)) * v * v + draw(st.integers(-1, 2)) * v
                              + pick(), draw(rels)) for _ in range(draw(st.integers(1, 2))))
    bound = ("v",) if one_variable_block else ("u", "v")
    if draw(st.booleans()):
        body = logic.Exists(bound, logic.And((logic.Atom(f, "="),) + others))
    else:
        neg = tuple(logic.Atom(a.poly, logic.NEGATED[a.rel]) for a in others)
        body = logic.Forall(bound, logic.Or((logic.Atom(f, "/="),) + neg))
    return logic.Problem(ring=ring, free=("x", "u") if one_variable_block else ("x",),
                         formula=body)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quadratic_problem(), st.randoms(use_true_random=False))
def test_quadratic_split_agrees_with_plain_cad_at_points(problem, rnd):
    agrees_with_step_off(problem, rnd, preprocess, "split_quadratic_equations",
                         lambda matrix, *rest: matrix, npoints=4, num=4, dens=(1, 2, 3))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quadratic_problem(one_variable_block=True), st.randoms(use_true_random=False))
def test_one_variable_block_split_agrees_with_plain_cad_at_points(problem, rnd):
    """Polynomial leading coefficients are used by default in a block of one variable."""
    agrees_with_step_off(problem, rnd, preprocess, "split_quadratic_equations",
                         lambda matrix, *rest: matrix, npoints=3, num=2, dens=(1, 2))


def test_parabola_loses_its_variable_and_agrees_with_qepcad_b(qe_benchmarks):
    """(E x)[a x^2 + b x + c = 0]: the split with the parametric a (the case a = 0 by the
    linear rule) leaves no bound variable; the answer is QEPCAD B's (answers.md) by
    ``equivalent``."""
    with open(os.path.join(qe_benchmarks, "parabola.qepcad"), encoding="utf-8") as fh:
        problem = parse_qepcad(fh.read())
    task = driver._prenex_in_cad_order(problem)
    _matrix, order, quants = preprocess.preprocess(task.cad_matrix, task.order, task.quants,
                                                   task.nfree)
    assert order == ("a", "b", "c") and quants == []
    want = parse_qepcad_output_formula(
        "4 a c - b^2 <= 0 /\\ [c = 0 \\/ a /= 0 \\/ 4 a c - b^2 < 0]", problem.ring)
    assert equivalent(problem.ring, qe(problem, timeout=60).formula, want, problem.free)


def test_parabola_agrees_with_a_live_qepcad_b(qepcad, qe_benchmarks):
    from tests.cad.test_linear_distribution import _run_qepcad

    with open(os.path.join(qe_benchmarks, "parabola.qepcad"), encoding="utf-8") as fh:
        text = fh.read()
    problem = parse_qepcad(text)
    run = _run_qepcad()(text, qepcad, timeout=60)
    assert run.status == "answer", run.status
    theirs = parse_qepcad_output_formula(run.answer, problem.ring)
    assert equivalent(problem.ring, qe(problem, timeout=60).formula, theirs, problem.free)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(quadratic_problem(), st.randoms(use_true_random=False))
def test_parametric_quadratic_split_agrees_with_plain_cad_at_points(problem, rnd):
    with mock.patch.object(quadratic_cases, "PARAMETRIC", True):
        agrees_with_step_off(problem, rnd, preprocess, "split_quadratic_equations",
                             lambda matrix, *rest: matrix, npoints=4, num=4, dens=(1, 2, 3))


def test_the_step_removes_the_variable():
    problem = parse_qepcad("[q]\n(x,v)\n1\n(E v)[v^2 + x v + 1 = 0 /\\ v > 0].\nfinish\n")
    task = driver._prenex_in_cad_order(problem)
    matrix, order, quants = preprocess.preprocess(task.cad_matrix, task.order, task.quants,
                                                  task.nfree)
    assert order == ("x",) and quants == []
    got = qe(problem, timeout=60).formula
    want = parse_qepcad_output_formula("x + 2 <= 0", problem.ring)
    assert equivalent(problem.ring, got, want, ("x",), timeout=60)


# ---------------------------------------------------------------------------
# issue 19: portfolio
# ---------------------------------------------------------------------------

PORTFOLIO = """[portfolio]
(x0,x1,x2,x3)
1
(E x1)(E x2)(E x3)[ x1 >= 0 /\\ x2 >= 0 /\\ x3 >= 0 /\\ x3 + x2 + x1 - 10000 <= 0 /\\ 15 x3 - 4 x2 + 5 x1 - 100000 >= 0 /\\ 45 x3^2 - 30 x2 x3 + 10 x1 x3 + 3 x2^2 - 40 x1 x2 + 8 x1^2 - x0 = 0 ].
finish
"""
PORTFOLIO_ANSWER = "3341 x0 - 5082000000000 >= 0 /\\ x0 - 4500000000 <= 0"


def test_portfolio_loses_its_equation_before_the_projection():
    problem = parse_qepcad(PORTFOLIO)
    task = driver._prenex_in_cad_order(problem)
    matrix, order, quants = preprocess.preprocess(task.cad_matrix, task.order, task.quants,
                                                  task.nfree)
    assert len(order) == 3 and quants == ["E", "E"]
    assert all(a.rel != "=" for a in preprocess.atom_occurrences(matrix))


@pytest.mark.sweep
def test_portfolio_answer():
    problem = parse_qepcad(PORTFOLIO)
    got = qe(problem, timeout=400).formula
    want = parse_qepcad_output_formula(PORTFOLIO_ANSWER, problem.ring)
    assert equivalent(problem.ring, got, want, ("x0",), timeout=60)


# ---------------------------------------------------------------------------
# implied bounds (cad.elimination.bounds)
# ---------------------------------------------------------------------------

def test_bounds_of_the_portfolio_polytope_are_exact():
    problem = parse_qepcad(PORTFOLIO)
    task = driver._prenex_in_cad_order(problem)
    box = implied_bounds(task.cad_matrix, 4)
    # Fourier-Motzkin: x1 <= 5000, x2 <= 50000/19, 5000 <= x3 <= 10000 (all attained)
    assert box[1] == (0, 5000) and box[2] == (0, fmpq(50000, 19)) and box[3] == (5000, 10000)
    # x0 = q(x1, x2, x3) by intervals over that box: a valid, wider range
    lo, hi = box[0]
    assert lo <= fmpq(5082000000000, 3341) and hi >= 4500000000


@st.composite
def satisfied_conjunction(draw):
    """A rational point and a conjunction of atoms true there: linear ones and one equation
    ``c x - q(y, v) = 0`` linear in x (the shape that bounds a free variable)."""
    pt = [fmpq(draw(st.integers(-6, 6)), draw(st.sampled_from([1, 2, 3]))) for _ in range(3)]
    env = dict(zip(("x", "y", "v"), pt))
    atoms = []
    for _ in range(draw(st.integers(1, 5))):
        lin = sum((draw(st.integers(-3, 3)) * g for g in (X, Y, V)), RING.ctx.constant(0))
        val = _eval(lin, env)
        slack = draw(st.integers(0, 3))
        rel = draw(st.sampled_from([">=", ">", "<=", "<", "="]))
        # a constant making lin + k rel 0 true at the point
        k = -val + {">=": slack, ">": slack + 1, "<=": -slack, "<": -slack - 1, "=": 0}[rel]
        num, den = int(k.p), int(k.q)
        atoms.append(logic.Atom(den * lin + num, rel))
    q = draw(small) * Y * Y + draw(small) * Y * V + draw(small) * V
    c = draw(st.sampled_from([1, -2, 3]))
    val = _eval(c * X - q, env)
    atoms.append(logic.Atom(int(val.q) * (c * X - q) - int(val.p), "="))
    return env, logic.And(tuple(atoms))


@settings(max_examples=300, deadline=None)
@given(satisfied_conjunction())
def test_implied_bounds_contain_every_point_of_the_conjunction(case):
    env, matrix = case
    assert evaluate(matrix, RING, env)
    box = implied_bounds(matrix, 3)
    for (lo, hi), name in zip(box, ("x", "y", "v")):
        assert lo is None or lo <= env[name], (str(matrix), name, lo)
        assert hi is None or env[name] <= hi, (str(matrix), name, hi)


@st.composite
def bounded_problem(draw):
    """(E u)(E v)[linear atoms bounding u and v /\\ an equation x = q(u, v) /\\ an atom]."""
    ring = PolyRing(("x", "u", "v"))
    x, u, v = (ring.gen(n) for n in ("x", "u", "v"))
    atoms = [logic.Atom(u + draw(st.integers(0, 2)), ">="), logic.Atom(v, ">="),
             logic.Atom(u + v - draw(st.integers(1, 3)), "<=")]
    q = draw(st.integers(-2, 2)) * u * u + draw(st.integers(-1, 1)) * u * v + v * v
    atoms.append(logic.Atom(x - q - draw(st.integers(-1, 1)) * u, "="))
    atoms.append(logic.Atom(draw(st.integers(-1, 1)) * u + v - draw(st.integers(0, 1)),
                            draw(st.sampled_from(RELS))))
    return logic.Problem(ring=ring, free=("x",),
                         formula=logic.Exists(("u", "v"), logic.And(tuple(atoms))))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bounded_problem(), st.randoms(use_true_random=False))
def test_bounds_agree_with_plain_cad_at_points(problem, rnd):
    agrees_with_step_off(problem, rnd, preprocess, "with_bounds",
                         lambda matrix, *rest: matrix, npoints=4, num=8, dens=(1, 2, 3))
