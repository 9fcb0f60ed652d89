"""Rescaling normalisation of hidden neurons for the CAD route (any depth).

**The symmetry.**  For a hidden neuron ``h`` and a real ``s != 0``, multiplying the weights
of the edges entering ``h`` by ``s`` and those leaving ``h`` by ``1/s`` changes no product
``W_L ... W_1``: every input -> output path through ``h`` uses exactly one edge of each
kind.  (For the ReLU network only ``s > 0`` is a symmetry; ``L_I`` is linear, so every
``s != 0`` is allowed here.  Nothing here is used for ``F_I(Omega)``.)

**Normal form of one neuron** (proved).  Choose a *side* of ``h`` (its entering or its
leaving edges) and an order ``e_1, ..., e_m`` of the edges of that side.  For any weights,
another choice of weights with the same product has ``w(e_1) = ... = w(e_{q-1}) = 0`` and
``w(e_q) = 1`` for some ``q``:

* if some ``w(e_q)`` is non-zero, take the first such ``q`` and rescale ``h`` by
  ``s = 1/w(e_q)`` (on the chosen side; ``s`` is any non-zero real -- the sign is absorbed);
* if all of them are 0, ``h`` contributes nothing to any product (every path through ``h``
  has a zero edge); set ``w(e_1) = 1`` and every weight of the *other* side of ``h`` to 0:
  the paths through ``h`` still contribute 0 and no other path changes.

So ``L_I = union over q of {products with w(e_1..e_{q-1}) = 0, w(e_q) = 1}``: ``m`` cases
and one weight fewer in each; the zero cases are not dropped (fixing ``w(e_1) = 1`` alone
would miss the products in which ``e_1`` carries 0 and another edge of the side does not).

**Several neurons** (proved).  Normalise the chosen neurons one after the other.  Step
``h`` changes the weights of the edges at ``h`` only (both sides, and the other side set to
0 in the zero case), so it keeps the earlier normal forms when no earlier neuron's chosen
side contains an edge at ``h``.  An edge at ``h`` lies on a chosen side of another neuron
``g`` only when ``g`` is a neighbour: ``g`` before ``h`` with side "out" (edge ``g -> h``),
or ``g`` after ``h`` with side "in" (edge ``h -> g``).  So an order exists when, for every
chosen in-side neuron, its chosen predecessors come first, and for every chosen out-side
neuron, its chosen successors come first.  These precedences go one layer up (into in-side
neurons) or one layer down (into out-side neurons), and a cycle would need an edge from an
out-side neuron to an in-side neuron of the next layer.  :func:`choose` forbids exactly
that, so every combination of cases is reached and ``L_I`` is the union, over all
combinations, of the images with those weights fixed.
"""

from itertools import product as cartesian

__all__ = ["choose", "cases", "CAD_MAX_CASES"]

CAD_MAX_CASES = 32     # combinations of cases (QE problems) the CAD route accepts


def choose(masks, max_cases=CAD_MAX_CASES):
    """Neurons to normalise: a list of ``(layer, neuron, side, edges)`` with ``edges`` the
    ``(l, i, j)`` weights of the chosen side in order.  Neurons with the smallest side are
    taken first while the number of combinations stays within ``max_cases``; an out-side
    neuron is never followed by an in-side successor (see the module docstring)."""
    L = len(masks)
    cand = []
    for l in range(1, L):
        for h in range(len(masks[l - 1])):
            ins = [(l, h, j) for j in range(len(masks[l - 1][0])) if masks[l - 1][h][j]]
            outs = [(l + 1, r, h) for r in range(len(masks[l])) if masks[l][r][h]]
            if ins and outs:
                cand.append((min(len(ins), len(outs)), l, h, ins, outs))
    cand.sort(key=lambda c: (c[0], c[1], c[2]))
    side_of = {}
    chosen, total = [], 1
    for deg, l, h, ins, outs in cand:
        preds_out = any(side_of.get((l - 1, j)) == "out" for (_, _, j) in ins)
        succs_in = any(side_of.get((l + 1, r)) == "in" for (_, r, _) in outs)
        options = sorted((("in", ins), ("out", outs)), key=lambda o: len(o[1]))
        for side, edges in options:
            if (side == "in" and preds_out) or (side == "out" and succs_in) or total * len(edges) > max_cases:
                continue
            side_of[(l, h)] = side
            chosen.append((l, h, side, edges))
            total *= len(edges)
            break
    return chosen


def cases(chosen):
    """Every combination of cases: dicts ``{(l, i, j): 0 or 1}`` of fixed weights."""
    out = []
    for qs in cartesian(*(range(len(c[3])) for c in chosen)):
        fixed = {}
        for (l, h, side, edges), q in zip(chosen, qs):
            for e in edges[:q]:
                fixed[e] = 0
            fixed[edges[q]] = 1
        out.append(fixed)
    return out
