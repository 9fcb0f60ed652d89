"""Checker of ``method: "outer_twin_merge"`` certificates (either verdict, question ``linear``).

The certificate carries ``outer_twin_merge: {"steps": [...], "certificate": inner}``; each step is
``{"side": "outputs", "pair": [r0, r1]}`` (rows ``r0 != r1`` of the last mask are the same unit
row: both outputs read exactly one neuron, the same one; row ``r1`` is deleted) or
``{"side": "inputs", "pair": [c0, c1]}`` (columns ``c0 != c1`` of the first mask are the same unit
column; column ``c1`` is deleted), applied in order.  By the outer-twin lemma (docs/mathematics.md,
"Outer twins"; proved again in :mod:`netalgebra.decide.outer_twins`) ``L_I`` is closed iff the
merged ``L_{I'}`` is, and a point ``B in cl(L_{I'}) \\ L_{I'}`` with a zero row (column) inserted at
each dropped index, last step first, is a point of ``cl(L_I) \\ L_I``.  So ``inner`` -- verified in
full by :func:`netalgebra.certificate.verify`, with the same verdict -- decides ``L_I``.  A stated
``target`` must be the inner target so lifted (a not-closed inner certificate with a target needs
one).  This module replays the steps and the lift with its own code.
"""

from netalgebra.certificate.kernel import Malformed, rational, widths
from netalgebra.certificate.merge import check_inner_matches
from netalgebra.certificate.twins import pair_steps, unit_index

__all__ = ["check_outer_twin_merge"]


def _replay(masks, steps, report):
    """The masks after the steps; each step's hypothesis is a recorded check."""
    steps = pair_steps(steps, "outer_twin_merge", ("outputs", "inputs"), "pair")
    masks = [[list(r) for r in m] for m in masks]
    for s, step in enumerate(steps):
        pair = step["pair"]
        i0, i1 = pair
        if step["side"] == "outputs":
            vectors = masks[-1]
        else:
            vectors = [[r[c] for r in masks[0]] for c in range(len(masks[0][0]))]
        if not (0 <= i0 < len(vectors) and 0 <= i1 < len(vectors) and i0 != i1):
            raise Malformed(f"outer_twin_merge.steps[{s}]: {pair} is not a pair of distinct {step['side']}")
        h0, h1 = unit_index(vectors[i0]), unit_index(vectors[i1])
        report.check(f"outer twin step {s + 1}: {step['side']} {i0} and {i1} each meet exactly one neuron, "
                     "the same one", h0 is not None and h0 == h1, f"{h0} / {h1}")
        if step["side"] == "outputs":
            del masks[-1][i1]
        else:
            for r in masks[0]:
                del r[i1]
    return masks


def _lifted(target, steps, shape):
    """The inner target (a ``shape[0] x shape[1]`` matrix) with the zero rows / columns re-inserted."""
    rows, cols = shape
    if not (isinstance(target, list) and len(target) == rows and all(isinstance(r, list) and len(r) == cols
                                                                      for r in target)):
        raise Malformed(f"outer_twin_merge: the inner target is not a {rows} x {cols} matrix")
    out = [[rational(x, "inner target") for x in r] for r in target]
    for step in reversed(steps):
        i1 = step["pair"][1]
        if step["side"] == "outputs":
            out.insert(i1, [0] * len(out[0]))
        else:
            for r in out:
                r.insert(i1, 0)
    return out


def check_outer_twin_merge(cert, masks, report, budget=None):
    """Replay the steps on ``masks``, compare with ``inner``'s masks and target, verify ``inner`` in full."""
    from netalgebra.certificate.verifier import verify   # the nested certificate, in full

    tw = cert.get("outer_twin_merge")
    if not isinstance(tw, dict) or not isinstance(tw.get("certificate"), dict):
        raise Malformed("outer_twin_merge: expected {'steps': [...], 'certificate': {...}}")
    inner, steps = tw["certificate"], tw.get("steps")
    reduced = _replay(masks, steps, report)
    check_inner_matches(cert, inner, reduced, report, "outer twin merge")
    report.check("outer twin merge: the verdict is closed or not_closed",
                 cert.get("verdict") in ("closed", "not_closed"))
    if "target" in inner or "target" in cert:
        w = widths(reduced)
        lifted = _lifted(inner.get("target"), steps, (w[-1], w[0]))
        stated = cert.get("target")
        same = isinstance(stated, list) and len(stated) == len(lifted) and all(
            isinstance(r, list) and len(r) == len(l) and all(rational(x, "target") == y for x, y in zip(r, l))
            for r, l in zip(stated, lifted))
        report.check("outer twin merge: target = the inner target with zero rows / columns inserted", same)
    sub = verify(inner, budget=budget)
    for name, passed, detail in sub.checks:
        report.check(f"merged pattern: {name}", passed, detail)
    report.incomplete = report.incomplete or sub.incomplete
