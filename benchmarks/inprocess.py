"""In-process timing of ``cad.qe``: imports paid once, then each problem parsed and eliminated in
the same process, as a user calling the library in a loop does.

Run as a worker: ``python benchmarks/inprocess.py --runs N --timeout S FILE...`` prints one JSON
line per file: ``{"file", "status", "answer", "wall", "cpu", "cpu_total", "cpu_soft",
"cpu_total_soft", "cells"}``, medians over the runs of ``parse_qepcad`` + ``qe``, timed two ways
that alternate run by run:

* ``qe(problem, timeout=S)``, the call with a hard limit: the work runs in a worker process kept
  between calls and killed at the deadline (:func:`cad.qe`, :func:`cad.hard_deadline.run_in_worker`).
  ``wall`` is its wall-clock time, ``cpu`` its user CPU time (``ru_utime`` of this process, of
  its finished children and of the live worker as it reports it: the clock QEPCAD B reports)
  and ``cpu_total`` user plus system time.  The request's encoding, the pipe and the worker's
  work are included (about 0.3 ms per call), and so are the fork and first page copies of the
  call that starts a worker (the first run of the first file, or the one after a deadline).
* ``qe(problem, timeout=S, hard_limit=False)``, the same call in this process with the budget
  checked between exact steps only (no fork): ``cpu_soft`` and ``cpu_total_soft``.  This is the
  elimination itself, the counterpart of QEPCAD B's "time after the initialization" (QEPCAD B
  has no time limit to enforce).

``--no-soft`` times the first call only (the soft fields are then null).  ``status`` is ``answer``, ``unknown`` (budget spent) or ``error: ...``.  The projection cache is
cleared before every run, so a repeated run does not reuse the previous one's projection.  A
warm-up ``qe`` on a one-atom problem runs first, so lazily imported modules are not charged to
the first file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

# benchmarks/cad.py must not shadow the cad package: this folder goes last on the path
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]
if os.path.dirname(_HERE) not in map(os.path.abspath, sys.path):
    sys.path.insert(0, os.path.dirname(_HERE))   # the checkout's own cad, when run from it

from qepcad_runner import cpu_seconds, user_cpu_seconds  # noqa: E402


def _clear_caches():
    from cad.decomposition import clear_projection_cache
    clear_projection_cache()


def measure(path, runs, timeout, soft=True):
    from cad import BudgetExceeded, parse_qepcad, qe
    from cad.io import to_str
    from cad.logic import Truth

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    walls, cpus, totals, soft_cpus, soft_totals = [], [], [], [], []
    answer = cells = None
    for _ in range(runs):
        for hard in ((True, False) if soft else (True,)):
            _clear_caches()
            c0, a0, t0 = user_cpu_seconds(), cpu_seconds(), time.perf_counter()
            try:
                problem = parse_qepcad(text, source=path)
                # with the hard limit, as a user's call with a timeout runs (a soft budget alone
                # can overrun inside one long exact step); the child's CPU time is read through
                # RUSAGE_CHILDREN (user_cpu_seconds)
                res = qe(problem, timeout=timeout, hard_limit=hard)
            except BudgetExceeded:
                return {"file": path, "status": "unknown"}
            except Exception as exc:   # noqa: BLE001 -- reported, not hidden
                return {"file": path, "status": f"error: {type(exc).__name__}: {exc}"}
            user, total = user_cpu_seconds() - c0, cpu_seconds() - a0
            if hard:
                walls.append(time.perf_counter() - t0)
                cpus.append(user)
                totals.append(total)
                f = res.formula
                answer = ("TRUE" if f.value else "FALSE") if isinstance(f, Truth) else to_str(f, problem.ring)
                cells = res.cells
            else:
                soft_cpus.append(user)
                soft_totals.append(total)
    med = statistics.median
    return {"file": path, "status": "answer", "answer": answer, "cells": cells,
            "wall": med(walls), "cpu": med(cpus), "cpu_total": med(totals),
            "cpu_soft": med(soft_cpus) if soft_cpus else None,
            "cpu_total_soft": med(soft_totals) if soft_totals else None}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--no-soft", action="store_true", help="time the hard-limit call only")
    args = ap.parse_args(argv)
    from cad import parse_qepcad, qe
    qe(parse_qepcad("[warm-up]\n(a,x)\n1\n(E x)[x^2 - a = 0].\nfinish\n"))
    for path in args.files:
        print(json.dumps(measure(path, args.runs, args.timeout, not args.no_soft)), flush=True)
    return 0


def run_worker(files, runs, timeout, python=None, soft=True):
    """Run the worker in a fresh interpreter; ``{file: record}`` (``soft``: also time the
    in-process call without the fork).  A file the worker did not
    report (the worker was killed after ``timeout`` per file plus slack) gets status
    ``timeout``."""
    import subprocess
    cmd = [python or sys.executable, os.path.abspath(__file__), "--runs", str(runs),
           "--timeout", str(timeout)] + ([] if soft else ["--no-soft"]) + list(files)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=(timeout * runs * (2 if soft else 1) + 30) * max(len(files), 1)).stdout
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
    records = {}
    for line in out.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        records[rec["file"]] = rec
    return {f: records.get(f, {"file": f, "status": "timeout"}) for f in files}


if __name__ == "__main__":
    sys.exit(main())
