"""Twin merge: two hidden neurons with the same single input (or the same single output) are one.

**Lemma** (twin merge; docs/mathematics.md, "Twin merge").  Let ``k0 != k1`` be neurons of hidden
layer ``l`` (between ``W_l``, mask ``I_l``, and ``W_{l+1}``) whose rows of ``I_l`` both equal
``e_a^T`` (each reads exactly the one neuron ``a``).  Let ``I'`` be ``I`` with column ``k0`` of
``I_{l+1}`` replaced by the OR of its columns ``k0`` and ``k1``, and neuron ``k1`` deleted (row
``k1`` of ``I_l``, column ``k1`` of ``I_{l+1}``).  Then ``L_I = L_{I'}`` (the same set of matrices).

*Proof.*  ``W_{l+1} W_l = sum_n W_{l+1}[:, n] W_l[n, :]``, a sum of terms in disjoint sets of
weights.  The terms of ``k0`` and ``k1`` are ``v e_a^T`` with ``v = W_{l+1}[:, k0] W_l[k0, a] +
W_{l+1}[:, k1] W_l[k1, a]``; as these weights range over their supports, ``v`` ranges exactly
over ``{v : supp v ⊆ S0 ∪ S1}`` (``S_i`` the support of column ``k_i`` of ``I_{l+1}``): every
such ``v`` is attained with ``W_l[k0, a] = W_l[k1, a] = 1``, ``W_{l+1}[:, k0] = v`` on ``S0`` and
``W_{l+1}[:, k1] = v`` on ``S1 \\ S0``.  In ``I'`` the merged neuron's term is ``v' e_a^T`` with
``v' = W'_{l+1}[:, k0] W'_l[k0, a]``, which ranges over the same set (``W'_l[k0, a] = 1``).  Every
other weight is the same variable in both patterns, so the sets of tuples ``(W_L, ...,
W_{l+2}, W_{l+1} W_l, W_{l-1}, ..., W_1)`` coincide, and so do their products.  ("out": the
columns ``k0``, ``k1`` of ``I_{l+1}`` both equal ``e_o``; the same argument on the transposed
pattern, whose product set is ``L_I^T``.)  Only the product matters, so no sign or zero case
arises; the ReLU networks are not claimed to be equivalent, and the certificate speaks of the
question ``linear`` only.

So a closed verdict for ``I'`` is one for ``I``, and a point ``A in cl(L_{I'}) \\ L_{I'}`` is a
point of ``cl(L_I) \\ L_I``.  Merging lowers a width, so the merged pattern often falls to a
theorem (a sub-chain merge, a layer merge) or a core that the original pattern hid.

The certificate (``method: "twin_merge"``) records the steps and nests the merged pattern's
certificate; :mod:`netalgebra.certificate.twins` replays the steps with its own code and
verifies the nested certificate in full.
"""

from netalgebra.certificate import FORMAT
from netalgebra.decide.verdict import Verdict, pattern_json

__all__ = ["merge_twins", "merge_while", "single", "by_twin_merge"]


def single(indices):
    """The only member of ``indices``, or None."""
    return indices[0] if len(indices) == 1 else None


def _merge_once(masks):
    """``(step, merged masks)`` for the first twin pair, or None (the lemma of the module)."""
    for l in range(1, len(masks)):
        first, second = masks[l - 1], masks[l]
        for side in ("in", "out"):
            seen = {}
            for k in range(len(first)):
                if side == "in":
                    s = single([a for a, on in enumerate(first[k]) if on])
                else:
                    s = single([i for i in range(len(second)) if second[i][k]])
                if s is None:
                    continue
                if s not in seen:
                    seen[s] = k
                    continue
                k0, k1 = seen[s], k
                f = [list(r) for r in first]
                g = [list(r) for r in second]
                if side == "in":
                    for r in g:
                        r[k0] |= r[k1]
                else:
                    f[k0] = [x | y for x, y in zip(f[k0], f[k1])]
                del f[k1]
                for r in g:
                    del r[k1]
                merged = (tuple(map(tuple, f)), tuple(map(tuple, g)))
                step = {"side": side, "hidden_layer": l, "neurons": [k0, k1]}
                return step, masks[:l - 1] + merged + masks[l + 1:]
    return None


def merge_twins(masks):
    """Merge twin pairs while one exists: ``(steps, merged masks)`` (steps applied in order)."""
    return merge_while(masks, _merge_once)


def merge_while(masks, merge_once):
    """Apply ``merge_once(masks) -> (step, merged masks) | None`` while it finds something:
    ``(steps, merged masks)``, the steps in the order applied."""
    masks = tuple(tuple(tuple(r) for r in m) for m in masks)
    steps = []
    while True:
        found = merge_once(masks)
        if found is None:
            return steps, masks
        steps.append(found[0])
        masks = found[1]


def merged_and_wrapped(pattern, masks, budget, merge, decide_merged, checked_nested, method, words,
                       lift=lambda target, steps: target):
    """``steps, merged = merge(masks)``; None when there are no steps, else ``(steps, what, inner, cert,
    note)``: ``(what, argument) = words(steps)``, and ``inner, cert, note`` from ``checked_nested``
    (:func:`netalgebra.decide.certify.checked_nested`) with ``inner = decide_merged(merged, budget)`` and
    ``cert`` nesting ``inner``'s certificate under ``method`` with ``steps`` and ``argument`` (``target``:
    the inner one through ``lift``), None when ``inner`` is unknown; ``note``: why the one check failed."""
    steps, merged = merge(masks)
    if not steps:
        return None
    what, argument = words(steps)

    def wrap(inner):
        if inner.status == "unknown":
            return None
        cert = {"format": FORMAT, "verdict": inner.status, "question": "linear",
                "pattern": pattern_json(pattern, masks), "method": method, "argument": argument,
                method: {"steps": steps, "certificate": inner.certificate}}
        if "target" in inner.certificate:
            cert["target"] = lift(inner.certificate["target"], steps)
        return cert

    return (steps, what) + tuple(checked_nested(lambda: decide_merged(merged, budget), wrap, budget))


def _twin_words(steps):
    what = f"after merging {len(steps)} twin neuron pair(s) (L_I unchanged)"
    return what, (f"{what}; the merged pattern's certificate below applies to L_I (its training-set claims, "
                  "if any, speak of the merged network only)")


def by_twin_merge(pattern, masks, budget, decide_merged, checked_nested):
    """Decide the twin-merged pattern with ``decide_merged(merged masks, budget) -> Verdict`` and
    wrap its certificate, both through ``checked_nested`` (:func:`netalgebra.decide.certify.checked_nested`:
    the wrapped certificate is verified once before answering).  None when no twins exist; the
    merged pattern's ``unknown`` otherwise stands (it has the same ``L_I``)."""
    found = merged_and_wrapped(pattern, masks, budget, merge_twins, decide_merged, checked_nested, "twin_merge",
                               _twin_words)
    if found is None:
        return None
    steps, what, inner, cert, note = found
    if inner.status == "unknown":
        return Verdict("unknown", None, f"{what}: {inner.reason}", budget.elapsed())
    if note:
        return Verdict("unknown", None, f"{what}: the certificate failed its re-check ({note})", budget.elapsed())
    return Verdict(inner.status, cert, f"{what}: {inner.reason}", budget.elapsed(),
                   dict(inner.witness, twin_steps=len(steps)))
