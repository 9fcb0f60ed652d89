"""Equational-constraint projection (cad.decomposition.equational), the shears of bound
variables and the case split of parametric linear equations (cad.elimination.preprocess,
cad.elimination.linear_cases): unit tests, agreement with the plain route at random
rational points, and QEPCAD B on the problems of issues 18 and 19."""

import os
import sys
from unittest import mock

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cad import logic
from cad.decomposition import ConstraintNullified, cad, projection_factors
from cad.decomposition.equational import EquationalConstraint
from cad.elimination import decide, driver, equivalent, preprocess, qe
from cad.errors import InputError
from cad.io import parse_qepcad, parse_qepcad_output_formula
from cad.poly import PolyRing, poly_key
from cad.poly.ops import irreducible_factors
from tests.cad.test_qe import agrees_with_step_off

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def keys(polys):
    return {poly_key(f) for p in polys for f in irreducible_factors(p) if not f.is_constant()}


# ---------------------------------------------------------------------------
# the projection set
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["lazard", "mccallum"])
def test_equational_first_step_is_P_of_f_and_resultants_with_f(method):
    ring = PolyRing(("x", "y", "z"))
    f = ring.parse("x*z^2 + y*z - 1")
    gs = [ring.parse(t) for t in ("z^2 + x^2 + y^2 - 4", "z - x*y", "x*z + y^2 - 2")]
    ec = EquationalConstraint([f])
    levels = projection_factors([f] + gs, ring, method, equational=ec)
    plain = projection_factors([f] + gs, ring, method)
    # what the first step must contain, computed here independently
    z = "z"
    lead, trail = ring.parse("x"), ring.parse("-1")
    want = [f.discriminant(z)] + [f.resultant(g, z) for g in gs] + [lead, trail]
    if method == "mccallum":
        want.append(ring.parse("y"))
    got = {poly_key(p) for level in levels[:2] for p in level}
    assert keys(want) <= got
    # nothing of the pairs of the other factors: res(g, g') and disc(g) are left out
    extra = keys([gs[0].resultant(gs[1], z), gs[0].discriminant(z)]) - keys(want)
    assert extra and not (extra & got)
    # the full projection has them, and is larger
    full = {poly_key(p) for level in plain[:2] for p in level}
    assert extra <= full and got < full | got and len(got) < len(full)
    # the guards are the coefficients that went into the projection
    assert [str(c) for c in ec.guards[poly_key(f)]][0] == "x"


def test_equational_lower_levels_are_closed_under_the_full_projection():
    from cad.decomposition.projection import lazard_projection

    ring = PolyRing(("x", "y", "z"))
    f = ring.parse("z^2 - x*y - 1")
    g = ring.parse("z*x - y + 2")
    levels = projection_factors([f, g], ring, "lazard", equational=EquationalConstraint([f]))
    have = {poly_key(p) for level in levels for p in level}
    assert keys(lazard_projection(levels[1], ring, "y")) <= have


def test_constraint_with_a_factor_free_of_the_last_variable_is_refused():
    with pytest.raises(InputError):
        cad(["x*y - 1"], ["x", "y"], equational=["x*(y - 1)"])


# ---------------------------------------------------------------------------
# the nullification check and the fallback
# ---------------------------------------------------------------------------

NULLIFIED = ["x*z + y", "z^2 + w^2 - 1"]   # x z + y vanishes identically over x = y = 0


def test_guard_failure_raises_when_lifting_lazily():
    D = cad(NULLIFIED, ["x", "y", "w", "z"], lazy=True, equational=["x*z + y"])
    with pytest.raises(ConstraintNullified):
        todo = [D.root]
        while todo:
            c = todo.pop()
            if c.level < D.n:
                todo.extend(D.lift(c))


def test_eager_cad_falls_back_to_the_full_projection():
    D = cad(NULLIFIED, ["x", "y", "w", "z"], equational=["x*z + y"])
    assert D.equational is None
    plain = cad(NULLIFIED, ["x", "y", "w", "z"])
    assert D.counts() == plain.counts()


def test_constant_leading_coefficient_never_falls_back():
    D = cad(["z^2 + x*z + y", "z - w*x"], ["x", "y", "w", "z"], equational=["z^2 + x*z + y"])
    assert D.equational is not None


