"""Summaries of a census CSV: counts by verdict and by number of non-zeros, and a plot.

matplotlib is imported by :func:`plot_summary` only.
"""

from __future__ import annotations

import json

from cad.errors import InputError
from netalgebra.census.run import VERDICTS

__all__ = ["summarize", "format_summary", "plot_summary"]


def summarize(rows):
    """Counts by verdict and by number of non-zeros, both as orbits and weighted by orbit size
    (= raw patterns).  ``rows``: dicts as from :func:`read_rows`."""
    by_verdict = {v: {"orbits": 0, "raw": 0} for v in VERDICTS}
    by_nnz = {}
    shape = None
    for r in rows:
        masks = json.loads(r["pattern"])["masks"]
        s = tuple([len(masks[0][0])] + [len(m) for m in masks])
        if shape is None:
            shape = s
        elif s != shape:
            raise InputError(f"census CSV mixes shapes {shape} and {s}")
        nnz = sum(sum(map(sum, m)) for m in masks)
        v = r["verdict"]
        by_verdict[v]["orbits"] += 1
        by_verdict[v]["raw"] += r["orbit_size"]
        d = by_nnz.setdefault(nnz, {v2: {"orbits": 0, "raw": 0} for v2 in VERDICTS})
        d[v]["orbits"] += 1
        d[v]["raw"] += r["orbit_size"]
    nbits = sum(a * b for a, b in zip(shape, shape[1:])) if shape else 0
    return {"shape": shape, "nbits": nbits, "by_verdict": by_verdict,
            "by_nnz": dict(sorted(by_nnz.items())),
            "orbits": sum(d["orbits"] for d in by_verdict.values()),
            "raw": sum(d["raw"] for d in by_verdict.values()),
            "seconds": sum(r["seconds"] for r in rows)}


def format_summary(s):
    sh = s["shape"]
    lines = [f"census of layered patterns {','.join(map(str, sh)) if sh else '?'}: {s['orbits']} "
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
    ax.set_title(f"patterns {sh}: non-closed fraction")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
