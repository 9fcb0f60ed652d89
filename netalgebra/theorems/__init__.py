"""Sufficient conditions for closedness, as fast paths with certificates.

Each theorem is a function ``masks -> dict | None``: it returns the
``"theorem"`` part of a closed certificate (name, statement, source, the
hypotheses it checked) when its hypotheses hold, else None.  Every statement is
proved in its docstring or cited precisely; :func:`netalgebra.certificate.verify`
re-checks the hypotheses with its own code.

Layout: :mod:`~netalgebra.theorems.registry` lists the theorems that
:func:`closed_by_theorem` tries (adding a theorem = a module here + one line there);
one module per family (:mod:`~netalgebra.theorems.shallow`,
:mod:`~netalgebra.theorems.groups` with :mod:`~netalgebra.theorems.determinantal`,
:mod:`~netalgebra.theorems.absorption`, :mod:`~netalgebra.theorems.deep`,
:mod:`~netalgebra.theorems.subspace`, :mod:`~netalgebra.theorems.points`); :mod:`~netalgebra.theorems.structure` holds the
layered-graph helpers (live neurons, components) of the whole decider side.

Notation (Le, Riccietti, Gribonval, NeurIPS 2023, arXiv 2306.02666, Section 2):
pattern ``I = (I_1, ..., I_L)``, ``I_l`` an ``N_l x N_{l-1}`` 0/1 mask,
``L_I = {W_L ... W_1 : supp W_l ⊆ I_l}``.  For ``L = 2`` hidden neuron ``k``
reads the inputs ``C_k = {c : I_1[k, c] = 1}`` and reaches the outputs
``R_k = {r : I_2[r, k] = 1}``; its contribution ``W_2[:, k] W_1[k, :]`` ranges
over the rank-<=1 matrices supported on ``S_k = R_k x C_k``, so
``L_I = sum_k {u v^T : supp u ⊆ R_k, supp v ⊆ C_k}``.

Only the standard library is imported here (the command line must start fast).
"""

from netalgebra.theorems.absorption import shallow_subspace_absorption
from netalgebra.theorems.deep import deep_dense_components
from netalgebra.theorems.fragment import SOURCE_PAPER
from netalgebra.theorems.groups import shallow_support_groups
from netalgebra.theorems.points import shallow_two_points
from netalgebra.theorems.registry import RELU_THEOREMS, THEOREMS, closed_by_theorem
from netalgebra.theorems.shallow import (one_layer, shallow_free_lines, shallow_free_lines_theorem,
                                         shallow_scalar_output)
from netalgebra.theorems.structure import (components, live_components, live_masks, live_neurons, masks_of,
                                           shallow_supports, widths)

__all__ = [
    "masks_of", "widths", "shallow_supports", "live_neurons", "live_masks", "live_components", "components",
    "one_layer", "shallow_scalar_output", "shallow_support_groups", "deep_dense_components",
    "shallow_free_lines", "shallow_free_lines_theorem", "shallow_two_points",
    "shallow_subspace_absorption", "closed_by_theorem", "THEOREMS", "RELU_THEOREMS", "SOURCE_PAPER",
]
