"""Twin merge (two hidden neurons with the same single input, or the same single output, are
one neuron; L_I unchanged): the lemma's constructions, verdicts on patterns whose answer is
known from the mathematics, and tamper tests of the certificates (issue 15, acceptance 3)."""

import copy
import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

import strategies
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.twins import merge_twins
from netalgebra.pattern import SparsityPattern as S
from test_deep_reductions import product


def random_weights(masks, rng):
    return [[[Fraction(rng.randint(-4, 4), rng.randint(1, 3)) if x else Fraction(0) for x in row] for row in m]
            for m in masks]


def unit(vector):
    ones = [i for i, x in enumerate(vector) if x]
    return ones[0] if len(ones) == 1 else None


def transpose(m):
    return [list(r) for r in zip(*m)]


def reversed_transposed(ms):
    return [transpose(m) for m in reversed(ms)]


def on_transpose(construction, masks, w, step):
    """An "out" step is the "in" step of the transposed pattern (layers reversed, masks transposed)."""
    wt = construction(reversed_transposed(masks), reversed_transposed(w),
                      dict(step, side="in", hidden_layer=len(masks) - step["hidden_layer"]))
    return reversed_transposed(wt)


def merged_weights(masks, w, step):
    """Weights of the merged pattern with the same product (the lemma's "subset" direction)."""
    if step["side"] == "out":
        return on_transpose(merged_weights, masks, w, step)
    l, (k0, k1) = step["hidden_layer"], step["neurons"]
    first, second = [list(r) for r in w[l - 1]], [list(r) for r in w[l]]
    a = unit(masks[l - 1][k0])
    for r in second:                       # v = W2[:, k0] W1[k0, a] + W2[:, k1] W1[k1, a], W1'[k0, a] = 1
        r[k0] = r[k0] * first[k0][a] + r[k1] * first[k1][a]
        del r[k1]
    first[k0] = [Fraction(int(j == a)) for j in range(len(first[k0]))]
    del first[k1]
    return w[:l - 1] + [first, second] + w[l + 1:]


def unmerged_weights(masks, w_merged, step):
    """Weights of the original pattern with the product of merged weights (the "superset" direction)."""
    if step["side"] == "out":
        return on_transpose(unmerged_weights, masks, w_merged, step)
    l, (k0, k1) = step["hidden_layer"], step["neurons"]
    a = unit(masks[l - 1][k0])
    first = [list(r) for r in w_merged[l - 1]]
    second = [list(r) for r in w_merged[l]]
    v = [r[k0] * first[k0][a] for r in second]
    first[k0] = [Fraction(int(j == a)) for j in range(len(first[k0]))]
    first.insert(k1, list(first[k0]))
    for i, r in enumerate(second):
        s0, s1 = masks[l][i][k0], masks[l][i][k1]
        r[k0] = v[i] if s0 else Fraction(0)
        r.insert(k1, v[i] if (s1 and not s0) else Fraction(0))
    return w_merged[:l - 1] + [first, second] + w_merged[l + 1:]


def supported(masks, w):
    return all(x == 0 or m[i][j] for m, wl in zip(masks, w) for i, row in enumerate(wl) for j, x in enumerate(row))


@settings(max_examples=80, deadline=None)
@given(strategies.mask_lists(max_depth=4, max_width=4, min_width=1), st.integers(0, 10 ** 6))
def test_twin_merge_keeps_the_set_of_products(masks, seed):
    """Each step: original weights -> merged weights with the same product, and merged weights ->
    original weights with the same product, both supported on their masks (exact arithmetic)."""
    rng = random.Random(seed)
    steps, final = merge_twins(masks)
    cur = [list(map(list, m)) for m in masks]
    for step in steps:
        w = random_weights(cur, rng)
        nxt = _apply(cur, step)
        w_m = merged_weights(cur, w, step)
        assert supported(nxt, w_m) and product(w_m) == product(w)
        w_m = random_weights(nxt, rng)
        w_o = unmerged_weights(cur, w_m, step)
        assert supported(cur, w_o) and product(w_o) == product(w_m)
        cur = nxt
    assert tuple(tuple(map(tuple, m)) for m in cur) == final


def _apply(masks, step):
    """The step on the masks, written out here from the lemma (independently of the module)."""
    l, (k0, k1) = step["hidden_layer"], step["neurons"]
    first, second = [list(r) for r in masks[l - 1]], [list(r) for r in masks[l]]
    if step["side"] == "in":
        assert unit(first[k0]) is not None and unit(first[k0]) == unit(first[k1])
        for r in second:
            r[k0] |= r[k1]
    else:
        column = [r[k0] for r in second]
        assert unit(column) is not None and unit(column) == unit([r[k1] for r in second])
        first[k0] = [x | y for x, y in zip(first[k0], first[k1])]
    del first[k1]
    for r in second:
        del r[k1]
    return masks[:l - 1] + [first, second] + masks[l + 1:]


def test_no_twins_no_steps():
    assert merge_twins(S.preset("random:4,4,4,4:0.6:8").masks)[0] == []


