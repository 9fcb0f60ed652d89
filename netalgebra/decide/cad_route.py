"""The exact route: quantifier elimination of the image and ``cad.topology.is_closed``,
with certificates the verifier re-decides (see :func:`decide_by_cad`)."""

from fractions import Fraction

from flint import fmpq, fmpz

from cad.errors import BudgetExceeded
from netalgebra.certificate import FORMAT
from netalgebra.decide.certify import self_check
from netalgebra.decide.family import fraction_text
from netalgebra.decide.normalise import cases as normal_cases, choose as choose_normalisation
from netalgebra.naming import weight_name
from netalgebra.decide.verdict import Verdict, pattern_json
from netalgebra.pattern import SparsityPattern
from netalgebra.theorems.structure import live_masks, live_neurons

__all__ = ["decide_by_cad", "size_note", "CAD_MAX_WEIGHTS", "CAD_MAX_ENTRIES"]

CAD_MAX_WEIGHTS = 24   # the CAD route is attempted only on patterns this small (free weights
CAD_MAX_ENTRIES = 16   # after the rescaling normalisation, netalgebra.decide.normalise)


def decide_by_cad(pattern, masks, budget, points=None, napproach=5):
    """:func:`_decide_by_cad` under the budget as a hard limit when the budget is finite.

    One exact step inside the engine (a discriminant or a factorisation inside flint) cannot
    be interrupted by budget checks and has been seen to overrun a 10 s budget threefold.  So
    the route runs in a forked child (:func:`cad.hard_deadline.run_with_hard_limit`, the
    project's one hard limit) that is killed once the remaining budget is spent: the answer is
    then ``unknown`` (``BudgetExceeded``), never late.  The child's verdict is exactly the one
    :func:`_decide_by_cad` computed, self-check included."""
    from cad.hard_deadline import available, run_with_hard_limit

    rem = budget.remaining()
    if points is not None or not available(rem):
        return _decide_by_cad(pattern, masks, budget, points, napproach)
    return run_with_hard_limit(lambda: _decide_by_cad(pattern, masks, budget, points, napproach), rem)


def _decide_by_cad(pattern, masks, budget, points=None, napproach=5):
    """Exact route: QE of the image, then ``cad.topology.is_closed``; re-checkable certificates.

    Returns ``(verdict, note)``: a :class:`Verdict`, or None with a note saying
    why the route did not conclude (unavailable, error, incomplete certificate).
    An exhausted budget propagates as :class:`BudgetExceeded` (-> "unknown").
    ``cad.elimination`` / ``cad.topology`` and the compiler are imported here only
    (``netalgebra check`` stays fast on the other routes).

    Certificates (checked by :func:`netalgebra.certificate.verify` with its own
    product map; the CAD engine is the trusted base for them):

    * **closed** -- ``theorem = {"name": "cad", "hypotheses": {"variables",
      "description", "closedness"}}``: the quantifier-free description ``D(y)``
      of ``L_I`` produced by QE (QEPCAD syntax).  When ``is_closed`` proved
      closedness by the relaxation lemma (``S`` equivalent to its closed
      relaxation ``R(S)``), ``R(S)`` is stored instead: it describes the same
      set and is closed by syntax.  The verifier decides
      ``forall y (D(y) <-> exists theta: y = phi(theta))`` (as two sentences)
      and checks that D is closed (syntax, else ``is_closed``).
    * **not closed** -- ``method = "cad"``: the witness A (exact rationals) and a
      segment ``A + s U`` (``|U|_max = 1``, ``0 < s <= 2^-e0``) with 5 sample points
      ``A + 2^-(k+e0) U``; the verifier decides ``forall s in (0, 2^-e0]: A + s U in L_I``,
      which proves ``A in cl(L_I)``.  The segment is the engine's own line when its
      approaching points lie on one, else the direction of its closest approaching point;
      a verdict whose witness is irrational, or whose segment does not lie in ``L_I``,
      is not returned (the route answers no verdict: ``unknown``, never an unproven
      ``not_closed``).

    **Normalisation** (:mod:`netalgebra.decide.normalise`, proved there): one weight per chosen
    hidden neuron is fixed by the rescaling symmetry, keeping the zero cases, so ``L_I`` is the
    union of at most ``CAD_MAX_CASES`` case images, each eliminated separately
    (:func:`_normalised_image`).  The size limits apply to the free weights that remain.  The
    closed certificate records the normalisation; the verifier re-checks it and decides its
    sentences case by case.

    Before answering, the certificate is re-checked by :func:`netalgebra.certificate.verify`
    within the remaining budget (:func:`self_check`): a verdict is returned only with a
    complete certificate that verifies.

    The question ``F_I(Omega)`` (``points``) has no re-checkable CAD
    certificate yet, so this route answers None for it (never an uncheckable
    verdict).
    """
    if points is not None:
        return None, ("the CAD route for F_I(Omega) has no re-checkable certificate yet")
    chosen = choose_normalisation(masks) if len(masks) >= 2 else []
    too_large = size_note(masks, chosen)
    if too_large:
        # compiling the image formula is not budgeted and the QE is doubly exponential:
        # do not start what cannot finish
        return None, too_large
    if budget.expired():
        raise BudgetExceeded("time (CAD route)", budget.seconds)
    try:
        from cad import logic
        from cad.io import to_str
        from cad import topology
        from netalgebra import compile as _compile

        pat = pattern if isinstance(pattern, SparsityPattern) else SparsityPattern(masks)
        problem = _compile.image_formula(_compile.linear_map(pat))
        if chosen:
            problem = _normalised_image(problem, chosen, budget)
        res = topology.is_closed(problem, budget=budget, napproach=napproach)
        names = list(problem.free)
        if res.closed is True:
            D, ring = res.formula, res.ring
            if res.route == "relaxation":
                R = topology.relaxation(D)
                if all(a.rel in ("=", "<=", ">=") for a in logic.atoms(logic.nnf(R))):
                    D = R
            syntactic = all(a.rel in ("=", "<=", ">=") for a in logic.atoms(logic.nnf(D)))
            desc = to_str(D, ring)
            if list(ring.variables) != names:
                return None, "the CAD route returned a description over unexpected variables"
            cert = _cad_closed_certificate(pattern, masks, names, desc, syntactic, res.reason)
            if chosen:
                cert["theorem"]["hypotheses"]["normalisation"] = [
                    {"neuron": [l, h], "side": side, "edges": [weight_name(*e) for e in edges]}
                    for l, h, side, edges in chosen]
            bad = self_check(cert, budget)
            if bad:
                return None, bad
            return Verdict("closed", cert, f"decided by CAD: {res.reason}", budget.elapsed(),
                           {"description": desc}), ""
        if res.closed is not False:
            return None, "the CAD route returned no verdict"
        cert, why = _cad_not_closed_certificate(pattern, masks, names, res)
        if cert is None:
            return None, "the CAD route found the pattern not closed but " + why
        bad = self_check(cert, budget)
        if bad:
            return None, bad
        A = cert["target"]
        return Verdict("not_closed", cert, f"decided by CAD: {res.reason}", budget.elapsed(),
                       {"target": A}), ""
    except BudgetExceeded:
        raise
    except Exception as e:   # an engine error never becomes a verdict
        return None, f"the CAD route failed ({type(e).__name__}: {e})"


