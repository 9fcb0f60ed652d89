"""Training masked ReLU networks: parameters, forward pass, gradients, optimizers.

Everything here is floating point (numpy, imported by the functions that use it).

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
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from cad.errors import InputError
from netalgebra.numeric.data import masks_of

__all__ = ["TrainResult", "init_params", "forward", "loss_and_grads", "product", "param_norm", "train",
           "compare", "weight_decay_bound", "OPTIMIZERS", "SCHEDULES", "WITNESS_DEFAULTS", "PAPER_DEFAULTS"]

OPTIMIZERS = ("gd", "sgd", "adam")
SCHEDULES = ("constant", "cosine", "inverse", "norm")
#: settings of the witness-set runs (small patterns): measured on ul:2, ul:3 (see tests)
WITNESS_DEFAULTS = dict(optimizer="adam", lr=0.01, steps=20000, schedule="cosine",
                        weight_decay=1e-2, batch_size=None, init_scale=0.3, active_margin=0.3)
#: the paper's experiment (Section 4): SGD lr 0.1, momentum 0.9, batch 3000 of 100 000, decay 5e-4
PAPER_DEFAULTS = dict(optimizer="sgd", lr=0.1, steps=10000, schedule="constant",
                      weight_decay=5e-4, batch_size=600, init_scale=1.0, active_margin=None)


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
    import numpy as np
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
    import numpy as np
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
    import numpy as np
    s = dict(optimizer=optimizer, lr=float(lr), steps=steps, weight_decay=float(weight_decay),
             schedule=schedule, momentum=float(momentum), batch_size=batch_size, seed=seed,
             init_scale=init_scale, active_margin=active_margin, backend=backend)
    _validate_settings(s, steps)
    masks = masks_of(data.pattern)
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
    import numpy as np
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
    import numpy as np
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
