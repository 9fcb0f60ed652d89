"""Tests of cad.decomposition: cell counts derived by hand, sign invariance by
random sampling (hypothesis), nullification, budgets and the partial-CAD hooks."""

import random
import subprocess
import sys

import flint
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from cad.budget import Budget
from cad.decomposition import NotWellOriented, cad, delineating_derivative, lazard_valuation_polynomial
from cad.decomposition.projection import projection_factors
from cad.errors import BudgetExceeded, InputError
from cad.poly import PolyRing, poly_level
from cad.poly.sign import sign_at

from bounded import within_hard_limit


# --------------------------------------------------------------------------- helpers

def check_cell(D, cell, rng, polys, tries=3):
    """Random points of ``cell`` have the sample's sign vector for ``polys`` and for all
    projection factors of level <= the cell's level; section samples are roots of
    their section polynomials; ``locate`` finds the cell again."""
    k = cell.level
    polys = [p for p in polys if poly_level(p) <= k]
    factors = [f for lvl in D.levels[:k] for f in lvl]
    want = cell.signs(polys) + cell.signs(factors)
    for f in cell.section_polynomials:
        assert sign_at(f, cell.sample) == 0, (cell, f)
    assert D.locate(cell.sample) is cell
    for _ in range(tries):
        pt = D.random_point(cell, rng)
        got = tuple(sign_at(p, pt) for p in polys + factors)
        assert got == want, (cell, pt, got, want)
        if cell.dimension == k:  # full-dimensional cell: the point is rational
            assert all(isinstance(v, flint.fmpq) for v in pt)
        assert D.locate(pt) is cell


def check_sign_invariant(D, polys, seed=0, tries=3):
    rng = random.Random(seed)
    for cell in D.cells():
        check_cell(D, cell, rng, polys, tries)


def is_cad_tree(D):
    """Structural checks: stacks alternate sector/section, indices are consecutive,
    samples increase along each stack, dimensions add up."""
    for cell in [D.root] + list(D.cells()):
        kids = cell.children
        if kids is None:
            continue
        assert len(kids) % 2 == 1
        for j, c in enumerate(kids, start=1):
            assert c.index == cell.index + (j,)
            assert c.parent is cell
            assert c.is_section == (j % 2 == 0)
            assert c.dimension == cell.dimension + (j % 2)
            assert c.sample[:-1] == cell.sample
        for a, b in zip(kids, kids[1:]):
            assert a.sample[-1] < b.sample[-1]


# --------------------------------------------------------------------------- counts

def test_unit_circle_13_cells():
    """x^2 + y^2 - 1 in (x, y).  Level 1: the projection is {x - 1, x + 1} (discriminant
    -4(x^2 - 1), trailing coefficient x^2 - 1, leading coefficient 1), so the line splits
    into 5 cells: x < -1, x = -1, -1 < x < 1, x = 1, x > 1.  Over the outer sectors the
    circle has no point: 1 cell each; over x = -+1 one (double) root y = 0: 3 cells each;
    over the middle sector two roots: 5 cells.  1 + 3 + 5 + 3 + 1 = 13 cells in R^2
    (QEPCAD B reports the same 5 and 13)."""
    D = cad(["x^2 + y^2 - 1"], ["x", "y"])
    assert D.counts() == (5, 13)
    assert [len(c.children) for c in D.cells(1)] == [1, 3, 5, 3, 1]
    is_cad_tree(D)
    check_sign_invariant(D, [D.ring.parse("x^2 + y^2 - 1")])


def test_circle_samples_and_signs():
    """Sector samples are the simplest rationals: -2, 0, 2 on the line; over x = 0 the
    stack is y < -1, y = -1, -1 < y < 1, y = 1, y > 1 with samples -2, -1, 0, 1, 2."""
    D = cad(["x^2 + y^2 - 1"], ["x", "y"])
    line = list(D.cells(1))
    assert [c.sample[0] for c in line] == [-2, -1, 0, 1, 2]
    mid = line[2].children
    assert [c.sample[1] for c in mid] == [-2, -1, 0, 1, 2]
    f = D.ring.parse("x^2 + y^2 - 1")
    assert [c.signs([f])[0] for c in mid] == [1, 0, -1, 0, 1]
    assert [c.index for c in mid] == [(3, 1), (3, 2), (3, 3), (3, 4), (3, 5)]
    assert [c.dimension for c in mid] == [2, 1, 2, 1, 2]
    assert mid[1].section_polynomials and mid[0].section_polynomials == ()
    assert "x^2 + y^2 - 1" in str(D)


