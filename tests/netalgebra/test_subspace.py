"""deep_coordinate_subspace: L_I = V_K for deep patterns (netalgebra/theorems/subspace.py), its
verifier (netalgebra/certificate/subspace.py), tamper tests, and an exact realisation of random
targets that follows the certificate's proof step by step."""

import copy
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.deep_cores import find_deep_core
from netalgebra.pattern import SparsityPattern
from netalgebra.theorems import closed_by_theorem
from netalgebra.theorems.peel import realise
from netalgebra.theorems.structure import live_neurons
from netalgebra.theorems.subspace import deep_coordinate_subspace
from test_deep_reductions import product as _product

# 3-layer patterns the theorem proves (found by its search; nothing about them is hard-coded
# but their names)
PROVED = ["random:3,3,3,3:0.7:2", "random:3,3,3,3:0.7:8", "random:4,6,6,4:0.6:2", "random:4,4,4,4:0.7:2"]


def _masks(name):
    return SparsityPattern.preset(name).masks


def _cert(name):
    v = decide(SparsityPattern.preset(name), None)
    assert v.status == "closed" and v.certificate["theorem"]["name"] == "deep_coordinate_subspace", name
    return v.certificate


# --- exact realisation: weights W_L ... W_1 = M for M in V_K, following the proof ----------------

def _stars(T):
    left, out = set(T), []
    while left:
        comp, todo = set(), [min(left)]
        while todo:
            e = todo.pop()
            if e not in comp:
                comp.add(e)
                todo.extend(f for f in left if f[0] == e[0] or f[1] == e[1])
        left -= comp
        out.append(comp)
    return out


def _realise_construction(masks, con, X):
    """Weights for ``masks`` whose product is X (supported on the construction's covers).  A
    construction whose merges end with two layers holds a peel proof: those two layers' weights
    come from it (:func:`netalgebra.theorems.peel.realise`), then the merges are undone."""
    ms = [list(map(list, m)) for m in masks]
    history = []
    for merge in con["merges"]:                      # forward: the masks after each merge
        l = merge["hidden_layer"]
        history.append((l, merge["assignment"], len(ms[l - 1])))
        U = {tuple(p) for _, positions in merge["assignment"] for p in positions}
        merged = [[int((r, c) in U) for c in range(len(ms[l - 1][0]))] for r in range(len(ms[l]))]
        ms = ms[:l - 1] + [merged] + ms[l + 1:]
    ws = list(realise(ms[0], ms[1], con["peel"], X)) if "peel" in con else [X]
    for l, assignment, n_mid in reversed(history):   # undo the merges: split layer l-1 of ws
        Y = [row[:] for row in ws[l - 1]]
        n_out, n_in = len(Y), len(Y[0])
        lower = [[Fraction(0)] * n_in for _ in range(n_mid)]
        upper = [[Fraction(0)] * n_mid for _ in range(n_out)]
        for k, positions in reversed(assignment):
            u, v = [Fraction(0)] * n_out, [Fraction(0)] * n_in
            for comp in _stars({tuple(p) for p in positions}):
                if len({r for r, _ in comp}) == 1:
                    for r, c in comp:
                        u[r], v[c] = Fraction(1), Y[r][c]
                else:
                    for r, c in comp:
                        u[r], v[c] = Y[r][c], Fraction(1)
            for r in range(n_out):
                upper[r][k] = u[r]
                for c in range(n_in):
                    Y[r][c] -= u[r] * v[c]
            lower[k] = v
        assert all(x == 0 for row in Y for x in row)
        ws = ws[:l - 1] + [lower, upper] + ws[l:]
    return ws


def _transpose(A):
    return [list(r) for r in zip(*A)]


