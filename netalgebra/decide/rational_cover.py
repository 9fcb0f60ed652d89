"""Closed verdicts by a rational cover (:mod:`netalgebra.theorems.rational_cover`: ``L_I = V_K`` by
rational realisations with a case tree on the zeros of their denominators).

Tried after the witness searches and before the CAD route, only on patterns whose Jacobian, at
one random point modulo a prime, has rank ``|K|`` (a lower rank there is evidence, not proof, that
``L_I`` is not dense in ``V_K``, where no cover could exist) and whose paths are few enough
(:func:`netalgebra.theorems.rational_cover.full_dimensional`).  Deep patterns get
:data:`SHARE_BEFORE_CAD` of the remaining budget when the CAD route comes next and all of it when
the pattern is too large for that route; two-layer patterns, where CAD often decides and the
theorems and cores come first, get :data:`TWO_LAYER_SHARE` (at most :data:`TWO_LAYER_SECONDS`):
the cover lemma holds at every depth, and it closes the last two unknown orbits of the 3,3,3
census (:func:`Budget.run_share`).  The certificate is re-checked by ``verify`` before the verdict
is returned.
"""

from cad.budget import Budget
from netalgebra.decide.certify import theorem_verdict
from netalgebra.theorems.rational_cover import full_dimensional, rational_cover

__all__ = ["decide_by_rational_cover", "SHARE_BEFORE_CAD", "MAX_SECONDS", "TWO_LAYER_SHARE", "TWO_LAYER_SECONDS"]

SHARE_BEFORE_CAD, MAX_SECONDS = 0.8, 60.0
TWO_LAYER_SHARE, TWO_LAYER_SECONDS = 0.3, 5.0


def decide_by_rational_cover(pattern, masks, budget, cad_next):
    """A closed :class:`Verdict` from a rational cover, self-checked, or None (not tried, not found
    within its share of ``budget``, or rejected by the re-check).  ``cad_next``: the CAD route
    comes next and gets the rest of the budget."""
    if len(masks) < 2 or not full_dimensional(masks):
        return None
    share, seconds = ((TWO_LAYER_SHARE, TWO_LAYER_SECONDS) if len(masks) == 2 and cad_next else
                      (SHARE_BEFORE_CAD if cad_next else 1.0, MAX_SECONDS))
    th = Budget.run_share(budget, share, seconds, lambda b: rational_cover(masks, b, any_depth=True),
                          what="time (rational cover)")
    return None if th is None else theorem_verdict(pattern, masks, th, budget, check=True)
