"""Running a census: plan the rows, decide them on local or Dask workers, write the CSV.

**Reductions** (:func:`netalgebra.graph.reduce`).  Each representative is pruned (neurons
on no input -> output path removed) and split into connected components; ``L_I`` is
closed iff every component's is (docs/mathematics.md, "Reductions that preserve closedness
of L_I").  A component, padded back with zeros to
the full shape, is itself a raw pattern of this census (its bits are a subset of the
row's); so

* a row equal to its only padded component is a *decision row*: ``decide`` is called on
  its live part (the component), under the per-pattern budget;
* every other row *reduces to* the rows of its padded components -- strictly smaller,
  already decided (or decided first) rows of the same CSV -- and reuses their verdicts:
  not closed if one component is, closed if all are, unknown otherwise; reason
  ``reduces to <rows>``; ``seconds`` = 0;
* a row with no input -> output path has ``L_I = {0}``: closed.

**CSV** columns ``pattern`` (compact JSON ``{"masks": [M1, ..., ML]}`` of the representative),
``orbit_size``, ``verdict`` (closed / not_closed / unknown), ``reason``, ``seconds``
(wall time of the decide call made for this row).  Rows are appended and flushed as
they finish; on restart the rows already present are skipped (and their verdicts reused
by rows that reduce to them), except unknown rows with ``retry_unknown`` (the file is then
rewritten without them first).  A partial last line (killed while writing) is dropped.

**Executors.**  A local pool of worker processes (default; a worker that overruns its
budget by a wide margin is killed and the row is unknown -- never a hang) or a
dask.distributed cluster (``scheduler=ADDRESS`` or ``client=Client``; there the budget
is decide's own clock).  Results are the same either way, apart from ``seconds``.

Besides the standard library and light modules of this package, only dask (by the Dask
executor) and :mod:`netalgebra.decide` (in the workers) are imported, where they are used.
"""

from __future__ import annotations

import csv
import json
import multiprocessing as mp
import os
import sys
import time
from dataclasses import dataclass, field
from multiprocessing.connection import wait as wait_ready

from cad.errors import InputError, InternalError
from netalgebra.census.enumerate import CensusShape, enumerate_orbits
from netalgebra.graph import reduce as reduce_pattern
from netalgebra.pattern import SparsityPattern

__all__ = ["RowPlan", "CensusResult", "plan", "run_census", "read_rows", "COLUMNS", "VERDICTS"]

COLUMNS = ("pattern", "orbit_size", "verdict", "reason", "seconds")
VERDICTS = ("closed", "not_closed", "unknown")


# --- planning: reductions -------------------------------------------------------------------

@dataclass
class RowPlan:
    """One census row (an orbit).  ``components``: representatives of the rows of its padded
    components (empty: L_I = {0}).  ``job``: masks of the live part to decide when the row is
    a decision row (its only padded component is itself), else None."""

    rep: int
    size: int
    nnz: int
    components: tuple
    job: tuple | None = None
    pruned: bool = False


def _plan_row(cs, orbit):
    x = orbit.rep
    masks = cs.to_masks(x)
    red = reduce_pattern(SparsityPattern(masks))
    comps = []
    job = None
    pruned = False
    for comp in red.components:
        nb = comp.neurons
        y = 0
        for l in range(1, len(nb)):
            for i in nb[l]:
                for j in nb[l - 1]:
                    if masks[l - 1][i][j]:
                        y |= cs.bit(cs.pos(l, i, j))
        if len(red.components) == 1 and y == x:
            job = comp.pattern.masks
            pruned = comp.pattern.widths != cs.shape
            comps.append(x)
        else:
            comps.append(cs.canon(y))
    return RowPlan(x, orbit.size, x.bit_count(), tuple(comps), job, pruned)


def plan(shape, orbits=None):
    """RowPlans of every orbit of ``shape`` (see :class:`RowPlan`)."""
    cs = shape if isinstance(shape, CensusShape) else CensusShape(shape)
    if orbits is None:
        orbits = enumerate_orbits(cs)
    return [_plan_row(cs, o) for o in orbits]


# --- deciding ------------------------------------------------------------------------------

