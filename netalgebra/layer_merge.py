"""Exact depth reduction: merge two consecutive layers through a hidden layer whose neurons
all have in-degree <= 1 (or all have out-degree <= 1).  ``L_I`` is unchanged, not just
homeomorphic (docs/mathematics.md, "Reductions that preserve closedness of L_I", "Layer
merge").  Permutation and diagonal layers are special cases, and so is a hidden layer of
neurons with a single input (or a single output) each.

The decider records the merges as ``steps`` (``{"merge": "in" | "out", "hidden_layer": l}``,
applied in order); :mod:`netalgebra.certificate.merge` replays them with its own code.  The
inverse map is the identity on ``L_I``: a witness ``A`` for the merged pattern is a witness
for the original one.  Only the standard library is imported here.
"""

__all__ = ["merge_once", "merge_layers", "describe_steps", "merged_support"]


def merged_support(first, second):
    """The support of ``W_{l+1} W_l`` (``first`` = ``I_l``, ``second`` = ``I_{l+1}``): the
    boolean product of the masks."""
    rows, cols = len(second), len(first[0])
    out = [[0] * cols for _ in range(rows)]
    for i in range(rows):
        row = out[i]
        for n, on in enumerate(second[i]):
            if on:
                for a in range(cols):
                    if first[n][a]:
                        row[a] = 1
    return tuple(tuple(r) for r in out)


def merge_once(masks):
    """``(step, merged masks)`` for the first hidden layer that merges, or None.

    Hidden layer ``l`` (1 <= l <= L-1) sits between ``W_l`` (mask ``I_l``) and ``W_{l+1}``.

    Claim ("in").  If every row of ``I_l`` has at most one 1 (each neuron ``n`` of layer ``l``
    reads at most one neuron ``a(n)``), then ``{W_{l+1} W_l}`` is exactly the set of matrices
    supported on ``J[i, a] = OR_{n : a(n) = a} I_{l+1}[i, n]``, and so ``L_I = L_{I'}`` with
    ``I' = (I_1, ..., I_{l-1}, J, I_{l+2}, ..., I_L)``.

    Proof.  ``(W_{l+1} W_l)[i, a] = sum_{n : a(n) = a} W_{l+1}[i, n] W_l[n, a]`` is 0 off ``J``.
    Conversely let ``X`` be supported on ``J``.  For each ``(i, a)`` with ``J[i, a] = 1`` pick one
    ``n`` with ``a(n) = a`` and ``I_{l+1}[i, n] = 1``, and set ``W_{l+1}[i, n] = X[i, a]``; put
    ``W_l[n, a(n)] = 1`` for every neuron with an input, and every other weight of these two
    layers 0.  Then ``(W_{l+1} W_l)[i, a] = sum`` of the ``X[i, a]`` placed on the neurons
    reading ``a`` = ``X[i, a]`` (each ``(i, a)`` was placed once).  The pair ranges over all
    of that space independently of the other layers, so the products ``W_L ... W_1`` are the
    same sets.  ("out") is the transpose: every column of ``I_{l+1}`` has at most one 1.
    Only the products matter for ``L_I``, so no sign or zero case arises; the ReLU network
    itself is not claimed to be equivalent.
    """
    L = len(masks)
    for l in range(1, L):
        first, second = masks[l - 1], masks[l]
        if all(sum(row) <= 1 for row in first):
            return ({"merge": "in", "hidden_layer": l},
                    masks[:l - 1] + (merged_support(first, second),) + masks[l + 1:])
        if all(sum(second[i][n] for i in range(len(second))) <= 1 for n in range(len(first))):
            return ({"merge": "out", "hidden_layer": l},
                    masks[:l - 1] + (merged_support(first, second),) + masks[l + 1:])
    return None


def merge_layers(masks):
    """Merge while some hidden layer qualifies (:func:`merge_once`): ``(steps, masks)``."""
    masks = tuple(tuple(tuple(r) for r in m) for m in masks)
    steps = []
    while len(masks) > 1:
        found = merge_once(masks)
        if found is None:
            break
        steps.append(found[0])
        masks = found[1]
    return steps, masks


def describe_steps(steps):
    """A short human text of the merges."""
    return ", ".join(f"hidden layer {s['hidden_layer']} ({'in' if s['merge'] == 'in' else 'out'}-degree <= 1)"
                     for s in steps)
