"""Not closed through a narrow hidden layer: a collision family whose limit has no transversal.

Let hidden layer ``k`` have the live neurons ``N`` (on some input -> output path), ``s = |N|``,
and cut the product there: ``phi = X Z`` with ``X = W_L ... W_{k+1}``, ``Z = W_k ... W_1``.  For
``i in N`` let ``R_i`` be the inputs with a path to ``i`` and ``Q_i`` the outputs reached from
``i``: row ``i`` of ``Z`` is supported in ``R_i``, column ``i`` of ``X`` in ``Q_i``.

**Lemma** (narrow-layer transversal; docs/mathematics.md, "Narrow layers").  Let ``A`` have rank
``s``, ``V`` its row space and ``U_i = V ∩ E_{R_i}`` (``E_R`` the coordinate subspace of ``R``).
If some ``T ⊆ N`` has ``dim sum_{i in T} U_i < |T|``, then ``A`` is not in ``L_I`` (not even
over ``C``).  The same with the column space and the ``Q_i`` (the transposed pattern).
*Proof.*  A neuron of layer ``k`` outside ``N`` has ``X[:, i] = 0`` or ``Z[i, :] = 0`` as
polynomials, so ``phi = X_N Z_N`` (columns / rows ``N``).  If ``phi(theta) = A`` then
``s = rank A <= rank Z_N <= s``, so ``Z_N`` has rank ``s`` and its row space, which contains
``V`` and has dimension ``s``, is ``V``.  Row ``i`` of ``Z_N`` lies in ``V`` and is supported in
``R_i``: it lies in ``U_i``.  The ``|T|`` rows of ``T`` then lie in ``sum_{i in T} U_i`` of
dimension ``< |T|``, so they are dependent and ``rank Z_N < s``: a contradiction.  (This is
the easy half of Rado's theorem on independent transversals.)

**Lemma** (row span; docs/mathematics.md, "Narrow layers").  With ``rank A = s``, if for some output
``r`` the row ``A_r`` is not in ``sum U_i`` over the ``i in N`` with a path to ``r``, then ``A`` is not in
``L_I``.  *Proof.*  As above, ``phi(theta) = A`` puts row ``i`` of ``Z_N`` in ``U_i``; row ``r`` of
``A = X_N Z_N`` is ``sum_i X[r, i] z_i`` and ``X[r, i]`` is identically 0 unless ``i`` has a path to
``r``.  (Columns: the transposed pattern.)

**Collision family** (the closure half, checked exactly by the verifier as an escaping family).
Pick ``p != q`` in ``N`` with a common input ``J`` (non-empty, inside the mask rows ``p`` and ``q``
of ``I_k``) and rows ``M`` of layer ``k + 1`` reading both.  All weights are fixed rationals,
except: rows ``p`` and ``q`` of ``W_k`` are the same vector ``g`` on ``J`` (0 elsewhere) plus ``t z_p``,
``t z_q`` on their masks; entries ``(m, p)``, ``(m, q)`` of ``W_{k+1}`` get ``+lambda_m / t`` and
``-lambda_m / t`` for ``m in M``.  At ``t = 0`` rows ``p`` and ``q`` of ``Z`` coincide, so the
``1/t`` part ``X_{-1} Z(0)`` vanishes and ``phi(theta(t))`` tends to a finite limit ``A`` while the
weights blow up.  Two rank-one terms collide, as in the 2x2 LU core; the limit's row space then
contains the collided row and often fails the transversal condition above.  The search tries
the pairs with a few seeded draws, then with sparse draws (fixed weights 0 with chance
:data:`SPARSE`: the row-span obstruction needs special limits, e.g. a row space that contains a
coordinate plane), and keeps a limit that one of the lemmas proves unattained.

The certificate (``method: "narrow_layer"``) states the target, the family, and
``non_attainment = {"method": "narrow_layer_transversal", "layer": k, "side": "rows" | "cols",
"neurons": T}`` or ``{"method": "narrow_layer_span", "layer": k, "side": ..., "line": r}``; :mod:`netalgebra.certificate.narrow_layer` re-checks the family and the lemma's
hypotheses with its own code.
"""

