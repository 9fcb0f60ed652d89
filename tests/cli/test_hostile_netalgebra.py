"""Issue 17, netalgebra side: every hostile-input repro is a test (exit 2 with a one-line
message naming the field or the limit, never a traceback), and the budgets of ``check``."""

import json
import os
import subprocess
import sys
import time

import pytest

from netalgebra.cli import main

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as e:             # argparse: exit 2 with usage
        code = e.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.fixture
def files(tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 3000 + "]" * 3000)
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    pt = tmp_path / "pruned.pt"
    pt.write_bytes(b"PK\x03\x04" + bytes(range(256)))
    return {"deep": str(deep), "bin": str(binary), "pt": str(pt), "dir": str(tmp_path)}


@pytest.mark.parametrize("cmd", [["check"], ["compile"], ["train", "--steps", "1", "--quiet"],
                                 ["verify"], ["train", "--quiet", "--steps", "1", "--certificate"],
                                 ["check", "--preset", "ul:2", "--points"]])
@pytest.mark.parametrize("kind", ["deep", "bin"])
def test_nested_and_binary_files(cmd, kind, files, capsys):
    code, _out, err = run(cmd + [files[kind]], capsys)
    assert code == 2
    assert ("nested 3000 deep" in err) if kind == "deep" else ("not UTF-8" in err)


def test_census_summary_of_binary_or_deep_file(files, capsys):
    for kind in ("deep", "bin"):
        code, _out, err = run(["census", "--summary", "--out", files[kind]], capsys)
        assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize("argv", [["check", "--preset", "ul:2", "--out", "/nonexistent/c.json"],
                                  ["check", "--preset", "ul:2", "--out", "{dir}"],
                                  ["train", "--preset", "ul:2", "--steps", "1", "--quiet", "--csv", "{dir}"],
                                  ["train", "--preset", "ul:2", "--steps", "1", "--quiet", "--plot", "{dir}"],
                                  ["train", "--preset", "ul:2", "--steps", "1", "--quiet", "--seed", "-1"],
                                  ["census", "--shape", "1,1,1", "--out", "{dir}"]])
def test_output_paths_and_seed_checked_before_computing(argv, files, capsys):
    code, _out, err = run([a.format(**files) for a in argv], capsys)
    assert code == 2 and ("directory" in err or "--seed" in err), err
    assert sorted(os.listdir(files["dir"])) == ["bin.json", "deep.json", "pruned.pt"]   # nothing written


@pytest.mark.parametrize("argv,limit", [(["check", "--preset", "diag:100000"], "MAX_MASK_ENTRIES"),
                                        (["check", "--preset", "butterfly:65536"], "MAX_MASK_ENTRIES"),
                                        (["check", "--preset", "ul:3000"], "MAX_MASK_ENTRIES"),
                                        (["check", "--preset", "dense:20000,20000"], "MAX_MASK_ENTRIES"),
                                        (["compile", "--preset", "ul:300"], "MAX_COMPILE_TERMS")])
def test_size_limits_decided_up_front(argv, limit, capsys):
    code, _out, err = run(argv, capsys)
    assert code == 2 and limit in err


@pytest.mark.parametrize("cmd", [["check", "--preset", "ul:2"], ["verify", "x.json"],
                                 ["census", "--shape", "2,2,2"]])
@pytest.mark.parametrize("value", ["nan", "inf", "-1", "٣"])
def test_timeout_must_be_finite(cmd, value, capsys):
    code, _out, err = run(cmd + ["--timeout", value], capsys)
    assert code == 2 and "--timeout" in err


@pytest.mark.parametrize("preset", ["ul:٣", "dense:٢,٢", "random:2,2,2:٠.5:1", "diag:２"])
def test_non_ascii_digits_are_not_numbers(preset, capsys):
    code, _out, err = run(["check", "--preset", preset], capsys)
    assert code == 2 and "preset" in err


