"""A hard wall-clock limit: the work runs in a forked child that is killed at the deadline.

Long computations check their :class:`cad.budget.Budget` between exact steps, but one exact
operation (a resultant of very high degree inside flint, say) cannot be interrupted from
Python and may take minutes.  :func:`run_with_hard_limit` runs ``compute()`` in a child
process; the parent waits at most the allowance and kills the child when it is still
running.  The child dies with its parent, so no orphan keeps computing.
:func:`run_in_worker` does the same in a worker process kept between calls (forked once,
killed and forked again after a deadline): :func:`cad.qe` with ``timeout=`` uses it.
:func:`run_with_hard_limit` is used by the ``cad`` command, and (through
:func:`run_with_hard_deadline`, which also carries the child's standard output back so that
an interrupted run prints nothing half-written) ``netalgebra check`` and ``verify``.
"""

import atexit
import gc
import io
import math
import os
import pickle
import resource
import select
import signal
import sys
import threading
import time

from cad.errors import BudgetExceeded, InputError, InternalError

__all__ = ["run_with_hard_limit", "run_with_hard_deadline", "run_in_worker", "stop_worker",
           "retire_after_answer", "worker_cpu_seconds", "available", "HARD_LIMIT_GRACE"]

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


# ---------------------------------------------------------------------------
# the kept worker
# ---------------------------------------------------------------------------
#
# A child forked for one call copies every page of the parent it writes to: the reference
# counts of the code objects, functions, constants and types the engine runs, and the
# allocator's partly used pages.  Measured on parabola (a 28 MB process): about 900 such
# copies at about 4 us each, plus the fork and the exit of a 28 MB process, about 5 ms of CPU
# per call where the elimination itself takes 3-4 ms.  A worker kept between calls has made
# those copies once: its later requests run on its own pages.  The hard limit is unchanged:
# the parent waits for the answer until the deadline and kills the worker then (the next
# call forks a new one).


class _Worker:
    """A kept child serving requests: its pid, the request pipe's write end, the answer
    pipe's read end, the pid of the process that forked it, and the CPU time ``(user,
    system)`` it last reported (its whole life up to its last answer)."""

    __slots__ = ("pid", "requests", "answers", "owner", "cpu")

    def __init__(self, pid, requests, answers):
        self.pid, self.requests, self.answers = pid, requests, answers
        self.owner = os.getpid()
        self.cpu = (0.0, 0.0)


_WORKER = [None]
_RETIRING = [False]   # in the worker: exit after the current answer (retire_after_answer)


def retire_after_answer():
    """Called by a handler in the worker: the worker exits right after sending this answer,
    without freeing its memory (cheaper than freeing a large structure; the next call forks a
    new worker).  Outside a worker nothing happens."""
    _RETIRING[0] = True


def worker_cpu_seconds():
    """``(user, system)`` CPU seconds of this process's live worker up to its last answer, (0,
    0) when there is none.  A worker's time enters ``RUSAGE_CHILDREN`` only once it has been
    waited for (killed at a deadline, or :func:`stop_worker`), and from then on it is not
    counted here: ``RUSAGE_SELF + RUSAGE_CHILDREN + worker_cpu_seconds()`` counts every
    answered request once (benchmarks/qepcad_runner.py), the worker's collection after an answer
    with the next request."""
    w = _WORKER[0]
    return w.cpu if w is not None and w.owner == os.getpid() else (0.0, 0.0)


