"""A hard wall-clock limit for a command: the work runs in a forked child process.

Long computations check their :class:`cad.budget.Budget` between exact steps, but one exact
operation (a resultant of very high degree inside flint, say) cannot be interrupted from
Python and may take minutes.  A command line that promises an answer within ``--timeout``
therefore runs its work in a child (:func:`run_with_hard_deadline`); the parent waits at most
the allowance and kills the child when it is still running.  The child's standard output and
its result are passed back only when it finishes, so an interrupted run prints nothing
half-written, and files are written by the parent after a finished run (never half-written).
Used by the ``cad`` and ``netalgebra check`` commands.
"""

import io
import math
import os
import pickle
import select
import signal
import sys
import time

from cad.errors import InternalError

__all__ = ["run_with_hard_deadline", "available"]


def available(seconds):
    """True when a hard limit of ``seconds`` can be enforced (finite, > 0, and fork exists)."""
    return (seconds is not None and isinstance(seconds, (int, float)) and math.isfinite(seconds)
            and seconds > 0 and hasattr(os, "fork"))


def _die_with_parent():
    """Linux: the child is killed when the parent dies (no orphan keeps computing)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except Exception:   # noqa: BLE001 -- not Linux: the child's own budget still ends it
        pass


def run_with_hard_deadline(work, seconds):
    """Run ``work()`` in a forked child for at most ``seconds`` of wall-clock time.

    ``work`` returns ``(exit_code, result)`` with a picklable ``result``.  The child's
    standard error is written to this process's when it finishes.  Returns
    ``(exit_code, stdout_text, result)`` when the child finished in time, or None when it
    was killed at the deadline.  Raises :class:`InternalError` when the child ended without
    an answer (killed by a signal, e.g. an abort inside flint)."""
    t0 = time.monotonic()
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:   # child: compute, send pickle((code, stdout, result)) through the pipe
        os.close(read_end)
        _die_with_parent()
        buffer, errors = io.StringIO(), io.StringIO()
        sys.stdout, sys.stderr = buffer, errors
        try:
            code, result = work()
        except BaseException as exc:   # the child must never return into the parent's code
            print(f"internal error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
            code, result = 4, None
        try:
            data = pickle.dumps((code, buffer.getvalue(), errors.getvalue(), result))
        except Exception:   # noqa: BLE001
            data = pickle.dumps((4, buffer.getvalue(), errors.getvalue(), None))
        with os.fdopen(write_end, "wb") as fh:
            fh.write(data)
        os._exit(0)
    os.close(write_end)
    deadline = t0 + seconds
    chunks = []
    eof = False
    try:
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
    finally:
        if not eof:   # still running (or we are interrupted): never leave it behind
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os.waitpid(pid, 0)
    if not eof:
        return None
    try:
        code, out, err, result = pickle.loads(b"".join(chunks))
    except Exception:   # noqa: BLE001 -- the child died before sending its answer
        raise InternalError("the worker process ended without an answer") from None
    sys.stderr.write(err)
    return code, out, result
