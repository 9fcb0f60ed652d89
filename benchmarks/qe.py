"""Benchmark ``cad qe`` against QEPCAD B (and z3 on sentences), measured two ways.

* **Whole process.** ``python -m cad.cli qe FILE`` against ``qepcad < FILE`` as a user runs it:
  default memory, more only when it reports running out (:mod:`qepcad_runner`).  The two
  programs alternate, ``--runs`` times each, so a change of machine load hits both; the median
  wall-clock times are compared.
* **In process.** Our library call with the imports paid once (:mod:`inprocess`: a worker
  that parses and eliminates every file in one interpreter) against QEPCAD B's own
  ``System time after the initialization``.  Both sides are user CPU time (``ru_utime``), the
  clock QEPCAD B uses; QEPCAD B reports whole milliseconds, and 0 ms counts as 0.5 ms.  Two
  ratios: ``qe(timeout=...)`` with its hard limit (the work runs in a worker process kept
  between calls, :func:`cad.hard_deadline.run_in_worker`: its CPU time, the request's
  encoding and the pipe are included, and so are the fork and first page copies of the first
  call) and the same call in this process (``hard_limit=False``, "no fork": the budget is
  checked between exact steps only), the elimination alone, as QEPCAD B's clock measures its
  own.
* **z3** (``z3-solver``, defaults, optional): for sentences only (no free variables), the
  in-process time of ``Solver.check`` on our SMT-LIB2 translation; z3 does not eliminate
  quantifiers from formulas with free variables, so it has no column there.

Printed per problem: both times and both ratios ours/QEPCAD B, then the geometric means of the
ratios over the problems both answered (a problem we do not answer in ``--timeout`` seconds is
listed and counted separately, never dropped silently).

The package's bytecode is compiled first (``compileall``), as ``pip install`` does.

Usage: python benchmarks/qe.py [--runs N] [--timeout S] [--dir DIR] [--answers] [FILES...]
"""

from __future__ import annotations

import argparse
import glob
import math
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# benchmarks/cad.py must not shadow the cad package: this folder goes last on the path
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]
if os.path.dirname(_HERE) not in map(os.path.abspath, sys.path):
    sys.path.insert(0, os.path.dirname(_HERE))   # the checkout's own cad, when run from it

from inprocess import run_worker  # noqa: E402
from qepcad_runner import QEPCAD_CLOCK_FLOOR, qepcad_binary, run_qepcad  # noqa: E402

DEFAULT_DIR = os.path.join(HERE, "qe")


def gmean(xs):
    xs = [x for x in xs if x is not None and x > 0 and math.isfinite(x)]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def ours_whole_process(path, timeout):
    """Wall-clock seconds and stdout of one ``cad qe FILE`` run (None on timeout/failure)."""
    cmd = [sys.executable, "-m", "cad.cli", "qe", path, "--timeout", str(timeout)]
    t0 = time.perf_counter()
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    dt = time.perf_counter() - t0
    if out.returncode != 0:
        return None, (out.stdout.strip() or "exit %d" % out.returncode)
    return dt, out.stdout.strip()


def z3_sentence_seconds(path, timeout):
    """z3's in-process time on the sentence in ``path`` (None when not a sentence, z3 is
    missing, or z3 gives no answer in time), with its verdict."""
    try:
        import z3
    except ImportError:
        return None, None
    from cad import parse_qepcad
    from cad.io import to_smtlib
    with open(path, encoding="utf-8") as fh:
        problem = parse_qepcad(fh.read())
    if problem.free:
        return None, None
    solver = z3.Solver()
    solver.set("timeout", int(timeout * 1000))
    solver.from_string(to_smtlib(problem))
    t0 = time.perf_counter()
    verdict = solver.check()
    dt = time.perf_counter() - t0
    if verdict == z3.unknown:
        return None, "unknown"
    return dt, "TRUE" if verdict == z3.sat else "FALSE"


