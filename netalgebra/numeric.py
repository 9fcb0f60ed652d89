"""Numeric cross-check: train masked ReLU networks on a witness training set.

The exact side of the project proves that for a non-closed pattern ``I`` some
finite training set has no optimal network (Le, Riccietti, Gribonval, NeurIPS
2023, Theorem 3.1; ``shared/paper-notes.md``).  This module shows what an
optimizer does on such a set: the loss keeps falling while the parameter norm
grows without bound (every minimising sequence escapes to infinity, since the
infimum 0 is not attained), whereas weight decay keeps the norm bounded and the
loss stalls above a floor.  On a closed pattern (e.g. dense 2-2-2) the same run
converges to an exact fit with a bounded norm.  It reproduces the paper's
Section 4 experiment (``W_1`` lower and ``W_2`` upper triangular, target
``y = J x`` with ``J`` the anti-identity, SGD with momentum, with and without
weight decay) at reduced size by default.

Everything here is floating point (numpy); no verdict depends on it.

Conventions
-----------
* Network: ``f(x) = W_L relu(... relu(W_1 x + b_1) ...) + b_L`` with
  ``supp W_l ⊆ I_l`` (masks enforced on the gradients and after every update)
  and free biases.
* Loss: mean squared error over all points and outputs,
  ``L(θ) = (1/(K N_L)) Σ_k ||f(x_k) − y_k||²`` (``torch.nn.MSELoss``).
* Weight decay ``λ`` is L2 regularisation of *every* parameter (weights and
  biases), added to the gradient as in ``torch.optim``: the optimizers minimise
  ``F(θ) = L(θ) + (λ/2)||θ||²``.
* Optimizers follow ``torch.optim`` exactly (so the optional PyTorch backend
  gives the same numbers): ``gd`` (``SGD`` without momentum), ``sgd``
  (heavy ball ``v ← μ v + g``, ``θ ← θ − η v``), ``adam`` (β = (0.9, 0.999),
  ε = 1e-8, bias-corrected).
* Step-size schedules: ``constant``; ``cosine`` (from η to η/100);
  ``inverse`` (``η / (1 + 100 t / T)``); ``norm`` (``η / max(1, ||θ||²)``).

Why plain gradient descent does not show the divergence
-------------------------------------------------------
Along an escaping valley the weights grow like ``1/ε`` when the product is
``ε``-close to the target, so the curvature of ``L`` grows like ``||θ||²``.
Gradient descent at a fixed step ``η`` is stable only while
``η ||θ||² ≲ 2``: it stalls near ``||θ|| ≈ sqrt(2/η)`` instead of overflowing.
Shrinking the step as ``η/||θ||²`` (schedule ``norm``) keeps it stable but, with
``L ≈ C ||θ||^-4`` along the valley (measured; ``ul:2``), the norm then grows
only like ``(#steps)^(1/8)``.  Adam's normalised steps do not suffer from this,
so the divergence runs use Adam with a cosine schedule by default, and the
paper-size runs use the paper's SGD with momentum.

Weight-decay norm bound
-----------------------
Let ``F(θ) = L(θ) + (λ/2)||θ||²`` with ``L ≥ 0`` and ``λ > 0``.  If an iterate
satisfies ``F(θ_t) ≤ F(θ_0)`` then
``(λ/2)||θ_t||² ≤ F(θ_0) − L(θ_t) ≤ F(θ_0)``, i.e.::

    ||θ_t||² ≤ ||θ_0||² + 2 (L(θ_0) − L(θ_t)) / λ ≤ ||θ_0||² + 2 L(θ_0) / λ.

We rely on exactly one property: the objective never rises above its starting
value, ``F(θ_t) ≤ F(θ_0)``.  Full-batch gradient descent has it when the step
is at most ``1/M``, ``M`` a Lipschitz constant of ``∇F`` on the compact
sublevel set ``{F ≤ F(θ_0) + 1}`` enlarged by one step (descent lemma:
``F(θ − η∇F) ≤ F(θ) − (η/2)||∇F||²``); ``F`` is coercive since ``λ > 0``, so
that set is compact, and ``L`` is piecewise polynomial with a gradient that is
Lipschitz there on each activation region (the bound is checked, not assumed:
:class:`TrainResult` records ``max_objective`` and ``descent_ok``).  SGD,
momentum and Adam are not descent methods; for them the same bound is only an
empirical check, reported the same way.  Without decay nothing bounds the norm:
on a non-closed pattern it crosses any such bound.

The training set
----------------
A witness set for a target ``A`` (``y = A x``): if ``A ∈ cl(L_I) \\ L_I``, the
loss has infimum 0 (large hidden biases keep every ReLU active and
``x ↦ A x`` is approached; paper-notes, Result 2) but is never 0 on a set of
``n = K d + 1`` points in general position, ``K`` an upper bound on the number
of activation patterns, ``d = N_0``: on each activation region the network is
affine with linear part in ``L_I``, and some region holds ``d + 1`` affinely
independent points, which would force that linear part to be ``A``.  We take
``K = Σ_{i ≤ d} C(h, i)`` (regions of ``h`` affine hyperplanes in ``R^d``,
Buck 1943) for one hidden layer of ``h`` neurons and ``K = 2^h`` (``h`` hidden
neurons in all) for deeper networks.  Points are drawn uniformly from the grid
``{-1, -1 + 1/q, ..., 1}^d`` (seeded) and redrawn until every ``d + 1`` of
them are affinely independent (checked with exact integer determinants when
there are at most ``50 000`` subsets; random points in general position almost
surely otherwise).  When ``n`` would exceed ``2000`` we switch to the paper's
experiment: 20 000 (``full``: 100 000) points uniform in ``[-1, 1]^d``.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from fractions import Fraction

from cad.errors import InputError

__all__ = [
    "TrainingSet", "TrainResult", "anti_identity", "witness_points", "training_set",
    "training_set_from_certificate", "standardize", "init_params", "forward", "loss_and_grads", "product",
    "param_norm", "train", "compare", "weight_decay_bound", "write_csv", "plot", "ProgressBar",
    "OPTIMIZERS", "SCHEDULES", "WITNESS_DEFAULTS", "PAPER_DEFAULTS",
]

OPTIMIZERS = ("gd", "sgd", "adam")
SCHEDULES = ("constant", "cosine", "inverse", "norm")
MAX_WITNESS_POINTS = 2000
#: settings of the witness-set runs (small patterns): measured on ul:2, ul:3 (see tests)
WITNESS_DEFAULTS = dict(optimizer="adam", lr=0.01, steps=20000, schedule="cosine",
                        weight_decay=1e-2, batch_size=None, init_scale=0.3, active_margin=0.3)
#: the paper's experiment (Section 4): SGD lr 0.1, momentum 0.9, batch 3000 of 100 000, decay 5e-4
PAPER_DEFAULTS = dict(optimizer="sgd", lr=0.1, steps=10000, schedule="constant",
                      weight_decay=5e-4, batch_size=600, init_scale=1.0, active_margin=None)


def _np():
    import numpy as np
    return np


# ------------------------------------------------------------------------------------------
# patterns and training sets
def _masks_of(pattern):
    """Masks (layer order, out x in) as float arrays, from a pattern or a list of arrays."""
    np = _np()
    masks = getattr(pattern, "masks", pattern)
    return [np.asarray(m, dtype=float) for m in masks]


def anti_identity(n):
    """The ``n x n`` anti-identity ``J`` (ones on the anti-diagonal)."""
    return _np().fliplr(_np().eye(n))


@dataclass
class TrainingSet:
    """Inputs (``K x N_0``), targets (``K x N_L``), the target matrix ``A`` (or ``None``)."""
    pattern: object
    inputs: object
    targets: object
    target_matrix: object = None
    description: str = ""


def _region_bound(widths):
    d, hidden = widths[0], widths[1:-1]
    h = sum(hidden)
    if len(hidden) == 1:
        return sum(math.comb(h, i) for i in range(min(d, h) + 1))
    return 2 ** h


def witness_points(d, n, seed=0, q=64, check_limit=50000):
    """``n`` points of ``{-1, ..., 1}^d`` (step ``1/q``) with every ``d+1`` affinely independent.

    Returns ``(points, checked)``; ``checked`` says whether general position was
    verified exactly (integer determinants of the ``(d+1) x (d+1)`` matrices
    ``[[1, x]]`` of every subset; numpy's float determinant is exact enough here
    because the entries are integers of size ``≤ q`` and the test is ``|det| ≥ 1/2``).
    """
    np = _np()
    from itertools import combinations
    rng = np.random.default_rng(seed)
    ncheck = math.comb(n, d + 1)
    for _ in range(100):
        pts = rng.integers(-q, q + 1, size=(n, d))
        if len({tuple(p) for p in pts}) < n:
            continue
        if ncheck > check_limit:
            return pts / q, False
        idx = np.array(list(combinations(range(n), d + 1)), dtype=int)
        if idx.size == 0:
            return pts / q, True
        mats = np.concatenate([np.ones(idx.shape + (1,)), pts[idx].astype(float)], axis=2)
        if np.all(np.abs(np.linalg.det(mats)) >= 0.5):
            return pts / q, True
    raise InputError(f"could not draw {n} points in general position in dimension {d}")


def _default_target(pattern, widths):
    if widths[0] != widths[-1]:
        raise InputError(f"no default target for a {widths[-1]} x {widths[0]} (non-square) pattern: "
                         "give a target matrix or a certificate")
    return anti_identity(widths[0])


def training_set(pattern, target=None, *, n_points=None, seed=0, full=False):
    """Witness training set ``{(x, A x)}`` for ``pattern`` and target matrix ``A``.

    ``target`` defaults to the anti-identity ``J`` (the known missing point of
    ``ul:N`` / ``lu:N``; for a closed pattern it is simply a target the network
    can fit).  Point count and placement are described in the module docstring;
    ``n_points`` overrides the count.
    """
    np = _np()
    masks = _masks_of(pattern)
    widths = [masks[0].shape[1]] + [m.shape[0] for m in masks]
    A = _default_target(pattern, widths) if target is None else _matrix(target, "target")
    if A.shape != (widths[-1], widths[0]):
        raise InputError(f"target: expected a {widths[-1]} x {widths[0]} matrix, got {A.shape[0]} x {A.shape[1]}")
    d = widths[0]
    need = _region_bound(widths) * d + 1
    if n_points is None and need <= MAX_WITNESS_POINTS and not full:
        X, checked = witness_points(d, need, seed=seed)
        desc = (f"{need} = {_region_bound(widths)}*{d}+1 grid points in general position"
                f" ({'checked exactly' if checked else 'almost surely'})")
    else:
        n = n_points if n_points is not None else (100000 if full else 20000)
        if n < 1:
            raise InputError(f"n_points: must be positive, got {n}")
        X = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(n, d))
        desc = f"{n} points uniform in [-1,1]^{d} (the paper's experiment)"
    return TrainingSet(pattern, X, X @ A.T, A, desc)


def _rational(x, where):
    if isinstance(x, bool) or not isinstance(x, (int, float, str)):
        raise InputError(f"{where}: expected a rational (string like \"-3/4\" or a number), got {x!r}")
    try:
        return float(Fraction(x))
    except (ValueError, ZeroDivisionError):
        raise InputError(f"{where}: cannot parse {x!r} as a rational") from None


def _matrix(rows, where, ncols=None):
    np = _np()
    if hasattr(rows, "shape"):
        return np.asarray(rows, dtype=float)
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise InputError(f"{where}: expected a non-empty list of rows")
    ncols = len(rows[0]) if ncols is None else ncols
    for i, r in enumerate(rows):
        if len(r) != ncols:
            raise InputError(f"{where}[{i}]: expected {ncols} entries, got {len(r)}")
    return np.array([[_rational(x, f"{where}[{i}][{j}]") for j, x in enumerate(r)]
                     for i, r in enumerate(rows)], dtype=float)


def standardize(data):
    """Per-coordinate affine rescaling of inputs and outputs to ``[-1, 1]``; an equivalent problem.

    ``x' = D_in^{-1}(x - c_in)``, ``y' = D_out^{-1}(y - c_out)`` (``c`` the midrange,
    ``D`` the half-range, 1 where a coordinate is constant).  A network for the new
    data is one for the old with ``W_1 D_in^{-1}``, ``D_out^{-1} W_L`` and shifted
    biases: diagonal scalings keep every mask and biases are free, so the pattern,
    the infimum 0 and its non-attainment are unchanged; the target matrix becomes
    ``A' = D_out^{-1} A D_in`` (``L_I`` is invariant under both diagonal scalings, so
    ``A' ∈ cl(L_I) \\ L_I`` iff ``A`` is).  Only the loss weights the outputs differently.
    """
    np = _np()

    def mid_half(M):
        lo, hi = M.min(axis=0), M.max(axis=0)
        half = (hi - lo) / 2
        return (hi + lo) / 2, np.where(half > 0, half, 1.0)

    cx, sx = mid_half(np.asarray(data.inputs, float))
    cy, sy = mid_half(np.asarray(data.targets, float))
    A = data.target_matrix
    A2 = None if A is None else (A * sx[None, :]) / sy[:, None]
    return TrainingSet(data.pattern, (data.inputs - cx) / sx, (data.targets - cy) / sy, A2,
                       data.description + ", standardised per coordinate")


def training_set_from_certificate(cert, normalize=True):
    """The training set stored in a certificate (a parsed JSON dict).

    Layout read (rationals as strings ``"-3/4"`` or JSON numbers)::

        cert["pattern"]                 the pattern JSON (dict or text)
        cert["target"]                  A, N_L x N_0 (optional: no distance is reported without it)
        cert["training_set"]            {"inputs": [[...]] K x N_0, "targets": [[...]] K x N_L}
          or cert["relu"]               {"points": [[...]], "targets": [[...]]}  (certificate/1 layout)

    With ``normalize`` (default) the set is passed through :func:`standardize`
    (certificates use exact points such as ``(t, t^2)``, ``t = 1..9``, far from the
    unit cube where the default step sizes are tuned).
    Raises :class:`cad.errors.InputError` naming the missing or malformed field.
    """
    from .pattern import SparsityPattern
    if not isinstance(cert, dict):
        raise InputError("certificate: expected a JSON object")
    if "pattern" not in cert:
        raise InputError("certificate: missing field 'pattern'")
    pattern = SparsityPattern.from_json(cert["pattern"])
    widths = pattern.widths
    if isinstance(cert.get("training_set"), dict):
        ts, key, xk = cert["training_set"], "training_set", "inputs"
    elif isinstance(cert.get("relu"), dict):
        ts, key, xk = cert["relu"], "relu", "points"
    else:
        verdict = cert.get("verdict")
        raise InputError("certificate: no field 'training_set' (nor 'relu')"
                         + (f"; its verdict is {verdict!r}" if verdict else ""))
    for k in (xk, "targets"):
        if k not in ts:
            raise InputError(f"certificate: missing field '{key}.{k}'")
    X = _matrix(ts[xk], f"{key}.{xk}", widths[0])
    Y = _matrix(ts["targets"], f"{key}.targets", widths[-1])
    if X.shape[0] != Y.shape[0]:
        raise InputError(f"certificate: {key}.{xk} has {X.shape[0]} rows but {key}.targets has {Y.shape[0]}")
    A = None
    if cert.get("target") is not None:
        A = _matrix(cert["target"], "target", widths[0])
        if A.shape[0] != widths[-1]:
            raise InputError(f"target: expected {widths[-1]} rows, got {A.shape[0]}")
    data = TrainingSet(pattern, X, Y, A, f"{X.shape[0]} points from the certificate")
    return standardize(data) if normalize else data


# ------------------------------------------------------------------------------------------
# the masked network
def init_params(masks, rng, scale=1.0, inputs=None, active_margin=None):
    """Initial ``[(W_1, b_1), ..., (W_L, b_L)]``.

    Weights and biases uniform in ``±scale/sqrt(N_{l-1})`` (PyTorch's default
    for ``scale = 1``), weights masked.  With ``active_margin`` and ``inputs``,
    each hidden bias is then set so that the neuron's pre-activation is at least
    ``active_margin`` on every input: the network starts in the regime of the
    paper's construction (all ReLUs active, the network affine on the data),
    which avoids dead-neuron stalls that have nothing to do with closedness.
    """
    np = _np()
    params = []
    for M in masks:
        bound = scale / math.sqrt(M.shape[1])
        W = rng.uniform(-bound, bound, size=M.shape) * M
        b = rng.uniform(-bound, bound, size=M.shape[0])
        params.append([W, b])
    if active_margin is not None and inputs is not None:
        h = inputs
        for l in range(len(masks) - 1):
            z = h @ params[l][0].T
            params[l][1] = active_margin - z.min(axis=0)
            h = np.maximum(z + params[l][1], 0.0)
    return params


def forward(params, X):
    """Outputs and the cache ``(activations, pre-activations)`` of the network on rows of ``X``."""
    np = _np()
    hs, zs = [X], []
    L = len(params)
    for l, (W, b) in enumerate(params):
        z = hs[-1] @ W.T + b
        zs.append(z)
        hs.append(np.maximum(z, 0.0) if l < L - 1 else z)
    return hs[-1], (hs, zs)


def loss_and_grads(params, masks, X, Y):
    """MSE loss and its gradient (masked), by backpropagation; ReLU'(0) = 0 as in PyTorch."""
    out, (hs, zs) = forward(params, X)
    r = out - Y
    loss = float((r * r).mean())
    g = 2.0 * r / r.size
    grads = [None] * len(params)
    for l in range(len(params) - 1, -1, -1):
        W = params[l][0]
        grads[l] = [(g.T @ hs[l]) * masks[l], g.sum(axis=0)]
        if l > 0:
            g = (g @ W) * (zs[l - 1] > 0)
    return loss, grads, zs


