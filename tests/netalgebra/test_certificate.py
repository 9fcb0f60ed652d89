"""Tests of the independent certificate checker (netalgebra.certificate.verify)."""

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
    """The paper-notes LU 2x2 example, written by hand (no decider code involved).

    W_2 = L = [[1, 0], [1/t, 1]], W_1 = U = [[t, 1], [0, -1/t]], L U = [[t, 1], [1, 0]] -> J.
    Identity (paper-notes): 1 = u12 l21 f1 - f2 f3 - f2 - f3 with f1 = l11 u11,
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


@pytest.mark.parametrize("make", [_cert, _cert_3x2, _cert_2x3, lambda: handwritten_lu2()])
def test_tamper_target_entry(make):
    base = make()
    A = base["target"]
    for i in range(len(A)):
        for j in range(len(A[0])):
            c = copy.deepcopy(base)
            c["target"][i][j] = str(int(c["target"][i][j]) + 1)
            assert not verify(c).ok, (i, j)


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


def test_closed_certificates():
    for name in ["dense:3,3,3", "butterfly:4", "block:2:2,1,2", "diag:2", "dense:2,3,2,2"]:
        v = decide(SparsityPattern.preset(name), 30)
        assert v.status == "closed"
        assert verify(v.certificate).ok, name
    # a theorem whose hypotheses fail on the stored masks
    c = decide(SparsityPattern.preset("butterfly:4"), 30).certificate
    c["pattern"]["masks"] = SparsityPattern.preset("ul:4").to_dict()["masks"]
    assert not verify(c).ok
    c = decide(SparsityPattern.preset("masks:10,11|11"), 30).certificate
    c["pattern"]["masks"] = SparsityPattern.preset("ul:2").to_dict()["masks"]
    assert not verify(c).ok
    c = decide(SparsityPattern.preset("dense:2,3,2,2"), 30).certificate
    c["pattern"]["masks"][1][0][0] = 0
    assert not verify(c).ok



def test_determinantal_certificate_end_to_end():
    """decide -> shallow_support_groups with a determinantal group (issue 10: L_I is every 3x3
    matrix with A[2][2] = 0 and rank <= 2); verify accepts it and rejects altered hypotheses."""
    masks = "masks:111,110|11,11,01"
    v = decide(SparsityPattern.preset(masks), 30)
    assert v.status == "closed"
    c = json.loads(json.dumps(v.certificate))
    (g,) = c["theorem"]["hypotheses"]["groups"]
    assert g["kind"] == "determinantal" and g["rank"] == 2
    assert verify(c).ok
    for edit in [lambda g: g.update(rank=3),
                 lambda g: g["proof"].update(line=0),
                 lambda g: g["proof"].update(neuron=0),
                 lambda g: g["proof"]["zero"].update(step="zero"),
                 lambda g: g["proof"].update(nonzero=g["proof"]["zero"]),
                 lambda g: g["proof"].update(step="teleport"),
                 lambda g: g.update(proof="no proof")]:
        bad = copy.deepcopy(c)
        edit(bad["theorem"]["hypotheses"]["groups"][0])
        rep = verify(bad)
        assert not rep.ok
    bad = copy.deepcopy(c)
    bad["pattern"]["masks"][1][2] = [1, 1]       # row 2 now reached by both neurons: no peel
    assert not verify(bad).ok

def test_garbage_never_raises():
    for bad in [{}, {"format": FORMAT}, {"format": FORMAT, "verdict": "closed", "pattern": {"masks": []}},
                {"format": FORMAT, "verdict": "not_closed", "pattern": {"masks": [[[1]]]}, "target": "x"},
                {"format": FORMAT, "verdict": "unknown", "pattern": {"masks": [[[1]]]}}]:
        assert not verify(bad).ok
    c = handwritten_lu2()
    c["target"][0][0] = 0.5          # floats are not exact rationals
    assert not verify(c).ok


# --- CAD certificates (decide(..., methods=("cad",)) forces the exact route) ----------------------
@pytest.fixture(scope="module")
def cad_lu2():
    v = decide(SparsityPattern.preset("lu:2"), 60, methods=("cad",))
    assert v.status == "not_closed", v.reason
    assert v.certificate["method"] == "cad"
    return v.certificate


@pytest.fixture(scope="module")
def cad_dense222():
    v = decide(SparsityPattern.preset("dense:2,2,2"), 60, methods=("cad",))
    assert v.status == "closed", v.reason
    assert v.certificate["theorem"]["name"] == "cad"
    return v.certificate


def test_cad_certificates_verify(cad_lu2, cad_dense222):
    for cert in (cad_lu2, cad_dense222):
        rep = verify(json.loads(json.dumps(cert)), timeout=120)
        assert rep.ok and not rep.incomplete, rep.summary()


def test_cad_not_closed_witness_is_anti_identity_like(cad_lu2):
    # LU = [[a, b], [c, d]] with a = l11 u11: a = 0 forces b = 0 or c = 0, so the target has a = 0
    # and b, c != 0 (an independent fact about the LU image, not taken from the implementation)
    A = [[Fraction(x) for x in row] for row in cad_lu2["target"]]
    assert A[0][0] == 0 and A[0][1] != 0 and A[1][0] != 0


def test_cad_tamper_description(cad_dense222):
    for desc in ["y0_0 y1_1 - y0_1 y1_0 = 0",     # rank <= 1: a proper subset of the image
                 "y0_0 /= 0 \\/ y0_1 = 0",          # not closed, and a proper subset
                 "y0_0 >= 0"]:
        c = copy.deepcopy(cad_dense222)
        c["theorem"]["hypotheses"]["description"] = desc
        assert not verify(c, timeout=120).ok, desc
    c = copy.deepcopy(cad_dense222)
    c["theorem"]["hypotheses"]["variables"] = ["y0_0", "y1_0", "y0_1", "y1_1"]
    assert not verify(c, timeout=120).ok
    c = copy.deepcopy(cad_dense222)                  # D = TRUE is not the image of dense 2-1-2
    c["pattern"]["masks"] = [[[1, 1]], [[1], [1]]]
    assert not verify(c, timeout=120).ok
    c = copy.deepcopy(cad_dense222)
    c["theorem"]["hypotheses"]["description"] = "y0_0 +"   # unparsable
    assert not verify(c, timeout=120).ok


def test_cad_tamper_witness_and_points(cad_lu2):
    # move the witness (into the image: y0_0 != 0)
    c = copy.deepcopy(cad_lu2)
    c["target"][0][0] = "1"
    assert not verify(c, timeout=120).ok
    # move the witness along with its points (the rule still holds, A is now a product)
    c = copy.deepcopy(cad_lu2)
    c["target"][0][0] = str(Fraction(c["target"][0][0]) + 3)
    for Y in c["approaching"]["points"]:
        Y[0][0] = str(Fraction(Y[0][0]) + 3)
    assert not verify(c, timeout=120).ok
    # drop an approaching point: fewer than 5, or (dropping the first) the rule breaks
    for k in (0, 2, 4):
        c = copy.deepcopy(cad_lu2)
        del c["approaching"]["points"][k]
        assert not verify(c, timeout=120).ok, k
    # keep 5 points but break the distance rule
    c = copy.deepcopy(cad_lu2)
    c["approaching"]["points"][3] = copy.deepcopy(c["approaching"]["points"][2])
    assert not verify(c, timeout=120).ok
    # a point outside the image: zero top-left entry with both off-diagonal entries non-zero
    c = copy.deepcopy(cad_lu2)
    del c["approaching"]["segment"]
    A = [[Fraction(x) for x in row] for row in c["target"]]
    Y = [[A[0][0], A[0][1] + Fraction(1, 8)], [A[1][0], A[1][1]]]   # distance 1/8 keeps the rule
    assert Y[0][0] == 0 and Y[0][1] != 0 and Y[1][0] != 0
    c["approaching"]["points"][2] = [[str(x) for x in row] for row in Y]
    rep = verify(c, timeout=120)
    assert not rep.ok and any(n == "y_2 is in the image" and not ok for n, ok, _ in rep.checks), rep.summary()


def test_cad_verify_budget(cad_dense222, tmp_path, capsys):
    from netalgebra.cli import main

    rep = verify(cad_dense222, timeout=1e-6)
    assert not rep.ok and rep.incomplete
    out = tmp_path / "cad.json"
    out.write_text(json.dumps(cad_dense222))
    assert main(["verify", str(out), "--timeout", "0.000001"]) == 3
    assert "within budget" in capsys.readouterr().out
    assert main(["verify", str(out), "--timeout", "120"]) == 0
    assert "VERIFIED" in capsys.readouterr().out


def test_cad_cli_verify_rejects_tampered(cad_lu2, tmp_path, capsys):
    from netalgebra.cli import main

    out = tmp_path / "lu2.json"
    out.write_text(json.dumps(cad_lu2))
    assert main(["verify", str(out)]) == 0
    c = copy.deepcopy(cad_lu2)
    c["target"][0][0] = "1"
    out.write_text(json.dumps(c))
    assert main(["verify", str(out)]) == 1
    capsys.readouterr()


def _cert_3x3():
    # M1 = M2 = [[1,1,1],[1,1,1],[1,0,0]]: only a 3x3 core (netalgebra.decide.find_core_3x3)
    v = decide(SparsityPattern.preset("masks:111,111,100|111,111,100"), 60, methods=("theorems", "core"))
    assert v.witness["core"] == "3x3"
    return v.certificate


def test_3x3_certificate_tampering():
    base = _cert_3x3()
    assert verify(base).ok
    A = base["target"]
    for i in range(len(A)):
        for j in range(len(A[0])):
            c = copy.deepcopy(base)
            c["target"][i][j] = str(int(c["target"][i][j]) + 1)
            assert not verify(c).ok, (i, j)
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
