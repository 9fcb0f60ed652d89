"""Tests for netalgebra.compile (the command ``netalgebra compile``: tests/cli/test_compile_cli.py)."""

import random
from fractions import Fraction

import pytest
from flint import fmpq
from hypothesis import given, settings, strategies as st

from cad import logic
from cad.errors import InputError
from cad.poly import PolyRing
from netalgebra import compile as C
from netalgebra.compile import linear_map
from netalgebra.pattern import SparsityPattern as S
from strategies import patterns


def rationals(rng, den=5, num=6):
    return Fraction(rng.randint(-num, num), rng.randint(1, den))


# --- linear_map -----------------------------------------------------------------------------

@settings(max_examples=40)
@given(patterns())
def test_linear_map_matches_sympy_product(p):
    sympy = pytest.importorskip("sympy")
    lm = linear_map(p)
    # variables: one per allowed weight, named w{l}_{i}_{j}, in layer/row/column order
    expected_vars = [f"w{l + 1}_{i}_{j}" for l, m in enumerate(p.masks)
                     for i, r in enumerate(m) for j, v in enumerate(r) if v]
    assert list(lm.variables) == expected_vars
    assert isinstance(lm.ring, PolyRing) and list(lm.ring.variables) == expected_vars
    syms = {n: sympy.Symbol(n) for n in expected_vars}
    prod = None
    for l, m in enumerate(p.masks):
        M = sympy.Matrix(len(m), len(m[0]),
                         lambda i, j: syms[f"w{l + 1}_{i}_{j}"] if m[i][j] else 0)
        prod = M if prod is None else M * prod
    gens = [syms[n] for n in expected_vars]
    assert lm.shape == (prod.rows, prod.cols) == (p.widths[-1], p.widths[0])
    assert len(lm.entries) == prod.rows
    for i in range(prod.rows):
        assert len(lm.entries[i]) == prod.cols
        for j in range(prod.cols):
            e = lm.entries[i][j]
            assert e.context() is lm.ring.ctx
            want = sympy.expand(prod[i, j])
            if not gens:
                assert e == 0 and want == 0
                continue
            want_dict = {k: int(v) for k, v in sympy.Poly(want, *gens).as_dict().items() if v != 0}
            got = {tuple(int(x) for x in k): int(v) for k, v in e.to_dict().items()}
            assert got == want_dict
            # the path-based string form parses back to the same polynomial
            assert lm.ring.parse(lm.entry_str(i, j)) == e


def _fraction_product(p, W):
    prod = None
    for l, m in enumerate(p.masks):
        M = W[l]
        if prod is None:
            prod = M
        else:
            prod = [[sum((M[i][t] * prod[t][j] for t in range(len(prod))), Fraction(0))
                     for j in range(len(prod[0]))] for i in range(len(M))]
    return prod


@settings(max_examples=40)
@given(patterns(), st.integers(0, 10 ** 6))
def test_evaluate_matches_fraction_product(p, seed):
    rng = random.Random(seed)
    W = [[[rationals(rng) if v else Fraction(0) for v in row] for row in m] for m in p.masks]
    want = _fraction_product(p, W)
    lm = linear_map(p)
    names = {f"w{l + 1}_{i}_{j}": W[l][i][j] for (l1, i, j) in p.support for l in [l1 - 1]}
    got = lm.evaluate(names)
    assert [[Fraction(int(x.p), int(x.q)) for x in r] for r in got] == want
    got2 = lm.evaluate(W)
    assert got2 == got
    # and agrees with evaluating the polynomial entries
    point = {n: fmpq(v.numerator, v.denominator) for n, v in names.items()}
    for i, row in enumerate(got):
        for j, x in enumerate(row):
            assert lm.ring.evaluate(lm.entries[i][j], point) == x


def test_evaluate_errors():
    lm = linear_map(S.preset("ul:2"))
    good = {"w1_0_0": 1, "w1_1_0": 2, "w1_1_1": 3, "w2_0_0": 4, "w2_0_1": 5, "w2_1_1": 6}
    assert lm.evaluate(good) == [[fmpq(14), fmpq(15)], [fmpq(12), fmpq(18)]]
    assert lm.evaluate({**good, "w2_1_1": "1/2"})[1][1] == fmpq(3, 2)
    with pytest.raises(InputError, match="w2_1_1"):
        lm.evaluate({k: v for k, v in good.items() if k != "w2_1_1"})
    with pytest.raises(InputError, match="w1_0_1"):
        lm.evaluate({**good, "w1_0_1": 1})
    with pytest.raises(InputError, match="float"):
        lm.evaluate({**good, "w1_0_0": 0.1})
    with pytest.raises(InputError, match=r"W_1\[0,1\]"):
        lm.evaluate([[[1, 7], [2, 3]], [[4, 5], [0, 6]]])
    with pytest.raises(InputError, match="layer 2"):
        lm.evaluate([[[1, 0], [2, 3]], [[4, 5]]])
    with pytest.raises(InputError):
        lm.evaluate([[[1, 0], [2, 3]]])


def test_ul100_structure():
    n = 100
    lm = linear_map(S.preset(f"ul:{n}"))
    assert len(lm.variables) == n * (n + 1)
    # (UL)[k, j] = sum_{i >= max(k, j)} U[k, i] L[i, j]: n - max(k, j) paths
    assert lm.nterms == sum(n - max(k, j) for k in range(n) for j in range(n))
    assert lm.entry_str(n - 1, 0) == f"w2_{n - 1}_{n - 1} w1_{n - 1}_0"
    e = lm.entries[n - 1][0]
    assert e == lm.ring.gen(f"w2_{n - 1}_{n - 1}") * lm.ring.gen(f"w1_{n - 1}_0")
    assert len(lm.entries) == n and len(lm.entries[3]) == n
    assert len(list(lm.entries[0][0].terms())) == n


