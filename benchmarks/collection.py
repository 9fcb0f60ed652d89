"""The published QE collection (``benchmarks/collection/``, sources in its README): who solves
what, how fast, and whether our answers are right.

For every problem, with ``--timeout`` seconds each (default 60):

1. **QEPCAD B** at its default memory, more only when it runs out
   (:mod:`qepcad_runner`); its status, whole-process time, its own ``System time after the
   initialization`` and every warning or error it prints.
2. **Our engine** in process (:mod:`inprocess`: imports paid once), user CPU time.
3. **Checking our answer.**

   * Both answered: QEPCAD B decides ``(A vars)[ours <==> theirs]`` (a second QEPCAD B run on
     the sentence; sentences are compared as TRUE/FALSE).  If it gives no answer on that
     sentence, our own :func:`cad.equivalent` decides it.
   * Where the two disagree, or QEPCAD B printed an error or warning, or QEPCAD B did not
     answer: z3 (an independent solver) decides the input sentence itself, or, for a formula
     with free variables, the input formula instantiated at ``--points`` random rational
     points, and each result is compared with our answer evaluated exactly at that point.  This
     is a spot check, not a proof of equivalence, and the table says so.

Printed: one line per problem, then the counts (solved by each, agreements, disagreements) and
the geometric means of the ratios ours/QEPCAD B over the problems both solved.

Usage: python benchmarks/collection.py [--timeout S] [--points K] [--markdown] [FILES...]
"""

from __future__ import annotations

import argparse
import glob
import os
import random
import sys

# benchmarks/cad.py must not shadow the cad package: this folder goes last on the path
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE] + [_HERE]
if os.path.dirname(_HERE) not in map(os.path.abspath, sys.path):
    sys.path.insert(0, os.path.dirname(_HERE))   # the checkout's own cad, when run from it

from inprocess import run_worker  # noqa: E402
from qe import gmean  # noqa: E402
from qepcad_runner import QEPCAD_CLOCK_FLOOR, qepcad_binary, run_qepcad  # noqa: E402

COLLECTION = os.path.join(_HERE, "collection")
# the problems of benchmarks/qe/ that come from the literature (their sources: collection/README.md)
FROM_QE = ("parabola", "quartic", "xaxis_ellipse", "davenport_heintz", "hong90", "solotareff")


def collection_files():
    """The collection: ``collection/*.qepcad`` and the literature problems of ``qe/``."""
    return (sorted(glob.glob(os.path.join(COLLECTION, "*.qepcad")))
            + [os.path.join(_HERE, "qe", f"{name}.qepcad") for name in FROM_QE])


def _qepcad_formula(text):
    """A formula string as QEPCAD B's input reader accepts it (it has no TRUE/FALSE atoms)."""
    return {"TRUE": "0 = 0", "FALSE": "1 = 0"}.get(text.strip(), text)


def equivalence_by_qepcad(problem, ours, theirs, binary, timeout):
    """``True``/``False`` when QEPCAD B decides ``(A free)[ours <==> theirs]``, None when it
    gives no answer.  ``ours``/``theirs`` are QEPCAD-syntax formula strings."""
    free = list(problem.free)
    if not free:
        return ours.strip() == theirs.strip()
    prefix = "".join(f"(A {v})" for v in free)
    text = (f"[equivalence check]\n({','.join(free)})\n0\n"
            f"{prefix}[[{_qepcad_formula(ours)}] <==> [{_qepcad_formula(theirs)}]].\nfinish\n")
    run = run_qepcad(text, binary, timeout)
    if run.status != "answer" or run.answer not in ("TRUE", "FALSE"):
        return None
    return run.answer == "TRUE"


def equivalence_by_cad(problem, ours, theirs, timeout):
    """Our own :func:`cad.equivalent` on the two answers (None when it runs out of time)."""
    from cad import BudgetExceeded, equivalent
    from cad.io import parse_qepcad_output_formula
    try:
        f = parse_qepcad_output_formula(ours, problem.ring)
        g = parse_qepcad_output_formula(theirs, problem.ring)
        return equivalent(problem.ring, f, g, variables=problem.free, timeout=timeout)
    except BudgetExceeded:
        return None


def _z3_truth(problem, formula, timeout):
    """z3's truth value of a sentence (None: z3 missing or no answer in time)."""
    try:
        import z3
    except ImportError:
        return None
    from cad.io import to_smtlib
    from cad.logic import Problem
    solver = z3.Solver()
    solver.set("timeout", int(timeout * 1000))
    solver.from_string(to_smtlib(Problem(ring=problem.ring, free=(), formula=formula)))
    verdict = solver.check()
    return None if verdict == z3.unknown else verdict == z3.sat


def spot_check_by_z3(problem, ours, points, timeout, seed=0):
    """Compare our answer with z3 on the input: on the sentence itself, or at ``points``
    random rational points of the free variables.  Returns ``(agreed, disagreed, undecided)``
    counts."""
    from fractions import Fraction

    from flint import fmpq

    from cad.io import parse_qepcad_output_formula
    from cad.logic import evaluate, substitute
    rng = random.Random(seed)
    ours_f = parse_qepcad_output_formula(ours, problem.ring)
    tally = [0, 0, 0]
    if not problem.free:
        truth = _z3_truth(problem, problem.formula, timeout)
        if truth is None:
            return (0, 0, 1)
        return (1, 0, 0) if truth == (ours.strip() == "TRUE") else (0, 1, 0)
    for _ in range(points):
        point = {}
        for v in problem.free:
            q = Fraction(rng.randint(-12, 12), rng.choice([1, 1, 2, 3, 4]))
            point[v] = fmpq(q.numerator, q.denominator)
        sentence = substitute(problem.formula, point, problem.ring)
        truth = _z3_truth(problem, sentence, timeout)
        if truth is None:
            tally[2] += 1
            continue
        mine = evaluate(ours_f, problem.ring, point)
        tally[0 if truth == mine else 1] += 1
    return tuple(tally)


