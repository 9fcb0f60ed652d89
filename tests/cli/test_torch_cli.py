"""`netalgebra check` on multilayer perceptrons pruned with ``torch.nn.utils.prune``, read through
``SparsityPattern.from_torch`` (runs where torch is installed, skips otherwise)."""

import subprocess
import sys

import pytest

from netalgebra.pattern import SparsityPattern


def _check(tmp_path, pattern, name):
    src = tmp_path / f"{name}.json"
    src.write_text(pattern.to_json())
    cert = tmp_path / f"{name}.cert.json"
    res = subprocess.run([sys.executable, "-m", "netalgebra.cli", "check", str(src), "--timeout", "10",
                          "--out", str(cert)], capture_output=True, text=True)
    return res, cert


def _verify(cert):
    return subprocess.run([sys.executable, "-m", "netalgebra.cli", "verify", str(cert)],
                          capture_output=True, text=True)


def test_check_three_pruned_linear_layers(tmp_path):
    torch = pytest.importorskip("torch")
    prune = pytest.importorskip("torch.nn.utils.prune")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2), torch.nn.ReLU(),
                              torch.nn.Linear(2, 2))
    # a deep LU-type core: W1 = [[1,1],[1,0]], W2 = [[1,1],[1,0]], W3 = I (not closed)
    for layer, mask in ((net[0], [[1, 1], [1, 0]]), (net[2], [[1, 1], [1, 0]]), (net[4], [[1, 0], [0, 1]])):
        prune.custom_from_mask(layer, name="weight", mask=torch.tensor(mask, dtype=torch.float32))
    p = SparsityPattern.from_torch(net)
    assert p.masks == (((1, 1), (1, 0)), ((1, 1), (1, 0)), ((1, 0), (0, 1)))
    res, cert = _check(tmp_path, p, "lu")
    assert res.returncode == 0 and "not closed" in res.stdout.lower().replace("_", " "), res.stdout + res.stderr
    assert _verify(cert).returncode == 0


def test_check_randomly_pruned_mlp(tmp_path):
    """``random_unstructured(amount=0.5)`` on three Linear layers: the masks are the pruning
    buffers, and ``check`` answers (exit 0, with a certificate ``verify`` accepts) or says
    unknown (exit 3) -- never an error."""
    torch = pytest.importorskip("torch")
    prune = pytest.importorskip("torch.nn.utils.prune")
    torch.manual_seed(1)
    net = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU(), torch.nn.Linear(3, 3), torch.nn.ReLU(),
                              torch.nn.Linear(3, 2))
    for layer in (net[0], net[2], net[4]):
        prune.random_unstructured(layer, name="weight", amount=0.5)
    p = SparsityPattern.from_torch(net)
    want = tuple(tuple(tuple(int(x != 0) for x in row) for row in layer.weight_mask.tolist())
                 for layer in (net[0], net[2], net[4]))
    assert p.masks == want
    res, cert = _check(tmp_path, p, "random")
    assert res.returncode in (0, 3), res.stderr
    if res.returncode == 0:
        assert _verify(cert).returncode == 0
