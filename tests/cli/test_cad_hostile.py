"""Hostile inputs to ``cad qe`` / ``cad closed`` and the library readers (issue 17): each
repro is answered or refused with exit 2 and a one-line message, never a traceback; the
``--timeout`` and ``qe(..., timeout=)`` budgets hold (measured in subprocesses)."""

import json
import subprocess
import sys
import time

import pytest
from flint import fmpq

from cad import logic, parse_qepcad, parse_smtlib, qe
from cad.io import parse_formula
from cad.nesting import MAX_NESTING

HARD = "[hard]\n(a,b,x)\n2\n(A x)[ x^4 - b x^3 + 2 b x^2 + 2 a x + 1 > 0 ].\nfinish\n"
PARABOLA = "[p]\n(a,b,c,x)\n3\n(E x)[a x^2 + b x + c = 0].\nfinish\n"
AND, OR = "/\\", "\\/"


def run(*args, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "cad.cli", *args], input=stdin,
                          capture_output=True, timeout=timeout)


def write(tmp_path, text, name="f.qepcad"):
    path = tmp_path / name
    (path.write_bytes if isinstance(text, bytes) else path.write_text)(text)
    return str(path)


def assert_clean(out, codes=(0,)):
    err = out.stderr.decode(errors="replace")
    assert out.returncode in codes, (out.returncode, out.stdout, err)
    assert "Traceback" not in err
    return out.stdout.decode(), err


# ---------------------------------------------------------------- numbers and sizes

def test_coefficient_over_the_int_string_limit_is_read_exactly():
    n = 7 * (10 ** 5000 - 1) // 9   # 77...7, 5000 digits: over the 4300-digit int-string limit
    p = parse_qepcad(f"[big]\n(a)\n1\n[ a > {'7' * 5000} ].\nfinish\n")
    f = qe(p).formula
    ring = p.ring
    assert logic.evaluate(f, ring, {"a": fmpq(n) + 1}) is True
    assert logic.evaluate(f, ring, {"a": fmpq(n)}) is False


def test_huge_literal_and_exponent_are_refused_naming_the_limit(tmp_path):
    cases = {"x^99999999999999999999 > 0": "exponent", "x > " + "9" * 100_001: "digits",
             "(x + 1)^100000 > 0": "limit", "(x + y + 1)^5000 > 0": "terms"}
    for formula, word in cases.items():
        path = write(tmp_path, f"[d]\n(x,y)\n2\n{formula}.\nfinish\n")
        _out, err = assert_clean(run("qe", path), codes=(2,))
        assert word in err and "limit" in err and "line 4" in err, err


