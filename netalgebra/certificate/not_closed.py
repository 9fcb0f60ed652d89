"""Checker of not-closed certificates of the escaping-family kind (question ``linear``).

Three claims, each re-checked with the kernel's exact arithmetic:

1. the escaping family ``theta(t)`` respects the masks, ``phi(theta(t)) -> A`` and some weight
   has a pole at ``t = 0`` (so ``A`` is in the closure of ``L_I``);
2. a Nullstellensatz identity ``sum_i m_i (phi_i - A_i) == 1``, re-expanded from the verifier's
   own product map, shows that ``A`` is not in ``L_I`` (for depth >= 3 also a case tree on supports
   at a cut, :mod:`netalgebra.certificate.support_propagation`);
3. for one hidden layer, the ReLU consequence (Theorem 3.1 of Le, Riccietti, Gribonval,
   NeurIPS 2023): a finite training set on which the squared loss has infimum 0 and no
   minimizer (:func:`check_relu`).
"""

import re
from fractions import Fraction
from itertools import combinations
from math import comb

from flint import fmpq, fmpq_poly

from netalgebra.certificate.format import rational_str
from netalgebra.certificate.support_propagation import check_support_propagation
from netalgebra.certificate.kernel import (Malformed, RatFun, det, entry_poly, live_neurons, matmul, parse_poly,
                                           poly_add, poly_mul, rational, to_fraction, weight_position, widths)

__all__ = ["check_not_closed", "check_escaping_family", "check_relu"]

# The verifier's own reading of a bias name (written by netalgebra.naming.bias_name).
_BIAS = re.compile(r"^b(\d+)_(\d+)$")


def check_not_closed(cert, masks, report, budget=None):
    """Re-check the escaping family, the Nullstellensatz identity and (depth 2) the training set."""
    w = widths(masks)
    L = len(masks)
    if "dense_realisation" in cert and L >= 3:
        A, theta = _check_dense_closure(cert, masks, report, budget), None
    else:
        A, theta = check_escaping_family(cert, masks, report)

    # 2. A is not in L_I: a Nullstellensatz identity, re-expanded here, or (depth >= 3) a case tree
    # on supports at a cut (netalgebra.certificate.support_propagation).
    na = cert.get("non_attainment")
    if isinstance(na, dict) and na.get("method") == "support_propagation" and L >= 3:
        if cert.get("relu") is not None:
            raise Malformed("relu: the training-set argument covers block identities only")
        check_support_propagation(na, masks, A, report, budget)
        return
    if not isinstance(na, dict) or na.get("method") != "nullstellensatz":
        raise Malformed("non_attainment: expected method 'nullstellensatz' (or, depth >= 3, "
                        "'support_propagation')")
    eqs, mults = na.get("equations"), na.get("multipliers")
    if not (isinstance(eqs, list) and isinstance(mults, list) and len(eqs) == len(mults)
            and (eqs or na.get("rotated"))):
        raise Malformed("non_attainment: 'equations' and 'multipliers' must be lists of equal length, "
                        "non-empty unless there are rotated equations")
    total = {}
    for k, (rc, mp) in enumerate(zip(eqs, mults)):
        if not (isinstance(rc, list) and len(rc) == 2 and all(isinstance(x, int) for x in rc)
                and 0 <= rc[0] < w[L] and 0 <= rc[1] < w[0]):
            raise Malformed(f"non_attainment.equations[{k}]: expected [row, col] inside the output matrix")
        f = poly_add(entry_poly(masks, rc[0], rc[1]), {(): A[rc[0]][rc[1]]} if A[rc[0]][rc[1]] else {}, -1)
        total = poly_add(total, poly_mul(parse_poly(mp, f"non_attainment.multipliers[{k}]"), f))
    rotated = na.get("rotated", [])
    if rotated:
        total = poly_add(total, _rotated_combination(rotated, masks, A, budget))
    report.check("sum_i m_i (phi_i - A_i) == 1 (A is not in L_I)", total == {(): Fraction(1)},
              f"the combination has {len(total)} term(s)" if total != {(): Fraction(1)} else
              f"{len(eqs)} equations" + (f" and {sum(len(x['equations']) for x in rotated)} rotated ones"
                                         if rotated else ""))

    # 3. the ReLU consequence (Theorem 3.1 of the paper), for one hidden layer.
    relu = cert.get("relu")
    if rotated and relu is not None:
        raise Malformed("non_attainment.rotated: the training-set argument covers block identities only")
    if relu is None:
        report.check("relu consequence present", L != 2, "depth-2 certificates must carry the training set")
        return
    if theta is None:
        raise Malformed("relu: the training set needs an escaping family, not a dense realisation")
    check_relu(relu, masks, A, theta, eqs, report)


