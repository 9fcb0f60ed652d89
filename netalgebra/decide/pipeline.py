"""The decision pipeline: is the linear counterpart L_I (or F_I(Omega)) closed?

``decide(pattern, budget)`` returns a :class:`Verdict` whose ``status`` is
``"closed"``, ``"not_closed"`` or ``"unknown"``, with a certificate that
:func:`netalgebra.certificate.verify` re-checks independently.

Pipeline (one function per step below):

1. **Theorems** (:mod:`netalgebra.theorems`): one layer; one hidden layer
   with scalar output; one hidden layer whose support groups are identical,
   single-row/column or fill their rectangle by rank peeling; free output
   rows / input columns removed first when needed; neurons whose uncovered
   support is a coordinate subspace absorbed first (``shallow_subspace_absorption``);
   dense live components and the other deep theorems (``theorems.deep``, ``theorems.subspace``).
   They apply after the reductions they prove themselves (dead neurons, components, disjoint
   support groups).
1b. **Live block** for depth >= 3 (:func:`_by_live_block`): dead rows, columns and edges are
   dropped (``L_I = L' (+) 0``, both verdicts transfer), the rest goes through this pipeline.
   **Layer merge** for depth >= 3 (:func:`_by_layer_merge`): hidden layers whose neurons
   all have in-degree <= 1 (or all out-degree <= 1) are merged into a neighbour
   (:mod:`netalgebra.layer_merge`, ``L_I`` unchanged); the merged pattern goes through this
   pipeline and its certificate is wrapped with the merge steps.
   **Twin merge** for depth >= 3 (:mod:`netalgebra.decide.twins`): two neurons of a hidden layer
   with the same single input (or output) become one (``L_I`` unchanged); the merged pattern
   goes through this pipeline and its certificate is nested (``method: "twin_merge"``).
   **Outer twins** for depth >= 3 (:mod:`netalgebra.decide.outer_twins`): two outputs reading one
   neuron alone (or two inputs read by one neuron alone) become one (``L_I`` closed iff the merged
   one is); the merged pattern goes through the theorem steps of this pipeline (no witness search,
   no CAD; an ``unknown`` there lets the routes below run) and its certificate is nested
   (``method: "outer_twin_merge"``).  After the witness searches the merged pattern is tried again
   with the rational cover and the CAD route (it is smaller, and its ``L_I`` may have full generic
   rank where the pattern's has not); its theorem route, which found nothing in the first pass, is
   not searched again.
1c. **Three alternating Monarch factors** (:func:`_by_monarch_similarity`): not closed, by a
   block similarity invariant (:mod:`netalgebra.decide.similarity`).
1d. **Sub-chain cover** for depth >= 3 below full generic rank (:mod:`netalgebra.decide.subchain_cover`,
   ``deep_subchain_cover``, self-checked): a run of layers with a rational cover whose replacement by
   one layer leaves a pattern a theorem closes; tried before the witness searches with a share of
   the budget (the costly search runs only once the reduced pattern is known to be closed).
2. **Witness search** for deep patterns: a collision at a narrow hidden layer whose limit has no
   transversal (:mod:`netalgebra.decide.narrow_layer`, self-checked), a core of the pattern grouped at a hidden
   layer (:func:`find_deep_core`), else a partial-permutation target with a Nullstellensatz
   identity over the whole product, with rotated-product equations for permutation targets
   (:func:`find_permutation_core`; both self-checked by ``verify``), else a 0/1 target whose zero
   pattern no product cut at a hidden layer has (:func:`find_support_core`, support propagation,
   self-checked), then the blocks of the pattern
   (:func:`_by_block`, :mod:`netalgebra.decide.blocks`): a block sub-pattern decided not closed
   by this pipeline (without the CAD route first, then with it) is a witness by block
   projection.  For one hidden layer (:func:`find_core`): a 2x2 block
   whose sub-pattern is a non-closed LU/UL core (:func:`find_core_2x2`), or a
   3x2 / 2x3 "collision" core (:func:`find_core_3x2`), or a 3x3 block with a 0/1
   missing point found by a bounded search (:func:`find_core_3x3`: collision
   "hook" family, graded Nullstellensatz identity; self-checked by ``verify``).  The block projection
   lemma (proved in :func:`find_core_2x2`) lifts the core's missing point
   ``B`` to ``B (+) 0``, missing from the whole pattern, with an explicit
   escaping family, a Nullstellensatz proof of non-attainment and a training
   set on which the ReLU training problem has no optimum (Theorem 3.1 of the
   paper).
2b. **Coordinate subspace with peel leaves** for depth >= 3 of full generic rank, after the witness
   searches (:mod:`netalgebra.decide.peel_leaves`, a share of the budget; self-checked): the
   elimination of ``deep_coordinate_subspace`` whose leaves may also be rank-one peel proofs on
   two-layer patterns reached by merges.  Then the **rational cover**
   (:mod:`netalgebra.decide.rational_cover`, self-checked); where it finds no tree, the
   **sub-chain cover** again, now on full generic rank and with reduced patterns closed by their
   own rational cover too (:func:`subchain_cover_full_rank`, a share of the budget; self-checked).
2c. **Rational cover** for one hidden layer too, after the theorems and the core search, with a
   smaller share before CAD (:mod:`netalgebra.decide.rational_cover`, self-checked): the last two
   unknown orbits of the 3,3,3 census are closed this way.  Only for a two-layer pattern asked
   about, not for the two-layer blocks and merged patterns of deep ones (there it cost them about
   a second, and two 4,4,4,4 verdicts in the benchmark).
3. **Exact decision by CAD** (:func:`decide_by_cad`): QE of the image (one weight per hidden
   neuron fixed by the rescaling symmetry, zero cases kept) and
   ``cad.topology.is_closed`` within the remaining budget; the certificate
   stores the QE description of ``L_I`` (closed) or a rational witness with
   approaching points (not closed), which ``verify`` re-decides with its own
   product map.  A verdict whose certificate would be incomplete is not given.
4. Otherwise, or when the budget runs out: ``"unknown"``, never a guess.

Reference: Le, Riccietti, Gribonval, NeurIPS 2023 (arXiv 2306.02666).
Only python-flint and the standard library are imported at module level (the CAD route
imports the engine when it runs).
"""