@pytest.mark.parametrize("cmd", ["check", "compile"])
def test_a_preset_name_given_as_the_pattern_file_gets_a_hint(cmd, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)        # no file of that name here
    code, out, err = run([cmd, "random:4,4,4,4:0.7:45"], capsys)
    assert code == 2 and not out
    assert err.strip().count("\n") == 0 and "--preset random:4,4,4,4:0.7:45" in err
    code, _out, err = run([cmd, "nosuch:1"], capsys)        # not a preset kind: the plain error
    assert code == 2 and "cannot read pattern file" in err and "--preset" not in err


def test_pytorch_state_dict_without_torch_says_what_to_install(files, capsys):
    try:
        import torch  # noqa: F401
        pytest.skip("torch is installed: the file is read by torch.load instead")
    except ImportError:
        pass
    code, _out, err = run(["check", files["pt"]], capsys)
    assert code == 2 and "pip install torch" in err and ".npz" in err


def test_npz_masks_without_torch(tmp_path, capsys):
    np = pytest.importorskip("numpy")
    path = tmp_path / "m.npz"
    np.savez(path, fc1_weight_mask=np.array([[1, 0], [1, 1]]), fc2_weight_mask=np.array([[1.0, 1.0], [0.0, 1.0]]),
             fc1_bias=np.zeros(2))
    code, out, _err = run(["check", str(path), "--timeout", "30"], capsys)
    assert code == 0 and "NOT CLOSED" in out          # ul:2
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    code, _out, err = run(["check", str(bad)], capsys)
    assert code == 2 and "npz" in err


@pytest.mark.parametrize("value", [True, 1.0, "1"])
def test_mask_values_one_rule_for_check_and_verify(value, tmp_path, capsys):
    """Entries are the JSON integers 0 and 1; true/false, 1.0 and "1" are rejected by both."""
    pat = tmp_path / "p.json"
    pat.write_text(json.dumps({"masks": [[[value, 0]]]}))
    code, _out, err = run(["check", str(pat)], capsys)
    assert code == 2 and "masks[0][0][0]" in err
    cert = tmp_path / "c.json"
    assert run(["check", "--preset", "masks:10", "--out", str(cert)], capsys)[0] == 0
    c = json.loads(cert.read_text())
    assert run(["verify", str(cert)], capsys)[0] == 0
    c["pattern"]["masks"][0][0][0] = value
    cert.write_text(json.dumps(c))
    code, out, _err = run(["verify", str(cert)], capsys)
    assert code == 1 and "REJECTED" in out


def test_verify_shows_pattern_and_rejects_a_misleading_preset_name(tmp_path, capsys):
    cert = tmp_path / "c.json"
    assert run(["check", "--preset", "dense:2,2,2", "--out", str(cert)], capsys)[0] == 0
    code, out, _ = run(["verify", str(cert)], capsys)
    assert code == 0 and 'pattern: "dense:2,2,2", masks [[[1,1],[1,1]],[[1,1],[1,1]]]' in out
    c = json.loads(cert.read_text())
    c["pattern"]["name"] = "ul:2"
    cert.write_text(json.dumps(c))
    code, out, _ = run(["verify", str(cert)], capsys)
    assert code == 1 and "pattern name names these masks" in out
    c["pattern"]["name"] = "my network"             # a free label is fine
    cert.write_text(json.dumps(c))
    assert run(["verify", str(cert)], capsys)[0] == 0


def test_plot_is_written_where_it_says(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "figure"
    code, out, _ = run(["train", "--preset", "ul:2", "--steps", "2", "--quiet", "--plot", str(target)], capsys)
    assert code == 0
    said = [line.split("wrote ", 1)[1] for line in out.splitlines() if line.startswith("wrote ")]
    assert said and all(os.path.isfile(p) for p in said), (said, os.listdir(tmp_path))


def test_out_is_never_half_written(tmp_path, capsys):
    cert = tmp_path / "c.json"
    code, _out, _err = run(["check", "--preset", "ul:2", "--out", str(cert)], capsys)
    assert code == 0 and json.loads(cert.read_text())["verdict"] == "not_closed"
    assert sorted(os.listdir(tmp_path)) == ["c.json"]         # no temporary file left


# --- budgets, measured in a subprocess ----------------------------------------------------------
def _timed(argv, limit):
    env = dict(os.environ, PYTHONPATH=ROOT)
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "netalgebra.cli"] + argv, capture_output=True, text=True,
                       env=env, timeout=limit + 60)
    return time.monotonic() - t0, p


