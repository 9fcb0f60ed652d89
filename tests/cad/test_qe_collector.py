"""qe turns the cyclic collector off only for the duration of an in-process call (restoring the
state it found), and breaks the cell tree's cycles after it (the answer is unchanged)."""

import gc

import pytest

from cad import BudgetExceeded, parse_qepcad, qe
from cad.decomposition import cad

PROBLEM = "[t]\n(a,x)\n1\n(E x)[x^2 + a x + 1 = 0].\nfinish\n"


def test_collector_state_restored_after_answers_and_budget_errors():
    before = gc.get_threshold()
    assert gc.isenabled()
    res = qe(parse_qepcad(PROBLEM), hard_limit=False)
    assert gc.get_threshold() == before and gc.isenabled()
    assert "a" in str(res.formula)
    with pytest.raises(BudgetExceeded):
        qe(parse_qepcad(PROBLEM), max_cells=2, hard_limit=False)
    assert gc.get_threshold() == before and gc.isenabled()


def test_collector_is_off_during_the_call_and_stays_off_if_it_was():
    import cad.elimination.driver as driver

    seen = []
    inner = driver._qe_body

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return inner(*args, **kwargs)

    driver._qe_body = spy
    try:
        qe(parse_qepcad(PROBLEM), hard_limit=False)
        gc.disable()
        try:
            qe(parse_qepcad(PROBLEM), hard_limit=False)
            assert not gc.isenabled()
        finally:
            gc.enable()
    finally:
        driver._qe_body = inner
    assert seen == [False, False]


def test_release_breaks_the_tree():
    D = cad(["x^2 + y^2 - 1"], ["x", "y"])
    cells = list(D.cells())
    assert cells and all(c.decomposition is D for c in cells)
    D.release()
    assert D.root is None
    assert all(c.parent is None and c.children is None and c.decomposition is None for c in cells)