from fractions import Fraction

from cad.budget import Budget
from cad.errors import BudgetExceeded, InputError
from netalgebra.certificate import FORMAT
from netalgebra.decide.blocks import BLOCK_SHARE, block_certificate, find_block_witness, live_block
from netalgebra.decide.cad_route import decide_by_cad, size_note
from netalgebra.decide.certify import (checked_nested, deep_not_closed_certificate, not_closed_certificate,
                                      forget_verified, self_check, theorem_verdict, verified_last)
from netalgebra.decide.claims import add_guarantee, claims_of
from netalgebra.decide.cores import find_core
from netalgebra.decide.deep_cores import find_deep_core
from netalgebra.decide.deep_nss import find_permutation_core
from netalgebra.decide.narrow_layer import by_narrow_layer
from netalgebra.decide.outer_twins import by_outer_twin_merge
from netalgebra.decide.family import fraction_text
from netalgebra.decide.peel_leaves import decide_by_peel_leaves
from netalgebra.decide.points_route import decide_points_route
from netalgebra.decide.rational_cover import decide_by_rational_cover
from netalgebra.decide.similarity import describe as describe_monarch
from netalgebra.decide.subchain_cover import subchain_cover_full_rank, subchain_cover_within_share
from netalgebra.decide.support_witness import find_support_core
from netalgebra.decide.similarity import monarch_similarity_witness
from netalgebra.decide.twins import by_twin_merge
from netalgebra.decide.verdict import Verdict, pattern_json
from netalgebra.layer_merge import describe_steps, merge_layers
from netalgebra.pattern import SparsityPattern
from netalgebra.theorems import closed_by_theorem, masks_of

__all__ = ["decide"]

ROUTES = ("theorems", "core", "cad")
SELF_CHECKED_THEOREMS = frozenset({"deep_digit_mixing", "deep_coordinate_subspace", "deep_subchain_merge",
                                   "shallow_coordinate_subspace"})    # newer theorems: re-checked before answering


