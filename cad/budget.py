"""The one time budget: a wall-clock allowance that long computations consult.

Every function of ``cad`` and ``netalgebra`` that can run long takes ``budget``, a
:class:`Budget` (or ``None``: unlimited) and calls :meth:`Budget.check` between exact
steps.  A spent budget raises :class:`cad.errors.BudgetExceeded`, which callers turn
into the verdict ``unknown`` -- never into a guess.  Public entry points keep their
``timeout=`` seconds and wrap it once with :meth:`Budget.of`.

A budget checked between steps cannot stop one long exact operation (a flint resultant of
high degree runs for minutes without returning to Python): :mod:`cad.hard_deadline`
enforces a budget from outside, in another process (a forked child, or a worker kept between
calls) killed at the deadline.
"""

import math
import time

from cad.errors import BudgetExceeded, InputError

__all__ = ["Budget", "timeout_seconds"]


def timeout_seconds(value, name="timeout"):
    """``value`` (seconds) checked as a time budget: a positive number, ``inf`` or ``None``
    meaning no limit (both returned as ``None``).  NaN, zero, negative and non-numbers raise
    :class:`cad.errors.InputError` naming ``name``."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number of seconds, got {value!r}") from None
    if math.isnan(seconds) or seconds <= 0:
        raise InputError(f"{name} must be a positive number of seconds (or inf), got {value!r}")
    return None if math.isinf(seconds) else seconds


class Budget:
    """``seconds`` of wall-clock time from construction (``None``: no limit)."""

    __slots__ = ("seconds", "start", "deadline")

    def __init__(self, seconds=None):
        if seconds is not None and seconds != seconds:
            raise InputError("a time budget cannot be NaN seconds")
        self.seconds = seconds
        self.start = time.monotonic()
        self.deadline = None if seconds is None or math.isinf(seconds) else self.start + float(seconds)

    @classmethod
    def of(cls, budget):
        """``budget`` itself when it is a Budget, otherwise ``Budget(budget)`` (seconds or None)."""
        return budget if isinstance(budget, cls) else cls(budget)

    def remaining(self):
        """Seconds left (never negative), or ``None`` when unlimited."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def expired(self):
        return self.deadline is not None and time.monotonic() >= self.deadline

    def check(self, what="time (seconds)"):
        """Raise :class:`BudgetExceeded` once the allowance is spent."""
        if self.expired():
            raise BudgetExceeded(what, self.seconds)

    def elapsed(self):
        return time.monotonic() - self.start

    def sub(self, seconds):
        """A budget of at most ``seconds`` that also ends when this one does."""
        inner = Budget(seconds)
        if self.deadline is not None and (inner.deadline is None or self.deadline < inner.deadline):
            inner.deadline, inner.seconds = self.deadline, self.seconds
        return inner

    @staticmethod
    def run_share(budget, fraction, at_most, search, *args, what="time (seconds)"):
        """``search(*args, inner)`` on a budget ``inner`` of ``fraction`` of what ``budget`` has left and
        at most ``at_most`` seconds (``at_most`` also when ``budget`` is None or unlimited).  Returns
        what ``search`` returns, or None when ``inner`` runs out first, so that the caller keeps the
        rest of its time; when ``budget`` itself is spent, :class:`BudgetExceeded` still propagates
        (naming ``what``).  The one home of "a bounded sub-search": a search that must not eat the
        time of the routes after it."""
        left = None if budget is None else budget.remaining()
        seconds = at_most if left is None else min(at_most, fraction * left)
        inner = Budget(seconds) if budget is None else budget.sub(seconds)
        try:
            return search(*args, inner)
        except BudgetExceeded:
            if budget is not None:
                budget.check(what)
            return None

    def __repr__(self):
        return f"Budget({self.seconds!r}, remaining={self.remaining()!r})"
