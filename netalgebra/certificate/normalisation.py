"""The verifier's own check of the rescaling normalisation carried by a CAD certificate.

A closed CAD certificate may list, under ``theorem.hypotheses.normalisation``, hidden
neurons with a side (``"in"``: entering edges, ``"out"``: leaving edges) and an order of the
edges of that side.  The claim is ``L_I = union over the cases of the images with the
weights of the case fixed``, a case choosing for each listed neuron a position ``q`` and
fixing ``w(e_1..e_{q-1}) = 0``, ``w(e_q) = 1``.

Proof (re-proved here, independently of the decider's copy in
``netalgebra.decide.normalise``).  ``⊇`` is clear.  ``⊆``: rescaling a hidden neuron's
entering edges by ``s != 0`` and its leaving edges by ``1/s`` keeps every product (each
path through the neuron uses one edge of each kind).  One neuron at a time: if a weight of
the chosen side is non-zero, rescale by the inverse of the first one; if all are 0 the
neuron contributes nothing, so set ``e_1`` to 1 and the other side to 0.  A step changes
only weights at its neuron; it keeps an earlier neuron's normal form unless that neuron's
chosen side holds an edge at the current neuron, i.e. an earlier out-side predecessor or
in-side successor.  Ordering: in-side neurons after their listed predecessors, out-side
neurons after their listed successors; a cycle of these precedences needs an edge from an
out-side neuron to an in-side neuron, which :func:`check_normalisation` rejects.  Hence
some order normalises all listed neurons.
"""

from itertools import product as cartesian

from netalgebra.certificate.kernel import Malformed, weight_position

__all__ = ["check_normalisation", "normal_cases", "MAX_CASES"]

MAX_CASES = 256


def check_normalisation(spec, masks):
    """Parse and check the ``normalisation`` list; returns ``[(side edges (l, i, j) in order)]``.

    Raises :class:`Malformed` when a listed side is not exactly the edges of that side of a
    hidden neuron, a neuron is listed twice, an out-side neuron has an edge into an in-side
    one, or there are more than ``MAX_CASES`` cases."""
    L = len(masks)
    if not isinstance(spec, list):
        raise Malformed("normalisation: expected a list of {'neuron', 'side', 'edges'}")
    sides, out = {}, []
    for n, item in enumerate(spec):
        where = f"normalisation[{n}]"
        if not isinstance(item, dict):
            raise Malformed(f"{where}: expected an object")
        nb, side, edges = item.get("neuron"), item.get("side"), item.get("edges")
        if not (isinstance(nb, list) and len(nb) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                              for x in nb)):
            raise Malformed(f"{where}.neuron: expected [layer, index]")
        l, h = nb
        if not (1 <= l < L and 0 <= h < len(masks[l - 1])):
            raise Malformed(f"{where}.neuron: {nb} is not a hidden neuron")
        if (l, h) in sides:
            raise Malformed(f"{where}.neuron: {nb} is listed twice")
        if side == "in":
            want = {(l, h, j) for j in range(len(masks[l - 1][0])) if masks[l - 1][h][j]}
        elif side == "out":
            want = {(l + 1, r, h) for r in range(len(masks[l])) if masks[l][r][h]}
        else:
            raise Malformed(f"{where}.side: expected 'in' or 'out'")
        if not isinstance(edges, list) or not all(isinstance(e, str) for e in edges):
            raise Malformed(f"{where}.edges: expected a list of weight names")
        pos = [weight_position(e, masks, f"{where}.edges") for e in edges]
        if len(set(pos)) != len(pos) or set(pos) != want or not pos:
            raise Malformed(f"{where}.edges: must list every {side}-edge of neuron {nb} once")
        sides[(l, h)] = side
        out.append(pos)
    for (l, h), side in sides.items():
        if side == "out":
            bad = [r for r in range(len(masks[l])) if masks[l][r][h] and sides.get((l + 1, r)) == "in"]
            if bad:
                raise Malformed(f"normalisation: out-side neuron [{l}, {h}] has an edge into in-side "
                                f"neuron [{l + 1}, {bad[0]}] (the normal forms could conflict)")
    total = 1
    for pos in out:
        total *= len(pos)
    if total > MAX_CASES:
        raise Malformed(f"normalisation: {total} cases (at most {MAX_CASES})")
    return out


def normal_cases(sides):
    """The cases: dicts ``{(l, i, j): 0 or 1}``."""
    res = []
    for qs in cartesian(*(range(len(p)) for p in sides)):
        fixed = {}
        for pos, q in zip(sides, qs):
            fixed.update({e: 0 for e in pos[:q]})
            fixed[pos[q]] = 1
        res.append(fixed)
    return res
