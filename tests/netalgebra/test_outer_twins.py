"""Outer twins (two outputs reading one neuron alone, or two inputs read by one neuron alone, merge
into one; L_I closed iff the merged L_I' is, and witnesses lift by a zero row / column): the
lemma's constructions in exact arithmetic, verdicts whose answer is known from the mathematics,
agreement with the CAD route, and tamper tests of the certificates (issue 15, acceptance 3)."""

import copy
import json
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

from cad.budget import Budget
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.outer_twins import by_outer_twin_merge, lift_target, merge_outer_twins
from netalgebra.decide.certify import checked_nested
from netalgebra.pattern import SparsityPattern as S
from test_deep_reductions import product


def transpose_pattern(masks):
    return tuple(tuple(zip(*m)) for m in reversed(masks))


def unit(vector):
    ones = [i for i, x in enumerate(vector) if x]
    return ones[0] if len(ones) == 1 else None


# The twin-merge LU example (tests/netalgebra/test_twins.py: not closed, L_I' = {L U}, the limit
# [[0, 1], [1, 0]] unattained) with a third output that, like output 0, reads only hidden neuron 0.
NOT_CLOSED_OUTER = "masks:11,01,01|110,011|10,11,10"
# random:4,4,4,4:0.6:83: outputs 0 and 2 read only neuron 3 of the last hidden layer; merged, every
# neuron's supports make L_I' the coordinate subspace of its boolean product (deep_coordinate_subspace).
CLOSED_OUTER = "random:4,4,4,4:0.6:83"


def test_merge_steps_and_lift():
    masks = S.preset(NOT_CLOSED_OUTER).masks
    steps, merged = merge_outer_twins(masks)
    assert steps == [{"side": "outputs", "pair": [0, 2]}]
    assert merged == (((1, 1), (0, 1), (0, 1)), ((1, 1, 0), (0, 1, 1)), ((1, 0), (1, 1)))
    steps_t, merged_t = merge_outer_twins(transpose_pattern(masks))
    assert steps_t == [{"side": "inputs", "pair": [0, 2]}] and merged_t == transpose_pattern(merged)
    assert lift_target([["1", "2"], ["3", "4"]], steps) == [["1", "2"], ["3", "4"], ["0", "0"]]
    assert lift_target([["1", "2"], ["3", "4"]], steps_t) == [["1", "2", "0"], ["3", "4", "0"]]
    assert merge_outer_twins(S.preset("random:4,4,4,4:0.6:8").masks)[0] == []


def random_weights(masks, rng):
    return [[[Fraction(rng.randint(-4, 4), rng.randint(1, 3)) if x else Fraction(0) for x in row] for row in m]
            for m in masks]


@st.composite
def output_twin_patterns(draw):
    """Masks of depth 2 or 3, widths <= 3, whose last layer has two outputs reading one neuron alone."""
    depth = draw(st.integers(2, 3))
    w = [draw(st.integers(1, 3)) for _ in range(depth)]
    bits = lambda n: [draw(st.integers(0, 1)) for _ in range(n)]
    masks = [[bits(w[l]) for _ in range(w[l + 1])] for l in range(depth - 1)]
    h = draw(st.integers(0, w[-1] - 1))
    extra = draw(st.integers(0, 2))
    last = [[int(j == h) for j in range(w[-1])]] * 2 + [bits(w[-1]) for _ in range(extra)]
    order = draw(st.permutations(range(len(last))))
    masks.append([last[i] for i in order])
    return tuple(tuple(map(tuple, m)) for m in masks)


