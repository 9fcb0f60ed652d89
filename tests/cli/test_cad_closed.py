"""The ``cad closed`` command: verdicts, exact JSON witnesses, exit codes, no sympy on its path."""

import json
import subprocess
import sys

from flint import fmpq


def run(*args, stdin=None, timeout=120):
    return subprocess.run([sys.executable, "-m", "cad.cli", *args], input=stdin,
                          capture_output=True, text=True, timeout=timeout)


def test_cli_closed_and_not_closed():
    out = run("closed", "-", stdin="[d]\n(x,y)\n2\n[x^2 + y^2 < 1].\nfinish\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == "not closed"
    assert "witness" in out.stdout
    out = run("closed", "-", stdin="[d]\n(x,y)\n2\n[x^2 + y^2 <= 1].\nfinish\n")
    assert (out.returncode, out.stdout.splitlines()[0]) == (0, "closed")


def test_cli_json_exact_witness():
    out = run("closed", "-", "--json",
              stdin="[i]\n(u,v,x,y)\n2\n(E x)(E y)[u = x /\\ v = x y].\nfinish\n")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["closed"] is False and data["answer"] == "not closed"
    assert fmpq(data["witness"]["u"]) == 0 and fmpq(data["witness"]["v"]) != 0
    assert len(data["approaching"]) >= 5
    for p in data["approaching"]:
        assert fmpq(p["u"]) != 0


def test_cli_bad_input_and_budget():
    out = run("closed", "-", stdin="[d]\n(x,y)\n2\n[x^2 + y^2 < 1 /\\ ].\nfinish\n")
    assert out.returncode == 2
    assert "line 4" in out.stderr and "column" in out.stderr
    out = run("closed", "-", "--timeout", "0.0001",
              stdin="[r]\n(a,b,c,d,p,q,r,s)\n4\n(E p)(E q)(E r)(E s)"
                    "[a = p r /\\ b = p s /\\ c = q r /\\ d = q s].\nfinish\n")
    assert out.returncode == 3, (out.stdout, out.stderr)
    assert out.stdout.strip() == "unknown"


def test_cli_closed_does_not_import_sympy(tmp_path):
    path = tmp_path / "disk.qepcad"
    path.write_text("[d]\n(x,y)\n2\n[x^2 + y^2 < 1 \\/ x = 3].\nfinish\n")
    code = ("import sys; from cad.cli import main; rc = main(['closed', sys.argv[1]]); "
            "assert 'sympy' not in sys.modules, 'sympy imported'; sys.exit(rc)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
