"""Deep witnesses by support propagation at a cut (netalgebra/decide/support_witness.py) and their
checker (netalgebra/certificate/support_propagation.py): an end-to-end verdict, tamper tests, and
the proved-missing supports against z3 (a test extra) on small patterns."""

import copy
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cad.budget import Budget
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.support_witness import closure, cut_terms, find_support_core, prove_missing
from netalgebra.pattern import SparsityPattern

# full generic rank, unknown before this route: no deep 2x2/3x2/3x3 core, no partial-permutation
# identity; the 0/1 target with 0s at (1,0), (1,1), (2,0), (2,1), (3,0) is a limit and, at the cut
# after hidden layer 1, no C D has its zero pattern
EXAMPLE = "random:4,4,4,4:0.6:61"

_CACHE = {}


def _certificate(name=EXAMPLE):
    """A copy of ``name``'s not-closed certificate (decided once per session)."""
    if name not in _CACHE:
        v = decide(SparsityPattern.preset(name), Budget(60))
        assert v.status == "not_closed"
        _CACHE[name] = v.certificate
    return copy.deepcopy(_CACHE[name])


def _witness(cert):
    """The certificate object holding target, family and non-attainment (possibly nested)."""
    while "non_attainment" not in cert:
        cert = cert["inner"]
    return cert


def test_example_is_not_closed_by_a_verified_support_witness():
    cert = _certificate()
    w = _witness(cert)
    assert w["core"] == "deep support" and w["non_attainment"]["method"] == "support_propagation"
    assert verify(cert).ok


def test_moved_cut_is_rejected():
    cert = _certificate()
    na = _witness(cert)["non_attainment"]
    na["cut"] = 3 - na["cut"]           # the other hidden layer: no contradiction there
    assert not verify(cert).ok


def test_cut_outside_the_hidden_layers_is_rejected():
    for h in (0, 3, "1", None):
        cert = _certificate()
        _witness(cert)["non_attainment"]["cut"] = h
        assert not verify(cert).ok


def test_changed_target_is_rejected():
    cert = _certificate()
    w = _witness(cert)
    A = w["target"]
    r, c = next((r, c) for r, row in enumerate(A) for c, x in enumerate(row) if x == "1")
    A[r][c] = "0"
    assert not verify(cert).ok


def test_added_edge_is_rejected():
    """One more edge in the first layer gives more terms at the cut; the stored tree no longer closes
    (or the family no longer tends to the target): the certificate must fail."""
    cert = _certificate()
    masks = cert["pattern"]["masks"]
    i, j = next((i, j) for i, row in enumerate(masks[0]) for j, x in enumerate(row) if not x)
    masks[0][i][j] = 1
    assert not verify(cert).ok


def test_bad_split_variable_and_unknown_method_are_rejected():
    cert = _certificate()
    _witness(cert)["non_attainment"]["tree"] = {"split": ["X", 0, 0], "zero": {"contradiction": True},
                                                "nonzero": {"contradiction": True}}
    assert not verify(cert).ok
    cert = _certificate()
    _witness(cert)["non_attainment"]["method"] = "support"
    assert not verify(cert).ok


def test_leaf_without_contradiction_is_rejected():
    """A target the pattern attains (all ones on K) gets no proof, and a forged one-leaf tree fails."""
    masks = SparsityPattern.preset(EXAMPLE).masks
    terms = cut_terms(masks, 1)
    assert closure(terms, set(terms), set(), set()) is not None
    assert prove_missing(terms, set(terms)) is None
    cert = _certificate()
    w = _witness(cert)
    w["target"] = [["1" if (r, c) in terms else "0" for c in range(4)] for r in range(4)]
    assert not verify(cert).ok


def test_split_tree_is_walked_on_both_branches():
    """A tree that splits: each branch must close; dropping a branch's contradiction fails."""
    cert = _certificate()
    na = _witness(cert)["non_attainment"]
    v = ["D", 0, 0]
    na["tree"] = {"split": v, "zero": copy.deepcopy(na["tree"]), "nonzero": copy.deepcopy(na["tree"])}
    assert verify(cert).ok              # both branches keep the proof's assumptions-free contradiction
    na["tree"]["nonzero"] = {"split": v}
    assert not verify(cert).ok



