"""Tests of the checker of not-closed certificates (escaping family, Nullstellensatz, training set)."""

import copy
import json
from fractions import Fraction

import pytest

from netalgebra.certificate import FORMAT, verify
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern


def _rf(num, den=("1",)):
    return {"num": list(num), "den": list(den)}


T, INV_T, ONE = _rf(["0", "1"]), _rf(["1"], ["0", "1"]), _rf(["1"])


def handwritten_lu2():
    """The LU 2x2 example of (docs/mathematics.md, "Test cases"), written by hand (no decider code).

    W_2 = L = [[1, 0], [1/t, 1]], W_1 = U = [[t, 1], [0, -1/t]], L U = [[t, 1], [1, 0]] -> J.
    Identity (same section): 1 = u12 l21 f1 - f2 f3 - f2 - f3 with f1 = l11 u11,
    f2 = l11 u12 - 1, f3 = l21 u11 - 1, i.e. multipliers u12 l21, -l21 u11, -1.
    Training set: 9 points (s, s^2); biases b1 = (1/t, 1/t^2) dominate the
    pre-activations t x1 + x2 and -x2/t; b2 = -L b1 = (-1/t, -2/t^2).
    """
    pts = [[str(s), str(s * s)] for s in range(1, 10)]
    return {
        "format": FORMAT, "verdict": "not_closed", "question": "linear",
        "pattern": {"name": "lu:2", "masks": [[[1, 1], [0, 1]], [[1, 0], [1, 1]]]},
        "target": [["0", "1"], ["1", "0"]],
        "escaping_family": {"parameter": "t", "weights": {
            "w2_0_0": ONE, "w2_1_0": INV_T, "w2_1_1": ONE,
            "w1_0_0": T, "w1_0_1": ONE, "w1_1_1": _rf(["-1"], ["0", "1"])}},
        "non_attainment": {"method": "nullstellensatz", "equations": [[0, 0], [0, 1], [1, 0]],
                           "multipliers": [[["1", [["w1_0_1", 1], ["w2_1_0", 1]]]],
                                           [["-1", [["w2_1_0", 1], ["w1_0_0", 1]]]],
                                           [["-1", []]]]},
        "relu": {"block_rows": [0, 1], "block_cols": [0, 1], "points": pts,
                 "targets": [[p[1], p[0]] for p in pts],
                 "biases": {"b1_0": INV_T, "b1_1": _rf(["1"], ["0", "0", "1"]),
                            "b2_0": _rf(["-1"], ["0", "1"]), "b2_1": _rf(["-2"], ["0", "0", "1"])}},
    }


def test_handwritten_lu2_verifies():
    rep = verify(handwritten_lu2())
    assert rep.ok, rep.summary()


@pytest.mark.parametrize("name", ["ul:2", "lu:2", "ul:3", "lu:3", "ul:5", "masks:11,11|10,01,11",
                                  "masks:101,011|11,11"])
def test_decider_certificates_verify(name):
    v = decide(SparsityPattern.preset(name), 30)
    assert v.status == "not_closed"
    rep = verify(json.loads(json.dumps(v.certificate)))  # survives a JSON round trip
    assert rep.ok, rep.summary()


def _cert(name="ul:3"):
    return decide(SparsityPattern.preset(name), 30).certificate


def _cert_3x2():
    # no 2x2 core; rows (1,0), (1,0), (0,1) are missing (see tests/test_theorems.py)
    return decide(SparsityPattern.preset("masks:11,11|10,01,11"), 30).certificate


def _cert_2x3():
    return decide(SparsityPattern.preset("masks:101,011|11,11"), 30).certificate


def _assert_moving_any_target_entry_rejected(base):
    A = base["target"]
    for i in range(len(A)):
        for j in range(len(A[0])):
            c = copy.deepcopy(base)
            c["target"][i][j] = str(int(c["target"][i][j]) + 1)
            assert not verify(c).ok, (i, j)


@pytest.mark.parametrize("make", [_cert, _cert_3x2, _cert_2x3, lambda: handwritten_lu2()])
def test_tamper_target_entry(make):
    _assert_moving_any_target_entry_rejected(make())


