"""Benchmark: our decider vs the authors' z3 sentence (paper Section 3.3).

The paper decides closedness of L_I by handing z3 the first-order sentence

    exists A [ (forall theta: phi(theta) != A)
               and (forall eps > 0 exists theta': max_ij |phi_ij(theta') - A_ij| < eps) ]

(true iff L_I is NOT closed).  We build that sentence with the z3 Python API
(z3-solver from PyPI, imported only here -- it is not a runtime dependency) and
run it in a child process with a hard per-case timeout, next to
``netalgebra.decide.decide`` with the same budget.

Usage::

    python benchmarks/decide.py [--timeout 20] [--random 20] [--seed 0] [--density 0.6]

Prints a table: pattern, our verdict and time, z3's verdict and time, who
decided, and the time ratio z3/ours when both decided.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def z3_sentence(masks):
    """The Section 3.3 sentence for the pattern, as a z3 formula (A left free = existential)."""
    import z3

    L = len(masks)
    n0 = len(masks[0][0])
    nL = len(masks[-1])

    def product(prefix):
        ws = []
        for l, m in enumerate(masks, start=1):
            ws.append([[z3.Real(f"{prefix}{l}_{i}_{j}") if m[i][j] else z3.RealVal(0)
                        for j in range(len(m[0]))] for i in range(len(m))])
        P = ws[0]
        for l in range(1, L):
            W = ws[l]
            P = [[z3.Sum([W[i][k] * P[k][j] for k in range(len(P))]) if len(P) > 1 else W[i][0] * P[0][j]
                  for j in range(n0)] for i in range(len(W))]
        vars_ = [x for W in ws for row in W for x in row if z3.is_const(x) and not z3.is_rational_value(x)]
        return P, vars_

    A = [[z3.Real(f"A_{i}_{j}") for j in range(n0)] for i in range(nL)]
    P1, th1 = product("u")
    P2, th2 = product("v")
    eps = z3.Real("eps")
    not_attained = z3.ForAll(th1, z3.Or([P1[i][j] != A[i][j] for i in range(nL) for j in range(n0)])) \
        if th1 else z3.Or([P1[i][j] != A[i][j] for i in range(nL) for j in range(n0)])
    close = z3.And([z3.And(P2[i][j] - A[i][j] < eps, A[i][j] - P2[i][j] < eps)
                    for i in range(nL) for j in range(n0)])
    approx = z3.ForAll([eps], z3.Implies(eps > 0, z3.Exists(th2, close) if th2 else close))
    return z3.And(not_attained, approx)


def _z3_child(masks, timeout, q):
    import z3

    t = time.perf_counter()
    s = z3.Solver()
    s.set("timeout", int(timeout * 1000))
    s.add(z3_sentence(masks))
    r = s.check()
    verdict = "not_closed" if r == z3.sat else "closed" if r == z3.unsat else "unknown"
    q.put((verdict, time.perf_counter() - t))


def run_z3(masks, timeout):
    q = mp.Queue()
    p = mp.Process(target=_z3_child, args=(masks, timeout, q))
    t = time.perf_counter()
    p.start()
    p.join(timeout + 2)
    if p.is_alive():
        p.kill()
        p.join()
        return "timeout", time.perf_counter() - t
    try:
        return q.get(timeout=1)
    except Exception:
        return "error", time.perf_counter() - t


def run_ours(pattern, timeout):
    from netalgebra.certificate import verify
    from netalgebra.decide import decide

    t = time.perf_counter()
    v = decide(pattern, timeout)
    dt = time.perf_counter() - t
    ok = verify(v.certificate).ok if v.certificate else None
    return v.status, dt, ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--timeout", type=float, default=20.0)
    ap.add_argument("--random", type=int, default=20, help="number of random 3x3x3 patterns")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--density", default="0.6")
    ap.add_argument("--only", help="comma-separated preset names instead of the default list")
    args = ap.parse_args(argv)
    from netalgebra.pattern import SparsityPattern

    names = (args.only.split(";") if args.only else
             ["ul:2", "ul:3", "ul:4", "dense:2,1,2", "dense:3,3,3", "butterfly:4"]
             + [f"random:3,3,3:{args.density}:{args.seed + i}" for i in range(args.random)])
    rows = []
    head = f"{'pattern':24s} {'ours':11s} {'t_ours':>8s} {'cert':>5s} {'z3':11s} {'t_z3':>8s} {'ratio':>9s}"
    print(head)
    print("-" * len(head))
    for name in names:
        pat = SparsityPattern.preset(name)
        ours, t_ours, ok = run_ours(pat, args.timeout)
        z, t_z = run_z3(pat.masks, args.timeout)
        ratio = f"{t_z / t_ours:9.0f}" if ours != "unknown" and z in ("closed", "not_closed") else "-"
        agree = "" if ours == "unknown" or z not in ("closed", "not_closed") or ours == z else "  DISAGREE"
        print(f"{name:24s} {ours:11s} {t_ours:8.3f} {str(ok):>5s} {z:11s} {t_z:8.2f} {ratio:>9s}{agree}",
              flush=True)
        rows.append((name, ours, t_ours, ok, z, t_z))
    dec_o = sum(r[1] != "unknown" for r in rows)
    dec_z = sum(r[4] in ("closed", "not_closed") for r in rows)
    bad = sum(r[1] != "unknown" and r[4] in ("closed", "not_closed") and r[1] != r[4] for r in rows)
    print("-" * len(head))
    print(f"decided: ours {dec_o}/{len(rows)}, z3 {dec_z}/{len(rows)}; disagreements: {bad}; "
          f"our certificates verified: {sum(r[3] is True for r in rows)}/{dec_o}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
