"""Run QEPCAD B as a user runs it, and read what it reports (shared by the QE benchmarks and the
collection test).

* **Memory.** QEPCAD B is started at its default memory (no ``+N``).  Only when it reports
  that it ran out (``Too few cells reclaimed.`` / ``No arrays reclaimed.``, printed by saclib's
  garbage collector before it aborts) is it re-run with ten times more cells, then a hundred
  times more.  A larger ``+N`` costs start-up time on every run (about 0.07 s at
  ``+N20000000``), so starting there would charge QEPCAD B for memory it does not need.
* **Its own clock.** At the end QEPCAD B prints ``System time: T ms`` and ``System time after
  the initialization: T' ms``.  Both come from saclib's ``CLOCK()``, which is
  ``getrusage(RUSAGE_SELF).ru_utime`` (user CPU time of the process) truncated to
  milliseconds; ``T'`` leaves out the time spent before the problem is read (allocating
  the cell space, building prime tables).  The in-process comparison measures our side with the
  same clock (:func:`user_cpu_seconds`).  Because of the 1 ms resolution, a reported 0 ms
  is counted as 0.5 ms in ratios (:data:`QEPCAD_CLOCK_FLOOR`).
* **Messages.** Lines from ``Error``/``ERROR``/``Warning``/``WARNING`` (e.g.
  ``Error! Delineating polynomial should be added over cell ...``, printed when McCallum's
  projection is not known to be valid for the input) and ``Failure occurred in`` are kept, so
  a table can say where QEPCAD B's answer comes with a caveat.
"""

from __future__ import annotations

import re
import resource
import shutil
import subprocess
import time
from dataclasses import dataclass, field

ANSWER_MARK = "An equivalent quantifier-free formula:"
OUT_OF_MEMORY = ("Too few cells reclaimed", "No arrays reclaimed")
MEMORY_LADDER = (None, "+N20000000", "+N200000000")   # default, then 10x, then 100x cells
QEPCAD_CLOCK_FLOOR = 0.0005   # seconds: a reported "0 milliseconds" counts as half a millisecond
_MESSAGE = re.compile(r"((?:Error|ERROR|Warning|WARNING|Failure occurred)[^\n]*)")


@dataclass
class QepcadRun:
    """One QEPCAD B run: ``status`` is ``answer``, ``no answer`` (it ended without a formula,
    e.g. after a failure), ``out of memory`` (even at the largest space tried) or ``timeout``;
    ``wall`` is the whole-process wall-clock time in seconds, ``cpu`` and ``cpu_after_init``
    its own reported times in seconds (None when it did not print them), ``memory`` the ``+N``
    option that was needed (None: the default), ``messages`` its warnings and errors."""

    status: str
    answer: str | None = None
    wall: float | None = None
    cpu: float | None = None
    cpu_after_init: float | None = None
    memory: str | None = None
    messages: list = field(default_factory=list)
    output: str = ""


def qepcad_binary():
    """Path of ``qepcad``, or None when QEPCAD B is not installed."""
    return shutil.which("qepcad")


def user_cpu_seconds():
    """User CPU time of this process, of its finished children and of its live worker: the
    clock QEPCAD B reports (``ru_utime``).  The others count because ``qe(..., timeout=...)``
    does its work in another process under the hard limit, the worker kept between calls
    (:func:`cad.hard_deadline.run_in_worker`; its time up to its last answer, as it reports it)
    or a forked child (counted once it has been waited for)."""
    from cad.hard_deadline import worker_cpu_seconds

    return (resource.getrusage(resource.RUSAGE_SELF).ru_utime
            + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime + worker_cpu_seconds()[0])


def cpu_seconds():
    """User plus system CPU time of this process, of its finished children and of its live
    worker.  The kernel may split a short process's time between user and system by sampling at
    clock ticks, so a few milliseconds can land on either side; their sum is the scheduler's
    accurate run time."""
    from cad.hard_deadline import worker_cpu_seconds

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
            + sum(worker_cpu_seconds()))


def _answer(text):
    if ANSWER_MARK not in text:
        return None
    rest = text.split(ANSWER_MARK, 1)[1].strip("\n")
    lines = []
    for line in rest.splitlines():
        if not line.strip() or line.strip().startswith("====="):
            if lines:
                break
            continue
        lines.append(line.strip())
    return " ".join(lines)


def _ms(pattern, text):
    m = re.search(pattern + r"\s*(\d+)\s*milliseconds", text)
    return int(m.group(1)) / 1000.0 if m else None


def run_qepcad(text, binary=None, timeout=60.0):
    """Run QEPCAD B on the input ``text`` (a complete QEPCAD B input ending with ``finish``) at
    its default memory, with more only when it reports running out (:data:`MEMORY_LADDER`)."""
    binary = binary or qepcad_binary()
    run = None
    for memory in MEMORY_LADDER:
        cmd = [binary] + ([memory] if memory else [])
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(cmd, input=text, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return QepcadRun("timeout", wall=time.perf_counter() - t0, memory=memory)
        wall = time.perf_counter() - t0
        out = proc.stdout + proc.stderr
        answer = _answer(out)
        messages = list(dict.fromkeys(m.strip() for m in _MESSAGE.findall(out)))
        run = QepcadRun("answer" if answer is not None else "no answer", answer, wall,
                        _ms(r"System time:", out),
                        _ms(r"System time after the initialization:", out),
                        memory, messages, out)
        if answer is None and any(s in out for s in OUT_OF_MEMORY):
            run.status = "out of memory"
            continue
        return run
    return run
