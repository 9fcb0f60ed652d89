"""The pipeline step of ``deep_subchain_cover`` (:mod:`netalgebra.theorems.subchain_cover`).

Tried first on depth >= 3 patterns whose product does *not* have full generic rank ``|K|`` (there the
whole-pattern rational cover is the tool; here a hidden layer is narrower than the product's
generic rank needs, ``L_I`` is lower-dimensional in ``V_K``, and a run of layers beside the narrow
layer may still be a coordinate subspace).  It runs before the witness searches, with
:data:`SHARE` of the remaining budget and at most :data:`MAX_SECONDS` (:meth:`Budget.run_share`):
its costly part, the run's case-tree search, starts only once a theorem has closed the reduced
pattern and the run has full generic rank (so the run's products are dense in ``V_U`` and the
pattern is likely closed); if the tree exists the pattern is closed, and no witness search is kept
waiting for nothing.  The share is large because the search takes seconds on a 4,4,4,4 pattern.
It is not in the theorem registry, whose theorems also run on every sub-pattern the pipeline
decides.  The pipeline wraps the fragment and re-checks it with ``verify`` before answering.
"""

from cad.budget import Budget
from netalgebra.theorems.rational_cover import full_dimensional
from netalgebra.theorems.subchain_cover import subchain_cover

__all__ = ["subchain_cover_within_share", "subchain_cover_full_rank", "SHARE", "MAX_SECONDS"]

SHARE, MAX_SECONDS = 0.8, 30.0
FULL_SHARE, FULL_SECONDS = 0.6, 10.0    # full generic rank: after the whole-pattern cover, before CAD


def subchain_cover_within_share(masks, budget):
    """The ``deep_subchain_cover`` fragment found within its share of ``budget``, or None (not tried:
    depth < 3 or full generic rank; or not found in time).  The caller wraps it in a certificate
    and re-checks it with ``verify`` before answering."""
    if len(masks) < 3 or full_dimensional(masks):
        return None
    return Budget.run_share(budget, SHARE, MAX_SECONDS, lambda b: subchain_cover(masks, b),
                            what="time (sub-chain cover)")


def subchain_cover_full_rank(masks, budget):
    """The ``deep_subchain_cover`` fragment of a depth >= 3 pattern of full generic rank, whose
    reduced pattern may be closed by its own rational cover
    (:func:`netalgebra.theorems.subchain_cover.subchain_cover` with ``reduced_cover``), within
    :data:`FULL_SHARE` of ``budget`` and at most :data:`FULL_SECONDS`; or None.  The pipeline asks
    only once the whole-pattern rational cover has failed, and before the CAD route, which keeps
    the rest.  Example: ``random:4,4,4,4:0.6:86``, whose layers 2..3 have a tree and whose reduced
    two-layer pattern has one too, while the whole pattern's search finds none."""
    if len(masks) < 3 or not full_dimensional(masks):
        return None
    return Budget.run_share(budget, FULL_SHARE, FULL_SECONDS,
                            lambda b: subchain_cover(masks, b, reduced_cover=True),
                            what="time (sub-chain cover)")