def _decide_job(masks, timeout):
    """Run :func:`netalgebra.decide.decide` on ``masks``; plain values out (picklable).
    An exception inside decide is reported as unknown with its message -- never a guess."""
    t0 = time.perf_counter()
    try:
        from netalgebra.decide import decide    # in the worker only: the parent never decides

        v = decide(SparsityPattern(masks), timeout)
        return v.status, v.reason, time.perf_counter() - t0
    except Exception as e:  # noqa: BLE001 -- recorded in the CSV, the run goes on
        return "unknown", f"decide raised {type(e).__name__}: {e}", time.perf_counter() - t0


def _worker_main(conn, func):
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        key, args = msg
        conn.send((key, func(*args)))


def _local_executor(jobs, workers, hard_limit=None, func=_decide_job):
    """Yield ``(key, result)`` as jobs finish, on ``workers`` spawned processes; the result of
    job ``(key, args)`` is ``func(*args)`` (for :func:`_decide_job`: ``(status, reason, seconds)``).

    A worker busy for more than ``hard_limit`` seconds is killed and restarted; its job's
    result is ``("unknown", "hard time limit ...", seconds)``.
    """
    if not jobs:
        return
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    ctx = mp.get_context("spawn")     # no fork of a process that may hold threads (dask, tests)
    pending = list(reversed(jobs))
    slots = []

    def start():
        a, b = ctx.Pipe()
        p = ctx.Process(target=_worker_main, args=(b, func), daemon=True)
        p.start()
        b.close()
        return {"proc": p, "conn": a, "job": None, "t": 0.0}

    def assign(s):
        if pending and s["job"] is None:
            key, args = pending.pop()
            s["job"], s["t"] = key, time.monotonic()
            s["conn"].send((key, tuple(args)))

    try:
        for _ in range(workers):
            s = start()
            slots.append(s)
            assign(s)
        while any(s["job"] is not None for s in slots):
            ready = wait_ready([s["conn"] for s in slots if s["job"] is not None], timeout=0.5)
            for s in slots:
                if s["conn"] in ready:
                    try:
                        key, res = s["conn"].recv()
                    except (EOFError, OSError):
                        key, res = s["job"], ("unknown", "worker process died", time.monotonic() - s["t"])
                        s["proc"].kill()
                        s["proc"].join()
                        s.update(start())
                    s["job"] = None
                    yield key, res
                    assign(s)
            if hard_limit is not None:
                now = time.monotonic()
                for s in slots:
                    if s["job"] is not None and now - s["t"] > hard_limit:
                        key, el = s["job"], now - s["t"]
                        s["proc"].kill()
                        s["proc"].join()
                        s["conn"].close()
                        s.update(start())
                        yield key, ("unknown", f"hard time limit: worker killed after {el:.1f} s", el)
                        assign(s)
    finally:
        for s in slots:
            try:
                if s["job"] is None:
                    s["conn"].send(None)
            except OSError:
                pass
        for s in slots:
            s["proc"].join(timeout=2)
            if s["proc"].is_alive():
                s["proc"].kill()
                s["proc"].join()
            s["conn"].close()


def _dask_executor(jobs, timeout, scheduler=None, client=None):
    """Yield ``(key, result)`` as jobs finish on a dask.distributed cluster."""
    from distributed import Client, as_completed

    own = client is None
    if own:
        client = Client(scheduler)
    try:
        futs = {}
        for key, masks in jobs:
            f = client.submit(_decide_job, masks, timeout, pure=False)
            futs[f] = key
        for f in as_completed(list(futs)):
            key = futs[f]
            try:
                res = f.result()
            except Exception as e:  # noqa: BLE001 -- e.g. a worker lost
                res = ("unknown", f"dask task failed: {type(e).__name__}: {e}", 0.0)
            yield key, tuple(res)
    finally:
        if own:
            client.close()


# --- CSV -----------------------------------------------------------------------------------

