"""Training sets for the numeric cross-check: witness sets, and those stored in certificates.

The training set
----------------
A witness set for a target ``A`` (``y = A x``): if ``A ∈ cl(L_I) \\ L_I``, the
loss has infimum 0 (large hidden biases keep every ReLU active and
``x ↦ A x`` is approached; docs/mathematics.md, "Results", Result 2) but is never 0 on a set of
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

Rationals given as text (certificates, ``--target``) are parsed exactly, then rounded to float.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

from cad.errors import InputError
from netalgebra.pattern import SparsityPattern

__all__ = ["TrainingSet", "anti_identity", "witness_points", "training_set", "standardize",
           "training_set_from_certificate", "rational_matrix", "MAX_WITNESS_POINTS"]

MAX_WITNESS_POINTS = 2000


def masks_of(pattern):
    """Masks (layer order, out x in) as float arrays, from a pattern or a list of arrays."""
    import numpy as np
    masks = getattr(pattern, "masks", pattern)
    return [np.asarray(m, dtype=float) for m in masks]


def anti_identity(n):
    """The ``n x n`` anti-identity ``J`` (ones on the anti-diagonal)."""
    import numpy as np
    return np.fliplr(np.eye(n))


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
    import numpy as np
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
    import numpy as np
    masks = masks_of(pattern)
    widths = [masks[0].shape[1]] + [m.shape[0] for m in masks]
    A = _default_target(pattern, widths) if target is None else rational_matrix(target, "target")
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


def rational_matrix(rows, where, ncols=None):
    """``rows`` (lists of rationals, ``ncols`` each when given; or an array) as a float array.

    Raises :class:`cad.errors.InputError` naming the bad entry as ``where[i][j]``.
    """
    import numpy as np
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
    import numpy as np

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
    X = rational_matrix(ts[xk], f"{key}.{xk}", widths[0])
    Y = rational_matrix(ts["targets"], f"{key}.targets", widths[-1])
    if X.shape[0] != Y.shape[0]:
        raise InputError(f"certificate: {key}.{xk} has {X.shape[0]} rows but {key}.targets has {Y.shape[0]}")
    A = None
    if cert.get("target") is not None:
        A = rational_matrix(cert["target"], "target", widths[0])
        if A.shape[0] != widths[-1]:
            raise InputError(f"target: expected {widths[-1]} rows, got {A.shape[0]}")
    data = TrainingSet(pattern, X, Y, A, f"{X.shape[0]} points from the certificate")
    return standardize(data) if normalize else data

