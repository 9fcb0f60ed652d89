"""In-process timing of ``cad.qe``: imports paid once, then each problem parsed and eliminated in
the same process, as a user calling the library in a loop does.

Run as a worker: ``python benchmarks/inprocess.py --runs N --timeout S FILE...`` prints one JSON
line per file: ``{"file", "status", "answer", "wall", "cpu", "cpu_total", "cells"}`` where
``wall`` is the median wall-clock time, ``cpu`` the median user CPU time (``ru_utime`` of this
process and its forked child, the clock QEPCAD B reports) and ``cpu_total`` the median user plus
system CPU time (the child's page copies and exit are system time) of ``parse_qepcad`` + ``qe``;
``status`` is ``answer``, ``unknown`` (budget spent) or ``error: ...``.  The projection cache is
cleared before every run, so a repeated run does not reuse the previous one's projection.  A warm-up ``qe`` on a one-atom problem runs first, so
lazily imported modules are not charged to the first file.
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
    from cad.decomposition import projection
    projection._CACHE.clear()


def measure(path, runs, timeout):
    from cad import BudgetExceeded, parse_qepcad, qe
    from cad.io import to_str
    from cad.logic import Truth

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    walls, cpus, totals, answer, cells = [], [], [], None, None
    for _ in range(runs):
        _clear_caches()
        c0, a0, t0 = user_cpu_seconds(), cpu_seconds(), time.perf_counter()
        try:
            problem = parse_qepcad(text, source=path)
            # under the forked hard limit, as a user's call with a timeout runs: a soft budget
            # alone can overrun inside one long exact step; the child's CPU time is read
            # through RUSAGE_CHILDREN (user_cpu_seconds)
            res = qe(problem, timeout=timeout)
        except BudgetExceeded:
            return {"file": path, "status": "unknown"}
        except Exception as exc:   # noqa: BLE001 -- reported, not hidden
            return {"file": path, "status": f"error: {type(exc).__name__}: {exc}"}
        walls.append(time.perf_counter() - t0)
        cpus.append(user_cpu_seconds() - c0)
        totals.append(cpu_seconds() - a0)
        f = res.formula
        answer = ("TRUE" if f.value else "FALSE") if isinstance(f, Truth) else to_str(f, problem.ring)
        cells = res.cells
    return {"file": path, "status": "answer", "answer": answer, "cells": cells,
            "wall": statistics.median(walls), "cpu": statistics.median(cpus),
            "cpu_total": statistics.median(totals)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    args = ap.parse_args(argv)
    from cad import parse_qepcad, qe
    qe(parse_qepcad("[warm-up]\n(a,x)\n1\n(E x)[x^2 - a = 0].\nfinish\n"))
    for path in args.files:
        print(json.dumps(measure(path, args.runs, args.timeout)), flush=True)
    return 0


def run_worker(files, runs, timeout, python=None):
    """Run the worker in a fresh interpreter; ``{file: record}``.  A file the worker did not
    report (the worker was killed after ``timeout`` per file plus slack) gets status
    ``timeout``."""
    import subprocess
    cmd = [python or sys.executable, os.path.abspath(__file__), "--runs", str(runs),
           "--timeout", str(timeout)] + list(files)
    try:
        out = subprocess.run(cmd, capture_output=True, text=True,
                             timeout=(timeout * runs + 30) * max(len(files), 1)).stdout
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
