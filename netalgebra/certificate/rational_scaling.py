"""The verifier's side of scaling nodes in ``deep_rational_cover`` (docs/mathematics.md, "Scaling
nodes of ``deep_rational_cover``"; the lemma is proved in
:mod:`netalgebra.theorems.rational_scaling`).  Its own code, not the decider's.

``Y -> D Y E`` (``D``, ``E`` invertible diagonal) maps ``L_I`` and ``V_K`` onto themselves.  The entry
``y{i}_{j}`` has bidegree (row ``i``, column ``j``); a polynomial's bihomogeneous components are its
parts of one bidegree.  At a node whose set is invariant (the root, and a child of an invariant node
whose polynomial and its earlier siblings' polynomials are bihomogeneous), a denominator factor is
covered when one of its components is a non-zero constant or has every factor assumed non-zero or
equal to a child's polynomial: some rescaling of any point of the node's set outside the children
makes every denominator non-zero and stays in the set.
"""

__all__ = ["bidegree_components", "is_bihomogeneous"]


def _bidegree(exps, grading):
    """A monomial's bidegree as two dense vectors: its degree in each row and in each column."""
    rows = [0] * (1 + max(i for i, _ in grading))
    cols = [0] * (1 + max(j for _, j in grading))
    for k, e in enumerate(exps):
        rows[grading[k][0]] += e
        cols[grading[k][1]] += e
    return tuple(rows), tuple(cols)


def bidegree_components(p, grading):
    """The bihomogeneous components of ``p`` (``grading[k]``: the (row, column) of variable ``k``)."""
    parts = {}
    for exps, c in p.to_dict().items():
        parts.setdefault(_bidegree(exps, grading), {})[exps] = c
    return [p.context().from_dict(terms) for terms in parts.values()]


def is_bihomogeneous(p, grading):
    """Whether all terms of ``p`` have one bidegree (the zero polynomial included)."""
    return len({_bidegree(exps, grading) for exps in p.to_dict()}) <= 1
