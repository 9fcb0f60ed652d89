"""The theorem registry: which theorems :func:`closed_by_theorem` tries, in which order.

A theorem is a function of the masks (theorems about ``F_I(Omega)`` also take the number
of training points) returning the ``"theorem"`` part of a closed certificate
(:func:`netalgebra.theorems.fragment.fragment`) when its hypotheses hold, else None; its
docstring is its proof.  To add one: write it in a module of this package (one module
per family), add one line to the registry of its question below, and teach the verifier
(:mod:`netalgebra.certificate`) to re-check its hypotheses.
"""

from netalgebra.theorems.absorption import shallow_subspace_absorption
from netalgebra.theorems.deep import deep_dense_components, deep_single_neuron_layer
from netalgebra.theorems.digits import deep_digit_mixing
from netalgebra.theorems.groups import shallow_support_groups
from netalgebra.theorems.points import shallow_isolated_outputs, shallow_two_points
from netalgebra.theorems.shallow import one_layer, shallow_free_lines_theorem, shallow_scalar_output
from netalgebra.theorems.structure import masks_of
from netalgebra.theorems.subspace import deep_coordinate_subspace, deep_subchain_merge, shallow_coordinate_subspace

__all__ = ["THEOREMS", "RELU_THEOREMS", "EVERY_TRAINING_SET", "closed_by_theorem"]


def _for_every_omega(theorem):
    """A theorem about L_I whose statement also covers F_I(Omega) for every finite Omega."""
    return lambda masks, npoints: theorem(masks)


# Each registry maps the theorem's certificate name (the fragment's "name", the key of the
# verifier's checker registry in netalgebra.certificate.closed) to the theorem, in the order
# closed_by_theorem tries them.

# question "linear" (is L_I closed?): masks -> fragment | None
THEOREMS = {
    "one_layer": one_layer,
    "shallow_scalar_output": shallow_scalar_output,
    "shallow_support_groups": shallow_support_groups,
    "deep_digit_mixing": deep_digit_mixing,              # before the live-neuron walk (N up to 1024)
    "deep_dense_components": deep_dense_components,
    "deep_single_neuron_layer": deep_single_neuron_layer,
    "deep_coordinate_subspace": deep_coordinate_subspace,   # depth >= 3, bounded search
    "deep_subchain_merge": deep_subchain_merge,             # recurses through closed_by_theorem
    "shallow_free_lines": shallow_free_lines_theorem,    # recurses through closed_by_theorem
    "shallow_subspace_absorption": shallow_subspace_absorption,    # likewise
    "shallow_coordinate_subspace": shallow_coordinate_subspace,    # two layers, bounded search (last:
                                                                   # it only adds verdicts)
}

# The theorems whose conclusion is "F_I(Omega) is closed for EVERY finite Omega" (so every
# training problem with a loss as in docs/mathematics.md, "Why closedness is the question",
# has an optimum).  Only these give ``optimum_for_every_training_set: guaranteed``
# (netalgebra.decide.claims); the other closed theorems prove L_I closed, nothing more.
EVERY_TRAINING_SET = {
    "one_layer": one_layer,                          # proved: F_I(Omega) is a linear image
    "shallow_scalar_output": shallow_scalar_output,  # cited: the paper's positive theorem
    "shallow_isolated_outputs": shallow_isolated_outputs,   # proved (contains the previous)
}

# question "relu_points" (is F_I(Omega) closed?): (masks, npoints) -> fragment | None
RELU_THEOREMS = {
    **{name: _for_every_omega(th) for name, th in EVERY_TRAINING_SET.items()},
    "shallow_two_points": shallow_two_points,
}


# theorems whose search can take long on large patterns: they take ``budget=`` and check it
BUDGETED = {"shallow_subspace_absorption", "deep_coordinate_subspace", "deep_subchain_merge",
            "shallow_coordinate_subspace"}


def closed_by_theorem(pattern, question="linear", npoints=None, budget=None):
    """The first theorem whose hypotheses hold, as the ``theorem`` part of a certificate, or None.

    ``question="relu_points"`` only uses the theorems that speak about
    ``F_I(Omega)`` itself (one layer; one hidden layer with scalar output; one
    hidden layer with ``npoints <= 2`` training points).
    ``budget`` (a :class:`cad.budget.Budget` or None) is checked between theorems and inside
    the long ones (:data:`BUDGETED`); a spent budget raises ``BudgetExceeded``.
    """
    masks = masks_of(pattern)
    for name, th in (THEOREMS if question == "linear" else RELU_THEOREMS).items():
        if budget is not None:
            budget.check("time (theorems)")
        args = (masks,) if question == "linear" else (masks, npoints)
        res = th(*args, budget=budget) if name in BUDGETED else th(*args)
        if res is not None:
            return res
    return None
