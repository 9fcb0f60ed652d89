"""Shallow theorems: one layer, one hidden layer with scalar output, free output rows /
input columns (a reduction followed by the other theorems)."""

from netalgebra.theorems.fragment import fragment

__all__ = ["one_layer", "shallow_scalar_output", "shallow_free_lines", "shallow_free_lines_theorem"]


def one_layer(masks):
    """L = 1: ``L_I = {W : supp W ⊆ I_1}`` is a coordinate subspace, hence closed.

    For the ReLU class on a finite ``Omega`` (no activation at all): ``F_I(Omega)``
    is the image of the linear map ``(W, b) -> (W x + b)_{x in Omega}``, a linear
    subspace of a finite-dimensional space, hence closed.
    """
    if len(masks) != 1:
        return None
    return fragment("one_layer",
                    "With one layer, L_I is the coordinate subspace {W : supp W in I_1} and "
                    "F_I(Omega) is the image of a linear map; both are closed.",
                    {"depth": 1}, source="elementary (linear algebra)")


def shallow_scalar_output(masks):
    """L = 2 and N_2 = 1: L_I is closed and F_I(Omega) is closed for every finite Omega.

    Linear part (proved here): each hidden neuron k with ``R_k = {0}`` contributes
    ``{u v^T : u in R, supp v ⊆ C_k} = {row vectors supported on C_k}``, a
    coordinate subspace; a sum of linear subspaces is a linear subspace, so
    ``L_I`` is the coordinate subspace supported on the union of the ``C_k``
    (over neurons reaching the output): closed.

    ReLU part (cited): the paper proves that every training problem with a
    one-hidden-layer sparse ReLU network of output dimension one has a global
    optimum, via closedness of ``F_I(Omega)`` for finite ``Omega`` (Le,
    Riccietti, Gribonval, NeurIPS 2023, abstract and Section 4).
    """
    if len(masks) != 2 or len(masks[1]) != 1:
        return None
    return fragment("shallow_scalar_output",
                    "One hidden layer and output dimension one: L_I is a coordinate subspace, and "
                    "F_I(Omega) is closed for every finite Omega (the paper's existence theorem for "
                    "one-hidden-layer networks of output dimension one, Section 4).",
                    {"depth": 2, "output_dim": 1})


def shallow_free_lines(masks):
    """L = 2: delete output rows / input columns that one hidden neuron fills freely.

    Step (row r, neuron k).  Hypotheses: ``R_k = {r}`` and ``C_j ⊆ C_k`` for
    every hidden neuron j reaching r.  Claim: ``L_I = L_{I'} x R^{C_k}`` where
    I' zeroes row r of ``I_2``, so ``L_I`` is closed iff ``L_{I'}`` is.
    Proof.  (⊆) Row r of any product is supported on the union of the ``C_j``
    over neurons j reaching r, i.e. on ``C_k``; the other rows do not involve
    ``W_2[r, :]``, so they form an element of ``L_{I'}`` with the same weights.
    (⊇) Given M whose other rows are ``W_2' W_1'`` for weights of I' and whose
    row r is supported on ``C_k``: neuron k reaches no row of I', so its input
    weights are unused there; set ``W_1[k, :] = M[r, :]``, ``W_2[r, k] = 1``
    and ``W_2[r, j] = 0`` for j != k.  Row r becomes ``M[r, :]`` and, since k
    reaches only r, the other rows are unchanged.  A product with a
    coordinate space is closed iff the factor is.  The column step
    (``C_k = {c}``, ``R_j ⊆ R_k`` for every j reading c) is the transpose.

    Steps are applied until none applies; then the other theorems are tried on
    the reduced masks.  Returns ``(reduced_masks, steps)``; ``steps`` lists
    ``["row", r, k]`` / ``["col", c, k]`` in order.
    """
    M1 = [list(r) for r in masks[0]]
    M2 = [list(r) for r in masks[1]]
    n0, n1, n2 = len(M1[0]), len(M1), len(M2)
    steps = []
    changed = True
    while changed:
        changed = False
        R = [{r for r in range(n2) if M2[r][k]} for k in range(n1)]
        C = [{c for c in range(n0) if M1[k][c]} for k in range(n1)]
        for k in range(n1):
            if len(R[k]) == 1 and C[k]:
                r = next(iter(R[k]))
                if all(C[j] <= C[k] for j in range(n1) if M2[r][j]):
                    M2[r] = [0] * n1
                    steps.append(["row", r, k])
                    changed = True
                    break
            if len(C[k]) == 1 and R[k]:
                c = next(iter(C[k]))
                if all(R[j] <= R[k] for j in range(n1) if M1[j][c]):
                    for j in range(n1):
                        M1[j][c] = 0
                    steps.append(["col", c, k])
                    changed = True
                    break
    return (tuple(tuple(r) for r in M1), tuple(tuple(r) for r in M2)), steps


def shallow_free_lines_theorem(masks):
    """L = 2: :func:`shallow_free_lines` removes at least one line and the reduced pattern
    I' is closed by a theorem; then ``L_I = L_{I'} x`` a coordinate space is closed.

    Returns the theorem with the steps and the nested theorem ``then``, or None.
    """
    if len(masks) != 2:
        return None
    reduced, steps = shallow_free_lines(masks)
    if not steps:
        return None
    from netalgebra.theorems.registry import closed_by_theorem   # (cycle: the registry lists us)

    inner = closed_by_theorem(reduced)
    if inner is None:
        return None
    return fragment("shallow_free_lines",
                    "One hidden layer: each listed output row (input column) is filled freely by "
                    "a hidden neuron that reaches only that row (reads only that column) and reads "
                    "(reaches) everything the row's (column's) other neurons read (reach); so L_I "
                    "is L_I' times a coordinate space, with I' the pattern without those lines, "
                    "and I' is closed by the theorem 'then'.",
                    {"depth": 2, "steps": steps, "then": inner},
                    source="proved in netalgebra.theorems.shallow_free_lines")