# 3,3,3,3:0.7:16: W1 dense, hidden neurons 1, 2 of layer 2 read only neuron 1 of layer 1.  Then
# Y = u a^T + d b^T with u_0 = 0 (W3[0, 0] is masked), so L_I = {det Y = 0}: every singular Y has a
# column space of dimension <= 2 meeting {u_0 = 0}; closed.
CLOSED_BY_TWINS = "random:3,3,3,3:0.7:16"
# twins 1, 2 of hidden layer 1 (single input 1); merged: W1' = W2' = upper, W3 = lower, so
# L_I = {L U} for 2x2 lower L and upper U (a product of two upper ones is any upper one).  Y = L U
# is attained iff not (Y11 = 0, Y12 != 0, Y21 != 0): Y11 = L11 U11 = 0 kills Y12 = L11 U12 or
# Y21 = L21 U11.  [[0, 1], [1, 0]] is the limit of L U, L = [[1, 0], [1/t, 1]], U = [[t, 1], [0, -1/t]]
# (= [[t, 1], [1, 0]]); not closed.
NOT_CLOSED_BY_TWINS = "masks:11,01,01|110,011|10,11"


def test_det_zero_example_is_closed_through_twins():
    v = decide(S.preset(CLOSED_BY_TWINS), 30)
    assert v.status == "closed", v.reason
    c = json.loads(json.dumps(v.certificate))
    assert c["method"] == "twin_merge" and verify(c).ok


def test_lu_behind_twins_is_not_closed():
    assert merge_twins(S.preset(NOT_CLOSED_BY_TWINS).masks)[1] == (((1, 1), (0, 1)), ((1, 1), (0, 1)),
                                                                    ((1, 0), (1, 1)))
    v = decide(S.preset(NOT_CLOSED_BY_TWINS), 30)
    assert v.status == "not_closed", v.reason
    c = json.loads(json.dumps(v.certificate))
    assert c["method"] == "twin_merge" and verify(c).ok
    A = [[Fraction(x) for x in r] for r in c["target"]]
    assert A[0][0] == 0 and A[0][1] != 0 and A[1][0] != 0       # unattained, by the lemma above


@pytest.mark.parametrize("name", [CLOSED_BY_TWINS, NOT_CLOSED_BY_TWINS])
def test_twin_certificate_tamper(name):
    c = json.loads(json.dumps(decide(S.preset(name), 30).certificate))
    assert verify(c).ok
    bad = copy.deepcopy(c)                       # a changed mask of the original pattern: k1 no twin
    step = c["twin_merge"]["steps"][0]
    l, k1 = step["hidden_layer"], step["neurons"][1]
    m = bad["pattern"]["masks"]
    if step["side"] == "in":
        m[l - 1][k1] = [1] * len(m[l - 1][k1])
    else:
        for r in m[l]:
            r[k1] = 1
    bad["pattern"]["name"] = None
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # a changed mask of the merged pattern
    m = bad["twin_merge"]["certificate"]["pattern"]["masks"][-1]
    m[0][0] = 1 - m[0][0]
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # a dropped step
    bad["twin_merge"]["steps"].pop()
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # a step on neurons that are not twins
    step = bad["twin_merge"]["steps"][0]
    step["neurons"] = [step["neurons"][0], 3 - step["neurons"][0] - step["neurons"][1]]
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # the other side
    step = bad["twin_merge"]["steps"][0]
    step["side"] = "out" if step["side"] == "in" else "in"
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # another verdict
    bad["verdict"] = "closed" if c["verdict"] == "not_closed" else "not_closed"
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                       # garbage steps never raise
    bad["twin_merge"]["steps"] = [{"side": "in", "hidden_layer": 99, "neurons": ["x", None]}]
    assert not verify(bad).ok
    if "target" in c:
        bad = copy.deepcopy(c)                   # a moved witness
        t = bad["twin_merge"]["certificate"]["target"]
        t[0][0], t[0][1] = t[0][1], t[0][0]
        assert not verify(bad).ok
        bad = copy.deepcopy(c)                   # an outer target that is not the inner one
        bad["target"][1][1] = "5"
        assert not verify(bad).ok


@st.composite
def twin_patterns(draw):
    """Masks of widths 2, 3, 2, 2 whose first hidden layer has two neurons reading one input."""
    bits = lambda n: draw(st.lists(st.integers(0, 1), min_size=n, max_size=n))
    a = draw(st.integers(0, 1))
    third = bits(2)
    first = [[int(j == a) for j in range(2)], [int(j == a) for j in range(2)], third]
    second = [bits(3) for _ in range(2)]
    last = [bits(2) for _ in range(2)]
    return (first, second, last)


@settings(max_examples=12, deadline=None)
@given(twin_patterns())
def test_twin_merge_agrees_with_cad_on_the_original(masks):
    """The CAD route on the original pattern and on the twin-merged one give the same verdict
    wherever both answer (the lemma says the two linear counterparts are the same set)."""
    from cad.budget import Budget
    from cad.errors import BudgetExceeded
    from netalgebra.decide.cad_route import decide_by_cad

    def by_cad(m):
        try:
            return decide_by_cad(S(m), tuple(tuple(map(tuple, x)) for x in m), Budget.of(5))[0]
        except BudgetExceeded:
            return None

    steps, merged = merge_twins(masks)
    assert steps
    original, reduced = by_cad(masks), by_cad(merged)
    if original is not None and reduced is not None:
        assert original.status == reduced.status


@pytest.mark.parametrize("name", [NOT_CLOSED_BY_TWINS, "masks:11,10,10|110,101|11,11"])
def test_twin_verdicts_agree_with_cad_on_the_original(name):
    from cad.budget import Budget
    from netalgebra.decide.cad_route import decide_by_cad

    p = S.preset(name)
    by_cad, _ = decide_by_cad(p, p.masks, Budget.of(60))
    v = decide(p, 30)                  # through the twin merge, or a theorem before it
    assert by_cad is not None and by_cad.status == v.status
