"""F_I(Omega) for a given finite Omega (issue 16, scope 2): decisions, certificates, tamper tests,
exact replay of the escaping family, and a differential test against z3 for non-attainment (the
direct QE sentence is in test_points_differential.py)."""

import copy
import json
import os
import subprocess
import sys
from fractions import Fraction

import pytest

from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
THREE = [[0, 0], [1, 2], [2, 1]]            # general position: no two share a coordinate
FOUR = [[0, 0], [1, 2], [2, 1], [3, 3]]     # and no three collinear


# (preset, points, expected status): the expectations are proved in docs/mathematics.md,
# "F_I(Omega) for a given finite Omega" (ul:2 / lu:2 on three points: the rows fill the plane;
# on four points the pinned row admits a target outside; dense: full activation or isolated outputs)
CASES = [("ul:2", THREE, "closed"), ("ul:2", FOUR, "not_closed"), ("dense:2,2,2", THREE, "closed"),
         ("dense:2,1,2", THREE, "closed"), ("lu:2", THREE, "closed"), ("lu:2", FOUR, "not_closed")]


@pytest.fixture(scope="module")
def verdicts():
    return {(p, len(pts)): decide(SparsityPattern.preset(p), 60, points=pts) for p, pts, _ in CASES}


@pytest.mark.parametrize("preset, pts, expected", CASES)
def test_decided_with_a_verifying_certificate(verdicts, preset, pts, expected):
    v = verdicts[(preset, len(pts))]
    assert v.status == expected, v.reason
    rep = verify(v.certificate)
    assert rep.ok, rep.summary()
    this = v.claims["optimum_for_this_input_set"]["status"]
    assert this == {"closed": "guaranteed", "not_closed": "fails"}[expected]


def test_escape_family_replays_in_exact_arithmetic(verdicts):
    """Independent replay: evaluate theta(t) at t = 2^-k with Fractions; the squared loss to the
    targets tends to 0 (strictly decreasing here) while the parameter norm grows without bound."""
    cert = verdicts[("ul:2", 4)].certificate
    masks = cert["pattern"]["masks"]
    pts = [[Fraction(x) for x in p] for p in cert["points"]]
    Y = [[Fraction(x) for x in r] for r in cert["targets"]]
    fam = cert["escaping_family"]["parameters"]

    def at(rf, t):
        num = sum(Fraction(c) * t ** i for i, c in enumerate(rf["num"]))
        den = sum(Fraction(c) * t ** i for i, c in enumerate(rf["den"]))
        return num / den

    losses, norms = [], []
    for k in range(3, 12):
        t = Fraction(1, 2 ** k)
        val = {name: at(rf, t) for name, rf in fam.items()}
        g = lambda name: val.get(name, Fraction(0))  # noqa: E731
        loss = Fraction(0)
        for i, x in enumerate(pts):
            h = [max(Fraction(0), sum(g(f"w1_{j}_{c}") * x[c] for c in range(len(x)) if masks[0][j][c])
                     + g(f"b1_{j}")) for j in range(len(masks[0]))]
            for r in range(len(masks[1])):
                out = sum(g(f"w2_{r}_{j}") * h[j] for j in range(len(h)) if masks[1][r][j]) + g(f"b2_{r}")
                loss += (out - Y[r][i]) ** 2
        losses.append(loss)
        norms.append(sum(v * v for v in val.values()))
    assert losses[-1] < Fraction(1, 10 ** 4) and all(a > b for a, b in zip(losses, losses[1:]))
    assert all(a < b for a, b in zip(norms, norms[1:])) and norms[-1] > 10 ** 5


def test_non_attainment_agrees_with_z3(verdicts):
    """z3 (nonlinear real arithmetic, ReLU as a >= 0, a >= z, a (a - z) = 0) finds no parameters
    reaching the certificate's targets."""
    z3 = pytest.importorskip("z3")
    for key in (("ul:2", 4), ("lu:2", 4)):
        cert = verdicts[key].certificate
        masks = cert["pattern"]["masks"]
        s = z3.Solver()
        s.set("timeout", 60000)
        W1 = [[z3.Real(f"w1_{i}_{j}") if masks[0][i][j] else 0 for j in range(2)] for i in range(2)]
        W2 = [[z3.Real(f"w2_{i}_{j}") if masks[1][i][j] else 0 for j in range(2)] for i in range(2)]
        b1 = [z3.Real(f"b1_{i}") for i in range(2)]
        b2 = [z3.Real(f"b2_{i}") for i in range(2)]
        for q, x in enumerate(cert["points"]):
            h = []
            for k in range(2):
                z = sum(W1[k][j] * int(x[j]) for j in range(2)) + b1[k]
                a = z3.Real(f"a{q}_{k}")
                s.add(a >= 0, a >= z, a * (a - z) == 0)
                h.append(a)
            for r in range(2):
                s.add(sum(W2[r][k] * h[k] for k in range(2)) + b2[r] == Fraction(cert["targets"][r][q]))
        assert s.check() == z3.unsat, key


