"""Checker of ``deep_subchain_cover`` (a closed theorem; docs/mathematics.md, "``deep_subchain_cover``").

Hypotheses ``{depth, first_layer: a, last_layer: b, cover: {"tree": ...}, then}`` (1-based layers,
at least two, not all).  Re-checked here: the run's case tree by the rational-cover checker
(:func:`netalgebra.certificate.rational_cover.check_rational_cover`, on the run's masks: every
matrix supported on the run's boolean product ``U`` is a product of the run, so the run's products
are exactly ``V_U``); ``U`` and the reduced masks (the run replaced by ``U``) computed here; the
nested theorem ``then`` on the reduced masks through the registry.  The run's weights are disjoint
from the others', so ``L_I = L_{I'}`` and ``then`` proves ``L_I`` closed.
"""

from netalgebra.certificate.kernel import Malformed
from netalgebra.certificate.merge import _boolean_product
from netalgebra.certificate.rational_cover import check_rational_cover

__all__ = ["check_subchain_cover"]


def check_subchain_cover(hypotheses, masks, question, report, budget):
    """Replay the run's cover, the reduction and the nested theorem (see the module docstring)."""
    from netalgebra.certificate.closed import check_theorem   # closed's registry imports this module

    a, b = hypotheses.get("first_layer"), hypotheses.get("last_layer")
    if type(a) is not int or type(b) is not int or not 1 <= a < b <= len(masks) or b - a + 1 >= len(masks):
        raise Malformed("theorem.hypotheses: expected 1 <= first_layer < last_layer <= L, not all layers")
    if hypotheses.get("depth") != len(masks):
        raise Malformed(f"theorem.hypotheses.depth: expected {len(masks)}")
    run = [tuple(map(tuple, m)) for m in masks[a - 1:b]]
    check_rational_cover(hypotheses.get("cover"), run, question, report, budget)
    U = run[0]
    for m in run[1:]:
        U = _boolean_product(m, U)
    reduced = [tuple(map(tuple, m)) for m in masks[:a - 1]] + [U] + [tuple(map(tuple, m)) for m in masks[b:]]
    then = hypotheses.get("then")
    if not isinstance(then, dict):
        raise Malformed("theorem.hypotheses.then: expected the reduced pattern's theorem")
    report.check(f"sub-chain cover: layers {a}..{b} have exactly the products supported on their boolean "
                 "product, so replacing them by it keeps L_I", True, f"depth {len(reduced)}")
    check_theorem(then, reduced, question, report, budget)
