"""Deciding ``F_I(Omega)`` for a given finite ``Omega`` (one hidden layer), with certificates.

Notation as in :mod:`netalgebra.decide.activation`: neuron ``k`` reads ``C_k``, reaches ``R_k``,
has pre-activations ``M_k c`` on the points and activation cone ``relu(col M_k)``.  A neuron is
*live* when ``R_k`` and ``C_k`` are non-empty (otherwise it adds a constant, which the free
output bias absorbs).  ``T a = (a_i - a_n)_{i<n}``.  Proofs: docs/mathematics.md,
"F_I(Omega) for a given finite Omega".

Reductions (proved there):

* **free output bias** -- ``F_I(Omega) = pi^{-1}(pi F_I(Omega))`` with ``pi`` = ``T`` on every
  output row, so ``F_I(Omega)`` is closed iff ``F' = pi F_I(Omega)`` is; neuron ``k`` adds
  ``{u (T a)^T : supp u in R_k, a in relru(col M_k)}``.
* **full activation** (:func:`by_full_activation`) -- when ``rank M_k = n`` for every live neuron,
  ``relu(col M_k)`` is the orthant and ``T`` maps it onto ``R^{n-1}``, so ``F' = L_{I'}`` for the
  linear pattern ``I' = (J, I_2[:, live])`` with ``n - 1`` inputs: decided by the linear pipeline,
  whose certificate is nested.
* **pinned row in the plane** (:func:`by_pinned_row_plane`) -- ``n = 3``; one live neuron ``k*``
  reaches exactly two rows ``r0, r1``; every other live neuron reaches one row, never ``r1``; the
  neurons reaching ``r0`` give two independent vectors of ``E = sum_k +-T relu(col M_k)``.  Then the
  rows ``r0, r1`` of ``F'`` are ``R^2 x D*`` (``D* = +-T relu(col M_k*)``, all of ``R^2`` when
  ``rank M_k* = 3``), or ``E x {0}`` when ``D* = {0}``, and ``F'`` is closed.
* **not closed** (:func:`by_escape`) -- row ``r1`` is reached by exactly one live neuron ``k*``, which
  also reaches ``r0``: a target, an escaping family and Farkas certificates (one per choice of
  activation pattern and output sign of the other neurons reaching ``r0``) that the target is not
  attained.
"""

from fractions import Fraction
from itertools import product

from flint import fmpq

from netalgebra.certificate import FORMAT
from netalgebra.decide.activation import column_basis, diff_map, lp_feasible, pattern_cones
from netalgebra.decide.family import INV_T, T, RationalFunction, fraction_text
from netalgebra.decide.verdict import pattern_json
from netalgebra.naming import bias_name, weight_name
from netalgebra.theorems.structure import shallow_supports, widths

__all__ = ["decide_points_route", "SOURCE"]

SOURCE = "proved in netalgebra.decide.points_route (docs/mathematics.md, 'F_I(Omega) for a given finite Omega')"
MAX_CHOICES = 4096   # Farkas systems per candidate target


def _setup(masks, pts):
    R, C = shallow_supports(masks)
    n = len(pts)
    M = [[[p[c] for c in sorted(C[k])] + [Fraction(1)] for p in pts] for k in range(len(R))]
    live = [k for k in range(len(R)) if R[k] and C[k]]
    return R, C, M, live, n


def _base_cert(pattern, masks, pts, verdict):
    return {"format": FORMAT, "verdict": verdict, "question": "relu_points",
            "pattern": pattern_json(pattern, masks), "points": [[fraction_text(x) for x in p] for p in pts]}


