"""Exit codes of ``netalgebra`` for failures no command handles (:func:`cad.errors.exit_code`):
an internal error is one line on stderr and exit 4, never a traceback."""

import os
import subprocess
import sys

import pytest

import netalgebra.decide
from cad.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_UNKNOWN, BudgetExceeded, InputError, InternalError
from netalgebra.cli import main


def _raising(exc):
    def decide(*args, **kwargs):
        raise exc
    return decide


@pytest.mark.parametrize("exc,code,start", [
    (RuntimeError("boom\nsecond line"), EXIT_INTERNAL, "netalgebra: internal error: RuntimeError: boom second line"),
    (InternalError("an invariant failed"), EXIT_INTERNAL, "netalgebra: internal error: an invariant failed"),
    (KeyError("x"), EXIT_INTERNAL, "netalgebra: internal error: KeyError: 'x'"),
    (BudgetExceeded("time", 1.0), EXIT_UNKNOWN, "netalgebra: unknown: time budget of 1.0 exhausted"),
])
def test_uncaught_exception_is_one_line_and_an_exit_code(monkeypatch, capsys, exc, code, start):
    monkeypatch.setattr(netalgebra.decide, "decide", _raising(exc))
    assert main(["check", "--preset", "ul:2"]) == code
    cap = capsys.readouterr()
    assert cap.out == ""
    assert cap.err == start + "\n"


def test_input_error_from_the_decider_is_bad_input(monkeypatch, capsys):
    monkeypatch.setattr(netalgebra.decide, "decide", _raising(InputError("points[0]: bad")))
    assert main(["check", "--preset", "ul:2"]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == "netalgebra: error: points[0]: bad\n"


def test_internal_error_in_a_real_process_has_no_traceback():
    code = ("import sys, netalgebra.decide as d\n"
            "def boom(*a, **k):\n"
            "    raise ZeroDivisionError('division by zero')\n"
            "d.decide = boom\n"
            "from netalgebra.cli import main\n"
            "sys.exit(main(['check', '--preset', 'ul:2']))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == EXIT_INTERNAL
    assert r.stdout == ""
    assert r.stderr == "netalgebra: internal error: ZeroDivisionError: division by zero\n"
    assert "Traceback" not in r.stderr


def test_unwritable_certificate_path_is_bad_input(tmp_path, capsys):
    out = tmp_path / "missing-dir" / "c.json"
    assert main(["check", "--preset", "ul:2", "--out", str(out)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"netalgebra: error: --out {out}:") and err.count("\n") == 1


_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("args,code", [
    (["-m", "netalgebra.cli", "verify", os.path.join(_ROOT, "tests", "data", "known_not_closed",
                                                     "random_4444_0.6_12.json")], EXIT_OK),
    (["-m", "netalgebra.cli", "check", "--preset", "ul:2", "--json"], EXIT_OK),
    (["-m", "netalgebra.cli", "check", "--preset", "random:4,4,4,4:0.7:1", "--timeout", "1"], EXIT_UNKNOWN),
    (["-m", "cad.cli", "qe", os.path.join(_ROOT, "benchmarks", "qe", "hong90.qepcad")], EXIT_OK),
])
def test_a_reader_that_leaves_early_does_not_change_the_exit_code(args, code):
    """``netalgebra verify C.json | head``: the reader has gone before the first line is written
    (its end of the pipe is closed at once); the command still exits with its answer's code and
    says nothing on stderr (it used to report an internal error for the broken pipe)."""
    p = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == code
    assert err == ""
