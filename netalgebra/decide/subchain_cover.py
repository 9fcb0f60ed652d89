"""The pipeline step of ``deep_subchain_cover`` (:mod:`netalgebra.theorems.subchain_cover`).

Tried on depth >= 3 patterns whose product does *not* have full generic rank ``|K|`` (there the
whole-pattern rational cover is the tool; here a hidden layer is narrower than the product's
generic rank needs, ``L_I`` is lower-dimensional in ``V_K``, and a run of layers beside the narrow
layer may still be a coordinate subspace).  It runs before the witness searches, with
:data:`SHARE` of the remaining budget and at most :data:`MAX_SECONDS` (:meth:`Budget.run_share`):
its costly part, the run's case-tree search, starts only once a theorem has closed the reduced
pattern and the run has full generic rank (so the run's products are dense in ``V_U`` and the
pattern is likely closed); if the tree exists the pattern is closed, and no witness search is kept
waiting for nothing.  The share is large because the search takes seconds on a 4,4,4,4 pattern.  It is not in the theorem registry, whose theorems also run on every sub-pattern the
pipeline decides.  The certificate is re-checked by ``verify`` before the verdict is returned.
"""

from cad.budget import Budget
from netalgebra.certificate import FORMAT
from netalgebra.decide.certify import self_check
from netalgebra.decide.verdict import Verdict, pattern_json
from netalgebra.theorems.rational_cover import full_dimensional
from netalgebra.theorems.subchain_cover import subchain_cover

__all__ = ["decide_by_subchain_cover", "SHARE", "MAX_SECONDS"]

SHARE, MAX_SECONDS = 0.8, 30.0


def decide_by_subchain_cover(pattern, masks, budget):
    """A closed :class:`Verdict` from a sub-chain cover, self-checked, or None (not tried, not found
    within its share of ``budget``, or rejected by the re-check)."""
    if len(masks) < 3 or full_dimensional(masks):
        return None
    th = Budget.run_share(budget, SHARE, MAX_SECONDS, lambda b: subchain_cover(masks, b),
                          what="time (sub-chain cover)")
    if th is None:
        return None
    cert = {"format": FORMAT, "verdict": "closed", "question": "linear", "pattern": pattern_json(pattern, masks),
            "theorem": th, "argument": th["statement"]}
    if self_check(cert, budget):
        return None
    return Verdict("closed", cert, f"theorem {th['name']}: {th['statement']}", budget.elapsed(),
                   {"theorem": th["name"]})
