"""Every verdict says exactly what it proves (issue 16): ``linear_counterpart``,
``optimum_for_every_training_set`` and, with points, ``optimum_for_this_input_set``.

``guaranteed`` may appear only with a theorem registered in the verifier as proving an
optimum for every finite training set, whose hypotheses ``verify`` re-checks; README and
``--help`` claim nothing stronger.
"""

import copy
import glob
import json
import os
import re
import subprocess
import sys

import pytest
from hypothesis import given, settings

from netalgebra.certificate import verify
from netalgebra.certificate.closed import EVERY_TRAINING_SET
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern
from netalgebra.theorems.registry import EVERY_TRAINING_SET as DECIDER_EVERY
from strategies import patterns

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN = os.path.join(ROOT, "tests", "data", "golden", "outputs.json")
STATUSES = {"linear_counterpart": {"closed", "not_closed", "unknown"},
            "optimum_for_every_training_set": {"guaranteed", "fails", "not_established"},
            "optimum_for_this_input_set": {"guaranteed", "fails", "unknown"}}


def _suite_presets():
    """Every preset named in the test suite's sources (``preset("...")``) and the golden list."""
    names = set()
    for path in glob.glob(os.path.join(ROOT, "tests", "**", "*.py"), recursive=True):
        with open(path, encoding="utf-8") as fh:
            names |= set(re.findall(r'preset\("([a-z]+:[^"]+)"\)', fh.read()))
    with open(GOLDEN, encoding="utf-8") as fh:
        names |= set(json.load(fh)["check"])
    return sorted(names)


def _assert_exact_claims(v, points=False):
    """The verdict's claims are well-formed, match the certificate and are re-derived by verify."""
    keys = set(STATUSES) if points else set(STATUSES) - {"optimum_for_this_input_set"}
    assert set(v.claims) == keys
    assert v.claims["linear_counterpart"] in STATUSES["linear_counterpart"]
    for k in keys - {"linear_counterpart"}:
        assert v.claims[k]["status"] in STATUSES[k]
    if not points:
        assert v.claims["linear_counterpart"] == v.status
    every = v.claims["optimum_for_every_training_set"]
    if every["status"] == "guaranteed":
        name = every["theorem"]
        assert name in EVERY_TRAINING_SET
        assert name in (v.certificate["theorem"]["name"], v.certificate.get("every_training_set", {}).get("name"))
    if v.certificate is None:
        assert v.status == "unknown" and every["status"] == "not_established"
        return
    assert v.certificate["claims"] == v.claims
    rep = verify(v.certificate)
    assert rep.ok, rep.summary()
    names = [c[0] for c in rep.checks]
    assert "claims say exactly what is proven" in names
    if every["status"] == "guaranteed":            # the theorem's hypotheses were re-checked
        assert any(n.startswith("hypothesis:") for n in names)


def test_the_two_registries_agree():
    assert set(DECIDER_EVERY) == EVERY_TRAINING_SET == {"one_layer", "shallow_scalar_output",
                                                        "shallow_isolated_outputs"}


@pytest.mark.slow
@pytest.mark.parametrize("name", _suite_presets())
def test_every_suite_preset_states_what_is_proven(name):
    _assert_exact_claims(decide(SparsityPattern.preset(name), 10))


@settings(max_examples=40, deadline=None)
@given(patterns(max_depth=3, max_width=2))
def test_random_patterns_state_what_is_proven(p):
    _assert_exact_claims(decide(p, 5))


@pytest.mark.parametrize("preset, expected", [
    ("dense:2,1,2", ("closed", "guaranteed")),       # shallow_isolated_outputs
    ("dense:2,2,2", ("closed", "not_established")),
    ("masks:10,11|11", ("closed", "guaranteed")),
    ("diag:3", ("closed", "guaranteed")),
    ("butterfly:4", ("closed", "not_established")),
    ("ul:2", ("not_closed", "fails")),
])
def test_known_statements(preset, expected):
    v = decide(SparsityPattern.preset(preset), 30)
    assert (v.claims["linear_counterpart"], v.claims["optimum_for_every_training_set"]["status"]) == expected


def test_one_layer_is_guaranteed():
    v = decide(SparsityPattern([[[1, 0], [1, 1]]]), 10)
    assert v.claims["optimum_for_every_training_set"] == {"status": "guaranteed", "theorem": "one_layer"}