def _attained_by_z3(masks, support, values):
    import z3 as _z3
    W = [[[_z3.Real(f"w{l}_{i}_{j}") if m[i][j] else 0 for j in range(len(m[0]))] for i in range(len(m))]
         for l, m in enumerate(masks)]
    P = W[0]
    for M in W[1:]:
        P = [[sum(M[i][k] * P[k][j] for k in range(len(P))) for j in range(len(P[0]))] for i in range(len(M))]
    s = _z3.Solver()
    s.set("timeout", 20000)
    for i, row in enumerate(P):
        for j, x in enumerate(row):
            s.add(x == (values[(i, j)] if (i, j) in support else 0))
    return s.check()


def _random_masks(rng):
    widths = [rng.choice([2, 3]) for _ in range(4)]
    return [[[int(rng.random() < 0.6) for _ in range(widths[l])] for _ in range(widths[l + 1])] for l in range(3)]


def _proved(masks):
    for h in (1, 2):
        terms = cut_terms(masks, h)
        K = sorted(terms)
        for k in (1, 2):
            for Z in itertools.combinations(K, k):
                support = set(K) - set(Z)
                if prove_missing(terms, support) is not None:
                    yield support


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10 ** 6))
def test_proved_missing_supports_are_not_attained_by_z3(seed):
    """On random 3-layer patterns of width 2-3: every support the propagation proves missing (at
    either cut, at most two zero entries) is unsatisfiable for z3 with random non-zero values."""
    pytest.importorskip("z3")
    rng = random.Random(seed)
    masks = _random_masks(rng)
    for support in _proved(masks):
        values = {e: rng.choice([1, -1, 2, 3]) for e in support}
        assert str(_attained_by_z3(masks, support, values)) != "sat"


def test_proofs_occur_on_small_patterns_and_z3_agrees():
    """The property above is not vacuous: among 20 fixed seeds some supports are proved missing, and
    z3 finds every one of them unsatisfiable."""
    pytest.importorskip("z3")
    checked = 0
    for seed in range(20):
        rng = random.Random(seed)
        masks = _random_masks(rng)
        for support in _proved(masks):
            values = {e: rng.choice([1, -1, 2, 3]) for e in support}
            assert str(_attained_by_z3(masks, support, values)) == "unsat"
            checked += 1
    assert checked >= 10


def test_search_returns_none_for_a_dense_pattern():
    masks = [[[1] * 3 for _ in range(3)] for _ in range(3)]        # every matrix: nothing is missing
    assert find_support_core(masks, Budget(10)) is None


# not closed, unknown before: a support witness with no escaping family found; the target is a limit
# because the plain plans realise V_K off a hypersurface (a dense realisation)
DENSE = "random:4,4,4,4:0.5:62"


def _dense_certificate():
    return _certificate(DENSE)


def test_dense_realisation_certificate_verifies():
    cert = _dense_certificate()
    w = _witness(cert)
    assert "dense_realisation" in w and "escaping_family" not in w
    assert verify(cert).ok


def test_dense_realisation_with_a_changed_weight_is_rejected():
    cert = _dense_certificate()
    weights = _witness(cert)["dense_realisation"]["weights"]
    name = sorted(weights)[0]
    weights[name] = [[["2", []]], [["1", []]]] if weights[name] != [[["2", []]], [["1", []]]] else [[["3", []]], [["1", []]]]
    assert not verify(cert).ok


def test_dense_realisation_with_a_zero_denominator_or_a_family_beside_it_is_rejected():
    cert = _dense_certificate()
    weights = _witness(cert)["dense_realisation"]["weights"]
    name = sorted(weights)[0]
    weights[name] = [weights[name][0], []]
    assert not verify(cert).ok
    cert = _dense_certificate()
    _witness(cert)["escaping_family"] = {"parameter": "t", "limit": "0+", "weights": {}}
    assert not verify(cert).ok


def test_dense_realisation_does_not_reach_a_target_outside_K():
    cert = _dense_certificate()
    w = _witness(cert)
    masks = cert["pattern"]["masks"]
    from netalgebra.theorems.rational_cover import product_support
    K = set(product_support(masks))
    outside = next(((i, j) for i in range(4) for j in range(4) if (i, j) not in K), None)
    if outside is None:
        pytest.skip("K is full")
    w["target"][outside[0]][outside[1]] = "1"
    assert not verify(cert).ok