def decide_points_route(pattern, masks, pts, budget, decide_linear):
    """``(verdict, certificate, reason)`` or ``(None, None, note)`` for ``F_I(Omega)``, one hidden layer.

    ``decide_linear(pattern, budget)`` decides a linear pattern (the pipeline's own route)."""
    if len(masks) != 2 or len(pts) < 2:
        return None, None, "the activation-pattern route covers one hidden layer and at least two points"
    R, C, M, live, n = _setup(masks, pts)
    ranks = {k: column_basis(M[k]) for k in live}
    if all(len(ranks[k]) == n for k in live):
        return by_full_activation(pattern, masks, pts, live, ranks, budget, decide_linear)
    budget.check("time (points route)")
    res = by_pinned_row_plane(pattern, masks, pts, R, M, live)
    if res[0] is not None:
        return res
    budget.check("time (points route)")
    return by_escape(pattern, masks, pts, R, M, live, budget)


# ----------------------------------------------------------------------------- full activation
def by_full_activation(pattern, masks, pts, live, ranks, budget, decide_linear):
    """Every live neuron has ``rank M_k = n``: ``F' = L_{I'}`` (proof in the module docstring)."""
    from netalgebra.pattern import SparsityPattern

    n = len(pts)
    if not live:
        masks2 = None
    else:
        I1 = [[1] * (n - 1) for _ in live]
        I2 = [[masks[1][r][k] for k in live] for r in range(len(masks[1]))]
        masks2 = (I1, I2)
    if masks2 is None:
        return None, None, "no live neuron (F_I(Omega) is the line of constant outputs; covered by theorems)"
    v = decide_linear(SparsityPattern(masks2, "reduced"), budget)
    if v.status != "closed":
        return None, None, (f"full activation reduces F_I(Omega) to L_I' of {masks2}, which is {v.status}; "
                            "no training-set certificate is built from it yet")
    cert = _base_cert(pattern, masks, pts, "closed")
    minors = {str(k): [ranks[k][i] for i in range(n)] for k in live}
    th = {"name": "points_full_activation",
          "statement": ("Every live hidden neuron's pre-activations on Omega span R^n, so its activation "
                        "vectors fill the orthant and, modulo the free output bias, F_I(Omega) is the linear "
                        "counterpart L_I' of the pattern (J, I_2[:, live]) with n - 1 inputs, closed by the "
                        "nested certificate."),
          "source": SOURCE,
          "hypotheses": {"live_neurons": live, "minor_columns": minors, "reduced": v.certificate}}
    cert.update({"theorem": th, "argument": th["statement"]})
    return "closed", cert, "F_I(Omega) reduces to a closed linear counterpart (full activation)"


# ----------------------------------------------------------------------------- pinned row, plane
def _one_row_structure(R, live, r1):
    """(k*, r0) when row r1 is reached by exactly one live neuron k*, which reaches exactly one
    other row r0; else None."""
    reach = [k for k in live if r1 in R[k]]
    if len(reach) != 1 or len(R[reach[0]]) != 2:
        return None
    k = reach[0]
    (r0,) = R[k] - {r1}
    return k, r0