def check(path, ours_rec, theirs_run, binary, timeout, points):
    """How our answer on ``path`` was checked and what came out: ``(verdict, how)``.

    Verdicts: ``agree`` (equivalence proved: by QEPCAD B or :func:`cad.equivalent` on the
    two answers, or z3 decided the sentence and found the same truth value),
    ``spot-checked`` (no proof, but z3 agrees with us at every point it decided),
    ``disputed`` (QEPCAD B's answer differs from ours and z3 found no point that shows who is
    wrong), ``WRONG`` (z3 found a point where our answer is wrong), ``unchecked``,
    ``unsolved`` (we gave no answer)."""
    from cad import parse_qepcad
    with open(path, encoding="utf-8") as fh:
        problem = parse_qepcad(fh.read())
    ours = ours_rec.get("answer")
    if ours is None:
        return "unsolved", "-"
    how, same = [], None
    if theirs_run is not None and theirs_run.status == "answer":
        same = equivalence_by_qepcad(problem, ours, theirs_run.answer, binary, timeout)
        if same is None:
            same = equivalence_by_cad(problem, ours, theirs_run.answer, timeout)
            how.append("cad.equivalent" if same is not None else "equivalence undecided")
        else:
            how.append("QEPCAD B")
        if same is False:
            how[-1] += " finds them different"
        if same and not theirs_run.messages:
            return "agree", how[0]
    agreed, disagreed, undecided = spot_check_by_z3(problem, ours, points, timeout)
    if problem.free:
        how.append(f"z3 agrees at {agreed} of {agreed + disagreed + undecided} points")
    elif agreed + disagreed:
        how.append("z3 on the sentence")
    text = "; ".join(how) or "-"
    if disagreed:
        return "WRONG", text
    if same is False:
        return "disputed", text
    if same or (agreed and not problem.free):
        return "agree", text
    return ("spot-checked" if agreed else "unchecked"), text


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="*")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--points", type=int, default=8, help="z3 spot-check points (default 8)")
    args = ap.parse_args(argv)
    files = args.files or collection_files()
    binary = qepcad_binary()
    ours = run_worker(files, 1, args.timeout, soft=False)
    rows = []
    for path in files:
        with open(path, encoding="utf-8") as fh:
            run = run_qepcad(fh.read(), binary, args.timeout) if binary else None
        rec = ours[path]
        verdict, how = check(path, rec, run, binary, args.timeout, args.points)
        t_ours = rec.get("cpu")
        t_q = run.cpu_after_init if run is not None and run.status == "answer" else None
        ratio = t_ours / max(t_q, QEPCAD_CLOCK_FLOOR) if t_ours is not None and t_q is not None else None
        rows.append((os.path.basename(path), rec["status"], t_ours, run, ratio, verdict, how))
        print(f"{os.path.basename(path):26s} ours {rec['status']:8s} {_f(t_ours)} s | QEPCAD B "
              f"{run.status if run else '-':12s} {_f(t_q)} s {(run.memory or '') if run else ''} | "
              f"ratio {_f(ratio, 2)} | {verdict} ({how})"
              + ("".join(f"\n    QEPCAD B says: {m}" for m in run.messages) if run else ""),
              flush=True)
    print()
    print("| problem | ours (s, CPU) | QEPCAD B (s, after init) | QEPCAD B memory | ratio | our answer checked | QEPCAD B messages |")
    print("|---|---|---|---|---|---|---|")
    for name, status, t, run, ratio, verdict, how in rows:
        ours_cell = _f(t) if status == "answer" else status
        q_cell = _f(run.cpu_after_init) if run and run.status == "answer" else (run.status if run else "-")
        msgs = "; ".join(run.messages)[:120] if run else ""
        print(f"| {name} | {ours_cell} | {q_cell} | {(run.memory or 'default') if run else '-'} | "
              f"{_f(ratio, 2)} | {verdict} ({how}) | {msgs} |")
    solved_ours = sum(r[1] == "answer" for r in rows)
    solved_q = sum(r[3] is not None and r[3].status == "answer" for r in rows)
    counts = {v: sum(r[5] == v for r in rows)
              for v in ("agree", "spot-checked", "disputed", "WRONG", "unchecked")}
    wrong = counts["WRONG"]
    print()
    print(f"{len(rows)} problems: solved by us {solved_ours}, by QEPCAD B {solved_q}; our answers: "
          + ", ".join(f"{v} {n}" for v, n in counts.items()))
    print(f"geometric mean ratio ours/QEPCAD B (in process, both solved): "
          f"{_f(gmean([r[4] for r in rows]), 2)} over {sum(r[4] is not None and r[4] > 0 for r in rows)} problems (a zero ratio is left out)")
    return 1 if wrong else 0


def _f(t, digits=3):
    return "-" if t is None else f"{t:.{digits}f}"


if __name__ == "__main__":
    sys.exit(main())
