"""``deep_subchain_cover``: a run of layers proved a coordinate subspace by a rational cover, replaced
by one layer, and the reduced pattern closed by a theorem (issue 15, acceptance 3): verdicts,
tamper tests of the certificates, and agreement with the CAD route on small patterns."""

import copy
import json

from hypothesis import given, settings

import strategies

from cad.budget import Budget
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.blocks import live_block
from netalgebra.pattern import SparsityPattern as S
from netalgebra.theorems.rational_cover import full_dimensional
from netalgebra.theorems.subchain_cover import reduced_pattern, subchain_cover

# random:4,4,4,4:0.7:3: hidden layer 2 has three live neurons, so L_I lies in {det Y = 0} (codimension
# one in V_K); layers 1..2 have products V_U (a rational cover of the run) and the reduced pattern,
# one hidden layer of three neurons, is closed by support groups with determinantal peeling.
RANK_DEFICIENT = "random:4,4,4,4:0.7:3"


def live_masks(name):
    m = tuple(tuple(map(tuple, x)) for x in S.preset(name).masks)
    found = live_block(m)
    return found[2] if found else m


def certificate(masks):
    th = subchain_cover(masks)
    assert th is not None
    return {"format": "netalgebra-certificate/1", "verdict": "closed", "question": "linear",
            "pattern": {"name": None, "masks": [[list(r) for r in x] for x in masks]},
            "theorem": th, "argument": th["statement"]}


def test_reduced_pattern():
    m = (((1, 0), (0, 1)), ((1, 1), (0, 1)), ((1, 0), (1, 1)))
    assert reduced_pattern(m, 0, 1) == (((1, 1), (0, 1)), (((1, 1), (0, 1)), ((1, 0), (1, 1))))
    assert reduced_pattern(m, 1, 2)[0] == ((1, 1), (1, 1))


def test_rank_deficient_pattern_is_closed():
    masks = live_masks(RANK_DEFICIENT)
    assert not full_dimensional(masks)
    c = json.loads(json.dumps(certificate(masks)))
    hyp = c["theorem"]["hypotheses"]
    assert (hyp["first_layer"], hyp["last_layer"]) == (1, 2) and hyp["then"]["name"] == "shallow_support_groups"
    assert verify(c).ok
    v = decide(S.preset(RANK_DEFICIENT), 60)
    assert v.status == "closed", v.reason
    inner = v.certificate["block"]["certificate"]
    assert inner["theorem"]["name"] == "deep_subchain_cover" and verify(json.loads(json.dumps(v.certificate))).ok


def test_subchain_cover_tamper():
    c = json.loads(json.dumps(certificate(live_masks(RANK_DEFICIENT))))
    assert verify(c).ok
    hyp = lambda x: x["theorem"]["hypotheses"]
    cases = []
    bad = copy.deepcopy(c)
    hyp(bad)["first_layer"], hyp(bad)["last_layer"] = 2, 3          # the other run: its cover is not this tree
    cases.append(bad)
    bad = copy.deepcopy(c)
    hyp(bad)["last_layer"] = 3                                        # all layers
    cases.append(bad)
    bad = copy.deepcopy(c)
    hyp(bad)["depth"] = 4
    cases.append(bad)
    bad = copy.deepcopy(c)                                            # a weight of the root changed
    w = hyp(bad)["cover"]["tree"]["weights"]
    name = sorted(w)[0]
    w[name][0] = [["7", []]]
    cases.append(bad)
    bad = copy.deepcopy(c)                                            # a child dropped
    tree = hyp(bad)["cover"]["tree"]
    if tree.get("children"):
        tree["children"].pop()
        cases.append(bad)
    bad = copy.deepcopy(c)                                            # the nested theorem's name
    hyp(bad)["then"]["name"] = "deep_rational_cover"
    cases.append(bad)
    bad = copy.deepcopy(c)
    del hyp(bad)["then"]
    cases.append(bad)
    bad = copy.deepcopy(c)
    hyp(bad)["cover"] = "x"
    cases.append(bad)
    bad = copy.deepcopy(c)                                            # an edge of the run removed
    m = bad["pattern"]["masks"][0]
    r, j = next((r, j) for r, row in enumerate(m) for j, x in enumerate(row) if x)
    m[r][j] = 0
    cases.append(bad)
    bad = copy.deepcopy(c)                                            # the nested theorem's hypotheses
    hyp(bad)["then"]["hypotheses"] = {}
    cases.append(bad)
    for k, bad in enumerate(cases):
        assert not verify(bad).ok, k


