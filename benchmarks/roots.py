"""Benchmark: real root isolation of random dense integer polynomials, cad.numbers.roots vs sympy.

100 random polynomials of degree 50 with coefficients uniform in [-2^32, 2^32]
(seeded).  ``cad.numbers.roots.isolate_real_roots`` runs on all of them; sympy's
``real_roots`` runs on the same inputs with a per-polynomial time cap (polynomials
hitting the cap are reported and excluded from the ratio, which is then computed on
the polynomials both finished).  The number of real roots found by both is compared.

    python benchmarks/roots.py [--n 100] [--degree 50] [--bits 32] [--seed 2026] [--cap 20] [--cpu]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import time

# benchmarks/ holds a script named cad.py: keep it from shadowing the cad package
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != _HERE]

from flint import fmpz_poly  # noqa: E402

from cad.numbers.roots import isolate_real_roots  # noqa: E402


class _Timeout(Exception):
    pass


def _alarm(_sig, _frame):
    raise _Timeout()


_clock = time.perf_counter


def make_polys(n, degree, bits, seed):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        cs = [rng.randint(-(2**bits), 2**bits) for _ in range(degree + 1)]
        if cs[-1] == 0:
            cs[-1] = 1
        out.append(fmpz_poly(cs))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--degree", type=int, default=50)
    ap.add_argument("--bits", type=int, default=32)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--cap", type=float, default=20.0, help="sympy time cap per polynomial (seconds)")
    ap.add_argument("--repeat", type=int, default=3, help="repetitions of our timing (best is reported)")
    ap.add_argument("--cpu", action="store_true", help="measure process CPU time instead of wall-clock time "
                    "(fairer on a loaded machine)")
    args = ap.parse_args(argv)
    global _clock
    _clock = time.process_time if args.cpu else time.perf_counter

    polys = make_polys(args.n, args.degree, args.bits, args.seed)

    ours_times = []
    ours_counts = []
    best_total = None
    for _ in range(args.repeat):
        times = []
        counts = []
        for f in polys:
            t0 = _clock()
            r = isolate_real_roots(f)
            times.append(_clock() - t0)
            counts.append(len(r))
        total = sum(times)
        if best_total is None or total < best_total:
            best_total, ours_times, ours_counts = total, times, counts

    import sympy

    x = sympy.Symbol("x")
    sym_times = []
    sym_counts = []
    capped = []
    signal.signal(signal.SIGALRM, _alarm)
    for i, f in enumerate(polys):
        sp = sympy.Poly([int(c) for c in reversed(f.coeffs())], x)
        t0 = _clock()
        signal.setitimer(signal.ITIMER_REAL, args.cap)
        try:
            roots = sympy.real_roots(sp)
            signal.setitimer(signal.ITIMER_REAL, 0)
            sym_times.append(_clock() - t0)
            sym_counts.append(len(set(roots)))
        except _Timeout:
            capped.append(i)
            sym_times.append(None)
            sym_counts.append(None)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    both = [i for i in range(len(polys)) if sym_times[i] is not None]
    ours_both = sum(ours_times[i] for i in both)
    sym_both = sum(sym_times[i] for i in both)
    mismatches = [i for i in both if sym_counts[i] != ours_counts[i]]

    print(f"clock: {'process CPU time' if args.cpu else 'wall-clock time'}")
    print(f"{len(polys)} random polynomials, degree {args.degree}, coefficients in [-2^{args.bits}, 2^{args.bits}], seed {args.seed}")
    print(f"real roots per polynomial: min {min(ours_counts)}, max {max(ours_counts)}, total {sum(ours_counts)}")
    print(f"cad.numbers.roots.isolate_real_roots : {best_total:.4f} s total over all {len(polys)} (best of {args.repeat}), "
          f"{1000 * best_total / len(polys):.3f} ms/poly")
    print(f"sympy.real_roots             : {sym_both:.4f} s total over {len(both)} polynomials "
          f"(cap {args.cap:g} s/poly, {len(capped)} capped: {capped})")
    print(f"cad.numbers.roots on the same {len(both)}  : {ours_both:.4f} s")
    if ours_both > 0:
        print(f"speed-up (sympy / ours, same inputs): {sym_both / ours_both:.1f}x")
    print(f"root-count mismatches: {len(mismatches)} {mismatches}")
    return 0 if not mismatches else 1


if __name__ == "__main__":
    raise SystemExit(main())