def by_pinned_row_plane(pattern, masks, pts, R, M, live):
    """The closed case ``n = 3`` of the pinned-row structure.

    Proof.  Modulo the free output bias, rows ``r0, r1`` read ``(u0 b + p, u1 b)`` with ``b`` in the
    cone ``K* = T relu(col M_k*)``, ``u`` free and ``p`` in ``E = sum_{k in S0} D_k``
    (``D_k = K_k cup -K_k``, ``S0`` the other live neurons reaching ``r0``; they reach nothing
    else).  ``E`` is symmetric and closed under positive scaling and holds two independent
    vectors, so for every ``b != 0`` the image of ``E`` in ``R^2 / R b`` is all of that line:
    ``E + R b = R^2``.  Hence, if ``K* != {0}``, these rows are exactly ``R^2 x D*``
    (``y1 = u1 b`` lies in ``D* = K* cup -K*``; conversely take ``b`` on the line of ``y1``, or any
    ``b != 0`` in ``K*`` when ``y1 = 0``, and solve ``y0 - u0 b in E``); if ``K* = {0}`` they are
    ``E x {0}``.  ``D*`` and ``E`` are finite unions of finitely generated cones, hence closed; the
    other rows are such sums too (their neurons reach one row each), with independent parameters,
    so ``F'`` is a product of closed sets.  No rank condition on ``M_k*`` is needed; with
    ``rank M_k* = 3``, ``D* = R^2``."""
    n = len(pts)
    if n != 3:
        return None, None, ""
    for r1 in range(len(masks[1])):
        s = _one_row_structure(R, live, r1)
        if s is None:
            continue
        ks, r0 = s
        others = [k for k in live if k != ks]
        if any(len(R[k]) != 1 for k in others):
            continue
        spanning = []
        for k in others:
            if R[k] != {r0}:
                continue
            for _, rays in pattern_cones(M[k]):
                for c, a in rays:
                    e = diff_map(a)
                    if not spanning or (len(spanning) == 1 and _det2(spanning[0][2], e) != 0):
                        spanning.append((k, c, e))
        if len(spanning) < 2:
            continue
        cert = _base_cert(pattern, masks, pts, "closed")
        th = {"name": "points_pinned_row_plane",
              "statement": ("Three training points; row r1 is reached only by the live neuron k*, which "
                            "also reaches row r0; every other live neuron reaches one row other than r1, and "
                            "those reaching r0 give two independent vectors of E. Then, modulo the free output "
                            "bias, the rows r0, r1 of F_I(Omega) are R^2 x D* (D* the closed activation cone of "
                            "k*, R^2 when its pre-activations span R^3) or E x {0}, and the other rows are "
                            "closed cones: F_I(Omega) is closed."),
              "source": SOURCE,
              "hypotheses": {"neuron": ks, "rows": [r0, r1],
                             "spanning": [{"neuron": k, "parameters": [fraction_text(x) for x in c]}
                                          for k, c, _ in spanning[:2]]}}
        cert.update({"theorem": th, "argument": th["statement"]})
        return "closed", cert, f"rows {r0}, {r1} fill the plane (pinned row {r1}, neuron {ks})"
    return None, None, ""


def _det2(a, b):
    return a[0] * b[1] - a[1] * b[0]


# ----------------------------------------------------------------------------- not closed
def _choices(n, neurons):
    """Every (pattern, sign) per neuron, in the verifier's order: patterns as bit masks 0..2^n-1,
    sign +1 then -1, neurons in increasing order, the last neuron varying fastest."""
    one = [(bits, s) for bits in range(1 << n) for s in (1, -1)]
    return product(one, repeat=len(neurons))


def _system(M, n, S0, choice, y0, y1):
    """The linear system of a choice, as the verifier builds it, for target rows ``y0`` (row r0) and
    ``y1`` (row r1), n entries each: unknowns (lambda, mu, c_k ...); equality rows
    ``lambda y1_i + mu + sum_k eps_k [i in P_k] (M_k c_k)_i = y0_i``, inequality rows
    ``s_ki (M_k c_k)_i >= 0``."""
    sizes = [len(M[k][0]) for k in S0]
    nv = 2 + sum(sizes)
    eqs, ineqs = [], []
    for i in range(n):
        row = [y1[i], Fraction(1)] + [Fraction(0)] * sum(sizes)
        off = 2
        for k, sz, (bits, s) in zip(S0, sizes, choice):
            if bits >> i & 1:
                for j in range(sz):
                    row[off + j] = s * M[k][i][j]
            off += sz
        eqs.append(row)
    off = 2
    for k, sz, (bits, s) in zip(S0, sizes, choice):
        for i in range(n):
            g = [Fraction(0)] * nv
            sg = 1 if bits >> i & 1 else -1
            for j in range(sz):
                g[off + j] = sg * M[k][i][j]
            ineqs.append(g)
        off += sz
    return eqs, ineqs, nv


