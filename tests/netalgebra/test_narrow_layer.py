"""Narrow hidden layers: the transversal obstruction (a rank-|N| point whose row space meets the
neurons' input supports in too small a space is never a product), the collision family that
reaches such a point, verdicts on patterns whose answer follows from the lemma, and tamper
tests of the certificates (issue 15, acceptance 3)."""

import copy
import itertools
import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

import strategies
from netalgebra.certificate import verify
from netalgebra.certificate.narrow_layer import _rank, _reach, _space_meets_supports
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern as S
from netalgebra.theorems.structure import live_neurons


def product(masks, rng):
    n0 = len(masks[0][0])
    out = [[Fraction(int(i == j)) for j in range(n0)] for i in range(n0)]
    for m in masks:
        w = [[Fraction(rng.randint(-3, 3)) if x else Fraction(0) for x in row] for row in m]
        out = [[sum(w[i][k] * out[k][j] for k in range(len(out))) for j in range(n0)] for i in range(len(w))]
    return out


@settings(max_examples=80, deadline=None)
@given(strategies.mask_lists(max_depth=4, max_width=4, min_width=1), st.integers(0, 10 ** 6))
def test_products_never_show_the_obstruction(masks, seed):
    """The lemma, on products: at every hidden layer whose live count s is the product's rank,
    every set T of its live neurons has dim sum_(i in T) (rowspace ∩ E_(R_i)) >= |T|."""
    Y = product(masks, random.Random(seed))
    live = live_neurons(masks)
    for k in range(1, len(masks)):
        N = sorted(live[k])
        if not N or _rank(Y) != len(N):
            continue
        reach = _reach(masks, k)
        for size in range(1, len(N) + 1):
            for T in itertools.combinations(N, size):
                assert _space_meets_supports(Y, [reach[i] for i in T]) >= size


# W1 rows read {0, 1} and {1, 2}; W2, W3 dense, so X = W3 W2 is any 3x2 matrix and
# L_I = {X Z : rows of Z in E_01, E_12}.  A rank-2 A whose row space V contains e1 but neither
# e0 nor e2 is not attained: V ∩ E_01 = V ∩ E_12 = span(e1) holds both rows of Z (the lemma, T =
# {0, 1}).  It is a limit: rows e1 + t e0 and e1 + t e2, columns c/t + d and -c/t give
# c (e0 - e2)^T + d e1^T.  Not closed.
NARROW_ROWS = "masks:110,011|11,11|11,11,11"
NARROW_COLS = "masks:111,111|11,11|10,11,01"      # the transpose: the column-space version


def _space_contains(A, v):
    return _rank(A + [v]) == _rank(A)


@pytest.mark.parametrize("name,transpose", [(NARROW_ROWS, False), (NARROW_COLS, True)])
def test_narrow_layer_examples_are_not_closed(name, transpose):
    v = decide(S.preset(name), 30)
    assert v.status == "not_closed", v.reason
    c = json.loads(json.dumps(v.certificate))
    assert c["method"] == "narrow_layer" and verify(c).ok
    A = [[Fraction(x) for x in r] for r in c["target"]]
    if transpose:
        A = [list(r) for r in zip(*A)]
    e = [[Fraction(int(i == j)) for j in range(3)] for i in range(3)]
    # the hand proof above: rank 2, e1 in the row space, e0 and e2 not
    assert _rank(A) == 2 and _space_contains(A, e[1])
    assert not _space_contains(A, e[0]) and not _space_contains(A, e[2])


def test_wide_layers_give_no_narrow_witness():
    # no hidden layer narrower than min(n0, nL): the route does not apply
    from netalgebra.decide.narrow_layer import find_narrow_layer_witness
    from cad.budget import Budget
    assert find_narrow_layer_witness(S.preset("masks:11,11|11,11|11,11").masks, Budget.of(10)) is None


@pytest.mark.parametrize("name", [NARROW_ROWS, NARROW_COLS])
def test_narrow_layer_tamper(name):
    c = json.loads(json.dumps(decide(S.preset(name), 30).certificate))
    assert verify(c).ok
    na = c["non_attainment"]
    bad = copy.deepcopy(c)                       # a changed mask: the cut layer is no longer narrow
    bad["pattern"]["name"] = None
    m = bad["pattern"]["masks"]
    m[na["layer"] - 1].append([1] * len(m[na["layer"] - 1][0]))
    for r in m[na["layer"]]:
        r.append(1)
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # a moved witness
    t = bad["target"]
    t[0][0], t[1][1] = t[1][1], t[0][0]
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # another target, still of rank 2 (a product: attained)
    bad["target"] = [["1", "0", "0"], ["0", "1", "0"], ["0", "0", "0"]]
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # the other side
    bad["non_attainment"]["side"] = "cols" if na["side"] == "rows" else "rows"
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # a dropped neuron of T
    bad["non_attainment"]["neurons"] = na["neurons"][:1]
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # another layer
    bad["non_attainment"]["layer"] = 3 - na["layer"]
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # the poles dropped (then the limit moves or is lost)
    for f in bad["escaping_family"]["weights"].values():
        f["num"][0], f["den"] = "0", ["0", "1"]
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # garbage never raises
    bad["non_attainment"] = {"method": "narrow_layer_transversal", "layer": "x", "side": None, "neurons": [[]]}
    assert not verify(bad).ok
