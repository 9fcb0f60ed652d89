"""Benchmark cad.topology: reference cases and the choice of route.

Part 1 times ``is_closed`` (default pipeline) on the acceptance sets, with the time of the
quantifier elimination that reduces images to quantifier-free formulas.
Part 2 compares, on quantifier-free sets, the routes that decide closedness:
``adjacency`` (plane CAD + frontier condition, at most 2 coordinates), ``epsilon/shift`` and
``epsilon/primed`` (QE of the epsilon sentence per disjunct, the two box encodings), and the
``segment`` witness search alone.  Each run has a time budget; ``-`` means the budget ran out.
With ``--qepcad`` the textbook closedness sentence of the 2x2 rank <= 1 image is also given to
QEPCAD B (it gives up / runs out of time there; budget ``--qepcad-timeout``, default 120 s).

Usage: python benchmarks/topology.py [--timeout S] [--qepcad] [--qepcad-timeout S]
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
QE_PROBLEMS = os.path.join(HERE, "qe")

from cad.io import parse_qepcad  # noqa: E402
from cad.errors import BudgetExceeded  # noqa: E402
from cad.budget import Budget  # noqa: E402
from cad.topology import is_closed  # noqa: E402
from cad.topology.result import new_stats  # noqa: E402
from cad.topology.syntax import quantifier_free  # noqa: E402
from cad.topology.witness import segment_witness  # noqa: E402

ACCEPTANCE = [
    ("image (x, xy)", "(u,v,x,y)", 2, "(E x)(E y)[u = x /\\ v = x y]"),
    ("image (x^2+y^2, x)", "(u,v,x,y)", 2, "(E x)(E y)[u = x^2 + y^2 /\\ v = x]"),
    ("open disk", "(x,y)", 2, "[x^2 + y^2 < 1]"),
    ("closed disk", "(x,y)", 2, "[x^2 + y^2 <= 1]"),
    ("x > 0, y >= 0", "(x,y)", 2, "[x > 0 /\\ y >= 0]"),
    ("rank <= 1 (2x2)", "(a,b,c,d,p,q,r,s)", 4,
     "(E p)(E q)(E r)(E s)[a = p r /\\ b = p s /\\ c = q r /\\ d = q s]"),
]

ROUTES = [
    ("x > 0, y >= 0", "[x > 0 /\\ y >= 0]"),
    ("x > 0 \\/ y > 0", "[x > 0 \\/ y > 0]"),
    ("u /= 0 \\/ v = 0", "[x /= 0 \\/ y = 0]"),
    ("open disk", "[x^2 + y^2 < 1]"),
    ("x y > 1", "[x y > 1]"),
    ("x y >= 1, x > 0", "[x y >= 1 /\\ x > 0]"),
    ("cusp minus 0", "[y^2 = x^3 /\\ x /= 0]"),
    ("x^2(x-1) >= 0, x /= 0", "[x^2 (x - 1) >= 0 /\\ x /= 0]"),
]

RANK1_SENTENCE = """[rank <= 1 closed: textbook sentence, prenex]
(a,b,c,d,p,q,r,s,e,a1,b1,c1,d1,p1,q1,r1,s1)
0
(A a)(A b)(A c)(A d)(E p)(E q)(E r)(E s)(E e)(A a1)(A b1)(A c1)(A d1)(A p1)(A q1)(A r1)(A s1)[ [ a = p r /\\ b = p s /\\ c = q r /\\ d = q s ] \\/ [ e > 0 /\\ [ ~[ a1 - a < e /\\ a - a1 < e /\\ b1 - b < e /\\ b - b1 < e /\\ c1 - c < e /\\ c - c1 < e /\\ d1 - d < e /\\ d - d1 < e /\\ a1 = p1 r1 /\\ b1 = p1 s1 /\\ c1 = q1 r1 /\\ d1 = q1 s1 ] ] ] ].
finish
"""


def problem(variables, nfree, body):
    return parse_qepcad(f"[t]\n{variables}\n{nfree}\n{body}.\nfinish\n")


def timed(fn):
    t0 = time.perf_counter()
    try:
        out = fn()
    except BudgetExceeded:
        return None, None
    return time.perf_counter() - t0, out


def part1(timeout):
    print("== acceptance cases (default pipeline) ==")
    print(f"{'set':24} {'answer':11} {'route':11} {'QE s':>7} {'total s':>8}")
    cases = list(ACCEPTANCE)
    lu2 = os.path.join(QE_PROBLEMS, "lu2_image.qepcad")
    if os.path.exists(lu2):
        with open(lu2) as fh:
            cases.insert(5, ("lu2_image.qepcad", None, None, fh.read()))
    for name, variables, nfree, body in cases:
        prob = parse_qepcad(body) if variables is None else problem(variables, nfree, body)
        tq, _ = timed(lambda: quantifier_free(prob, Budget(timeout)))
        dt, res = timed(lambda: is_closed(prob, timeout=timeout))
        if res is None:
            print(f"{name:24} {'unknown':11} {'':11} {'':>7} {'-':>8}")
            continue
        ans = "closed" if res.closed else "not closed"
        print(f"{name:24} {ans:11} {res.route:11} {tq:7.3f} {dt:8.3f}")


def part2(timeout):
    print("\n== routes on quantifier-free sets in the plane (seconds; '-' = budget of "
          f"{timeout} s ran out) ==")
    print(f"{'set':26} {'adjacency':>10} {'eps/shift':>10} {'eps/primed':>10} {'segment':>9}  answer")
    for name, body in ROUTES:
        prob = problem("(x,y)", 2, body)
        row = []
        answer = None
        t, r = timed(lambda: is_closed(prob, timeout=timeout, segments=False))
        row.append(t)
        answer = None if r is None else r.closed
        for enc in ("shift", "primed"):
            t, r = timed(lambda: is_closed(prob, timeout=timeout, segments=False, route="epsilon",
                                           encoding=enc))
            row.append(t)
            if r is not None and answer is not None and r.closed != answer:
                answer = "DISAGREE"

        def seg():
            b = Budget(timeout)
            ring, S, _ = quantifier_free(prob, b)
            return segment_witness(S, ring, b, new_stats())
        t, hit = timed(seg)
        row.append(t if hit is not None else None)
        cells = " ".join(f"{x:10.3f}" if x is not None else f"{'-':>10}" for x in row[:3])
        segc = f"{row[3]:9.3f}" if row[3] is not None else f"{'none':>9}"
        ans = {True: "closed", False: "not closed", None: "?"}.get(answer, answer)
        print(f"{name:26} {cells} {segc}  {ans}")


def part3(qtimeout):
    exe = shutil.which("qepcad")
    if exe is None:
        print("\nQEPCAD B not installed")
        return
    print(f"\n== QEPCAD B on the textbook rank <= 1 sentence (budget {qtimeout} s) ==")
    t0 = time.perf_counter()
    try:
        out = subprocess.run([exe, "+N200000000"], input=RANK1_SENTENCE, capture_output=True,
                             text=True, timeout=qtimeout)
        dt = time.perf_counter() - t0
        tail = " ".join(out.stdout.split()[-12:])
        print(f"finished in {dt:.1f} s: ... {tail}")
    except subprocess.TimeoutExpired:
        print(f"no answer within {qtimeout} s")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--qepcad", action="store_true")
    ap.add_argument("--qepcad-timeout", type=float, default=120.0)
    args = ap.parse_args(argv)
    part1(args.timeout)
    part2(args.timeout)
    if args.qepcad:
        part3(args.qepcad_timeout)


if __name__ == "__main__":
    main()
