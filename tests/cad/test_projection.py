"""Tests of cad.decomposition.projection: Lazard's and McCallum's projection, Brown's ordering.

Expected sets are derived by hand in each docstring (never copied from the
implementation's output).
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cad.errors import InputError
from cad.decomposition.projection import (
    brown_order,
    lazard_projection,
    mccallum_projection,
    projection_factors,
)
from cad.poly import PolyRing, coefficients_in, normalize, poly_key, poly_level
from cad.poly.ops import irreducible_factors


def keys(polys):
    return {poly_key(normalize(p)) for p in polys}


R2 = PolyRing(["x", "y"])
R3 = PolyRing(["x", "y", "z"])


def P(ring, text):
    return ring.parse(text)


def test_circle():
    """x^2 + y^2 - 1 w.r.t. y: ldcf 1, trailing coeff x^2 - 1, disc = -4(x^2 - 1).
    Irreducible non-constant factors: x - 1, x + 1."""
    got = lazard_projection([P(R2, "x^2 + y^2 - 1")], R2, "y")
    assert keys(got) == keys([P(R2, "x - 1"), P(R2, "x + 1")])


def test_trailing_coefficient_is_lowest_nonzero():
    """x y^2 + (x - 2) y w.r.t. y: ldcf x; the constant coefficient is 0, so the trailing
    coefficient is x - 2; disc = (x - 2)^2.  Result {x, x - 2}.  (Factor y itself is a
    level-2 factor and y's projection adds nothing: its ldcf and tc are 1.)"""
    got = lazard_projection([P(R2, "x y^2 + (x - 2) y")], R2, "y")
    assert keys(got) == keys([P(R2, "x"), P(R2, "x - 2")])


def test_parabola_lazard_versus_mccallum():
    """y - x^2 w.r.t. y: Lazard keeps the trailing coefficient -x^2 -> {x};
    McCallum keeps coefficients from the leading one down to the first nonzero
    constant: ldcf is 1 -> nothing."""
    f = P(R2, "y - x^2")
    assert keys(lazard_projection([f], R2, "y")) == keys([P(R2, "x")])
    assert mccallum_projection([f], R2, "y") == []


def test_duplicates_up_to_sign_and_constants_removed():
    """{y - x, y + x}: tcs -x and x (same up to sign), ldcfs 1 (constants),
    res(y - x, y + x) = -2x (constant 2 dropped).  Result {x}."""
    got = lazard_projection([P(R2, "y - x"), P(R2, "y + x")], R2, "y")
    assert len(got) == 1
    assert keys(got) == keys([P(R2, "x")])


def test_two_circles_resultant():
    """Circles x^2 + y^2 - 1 and (x - 1)^2 + y^2 - 1: discriminants give x -+ 1 and x, x - 2;
    the resultant w.r.t. y of two monic-in-y quadratics differing by 2x - 1 is (2x - 1)^2,
    whose only irreducible factor is 2x - 1.  Trailing coefficients x^2 - 1, x^2 - 2x."""
    got = lazard_projection([P(R2, "x^2 + y^2 - 1"), P(R2, "x^2 - 2 x + y^2")], R2, "y")
    want = ["x - 1", "x + 1", "x", "x - 2", "2 x - 1"]
    assert keys(got) == keys([P(R2, w) for w in want])


def test_lower_level_factors_pass_through():
    """Factors without y are kept: {x^2 - 4, y} -> x - 2, x + 2 (and nothing from y)."""
    got = lazard_projection([P(R2, "x^2 - 4"), P(R2, "y")], R2, "y")
    assert keys(got) == keys([P(R2, "x - 2"), P(R2, "x + 2")])


def test_mccallum_coefficients_down_to_constant():
    """x y^2 + y + x^2 w.r.t. y: coefficients from the top: x, then 1 (constant: stop).
    disc = 1 - 4 x^3 (irreducible).  Result {x, 4 x^3 - 1}; Lazard gives the same here
    (tc = x^2 has factor x)."""
    f = P(R2, "x y^2 + y + x^2")
    want = keys([P(R2, "x"), P(R2, "4 x^3 - 1")])
    assert keys(mccallum_projection([f], R2, "y")) == want
    assert keys(lazard_projection([f], R2, "y")) == want


def test_unknown_variable_and_method():
    with pytest.raises(InputError, match="w"):
        lazard_projection([P(R2, "x")], R2, "w")
    with pytest.raises(InputError, match="collins"):
        projection_factors([P(R2, "x")], R2, "collins")


def test_projection_factors_sphere():
    """Sphere in (x, y, z): level 3 {x^2+y^2+z^2-1}; its projection: disc ~ x^2+y^2-1,
    tc the same; level 2 {x^2 + y^2 - 1}; level 1 {x - 1, x + 1}."""
    levels = projection_factors([P(R3, "x^2 + y^2 + z^2 - 1")], R3)
    assert keys(levels[2]) == keys([P(R3, "x^2 + y^2 + z^2 - 1")])
    assert keys(levels[1]) == keys([P(R3, "x^2 + y^2 - 1")])
    assert keys(levels[0]) == keys([P(R3, "x - 1"), P(R3, "x + 1")])


def test_coefficients_in():
    f = P(R2, "3 x y^2 - y + x^2")
    cs = coefficients_in(f, 1)
    assert [str(c) for c in cs] == [str(P(R2, "x^2")), str(P(R2, "-1")), str(P(R2, "3 x"))]


def test_brown_order():
    """Brown: the variable of lowest degree is projected first, i.e. placed last.
    In {x^3 + y z, z^2 + x}: deg x = 3, deg y = 1, deg z = 2 -> order (x, z, y)."""
    ps = [P(R3, "x^3 + y z"), P(R3, "z^2 + x")]
    assert brown_order(ps, ("x", "y", "z")) == ("x", "z", "y")
    # a fixed prefix (free variables) stays in front
    assert brown_order(ps, ("x", "y", "z"), fixed_prefix=("y",)) == ("y", "x", "z")


# --------------------------------------------------------------------------- properties

small = st.integers(-3, 3)


@st.composite
def random_polys(draw, nvars):
    ring = PolyRing(["x", "y", "z"][:nvars])
    out = []
    for _ in range(draw(st.integers(1, 3))):
        terms = draw(st.lists(st.tuples(*[st.integers(0, 2)] * nvars, small), min_size=1, max_size=4))
        p = ring.ctx.from_dict({}) 
        for *e, c in terms:
            if sum(e) <= 3:
                p += ring.ctx.from_dict({tuple(e): c})
        out.append(p)
    return ring, out


@settings(max_examples=30)
@given(random_polys(3))
def test_levels_closed_under_projection(data):
    """Every factor of the projection of level k lies in the union of the lower levels,
    and every level-k entry is irreducible, normalised and of level k."""
    ring, polys = data
    levels = projection_factors(polys, ring)
    have = set()
    for k, fs in enumerate(levels, start=1):
        for f in fs:
            assert poly_level(f) == k
            assert normalize(f) is f or poly_key(normalize(f)) == poly_key(f)
            assert len(irreducible_factors(f)) == 1
            have.add(poly_key(f))
    for k in range(len(levels), 1, -1):
        if levels[k - 1]:
            for f in lazard_projection(levels[k - 1], ring, k - 1):
                assert poly_key(f) in have
    # every input factor is present
    for p in polys:
        for f in irreducible_factors(p):
            assert poly_key(f) in have
