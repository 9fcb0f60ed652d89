"""The budget of a topology computation and its calls into the QE and CAD engines.

Public entry points take ``timeout=`` seconds (validated here) or a shared ``budget=``;
everything below them passes one :class:`cad.budget.Budget`.  The engines are called only
through :func:`run_qe`, :func:`run_decide` and :func:`run_cad`, so the hand-over of the
budget (``timeout=`` seconds today, ``budget=`` once the engines take it) is written once.
"""

from cad.budget import Budget
from cad.decomposition import cad
from cad.errors import InputError
from cad.elimination import decide, qe


def budget_for(timeout=None, budget=None):
    """The budget of a public call: ``budget`` when given (it wins; raises
    :class:`cad.errors.BudgetExceeded` when already spent), else ``timeout`` seconds
    (``None``: unlimited; a non-positive value is bad input)."""
    if budget is not None:
        budget.check()
        return budget
    if timeout is not None and timeout <= 0:
        raise InputError(f"timeout must be positive, got {timeout}")
    return Budget(timeout)


def seconds_left(budget):
    """Seconds left for a callee that takes ``timeout=`` (raises
    :class:`cad.errors.BudgetExceeded` when none are left; ``None`` when unlimited)."""
    budget.check()
    return budget.remaining()


def run_qe(problem, budget):
    """:func:`cad.elimination.qe` of ``problem`` within ``budget``."""
    return qe(problem, timeout=seconds_left(budget))


def run_decide(problem, budget):
    """:func:`cad.elimination.decide` of the sentence ``problem`` within ``budget``."""
    return decide(problem, timeout=seconds_left(budget))


def run_cad(polys, variables, budget, max_cells=None):
    """:func:`cad.decomposition.cad` of ``polys`` within ``budget`` (and ``max_cells``)."""
    return cad(polys, variables, timeout=seconds_left(budget), max_cells=max_cells)
