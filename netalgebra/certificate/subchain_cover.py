"""Checker of ``deep_subchain_cover`` (a closed theorem; docs/mathematics.md, "``deep_subchain_cover``").

Hypotheses ``{depth, first_layer: a, last_layer: b, cover: {"tree": ...}, then}`` (1-based layers,
at least two, not all).  Re-checked here: the run's case tree by the rational-cover checker
(:func:`netalgebra.certificate.rational_cover.check_rational_cover`, on the run's masks: every
matrix supported on the run's boolean product ``U`` is a product of the run, so the run's products
are exactly ``V_U``); ``U`` and the reduced masks (the run replaced by ``U``) computed here; the
nested theorem ``then`` on the reduced masks through the registry.  The run's weights are disjoint
from the others', so ``L_I = L_{I'}`` and ``then`` proves ``L_I`` closed.  The replacement is
:func:`check_replaced_run`, shared with ``deep_subchain_merge`` (its run proved otherwise).
"""

from netalgebra.certificate.kernel import Malformed
from netalgebra.certificate.merge import _boolean_product
from netalgebra.certificate.rational_cover import check_rational_cover

__all__ = ["check_subchain_cover", "check_replaced_run"]


def check_subchain_cover(hypotheses, masks, question, report, budget):
    """Replay the run's cover, the reduction and the nested theorem (see the module docstring)."""
    check_replaced_run(hypotheses, masks, question, report, budget,
                       lambda run: check_rational_cover(hypotheses.get("cover"), run, question, report, budget),
                       "sub-chain cover: layers {a}..{b} have exactly the products supported on their boolean "
                       "product, so replacing them by it keeps L_I")


def check_replaced_run(hypotheses, masks, question, report, budget, check_run, claim):
    """A theorem replacing the run of layers ``first_layer..last_layer`` (1-based, at least two, not
    all; ``depth`` the number of layers) by its boolean product ``U``: ``check_run(run masks)``
    replays the run's proof that its products are exactly ``V_U`` (raising ``Malformed`` or
    recording a failed check otherwise); ``U`` and the reduced masks are computed here, ``claim``
    (formatted with ``a``, ``b``) is recorded, and the nested theorem ``then`` is checked on the
    reduced masks through the registry.  The run's weights are disjoint from the others', so
    ``L_I = L_{I'}`` and ``then`` proves ``L_I`` closed."""
    from netalgebra.certificate.closed import check_theorem   # closed's registry imports this module

    a, b = hypotheses.get("first_layer"), hypotheses.get("last_layer")
    if type(a) is not int or type(b) is not int or not 1 <= a < b <= len(masks) or b - a + 1 >= len(masks):
        raise Malformed("theorem.hypotheses: expected 1 <= first_layer < last_layer <= L, not all layers")
    if hypotheses.get("depth") != len(masks):
        raise Malformed(f"theorem.hypotheses.depth: expected {len(masks)}")
    masks = [tuple(map(tuple, m)) for m in masks]
    run = masks[a - 1:b]
    check_run(run)
    U = run[0]
    for m in run[1:]:
        U = _boolean_product(m, U)
    reduced = masks[:a - 1] + [U] + masks[b:]
    then = hypotheses.get("then")
    if not isinstance(then, dict):
        raise Malformed("theorem.hypotheses.then: expected the reduced pattern's theorem")
    report.check(claim.format(a=a, b=b), True, f"depth {len(reduced)}")
    check_theorem(then, reduced, question, report, budget)
