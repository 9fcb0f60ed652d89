"""The budget of a topology computation: one :class:`cad.budget.Budget` per public call,
handed to the QE and CAD engines unchanged (``budget=``)."""

from cad.budget import Budget
from cad.errors import InputError


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
