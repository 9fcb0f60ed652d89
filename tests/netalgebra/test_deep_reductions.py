"""Deep patterns: the butterfly / Monarch presets, the digit-mixing theorem, the layer merge,
and tamper tests of their certificates (issue 15, scope 1, 3, 5)."""

import copy
import itertools
import json
import random
import subprocess
import sys
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

import strategies
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.layer_merge import merge_layers
from netalgebra.pattern import PatternError, SparsityPattern as S
from netalgebra.theorems.digits import deep_digit_mixing


def kron(a, b):
    return [[x * y for x in ra for y in rb] for ra in a for rb in b]


def eye(n):
    return [[int(i == j) for j in range(n)] for i in range(n)]


def ones(n):
    return [[1] * n for _ in range(n)]


def as_tuples(masks):
    return tuple(tuple(map(tuple, m)) for m in masks)


def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def product(weights):
    out = weights[0]
    for w in weights[1:]:
        out = matmul(w, out)
    return out


def random_weights(masks, rng):
    return [[[Fraction(rng.randint(-3, 3)) if x else Fraction(0) for x in row] for row in m] for m in masks]


# --- presets ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("n", [2, 4, 8, 16, 32])
def test_butterfly_preset_is_the_kronecker_definition(n):
    m = n.bit_length() - 1
    factors = [kron(kron(eye(2 ** (k - 1)), ones(2)), eye(n >> k)) for k in range(1, m + 1)]
    assert S.preset(f"butterfly:{n}").masks == as_tuples(reversed(factors))


