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
def cmd_check(args):
    return _not_ready("check")


def cmd_verify(args):
    return _not_ready("verify")


# --- compile (issue 6) -------------------------------------------------------------
def cmd_compile(args):
    return _not_ready("compile")


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
