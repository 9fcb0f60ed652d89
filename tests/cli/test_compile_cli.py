"""The ``netalgebra compile`` command: text and JSON output, bad input (exit 2, nothing written)."""

import json

import pytest

from cad.poly import PolyRing
from netalgebra.cli import main
from netalgebra.pattern import SparsityPattern as S


def test_cli_compile_text(capsys):
    assert main(["compile", "--preset", "ul:2"]) == 0
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if not ln.startswith("#")]
    got = dict(ln.split(" = ", 1) for ln in lines)
    ring = PolyRing(["w1_0_0", "w1_1_0", "w1_1_1", "w2_0_0", "w2_0_1", "w2_1_1"])
    # UL 2x2: [[u00, u01], [0, u11]] [[l00, 0], [l10, l11]]
    assert ring.parse(got["A[0,0]"]) == ring.parse("w2_0_0 w1_0_0 + w2_0_1 w1_1_0")
    assert ring.parse(got["A[0,1]"]) == ring.parse("w2_0_1 w1_1_1")
    assert ring.parse(got["A[1,0]"]) == ring.parse("w2_1_1 w1_1_0")
    assert ring.parse(got["A[1,1]"]) == ring.parse("w2_1_1 w1_1_1")


def test_cli_compile_json_file(tmp_path, capsys):
    path = tmp_path / "p.json"
    path.write_text(S.preset("dense:2,1,2").to_json())
    assert main(["compile", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["shape"] == [2, 2]
    assert doc["variables"] == ["w1_0_0", "w1_0_1", "w2_0_0", "w2_1_0"]
    assert doc["entries"][1][0] == "w2_1_0 w1_0_0"
    assert S.from_json(doc["pattern"]) == S.preset("dense:2,1,2")


@pytest.mark.parametrize("argv,content", [
    (["compile", "--preset", "nope:2"], None),
    (["compile", "--preset", "ul:0"], None),
    (["compile"], None),
    (["compile", "FILE", "--preset", "ul:2"], '{"masks": [[[1]]]}'),
    (["compile", "FILE"], '{"masks": [[[1, 0], [1, 1]]'),
    (["compile", "FILE", "--json"], '{"masks": [[[1, 2]]]}'),
    (["compile", "FILE"], '{"masks": [[[1, 0]], [[1, 1]]]}'),
    (["compile", "FILE"], '{"masks": []}'),
    (["compile", "MISSING"], None),
])
def test_cli_compile_bad_input(argv, content, tmp_path, capsys):
    path = tmp_path / "p.json"
    if content is not None:
        path.write_text(content)
    argv = [str(path) if a == "FILE" else str(tmp_path / "missing.json") if a == "MISSING" else a
            for a in argv]
    assert main(argv) == 2
    cap = capsys.readouterr()
    assert cap.out == ""                     # nothing half-written
    assert cap.err.startswith("netalgebra: error:")
