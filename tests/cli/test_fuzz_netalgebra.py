"""Fuzz tests of every ``netalgebra`` entry point (issue 17): random bytes, random JSON, random
presets and options, mutated certificates.  Each run must end with an exit code in {0, 2, 3}
(``verify`` also 1: rejected), one-line errors, no traceback, and no process left behind.

Cheap by design: ``netalgebra.cli.main`` is called in-process (the hard-deadline fork of
``check`` is switched off there; a subprocess sample keeps it on), with tiny budgets and
tiny patterns.  Under CI (CI=true) each entry point gets 2000 derandomised examples.
"""

import contextlib
import copy
import io
import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netalgebra.cli import main

CI = os.environ.get("CI") == "true"
N = 2000 if CI else 150
FUZZ = settings(max_examples=N, deadline=None, derandomize=CI, database=None,
                suppress_health_check=list(HealthCheck))
# 2000 examples per entry point take minutes: a sweep (.ci/run runs the sweeps after the suite)
pytestmark = pytest.mark.sweep
ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
KINDS = ["lu", "ul", "dense", "diag", "butterfly", "block", "random", "masks", "nope", ""]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10 ** 30, 10 ** 30) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20)
digits = st.text(alphabet="0123456789٣٠２,.:|-/ ", max_size=12)
presets = st.builds(lambda k, r: f"{k}:{r}", st.sampled_from(KINDS), digits) | st.sampled_from(
    ["ul:2", "lu:2", "dense:2,2,2", "diag:2", "butterfly:4", "masks:10,11|11", "dense:2,1,2", "ul:3000",
     "diag:100000", "dense:20000,20000", "butterfly:65536", "random:2,3,2:0.5:7"])


def _file(tmp, content):
    path = os.path.join(tmp, "input.json")
    with open(path, "wb") as fh:
        fh.write(content)
    return path


def _content(draw):
    kind = draw(st.sampled_from(["bytes", "json", "masks", "deep"]))
    if kind == "bytes":
        return draw(st.binary(max_size=64))
    if kind == "deep":
        n = draw(st.integers(1, 4000))
        return (draw(st.sampled_from(["[", "{\"a\":"])) * n).encode()
    if kind == "masks":
        masks = draw(st.lists(st.lists(st.lists(json_values | st.integers(0, 1), max_size=3), max_size=3),
                              max_size=3))
        return json.dumps({"masks": masks}).encode()
    return json.dumps(draw(json_values)).encode()


def call(argv, allowed=(0, 2, 3)):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:        # argparse errors: exit 2 with usage
            code = e.code
    text = err.getvalue()
    assert code in allowed, (argv, code, text[-500:])
    assert "Traceback" not in text, text[-2000:]
    return code


@pytest.fixture
def inline(monkeypatch):
    """``check`` and ``verify`` without their hard-deadline fork (in-process runs; subprocesses keep it)."""
    import cad.hard_deadline as hd

    monkeypatch.setattr(hd, "available", lambda seconds: False)


@FUZZ
@given(data=st.data())
def test_fuzz_check(data, tmp_path_factory, inline):
    tmp = str(tmp_path_factory.mktemp("check"))
    if data.draw(st.booleans()):
        argv = ["check", "--preset", data.draw(presets)]
    else:
        argv = ["check", _file(tmp, _content(data.draw))]
    argv += ["--timeout", data.draw(st.sampled_from(["0", "0.05", "0.2", "nan", "-1", "1e400", "x"]))]
    if data.draw(st.booleans()):
        argv += ["--json"]
    if data.draw(st.integers(0, 4)) == 0:
        argv += ["--out", data.draw(st.sampled_from([tmp, os.path.join(tmp, "c.json"), "/nonexistent/c.json"]))]
    call(argv)


@FUZZ
@given(data=st.data())
def test_fuzz_compile(data, tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("compile"))
    if data.draw(st.booleans()):
        argv = ["compile", "--preset", data.draw(presets)]
    else:
        argv = ["compile", _file(tmp, _content(data.draw))]
    if data.draw(st.booleans()):
        argv += ["--json"]
    call(argv)


@pytest.fixture(scope="module")
def certificates():
    from netalgebra.decide import decide
    from netalgebra.pattern import SparsityPattern

    out = []
    for name in ["ul:2", "dense:2,2,2", "butterfly:4", "masks:111,110|11,11,01", "diag:2", "masks:10,11|11"]:
        out.append(decide(SparsityPattern.preset(name), 30).certificate)
    out.append(decide(SparsityPattern.preset("lu:2"), 60, methods=("cad",)).certificate)
    return out


def _mutate(draw, obj):
    """Replace one random leaf (or subtree) of a JSON object by a random JSON value."""
    if isinstance(obj, (dict, list)) and obj and draw(st.integers(0, 3)):
        keys = list(obj) if isinstance(obj, dict) else list(range(len(obj)))
        k = draw(st.sampled_from(keys))
        obj[k] = _mutate(draw, obj[k])
        return obj
    return draw(json_values)


