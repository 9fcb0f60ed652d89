"""Checkers of the certificates about ``F_I(Omega)`` for a given finite ``Omega`` (one hidden layer).

Everything is recomputed here from the masks and the points stored in the certificate, with the
verifier's own code: supports, the pre-activation matrices ``M_k = [X[:, C_k] | 1]`` (neuron ``k``
computes ``relu(M_k c)`` on the points for its parameters ``c = (w, beta)``), determinants,
rational functions of ``t``.  The theorems are proved in :mod:`netalgebra.theorems.points` and
:mod:`netalgebra.decide.points_route` (docs/mathematics.md, "F_I(Omega) for a given finite Omega").
"""

from fractions import Fraction
from itertools import product

from netalgebra.certificate.kernel import Malformed, RatFun, det, rational, supports, to_fraction, widths

__all__ = ["check_isolated_outputs", "check_full_activation", "check_pinned_row_plane",
           "check_pinned_row_escape"]


def _points(raw, n0, where="points"):
    if not isinstance(raw, (list, tuple)) or not raw:
        raise Malformed(f"{where}: expected a non-empty list of training inputs")
    pts = []
    for i, p in enumerate(raw):
        if not (isinstance(p, (list, tuple)) and len(p) == n0):
            raise Malformed(f"{where}[{i}]: expected {n0} coordinates")
        pts.append([rational(x, f"{where}[{i}]") for x in p])
    return pts


def _preactivation_matrix(pts, cols):
    return [[p[c] for c in sorted(cols)] + [Fraction(1)] for p in pts]


def _live(masks):
    R, C = supports(masks)
    return R, C, [k for k in range(len(R)) if R[k] and C[k]]


def _relu_T(M, c):
    """``T relu(M c)`` with ``T a = (a_i - a_n)_{i<n}``."""
    a = [max(Fraction(0), sum(m * x for m, x in zip(row, c))) for row in M]
    return [x - a[-1] for x in a[:-1]]


def check_isolated_outputs(hypotheses, masks, question, report, budget):
    """``shallow_isolated_outputs``: depth 2, and every live neuron (reads an input, reaches an
    output) that reaches two or more outputs shares none of them with another live neuron."""
    ok = len(masks) == 2
    if ok:
        R, C, live = _live(masks)
        ok = all(len(R[k]) < 2 or not any(R[j] & R[k] for j in live if j != k) for k in live)
    report.check("hypothesis: one hidden layer, neurons reaching several outputs are alone on them", ok)


def check_full_activation(hypotheses, masks, question, report, budget):
    """``points_full_activation``: depth 2; the live neurons (recomputed) each have an n x n minor of
    ``M_k`` with non-zero determinant; the nested certificate is a verified ``closed`` certificate of
    the linear pattern ``(J, I_2[:, live])`` with ``n - 1`` inputs (masks rebuilt here)."""
    from netalgebra.certificate.verifier import verify      # the nested certificate: the same verifier

    if len(masks) != 2:
        report.check("hypothesis: depth 2", False, f"depth {len(masks)}")
        return
    pts = list(question.points)
    pts = _points(pts, widths(masks)[0])
    n = len(pts)
    R, C, live = _live(masks)
    report.check("live neurons", hypotheses.get("live_neurons") == live and n >= 2 and live, f"{live}, {n} points")
    minors = hypotheses.get("minor_columns")
    if not isinstance(minors, dict):
        raise Malformed("theorem.hypotheses.minor_columns: expected {neuron: [columns]}")
    full = True
    for k in live:
        M = _preactivation_matrix(pts, C[k])
        cols = minors.get(str(k))
        if not (isinstance(cols, list) and len(cols) == n and all(isinstance(j, int) and 0 <= j < len(M[0]) for j in cols)):
            raise Malformed(f"theorem.hypotheses.minor_columns[{k}]: expected {n} column indices")
        full &= det([[row[j] for j in cols] for row in M]) != 0
    report.check("every live neuron's pre-activations span R^n (non-zero minors)", full)
    nested = hypotheses.get("reduced")
    if not isinstance(nested, dict):
        raise Malformed("theorem.hypotheses.reduced: expected the nested certificate of L_I'")
    expected = [[[1] * (n - 1) for _ in live], [[masks[1][r][k] for k in live] for r in range(len(masks[1]))]]
    pat = nested.get("pattern")
    same = isinstance(pat, dict) and pat.get("masks") == expected
    report.check("nested certificate is about L_I' with I' = (J, I_2[:, live])", same)
    report.check("nested certificate says closed (question linear)",
                 nested.get("verdict") == "closed" and nested.get("question", "linear") == "linear")
    sub = verify(nested, budget=budget)
    if sub.incomplete:
        from cad.errors import BudgetExceeded
        raise BudgetExceeded("time (nested certificate)", getattr(budget, "seconds", None))
    report.check("nested certificate verifies", sub.ok, "; ".join(f"{a}: {c}" for a, _, c in sub.failures[:2]))


