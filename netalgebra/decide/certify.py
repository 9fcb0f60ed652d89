"""Certificates of a not-closed verdict found by a core, and the self-check before answering.

:func:`not_closed_certificate` turns a core (:mod:`netalgebra.decide.cores`) into a full
certificate: target, escaping family, Nullstellensatz identity, and a training set with
biases on which the ReLU training problem has no optimum (Theorem 3.1 of the paper).
:func:`self_check` runs the independent verifier on a certificate before it is returned.

**One verification per verdict.**  A wrapper (twin merge, outer twins, live block, layer merge,
block projection, the points route) decides an inner pattern and nests the inner certificate in
its own; ``verify`` of the wrapper re-checks the nested certificate.  :func:`checked_nested` runs
the inner decision with the self-checks inside it *deferred* (:func:`self_check` answers "" there
without verifying) and checks the wrapped certificate once, at the outermost checking level; a
route outside every wrapper checks its own certificate, and :func:`verified_last` lets ``decide``
check a returned certificate no route checked.  So ``decide`` returns a verdict only after one
successful ``verify`` of its certificate; the ``claims`` and the ``every_training_set`` part are
attached after that check and are not verified inside ``decide`` (``verify`` re-derives and
re-checks both when the certificate is checked again).

What a deferred check changes: inside a wrapper, a route whose certificate would fail its
check no longer falls through to the next route.  When the wrapper's check fails,
:func:`checked_nested` therefore decides the inner pattern again with every self-check made
where it stands (the behaviour before deferring: bad inner certificates fall through, a wrapper
choosing among inner results sees only verified ones), wraps and checks once more.  A failed
check means a bug, so the second run is rare; it shares the caller's budget.
"""

import contextvars
import random
from contextlib import contextmanager
from fractions import Fraction
from itertools import combinations
from math import comb

from cad.errors import BudgetExceeded
from netalgebra.certificate import FORMAT, verify
from netalgebra.decide.family import ONE, RationalFunction, fraction_text
from netalgebra.decide.verdict import Verdict, pattern_json
from netalgebra.naming import bias_name, parse_weight_name

__all__ = ["not_closed_certificate", "deep_not_closed_certificate", "self_check", "checked_nested", "checks_everywhere",
           "theorem_verdict", "verified_last",
           "SPREAD_LIMIT"]

# "check": verify here; "deferred": inside a wrapper whose own check covers this certificate;
# "eager": a wrapper's second run after a failed check (verify everywhere, defer nothing)
_MODE = contextvars.ContextVar("netalgebra_self_check_mode", default="check")
_LAST_OK = contextvars.ContextVar("netalgebra_self_check_last_ok", default=None)

def _region_bound(n, d):
    """Max number of regions of n affine hyperplanes in R^d: sum_{i<=d} C(n, i) (Buck 1943)."""
    return sum(comb(n, i) for i in range(d + 1))


