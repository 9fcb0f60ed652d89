"""What :func:`netalgebra.decide.decide` returns, and the pattern as certificates record it."""

from dataclasses import dataclass, field

__all__ = ["Verdict", "pattern_json"]

@dataclass
class Verdict:
    """Outcome of :func:`decide`."""

    status: str                      # "closed" | "not_closed" | "unknown"
    certificate: dict | None = None  # JSON-ready; see netalgebra.certificate
    reason: str = ""
    seconds: float = 0.0
    witness: dict = field(default_factory=dict)  # short summary for humans (target, block, ...)
    claims: dict = field(default_factory=dict)   # what is proven (netalgebra.decide.claims)


def pattern_json(pattern, masks):
    """The ``"pattern"`` entry of a certificate: name and masks."""
    return {"name": getattr(pattern, "name", None), "masks": [[list(r) for r in m] for m in masks]}
