"""``Budget.run_share`` (cad/budget.py): the one home of a bounded sub-search."""

import pytest

from cad.budget import Budget
from cad.errors import BudgetExceeded


def _spin(budget):
    """A search that never ends by itself: it runs until its budget is spent."""
    while True:
        budget.check("spin")


def test_result_of_a_search_that_ends():
    assert Budget.run_share(Budget(10), 0.5, 1.0, lambda x, b: x + 1, 41) == 42
    assert Budget.run_share(None, 0.5, 1.0, lambda b: b.seconds) == 1.0      # at_most without a budget


def test_share_is_the_smaller_of_fraction_and_at_most():
    assert Budget.run_share(Budget(10), 0.5, 1.0, lambda b: b.seconds) == 1.0
    assert Budget.run_share(Budget(1), 0.25, 5.0, lambda b: b.seconds) <= 0.25


def test_spent_share_gives_none_and_leaves_the_rest():
    outer = Budget(5)
    assert Budget.run_share(outer, 0.5, 0.05, _spin) is None
    assert not outer.expired() and outer.remaining() > 4


def test_spent_outer_budget_still_raises():
    outer = Budget(0.05)
    with pytest.raises(BudgetExceeded):
        Budget.run_share(outer, 1.0, 10.0, _spin, what="time (test)")