def check_pinned_row_plane(hypotheses, masks, question, report, budget):
    """``points_pinned_row_plane``: depth 2, three points; row ``r1`` is reached by exactly one live
    neuron ``k*``, which reaches exactly ``{r0, r1}``; every other live neuron reaches exactly one
    row, not ``r1``; the two ``spanning`` witnesses are live neurons ``!= k*`` reaching ``r0`` whose
    vectors ``T relu(M_k c)`` (computed here) are independent.  No rank condition on ``M_k*``: the
    rows ``r0, r1`` are then ``R^2 x D*`` or ``E x {0}``, closed either way (proof in
    ``netalgebra.decide.points_route.by_pinned_row_plane``)."""
    if len(masks) != 2:
        report.check("hypothesis: depth 2", False, f"depth {len(masks)}")
        return
    pts = _points(list(question.points), widths(masks)[0])
    R, C, live = _live(masks)
    ks, rows, span = hypotheses.get("neuron"), hypotheses.get("rows"), hypotheses.get("spanning")
    if not (isinstance(ks, int) and isinstance(rows, list) and len(rows) == 2 and isinstance(span, list)
            and len(span) == 2):
        raise Malformed("theorem.hypotheses: expected 'neuron', 'rows' [r0, r1] and two 'spanning' witnesses")
    r0, r1 = rows
    ok = len(pts) == 3 and ks in live and R[ks] == {r0, r1} and r0 != r1
    ok = ok and [k for k in live if r1 in R[k]] == [ks]
    ok = ok and all(len(R[k]) == 1 for k in live if k != ks)
    report.check("hypothesis: three points, row r1 pinned by one neuron, other neurons single-row", ok,
                 f"neuron {ks}, rows {rows}")
    vecs = []
    for w in span:
        k = w.get("neuron") if isinstance(w, dict) else None
        c = w.get("parameters") if isinstance(w, dict) else None
        if not (isinstance(k, int) and k in live and k != ks and r0 in R[k] and isinstance(c, list)
                and len(c) == len(C[k]) + 1):
            raise Malformed("theorem.hypotheses.spanning: each witness needs a live neuron reaching r0 and its parameters")
        vecs.append(_relu_T(_preactivation_matrix(pts, C[k]), [rational(x, "spanning.parameters") for x in c]))
    report.check("the witnesses span R^2", det(vecs) != 0 if ok else False)


