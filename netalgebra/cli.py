"""The ``netalgebra`` command.

Exit codes: 0 decided / success, 2 bad input, 3 unknown (budget spent).
Heavy libraries (sympy, networkx, numpy) are imported only by the subcommands
that need them.
"""

import argparse
import sys

EXIT_OK, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 2, 3


def fail(message):
    """Print a specific error for bad input and return exit code 2."""
    print(f"netalgebra: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _not_ready(name):
    print(f"netalgebra: '{name}' is not implemented yet", file=sys.stderr)
    return EXIT_BAD_INPUT


# --- check / verify (issue 7) ------------------------------------------------------
def _load_pattern(args):
    """The pattern named by ``PATTERN.json`` or ``--preset`` (exactly one of them)."""
    from netalgebra.pattern import SparsityPattern

    if bool(args.pattern) == bool(args.preset):
        raise ValueError("give exactly one of PATTERN.json or --preset NAME")
    if args.preset:
        return SparsityPattern.preset(args.preset)
    return SparsityPattern.from_json(args.pattern)


def _fmt_ratfun(rf):
    """Human form of a certificate rational function {"num": [...], "den": [...]} in t."""
    def poly(cs):
        terms = []
        for e, c in enumerate(cs):
            if str(c) in ("0", "0/1"):
                continue
            mon = "" if e == 0 else ("t" if e == 1 else f"t^{e}")
            coef = str(c)
            if mon and coef in ("1", "-1"):
                coef = coef[:-1]
            terms.append(f"{coef}{'*' if mon and coef not in ('', '-') else ''}{mon}" if mon else coef)
        return " + ".join(terms).replace("+ -", "- ") or "0"
    num, den = poly(rf["num"]), poly(rf.get("den", ["1"]))
    if den == "1":
        return num
    return f"({num})/({den})" if " " in num else f"{num}/({den})" if " " in den else f"{num}/{den}"


def cmd_check(args):
    import json
    import time

    from cad.errors import InputError

    t0 = time.perf_counter()
    try:
        pattern = _load_pattern(args)
        points = None
        if args.points:
            with open(args.points, encoding="utf-8") as fh:
                points = json.load(fh)
            if not isinstance(points, list):
                raise ValueError(f"{args.points}: expected a JSON list of points")
        if args.timeout is not None and args.timeout < 0:
            raise ValueError("--timeout must be >= 0")
        from netalgebra.decide import decide

        verdict = decide(pattern, args.timeout, points=points)
    except (InputError, ValueError, OSError) as e:
        return fail(str(e))
    seconds = time.perf_counter() - t0
    cert = verdict.certificate
    if args.out and cert is not None:
        from netalgebra.certificate import dump

        dump(cert, args.out)
    if args.json:
        out = {"verdict": verdict.status, "pattern": pattern.to_dict(), "certificate": cert,
               "seconds": round(seconds, 6), "reason": verdict.reason}
        if points is not None:
            out["points"] = points
        print(json.dumps(out))
    else:
        name = pattern.name or (args.pattern or "pattern")
        what = "F_I(Omega) on the given points" if points is not None else "L_I (linear counterpart)"
        label = {"closed": "CLOSED", "not_closed": "NOT CLOSED", "unknown": "UNKNOWN"}[verdict.status]
        print(f"{name}: {label}  [{what}; widths {'-'.join(map(str, pattern.widths))}; {seconds:.3f} s]")
        print(f"reason: {verdict.reason}")
        if verdict.status == "not_closed" and cert and "target" in cert:
            rel = cert.get("relu", {})
            rows, cols = rel.get("block_rows"), rel.get("block_cols")
            if rows and cols:
                blk = [[cert["target"][r][c] for c in cols] for r in rows]
                print(f"witness: target A = B (+) 0 with B = {blk} on rows {rows} x columns {cols}")
            fam = cert["escaping_family"]["weights"]
            print("escaping family (t -> 0+, all other weights 0): "
                  + ", ".join(f"{k} = {_fmt_ratfun(v)}" for k, v in fam.items()))
            if rel:
                print(f"training set: {len(rel['points'])} points with targets A x; no optimum of the "
                      f"squared loss exists on it (Theorem 3.1)")
        elif verdict.status == "closed" and cert:
            th = cert.get("theorem", {})
            print(f"theorem: {th.get('name')} -- {th.get('source')}")
        if args.out and cert is not None:
            print(f"certificate written to {args.out}")
    return EXIT_UNKNOWN if verdict.status == "unknown" else EXIT_OK


def cmd_verify(args):
    import json

    from netalgebra.certificate import verify

    try:
        with open(args.certificate, encoding="utf-8") as fh:
            cert = json.load(fh)
    except (OSError, ValueError) as e:
        return fail(f"{args.certificate}: {e}")
    report = verify(cert)
    print(report.summary())
    print(f"certificate {'VERIFIED' if report.ok else 'REJECTED'} "
          f"({cert.get('verdict') if isinstance(cert, dict) else '?'})")
    return EXIT_OK if report.ok else 1


# --- compile (issue 6) -------------------------------------------------------------
def cmd_compile(args):
    """Print the entries of W_L ... W_1 as polynomials in the weights ``w{l}_{i}_{j}``.

    The whole output is built before anything is written, so bad input never leaves a
    half-written answer; errors exit with code 2.
    """
    import json
    import pathlib

    from cad.errors import InputError
    from netalgebra.compile import linear_map
    from netalgebra.pattern import SparsityPattern

    if (args.pattern is None) == (args.preset is None):
        return fail("give exactly one of a pattern JSON file or --preset NAME")
    try:
        if args.preset is not None:
            pattern = SparsityPattern.preset(args.preset)
        else:
            pattern = SparsityPattern.from_json(pathlib.Path(args.pattern))
        lmap = linear_map(pattern)
    except InputError as exc:
        return fail(str(exc))
    n, m = lmap.shape
    if args.json:
        doc = {
            "pattern": pattern.to_dict(),
            "widths": list(pattern.widths),
            "product": "W_%d ... W_1" % pattern.depth,
            "variables": list(lmap.variables),
            "shape": [n, m],
            "entries": [[lmap.entry_str(i, j) for j in range(m)] for i in range(n)],
        }
        # one top-level key per line, values compact (masks and entries stay readable)
        text = "{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in doc.items()) + "\n}\n"
    else:
        lines = [
            f"# pattern {pattern.name or args.pattern}: widths {'-'.join(map(str, pattern.widths))}, "
            f"{len(lmap.variables)} weights, {lmap.nterms} monomials",
            f"# A = W_{pattern.depth} ... W_1 with W_l[i, j] = w{{l}}_{{i}}_{{j}} (0-based i = out, j = in)",
        ]
        lines += [f"A[{i},{j}] = {lmap.entry_str(i, j)}" for i in range(n) for j in range(m)]
        text = "\n".join(lines) + "\n"
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    return EXIT_OK


