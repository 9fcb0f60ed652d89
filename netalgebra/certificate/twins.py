"""Checker of ``method: "twin_merge"`` certificates (either verdict, question ``linear``).

The certificate carries ``twin_merge: {"steps": [...], "certificate": inner}``; each step is
``{"side": "in" | "out", "hidden_layer": l, "neurons": [k0, k1]}``, applied in order.  A step
"in" needs rows ``k0`` and ``k1`` of ``I_l`` to be the same unit row ``e_a^T`` (both neurons read
exactly one neuron, the same one); it replaces column ``k0`` of ``I_{l+1}`` by the OR of columns
``k0`` and ``k1`` and deletes neuron ``k1``.  "out" is the transpose (columns ``k0``, ``k1`` of
``I_{l+1}`` the same unit column; rows ``k0``, ``k1`` of ``I_l`` OR-ed).  Each step keeps ``L_I``
the same set (docs/mathematics.md, "Twin merge"; proved again in
:mod:`netalgebra.decide.twins`), so ``inner`` -- verified in full by
:func:`netalgebra.certificate.verify`, with the same verdict -- decides ``L_I``: a closed merged
``L_{I'}`` is this ``L_I``, and a point of ``cl(L_{I'}) \\ L_{I'}`` is one of ``cl(L_I) \\ L_I``.
A stated ``target`` must be ``inner``'s.  This module replays the steps with its own code.
"""

from netalgebra.certificate.kernel import Malformed
from netalgebra.certificate.merge import check_inner_matches

__all__ = ["replay_twin_steps", "check_twin_merge", "unit_index", "pair_steps"]


def unit_index(vector):
    """The index of the only 1 of a 0/1 vector, or None."""
    ones = [i for i, x in enumerate(vector) if x]
    return ones[0] if len(ones) == 1 else None


def pair_steps(steps, what, sides, key, extra=()):
    """``steps`` once each is a dict with ``side`` in ``sides``, ``key`` a pair of ints and the
    integer fields ``extra``; Malformed otherwise (``what``: the certificate key, for messages)."""
    if not isinstance(steps, list) or not steps:
        raise Malformed(f"{what}.steps: expected a non-empty list of steps")
    for s, step in enumerate(steps):
        pair = step.get(key) if isinstance(step, dict) else None
        if not (isinstance(step, dict) and step.get("side") in sides and all(type(step.get(f)) is int for f in extra)
                and isinstance(pair, list) and len(pair) == 2 and all(type(k) is int for k in pair)):
            raise Malformed(f"{what}.steps[{s}]: expected {{'side': {' | '.join(map(repr, sides))}, "
                            + "".join(f"'{f}': int, " for f in extra) + f"'{key}': [i0, i1]}}")
    return steps


def replay_twin_steps(masks, steps, report):
    """The masks after the twin ``steps``; each step's hypothesis is a recorded check."""
    steps = pair_steps(steps, "twin_merge", ("in", "out"), "neurons", ("hidden_layer",))
    masks = [[list(r) for r in m] for m in masks]
    for s, step in enumerate(steps):
        ks = step["neurons"]
        l = step["hidden_layer"]
        if not 1 <= l < len(masks):
            raise Malformed(f"twin_merge.steps[{s}]: hidden layer {l} outside 1..{len(masks) - 1}")
        first, second = masks[l - 1], masks[l]
        k0, k1 = ks
        if not (0 <= k0 < len(first) and 0 <= k1 < len(first) and k0 != k1):
            raise Malformed(f"twin_merge.steps[{s}]: neurons {ks} are not two neurons of hidden layer {l}")
        if step["side"] == "in":
            a0, a1 = unit_index(first[k0]), unit_index(first[k1])
        else:
            a0, a1 = unit_index([r[k0] for r in second]), unit_index([r[k1] for r in second])
        report.check(f"twin step {s + 1}: neurons {k0}, {k1} of hidden layer {l} have the same single "
                     f"{'input' if step['side'] == 'in' else 'output'}", a0 is not None and a0 == a1,
                     f"{a0} / {a1}")
        if step["side"] == "in":
            for r in second:
                r[k0] = r[k0] | r[k1]
        else:
            first[k0] = [x | y for x, y in zip(first[k0], first[k1])]
        del first[k1]
        for r in second:
            del r[k1]
    return masks


def check_twin_merge(cert, masks, report, budget=None):
    """Replay the steps on ``masks``, compare with ``inner``'s masks, verify ``inner`` in full."""
    from netalgebra.certificate.verifier import verify   # the nested certificate, in full

    tw = cert.get("twin_merge")
    if not isinstance(tw, dict) or not isinstance(tw.get("certificate"), dict):
        raise Malformed("twin_merge: expected {'steps': [...], 'certificate': {...}}")
    inner = tw["certificate"]
    check_inner_matches(cert, inner, replay_twin_steps(masks, tw.get("steps"), report), report, "twin merge")
    report.check("twin merge: the verdict is closed or not_closed", cert.get("verdict") in ("closed", "not_closed"))
    if "target" in cert:
        report.check("twin merge: target = the inner certificate's target (the same L_I)",
                     cert["target"] == inner.get("target"))
    sub = verify(inner, budget=budget)
    for name, passed, detail in sub.checks:
        report.check(f"merged pattern: {name}", passed, detail)
    report.incomplete = report.incomplete or sub.incomplete