@settings(max_examples=25, deadline=None)
@given(strategies.mask_lists(max_depth=3, max_width=3, min_width=1))
def test_agrees_with_cad(masks):
    """Wherever the sub-chain cover applies to a small pattern, its certificate verifies and the CAD
    route on the whole pattern does not find it not closed."""
    masks = tuple(tuple(map(tuple, m)) for m in masks)
    if len(masks) < 3 or subchain_cover(masks) is None:
        return
    assert verify(certificate(masks)).ok
    assert decide(S(masks), 10, methods=("cad",)).status in ("closed", "unknown")


def test_not_closed_patterns_get_no_cover():
    """Patterns of the 3,3,3,3 benchmark whose run has full generic rank and whose reduced pattern a
    theorem closes, but which are not closed (block witnesses): the run's products are not V_U, and
    the search finds no tree (a tree would be a proof of the opposite verdict)."""
    for name in ("random:3,3,3,3:0.5:40", "random:3,3,3,3:0.6:40"):
        assert decide(S.preset(name), 30).status == "not_closed"
        assert subchain_cover(live_masks(name)) is None


# random:4,4,4,4:0.6:86 (full generic rank): the whole pattern's rational-cover search finds no tree,
# but layers 2..3 have one and the reduced two-layer pattern, which no theorem closes, has its own
# rational cover; so L_I = L_{I'} = V_{K'}, closed
FULL_RANK = "random:4,4,4,4:0.6:86"


_FOUND = []


def _full_rank_certificate():
    """A copy of the fragment's certificate (searched once: the run 1..2's tree search spends its share)."""
    masks = live_masks(FULL_RANK)
    assert full_dimensional(masks)
    if not _FOUND:
        _FOUND.append(subchain_cover(masks, Budget(10), reduced_cover=True))
    th = copy.deepcopy(_FOUND[0])
    assert th is not None
    return json.loads(json.dumps({"format": "netalgebra-certificate/1", "verdict": "closed",
                                  "question": "linear", "pattern": {"name": None, "masks": [[list(r) for r in x]
                                                                                           for x in masks]},
                                  "theorem": th, "argument": th["statement"]}))


def test_full_rank_pattern_is_closed_by_a_reduced_rational_cover():
    c = _full_rank_certificate()
    hyp = c["theorem"]["hypotheses"]
    assert (hyp["first_layer"], hyp["last_layer"]) == (2, 3) and hyp["then"]["name"] == "deep_rational_cover"
    assert verify(c).ok
    v = decide(S.preset(FULL_RANK), 60)
    assert v.status == "closed", v.reason
    assert "deep_subchain_cover" in v.reason and verify(json.loads(json.dumps(v.certificate))).ok


def test_reduced_rational_cover_tamper():
    c = _full_rank_certificate()
    then = lambda x: x["theorem"]["hypotheses"]["then"]["hypotheses"]["tree"]
    cases = []
    bad = copy.deepcopy(c)                                            # a weight of the reduced cover's root
    w = then(bad)["weights"]
    w[sorted(w)[0]][0] = [["7", []]]
    cases.append(bad)
    bad = copy.deepcopy(c)                                            # a child of the reduced cover dropped
    if then(bad).get("children"):
        then(bad)["children"].pop()
        cases.append(bad)
    bad = copy.deepcopy(c)                                            # the other run: I' is another pattern
    bad["theorem"]["hypotheses"]["first_layer"], bad["theorem"]["hypotheses"]["last_layer"] = 1, 2
    cases.append(bad)
    bad = copy.deepcopy(c)                                            # an edge of the first layer removed
    m = bad["pattern"]["masks"][0]
    r, j = next((r, j) for r, row in enumerate(m) for j, x in enumerate(row) if x)
    m[r][j] = 0
    cases.append(bad)
    assert len(cases) >= 3
    for k, bad in enumerate(cases):
        assert not verify(bad).ok, k
