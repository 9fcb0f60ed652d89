"""Theorems about ``F_I(Omega)`` for a given finite training set ``Omega``."""

from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.structure import shallow_supports

__all__ = ["shallow_two_points", "shallow_isolated_outputs"]


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


def shallow_isolated_outputs(masks):
    """L = 2 and every live hidden neuron that reaches two or more outputs shares none of them with
    another live neuron (live: reads some input and reaches some output).  Then F_I(Omega) is closed
    for every finite Omega, and L_I is closed.  This contains the paper's scalar-output theorem for
    finite Omega (every neuron reaches at most one output), with a proof of its own.

    Proof.  Let Omega = {x_1, ..., x_n}.  Neuron k has pre-activations z = (w . x_i + beta)_i,
    which range over the column space Z_k of M_k = [X[:, C_k] | 1].  For each sign pattern P of
    the points, relu agrees on Z_k cap O_P (O_P: z_i >= 0 for i in P, z_i <= 0 otherwise) with the
    coordinate projection Pi_P; Z_k cap O_P is a polyhedral cone, so A_k = relu(Z_k) is a finite
    union of finitely generated cones, closed (Minkowski-Weyl).  A neuron that reads no input adds
    a constant to each row it reaches, absorbed by the free output bias; a neuron reaching no row
    adds nothing.  So F_I(Omega) = {sum_k u_k a_k^T : supp u_k in R_k, a_k in A_k} + {b 1^T}, sums
    over the live neurons, whose parameters are independent.  Since F + {b 1^T} = F, F is the
    preimage of F' = pi(F) under pi(Y) = (y_i - y_n)_{i<n} (rowwise), and F is closed iff F' is
    (pi is onto; F' = pi(F cap W) for a complement W of the kernel).  In F' neuron k adds
    {u b^T : supp u in R_k, b in K_k} with K_k = T A_k, T a = (a_i - a_n)_{i<n}: a linear image of
    finitely generated cones, so again a finite union of finitely generated cones, closed.  The
    rows split into blocks with independent parameters, so F' is the product of:
    (a) for a live neuron k reaching >= 2 rows (alone, by hypothesis), the block R_k:
        {u b^T : u in R^{R_k}, b in K_k}.  Closed: if u_j b_j^T -> Y with b_j != 0, replace
        (u_j, b_j) by (|b_j| u_j, b_j / |b_j|) (K_k is a cone); a subsequence has b_j -> b in
        K_k with |b| = 1, and u_j = (u_j b_j^T) b_j -> Y b, so Y = (Y b) b^T is in the block
        (Y = 0 if b_j = 0 infinitely often);
    (b) for a row r reached only by live neurons that reach r alone: sum_k (K_k cup -K_k), a
        finite union of finitely generated cones (Minkowski sums of unions are unions of sums),
        closed;
    (c) rows reached by no live neuron: {0}.
    A product of closed sets is closed.  L_I is likewise the product of the blocks
    {u v^T : supp v in C_k} (closed: rank <= 1 matrices on R_k x C_k) and of coordinate subspaces,
    hence closed.  (Proved here.)
    """
    if len(masks) != 2:
        return None
    R, C = shallow_supports(masks)
    live = [k for k in range(len(R)) if R[k] and C[k]]
    for k in live:
        if len(R[k]) >= 2 and any(R[j] & R[k] for j in live if j != k):
            return None
    return fragment("shallow_isolated_outputs",
                    "One hidden layer and every live hidden neuron reaching two or more outputs shares "
                    "them with no other live neuron: F_I(Omega) is a product of closed blocks (rank-one "
                    "sets over a closed activation cone, and finite unions of finitely generated cones), "
                    "so it is closed for every finite Omega, and L_I is closed.",
                    {"depth": 2},
                    source="proved in netalgebra.theorems.points.shallow_isolated_outputs")
