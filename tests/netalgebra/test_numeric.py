"""Tests of netalgebra.numeric (the command ``netalgebra train``: tests/cli/test_train_cli.py).

Acceptance (seeded, each run well under 60 s): on the ul:2 and ul:3 witness sets the
loss falls >= 100x while the norm grows >= 10x; with weight decay the norm stays under
sqrt(||θ0||² + 2 L0/λ) and the loss stalls above a floor; dense 2-2-2 on the same data
reaches loss <= 1e-8 with a bounded norm.
"""

import itertools
import json
import math
import time
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

np = pytest.importorskip("numpy")

from cad.errors import InputError  # noqa: E402
from netalgebra import numeric as nm  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402


def _witness(name):
    return nm.training_set(SparsityPattern.preset(name))


@pytest.fixture(scope="module")
def runs():
    """Seeded Adam runs (the CLI defaults) without and with weight decay on ul:2 and ul:3."""
    out = {}
    for name in ("ul:2", "ul:3"):
        data = _witness(name)
        for wd in (0.0, 1e-2):
            t0 = time.perf_counter()
            r = nm.train(data, weight_decay=wd, seed=0, record_every=1)
            out[name, wd] = (r, time.perf_counter() - t0)
    return out


# -- the network -------------------------------------------------------------------------------
@settings(max_examples=15)
@given(st.integers(0, 10 ** 6), st.sampled_from([(2, 3, 2), (3, 2, 2, 1), (1, 2, 3)]))
def test_gradients_match_finite_differences_and_respect_masks(seed, widths):
    rng = np.random.default_rng(seed)
    masks = [(rng.random((widths[i + 1], widths[i])) < 0.7).astype(float) for i in range(len(widths) - 1)]
    X = rng.uniform(-1, 1, (5, widths[0]))
    Y = rng.uniform(-1, 1, (5, widths[-1]))
    params = nm.init_params(masks, rng, 1.0)
    loss, grads, _ = nm.loss_and_grads(params, masks, X, Y)
    for l, (M, (gW, gb)) in enumerate(zip(masks, grads)):
        assert np.all(gW[M == 0] == 0)
        for arr, g, idx in [(params[l][0], gW, i) for i in zip(*np.nonzero(M))] + \
                           [(params[l][1], gb, (i,)) for i in range(M.shape[0])]:
            old = arr[idx]
            arr[idx] = old + 1e-6
            up = float(((nm.forward(params, X)[0] - Y) ** 2).mean())
            arr[idx] = old - 1e-6
            down = float(((nm.forward(params, X)[0] - Y) ** 2).mean())
            arr[idx] = old
            # skip coordinates where a ReLU kink lies inside the stencil
            assert abs((up - down) / 2e-6 - g[idx]) < 1e-5 or abs(up + down - 2 * loss) > 1e-8


def test_masks_enforced_for_every_optimizer():
    data = _witness("ul:3")
    zero = [np.asarray(m) == 0 for m in SparsityPattern.preset("ul:3").masks]
    for opt in nm.OPTIMIZERS:
        r = nm.train(data, optimizer=opt, lr=0.01, steps=300, weight_decay=1e-3, batch_size=10)
        for (W, _), z in zip(r.params, zero):
            assert np.all(W[z] == 0), opt


def test_product_and_norm():
    p = [[np.array([[1.0, 0], [2, 3]]), np.array([1.0, 1])], [np.array([[0.0, 1], [1, 0]]), np.array([2.0, 0])]]
    assert np.array_equal(nm.product(p), np.array([[2.0, 3], [1, 0]]))
    assert math.isclose(nm.param_norm(p), math.sqrt(1 + 4 + 9 + 1 + 1 + 1 + 1 + 4))


# -- training sets -----------------------------------------------------------------------------
def _affinely_independent(points):
    """Exact rank test of [1, x] rows by fraction-free Gaussian elimination."""
    rows = [[Fraction(1)] + [Fraction(v).limit_denominator(10 ** 6) for v in p] for p in points]
    n = len(rows)
    for c in range(n):
        piv = next((r for r in range(c, n) if rows[r][c] != 0), None)
        if piv is None:
            return False
        rows[c], rows[piv] = rows[piv], rows[c]
        for r in range(c + 1, n):
            f = rows[r][c] / rows[c][c]
            rows[r] = [a - f * b for a, b in zip(rows[r], rows[c])]
    return True