def size_note(masks, chosen=None):
    """Why the pattern is too large for the CAD route (a note), or "" when it is within
    :data:`CAD_MAX_WEIGHTS` free weights after normalisation (weights on no input -> output path
    are not variables of ``phi``) and :data:`CAD_MAX_ENTRIES` output entries."""
    if chosen is None:
        chosen = choose_normalisation(masks) if len(masks) >= 2 else []
    live = live_neurons(masks)
    nweights = (sum(map(sum, (row for m in live_masks(masks, live) for row in m)))
                - sum(1 for l, h, _, _ in chosen if h in live[l]))
    nout = len(masks[-1]) * len(masks[0][0])
    if nweights > CAD_MAX_WEIGHTS or nout > CAD_MAX_ENTRIES:
        return (f"the pattern is too large for the CAD route ({nweights} free weights after "
                f"normalisation, {nout} output entries; limits {CAD_MAX_WEIGHTS} and {CAD_MAX_ENTRIES})")
    return ""


def _normalised_image(problem, chosen, budget):
    """``L_I`` as the union of the images with the weights of each case fixed
    (:mod:`netalgebra.decide.normalise`): each case's ``exists theta`` is eliminated
    separately (fewer weights, and the fixed 1s make equations linear for the preprocessing),
    and the quantifier-free union is returned as a problem over the outputs."""
    from cad import logic
    from cad.elimination import qe

    ring, f = problem.ring, problem.formula
    body = f.body if isinstance(f, logic.Exists) else f
    quantified = tuple(f.variables) if isinstance(f, logic.Exists) else ()
    parts = []
    for fixed in normal_cases(chosen):
        names = {weight_name(*e): v for e, v in fixed.items()}
        sub = logic.substitute(body, {n: (ring.one() if v else ring.zero()) for n, v in names.items()}, ring)
        rest = tuple(v for v in quantified if v not in names)
        case = logic.Problem(ring, problem.free, logic.exists(rest, sub) if rest else sub, problem.description)
        budget.check("time (CAD route: normalised cases)")
        parts.append(qe(case, budget=budget).formula)
        if parts[-1] == logic.TRUE:
            break           # the union is everything: the other cases add nothing
    union = logic.disj(*parts)
    return logic.Problem(ring, problem.free, union, problem.description)


