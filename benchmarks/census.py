"""Benchmark: the census machinery.

Part 1 (always): orbit enumeration, Burnside cross-check and reduction planning for
2,2,2 / 2,3,2 / 3,2,3 / 3,3,3 -- the symmetry part must stay a few seconds even for
3,3,3 (262 144 raw patterns).  Part 2 (``--run SHAPE``): a census under a wall-clock cap
(``--max-seconds``), resumable in ``--out``; prints counts, decide calls, time.

    python benchmarks/census.py
    python benchmarks/census.py --run 3,2,3 --timeout 10
    python benchmarks/census.py --run 3,3,3 --max-seconds 600 --out census-333.csv
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time

# run as a script, this directory is sys.path[0]; its cad.py / census.py must not shadow packages
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

from netalgebra import census  # noqa: E402


def part1(shapes):
    print(f"{'shape':<8}{'raw':>9}{'orbits':>8}{'burnside':>9}{'|G|':>6}{'jobs':>6}"
          f"{'enumerate':>11}{'plan':>8}")
    for sh in shapes:
        cs = census.CensusShape(sh)
        t = time.perf_counter()
        orbits = census.enumerate_orbits(cs)
        t_enum = time.perf_counter() - t
        t = time.perf_counter()
        plans = census.plan(cs, orbits)
        t_plan = time.perf_counter() - t
        b = census.burnside_count(cs)
        jobs = sum(1 for p in plans if p.job is not None)
        assert b == len(orbits) and sum(o.size for o in orbits) == 1 << cs.nbits
        print(f"{','.join(map(str, sh)):<8}{1 << cs.nbits:>9}{len(orbits):>8}{b:>9}{cs.group_order:>6}"
              f"{jobs:>6}{t_enum:>10.2f}s{t_plan:>7.2f}s")


def part2(shape, out, timeout, workers, max_seconds):
    def stop(*_):
        raise KeyboardInterrupt

    if max_seconds:
        signal.signal(signal.SIGALRM, stop)
        signal.alarm(int(max_seconds))
    t = time.monotonic()
    try:
        res = census.run_census(shape, out, timeout=timeout, workers=workers, progress=True)
        print(res)
    except KeyboardInterrupt:
        print(f"stopped after {time.monotonic() - t:.0f} s (rerun to resume)", file=sys.stderr)
    finally:
        signal.alarm(0)
    s = census.summarize(census.read_rows(out))
    print(census.format_summary(s))
    print(f"rows {s['orbits']} of {len(census.enumerate_orbits(shape))}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--run", help="also run the census of this shape N0,N1,N2")
    ap.add_argument("--out", help="CSV (default census-N0-N1-N2.csv)")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--max-seconds", type=float, default=None)
    args = ap.parse_args(argv)
    part1([(2, 2, 2), (2, 3, 2), (3, 2, 3), (3, 3, 3)])
    if args.run:
        shape = census.parse_shape(args.run)
        out = args.out or "census-{}-{}-{}.csv".format(*shape)
        part2(shape, out, args.timeout, args.workers, args.max_seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
