"""Two deep patterns the decider leaves unknown, with not-closed certificates found outside it.

``random:4,4,4,4:0.6:12`` and ``random:4,4,4,4:0.7:92`` are among the 4,4,4,4 unknowns of
``benchmarks/deep.py`` (issue 15, acceptance 3).  Their certificates in
``tests/data/known_not_closed/`` were found offline (tests/data/known_not_closed/README.md): a
0/1 target at a node where the rational-cover search failed, an escaping family from
``_projection_family``, and Nullstellensatz multipliers from Singular's ``lift``.  Nothing here
trusts those tools.  The checker re-verifies each certificate exactly, tampered copies must
fail, and the decider must never call these patterns closed.
"""

import copy
import json
import os

import pytest

from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.pattern import SparsityPattern
from netalgebra.theorems import masks_of

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "known_not_closed")
KNOWN = {"random:4,4,4,4:0.6:12": "random_4444_0.6_12.json", "random:4,4,4,4:0.7:92": "random_4444_0.7_92.json"}


def _load(preset):
    with open(os.path.join(DATA, KNOWN[preset])) as f:
        return json.load(f)


@pytest.mark.parametrize("preset", sorted(KNOWN))
def test_certificate_of_the_preset_verifies(preset):
    cert = _load(preset)
    masks = [list(map(list, m)) for m in masks_of(SparsityPattern.preset(preset))]
    assert cert["pattern"]["masks"] == masks          # the certificate speaks of this very pattern
    assert cert["verdict"] == "not_closed"
    rep = verify(cert)
    assert rep.ok, rep.summary()


def _tampered_target(cert):
    A = cert["target"]
    r, c = next((r, c) for r, row in enumerate(A) for c, x in enumerate(row) if x == "1")
    A[r][c] = "2"                                       # a different target: the family no longer tends to it


def _dropped_multiplier_term(cert):
    mults = cert["non_attainment"]["multipliers"]
    k = max(range(len(mults)), key=lambda i: len(mults[i]))
    del mults[k][0]                                     # the identity no longer sums to 1


def _changed_mask(cert):
    name = sorted(cert["escaping_family"]["weights"])[0]
    l, i, j = (int(x) for x in name[1:].split("_"))
    cert["pattern"]["masks"][l - 1][i][j] = 0           # an edge the escaping family uses
    del cert["pattern"]["name"]                         # (else the preset name alone would refuse it)


def _moved_family_weight(cert):
    weights = cert["escaping_family"]["weights"]
    name = sorted(weights)[0]
    l, i, j = name[1:].split("_")
    moved = f"w{l}_{(int(i) + 1) % 4}_{j}"
    weights[moved] = weights.pop(name)                  # the witness's weight on another edge


@pytest.mark.parametrize("preset", sorted(KNOWN))
@pytest.mark.parametrize("tamper", [_tampered_target, _dropped_multiplier_term, _changed_mask, _moved_family_weight])
def test_tampered_certificate_fails(preset, tamper):
    cert = copy.deepcopy(_load(preset))
    tamper(cert)
    assert not verify(cert).ok


@pytest.mark.parametrize("preset", sorted(KNOWN))
def test_decider_never_calls_them_closed(preset):
    v = decide(SparsityPattern.preset(preset), 3.0)
    assert v.status in ("not_closed", "unknown"), v.reason
    if v.status == "not_closed":
        assert verify(v.certificate).ok
