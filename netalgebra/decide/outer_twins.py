"""Outer twins: two outputs that read the same single neuron are one output (inputs: the transpose).

**Lemma** (outer twins; docs/mathematics.md, "Outer twins").  Let the output rows ``r0 != r1`` of
the last mask ``I_L`` both equal ``e_h^T`` (each output reads exactly the one neuron ``h`` of the
last hidden layer, or the input ``h`` when ``L = 1``).  Let ``I'`` be ``I`` without row ``r1`` of
``I_L``, and ``iota`` the map that inserts a zero row at position ``r1``.  Then

(a) ``L_I`` is closed if and only if ``L_{I'}`` is closed;
(b) if ``B in cl(L_{I'}) \\ L_{I'}`` then ``iota(B) in cl(L_I) \\ L_I``.

The same holds for two inputs ``c0 != c1`` read by one neuron ``h`` of the first hidden layer
alone (columns ``c0``, ``c1`` of ``I_1`` both ``e_h``; ``iota`` inserts a zero column), on the
transposed pattern, whose product set is ``L_I^T``.

*Proof.*  Write ``z(theta)`` for row ``h`` of ``W_{L-1} ... W_1`` (``e_h^T`` when ``L = 1``) and
``a_i = W_L[r_i, h]``.  Rows ``r0``, ``r1`` of ``phi(theta)`` are ``a_0 z`` and ``a_1 z``; the other
rows, ``R(theta)``, involve neither ``a_0`` nor ``a_1``.  In ``I'`` the weight ``a_1`` is gone and
row ``r0`` is ``a_0 z``.  So ``L_I = {(R, a_0 z, a_1 z)}`` and ``L_{I'} = {(R, a z)}`` over the same
pairs ``(R(theta), z(theta))`` and all reals ``a_i``, ``a``; in particular ``(R, w) in L_{I'}``
gives ``(R, g w) in L_{I'}`` for every real ``g`` (scale ``a``).

(b) ``a_1 = 0`` shows ``iota(L_{I'}) ⊆ L_I``, and ``iota`` is continuous, so ``iota(B)`` lies in
``cl(L_I)``.  If ``iota(B) = phi(theta)`` then ``(R(theta), a_0 z(theta)) = B`` is the product of
``theta`` without ``a_1`` in ``I'``: ``B in L_{I'}``, a contradiction.

(a) "only if" is (b).  "If": let ``phi(theta_k) -> Y = (R, u_0, u_1)`` with ``L_{I'}`` closed, and
``c_k = |(a_0, a_1)(theta_k)|``.  If ``c_k = 0`` infinitely often, then along those ``k`` the rows
``r0``, ``r1`` vanish and ``(R_k, 0) in L_{I'}`` tends to ``(R, 0) = (R(theta), a z(theta))``;
``theta`` with ``a_0 = a_1 = 0`` gives ``Y = (R, 0, 0)``.  Otherwise let ``b_k = (a_0, a_1) / c_k``
(on the unit circle) and ``w_k = c_k z_k``, so ``(R_k, w_k) in L_{I'}`` and the two rows are
``b_{k,i} w_k``.  Then ``w_k = b_{k,0} (a_0 z_k) + b_{k,1} (a_1 z_k)`` is bounded; along a
subsequence ``b_k -> b`` and ``w_k -> w = b_0 u_0 + b_1 u_1``, so ``u_i = b_i w``.  ``(R, w) in
L_{I'}`` (closed) is ``(R(theta), a z(theta))``, and ``theta`` with ``a_i = b_i a`` gives ``Y``.

So a verdict of ``I'`` is one of ``I``: closed stays closed, and a witness ``B`` lifts to
``iota(B)``.  Merging outputs makes the last layer narrower, and the merged pattern often falls to a
theorem that the duplicate row hid.  Nothing is claimed about the ReLU networks: the certificate speaks of the
question ``linear`` only.

The certificate (``method: "outer_twin_merge"``) records the steps and nests the merged pattern's
certificate; :mod:`netalgebra.certificate.outer_twins` replays the steps with its own code,
verifies the nested certificate in full and checks that the target is the lifted inner one.
"""

from netalgebra.decide.twins import merge_while, merged_and_wrapped, single
from netalgebra.decide.verdict import Verdict

__all__ = ["merge_outer_twins", "lift_target", "by_outer_twin_merge"]


def _twin_pair(rows):
    """The first pair ``[r0, r1]`` of 0/1 rows that are the same unit vector, or None."""
    seen = {}
    for r, row in enumerate(rows):
        h = single([j for j, on in enumerate(row) if on])
        if h is None:
            continue
        if h in seen:
            return [seen[h], r]
        seen[h] = r
    return None


def _merge_once(masks):
    """``(step, merged masks)`` for the first pair of output (then input) twins, or None."""
    pair = _twin_pair(masks[-1])
    if pair is not None:
        last = tuple(row for r, row in enumerate(masks[-1]) if r != pair[1])
        return {"side": "outputs", "pair": pair}, masks[:-1] + (last,)
    pair = _twin_pair(list(zip(*masks[0])))
    if pair is not None:
        first = tuple(tuple(x for c, x in enumerate(row) if c != pair[1]) for row in masks[0])
        return {"side": "inputs", "pair": pair}, (first,) + masks[1:]
    return None


def merge_outer_twins(masks):
    """Merge outer twin pairs while one exists: ``(steps, merged masks)`` (steps applied in order)."""
    return merge_while(masks, _merge_once)


def lift_target(target, steps):
    """``iota`` of the lemma for each step, last step first: a zero row (column) at the dropped index."""
    rows = [list(r) for r in target]
    for step in reversed(steps):
        drop = step["pair"][1]
        if step["side"] == "outputs":
            rows.insert(drop, ["0"] * len(rows[0]))
        else:
            for r in rows:
                r.insert(drop, "0")
    return rows


def _outer_twin_words(steps):
    what = f"after merging {len(steps)} pair(s) of outputs or inputs that read one neuron alone"
    return what, (f"{what}: L_I is closed iff the merged L_I' is, and a point of cl(L_I') \\ L_I' with zero rows "
                  "(columns) inserted is one of cl(L_I) \\ L_I; the merged pattern's certificate below decides "
                  "L_I' (its training-set claims, if any, speak of the merged network only)")


def by_outer_twin_merge(pattern, masks, budget, decide_merged, checked_nested):
    """Decide the merged pattern with ``decide_merged(merged masks, budget) -> Verdict`` and wrap its
    certificate, both through ``checked_nested`` (:func:`netalgebra.decide.certify.checked_nested`: the
    wrapped certificate is verified once before answering).  None when there are no outer twins, the
    merged pattern's verdict is ``unknown`` or the check fails (the caller's other routes still run)."""
    found = merged_and_wrapped(pattern, masks, budget, merge_outer_twins, decide_merged, checked_nested,
                               "outer_twin_merge", _outer_twin_words, lift_target)
    if found is None:
        return None
    steps, what, inner, cert, note = found
    if cert is None or note:
        return None
    return Verdict(inner.status, cert, f"{what}: {inner.reason}", budget.elapsed(),
                   dict(inner.witness, outer_twin_steps=len(steps)))
