"""The entry point of the independent checker: :func:`verify`.

:func:`verify` re-checks every claim of a certificate with exact arithmetic, recomputing
everything it needs *from the masks stored in the certificate* with its own small code
(:mod:`netalgebra.certificate.kernel`).  It shares no code with the decider
(:mod:`netalgebra.decide`, :mod:`netalgebra.theorems`).  It trusts python-flint's exact
arithmetic: univariate rational polynomials, rational matrices (``fmpq_mat``, the Monarch
similarity checker) and multivariate rational polynomials with their gcd and factorisation
(``fmpq_mpoly``, the rational-cover checker, which multiplies every factorisation back); and the
CAD engine only for CAD certificates.

Reference: Le, Riccietti, Gribonval, "Does a sparse ReLU network training problem always
admit an optimum?", NeurIPS 2023 (arXiv 2306.02666); see (docs/mathematics.md, "Useful lemmas
for the engine") for the lemmas re-proved by the checkers.
"""

import json

from cad.budget import Budget
from cad.errors import BudgetExceeded, InputError
from netalgebra.certificate import block, cad, merge, narrow_layer, not_closed, outer_twins, points, similarity, twins
from netalgebra.certificate.claims import check_claims
from netalgebra.certificate.closed import check_closed
from netalgebra.certificate.format import FORMAT, load
from netalgebra.certificate.kernel import Malformed, parse_masks, widths
from netalgebra.certificate.report import VerificationReport

__all__ = ["verify", "NOT_CLOSED_CHECKERS", "NOT_CLOSED_POINTS_CHECKERS"]

# not-closed certificate method (the top-level "method" key) -> checker (cert, masks, report, budget);
# any other method is the escaping-family certificate of netalgebra.certificate.not_closed
NOT_CLOSED_CHECKERS = {"cad": cad.check_cad_not_closed,
                       "monarch_similarity": similarity.check_monarch_similarity,
                       "narrow_layer": narrow_layer.check_narrow_layer}
# not-closed certificates about F_I(Omega) (question "relu_points"), by method
NOT_CLOSED_POINTS_CHECKERS = {"pinned_row_escape": points.check_pinned_row_escape}


def verify(cert, timeout=None, *, budget=None) -> VerificationReport:
    """Re-check every claim of a certificate with exact arithmetic.

    Returns a :class:`VerificationReport`; ``report.ok`` is True iff all checks
    passed.  Malformed content never raises: it becomes a failed check.
    ``timeout`` (seconds, None: no limit; or ``budget``, a :class:`cad.budget.Budget`,
    which wins) bounds the decisions by cylindrical algebraic decomposition that CAD
    certificates need; when it runs out the report fails with ``report.incomplete``
    set ("could not re-check within budget"), which is not a rejection of the certificate.
    """
    rep = VerificationReport()
    budget = Budget.of(budget if budget is not None else timeout)
    try:
        cert = load(cert)
        if not isinstance(cert, dict):
            raise Malformed("certificate: expected a JSON object")
        rep.check("format", cert.get("format") == FORMAT, f"expected {FORMAT!r}")
        masks = parse_masks(cert.get("pattern"))
        rep.check("pattern", True, f"depth {len(masks)}, widths {widths(masks)}")
        _check_name(cert["pattern"].get("name"), masks, rep)
        verdict = cert.get("verdict")
        question = cert.get("question", "linear")
        if question not in ("linear", "relu_points"):
            raise Malformed(f"question: unknown value {question!r}")
        if "reduction" in cert:
            inner = verify(merge.check_reduction(cert, masks, rep), budget=budget)
            for name, passed, detail in inner.checks:
                rep.check(f"merged pattern: {name}", passed, detail)
            rep.incomplete = rep.incomplete or inner.incomplete
        elif cert.get("method") == "block":
            block.check_block(cert, masks, rep, budget)         # either verdict (closed: live block only)
        elif cert.get("method") == "twin_merge":
            twins.check_twin_merge(cert, masks, rep, budget)    # either verdict
        elif cert.get("method") == "outer_twin_merge":
            outer_twins.check_outer_twin_merge(cert, masks, rep, budget)    # either verdict
        elif verdict == "not_closed" and question == "linear":
            method = cert.get("method")
            check = NOT_CLOSED_CHECKERS.get(method) if isinstance(method, str) else None
            (check or not_closed.check_not_closed)(cert, masks, rep, budget)
        elif verdict == "not_closed":
            check = NOT_CLOSED_POINTS_CHECKERS.get(cert.get("method"))
            if check is None:
                raise Malformed(f"method: unknown not-closed method {cert.get('method')!r} for F_I(Omega)")
            check(cert, masks, rep, budget)
        elif verdict == "closed":
            check_closed(cert, masks, question, rep, budget)
        elif verdict == "unknown":
            rep.check("verdict", False, "an 'unknown' verdict certifies nothing")
        else:
            rep.check("verdict", False, f"unsupported verdict/question {verdict!r}/{question!r}")
        check_claims(cert, question, rep, masks, budget)
    except BudgetExceeded as e:
        rep.incomplete = True
        rep.check("within budget", False, f"could not re-check within budget ({e})")
    except Malformed as e:
        rep.check("well-formed", False, str(e))
    except (ValueError, TypeError, KeyError, ZeroDivisionError, json.JSONDecodeError, OSError, InputError) as e:
        rep.check("well-formed", False, f"{type(e).__name__}: {e}")
    except Exception as e:  # an error inside the CAD engine: nothing is certified
        rep.check("re-check ran", False, f"{type(e).__name__}: {e}")
    return rep


def _check_name(name, masks, rep):
    """A pattern name that is a preset (``ul:2``) must name the stored masks; other names are labels.

    The masks are what every other check uses, so a renamed certificate is never *wrong*; but
    ``VERIFIED`` next to a preset name that names other masks would mislead its reader."""
    if name is None:
        return
    if not isinstance(name, str):
        raise Malformed("pattern.name: expected a string")
    from netalgebra.pattern import PatternError, SparsityPattern

    try:
        named = SparsityPattern.preset(name).masks
    except PatternError:
        return                    # not a preset name: a free label
    rep.check("pattern name names these masks", [list(map(list, m)) for m in named] ==
              [list(map(list, m)) for m in masks],
              f"the preset {name!r} is {[list(map(list, m)) for m in named]}"[:300])