@settings(max_examples=60, deadline=None)
@given(output_twin_patterns(), st.integers(0, 10 ** 6))
def test_the_lemma_constructions(masks, seed):
    """For the first step: (R, a0 z, a1 z) from the original weights; the merged weights with
    a = |(a0, a1)| give (R, c z) and, rescaled, the same two rows -- the computation of part (a)
    -- and a1 = 0 gives iota of the merged product (part (b)), all in exact arithmetic."""
    rng = random.Random(seed)
    steps, _ = merge_outer_twins(masks)
    assert steps and steps[0]["side"] == "outputs"
    r0, r1 = steps[0]["pair"]
    h = unit(masks[-1][r0])
    assert h is not None and unit(masks[-1][r1]) == h
    w = random_weights(masks, rng)
    Y = product(w)
    a0, a1 = w[-1][r0][h], w[-1][r1][h]
    z = product(w[:-1])[h] if len(w) > 1 else None
    assert Y[r0] == [a0 * x for x in z] and Y[r1] == [a1 * x for x in z]
    merged_masks = [list(map(list, m)) for m in masks]
    del merged_masks[-1][r1]
    wm = copy.deepcopy(w)
    del wm[-1][r1]
    c2 = a0 * a0 + a1 * a1                       # c^2; work with c^2 to stay rational
    wm[-1][r0 if r0 < r1 else r0 - 1][h] = c2    # a = c^2: row r0' = c^2 z = c (c z)
    Ym = product(wm)
    rest = [Y[i] for i in range(len(Y)) if i not in (r0, r1)]
    assert [Ym[i] for i in range(len(Ym)) if i != (r0 if r0 < r1 else r0 - 1)] == rest
    if c2:                                       # u_i = b_i w with b = (a0, a1) / c, w = c z
        row = Ym[r0 if r0 < r1 else r0 - 1]
        assert [a0 * x / c2 for x in row] == Y[r0] and [a1 * x / c2 for x in row] == Y[r1]
    w0 = copy.deepcopy(w)
    w0[-1][r1][h] = Fraction(0)                  # a1 = 0: the product is iota(merged product)
    Ymerged = product([m for m in w0[:-1]] + [[r for i, r in enumerate(w0[-1]) if i != r1]])
    assert product(w0) == [Ymerged[i - (i > r1)] if i != r1 else [Fraction(0)] * len(Y[0]) for i in range(len(Y))]


def test_closed_through_outer_twins():
    v = decide(S.preset(CLOSED_OUTER), 30)
    assert v.status == "closed", v.reason
    c = json.loads(json.dumps(v.certificate))
    assert c["method"] == "outer_twin_merge" and verify(c).ok
    assert c["outer_twin_merge"]["certificate"]["theorem"]["name"] == "deep_coordinate_subspace"


def not_closed_certificate(name):
    """The outer-twin certificate of a not-closed pattern (the merged pattern decided in full)."""
    p = S.preset(name) if isinstance(name, str) else S(name)
    v = by_outer_twin_merge(p, p.masks, Budget.of(60), lambda sub, b: decide(S(sub), b), checked_nested)
    assert v is not None and v.status == "not_closed", v
    return json.loads(json.dumps(v.certificate))


def test_not_closed_witness_lifts():
    c = not_closed_certificate(NOT_CLOSED_OUTER)
    assert c["method"] == "outer_twin_merge" and verify(c).ok
    A = [[Fraction(x) for x in r] for r in c["target"]]
    assert A[2] == [0, 0]                           # the zero row of iota
    assert A[0][0] == 0 and A[0][1] != 0 and A[1][0] != 0     # unattained by the LU lemma
    ct = not_closed_certificate(transpose_pattern(S.preset(NOT_CLOSED_OUTER).masks))
    assert ct["outer_twin_merge"]["steps"][0]["side"] == "inputs" and verify(ct).ok
    assert all(Fraction(r[2]) == 0 for r in ct["target"])


