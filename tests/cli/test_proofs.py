"""Run every scripted proof (proofs/*.py) as a subprocess: exit 0 and a transcript; and with a
mutated hypothesis (another pattern, too few points), a non-zero exit and a FAIL line.

The slow runs (CAD decision for F_I(Omega), the numeric experiment and its mutation) take
~10-30 s each and are marked ``slow``; the other mutated runs stop at the first broken
hypothesis and take about a second.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROOFS = ROOT / "proofs"
SCRIPTS = sorted(p.name for p in PROOFS.glob("*.py") if not p.name.startswith("_"))
SLOW = {"shallow_scalar_closed.py", "experiment_reduced.py"}     # ~10-30 s each


def _run(name, *args, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("MPLBACKEND", "Agg")
    return subprocess.run([sys.executable, str(PROOFS / name), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_every_result_has_a_script_and_a_readme_row():
    readme = (PROOFS / "README.md").read_text(encoding="utf-8")
    assert len(SCRIPTS) >= 6
    for name in SCRIPTS:
        assert name in readme, f"{name} is not listed in proofs/README.md"


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in SLOW else n
                                  for n in SCRIPTS])
def test_proof_passes(name, tmp_path):
    args = ("--plot", str(tmp_path / "plot.png")) if name == "experiment_reduced.py" else ()
    r = _run(name, *args)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "Statement:" in r.stdout and "Source:" in r.stdout
    assert "[ok]" in r.stdout and "[FAIL]" not in r.stdout
    assert "checks passed" in r.stdout
    if name == "experiment_reduced.py":
        assert (tmp_path / "plot.png").read_bytes()[:4] == b"\x89PNG"


def _mutation(name, args, slow=False):
    return pytest.param(name, args, id=f"{name}{' '.join(args)}", marks=[pytest.mark.slow] if slow else [])


MUTATIONS = [
    _mutation("lu_ul_not_closed.py", ["--preset", "dense:2,2,2"]),          # closed: no missing point
    _mutation("theorem_3_1_transfer.py", ["--preset", "dense:2,2,2"]),      # closed: nothing to transfer
    _mutation("theorem_3_1_transfer.py", ["--npoints", "8"]),               # too few points: pigeonhole fails
    _mutation("shallow_scalar_closed.py", ["--preset", "ul:2"]),            # vector output
    _mutation("dense_shallow_closed.py", ["--preset", "ul:2"]),             # not dense
    _mutation("disjoint_supports_closed.py", ["--preset", "ul:2"]),         # overlapping supports
    # a closed pattern fits J with a bounded norm (small run; ul:10 passes at this size too)
    _mutation("experiment_reduced.py", ["--preset", "dense:10,10,10", "--steps", "2000", "--points", "1200"],
              slow=True),
]


@pytest.mark.parametrize("name,args", MUTATIONS)
def test_mutated_hypothesis_fails_loudly(name, args):
    r = _run(name, *args, timeout=90)
    assert r.returncode != 0, r.stdout[-2000:]
    assert "[FAIL]" in r.stdout and "PROOF FAILED" in r.stdout


def test_unexpected_error_is_a_failure():
    """A bad argument or an exception inside a proof never exits 0."""
    r = _run("dense_shallow_closed.py", "--preset", "nosuchpreset:3")
    assert r.returncode != 0
