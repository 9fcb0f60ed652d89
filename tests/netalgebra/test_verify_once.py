"""A nested verdict is verified once, at the outermost level (netalgebra.decide.certify.checked_nested).

The pipeline reaches the verifier through ``netalgebra.decide.certify.verify``; the tests count the
calls there.  ``random:3,3,3,3:0.5:14`` is closed by a certificate nested four deep (live block >
twin merge > outer twins > deep_coordinate_subspace), each level of which was verified separately
before.  When the one check fails, the answer is the one the pipeline gives with every check made
where it stands (``checks_everywhere``): a rejected inner certificate falls through as before.
"""

import json

from cad.budget import Budget
from netalgebra.certificate import VerificationReport, verify as independent_verify
from netalgebra.decide import decide
from netalgebra.decide import certify
from netalgebra.decide.verdict import Verdict
from netalgebra.pattern import SparsityPattern

NESTED = "random:3,3,3,3:0.5:14"
WRAPPERS = ("block", "twin_merge", "outer_twin_merge", "reduction")


def _depth(cert):
    """How many wrappers the certificate nests (block, twin merge, outer twins, layer merge)."""
    for key in WRAPPERS:
        sub = cert.get(key)
        if isinstance(sub, dict) and isinstance(sub.get("certificate"), dict):
            return 1 + _depth(sub["certificate"])
    return 0


def _counting(monkeypatch, reject=lambda cert: False):
    """Replace the pipeline's verifier entry by one that records its certificates (and fails those
    ``reject`` names, nested ones included, as a wrong certificate would)."""
    seen = []

    def counted(cert, *args, **kwargs):
        seen.append(cert)
        rep = independent_verify(cert, *args, **kwargs)
        if reject(cert):
            rep.check("test rejection", False, "rejected by the test")
        return rep

    monkeypatch.setattr(certify, "verify", counted)
    return seen


def test_nested_verdict_is_verified_exactly_once(monkeypatch):
    seen = _counting(monkeypatch)
    v = decide(SparsityPattern.preset(NESTED), 60)
    assert v.status == "closed"
    assert _depth(v.certificate) >= 2            # really nested: each level used to be verified
    assert len(seen) == 1 and seen[0] is v.certificate
    assert independent_verify(v.certificate).ok


def test_a_rejected_inner_certificate_falls_through_as_before(monkeypatch):
    inner = "deep_coordinate_subspace"
    seen = _counting(monkeypatch, reject=lambda cert: inner in json.dumps(cert))
    deferred = decide(SparsityPattern.preset(NESTED), 60)
    assert seen and inner in json.dumps(seen[0])  # the one check saw the inner route and failed
    with certify.checks_everywhere():
        before = decide(SparsityPattern.preset(NESTED), 60)
    assert inner not in json.dumps(deferred.certificate or {})
    assert (deferred.status, deferred.certificate) == (before.status, before.certificate)


def test_checked_nested_defers_inside_and_runs_again_everywhere_after_a_failure(monkeypatch):
    modes = []

    def decide_inner():
        modes.append(certify._MODE.get())
        # an inner route's check: deferred on the first run, made on the second
        return Verdict("closed", {"inner": True}, "inner", 0.0) if not certify.self_check({"x": 1}, Budget.of(5)) \
            else Verdict("unknown", None, "inner check failed", 0.0)

    checked = []

    def fake_verify(cert, budget=None):
        checked.append(cert)
        rep = VerificationReport()
        rep.check("test", len(checked) != 1, "the first check (the wrapped certificate) fails")
        return rep

    monkeypatch.setattr(certify, "verify", fake_verify)
    inner, cert, note = certify.checked_nested(
        decide_inner, lambda v: None if v.status == "unknown" else {"wrapped": v.certificate}, Budget.of(5))
    assert modes == ["deferred", "eager"]
    assert checked[0] == {"wrapped": {"inner": True}}        # the first run's one check: the wrapper
    assert checked[1:] == [{"x": 1}, {"wrapped": {"inner": True}}]   # then the inner route, the wrapper
    assert inner.status == "closed" and cert == {"wrapped": {"inner": True}} and note == ""
