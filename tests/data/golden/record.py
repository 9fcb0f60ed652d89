"""Record (or re-run) the outputs that a layout change must leave identical.

Run from the checkout with the package installed: ``python tests/data/golden/record.py``
writes ``outputs.json`` beside this file.  ``tests/cli/test_golden.py`` runs the same
commands through :func:`run_all` and compares.  Timings are the only part removed
(``seconds`` fields, the ``; 0.123 s]`` of the text header, census ``seconds`` column).
"""

import csv
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
QE_DIR = os.path.join(ROOT, "benchmarks", "qe")

# Every preset kind the README lists, at sizes that answer in about a second.
PRESETS = [
    "lu:2", "ul:2", "lu:3", "ul:3", "dense:2,2,2", "dense:2,1,2", "dense:3,3,3", "diag:3",
    "butterfly:4", "butterfly:8", "block:2:2,1,2", "random:3,3,3:0.6:0", "random:2,3,3,2:0.6:1",
    "masks:10,11|11", "monarch:16:4", "monarch:4:2:3", "masks:110,011|01,10|11,01,10",
]
CENSUS_SHAPES = ["2,3,2", "3,2,3"]
_TIME = re.compile(r"; [0-9.]+ s\]")


def _run(module, *args):
    proc = subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=600)
    return proc.returncode, proc.stdout


def check_outputs(preset):
    rc, text = _run("netalgebra.cli", "check", "--preset", preset)
    rc_json, raw = _run("netalgebra.cli", "check", "--preset", preset, "--json")
    js = json.loads(raw)
    js.pop("seconds", None)
    return {"rc": rc, "text": _TIME.sub("]", text), "rc_json": rc_json, "json": js}


def census_rows(shape):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "c.csv")
        rc, _ = _run("netalgebra.cli", "census", "--shape", shape, "--out", out, "--quiet",
                     "--workers", "2", "--timeout", "10")
        with open(out, newline="", encoding="utf-8") as fh:
            rows = sorted([r["pattern"], r["orbit_size"], r["verdict"], r["reason"]]
                          for r in csv.DictReader(fh))
    return {"rc": rc, "rows": rows}


def qe_output(name):
    rc, text = _run("cad.cli", "qe", os.path.join(QE_DIR, name))
    return {"rc": rc, "stdout": text}


def qe_files():
    return sorted(f for f in os.listdir(QE_DIR) if f.endswith(".qepcad"))


def run_all():
    return {
        "check": {p: check_outputs(p) for p in PRESETS},
        "census": {s: census_rows(s) for s in CENSUS_SHAPES},
        "qe": {f: qe_output(f) for f in qe_files()},
    }


if __name__ == "__main__":
    with open(os.path.join(HERE, "outputs.json"), "w", encoding="utf-8") as fh:
        json.dump(run_all(), fh, indent=1, sort_keys=True)
        fh.write("\n")