def decide(pattern, budget=None, *, points=None, methods=ROUTES):
    """Decide closedness of ``L_I`` (or of ``F_I(Omega)`` when ``points`` is given).

    ``budget`` is a time limit in seconds (None: no limit) or a
    :class:`cad.budget.Budget`.  When it runs out
    the verdict is ``"unknown"``; a verdict other than ``"unknown"`` always
    comes with a certificate.  ``points``: a list of input points (rationals as
    ints, Fractions or "p/q" strings) -- then the question is whether the ReLU
    class on that finite training set is closed; only the theorems about
    ``F_I(Omega)`` and the CAD hook apply (a non-closed ``L_I`` does not by
    itself decide a given Omega).  ``methods`` selects the routes tried, in
    pipeline order, among ``"theorems"``, ``"core"`` (witness search) and
    ``"cad"``; e.g. ``methods=("cad",)`` forces the exact CAD route (tests).
    """
    unknown_methods = set(methods) - set(ROUTES)
    if unknown_methods:
        raise InputError(f"methods: unknown route {sorted(unknown_methods)[0]!r} (use 'theorems', 'core', 'cad')")
    if not isinstance(budget, Budget) and budget is not None and not (budget >= 0):
        raise InputError(f"timeout: {budget!r} is not a number of seconds >= 0")   # nan, negative
    budget = Budget.of(budget)
    masks = masks_of(pattern)
    _validate_masks(masks)
    try:
        budget.check("time (start)")
        if points is not None:
            v = _decide_points(pattern, masks, points, budget)
        else:
            v = _decide_linear(pattern, masks, methods, budget, top=True)
        if v.certificate is not None and not verified_last(v.certificate):
            note = self_check(v.certificate, budget)     # a route that does not check its own
            if note:
                v = Verdict("unknown", None, f"{v.reason}; but {note}", budget.elapsed())
    except BudgetExceeded as e:
        v = Verdict("unknown", None, f"budget exhausted: {e}", budget.elapsed())
    finally:
        forget_verified()
    if points is None and v.status == "closed":
        add_guarantee(masks, v.certificate)
    return _with_claims(v, "linear" if points is None else "relu_points")


def _with_claims(verdict, question):
    """Attach what the verdict proves (:func:`claims_of`) to the verdict and its certificate."""
    verdict.claims = claims_of(verdict.status, question, verdict.certificate)
    if verdict.certificate is not None:
        verdict.certificate["claims"] = verdict.claims
    return verdict


def _validate_masks(masks):
    if not masks:
        raise InputError("pattern: no layers")
    for l, m in enumerate(masks, start=1):
        if not m or not m[0] or any(len(r) != len(m[0]) for r in m):
            raise InputError(f"pattern: layer {l}: masks must be non-empty rectangular matrices")
        if not all(set(r) <= {0, 1} for r in m):
            raise InputError(f"pattern: layer {l}: mask entries must be 0 or 1")
        if l > 1 and len(m[0]) != len(masks[l - 2]):
            raise InputError(f"pattern: layer {l}: {len(m[0])} columns but layer {l - 1} has {len(masks[l - 2])} rows")


