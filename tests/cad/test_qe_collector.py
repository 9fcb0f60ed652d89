"""qe raises the cyclic collector's threshold only for the duration of the call, and breaks
the cell tree's cycles after it (the answer is unchanged)."""

import gc

import pytest

from cad import BudgetExceeded, parse_qepcad, qe
from cad.decomposition import cad

PROBLEM = "[t]\n(a,x)\n1\n(E x)[x^2 + a x + 1 = 0].\nfinish\n"


def test_threshold_restored_after_answers_and_budget_errors():
    before = gc.get_threshold()
    res = qe(parse_qepcad(PROBLEM), hard_limit=False)
    assert gc.get_threshold() == before
    assert "a" in str(res.formula)
    with pytest.raises(BudgetExceeded):
        qe(parse_qepcad(PROBLEM), max_cells=2, hard_limit=False)
    assert gc.get_threshold() == before


def test_release_breaks_the_tree():
    D = cad(["x^2 + y^2 - 1"], ["x", "y"])
    cells = list(D.cells())
    assert cells and all(c.decomposition is D for c in cells)
    D.release()
    assert D.root is None
    assert all(c.parent is None and c.children is None and c.decomposition is None for c in cells)