def test_qe_with_a_nullified_constraint_agrees_with_the_full_projection():
    ring = PolyRing(("x", "y", "w", "z"))
    text = "(E w)(E z)[x z + y = 0 /\\ z^2 + w^2 - 1 < 0 /\\ w > 0]"
    problem = logic.Problem(ring=ring, free=("x", "y"),
                            formula=parse_qepcad_output_formula(text, ring))
    got = qe(problem, timeout=60).formula
    with mock.patch.object(driver, "equational_constraint", lambda *a: None):
        want = qe(problem, timeout=60).formula
    assert equivalent(ring, got, want, ("x", "y"), timeout=60)


# ---------------------------------------------------------------------------
# QE with the constraint against QE without, at random points
# ---------------------------------------------------------------------------

@st.composite
def equational_problem(draw, outer=False):
    """(Q u)(E v)[f = 0 /\\ ...] or (Q u)(A v)[f /= 0 \\/ ...] with free x (small: the
    plain route decides every instance).  ``outer``: one connective further out,
    (Q u)(E v)[L \\/ [f = 0 /\\ ...]] or (Q u)(A v)[L /\\ [f /= 0 \\/ ...]] with L in x, u
    (see :func:`cad.elimination.pcad.equational_constraint`)."""
    ring = PolyRing(("x", "u", "v"))
    x, u, v = (ring.gen(n) for n in ("x", "u", "v"))
    small = [ring.ctx.constant(1), x, u, x - u, u + 1]

    def pick():
        return ring.ctx.constant(draw(st.integers(-2, 2))) + draw(st.sampled_from(small))

    rels = st.sampled_from(["<", "<=", ">", ">=", "/=", "="])
    # degree 2 in v, so that the preprocessing does not eliminate v before the projection
    f = pick() * v ** 2 + pick() * v + draw(st.integers(-2, 2)) * x
    assume(f.degrees()[2] == 2)
    others = [logic.Atom(draw(st.integers(0, 1)) * v * v + draw(st.integers(-1, 1)) * v + pick(),
                         draw(rels)) for _ in range(draw(st.integers(1, 2)))]
    low = tuple(logic.Atom(pick() * pick() + draw(st.integers(-2, 2)), draw(rels))
                for _ in range(draw(st.integers(1, 2)))) if outer else ()
    if draw(st.booleans()):
        m = logic.And((logic.Atom(f, "="),) + tuple(others))
        body = logic.Exists(("v",), logic.Or(low + (m,)) if outer else m)
    else:
        m = logic.Or((logic.Atom(f, "/="),) + tuple(others))
        body = logic.Forall(("v",), logic.And(low + (m,)) if outer else m)
    body = logic.Exists(("u",), body) if draw(st.booleans()) else logic.Forall(("u",), body)
    return logic.Problem(ring=ring, free=("x",), formula=body)


def agrees_without_the_constraint(problem, rnd):
    # v stays for the projection: the quadratic split would substitute it away
    with mock.patch.object(preprocess, "split_quadratic_equations", lambda matrix, *rest: matrix):
        agrees_with_step_off(problem, rnd, driver, "equational_constraint", lambda *a: None,
                             npoints=4, num=4, dens=(1, 2, 3))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(equational_problem(), st.randoms(use_true_random=False))
def test_equational_qe_agrees_with_full_projection_at_points(problem, rnd):
    agrees_without_the_constraint(problem, rnd)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(equational_problem(outer=True), st.randoms(use_true_random=False))
def test_outer_equational_qe_agrees_with_full_projection_at_points(problem, rnd):
    agrees_without_the_constraint(problem, rnd)


# ---------------------------------------------------------------------------
# preprocessing: shears and parametric linear equations
# ---------------------------------------------------------------------------

def _prepared(text):
    problem = parse_qepcad(text)
    task = driver._prenex_in_cad_order(problem)
    return preprocess.preprocess(task.cad_matrix, task.order, task.quants, task.nfree)


