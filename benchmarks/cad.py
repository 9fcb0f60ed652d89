"""Benchmark: our full CAD versus QEPCAD B's full CAD on the same polynomial sets.

Usage::

    python benchmarks/cad.py [--random N] [--seed S] [--qepcad PATH]

For every set we build a full sign-invariant CAD with :func:`cad.decomposition.cad`
(Lazard projection; the McCallum option's cell count is shown too) and ask QEPCAD B for
a full CAD of the same polynomials (``full-cad``, all variables free, formula
``[p1 /= 0 /\\ ...]``), reading its ``d-stat`` statistics: the "Cells" row (cells of
every level, the same quantity as our ``sum(D.counts())``) and "Total time with garbage
collection" (ms, normalisation + projection + CAD construction; start-up excluded).

Printed per set: our time (ms) and cells, QEPCAD's, and the ratios ours/QEPCAD.  At the
end: geometric means of the ratios.  QEPCAD uses McCallum's projection (smaller sets,
not valid for all inputs), so our Lazard cell counts are >= its counts on most sets.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cad.decomposition import projection as _projection  # noqa: E402
from cad.decomposition import cad  # noqa: E402
from cad.poly import PolyRing  # noqa: E402

NAMED = [
    ("circle", ("x", "y"), ["x^2 + y^2 - 1"]),
    ("two circles", ("x", "y"), ["x^2 + y^2 - 1", "(x - 1)^2 + y^2 - 1"]),
    ("cubic + line", ("x", "y"), ["y^2 - x^3 - x", "y - x + 1/2"]),
    ("sphere", ("x", "y", "z"), ["x^2 + y^2 + z^2 - 1"]),
    ("sphere + xyz", ("x", "y", "z"), ["x^2 + y^2 + z^2 - 1", "x y z - 1/10"]),
    ("parabola family", ("a", "b", "x"), ["a x^2 + b x + 1"]),
    ("quadric pair", ("x", "y", "z"), ["x^2 + y^2 - z", "x + y + z - 1"]),
    ("xz - yw", ("x", "y", "z", "w"), ["x z - y w"]),
    ("2x2 LU entry", ("a", "b", "c", "d"), ["a d - b c", "a + b - c"]),
]


def random_sets(n, seed):
    rng = random.Random(seed)
    names = ["x", "y", "z"]
    out = []
    for i in range(n):
        nvars = 2 if i % 2 == 0 else 3
        ring = PolyRing(names[:nvars])
        polys = []
        for _ in range(rng.randint(1, 3) if nvars == 2 else 2):
            d = {}
            for _ in range(rng.randint(2, 5)):
                e = tuple(rng.randint(0, 3) for _ in range(nvars))
                if sum(e) <= 3:
                    d[e] = rng.choice([-3, -2, -1, 1, 2, 3])
            p = ring.ctx.from_dict(d)
            if not p.is_constant():
                polys.append(ring.to_str(p))
        if polys:
            out.append((f"random {i}", tuple(names[:nvars]), polys))
    return out


def ours(variables, polys, projection="lazard"):
    _projection._CACHE.clear()
    t = time.perf_counter()
    D = cad(polys, list(variables), projection=projection)
    return (time.perf_counter() - t) * 1000.0, sum(D.counts()), D


def qepcad(binary, variables, polys):
    ring = PolyRing(variables)
    matrix = " /\\ ".join(f"{ring.to_str(ring.parse(p))} /= 0" for p in polys)
    text = (f"[bench]\n({','.join(variables)})\n{len(variables)}\n[{matrix}].\n"
            "full-cad\ngo\ngo\ngo\nd-stat\ngo\nfinish\n")
    for cells in ("+N2000000", "+N20000000"):
        t = time.perf_counter()
        try:
            out = subprocess.run([binary, cells], input=text, capture_output=True, text=True,
                                 timeout=300).stdout
        except subprocess.TimeoutExpired:
            return None
        wall = (time.perf_counter() - t) * 1000.0
        m_cells = re.search(r"Counts for Truth--Invariant.*?\nCells\s+([\d\s]+)\n", out, re.S)
        m_time = re.search(r"Total time with garbage collection\s*:\s*(\d+)", out)
        if m_cells and m_time:
            total = int(m_cells.group(1).split()[-1])
            return float(m_time.group(1)), total, wall
    return None


def gmean(xs):
    xs = [x for x in xs if x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--random", type=int, default=20, help="number of random sets (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--qepcad", default=shutil.which("qepcad"))
    args = ap.parse_args(argv)
    if not args.qepcad:
        print("QEPCAD B not found; showing our numbers only")
    sets = NAMED + random_sets(args.random, args.seed)
    hdr = (f"{'set':<18} {'ours ms':>8} {'cells':>6} {'McC':>5} | {'qepcad ms':>9} {'(wall)':>7} "
           f"{'cells':>6} | {'time x':>7} {'cells x':>7}")
    print(hdr)
    print("-" * len(hdr))
    tr, cr = [], []
    tot_ours = tot_q = 0.0
    for name, variables, polys in sets:
        t_ours, c_ours, D = ours(variables, polys)
        _t, c_mc, M = ours(variables, polys, "mccallum")
        mc = f"{c_mc}" if M.projection == "mccallum" else "L"
        q = qepcad(args.qepcad, variables, polys) if args.qepcad else None
        if q is None:
            print(f"{name:<18} {t_ours:8.1f} {c_ours:6d} {mc:>5} | {'-':>9} {'-':>7} {'-':>6} |")
            continue
        t_q, c_q, wall = q
        tot_ours += t_ours
        tot_q += t_q
        # QEPCAD's clock has 1 ms resolution: count < 1 ms as 1 ms for the ratio
        ratio_t = t_ours / max(t_q, 1.0)
        ratio_c = c_ours / c_q
        tr.append(ratio_t)
        cr.append(ratio_c)
        print(f"{name:<18} {t_ours:8.1f} {c_ours:6d} {mc:>5} | {t_q:9.0f} {wall:7.0f} {c_q:6d} | "
              f"{ratio_t:7.2f} {ratio_c:7.2f}")
    if tr:
        print("-" * len(hdr))
        print(f"geometric mean ratio ours/QEPCAD: time {gmean(tr):.2f}, cells {gmean(cr):.2f}; "
              f"total time ours {tot_ours:.0f} ms vs QEPCAD {tot_q:.0f} ms "
              f"(McC = our cell count with projection='mccallum', L = fell back to Lazard)")


if __name__ == "__main__":
    main()
