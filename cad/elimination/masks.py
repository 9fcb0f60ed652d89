"""Sets of signs as 3-bit masks: the common currency of matrix evaluation and solution formulas.

A set of signs ``S`` of ``{-1, 0, +1}`` is the mask with bit :data:`SIGN_BIT` ``[s]`` set for
each ``s`` in ``S``; the atom ``p rel 0`` holds exactly where the sign of ``p`` lies in
:data:`REL_MASK` ``[rel]``.  Every non-empty proper subset of the signs is a relation
(:data:`MASK_REL`), so a term of a solution formula is a map factor -> mask.
"""

__all__ = ["SIGN_BIT", "REL_MASK", "MASK_REL", "ALL_SIGNS", "holds"]

#: sign -> bit ( - : 1, 0 : 2, + : 4 )
SIGN_BIT = {-1: 1, 0: 2, 1: 4}
#: relation -> mask of the signs of ``p`` where ``p rel 0`` holds
REL_MASK = {"<": 1, "=": 2, ">": 4, "<=": 3, ">=": 6, "/=": 5}
MASK_REL = {m: rel for rel, m in REL_MASK.items()}
#: the mask of every sign (no constraint)
ALL_SIGNS = 7


def holds(rel, sign):
    """Truth of ``s rel 0`` for a sign ``s``."""
    return bool(REL_MASK[rel] & SIGN_BIT[sign])