def _prepare_csv(path, retry_unknown=False):
    """Make ``path`` end at a complete line (a run killed while writing leaves a partial
    one) and return the parsed rows already there.  With ``retry_unknown`` the unknown
    rows are removed first (the file is rewritten atomically) so that they are redone."""
    if not os.path.exists(path) or os.path.getsize(path) == 0:
        return []
    with open(path, "rb+") as fh:
        data = fh.read()
        if not data.endswith(b"\n"):
            cut = data.rfind(b"\n") + 1
            fh.truncate(cut)
    rows = read_rows(path)
    if retry_unknown and any(r["verdict"] == "unknown" for r in rows):
        rows = [r for r in rows if r["verdict"] != "unknown"]
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(COLUMNS)
            for r in rows:
                w.writerow([r["pattern"], r["orbit_size"], r["verdict"], r["reason"], f"{r['seconds']:.4f}"])
        os.replace(tmp, path)
    return rows


def read_rows(path):
    """The rows of a census CSV as dicts (orbit_size int, seconds float)."""
    import io

    from netalgebra.inputfile import read_text

    rows = []
    reader = csv.DictReader(io.StringIO(read_text(path, "census CSV"), newline=""))
    try:
        if reader.fieldnames is None:
            return rows
        if tuple(reader.fieldnames) != COLUMNS:
            raise InputError(f"{path}: not a census CSV (columns {reader.fieldnames}, expected {list(COLUMNS)})")
        for n, r in enumerate(reader, start=2):
            try:
                if not all(isinstance(r[k], str) and r[k].isascii() for k in ("orbit_size", "seconds")):
                    raise ValueError("non-ASCII number")
                r["orbit_size"] = int(r["orbit_size"])
                r["seconds"] = float(r["seconds"])
            except (TypeError, ValueError):
                raise InputError(f"{path}, line {n}: bad orbit_size / seconds") from None
            if r["verdict"] not in VERDICTS:
                raise InputError(f"{path}, line {n}: verdict {r['verdict']!r} is not one of {VERDICTS}")
            rows.append(r)
    except csv.Error as exc:
        raise InputError(f"{path}: malformed CSV ({exc})") from None
    return rows


# --- progress ------------------------------------------------------------------------------

class _Progress:
    def __init__(self, total, stream, enabled):
        self.total, self.stream, self.enabled = total, stream, enabled
        self.done = 0
        self.counts = dict.fromkeys(VERDICTS, 0)
        self.t0 = time.monotonic()
        self.last = 0.0
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()

    def update(self, verdict, force=False):
        if verdict is not None:
            self.done += 1
            self.counts[verdict] += 1
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self.last < (0.2 if self.tty else 10.0):
            return
        self.last = now
        frac = self.done / self.total if self.total else 1.0
        bar = "#" * int(30 * frac) + "." * (30 - int(30 * frac))
        c = self.counts
        line = (f"census [{bar}] {self.done}/{self.total} rows  closed {c['closed']}  "
                f"not_closed {c['not_closed']}  unknown {c['unknown']}  {now - self.t0:.1f} s")
        self.stream.write(("\r" + line) if self.tty else (line + "\n"))
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.update(None, force=True)
            if self.tty:
                self.stream.write("\n")
                self.stream.flush()


# --- the run -------------------------------------------------------------------------------

@dataclass
class CensusResult:
    shape: tuple
    raw: int                 # 2^B raw patterns
    orbits: int              # rows of the complete census
    skipped: int             # rows found in the CSV at start
    written: int             # rows appended by this run
    decided: int             # decide calls made by this run
    seconds: float
    counts: dict = field(default_factory=dict)    # verdict -> rows (whole CSV, this shape)


def _combine(statuses):
    if any(s == "not_closed" for s in statuses):
        return "not_closed"
    if all(s == "closed" for s in statuses):
        return "closed"
    return "unknown"