def test_sphere():
    """Sphere in (x, y, z): levels 1 and 2 are the circle's CAD (5 and 13 cells).  Over the
    13 cells the sphere has 0 roots outside the disc (8 cells: 1 each), a double root on the
    circle (4 cells: 3 each) and two roots inside (the open disc, 1 cell: 5):
    8 + 12 + 5 = 25 (QEPCAD B: 5, 13, 25)."""
    D = cad(["x^2 + y^2 + z^2 - 1"], ["x", "y", "z"])
    assert D.counts() == (5, 13, 25)
    is_cad_tree(D)


def test_product_xy():
    """x y in (x, y): factors x (level 1) and y (level 2).  Line: 3 cells; over each, y = 0
    splits the fiber in 3: 9 cells."""
    D = cad(["x y"], ["x", "y"])
    assert D.counts() == (3, 9)


def test_two_lines():
    """y - x and y + x: level 1 gets x (trailing coefficients -x, x; resultant -2x).  Over
    x < 0 and x > 0 two distinct roots (5 cells), over x = 0 the common root 0 (3 cells):
    3 and 13.  The section over x = 0 lies on both lines."""
    D = cad(["y - x", "y + x"], ["x", "y"])
    assert D.counts() == (3, 13)
    origin = list(D.cells(1))[1].children[1]
    assert origin.sample == (0, 0) and len(origin.section_polynomials) == 2


def test_parabola_lazard_and_mccallum():
    """y - x^2: Lazard's trailing coefficient -x^2 puts x = 0 into level 1 (3 cells, each
    with one root: 9); McCallum's projection of a monic polynomial is empty (1 cell on
    the line, 3 above it -- QEPCAD B's counts)."""
    assert cad(["y - x^2"], ["x", "y"]).counts() == (3, 9)
    D = cad(["y - x^2"], ["x", "y"], projection="mccallum")
    assert D.projection == "mccallum" and D.counts() == (1, 3)


def test_irrational_sections():
    """x^2 - 2: sections at -sqrt 2 and sqrt 2 (irrational samples), sectors at the
    simplest rationals -2, 0, 2."""
    D = cad(["x^2 - 2"], ["x"])
    cells = list(D.cells(1))
    assert len(cells) == 5
    assert [c.sample[0] for c in cells[::2]] == [-2, 0, 2]
    for c in cells[1::2]:
        v = c.sample[0]
        assert not isinstance(v, flint.fmpq)
        assert sign_at(D.ring.parse("x^2 - 2"), c.sample) == 0


def test_lifting_over_algebraic_point():
    """{x^2 - 2, y^2 - x} in (x, y): level 1 {x^2 - 2, x} (disc 4x, trailing coefficient -x):
    7 cells at -sqrt2, 0, sqrt2.  Over x < -sqrt2, x = -sqrt2, -sqrt2 < x < 0: y^2 = x < 0 has
    no root (1 cell each); x = 0: double root (3); 0 < x < sqrt2, x = sqrt2, x > sqrt2: two
    roots (5 each).  3 + 3 + 15 = 21; over x = sqrt2 the sections are y = -+2^(1/4)."""
    D = cad(["x^2 - 2", "y^2 - x"], ["x", "y"])
    assert D.counts() == (7, 21)
    over_sqrt2 = list(D.cells(1))[5]
    assert len(over_sqrt2.children) == 5
    check_sign_invariant(D, [D.ring.parse("x^2 - 2"), D.ring.parse("y^2 - x")])


def test_discriminant_needed():
    """y^2 + y - x: trailing coefficient -x and discriminant 1 + 4x give level-1 roots
    -1/4 and 0 (5 cells).  Stacks: x < -1/4 no root (1), x = -1/4 double root y = -1/2 (3),
    -1/4 < x < 0 two roots (5), x = 0 roots -1, 0 (5), x > 0 two roots (5): 19 cells."""
    D = cad(["y^2 + y - x"], ["x", "y"])
    assert D.counts() == (5, 19)
    assert [c.sample[0] for c in D.cells(1)][1] == flint.fmpq(-1, 4)
    check_sign_invariant(D, [D.ring.parse("y^2 + y - x")], tries=5)


