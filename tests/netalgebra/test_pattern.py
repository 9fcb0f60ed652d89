"""Tests for netalgebra.pattern: presets, JSON, validation, imports."""

import json

import pytest
from hypothesis import given

from cad.errors import InputError
from netalgebra.pattern import PatternError, SparsityPattern
from strategies import patterns

S = SparsityPattern


def _upper(n):
    return [[int(j >= i) for j in range(n)] for i in range(n)]


def _lower(n):
    return [[int(j <= i) for j in range(n)] for i in range(n)]


# The test cases of docs/mathematics.md ("Test cases"), written out by hand: (preset, M_1, M_2).
PAPER_TABLE = [
    ("ul:2", [[1, 0], [1, 1]], [[1, 1], [0, 1]]),
    ("lu:2", [[1, 1], [0, 1]], [[1, 0], [1, 1]]),
    ("ul:3", _lower(3), _upper(3)),
    ("ul:100", _lower(100), _upper(100)),
    ("dense:2,2,2", [[1, 1], [1, 1]], [[1, 1], [1, 1]]),
    ("dense:2,1,2", [[1, 1]], [[1], [1]]),
    ("masks:10,11|11", [[1, 0], [1, 1]], [[1, 1]]),                      # scalar out
    ("diag:2", [[1, 0], [0, 1]], [[1, 0], [0, 1]]),
    ("block:2:2,1,2", [[1, 1, 0, 0], [0, 0, 1, 1]], [[1, 0], [1, 0], [0, 1], [0, 1]]),  # block rank-1
    ("butterfly:4", [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]],   # kron(I2, ones2)
     [[1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 1, 0], [0, 1, 0, 1]]),                  # kron(ones2, I2)
    ("dense:3,3,3", [[1] * 3] * 3, [[1] * 3] * 3),
]


@pytest.mark.parametrize("preset,m1,m2", PAPER_TABLE, ids=[t[0] for t in PAPER_TABLE])
def test_paper_patterns_from_preset_and_json(preset, m1, m2, tmp_path):
    expected = S([m1, m2])
    p = S.preset(preset)
    assert p == expected
    assert p.masks == (tuple(map(tuple, m1)), tuple(map(tuple, m2)))
    assert p.name == preset
    # JSON written by hand (not by to_json), as text and as a file
    text = json.dumps({"name": preset, "masks": [m1, m2]})
    assert S.from_json(text) == expected
    path = tmp_path / "p.json"
    path.write_text(text)
    q = S.from_json(str(path))
    assert q == expected and q.name == preset
    assert S.from_json(path) == expected
    # pattern -> JSON -> pattern and JSON -> pattern -> JSON are identities
    out = p.to_json()
    assert S.from_json(out) == p and S.from_json(out).name == p.name
    assert S.from_json(out).to_json() == out


@given(patterns(max_width=4, named=True))
def test_json_roundtrip_property(p):
    text = p.to_json()
    q = S.from_json(text) if text.lstrip().startswith("{") else None
    assert q == p and q.name == p.name
    assert q.to_json() == text
    assert json.loads(text)["masks"] == [[list(r) for r in m] for m in p.masks]


@given(patterns(max_width=4, named=True))
def test_basic_properties(p):
    L = len(p.masks)
    assert p.depth == L
    assert p.widths[0] == len(p.masks[0][0]) and p.widths[1:] == tuple(len(m) for m in p.masks)
    assert p.shapes == tuple((p.widths[l + 1], p.widths[l]) for l in range(L))
    assert p.nnz == len(p.support) == sum(v for m in p.masks for r in m for v in r)
    assert p.transpose().transpose() == p
    t = p.transpose()
    assert t.widths == tuple(reversed(p.widths))
    for l in range(L):
        for i in range(p.widths[l + 1]):
            for j in range(p.widths[l]):
                assert t.masks[L - 1 - l][j][i] == p.masks[l][i][j]
    assert hash(p.with_name("other")) == hash(p) and p.with_name("other") == p


