"""Names of the variables that stand for a network's parameters and outputs.

One home for the spelling, shared by compilation, decision, certificates and the CLI
(the certificate format fixes it: a certificate names weights ``w{l}_{i}_{j}``).
Layers ``l`` are 1-based, ``i`` indexes the layer's output neuron (row of ``W_l``),
``j`` its input (column); points ``k`` of a training set are 0-based.
"""

import re

__all__ = ["weight_name", "parse_weight_name", "bias_name", "entry_name", "output_name",
           "activation_name", "preactivation_name"]

_WEIGHT = re.compile(r"w([1-9][0-9]*)_([0-9]+)_([0-9]+)\Z")


def weight_name(l, i, j):
    """Entry ``(i, j)`` of ``W_l``."""
    return f"w{l}_{i}_{j}"


def parse_weight_name(name):
    """``(l, i, j)`` of a :func:`weight_name`, or ``None`` if ``name`` is not one."""
    m = _WEIGHT.match(name) if isinstance(name, str) else None
    return None if m is None else tuple(int(g) for g in m.groups())


def bias_name(l, i):
    """Bias of neuron ``i`` of layer ``l``."""
    return f"b{l}_{i}"


def entry_name(i, j):
    """Entry ``(i, j)`` of the product ``W_L ... W_1`` (a coordinate of ``L_I``)."""
    return f"y{i}_{j}"


def output_name(k, i):
    """Output ``i`` of the network at training point ``k`` (a coordinate of ``F_I(Omega)``)."""
    return f"y{k}_{i}"


def activation_name(k, l, i):
    """Activation of neuron ``i`` of hidden layer ``l`` at point ``k``."""
    return f"a{k}_{l}_{i}"


def preactivation_name(k, l, i):
    """Pre-activation of neuron ``i`` of hidden layer ``l`` at point ``k``."""
    return f"z{k}_{l}_{i}"
