"""Exit codes of ``netalgebra`` for failures no command handles (:func:`cad.errors.exit_code`):
an internal error is one line on stderr and exit 4, never a traceback."""

import subprocess
import sys

import pytest

import netalgebra.decide
from cad.errors import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_UNKNOWN, BudgetExceeded, InputError, InternalError
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
