"""Tests of the closedness theorems (fast paths)."""

import random

from hypothesis import given, strategies as st

from netalgebra import theorems as th
from netalgebra.certificate import verify
from netalgebra.decide import find_core_2x2
from netalgebra.pattern import SparsityPattern


def P(name):
    return SparsityPattern.preset(name)


def test_one_layer():
    assert th.one_layer(P("masks:101,010").masks)["name"] == "one_layer"
    assert th.one_layer(P("ul:2").masks) is None


def test_scalar_output():
    assert th.shallow_scalar_output(P("masks:10,11|11").masks) is not None
    assert th.shallow_scalar_output(P("ul:2").masks) is None
    assert th.shallow_scalar_output(P("dense:2,2,1,1").masks) is None   # depth 3


def test_support_groups_cases():
    for name, n_groups, kinds in [("dense:3,3,3", 1, {"identical"}), ("butterfly:4", 4, {"identical"}),
                                  ("block:2:2,1,2", 2, {"identical"}), ("diag:2", 2, {"identical"}),
                                  ("masks:10,11|11", 1, {"subspace"})]:
        res = th.shallow_support_groups(P(name).masks)
        assert res is not None, name
        groups = res["hypotheses"]["groups"]
        assert len(groups) == n_groups, name
        assert {g["kind"] for g in groups} == kinds
    dense = th.shallow_support_groups(P("dense:3,3,3").masks)["hypotheses"]["groups"][0]
    assert dense["rank_bound"] == 3
    assert th.shallow_support_groups(P("dense:2,1,2").masks)["hypotheses"]["groups"][0]["rank_bound"] == 1
    for name in ["ul:2", "lu:2", "ul:3", "ul:100"]:
        assert th.shallow_support_groups(P(name).masks) is None, name


def test_dead_neurons_ignored():
    # dense 2-2-2 plus a hidden neuron that reads inputs but reaches no output
    masks = [[[1, 1], [1, 1], [1, 1]], [[1, 1, 0], [1, 1, 0]]]
    res = th.shallow_support_groups(masks)
    assert res is not None and res["hypotheses"]["groups"][0]["neurons"] == [0, 1]
    # deep: a dead middle neuron does not spoil density
    masks = [[[1, 1], [1, 1]], [[1, 0], [1, 0]], [[1, 1], [1, 1]]]
    assert th.deep_dense_components(masks) is not None
    # ...but a missing live edge does
    masks = [[[1, 1], [1, 1]], [[1, 1], [1, 0]], [[1, 1], [1, 1]]]
    assert th.deep_dense_components(masks) is None


def test_deep_dense_components():
    res = th.deep_dense_components(P("dense:3,4,2,3").masks)
    assert res["hypotheses"]["components"][0]["rank_bound"] == 2
    res = th.deep_dense_components(P("block:3:2,1,2,2").masks)
    assert len(res["hypotheses"]["components"]) == 3
    assert th.deep_dense_components(P("butterfly:8").masks) is None


def test_live_neurons_and_components():
    masks = [[[1, 0, 0], [0, 1, 0], [0, 0, 0]], [[1, 0, 1], [0, 0, 0]]]
    live = th.live_neurons(masks)
    assert live == [{0}, {0}, {0}]
    comps = th.live_components(masks, live)
    assert len(comps) == 1


def _random_masks(rng, n0, n1, n2, dens):
    return [[[1 if rng.random() < dens else 0 for _ in range(n0)] for _ in range(n1)],
            [[1 if rng.random() < dens else 0 for _ in range(n1)] for _ in range(n2)]]


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.floats(0.2, 0.95), st.integers(0, 10 ** 6))
def test_theorem_and_witness_never_both(n0, n1, n2, dens, seed):
    """A closed theorem and a (verified) non-closed witness must never apply together."""
    masks = _random_masks(random.Random(seed), n0, n1, n2, dens)
    res = th.closed_by_theorem(masks)
    core = find_core_2x2(tuple(tuple(tuple(r) for r in m) for m in masks))
    assert res is None or core is None
    if res is not None:
        cert = {"format": "netalgebra-certificate/1", "verdict": "closed", "question": "linear",
                "pattern": {"masks": masks}, "theorem": res}
        assert verify(cert).ok


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.floats(0.2, 0.95), st.integers(0, 10 ** 6))
def test_transpose_invariance(n0, n1, n2, dens, seed):
    """Closedness is invariant under transposition; the shallow theorems are symmetric."""
    pat = SparsityPattern(_random_masks(random.Random(seed), n0, n1, n2, dens))
    a = th.shallow_support_groups(pat.masks) is not None
    b = th.shallow_support_groups(pat.transpose().masks) is not None
    assert a == b
    assert (find_core_2x2(pat.masks) is None) == (find_core_2x2(pat.transpose().masks) is None)


