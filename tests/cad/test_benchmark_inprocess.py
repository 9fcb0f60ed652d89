"""The in-process benchmark worker times both calls (with the forked hard limit and without) and
reports the same answer the library gives."""

import json
import os
import subprocess
import sys

from cad import parse_qepcad, qe
from cad.io import to_str

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKER = os.path.join(ROOT, "benchmarks", "inprocess.py")
PARABOLA = os.path.join(ROOT, "benchmarks", "qe", "parabola.qepcad")


def _records(*flags):
    out = subprocess.run([sys.executable, WORKER, "--runs", "1", "--timeout", "30", *flags, PARABOLA],
                         capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def test_worker_times_both_calls_and_reports_the_answer():
    (rec,) = _records()
    with open(PARABOLA, encoding="utf-8") as fh:
        problem = parse_qepcad(fh.read())
    assert rec["status"] == "answer"
    assert rec["answer"] == to_str(qe(problem).formula, problem.ring)
    for key in ("wall", "cpu", "cpu_total", "cpu_soft", "cpu_total_soft"):
        assert rec[key] >= 0, key
    assert rec["cpu_total"] >= rec["cpu"] and rec["cpu_total_soft"] >= rec["cpu_soft"]


def test_no_soft_times_the_hard_limit_call_only():
    (rec,) = _records("--no-soft")
    assert rec["status"] == "answer" and rec["cpu"] >= 0
    assert rec["cpu_soft"] is None and rec["cpu_total_soft"] is None