@pytest.mark.parametrize("name,count", [("ul:2", 9), ("ul:3", 25), ("lu:2", 9)])
def test_witness_set_size_general_position_and_targets(name, count):
    data = _witness(name)
    d = SparsityPattern.preset(name).widths[0]
    J = np.fliplr(np.eye(d))
    assert data.inputs.shape == (count, d)     # (regions of h lines/planes) * d + 1
    assert np.array_equal(data.targets, data.inputs @ J)
    assert np.array_equal(data.target_matrix, J)
    if d == 2:
        for sub in itertools.combinations(data.inputs.tolist(), d + 1):
            assert _affinely_independent(sub)


def test_paper_size_sets_and_bad_targets():
    data = nm.training_set(SparsityPattern.preset("ul:20"))
    assert data.inputs.shape == (20000, 20) and np.abs(data.inputs).max() <= 1
    with pytest.raises(InputError, match="non-square"):
        nm.training_set(SparsityPattern.preset("dense:2,2,3"))
    with pytest.raises(InputError, match="target: expected a 2 x 2"):
        nm.training_set(SparsityPattern.preset("ul:2"), np.eye(3))


def test_training_set_from_certificate_layouts_and_errors():
    pattern = json.loads(SparsityPattern.preset("ul:2").to_json())
    cert = {"pattern": pattern, "target": [["0", "1"], ["1", "0"]],
            "training_set": {"inputs": [["1/2", "-1"], [0, "3/4"]], "targets": [["-1", "1/2"], ["3/4", 0]]}}
    data = nm.training_set_from_certificate(cert, normalize=False)
    assert np.array_equal(data.inputs, [[0.5, -1], [0, 0.75]])
    assert np.array_equal(data.targets, [[-1, 0.5], [0.75, 0]])
    assert np.array_equal(data.target_matrix, [[0, 1], [1, 0]])
    assert np.abs(nm.training_set_from_certificate(cert).inputs).max() == 1    # standardised by default
    # the certificate/1 layout keeps the points under "relu"
    alt = {"pattern": pattern, "relu": {"points": [["1", "2"]], "targets": [["2", "1"]]}}
    assert nm.training_set_from_certificate(alt).target_matrix is None
    bad = [({"target": cert["target"]}, "'pattern'"),
           ({"pattern": pattern, "verdict": "closed"}, "training_set.*closed"),
           ({**cert, "training_set": {"inputs": [["1", "x"]], "targets": [["1", "1"]]}}, r"inputs\[0\]\[1\]"),
           ({**cert, "training_set": {"inputs": [["1"]], "targets": [["1", "1"]]}}, r"inputs\[0\]: expected 2"),
           ({**cert, "training_set": {"inputs": [["1", "1"]]}}, "training_set.targets"),
           ({**cert, "training_set": {"inputs": [["1", "1"]], "targets": [["1", "1"], ["0", "0"]]}}, "rows"),
           ({**cert, "target": [["1", "0", "0"], ["0", "1", "0"]]}, r"target\[0\]")]
    for c, msg in bad:
        with pytest.raises(InputError, match=msg):
            nm.training_set_from_certificate(c)


def test_standardize_is_the_same_problem_in_new_coordinates():
    rng = np.random.default_rng(1)
    t = np.arange(1.0, 10.0)
    X = np.stack([t, t * t], axis=1)                 # a certificate-style moment-curve set
    A = rng.uniform(-2, 2, (3, 2))
    data = nm.standardize(nm.TrainingSet(SparsityPattern.preset("dense:2,2,3"), X, X @ A.T, A))
    assert np.allclose(np.abs(data.inputs).max(axis=0), 1) and np.allclose(np.abs(data.targets).max(axis=0), 1)
    # the new targets are an affine image of the new inputs with linear part A' = D_out^-1 A D_in
    resid = data.targets - data.inputs @ data.target_matrix.T
    assert np.allclose(resid, resid[0])
    # A' is a two-sided diagonal rescaling of A (so it lies in L_I iff A does)
    ratio = data.target_matrix / A
    assert np.allclose(ratio, np.outer(ratio[:, 0], ratio[0, :] / ratio[0, 0]))