def _rotated_combination(rotated, masks, A, budget=None):
    """``sum m_ab g_ab`` over the rotated equations of a permutation target ``A`` (n x n).

    *Proof that every ``g_ab`` vanishes where ``phi(theta) = A``.*  Cut the product at a hidden
    layer ``k`` with exactly ``n`` live neurons ``S`` (on some input -> output path):
    ``X = W_L ... W_{k+1}``, ``Y = W_k ... W_1``.  A neuron ``a`` of layer ``k`` outside ``S`` has
    ``X[:, a] = 0`` or ``Y[a, :] = 0`` as polynomials (else a path would pass it), so
    ``X Y = X_S Y_S`` with ``X_S`` (columns ``S``) and ``Y_S`` (rows ``S``) square, ``n x n``.
    ``X_S Y_S = A`` gives ``X_S (Y_S A^T) = I`` (``A`` is a permutation matrix, ``A A^T = I``);
    square matrices over a field with ``X Z = I`` also have ``Z X = I``, so ``Y_S A^T X_S = I``,
    that is ``g_ab = sum_{A_rc = 1} Y[a,c] X[r,b] - [a = b] = 0`` for all ``a, b`` in ``S``.  So
    ``sum m_e f_e + sum m_ab g_ab = 1`` shows that ``phi(theta) = A`` has no solution, even a
    complex one.  Checked here: ``A`` is a permutation matrix, the cut layer has ``n`` live
    neurons (recomputed by the kernel) and ``a, b`` are among them, and ``g_ab`` is rebuilt from
    the masks by path expansion (its weights named by their layers; each entry ``Y[a,c]``,
    ``X[r,b]`` of a cut is expanded once)."""
    L, n, live = len(masks), len(A), live_neurons(masks)
    ones = [(r, c) for r in range(n) for c in range(len(A[r])) if A[r][c] != 0]
    if not (len(A[0]) == n and all(A[r][c] == 1 for r, c in ones) and len(ones) == n
            and len({r for r, _ in ones}) == n and len({c for _, c in ones}) == n):
        raise Malformed("non_attainment.rotated: the target must be a permutation matrix")
    if not isinstance(rotated, list):
        raise Malformed("non_attainment.rotated: expected a list of {cut, equations, multipliers}")
    total, halves = {}, {}          # (k, "Y" | "X", i, j) -> the entry of that half, expanded once

    def half(k, side, i, j):
        key = (k, side, i, j)
        if key not in halves:
            if budget is not None:
                budget.check("time (rotated equations)")
            halves[key] = entry_poly(masks[:k], i, j) if side == "Y" else entry_poly(masks[k:], i, j, k + 1)
        return halves[key]

    for q, part in enumerate(rotated):
        where = f"non_attainment.rotated[{q}]"
        k = part.get("cut") if isinstance(part, dict) else None
        if type(k) is not int or not 1 <= k < L or len(live[k]) != n:
            raise Malformed(f"{where}.cut: expected a hidden layer with {n} live neurons")
        reqs, rmults = part.get("equations"), part.get("multipliers")
        if not (isinstance(reqs, list) and isinstance(rmults, list) and len(reqs) == len(rmults)):
            raise Malformed(f"{where}: 'equations' and 'multipliers' must be lists of equal length")
        for e, (ab, mp) in enumerate(zip(reqs, rmults)):
            if not (isinstance(ab, list) and len(ab) == 2 and all(type(x) is int and x in live[k] for x in ab)):
                raise Malformed(f"{where}.equations[{e}]: expected [a, b], live neurons of hidden layer {k}")
            a, b = ab
            g = {(): Fraction(-1)} if a == b else {}
            for r, c in ones:
                g = poly_add(g, poly_mul(half(k, "Y", a, c), half(k, "X", r, b)))
            total = poly_add(total, poly_mul(parse_poly(mp, f"{where}.multipliers[{e}]"), g))
    return total


