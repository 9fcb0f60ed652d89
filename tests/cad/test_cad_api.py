"""The public API of ``cad``: every name resolves, lazily (``import cad`` imports no sympy)."""

import subprocess
import sys

import pytest

NAMES = ["qe", "decide", "equivalent", "is_closed", "closure", "parse_qepcad", "parse_smtlib",
         "Problem", "PolyRing", "cad", "Budget", "CadError", "InputError", "ParseError",
         "BudgetExceeded", "InternalError"]


def run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_import_cad_is_light():
    out = run("import sys, cad; "
              "heavy = [m for m in sys.modules "
              "if m.split('.')[0] in ('sympy', 'flint', 'networkx', 'numpy')]; "
              "assert not heavy, heavy; "
              "assert not [m for m in sys.modules if m.startswith('cad.') and m != 'cad.errors']")
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize("name", NAMES)
def test_each_public_name_resolves(name):
    import cad

    assert name in cad.__all__
    assert callable(getattr(cad, name))


def test_public_names_work_whatever_was_imported_first():
    """``cad.qe`` is the function whatever was imported first (the engine's package is
    ``cad.elimination``, so no submodule shadows it)."""
    parabola = "[p]\n(a,b,c,x)\n3\n(E x)[a x^2 + b x + c = 0].\nfinish\n"
    sentence = "[s]\n(x)\n0\n(E x)[x^2 = 2].\nfinish\n"
    body = "\n".join([
        f"problem = parse_qepcad({parabola!r})",
        "f = qe(problem, timeout=60).formula",
        "assert Q.qe(problem, timeout=60).formula == f",
        f"assert decide(parse_qepcad({sentence!r}), timeout=60)",
        "assert Budget(1).remaining() <= 1",
        "import sys",
        "assert 'sympy' not in sys.modules",
    ])
    for first in ("from cad import qe, decide, parse_qepcad, Budget\nimport cad.elimination as Q",
                  "import cad.elimination as Q\nimport cad.topology\n"
                  "from cad import qe, decide, parse_qepcad, Budget",
                  "import cad\nimport cad.elimination as Q\nqe, decide = cad.qe, cad.decide\n"
                  "from cad import parse_qepcad, Budget"):
        out = run(first + "\n" + body)
        assert out.returncode == 0, (first, out.stderr)


def test_unknown_name_is_an_attribute_error():
    import cad

    with pytest.raises(AttributeError):
        cad.no_such_name  # noqa: B018