def _compile_package():
    """Write the bytecode of the ``cad`` package, as an installation would."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("cad")
    for d in (spec.submodule_search_locations or []):
        compileall.compile_dir(d, quiet=1)


def _fmt(t, digits=3):
    return "-" if t is None else f"{t:.{digits}f}"


def compare(files, runs, timeout, answers=False, out=print):
    """Measure every file both ways; print the table; return the rows."""
    qepcad = qepcad_binary()
    inproc = run_worker(files, runs, timeout)
    rows = []
    for path in files:
        name = os.path.basename(path)
        ours_t, theirs_t, theirs_cpu, msgs, a_ours, a_theirs, memory = [], [], [], [], None, None, None
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
        for _ in range(runs):   # alternate the two programs
            if ours_t is not None:   # after a timeout or failure of ours, only QEPCAD B reruns
                t, a_ours = ours_whole_process(path, timeout)
                if t is None:
                    ours_t = None
                else:
                    ours_t.append(t)
            if qepcad:
                run = run_qepcad(text, qepcad, timeout)
                if run.status == "answer":
                    theirs_t.append(run.wall)
                    theirs_cpu.append(run.cpu_after_init)
                    a_theirs, memory = run.answer, run.memory
                else:
                    a_theirs = run.status
                msgs = run.messages
            if ours_t is None and not qepcad:
                break
        rec = inproc[path]
        row = {
            "file": name,
            "whole_ours": statistics.median(ours_t) if ours_t else None,
            "whole_qepcad": statistics.median(theirs_t) if theirs_t else None,
            "inproc_ours": rec.get("cpu"),
            "inproc_ours_wall": rec.get("wall"),
            "inproc_ours_soft": rec.get("cpu_soft"),
            "inproc_qepcad": statistics.median(theirs_cpu) if theirs_cpu and None not in theirs_cpu else None,
            "status_ours": rec["status"], "answer_ours": a_ours, "answer_qepcad": a_theirs,
            "qepcad_memory": memory, "qepcad_messages": msgs,
        }
        z3_t, z3_v = z3_sentence_seconds(path, timeout)
        row["z3"], row["z3_verdict"] = z3_t, z3_v
        w1, w2 = row["whole_ours"], row["whole_qepcad"]
        row["whole_ratio"] = w1 / w2 if w1 and w2 else None
        i1, i2 = row["inproc_ours"], row["inproc_qepcad"]
        row["inproc_ratio"] = i1 / max(i2, QEPCAD_CLOCK_FLOOR) if i1 is not None and i2 is not None else None
        i0 = row["inproc_ours_soft"]
        row["soft_ratio"] = i0 / max(i2, QEPCAD_CLOCK_FLOOR) if i0 is not None and i2 is not None else None
        rows.append(row)
        out(f"{name:28s} whole {_fmt(w1)} / {_fmt(w2)} s = {_fmt(row['whole_ratio'], 2):>6}   "
            f"in-process {_fmt(i1)} / {_fmt(i2)} s = {_fmt(row['inproc_ratio'], 2):>6}   "
            f"no fork {_fmt(i0)} s = {_fmt(row['soft_ratio'], 2):>6}"
            + (f"   z3 {_fmt(z3_t)} s ({z3_v})" if z3_v else "")
            + (f"   [qepcad {memory}]" if memory else "")
            + ("" if rec["status"] == "answer" else f"   [ours: {rec['status']}]"))
        if answers:
            out(f"    cad:    {a_ours}\n    qepcad: {a_theirs}")
        for m in msgs:
            out(f"    qepcad says: {m}")
    print_table(rows, out)
    return rows


def print_table(rows, out=print):
    out("")
    out("| file | cad qe (s) | QEPCAD B (s) | whole ratio | qe() CPU (s) | QEPCAD after init (s) "
        "| in-process ratio | qe() no fork (s) | no-fork ratio | z3 (s) |")
    out("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        out(f"| {r['file']} | {_fmt(r['whole_ours'])} | {_fmt(r['whole_qepcad'])} | "
            f"{_fmt(r['whole_ratio'], 2)} | {_fmt(r['inproc_ours'])} | {_fmt(r['inproc_qepcad'])} | "
            f"{_fmt(r['inproc_ratio'], 2)} | {_fmt(r.get('inproc_ours_soft'))} | "
            f"{_fmt(r.get('soft_ratio'), 2)} | {_fmt(r['z3'])} |")
    out("")
    for key, what in (("whole_ratio", "whole process"), ("inproc_ratio", "in process (hard limit)"),
                      ("soft_ratio", "in process (no fork)")):
        vals = [r.get(key) for r in rows]
        n = sum(v is not None and v > 0 for v in vals)
        out(f"geometric mean ratio ours/QEPCAD B, {what}: {_fmt(gmean(vals), 2)} over {n} problems")
    lost = [r["file"] for r in rows if r["status_ours"] != "answer"]
    if lost:
        out(f"not answered by us in time ({len(lost)}): {', '.join(lost)}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--answers", action="store_true", help="also print both answers")
    args = ap.parse_args(argv)
    files = args.files or sorted(glob.glob(os.path.join(args.dir, "*.qepcad")))
    _compile_package()
    if not qepcad_binary():
        print("QEPCAD B (qepcad) not installed: our times only, no ratios")
    compare(files, args.runs, args.timeout, args.answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
