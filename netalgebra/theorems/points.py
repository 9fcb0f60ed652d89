"""Theorems about ``F_I(Omega)`` for a given finite training set ``Omega``."""

from netalgebra.theorems.fragment import fragment

__all__ = ["shallow_two_points"]


def shallow_two_points(masks, npoints):
    """L = 2 and a training set of at most two points: F_I(Omega) is closed.

    Proof.  One point: the output bias alone reaches every value, so
    F_I(Omega) = R^{N_2}.  Two points x_1, x_2: the output bias b_2 is free, so
    F_I(Omega) = {(y_1, y_2) : y_1 - y_2 in D} with
    D = {W_2 (relu(W_1 x_1 + b_1) - relu(W_1 x_2 + b_1))}.  For hidden neuron k
    put s_k = W_1[k, :] (x_1 - x_2); as b_1[k] ranges over R,
    relu(a + s_k) - relu(a) takes every value between 0 and s_k.  If some
    c in C_k has (x_1 - x_2)_c != 0, s_k ranges over R (choose W_1[k, c]), so
    delta_k ranges over R; otherwise delta_k = 0.  Neurons have independent
    parameters, so D = {sum_k W_2[:, k] delta_k} over the "active" neurons,
    the coordinate subspace on the union of their R_k.  F_I(Omega) is the
    preimage of the closed set D under the linear map (y_1, y_2) -> y_1 - y_2,
    hence closed.  (Elementary; proved here.)
    """
    if len(masks) != 2 or npoints is None or npoints > 2:
        return None
    return fragment("shallow_two_points",
                    "One hidden layer and at most two training points: F_I(Omega) is the preimage of a "
                    "coordinate subspace under (y_1, y_2) -> y_1 - y_2 (free output bias), hence closed.",
                    {"depth": 2, "points": npoints},
                    source="proved in netalgebra.theorems.shallow_two_points")
