"""Deep witnesses seen by all layers together (netalgebra/decide/deep_nss.py): a partial-permutation
target, a graded Nullstellensatz identity over the whole product and a projection family; the
certificate verifies, and tampering with it makes ``verify`` fail."""

import copy
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cad.budget import Budget
from cad.errors import BudgetExceeded
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.certify import deep_not_closed_certificate
from netalgebra.decide.deep_nss import find_permutation_core, permutation_identity
from netalgebra.pattern import SparsityPattern

PRESET = "random:3,3,3,3:0.5:7"
P = [[0, 1, 0], [1, 0, 0], [0, 0, 1]]
P_ONES = [(0, 1), (1, 0), (2, 2)]


def _cert():
    pat = SparsityPattern.preset(PRESET)
    found = find_permutation_core(pat.masks, Budget(20), rotated=False)    # this kind: products of paths
    assert found is not None
    return deep_not_closed_certificate(pat, pat.masks, found)


def _matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def test_masks_of_the_example():
    """The pattern the docstring and docs/mathematics.md speak of."""
    assert SparsityPattern.preset(PRESET).masks == (((1, 1, 0), (1, 0, 1), (1, 0, 1)),
                                                    ((1, 1, 1), (1, 0, 1), (1, 0, 0)),
                                                    ((0, 1, 0), (1, 0, 1), (1, 1, 1)))


def test_hand_family_tends_to_P_within_the_masks():
    """The hand-found family (eps -> 0+) respects the masks and its product tends to P: the product
    is [[0,1,0],[1,eps,0],[0,0,1]] exactly."""
    masks = SparsityPattern.preset(PRESET).masks
    for eps in (Fraction(1, 10), Fraction(1, 1000)):
        W1 = [[1 / eps, 1, 0], [0, 0, 1], [-1 / eps, 0, 0]]
        W2 = [[0, 1, 0], [1, 0, 1], [1, 0, 0]]
        W3 = [[0, 1, 0], [0, 0, eps], [1, 0, 0]]
        for W, m in zip((W1, W2, W3), masks):
            assert all(m[i][j] or W[i][j] == 0 for i in range(3) for j in range(3))
        assert _matmul(W3, _matmul(W2, W1)) == [[0, 1, 0], [1, eps, 0], [0, 0, 1]]


def test_identity_for_P_and_none_for_an_attained_target():
    """P is not attained (docs/mathematics.md, "Whole-product identities": W3 W2 W1 = P makes every
    layer invertible, and entries (0,2), (1,2), (1,1) then force u = 0, b = 0, q = 0, so
    det W1 = 0): the search finds an identity (verified below).  A target that is attained has none (soundness, whatever
    the search): here the explicit product of 0/1 weights inside the masks."""
    masks = SparsityPattern.preset(PRESET).masks
    assert permutation_identity(masks, P_ONES) is not None
    W1 = [[1, 0, 0], [0, 0, 1], [0, 0, 0]]      # h0 <- x0, h1 <- x2
    W2 = [[0, 1, 0], [1, 0, 0], [1, 0, 0]]      # g0 <- h1, g1 <- h0, g2 <- h0
    W3 = [[0, 1, 0], [1, 0, 0], [1, 0, 0]]      # y0 <- g1, y1 <- g0, y2 <- g0
    for W, m in zip((W1, W2, W3), masks):
        assert all(m[i][j] or W[i][j] == 0 for i in range(3) for j in range(3))
    A = _matmul(W3, _matmul(W2, W1))
    assert A == [[1, 0, 0], [0, 0, 1], [0, 0, 1]]
    assert permutation_identity(masks, [(0, 0), (1, 2), (2, 2)]) is None


def test_found_and_verified():
    cert = _cert()
    assert cert["core"] == "deep permutation"
    assert cert["target"] == [[str(x) for x in row] for row in P]
    assert verify(cert).ok


def test_decide_answers_not_closed():
    v = decide(SparsityPattern.preset(PRESET), 10)
    assert v.status == "not_closed" and verify(v.certificate).ok


def test_tamper_mask():
    cert = _cert()
    bad = copy.deepcopy(cert)
    bad["pattern"]["masks"][1][0][0] = 0          # a weight of the family and of the identity disappears
    assert not verify(bad).ok
    bad = copy.deepcopy(cert)
    bad["pattern"]["masks"][0][0][2] = 1          # an extra edge: new paths, the identity no longer sums to 1
    assert not verify(bad).ok


def test_tamper_identity():
    cert = _cert()
    na = cert["non_attainment"]
    bad = copy.deepcopy(cert)
    del bad["non_attainment"]["multipliers"][0][0]          # a dropped term
    assert not verify(bad).ok
    bad = copy.deepcopy(cert)
    del bad["non_attainment"]["equations"][-1]              # a dropped equation
    del bad["non_attainment"]["multipliers"][-1]
    assert not verify(bad).ok
    bad = copy.deepcopy(cert)
    term = bad["non_attainment"]["multipliers"][0][0]
    term[0] = str(Fraction(term[0]) * 2)                     # a changed coefficient
    assert not verify(bad).ok
    assert na == cert["non_attainment"]


def test_tamper_target_and_family():
    cert = _cert()
    bad = copy.deepcopy(cert)
    bad["target"][2][2], bad["target"][2][1] = "0", "1"     # a moved witness
    assert not verify(bad).ok
    bad = copy.deepcopy(cert)
    name = next(iter(bad["escaping_family"]["weights"]))
    bad["escaping_family"]["weights"][name] = {"num": ["7"], "den": ["1"]}
    assert not verify(bad).ok


def test_closed_patterns_give_nothing():
    """On the dense pattern every matrix is attained: no identity, no witness."""
    masks = SparsityPattern.preset("dense:3,3,3,3").masks
    assert permutation_identity(masks, P_ONES) is None
    assert find_permutation_core(masks, Budget(10)) is None


@given(st.lists(st.integers(0, 1), min_size=27, max_size=27))
@settings(max_examples=25, deadline=None)
def test_witnesses_always_verify(bits):
    """Whenever the search returns a witness on a 3,3,3,3 pattern, its certificate verifies."""
    masks = tuple(tuple(tuple(bits[9 * l + 3 * i:9 * l + 3 * i + 3]) for i in range(3)) for l in range(3))
    try:
        found = find_permutation_core(masks, Budget(5))
    except BudgetExceeded:
        return
    if found is not None:
        cert = deep_not_closed_certificate(SparsityPattern(masks), masks, found)
        assert verify(cert).ok