def _farkas_choice(M, n, S0, choice, y0, y1):
    """Multipliers (p, r) proving the choice's system infeasible, or None if it is feasible."""
    eqs, ineqs, nv = _system(M, n, S0, choice, y0, y1)
    # unknowns p (free: p+ - p-), r >= 0:  sum p_i e_i + sum r_j g_j = 0,  p . y0 = 1
    A = []
    for col in range(nv):
        A.append([e[col] for e in eqs] + [-e[col] for e in eqs] + [g[col] for g in ineqs])
    A.append(list(y0) + [-x for x in y0] + [Fraction(0)] * len(ineqs))
    sol = lp_feasible(A, [Fraction(0)] * nv + [Fraction(1)])
    if sol is None:
        return None
    m = len(eqs)
    return [sol[i] - sol[m + i] for i in range(m)], sol[2 * m:]


def _in_cone_of_others(M, n, S0, target):
    """A choice and parameters realising ``target = sum_k eps_k T Pi_{P_k} M_k c_k`` with every
    ``M_k c_k`` in its pattern's closed orthant (a point of E), or None."""
    sizes = [len(M[k][0]) for k in S0]
    for choice in _choices(n, S0):
        # unknowns: c_k = c+ - c- (per neuron, per coordinate), one slack per sign row
        ncols = 2 * sum(sizes) + n * len(S0)
        A = [[Fraction(0)] * ncols for _ in range(n - 1 + n * len(S0))]
        off = 0
        for idx, (k, sz, (bits, s)) in enumerate(zip(S0, sizes, choice)):
            for j in range(sz):
                for half, sgn in ((0, 1), (1, -1)):
                    col = off + 2 * j + half
                    a = [s * M[k][i][j] if bits >> i & 1 else Fraction(0) for i in range(n)]
                    for i, v in enumerate(diff_map(a)):
                        A[i][col] = sgn * v
                    for i in range(n):
                        A[n - 1 + idx * n + i][col] = sgn * (1 if bits >> i & 1 else -1) * M[k][i][j]
            off += 2 * sz
        for q in range(n * len(S0)):
            A[n - 1 + q][2 * sum(sizes) + q] = Fraction(-1)
        x = lp_feasible(A, list(target) + [Fraction(0)] * (n * len(S0)))
        if x is not None:
            cs, off = [], 0
            for sz in sizes:
                cs.append([x[off + 2 * j] - x[off + 2 * j + 1] for j in range(sz)])
                off += 2 * sz
            return choice, cs
    return None


def by_escape(pattern, masks, pts, R, M, live, budget):
    """Search a target not attained but approached with diverging parameters (module docstring)."""
    n = len(pts)
    for r1 in range(len(masks[1])):
        reach = [k for k in live if r1 in R[k]]
        if len(reach) != 1:
            continue
        ks = reach[0]
        for r0 in sorted(R[ks] - {r1}):
            S0 = [k for k in live if k != ks and r0 in R[k]]
            if (2 << n) ** len(S0) > MAX_CHOICES:
                continue
            found = _search(M, n, ks, S0, budget)
            if found is not None:
                return _escape_certificate(pattern, masks, pts, ks, r0, r1, S0, M, found)
    return None, None, "no pinned row with a target outside F_I(Omega) was found"


def _search(M, n, ks, S0, budget):
    for bits, rays in pattern_cones(M[ks]):
        for eps in (1, -1):
            cand = [(c, [eps * x for x in diff_map(a)]) for c, a in rays]
            pairs = cand + [([x + y for x, y in zip(c1, c2)], [x + y for x, y in zip(v1, v2)])
                            for i, (c1, v1) in enumerate(cand) for c2, v2 in cand[i + 1:]]
            for cy, y1 in pairs:
                if not any(y1):
                    continue
                budget.check("time (points route: target search)")
                inE = _in_cone_of_others(M, n, S0, [-x for x in y1])
                if inE is None:
                    continue
                for ct, tau in pairs:
                    proofs = []
                    for choice in _choices(n, S0):
                        f = _farkas_choice(M, n, S0, choice, tau + [Fraction(0)], y1 + [Fraction(0)])
                        if f is None:
                            break
                        proofs.append((choice, f))
                    else:
                        return bits, eps, cy, ct, y1, tau, inE, proofs
    return None


