"""The ``cad`` command: quantifier elimination and closedness on QEPCAD B / SMT-LIB2 input.

Exit codes (:func:`cad.errors.exit_code`): 0 answer, 2 bad input, 3 budget exhausted (prints
``unknown``), 4 internal error (one line on stderr, never a traceback).
Only python-flint is imported on the way to an answer; sympy never.

``cad qe F1 F2 ...`` answers several files in one process (:func:`_run_batch`): a header line
``# FILE`` before each answer (``--json``: a ``"file"`` key instead), ``--timeout`` per file, and
the exit code is the most severe per-file code (:func:`cad.errors.worst_exit_code`).
"""

import argparse
import json
import os
import sys
import warnings

from cad import logic
from cad.io import parse_qepcad, parse_smtlib, to_str
from cad.budget import Budget, timeout_seconds
from cad.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_UNKNOWN, CadError, InputError
from cad.errors import exit_code, output_outlives_reader, worst_exit_code
from cad.hard_deadline import run_with_hard_limit
from cad.nesting import deep


def _read_input(path):
    """The input file's text (``-``: standard input), which must be UTF-8."""
    source = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(path, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8"), source
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
                         f"{exc.start})") from None


def _formula_text(formula, ring):
    if isinstance(formula, logic.Truth):
        return "TRUE" if formula.value else "FALSE"
    return to_str(formula, ring)


def _seconds_for_engine(args, clock):
    """What is left of ``--timeout`` for the engine (at least 1 ms), None without a limit."""
    return None if args.timeout is None else max(args.timeout - clock.elapsed(), 1e-3)


def cmd_qe(args, text, source, clock):
    """``cad qe FILE``: print a quantifier-free formula equivalent to the input (QEPCAD syntax),
    TRUE/FALSE for a sentence; ``--json`` prints {"formula", "cells", "seconds"}.
    Partial-CAD quantifier elimination (:mod:`cad.elimination`)."""
    problem = parse_smtlib(text) if args.smt2 else parse_qepcad(text, source=source)
    from cad.elimination import qe

    result = qe(problem, budget=Budget(_seconds_for_engine(args, clock)))
    out = _formula_text(result.formula, problem.ring)
    if args.json:
        print(json.dumps({**_batch_file(args), "formula": out, "cells": result.cells,
                          "seconds": round(result.seconds, 6)}))
    else:
        print(out)
    return EXIT_OK


def cmd_closed(args, text, source, clock):
    """``cad closed FILE``: decide whether the set defined by the QEPCAD-syntax formula (free
    variables = coordinates; quantifiers allowed) is closed (:func:`cad.topology.is_closed`).
    Prints ``closed`` or ``not closed`` followed by the exact witness (a point of the closure
    outside the set) and a few exact points of the set approaching it; ``--json`` prints
    {"answer", "closed", "reason", "witness", "approaching", "distances", "seconds", ...}."""
    problem = parse_qepcad(text, source=source)
    if args.approach < 0:
        raise InputError(f"--approach must be non-negative, got {args.approach}")
    if not problem.free:
        raise InputError("the formula has no free variables: nothing defines a set "
                         "(list the coordinates before the number of free variables)")
    from cad.topology import is_closed

    def value(x):
        r = getattr(x, "rational", None) if not hasattr(x, "numer") else x
        return str(r) if r is not None else str(x)

    res = is_closed(problem, timeout=_seconds_for_engine(args, clock), napproach=args.approach)
    seconds = round(clock.elapsed(), 6)
    if args.json:
        out = {"answer": "closed" if res.closed else "not closed", "closed": res.closed,
               "reason": res.reason, "route": res.route, "seconds": seconds,
               "formula": _formula_text(res.formula, res.ring)}
        if not res.closed:
            out["witness"] = {v: value(x) for v, x in res.witness.items()}
            out["witness_float"] = {v: float(x) for v, x in res.witness.items()}
            out["approaching"] = [{v: value(x) for v, x in p.items()} for p in res.approaching]
            out["distances"] = res.distances
            out["approach_rule"] = res.approach_rule
        print(json.dumps(out))
        return EXIT_OK
    if res.closed:
        print("closed")
        print(f"  reason: {res.reason}")
        return EXIT_OK
    print("not closed")
    print("  witness (in the closure, not in the set): "
          + ", ".join(f"{v} = {value(x)}" for v, x in res.witness.items()))
    if res.approaching:
        print("  points of the set approaching it (max-norm distance):")
        for p, d in zip(res.approaching, res.distances):
            print("    " + ", ".join(f"{v} = {value(x)}" for v, x in p.items()) + f"   ({d:.3g})")
        print(f"  rule: {res.approach_rule}")
    print(f"  reason: {res.reason}")
    return EXIT_OK


