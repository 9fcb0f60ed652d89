"""Exceptions shared by every layer of :mod:`cad`.

Every error names the offending field or position so that a user can fix the
input.  :func:`exit_code` is the one place that maps an exception to the exit code
both command-line tools return: 0 answer, 2 bad input, 3 unknown (budget spent),
4 internal error (a defect of ours, never the user's input).  :func:`output_outlives_reader`
keeps a closed output pipe from turning an answer into an internal error.
"""

import contextlib
import os
import sys

EXIT_OK, EXIT_BAD_INPUT, EXIT_UNKNOWN, EXIT_INTERNAL = 0, 2, 3, 4

# the exit codes from least to most severe: a command that answers several inputs in one run
# (``cad qe F1 F2 ...``) exits with the most severe of its per-input codes
EXIT_SEVERITY = (EXIT_OK, EXIT_UNKNOWN, EXIT_BAD_INPUT, EXIT_INTERNAL)


class CadError(Exception):
    """Base class of all errors raised by :mod:`cad`."""


class InputError(CadError, ValueError):
    """Bad input: wrong type, unknown variable, zero polynomial where a non-zero one is needed, ..."""


class ParseError(InputError):
    """Text that does not parse.  ``line`` and ``column`` are 1-based (``None`` when unknown)."""

    def __init__(self, message, line=None, column=None, source=None):
        self.message = message
        self.line = line
        self.column = column
        self.source = source
        where = ""
        if line is not None:
            where = f"line {line}, column {column}: " if column is not None else f"line {line}: "
        if source:
            where = f"{source}: {where}"
        super().__init__(where + message)


class BudgetExceeded(CadError):
    """A time or cell budget ran out.  Callers turn this into the verdict ``unknown``."""

    def __init__(self, what, limit, used=None):
        self.what = what
        self.limit = limit
        self.used = used
        msg = f"{what} budget of {limit} exhausted"
        if used is not None:
            msg += f" (used {used})"
        super().__init__(msg)


class InternalError(CadError):
    """An invariant of ours failed (not the user's input): exit code 4, please report it."""


def exit_code(exc):
    """The exit code for ``exc``: 2 bad input, 3 budget spent, 4 anything else (internal)."""
    if isinstance(exc, BudgetExceeded):
        return EXIT_UNKNOWN
    if isinstance(exc, InputError):
        return EXIT_BAD_INPUT
    return EXIT_INTERNAL


def worst_exit_code(codes):
    """The most severe of ``codes`` in the order of :data:`EXIT_SEVERITY` (0 < 3 < 2 < 4): an
    internal error outranks bad input, which outranks ``unknown``; 0 for no codes."""
    return max(codes, key=EXIT_SEVERITY.index, default=EXIT_OK)


class _ClosedPipeSafe:
    """A text stream that outlives its reader: once a write or flush meets a closed pipe, its
    descriptor is pointed at the null device and the rest of the output is dropped."""

    def __init__(self, stream):
        self._stream = stream

    def _reader_gone(self):
        try:
            target = self._stream.fileno()
        except (OSError, ValueError, AttributeError):   # no real descriptor (a test's capture)
            return
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, target)
        os.close(null)

    def write(self, text):
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            self._reader_gone()
            return len(text)

    def flush(self):
        try:
            self._stream.flush()
        except BrokenPipeError:
            self._reader_gone()

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def output_outlives_reader():
    """Standard output for a command whose reader may leave early (``netalgebra verify C.json |
    head``): the command still finishes and exits with its own code (the answer's, not an
    internal error for the closed pipe), and nothing is reported at interpreter exit."""
    stdout, sys.stdout = sys.stdout, _ClosedPipeSafe(sys.stdout)
    try:
        yield
    finally:
        sys.stdout = stdout
