"""Forgery suite for ``netalgebra verify`` (issue 17, S1): every forged certificate is rejected.

A forgery is a certificate whose claim is false (known from the mathematics or from a
certificate of the opposite verdict that verifies), or whose proof is missing a step.
"""

import copy
import json
from fractions import Fraction

import pytest

from netalgebra.certificate import FORMAT, verify
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern

POINTS = [[["1", "0"]], [["1/2", "0"]], [["1/4", "0"]], [["1/8", "0"]], [["1/16", "0"]]]


def s1(masks, target, points=POINTS, **approaching):
    return {"format": FORMAT, "verdict": "not_closed", "question": "linear", "method": "cad",
            "pattern": {"masks": masks}, "target": target,
            "approaching": dict(points=points, **approaching)}


def rejected(cert):
    rep = verify(json.loads(json.dumps(cert)), timeout=120)
    return not rep.ok and not rep.incomplete


def test_s1_one_layer_is_rejected():
    # a one-layer pattern is always closed (L_I is a coordinate subspace)
    assert rejected(s1([[[1, 0]]], [["0", "1/1000"]]))


def test_s1_on_dense_212_is_rejected():
    closed = decide(SparsityPattern.preset("dense:2,1,2"), 60)
    assert closed.status == "closed" and verify(closed.certificate).ok
    masks = SparsityPattern.preset("dense:2,1,2").to_dict()["masks"]
    pts = [[[str(Fraction(1, 2 ** k)), "0"], ["0", "0"]] for k in range(5)]
    assert rejected(s1(masks, [["0", "1"], ["1", "0"]], pts))       # rank 2: not a limit of rank 1


@pytest.mark.parametrize("e0", [0, 1, 3])
def test_s1_with_a_segment_not_in_the_image(e0):
    # one layer, L_I = {(a, 0)}: the target (0, 1/1000) is not in it; a segment ending there
    # would need (s, 1/1000) in L_I, which is false
    U = [["1", "0"]]
    pts = [[[str(Fraction(1, 2 ** (k + e0))), "1/1000"]] for k in range(5)]
    cert = s1([[[1, 0]]], [["0", "1/1000"]], pts, segment={"direction": U, "first_exponent": e0})
    assert rejected(cert)


def test_s1_segment_whose_points_are_not_in_the_image_with_a_target_in_the_image():
    # target (0, 0) is in L_I = {(a, 0)}: rejected even though the segment lies in L_I
    pts = [[[str(Fraction(1, 2 ** k)), "0"]] for k in range(5)]
    cert = s1([[[1, 0]]], [["0", "0"]], pts, segment={"direction": [["1", "0"]], "first_exponent": 0})
    assert rejected(cert)


@pytest.mark.parametrize("seg", [None, "x", {"direction": [["1", "0"]]}, {"direction": [["2", "0"]], "first_exponent": 0},
                                 {"direction": [["1", "0"]], "first_exponent": -1},
                                 {"direction": [["1", "0"]], "first_exponent": True},
                                 {"direction": [["1", "0"]], "first_exponent": 10 ** 9},
                                 {"direction": [["1"]], "first_exponent": 0}])
def test_malformed_segments_are_rejected(seg):
    cert = s1([[[1, 0]]], [["0", "1/1000"]])
    if seg is not None:
        cert["approaching"]["segment"] = seg
    assert rejected(cert)


# --- variants on a real CAD not-closed certificate -------------------------------------------------
@pytest.fixture(scope="module")
def lu2():
    v = decide(SparsityPattern.preset("lu:2"), 60, methods=("cad",))
    assert v.status == "not_closed" and v.certificate["method"] == "cad", v.reason
    assert "segment" in v.certificate["approaching"]          # the decider always proves the limit
    assert verify(v.certificate).ok
    return v.certificate


def _on_segment(cert, A, U, e0):
    cert["target"] = [[str(x) for x in r] for r in A]
    cert["approaching"]["segment"] = {"direction": [[str(x) for x in r] for r in U], "first_exponent": e0}
    cert["approaching"]["points"] = [[[str(a + Fraction(1, 2 ** (k + e0)) * u) for a, u in zip(ra, ru)]
                                      for ra, ru in zip(A, U)] for k in range(5)]
    return cert