WLOG1 = """[wlog1]
(c,x,y,z,w,a,b)
1
(A x)(A y)(A z)(A w)(A a)(A b)[ [ z - x = 0 /\\ w - y = 0 ] \\/ b^2 - 2 w b + a^2 - 2 z a + 2 y w + 2 x z - y^2 - x^2 /= 0 \\/ 2 w b - 2 y b + 2 z a - 2 x a - w^2 - z^2 + y^2 + x^2 /= 0 \\/ 2 c b^2 - 4 c y b + 2 c a^2 - 4 c x a + 2 c y^2 + 2 c x^2 - 2 w b + 2 y b - 2 z a + 2 x a + 2 y w + 2 x z - 2 y^2 - 2 x^2 = 0 ].
finish
"""


def test_shear_removes_the_translation_of_wlog1():
    # the quadratic split (tested in test_quadratic_gauss.py) would remove two more
    with mock.patch.object(preprocess, "split_quadratic_equations", lambda matrix, *rest: matrix):
        _matrix, order, _quants = _prepared(WLOG1)
    assert len(order) == 5 and order[0] == "c"


def test_shear_never_uses_a_variable_of_an_inner_block():
    # (E u)(A v)[u - v > 0 /\ v^2 + v - 1 >= 0]: only u := u + v lowers the terms, and v is
    # bound inside u's block, so nothing is done (v := v + u is allowed but adds terms)
    ring = PolyRing(("u", "v"))
    matrix = logic.And((logic.Atom(ring.parse("u - v"), ">"),
                        logic.Atom(ring.parse("v^2 + v - 1"), ">=")))
    assert preprocess.shear_bound_variables(matrix, ("u", "v"), ["E", "A"], 0) == matrix
    # with both in one block the shear is taken
    out = preprocess.shear_bound_variables(matrix, ("u", "v"), ["E", "E"], 0)
    assert out != matrix


@st.composite
def shear_problem(draw):
    """Translation-like problems: atoms in differences of bound variables and a free one."""
    ring = PolyRing(("x", "u", "v"))
    x, u, v = (ring.gen(n) for n in ("x", "u", "v"))
    diffs = [u - v, u + x, v - x, u - v + 1]
    rels = st.sampled_from(["<", "<=", ">", ">=", "/=", "="])

    def atom():
        a, b = draw(st.sampled_from(diffs)), draw(st.sampled_from(diffs))
        return logic.Atom(a * b + draw(st.integers(-2, 2)) * a + draw(st.integers(-1, 1)) * x,
                          draw(rels))

    body = logic.And((atom(), atom())) if draw(st.booleans()) else logic.Or((atom(), atom()))
    quants = [draw(st.sampled_from([logic.Exists, logic.Forall])) for _ in range(2)]
    for q, n in zip(reversed(quants), ("v", "u")):
        body = q((n,), body)
    return logic.Problem(ring=ring, free=("x",), formula=body)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shear_problem(), st.randoms(use_true_random=False))
def test_shear_agrees_with_plain_cad_at_points(problem, rnd):
    agrees_with_step_off(problem, rnd, preprocess, "shear_bound_variables",
                         lambda matrix, *rest, **kw: matrix, npoints=3, num=4, dens=(1, 2))


@st.composite
def parametric_linear_problem(draw):
    """(E u)(E v)[equations linear in u or v with polynomial coefficients /\\ an atom], or
    the universal dual with inequations and a disjunction."""
    ring = PolyRing(("x", "y", "u", "v"))
    x, y, u, v = (ring.gen(n) for n in ("x", "y", "u", "v"))
    coeffs = [x, y, u, x - y, x * y, u + 1, ring.ctx.constant(2)]
    rels = st.sampled_from(["<", "<=", ">", ">=", "/=", "="])

    def c():
        return draw(st.sampled_from(coeffs))

    other = logic.Atom(u * v + draw(st.integers(-2, 2)) * x + c(), draw(rels))
    # an atom that a substitution can turn into a constant (0 /= 0 must become false)
    second = logic.Atom(draw(st.sampled_from([u, v, u * v, x * u, u - v])), draw(rels))
    linear = [x * u - c() * u, y - c() * v - c()]
    if draw(st.booleans()):
        eqs = tuple(logic.Atom(p, "=") for p in linear)
        body = logic.Exists(("u",), logic.Exists(("v",), logic.And(eqs + (other, second))))
    else:       # the dual: (A u)(A v)[p /= 0 \/ q /= 0 \/ ...]
        neqs = tuple(logic.Atom(p, "/=") for p in linear)
        body = logic.Forall(("u",), logic.Forall(("v",), logic.Or(neqs + (other, second))))
    return logic.Problem(ring=ring, free=("x", "y"), formula=body)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parametric_linear_problem(), st.randoms(use_true_random=False))
