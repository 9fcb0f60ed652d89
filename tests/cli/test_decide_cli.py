"""`netalgebra check` / `netalgebra verify` on the command line: JSON output, exit codes,
whole-process start-up time."""

import json
import subprocess
import sys
import time

from netalgebra.cli import main
from netalgebra.pattern import SparsityPattern


def P(name):
    return SparsityPattern.preset(name)


def test_cli_check_json(capsys, tmp_path):
    out = tmp_path / "cert.json"
    rc = main(["check", "--preset", "ul:2", "--json", "--out", str(out)])
    assert rc == 0
    data = json.loads(capsys.readouterr().out)
    assert data["verdict"] == "not_closed" and set(data) >= {"verdict", "pattern", "certificate", "seconds"}
    assert main(["verify", str(out)]) == 0
    cert = json.loads(out.read_text())
    cert["target"][0][0] = "7"
    out.write_text(json.dumps(cert))
    assert main(["verify", str(out)]) == 1


def test_cli_exit_codes(tmp_path, capsys):
    assert main(["check", "--preset", "dense:3,3,3"]) == 0
    assert main(["check", "--preset", "nonsense:3"]) == 2
    assert main(["check", "--preset", "ul:2", "--timeout", "0"]) == 3
    assert main(["check", "--preset", "butterfly:8", "--timeout", "1"]) in (0, 3)
    pat = tmp_path / "p.json"
    pat.write_text(P("lu:3").to_json())
    assert main(["check", str(pat)]) == 0
    pts = tmp_path / "pts.json"
    pts.write_text('[["1", "2"], ["3", "-1/2"]]')
    assert main(["check", "--preset", "masks:10,11|11", "--points", str(pts)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["verify", str(bad)]) == 2
    capsys.readouterr()


def test_cli_whole_process_fast():
    for name, limit in [("ul:2", 2.0), ("dense:3,3,3", 2.0), ("butterfly:4", 2.0), ("ul:100", 10.0)]:
        t = time.perf_counter()
        res = subprocess.run([sys.executable, "-m", "netalgebra.cli", "check", "--preset", name],
                             capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        assert time.perf_counter() - t < limit, name


def test_cli_family_line_names_its_sub_pattern(capsys):
    """The escaping family's weight names index the sub-pattern whose certificate is shown (a
    block sub-pattern, a merged pattern); the line says which, and says nothing for the pattern
    itself."""
    def family_line(preset):
        assert main(["check", "--preset", preset]) == 0
        lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("escaping family")]
        assert len(lines) == 1
        return lines[0]

    assert family_line("lu:2").startswith("escaping family (t -> 0+")
    assert family_line("random:4,4,4,4:0.5:0").startswith("escaping family of the block sub-pattern (")
    assert family_line("random:4,4,4,4:0.5:2").startswith("escaping family of the merged pattern (")


def test_cli_verify_twin_merge_and_narrow_layer_certificates(tmp_path, capsys):
    """`check --out` then `verify`: exit 0 on the certificate, 1 once its key claim is tampered."""
    for name, tamper in [("random:3,3,3,3:0.7:16", lambda c: c["twin_merge"]["steps"].pop()),
                         ("masks:110,011|11,11|11,11,11",
                          lambda c: c["non_attainment"].update(side="cols"))]:
        out = tmp_path / "cert.json"
        assert main(["check", "--preset", name, "--out", str(out)]) == 0
        assert main(["verify", str(out)]) == 0
        cert = json.loads(out.read_text())
        tamper(cert)
        out.write_text(json.dumps(cert))
        assert main(["verify", str(out)]) == 1
    capsys.readouterr()