def test_lu2_variants_are_rejected(lu2):
    A = [[Fraction(x) for x in r] for r in lu2["target"]]
    assert A[0][0] == 0 and A[0][1] != 0 and A[1][0] != 0
    forged = []
    c = copy.deepcopy(lu2)                                 # segment removed
    del c["approaching"]["segment"]
    forged.append(c)
    # segment not in the image: moving b keeps a = 0 with b, c != 0 (not LU-factorable)
    forged.append(_on_segment(copy.deepcopy(lu2), A, [[0, 1], [0, 0]], 4))
    # target in the image (a != 0), a segment inside the image
    forged.append(_on_segment(copy.deepcopy(lu2), [[1, 1], [1, 1]], [[1, 0], [0, 0]], 0))
    c = copy.deepcopy(lu2)                                 # a point moved off the segment
    c["approaching"]["points"][1][1][1] = str(Fraction(c["approaching"]["points"][1][1][1]) + Fraction(1, 3))
    forged.append(c)
    c = copy.deepcopy(lu2)                                 # wrong masks: dense 2-2-2 is closed
    c["pattern"]["masks"] = SparsityPattern.preset("dense:2,2,2").to_dict()["masks"]
    forged.append(c)
    c = copy.deepcopy(lu2)                                 # wrong masks: one layer
    c["pattern"]["masks"] = [[[1, 1], [1, 1]]]
    forged.append(c)
    c = copy.deepcopy(lu2)                                 # the verdict relabelled
    c["verdict"] = "closed"
    forged.append(c)
    for k, c in enumerate(forged):
        assert rejected(c), k


# --- every certificate kind: transplanted onto a pattern with the opposite answer ------------------
CLOSED = ["dense:3,3,3", "butterfly:4", "block:2:2,1,2", "diag:2", "dense:2,3,2,2", "masks:10,11|11",
          "masks:111,110|11,11,01", "random:3,3,3:0.5:103", "masks:100,101,001|011,110", "dense:2,2,2"]
NOT_CLOSED = ["ul:2", "lu:3", "masks:11,11|10,01,11", "masks:111,111,100|111,111,100"]


def _flips(masks, limit=40):
    """Patterns at Hamming distance one (at most ``limit``)."""
    out = []
    for l, m in enumerate(masks):
        for i, row in enumerate(m):
            for j in range(len(row)):
                f = [[list(r) for r in mm] for mm in masks]
                f[l][i][j] ^= 1
                out.append(f)
    return out[:limit]


def _kinds(name, cert):
    th = cert.get("theorem", {}).get("name")
    return th or cert.get("method") or ("core" if "escaping_family" in cert else "?")


@pytest.mark.parametrize("name", CLOSED + NOT_CLOSED + ["cad:lu:2", "cad:dense:2,2,2"])
def test_transplanted_certificates_are_rejected(name):
    methods = ("cad",) if name.startswith("cad:") else None
    pname = name[4:] if methods else name
    kw = {"methods": methods} if methods else {}
    v = decide(SparsityPattern.preset(pname), 60, **kw)
    assert v.status in ("closed", "not_closed"), v.reason
    cert = json.loads(json.dumps(v.certificate))
    assert verify(cert, timeout=120).ok
    opposite = "not_closed" if v.status == "closed" else "closed"
    tried = 0
    for f in _flips(cert["pattern"]["masks"]):
        try:
            p = SparsityPattern(f)
        except Exception:
            continue
        other = decide(p, 20, methods=("theorems", "core"))
        if other.status != opposite:
            continue
        tried += 1
        bad = copy.deepcopy(cert)
        bad["pattern"]["masks"] = f
        bad["pattern"].pop("name", None)
        assert rejected(bad), (name, _kinds(name, cert), f)
    bad = copy.deepcopy(cert)
    bad["verdict"] = opposite
    assert rejected(bad)


def test_relu_training_set_forgeries():
    v = decide(SparsityPattern.preset("ul:2"), 60)
    c = json.loads(json.dumps(v.certificate))
    assert "relu" in c and verify(c).ok
    forged = []
    bad = copy.deepcopy(c)
    bad["relu"]["points"][0] = [str(Fraction(x) + 1) for x in bad["relu"]["points"][0]]
    forged.append(bad)
    bad = copy.deepcopy(c)
    bad["relu"]["targets"][0] = [str(Fraction(x) + 1) for x in bad["relu"]["targets"][0]]
    forged.append(bad)
    bad = copy.deepcopy(c)
    first = sorted(bad["relu"]["biases"])[0]
    bad["relu"]["biases"][first] = {"num": ["0"], "den": ["1"]}
    forged.append(bad)
    for k, bad in enumerate(forged):
        assert rejected(bad), k


def test_dropped_reduction_step_is_rejected():
    """A determinantal group whose peeling proof loses a step, and an absorption missing a star."""
    v = decide(SparsityPattern.preset("masks:111,110|11,11,01"), 30)
    c = json.loads(json.dumps(v.certificate))
    g = c["theorem"]["hypotheses"]["groups"][0]
    assert g["kind"] == "determinantal"
    bad = copy.deepcopy(c)
    bad["theorem"]["hypotheses"]["groups"][0]["proof"] = g["proof"].get("then") or {}
    assert rejected(bad)
    from netalgebra import theorems as th
    p = SparsityPattern.preset("random:3,3,3:0.5:103")
    t = th.shallow_subspace_absorption(p.masks)
    cert = {"format": FORMAT, "verdict": "closed", "question": "linear",
            "pattern": {"masks": [[list(r) for r in m] for m in p.masks]}, "theorem": t}
    assert verify(cert).ok
    bad = copy.deepcopy(cert)
    bad["theorem"]["hypotheses"]["absorbed"] = t["hypotheses"]["absorbed"][:-1]
    assert rejected(bad)