def test_immutable():
    p = S.preset("ul:2")
    with pytest.raises(AttributeError):
        p.name = "x"
    with pytest.raises(AttributeError):
        p.masks = ()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_lu_ul_triangular(n):
    lu, ul = S.preset(f"lu:{n}"), S.preset(f"ul:{n}")
    assert lu.masks == (tuple(map(tuple, _upper(n))), tuple(map(tuple, _lower(n))))
    assert ul.masks == (tuple(map(tuple, _lower(n))), tuple(map(tuple, _upper(n))))


@pytest.mark.parametrize("n", [2, 4, 8, 16, 32])
def test_butterfly_structure(n):
    p = S.preset(f"butterfly:{n}")
    m = n.bit_length() - 1
    assert p.depth == m and p.widths == (n,) * (m + 1)
    for mask in p.masks:          # each factor: two ones per row and per column
        assert all(sum(r) == 2 for r in mask)
        assert all(sum(col) == 2 for col in zip(*mask))
    # exactly one path from every input to every output (the FFT support is full and each
    # product entry is a single monomial)
    count = [[int(i == j) for j in range(n)] for i in range(n)]
    for mask in p.masks:
        count = [[sum(mask[i][k] * count[k][j] for k in range(n)) for j in range(n)] for i in range(n)]
    assert all(c == 1 for row in count for c in row)