# --- train (issue 8) ---------------------------------------------------------------
def cmd_train(args):
    return _not_ready("train")


# --- census (issue 10) -------------------------------------------------------------
def cmd_census(args):
    return _not_ready("census")


def _add_pattern_source(p):
    p.add_argument("pattern", nargs="?", help="pattern JSON file")
    p.add_argument("--preset", help="preset name, e.g. ul:2, dense:3,3,3, butterfly:4")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="netalgebra",
        description="Decide exactly whether training a sparse ReLU architecture always has an optimum.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="decide closedness of a pattern, with a certificate")
    _add_pattern_source(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--out", help="write the certificate to this file")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds before answering unknown")
    p.add_argument("--points", help="JSON list of rational input points: decide F_I(Omega) itself")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("verify", help="re-check a certificate with exact arithmetic")
    p.add_argument("certificate", help="certificate JSON file")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("compile", help="print the linear counterpart's polynomial map")
    _add_pattern_source(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compile)

    p = sub.add_parser("train", help="numeric cross-check: train on the witness training set")
    _add_pattern_source(p)
    p.add_argument("--certificate", help="certificate JSON file (training set and target)")
    p.add_argument("--steps", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--optimizer", default=None)
    p.add_argument("--weight-decay", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plot", help="write the three-panel figure to this PNG")
    p.add_argument("--csv", help="write per-step metrics to this CSV")
    p.add_argument("--full", action="store_true", help="the paper's experiment at full size")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("census", help="decide every small two-layer pattern up to isomorphism")
    p.add_argument("--shape", help="N0,N1,N2")
    p.add_argument("--out", help="CSV file (appended; finished patterns are skipped on restart)")
    p.add_argument("--summary", action="store_true")
    p.add_argument("--scheduler", help="dask.distributed scheduler address")
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--timeout", type=float, default=10.0, help="per-pattern budget in seconds")
    p.set_defaults(func=cmd_census)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
