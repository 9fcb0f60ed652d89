"""The solution formula's prime implicants against a direct (quadratic) reference, and the
formula tree's cached hashes (deep inputs)."""

import copy
import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from cad.elimination.masks import SIGN_BIT
from cad.elimination.root_features import ABSENT
from cad.elimination.solution import _WIDER, _exclusion_index, _prime_implicant


def reference_prime_implicant(t, F, order):
    """Drop atoms in ``order`` while the term stays false on every signature of ``F``, then
    widen the rest; validity re-checked from scratch against ``F`` at every step."""
    def excludes_all(term):
        return all(any(g.get(fid, ABSENT) == ABSENT or not (m & SIGN_BIT[g[fid]])
                       for fid, m in term.items()) for g in F)

    term = {fid: SIGN_BIT[s] for fid, s in t.items() if s != ABSENT}
    for fid in order:
        if fid in term:
            m = term.pop(fid)
            if not excludes_all(term):
                term[fid] = m
    for fid in sorted(term, key=order.index):
        m = term[fid]
        for w in _WIDER.get(m, ()):
            term[fid] = w
            if excludes_all(term):
                break
            term[fid] = m
    return term


signs = st.sampled_from([-1, 0, 1, ABSENT])


@st.composite
def signature_sets(draw):
    n = draw(st.integers(1, 6))
    sig = st.lists(signs, min_size=n, max_size=n).map(lambda v: dict(enumerate(v)))
    t = draw(sig)
    F = draw(st.lists(sig, min_size=1, max_size=8))
    F = [g for g in F if g != t]
    order = draw(st.permutations(list(range(n))))
    return t, F, order


@settings(max_examples=300, deadline=None)
@given(signature_sets())
def test_prime_implicant_matches_reference(case):
    t, F, order = case
    got = _prime_implicant(t, _exclusion_index(F), order)
    want = reference_prime_implicant(t, F, order)
    assert got == want
    assert list(got) == list(want)          # same atom order, so the same printed formula


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