def _decide_linear(pattern, masks, methods, budget, blocks=True, theorems_failed=False, top=False):
    """Is ``L_I`` closed?  Theorems, then the core search (one hidden layer), then CAD.
    ``blocks``: search the blocks of a deep pattern (:func:`_by_block`; not again inside a block).
    ``top``: the pattern the user asked about (not a merged, reduced or block sub-pattern of it).
    ``theorems_failed``: the theorem route (:func:`_by_theorem`) already found nothing for these
    masks with this budget, earlier (so with no less time): it is not tried again."""
    if "theorems" in methods and not theorems_failed:
        v = _by_theorem(pattern, masks, budget)
        if v is not None:
            return v
    budget.check("time (theorems)")
    no_theorem = set()       # outer-twin-merged patterns whose theorem route found nothing (first pass)
    if len(masks) >= 3:
        v = _by_live_block(pattern, masks, methods, budget, blocks)
        if v is not None:
            return v
        v = _by_layer_merge(pattern, masks, methods, budget, blocks)
        if v is not None:
            return v
        v = by_twin_merge(pattern, masks, budget, lambda sub, b: _decide_linear(
            SparsityPattern(sub, name=None), sub, methods, b, blocks), checked_nested)
        if v is not None:
            return v
        v = by_outer_twin_merge(pattern, masks, budget, lambda sub, b: _theorems_only(sub, b, no_theorem),
                                checked_nested)
        if v is not None:
            return v
    if len(masks) == 3 and "core" in methods:
        v = _by_monarch_similarity(pattern, masks, budget)
        if v is not None:
            return v
    if len(masks) == 2 and "core" in methods:
        v = _by_core(pattern, masks, budget)
        if v is not None:
            return v
    if len(masks) >= 3 and blocks and "theorems" in methods:
        th = subchain_cover_within_share(masks, budget)
        v = theorem_verdict(pattern, masks, th, budget, check=True) if th is not None else None
        if v is not None:
            return v
    if len(masks) >= 3 and "core" in methods:
        v = by_narrow_layer(pattern, masks, budget, self_check) or _by_deep_core(pattern, masks, budget)
        if v is not None:
            return v
        v = _by_block(pattern, masks, methods, budget) if blocks else None
        if v is not None:
            return v
    if len(masks) >= 3 and blocks and "theorems" in methods:
        # the outer-twin-merged pattern again, now with its rational cover and CAD route (its
        # theorem route not again when the first pass saw it find nothing)
        v = by_outer_twin_merge(pattern, masks, budget, lambda sub, b: _decide_linear(
            SparsityPattern(sub, name=None), sub, tuple(m for m in methods if m != "core"), b,
            theorems_failed=sub in no_theorem), checked_nested)
        if v is not None:
            return v
        v = decide_by_peel_leaves(pattern, masks, budget)
        if v is not None:
            return v
        v = decide_by_rational_cover(pattern, masks, budget, cad_next="cad" in methods and not size_note(masks))
        if v is not None:
            return v
        th = subchain_cover_full_rank(masks, budget)
        v = theorem_verdict(pattern, masks, th, budget, check=True) if th is not None else None
        if v is not None:
            return v
    if len(masks) == 2 and "theorems" in methods and top:     # not for the sub-patterns of deep ones (time)
        v = decide_by_rational_cover(pattern, masks, budget, cad_next="cad" in methods and not size_note(masks))
        if v is not None:
            return v
    budget.check("time (witness search)")
    v, note = decide_by_cad(pattern, masks, budget) if "cad" in methods else (None, "the CAD route was not requested")
    if v is not None:
        return v
    return Verdict("unknown", None,
                   ("no theorem applies and no 2x2 / 3x2 / 2x3 / 3x3 core was found; " if len(masks) == 2 else
                    "no theorem applies to this deep pattern and no deep core was found; ") + note, budget.elapsed())


def _theorems_only(masks, budget, no_theorem):
    """The first outer-twin pass: the merged ``masks`` through the theorem steps of this pipeline
    (no witness search, no CAD).  Its first step is the theorem route, whose verdict is returned
    at once, so an ``unknown`` here means the theorem route found nothing: the masks are added to
    ``no_theorem``, and the second pass, later on the same budget, does not search again."""
    v = _decide_linear(SparsityPattern(masks, name=None), masks, ("theorems",), budget, blocks=False)
    if v.status == "unknown":
        no_theorem.add(masks)
    return v


def _by_theorem(pattern, masks, budget, points_json=None):
    """A closed verdict from the first theorem that applies (:mod:`netalgebra.theorems`), or None."""
    question = "linear" if points_json is None else "relu_points"
    npoints = None if points_json is None else len(points_json)
    th = closed_by_theorem(masks, question=question, npoints=npoints, budget=budget)
    if th is None:
        return None
    return theorem_verdict(pattern, masks, th, budget, th["name"] in SELF_CHECKED_THEOREMS, points_json)