import random
from fractions import Fraction
from itertools import combinations, permutations

from flint import fmpq, fmpq_mat

from netalgebra.certificate import FORMAT
from netalgebra.decide.family import RationalFunction, fraction_text
from netalgebra.decide.verdict import Verdict, pattern_json
from netalgebra.naming import weight_name
from netalgebra.theorems.structure import live_neurons

__all__ = ["find_narrow_layer_witness", "narrow_layer_certificate", "by_narrow_layer"]

DRAWS = 3             # seeded draws per (layer, p, q)
SPARSE_DRAWS = 40     # a second pass: draws whose fixed weights are 0 with chance SPARSE
SPARSE = 0.5
MAX_LIVE = 6          # narrow layers with at most this many live neurons (subsets T are enumerated)
MAX_WIDTH = 16        # patterns wider than this are left to the other routes


def _matmul(a, b):
    return [[sum(a[i][n] * b[n][j] for n in range(len(b)) if a[i][n] and b[n][j]) for j in range(len(b[0]))]
            for i in range(len(a))]


def _product(ws, n0):
    out = [[Fraction(int(i == j)) for j in range(n0)] for i in range(n0)]
    for w in ws:
        out = _matmul(w, out)
    return out


def _mat(rows):
    return fmpq_mat([[fmpq(x.numerator, x.denominator) for x in r] for r in rows])


def _rank(rows):
    return _mat(rows).rank() if rows and rows[0] else 0


def _row_space_parts(A, reach):
    """For each neuron ``i``: a spanning list of ``U_i = rowspace(A) ∩ E_{reach[i]}``."""
    n0 = len(A[0])
    parts = {}
    for i, R in reach.items():
        out = [c for c in range(n0) if c not in R]
        if not out:
            parts[i] = [list(r) for r in A]
            continue
        # z with z^T A[:, out] = 0: the null space of A[:, out]^T, from its reduced row echelon form
        Bt = [[A[r][c] for r in range(len(A))] for c in out]
        rref, rk = _mat(Bt).rref()
        rows = [[Fraction(int(x.p), int(x.q)) for x in rref.table()[j]] for j in range(rk)]
        pivots = [next(c for c, x in enumerate(r) if x) for r in rows]
        vecs = []
        for f in (c for c in range(len(A)) if c not in pivots):
            z = [Fraction(0)] * len(A)
            z[f] = Fraction(1)
            for r, c in zip(rows, pivots):
                z[c] = -r[f]
            vecs.append([sum(z[r] * A[r][c] for r in range(len(A))) for c in range(n0)])
        parts[i] = vecs
    return parts


def _reach_from_inputs(masks, k):
    """For each neuron of layer ``k``: the set of inputs with a path to it."""
    sets = [{j} for j in range(len(masks[0][0]))]
    for M in masks[:k]:
        sets = [set().union(*(sets[j] for j, on in enumerate(row) if on)) for row in M]
    return sets


def _transposed(masks):
    return tuple(tuple(zip(*M)) for M in reversed(masks))


def _sides(masks, k, N):
    """What the lemmas need at layer ``k`` that no draw changes, for the rows side (the pattern) and
    the columns side (the transposed pattern, whose layer ``L - k`` is this one): ``(side, reach,
    reached)`` with ``reach[i]`` the inputs with a path to neuron ``i`` of ``N`` and ``reached[i]`` the
    outputs it reaches (on the transposed pattern inputs and outputs swap)."""
    inputs = _reach_from_inputs(masks, k)
    outputs = _reach_from_inputs(_transposed(masks), len(masks) - k)
    return (("rows", {i: inputs[i] for i in N}, outputs), ("cols", {i: outputs[i] for i in N}, inputs))


def _violated(parts, N):
    """A set ``T ⊆ N`` violating the transversal condition, from the spanning lists ``parts[i]`` of
    ``U_i`` (:func:`_row_space_parts` of a matrix of rank ``|N|``), or None."""
    for size in range(1, len(N) + 1):
        for T in combinations(sorted(N), size):
            vecs = [v for i in T for v in parts[i]]
            if _rank(vecs) < size:
                return list(T)
    return None


