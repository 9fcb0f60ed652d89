"""Checkers of CAD certificates (closed: theorem ``cad``; not closed: method ``cad``).

The CAD engine (:mod:`cad.elimination`, :mod:`cad.topology`) is the trusted base here, and only here
(theorem certificates never use it): the verifier states its own sentences about the image of
its own product map (:func:`netalgebra.certificate.kernel.entry_poly`) and lets ``cad.elimination``
decide them within the verification budget (a :class:`cad.budget.Budget`).  A spent budget
raises :class:`cad.errors.BudgetExceeded`, which :func:`netalgebra.certificate.verify` turns
into an incomplete report (neither accepted nor refuted).

The CAD engine is imported inside the functions: ``netalgebra check`` imports this package at
start-up, and the engine (``cad.logic``, ``cad.elimination``, ``cad.topology``) is needed only when a
CAD certificate is checked.
"""

from fractions import Fraction

from cad.errors import BudgetExceeded
from netalgebra.certificate.format import rational_str
from netalgebra.certificate.kernel import Malformed, entry_poly, rational_matrix, widths
from netalgebra.certificate.normalisation import check_normalisation, normal_cases
from netalgebra.naming import entry_name, weight_name

__all__ = ["check_cad_closed", "check_cad_not_closed"]


def _ensure_time_left(budget):
    """BudgetExceeded (reported as "time budget of S s") once the verifier's budget is spent."""
    if budget.expired():
        raise BudgetExceeded("time", f"{budget.seconds} s")


def _decide(problem, budget, what):
    """Truth of a sentence by cad.elimination.decide within the verifier's budget."""
    from cad.elimination import decide

    _ensure_time_left(budget)
    try:
        return bool(decide(problem, budget=budget))
    except BudgetExceeded as e:
        raise BudgetExceeded(f"{what}: {e.what}", e.limit, e.used) from None


def _output_names(masks):
    """Coordinates of R^{N_L x N_0}: the entries of W_L ... W_1, row by row."""
    w = widths(masks)
    return [entry_name(i, j) for i in range(w[-1]) for j in range(w[0])]


def _weight_names(masks):
    return [weight_name(l, i, j) for l, m in enumerate(masks, start=1)
            for i in range(len(m)) for j in range(len(m[0])) if m[i][j]]


def _image_polys(masks, prefix_vars, fixed=None):
    """(ring over prefix_vars + weights, weight names, [phi_ij as fmpz_mpoly] row by row).

    The entries come from the verifier's own path expansion :func:`entry_poly`.  ``fixed``:
    weight name -> 0 or 1, substituted (those weights are then not variables)."""
    from cad.poly import PolyRing

    fixed = fixed or {}
    w = widths(masks)
    wn = [v for v in _weight_names(masks) if v not in fixed]
    ring = PolyRing(list(prefix_vars) + wn)
    idx = {v: k for k, v in enumerate(ring.variables)}
    phi = []
    for i in range(w[-1]):
        for j in range(w[0]):
            d = {}
            for mono, c in entry_poly(masks, i, j).items():
                if any(fixed.get(v) == 0 for v, _ in mono):
                    continue
                e = [0] * len(idx)
                for v, k in mono:
                    if v in fixed:
                        continue
                    e[idx[v]] += k
                if c.denominator != 1:
                    raise Malformed("internal: non-integral path coefficient")
                d[tuple(e)] = d.get(tuple(e), 0) + int(c)
            d = {k: v for k, v in d.items() if v}
            phi.append(ring.ctx.from_dict(d) if d else ring.zero())
    return ring, wn, phi



