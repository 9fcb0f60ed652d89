"""The kept worker of hard-limited calls (cad.hard_deadline.run_in_worker): the same answers,
exceptions and deadline as a child forked per call, one worker for many calls, a new one after
a deadline or a death, its CPU time counted once, and qe's problems travelling whole."""

import os
import threading
import time

import pytest
from hypothesis import given, settings

from cad import BudgetExceeded, InputError, InternalError, logic, parse_qepcad, qe
from cad import hard_deadline as hd
from cad.elimination import driver
from cad.logic import Problem

from strategies import R, formulas

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# handlers travel to the worker by name: module-level functions

def _pid(_payload):
    return os.getpid()


def _spin(seconds):
    """Busy until this process has used ``seconds`` more CPU time."""
    end = time.process_time() + seconds
    n = 0
    while time.process_time() < end:
        n += 1
    return n


def _sleep(seconds):
    time.sleep(seconds)
    return "woke"


def _raise(kind):
    if kind == "input":
        raise InputError("bad input in the worker")
    if kind == "budget":
        raise BudgetExceeded("cells", 5, 6)
    raise ValueError("boom")


@pytest.fixture(autouse=True)
def fresh_worker():
    """Each test starts without a worker (this module's handlers must be importable in it) and
    leaves none behind."""
    hd.stop_worker()
    yield
    hd.stop_worker()


def test_one_worker_answers_many_calls():
    first = hd.run_in_worker(_pid, None, 30)
    assert first != os.getpid()
    assert [hd.run_in_worker(_pid, None, 30) for _ in range(5)] == [first] * 5


def test_deadline_kills_the_worker_and_the_next_call_forks_another():
    first = hd.run_in_worker(_pid, None, 30)
    start = time.monotonic()
    with pytest.raises(BudgetExceeded):
        hd.run_in_worker(_sleep, 60, 0.2, grace=0.1)
    assert time.monotonic() - start < 30   # killed at the deadline, not when the 60 s sleep ends
    with pytest.raises(ChildProcessError):
        os.waitpid(first, os.WNOHANG)                  # killed and waited for
    second = hd.run_in_worker(_pid, None, 30)
    assert second != first


def test_exceptions_come_back_as_in_a_child_and_the_worker_stays():
    first = hd.run_in_worker(_pid, None, 30)
    with pytest.raises(InputError, match="bad input in the worker"):
        hd.run_in_worker(_raise, "input", 30)
    with pytest.raises(BudgetExceeded):
        hd.run_in_worker(_raise, "budget", 30)
    with pytest.raises(InternalError, match="ValueError: boom"):
        hd.run_in_worker(_raise, "other", 30)
    assert hd.run_in_worker(_pid, None, 30) == first


def test_a_dead_worker_is_replaced():
    first = hd.run_in_worker(_pid, None, 30)
    os.kill(first, 9)
    time.sleep(0.05)
    second = hd.run_in_worker(_pid, None, 30)
    assert second not in (first, os.getpid())


def test_worker_cpu_is_counted_until_it_is_waited_for():
    assert hd.worker_cpu_seconds() == (0.0, 0.0)
    hd.run_in_worker(_spin, 0.1, 30)
    user, system = hd.worker_cpu_seconds()
    assert user + system >= 0.1        # the spin's CPU time (at least), reported by the worker
    hd.stop_worker()                   # now in RUSAGE_CHILDREN instead, not counted twice
    assert hd.worker_cpu_seconds() == (0.0, 0.0)


def test_other_threads_get_a_child_per_call():
    out = []
    worker = threading.Thread(target=lambda: out.append(hd.run_in_worker(_pid, None, 30)))
    worker.start()
    worker.join()
    assert out and out[0] != os.getpid()
    assert hd._WORKER[0] is None       # no worker forked from the thread


def test_payloads_that_do_not_pickle_get_a_child_per_call():
    lock = threading.Lock()            # not picklable
    assert hd.run_in_worker(_pid, lock, 30) != os.getpid()
    assert hd._WORKER[0] is None


def test_hard_limited_qe_equals_the_in_process_answer_and_reuses_the_worker():
    folder = os.path.join(ROOT, "benchmarks", "qe")
    pids = set()
    for name in ("parabola", "davenport_heintz", "xxy_closed", "solotareff"):
        with open(os.path.join(folder, name + ".qepcad"), encoding="utf-8") as fh:
            problem = parse_qepcad(fh.read())
        inside = qe(problem, hard_limit=False)
        hard = qe(problem, timeout=60)
        assert hard.formula == inside.formula and hard.cells == inside.cells
        pids.add(hd._WORKER[0].pid)
    assert len(pids) == 1


def test_hard_limited_qe_runs_out_of_cells_as_in_process():
    problem = parse_qepcad("[t]\n(a,x)\n1\n(E x)[x^2 + a x + 1 = 0].\nfinish\n")
    with pytest.raises(BudgetExceeded):
        qe(problem, timeout=60, max_cells=2)
    assert qe(problem, timeout=60).formula == qe(problem, hard_limit=False).formula


@settings(max_examples=100, deadline=None)
@given(formulas)
def test_problems_travel_whole(f):
    """Quantifiers, implications and equivalences too: the request's formula decodes to itself."""
    assert driver._decoded(driver._encoded(f, R.ctx), R.ctx) == f


def test_the_request_rebuilds_the_problem():
    problem = Problem(R, ("a", "b"), logic.exists(("x",), logic.atom(R.gen("x") ** 2 - R.gen("a"), "=")),
                      "a description", logic.atom(R.gen("b"), ">"))
    ring = problem.ring
    request = (tuple(ring.variables), problem.free, problem.description,
               driver._encoded(problem.formula, ring.ctx),
               driver._encoded(problem.assumptions, ring.ctx), 60, None)
    code, cells, _seconds = driver._qe_request(request)
    assert driver._decoded(code, ring.ctx) == qe(problem, hard_limit=False).formula


def _retire(_payload):
    hd.retire_after_answer()
    return os.getpid()


def test_a_retiring_worker_answers_exits_and_is_waited_for():
    pid = hd.run_in_worker(_retire, None, 30)
    assert hd._WORKER[0] is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)                    # already waited for
    assert hd.worker_cpu_seconds() == (0.0, 0.0)       # its time is in RUSAGE_CHILDREN now
    assert hd.run_in_worker(_pid, None, 30) not in (pid, os.getpid())


def test_qe_retires_the_worker_after_a_large_tree(monkeypatch):
    monkeypatch.setattr(driver, "_RETIRE_CELLS", 3)    # before the worker is forked
    problem = parse_qepcad("[t]\n(a,x)\n1\n(E x)[x^2 + a x + 1 = 0].\nfinish\n")
    inside = qe(problem, hard_limit=False)
    assert inside.cells > 3
    assert qe(problem, timeout=60).formula == inside.formula
    assert hd._WORKER[0] is None
    monkeypatch.setattr(driver, "_RETIRE_CELLS", 10 ** 9)
    hd.stop_worker()
    assert qe(problem, timeout=60).formula == inside.formula
    assert hd._WORKER[0] is not None