def _realise(masks, hyp, node_id, M):
    """Weights for ``masks`` with product M (in V of the node's positions), by the node's proof.
    A column operation is the row operation of the transposed matrices (W_1 then plays W_L)."""
    step = hyp["elimination"][node_id]["step"]
    if "construction" in step:
        return _realise_construction(masks, hyp["constructions"][step["construction"]], M)
    rows = "row_op" in step
    i, j = step["row_op" if rows else "column_op"]
    x = step["column" if rows else "row"]
    A = M if rows else _transpose(M)              # the operation adds t * line j to line i of A
    if A[j][x] == 0:
        return _realise(masks, hyp, step["zero"], M)
    t = -A[i][x] / A[j][x]
    A2 = [row[:] for row in A]
    A2[i] = [A[i][y] + t * A[j][y] for y in range(len(A[0]))]
    ws = _realise(masks, hyp, step["nonzero"], A2 if rows else _transpose(A2))
    live = live_neurons(masks)[len(masks) - 1 if rows else 1]
    outer = ws[-1] if rows else _transpose(ws[0])  # W_L, or W_1 transposed: columns are neurons
    outer = [[v if n in live else Fraction(0) for n, v in enumerate(row)] for row in outer]   # dead: no product
    outer[i] = [outer[i][n] - t * outer[j][n] for n in range(len(outer[0]))]
    return ws[:-1] + [outer] if rows else [_transpose(outer)] + ws[1:]


@pytest.mark.parametrize("name", PROVED)
def test_certificates_verify_and_realise_random_targets(name):
    """The certificate verifies; for random integer targets on K (many zeros, so both branches of
    the elimination are taken) the proof's construction gives weights within the masks whose
    product is exactly the target."""
    cert = _cert(name)
    assert verify(cert).ok
    assert cert["claims"]["optimum_for_every_training_set"]["status"] == "not_established"
    masks, hyp = _masks(name), cert["theorem"]["hypotheses"]
    rng = random.Random(name)
    for _ in range(12):
        M = [[Fraction(rng.choice([0, 0, 1, -2, 3])) if hyp["support"][r][c] else Fraction(0)
              for c in range(len(hyp["support"][0]))] for r in range(len(hyp["support"]))]
        ws = _realise(masks, hyp, 0, M)
        for m, w in zip(masks, ws):
            assert all(m[i][j] or w[i][j] == 0 for i in range(len(m)) for j in range(len(m[0])))
        assert _product(ws) == M


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["2,2,2,2", "3,3,3,3", "2,3,3,2", "3,3,3,3,3"]), st.sampled_from([0.5, 0.6, 0.7]),
       st.integers(0, 10_000))
def test_never_applies_where_a_deep_core_is_found(shape, density, seed):
    """No closed theorem (the new ones included) applies where a deep core proves the opposite."""
    masks = _masks(f"random:{shape}:{density}:{seed}")
    if closed_by_theorem(masks) is not None:
        assert find_deep_core(masks, None) is None


def test_lu_type_deep_pattern_is_not_claimed():
    """An LU core through paths of length 3 (not closed, tests/netalgebra/test_deep.py) is not proved."""
    masks = (((1, 1), (1, 0)), ((1, 1), (1, 0)), ((1, 0), (0, 1)))
    assert deep_coordinate_subspace(masks) is None
    assert closed_by_theorem(masks) is None


def cad_agrees_where_proved(names, proved):
    """Where ``proved(masks)`` holds for the presets ``names``, the CAD route (when it answers) says
    closed; at least one comparison is made."""
    compared = 0
    for name in names:
        p = SparsityPattern.preset(name)
        if not proved(p.masks):
            continue
        v = decide(p, 20, methods=("cad",))
        if v.status != "unknown":
            compared += 1
            assert v.status == "closed", name
    assert compared > 0


def test_agrees_with_cad_on_small_patterns():
    """Where the theorem applies on 2,2,2,2 patterns, the CAD route (when it answers) says closed."""
    cad_agrees_where_proved([f"random:2,2,2,2:0.8:{seed}" for seed in range(12)],
                            lambda masks: deep_coordinate_subspace(masks) is not None)