def _in_image(masks, Y, budget, what):
    """Decide ``exists theta: phi(theta) = Y`` (Y a rational matrix) with cad.elimination."""
    from cad import logic

    ring, wn, phi = _image_polys(masks, [])
    flat = [y for row in Y for y in row]
    atoms = []
    for p, y in zip(phi, flat):
        # den * phi - num = 0  <=>  phi = num / den
        q = p * y.denominator - y.numerator
        if q.is_constant():
            if q != 0:
                return False
            continue
        atoms.append(logic.Atom(q, "="))
    if not atoms:
        return True
    problem = logic.Problem(ring, (), logic.exists(tuple(wn), logic.conj(*atoms)))
    return _decide(problem, budget, what)


def _closed_rels_only(D):
    """Syntactic closedness: every atom of the negation normal form is =, <= or >= (each atom is
    the preimage of a closed set under a continuous polynomial; /\\, \\/ keep closedness)."""
    from cad import logic

    return all(a.rel in ("=", "<=", ">=") for a in logic.atoms(logic.nnf(D)))


def check_cad_closed(hypotheses, masks, question, report, budget):
    """Closed by CAD: ``D(y)`` (QEPCAD syntax over ``variables``) describes the image and is closed.

    Checks, each decided by cad.elimination on sentences built here from the verifier's own product map:
    (a1) image inside D: ``exists theta: not D(phi(theta))`` is FALSE;
    (a2) D inside image: ``forall y: D(y) -> exists theta: y = phi(theta)`` is TRUE;
    together ``forall y (D(y) <-> exists theta: y = phi(theta))``, i.e. D = L_I.
    (b) D is closed: syntactically (NNF over =, <=, >= atoms), else by ``cad.topology.is_closed``.
    With ``normalisation`` (:mod:`netalgebra.certificate.normalisation`, re-checked there),
    ``L_I`` is the union of the case images: (a1) is decided case by case, and in (a2) each
    case image is first eliminated to a quantifier-free formula.
    Registered for the question ``linear`` only.
    """
    from cad import logic
    from cad.io import parse_formula
    from cad.poly import PolyRing

    # (an absent "hypotheses" arrives as {}: the same message as any non-object)
    if not isinstance(hypotheses, dict) or not hypotheses:
        raise Malformed("theorem.hypotheses: expected {'variables': [...], 'description': '...'}")
    names, desc = hypotheses.get("variables"), hypotheses.get("description")
    expect = _output_names(masks)
    if names != expect:
        raise Malformed(f"theorem.hypotheses.variables: expected {expect} (the output entries row by row)")
    if not isinstance(desc, str) or not desc.strip():
        raise Malformed("theorem.hypotheses.description: expected a QEPCAD-syntax formula")
    yring = PolyRing(expect)
    try:
        D = parse_formula(desc, yring)
    except Exception as e:
        raise Malformed(f"theorem.hypotheses.description: {e}") from None
    if not logic.is_quantifier_free(D):
        raise Malformed("theorem.hypotheses.description: must be quantifier-free")
    cases = [None]
    if "normalisation" in hypotheses:
        sides = check_normalisation(hypotheses["normalisation"], masks)
        cases = [{weight_name(*e): v for e, v in c.items()} for c in normal_cases(sides)]
        report.check("rescaling normalisation is valid", True,
                     f"{len(sides)} hidden neuron(s) normalised; L_I is the union of {len(cases)} case images")
    # (a1) image inside D, case by case
    bad1 = False
    for fixed in cases:
        ring, wn, phi = _image_polys(masks, expect, fixed)
        Dbig = logic.to_ring(D, ring)
        Dphi = logic.substitute(Dbig, dict(zip(expect, phi)), ring)
        if wn:
            wring = PolyRing(wn)
            s1 = logic.Problem(wring, (), logic.exists(tuple(wn), logic.negate(logic.to_ring(Dphi, wring))))
            bad1 = _decide(s1, budget, "image inside D")
        else:
            bad1 = not logic.evaluate(Dphi, ring, {})
        if bad1:
            break
    if not report.check("image of the product map lies in D", not bad1,
                     "exists theta: not D(phi(theta)) is FALSE" if not bad1 else "some phi(theta) violates D"):
        return   # rejected: the remaining (costly) decisions are skipped
    # (a2) D inside image
    if cases == [None]:
        ring, wn, phi = _image_polys(masks, expect)
        Dbig = logic.to_ring(D, ring)
        eqs = [logic.Atom(ring.gen(y) - p, "=") for y, p in zip(expect, phi)]
        inner = logic.conj(*eqs)
        if wn:
            inner = logic.exists(tuple(wn), inner)
        s2 = logic.Problem(ring, (), logic.forall(tuple(expect), logic.disj(logic.negate(Dbig), inner)))
    else:
        # each case image is eliminated to a quantifier-free formula first (cad.elimination.qe)
        # D inside the first case's image already suffices (that image lies in L_I)
        first = _case_image(masks, expect, cases[0], budget)
        s2 = logic.Problem(yring, (), logic.forall(tuple(expect), logic.disj(logic.negate(D), first)))
        if len(cases) > 1 and not _decide(s2, budget, "D inside image"):
            parts = [first] + [_case_image(masks, expect, fixed, budget) for fixed in cases[1:]]
            s2 = logic.Problem(yring, (), logic.forall(tuple(expect), logic.disj(logic.negate(D), *parts)))
        elif len(cases) > 1:
            s2 = None       # already decided TRUE
    ok2 = True if s2 is None else _decide(s2, budget, "D inside image")
    if not report.check("D lies in the image of the product map", ok2,
                     "forall y: D(y) -> exists theta: y = phi(theta) is TRUE" if ok2 else
                     "a point of D is not a product"):
        return
    # (b) D is closed
    if _closed_rels_only(D):
        report.check("D is closed", True, "syntactically: NNF built from =, <=, >= atoms with /\\, \\/")
    else:
        from cad import topology

        _ensure_time_left(budget)
        try:
            res = topology.is_closed(logic.Problem(yring, tuple(expect), D), budget=budget)
        except BudgetExceeded as e:
            raise BudgetExceeded(f"is_closed: {e.what}", e.limit, e.used) from None
        report.check("D is closed", res.closed is True, f"cad.topology.is_closed: {res.reason}")