def test_lazy_entries_equal_eager(monkeypatch):
    p = S.preset("random:3,4,3,3:0.6:2")
    eager = linear_map(p).entries
    assert isinstance(eager, list)
    monkeypatch.setattr(C, "EAGER_LIMIT", 0)
    lazy = linear_map(p).entries
    assert not isinstance(lazy, list)
    assert lazy == eager and [list(r) for r in lazy] == eager
    assert lazy[-1][-1] == eager[-1][-1] and lazy[1][0:2] == eager[1][0:2]
    with pytest.raises(IndexError):
        lazy[3]


def test_linear_map_rejects_non_patterns():
    with pytest.raises(InputError):
        linear_map([[[1]]])


# --- relu_formula / image_formula --------------------------------------------------------------

def _forward(p, W, b, x):
    """Exact forward pass with Fractions; returns (hidden activations per layer, outputs)."""
    acts = []
    h = list(x)
    for l, m in enumerate(p.masks):
        z = [sum((W[l][i][j] * h[j] for j in range(len(h))), Fraction(0)) + b[l][i] for i in range(len(m))]
        if l == len(p.masks) - 1:
            return acts, z
        h = [max(Fraction(0), v) for v in z]
        acts.append((z, h))


def _q(v):
    return fmpq(v.numerator, v.denominator)


@settings(max_examples=30)
@given(patterns(max_depth=3), st.integers(0, 10 ** 6), st.integers(1, 3), st.booleans())
def test_relu_formula_forward_pass(p, seed, npoints, keep_z):
    rng = random.Random(seed)
    W = [[[rationals(rng) if v else Fraction(0) for v in row] for row in m] for m in p.masks]
    b = [[rationals(rng) for _ in m] for m in p.masks]
    pts = [[rationals(rng, 3, 4) for _ in range(p.widths[0])] for _ in range(npoints)]
    # mix of input formats: Fractions and strings
    given_pts = [[str(v) if k % 2 else v for v in x] for k, x in enumerate(pts)]
    prob = C.relu_formula(p, given_pts, preactivations=keep_z)
    L = p.depth
    outs_free = [f"y{k}_{i}" for k in range(npoints) for i in range(p.widths[-1])]
    assert tuple(prob.free) == tuple(outs_free)
    assert list(prob.ring.variables[:len(outs_free)]) == outs_free
    assert isinstance(prob.formula, logic.Exists)
    assert set(prob.formula.variables) == set(prob.ring.variables) - set(outs_free)
    point = {}
    for (l, i, j) in p.support:
        point[f"w{l}_{i}_{j}"] = _q(W[l - 1][i][j])
    for l in range(L):
        for i in range(p.widths[l + 1]):
            point[f"b{l + 1}_{i}"] = _q(b[l][i])
    outputs = []
    for k, x in enumerate(pts):
        acts, y = _forward(p, W, b, x)
        outputs.append(y)
        for l, (z, a) in enumerate(acts, start=1):
            for i in range(len(a)):
                point[f"a{k}_{l}_{i}"] = _q(a[i])
                if keep_z:
                    point[f"z{k}_{l}_{i}"] = _q(z[i])
        for i, v in enumerate(y):
            point[f"y{k}_{i}"] = _q(v)
    assert set(point) == set(prob.ring.variables)
    assert logic.evaluate(prob.formula.body, prob.ring, point) is True
    # change one output coordinate: the same parameters no longer satisfy the formula
    k, i = rng.randrange(npoints), rng.randrange(p.widths[-1])
    bad = dict(point)
    bad[f"y{k}_{i}"] = point[f"y{k}_{i}"] + fmpq(1, rng.randint(1, 7))
    assert logic.evaluate(prob.formula.body, prob.ring, bad) is False
    # and a wrong activation (negative, or not max(0, z)) is rejected too
    if L > 1:
        bad = dict(point)
        bad["a0_1_0"] = point["a0_1_0"] + 1
        assert logic.evaluate(prob.formula.body, prob.ring, bad) is False


def test_relu_formula_errors():
    p = S.preset("ul:2")
    with pytest.raises(InputError, match="point 1"):
        C.relu_formula(p, [[0, 1], [1]])
    with pytest.raises(InputError, match="point 0, coordinate 1"):
        C.relu_formula(p, [[0, 0.5]])
    with pytest.raises(InputError, match="point 0, coordinate 0"):
        C.relu_formula(p, [["a", 1]])
    with pytest.raises(InputError):
        C.relu_formula(p, [])


@settings(max_examples=25)
@given(patterns(max_depth=3), st.integers(0, 10 ** 6))
def test_image_formula(p, seed):
    rng = random.Random(seed)
    lm = linear_map(p)
    prob = C.image_formula(lm)
    n, m = lm.shape
    free = [f"y{i}_{j}" for i in range(n) for j in range(m)]
    assert tuple(prob.free) == tuple(free)
    assert list(prob.ring.variables) == free + list(lm.variables)
    weights = {v: fmpq(rng.randint(-5, 5), rng.randint(1, 4)) for v in lm.variables}
    A = lm.evaluate(weights)
    point = dict(weights)
    point.update({f"y{i}_{j}": A[i][j] for i in range(n) for j in range(m)})
    body = prob.formula.body if isinstance(prob.formula, logic.Exists) else prob.formula
    assert logic.evaluate(body, prob.ring, point) is True
    i, j = rng.randrange(n), rng.randrange(m)
    point[f"y{i}_{j}"] += 1
    assert logic.evaluate(body, prob.ring, point) is False
