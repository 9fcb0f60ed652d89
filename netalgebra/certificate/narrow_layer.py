"""Checker of ``method: "narrow_layer"`` not-closed certificates (question ``linear``).

Two claims, re-checked with exact arithmetic and the verifier's own code:

1. the escaping family ``theta(t)`` respects the masks, ``phi(theta(t)) -> A`` and some weight
   has a pole (:func:`netalgebra.certificate.not_closed.check_escaping_family`): ``A`` is in the
   closure of ``L_I``;
2. ``non_attainment = {"method": "narrow_layer_transversal", "layer": k, "side": "rows" | "cols",
   "neurons": T}``: with ``N`` the live neurons of hidden layer ``k`` (recomputed), ``rank A = |N|``,
   ``T ⊆ N``, and ``dim sum_{i in T} (V ∩ E_{R_i}) < |T|``, where ``V`` is the row space of ``A`` and
   ``R_i`` the inputs with a path to ``i`` (``side: "cols"``: the column space and the outputs
   reached from ``i``).  Then ``A`` is not in ``L_I``: cut ``phi = X_N Z_N`` at layer ``k``; if
   ``phi(theta) = A`` then ``Z_N`` has rank ``|N|`` and row space ``V``, its row ``i`` lies in
   ``V ∩ E_{R_i}``, and the ``|T|`` rows of ``T`` would be dependent -- a contradiction
   (docs/mathematics.md, "Narrow layers"; proved again in :mod:`netalgebra.decide.narrow_layer`).
"""

from fractions import Fraction
from itertools import chain

from flint import fmpq, fmpq_mat

from netalgebra.certificate.kernel import Malformed, live_neurons
from netalgebra.certificate.not_closed import check_escaping_family

__all__ = ["check_narrow_layer"]


def _rank(rows):
    """Rank of a list of rational rows (exact, python-flint's ``fmpq_mat``)."""
    if not rows or not rows[0]:
        return 0
    return fmpq_mat([[fmpq(x.numerator, x.denominator) for x in r] for r in rows]).rank()


def _left_kernel(B):
    """A basis of ``{z : z^T B = 0}`` for a matrix ``B`` given by rows (``len(B)`` unknowns)."""
    n = len(B)
    eqs = [[B[r][c] for r in range(n)] for c in range(len(B[0]))]       # one equation per column
    pivots, rows = [], []
    for c in range(n):
        p = next((i for i in range(len(rows), len(eqs)) if eqs[i][c] != 0), None)
        if p is None:
            continue
        top = len(rows)
        eqs[top], eqs[p] = eqs[p], eqs[top]
        eqs[top] = [x / eqs[top][c] for x in eqs[top]]
        for i in range(len(eqs)):
            if i != top and eqs[i][c] != 0:
                f = eqs[i][c]
                eqs[i] = [x - f * y for x, y in zip(eqs[i], eqs[top])]
        pivots.append(c)
        rows.append(top)
    basis = []
    for free in (c for c in range(n) if c not in pivots):
        z = [Fraction(0)] * n
        z[free] = Fraction(1)
        for r, c in zip(rows, pivots):
            z[c] = -eqs[r][free]
        basis.append(z)
    return basis


def _reach(masks, k):
    """For each neuron of layer ``k``: the inputs (layer 0) with a path to it."""
    sets = [{j} for j in range(len(masks[0][0]))]
    for M in masks[:k]:
        sets = [set(chain.from_iterable(sets[j] for j, on in enumerate(row) if on)) for row in M]
    return sets


def _space_meets_supports(A, supports):
    """``dim sum_i (rowspace(A) ∩ E_{S_i})`` over the supports ``S_i``."""
    vecs = []
    for S in supports:
        outside = [c for c in range(len(A[0])) if c not in S]
        zs = _left_kernel([[row[c] for c in outside] for row in A]) if outside else \
            [[Fraction(int(r == i)) for r in range(len(A))] for i in range(len(A))]
        vecs += [[sum(z[r] * A[r][c] for r in range(len(A))) for c in range(len(A[0]))] for z in zs]
    return _rank(vecs) if vecs else 0


def check_narrow_layer(cert, masks, report, budget=None):
    """Re-check the escaping family and the narrow-layer transversal obstruction."""
    A, _ = check_escaping_family(cert, masks, report)
    na = cert.get("non_attainment")
    L = len(masks)
    if not (isinstance(na, dict) and na.get("method") == "narrow_layer_transversal"
            and type(na.get("layer")) is int and 1 <= na["layer"] < L and na.get("side") in ("rows", "cols")
            and isinstance(na.get("neurons"), list) and na["neurons"]
            and all(type(i) is int for i in na["neurons"]) and len(set(na["neurons"])) == len(na["neurons"])):
        raise Malformed("non_attainment: expected {'method': 'narrow_layer_transversal', 'layer': k (hidden), "
                        "'side': 'rows' | 'cols', 'neurons': [distinct neurons]}")
    k, T = na["layer"], na["neurons"]
    N = live_neurons(masks)[k]
    report.check(f"the neurons {T} are live neurons of hidden layer {k}", set(T) <= set(N),
                 f"live: {sorted(N)}")
    if na["side"] == "cols":       # the transposed pattern: outputs become inputs
        masks = [[list(r) for r in zip(*M)] for M in reversed(masks)]
        A = [list(r) for r in zip(*A)]
        k = L - k
    rank = _rank(A)
    report.check(f"rank A = {len(N)}, the number of live neurons of the cut layer", rank == len(N),
                 f"rank {rank}")
    reach = _reach(masks, k)
    dim = _space_meets_supports(A, [reach[i] for i in T if i < len(reach)])
    report.check(f"dim sum_(i in T) ({'row' if na['side'] == 'rows' else 'column'} space of A ∩ E_(support i)) "
                 f"< |T| (A is not in L_I)", dim < len(T), f"dimension {dim}, |T| = {len(T)}")