@FUZZ
@given(data=st.data())
def test_fuzz_verify(data, tmp_path_factory, certificates, inline):
    tmp = str(tmp_path_factory.mktemp("verify"))
    if data.draw(st.booleans()):
        cert = copy.deepcopy(data.draw(st.sampled_from(certificates)))
        content = json.dumps(_mutate(data.draw, cert)).encode()
    else:
        content = _content(data.draw)
    argv = ["verify", _file(tmp, content), "--timeout", data.draw(st.sampled_from(["0.5", "2", "nan", "0"]))]
    call(argv, allowed=(0, 1, 2, 3))


@FUZZ
@given(data=st.data())
def test_fuzz_train(data, tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("train"))
    src = data.draw(st.sampled_from(["preset", "file", "certificate"]))
    if src == "preset":
        argv = ["train", "--preset", data.draw(presets.filter(lambda p: not p.startswith(("ul:3", "diag:1",
                                                                                          "dense:2000"))))]
    elif src == "file":
        argv = ["train", _file(tmp, _content(data.draw))]
    else:
        argv = ["train", "--certificate", _file(tmp, _content(data.draw))]
    argv += ["--steps", data.draw(st.sampled_from(["1", "2", "0", "-3"])), "--quiet",
             "--seed", data.draw(st.sampled_from(["0", "-1", "7", str(2 ** 40)]))]
    if data.draw(st.integers(0, 3)) == 0:
        argv += ["--csv", data.draw(st.sampled_from([tmp, os.path.join(tmp, "m.csv"), "/nonexistent/m.csv"]))]
    if data.draw(st.integers(0, 3)) == 0:
        argv += ["--target", data.draw(st.sampled_from(["[[1,0],[0,1]]", "[[", "[[\"1/0\"]]", "[" * 500]))]
    call(argv)


@FUZZ
@given(data=st.data())
def test_fuzz_census(data, tmp_path_factory):
    tmp = str(tmp_path_factory.mktemp("census"))
    if data.draw(st.booleans()):
        argv = ["census", "--summary", "--out", _file(tmp, data.draw(st.binary(max_size=64)) if data.draw(
            st.booleans()) else b"pattern,orbit_size,verdict,reason,seconds\n" + data.draw(st.binary(max_size=40)))]
        argv += ["--plot", os.path.join(tmp, "p")]
    else:
        argv = ["census", "--shape", data.draw(st.sampled_from(["1,1,1", "2,1,1"]) | digits),
                "--out", os.path.join(tmp, "c.csv"), "--workers", "1", "--quiet",
                "--timeout", data.draw(st.sampled_from(["1", "nan", "0"]))]
    call(argv)


# --- a subprocess sample: the real command, with its fork, leaves no process behind ---------------
def _descendants_of_session(sid):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == sid:          # field 6 of stat: session id
                found.append(int(pid))
    return found


SAMPLE = [["check", "--preset", "ul:2", "--timeout", "5"],
          ["check", "--preset", "ul:1000", "--timeout", "1"],
          ["check", "--preset", "masks:11,01|10,11|11,01", "--timeout", "1"],
          ["check", "{bin}"], ["verify", "{deep}"], ["verify", "{cert}", "--timeout", "0.01"], ["compile", "{bin}"], ["train", "{deep}", "--steps", "1"],
          ["census", "--summary", "--out", "{bin}"], ["check", "--preset", "ul:2", "--timeout", "nan"]]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to look for orphans")
@pytest.mark.parametrize("argv", SAMPLE, ids=[" ".join(a) for a in SAMPLE])
def test_subprocess_sample_leaves_no_process(argv, tmp_path):
    (tmp_path / "bin").write_bytes(b"\xff\xfe")
    (tmp_path / "deep").write_text("[" * 3000)
    (tmp_path / "cert").write_text(json.dumps({"format": "netalgebra-certificate/1", "verdict": "closed",
                                               "pattern": {"masks": [[[1, 1], [1, 1]], [[1, 1], [1, 1]]]},
                                               "theorem": {"name": "cad", "hypotheses": {
                                                   "variables": ["y0_0", "y0_1", "y1_0", "y1_1"],
                                                   "description": "y0_0 y1_1 - y0_1 y1_0 >= 0"}}}))
    argv = [a.format(bin=tmp_path / "bin", deep=tmp_path / "deep", cert=tmp_path / "cert") for a in argv]
    p = subprocess.Popen([sys.executable, "-m", "netalgebra.cli"] + argv, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=ROOT),
                         start_new_session=True)
    out, err = p.communicate(timeout=120)
    assert p.returncode in (0, 2, 3), err
    assert "Traceback" not in err
    assert _descendants_of_session(p.pid) == []