def _tamper_cases(c):
    """(what, tampered certificate) pairs: each breaks one claim the checker re-checks."""
    out = []
    step = c["outer_twin_merge"]["steps"][0]
    bad = copy.deepcopy(c)                       # the original masks: the dropped output reads two neurons
    m = bad["pattern"]["masks"]
    i1 = step["pair"][1]
    if step["side"] == "outputs":
        m[-1][i1] = [1] * len(m[-1][i1])
    else:
        for r in m[0]:
            r[i1] = 1
    bad["pattern"]["name"] = None
    out.append(("no twin", bad))
    bad = copy.deepcopy(c)
    m = bad["outer_twin_merge"]["certificate"]["pattern"]["masks"][-1]
    m[0][0] = 1 - m[0][0]
    out.append(("merged masks", bad))
    bad = copy.deepcopy(c)
    bad["outer_twin_merge"]["steps"].pop()
    out.append(("dropped step", bad))
    bad = copy.deepcopy(c)
    bad["outer_twin_merge"]["steps"][0]["pair"] = [step["pair"][0], 1]
    out.append(("not twins", bad))
    bad = copy.deepcopy(c)
    bad["outer_twin_merge"]["steps"][0]["side"] = "inputs" if step["side"] == "outputs" else "outputs"
    out.append(("other side", bad))
    bad = copy.deepcopy(c)
    bad["verdict"] = "closed" if c["verdict"] == "not_closed" else "not_closed"
    out.append(("verdict", bad))
    for garbage in ([{"side": "outputs", "pair": [0, 99]}], [{"side": "rows", "pair": [0, 1]}],
                    [{"side": "outputs", "pair": ["0", None]}], "x", []):
        bad = copy.deepcopy(c)
        bad["outer_twin_merge"]["steps"] = garbage
        out.append(("garbage steps", bad))
    bad = copy.deepcopy(c)
    bad["outer_twin_merge"] = {"steps": c["outer_twin_merge"]["steps"]}
    out.append(("no inner", bad))
    if "target" in c:
        bad = copy.deepcopy(c)                   # the inserted zero row / column made non-zero
        if step["side"] == "outputs":
            bad["target"][step["pair"][1]][0] = "1"
        else:
            bad["target"][0][step["pair"][1]] = "1"
        out.append(("lifted target", bad))
        bad = copy.deepcopy(c)
        del bad["target"]
        out.append(("target left out", bad))
        bad = copy.deepcopy(c)                   # a moved inner witness
        t = bad["outer_twin_merge"]["certificate"]["target"]
        t[0][0], t[0][1] = t[0][1], t[0][0]
        out.append(("inner target", bad))
    return out


@pytest.mark.parametrize("name", [CLOSED_OUTER, NOT_CLOSED_OUTER])
def test_outer_twin_certificate_tamper(name):
    c = (json.loads(json.dumps(decide(S.preset(name), 30).certificate)) if name == CLOSED_OUTER
         else not_closed_certificate(name))
    assert verify(c).ok
    for what, bad in _tamper_cases(c):
        rep = verify(bad)
        assert not rep.ok, what


@settings(max_examples=10, deadline=None)
@given(output_twin_patterns())
def test_outer_twins_agree_with_cad(masks):
    """The CAD route on the original pattern and on the merged one give the same verdict wherever
    both answer in time (part (a) of the lemma)."""
    _, merged = merge_outer_twins(masks)
    original = decide(S(masks), 5, methods=("cad",)).status
    reduced = decide(S(merged), 5, methods=("cad",)).status
    if "unknown" not in (original, reduced):
        assert original == reduced


def test_not_closed_example_agrees_with_cad():
    from netalgebra.decide.cad_route import decide_by_cad

    p = S.preset(NOT_CLOSED_OUTER)
    by_cad, _ = decide_by_cad(p, p.masks, Budget.of(60))
    assert by_cad is not None and by_cad.status == "not_closed"


def test_cli_verify_exit_codes(tmp_path, capsys):
    """`netalgebra verify`: 0 on the certificate, 1 once a step is dropped."""
    from netalgebra.cli import main

    out = tmp_path / "cert.json"
    out.write_text(json.dumps(not_closed_certificate(NOT_CLOSED_OUTER)))
    assert main(["verify", str(out)]) == 0
    cert = json.loads(out.read_text())
    cert["outer_twin_merge"]["steps"].pop()
    out.write_text(json.dumps(cert))
    assert main(["verify", str(out)]) == 1
    capsys.readouterr()


def test_cli_check_shows_the_merged_certificate(capsys):
    """`netalgebra check` prints the nested (merged pattern's) theorem, not an empty one."""
    from netalgebra.cli import main

    assert main(["check", "--preset", CLOSED_OUTER]) == 0
    out = capsys.readouterr().out
    assert "merged pattern: widths 4-4-4-3" in out and "theorem: deep_coordinate_subspace" in out
