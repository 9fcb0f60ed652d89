"""Block witnesses of deep patterns (netalgebra/decide/blocks.py, checked by
netalgebra/certificate/block.py): the block sub-pattern's product is the block of the product,
the search finds witnesses the whole-pattern search misses, certificates verify, and tampered
ones are rejected without exceptions."""

import copy
import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from cad.budget import Budget
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.blocks import block_certificate, block_pattern, find_block_witness
from netalgebra.decide.pipeline import ROUTES, _by_live_block
from netalgebra.pattern import SparsityPattern

from strategies import mask_lists

# a 3,2,2,3 pattern whose block rows {0, 2} x all columns has a deep core
DEEP = [[[1, 1, 0], [1, 0, 1]], [[1, 1], [1, 1]], [[1, 1], [1, 1], [0, 1]]]
ROWS, COLS = (0, 2), (0, 1, 2)


def _product(masks, weights):
    """W_L ... W_1 for ``weights[(l, i, j)]`` where the mask allows it, 0 elsewhere (exact)."""
    P = [[Fraction(int(i == j)) for j in range(len(masks[0][0]))] for i in range(len(masks[0][0]))]
    for l, m in enumerate(masks, start=1):
        P = [[sum(weights[(l, i, k)] * P[k][j] for k in range(len(m[0])) if m[i][k]) for j in range(len(P[0]))]
             for i in range(len(m))]
    return P


@given(mask_lists(max_depth=4, max_width=3, min_width=1), st.integers(0, 2 ** 32), st.data())
@settings(max_examples=60, deadline=None)
def test_block_sub_pattern_product_is_the_block(masks, seed, data):
    """For any weights, the block sub-pattern's product (first-layer columns C', last-layer rows R',
    dead edges dropped) equals the R' x C' block of the whole product: the lemma the certificate
    rests on."""
    n0, nL = len(masks[0][0]), len(masks[-1])
    rows = sorted(data.draw(st.sets(st.integers(0, nL - 1), min_size=1)))
    cols = sorted(data.draw(st.sets(st.integers(0, n0 - 1), min_size=1)))
    rng = random.Random(seed)
    W = {(l, i, j): Fraction(rng.randint(-5, 5)) for l, m in enumerate(masks, start=1)
         for i in range(len(m)) for j in range(len(m[0]))}
    sub = block_pattern(masks, rows, cols)
    L = len(masks)
    Ws = {(l, i, j): W[(l, rows[i] if l == L else i, cols[j] if l == 1 else j)]
          for l, m in enumerate(sub, start=1) for i in range(len(m)) for j in range(len(m[0]))}
    whole, part = _product(masks, W), _product(sub, Ws)
    assert part == [[whole[r][c] for c in cols] for r in rows]
    sliced = [[list(r) for r in M] for M in masks]
    sliced[0] = [[r[c] for c in cols] for r in sliced[0]]
    sliced[-1] = [sliced[-1][r] for r in rows]
    assert all(s <= m for S, M in zip(sub, sliced) for rs, rm in zip(S, M) for s, m in zip(rs, rm))


def _cert():
    masks = DEEP
    sub = block_pattern(masks, ROWS, COLS)
    inner = decide(SparsityPattern(sub), 20, methods=("theorems", "core"))
    assert inner.status == "not_closed"
    return block_certificate(SparsityPattern(masks), masks, ROWS, COLS, inner.certificate)


def test_block_witness_is_found_and_the_pipeline_answers_with_it(monkeypatch):
    """The block search finds a witness on a block; with the whole-pattern deep searches silenced
    (as when it finds nothing in time), the pipeline answers with a block certificate that
    verifies."""
    from netalgebra.decide import pipeline

    found = find_block_witness(DEEP, 20, lambda sub, b, cad: decide(SparsityPattern(sub), b,
                                                                   methods=("theorems", "core")))
    assert found is not None and found[3].status == "not_closed"
    whole = pipeline.find_deep_core
    monkeypatch.setattr(pipeline, "find_deep_core",
                        lambda masks, budget=None: None if len(masks[-1]) == 3 and len(masks[0][0]) == 3
                        else whole(masks, budget))
    monkeypatch.setattr(pipeline, "by_narrow_layer", lambda *args: None)    # a whole-pattern search too
    support = pipeline.find_support_core                                    # and the support witnesses
    monkeypatch.setattr(pipeline, "find_support_core",
                        lambda masks, budget=None: None if len(masks[-1]) == 3 and len(masks[0][0]) == 3
                        else support(masks, budget))
    v = decide(SparsityPattern(DEEP), 30, methods=("theorems", "core"))
    assert v.status == "not_closed" and v.certificate["method"] == "block"
    assert verify(v.certificate).ok


def test_block_certificate_verifies_and_pads_the_target():
    cert = _cert()
    rep = verify(cert)
    assert rep.ok, rep.failures
    A = cert["target"]
    assert all(A[r][c] == "0" for r in range(3) for c in range(3) if r not in ROWS)