def product(params):
    """``W_L ... W_1``."""
    P = params[0][0]
    for W, _ in params[1:]:
        P = W @ P
    return P


def param_norm(params):
    """Euclidean norm of all weights and biases."""
    return math.sqrt(sum(float((W * W).sum() + (b * b).sum()) for W, b in params))


def weight_decay_bound(initial_norm, initial_loss, weight_decay):
    """``sqrt(||θ_0||² + 2 L(θ_0)/λ)``: see "Weight-decay norm bound" in the module docstring."""
    if weight_decay <= 0:
        return math.inf
    return math.sqrt(initial_norm ** 2 + 2.0 * initial_loss / weight_decay)


def _lr_at(schedule, lr, t, steps, norm2):
    if schedule == "constant":
        return lr
    if schedule == "cosine":
        return lr * (0.01 + 0.99 * 0.5 * (1.0 + math.cos(math.pi * t / max(steps, 1))))
    if schedule == "inverse":
        return lr / (1.0 + 100.0 * t / max(steps, 1))
    if schedule == "norm":
        return lr / max(1.0, norm2)
    raise InputError(f"schedule: unknown {schedule!r}; choose one of {', '.join(SCHEDULES)}")


# ------------------------------------------------------------------------------------------
# training
@dataclass
class TrainResult:
    """Per-record metrics (lists, index-aligned) and the final parameters.

    ``history`` keys: ``step``, ``loss`` (full training set, before the update of
    that step), ``target_distance`` (``||W_L...W_1 − A||_F / ||A||_F``, NaN without
    a target), ``norm``, ``objective`` (``loss + λ/2 norm²``), ``active_fraction``
    (share of (hidden neuron, point) pairs with positive pre-activation), ``lr``.
    """
    settings: dict
    history: dict = field(default_factory=dict)
    params: list = None
    seconds: float = 0.0

    @property
    def weight_decay(self):
        return self.settings["weight_decay"]

    @property
    def loss_ratio(self):
        """Initial loss over final loss."""
        h = self.history["loss"]
        return h[0] / h[-1] if h[-1] > 0 else math.inf

    @property
    def norm_ratio(self):
        h = self.history["norm"]
        return h[-1] / h[0]

    @property
    def norm_bound(self):
        h = self.history
        return weight_decay_bound(h["norm"][0], h["loss"][0], self.weight_decay)

    @property
    def max_objective(self):
        return max(self.history["objective"])

    @property
    def descent_ok(self):
        """Whether ``F(θ_t) ≤ F(θ_0)`` at every recorded step (what the norm bound relies on)."""
        F0 = self.history["objective"][0]
        return self.max_objective <= F0 * (1 + 1e-12)

    def summary(self):
        h = self.history
        return (f"weight decay {self.weight_decay:g}: loss {h['loss'][0]:.3e} -> {h['loss'][-1]:.3e} "
                f"(/{self.loss_ratio:.3g}), norm {h['norm'][0]:.3g} -> {h['norm'][-1]:.3g} "
                f"(x{self.norm_ratio:.3g}), distance to target {h['target_distance'][-1]:.3g}, "
                f"active {h['active_fraction'][-1]:.2f}, {self.seconds:.1f} s")


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