@pytest.mark.parametrize("n,b,f", [(16, 4, 2), (16, 4, 3), (6, 2, 3), (8, 2, 4), (9, 3, 1)])
def test_monarch_preset_alternates_block_diagonal_and_permuted(n, b, f):
    block_diagonal = kron(eye(n // b), ones(b))
    permuted = kron(ones(n // b), eye(b))
    # the permuted factor is P^T (I_B (x) ones(N/B)) P with P the stride permutation i = q B + r -> r (N/B) + q
    perm = [(i % b) * (n // b) + i // b for i in range(n)]
    inner = kron(eye(b), ones(n // b))
    assert permuted == [[inner[perm[i]][perm[j]] for j in range(n)] for i in range(n)]
    expected = [block_diagonal if k % 2 == 0 else permuted for k in range(f)]
    name = f"monarch:{n}:{b}" + (f":{f}" if f != 2 else "")
    assert S.preset(name).masks == as_tuples(expected)


@pytest.mark.parametrize("name", ["monarch:16", "monarch:16:5", "monarch:16:4:0", "monarch:16:x", "monarch:1:1:2:3"])
def test_monarch_preset_errors_name_the_field(name):
    with pytest.raises(PatternError, match="preset"):
        S.preset(name)


# --- digit-mixing theorem ---------------------------------------------------------------------------
def digit_pattern(radices, order):
    """Layer l mixes digit order[l] of the system with the given radices (built here, by digits)."""
    n = 1
    places = []
    for r in radices:
        places.append(n)
        n *= r

    def digits(i):
        return [(i // p) % r for p, r in zip(places, radices)]

    masks = []
    for k in order:
        masks.append([[int(all(a == b for t, (a, b) in enumerate(zip(digits(i), digits(j))) if t != k))
                       for j in range(n)] for i in range(n)])
    return masks, places


@st.composite
def digit_systems(draw):
    radices = draw(st.lists(st.integers(2, 3), min_size=2, max_size=3))
    order = draw(st.permutations(range(len(radices))))
    return radices, order


@settings(max_examples=25, deadline=None)
@given(digit_systems(), st.integers(0, 10 ** 6))
def test_digit_mixing_products_have_rank_one_path_blocks(system, seed):
    """The theorem applies, and every product has rank <= 1 on each path block (L_I ⊆ C), with
    exactly one path per entry (the dense product support)."""
    radices, order = system
    masks, places = digit_pattern(radices, order)
    th = deep_digit_mixing(as_tuples(masks))
    assert th is not None
    assert th["hypotheses"]["strides"] == [places[k] for k in order]
    rng = random.Random(seed)
    w = random_weights(masks, rng)
    M = product(w)
    n = len(M)
    digits = lambda i: tuple((i // p) % r for p, r in zip(places, radices))
    for lvl in range(1, len(order)):
        top = set(order[:lvl])
        blocks = {}
        for i, j in itertools.product(range(n), repeat=2):
            node = tuple(digits(i)[t] if t in top else digits(j)[t] for t in range(len(radices)))
            blocks.setdefault(node, []).append((i, j))
        for cells in blocks.values():
            for (i, j), (k, m) in itertools.combinations(cells, 2):
                if i != k and j != m and (i, m) in cells and (k, j) in cells:
                    assert M[i][j] * M[k][m] == M[i][m] * M[k][j]


def test_digit_mixing_rejects_near_misses():
    masks = [list(map(list, m)) for m in S.preset("butterfly:8").masks]
    assert deep_digit_mixing(as_tuples(masks)) is not None
    masks[1][3][3] = 0
    assert deep_digit_mixing(as_tuples(masks)) is None
    twice = [list(map(list, m)) for m in S.preset("butterfly:8").masks]
    twice[2] = twice[0]                      # one digit mixed twice, one never
    assert deep_digit_mixing(as_tuples(twice)) is None
    assert deep_digit_mixing(S.preset("monarch:16:4:3").masks) is None


@pytest.mark.parametrize("name", ["butterfly:8", "butterfly:16", "butterfly:64", "monarch:27:3:2"])
def test_digit_mixing_certificates_verify(name):
    v = decide(S.preset(name), 30)
    assert v.status == "closed"
    assert v.certificate["theorem"]["name"] in ("deep_digit_mixing", "shallow_support_groups")
    assert verify(json.loads(json.dumps(v.certificate))).ok


def test_digit_mixing_tamper():
    c = decide(S.preset("butterfly:16"), 30).certificate
    assert verify(c).ok
    bad = copy.deepcopy(c)                   # a changed mask
    bad["pattern"]["masks"][2][5][5] = 0
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                   # a changed mask that keeps the row counts
    row = bad["pattern"]["masks"][0][0]
    row[row.index(1, 1)], row[-1] = 0, 1
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                   # moved witness: another digit for a layer
    h = bad["theorem"]["hypotheses"]
    h["strides"][0], h["strides"][1] = h["strides"][1], h["strides"][0]
    assert not verify(bad).ok
    bad = copy.deepcopy(c)                   # a dropped layer
    bad["pattern"]["masks"].pop()
    assert not verify(bad).ok
    bad = copy.deepcopy(c)
    bad["theorem"]["hypotheses"]["radices"] = [4, 4, 1, 1]
    assert not verify(bad).ok


# --- layer merge ------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(strategies.mask_lists(max_depth=4, max_width=3), st.integers(0, 10 ** 6))
def test_merge_keeps_the_products(masks, seed):
    """Every product of the merged pattern is a product of the original one (the proof's
    construction, rebuilt here), and every original product has the merged support."""
    steps, merged = merge_layers(as_tuples(masks))
    rng = random.Random(seed)
    w = random_weights(masks, rng)
    M = product(w)
    final = product([[[Fraction(x) for x in r] for r in m] for m in merged])
    assert all(M[i][j] == 0 or final[i][j] for i in range(len(M)) for j in range(len(M[0])))
    # converse, one step at a time: realise merged weights on the unmerged pair
    cur = [list(map(list, m)) for m in masks]
    for step in steps:
        l = step["hidden_layer"]
        first, second = cur[l - 1], cur[l]
        wm = random_weights([[[int(any(second[i][n] and first[n][a] for n in range(len(first))))
                               for a in range(len(first[0]))] for i in range(len(second))]], rng)[0]
        w1 = [[Fraction(0)] * len(first[0]) for _ in first]
        w2 = [[Fraction(0)] * len(first) for _ in second]
        for i, a in itertools.product(range(len(second)), range(len(first[0]))):
            if wm[i][a]:
                n = next(n for n in range(len(first)) if second[i][n] and first[n][a])
                if step["merge"] == "in":
                    w1[n][a] = Fraction(1)
                    w2[i][n] = wm[i][a]
                else:
                    w2[i][n] = Fraction(1)
                    w1[n][a] = wm[i][a]
        assert matmul(w2, w1) == wm
        cur = cur[:l - 1] + [[[int(any(second[i][n] and first[n][a] for n in range(len(first))))
                               for a in range(len(first[0]))] for i in range(len(second))]] + cur[l + 1:]
    assert as_tuples(cur) == merged


PERMUTED_MIDDLE = "masks:110,011|01,10|11,01,10"      # 3,2,2,3 with a permutation in the middle


@pytest.mark.parametrize("name", [PERMUTED_MIDDLE, "masks:11,01|10,01|10,11", "masks:10,11|01,10|11,01",
                                  "masks:11,01|10,01|01,10|10,11"])
def test_merged_verdicts_verify(name):
    v = decide(S.preset(name), 30, methods=("core", "cad"))    # past the deep theorems, to the merge
    assert v.status in ("closed", "not_closed"), v.reason
    assert "merging" in v.reason
    c = json.loads(json.dumps(v.certificate))
    assert verify(c).ok


def _reduced_certificate(name):
    c = json.loads(json.dumps(decide(S.preset(name), 30).certificate))
    assert "reduction" in c and verify(c).ok
    return c


def test_merge_certificate_tamper():
    for name in ["masks:11,01|10,01|10,11", PERMUTED_MIDDLE]:
        c = _reduced_certificate(name)
        bad = copy.deepcopy(c)                   # a changed mask of the original pattern
        m = bad["pattern"]["masks"][1]
        m[0][0] = 1 - m[0][0]
        assert not verify(bad).ok
        bad = copy.deepcopy(c)                   # a changed mask of the merged pattern
        m = bad["reduction"]["certificate"]["pattern"]["masks"][0]
        m[0][0] = 1 - m[0][0]
        assert not verify(bad).ok
        bad = copy.deepcopy(c)                   # a dropped reduction step
        bad["reduction"]["steps"].pop()
        assert not verify(bad).ok
        bad = copy.deepcopy(c)                   # a step at another layer
        bad["reduction"]["steps"][0]["hidden_layer"] = 2
        assert not verify(bad).ok
        bad = copy.deepcopy(c)                   # another verdict
        bad["verdict"] = "closed" if c["verdict"] == "not_closed" else "not_closed"
        assert not verify(bad).ok
        bad = copy.deepcopy(c)                   # a nested reduction
        bad["reduction"]["certificate"]["reduction"] = copy.deepcopy(c["reduction"])
        assert not verify(bad).ok
    c = _reduced_certificate("masks:11,01|10,01|10,11")
    assert c["verdict"] == "not_closed"
    bad = copy.deepcopy(c)                       # a moved witness
    t = bad["reduction"]["certificate"]["target"]
    t[0][0], t[0][1] = t[0][1], t[0][0]
    assert not verify(bad).ok


@pytest.mark.slow
def test_butterfly_1024_whole_process(tmp_path):
    """Budget test, in a subprocess: check + certificate + verify of butterfly:1024."""
    out = tmp_path / "b.json"
    res = subprocess.run([sys.executable, "-m", "netalgebra.cli", "check", "--preset", "butterfly:1024",
                          "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "CLOSED" in res.stdout, res.stderr
    res = subprocess.run([sys.executable, "-m", "netalgebra.cli", "verify", str(out)],
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == 0 and "VERIFIED" in res.stdout, res.stderr


def test_sparse_pattern_form_round_trip_and_tamper():
    """Large certificates are written with per-row column lists; the verifier reads them back
    and rejects malformed or altered rows."""
    from netalgebra.certificate.format import sparse_pattern

    c = json.loads(json.dumps(decide(S.preset("butterfly:16"), 30).certificate))
    sp = dict(c, pattern=sparse_pattern(c["pattern"]))
    assert "masks" not in sp["pattern"] and verify(json.loads(json.dumps(sp))).ok
    for edit in [lambda p: p["rows"][1][3].pop(),                 # a changed mask
                 lambda p: p["rows"][0][0].reverse(),             # not increasing
                 lambda p: p["rows"][2][0].append(16),            # outside the columns
                 lambda p: p.update(columns=8),
                 lambda p: p["rows"].pop()]:                      # a dropped layer
        bad = copy.deepcopy(sp)
        edit(bad["pattern"])
        assert not verify(bad).ok


@pytest.mark.parametrize("name", ["monarch:16:4:3", "monarch:4:2:3", "monarch:6:3:3"])
def test_three_factor_monarch_is_not_closed_with_a_verified_certificate(name):
    v = decide(S.preset(name), 30)
    assert v.status == "not_closed"
    c = json.loads(json.dumps(v.certificate))
    assert c["method"] == "monarch_similarity" and verify(c).ok


def test_monarch_similarity_tamper():
    c = json.loads(json.dumps(decide(S.preset("monarch:4:2:3"), 30).certificate))

    def edits():
        yield lambda c: c["pattern"]["masks"][1][0].__setitem__(1, 1)              # a changed mask
        yield lambda c: c["pattern"]["masks"].__setitem__(2, S.preset("monarch:4:2:3").to_dict()["masks"][1])
        yield lambda c: c["target"][2].__setitem__(3, "0")                         # moved witness: A_11 = I
        yield lambda c: (c["target"][2].__setitem__(3, "0"), c["target"][3].__setitem__(2, "1"))
        yield lambda c: c["target"][0].__setitem__(0, "2")                         # no longer the limit
        yield lambda c: c["escaping_family"]["weights"].pop("w2_3_3")              # a dropped weight
        yield lambda c: c["non_attainment"].update(rows=[0, 0])
        yield lambda c: c["non_attainment"].update(block=1)
        yield lambda c: c["non_attainment"].update(method="nullstellensatz")
        yield lambda c: c.update(method="cad")

    for edit in edits():
        bad = copy.deepcopy(c)
        edit(bad)
        assert not verify(bad).ok
    # the lemma's premise: a diagonalisable C is not evidence (target J replaced by diag(1, 2))
    bad = copy.deepcopy(c)
    bad["target"][2][3], bad["target"][3][3] = "0", "2"
    assert not verify(bad).ok
