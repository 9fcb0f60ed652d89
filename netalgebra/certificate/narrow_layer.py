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
   (docs/mathematics.md, "Narrow layers"; proved again in :mod:`netalgebra.decide.narrow_layer`);
   or ``non_attainment = {"method": "narrow_layer_span", "layer": k, "side": "rows" | "cols",
   "line": r}``: ``rank A = |N|`` and row ``r`` of ``A`` is not in ``sum (V ∩ E_{R_i})`` over the
   neurons ``i`` of ``N`` with a path to output ``r`` (``side: "cols"``: column ``r`` of ``A``, the
   column space, the neurons reached from input ``r``).  Then ``A`` is not in ``L_I``: with
   ``Z_N``'s rows in ``V ∩ E_{R_i}`` as above, row ``r`` of ``A = X_N Z_N`` is a combination of the
   rows ``i`` with ``X[r, i]`` not identically 0, i.e. with a path from ``i`` to ``r``.
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


def _space_parts(A, supports):
    """Vectors spanning ``sum_i (rowspace(A) ∩ E_{S_i})`` over the supports ``S_i``."""
    vecs = []
    for S in supports:
        outside = [c for c in range(len(A[0])) if c not in S]
        zs = _left_kernel([[row[c] for c in outside] for row in A]) if outside else \
            [[Fraction(int(r == i)) for r in range(len(A))] for i in range(len(A))]
        vecs += [[sum(z[r] * A[r][c] for r in range(len(A))) for c in range(len(A[0]))] for z in zs]
    return vecs


def _space_meets_supports(A, supports):
    """``dim sum_i (rowspace(A) ∩ E_{S_i})`` over the supports ``S_i``."""
    vecs = _space_parts(A, supports)
    return _rank(vecs) if vecs else 0


def _span_excludes_row(A, masks, k, N, r):
    """Row ``r`` of ``A`` is outside ``sum (rowspace(A) ∩ E_{R_i})`` over the ``i`` in ``N`` with a path
    to output ``r`` (``masks`` oriented so that the rows of ``A`` are the outputs)."""
    if not 0 <= r < len(A):
        raise Malformed(f"non_attainment.line: {r} is not a row of the target")
    reach = _reach(masks, k)
    reached = _reach([[list(x) for x in zip(*M)] for M in reversed(masks)], len(masks) - k)
    S = [i for i in N if r in reached[i]]
    vecs = _space_parts(A, [reach[i] for i in S])
    inside = _rank(vecs) if vecs else 0
    return S, inside, _rank(vecs + [list(A[r])]) > inside


def _oriented_cut(A, masks, na, s, report):
    """``(A, masks, k)`` turned so that ``na["side"]`` is the row side (``cols``: the transposed
    pattern, whose inputs are the outputs), after the check ``rank A = s``."""
    k = na["layer"]
    if na["side"] == "cols":
        masks = [[list(r) for r in zip(*M)] for M in reversed(masks)]
        A = [list(r) for r in zip(*A)]
        k = len(masks) - k
    rank = _rank(A)
    report.check(f"rank A = {s}, the number of live neurons of the cut layer", rank == s, f"rank {rank}")
    return A, masks, k


def check_narrow_layer(cert, masks, report, budget=None):
    """Re-check the escaping family and the narrow-layer obstruction (transversal or row span)."""
    A, _ = check_escaping_family(cert, masks, report)
    na = cert.get("non_attainment")
    L = len(masks)
    if isinstance(na, dict) and na.get("method") == "narrow_layer_span":
        _check_span(A, masks, na, report)
        return
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
    A, masks, k = _oriented_cut(A, masks, na, len(N), report)
    reach = _reach(masks, k)
    dim = _space_meets_supports(A, [reach[i] for i in T if i < len(reach)])
    report.check(f"dim sum_(i in T) ({'row' if na['side'] == 'rows' else 'column'} space of A ∩ E_(support i)) "
                 f"< |T| (A is not in L_I)", dim < len(T), f"dimension {dim}, |T| = {len(T)}")


def _check_span(A, masks, na, report):
    """The row-span obstruction (see the module docstring)."""
    L = len(masks)
    if not (type(na.get("layer")) is int and 1 <= na["layer"] < L and na.get("side") in ("rows", "cols")
            and type(na.get("line")) is int):
        raise Malformed("non_attainment: expected {'method': 'narrow_layer_span', 'layer': k (hidden), "
                        "'side': 'rows' | 'cols', 'line': r}")
    r = na["line"]
    N = sorted(live_neurons(masks)[na["layer"]])
    A, masks, k = _oriented_cut(A, masks, na, len(N), report)
    S, inside, outside = _span_excludes_row(A, masks, k, N, r)
    what = "row" if na["side"] == "rows" else "column"
    report.check(f"{what} {r} of A is not in the sum of ({what} space of A ∩ E_(support i)) over the live "
                 f"neurons {S} with a path to it (A is not in L_I)", outside, f"that sum has dimension {inside}")