def _row_outside(A, parts, reached, N):
    """An output ``r`` whose row of ``A`` is not in ``sum_{i in N reaching r} U_i`` (or None): the
    row-span obstruction of the module docstring, on ``A``'s row space (``A`` of rank ``|N|``,
    ``parts`` its :func:`_row_space_parts`, ``reached[i]`` the outputs neuron ``i`` reaches)."""
    ranks = {}        # outputs joined to the same neurons share the rank of their parts
    for r in range(len(A)):
        joined = tuple(i for i in sorted(N) if r in reached[i])
        vecs = [v for i in joined for v in parts[i]]
        if joined not in ranks:
            ranks[joined] = _rank(vecs)
        if _rank(vecs + [list(A[r])]) > ranks[joined]:
            return r
    return None


def _obstruction(A, k, N, sides):
    """``non_attainment`` for the limit ``A`` at layer ``k`` (rows, then columns; transversal, then
    row span), or None; ``sides`` from :func:`_sides`.  Both lemmas need ``rank A = |N|`` (the
    transpose has the same rank), and both read the same parts ``U_i`` of a side's row space."""
    if _rank(A) != len(N):
        return None
    matrices = {"rows": A, "cols": [list(r) for r in zip(*A)]}
    parts = {}
    for side, reach, _ in sides:
        parts[side] = _row_space_parts(matrices[side], reach)
        T = _violated(parts[side], N)
        if T is not None:
            return {"method": "narrow_layer_transversal", "layer": k, "side": side, "neurons": T}
    for side, _, reached in sides:
        r = _row_outside(matrices[side], parts[side], reached, N)
        if r is not None:
            return {"method": "narrow_layer_span", "layer": k, "side": side, "line": r}
    return None


def _collision(masks, k, p, q, rng, zero=0.0):
    """Weights ``(W0, Wt, Winv)`` (constant, t- and 1/t-coefficients) of one collision draw, or None.
    ``zero``: the chance that a fixed weight outside the collision is 0 (sparse draws reach the
    special limits the row-span obstruction needs, e.g. a row space containing a coordinate plane)."""
    first, second = masks[k - 1], masks[k]
    J = [j for j in range(len(first[0])) if first[p][j] and first[q][j] and rng.random() < 0.8]
    M = [m for m in range(len(second)) if second[m][p] and second[m][q] and rng.random() < 0.8]
    if not J or not M:
        return None
    pick = lambda: Fraction(rng.choice((-3, -2, -1, 1, 2, 3)))
    fixed = lambda: Fraction(0) if zero and rng.random() < zero else pick()
    W0 = [[[fixed() if on else Fraction(0) for on in row] for row in m] for m in masks]
    Wt = [[[Fraction(0)] * len(row) for row in m] for m in masks]
    Winv = [[[Fraction(0)] * len(row) for row in m] for m in masks]
    g = {j: pick() for j in J}
    for n in (p, q):
        for j, on in enumerate(first[n]):
            if on:
                W0[k - 1][n][j] = g.get(j, Fraction(0))
                Wt[k - 1][n][j] = pick()
    for m in M:
        lam = pick()
        Winv[k][m][p], Winv[k][m][q] = lam, -lam
    return W0, Wt, Winv


def _limit(masks, k, W0, Wt, Winv):
    """The limit of the collision family: ``P (W_{-1} Z_1 + W_0 Z_0)`` (see the module docstring)."""
    n0 = len(masks[0][0])
    C = _product(W0[:k - 1], n0)
    Z0, Z1 = _matmul(W0[k - 1], C), _matmul(Wt[k - 1], C)
    M = [[a + b for a, b in zip(r1, r2)] for r1, r2 in zip(_matmul(Winv[k], Z1), _matmul(W0[k], Z0))]
    for w in W0[k + 1:]:
        M = _matmul(w, M)
    return M