def _validate_settings(s, steps):
    if s["optimizer"] not in OPTIMIZERS:
        raise InputError(f"optimizer: unknown {s['optimizer']!r}; choose one of {', '.join(OPTIMIZERS)}")
    if s["schedule"] not in SCHEDULES:
        raise InputError(f"schedule: unknown {s['schedule']!r}; choose one of {', '.join(SCHEDULES)}")
    if not (isinstance(steps, int) and steps >= 1):
        raise InputError(f"steps: must be a positive integer, got {steps!r}")
    if not (s["lr"] > 0 and math.isfinite(s["lr"])):
        raise InputError(f"lr: must be positive, got {s['lr']!r}")
    if not (s["weight_decay"] >= 0 and math.isfinite(s["weight_decay"])):
        raise InputError(f"weight_decay: must be >= 0, got {s['weight_decay']!r}")
    if not (0 <= s["momentum"] < 1):
        raise InputError(f"momentum: must be in [0, 1), got {s['momentum']!r}")
    if s["batch_size"] is not None and s["batch_size"] < 1:
        raise InputError(f"batch_size: must be positive, got {s['batch_size']!r}")


def train(data, *, optimizer="adam", lr=0.01, steps=20000, weight_decay=0.0, schedule="cosine",
          momentum=0.9, batch_size=None, seed=0, init_scale=0.3, active_margin=0.3,
          record_every=None, progress=None, backend="numpy"):
    """Train the masked network of ``data.pattern`` on ``data`` (a :class:`TrainingSet`).

    ``batch_size=None`` is full batch.  Metrics are recorded every
    ``record_every`` steps and at the last step; by default at about 1000 evenly
    spaced and 100 log-spaced steps (full batch), or 100 + 60 (mini-batch: each record
    is a pass over the whole training set), so that log-scale plots stay smooth.
    ``backend='torch'`` runs the same computation with ``torch.optim`` in
    float64 (same initialisation and batches); it needs the ``torch`` extra.
    Returns a :class:`TrainResult`.
    """
    np = _np()
    s = dict(optimizer=optimizer, lr=float(lr), steps=steps, weight_decay=float(weight_decay),
             schedule=schedule, momentum=float(momentum), batch_size=batch_size, seed=seed,
             init_scale=init_scale, active_margin=active_margin, backend=backend)
    _validate_settings(s, steps)
    masks = _masks_of(data.pattern)
    X, Y = np.asarray(data.inputs, float), np.asarray(data.targets, float)
    if X.shape[1] != masks[0].shape[1] or Y.shape[1] != masks[-1].shape[0] or X.shape[0] != Y.shape[0]:
        raise InputError(f"training set: inputs {X.shape} / targets {Y.shape} do not fit a network "
                         f"with {masks[0].shape[1]} inputs and {masks[-1].shape[0]} outputs")
    rng = np.random.default_rng(seed)
    params = init_params(masks, rng, init_scale, X, active_margin)
    K = X.shape[0]
    batch = None if batch_size is None or batch_size >= K else int(batch_size)
    # full-data metrics cost a pass over all points: fewer records for mini-batch runs
    if record_every:
        rec_steps = set(range(0, steps + 1, record_every))
    else:
        lin, geo = (1000, 100) if batch is None else (100, 60)
        rec_steps = {int(round(v)) for v in np.linspace(0, steps, lin + 1)}
        rec_steps |= {int(round(v)) for v in np.geomspace(1, steps, geo)}
    rec_steps.add(steps)
    A = data.target_matrix
    nA = float(np.linalg.norm(A)) if A is not None else None
    hist = {k: [] for k in ("step", "loss", "target_distance", "norm", "objective", "active_fraction", "lr")}
    state = {"order": None, "pos": 0}

    def next_batch():
        if batch is None:
            return X, Y
        if state["order"] is None or state["pos"] + batch > K:
            state["order"], state["pos"] = rng.permutation(K), 0
        i = state["order"][state["pos"]:state["pos"] + batch]
        state["pos"] += batch
        return X[i], Y[i]

    def record(t, ps, loss=None, zs=None, eta=float("nan")):
        if loss is None or zs is None:
            out, (_, zs) = forward(ps, X)
            loss = float(((out - Y) ** 2).mean())
        nrm = param_norm(ps)
        hidden = zs[:-1]
        act = (sum(float((z > 0).sum()) for z in hidden) / sum(z.size for z in hidden)) if hidden else 1.0
        hist["step"].append(t)
        hist["loss"].append(loss)
        hist["target_distance"].append(float(np.linalg.norm(product(ps) - A)) / nA if A is not None else math.nan)
        hist["norm"].append(nrm)
        hist["objective"].append(loss + 0.5 * s["weight_decay"] * nrm * nrm)
        hist["active_fraction"].append(act)
        hist["lr"].append(eta)
        if progress is not None:
            progress(t, steps, loss)

    t0 = time.perf_counter()
    if backend == "torch":
        params = _train_torch(params, masks, s, steps, next_batch, record, rec_steps, X, Y)
    elif backend == "numpy":
        params = _train_numpy(params, masks, s, steps, next_batch, record, rec_steps, batch is None, X, Y)
    else:
        raise InputError(f"backend: unknown {backend!r}; choose 'numpy' or 'torch'")
    return TrainResult(s, hist, params, time.perf_counter() - t0)


