"""Tests of the checker of closed (theorem) certificates and of its registry."""

import copy
import json

from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern


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
    """decide -> shallow_support_groups with a determinantal group (L_I is every 3x3
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


# --- the registry of theorem checkers ------------------------------------------------------------
def _decider_theorem_names():
    """Every theorem name the decider can put in a closed certificate (its registries are keyed
    by that name), and those about F_I(Omega)."""
    from netalgebra import theorems

    return set(theorems.THEOREMS) | {"cad"}, set(theorems.RELU_THEOREMS)


def test_every_decider_theorem_has_a_checker():
    from netalgebra.certificate.closed import CHECKERS, QUESTIONS

    linear, relu = _decider_theorem_names()
    assert {"one_layer", "shallow_support_groups", "shallow_subspace_absorption", "cad"} <= linear
    for name in linear:
        assert name in CHECKERS and "linear" in QUESTIONS[name], name
    for name in relu:
        assert name in CHECKERS and "relu_points" in QUESTIONS[name], name
    for name, checker in CHECKERS.items():
        assert checker.__doc__, name            # its docstring says what it re-checks


def test_unknown_or_misplaced_theorem_rejected():
    base = decide(SparsityPattern.preset("dense:3,3,3"), 30).certificate
    for name in ["no_such_theorem", "shallow_two_points"]:   # the latter is about F_I(Omega) only
        c = copy.deepcopy(base)
        c["theorem"]["name"] = name
        rep = verify(c)
        assert not rep.ok and ("known theorem", False, f"unknown theorem {name!r}") in rep.checks
    c = copy.deepcopy(base)
    c.update(question="relu_points", points=[["1", "0", "0"]])
    c["theorem"]["name"] = "deep_dense_components"
    rep = verify(c)
    assert not rep.ok and ("theorem applies to F_I(Omega)", False,
                           "'deep_dense_components' is not a theorem about F_I(Omega)") in rep.checks


def test_a_registered_checker_is_used(monkeypatch):
    """Adding a certificate kind is: write a checker, register it."""
    from netalgebra.certificate import closed

    seen = []

    def check_toy(hypotheses, masks, question, report, budget):
        """Toy theorem: the hypotheses say the depth."""
        seen.append(question.kind)
        report.check("toy: depth", hypotheses.get("depth") == len(masks))

    monkeypatch.setattr(closed, "CHECKERS", dict(closed.CHECKERS))
    monkeypatch.setattr(closed, "QUESTIONS", dict(closed.QUESTIONS))
    closed.register("toy", check_toy)
    c = decide(SparsityPattern.preset("dense:3,3,3"), 30).certificate
    c["theorem"] = {"name": "toy", "hypotheses": {"depth": 2}}
    assert verify(c).ok and seen == ["linear"]
    c["theorem"]["hypotheses"]["depth"] = 3
    assert not verify(c).ok