def _cad_closed_certificate(pattern, masks, names, desc, syntactic, reason):
    return {"format": FORMAT, "verdict": "closed", "question": "linear",
            "pattern": pattern_json(pattern, masks),
            "theorem": {"name": "cad",
                        "statement": "L_I equals the set described by the quantifier-free formula D "
                                     "(quantifier elimination by cylindrical algebraic decomposition), "
                                     "and D defines a closed set",
                        "source": "cad.qe (partial CAD QE, Collins-Hong 1991) and cad.topology.is_closed",
                        "hypotheses": {"variables": names, "description": desc,
                                       "closedness": "syntactic" if syntactic else "cad"},
                        "engine_reason": str(reason)},
            "argument": ("D(y) = " + desc + ". verify decides forall y (D(y) <-> exists theta: "
                         "y = phi(theta)) and checks that D is closed "
                         + ("by syntax (=, <=, >= atoms)." if syntactic else "with cad.topology.is_closed."))}


def _as_fraction(v):
    """fmpq / int / rational RealAlgebraic -> Fraction; None when irrational."""
    if isinstance(v, int):
        return Fraction(v)
    if isinstance(v, fmpq):
        return Fraction(int(v.p), int(v.q))
    if getattr(v, "is_rational", False):
        q = v.rational
        return Fraction(int(q.p), int(q.q))
    if isinstance(v, fmpz):
        return Fraction(int(v))
    return None


def _cad_not_closed_certificate(pattern, masks, names, res):
    """Certificate of a not-closed CAD verdict, or (None, why) when it would be incomplete."""
    n0, nL = len(masks[0][0]), len(masks[-1])
    if not res.witness or len(res.approaching) < 5:
        return None, "gave no witness with 5 approaching points"

    def mat(point):
        vals = [_as_fraction(point.get(v, 0)) for v in names]
        if any(x is None for x in vals):
            return None
        return [vals[i * n0:(i + 1) * n0] for i in range(nL)]

    A = mat(res.witness)
    pts = [mat(p) for p in res.approaching]
    if A is None or any(Y is None for Y in pts):
        return None, "its witness or approaching points are irrational (no rational certificate)"
    ap = {"rule": "y_k = A + 2^-(k+e0) U on a segment of L_I ending at A", "engine_rule": res.approach_rule}
    seg = _segment_form(A, pts, n0, nL)
    if seg is None:
        return None, "its approaching points lie on no segment ending at the witness (no proof of the limit)"
    U, e0, pts = seg
    ap["points"] = [[[fraction_text(x) for x in row] for row in Y] for Y in pts]
    ap["segment"] = {"direction": [[fraction_text(x) for x in row] for row in U], "first_exponent": e0}
    cert = {"format": FORMAT, "verdict": "not_closed", "question": "linear", "method": "cad",
            "pattern": pattern_json(pattern, masks),
            "target": [[fraction_text(x) for x in row] for row in A],
            "approaching": ap,
            "argument": ("the whole segment A + s U, 0 < s <= 2^-e0, lies in L_I, so A is in its closure, "
                         "and exists theta: phi(theta) = A is false; both decided by CAD. engine: "
                         + str(res.reason))}
    return cert, ""


def _segment_form(A, pts, n0, nL, count=5):
    """``(U, e0, points)`` with ``points[k] = A + 2^-(k+e0) U``, ``|U|_max = 1``, or None.

    When the engine's points already have that form (points along a line, the segment search
    of :mod:`cad.topology.witness`) they are kept.  Otherwise the direction of the closest
    point ``y`` is tried: ``U = (y - A) / |y - A|``, ``2^-e0 <= |y - A|``.  Nothing here is a
    proof: the verifier (run by :func:`self_check` before answering) decides that the whole
    segment lies in ``L_I``; when it does not, the verdict is not returned."""
    def dist(Y):
        return max(abs(Y[i][j] - A[i][j]) for i in range(nL) for j in range(n0))

    def along(U, e0, n):
        return [[[A[i][j] + Fraction(1, 2 ** (k + e0)) * U[i][j] for j in range(n0)] for i in range(nL)]
                for k in range(n)]

    d0 = dist(pts[0])
    e0 = d0.denominator.bit_length() - 1
    if d0.numerator == 1 and d0.denominator == 1 << e0:
        U = [[(pts[0][i][j] - A[i][j]) / d0 for j in range(n0)] for i in range(nL)]
        if len(pts) >= count and along(U, e0, len(pts)) == pts:
            return U, e0, pts
    y = min(pts, key=dist)
    d = dist(y)
    if d == 0:
        return None
    U = [[(y[i][j] - A[i][j]) / d for j in range(n0)] for i in range(nL)]
    e0 = 0
    while Fraction(1, 2 ** e0) > d:
        e0 += 1
    return U, e0, along(U, e0, count)
