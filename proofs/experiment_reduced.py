"""The paper's experiment at reduced size, with its plot (numeric cross-check, floats).

Paper (Section 4): d = 100, W_1 lower and W_2 upper triangular (ul:100), target y = J x,
100 000 inputs uniform in [-1, 1]^100, SGD lr 0.1 momentum 0.9, batch 3000, with and
without weight decay 5e-4.  Here: ul:10, 3000 points, batch 600, 6000 steps, same optimizer;
weight decay 5e-3 (the paper's 5e-4 reaches its equilibrium only after ~10x more steps).

Run: ``python proofs/experiment_reduced.py [--preset ul:10] [--plot out.png] [--steps 6000]``.
A closed pattern (e.g. ``--preset dense:10,10,10``) fits J with a bounded norm: the divergence
checks then fail and the script exits non-zero.
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _proof  # noqa: E402

import tempfile  # noqa: E402

from netalgebra import numeric as nm  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402


def main():
    ap = _proof.parser(__doc__)
    ap.add_argument("--preset", default="ul:10")
    ap.add_argument("--points", type=int, default=3000)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--weight-decay", type=float, default=5e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plot", default=None, help="PNG path (default: a temporary directory)")
    args = ap.parse_args()

    P = _proof.Proof(
        "The paper's experiment at reduced size: divergence without weight decay",
        "On a pattern whose linear counterpart misses J (ul:d), training y = J x drives the loss "
        "down while the parameter norm grows without bound (no optimum exists, every minimising "
        "sequence escapes to infinity); with weight decay the norm stays bounded and the loss "
        "stalls.  Numeric illustration (floating point), not a proof: the exact statements are "
        "proofs/lu_ul_not_closed.py and proofs/theorem_3_1_transfer.py.",
        "Le, Riccietti, Gribonval, NeurIPS 2023 (arXiv 2306.02666), Section 4 experiment; "
        "docs/mathematics.md, 'Results', Result 8; netalgebra.numeric.")

    pat = SparsityPattern.preset(args.preset)
    P.section("Setting")
    d = pat.widths[0]
    data = nm.training_set(pat, n_points=args.points, seed=args.seed)
    kw = dict(nm.PAPER_DEFAULTS)
    kw.pop("weight_decay")
    kw["steps"] = args.steps
    P.step(f"pattern {args.preset} (widths {pat.widths}), target A = J_{d} (anti-identity), "
           f"{data.description}")
    P.step(f"optimizer {kw['optimizer']} lr {kw['lr']} momentum 0.9, batch {kw['batch_size']}, "
           f"{kw['steps']} steps, seed {args.seed}; runs without and with weight decay {args.weight_decay:g}")
    free, decay = nm.compare(data, args.weight_decay, seed=args.seed, **kw)
    for r in (free, decay):
        P.step(r.summary())

    P.section("Checks")
    h = free.history
    q = len(h["step"]) // 2
    P.check("no decay: the loss falls (final <= initial / 3)", free.loss_ratio >= 3,
            f"{h['loss'][0]:.3e} -> {h['loss'][-1]:.3e}")
    P.check("no decay: the norm grows (final >= 4 x initial)", free.norm_ratio >= 4,
            f"{h['norm'][0]:.3g} -> {h['norm'][-1]:.3g}")
    P.check("no decay: over the second half the norm still grows (> +20%) while the loss still falls",
            h["norm"][-1] > 1.2 * h["norm"][q] and h["loss"][-1] < h["loss"][q],
            f"norm {h['norm'][q]:.3g} -> {h['norm'][-1]:.3g}, loss {h['loss'][q]:.3e} -> {h['loss'][-1]:.3e}")
    g = decay.history
    P.check("decay: the norm stays under sqrt(||theta_0||^2 + 2 L_0 / lambda)",
            max(g["norm"]) <= decay.norm_bound, f"max {max(g['norm']):.3g} <= {decay.norm_bound:.3g}")
    P.check("decay: the norm levels off (second half growth < 10%) well below the undecayed norm",
            g["norm"][-1] < 1.1 * g["norm"][q] and g["norm"][-1] < 0.6 * h["norm"][-1],
            f"norm {g['norm'][q]:.3g} -> {g['norm'][-1]:.3g} vs {h['norm'][-1]:.3g} without decay")
    P.check("decay: the loss stalls above the undecayed loss", g["loss"][-1] > h["loss"][-1],
            f"{g['loss'][-1]:.3e} > {h['loss'][-1]:.3e}")
    path = args.plot or os.path.join(tempfile.mkdtemp(prefix="experiment_reduced_"), "experiment.png")
    nm.plot([free, decay], path, title=f"{args.preset}, y = Jx, {args.points} points (reduced paper experiment)")
    with open(path, "rb") as fh:
        head = fh.read(8)
    P.check("plot written (PNG)", head == b"\x89PNG\r\n\x1a\n", path)
    P.finish("The divergence pattern of the paper is reproduced at reduced size.")


if __name__ == "__main__":
    _proof.run(main)