def check_pinned_row_escape(cert, masks, report, budget=None):
    """A not-closed certificate for ``F_I(Omega)`` (method ``pinned_row_escape``).

    1. *Infimum 0.*  Replays ``theta(t)``: weights respect the masks; each pre-activation on each
       point is a rational function of ``t`` whose sign for small ``t > 0`` is read from its lowest
       Laurent coefficient, so ``relu`` is applied exactly; every output tends to its target, and
       some parameter has a pole at ``t = 0`` (the parameter norm tends to infinity).
    2. *Not attained.*  Let ``r1`` be a row reached by exactly one neuron ``k*`` that reads some input
       (recomputed), ``r0`` another row of ``k*``, ``S0`` the neurons ``!= k*`` reaching ``r0`` that
       read some input.  If the targets ``y1`` of row ``r1`` are not constant, any parameters fitting
       them have ``u = W2[r1, k*] != 0`` and ``relu(z_k*) = (y1 - b) / u``; row ``r0`` then reads
       ``y0 = lambda y1 + mu 1 + sum_{k in S0} u_k relu(M_k c_k)`` (neurons reading no input add
       constants).  Writing ``relu(M_k c_k) = Pi_P M_k c_k`` on the sign pattern ``P`` and absorbing
       ``|u_k|`` into ``c_k``, every fit gives a solution of the linear system of some choice
       ``(P_k, eps_k)``: equalities ``lambda y1_i + mu + sum eps_k [i in P_k] (M_k c_k)_i = y0_i``,
       inequalities ``s_ki (M_k c_k)_i >= 0``.  For every choice (all ``2^n`` patterns and both signs,
       enumerated here) the certificate gives ``p`` and ``r >= 0`` with
       ``sum p_i e_i + sum r_j g_j = 0`` and ``p . y0 > 0``: then ``p . y0 = -sum r_j g_j . v <= 0``,
       a contradiction.  So no parameters attain the targets.
    """
    w = widths(masks)
    if len(masks) != 2:
        report.check("depth 2", False, f"depth {len(masks)}")
        return
    pts = _points(cert.get("points"), w[0])
    n = len(pts)
    tg = cert.get("targets")
    if not (isinstance(tg, list) and len(tg) == w[2] and all(isinstance(r, list) and len(r) == n for r in tg)):
        raise Malformed(f"targets: expected {w[2]} rows of {n} rationals (one per point)")
    Y = [[rational(x, f"targets[{i}]") for x in r] for i, r in enumerate(tg)]
    _check_family(cert, masks, pts, Y, report)
    _check_farkas(cert, masks, pts, Y, report, budget)


def _check_family(cert, masks, pts, Y, report):
    fam = cert.get("escaping_family")
    if not isinstance(fam, dict) or not isinstance(fam.get("parameters"), dict):
        raise Malformed("escaping_family: expected {'parameter': 't', 'parameters': {name: ratfun}}")
    n0, n1, n2 = widths(masks)
    W1 = [[None] * n0 for _ in range(n1)]
    W2 = [[None] * n1 for _ in range(n2)]
    b1, b2 = [None] * n1, [None] * n2
    zero = RatFun.constant(Fraction(0))
    for name, raw in fam["parameters"].items():
        f = RatFun.parse(raw, f"escaping_family.parameters.{name}")
        kind, _, rest = name.partition("_")
        try:
            idx = [int(x) for x in rest.split("_")]
        except ValueError:
            raise Malformed(f"escaping_family: bad parameter name {name!r}") from None
        if kind == "w1" and len(idx) == 2 and idx[0] < n1 and idx[1] < n0 and masks[0][idx[0]][idx[1]]:
            W1[idx[0]][idx[1]] = f
        elif kind == "w2" and len(idx) == 2 and idx[0] < n2 and idx[1] < n1 and masks[1][idx[0]][idx[1]]:
            W2[idx[0]][idx[1]] = f
        elif kind == "b1" and len(idx) == 1 and idx[0] < n1:
            b1[idx[0]] = f
        elif kind == "b2" and len(idx) == 1 and idx[0] < n2:
            b2[idx[0]] = f
        else:
            raise Malformed(f"escaping_family: {name!r} is not a parameter allowed by the masks")
    W1 = [[x or zero for x in r] for r in W1]
    W2 = [[x or zero for x in r] for r in W2]
    b1 = [x or zero for x in b1]
    b2 = [x or zero for x in b2]
    bad = []
    for i, x in enumerate(pts):
        act = []
        for k in range(n1):
            z = b1[k]
            for c in range(n0):
                if x[c]:
                    z = z + W1[k][c] * RatFun.constant(x[c])
            act.append(z if not z.is_zero() and z.leading() > 0 else zero)
        for r in range(n2):
            out = b2[r]
            for k in range(n1):
                out = out + W2[r][k] * act[k]
            fin, lim = out.limit()
            if not fin or to_fraction(lim) != Y[r][i]:
                bad.append((r, i))
    report.check("network(theta(t)) -> targets on every point as t -> 0+ (loss -> 0)", not bad,
                 f"output {bad[0]} does not tend to its target" if bad else "")
    params = [f for r in W1 + W2 for f in r] + b1 + b2
    report.check("||theta(t)|| -> infinity", any(not f.is_zero() and f.valuation() < 0 for f in params))


