"""A hard wall-clock limit: the work runs in a forked child that is killed at the deadline.

Long computations check their :class:`cad.budget.Budget` between exact steps, but one exact
operation (a resultant of very high degree inside flint, say) cannot be interrupted from
Python and may take minutes.  :func:`run_with_hard_limit` runs ``compute()`` in a child
process; the parent waits at most the allowance and kills the child when it is still
running.  The child dies with its parent, so no orphan keeps computing.  Used by
:func:`cad.qe` with ``timeout=``, the ``cad`` command, and (through
:func:`run_with_hard_deadline`, which also carries the child's standard output back so that
an interrupted run prints nothing half-written) ``netalgebra check`` and ``verify``.
"""

import gc
import io
import math
import os
import pickle
import select
import signal
import sys
import time

from cad.errors import BudgetExceeded, InputError, InternalError

__all__ = ["run_with_hard_limit", "run_with_hard_deadline", "available", "HARD_LIMIT_GRACE"]

# seconds the parent of a hard-limited child waits past the budget before killing it: the
# child's own budget fires first and it needs a moment to report ``unknown`` itself
HARD_LIMIT_GRACE = 0.3


def available(seconds):
    """True when a hard limit of ``seconds`` can be enforced (finite, > 0, and fork exists)."""
    return (seconds is not None and isinstance(seconds, (int, float)) and math.isfinite(seconds)
            and seconds > 0 and hasattr(os, "fork"))


_PRCTL = []   # libc's prctl, looked up once in the parent (None where there is none)


def _prctl():
    """libc's ``prctl``, resolved in the parent on the first hard-limited call: importing
    ctypes in every child would cost each call a millisecond of CPU and several of wall time."""
    if not _PRCTL:
        try:
            import ctypes

            _PRCTL.append(ctypes.CDLL(None, use_errno=True).prctl)
        except (OSError, AttributeError):
            _PRCTL.append(None)
    return _PRCTL[0]


def _die_with_parent(prctl):
    """Ask Linux to kill this (child) process when its parent dies, so that a killed parent
    never leaves an orphan computing on (best effort: a no-op elsewhere)."""
    if prctl is not None:
        prctl(1, 9)   # PR_SET_PDEATHSIG, SIGKILL


def _write_all(fd, data):
    """Write ``data`` to the pipe ``fd`` and close it, on the raw descriptor: a buffered file
    object (``os.fdopen``) would run the ``io`` module's code in the child, and every page of
    the parent's memory the child writes to (reference counts included) is copied: thirty to
    fifty pages more per call, at a few microseconds each."""
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _child_failure(exc):
    """A picklable description of ``exc`` for the parent (exception classes with their own
    constructors do not survive pickling)."""
    kind = ("budget" if isinstance(exc, BudgetExceeded)
            else "input" if isinstance(exc, InputError) else "internal")
    detail = " ".join(str(exc).split())
    if kind == "internal" and not isinstance(exc, InternalError):
        detail = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return kind, detail, getattr(exc, "what", None), getattr(exc, "limit", None), \
        getattr(exc, "used", None)


def _raise_child_failure(kind, detail, what, limit, used):
    if kind == "budget":
        raise BudgetExceeded(what, limit, used)
    if kind == "input":
        raise InputError(detail)
    raise InternalError(detail)


def run_with_hard_limit(compute, seconds, grace=HARD_LIMIT_GRACE):
    """``compute()`` run in a forked child, killed ``seconds + grace`` seconds from now.

    ``compute`` returns a picklable value, which is returned here.  An exception in the
    child is raised again here: :class:`BudgetExceeded` and :class:`InputError` as such,
    anything else as :class:`InternalError` with the original type in its message.  If the
    child is still running at the deadline it is killed (SIGKILL) and
    :class:`BudgetExceeded` is raised; it is also killed when this process is interrupted
    while waiting, and it dies with its parent, so no child outlives the call.
    Needs ``os.fork`` (POSIX); callers fall back to an in-process run without it.
    Not for processes that run other threads at the time of the call (fork copies one).
    """
    deadline = time.monotonic() + seconds + grace
    prctl = _prctl()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:   # child: never returns into the caller's code
        status = 0
        try:
            os.close(read_end)
            _die_with_parent(prctl)
            # the inherited objects live until os._exit: keep the cyclic collector off them,
            # so that its passes neither walk the parent's heap nor copy its pages (an O(1)
            # splice of the collector's lists; the child's own garbage is still collected unless
            # ``compute`` turns the collector off, as qe's child does)
            gc.freeze()
            try:
                payload = pickle.dumps(("ok", compute()))
            except BaseException as exc:   # noqa: BLE001 -- every failure goes to the parent
                payload = pickle.dumps(("error", _child_failure(exc)))
            _write_all(write_end, payload)
        except BaseException:   # noqa: BLE001
            status = 1
        finally:
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            finally:
                os._exit(status)
    os.close(write_end)
    chunks = []
    finished = False
    try:
        with os.fdopen(read_end, "rb") as fh:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                ready, _w, _x = select.select([fh], [], [], left)
                if ready:
                    chunk = os.read(fh.fileno(), 1 << 16)
                    if not chunk:
                        finished = True
                        break
                    chunks.append(chunk)
    finally:
        if not finished:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    if not finished:
        raise BudgetExceeded("time (seconds, hard limit: the computation was stopped from outside)",
                             round(seconds, 3))
    try:
        status, value = pickle.loads(b"".join(chunks))
    except Exception:   # noqa: BLE001 -- the child died before reporting
        raise InternalError("the worker process ended without an answer") from None
    if status == "error":
        _raise_child_failure(*value)
    return value


def run_with_hard_deadline(work, seconds):
    """Run ``work()`` (returning ``(exit_code, result)``, ``result`` picklable) under
    :func:`run_with_hard_limit`, capturing the child's standard output and error.

    Returns ``(exit_code, stdout_text, result)`` when the child finished in time (its
    standard error is written here), or None when it was killed at the deadline.  Raises
    :class:`InternalError` when the child ended without an answer."""
    sys.stdout.flush()
    sys.stderr.flush()

    def captured():
        out, err = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = out, err
        try:
            code, result = work()
        except BaseException as exc:   # noqa: BLE001 -- the child answers with exit code 4
            print(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=err)
            code, result = 4, None
        return code, out.getvalue(), err.getvalue(), result

    try:
        code, out, err, result = run_with_hard_limit(captured, seconds, grace=0.0)
    except BudgetExceeded:
        return None
    sys.stderr.write(err)
    return code, out, result