def test_diag_block_dense_random():
    assert S.preset("diag:3,4").depth == 4
    assert all(m == ((1, 0, 0), (0, 1, 0), (0, 0, 1)) for m in S.preset("diag:3,4").masks)
    b = S.preset("block:2,3")            # three dense 2x2 blocks, two layers
    assert b.widths == (6, 6, 6)
    for mask in b.masks:
        assert all(mask[i][j] == int(i // 2 == j // 2) for i in range(6) for j in range(6))
    assert S.preset("block:3:2,2,2") == b
    assert S.preset("dense:3,1,4,2").widths == (3, 1, 4, 2)
    assert S.preset("dense:3,1,4,2").nnz == 3 + 4 + 8
    r1, r2 = S.preset("random:4,5,3:0.5:7"), S.preset("random:4,5,3:1/2:7")
    assert r1 == r2 and r1.widths == (4, 5, 3)
    assert S.preset("random:4,5,3:0:1").nnz == 0
    assert S.preset("random:4,5,3:1:1") == S.preset("dense:4,5,3")
    seeds = {S.preset(f"random:4,4,4:0.5:{s}") for s in range(10)}
    assert len(seeds) > 1


BAD_MASKS = [
    ([], "masks"),
    ("11", "masks"),
    ([[]], "masks[0]"),
    ([[[]]], "masks[0][0]"),
    ([[[1, 2]]], "masks[0][0][1]"),
    ([[[1, 0.5]]], "masks[0][0][1]"),
    ([[[1, "1"]]], "masks[0][0][1]"),
    ([[[1, -1]]], "masks[0][0][1]"),
    ([[[1, 0], [1]]], "masks[0][1]"),                      # ragged
    ([[[1, 0]], [[1, 1], [0, 1]]], "masks[1]"),            # 2 columns but layer 1 has 1 row
    ([[[1, 0], [1, 1]], [[1, 1, 1]]], "masks[1]"),
    ([[[1, 0], [0, 1]], 5], "masks[1]"),
]


@pytest.mark.parametrize("masks,field", BAD_MASKS)
def test_validation_errors_name_layer_and_field(masks, field):
    with pytest.raises(PatternError) as info:
        S(masks)
    err = info.value
    assert isinstance(err, InputError)
    assert err.field == field
    assert field in str(err)
    if field.startswith("masks["):
        layer = int(field[6]) + 1
        assert err.layer == layer and f"layer {layer}" in str(err)


@pytest.mark.parametrize("name", ["nope:3", "ul", "ul:x", "ul:0", "lu:-1", "dense:", "dense:2,a",
                                  "butterfly:6", "butterfly:1", "block:2", "block:a:2,2",
                                  "random:2,2:0.5", "random:2,2:1.5:1", "random:2,2:x:1",
                                  "random:2,2:0.5:-1", "diag:2,2,2", "masks:12|1", "masks:", ""])
def test_bad_presets(name):
    with pytest.raises(PatternError) as info:
        S.preset(name)
    assert info.value.field == "preset"
    assert repr(name) in str(info.value) or "preset" in str(info.value)


@pytest.mark.parametrize("text,field", [
    ('{"masks": [[[1, 0], [1, 1]]', "(json)"),
    ("{not json}", "(json)"),
    ('{"name": "x"}', "masks"),
    ('{"masks": [[[1]]], "extra": 1}', "extra"),
    ('{"name": 3, "masks": [[[1]]]}', "name"),
    ('{"masks": [[[1, 0]], [[1, 1]]]}', "masks[1]"),
    ('{"masks": []}', "masks"),
])
def test_bad_json(text, field):
    with pytest.raises(PatternError) as info:
        S.from_json(text)
    assert info.value.field == field


def test_malformed_json_reports_position(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{\n  "masks": [[[1, 0],\n  ]\n}\n')
    with pytest.raises(PatternError) as info:
        S.from_json(str(path))
    assert "line 3" in str(info.value) and str(path) in str(info.value)
    with pytest.raises(PatternError) as info:
        S.from_json(str(tmp_path / "missing.json"))
    assert info.value.field == "path"
    with pytest.raises(PatternError):
        S.from_json(json.loads('[1, 2]'))


def test_from_arrays():
    np = pytest.importorskip("numpy")
    p = S.from_arrays([np.array([[1, 0], [1, 1]]), np.array([[True, True], [False, True]])], name="ul")
    assert p == S.preset("ul:2") and p.name == "ul"
    assert S.from_arrays([np.array([[1.0, 0.0]], dtype=np.float32)]).masks == (((1, 0),),)
    with pytest.raises(PatternError) as info:
        S.from_arrays([np.array([[1, 0], [0, 1]]), np.array([[1, 0.5]])])
    assert info.value.field == "masks[1][0][1]" and info.value.layer == 2
    with pytest.raises(PatternError) as info:
        S.from_arrays([np.ones(3)])
    assert info.value.field == "masks[0]"
    with pytest.raises(PatternError) as info:
        S.from_arrays([np.ones((2, 3)), np.ones((2, 3))])
    assert info.value.field == "masks[1]"
    with pytest.raises(PatternError):
        S.from_arrays([])


class _FakeMask:
    def __init__(self, rows):
        self.rows = rows

    def detach(self):
        return self

    def cpu(self):
        return self

    def numpy(self):
        import numpy as np
        return np.array(self.rows, dtype=np.float32)


class _FakeLinear:
    def __init__(self, n_in, n_out, mask=None):
        self.in_features, self.out_features, self.weight = n_in, n_out, object()
        if mask is not None:
            self.weight_mask = _FakeMask(mask)

    def modules(self):
        return iter([self])


class _FakeReLU:
    def modules(self):
        return iter([self])


class _FakeSequential:
    def __init__(self, *mods):
        self.mods = mods

    def modules(self):
        yield self
        for m in self.mods:
            yield from m.modules()


def test_from_torch_duck_typed():
    pytest.importorskip("numpy")
    net = _FakeSequential(_FakeLinear(2, 2, [[1, 0], [1, 1]]), _FakeReLU(), _FakeLinear(2, 2))
    p = S.from_torch(net)
    assert p.masks == (((1, 0), (1, 1)), ((1, 1), (1, 1)))
    with pytest.raises(PatternError):
        S.from_torch(_FakeSequential(_FakeReLU()))


def test_from_torch_real():
    torch = pytest.importorskip("torch")
    prune = pytest.importorskip("torch.nn.utils.prune")
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 4))
    m1 = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    prune.custom_from_mask(net[0], name="weight", mask=m1)
    p = S.from_torch(net)
    assert p.masks[0] == ((1, 0, 1), (0, 1, 1))
    assert p.masks[1] == ((1, 1),) * 4