def test_smtlib_huge_numbers_and_products(tmp_path):
    big = "(declare-fun x () Real)\n(assert (> x " + "3" * 5000 + ".5))\n"
    p = parse_smtlib(big)
    assert logic.evaluate(p.formula, p.ring, {"x": fmpq((10 ** 5000 - 1) // 3) + 1}) is True
    prod = "(* " + " ".join(["(+ x y z 1)"] * 400) + ")"
    path = write(tmp_path, "(declare-fun x () Real)(declare-fun y () Real)(declare-fun z () Real)\n"
                 f"(assert (> {prod} 0))\n", "p.smt2")
    _out, err = assert_clean(run("qe", "--smt2", path), codes=(2,))
    assert "limit" in err


# ---------------------------------------------------------------- nesting

@pytest.mark.parametrize("depth", [200, 3000])
def test_deeply_bracketed_formula(tmp_path, depth):
    path = write(tmp_path, "[d]\n(x)\n1\n" + "[" * depth + "x > 0" + "]" * depth + ".\nfinish\n")
    out, _err = assert_clean(run("qe", path))
    assert out.split() == ["x", ">", "0"]


def test_deep_negations_quantifiers_and_connectives():
    p = parse_qepcad("[d]\n(x)\n1\n[" + "~ " * 3001 + "x > 0].\nfinish\n")
    assert qe(p).formula == parse_formula("x <= 0", p.ring)
    p = parse_qepcad("[d]\n(x,y)\n1\n" + "(E y)" * 3000 + "[ y^2 = x ].\nfinish\n")
    assert qe(p).formula == parse_formula("x >= 0", p.ring)
    s = "x > 0"
    for i in range(300):   # depth 300 only: reading such a tree is quadratic (see the report)
        s = f"[ x < {i + 2} {AND if i % 2 else OR} {s} ]"
    p = parse_qepcad("[d]\n(x)\n1\n" + s + ".\nfinish\n")   # a real tree of depth 300
    assert logic.evaluate(p.formula, p.ring, {"x": fmpq(1, 2)}) is True
    assert logic.evaluate(p.formula, p.ring, {"x": fmpq(301)}) is False


def test_smtlib_and_3000_deep(tmp_path):
    text = ("(declare-fun x () Real)\n(assert " + "(and " * 3000 + "(> x 0)" + ")" * 3000
            + ")\n(check-sat)\n")
    out, _err = assert_clean(run("qe", "--smt2", write(tmp_path, text, "d.smt2")))
    assert out.split() == ["x", ">", "0"]


def test_nesting_beyond_the_limit_is_refused(tmp_path):
    depth = MAX_NESTING + 1
    path = write(tmp_path, "[d]\n(x)\n1\n" + "[" * depth + "x > 0" + "]" * depth + ".\nfinish\n")
    _out, err = assert_clean(run("qe", path), codes=(2,))
    assert str(MAX_NESTING) in err and "nesting limit" in err
    text = "(declare-fun x () Real)(assert " + "(not " * depth + "(> x 0)" + ")" * depth + ")"
    _out, err = assert_clean(run("qe", "--smt2", write(tmp_path, text, "d.smt2")), codes=(2,))
    assert "nesting limit" in err


# ---------------------------------------------------------------- bytes and options

@pytest.mark.parametrize("command", [["qe"], ["qe", "--smt2"], ["closed"]])
def test_binary_input_exit_2(tmp_path, command):
    path = write(tmp_path, b"\xff\xfe[d]\n(x)\n1\nx > 0.\nfinish\n")
    _out, err = assert_clean(run(*command, path), codes=(2,))
    assert "UTF-8" in err and "0xff" in err
    _out, err = assert_clean(run(*command, "-", stdin=b"\xff\xfe"), codes=(2,))
    assert "UTF-8" in err


def test_timeout_inf_means_no_limit_and_nan_is_refused(tmp_path):
    path = write(tmp_path, PARABOLA)
    out, _err = assert_clean(run("qe", path, "--timeout", "inf"))
    assert out.strip()
    for bad in ("nan", "-1", "0"):
        _out, err = assert_clean(run("qe", path, "--timeout", bad), codes=(2,))
        assert "--timeout" in err


# ---------------------------------------------------------------- QEPCAD B compatibility

COMPAT = {
    "nested description": "[image for W1 = [[1,1,0],[0,1,1]]]\n(x,y)\n1\n(E y)[ y^2 = x ].\n"
                          "finish\n",
    "comment line": "[c]\n(x,y)\n1\n(E y)[ y^2 = x ].\n[ a [nested] comment ]\nfinish\n",
    "prenex and sol T": "[c]\n(a,x)\n1\n(E x)[ a x^2 + 1 = 0 ].\nprenex\nsol T\nfrobnicate\n"
                        "finish\n",
}


@pytest.mark.parametrize("name", sorted(COMPAT))
def test_qepcad_b_inputs_accepted(tmp_path, name):
    out, err = assert_clean(run("qe", write(tmp_path, COMPAT[name])))
    p = parse_qepcad(COMPAT[name]) if "sol" not in COMPAT[name] else None
    assert out.strip()
    if "sol" in COMPAT[name]:
        assert err.count("cad: warning:") == 3 and "'prenex'" in err and "'sol'" in err
        assert out.split() == ["a", "<", "0"]
    else:
        assert err == "" and p is not None


@pytest.mark.qepcad
@pytest.mark.parametrize("name", sorted(COMPAT))
def test_qepcad_b_inputs_answered_as_qepcad_b(tmp_path, qepcad, name):
    from cad.io import parse_qepcad_output_formula

    text = COMPAT[name]
    theirs = subprocess.run([qepcad, "+N2000000"], input=text, capture_output=True, text=True,
                            timeout=60).stdout
    out, _err = assert_clean(run("qe", write(tmp_path, text)))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ring = parse_qepcad(text).ring
    ours = parse_formula(out, ring)
    assert ours == parse_qepcad_output_formula(theirs, ring)


def test_smtlib_quoted_names_do_not_rename_the_users_own():
    p = parse_smtlib("(declare-fun |x y| () Real)\n(declare-fun x_y () Real)\n"
                     "(assert (and (> |x y| 0) (< x_y |x y|)))\n")
    assert p.free[1] == "x_y" and p.free[0] not in ("x_y",)
    assert p.formula == parse_formula(f"{p.free[0]} > 0 /\\ x_y - {p.free[0]} < 0", p.ring)


# ---------------------------------------------------------------- budgets (subprocess timing)

def test_cad_qe_timeout_2_on_a_hard_file_within_budget_plus_1(tmp_path):
    path = write(tmp_path, HARD)
    t0 = time.monotonic()
    out = run("qe", path, "--timeout", "2", "--json", timeout=60)
    wall = time.monotonic() - t0
    stdout, _err = assert_clean(out, codes=(3,))
    assert json.loads(stdout)["formula"] == "unknown"
    assert wall <= 3.0 + 0.5, wall   # 0.5 s: interpreter start-up, not part of the budget


def test_library_qe_timeout_2_on_a_hard_file_within_budget_plus_1():
    code = ("import time, json; from cad import parse_qepcad, qe, BudgetExceeded\n"
            f"p = parse_qepcad({HARD!r})\n"
            "t = time.monotonic()\n"
            "try:\n    qe(p, timeout=2); r = 'answer'\n"
            "except BudgetExceeded:\n    r = 'unknown'\n"
            "print(json.dumps([r, time.monotonic() - t]))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result, seconds = json.loads(out.stdout)
    assert result == "unknown" and seconds <= 3.0, (result, seconds)
