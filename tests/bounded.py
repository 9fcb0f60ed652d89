"""Random examples run under a hard wall-clock limit.

A time budget is checked between exact steps, so it cannot stop one long flint operation: a
random example whose fibre lies over an algebraic number of high degree (degree 42 for the
hypothesis seed 7 of ``test_closed_set_sections``, three atoms of degree <= 2) can sit in a
single resultant for many minutes past ``timeout=5``.  The product's entry points run such work
in a process killed at the deadline (:mod:`cad.hard_deadline`); tests that call the engine
in-process on random inputs do the same here, so an example too costly for a unit test is
rejected instead of hanging the suite.
"""

from cad.hard_deadline import available, run_with_hard_limit

__all__ = ["within_hard_limit"]

SLACK = 2.0     # seconds past the engine's own budget before the child is killed


def within_hard_limit(compute, seconds):
    """``compute()`` in a forked child killed ``seconds + SLACK`` seconds from now (in this process
    where fork is missing).  Its value must be picklable; :class:`cad.errors.BudgetExceeded`
    comes back as itself (also when the child is killed), any other exception as
    :class:`cad.errors.InternalError` naming the original type, so an assertion that fails in the
    child still fails the test."""
    if not available(seconds + SLACK):
        return compute()
    return run_with_hard_limit(compute, seconds + SLACK)
