"""The ``netalgebra census`` command: bad input, run + summary + plot, and a census process
killed mid-run (SIGKILL) then resumed."""

import csv
import os
import signal
import subprocess
import sys
import time

import pytest

from netalgebra import census
from netalgebra.cli import main


def rows_of(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_resume_after_sigkill(tmp_path):
    """Kill a real census process (and its workers) mid-run, then resume: every orbit ends
    up exactly once, and the rows written before the kill are kept as they were."""
    path = tmp_path / "k.csv"
    proc = subprocess.Popen([sys.executable, "-m", "netalgebra.cli", "census", "--shape", "2,3,2",
                             "--out", str(path), "--quiet", "--timeout", "2", "--workers", "2"],
                            start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        t0 = time.monotonic()
        while proc.poll() is None and time.monotonic() - t0 < 60:
            if path.exists() and path.read_text().count("\n") > 60:
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = rows_of(path)
    assert len(before) > 0
    print(f"killed after {len(before)} rows")
    res = census.run_census((2, 3, 2), str(path), timeout=2, workers=2)
    after = rows_of(path)
    assert res.skipped == len(before) and res.written == len(after) - len(before)
    assert after[:len(before)] == before
    cs = census.CensusShape((2, 3, 2))
    reps = [cs.from_json(r["pattern"]) for r in after]
    assert sorted(reps) == sorted(o.rep for o in census.enumerate_orbits(cs))
    assert sum(int(r["orbit_size"]) for r in after) == 2 ** 12


# --- command line -------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["--shape", "2,x"], ["--shape", "2,x,2"], ["--shape", "2,2"], ["--shape", "0,1,1"],
    ["--shape", "2,2,2", "--timeout", "-1"], ["--shape", "2,2,2", "--workers", "0"],
    ["--shape", "5,5,5"], [], ["--summary", "--out", "/nonexistent/census.csv"],
])
def test_cli_bad_input_exit_2(argv, capsys, tmp_path):
    assert main(["census", *argv, "--quiet"] if argv else ["census"]) == 2
    err = capsys.readouterr().err
    assert "error" in err


def test_cli_run_summary_and_plot(tmp_path, capsys):
    out = tmp_path / "c.csv"
    rc = main(["census", "--shape", "2,2,2", "--out", str(out), "--summary", "--quiet", "--workers", "2"])
    text = capsys.readouterr().out
    rows = rows_of(out)
    unknown = sum(r["verdict"] == "unknown" for r in rows)
    assert rc == (3 if unknown else 0)
    assert "34 patterns up to symmetry (256 raw)" in text
    for v in ("closed", "not_closed", "unknown"):
        n = sum(int(r["orbit_size"]) for r in rows if r["verdict"] == v)
        assert any(line.split()[:3] == [v, str(sum(r["verdict"] == v for r in rows)), str(n)]
                   for line in text.splitlines())
    png = tmp_path / "c.png"
    assert png.exists() and png.read_bytes()[:4] == b"\x89PNG"
    # summary of an existing CSV, plot elsewhere
    plot = tmp_path / "p.png"
    assert main(["census", "--summary", "--out", str(out), "--plot", str(plot)]) == rc
    assert plot.exists()
    assert os.path.getsize(out) > 0