def test_free_lines():
    # 2x2 block: a full neuron plus a neuron filling row 0 -> all of R^{2x2}
    masks = [[[1, 1], [1, 1]], [[1, 1], [0, 1]]]   # neuron 0: rows {0}, cols {0,1}; neuron 1: rows {0,1}
    reduced, steps = th.shallow_free_lines(masks)
    assert steps[0] == ["row", 0, 0]
    inner = th.closed_by_theorem(reduced)
    assert inner is not None
    res = {"name": "shallow_free_lines", "hypotheses": {"depth": 2, "steps": steps, "then": inner}}
    cert = {"format": "netalgebra-certificate/1", "verdict": "closed", "question": "linear",
            "pattern": {"masks": masks}, "theorem": res}
    assert verify(cert).ok
    bad = json_copy(cert)
    bad["theorem"]["hypotheses"]["steps"] = [["row", 1, 1]]     # neuron 1 reaches two rows
    assert not verify(bad).ok
    bad = json_copy(cert)
    bad["pattern"]["masks"] = [[[1, 0], [1, 1]], [[1, 1], [0, 1]]]   # ul:2: the step no longer frees row 0
    assert not verify(bad).ok


def json_copy(x):
    import json
    return json.loads(json.dumps(x))


def test_no_theorem_for_a_non_closed_pattern_without_2x2_core():
    """Rows (1,0), (1,0), (0,1) are a limit (v2 = (1, t), row 2 = (v2 - v1)/t) but not a value:
    rows 0 and 1 force v1, v2 to be multiples of (1, 0), so row 2 would be too.  No 2x2 core
    exists, so the decider must not claim anything it cannot prove."""
    masks = ((( 1, 1), (1, 1)), ((1, 0), (0, 1), (1, 1)))
    assert th.closed_by_theorem(masks) is None
    assert find_core_2x2(masks) is None


def test_rank_peeling():
    # neurons: rows {0,1,2} x cols {1,2};  rows {1,2} x cols {0,1,2};  full 3x3.
    M1 = [[0, 1, 1], [1, 1, 1], [1, 1, 1]]
    M2 = [[1, 0, 1], [1, 1, 1], [1, 1, 1]]
    res = th.closed_by_theorem([M1, M2])
    assert res is not None and res["name"] == "shallow_support_groups"
    (g,) = res["hypotheses"]["groups"]
    assert g["kind"] == "full_rectangle" and len(g["peeling_order"]) == 3
    cert = {"format": "netalgebra-certificate/1", "verdict": "closed", "question": "linear",
            "pattern": {"masks": [M1, M2]}, "theorem": res}
    assert verify(cert).ok
    bad = json_copy(cert)
    bad["theorem"]["hypotheses"]["groups"][0]["peeling_order"] = [2, 0, 1]   # full neuron first: stalls
    assert not verify(bad).ok
    # numeric sanity of the claim: a random rational 3x3 matrix is W2 W1 for these masks
    import random
    from fractions import Fraction
    rng = random.Random(3)
    for _ in range(5):
        M = [[Fraction(rng.randint(-5, 5)) for _ in range(3)] for _ in range(3)]
        assert _peel_decompose(M, [(set(range(3)), {1, 2}), ({1, 2}, set(range(3))), (set(range(3)),) * 2],
                               g["peeling_order"])


def _peel_decompose(M, supports, order):
    """Replay the constructive proof of rank peeling exactly; True iff M is fully peeled.

    At neuron k (rows Rk, cols Ck): Y = {y : y^T M vanishes off Ck}, X = {x : M x vanishes
    off Rk}; pick y in Y, x in X with y^T M x != 0 and subtract (M x)(y^T M) / (y^T M x).
    """
    from fractions import Fraction
    n = len(M)

    def nullspace(B, m):
        B = [r[:] for r in B]
        piv, rk = [], 0
        for col in range(m):
            p = next((i for i in range(rk, len(B)) if B[i][col] != 0), None)
            if p is None:
                continue
            B[rk], B[p] = B[p], B[rk]
            B[rk] = [v / B[rk][col] for v in B[rk]]
            for i in range(len(B)):
                if i != rk and B[i][col]:
                    f = B[i][col]
                    B[i] = [a - f * b for a, b in zip(B[i], B[rk])]
            piv.append(col)
            rk += 1
        basis = []
        for free in (c for c in range(m) if c not in piv):
            y = [Fraction(0)] * m
            y[free] = Fraction(1)
            for i, pc in enumerate(piv):
                y[pc] = -B[i][free]
            basis.append(y)
        return basis

    def ident(m):
        return [[Fraction(int(i == j)) for j in range(m)] for i in range(m)]

    for k in order:
        Rk, Ck = supports[k]
        # y^T M vanishes on columns outside Ck:  (M[:, j])^T y = 0
        By = [[M[i][j] for i in range(n)] for j in range(n) if j not in Ck]
        Ys = nullspace(By, n) if By else ident(n)
        # M x vanishes on rows outside Rk
        Bx = [M[i][:] for i in range(n) if i not in Rk]
        Xs = nullspace(Bx, n) if Bx else ident(n)
        done = False
        for y in Ys:
            for x in Xs:
                Mx = [sum(M[i][j] * x[j] for j in range(n)) for i in range(n)]
                yM = [sum(y[i] * M[i][j] for i in range(n)) for j in range(n)]
                s = sum(a * b for a, b in zip(y, Mx))
                if s != 0:
                    assert all(Mx[i] == 0 for i in range(n) if i not in Rk)
                    assert all(yM[j] == 0 for j in range(n) if j not in Ck)
                    M = [[M[i][j] - Mx[i] * yM[j] / s for j in range(n)] for i in range(n)]
                    done = True
                    break
            if done:
                break
    return all(v == 0 for r in M for v in r)


