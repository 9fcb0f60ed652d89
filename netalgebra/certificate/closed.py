"""Checker of closed certificates: the theorem they name, looked up in one registry.

A closed certificate names a theorem (``theorem.name``) and its hypotheses.  The registry
:data:`CHECKERS` maps each theorem name to its checker, a function
``(hypotheses, masks, question, report, budget) -> None`` whose docstring says what it
re-checks from the masks (the theorems are proved in :mod:`netalgebra.theorems`, which walks
the decider's registry of the same names).  Checkers record their checks in ``report``;
malformed content raises :class:`~netalgebra.certificate.kernel.Malformed`.

Add a new certificate kind: write its checker in a module of this package and register it
below with one ``register(...)`` line (its questions: ``"linear"`` for ``L_I``,
``"relu_points"`` for ``F_I(Omega)``).  A name that is not registered for the certificate's
question is rejected.
"""

from dataclasses import dataclass

from netalgebra.certificate import absorption, cad, deep, digits, points, rational_cover, shallow, subchain_cover, subspace
from netalgebra.certificate.kernel import Malformed, rational, widths

__all__ = ["Question", "CHECKERS", "QUESTIONS", "EVERY_TRAINING_SET", "register", "check_closed",
           "check_theorem"]


@dataclass(frozen=True)
class Question:
    """What the certificate claims closed: ``kind`` ``"linear"`` (``L_I``) or ``"relu_points"``
    (``F_I(Omega)``, with ``points`` the training inputs Omega stored in the certificate)."""

    kind: str
    points: tuple = ()


CHECKERS = {}     # theorem name -> checker (hypotheses, masks, question, report, budget) -> None
QUESTIONS = {}    # theorem name -> the question kinds its checker answers
# theorems whose conclusion is "F_I(Omega) closed for every finite Omega" (and L_I closed): a
# certificate naming one at top level proves an optimum for every finite training set
EVERY_TRAINING_SET = set()


def register(name, checker, questions=("linear",), every_training_set=False):
    """Register ``checker`` for the theorem ``name`` (for the given question kinds);
    ``every_training_set``: the theorem proves F_I(Omega) closed for every finite Omega."""
    CHECKERS[name] = checker
    QUESTIONS[name] = frozenset(questions)
    if every_training_set:
        EVERY_TRAINING_SET.add(name)


# one layer: F_I(Omega) is a linear image (proved); scalar output: the paper's theorem (cited)
register("one_layer", shallow.check_one_layer, questions=("linear", "relu_points"), every_training_set=True)
register("shallow_scalar_output", shallow.check_scalar_output, questions=("linear", "relu_points"),
         every_training_set=True)
register("shallow_isolated_outputs", points.check_isolated_outputs, questions=("linear", "relu_points"),
         every_training_set=True)     # proved: netalgebra.theorems.points
register("shallow_two_points", shallow.check_two_points, questions=("relu_points",))
register("points_full_activation", points.check_full_activation, questions=("relu_points",))
register("points_pinned_row_plane", points.check_pinned_row_plane, questions=("relu_points",))
register("shallow_support_groups", shallow.check_support_groups)
register("shallow_free_lines", shallow.check_free_lines)
register("deep_dense_components", deep.check_dense_components)
register("deep_single_neuron_layer", deep.check_single_neuron_layer)
register("deep_digit_mixing", digits.check_digit_mixing)
register("shallow_subspace_absorption", absorption.check_absorption)
register("deep_coordinate_subspace", subspace.check_coordinate_subspace)
register("deep_subchain_merge", subspace.check_subchain_merge)
register("shallow_coordinate_subspace", subspace.check_coordinate_subspace)    # two layers
register("deep_rational_cover", rational_cover.check_rational_cover)
register("deep_subchain_cover", subchain_cover.check_subchain_cover)
register("cad", cad.check_cad_closed)


def _theorem_name(theorem):
    if not isinstance(theorem, dict) or not isinstance(theorem.get("name"), str):
        raise Malformed("theorem: expected an object with a 'name'")
    return theorem["name"]


def check_closed(cert, masks, question, report, budget=None):
    """Re-check a closed certificate: its question (for ``relu_points``, the training inputs),
    then the theorem it names through :func:`check_theorem`."""
    theorem = cert.get("theorem")
    _theorem_name(theorem)
    points = ()
    if question == "relu_points":
        w = widths(masks)
        points = cert.get("points")
        if not isinstance(points, list):
            raise Malformed("points: expected the list of training inputs")
        for i, p in enumerate(points):
            if not (isinstance(p, list) and len(p) == w[0]):
                raise Malformed(f"points[{i}]: expected {w[0]} coordinates")
            for x in p:
                rational(x, f"points[{i}]")
        points = tuple(points)
    check_theorem(theorem, masks, Question(question, points), report, budget)


def check_theorem(theorem, masks, question, report, budget):
    """Re-check the hypotheses of ``theorem`` (a certificate's ``theorem`` object) on ``masks``
    with the checker registered for its name; nested theorems (``then``) come back here."""
    name = _theorem_name(theorem)
    if name not in CHECKERS or question.kind not in QUESTIONS[name]:
        if question.kind == "relu_points":
            report.check("theorem applies to F_I(Omega)", False, f"{name!r} is not a theorem about F_I(Omega)")
        else:
            report.check("known theorem", False, f"unknown theorem {name!r}")
        return
    CHECKERS[name](theorem.get("hypotheses", {}), masks, question, report, budget)