def _tampered(cert, edit):
    c = copy.deepcopy(cert)
    edit(c["theorem"]["hypotheses"], c)
    return c


def _flip_used_mask_entry(h, c):
    l = h["constructions"][0]["merges"][0]["hidden_layer"]
    k, positions = h["constructions"][0]["merges"][0]["assignment"][0]
    r, col = positions[0]
    c["pattern"]["masks"] = None
    masks = [list(map(list, m)) for m in _masks(c["pattern"]["name"])]
    masks[l - 1][k][col] = 0                  # neuron k no longer reads column col
    c["pattern"] = {"masks": masks}


@pytest.mark.parametrize("edit", [
    lambda h, c: h["support"][0].__setitem__(0, 1 - h["support"][0][0]),
    lambda h, c: h["constructions"][0]["covers"].pop(),
    lambda h, c: h["constructions"][0]["merges"].pop(),
    lambda h, c: h["constructions"][0]["merges"][0]["assignment"][0].__setitem__(
        0, h["constructions"][0]["merges"][0]["assignment"][0][0] + 1),
    lambda h, c: h["elimination"][0]["positions"].pop(),
    lambda h, c: h["elimination"].pop(),
    lambda h, c: h["elimination"][0].__setitem__("step", {"construction": 0}),
    _flip_used_mask_entry,
])
def test_tampered_certificates_are_rejected(edit):
    cert = _cert("random:3,3,3,3:0.7:8")
    assert verify(cert).ok
    bad = _tampered(cert, edit)
    rep = verify(bad)
    assert not rep.ok


def test_tampered_elimination_step_is_rejected():
    """Swap an operation's target and source, or point a child at the wrong node."""
    cert = _cert("random:3,3,3,3:0.7:8")
    h = cert["theorem"]["hypotheses"]
    ops = [n for n in h["elimination"] if "row_op" in n["step"] or "column_op" in n["step"]]
    assert ops
    for change in ("swap", "child"):
        bad = copy.deepcopy(cert)
        node = next(n for n in bad["theorem"]["hypotheses"]["elimination"]
                    if "row_op" in n["step"] or "column_op" in n["step"])
        key = "row_op" if "row_op" in node["step"] else "column_op"
        if change == "swap":
            node["step"][key] = node["step"][key][::-1]
        else:
            node["step"]["nonzero"], node["step"]["zero"] = node["step"]["zero"], node["step"]["nonzero"]
        assert not verify(bad).ok, change


def test_garbage_hypotheses_never_raise():
    cert = _cert("random:3,3,3,3:0.7:8")
    for junk in (None, [], {"elimination": "x"}, {"constructions": [{"merges": [{"hidden_layer": 9}]}]},
                 {"support": cert["theorem"]["hypotheses"]["support"], "constructions": [1], "elimination": [1]}):
        bad = copy.deepcopy(cert)
        bad["theorem"]["hypotheses"] = junk
        assert not verify(bad).ok


# --- deep_single_neuron_layer --------------------------------------------------------------

SINGLE = (((1, 1, 0), (0, 0, 0), (1, 1, 1)), ((1, 0, 1), (0, 0, 0), (0, 0, 0)), ((1, 1, 0), (0, 1, 0), (1, 0, 0)))


