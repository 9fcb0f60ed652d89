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
    """``cad qe FILE``: print a quantifier-free formula equivalent to the input (QEPCAD syntax),
    TRUE/FALSE for a sentence; ``--json`` prints {"formula", "cells", "seconds"}.
    Partial-CAD quantifier elimination (:mod:`cad.qe`)."""
    import time

    from cad.errors import BudgetExceeded, InputError

    text, source = _read_input(args.file)
    t0 = time.monotonic()
    try:
        from cad import formula as F

        problem = F.parse_smtlib(text) if args.smt2 else F.parse_qepcad(text, source=source)
    except InputError as exc:
        return _fail(str(exc))
    if args.timeout is not None and args.timeout <= 0:
        return _fail(f"--timeout must be positive, got {args.timeout}")
    from cad.qe import qe

    try:
        remaining = None if args.timeout is None else max(args.timeout - (time.monotonic() - t0), 1e-3)
        result = qe(problem, timeout=remaining)
    except BudgetExceeded as exc:
        if args.json:
            import json

            print(json.dumps({"formula": "unknown", "cells": getattr(exc, "used", None),
                              "seconds": round(time.monotonic() - t0, 6), "reason": str(exc)}))
        else:
            print("unknown")
        print(f"cad: {exc}", file=sys.stderr)
        return EXIT_UNKNOWN
    except InputError as exc:
        return _fail(str(exc))
    if isinstance(result.formula, F.Truth):
        out = "TRUE" if result.formula.value else "FALSE"
    else:
        out = F.to_str(result.formula, problem.ring)
    if args.json:
        import json

        print(json.dumps({"formula": out, "cells": result.cells, "seconds": round(result.seconds, 6)}))
    else:
        print(out)
    return EXIT_OK


# --- subcommand: closed (issue 5) ------------------------------------------------
def cmd_closed(args):
    """``cad closed FILE``: decide whether the set defined by the QEPCAD-syntax formula (free
    variables = coordinates; quantifiers allowed) is closed (:func:`cad.topology.is_closed`).
    Prints ``closed`` or ``not closed`` followed by the exact witness (a point of the closure
    outside the set) and a few exact points of the set approaching it; ``--json`` prints
    {"answer", "closed", "reason", "witness", "approaching", "distances", "seconds", ...}.
    Exit codes as ``cad qe``: 0 answer, 2 bad input, 3 budget exhausted (prints ``unknown``)."""
    import json
    import time

    from cad.errors import BudgetExceeded, CadError, InputError

    text, source = _read_input(args.file)
    t0 = time.monotonic()
    try:
        from cad import formula as F

        problem = F.parse_qepcad(text, source=source)
    except InputError as exc:
        return _fail(str(exc))
    if args.timeout is not None and args.timeout <= 0:
        return _fail(f"--timeout must be positive, got {args.timeout}")
    if args.approach < 0:
        return _fail(f"--approach must be non-negative, got {args.approach}")
    if not problem.free:
        return _fail("the formula has no free variables: nothing defines a set "
                     "(list the coordinates before the number of free variables)")
    from cad.topology import is_closed

    def value(x):
        r = getattr(x, "rational", None) if not hasattr(x, "numer") else x
        return str(r) if r is not None else str(x)

    try:
        remaining = None if args.timeout is None else max(args.timeout - (time.monotonic() - t0), 1e-3)
        res = is_closed(problem, timeout=remaining, napproach=args.approach)
    except BudgetExceeded as exc:
        if args.json:
            print(json.dumps({"answer": "unknown", "closed": None,
                              "seconds": round(time.monotonic() - t0, 6), "reason": str(exc)}))
        else:
            print("unknown")
        print(f"cad: {exc}", file=sys.stderr)
        return EXIT_UNKNOWN
    except InputError as exc:
        return _fail(str(exc))
    except CadError as exc:   # an internal failure of the engine: no verdict, no traceback
        print(f"cad: internal error: {exc}", file=sys.stderr)
        return 1
    seconds = round(time.monotonic() - t0, 6)
    if args.json:
        out = {"answer": "closed" if res.closed else "not closed", "closed": res.closed,
               "reason": res.reason, "route": res.route, "seconds": seconds,
               "formula": F.to_str(res.formula, res.ring) if not isinstance(res.formula, F.Truth)
               else ("TRUE" if res.formula.value else "FALSE")}
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
    p.add_argument("--json", action="store_true",
                   help='print {"answer", "closed", "witness", "approaching", "seconds", ...}')
    p.add_argument("--timeout", type=float, default=None, help="seconds before answering unknown")
    p.add_argument("--approach", type=int, default=5,
                   help="number of approaching points printed with a witness (default 5)")
    p.set_defaults(func=cmd_closed)
    return parser


