"""deep_coordinate_subspace with peel leaves: elimination leaves that are rank-one peel proofs on
two-layer patterns reached by merges (netalgebra/theorems/subspace.py,
``deep_coordinate_subspace_with_peels``; the decider's step netalgebra/decide/peel_leaves.py).
The certificate verifies, its proof realises random targets exactly, tampering is refused, and the
search never proves a pattern known not to be closed."""

import copy
import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cad.budget import Budget
from cad.errors import BudgetExceeded
from netalgebra.certificate import FORMAT, verify
from netalgebra.decide.deep_cores import find_deep_core
from netalgebra.decide.peel_leaves import decide_by_peel_leaves
from netalgebra.pattern import SparsityPattern
from netalgebra.theorems.subspace import deep_coordinate_subspace, deep_coordinate_subspace_with_peels
from test_deep_reductions import product
from test_subspace import _realise

# 4,4,4,4 benchmark patterns (issue 15) that no earlier route of the decider closed within 10 s
# and whose proof needs peel leaves; found by the search, nothing about them is stored but their names
PEELED = ["random:4,4,4,4:0.7:83", "random:4,4,4,4:0.7:43"]
NOT_CLOSED = ["random:4,4,4,4:0.6:12", "random:4,4,4,4:0.7:92"]   # tests/data/known_not_closed/


def _masks(name):
    return SparsityPattern.preset(name).masks


def _cert(masks, th):
    return {"format": FORMAT, "verdict": "closed", "question": "linear",
            "pattern": {"masks": [list(map(list, m)) for m in masks]}, "theorem": th}


def _peel_cert(name):
    masks = _masks(name)
    th = deep_coordinate_subspace_with_peels(masks)
    assert th is not None, name
    assert any("peel" in c for c in th["hypotheses"]["constructions"]), name
    return _cert(masks, th)


def _realises_random_targets(masks, hyp, rng, rounds=10):
    for _ in range(rounds):
        M = [[Fraction(rng.choice([0, 0, 1, -2, 3])) if x else Fraction(0) for x in row] for row in hyp["support"]]
        ws = _realise(masks, hyp, 0, M)
        for m, w in zip(masks, ws):
            assert all(m[i][j] or w[i][j] == 0 for i in range(len(m)) for j in range(len(m[0])))
        assert product(ws) == M


def test_peeled_presets_verify_and_realise_random_targets():
    """Not proved without peel leaves; with them the certificate verifies and, followed step by step
    (row and column operations, merges undone, peel pivots split on the remainder's entries),
    gives weights within the masks whose product is exactly each random target."""
    for name in PEELED:
        masks = _masks(name)
        assert deep_coordinate_subspace(masks, None) is None
        cert = _peel_cert(name)
        assert verify(cert).ok
        _realises_random_targets(masks, cert["theorem"]["hypotheses"], random.Random(name))


def test_the_decider_step_answers_closed_with_a_self_checked_certificate():
    p = SparsityPattern.preset(PEELED[0])
    v = decide_by_peel_leaves(p, p.masks, Budget(None))
    assert v is not None and v.status == "closed"
    assert v.certificate["theorem"]["name"] == "deep_coordinate_subspace"
    assert verify(v.certificate).ok


def test_never_proves_a_pattern_known_not_closed():
    """Both patterns have verified not-closed certificates; the search, given time, proves nothing."""
    for name in NOT_CLOSED:
        p = SparsityPattern.preset(name)
        assert decide_by_peel_leaves(p, p.masks, Budget(4)) is None


def _peel_construction(h):
    return next(c for c in h["constructions"] if "peel" in c)


def _drop_peel_node(h, c):
    _peel_construction(h)["peel"].pop()


def _move_pivot(h, c):
    con = _peel_construction(h)
    node = next(n for n in con["peel"] if "pivot" in n["step"] or "row_segment" in n["step"]
                or "column_segment" in n["step"])
    key = next(k for k in ("pivot", "row_segment", "column_segment") if k in node["step"])
    node["step"][key][0] = (node["step"][key][0] + 1) % 4          # another neuron takes the step


def _forget_peel(h, c):
    _peel_construction(h).pop("peel")


def _widen_covers(h, c):
    con = _peel_construction(h)
    missing = next([r, col] for r in range(4) for col in range(4) if [r, col] not in con["covers"])
    con["covers"].append(missing)


def _drop_merge(h, c):
    _peel_construction(h)["merges"].pop()


def _cut_used_edge(h, c):
    """Remove an edge that the peel construction's first merge assigns, chosen so that the boolean
    product of the masks stays the same (so the support check alone cannot be what refuses it)."""
    from netalgebra.theorems.rational_cover import product_support

    merge = _peel_construction(h)["merges"][0]
    l = merge["hidden_layer"]
    K = product_support(c["pattern"]["masks"])
    for k, positions in merge["assignment"]:
        for r, col in positions:
            for layer, i, j in ((l - 1, k, col), (l, r, k)):    # neuron k reads col / feeds r
                masks = [list(map(list, m)) for m in c["pattern"]["masks"]]
                masks[layer][i][j] = 0
                if product_support(masks) == K:
                    c["pattern"]["masks"] = masks
                    return
    raise AssertionError("every assigned edge changes K")


def test_tampered_certificates_are_rejected():
    cert = _peel_cert(PEELED[0])
    for edit in (_drop_peel_node, _move_pivot, _forget_peel, _widen_covers, _drop_merge, _cut_used_edge):
        bad = copy.deepcopy(cert)
        edit(bad["theorem"]["hypotheses"], bad)
        assert not verify(bad).ok, edit.__name__


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(["3,3,3,3", "2,3,3,2", "3,4,4,3"]), st.sampled_from([0.5, 0.6, 0.7]),
       st.integers(0, 10_000))
def test_wherever_it_applies_it_verifies_realises_and_meets_no_deep_core(shape, density, seed):
    masks = _masks(f"random:{shape}:{density}:{seed}")
    try:
        th = deep_coordinate_subspace_with_peels(masks, Budget(5))
    except BudgetExceeded:               # (a search past its time proves nothing)
        return
    if th is None:
        return
    assert verify(_cert(masks, th)).ok
    assert find_deep_core(masks, None) is None
    _realises_random_targets(masks, th["hypotheses"], random.Random(seed), rounds=4)