def _case_image(masks, expect, fixed, budget):
    """Quantifier-free description, over the outputs, of the image of one normalisation case."""
    from cad import logic
    from cad.elimination import qe
    from cad.poly import PolyRing

    ring, wn, phi = _image_polys(masks, expect, fixed)
    body = logic.conj(*[logic.Atom(ring.gen(y) - p, "=") for y, p in zip(expect, phi)])
    _ensure_time_left(budget)
    try:
        f = qe(logic.Problem(ring, tuple(expect), logic.exists(tuple(wn), body) if wn else body),
               budget=budget).formula
    except BudgetExceeded as e:
        raise BudgetExceeded(f"case image: {e.what}", e.limit, e.used) from None
    return logic.to_ring(f, PolyRing(expect))


def check_cad_not_closed(cert, masks, report, budget):
    """Not closed by CAD: a rational point A outside L_I and a segment of L_I ending at A.

    Checks: at least 5 approaching points ``y_k = A + 2^-(k + e0) U`` (``|U|_max = 1``,
    ``e0 >= 0``; a ``segment`` ``{"direction": U, "first_exponent": e0}`` is required), each
    in the image (``exists theta: phi(theta) = y_k`` is TRUE); A is not in the image
    (``exists theta: phi(theta) = A`` is FALSE); and the whole open segment lies in the
    image: ``forall s in (0, 2^-e0]: A + s U in L_I`` is TRUE.

    Proof that A is in ``cl(L_I) \\ L_I``: the last sentence gives points ``A + s U`` of
    ``L_I`` for every ``0 < s <= 2^-e0``, at max-norm distance ``s`` from A, so A is a limit
    of points of ``L_I``; the second shows ``A`` is not in ``L_I``.  The listed points are
    redundant given the segment (they are kept as readable samples and are checked against
    it); a list of points alone never proves ``A in cl(L_I)``, so a certificate without a
    segment is rejected.
    """
    w = widths(masks)
    A = rational_matrix(cert.get("target"), w, "target")
    ap = cert.get("approaching")
    if not isinstance(ap, dict) or not isinstance(ap.get("points"), list):
        raise Malformed("approaching: expected {'points': [Y_0, Y_1, ...], 'rule': ...}")
    pts = [rational_matrix(Y, w, f"approaching.points[{k}]") for k, Y in enumerate(ap["points"])]
    if not report.check("at least 5 approaching points", len(pts) >= 5, f"{len(pts)} point(s)"):
        return   # rejected: the (costly) CAD decisions below are skipped
    dists = [max(abs(Y[i][j] - A[i][j]) for i in range(w[-1]) for j in range(w[0])) for Y in pts]
    rule_ok = all(d > 0 for d in dists) and all(d <= Fraction(1, 2 ** k) for k, d in enumerate(dists)) \
        and all(dists[k] <= dists[k - 1] / 2 for k in range(1, len(dists)))
    if not report.check("distances follow the rule 0 < d_k <= min(2^-k, d_(k-1)/2)", rule_ok,
                     "max-norm distances " + ", ".join(rational_str(d) for d in dists)):
        return
    seg = ap.get("segment")
    if not report.check("a segment A + s U (0 < s <= 2^-e0) is given (A in the closure needs a proof)",
                        seg is not None, "finitely many points never prove that A is a limit of L_I"):
        return
    if not isinstance(seg, dict) or not isinstance(seg.get("first_exponent"), int) \
            or isinstance(seg.get("first_exponent"), bool) or not 0 <= seg["first_exponent"] <= 4096:
        raise Malformed("approaching.segment: expected {'direction': U, 'first_exponent': e0, 0 <= e0 <= 4096}")
    U = rational_matrix(seg.get("direction"), w, "approaching.segment.direction")
    e0 = seg["first_exponent"]
    unit = max(abs(u) for row in U for u in row) == 1
    on = all(pts[k][i][j] == A[i][j] + Fraction(1, 2 ** (k + e0)) * U[i][j]
             for k in range(len(pts)) for i in range(w[-1]) for j in range(w[0]))
    if not report.check("points y_k = A + 2^-(k+e0) U with |U|_max = 1", unit and on, f"e0 = {e0}"):
        return
    # exact membership claims (cad.elimination)
    outside = not _in_image(masks, A, budget, "A in the image?")
    if not report.check("A is not in the image (exists theta: phi(theta) = A is FALSE)", outside):
        return
    for k, Y in enumerate(pts):
        if not report.check(f"y_{k} is in the image", _in_image(masks, Y, budget, f"y_{k} in the image?")):
            return
    report.check("A + s U is in the image for all 0 < s <= 2^-e0 (A is in the closure)",
                 _segment_in_image(masks, A, U, e0, budget))


def _segment_in_image(masks, A, U, e0, budget):
    """Decide ``forall s: (0 < s /\\ 2^e0 s <= 1) -> exists theta: phi(theta) = A + s U``."""
    from cad import logic

    ring, wn, phi = _image_polys(masks, ["s"])
    s = ring.gen("s")
    flat_a = [a for row in A for a in row]
    flat_u = [u for row in U for u in row]
    atoms = []
    for p, a, u in zip(phi, flat_a, flat_u):
        den = a.denominator * u.denominator
        q = p * den - (a * den).numerator - s * int(u * den)
        atoms.append(logic.Atom(q, "="))
    body = logic.conj(*atoms)
    if wn:
        body = logic.exists(tuple(wn), body)
    sentence = logic.forall(("s",), logic.disj(logic.Atom(s, "<="), logic.Atom(s * (2 ** e0) - 1, ">"), body))
    return _decide(logic.Problem(ring, (), sentence), budget, "segment in the image")
