"""The one time budget: a wall-clock allowance that long computations consult.

Every function of ``cad`` and ``netalgebra`` that can run long takes ``budget``, a
:class:`Budget` (or ``None``: unlimited) and calls :meth:`Budget.check` between exact
steps.  A spent budget raises :class:`cad.errors.BudgetExceeded`, which callers turn
into the verdict ``unknown`` -- never into a guess.  Public entry points keep their
``timeout=`` seconds and wrap it once with :meth:`Budget.of`.

A budget checked between steps cannot stop one long exact operation (a flint resultant of
high degree runs for minutes without returning to Python).  :func:`run_with_hard_limit`
enforces a budget from outside: the work runs in a forked child that is killed shortly
after the budget; the ``cad`` command and :func:`cad.qe` with ``timeout=`` use it.
"""

import math
import os
import pickle
import time

from cad.errors import BudgetExceeded, InputError, InternalError

__all__ = ["Budget", "timeout_seconds", "run_with_hard_limit", "HARD_LIMIT_GRACE"]

# seconds the parent of a hard-limited child waits past the budget before killing it: the
# child's own budget fires first and it needs a moment to report ``unknown`` itself
HARD_LIMIT_GRACE = 0.3


def timeout_seconds(value, name="timeout"):
    """``value`` (seconds) checked as a time budget: a positive number, ``inf`` or ``None``
    meaning no limit (both returned as ``None``).  NaN, zero, negative and non-numbers raise
    :class:`cad.errors.InputError` naming ``name``."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number of seconds, got {value!r}") from None
    if math.isnan(seconds) or seconds <= 0:
        raise InputError(f"{name} must be a positive number of seconds (or inf), got {value!r}")
    return None if math.isinf(seconds) else seconds


class Budget:
    """``seconds`` of wall-clock time from construction (``None``: no limit)."""

    __slots__ = ("seconds", "start", "deadline")

    def __init__(self, seconds=None):
        if seconds is not None and seconds != seconds:
            raise InputError("a time budget cannot be NaN seconds")
        self.seconds = seconds
        self.start = time.monotonic()
        self.deadline = None if seconds is None or math.isinf(seconds) else self.start + float(seconds)

    @classmethod
    def of(cls, budget):
        """``budget`` itself when it is a Budget, otherwise ``Budget(budget)`` (seconds or None)."""
        return budget if isinstance(budget, cls) else cls(budget)

    def remaining(self):
        """Seconds left (never negative), or ``None`` when unlimited."""
        return None if self.deadline is None else max(0.0, self.deadline - time.monotonic())

    def expired(self):
        return self.deadline is not None and time.monotonic() >= self.deadline

    def check(self, what="time (seconds)"):
        """Raise :class:`BudgetExceeded` once the allowance is spent."""
        if self.expired():
            raise BudgetExceeded(what, self.seconds)

    def elapsed(self):
        return time.monotonic() - self.start

    def sub(self, seconds):
        """A budget of at most ``seconds`` that also ends when this one does."""
        inner = Budget(seconds)
        if self.deadline is not None and (inner.deadline is None or self.deadline < inner.deadline):
            inner.deadline, inner.seconds = self.deadline, self.seconds
        return inner

    def __repr__(self):
        return f"Budget({self.seconds!r}, remaining={self.remaining()!r})"


def _die_with_parent():
    """Ask Linux to kill this (child) process when its parent dies, so that a killed parent
    never leaves an orphan computing on (best effort: a no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, 9)   # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        pass


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
    import select
    import signal

    deadline = time.monotonic() + seconds + grace
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:   # child: never returns into the caller's code
        status = 0
        try:
            os.close(read_end)
            _die_with_parent()
            try:
                payload = pickle.dumps(("ok", compute()))
            except BaseException as exc:   # noqa: BLE001 -- every failure goes to the parent
                payload = pickle.dumps(("error", _child_failure(exc)))
            with os.fdopen(write_end, "wb") as fh:
                fh.write(payload)
        except BaseException:   # noqa: BLE001
            status = 1
        finally:
            try:
                import sys

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
