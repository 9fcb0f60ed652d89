"""Output of the numeric cross-check: per-step CSV, the paper's three-panel plot, a progress bar.

matplotlib is imported by :func:`plot` only.
"""

from __future__ import annotations

import csv
import math
import sys

__all__ = ["write_csv", "plot", "ProgressBar", "CSV_COLUMNS"]

CSV_COLUMNS = ("step", "loss", "target_distance", "norm", "weight_decay", "objective", "active_fraction", "lr")


def write_csv(results, path):
    """One row per recorded step and run; columns :data:`CSV_COLUMNS`."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in results:
            h = r.history
            for i in range(len(h["step"])):
                w.writerow([h["step"][i], repr(h["loss"][i]), repr(h["target_distance"][i]), repr(h["norm"][i]),
                            repr(r.weight_decay), repr(h["objective"][i]), repr(h["active_fraction"][i]),
                            repr(h["lr"][i])])


def plot(results, path, title=None):
    """The paper's three panels (loss, relative distance of the product to the target, weight
    norm) against the step, one curve per run (without / with weight decay), saved as PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    panels = [("loss", "training loss (MSE)", True),
              ("target_distance", r"$\|W_L\cdots W_1 - A\|_F / \|A\|_F$", True),
              ("norm", r"parameter norm $\|\theta\|$", True)]
    for r in results:
        wd = r.weight_decay
        label = "no weight decay" if wd == 0 else f"weight decay {wd:g}"
        style = dict(color="tab:red" if wd == 0 else "tab:blue", lw=1.6)
        steps = [max(s, 1) for s in r.history["step"]]
        for ax, (key, _, _) in zip(axes, panels):
            ax.plot(steps, r.history[key], label=label, **style)
        if wd > 0 and math.isfinite(r.norm_bound):
            axes[2].axhline(r.norm_bound, color="tab:blue", ls=":", lw=1,
                            label=r"bound $\sqrt{\|\theta_0\|^2 + 2L_0/\lambda}$")
    for ax, (_, ylabel, logy) in zip(axes, panels):
        ax.set_xscale("log")
        if logy:
            ax.set_yscale("log")
        ax.set_xlabel("step")
        ax.set_title(ylabel, fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
    axes[2].legend(fontsize=8, loc="upper left")
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


class ProgressBar:
    """A plain text progress bar on a stream (stderr by default); no dependency."""

    def __init__(self, label="", stream=None, width=30):
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self._last = -1

    def __call__(self, step, steps, loss):
        frac = step / max(steps, 1)
        pct = int(100 * frac)
        if pct == self._last and step != steps:
            return
        self._last = pct
        n = int(self.width * frac)
        end = "\n" if step >= steps else ""
        self.stream.write(f"\r{self.label} [{'#' * n}{'.' * (self.width - n)}] {pct:3d}% loss {loss:.3e}{end}")
        self.stream.flush()