def test_tamper_block_certificate():
    """A changed mask, moved block rows, a dropped live edge of the inner pattern, a moved
    witness, an inner verdict that is not 'not_closed', garbage: all rejected, none raise."""
    cert = _cert()
    mask = copy.deepcopy(cert)
    mask["pattern"]["masks"][0][0][2] = 1 - mask["pattern"]["masks"][0][0][2]   # outer mask changed
    moved_rows = copy.deepcopy(cert)
    moved_rows["block"]["rows"] = [0, 1]
    dropped = copy.deepcopy(cert)
    inner_masks = dropped["block"]["certificate"]["pattern"]["masks"]
    l, i, j = next((l, i, j) for l, m in enumerate(inner_masks) for i, r in enumerate(m)
                   for j, v in enumerate(r) if v)
    inner_masks[l][i][j] = 0                                                    # a live edge dropped
    moved_target = copy.deepcopy(cert)
    moved_target["target"][1][0] = "1"                                          # outside the block
    changed_target = copy.deepcopy(cert)
    B = changed_target["target"]
    B[ROWS[0]][COLS[0]] = "7"                                                   # inside the block
    closed_inner = copy.deepcopy(cert)
    closed_inner["block"]["certificate"]["verdict"] = "closed"
    garbage = copy.deepcopy(cert)
    garbage["block"] = {"rows": "x", "cols": [0], "certificate": 3}
    no_block = copy.deepcopy(cert)
    del no_block["block"]
    for bad in (mask, moved_rows, dropped, moved_target, changed_target, closed_inner, garbage, no_block):
        assert not verify(bad).ok


# ---------------------------------------------------------------------------------------------
# the CAD route under the hard limit, and its size limit on live weights


def test_cad_route_answers_the_same_under_the_hard_limit():
    """With a finite budget the route runs in a forked child; its verdict is the in-process one."""
    from cad.budget import Budget
    from netalgebra.decide.cad_route import decide_by_cad

    pat = SparsityPattern.preset("lu:2")
    forked, _ = decide_by_cad(pat, pat.masks, Budget(60))
    inproc, _ = decide_by_cad(pat, pat.masks, Budget(None))
    assert forked.status == inproc.status == "not_closed"
    assert forked.certificate["target"] == inproc.certificate["target"] and verify(forked.certificate).ok


def test_cad_route_stuck_in_one_step_is_stopped(monkeypatch):
    """A step that never returns to a budget check (simulated by a sleep) is stopped from outside:
    BudgetExceeded (the decider's unknown), never a late answer."""
    import time

    import pytest

    from cad.budget import Budget
    from cad.errors import BudgetExceeded
    from netalgebra.decide import cad_route

    monkeypatch.setattr(cad_route, "_decide_by_cad", lambda *a, **k: time.sleep(30))
    pat = SparsityPattern.preset("lu:2")
    with pytest.raises(BudgetExceeded):
        cad_route.decide_by_cad(pat, pat.masks, Budget(0.5))


def test_size_limit_counts_live_weights_only():
    """Edges on no input -> output path are not variables of phi: adding a dead neuron with many
    edges leaves the size note unchanged."""
    from netalgebra.decide.cad_route import size_note

    base = [[[1, 1]] * 3, [[1, 1, 1]] * 3, [[1, 1, 1]] * 2]                       # 2,3,3,2 dense
    dead = [[[1, 1]] * 3 + [[0, 0]] * 2, [[1] * 5] * 5, [[1, 1, 1, 0, 0]] * 2]     # + 2 dead per layer
    assert sum(sum(r) for m in dead for r in m) > 24 + 5        # over the limit if dead edges counted
    assert size_note(base) == size_note(dead) == ""


def test_block_search_passes():
    """Pass 1 decides every block without CAD; pass 2 (only with ``cad``) retries the undecided
    ones with it; a block decided in pass 1 is not retried."""
    from netalgebra.decide.verdict import Verdict

    calls = []

    def fake(sub, budget, cad):
        calls.append((sub, cad))
        status = "not_closed" if cad and len(sub[-1]) == 3 else "closed" if len(sub[0][0]) == 3 else "unknown"
        return Verdict(status)

    masks = [[[1, 1, 1]] * 3, [[1, 1, 1]] * 3, [[1, 1, 1]] * 3]
    assert find_block_witness(masks, 30, fake, cad=False) is None
    assert all(not cad for _, cad in calls)
    calls.clear()
    rows, cols, sub, v = find_block_witness(masks, 30, fake)
    assert v.status == "not_closed" and len(rows) == 3 and len(cols) == 2
    assert not any(cad and len(s[0][0]) == 3 for s, cad in calls)     # decided in pass 1: not retried


def test_live_block_transfers_closedness_and_tampering_fails():
    """random:3,3,3,3:0.5:5 reads input 2 on no path: its live block (dead column and edges
    dropped) merges and is closed by a theorem; the wrapped certificate verifies.  A live column
    outside the block, or an outer verdict that differs from the inner one, is rejected.
    (The pipeline's live-block step is called directly: the whole pipeline now closes this
    pattern earlier, by ``deep_single_neuron_layer``.)"""
    pattern = SparsityPattern.preset("random:3,3,3,3:0.5:5")
    v = _by_live_block(pattern, pattern.masks, ROUTES, Budget(30))
    cert = v.certificate
    assert v.status == "closed" and cert["method"] == "block" and cert["block"]["cols"] == [0, 1]
    assert verify(cert).ok
    live_outside = copy.deepcopy(cert)
    live_outside["pattern"]["name"] = None
    M1 = live_outside["pattern"]["masks"][0]
    k = next(i for i, r in enumerate(M1) if r[0] or r[1])      # a neuron on a path reads column 2 too
    M1[k][2] = 1
    rep = verify(live_outside)
    assert not rep.ok and any("outside the block is dead" in name for name, *_ in rep.failures)
    other_verdict = copy.deepcopy(cert)
    other_verdict["verdict"] = "not_closed"
    assert not verify(other_verdict).ok
