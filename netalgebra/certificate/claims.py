"""The verifier's own reading of what a certificate proves, and the check of its ``claims``.

Every certificate the decider writes carries ``claims`` (``linear_counterpart``,
``optimum_for_every_training_set`` and, for question ``relu_points``,
``optimum_for_this_input_set``; docs/mathematics.md, "What a closed verdict does and does not
give").  :func:`derive_claims` computes them here, independently of the decider, from the
certificate's verdict, question and theorem:

- ``guaranteed`` for every training set only when the top-level theorem, or the theorem stored
  under ``every_training_set`` (a linear certificate whose own theorem proves only ``L_I``
  closed), is registered with ``every_training_set`` in :mod:`netalgebra.certificate.closed`;
  its checker re-checks the hypotheses in the same report;
- ``fails`` for every training set when ``L_I`` is not closed (Theorem 3.1 of the paper; the
  training set is re-checked by :func:`netalgebra.certificate.not_closed.check_relu` when the
  certificate carries one) or when ``F_I(Omega)`` is not closed for the certificate's points;
- otherwise ``not_established`` / ``unknown``.

:func:`check_claims` rejects stored claims that differ from these (a claim that outruns the
proof, or one that is weaker than it: the statements must say exactly what is proven).
A certificate without ``claims`` is checked as before and proves what :func:`derive_claims` says.
"""

from netalgebra.certificate.closed import EVERY_TRAINING_SET
from netalgebra.certificate.kernel import Malformed

__all__ = ["derive_claims", "check_claims"]


def derive_claims(cert, question):
    """The statements proven by ``cert`` (a certificate whose other checks passed)."""
    verdict = cert.get("verdict")
    theorem = cert.get("theorem") if verdict == "closed" else None
    name = theorem.get("name") if isinstance(theorem, dict) else None
    every_omega = name in EVERY_TRAINING_SET
    extra = cert.get("every_training_set") if verdict == "closed" and question == "linear" else None
    if verdict == "closed" and not every_omega and isinstance(extra, dict) and extra.get("name") in EVERY_TRAINING_SET:
        every = {"status": "guaranteed", "theorem": extra["name"]}      # hypotheses checked in check_claims
    elif verdict == "closed":
        every = {"status": "guaranteed", "theorem": name} if every_omega else {"status": "not_established"}
    elif verdict == "not_closed":
        every = {"status": "fails"}
    else:
        every = {"status": "not_established"}
    if question == "linear":
        linear = verdict if verdict in ("closed", "not_closed") else "unknown"
        return {"linear_counterpart": linear, "optimum_for_every_training_set": every}
    this = {"closed": {"status": "guaranteed", "theorem": name}, "not_closed": {"status": "fails"}}.get(
        verdict, {"status": "unknown"})
    return {"linear_counterpart": "closed" if every_omega else "unknown",
            "optimum_for_every_training_set": every, "optimum_for_this_input_set": this}


def check_claims(cert, question, report, masks=None, budget=None):
    """Re-check the hypotheses of an ``every_training_set`` theorem (if any), then compare the
    certificate's ``claims`` (if any) with :func:`derive_claims`."""
    extra = cert.get("every_training_set")
    if extra is not None:
        from netalgebra.certificate.closed import Question, check_theorem

        if not (isinstance(extra, dict) and extra.get("name") in EVERY_TRAINING_SET):
            raise Malformed("every_training_set: expected a theorem proving F_I(Omega) closed for every Omega")
        check_theorem(extra, masks, Question("linear"), report, budget)
    derived = derive_claims(cert, question)
    stored = cert.get("claims")
    if stored is None:
        report.check("claims (derived)", True, _text(derived))
        return
    if not isinstance(stored, dict):
        raise Malformed("claims: expected an object")
    bad = []
    for key, value in derived.items():
        got = stored.get(key)
        if isinstance(value, str):
            same = got == value
        else:
            same = isinstance(got, dict) and all(got.get(k) == v for k, v in value.items())
        if not same:
            bad.append(f"{key}: certificate says {got!r}, proven {value!r}")
    extra = set(stored) - set(derived)
    if extra:
        bad.append(f"claims not proven by this certificate: {sorted(extra)}")
    report.check("claims say exactly what is proven", not bad, "; ".join(bad) if bad else _text(derived))


def _text(claims):
    return ", ".join(f"{k} {v if isinstance(v, str) else v['status'] + (' (' + v['theorem'] + ')' if v.get('theorem') else '')}"
                     for k, v in claims.items())