def test_single_neuron_layer_verifies_and_tampering_fails():
    """Hidden layer 2 of SINGLE has one live neuron (0; neurons 1 and 2 read nothing)."""
    v = decide(SparsityPattern(SINGLE), None)
    assert v.status == "closed" and v.certificate["theorem"]["name"] == "deep_single_neuron_layer"
    assert v.certificate["theorem"]["hypotheses"]["hidden_layer"] == 2
    assert verify(v.certificate).ok
    for key, value in (("neuron", 1), ("hidden_layer", 1), ("hidden_layer", 7), ("neuron", "0")):
        bad = copy.deepcopy(v.certificate)
        bad["theorem"]["hypotheses"][key] = value
        assert not verify(bad).ok, (key, value)
    bad = copy.deepcopy(v.certificate)
    bad["pattern"]["masks"][1][1][2] = 1         # neuron 1 of layer 2 now reads neuron 2 and is live
    bad["pattern"]["name"] = None
    assert not verify(bad).ok


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(["2,2,2,2", "3,3,3,3", "3,2,3,3"]), st.sampled_from([0.4, 0.5]), st.integers(0, 10_000))
def test_single_neuron_layer_never_meets_a_deep_core(shape, density, seed):
    from netalgebra.theorems.deep import deep_single_neuron_layer

    masks = _masks(f"random:{shape}:{density}:{seed}")
    if deep_single_neuron_layer(masks) is not None:
        assert find_deep_core(masks, None) is None


# --- deep_subchain_merge -------------------------------------------------------------------

def test_subchain_merge_verifies_realises_and_tampering_fails():
    """random:3,3,3,3:0.7:4: layers 1..2 form a coordinate subspace; the reduced two-layer pattern
    is closed by a shallow theorem."""
    name = "random:3,3,3,3:0.7:4"
    v = decide(SparsityPattern.preset(name), None)
    assert v.status == "closed" and v.certificate["theorem"]["name"] == "deep_subchain_merge"
    assert verify(v.certificate).ok
    h = v.certificate["theorem"]["hypotheses"]
    run = _masks(name)[h["first_layer"] - 1:h["last_layer"]]
    rng = random.Random(4)
    for _ in range(8):       # the run's proof realises random targets on its boolean product
        M = [[Fraction(rng.choice([0, 1, -1, 2])) if x else Fraction(0) for x in row]
             for row in h["subspace"]["support"]]
        assert _product(_realise(run, h["subspace"], 0, M)) == M
    for edit in (lambda h: h.__setitem__("first_layer", 2), lambda h: h.__setitem__("last_layer", 3),
                 lambda h: h.__setitem__("then", {"name": "one_layer", "hypotheses": {}}),
                 lambda h: h["subspace"]["elimination"].pop(), lambda h: h.pop("then"),
                 lambda h: h.__setitem__("depth", 4), lambda h: h.__setitem__("subspace", "x")):
        bad = copy.deepcopy(v.certificate)
        edit(bad["theorem"]["hypotheses"])
        assert not verify(bad).ok


@pytest.mark.sweep
def test_sweep_every_certificate_realises_random_targets():
    """Random deep patterns (4 shapes x 3 densities x 25 seeds): wherever deep_coordinate_subspace
    applies, its certificate verifies and its proof, followed step by step, realises random
    integer targets exactly; no deep core is found there."""
    applied = 0
    for shape in ("3,3,3,3", "2,3,3,2", "4,6,6,4", "3,3,3,3,3"):
        for density in (0.5, 0.6, 0.7):
            for seed in range(25):
                name = f"random:{shape}:{density}:{seed}"
                masks = _masks(name)
                th = deep_coordinate_subspace(masks)
                if th is None:
                    continue
                applied += 1
                hyp = th["hypotheses"]
                cert = {"format": "netalgebra-certificate/1", "verdict": "closed", "question": "linear",
                        "pattern": {"name": name, "masks": [list(map(list, m)) for m in masks]}, "theorem": th}
                rep = verify(cert)
                assert all(ok for n, ok, _ in rep.checks if not n.startswith("claims")), name
                rng = random.Random(name)
                for _ in range(3):
                    M = [[Fraction(rng.choice([0, 0, 1, -2, 3])) if x else Fraction(0) for x in row]
                         for row in hyp["support"]]
                    assert _product(_realise(masks, hyp, 0, M)) == M, name
                assert find_deep_core(masks, None) is None, name
    assert applied > 50