# ------------------------------------------------------------------------------ tamper tests
def _tampered(verdicts, key, edit):
    cert = copy.deepcopy(verdicts[key].certificate)
    edit(cert)
    return verify(cert)


@pytest.mark.parametrize("edit", [
    lambda c: c["targets"][0].__setitem__(0, "5"),                                  # another target
    lambda c: c["targets"][1].__setitem__(0, "0"),                                  # pinned row constant
    lambda c: c["non_attainment"]["farkas"].pop(),                                  # a choice not refuted
    lambda c: c["non_attainment"]["farkas"][3]["p"].__setitem__(0, "7"),            # a wrong multiplier
    lambda c: c["non_attainment"].__setitem__("row", 0),                            # row 0 is not pinned
    lambda c: c["escaping_family"]["parameters"].__setitem__("w2_0_1", {"num": ["1"], "den": ["1"]}),
    lambda c: c["escaping_family"]["parameters"].__setitem__("w2_1_0", {"num": ["1"], "den": ["1"]}),
    lambda c: c["points"].__setitem__(3, ["1", "2"]),                               # other inputs
    lambda c: c["pattern"].__setitem__("masks", [[[1, 1], [1, 1]], [[1, 1], [1, 1]]]),
])
def test_tampered_escape_certificates_are_rejected(verdicts, edit):
    assert verify(verdicts[("ul:2", 4)].certificate).ok
    assert not _tampered(verdicts, ("ul:2", 4), edit).ok


@pytest.mark.parametrize("key, edit", [
    (("ul:2", 3), lambda c: c["theorem"]["hypotheses"]["spanning"][1].__setitem__(
        "parameters", c["theorem"]["hypotheses"]["spanning"][0]["parameters"])),     # dependent witnesses
    (("ul:2", 3), lambda c: c["points"].__setitem__(1, ["0", "2"])),               # E on a line
    (("ul:2", 3), lambda c: c["points"].append(["3", "3"])),                       # four points
    (("ul:2", 3), lambda c: c["theorem"]["hypotheses"].__setitem__("rows", [1, 0])),
    (("dense:2,2,2", 3), lambda c: c["points"].__setitem__(2, ["2", "4"])),        # minors vanish
    (("dense:2,2,2", 3), lambda c: c["theorem"]["hypotheses"]["reduced"]["pattern"].__setitem__(
        "masks", [[[1, 1], [1, 0]], [[1, 1], [0, 1]]])),                            # another L_I'
    (("dense:2,2,2", 3), lambda c: c["theorem"]["hypotheses"]["reduced"]["theorem"].__setitem__(
        "name", "one_layer")),                                                      # nested proof broken
])
def test_tampered_closed_certificates_are_rejected(verdicts, key, edit):
    assert verify(verdicts[key].certificate).ok
    assert not _tampered(verdicts, key, edit).ok


# ------------------------------------------------------------------------------ inputs
def test_points_from_json_csv_and_npy(tmp_path):
    (tmp_path / "o.json").write_text(json.dumps(THREE))
    (tmp_path / "o.csv").write_text("# x, y\n0,0\n1,2\n\n2.0,1\n")
    files = [tmp_path / "o.json", tmp_path / "o.csv"]
    try:
        import numpy as np
        np.save(tmp_path / "o.npy", np.array(THREE, dtype=float))
        files.append(tmp_path / "o.npy")
    except ImportError:
        pass
    for f in files:
        proc = subprocess.run([sys.executable, "-m", "netalgebra.cli", "check", "--preset", "ul:2",
                               "--points", str(f), "--json"], capture_output=True, text=True, cwd=ROOT,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr
        js = json.loads(proc.stdout)
        assert js["verdict"] == "closed" and js["claims"]["optimum_for_this_input_set"]["status"] == "guaranteed"


@pytest.mark.parametrize("content, where", [("0,0\n1,zz\n", "line 2, column 2"), ("", "no points")])
def test_bad_csv_names_the_place(tmp_path, content, where):
    f = tmp_path / "bad.csv"
    f.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "netalgebra.cli", "check", "--preset", "ul:2", "--points", str(f)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2 and where in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
