"""Closed verdicts by ``deep_coordinate_subspace`` whose elimination leaves may be peel proofs on
two-layer patterns that merges reach (:func:`netalgebra.theorems.subspace.deep_coordinate_subspace_with_peels`:
``L_I = V_K``).

Why a step of its own.  The theorem route runs ``deep_coordinate_subspace`` first with a small
share and without these leaves; their search costs seconds on a 4,4,4,4 pattern where it fails,
and in the theorem route it would take them from the witness searches of patterns that are not
closed.  Here it runs after the witness searches and before the rational cover, on patterns of
full generic rank (a filter: ``L_I = V_K`` needs it), with :data:`SHARE` of the remaining budget.
The certificate is re-checked by ``verify`` before the verdict is returned.
"""

from cad.budget import Budget
from netalgebra.decide.certify import theorem_verdict
from netalgebra.theorems.rational_cover import full_dimensional
from netalgebra.theorems.subspace import deep_coordinate_subspace_with_peels

__all__ = ["decide_by_peel_leaves", "SHARE", "MAX_SECONDS"]

SHARE, MAX_SECONDS = 0.8, 60.0


def decide_by_peel_leaves(pattern, masks, budget):
    """A closed :class:`Verdict`, self-checked, or None (depth below 3, generic rank below ``|K|``
    modulo a prime, nothing found within the share, or rejected by the re-check)."""
    if len(masks) < 3 or not full_dimensional(masks):
        return None
    th = Budget.run_share(budget, SHARE, MAX_SECONDS, lambda b: deep_coordinate_subspace_with_peels(masks, b),
                          what="time (coordinate subspace with peel leaves)")
    return None if th is None else theorem_verdict(pattern, masks, th, budget, check=True)
