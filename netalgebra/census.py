"""Census of two-layer sparsity patterns: every pattern of shape (N0, N1, N2) up to
symmetry, decided exactly (issue 10; the paper's Question 3.2: how likely is a pattern
to be non-closed?).

**Raw patterns.**  A raw pattern is a pair of 0/1 masks ``M1`` (N1 x N0) and ``M2``
(N2 x N1); there are ``2^B`` of them, ``B = N1*N0 + N2*N1``.  It is stored as a B-bit
integer: the entries of ``M1`` row by row, then those of ``M2`` row by row, the first
entry being the most significant bit (so integer order = lexicographic order of the
flattened masks).

**Symmetry group G** (each element maps ``L_I`` onto ``L_I'`` by a linear homeomorphism,
so closedness is invariant; paper-notes "Reductions that preserve closedness"):

* ``(s0, s1, s2)`` in ``S_N0 x S_N1 x S_N2``: permute inputs, hidden neurons, outputs,
  ``M1'[s1 k][s0 c] = M1[k][c]``, ``M2'[s2 r][s1 k] = M2[r][k]``
  (``W2 W1 -> P2 W2 P1^T P1 W1 P0^T``);
* when ``N0 == N2`` also the transposition ``t: (M1, M2) -> (M2^T, M1^T)``
  (``L_{I^T} = {A^T : A in L_I}``).  ``t`` normalises the permutation group
  (``t (s0, s1, s2) t = (s2, s1, s0)``), so ``G = {p, p t}`` has order
  ``2 N0! N1! N2!``.  When ``N0 != N2`` the transposition maps the census of
  (N0, N1, N2) bijectively onto that of (N2, N1, N0) (same counts) and is not used;
  ``G`` then has order ``N0! N1! N2!``.

Each element of G permutes the B bit positions; it is applied to an integer with
precomputed lookup tables (one 256-entry table per byte of the integer), so applying a
group element costs a few table look-ups.

**Orbits and orbit sizes** (exact).  We scan the integers ``0 .. 2^B - 1``; the first not
yet marked one, x, starts a new orbit ``{g x : g in G}``, computed as a set (its size is
the orbit size, = |G| / |Stab(x)| by orbit-stabiliser) and marked.  Every raw pattern is
marked exactly once, so the orbit sizes add up to ``2^B``; the work is
``#orbits * |G|`` applications (3,3,3: 262144 raw patterns, |G| = 432, ~1.5 s).  The
representative of an orbit (the ``pattern`` column) is its largest integer, i.e. the
lexicographically greatest flattened ``(M1, M2)``.

**Reductions** (:func:`netalgebra.graph.reduce`).  Each representative is pruned (neurons
on no input -> output path removed) and split into connected components; ``L_I`` is
closed iff every component's is (paper-notes).  A component, padded back with zeros to
the full shape, is itself a raw pattern of this census (its bits are a subset of the
row's); so

* a row equal to its only padded component is a *decision row*: ``decide`` is called on
  its live part (the component), under the per-pattern budget;
* every other row *reduces to* the rows of its padded components -- strictly smaller,
  already decided (or decided first) rows of the same CSV -- and reuses their verdicts:
  not closed if one component is, closed if all are, unknown otherwise; reason
  ``reduces to <rows>``; ``seconds`` = 0;
* a row with no input -> output path has ``L_I = {0}``: closed.

**CSV** columns ``pattern`` (compact JSON ``{"masks": [M1, M2]}`` of the representative),
``orbit_size``, ``verdict`` (closed / not_closed / unknown), ``reason``, ``seconds``
(wall time of the decide call made for this row).  Rows are appended and flushed as
they finish; on restart the rows already present are skipped (and their verdicts reused
by rows that reduce to them), except unknown rows with ``retry_unknown`` (the file is then
rewritten without them first).  A partial last line (killed while writing) is dropped.

**Executors.**  A local pool of worker processes (default; a worker that overruns its
budget by a wide margin is killed and the row is unknown -- never a hang) or a
dask.distributed cluster (``scheduler=ADDRESS`` or ``client=Client``; there the budget
is decide's own clock).  Results are the same either way, apart from ``seconds``.

Only the standard library is imported at module level; dask, numpy and matplotlib are
imported by the functions that need them.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field

from cad.errors import InputError

__all__ = ["CensusShape", "Orbit", "RowPlan", "enumerate_orbits", "plan", "run_census",
           "read_rows", "summarize", "format_summary", "plot_summary", "parse_shape",
           "burnside_count", "COLUMNS", "MAX_BITS"]

COLUMNS = ("pattern", "orbit_size", "verdict", "reason", "seconds")
VERDICTS = ("closed", "not_closed", "unknown")
MAX_BITS = 24            # 2^24 raw patterns: the bitmap scan is still a few seconds
MAX_GROUP = 200_000


def parse_shape(text):
    """``"N0,N1,N2"`` -> (N0, N1, N2), positive integers; InputError naming the bad field."""
    if isinstance(text, (tuple, list)):
        parts = list(text)
    else:
        parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 3:
        raise InputError(f"shape {text!r}: expected three widths N0,N1,N2 (a two-layer pattern)")
    out = []
    for name, p in zip(("N0", "N1", "N2"), parts):
        try:
            v = int(p)
        except (TypeError, ValueError):
            raise InputError(f"shape {text!r}: {name} = {p!r} is not an integer") from None
        if isinstance(p, bool) or v < 1:
            raise InputError(f"shape {text!r}: {name} = {p!r} must be a positive integer")
        out.append(v)
    return tuple(out)


class CensusShape:
    """Bit encoding of the raw patterns of one shape and the symmetry group acting on them
    (see the module docstring)."""

    def __init__(self, shape):
        n0, n1, n2 = self.shape = parse_shape(shape)
        self.n0, self.n1, self.n2 = n0, n1, n2
        self.b1 = n1 * n0
        self.nbits = B = n1 * n0 + n2 * n1
        if B > MAX_BITS:
            raise InputError(f"shape {n0},{n1},{n2}: {B} mask entries, 2^{B} raw patterns; "
                             f"the exhaustive census supports at most {MAX_BITS} entries")
        self.transpose_symmetry = n0 == n2
        order = math.factorial(n0) * math.factorial(n1) * math.factorial(n2) * (2 if n0 == n2 else 1)
        if order > MAX_GROUP:
            raise InputError(f"shape {n0},{n1},{n2}: symmetry group of order {order} is too large "
                             f"(limit {MAX_GROUP})")
        self.group_order = order
        self._perms = None
        self._tables = None

    # -- positions -----------------------------------------------------------------------
    def pos1(self, k, c):
        """Flattened index of M1[k][c] (0 = most significant bit)."""
        return k * self.n0 + c

    def pos2(self, r, k):
        return self.b1 + r * self.n1 + k

    def bit(self, index):
        return 1 << (self.nbits - 1 - index)

    def to_masks(self, x):
        n0, n1, n2 = self.shape
        M1 = tuple(tuple(1 if x & self.bit(self.pos1(k, c)) else 0 for c in range(n0)) for k in range(n1))
        M2 = tuple(tuple(1 if x & self.bit(self.pos2(r, k)) else 0 for k in range(n1)) for r in range(n2))
        return (M1, M2)

    def from_masks(self, masks):
        """Integer of masks ``(M1, M2)`` of this shape; InputError if the shape differs."""
        try:
            M1, M2 = masks
            w = (len(M1[0]), len(M1), len(M2))
            ok = len(M2[0]) == len(M1) and all(len(r) == w[0] for r in M1) and all(len(r) == w[1] for r in M2)
        except (TypeError, ValueError, IndexError):
            raise InputError("pattern: expected two masks [M1, M2]") from None
        if not ok or w != self.shape:
            raise InputError(f"pattern has widths {w}, the census shape is {self.shape}")
        x = 0
        for k, row in enumerate(M1):
            for c, v in enumerate(row):
                if v not in (0, 1):
                    raise InputError(f"pattern: M1[{k}][{c}] = {v!r} is not 0/1")
                if v:
                    x |= self.bit(self.pos1(k, c))
        for r, row in enumerate(M2):
            for k, v in enumerate(row):
                if v not in (0, 1):
                    raise InputError(f"pattern: M2[{r}][{k}] = {v!r} is not 0/1")
                if v:
                    x |= self.bit(self.pos2(r, k))
        return x

    def to_json(self, x):
        """Compact canonical JSON of the pattern with integer x: ``{"masks":[M1,M2]}``."""
        M1, M2 = self.to_masks(x)
        return json.dumps({"masks": [[list(r) for r in M1], [list(r) for r in M2]]}, separators=(",", ":"))

    def from_json(self, text):
        try:
            d = json.loads(text)
            masks = d["masks"] if isinstance(d, dict) else d
        except (ValueError, KeyError, TypeError):
            raise InputError(f"pattern {text!r}: not a JSON pattern {{\"masks\": [M1, M2]}}") from None
        return self.from_masks(masks)

    # -- the group --------------------------------------------------------------------------
    def index_permutations(self):
        """Every element of G as a list ``p`` with ``p[i]`` = image of flattened index i."""
        if self._perms is not None:
            return self._perms
        n0, n1, n2 = self.shape
        B = self.nbits
        # transposition on flattened indices: M1[k][c] -> M2'[c][k], M2[r][k] -> M1'[k][r]
        tau = [0] * B
        if self.transpose_symmetry:
            for k in range(n1):
                for c in range(n0):
                    tau[self.pos1(k, c)] = self.pos2(c, k)
            for r in range(n2):
                for k in range(n1):
                    tau[self.pos2(r, k)] = self.pos1(k, r)
        perms = []
        for s0 in itertools.permutations(range(n0)):
            for s1 in itertools.permutations(range(n1)):
                for s2 in itertools.permutations(range(n2)):
                    p = [0] * B
                    for k in range(n1):
                        for c in range(n0):
                            p[self.pos1(k, c)] = self.pos1(s1[k], s0[c])
                    for r in range(n2):
                        for k in range(n1):
                            p[self.pos2(r, k)] = self.pos2(s2[r], s1[k])
                    perms.append(p)
                    if self.transpose_symmetry:
                        perms.append([p[tau[i]] for i in range(B)])   # p o tau
        assert len(perms) == self.group_order
        self._perms = perms
        return perms

    def tables(self):
        """Per group element, one 256-entry table per byte: image of that byte's bits."""
        if self._tables is not None:
            return self._tables
        B = self.nbits
        nbytes = max(1, (B + 7) // 8)
        tabs = []
        for p in self.index_permutations():
            # image of integer bit b (b = B-1-i for flattened index i)
            img = [1 << (B - 1 - p[B - 1 - b]) for b in range(B)]
            per = []
            for byte in range(nbytes):
                t = [0] * 256
                for v in range(1, 256):
                    low = v & -v
                    b = 8 * byte + low.bit_length() - 1
                    t[v] = t[v ^ low] | (img[b] if b < B else 0)
                per.append(t)
            tabs.append(tuple(per))
        self._tables = tabs
        return tabs

    def orbit(self, x):
        """The orbit {g x : g in G} as a set of integers."""
        tabs = self.tables()
        nb = len(tabs[0])
        if nb == 1:
            return {t0[x] for (t0,) in tabs}
        if nb == 2:
            lo, hi = x & 255, x >> 8
            return {t0[lo] | t1[hi] for (t0, t1) in tabs}
        if nb == 3:
            a, b, c = x & 255, (x >> 8) & 255, x >> 16
            return {t0[a] | t1[b] | t2[c] for (t0, t1, t2) in tabs}
        parts = [(x >> (8 * i)) & 255 for i in range(nb)]
        out = set()
        for ts in tabs:
            v = 0
            for t, part in zip(ts, parts):
                v |= t[part]
            out.add(v)
        return out

    def canon(self, x):
        """Representative of the orbit of x: its largest element."""
        return max(self.orbit(x))


@dataclass(frozen=True)
class Orbit:
    rep: int      # largest raw pattern (integer) of the orbit
    size: int     # number of raw patterns in the orbit


def enumerate_orbits(shape):
    """All orbits of G on the raw patterns of ``shape``, in order of first element.

    Exact: a bitmap marks the raw patterns already seen; see the module docstring.
    """
    cs = shape if isinstance(shape, CensusShape) else CensusShape(shape)
    n = 1 << cs.nbits
    seen = bytearray(n)
    out = []
    x = 0
    while True:
        x = seen.find(0, x)
        if x < 0:
            break
        orb = cs.orbit(x)
        for y in orb:
            seen[y] = 1
        out.append(Orbit(max(orb), len(orb)))
    return out


def burnside_count(shape):
    """Number of orbits by Burnside's lemma, ``(1/|G|) sum_g 2^{cycles(g)}`` -- an independent
    check of :func:`enumerate_orbits` (cycles of g acting on the B mask positions)."""
    cs = shape if isinstance(shape, CensusShape) else CensusShape(shape)
    total = 0
    for p in cs.index_permutations():
        seen = [False] * cs.nbits
        cycles = 0
        for i in range(cs.nbits):
            if not seen[i]:
                cycles += 1
                j = i
                while not seen[j]:
                    seen[j] = True
                    j = p[j]
        total += 1 << cycles
    q, r = divmod(total, cs.group_order)
    assert r == 0
    return q


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
    from netalgebra.graph import reduce as _reduce
    from netalgebra.pattern import SparsityPattern

    x = orbit.rep
    masks = cs.to_masks(x)
    red = _reduce(SparsityPattern(masks))
    comps = []
    job = None
    pruned = False
    for comp in red.components:
        inp, hid, outp = comp.neurons
        y = 0
        for k in hid:
            for c in inp:
                if masks[0][k][c]:
                    y |= cs.bit(cs.pos1(k, c))
            for r in outp:
                if masks[1][r][k]:
                    y |= cs.bit(cs.pos2(r, k))
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
        from netalgebra.decide import decide
        from netalgebra.pattern import SparsityPattern

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
    import multiprocessing as mp
    from multiprocessing.connection import wait

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
            ready = wait([s["conn"] for s in slots if s["job"] is not None], timeout=0.5)
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
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None:
            return rows
        if tuple(reader.fieldnames) != COLUMNS:
            raise InputError(f"{path}: not a census CSV (columns {reader.fieldnames}, expected {list(COLUMNS)})")
        for n, r in enumerate(reader, start=2):
            try:
                r["orbit_size"] = int(r["orbit_size"])
                r["seconds"] = float(r["seconds"])
            except (TypeError, ValueError):
                raise InputError(f"{path}, line {n}: bad orbit_size / seconds") from None
            if r["verdict"] not in VERDICTS:
                raise InputError(f"{path}, line {n}: verdict {r['verdict']!r} is not one of {VERDICTS}")
            rows.append(r)
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
    """Decide every orbit of two-layer patterns of ``shape``, appending rows to the CSV ``out``.

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
        raise RuntimeError(f"census incomplete: {len(missing)} rows without verdict")
    return CensusResult(cs.shape, 1 << cs.nbits, len(plans), len(known), written, decided,
                        time.monotonic() - t_start, counts)


# --- summary -------------------------------------------------------------------------------

def summarize(rows):
    """Counts by verdict and by number of non-zeros, both as orbits and weighted by orbit size
    (= raw patterns).  ``rows``: dicts as from :func:`read_rows`."""
    by_verdict = {v: {"orbits": 0, "raw": 0} for v in VERDICTS}
    by_nnz = {}
    shape = None
    for r in rows:
        masks = json.loads(r["pattern"])["masks"]
        M1, M2 = masks
        s = (len(M1[0]), len(M1), len(M2))
        if shape is None:
            shape = s
        elif s != shape:
            raise InputError(f"census CSV mixes shapes {shape} and {s}")
        nnz = sum(map(sum, M1)) + sum(map(sum, M2))
        v = r["verdict"]
        by_verdict[v]["orbits"] += 1
        by_verdict[v]["raw"] += r["orbit_size"]
        d = by_nnz.setdefault(nnz, {v2: {"orbits": 0, "raw": 0} for v2 in VERDICTS})
        d[v]["orbits"] += 1
        d[v]["raw"] += r["orbit_size"]
    nbits = shape[1] * (shape[0] + shape[2]) if shape else 0
    return {"shape": shape, "nbits": nbits, "by_verdict": by_verdict,
            "by_nnz": dict(sorted(by_nnz.items())),
            "orbits": sum(d["orbits"] for d in by_verdict.values()),
            "raw": sum(d["raw"] for d in by_verdict.values()),
            "seconds": sum(r["seconds"] for r in rows)}


def format_summary(s):
    sh = s["shape"]
    lines = [f"census of two-layer patterns {','.join(map(str, sh)) if sh else '?'}: {s['orbits']} "
             f"patterns up to symmetry ({s['raw']} raw"
             + (f" of 2^{s['nbits']} = {1 << s['nbits']}" if sh else "") + f"), decide time {s['seconds']:.1f} s",
             f"{'verdict':<12}{'patterns':>10}{'raw':>10}"]
    for v, d in s["by_verdict"].items():
        lines.append(f"{v:<12}{d['orbits']:>10}{d['raw']:>10}")
    lines.append(f"{'nnz':>4}{'patterns':>10}{'raw':>9}  {'closed':>13}{'not_closed':>13}{'unknown':>13}"
                 f"  not_closed fraction (raw)")
    for nnz, d in s["by_nnz"].items():
        orb = sum(x["orbits"] for x in d.values())
        raw = sum(x["raw"] for x in d.values())
        cells = "".join(f"{d[v]['orbits']:>6}/{d[v]['raw']:<6}" for v in VERDICTS)
        lines.append(f"{nnz:>4}{orb:>10}{raw:>9}  {cells}  {d['not_closed']['raw'] / raw:.3f}")
    lines.append("(columns closed/not_closed/unknown: patterns/raw)")
    return "\n".join(lines)


def plot_summary(s, path):
    """Plot the non-closed fraction (weighted by orbit size) against density nnz / B; the
    unknown fraction is drawn as a band above it (the true value lies in the band)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    B = s["nbits"]
    xs, nc, unk = [], [], []
    for nnz, d in s["by_nnz"].items():
        raw = sum(x["raw"] for x in d.values())
        xs.append(nnz / B if B else 0)
        nc.append(d["not_closed"]["raw"] / raw)
        unk.append(d["unknown"]["raw"] / raw)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(xs, nc, "o-", color="C3", label="not closed")
    if any(unk):
        ax.fill_between(xs, nc, [a + b for a, b in zip(nc, unk)], color="C7", alpha=0.3,
                        label="unknown (not closed + unknown: upper bound)")
    sh = ",".join(map(str, s["shape"])) if s["shape"] else "?"
    ax.set_xlabel("density (non-zeros / mask entries)")
    ax.set_ylabel("fraction of raw patterns")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title(f"two-layer patterns {sh}: non-closed fraction")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
