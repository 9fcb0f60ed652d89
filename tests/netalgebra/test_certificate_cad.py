"""Tests of the checkers of CAD certificates (closed: theorem "cad"; not closed: method "cad")."""

import copy
import json
from fractions import Fraction

import pytest

from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern


# decide(..., methods=("cad",)) forces the exact route
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
    # a point outside the image (zero top-left entry, both off-diagonal entries non-zero) replacing
    # a point of the segment: the segment check rejects it; without the segment, the missing proof
    c = copy.deepcopy(cad_lu2)
    A = [[Fraction(x) for x in row] for row in c["target"]]
    Y = [[A[0][0], A[0][1] + Fraction(1, 8)], [A[1][0], A[1][1]]]
    assert Y[0][0] == 0 and Y[0][1] != 0 and Y[1][0] != 0
    c["approaching"]["points"][2] = [[str(x) for x in row] for row in Y]
    rep = verify(c, timeout=120)
    assert not rep.ok and any(n.startswith("points y_k = A") and not ok for n, ok, _ in rep.checks), rep.summary()
    del c["approaching"]["segment"]
    rep = verify(c, timeout=120)
    assert not rep.ok and any(n.startswith("a segment") and not ok for n, ok, _ in rep.checks), rep.summary()


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