def stop_worker():
    """End this process's worker, if any (it is forked again at the next call that needs it).
    Code that changes the engine's modules at run time (a test's monkeypatch) calls it so that
    the next hard-limited call runs the changed code: the worker is a copy of the process as
    it was at the call that forked it."""
    w = _WORKER[0]
    _WORKER[0] = None
    if w is None:
        return
    for fd in (w.requests, w.answers):
        try:
            os.close(fd)
        except OSError:
            pass
    if w.owner != os.getpid():
        return   # a copy inherited through a fork: the worker belongs to the parent
    try:
        os.kill(w.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        os.waitpid(w.pid, 0)
    except ChildProcessError:
        pass


atexit.register(stop_worker)


def _read_exactly(fd, n):
    """``n`` bytes from ``fd``, or None at end of file before them."""
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def _write_frame(fd, data):
    """``data`` with its length in front (eight bytes, little-endian), on the raw descriptor."""
    view = memoryview(len(data).to_bytes(8, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _serve(requests, answers):
    """The worker's loop: a request is a pickled ``(handler, payload)``; the answer ``("ok",
    handler(payload))`` or ``("error", failure)``, with the worker's CPU time so far.  Ends when
    the request pipe is closed."""
    while True:
        header = _read_exactly(requests, 8)
        if header is None:
            return
        data = _read_exactly(requests, int.from_bytes(header, "little"))
        if data is None:
            return
        _RETIRING[0] = False
        try:
            handler, payload = pickle.loads(data)
            blob = pickle.dumps(("ok", handler(payload)))
        except BaseException as exc:   # noqa: BLE001 -- every failure goes to the parent
            blob = pickle.dumps(("error", _child_failure(exc)))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        _write_frame(answers, pickle.dumps(((usage.ru_utime, usage.ru_stime), _RETIRING[0], blob)))
        if _RETIRING[0]:
            return
        # cyclic garbage the request left (a handler may keep the collector off while it
        # runs); after the answer, and its time is in the next one's report
        gc.collect()


def _start_worker():
    prctl = _prctl()
    req_r, req_w = os.pipe()
    ans_r, ans_w = os.pipe()
    pid = os.fork()
    if pid == 0:   # the worker: never returns into the caller's code
        status = 0
        try:
            os.close(req_w)
            os.close(ans_r)
            _die_with_parent(prctl)
            # an interrupt at the terminal reaches the whole process group: the parent handles
            # it (and kills the worker when a request was under way)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            gc.freeze()    # the inherited objects stay outside the collector's passes
            _serve(req_r, ans_w)
        except BaseException:   # noqa: BLE001
            status = 1
        finally:
            os._exit(status)
    os.close(req_r)
    os.close(ans_w)
    return _Worker(pid, req_w, ans_r)


def _live_worker():
    """This process's worker, forked when there is none or it has died."""
    w = _WORKER[0]
    if w is not None and w.owner != os.getpid():
        stop_worker()   # inherited through a fork: forget it, the parent owns it
        w = None
    if w is not None:
        try:
            done, _status = os.waitpid(w.pid, os.WNOHANG)
        except ChildProcessError:   # already waited for by someone else
            done = w.pid
        if done:
            _WORKER[0] = None
            for fd in (w.requests, w.answers):
                os.close(fd)
            w = None
    if w is None:
        w = _WORKER[0] = _start_worker()
    return w


def run_in_worker(handler, payload, seconds, grace=HARD_LIMIT_GRACE):
    """``handler(payload)`` under the hard limit of :func:`run_with_hard_limit` (the same
    answers, exceptions and deadline: killed ``seconds + grace`` seconds from now), run in a
    worker process kept between calls instead of a child forked per call.

    ``handler`` is a module-level function (it travels by name) and ``payload`` and the
    answer are picklable.  The worker is forked at the first call and is a copy of this
    process at that moment (:func:`stop_worker` ends it, to run changed code).  It is used
    from the main thread only (Linux kills it when the thread that forked it ends); other
    threads, and a payload that does not pickle, get a child per call.  A worker still
    computing at the deadline is killed, and so is one whose parent is interrupted while
    waiting."""
    deadline = time.monotonic() + seconds + grace
    if threading.current_thread() is not threading.main_thread():
        return run_with_hard_limit(lambda: handler(payload), seconds, grace)
    try:
        request = pickle.dumps((handler, payload))
    except Exception:   # noqa: BLE001 -- a payload that does not pickle runs in a child
        return run_with_hard_limit(lambda: handler(payload), seconds, grace)
    w = _live_worker()
    try:
        try:
            _write_frame(w.requests, request)
        except BrokenPipeError:   # it died between the check and the request: a new one
            stop_worker()
            w = _live_worker()
            _write_frame(w.requests, request)
    except BaseException:
        stop_worker()   # interrupted mid-request (or the new one died too): none half-fed
        raise
    answered = False
    try:
        answer = _await_answer(w, deadline, seconds)
        answered = True
    finally:
        if not answered:      # the deadline, or an interrupt while waiting
            stop_worker()
    if answer is None:
        stop_worker()
        raise InternalError("the worker process ended without an answer")
    w.cpu, retiring, blob = answer
    if retiring:          # it exits now: wait for it, so that its exit counts with this call
        stop_worker()
    status, value = pickle.loads(blob)
    if status == "error":
        _raise_child_failure(*value)
    return value


def _await_answer(w, deadline, seconds):
    """The worker's ``((user, system), retiring, pickled (status, value))``, None when it ended
    without one; raises :class:`BudgetExceeded` at the deadline."""
    buf = bytearray()
    need = 8
    while len(buf) < need:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BudgetExceeded("time (seconds, hard limit: the computation was stopped from "
                                 "outside)", round(seconds, 3))
        ready, _w, _x = select.select([w.answers], [], [], left)
        if not ready:
            continue
        chunk = os.read(w.answers, max(need - len(buf), 1 << 16))
        if not chunk:
            return None
        buf += chunk
        if need == 8 and len(buf) >= 8:
            need = 8 + int.from_bytes(buf[:8], "little")
    return pickle.loads(bytes(buf[8:need]))