def _check_dense_closure(cert, masks, report, budget):
    """Claim 1 by density (depth >= 3, instead of an escaping family): a realisation of ``V_K``
    minus a hypersurface (:func:`netalgebra.certificate.rational_cover.check_dense_realisation`)
    makes the closure of ``L_I`` all of ``V_K``, and the target lies in ``V_K``.  Returns ``A``."""
    from netalgebra.certificate.rational_cover import check_dense_realisation

    if "escaping_family" in cert:
        raise Malformed("escaping_family and dense_realisation: expected one proof that A is a limit")
    w = widths(masks)
    A = _target(cert, w, len(masks))
    K = check_dense_realisation(cert["dense_realisation"], masks, report, budget)
    outside = [(i, j) for i, row in enumerate(A) for j, x in enumerate(row) if x != 0 and (i, j) not in K]
    report.check("the target lies in V_K, the closure of L_I", not outside,
                 f"entry {outside[0]} is outside K" if outside else "")
    return A


def _target(cert, w, L):
    A_raw = cert.get("target")
    if not (isinstance(A_raw, list) and len(A_raw) == w[L] and all(isinstance(r, list) and len(r) == w[0] for r in A_raw)):
        raise Malformed(f"target: expected a {w[L]} x {w[0]} matrix")
    return [[rational(x, f"target[{i}][{j}]") for j, x in enumerate(r)] for i, r in enumerate(A_raw)]


def check_escaping_family(cert, masks, report):
    """Claim 1 of a not-closed certificate: its ``target`` A and ``escaping_family`` theta(t)
    respect the masks, ``phi(theta(t)) -> A`` as ``t -> 0+`` and some weight has a pole.
    Returns ``(A, theta)``."""
    w = widths(masks)
    L = len(masks)
    A = _target(cert, w, L)

    # 1. the escaping family: weights respect the masks; phi(theta(t)) -> A; a pole at 0.
    fam = cert.get("escaping_family")
    if not isinstance(fam, dict) or not isinstance(fam.get("weights"), dict):
        raise Malformed("escaping_family: expected {'parameter': 't', 'weights': {...}}")
    theta = {}
    for name, rf in fam["weights"].items():
        theta[weight_position(name, masks)] = RatFun.parse(rf, f"escaping_family.weights.{name}")
    layers = [dict() for _ in range(L)]
    for (l, i, j), v in theta.items():
        if not v.is_zero():
            layers[l - 1][(i, j)] = v
    prod = layers[0]
    for l in range(1, L):
        prod = matmul(layers[l], prod)
    bad = []
    for i in range(w[L]):
        for j in range(w[0]):
            v = prod.get((i, j))
            fin, lim = (True, fmpq(0)) if v is None else v.limit()
            if not fin or to_fraction(lim) != A[i][j]:
                bad.append((i, j, "pole" if not fin else rational_str(to_fraction(lim))))
    report.check("phi(theta(t)) -> A as t -> 0+", not bad,
              "" if not bad else f"entry {bad[0][:2]} tends to {bad[0][2]}, target {rational_str(A[bad[0][0]][bad[0][1]])}")
    poles = [k for k, v in theta.items() if not v.is_zero() and v.valuation() < 0]
    report.check("||theta(t)|| -> infinity", bool(poles),
              f"{len(poles)} weight(s) with a pole at t = 0" if poles else "no weight has a pole at t = 0")
    return A, theta


