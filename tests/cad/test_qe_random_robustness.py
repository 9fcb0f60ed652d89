"""Robustness of ``cad.qe`` on random formulas: no internal error.

At least 2000 random QEPCAD B problems in up to 4 variables with polynomials of total degree
<= 3 (random prenex prefix, random free-variable count, and/or/not nesting) are each given to
:func:`cad.elimination.qe` with a small time and cell budget.  An answer or a spent budget
(``BudgetExceeded``, which the CLI reports as ``unknown``) is fine; any other exception is an
internal error (exit 4) and fails the test.  The time budget is checked between exact steps,
so one long flint call (e.g. a norm over a tower of algebraic numbers) can outlast it: each
problem runs in a worker process that is ended after ``HARD_SECONDS`` (as ``cad qe
--timeout`` does), which also counts as a spent budget.  The answers themselves are checked elsewhere
(``test_qe.py``, ``test_qe_vs_qepcad.py``); here only that none is an error.

The stream is seeded: fixed under ``CI=true`` (reproducible landings), fresh otherwise, and
the seed and the failing problem text are printed on failure.
"""

import multiprocessing
import os
import random

import pytest

from cad.errors import BudgetExceeded, CadError, InputError
from cad.elimination import qe
from cad.io import parse_qepcad

N_FORMULAS = 2000
CHUNKS = 4
CI_SEED = 20261129
VARS = ("a", "b", "x", "y")
RELS = ("=", "/=", "<", "<=", ">", ">=")
SECONDS = 1.0     # per formula; spent budgets are counted, never errors
HARD_SECONDS = 4.0
MAX_CELLS = 3000


def _monomials(variables, max_deg=3):
    out = [()]
    frontier = [()]
    for _ in range(max_deg):
        frontier = [m + (v,) for m in frontier for v in variables if not m or v >= m[-1]]
        out.extend(frontier)
    return out


def random_poly(rng, variables):
    """A polynomial of total degree <= 3 with 1-4 terms and small integer coefficients."""
    monos = _monomials(variables)
    terms = rng.sample(monos, rng.randint(1, 4))
    if all(not t for t in terms):
        terms.append((rng.choice(variables),))
    parts = []
    for t in terms:
        c = rng.choice([-5, -3, -2, -1, 1, 1, 2, 3, 4])
        mono = " ".join(f"{v}^{t.count(v)}" if t.count(v) > 1 else v for v in sorted(set(t)))
        parts.append(f"{c}" if not mono else (mono if c == 1 else f"{c} {mono}"))
    return " + ".join(parts)


def random_formula(rng, variables, depth=2):
    if depth == 0 or rng.random() < 0.35:
        return f"{random_poly(rng, variables)} {rng.choice(RELS)} 0"
    op = rng.choice(["/\\", "/\\", "\\/", "\\/", "~"])
    if op == "~":
        return f"~[{random_formula(rng, variables, depth - 1)}]"
    return f"[{random_formula(rng, variables, depth - 1)}] {op} [{random_formula(rng, variables, depth - 1)}]"


def random_problem_text(rng, i):
    """QEPCAD B input: 1-4 variables, 0..n free, the rest quantified (E or A each)."""
    n = rng.randint(1, 4)
    variables = list(VARS[:n])
    rng.shuffle(variables)
    nfree = rng.randint(0, n)
    prefix = "".join(f"({rng.choice('EA')} {v})" for v in variables[nfree:])
    matrix = random_formula(rng, variables)
    return f"[random {i}]\n({','.join(variables)})\n{nfree}\n{prefix}[{matrix}].\nfinish\n"


def run_one(text):
    """("answer" | "budget" | "error", detail) for one problem text."""
    try:
        problem = parse_qepcad(text)
    except InputError as exc:   # the generator writes only valid input
        return "error", f"input rejected: {exc}"
    try:
        qe(problem, timeout=SECONDS, max_cells=MAX_CELLS)
    except BudgetExceeded:
        return "budget", ""
    except (CadError, ArithmeticError, ValueError, TypeError, KeyError, IndexError,
            AttributeError, AssertionError, OverflowError, ZeroDivisionError, RecursionError) as exc:
        import traceback

        return "error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"
    return "answer", ""


def _serve(conn):
    """Worker: answer ``run_one`` for each problem text received, until ``None``."""
    while True:
        text = conn.recv()
        if text is None:
            return
        conn.send(run_one(text))


class Runner:
    """``run_one`` in a forked worker, with a hard limit per problem (the worker is ended
    and replaced when a problem outlasts it)."""

    def __init__(self):
        self._ctx = multiprocessing.get_context("fork")
        self._start()

    def _start(self):
        self.conn, child = self._ctx.Pipe()
        self.proc = self._ctx.Process(target=_serve, args=(child,), daemon=True)
        self.proc.start()

    def run(self, text):
        self.conn.send(text)
        if self.conn.poll(HARD_SECONDS):
            return self.conn.recv()
        self.proc.kill()
        self.proc.join()
        self._start()
        return "budget", "hard limit"

    def close(self):
        self.conn.send(None)
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()


def _seed():
    if os.environ.get("CI") == "true":
        return CI_SEED
    return random.SystemRandom().randrange(2**32)


_SEED = _seed()


@pytest.mark.sweep
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_no_internal_error_on_random_formulas(chunk):
    rng = random.Random(_SEED * CHUNKS + chunk)
    counts = {"answer": 0, "budget": 0}
    runner = Runner()
    try:
        for i in range(N_FORMULAS // CHUNKS):
            text = random_problem_text(rng, i)
            kind, detail = runner.run(text)
            assert kind != "error", f"seed {_SEED} chunk {chunk}:\n{text}\n{detail}"
            counts[kind] += 1
    finally:
        runner.close()
    # the budgets are small but most problems are answered: the test exercises the engine
    assert counts["answer"] >= counts["budget"], counts
