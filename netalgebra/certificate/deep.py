"""Checker of ``deep_dense_components`` (any depth; proved in :mod:`netalgebra.theorems`)."""

from netalgebra.certificate.kernel import components, live_neurons

__all__ = ["check_dense_components"]


def check_dense_components(hypotheses, masks, question, report, budget):
    """``deep_dense_components``: every connected component of the live network (recomputed here)
    is dense between consecutive layers."""
    L = len(masks)
    comps = components(masks, live_neurons(masks))
    dense = all(masks[l - 1][i][j] for comp in comps for l in range(1, L + 1)
                for i in comp[l] for j in comp[l - 1])
    report.check("every live component is dense", dense, f"{len(comps)} component(s)")
