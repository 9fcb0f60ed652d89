"""The ``cad qe`` command: output, --json, --smt2, stdin, --timeout, exit codes (internal errors
included), the bad-input corpus, argument parsing and the no-sympy start-up rule."""

import glob
import json
import os
import re
import subprocess
import sys

import pytest
from flint import fmpq

from cad import logic
from cad.io import parse_qepcad, parse_qepcad_output_formula

HERE = os.path.dirname(os.path.abspath(__file__))
BAD_DIR = os.path.normpath(os.path.join(HERE, "..", "data", "bad_inputs"))

PARABOLA = "[p]\n(a,b,c,x)\n3\n(E x)[a x^2 + b x + c = 0].\nfinish\n"


def run(*args, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "cad.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_qe_file_prints_equivalent_formula(tmp_path):
    path = tmp_path / "parabola.qepcad"
    path.write_text(PARABOLA)
    out = run("qe", str(path))
    assert out.returncode == 0, out.stderr
    problem = parse_qepcad(PARABOLA)
    got = parse_qepcad_output_formula(out.stdout.strip(), problem.ring)
    # spot checks against the known semantics: a x^2 + b x + c has a real root
    cases = [((1, 0, -1), True), ((1, 0, 1), False), ((0, 0, 0), True), ((0, 0, 1), False),
             ((0, 2, 5), True), ((1, 2, 1), True), ((-1, 1, 3), True), ((2, 1, 1), False)]
    for (a, b, c), want in cases:
        pt = {"a": fmpq(a), "b": fmpq(b), "c": fmpq(c)}
        assert logic.evaluate(got, problem.ring, pt) == want, (a, b, c, out.stdout)


def test_qe_stdin_and_json():
    out = run("qe", "-", "--json", stdin=PARABOLA)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) >= {"formula", "cells", "seconds"}
    assert isinstance(data["cells"], int) and data["cells"] > 0
    assert data["seconds"] >= 0


def test_qe_sentence_true_false():
    t = run("qe", "-", stdin="[s]\n(x)\n0\n(E x)[x^2 = 2].\nfinish\n")
    f = run("qe", "-", stdin="[s]\n(x)\n0\n(A x)[x^2 > 0].\nfinish\n")
    assert (t.returncode, t.stdout.strip()) == (0, "TRUE")
    assert (f.returncode, f.stdout.strip()) == (0, "FALSE")


def test_qe_smt2():
    text = ("(set-logic NRA)\n(declare-fun a () Real)\n"
            "(assert (exists ((x Real)) (= (* x x) a)))\n(check-sat)\n")
    out = run("qe", "--smt2", "-", stdin=text)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().replace(" ", "") == "a>=0"


def test_qe_timeout_exit_3(qe_benchmarks):
    path = os.path.join(qe_benchmarks, "xaxis_ellipse.qepcad")     # about 2 s of work
    out = run("qe", path, "--timeout", "0.05")
    assert out.returncode == 3, (out.stdout, out.stderr)
    assert out.stdout.strip() == "unknown"


def test_qe_timeout_is_enforced_inside_long_exact_operations(tmp_path):
    """This problem spends minutes in one flint resultant (a norm over two algebraic
    coordinates), where the engine cannot check its budget; the command still answers
    unknown (exit 3) shortly after --timeout, with nothing else on stdout."""
    path = tmp_path / "hard.qepcad"
    path.write_text("[hard]\n(a,b,x)\n2\n(A x)[ x^4 - b x^3 + 2 b x^2 + 2 a x + 1 > 0 ].\nfinish\n")
    out = run("qe", str(path), "--timeout", "2", "--json", timeout=60)
    assert out.returncode == 3, (out.stdout, out.stderr)
    got = json.loads(out.stdout)
    assert got["formula"] == "unknown"
    assert "budget" in got["reason"]


def test_qe_missing_file_exit_2(tmp_path):
    out = run("qe", str(tmp_path / "nope.qepcad"))
    assert out.returncode == 2
    assert "nope.qepcad" in out.stderr


def bad_files():
    return sorted(glob.glob(os.path.join(BAD_DIR, "*")))


@pytest.mark.parametrize("path", bad_files() or [None])
def test_bad_inputs_exit_2_with_position(path):
    if path is None:
        pytest.skip("tests/data/bad_inputs/ not written yet")
    args = ["qe", path] + (["--smt2"] if path.endswith((".smt2", ".smt")) else [])
    out = run(*args)
    assert out.returncode == 2, (path, out.stdout, out.stderr)
    assert out.stdout == ""
    assert re.search(r"line \d+, column \d+", out.stderr), (path, out.stderr)


def test_no_sympy_on_the_qe_path(tmp_path):
    path = tmp_path / "parabola.qepcad"
    path.write_text(PARABOLA)
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "cad.cli", "qe", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert not any(m == "sympy" or m.startswith("sympy.") for m in imported)
    assert "cad.elimination" in imported


PLAIN = {"command": "qe", "file": "f", "smt2": False, "json": False, "timeout": None}
PLAIN_CLOSED = {"command": "closed", "file": "f", "json": False, "timeout": None, "approach": 5}