def test_parametric_linear_split_agrees_with_plain_cad_at_points(problem, rnd):
    with mock.patch.object(preprocess, "SPLIT_MIN_BLOCK", 1):     # split these small blocks
        agrees_with_step_off(problem, rnd, preprocess, "split_parametric_linear_equations",
                             lambda matrix, *rest: matrix, npoints=4, num=3, dens=(1, 2))


def test_substitution_that_zeroes_an_inequation_gives_false():
    # a = l u = 0, b = l v = -1, c = m u = -1: l /= 0 forces u = 0, so c = 0; not in the
    # LU image (a substitution l := 0 turns "l /= 0" into "0 /= 0", which must stay false)
    ring = PolyRing(("l", "m", "n", "u", "v", "w"))
    text = "(E l)(E m)(E n)(E u)(E v)(E w)[0 = l u /\\ -1 = l v /\\ -1 = m u /\\ 0 = m v + n w]"
    sentence = logic.Problem(ring=ring, free=(), formula=parse_qepcad_output_formula(text, ring))
    with mock.patch.object(preprocess, "SPLIT_MIN_BLOCK", 1):
        assert decide(sentence) is False


def test_two_neuron_image_is_eliminated_without_bound_variables():
    _matrix, order, quants = _prepared(NEURON2)
    assert order == ("a", "b", "c", "d", "e", "f") and quants == []


# ---------------------------------------------------------------------------
# issues 18 and 19 against QEPCAD B (answers compared by our `equivalent`)
# ---------------------------------------------------------------------------

NEURON2 = """[two neuron image]
(a,b,c,d,e,f,p,q,r,s,x,y,z,w)
6
(E p)(E q)(E r)(E s)(E x)(E y)(E z)(E w)[a = p x /\\ b = p y + q z /\\ c = q w /\\ d = r x /\\ e = r y + s z /\\ f = s w].
finish
"""

def test_two_neuron_image_answer():
    """Issue 18, acceptance 3: the image of the two-hidden-neuron product, answered by the
    case split alone; equivalent to QEPCAD B's answer (compared in the sweep test below)."""
    problem = parse_qepcad(NEURON2)
    got = qe(problem, timeout=120).formula
    want = parse_qepcad_output_formula(
        "a e - b d = 0 \\/ a f - c d /= 0 \\/ [ a /= 0 /\\ c = 0 ] \\/ [ d /= 0 /\\ f = 0 ]",
        problem.ring)
    assert equivalent(problem.ring, got, want, problem.free, timeout=60)


def test_wlog1_answer():
    problem = parse_qepcad(WLOG1)
    got = qe(problem, timeout=120).formula
    want = parse_qepcad_output_formula("2 c - 1 = 0", problem.ring)
    assert equivalent(problem.ring, got, want, ("c",), timeout=60)


@pytest.mark.sweep
def test_two_neuron_image_agrees_with_qepcad():
    # benchmarks/ last on the path: its cad.py must not shadow the cad package in later tests
    bench = os.path.join(ROOT, "benchmarks")
    if bench not in sys.path:
        sys.path.append(bench)
    from qepcad_runner import qepcad_binary, run_qepcad

    problem = parse_qepcad(NEURON2)
    got = qe(problem, timeout=120).formula
    if qepcad_binary() is None:
        pytest.skip("qepcad not installed")
    run = run_qepcad(NEURON2, timeout=120)
    if run.status != "answer":
        pytest.skip(f"QEPCAD B gave no answer ({run.status})")
    theirs = parse_qepcad_output_formula(run.answer, problem.ring)
    assert equivalent(problem.ring, got, theirs, problem.free, timeout=60)