def check_relu(relu, masks, A, theta, eqs, report):
    """Check the training-set claims of a depth-2 not-closed certificate.

    Infimum 0: with the weights theta(t) and the certificate's biases, every
    hidden pre-activation z_k(t) = W1(t) x_i + b1(t) is >= 0 for all small
    t > 0 (checked: zero, or positive lowest-order Laurent coefficient), so the
    ReLU acts as the identity and the output W2(t) z(t) + b2(t) is a rational
    function of t whose limit is checked to be y_i.

    Never attained.  Let R', C' be the block rows and columns, d' = |C'|, and K'
    the hidden neurons that read some column of C' and reach some row of R'
    (recomputed here).  All points vanish outside C'.  For any parameters, the
    rows R' of the network on such inputs are
        x -> sum_{k in K'} W2[R',k] relu(W1[k,C'] x_{C'} + b1_k) + const,
    because a neuron outside K' either reads nothing from C' (constant on these
    inputs) or does not reach R'.  The activation pattern (which k in K' have
    a positive pre-activation) takes at most K = sum_{i<=d'} C(|K'|, i) values
    on the points: shifting each pre-activation down by half its least positive
    value on the points changes no pattern and puts no point on a hyperplane, so
    the patterns are among the regions of an arrangement of |K'| affine
    hyperplanes (or constants) of R^{d'}, at most that many (Buck 1943;
    <= 2^{|K'|}).  On the points sharing a pattern D the map is affine with linear part
    W2[R',:] D W1[:,C'], which is the R' x C' block of the product of the
    admissible weights (W1 with rows outside D zeroed).  With n >= K d' + 1
    points, some pattern holds d' + 1 of them; they are affinely independent
    (points on the moment curve, Vandermonde; otherwise every (d'+1)-subset
    is checked by an exact determinant), so an exact fit
    y_i = A x_i would force that block to equal A[R',C'].  But the
    Nullstellensatz identity only involves entries of R' x C' (checked), so it
    also shows that A[R',C'] is not such a block: contradiction.
    """
    L = len(masks)
    w = widths(masks)
    if L != 2:
        raise Malformed("relu: the training-set argument is implemented for one hidden layer only")
    Rp, Cp = relu.get("block_rows"), relu.get("block_cols")
    if not (isinstance(Rp, list) and isinstance(Cp, list) and Rp and Cp
            and all(isinstance(r, int) and 0 <= r < w[2] for r in Rp)
            and all(isinstance(c, int) and 0 <= c < w[0] for c in Cp)
            and len(set(Rp)) == len(Rp) and len(set(Cp)) == len(Cp)):
        raise Malformed("relu: block_rows / block_cols must list distinct output rows / input columns")
    report.check("identity uses only block entries", all(r in Rp and c in Cp for r, c in eqs),
              "every equation (r, c) lies in block_rows x block_cols")
    M1, M2 = masks
    Kp = [k for k in range(w[1]) if any(M1[k][c] for c in Cp) and any(M2[r][k] for r in Rp)]
    d = len(Cp)
    pts_raw, tg_raw = relu.get("points"), relu.get("targets")
    if not (isinstance(pts_raw, list) and isinstance(tg_raw, list) and len(pts_raw) == len(tg_raw)):
        raise Malformed("relu: 'points' and 'targets' must be lists of equal length")
    if len(pts_raw) > 4096:
        raise Malformed("relu: more than 4096 training points")
    pts = []
    for i, p in enumerate(pts_raw):
        if not (isinstance(p, list) and len(p) == w[0]):
            raise Malformed(f"relu.points[{i}]: expected {w[0]} coordinates")
        pts.append([rational(x, f"relu.points[{i}]") for x in p])
    tgs = []
    for i, y in enumerate(tg_raw):
        if not (isinstance(y, list) and len(y) == w[2]):
            raise Malformed(f"relu.targets[{i}]: expected {w[2]} values")
        tgs.append([rational(v, f"relu.targets[{i}]") for v in y])
    n = len(pts)
    K = sum(comb(len(Kp), i) for i in range(d + 1))
    report.check("enough points (n >= K d' + 1)", n >= K * d + 1,
              f"n = {n}, K = sum_(i<={d}) C({len(Kp)}, i) = {K} activation patterns of the "
              f"{len(Kp)} neuron(s) linking the block, d' = {d}")
    outside = [i for i, p in enumerate(pts) if any(p[j] for j in range(w[0]) if j not in Cp)]
    report.check("points vanish outside the block columns", not outside,
              f"point {outside[0]} has a non-zero coordinate outside block_cols" if outside else "")
    report.check("targets are A x", all(
        tgs[i][r] == sum(A[r][j] * pts[i][j] for j in range(w[0])) for i in range(n) for r in range(w[2])),
        "y_i = A x_i for every point")
    # general position: every d'+1 projected points are affinely independent
    proj = [[p[c] for c in Cp] for p in pts]
    s0 = [q[0] for q in proj]
    if all(q[e] == q[0] ** (e + 1) for q in proj for e in range(d)) and len(set(s0)) == n:
        # moment curve (s, s^2, ..., s^d) with distinct s: any d+1 points are affinely
        # independent, their determinant being a non-zero Vandermonde determinant.
        report.check("points in general position", True,
                  f"distinct points on the moment curve (s, ..., s^{d}) (Vandermonde)")
    elif comb(n, d + 1) > 200000:
        report.check("points in general position", False, "too many subsets to check and not on the moment curve")
    else:
        degenerate = None
        for sub in combinations(range(n), d + 1):
            if det([[Fraction(1)] + proj[i] for i in sub]) == 0:
                degenerate = sub
                break
        report.check("points in general position", degenerate is None,
                  f"points {degenerate} are affinely dependent" if degenerate else
                  f"all {d + 1}-subsets affinely independent (exact determinants)")
    # the approximating networks
    biases = relu.get("biases")
    if not isinstance(biases, dict):
        raise Malformed("relu.biases: expected an object {name: ratfun}")
    b = {1: {}, 2: {}}
    for name, rf in biases.items():
        m = _BIAS.match(name)
        if not m or int(m.group(1)) not in (1, 2) or int(m.group(2)) >= w[int(m.group(1))]:
            raise Malformed(f"relu.biases: {name!r} is not a bias name b<layer>_<neuron> of this network")
        b[int(m.group(1))][int(m.group(2))] = RatFun.parse(rf, f"relu.biases.{name}")
    zero = RatFun(fmpq_poly([]))
    W1 = {(i, j): v for (l, i, j), v in theta.items() if l == 1}
    W2 = {(i, j): v for (l, i, j), v in theta.items() if l == 2}
    neg, off = None, None
    for s, x in enumerate(pts):
        z = []
        for k in range(w[1]):
            acc = b[1].get(k, zero)
            for j in range(w[0]):
                if x[j] and (k, j) in W1:
                    acc = acc + W1[(k, j)] * RatFun.constant(x[j])
            if not acc.is_zero() and acc.leading() < 0:
                neg = neg or (s, k)
            z.append(acc)
        for r in range(w[2]):
            acc = b[2].get(r, zero)
            for k in range(w[1]):
                if (r, k) in W2:
                    acc = acc + W2[(r, k)] * z[k]
            fin, lim = acc.limit()
            if not fin or to_fraction(lim) != tgs[s][r]:
                off = off or (s, r)
    report.check("hidden pre-activations >= 0 for small t > 0", neg is None,
              f"point {neg[0]}, neuron {neg[1]} has a negative pre-activation" if neg else "ReLU acts as the identity")
    report.check("network outputs -> targets (loss infimum 0)", off is None,
              f"point {off[0]}, output {off[1]} does not tend to its target" if off else "")

