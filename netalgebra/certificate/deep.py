"""Checker of ``deep_dense_components`` (any depth; proved in :mod:`netalgebra.theorems`)."""

from netalgebra.certificate.kernel import Malformed, components, live_neurons

__all__ = ["check_dense_components", "check_single_neuron_layer"]


def check_dense_components(hypotheses, masks, question, report, budget):
    """``deep_dense_components``: every connected component of the live network (recomputed here)
    is dense between consecutive layers."""
    L = len(masks)
    comps = components(masks, live_neurons(masks))
    dense = all(masks[l - 1][i][j] for comp in comps for l in range(1, L + 1)
                for i in comp[l] for j in comp[l - 1])
    report.check("every live component is dense", dense, f"{len(comps)} component(s)")


def check_single_neuron_layer(hypotheses, masks, question, report, budget):
    """``deep_single_neuron_layer``: the stated hidden layer has exactly the stated live neuron
    (live neurons recomputed here)."""
    l, h = hypotheses.get("hidden_layer"), hypotheses.get("neuron")
    if type(l) is not int or type(h) is not int or not 1 <= l < len(masks):
        raise Malformed("theorem.hypotheses: expected a hidden layer 1..L-1 and a neuron index")
    live = live_neurons(masks)
    report.check(f"hidden layer {l} has the single live neuron {h}", live[l] == {h}, f"live: {sorted(live[l])}")