def find_narrow_layer_witness(masks, budget):
    """``(target, family weights, non_attainment)`` from a collision at a narrow layer, or None.
    First :data:`DRAWS` draws per ordered pair of live neurons, then a second pass of
    :data:`SPARSE_DRAWS` sparse draws per pair (its own generator, so the first pass draws what it
    always drew)."""
    L = len(masks)
    n0, nL = len(masks[0][0]), len(masks[-1])
    if L < 2 or max(len(M) for M in masks) > MAX_WIDTH or n0 > MAX_WIDTH:
        return None
    live = live_neurons(masks)
    layers = [(k, sorted(live[k])) for k in range(1, L) if 2 <= len(live[k]) < min(n0, nL) and len(live[k]) <= MAX_LIVE]
    layers = [(k, N, _sides(masks, k, N)) for k, N in layers]      # what no draw changes, once
    for rng, draws, zero in ((random.Random(0), DRAWS, 0.0), (random.Random(1), SPARSE_DRAWS, SPARSE)):
        for k, N, sides in layers:
            for p, q in permutations(N, 2):
                for _ in range(draws):
                    budget.check("time (narrow-layer collisions)")
                    draw = _collision(masks, k, p, q, rng, zero)
                    if draw is None:
                        continue
                    A = _limit(masks, k, *draw)
                    na = _obstruction(A, k, N, sides)
                    if na is not None:
                        return A, _family(masks, *draw), na
    return None


def _family(masks, W0, Wt, Winv):
    """The weights ``Winv / t + W0 + t Wt`` as named rational functions (zeros left out)."""
    out = {}
    for l, M in enumerate(masks):
        for i, row in enumerate(M):
            for j, on in enumerate(row):
                if on and (W0[l][i][j] or Wt[l][i][j] or Winv[l][i][j]):
                    out[weight_name(l + 1, i, j)] = RationalFunction(
                        [fmpq(x.numerator, x.denominator) for x in (Winv[l][i][j], W0[l][i][j], Wt[l][i][j])],
                        [0, 1])
    return out


def narrow_layer_certificate(pattern, masks, found):
    """The not-closed certificate of a :func:`find_narrow_layer_witness` result."""
    A, fam, na = found
    return {
        "format": FORMAT, "verdict": "not_closed", "question": "linear", "pattern": pattern_json(pattern, masks),
        "method": "narrow_layer",
        "target": [[fraction_text(v) for v in row] for row in A],
        "escaping_family": {"parameter": "t", "limit": "0+",
                            "weights": {nm: v.json() for nm, v in sorted(fam.items())}},
        "non_attainment": na,
        "argument": (f"hidden layer {na['layer']} has {len(live_neurons(masks)[na['layer']])} live neurons and the "
                     f"target has that rank; {_obstruction_text(na)}, so it is not "
                     "attained; two rank-one terms collide along the escaping family, whose limit it is. By "
                     "Theorem 3.1 of the paper (cited; no training set is given for depth >= 3) some finite "
                     "training set then has no optimum."),
    }


def _obstruction_text(na):
    what = "row" if na["side"] == "rows" else "column"
    if na["method"] == "narrow_layer_transversal":
        return (f"its {what} space meets the supports of neurons {na['neurons']} in too small a space "
                "(no transversal)")
    return (f"its {what} {na['line']} is outside the sum of its {what} space's intersections with the supports "
            f"of the live neurons joined to that {'output' if na['side'] == 'rows' else 'input'}")


def by_narrow_layer(pattern, masks, budget, self_check):
    """A not-closed :class:`Verdict` from a narrow-layer collision, re-checked by ``self_check``, or None."""
    found = find_narrow_layer_witness(masks, budget)
    if found is None:
        return None
    cert = narrow_layer_certificate(pattern, masks, found)
    if self_check(cert, budget):
        return None
    na = found[2]
    return Verdict("not_closed", cert, cert["argument"].split(". By Theorem")[0], budget.elapsed(),
                   {"core": "narrow_layer", "layer": na["layer"], "neurons": na.get("neurons"), "line": na.get("line"),
                    "target": cert["target"]})