def run_census(shape, out, *, timeout=10.0, workers=None, scheduler=None, client=None,
               progress=False, stream=None, on_row=None, hard_limit=None, retry_unknown=False):
    """Decide every orbit of the layered patterns of ``shape`` (two or more weight layers), appending rows to the CSV ``out``.

    ``scheduler`` (address) or ``client`` (a ``distributed.Client``) selects the dask
    executor, else a local pool of ``workers`` processes (default: all cores).
    ``on_row(row_dict)`` is called after each row is written (flushed).  Rows already in
    ``out`` are skipped, unless unknown and ``retry_unknown`` (e.g. with a larger budget or
    a newer ``decide``).  Returns a :class:`CensusResult`.
    """
    t_start = time.monotonic()
    cs = CensusShape(shape)
    if timeout is not None and timeout <= 0:
        raise InputError(f"timeout {timeout!r} must be > 0 seconds")
    if workers is not None and workers < 1:
        raise InputError(f"workers {workers!r} must be >= 1")
    existing = _prepare_csv(out, retry_unknown)
    known = {}          # rep -> (verdict, reason) of rows already in the CSV
    for n, r in enumerate(existing, start=2):
        try:
            x = cs.canon(cs.from_json(r["pattern"]))
        except InputError as e:
            raise InputError(f"{out}, line {n}: {e}") from None
        known[x] = r["verdict"]
    plans = plan(cs)
    by_rep = {p.rep: p for p in plans}
    todo = [p for p in plans if p.rep not in known]
    jobs = sorted(((p.nnz, p.rep) for p in todo if p.job is not None))
    jobs = [(rep, by_rep[rep].job) for _, rep in jobs]
    # rows waiting for the verdicts of their components
    waiting = {}
    for p in todo:
        if p.job is None:
            for c in set(p.components):
                waiting.setdefault(c, []).append(p.rep)
    verdicts = dict(known)
    prog = _Progress(len(plans), stream if stream is not None else sys.stderr, progress)
    prog.done = len(known)
    for v in known.values():
        prog.counts[v] += 1
    new_file = not existing and (not os.path.exists(out) or os.path.getsize(out) == 0)
    written = decided = 0
    fh = open(out, "a", newline="", encoding="utf-8")
    try:
        writer = csv.writer(fh, lineterminator="\n")
        if new_file:
            writer.writerow(COLUMNS)
            fh.flush()

        def emit(p, verdict, reason, seconds):
            nonlocal written
            row = {"pattern": cs.to_json(p.rep), "orbit_size": p.size, "verdict": verdict,
                   "reason": reason, "seconds": f"{seconds:.4f}"}
            writer.writerow([row[c] for c in COLUMNS])
            fh.flush()
            verdicts[p.rep] = verdict
            written += 1
            prog.update(verdict)
            if on_row is not None:
                on_row(row)

        def derived(p):
            if not p.components:
                return "closed", "no input -> output path: L_I = {0}, closed"
            parts = []
            for c in p.components:
                parts.append(f"{cs.to_json(c)} ({verdicts[c]})")
            what = "reduces to " + ("; ".join(parts) if len(parts) == 1 else
                                    f"{len(parts)} components: " + "; ".join(parts))
            return _combine([verdicts[c] for c in p.components]), what

        def flush_ready(rep=None):
            # rows whose components are all decided
            cands = todo_derived if rep is None else waiting.pop(rep, [])
            for r in cands:
                p = by_rep[r]
                if r in verdicts or any(c not in verdicts for c in p.components):
                    continue
                v, why = derived(p)
                emit(p, v, why, 0.0)

        todo_derived = [p.rep for p in todo if p.job is None]
        flush_ready()             # rows reducing to zero / to rows already in the CSV
        if jobs:
            if scheduler is not None or client is not None:
                results = _dask_executor(jobs, timeout, scheduler=scheduler, client=client)
            else:
                if hard_limit is None and timeout is not None:
                    hard_limit = 2 * timeout + 10     # decide's own clock failed by far
                results = _local_executor([(k, (m, timeout)) for k, m in jobs], workers, hard_limit)
            try:
                for rep, (status, reason, secs) in results:
                    decided += 1
                    p = by_rep[rep]
                    if p.pruned:
                        reason = (f"live part {json.dumps({'masks': [list(map(list, m)) for m in p.job]}, separators=(',', ':'))}"
                                  f": {reason}")
                    emit(p, status, reason, secs)
                    flush_ready(rep)
            finally:
                close = getattr(results, "close", None)
                if close:
                    close()
        flush_ready()
    finally:
        fh.close()
        prog.close()
    counts = dict.fromkeys(VERDICTS, 0)
    for v in verdicts.values():
        counts[v] += 1
    missing = [p.rep for p in plans if p.rep not in verdicts]
    if missing:     # cannot happen: every component row is a decision row or reduces further
        raise InternalError(f"census incomplete: {len(missing)} rows without verdict")
    return CensusResult(cs.shape, 1 << cs.nbits, len(plans), len(known), written, decided,
                        time.monotonic() - t_start, counts)