def _flat(params):
    """One flat vector holding all parameters, and ``[W, b]`` views into it (updates in place)."""
    np = _np()
    theta = np.concatenate([a.ravel() for pair in params for a in pair])
    views, o = [], 0
    for W, b in params:
        vw = theta[o:o + W.size].reshape(W.shape)
        o += W.size
        vb = theta[o:o + b.size]
        o += b.size
        views.append([vw, vb])
    return theta, views


def _train_numpy(params, masks, s, steps, next_batch, record, rec_steps, full_batch, X, Y):
    np = _np()
    opt, lr, wd, mu = s["optimizer"], s["lr"], s["weight_decay"], s["momentum"]
    b1, b2, eps = 0.9, 0.999, 1e-8
    theta, params = _flat(params)     # one vector: the optimizer does a few array ops per step
    mask, _ = _flat([[M, np.ones(M.shape[0])] for M in masks])
    m1, m2 = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(steps + 1):
        rec = t in rec_steps
        if t == steps:
            record(t, params)
            break
        xb, yb = next_batch()
        loss, grads, zs = loss_and_grads(params, masks, xb, yb)
        g = np.concatenate([a.ravel() for pair in grads for a in pair])
        norm2 = float(theta @ theta) if s["schedule"] == "norm" else 0.0
        eta = _lr_at(s["schedule"], lr, t, steps, norm2)
        if rec:
            if full_batch:
                record(t, params, loss, zs, eta)
            else:
                record(t, params, eta=eta)
        if wd:
            g += wd * theta
        if opt == "gd":
            theta -= eta * g
        elif opt == "sgd":
            m1 *= mu
            m1 += g
            theta -= eta * m1
        else:
            m1 *= b1
            m1 += (1 - b1) * g
            m2 *= b2
            m2 += (1 - b2) * g * g
            theta -= (eta / (1 - b1 ** (t + 1))) * m1 / (np.sqrt(m2) / math.sqrt(1 - b2 ** (t + 1)) + eps)
        theta *= mask      # masks enforced after every update
    return [[W.copy(), b.copy()] for W, b in params]