def _rf(x):
    x = Fraction(x)
    return RationalFunction([fmpq(x.numerator, x.denominator)])


def _escape_certificate(pattern, masks, pts, ks, r0, r1, S0, M, found):
    """Target, escaping family theta(t) and Farkas certificates (see :func:`by_escape`)."""
    P, eps, cy, ct, y1, tau, (choice_e, cs_e), proofs = found
    R_, C_ = shallow_supports(masks)
    n0, n1, n2 = widths(masks)
    n = len(pts)
    W = {}
    # neuron k*: c(t) = cy + t ct; W2[r1,k*] = eps, W2[r0,k*] = eps / t
    cols = sorted(C_[ks])
    for j, c in enumerate(cols):
        W[weight_name(1, ks, c)] = _rf(cy[j]) + T * _rf(ct[j])
    W[bias_name(1, ks)] = _rf(cy[-1]) + T * _rf(ct[-1])
    W[weight_name(2, r1, ks)] = _rf(Fraction(eps))
    W[weight_name(2, r0, ks)] = INV_T * _rf(Fraction(eps))
    # the other neurons reaching r0: parameters c_k / t and output sign eps_k (they realise -y1 / t)
    for k, (bits, s), c in zip(S0, choice_e, cs_e):
        for j, col in enumerate(sorted(C_[k])):
            W[weight_name(1, k, col)] = INV_T * _rf(c[j])
        W[bias_name(1, k)] = INV_T * _rf(c[-1])
        W[weight_name(2, r0, k)] = _rf(Fraction(s))
    # output biases: the output at x_n is 0 (each neuron's activation at x_n is a Laurent polynomial)
    used = [ks] + list(S0)
    for r in (r0, r1):
        total = RationalFunction([0])
        for k in used:
            name = weight_name(2, r, k)
            if name not in W:
                continue
            z = W[bias_name(1, k)]
            for col in sorted(C_[k]):
                z = z + W[weight_name(1, k, col)] * _rf(pts[-1][col])
            act = z if _positive_small(z) else RationalFunction([0])
            total = total + W[name] * act
        W[bias_name(2, r)] = -total
    target = [[Fraction(0)] * n for _ in range(n2)]
    target[r1] = list(y1) + [Fraction(0)]
    target[r0] = list(tau) + [Fraction(0)]
    cert = _base_cert(pattern, masks, pts, "not_closed")
    cert.update({
        "method": "pinned_row_escape",
        "targets": [[fraction_text(x) for x in row] for row in target],
        "escaping_family": {"parameter": "t", "parameters": {k: v.json() for k, v in W.items()}},
        "non_attainment": {
            "method": "pinned_row_farkas", "row": r1, "neuron": ks, "other_row": r0, "others": S0,
            "farkas": [{"choice": [[b, s] for b, s in ch], "p": [fraction_text(x) for x in p],
                        "r": [fraction_text(x) for x in r]} for ch, (p, r) in proofs]},
        "argument": (f"Row {r1} is reached only by neuron {ks}; its target is not constant, so the "
                     f"activation of {ks} is an affine image of that row, and row {r0} minus lambda times "
                     f"row {r1} minus a constant would lie in the cone of the other neurons reaching {r0}: "
                     f"each choice of their activation patterns and output signs is refuted by a Farkas "
                     f"certificate. The escaping family reaches the targets as t -> 0+ with W2[{r0},{ks}] = "
                     f"{eps}/t."),
    })
    return "not_closed", cert, (f"target not attained (pinned row {r1}, neuron {ks}); an escaping family "
                                f"approaches it with diverging weights")


def _positive_small(z):
    """Is the rational function z(t) > 0 for all small t > 0 (exactly, from its lowest coefficient)?"""
    n = z.n.coeffs()
    d = z.d.coeffs()
    if not n:
        return False
    vn = next(i for i, c in enumerate(n) if c != 0)
    vd = next(i for i, c in enumerate(d) if c != 0)
    return (n[vn] / d[vd]) > 0