class _Args:
    """The parsed options of a plain invocation (what argparse's Namespace would hold)."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def _plain_args(argv):
    """Parse the common invocations ``qe FILE [--smt2] [--json] [--timeout S]`` and
    ``closed FILE [--json] [--timeout S] [--approach N]`` without argparse, whose import
    (with locale, gettext and shutil) costs the command line about 8 ms against a QEPCAD B
    run of 0.1-0.2 s.  Anything else -- help, abbreviations, ``--opt=value``, repeated or
    malformed options -- returns None and goes through argparse, which gives the usual
    messages; so both paths accept exactly the same plain invocations."""
    if not argv or argv[0] not in ("qe", "closed"):
        return None
    command = argv[0]
    flags = {"--json"} | ({"--smt2"} if command == "qe" else set())
    valued = {"--timeout": float} | ({"--approach": int} if command == "closed" else {})
    opts = {"json": False, "smt2": False, "timeout": None, "approach": 5}
    seen, files = set(), []
    i = 1
    while i < len(argv):
        a = argv[i]
        if a in seen:
            return None
        if a in flags:
            opts[a[2:]] = True
            seen.add(a)
        elif a in valued:
            if i + 1 >= len(argv):
                return None
            try:
                opts[a[2:]] = valued[a](argv[i + 1])
            except ValueError:
                return None
            seen.add(a)
            i += 1
        elif a.startswith("-") and a != "-":
            return None
        else:
            files.append(a)
        i += 1
    if len(files) != 1:
        return None
    func = cmd_qe if command == "qe" else cmd_closed
    return _Args(command=command, file=files[0], func=func, **opts)


def _unknown_output(args, seconds, reason):
    if not args.json:
        return "unknown\n"
    import json

    if args.command == "qe":
        out = {"formula": "unknown", "cells": None}
    else:
        out = {"answer": "unknown", "closed": None}
    out.update({"seconds": round(seconds, 6), "reason": reason})
    return json.dumps(out) + "\n"


def _run_with_hard_deadline(args):
    """Run the command in a forked child and answer ``unknown`` (exit 3) if it is still
    running shortly after ``--timeout`` seconds.

    The engine checks its budget between steps, but one exact operation (say a resultant
    of very high degree inside flint) cannot be interrupted from Python and may take
    minutes; the command line promises an answer within the budget, so the parent
    enforces it.  The child's standard output is passed on only when it finishes, so an
    interrupted run prints nothing half-written."""
    import io
    import os
    import select
    import signal
    import time

    t0 = time.monotonic()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:   # child: compute, send "<exit code>\n<stdout>" through the pipe
        os.close(read_end)
        buffer = io.StringIO()
        real_stdout = sys.stdout
        sys.stdout = buffer
        try:
            code = args.func(args)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else EXIT_BAD_INPUT
        except BaseException:   # report like an uncaught exception would, then fail
            import traceback

            traceback.print_exc()
            code = 1
        sys.stdout = real_stdout
        data = f"{code}\n{buffer.getvalue()}".encode()
        with os.fdopen(write_end, "wb") as fh:
            fh.write(data)
        sys.stderr.flush()
        os._exit(0)
    os.close(write_end)
    # the engine's own budget should fire first; allow it a margin before killing
    deadline = t0 + args.timeout * 1.1 + 1.0
    chunks = []
    eof = False
    with os.fdopen(read_end, "rb") as fh:
        while not eof:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            ready, _w, _x = select.select([fh], [], [], left)
            if ready:
                chunk = os.read(fh.fileno(), 1 << 16)
                chunks.append(chunk)
                eof = not chunk
    if not eof:   # still running: the budget is spent
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.stdout.write(_unknown_output(args, time.monotonic() - t0,
                                         f"time budget of {args.timeout} s exhausted (hard limit)"))
        print(f"cad: time budget of {args.timeout} s exhausted inside a single exact "
              "operation; stopped", file=sys.stderr)
        return EXIT_UNKNOWN
    os.waitpid(pid, 0)
    text = b"".join(chunks).decode()
    code_text, _nl, out = text.partition("\n")
    sys.stdout.write(out)
    return int(code_text) if code_text.strip().lstrip("-").isdigit() else 1


def main(argv=None):
    if argv is None:
        argv = sys.argv[1:]
    args = _plain_args(list(argv))
    if args is None:
        args = build_parser().parse_args(argv)
    import os

    if getattr(args, "timeout", None) is not None and args.timeout > 0 and hasattr(os, "fork"):
        return _run_with_hard_deadline(args)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
