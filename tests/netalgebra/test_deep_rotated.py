"""Rotated-product equations for permutation targets of deep patterns (netalgebra/decide/deep_nss.py,
``rotated_identity``; checked by netalgebra/certificate/not_closed.py, ``_rotated_combination``):
``X Y = A`` with square ``X = W_L ... W_{k+1}``, ``Y = W_k ... W_1`` and ``A`` a permutation matrix
forces ``Y A^T X = I``.  The certificate verifies, tampering makes ``verify`` fail, and an attained
permutation never gets an identity."""

import copy
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cad.budget import Budget
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.certify import deep_not_closed_certificate
from netalgebra.decide.deep_nss import find_permutation_core, rotated_identity
from netalgebra.pattern import SparsityPattern

HAND = "random:2,2,2,2:0.7:40"           # docs/mathematics.md, "Rotated products"
DEEP = "random:4,4,4,4:0.6:9"            # unknown before the rotated equations


def _cert(preset):
    pat = SparsityPattern.preset(preset)
    found = find_permutation_core(pat.masks, Budget(20))
    assert found is not None and found[0] == "deep rotated permutation"
    return deep_not_closed_certificate(pat, pat.masks, found)


def _unnamed(cert):
    """A copy whose pattern has no preset name, so that changed masks are judged by the identity and
    the family (not by the name check)."""
    out = copy.deepcopy(cert)
    out["pattern"].pop("name", None)
    return out


def _matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def test_hand_example_masks_and_identity():
    """The example of the docs: x1 reaches hidden neuron h0 of layer 1 not at all, and h0 reaches
    only y0, whose 1 of the swap target A is at x1; so no path h0 -> y_r -> (A_rc = 1) x_c -> h0
    exists, the entry (0, 0) of Y A^T X = W1 A^T W3 W2 is identically 0, and ``g_00 = -1``: the
    identity is ``(-1) g_00 = 1``, with no other term (the other cut neurons lie on such cycles)."""
    masks = SparsityPattern.preset(HAND).masks
    assert masks == (((1, 0), (1, 1)), ((0, 1), (1, 1)), ((0, 1), (1, 0)))
    na = rotated_identity(masks, [(0, 1), (1, 0)])
    assert na["equations"] == [] and na["multipliers"] == []
    assert na["rotated"] == [{"cut": 1, "equations": [[0, 0]], "multipliers": [[["-1", []]]]}]
    cert = _cert(HAND)
    assert cert["target"] == [["0", "1"], ["1", "0"]]
    assert verify(_unnamed(cert)).ok
    bad = _unnamed(cert)
    bad["pattern"]["masks"][0][0][1] = 1      # x1 -> h0: the cycle h0 -> g1 -> y0 -> x1 -> h0 now exists
    assert not verify(bad).ok


def test_hand_example_family_by_hand():
    """The swap is a limit (t -> 0+): h1 = x0 + t x1, h0 = x0, g0 = h1, g1 = h1/t - h0/t, y0 = g1,
    y1 = g0, so y0 = x1 and y1 = x0 + t x1; exact products at two values of t."""
    masks = SparsityPattern.preset(HAND).masks
    for t in (Fraction(1, 10), Fraction(1, 1000)):
        W1 = [[1, 0], [1, t]]
        W2 = [[0, 1], [-1 / t, 1 / t]]
        W3 = [[0, 1], [1, 0]]
        for W, m in zip((W1, W2, W3), masks):
            assert all(m[i][j] or W[i][j] == 0 for i in range(2) for j in range(2))
        assert _matmul(W3, _matmul(W2, W1)) == [[0, 1], [1, t]]


def test_decide_answers_not_closed_on_a_deep_pattern():
    v = decide(SparsityPattern.preset(DEEP), 10)
    assert v.status == "not_closed" and v.certificate["core"] == "deep rotated permutation"
    assert v.certificate["non_attainment"]["rotated"]
    assert verify(v.certificate).ok


def _weights_of(terms):
    return [name for t in terms for name, _ in t[1]]