@pytest.mark.parametrize("make", [_cert, _cert_3x2, _cert_2x3, lambda: handwritten_lu2()])
def test_tamper_drop_family_term(make):
    base = make()
    for name in base["escaping_family"]["weights"]:
        c = copy.deepcopy(base)
        del c["escaping_family"]["weights"][name]
        assert not verify(c).ok, name
    # drop one coefficient (a term) of one entry, when it has several
    for name, rf in base["escaping_family"]["weights"].items():
        nz = [i for i, x in enumerate(rf["num"]) if x not in ("0",)]
        if nz:
            c = copy.deepcopy(base)
            c["escaping_family"]["weights"][name]["num"][nz[0]] = "0"
            assert not verify(c).ok, name


@pytest.mark.parametrize("make", [_cert, _cert_3x2, _cert_2x3, lambda: handwritten_lu2()])
def test_tamper_move_training_point(make):
    base = make()
    cols = base["relu"]["block_cols"]
    n0 = len(base["target"][0])
    npts = len(base["relu"]["points"])
    for s in sorted({0, npts // 2, npts - 1}):
        for j in range(n0):
            c = copy.deepcopy(base)
            c["relu"]["points"][s][j] = str(Fraction(c["relu"]["points"][s][j]) + Fraction(1, 64))
            assert not verify(c).ok, (s, j, j in cols)


def test_tamper_other_fields():
    base = _cert("ul:2")
    c = copy.deepcopy(base)
    c["non_attainment"]["multipliers"][1] = [["1", []]]
    assert not verify(c).ok
    c = copy.deepcopy(base)
    c["relu"]["points"] = c["relu"]["points"][:-1]          # too few points
    c["relu"]["targets"] = c["relu"]["targets"][:-1]
    assert not verify(c).ok
    c = copy.deepcopy(base)
    c["relu"]["biases"] = {}                                  # pre-activations go negative
    assert not verify(c).ok
    c = copy.deepcopy(base)
    c["pattern"]["masks"][0] = [[1, 0], [0, 1]]               # family outside the mask
    assert not verify(c).ok
    c = copy.deepcopy(base)
    c["pattern"]["masks"] = [[[1, 1], [1, 1]], [[1, 1], [1, 1]]]   # dense: identity fails
    assert not verify(c).ok
    c = copy.deepcopy(base)
    del c["relu"]
    assert not verify(c).ok


def test_family_without_blow_up_rejected():
    # a bounded family converging to a point of L_I proves nothing
    c = handwritten_lu2()
    c["escaping_family"]["weights"] = {"w2_0_0": ONE, "w1_0_1": ONE, "w2_1_1": ONE, "w1_1_1": ONE}
    c["target"] = [["0", "1"], ["0", "1"]]
    rep = verify(c)
    assert not rep.ok
    assert any("infinity" in name and not ok for name, ok, _ in rep.checks)


def test_garbage_never_raises():
    for bad in [{}, {"format": FORMAT}, {"format": FORMAT, "verdict": "closed", "pattern": {"masks": []}},
                {"format": FORMAT, "verdict": "not_closed", "pattern": {"masks": [[[1]]]}, "target": "x"},
                {"format": FORMAT, "verdict": "unknown", "pattern": {"masks": [[[1]]]}}]:
        assert not verify(bad).ok
    c = handwritten_lu2()
    c["target"][0][0] = 0.5          # floats are not exact rationals
    assert not verify(c).ok


def _cert_3x3():
    # M1 = M2 = [[1,1,1],[1,1,1],[1,0,0]]: only a 3x3 core (netalgebra.decide.find_core_3x3)
    v = decide(SparsityPattern.preset("masks:111,111,100|111,111,100"), 60, methods=("theorems", "core"))
    assert v.witness["core"] == "3x3"
    return v.certificate


def test_3x3_certificate_tampering():
    base = _cert_3x3()
    assert verify(base).ok
    _assert_moving_any_target_entry_rejected(base)
    for name in base["escaping_family"]["weights"]:
        c = copy.deepcopy(base)
        del c["escaping_family"]["weights"][name]
        assert not verify(c).ok, name
    for name, rf in base["escaping_family"]["weights"].items():
        for k, x in enumerate(rf["num"]):
            if x != "0":
                c = copy.deepcopy(base)
                c["escaping_family"]["weights"][name]["num"][k] = "0"
                assert not verify(c).ok, (name, k)
    # drop one multiplier term of the Nullstellensatz identity
    mult = base["non_attainment"]["multipliers"]
    for e in range(len(mult)):
        for k in range(len(mult[e])):
            c = copy.deepcopy(base)
            del c["non_attainment"]["multipliers"][e][k]
            if not c["non_attainment"]["multipliers"][e]:
                c["non_attainment"]["multipliers"][e] = [["0", []]]
            assert not verify(c).ok, (e, k)