def _by_layer_merge(pattern, masks, methods, budget, blocks=True):
    """Merge layers through hidden layers of in- or out-degree <= 1 (:mod:`netalgebra.layer_merge`,
    which proves ``L_I`` unchanged), decide the merged pattern, and wrap its certificate with the
    merge steps; the wrapped certificate is re-checked before answering.  None when nothing
    merges; the merged pattern's ``unknown`` otherwise stands (it has the same ``L_I``)."""
    steps, merged = merge_layers(masks)
    if not steps:
        return None
    what = f"after merging through {describe_steps(steps)} (L_I unchanged)"
    inner, cert, note = checked_nested(
        lambda: _decide_linear(SparsityPattern(merged, name=f"{getattr(pattern, 'name', None)} (merged)"),
                               merged, methods, budget, blocks),
        lambda inner: None if inner.status == "unknown" else {
            "format": FORMAT, "verdict": inner.status, "question": "linear", "pattern": pattern_json(pattern, masks),
            "argument": f"{what}; the merged pattern's certificate below applies to L_I (its training-set "
                        "claims, if any, speak of the merged network only)",
            "reduction": {"steps": steps, "certificate": inner.certificate}}, budget)
    if inner.status == "unknown":
        return Verdict("unknown", None, f"{what}: {inner.reason}", budget.elapsed())
    if note:
        return Verdict("unknown", None, f"{what}: the merged certificate failed its re-check ({note})",
                       budget.elapsed())
    return Verdict(inner.status, cert, f"{what}: {inner.reason}", budget.elapsed(),
                   dict(inner.witness, merged_steps=len(steps)))


def _by_monarch_similarity(pattern, masks, budget):
    """Not closed for ``monarch:N:B:3`` (:mod:`netalgebra.decide.similarity`), re-checked first."""
    found = monarch_similarity_witness(masks)
    if found is None:
        return None
    target, weights, non_attainment = found
    cert = {"format": FORMAT, "verdict": "not_closed", "question": "linear",
            "pattern": pattern_json(pattern, masks), "method": "monarch_similarity", "target": target,
            "escaping_family": {"parameter": "t", "limit": "0+", "weights": weights},
            "non_attainment": non_attainment}
    if self_check(cert, budget):
        return None
    return Verdict("not_closed", cert, describe_monarch(masks), budget.elapsed(),
                   {"block": non_attainment["block"], "core": "monarch_similarity"})


def _by_core(pattern, masks, budget):
    """A not-closed verdict from a core (:func:`find_core`) with its certificate, or None."""
    found = find_core(masks, budget)
    if found is None:
        return None
    cert = not_closed_certificate(pattern, masks, found)
    if found[0] == "3x3" and self_check(cert, budget):
        return None          # the 3x3 search is newer: its certificate is re-checked before answering
    rr, cc = cert["relu"]["block_rows"], cert["relu"]["block_cols"]
    kind, text = found[0], found[1][-1]
    return _core_verdict(cert, kind, rr, cc, budget,
                         f"the {kind} block rows {rr} x columns {cc} is a non-closed core ({text}); "
                         f"its missing point lifts to the whole pattern (block projection)")


def _core_verdict(cert, kind, rr, cc, budget, reason):
    A = cert["target"]
    return Verdict("not_closed", cert, reason, budget.elapsed(),
                   {"block_rows": rr, "block_cols": cc, "core": kind,
                    "block": [[A[r][c] for c in cc] for r in rr]})


def _by_deep_core(pattern, masks, budget):
    """A not-closed verdict from a deep core (:func:`find_deep_core`, else a partial-permutation
    target seen by all layers together, :func:`find_permutation_core`), self-checked, or None."""
    found = find_deep_core(masks, budget) or find_permutation_core(masks, budget) or find_support_core(masks, budget)
    if found is None:
        return None
    cert = deep_not_closed_certificate(pattern, masks, found)
    if self_check(cert, budget):
        return None
    kind, (_, _, _, _, rr, cc, text) = found
    if list(rr) == list(range(len(masks[-1]))) and list(cc) == list(range(len(masks[0][0]))):
        reason = f"the whole pattern is a non-closed {kind} core ({text})"      # no block to speak of
    else:
        reason = (f"the block rows {rr} x columns {cc} is a non-closed {kind} core ({text}); its missing "
                  f"point, zero outside the block, is a limit of the escaping family and is not attained")
    return _core_verdict(cert, kind, rr, cc, budget, reason)


