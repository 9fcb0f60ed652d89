"""The ``cad`` command: quantifier elimination and closedness on QEPCAD B / SMT-LIB2 input.

Exit codes: 0 answer, 2 bad input, 3 budget exhausted (prints ``unknown``).
Only python-flint is imported on the way to an answer; sympy never.
"""

import argparse
import sys

EXIT_OK, EXIT_BAD_INPUT, EXIT_UNKNOWN = 0, 2, 3


def _read_input(path):
    if path == "-":
        return sys.stdin.read(), "<stdin>"
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read(), path
    except OSError as exc:
        raise SystemExit(_fail(f"cannot read {path}: {exc.strerror}"))


def _fail(message):
    print(f"cad: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _not_ready(name):
    print(f"cad: '{name}' is not implemented yet", file=sys.stderr)
    return EXIT_BAD_INPUT


# --- subcommand: qe (issue 4) ----------------------------------------------------
def cmd_qe(args):
    return _not_ready("qe")


# --- subcommand: closed (issue 5) ------------------------------------------------
def cmd_closed(args):
    return _not_ready("closed")


def build_parser():
    parser = argparse.ArgumentParser(prog="cad", description="Exact CAD-based quantifier elimination.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("qe", help="eliminate quantifiers from a QEPCAD B (or SMT-LIB2) input file")
    p.add_argument("file", help="input file, '-' for standard input")
    p.add_argument("--smt2", action="store_true", help="the input is SMT-LIB2 (QF_NRA/NRA)")
    p.add_argument("--json", action="store_true", help='print {"formula", "cells", "seconds"}')
    p.add_argument("--timeout", type=float, default=None, help="seconds before answering unknown")
    p.set_defaults(func=cmd_qe)

    p = sub.add_parser("closed", help="decide whether the set defined by a formula is closed")
    p.add_argument("file", help="QEPCAD B input file whose free variables define the set, '-' for stdin")
    p.add_argument("--json", action="store_true")
    p.add_argument("--timeout", type=float, default=None)
    p.set_defaults(func=cmd_closed)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