@pytest.mark.slow
@pytest.mark.parametrize("preset", ["ul:1000", "dense:20000,20000", "ul:400", "masks:11,01|10,11|11,01"])
def test_check_budget(preset):
    """``check --timeout 5`` answers within 5 s + 1 s (unknown, an answer, or a size-limit error)."""
    seconds, p = _timed(["check", "--preset", preset, "--timeout", "5"], 5)
    assert p.returncode in (0, 2, 3), p.stderr
    assert "Traceback" not in p.stderr
    assert seconds <= 6.0, (preset, seconds)
    import resource

    # the largest process this test waited for (the command and its forked worker)
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 3 * 1024 * 1024, "over 3 GB"


def test_library_timeout_nan_is_bad_input():
    from cad.errors import InputError
    from netalgebra.decide import decide
    from netalgebra.pattern import SparsityPattern

    for bad in (float("nan"), -1.0):
        with pytest.raises(InputError):
            decide(SparsityPattern.preset("ul:2"), bad)


def test_state_dict_read_through_torch(tmp_path, monkeypatch, capsys):
    """With torch present (here a stand-in module: torch.load is all that is used), masks come
    from the *weight_mask buffers, else from the non-zeros of the 2-D weights."""
    import types

    np = pytest.importorskip("numpy")

    class T:
        def __init__(self, a):
            self.a = np.asarray(a)
            self.ndim = self.a.ndim

        def __ne__(self, other):
            return T(self.a != other)

        def detach(self):
            return self

        def cpu(self):
            return self

        def numpy(self):
            return self.a

    dicts = {"masked": {"0.weight": T([[0.5, 2.0], [1.0, 1.0]]), "0.weight_mask": T([[1.0, 0.0], [1.0, 1.0]]),
                        "0.bias": T([0.0, 0.0]), "1.weight": T([[1.0, 1.0], [0.0, 1.0]]),
                        "1.weight_mask": T([[1.0, 1.0], [0.0, 1.0]])},
             "weights": {"0.weight": T([[0.5, 0.0], [1.0, -1.0]]), "1.weight": T([[3.0, 1.0], [0.0, 2.0]])},
             "not a dict": [1, 2]}
    fake = types.ModuleType("torch")
    fake.load = lambda path, map_location=None, weights_only=False: dicts[open(path).read()]
    monkeypatch.setitem(sys.modules, "torch", fake)
    for name in ("masked", "weights", "not a dict"):
        path = tmp_path / f"{name.replace(' ', '_')}.pt"
        path.write_text(name)
        code, out, err = run(["check", str(path), "--timeout", "30"], capsys)
        if name == "not a dict":
            assert code == 2 and "state dict" in err
        else:
            assert code == 0 and "NOT CLOSED" in out, (name, out, err)      # ul:2 both times


def test_library_decide_budget_on_a_wide_pattern():
    """``decide(p, 2)`` on a 10-10-10-10 pattern (about 20 000 candidate blocks) ends within 2 s + 1 s:
    the block search enumerates its candidates lazily, checking the budget between them."""
    code = ("import time, json\n"
            "from netalgebra.decide import decide\n"
            "from netalgebra.pattern import SparsityPattern\n"
            "p = SparsityPattern.preset('random:10,10,10,10:0.9:4')\n"
            "t = time.monotonic()\n"
            "v = decide(p, 2)\n"
            "print(json.dumps([v.status, time.monotonic() - t]))\n")
    env = dict(os.environ, PYTHONPATH=ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    status, seconds = json.loads(out.stdout)
    assert status in ("closed", "not_closed", "unknown") and seconds <= 3.0, (status, seconds)