def test_tamper():
    """Changed mask, dropped term, dropped equation, changed coefficient, moved target entry, changed
    family weight, another cut, a cut outside the hidden layers: each makes ``verify`` fail."""
    cert = _cert(DEEP)
    assert verify(cert).ok
    na = cert["non_attainment"]
    q = next((q for q, p in enumerate(na["rotated"]) if any(_weights_of(m) for m in p["multipliers"])), 0)
    names = [n for m in na["rotated"][q]["multipliers"] for n in _weights_of(m)]
    bads = []
    for name in names[:1] + sorted(cert["escaping_family"]["weights"])[:1]:
        bad = _unnamed(cert)                                    # a changed mask: a weight of the identity or family removed
        l, i, j = (int(x) for x in name[1:].split("_"))
        bad["pattern"]["masks"][l - 1][i][j] = 0
        bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a dropped multiplier term
    del bad["non_attainment"]["rotated"][q]["multipliers"][0][0]
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a dropped rotated equation
    del bad["non_attainment"]["rotated"][q]["equations"][0]
    del bad["non_attainment"]["rotated"][q]["multipliers"][0]
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a changed coefficient
    term = bad["non_attainment"]["rotated"][q]["multipliers"][0][0]
    term[0] = str(Fraction(term[0]) * 2)
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a moved target entry: no longer a permutation
    A = bad["target"]
    r = next(r for r in range(4) if A[r][0] == "1")
    A[r][0], A[r][1] = "0", "1"
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a changed family weight
    name = next(iter(bad["escaping_family"]["weights"]))
    bad["escaping_family"]["weights"][name] = {"num": ["7"], "den": ["1"]}
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # another cut layer
    part = bad["non_attainment"]["rotated"][q]
    part["cut"] = 1 if part["cut"] != 1 else 2
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a cut outside the hidden layers
    bad["non_attainment"]["rotated"][q]["cut"] = 3
    bads.append(bad)
    for n, bad in enumerate(bads):
        assert not verify(bad).ok, n


def test_rotated_equations_need_a_square_cut():
    """A cut layer with more than n live neurons proves nothing (X_S, Y_S would not be square):
    rejected.  A dead neuron there changes nothing (its column of X or row of Y is 0): accepted."""
    cert = _unnamed(_cert(HAND))
    assert verify(cert).ok
    bad = copy.deepcopy(cert)
    masks = bad["pattern"]["masks"]
    masks[0].append([1, 1])                                     # layer 1 gets a third, live neuron
    masks[1] = [row + [1] for row in masks[1]]
    assert not verify(bad).ok
    dead = copy.deepcopy(cert)
    masks = dead["pattern"]["masks"]
    masks[0].append([1, 1])                                     # a third neuron with no outgoing edge
    masks[1] = [row + [0] for row in masks[1]]
    assert verify(dead).ok


def test_cut_through_the_live_neurons():
    """The hand example with a dead third neuron in layer 1 (it reads both inputs, feeds nothing):
    layer 1 has width 3 but 2 live neurons, so the cut there still gives ``g_00 = -1`` (the dead
    neuron's row of Y meets a zero column of X)."""
    base = SparsityPattern.preset(HAND).masks
    masks = (base[0] + ((1, 1),), tuple(row + (0,) for row in base[1]), base[2])
    na = rotated_identity(masks, [(0, 1), (1, 0)])
    assert na["rotated"] == [{"cut": 1, "equations": [[0, 0]], "multipliers": [[["-1", []]]]}]
    found = find_permutation_core(masks, Budget(20))
    assert found is not None and found[0] == "deep rotated permutation"
    assert verify(deep_not_closed_certificate(SparsityPattern(masks), masks, found)).ok


@given(st.integers(2, 3).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.integers(0, 1), min_size=3 * n * n, max_size=3 * n * n),
    st.lists(st.permutations(range(n)), min_size=3, max_size=3))))
@settings(max_examples=30, deadline=None)
def test_attained_permutations_have_no_identity(data):
    """Soundness: masks containing the supports of three permutation matrices P_l, so that their
    product A = P_3 P_2 P_1 (a permutation) is attained; then no identity may exist, whatever the
    search does.  And any witness found for the drawn pattern verifies."""
    n, bits, perms = data
    Ps = [[[int(perm[j] == i) for j in range(n)] for i in range(n)] for perm in perms]
    masks = tuple(tuple(tuple(bits[n * n * l + n * i + j] | Ps[l][i][j] for j in range(n)) for i in range(n))
                  for l in range(3))
    A = _matmul(Ps[2], _matmul(Ps[1], Ps[0]))
    assert rotated_identity(masks, [(r, c) for r in range(n) for c in range(n) if A[r][c]]) is None
    found = find_permutation_core(masks, Budget(5))
    if found is not None:
        assert verify(deep_not_closed_certificate(SparsityPattern(masks), masks, found)).ok


def test_rotated_equations_refused_next_to_a_training_set():
    """The training-set argument covers identities over block entries only."""
    cert = _cert(HAND)
    bad = copy.deepcopy(cert)
    bad["relu"] = {"block_rows": [0, 1], "block_cols": [0, 1], "points": [], "targets": [], "biases": {}}
    assert not verify(bad).ok