def test_trivial_inputs():
    """No polynomials / constants / no real roots: one cell per level."""
    assert cad([], ["x", "y"]).counts() == (1, 1)
    assert cad(["3", "x^2 + 1"], ["x"]).counts() == (1,)
    D = cad(["x^2 + y^2 + 1"], ["x", "y"])
    assert D.counts() == (1, 1)
    # Lazard keeps the trailing coefficient x^2 + 1 (no real roots)
    assert [str(f) for f in D.levels[0]] == ["x^2 + 1"]


def test_input_errors():
    with pytest.raises(InputError):
        cad(["x + w"], ["x", "y"])
    with pytest.raises(InputError):
        cad(["x"], ["x"], projection="collins")
    with pytest.raises(InputError):
        cad(["x"], ["x", "y"], order=("x", "z"))


# --------------------------------------------------------------------------- ordering

def test_variable_order_and_brown():
    """x - y^2 in (x, y): level 1 {x} (trailing coefficient x, discriminant 4x): 3 + (1+3+5)
    = 3 and 9 cells.  In order (y, x) the polynomial is linear in x with constant leading
    coefficient and trailing coefficient -y^2 -> level 1 {y}: 3 and 9 as well but with a
    different level-1 factor.  Brown's heuristic projects the variable of least degree
    (x) first, i.e. puts it last: order (y, x)."""
    D = cad(["x - y^2"], ["x", "y"])
    assert D.counts() == (3, 9) and D.variables == ("x", "y")
    E = cad(["x - y^2"], ["x", "y"], order="brown")
    assert E.variables == ("y", "x")
    assert E.counts() == (3, 9)
    assert [str(f) for f in E.levels[0]] == ["y"]
    # samples are in the order used
    for c in E.cells(2):
        assert c.signs([E.ring.parse("x - y^2")])[0] in (-1, 0, 1)


# --------------------------------------------------------------------------- nullification

def test_nullification_xz_minus_yw():
    """x z - y w in (x, y, z, w) is the classic input for which McCallum's projection is not
    valid: the factor vanishes identically over the cells {x = y = 0} (a line in z, cell of
    dimension 1) and {y = z = 0}.  Lazard lifting must still give a sign-invariant CAD:
    checked by random points in every cell.  With McCallum's projection the nullification
    is harmless at the top level (f is 0 on the whole cylinder; only order-invariance one
    level up would be at stake); one level below the top, under v^2 - (x z - y w) in
    (x, y, z, w, v), it is not, and the McCallum option falls back to Lazard."""
    D = cad(["x z - y w"], ["x", "y", "z", "w"])
    f = D.ring.parse("x z - y w")
    null_dims = {c.dimension for c, g in D.nullifications}
    assert 1 in null_dims
    check_sign_invariant(D, [f], tries=1)
    M = cad(["x z - y w"], ["x", "y", "z", "w"], projection="mccallum")
    assert M.projection == "mccallum"
    check_sign_invariant(M, [M.ring.parse("x z - y w")], tries=1)
    polys = ["x z - y w", "v^2 - x z + y w"]
    M5 = cad(polys, ["x", "y", "z", "w", "v"], projection="mccallum")
    assert M5.projection == "lazard"
    L = cad(polys, ["x", "y", "z", "w", "v"], projection="mccallum", lazy=True)
    with pytest.raises(NotWellOriented):
        L.build()