def test_points_statements():
    v = decide(SparsityPattern.preset("dense:2,2,2"), 10, points=[[0, 0], [1, 0]])
    _assert_exact_claims(v, points=True)
    assert v.claims["optimum_for_this_input_set"]["status"] == "guaranteed"
    assert v.claims["optimum_for_every_training_set"]["status"] == "not_established"
    assert v.claims["linear_counterpart"] == "unknown"


@pytest.mark.parametrize("preset, key, forged", [
    ("dense:2,2,2", "optimum_for_every_training_set", {"status": "guaranteed", "theorem": "one_layer"}),
    ("dense:2,2,2", "optimum_for_every_training_set", {"status": "guaranteed", "theorem": "shallow_support_groups"}),
    ("dense:2,2,2", "linear_counterpart", "not_closed"),
    ("ul:2", "optimum_for_every_training_set", {"status": "not_established"}),
    ("masks:10,11|11", "optimum_for_every_training_set", {"status": "guaranteed", "theorem": "one_layer"}),
    ("masks:10,11|11", "optimum_for_this_input_set", {"status": "guaranteed"}),
])
def test_tampered_claims_are_rejected(preset, key, forged):
    cert = copy.deepcopy(decide(SparsityPattern.preset(preset), 30).certificate)
    assert verify(cert).ok
    cert["claims"][key] = forged
    assert not verify(cert).ok


def test_a_stronger_theorem_name_does_not_pass():
    """Renaming the theorem to a guaranteeing one fails its hypothesis check."""
    cert = copy.deepcopy(decide(SparsityPattern.preset("dense:2,2,2"), 30).certificate)
    cert["theorem"]["name"] = "shallow_scalar_output"
    cert["claims"]["optimum_for_every_training_set"] = {"status": "guaranteed", "theorem": "shallow_scalar_output"}
    assert not verify(cert).ok


def _help_text():
    out = []
    for args in ([], ["check"]):
        proc = subprocess.run([sys.executable, "-m", "netalgebra.cli", *args, "--help"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
        out.append(proc.stdout)
    return "\n".join(out)


OVERCLAIMS = [r"always (has|have|admits?) an optimum(?!\?)",     # the paper's title is a question r"optimum always exists",
              r"closed`? \(an optimum", r"guarantee[sd]? an optimum"]


def test_readme_and_help_claim_nothing_stronger():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    for text in (readme, _help_text()):
        flat = " ".join(text.split())
        for pat in OVERCLAIMS:
            assert not re.search(pat, flat, re.I), pat
    # the README's list of guaranteeing theorems is the verifier's registry, no more
    bullet = readme[readme.index("`optimum_for_every_training_set`: `guaranteed`"):]
    bullet = bullet[:bullet.index("`fails`")]
    named = set(re.findall(r"`([a-z_]+)`", bullet)) - {"optimum_for_every_training_set", "guaranteed", "verify",
                                                         "fails"}
    assert named == EVERY_TRAINING_SET
    assert "necessary" in _help_text()


def test_cli_prints_the_statements():
    proc = subprocess.run([sys.executable, "-m", "netalgebra.cli", "check", "--preset", "dense:2,2,2"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "linear counterpart L_I: closed" in proc.stdout
    assert "optimum for every training set: not established" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "netalgebra.cli", "check", "--preset", "ul:2", "--json"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    js = json.loads(proc.stdout)
    assert js["claims"]["optimum_for_every_training_set"]["status"] == "fails"
    assert js["certificate"]["claims"] == js["claims"]


@pytest.mark.parametrize("edit", [
    lambda c: c["pattern"].__setitem__("masks", [[[1, 1], [1, 1]], [[1, 1], [1, 1]]]),   # hypotheses fail
    lambda c: c["every_training_set"].__setitem__("name", "shallow_scalar_output"),      # wrong theorem
    lambda c: c["every_training_set"].__setitem__("name", "shallow_support_groups"),     # not a guarantee
    lambda c: c.pop("every_training_set"),                                               # claim unsupported
])
def test_tampered_guarantee_is_rejected(edit):
    """A linear certificate proving L_I closed carries the guaranteeing theorem separately."""
    cert = copy.deepcopy(decide(SparsityPattern.preset("dense:2,1,2"), 30).certificate)
    assert cert["every_training_set"]["name"] == "shallow_isolated_outputs" and verify(cert).ok
    edit(cert)
    assert not verify(cert).ok