def _check_farkas(cert, masks, pts, Y, report, budget):
    na = cert.get("non_attainment")
    if not isinstance(na, dict) or na.get("method") != "pinned_row_farkas":
        raise Malformed("non_attainment: expected method 'pinned_row_farkas'")
    r1, r0, ks = na.get("row"), na.get("other_row"), na.get("neuron")
    n2 = widths(masks)[2]
    if not all(isinstance(v, int) and 0 <= v < b for v, b in ((r1, n2), (r0, n2), (ks, widths(masks)[1]))):
        raise Malformed("non_attainment: 'row', 'other_row' and 'neuron' must index the network")
    R, C = supports(masks)
    readers = [k for k in range(len(R)) if r1 in R[k] and C[k]]
    report.check("row r1 is reached by exactly one neuron reading an input, which also reaches r0",
                 readers == [ks] and r0 in R[ks] and r0 != r1, f"row {r1}: neurons {readers}")
    y1, y0 = Y[r1], Y[r0]
    report.check("targets of row r1 are not constant", any(v != y1[0] for v in y1))
    S0 = [k for k in range(len(R)) if k != ks and r0 in R[k] and C[k]]
    n = len(pts)
    M = {k: _preactivation_matrix(pts, C[k]) for k in S0}
    proofs = {}
    for item in na.get("farkas") or []:
        ch = item.get("choice") if isinstance(item, dict) else None
        if not (isinstance(ch, list) and len(ch) == len(S0)):
            raise Malformed("non_attainment.farkas: each entry needs a 'choice' per other neuron")
        proofs[tuple((b, s) for b, s in ch)] = item
    all_ok, missing = True, 0
    one = [(bits, s) for bits in range(1 << n) for s in (1, -1)]
    for choice in product(one, repeat=len(S0)):
        if budget is not None:
            budget.check("time (Farkas certificates)")
        item = proofs.get(choice)
        if item is None:
            missing += 1
            continue
        all_ok &= _refutes(item, choice, S0, M, n, y0, y1)
    report.check("every choice of activation patterns and signs is refuted (Farkas)", all_ok and not missing,
                 f"{missing} choice(s) without a certificate" if missing else f"{(2 << n) ** len(S0)} choices")


def _refutes(item, choice, S0, M, n, y0, y1):
    """``sum p_i e_i + sum r_j g_j == 0``, ``r >= 0`` and ``p . y0 > 0`` for the choice's system."""
    p = [rational(x, "farkas.p") for x in item.get("p", [])]
    r = [rational(x, "farkas.r") for x in item.get("r", [])]
    if len(p) != n or len(r) != n * len(S0) or any(x < 0 for x in r):
        return False
    total_lambda = sum(pi * y for pi, y in zip(p, y1))
    total_mu = sum(p)
    ok = total_lambda == 0 and total_mu == 0
    j = 0
    for k, (bits, s) in zip(S0, choice):
        for col in range(len(M[k][0])):
            acc = Fraction(0)
            for i in range(n):
                if bits >> i & 1:
                    acc += p[i] * s * M[k][i][col]
                acc += r[j + i] * (1 if bits >> i & 1 else -1) * M[k][i][col]
            ok = ok and acc == 0
        j += n
    return ok and sum(pi * y for pi, y in zip(p, y0)) > 0