def test_rank_peeling_general_supports():
    """Neurons {1,2}x{1,2} (deficiency 2), {0,2}x{0,1,2} (1) and a full one (0): all of R^{3x3}."""
    import random
    from fractions import Fraction
    M1 = [[0, 1, 1], [1, 1, 1], [1, 1, 1]]
    M2 = [[0, 1, 1], [1, 0, 1], [1, 1, 1]]
    res = th.closed_by_theorem([M1, M2])
    (g,) = res["hypotheses"]["groups"]
    assert g["kind"] == "full_rectangle" and g["peeling_order"] == [0, 1, 2]
    sup = [({1, 2}, {1, 2}), ({0, 2}, {0, 1, 2}), ({0, 1, 2}, {0, 1, 2})]
    rng = random.Random(5)
    for _ in range(5):
        M = [[Fraction(rng.randint(-4, 4)) for _ in range(3)] for _ in range(3)]
        assert _peel_decompose(M, sup, g["peeling_order"])


# --- subspace absorption ------------------------------------------------------------------------
def _cert(masks, theorem):
    return {"format": "netalgebra-certificate/1", "verdict": "closed", "question": "linear",
            "pattern": {"name": None, "masks": [[list(r) for r in m] for m in masks]}, "theorem": theorem}


def test_absorption_examples():
    diag = ((((1, 0, 0), (1, 0, 1), (0, 0, 1)), ((0, 1, 1), (1, 1, 0))))
    t = th.shallow_subspace_absorption(diag)
    assert t is not None and t["hypotheses"]["then"] is None
    # by hand: the middle neuron covers {0,1} x {0,2}; the other two fill (1,0) and (0,2) freely,
    # leaving the "diagonal" {(0,0), (1,2)}: L_I is every matrix vanishing on column 1
    assert sorted(map(tuple, t["hypotheses"]["free_positions"])) == [(0, 0), (0, 2), (1, 0), (1, 2)]
    assert verify(_cert(diag, t)).ok
    p = P("random:3,3,3:0.5:103")      # the previous owner's case (z3 agrees: closed)
    t = th.closed_by_theorem(p.masks)
    assert t is not None and t["name"] == "shallow_subspace_absorption"
    assert verify(_cert(p.masks, t)).ok
    # an LU 2x2 block is never absorbed (its L-shaped rest is a path, not stars)
    for name in ["lu:2", "ul:2", "ul:3", "masks:11,11|10,01,11"]:
        assert th.shallow_subspace_absorption(P(name).masks) is None, name


def test_absorption_tampering():
    p = P("random:3,3,3:0.5:103")
    t = th.shallow_subspace_absorption(p.masks)
    bad = _cert(p.masks, t)
    bad["theorem"]["hypotheses"]["absorbed"] = list(reversed(t["hypotheses"]["absorbed"]))
    assert not verify(bad).ok
    bad = _cert(P("lu:2").masks, t)
    assert not verify(bad).ok
    bad = _cert(p.masks, t)
    bad["theorem"]["hypotheses"]["absorbed"] = t["hypotheses"]["absorbed"][:1]
    assert not verify(bad).ok


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.floats(0.2, 0.95), st.integers(0, 10 ** 6))
def test_absorption_never_contradicts_a_core(n0, n1, n2, dens, seed):
    """A pattern with a certified non-closed core (find_core) must never be called closed."""
    from netalgebra.decide import find_core

    rng = random.Random(seed)
    masks = tuple(tuple(tuple(r) for r in m) for m in (
        [[1 if rng.random() < dens else 0 for _ in range(n0)] for _ in range(n1)],
        [[1 if rng.random() < dens else 0 for _ in range(n1)] for _ in range(n2)]))
    t = th.shallow_subspace_absorption(masks)
    if t is not None:
        assert find_core(masks) is None
        assert verify(_cert(masks, t)).ok