def _by_live_block(pattern, masks, methods, budget, blocks=True):
    """Decide the live block (:func:`netalgebra.decide.blocks.live_block`: dead rows, columns and
    edges dropped, ``L_I = L' (+) 0``) and wrap its certificate; re-checked first.  None when
    nothing is dead; the live block's ``unknown`` otherwise stands (same set up to zeros)."""
    found = live_block(masks)
    if found is None:
        return None
    rows, cols, sub = found
    what = f"on the live block rows {list(rows)} x columns {list(cols)} (dead rows, columns, edges dropped)"
    inner, cert, note = checked_nested(
        lambda: _decide_linear(SparsityPattern(sub, name=None), sub, methods, budget, blocks),
        lambda inner: None if inner.status == "unknown" else block_certificate(pattern, masks, rows, cols,
                                                                              inner.certificate), budget)
    if inner.status == "unknown":
        return Verdict("unknown", None, f"{what}: {inner.reason}", budget.elapsed())
    if note:
        return Verdict("unknown", None, f"{what}: the certificate failed its re-check ({note})", budget.elapsed())
    return Verdict(inner.status, cert, f"{what}: {inner.reason}", budget.elapsed(), dict(inner.witness))


def _by_block(pattern, masks, methods, budget):
    """A not-closed verdict from a block sub-pattern (:mod:`netalgebra.decide.blocks`: block
    projection), decided by this pipeline without a further block search; re-checked first.
    When the whole pattern is within the CAD route's size limits, the blocks are searched without
    it (the whole pattern's CAD decides both ways); otherwise they get the whole budget, CAD
    included."""
    whole_cad = "cad" in methods and not size_note(masks)    # the whole pattern's CAD route comes next
    found, cert, note = checked_nested(lambda: find_block_witness(masks, budget, lambda sub, b, cad: _decide_linear(
        SparsityPattern(sub, name=None), sub, methods if cad else tuple(m for m in methods if m != "cad"),
        b, blocks=False), share=BLOCK_SHARE if whole_cad else 1.0, cad="cad" in methods and not whole_cad),
        lambda found: None if found is None else block_certificate(pattern, masks, found[0], found[1],
                                                                   found[3].certificate), budget)
    if found is None or note:
        return None
    rows, cols, _, inner = found
    return Verdict("not_closed", cert, f"the block rows {list(rows)} x columns {list(cols)} is not closed "
                   f"({inner.reason}); block projection: its missing point, zero elsewhere, is missing here",
                   budget.elapsed(), {"block_rows": list(rows), "block_cols": list(cols), "core": "block",
                                      "target": cert.get("target")})


def _decide_points(pattern, masks, points, budget):
    """Is ``F_I(Omega)`` closed for the training set ``points``?  Theorems, then the
    activation-pattern route (:mod:`netalgebra.decide.points_route`, self-checked by ``verify``),
    then the CAD hook (which has no re-checkable certificate for this question and answers None)."""
    pts = _exact_points(points, len(masks[0][0]))
    v = _by_theorem(pattern, masks, budget, points_json=[[fraction_text(x) for x in p] for p in pts])
    if v is not None:
        return v
    budget.check("time (theorems)")
    (status, cert, why), _, bad = checked_nested(
        lambda: decide_points_route(pattern, masks, pts, budget,
                                    lambda p, b: _decide_linear(p, masks_of(p), ROUTES, b)),
        lambda found: found[1] if found[0] is not None else None, budget)
    if status is not None:
        if not bad:
            return Verdict(status, cert, why, budget.elapsed(), {})
        why = bad
    v, note = decide_by_cad(pattern, masks, budget, points=pts)
    if v is not None:
        return v
    return Verdict("unknown", None,
                   "no theorem about F_I(Omega) applies and the activation-pattern route did not "
                   f"conclude ({why}); " + note, budget.elapsed())


def _exact_points(points, n0):
    """The training points as lists of Fractions (InputError on anything inexact)."""
    pts = []
    for i, p in enumerate(points):
        if not isinstance(p, (list, tuple)) or len(p) != n0:
            raise InputError(f"points[{i}]: expected a list of {n0} rational coordinates")
        row = []
        for x in p:
            try:
                if isinstance(x, (bool, float)):
                    raise ValueError
                row.append(Fraction(x) if not isinstance(x, str) else Fraction(x.strip()))
            except (ValueError, ZeroDivisionError, TypeError):
                raise InputError(f"points[{i}]: {x!r} is not an exact rational "
                                 "(use integers or 'p/q' strings)") from None
        pts.append(row)
    return pts
