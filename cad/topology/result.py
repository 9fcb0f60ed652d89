"""The answer of :func:`cad.topology.is_closed`, and how its reasons print points and lemmas."""

from dataclasses import dataclass, field

from cad.errors import InputError
from cad.numbers.rational import exact_str


@dataclass
class ClosednessResult:
    """Answer of :func:`is_closed`.

    ``closed``: the verdict.  ``reason``: one line saying why (which lemma / route).
    ``witness``: when not closed, an exact point of ``cl(S) \\ S`` as ``{variable: fmpq |
    RealAlgebraic}`` (rational where the route allows).  ``approaching``: exact points of ``S``
    (same format) at strictly decreasing max-norm distances to the witness; ``approach(k)``
    produces the ``k``-th point of the sequence (``k = 0, 1, ...``; the rule is in
    ``approach_rule``).  ``formula``: the quantifier-free description of the set that was used
    (the QE result for quantified input).  ``seconds``: wall-clock time.
    """

    closed: bool
    reason: str
    witness: dict | None = None
    approaching: list = field(default_factory=list)
    seconds: float = 0.0
    formula: object = None
    ring: object = None
    approach_rule: str = ""
    distances: list = field(default_factory=list)
    route: str = ""
    _approach: object = field(default=None, repr=False)

    def approach(self, k):
        """The ``k``-th approaching point (exact, verified to lie in the set)."""
        if self._approach is None:
            raise InputError("approach(): the set is closed, there is no witness to approach")
        return self._approach(k)


def format_point(p):
    """``(x = 1/2, y = ...)``: exact coordinates."""
    return "(" + ", ".join(f"{v} = {exact_str(x)}" for v, x in p.items()) + ")"


def new_stats():
    """What the routes record about a run: lemmas used, epsilon QE timings, search sizes."""
    return {"lemmas": set(), "epsilon_qe": []}


def lemma_note(stats):
    """`` (lemmas: ...)`` naming the lemmas a reason relied on (empty when none)."""
    notes = sorted(stats["lemmas"])
    return f" (lemmas: {', '.join(notes)})" if notes else ""