def _train_torch(params, masks, s, steps, next_batch, record, rec_steps, X, Y):
    try:
        import torch
    except ImportError:
        raise InputError("backend 'torch' needs PyTorch: pip install 'netalgebra[torch]'") from None
    tp = [[torch.tensor(W, dtype=torch.float64, requires_grad=True),
           torch.tensor(b, dtype=torch.float64, requires_grad=True)] for W, b in params]
    tm = [torch.tensor(M, dtype=torch.float64) for M in masks]
    flat = [p for pair in tp for p in pair]
    opt, lr, wd = s["optimizer"], s["lr"], s["weight_decay"]
    if opt == "adam":
        o = torch.optim.Adam(flat, lr=lr, weight_decay=wd)
    else:
        o = torch.optim.SGD(flat, lr=lr, momentum=s["momentum"] if opt == "sgd" else 0.0, weight_decay=wd)

    def as_numpy():
        return [[W.detach().numpy().copy(), b.detach().numpy().copy()] for W, b in tp]

    for t in range(steps + 1):
        if t == steps:
            record(t, as_numpy())
            break
        xb, yb = next_batch()
        norm2 = param_norm(as_numpy()) ** 2 if s["schedule"] == "norm" else 0.0
        eta = _lr_at(s["schedule"], lr, t, steps, norm2)
        if t in rec_steps:
            record(t, as_numpy(), eta=eta)
        for g in o.param_groups:
            g["lr"] = eta
        h = torch.tensor(xb, dtype=torch.float64)
        for l, (W, b) in enumerate(tp):
            h = h @ (W * tm[l]).T + b
            if l < len(tp) - 1:
                h = torch.relu(h)
        loss = torch.mean((h - torch.tensor(yb, dtype=torch.float64)) ** 2)
        o.zero_grad()
        loss.backward()
        o.step()
        with torch.no_grad():
            for l, (W, _) in enumerate(tp):
                W.mul_(tm[l])
    return as_numpy()


def compare(data, weight_decay, **kwargs):
    """Two runs with the same seed: without and with ``weight_decay`` (the paper's comparison)."""
    runs = [train(data, weight_decay=0.0, **kwargs)]
    if weight_decay and weight_decay > 0:
        runs.append(train(data, weight_decay=weight_decay, **kwargs))
    return runs


# ------------------------------------------------------------------------------------------
# output
CSV_COLUMNS = ("step", "loss", "target_distance", "norm", "weight_decay", "objective", "active_fraction", "lr")


def write_csv(results, path):
    """One row per recorded step and run; columns :data:`CSV_COLUMNS`."""
    import csv
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
