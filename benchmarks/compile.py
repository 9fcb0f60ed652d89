"""Benchmark: time to compile the linear counterpart of ``ul:N`` (default N = 100; target < 2 s).

``linear_map(ul:100)`` builds the ring of the 10 100 weights and all 338 350 monomials
(input-output paths) of ``W_2 W_1``.  Also reported, separately: the time to build flint
polynomials for one full row of entries (entries are materialised on access for maps this
large, since flint stores a dense exponent vector per monomial -- ~10 KB each here), and
the time to compile a few other presets.

    python benchmarks/compile.py [--n 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

# run as a script, this directory is sys.path[0]; its cad.py must not shadow the package
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)

from netalgebra.compile import linear_map  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402


def best_of(fn, repeat):
    best, out = None, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best, out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)

    p = SparsityPattern.preset(f"ul:{args.n}")
    dt, lm = best_of(lambda: linear_map(p), args.repeat)
    status = "OK" if dt < 2.0 else "SLOWER THAN TARGET"
    print(f"linear_map(ul:{args.n}): {dt:.3f} s (best of {args.repeat}; target < 2 s: {status})")
    print(f"  {len(lm.variables)} variables, {lm.nterms} monomials, shape {lm.shape[0]}x{lm.shape[1]}")

    t = time.perf_counter()
    row = [lm.entry(0, j) for j in range(lm.shape[1])]
    dt_row = time.perf_counter() - t
    print(f"  flint polynomials of row 0 ({sum(len(lm.paths[0][j]) for j in range(lm.shape[1]))} "
          f"monomials): {dt_row:.3f} s")
    assert len(row) == lm.shape[1]

    for name in ("butterfly:64", "dense:10,10,10,10", "random:30,30,30,30:0.3:1", "block:4:8,8,8"):
        q = SparsityPattern.preset(name)
        dt_q, lq = best_of(lambda: linear_map(q).entries, args.repeat)
        print(f"linear_map({name}) with all flint entries: {dt_q:.3f} s")


if __name__ == "__main__":
    main()