def build_parser():
    parser = argparse.ArgumentParser(prog="cad",
                                     description="Exact CAD-based quantifier elimination.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("qe", help="eliminate quantifiers from a QEPCAD B (or SMT-LIB2) input file")
    p.add_argument("file", help="input file, '-' for standard input")
    p.add_argument("more_files", nargs="*", metavar="FILE",
                   help="more input files, answered in the same process (see 'cad qe F1 F2')")
    p.add_argument("--smt2", action="store_true", help="the input is SMT-LIB2 (QF_NRA/NRA)")
    p.add_argument("--json", action="store_true", help='print {"formula", "cells", "seconds"}')
    p.add_argument("--timeout", type=float, default=None, help="seconds before answering unknown")
    p.set_defaults(func=cmd_qe)

    p = sub.add_parser("closed", help="decide whether the set defined by a formula is closed")
    p.add_argument("file",
                   help="QEPCAD B input file whose free variables define the set, '-' for stdin")
    p.add_argument("--json", action="store_true",
                   help='print {"answer", "closed", "witness", "approaching", "seconds", ...}')
    p.add_argument("--timeout", type=float, default=None, help="seconds before answering unknown")
    p.add_argument("--approach", type=int, default=5,
                   help="number of approaching points printed with a witness (default 5)")
    p.set_defaults(func=cmd_closed)
    return parser


def _unknown_output(args, seconds, reason, cells=None):
    """Standard output of an ``unknown`` answer (the budget ran out)."""
    if not args.json:
        return "unknown\n"
    if args.command == "qe":
        out = {**_batch_file(args), "formula": "unknown", "cells": cells}
    else:
        out = {"answer": "unknown", "closed": None}
    out.update({"seconds": round(seconds, 6), "reason": reason})
    return json.dumps(out) + "\n"


def _one_line(exc):
    """The exception as one line: its message, prefixed by its type unless it is ours."""
    text = " ".join(str(exc).split())
    if isinstance(exc, CadError):
        return text
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@deep
def _run(args):
    """Read the input, run the subcommand and turn any exception into its exit code: the one
    place where failures meet :func:`cad.errors.exit_code`.  Warnings (say an ignored QEPCAD
    command) go to standard error as one line each."""
    clock = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                text, source = _read_input(args.file)
                clock = Budget(args.timeout)   # the command's clock starts once the input is read
                return args.func(args, text, source, clock)
            finally:
                for w in caught:
                    print(f"cad: warning: {_one_line(w.message)}", file=sys.stderr)
    except Exception as exc:   # noqa: BLE001 -- every failure leaves as an exit code
        code = exit_code(exc)
        if code == EXIT_UNKNOWN:
            seconds = clock.elapsed() if clock is not None else 0.0
            sys.stdout.write(_unknown_output(args, seconds, str(exc), getattr(exc, "used", None)))
            print(f"cad: {exc}", file=sys.stderr)
        elif code == EXIT_BAD_INPUT:
            print(f"cad: error: {exc}", file=sys.stderr)
        else:
            print(f"cad: internal error: {_one_line(exc)}", file=sys.stderr)
        return code


def _run_captured(args):
    """``(exit code, standard output)`` of :func:`_run`."""
    import io

    buffer = io.StringIO()
    real_stdout = sys.stdout
    sys.stdout = buffer
    try:
        code = _run(args)
    finally:
        sys.stdout = real_stdout
    return code, buffer.getvalue()


def _run_with_hard_deadline(args):
    """Run the command in a forked child (:func:`cad.hard_deadline.run_with_hard_limit`) and answer
    ``unknown`` (exit 3) if it is still running :data:`cad.hard_deadline.HARD_LIMIT_GRACE` seconds
    after ``--timeout``.

    The engine checks its budget between steps, but one exact operation (say a resultant
    of very high degree inside flint) cannot be interrupted from Python and may take
    minutes; the command line promises an answer within the budget, so the parent
    enforces it.  The child's standard output is passed on only when it finishes, so an
    interrupted run prints nothing half-written; the child never outlives the parent."""
    clock = Budget(args.timeout)
    try:
        code, out = run_with_hard_limit(lambda: _run_captured(args), args.timeout)
    except Exception as exc:   # noqa: BLE001 -- the hard limit, or a child that died
        if exit_code(exc) != EXIT_UNKNOWN:
            print(f"cad: internal error: {_one_line(exc)}", file=sys.stderr)
            return EXIT_INTERNAL
        sys.stdout.write(_unknown_output(args, clock.elapsed(),
                                         f"time budget of {args.timeout} s exhausted (hard limit)"))
        print(f"cad: time budget of {args.timeout} s exhausted; the engine had not stopped by "
              "itself (inside one long exact operation), so it was stopped", file=sys.stderr)
        return EXIT_UNKNOWN
    sys.stdout.write(out)
    return code


def _batch_file(args):
    """``{"file": path}`` in the JSON output of a batch run (``cad qe F1 F2 ...``), else empty."""
    return {"file": args.file} if getattr(args, "batch", False) else {}


def _run_one(args):
    if args.timeout is not None and hasattr(os, "fork"):
        return _run_with_hard_deadline(args)
    return _run(args)


def _run_batch(args):
    """``cad qe F1 F2 ...``: answer every file in this one process, in the order given.

    Output: before each file's answer a header line ``# FILE``; with ``--json`` no header, and
    each file's JSON line carries ``"file"``.  Errors go to standard error as for one file.
    ``--timeout`` is a hard limit for each file separately (each file runs in its own forked
    child of this process, so the imports are paid once).  Exit code: the most severe of the
    per-file codes (:func:`cad.errors.worst_exit_code`: 0 < 3 unknown < 2 bad input < 4
    internal error)."""
    import copy

    import cad.elimination   # noqa: F401 -- imported once, before the per-file forks inherit it

    codes = []
    for path in [args.file] + list(args.more_files):
        one = copy.copy(args)
        one.file, one.more_files, one.batch = path, [], True
        if not args.json:
            print(f"# {path}", flush=True)
        codes.append(_run_one(one))
        sys.stdout.flush()
    return worst_exit_code(codes)


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        args.timeout = timeout_seconds(args.timeout, "--timeout")
    except InputError as exc:
        print(f"cad: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with output_outlives_reader():
        if getattr(args, "more_files", None):
            return _run_batch(args)
        return _run_one(args)


if __name__ == "__main__":
    sys.exit(main())
