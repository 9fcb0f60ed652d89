"""Benchmark ``cad qe`` against QEPCAD B on the problems of benchmarks/qe/ (issue 4, acceptance 5).

Every ``*.qepcad`` file is run through the whole ``python -m cad.cli qe FILE``
process and through ``qepcad +N20000000 < FILE`` (when installed), several
runs each, the two programs alternating so that a change of machine load hits
both; the table shows the median wall-clock time of each, their ratio, and the
median ratio over all files (target <= 1.5, lasting goal <= 1).  A file on which
we time out counts as an infinite ratio in the median (it is not dropped).

The package's bytecode is compiled first (``compileall``), as ``pip install``
does: otherwise an editable checkout run with PYTHONDONTWRITEBYTECODE=1 would
recompile every module on each run (about 0.1 s) and time that instead.

Usage: python benchmarks/qe.py [--runs N] [--timeout S] [--dir DIR] [FILES...]
"""

import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(HERE, "qe")


def time_cmd(cmd, stdin_path=None, timeout=None):
    t0 = time.perf_counter()
    try:
        if stdin_path is not None:
            with open(stdin_path, encoding="utf-8") as fh:
                out = subprocess.run(cmd, stdin=fh, capture_output=True, text=True, timeout=timeout)
        else:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout"
    dt = time.perf_counter() - t0
    return dt, out


def ours(path, runs, timeout):
    times, answer = [], None
    for _ in range(runs):
        cmd = [sys.executable, "-m", "cad.cli", "qe", path]
        if timeout:
            cmd += ["--timeout", str(timeout)]
        dt, out = time_cmd(cmd, timeout=(timeout or 3600) + 30)
        if dt is None:
            return None, "timeout"
        if out.returncode != 0:
            return None, (out.stdout.strip() or out.stderr.strip().splitlines()[-1:] or ["?"])[0]
        times.append(dt)
        answer = out.stdout.strip()
    return statistics.median(times), answer


def theirs(binary, path, runs, timeout):
    times, answer = [], None
    for _ in range(runs):
        dt, out = time_cmd([binary, "+N20000000"], stdin_path=path, timeout=(timeout or 3600) + 30)
        if dt is None:
            return None, "timeout"
        times.append(dt)
        text = out.stdout
        marker = "An equivalent quantifier-free formula:"
        if marker in text:
            rest = text.split(marker, 1)[1].strip("\n").split("\n\n")[0]
            answer = " ".join(line.strip() for line in rest.splitlines())
        else:
            answer = "(no answer)"
    return statistics.median(times), answer


def _compile_package():
    """Write the bytecode of the ``cad`` package, as an installation would."""
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("cad")
    for d in (spec.submodule_search_locations or []):
        compileall.compile_dir(d, quiet=1)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--dir", default=DEFAULT_DIR)
    ap.add_argument("--answers", action="store_true", help="also print both answers")
    args = ap.parse_args(argv)
    files = args.files or sorted(glob.glob(os.path.join(args.dir, "*.qepcad")))
    qepcad = shutil.which("qepcad")
    _compile_package()
    rows, ratios = [], []
    for path in files:
        name = os.path.basename(path)
        t_ours, a_ours, t_theirs, a_theirs = None, None, None, None
        times_ours, times_theirs = [], []
        for _ in range(args.runs):   # alternate the two programs
            t, a_ours = ours(path, 1, args.timeout)
            if t is None:
                times_ours = None
                break
            times_ours.append(t)
            if qepcad:
                t, a_theirs = theirs(qepcad, path, 1, args.timeout)
                if t is not None:
                    times_theirs.append(t)
        if qepcad and times_ours is None:
            t_theirs, a_theirs = theirs(qepcad, path, args.runs, args.timeout)
        elif times_theirs:
            t_theirs = statistics.median(times_theirs)
        if times_ours:
            t_ours = statistics.median(times_ours)
        if t_ours is not None and t_theirs:
            ratio = t_ours / t_theirs
        elif t_ours is None and t_theirs:
            ratio = float("inf")   # we timed out: counts against us in the median
        else:
            ratio = None
        if ratio is not None:
            ratios.append(ratio)
        rows.append((name, t_ours, t_theirs, ratio, a_ours, a_theirs))
        fmt = lambda t: "-" if t is None else f"{t:8.3f}"  # noqa: E731
        print(f"{name:26s} cad {fmt(t_ours)} s   qepcad {fmt(t_theirs)} s   ratio "
              f"{'-' if ratio is None else f'{ratio:6.2f}'}", flush=True)
        if args.answers or t_ours is None:
            print(f"    cad:    {a_ours}\n    qepcad: {a_theirs}", flush=True)
    print()
    print("| file | cad qe (s) | qepcad (s) | ratio |")
    print("|---|---|---|---|")
    for name, t1, t2, r, _, _ in rows:
        print(f"| {name} | {'timeout' if t1 is None else f'{t1:.3f}'} | {'-' if t2 is None else f'{t2:.3f}'} | "
              f"{'-' if r is None else ('inf' if r == float('inf') else f'{r:.2f}')} |")
    if ratios:
        finite = [r for r in ratios if r != float("inf")]
        print(f"\nmedian ratio cad/qepcad over {len(ratios)} files (timeouts count as infinite): "
              f"{statistics.median(ratios):.2f} (target <= 1.5)")
        if len(finite) < len(ratios):
            print(f"median over the {len(finite)} files answered in time: {statistics.median(finite):.2f}")
    elif not qepcad:
        print("\nqepcad not installed: no ratios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
