"""The ``netalgebra train`` command: CSV and plot, a certificate's training set, bad input."""

import csv
import json
import re
from fractions import Fraction

import pytest

pytest.importorskip("numpy")

from netalgebra import numeric as nm  # noqa: E402
from netalgebra.cli import main  # noqa: E402
from netalgebra.pattern import SparsityPattern  # noqa: E402


def test_cli_train_writes_csv_and_plot(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out_csv, out_png = tmp_path / "m.csv", tmp_path / "m.png"
    rc = main(["train", "--preset", "ul:2", "--steps", "400", "--csv", str(out_csv), "--plot", str(out_png)])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert "100%" in cap.err and "weight decay 0.01" in cap.out
    with open(out_csv, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"step", "loss", "target_distance", "norm", "weight_decay"} <= set(rows[0])
    assert {r["weight_decay"] for r in rows} == {"0.0", "0.01"}
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_train_from_certificate(tmp_path, capsys):
    data = nm.training_set(SparsityPattern.preset("ul:2"))
    cert = {"pattern": json.loads(SparsityPattern.preset("ul:2").to_json()),
            "target": [["0", "1"], ["1", "0"]],
            "training_set": {"inputs": [[str(Fraction(v).limit_denominator(64)) for v in x] for x in data.inputs],
                             "targets": [[str(Fraction(v).limit_denominator(64)) for v in y] for y in data.targets]}}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(cert))
    rc = main(["train", "--certificate", str(path), "--steps", "200", "--weight-decay", "0", "--quiet"])
    cap = capsys.readouterr()
    assert rc == 0, cap.err
    assert "9 points from the certificate" in cap.out and cap.err == ""


@pytest.mark.parametrize("argv,msg", [
    (["--preset", "ul:2", "--steps", "0"], "--steps"),
    (["--preset", "ul:2", "--lr", "-1"], "--lr"),
    (["--preset", "ul:2", "--weight-decay", "-0.1"], "--weight-decay"),
    (["--preset", "ul:2", "--optimizer", "rmsprop"], "--optimizer"),
    (["--preset", "ul:2", "--certificate", "x.json"], "only one"),
    (["--preset", "nosuch:3"], "nosuch"),
    (["--preset", "dense:2,2,3"], "non-square"),
    (["--preset", "ul:2", "--target", "[[1, 2, 3]]"], "target"),
    (["--preset", "ul:2", "--target", "[[1, 2], [3, \"x\"]]"], r"--target\[1\]\[1\]"),
    (["--certificate", "/nonexistent/c.json"], "cannot read certificate"),
    (["--preset", "ul:2", "--csv", "/nonexistent/dir/m.csv"], "--csv"),
])
def test_cli_train_bad_input_exits_2(argv, msg, capsys):
    assert main(["train", *argv]) == 2
    err = capsys.readouterr().err
    assert re.search(msg, err), err


def test_cli_train_bad_pattern_and_certificate_files(tmp_path, capsys):
    bad = tmp_path / "p.json"
    bad.write_text('{"masks": [[[1, 2]]]}')
    assert main(["train", str(bad)]) == 2
    assert "masks" in capsys.readouterr().err
    cert = tmp_path / "c.json"
    cert.write_text("{not json")
    assert main(["train", "--certificate", str(cert)]) == 2
    assert "malformed JSON" in capsys.readouterr().err
    cert.write_text(json.dumps({"pattern": json.loads(SparsityPattern.preset("ul:2").to_json()), "verdict": "closed"}))
    assert main(["train", "--certificate", str(cert)]) == 2
    assert "training_set" in capsys.readouterr().err