def test_nullified_over_one_dimensional_cell():
    """f = (x - y) w + x z in (x, y, z, w): the coefficients in w are x - y and x z, so f
    vanishes identically in w over the lines {x = y = 0} (z free) and {x = y, z = 0}: the
    level-3 cells (2, 2, 1), (2, 2, 3) (x = y = 0, z < 0 resp. z > 0) and (1, 2, 2),
    (3, 2, 2) (x = y != 0, z = 0) have dimension 1, and (2, 2, 2) is the origin.
    Lazard valuation over (2, 2, 1) (sample (0, 0, -1)): f(0, y, z, w) = -y w is not
    identically zero (order 0 in x); at y = 0 it is, and d f / d y = -w is not: valuation
    polynomial -w (up to sign), one root w = 0 -> 3 cells.  The same for (2, 2, 3) and the
    origin.  Over (1, 2, 2) (sample (-1, -1, 0)): f(-1, y, z, w) = -(1 + y) w - z, at
    y = -1 it is -z (nonzero), at z = 0 it vanishes and d f / d z = x gives the constant
    -1: no root -> 1 cell; (3, 2, 2) likewise.  f is identically zero over all of them."""
    D = cad(["(x - y) w + x z"], ["x", "y", "z", "w"])
    f = D.ring.parse("(x - y) w + x z")
    got = {c.index: len(c.children) for c, g in D.nullifications}
    assert got == {(1, 2, 2): 1, (2, 2, 1): 3, (2, 2, 2): 3, (2, 2, 3): 3, (3, 2, 2): 1}
    for c, g in D.nullifications:
        for child in c.children:
            assert child.signs([f]) == (0,)
    check_sign_invariant(D, [f], tries=1)


def test_delineating_derivative_over_a_point():
    """f = x (z - 1) + y z (z - 1) + x y vanishes identically on the line x = y = 0; its
    order there is 1 except at z = 1, where both first partials (z - 1 + y and
    z (z - 1) + x) vanish.  The least-order derivative found must have order 1 and a root
    at z = 1, so that f is order-invariant on the sectors of the stack."""
    R = PolyRing(["x", "y", "z"])
    f = R.parse("x (z - 1) + y z (z - 1) + x y")
    q = flint.fmpq
    h, roots = delineating_derivative(f, (q(0), q(0)))
    assert h.total_degree() < f.total_degree()
    assert any(r == 1 for r in roots)
    assert all(sign_at(h, (q(0), q(0), r)) == 0 for r in roots)


def test_mccallum_with_nullification_over_a_point():
    """A McCallum CAD whose level-3 factor is nullified only over the point x = y = 0
    (a 0-cell below the top level) stays McCallum (modified lifting) and is sign-invariant."""
    polys = ["w^2 - x (z - 1) - y z (z - 1) - x y", "w - z"]
    D = cad(polys, ["x", "y", "z", "w"], projection="mccallum")
    assert D.projection == "mccallum"
    assert any(c.dimension == 0 for c, _g in D.nullifications)
    check_sign_invariant(D, [D.ring.parse(p) for p in polys], tries=1)


def test_lazard_valuation_polynomial():
    """f = x z - y w at (0, 0, 3): x-order 1 (df/dx = z, nonzero at x=0 as a polynomial),
    then z - in (y - 0) the constant coefficient z is nonzero, then z at z = 3 is the
    constant 3 in w: the valuation polynomial restricted to the fiber is a nonzero
    constant (no roots).  At (0, 0, 0): df/dx = z vanishes at z = 0, d/dz -> 1."""
    R = PolyRing(["x", "y", "z", "w"])
    f = R.parse("x z - y w")
    q = flint.fmpq
    g = lazard_valuation_polynomial(f, (q(0), q(0), q(3)))
    assert sign_at(g, (q(0), q(0), q(3), q(5))) != 0
    g0 = lazard_valuation_polynomial(f, (q(0), q(0), q(0)))
    assert sign_at(g0, (q(0), q(0), q(0), q(7))) != 0


# --------------------------------------------------------------------------- budgets & hooks

def test_budgets():
    with pytest.raises(BudgetExceeded) as e:
        cad(["x^2 + y^2 - 1"], ["x", "y"], max_cells=10)
    assert e.value.limit == 10
    assert cad(["x^2 + y^2 - 1"], ["x", "y"], max_cells=18).counts() == (5, 13)
    with pytest.raises(BudgetExceeded):
        cad(["x^2 + y^2 + z^2 - 1", "x y z - 1"], ["x", "y", "z"], timeout=0)



def test_budget_object_wins_over_timeout():
    with pytest.raises(BudgetExceeded, match="time \\(seconds\\) budget of 0 exhausted"):
        cad(["x^2 + y^2 + z^2 - 2", "x y z + 1"], ["x", "y", "z"], timeout=100, budget=Budget(0))
    D = cad(["x^2 + y^2 - 1"], ["x", "y"], timeout=0.0, budget=Budget(None))
    assert D.counts() == (5, 13)
    R = PolyRing(["x", "y", "z"])
    with pytest.raises(BudgetExceeded):
        projection_factors([R("x^2 + y^2 + z^2 - 3"), R("x z - y")], R, budget=Budget(0))