@pytest.mark.parametrize("argv, expected", [
    (["qe", "f.qepcad"], {**PLAIN, "file": "f.qepcad"}), (["qe", "-"], {**PLAIN, "file": "-"}),
    (["qe", "f", "--json"], {**PLAIN, "json": True}),
    (["qe", "--smt2", "f"], {**PLAIN, "smt2": True}),
    (["qe", "f", "--timeout", "2.5"], {**PLAIN, "timeout": 2.5}),
    (["qe", "--timeout", "-1", "f", "--json", "--smt2"],
     {**PLAIN, "timeout": -1.0, "json": True, "smt2": True}),
    (["qe", "f", "--timeout=3"], {**PLAIN, "timeout": 3.0}),
    (["qe", "f", "--time", "3"], {**PLAIN, "timeout": 3.0}),
    (["closed", "f"], PLAIN_CLOSED),
    (["closed", "f", "--approach", "3", "--timeout", "1e1"],
     {**PLAIN_CLOSED, "approach": 3, "timeout": 10.0}),
    (["closed", "--json", "f"], {**PLAIN_CLOSED, "json": True}),
])
def test_argument_parsing(argv, expected):
    from cad.cli import build_parser

    args = vars(build_parser().parse_args(argv))
    assert {key: args[key] for key in expected} == expected


@pytest.mark.parametrize("argv, code", [
    ([], 2), (["qe"], 2), (["closed", "a", "b"], 2), (["qe", "f", "--timeout"], 2),
    (["qe", "f", "--timeout", "x"], 2), (["closed", "f", "--smt2"], 2),
    (["qe", "f", "--approach", "2"], 2), (["other", "f"], 2), (["qe", "-h"], 0), (["--help"], 0),
])
def test_argument_errors_and_help(argv, code, capsys):
    """Malformed invocations exit 2 with argparse's message; help exits 0."""
    from cad.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == code
    assert "Traceback" not in capsys.readouterr().err


def test_internal_error_exits_4_with_one_line(tmp_path, monkeypatch, capsys):
    """A defect of ours (here a RuntimeError inside QE) is not bad input: exit 4, one line on
    stderr, no traceback, nothing on stdout."""
    import cad.elimination
    from cad.cli import main
    from cad.errors import EXIT_INTERNAL

    def broken(*args, **kwargs):
        raise RuntimeError("invariant failed\nsecond line")

    monkeypatch.setattr(cad.elimination, "qe", broken)
    path = tmp_path / "parabola.qepcad"
    path.write_text(PARABOLA)
    assert main(["qe", str(path)]) == EXIT_INTERNAL
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "cad: internal error: RuntimeError: invariant failed second line\n"


def test_internal_error_in_the_timed_child_exits_4(tmp_path, monkeypatch, capfd):
    """Same with --timeout, where the command runs in a forked child."""
    import cad.elimination
    from cad.cli import main
    from cad.errors import EXIT_INTERNAL

    def broken(*args, **kwargs):
        raise RuntimeError("invariant failed")

    monkeypatch.setattr(cad.elimination, "qe", broken)
    path = tmp_path / "parabola.qepcad"
    path.write_text(PARABOLA)
    assert main(["qe", str(path), "--timeout", "30"]) == EXIT_INTERNAL
    out, err = capfd.readouterr()
    assert out == ""
    assert err == "cad: internal error: RuntimeError: invariant failed\n"


SENTENCE_FALSE = "[s]\n(x)\n0\n(E x)[x^2 + 1 = 0].\nfinish\n"
BAD = "[bad]\n(a,x)\n1\n(E x)[x^2 +* a = 0].\nfinish\n"


def test_qe_batch_answers_every_file_with_headers_and_worst_exit_code(tmp_path):
    """``cad qe F1 F2 F3``: one header line per file, the answers in order, and the exit code
    of the worst file (here bad input, 2) -- the good files are still answered."""
    files = []
    for name, text in (("p.qepcad", PARABOLA), ("bad.qepcad", BAD), ("s.qepcad", SENTENCE_FALSE)):
        (tmp_path / name).write_text(text)
        files.append(str(tmp_path / name))
    out = run("qe", *files)
    assert out.returncode == 2, out.stderr
    lines = out.stdout.splitlines()
    assert [ln for ln in lines if ln.startswith("# ")] == [f"# {f}" for f in files]
    assert lines[lines.index(f"# {files[2]}") + 1] == "FALSE"
    parabola_answer = lines[1]
    problem = parse_qepcad(PARABOLA)
    got = parse_qepcad_output_formula(parabola_answer, problem.ring)
    assert logic.evaluate(got, problem.ring, {"a": fmpq(1), "b": fmpq(0), "c": fmpq(-1)})
    assert "bad.qepcad" in out.stderr and "line 4" in out.stderr
    # all good: exit 0; --json: one line per file carrying its name
    out = run("qe", "--json", "--timeout", "60", files[0], files[2])
    assert out.returncode == 0, out.stderr
    records = [json.loads(ln) for ln in out.stdout.splitlines()]
    assert [r["file"] for r in records] == [files[0], files[2]]
    assert records[1]["formula"] == "FALSE"


def test_qe_batch_unknown_is_less_severe_than_bad_input(tmp_path, qe_benchmarks):
    """A file that runs out of time (3) and a bad one (2): the batch exits 2; the unknown one
    alone gives 3."""
    # about 2 s of work (hong90, 0.1 s before, now ends within 0.01 s: its quadratic equation
    # is substituted away)
    slow = os.path.join(qe_benchmarks, "xaxis_ellipse.qepcad")
    (tmp_path / "bad.qepcad").write_text(BAD)
    out = run("qe", "--timeout", "0.01", slow, str(tmp_path / "bad.qepcad"))
    assert out.returncode == 2, out.stderr
    assert "unknown" in out.stdout.splitlines()
    assert run("qe", "--timeout", "0.01", slow, slow).returncode == 3


def test_worst_exit_code_order():
    from cad.errors import worst_exit_code
    assert worst_exit_code([]) == 0
    assert worst_exit_code([0, 3, 0]) == 3
    assert worst_exit_code([3, 2, 0]) == 2
    assert worst_exit_code([2, 4, 3]) == 4