# -- acceptance --------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ul:2", "ul:3"])
def test_divergence_without_weight_decay(runs, name):
    r, seconds = runs[name, 0.0]
    assert seconds < 60
    assert r.loss_ratio >= 100, r.summary()
    assert r.norm_ratio >= 10, r.summary()
    h = r.history
    # over the second half the norm still grows while the loss still falls: an escape, not a stall
    q = len(h["step"]) // 2
    assert h["norm"][-1] > 1.05 * h["norm"][q] and h["loss"][-1] < 0.8 * h["loss"][q]
    assert h["target_distance"][-1] < 0.1          # W2 W1 approaches J, which it never equals


@pytest.mark.parametrize("name", ["ul:2", "ul:3"])
def test_weight_decay_bounds_norm_and_loss_stalls(runs, name):
    r, seconds = runs[name, 1e-2]
    free, _ = runs[name, 0.0]
    h = r.history
    bound = nm.weight_decay_bound(h["norm"][0], h["loss"][0], 1e-2)
    assert max(h["norm"]) <= bound
    assert free.history["norm"][-1] > bound            # without decay the same bound is crossed
    q = len(h["step"]) * 3 // 4
    floor = 10 * free.history["loss"][-1]
    assert min(h["loss"][q:]) > floor                  # stalls well above the undecayed loss
    assert abs(h["loss"][-1] - h["loss"][q]) <= 1e-3 * h["loss"][q]
    assert seconds < 60


@pytest.mark.parametrize("name", ["ul:2", "ul:3"])
def test_norm_bound_under_gradient_descent(name):
    """Full-batch GD with a small step: the objective never exceeds its start (checked), hence
    ||θ_t||² <= ||θ0||² + 2 L0/λ at every step."""
    lam = 1e-2
    r = nm.train(_witness(name), optimizer="gd", lr=0.1, schedule="constant", steps=5000,
                 weight_decay=lam, record_every=1)
    h = r.history
    assert r.descent_ok
    for n, loss in zip(h["norm"], h["loss"]):
        assert n * n <= h["norm"][0] ** 2 + 2 * (h["loss"][0] - loss) / lam + 1e-9


def test_dense_converges_on_the_same_data():
    ul2 = _witness("ul:2")
    data = nm.TrainingSet(SparsityPattern.preset("dense:2,2,2"), ul2.inputs, ul2.targets, ul2.target_matrix)
    t0 = time.perf_counter()
    r = nm.train(data, seed=0)
    assert time.perf_counter() - t0 < 60
    assert r.history["loss"][-1] <= 1e-8, r.summary()
    assert max(r.history["norm"]) < 5 and r.norm_ratio < 10
    assert r.history["target_distance"][-1] < 1e-3


def test_plain_gd_with_fixed_step_saturates():
    """The note of the issue: fixed-step GD does not blow up, its norm stays near sqrt(2/lr)."""
    r = nm.train(_witness("ul:2"), optimizer="gd", lr=0.5, schedule="constant", steps=4000)
    assert max(r.history["norm"]) < 2 * math.sqrt(2 / 0.5)


def test_torch_backend_agrees_on_first_100_steps():
    pytest.importorskip("torch")
    data = _witness("ul:2")
    for opt in nm.OPTIMIZERS:
        kw = dict(optimizer=opt, lr=0.01, steps=100, weight_decay=1e-3, record_every=1, seed=3)
        a = nm.train(data, backend="numpy", **kw).history["loss"]
        b = nm.train(data, backend="torch", **kw).history["loss"]
        assert np.allclose(a, b, rtol=1e-6, atol=0), opt


def test_invalid_settings_are_rejected():
    data = _witness("ul:2")
    for kw, msg in [({"optimizer": "rmsprop"}, "optimizer"), ({"lr": 0}, "lr"), ({"steps": 0}, "steps"),
                    ({"weight_decay": -1}, "weight_decay"), ({"schedule": "warm"}, "schedule"),
                    ({"batch_size": 0}, "batch_size"), ({"backend": "jax"}, "backend")]:
        with pytest.raises(InputError, match=msg):
            nm.train(data, **kw)
