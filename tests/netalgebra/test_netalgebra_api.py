"""The public Python API: ``from netalgebra import check, verify, SparsityPattern``."""

import json
import subprocess
import sys

import pytest

import netalgebra
from cad.errors import InputError
from netalgebra import SparsityPattern, check, verify
from netalgebra.decide import Verdict
from netalgebra.pattern import SparsityPattern as PatternClass


def test_names_and_lazy_import():
    assert SparsityPattern is PatternClass
    assert set(netalgebra.__all__) == {"check", "verify", "SparsityPattern"}
    assert "SparsityPattern" in dir(netalgebra)
    with pytest.raises(AttributeError):
        netalgebra.no_such_name
    # importing the package loads nothing heavy: the API is resolved on first use
    code = ("import sys, netalgebra; "
            "print(sorted(m for m in sys.modules if m.startswith(('netalgebra.', 'sympy', 'numpy', 'networkx'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_check_accepts_preset_pattern_or_masks():
    by_name = check("ul:2")
    assert isinstance(by_name, Verdict) and by_name.status == "not_closed"
    assert check(SparsityPattern.preset("ul:2")).status == "not_closed"
    assert check([[[1, 0], [1, 1]], [[1, 1], [0, 1]]], 30).status == "not_closed"
    dense = check("dense:2,2,2", timeout=30)
    assert dense.status == "closed" and dense.certificate["question"] == "linear"


def test_check_with_points_decides_the_relu_class():
    v = check("dense:1,2,1", points=[[0], [1], ["1/2"]])
    assert v.status == "closed"
    assert v.certificate["question"] == "relu_points"
    assert verify(v.certificate).ok


def test_check_bad_input_raises_input_error():
    with pytest.raises(InputError, match="nope"):
        check("nope:2")
    with pytest.raises(InputError):
        check([[[1, 2]]])
    with pytest.raises(InputError, match="points"):
        check("ul:2", points=[[1]])


def test_verify_accepts_a_dict_or_a_path(tmp_path):
    cert = check("lu:2").certificate
    assert verify(cert).ok
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert))
    assert verify(str(path)).ok
    forged = dict(cert, target=[["1", "0"], ["0", "1"]])       # the identity is a product
    report = verify(forged)
    assert not report.ok and not report.incomplete
