"""A hand-built rational cover for a deep pattern the decider leaves unknown: ``random:4,4,4,4:0.5:39``.

The proof is in docs/mathematics.md, "Deep patterns: leads", "Where the rational cover loses the
4,4,4,4 unknowns". Output row 0 is dead. For the other rows, with ``u = (y1_1 - y3_1) / y3_1``,
the weights below multiply out to ``Y`` wherever ``y3_1 != 0``. One child over ``y3_1 = 0`` has
weights without denominators. So ``L_I = V_K`` (closed) by the cover lemma of
:mod:`netalgebra.theorems.rational_cover`. The decider's search does not find this tree: its
root realisations all carry a 3 x 3 minor of ``Y``. The test builds the certificate from these
formulas and checks that the verifier accepts it and refuses tampered copies. It also checks
that the decider never calls the pattern not closed.
"""

import copy

import pytest

from netalgebra.certificate import FORMAT, verify
from netalgebra.decide import decide
from netalgebra.decide.verdict import pattern_json
from netalgebra.naming import entry_name, weight_name
from netalgebra.pattern import SparsityPattern
from netalgebra.theorems import masks_of
from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.rational_cover import STATEMENT, product_support
from netalgebra.theorems.rational_functions import Frac, poly_terms, ring

PRESET = "random:4,4,4,4:0.5:39"


def _certificate():
    pattern = SparsityPattern.preset(PRESET)
    masks = masks_of(pattern)
    K = product_support(masks)
    names = tuple(entry_name(i, j) for i, j in K)
    ctx = ring(names)
    gens = dict(zip(K, ctx.gens()))
    one = Frac(ctx.from_dict({(0,) * len(names): 1}))

    def Y(i, j):                                # the entries of K as rational functions
        return Frac(gens[(i, j)])

    def node(w):
        return {"weights": {weight_name(*k): [poly_terms(f.num, names), poly_terms(f.den, names)]
                            for k, f in sorted(w.items()) if not f.is_zero()}, "children": []}

    # layers 2 and 3: all ones except g2 <- h2, g2 <- h3, r1 <- g2 (absent: 0) and r1 <- g1 = u
    fixed = {(3, 1, 0): one, (3, 2, 2): one, (3, 3, 1): one, (2, 0, 3): one, (2, 1, 1): one,
             (2, 1, 2): one, (2, 2, 0): one}
    u = (Y(1, 1) - Y(3, 1)) / Y(3, 1)
    h3 = {j: Y(1, j) - u * Y(3, j) for j in range(4)}          # row 1 = h3 + u * row 3
    z = {j: Y(3, j) - h3[j] for j in range(4)}                  # h1 + h2 = row 3 - h3 (z_1 = 0)
    root = {**fixed, (3, 1, 1): u, (2, 1, 3): one, (1, 2, 0): z[0], (1, 1, 2): z[2], (1, 1, 3): z[3],
            **{(1, 0, j): Y(2, j) for j in range(4)}, **{(1, 3, j): h3[j] for j in range(4)}}
    child = {**fixed, (1, 2, 0): Y(3, 0), (1, 1, 2): Y(3, 2), (1, 1, 3): Y(3, 3),     # u = 0, g1 <- h3 = 0
             **{(1, 0, j): Y(2, j) for j in range(4)}, **{(1, 3, j): Y(1, j) for j in range(4)}}
    tree = node(root)
    tree["children"] = [{"zero": poly_terms(gens[(3, 1)], names), "variable": "y3_1", "node": node(child)}]
    th = fragment("deep_rational_cover", STATEMENT, {"tree": tree},
                  source="proved: netalgebra.theorems.rational_cover (docs/mathematics.md, \"Rational covers\")")
    return {"format": FORMAT, "verdict": "closed", "question": "linear", "pattern": pattern_json(pattern, masks),
            "theorem": th, "argument": th["statement"]}


def test_hand_cover_verifies():
    cert = _certificate()
    assert len(cert["theorem"]["hypotheses"]["tree"]["children"]) == 1
    rep = verify(cert)
    assert rep.ok, rep.summary()


def _root_weight_changed(cert):
    w = cert["theorem"]["hypotheses"]["tree"]["weights"]
    w["w3_3_1"] = [[["2", []]], [["1", []]]]               # row 3 becomes 2 * g1


def _child_dropped(cert):
    cert["theorem"]["hypotheses"]["tree"]["children"] = []              # y3_1 = 0 no longer covered


def _child_weight_moved(cert):
    w = cert["theorem"]["hypotheses"]["tree"]["children"][0]["node"]["weights"]
    w["w1_3_2"] = w.pop("w1_3_1")                         # h3's x1 entry moved to x2


def _mask_edge_removed(cert):
    cert["pattern"]["masks"][1][2][0] = 0                 # g2 <- h0, which carries row 2
    del cert["pattern"]["name"]


@pytest.mark.parametrize("tamper", [_root_weight_changed, _child_dropped, _child_weight_moved, _mask_edge_removed])
def test_tampered_hand_cover_fails(tamper):
    cert = copy.deepcopy(_certificate())
    tamper(cert)
    assert not verify(cert).ok


def test_decider_never_calls_it_not_closed():
    v = decide(SparsityPattern.preset(PRESET), 3.0)
    assert v.status in ("closed", "unknown"), v.reason
    if v.status == "closed":
        assert verify(v.certificate).ok