def test_import_does_not_pull_sympy():
    code = "import sys, cad.decomposition; assert 'sympy' not in sys.modules, 'sympy imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_lazy_lifting_and_locate():
    D = cad(["x^2 + y^2 - 1"], ["x", "y"], lazy=True)
    assert D.counts() == (0, 0)
    kids = D.lift(D.root)
    assert len(kids) == 5 and D.lift(D.root) is kids
    assert D.counts() == (5, 0)
    q = flint.fmpq
    c = D.locate((q(1, 2), q(-3, 4)))
    assert c.index == (3, 3)
    assert D.counts() == (5, 5)
    assert D.locate((q(1), q(0))).index == (4, 2)
    with pytest.raises(InputError):
        D.lift(c)


def test_should_lift_hook():
    """Lift only over the sectors of the line: 3 stacks of sizes 1, 5, 1."""
    D = cad(["x^2 + y^2 - 1"], ["x", "y"], should_lift=lambda c: c.is_sector)
    assert D.counts() == (5, 7)
    assert [c.children is None for c in D.cells(1)] == [False, True, False, True, False]
    assert len(list(D.leaves())) == 7 + 2


# --------------------------------------------------------------------------- hypothesis

@st.composite
def poly_sets(draw):
    nvars = draw(st.integers(2, 3))
    names = ["x", "y", "z"][:nvars]
    ring = PolyRing(names)
    polys = []
    nonzero = st.integers(-3, 3).filter(bool)
    for _ in range(draw(st.integers(1, 2 if nvars == 3 else 3))):
        d = {}
        maxdeg = 3 if nvars == 2 else 2  # 3 variables, degree 3: fibers over 2 algebraic
        for _t in range(draw(st.integers(2, 5))):  # coordinates cost seconds in cad.poly.fibre
            e = tuple(draw(st.integers(0, maxdeg)) for _ in names)
            if sum(e) <= maxdeg:
                d[e] = draw(nonzero)
        p = ring.ctx.from_dict(d)
        if not p.is_constant():
            polys.append(p)
    return ring, polys


@st.composite
def cubic_sets_3d(draw):
    """One or two sparse polynomials of total degree <= 3 in x, y, z (the acceptance's upper corner,
    kept to a few examples because fibers over two algebraic coordinates are slow)."""
    ring = PolyRing(["x", "y", "z"])
    polys = []
    nonzero = st.integers(-3, 3).filter(bool)
    for _ in range(draw(st.integers(1, 2))):
        d = {}
        for _t in range(draw(st.integers(2, 4))):
            e = tuple(draw(st.integers(0, 3)) for _ in range(3))
            if sum(e) <= 3:
                d[e] = draw(nonzero)
        p = ring.ctx.from_dict(d)
        if p.total_degree() == 3:
            polys.append(p)
    if not polys:
        reject()
    return ring, polys


@pytest.mark.parametrize("projection", ["lazard", "mccallum"])
@settings(max_examples=30, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(data=cubic_sets_3d(), seed=st.integers(0, 10**6))
def test_sign_invariance_random_cubics_3d(projection, data, seed):
    """As below, for degree-3 sets in three variables; with McCallum's projection too
    (modified lifting over nullifying points, a fall-back to Lazard when a nullification
    below the top level has positive dimension)."""
    ring, polys = data
    _bounded_check(polys, ring, seed, projection=projection)


@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(poly_sets(), st.integers(0, 10**6))
def test_sign_invariance_random(data, seed):
    """Random sets: each cell's random points have the sample's sign vector (for the input
    and all projection factors of its level), and section samples are roots of their
    section polynomials."""
    ring, polys = data
    _bounded_check(polys, ring, seed)


def _bounded_check(polys, ring, seed, **options):
    """Build the CAD and check every cell, in a child killed at the deadline (one flint call can
    outlast ``timeout=5``); an example too slow for a unit test is rejected (the algebraic back
    end's speed, not correctness)."""
    def build_and_check():
        D = cad(polys, ring, timeout=5, **options)
        is_cad_tree(D)
        rng = random.Random(seed)
        for cell in D.cells():
            check_cell(D, cell, rng, polys, tries=1)
    try:
        within_hard_limit(build_and_check, 5)
    except BudgetExceeded:
        reject()

