"""The formula tree's cached hashes, and deeply nested input read in linear time."""

import copy
import subprocess
import sys


def test_formula_hash_cached_and_not_in_state():
    from cad.io import parse_formula
    from cad.poly import PolyRing

    ring = PolyRing(["x", "y"])
    f = parse_formula("[x > 0 /\\ y < 0] \\/ [x = y /\\ x > 1]", ring)
    h = hash(f)
    assert "_hash" in f.__dict__ and hash(f) == h
    # the cache is per process (str hashes are salted): it is not part of the pickled state
    assert all("_hash" not in node.__getstate__() for node in (f, f.args[0], f.args[0].args[0]))
    g = copy.copy(f)
    assert "_hash" not in g.__dict__ and g == f and hash(g) == h


def test_deeply_alternating_input_parses_in_linear_time():
    # 3000 alternating /\ \/ levels: hashing each level once keeps flattening linear (it was
    # quadratic: ~0.3 s at 400 levels, minutes at 3000); the parse runs in a subprocess
    # with a hard timeout so a regression fails instead of hanging
    code = (
        "s = 'x > 0'\n"
        "for i in range(3000):\n"
        "    s = '[ ' + s + (' /\\\\ ' if i % 2 else ' \\\\/ ') + 'x + %d > 0 ]' % i\n"
        "from cad.io.qepcad import parse_qepcad\n"
        "p = parse_qepcad('[t]\\n(x)\\n1\\n' + s + '.\\nfinish\\n')\n"
        "print(len(p.formula.args))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2"