def _det(m):
    m = [row[:] for row in m]
    n = len(m)
    det = Fraction(1)
    for c in range(n):
        p = next((r for r in range(c, n) if m[r][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p] = m[p], m[c]
            det = -det
        det *= m[c][c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            if f:
                for k in range(c, n):
                    m[r][k] -= f * m[c][k]
    return det


SPREAD_LIMIT = 5000   # use spread points while C(n, d+1) stays below this


def _training_inputs(n, d, seed=0):
    """n points of Q^d, every d+1 of them affinely independent.

    Spread grid points k/64 in [-1, 1]^d (drawn with ``random.Random(seed)``;
    a draw is rejected when it makes some (d+1)-subset with earlier points
    affinely dependent, checked by exact determinants), because numeric
    training on them shows the divergence well (request of the numeric helper:
    points on a parabola are fitted by a finite-norm network with a kink).
    For large n, distinct points ``(s, s^2, ..., s^d)`` on the moment curve
    (Vandermonde) instead.
    """
    if comb(n, d + 1) > SPREAD_LIMIT:
        return [[Fraction(s_) ** e for e in range(1, d + 1)] for s_ in range(1, n + 1)]
    rng = random.Random(seed)
    pts = []
    while len(pts) < n:
        q = [Fraction(rng.randint(-64, 64), 64) for _ in range(d)]
        if q in pts:
            continue
        if all(_det([[Fraction(1)] + pts[i] for i in sub] + [[Fraction(1)] + q]) != 0
               for sub in combinations(range(len(pts)), d)):
            pts.append(q)
    return pts


def not_closed_certificate(pattern, masks, found):
    """Assemble the certificate of a one-hidden-layer pattern with a core (see :func:`find_core`).

    Linear part: the target A (1 on the core's listed entries, 0 elsewhere),
    the escaping family, the Nullstellensatz equations and multipliers (each
    core's identity is proved in its finder's docstring; for the 2x2 core with
    a = W2[r,k], b = W2[r2,k], x = W1[k,c], y = W1[k,c2]:
    ``(-b x)(a y - 1) + (-1)(b x - 1) + (a x)(b y) = 1``).

    Training set (Theorem 3.1 of the paper, block form): with d' block columns
    c_1 < ... < c_d', n points supported on those columns with every d'+1 of
    them affinely independent (:func:`_training_inputs`); n = K d' + 1 with K = sum_{i<=d'} C(|K'|, i), K' the hidden neurons linking
    the block columns to the block rows (bound on the activation regions).
    Biases ``b1_k(t) = 1 + M sum_j (1 + W1[k,j](t)^2)`` over the non-zero
    weights of neuron k, M = max |coordinate|, keep every pre-activation >= 1
    (|w| <= 1 + w^2); ``b2 = -W2(t) b1(t)``, so the network computes
    x -> W2(t) W1(t) x on the training set.  The verifier re-checks all of it.
    """
    kind, (ones, fam, eqs, mult, rows, cols, text) = found
    n0, n1, n2 = len(masks[0][0]), len(masks[0]), len(masks[1])
    A = [[0] * n0 for _ in range(n2)]
    for r, c in ones:
        A[r][c] = 1
    Kp = [h for h in range(n1) if any(masks[0][h][j] for j in cols) and any(masks[1][i][h] for i in rows)]
    d = len(cols)
    K = _region_bound(len(Kp), d)
    n = d * K + 1
    pts = []
    for q in _training_inputs(n, d):
        x = [Fraction(0)] * n0
        for c, v in zip(cols, q):
            x[c] = v
        pts.append(x)
    M = int(max(abs(v) for x in pts for v in x)) + 1   # an integer bound on |coordinates|
    targets = []
    for x in pts:                      # A x, with A sparse (its ones only)
        y = [Fraction(0)] * n2
        for r, c in set(ones):
            y[r] += x[c]
        targets.append(y)
    W1, W2 = {}, {}
    for name, v in fam.items():
        l, i, j = parse_weight_name(name)
        (W1 if l == 1 else W2)[(i, j)] = v
    b1 = {}
    for (i, j), v in W1.items():
        b1[i] = b1.get(i, ONE) + RationalFunction([M]) * (ONE + v * v)
    b2 = {}
    for (i, h), v in W2.items():
        if h in b1:
            b2[i] = b2.get(i, RationalFunction([0])) + -(v * b1[h])
    biases = {bias_name(1, h): v.json() for h, v in sorted(b1.items())}
    biases.update({bias_name(2, i): v.json() for i, v in sorted(b2.items())})
    name = getattr(pattern, "name", None)
    return {
        "format": FORMAT,
        "verdict": "not_closed",
        "question": "linear",
        "pattern": pattern_json(pattern, masks),
        "target": [[fraction_text(v) for v in row] for row in A],
        "escaping_family": {"parameter": "t", "limit": "0+",
                            "weights": {nm: v.json() for nm, v in sorted(fam.items())}},
        "non_attainment": {"method": "nullstellensatz", "equations": eqs, "multipliers": mult},
        "relu": {"block_rows": rows, "block_cols": cols,
                 "linking_hidden_neurons": Kp, "activation_pattern_bound": K,
                 "points": [[fraction_text(v) for v in x] for x in pts],
                 "targets": [[fraction_text(v) for v in y] for y in targets],
                 "biases": biases},
        "core": kind,
        "argument": (
            f"{kind} core on rows {rows} x columns {cols} of {name or 'the pattern'}: {text}. "
            f"phi(theta(t)) -> A while ||theta(t)|| -> infinity; the Nullstellensatz identity shows "
            f"phi(theta) = A has no solution. Theorem 3.1: on the {n} training points (zero outside the "
            f"block columns, in general position) the networks with these weights and biases fit y = A x "
            f"in the limit, but an exact fit would put the block of A in the block's linear counterpart on "
            f"one of at most {K} activation regions containing {d + 1} affinely independent points -- "
            f"impossible."),
    }


def deep_not_closed_certificate(pattern, masks, found):
    """Certificate of a deep pattern (``L >= 3``) with a core from
    :func:`netalgebra.decide.deep_cores.find_deep_core`: target, escaping family (or a dense
    realisation, ``found``'s family being ``{"dense_realisation": ...}``) and
    Nullstellensatz identity over entries of the whole product (for rotated permutation cores
    also over the rotated products at the cut layers), and no training set (the
    block-form training-set argument is proved for one hidden layer only; for deeper
    networks the ReLU consequence is Theorem 3.1 of the paper, cited)."""
    kind, (ones, fam, eqs, mult, rows, cols, text) = found
    n0, nL = len(masks[0][0]), len(masks[-1])
    A = [[0] * n0 for _ in range(nL)]
    for r, c in ones:
        A[r][c] = 1
    name = getattr(pattern, "name", None)
    return {
        "format": FORMAT, "verdict": "not_closed", "question": "linear",
        "pattern": pattern_json(pattern, masks),
        "target": [[fraction_text(v) for v in row] for row in A],
        **({"dense_realisation": fam["dense_realisation"]} if "dense_realisation" in fam else
           {"escaping_family": {"parameter": "t", "limit": "0+",
                                "weights": {nm: v.json() for nm, v in sorted(fam.items())}}}),
        "non_attainment": eqs if isinstance(eqs, dict) else   # rotated: the whole object, built by deep_nss
        {"method": "nullstellensatz", "equations": eqs, "multipliers": mult},
        "core": kind,
        "argument": (f"{kind} core on rows {rows} x columns {cols} of {name or 'the pattern'}: {text}. "
                     + ("A is in V_K, the closure of L_I (dense_realisation); the " if "dense_realisation" in fam
                        else "phi(theta(t)) -> A while ||theta(t)|| -> infinity; the ")
                     + ("case tree on supports" if isinstance(eqs, dict) and eqs.get("method") == "support_propagation"
                        else "Nullstellensatz identity") +
                     " shows phi(theta) = A has no solution, so L_I is not closed. By Theorem 3.1 of the "
                     "paper (cited; no training set is given for depth >= 3) some finite training set "
                     "then has no optimum."),
    }


def self_check(cert, budget):
    """Run the independent checker on a certificate before answering (within the budget).

    The CAD engine and the checker decide different sentences (the checker builds its own
    product map), so an engine error that would make a verdict wrong is caught here: the
    answer is then "unknown".  Returns "" when the certificate verifies, else a note; raises
    BudgetExceeded when the budget runs out during the re-check.  Inside the inner decision of
    :func:`checked_nested` it returns "" at once: the wrapper's own check covers the certificate.
    """
    if _MODE.get() == "deferred":
        return ""            # nested: the outermost wrapper's check re-checks this certificate
    rep = verify(cert, budget=budget)
    if rep.incomplete:
        raise BudgetExceeded("time (re-checking the certificate)", budget.seconds)
    if rep.ok:
        _LAST_OK.set(cert)
        return ""
    name, _, detail = rep.failures[0]
    return f"the certificate failed its own re-check ({name}: {detail}); no verdict"


def verified_last(cert):
    """True when ``cert`` (this very object) is the last certificate :func:`self_check` verified
    in this context (not a deferred answer)."""
    return cert is not None and _LAST_OK.get() is cert


def forget_verified():
    """Drop the reference to the last verified certificate (``decide`` calls it before it
    returns, so a long-lived process does not keep the last certificate alive)."""
    _LAST_OK.set(None)


@contextmanager
def _mode(mode):
    token = _MODE.set(mode)
    try:
        yield
    finally:
        _MODE.reset(token)


def checks_everywhere():
    """A context in which every :func:`self_check` verifies where it stands and nothing is deferred:
    the behaviour before checks were deferred (the second run of :func:`checked_nested`; tests
    compare against it)."""
    return _mode("eager")


def checked_nested(decide_inner, wrap, budget):
    """``(inner, cert, note)``: ``inner = decide_inner()`` decided with its self-checks deferred,
    ``cert = wrap(inner)`` (None: no verdict to wrap, nothing checked) checked once by
    :func:`self_check` (``note``: "" or why it failed).  When the check fails here (at the
    outermost checking level), ``inner`` is decided again with every self-check made where it
    stands, wrapped and checked again -- what a failed inner check gave before checks were deferred
    (module docstring).  Inside another wrapper the check is deferred too and the note is ""."""
    mode = _MODE.get()
    with _mode("eager" if mode == "eager" else "deferred"):
        inner = decide_inner()
    cert = wrap(inner)
    if cert is None:
        return inner, None, ""
    note = self_check(cert, budget)
    if not note or mode != "check":
        return inner, cert, note
    with checks_everywhere():
        inner = decide_inner()
    cert = wrap(inner)
    return (inner, None, "") if cert is None else (inner, cert, self_check(cert, budget))


def theorem_verdict(pattern, masks, th, budget, check, points_json=None):
    """The closed :class:`Verdict` of a theorem fragment ``th`` (its certificate: the pattern, the
    fragment, its statement as the argument); with ``check``, re-checked by ``verify`` first (None
    when the re-check fails)."""
    question = "linear" if points_json is None else "relu_points"
    cert = {"format": FORMAT, "verdict": "closed", "question": question, "pattern": pattern_json(pattern, masks)}
    if points_json is not None:
        cert["points"] = points_json
    cert.update({"theorem": th, "argument": th["statement"]})
    if check and self_check(cert, budget):
        return None
    return Verdict("closed", cert, f"theorem {th['name']}: {th['statement']}", budget.elapsed(),
                   {"theorem": th["name"]})
