"""What a verdict proves, in three statements that every verdict carries.

(docs/mathematics.md, "What a closed verdict does and does not give".)

- ``linear_counterpart``: ``closed`` / ``not_closed`` / ``unknown`` -- is ``L_I`` closed?
- ``optimum_for_every_training_set``: does every finite training problem (a loss that is
  lower semicontinuous and coercive in the outputs, e.g. the squared error) have an optimum?
  ``guaranteed`` only when the certificate's theorem concludes "``F_I(Omega)`` is closed for
  every finite ``Omega``" (:data:`netalgebra.theorems.registry.EVERY_TRAINING_SET`: one layer,
  proved; one hidden layer with scalar output, the paper's theorem); ``fails`` when a training
  set without optimum is known (``L_I`` not closed: Theorem 3.1 of the paper, with the training
  set in the certificate when the certificate carries one; or ``F_I(Omega)`` not closed for the
  given ``Omega``, which is itself such a training set); otherwise ``not_established``.  ``L_I``
  closed is necessary, not sufficient as far as anything proven goes, so it gives
  ``not_established``.
- ``optimum_for_this_input_set`` (only with training inputs ``Omega``): ``guaranteed`` when
  ``F_I(Omega)`` is proven closed, ``fails`` when it is proven not closed (the certificate
  carries a target on which the infimum 0 is not attained), else ``unknown``.

The verifier derives the same statements with its own code from a verified certificate
(:mod:`netalgebra.certificate.claims`) and rejects a certificate whose stored claims differ.
"""

from netalgebra.theorems.registry import EVERY_TRAINING_SET

__all__ = ["claims_of", "add_guarantee"]

_THEOREM_3_1 = "Theorem 3.1 of the paper (L_I not closed => some finite training set has no optimum)"


def _every_training_set(status, question, cert):
    if status == "closed":
        name = (cert or {}).get("theorem", {}).get("name")
        if name in EVERY_TRAINING_SET:
            return {"status": "guaranteed", "theorem": name}
        extra = (cert or {}).get("every_training_set")
        if isinstance(extra, dict) and extra.get("name") in EVERY_TRAINING_SET:
            return {"status": "guaranteed", "theorem": extra["name"]}
        return {"status": "not_established"}
    if status == "not_closed":
        if question == "relu_points":
            return {"status": "fails", "training_set": "points",
                    "by": "F_I(Omega) is not closed on the certificate's own points"}
        has_set = isinstance((cert or {}).get("relu"), dict)
        return {"status": "fails", "training_set": "relu.points" if has_set else None,
                "by": _THEOREM_3_1 + ("; the training set is in the certificate and re-checked"
                                      if has_set else "; cited, the certificate carries no training set")}
    return {"status": "not_established"}


def _linear(status, question, cert):
    if question == "linear":
        return status
    name = (cert or {}).get("theorem", {}).get("name") if status == "closed" else None
    return "closed" if name in EVERY_TRAINING_SET else "unknown"   # these theorems prove L_I closed too


def add_guarantee(masks, cert):
    """When ``cert`` proves only ``L_I`` closed, but a theorem of :data:`EVERY_TRAINING_SET` applies
    to the masks, add its fragment as ``cert["every_training_set"]`` (``verify`` re-checks its
    hypotheses): the certificate then also guarantees an optimum for every finite training set."""
    if cert is None or cert.get("theorem", {}).get("name") in EVERY_TRAINING_SET:
        return
    for theorem in EVERY_TRAINING_SET.values():
        frag = theorem(masks)
        if frag is not None:
            cert["every_training_set"] = frag
            return


def claims_of(status, question="linear", cert=None):
    """The statements a verdict ``status`` on ``question`` (``"linear"`` or ``"relu_points"``)
    with certificate ``cert`` proves (see the module docstring)."""
    out = {"linear_counterpart": _linear(status, question, cert),
           "optimum_for_every_training_set": _every_training_set(status, question, cert)}
    if question == "relu_points":
        this = {"closed": "guaranteed", "not_closed": "fails"}.get(status, "unknown")
        out["optimum_for_this_input_set"] = {"status": this}
        if this == "guaranteed":
            out["optimum_for_this_input_set"]["theorem"] = cert["theorem"]["name"]
    return out
