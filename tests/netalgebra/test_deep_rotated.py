"""Rotated-product equations for permutation targets of deep patterns (netalgebra/decide/deep_nss.py,
``rotated_identity``; checked by netalgebra/certificate/not_closed.py, ``_rotated_combination``):
``X Y = A`` with square ``X = W_L ... W_{k+1}``, ``Y = W_k ... W_1`` and ``A`` a permutation matrix
forces ``Y A^T X = I``.  The certificate verifies, tampering makes ``verify`` fail, and an attained
permutation never gets an identity."""

import copy
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

import netalgebra.decide.deep_nss as deep_nss
from cad.budget import Budget, BudgetExceeded
from netalgebra.certificate import verify
from netalgebra.decide import decide
from netalgebra.decide.certify import deep_not_closed_certificate
from netalgebra.decide.deep_nss import find_permutation_core, rotated_identity
from netalgebra.pattern import SparsityPattern

HAND = "random:2,2,2,2:0.7:40"           # docs/mathematics.md, "Rotated products"
DEEP = "random:4,4,4,4:0.6:9"            # unknown before the rotated equations


def _cert(preset):
    pat = SparsityPattern.preset(preset)
    found = find_permutation_core(pat.masks, Budget(20))
    assert found is not None and found[0] == "deep rotated permutation"
    return deep_not_closed_certificate(pat, pat.masks, found)


def _unnamed(cert):
    """A copy whose pattern has no preset name, so that changed masks are judged by the identity and
    the family (not by the name check)."""
    out = copy.deepcopy(cert)
    out["pattern"].pop("name", None)
    return out


def _matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def test_hand_example_masks_and_identity():
    """The example of the docs: x1 reaches hidden neuron h0 of layer 1 not at all, and h0 reaches
    only y0, whose 1 of the swap target A is at x1; so no path h0 -> y_r -> (A_rc = 1) x_c -> h0
    exists, the entry (0, 0) of Y A^T X = W1 A^T W3 W2 is identically 0, and ``g_00 = -1``: the
    identity is ``(-1) g_00 = 1``, with no other term (the other cut neurons lie on such cycles)."""
    masks = SparsityPattern.preset(HAND).masks
    assert masks == (((1, 0), (1, 1)), ((0, 1), (1, 1)), ((0, 1), (1, 0)))
    na = rotated_identity(masks, [(0, 1), (1, 0)])
    assert na["equations"] == [] and na["multipliers"] == []
    assert na["rotated"] == [{"cut": 1, "equations": [[0, 0]], "multipliers": [[["-1", []]]]}]
    cert = _cert(HAND)
    assert cert["target"] == [["0", "1"], ["1", "0"]]
    assert verify(_unnamed(cert)).ok
    bad = _unnamed(cert)
    bad["pattern"]["masks"][0][0][1] = 1      # x1 -> h0: the cycle h0 -> g1 -> y0 -> x1 -> h0 now exists
    assert not verify(bad).ok


def test_hand_example_family_by_hand():
    """The swap is a limit (t -> 0+): h1 = x0 + t x1, h0 = x0, g0 = h1, g1 = h1/t - h0/t, y0 = g1,
    y1 = g0, so y0 = x1 and y1 = x0 + t x1; exact products at two values of t."""
    masks = SparsityPattern.preset(HAND).masks
    for t in (Fraction(1, 10), Fraction(1, 1000)):
        W1 = [[1, 0], [1, t]]
        W2 = [[0, 1], [-1 / t, 1 / t]]
        W3 = [[0, 1], [1, 0]]
        for W, m in zip((W1, W2, W3), masks):
            assert all(m[i][j] or W[i][j] == 0 for i in range(2) for j in range(2))
        assert _matmul(W3, _matmul(W2, W1)) == [[0, 1], [1, t]]


def test_decide_answers_not_closed_on_a_deep_pattern():
    v = decide(SparsityPattern.preset(DEEP), 10)
    assert v.status == "not_closed" and v.certificate["core"] == "deep rotated permutation"
    assert v.reason.startswith("the whole pattern is a non-closed deep rotated permutation core (")
    assert "block" not in v.reason            # the core is the whole 4 x 4 pattern: no block to speak of
    assert v.certificate["non_attainment"]["rotated"]
    assert verify(v.certificate).ok


def _weights_of(terms):
    return [name for t in terms for name, _ in t[1]]


def test_tamper():
    """Changed mask, dropped term, dropped equation, changed coefficient, moved target entry, changed
    family weight, another cut, a cut outside the hidden layers: each makes ``verify`` fail."""
    cert = _cert(DEEP)
    assert verify(cert).ok
    na = cert["non_attainment"]
    q = next((q for q, p in enumerate(na["rotated"]) if any(_weights_of(m) for m in p["multipliers"])), 0)
    names = [n for m in na["rotated"][q]["multipliers"] for n in _weights_of(m)]
    bads = []
    for name in names[:1] + sorted(cert["escaping_family"]["weights"])[:1]:
        bad = _unnamed(cert)                                    # a changed mask: a weight of the identity or family removed
        l, i, j = (int(x) for x in name[1:].split("_"))
        bad["pattern"]["masks"][l - 1][i][j] = 0
        bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a dropped multiplier term
    del bad["non_attainment"]["rotated"][q]["multipliers"][0][0]
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a dropped rotated equation
    del bad["non_attainment"]["rotated"][q]["equations"][0]
    del bad["non_attainment"]["rotated"][q]["multipliers"][0]
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a changed coefficient
    term = bad["non_attainment"]["rotated"][q]["multipliers"][0][0]
    term[0] = str(Fraction(term[0]) * 2)
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a moved target entry: no longer a permutation
    A = bad["target"]
    r = next(r for r in range(4) if A[r][0] == "1")
    A[r][0], A[r][1] = "0", "1"
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a changed family weight
    name = next(iter(bad["escaping_family"]["weights"]))
    bad["escaping_family"]["weights"][name] = {"num": ["7"], "den": ["1"]}
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # another cut layer
    part = bad["non_attainment"]["rotated"][q]
    part["cut"] = 1 if part["cut"] != 1 else 2
    bads.append(bad)
    bad = copy.deepcopy(cert)                                   # a cut outside the hidden layers
    bad["non_attainment"]["rotated"][q]["cut"] = 3
    bads.append(bad)
    for n, bad in enumerate(bads):
        assert not verify(bad).ok, n


def test_mask_tamper_breaks_the_rotated_identity_itself():
    """The identity of ``DEEP`` has constant multipliers (``-sum_{A_rc=1} f_rc + g_00 + g_11 + g_22
    = 1`` at cut 1, i.e. ``1 - (Y A^T X)[3,3]``), so removing one of its weights is no test of the
    rotated check.  Adding the edge ``x0 -> h3`` of layer 1 instead (``A_10 = 1`` and ``h3`` reaches
    ``y1``) puts neuron 3 of layer 1 on a cycle through ``A``: ``(Y A^T X)[3,3]`` is no longer 0, the
    family still respects the masks and tends to ``A``, and only the identity check fails."""
    cert = _unnamed(_cert(DEEP))
    na = cert["non_attainment"]
    assert na["rotated"] == [{"cut": 1, "equations": [[0, 0], [1, 1], [2, 2]],
                              "multipliers": [[["1", []]], [["1", []]], [["1", []]]]}]
    assert verify(cert).ok
    bad = copy.deepcopy(cert)
    assert bad["pattern"]["masks"][0][3][0] == 0
    bad["pattern"]["masks"][0][3][0] = 1
    report = verify(bad)
    assert [c[0] for c in report.failures] == ["sum_i m_i (phi_i - A_i) == 1 (A is not in L_I)"]


def test_rotated_equations_need_a_square_cut():
    """A cut layer with more than n live neurons proves nothing (X_S, Y_S would not be square):
    rejected.  A dead neuron there changes nothing (its column of X or row of Y is 0): accepted."""
    cert = _unnamed(_cert(HAND))
    assert verify(cert).ok
    bad = copy.deepcopy(cert)
    masks = bad["pattern"]["masks"]
    masks[0].append([1, 1])                                     # layer 1 gets a third, live neuron
    masks[1] = [row + [1] for row in masks[1]]
    assert not verify(bad).ok
    dead = copy.deepcopy(cert)
    masks = dead["pattern"]["masks"]
    masks[0].append([1, 1])                                     # a third neuron with no outgoing edge
    masks[1] = [row + [0] for row in masks[1]]
    assert verify(dead).ok


def test_cut_through_the_live_neurons():
    """The hand example with a dead third neuron in layer 1 (it reads both inputs, feeds nothing):
    layer 1 has width 3 but 2 live neurons, so the cut there still gives ``g_00 = -1`` (the dead
    neuron's row of Y meets a zero column of X)."""
    base = SparsityPattern.preset(HAND).masks
    masks = (base[0] + ((1, 1),), tuple(row + (0,) for row in base[1]), base[2])
    na = rotated_identity(masks, [(0, 1), (1, 0)])
    assert na["rotated"] == [{"cut": 1, "equations": [[0, 0]], "multipliers": [[["-1", []]]]}]
    found = find_permutation_core(masks, Budget(20))
    assert found is not None and found[0] == "deep rotated permutation"
    assert verify(deep_not_closed_certificate(SparsityPattern(masks), masks, found)).ok


@given(st.integers(2, 3).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.integers(0, 1), min_size=3 * n * n, max_size=3 * n * n),
    st.lists(st.permutations(range(n)), min_size=3, max_size=3))))
@settings(max_examples=30, deadline=None)
def test_attained_permutations_have_no_identity(data):
    """Soundness: masks containing the supports of three permutation matrices P_l, so that their
    product A = P_3 P_2 P_1 (a permutation) is attained; then no identity may exist, whatever the
    search does.  And any witness found for the drawn pattern verifies."""
    n, bits, perms = data
    Ps = [[[int(perm[j] == i) for j in range(n)] for i in range(n)] for perm in perms]
    masks = tuple(tuple(tuple(bits[n * n * l + n * i + j] | Ps[l][i][j] for j in range(n)) for i in range(n))
                  for l in range(3))
    A = _matmul(Ps[2], _matmul(Ps[1], Ps[0]))
    assert rotated_identity(masks, [(r, c) for r in range(n) for c in range(n) if A[r][c]]) is None
    found = find_permutation_core(masks, Budget(5))
    if found is not None:
        assert verify(deep_not_closed_certificate(SparsityPattern(masks), masks, found)).ok


def test_rotated_equations_refused_next_to_a_training_set():
    """The training-set argument covers identities over block entries only."""
    cert = _cert(HAND)
    bad = copy.deepcopy(cert)
    bad["relu"] = {"block_rows": [0, 1], "block_cols": [0, 1], "points": [], "targets": [], "biases": {}}
    assert not verify(bad).ok


def _guard_failure(report):
    """The one failed check of ``report`` (every other check passed) and its text."""
    assert len(report.failures) == 1, report.summary()
    return report.failures[0][2]


def _passed(report, name):
    return any(c[0] == name and c[1] for c in report.checks)


def test_permutation_guard_alone_rejects_a_false_identity():
    """The dense 2-2-2-2 pattern is closed, so no certificate may claim that ``2I`` is missing.
    The family ``W1 = I/t, W2 = 2t I, W3 = I`` has product ``2I`` and a pole, and the combination
    ``1/2 (g_00 + g_11) - 1/2 (f_00 + f_11)``, with ``g_aa`` built from the 1s of ``A`` as if ``A``
    were a permutation matrix, is ``1/2 (tr(Y X) - 2) - 1/2 (tr(X Y) - 4) = 1`` (checked below with
    the kernel's path expansion).  Only the check that ``A`` is a permutation matrix stops it
    (``g_ab`` vanishes on the fibre of ``A`` only when ``A A^T = I``)."""
    from netalgebra.certificate.kernel import entry_poly, poly_add, poly_mul
    dense = [[[1, 1], [1, 1]] for _ in range(3)]
    one, inv_t, two_t = {"num": ["1"]}, {"num": ["1"], "den": ["0", "1"]}, {"num": ["0", "2"]}
    weights = {}
    for l, w in ((1, inv_t), (2, two_t), (3, one)):
        weights.update({f"w{l}_0_0": w, f"w{l}_1_1": w})
    half = [["1/2", []]]
    cert = _unnamed(_cert(HAND))
    cert["pattern"]["masks"] = dense
    cert["target"] = [["2", "0"], ["0", "2"]]
    cert["escaping_family"] = {"parameter": "t", "weights": weights}
    cert["non_attainment"] = {"method": "nullstellensatz", "equations": [[0, 0], [1, 1]],
                              "multipliers": [[["-1/2", []]], [["-1/2", []]]],
                              "rotated": [{"cut": 1, "equations": [[0, 0], [1, 1]], "multipliers": [half, half]}]}
    # the combination really is 1 once g_aa is read off the 1s of A (the guard is what refuses it)
    total = {}
    for a in range(2):
        g = {(): Fraction(-1)}             # g_aa = sum over the 1s (r, r) of Y[a, r] X[r, a], minus 1
        for r in range(2):
            g = poly_add(g, poly_mul(entry_poly(dense[:1], a, r), entry_poly(dense[1:], r, a, 2)))
        f = poly_add(entry_poly(dense, a, a), {(): Fraction(-2)})
        total = poly_add(total, poly_add(poly_mul({(): Fraction(1, 2)}, g), poly_mul({(): Fraction(-1, 2)}, f)))
    assert total == {(): Fraction(1)}
    report = verify(cert)
    assert not report.ok
    assert _passed(report, "phi(theta(t)) -> A as t -> 0+") and _passed(report, "||theta(t)|| -> infinity")
    assert "the target must be a permutation matrix" in _guard_failure(report)


def test_live_neuron_guard_alone_rejects_a_dead_neuron_equation():
    """The hand example with a dead third neuron in layer 1 (it reads both inputs, feeds nothing).
    Its column of ``X`` is 0, so ``g_22 = -1`` identically and ``-g_22 = 1``; but neuron 2 is not
    among the live neurons ``S`` of the cut, for which alone ``X_S Y_S = A`` forces ``Y_S A^T X_S = I``
    (``X`` restricted to all three neurons is not square).  Only the live-neuron check stops it."""
    base = SparsityPattern.preset(HAND).masks
    masks = (base[0] + ((1, 1),), tuple(row + (0,) for row in base[1]), base[2])
    found = find_permutation_core(masks, Budget(20))
    cert = deep_not_closed_certificate(SparsityPattern(masks), masks, found)
    assert verify(cert).ok
    cert["non_attainment"]["rotated"] = [{"cut": 1, "equations": [[2, 2]], "multipliers": [[["-1", []]]]}]
    report = verify(cert)
    assert not report.ok
    assert _passed(report, "phi(theta(t)) -> A as t -> 0+") and _passed(report, "||theta(t)|| -> infinity")
    assert "live neurons of hidden layer 1" in _guard_failure(report)


DEGREE3 = "random:4,4,4,4:0.6:16"         # needs multipliers of degree 3 (docs/mathematics.md)
DEGREE3_ONES = [(0, 0), (1, 3), (2, 2), (3, 1)]


def _spy_usable(monkeypatch):
    calls = []
    real = deep_nss._usable_columns
    monkeypatch.setattr(deep_nss, "_usable_columns", lambda cols: calls.append(len(cols)) or real(cols))
    return calls


def test_degree3_identity_found_within_the_column_cap(monkeypatch):
    calls = _spy_usable(monkeypatch)
    masks = SparsityPattern.preset(DEGREE3).masks
    assert rotated_identity(masks, DEGREE3_ONES, None, (3,)) is not None
    assert calls and max(calls) <= deep_nss.MAX_MATRIX


def test_column_loop_stops_once_the_raw_columns_pass_the_cap(monkeypatch):
    """The Macaulay columns are counted while they are built: past ``MAX_MATRIX`` the degree is
    given up before the whole list exists (``_usable_columns`` is never reached)."""
    calls = _spy_usable(monkeypatch)
    monkeypatch.setattr(deep_nss, "MAX_MATRIX", 100)
    masks = SparsityPattern.preset(DEGREE3).masks
    assert rotated_identity(masks, DEGREE3_ONES, None, (3,)) is None
    assert calls == []


def test_column_loop_checks_the_budget(monkeypatch):
    """With the monomials already cached (no budget check there), a spent budget still stops the
    loop that builds the columns, before ``_usable_columns``."""
    calls = _spy_usable(monkeypatch)
    masks = SparsityPattern.preset(DEGREE3).masks
    ring = deep_nss.RotatedRing(masks)
    for d in range(4):
        ring.monomials(d)
    with pytest.raises(BudgetExceeded):
        rotated_identity(masks, DEGREE3_ONES, Budget(0), (3,), ring)
    assert calls == []


def test_rotated_ring_has_only_live_weights():
    """The dead third neuron of layer 1 (reads both inputs, feeds nothing): its two weights are on no
    input -> output path and are not variables of the ring."""
    base = SparsityPattern.preset(HAND).masks
    masks = (base[0] + ((1, 1),), tuple(row + (0,) for row in base[1]), base[2])
    vars_ = deep_nss.RotatedRing(masks).vars_
    assert (1, 2, 0) not in vars_ and (1, 2, 1) not in vars_
    assert len(vars_) == sum(map(sum, (r for m in base for r in m)))


def test_verifier_expands_each_half_entry_once(monkeypatch):
    """``_rotated_combination`` expands each entry ``Y[a,c]``, ``X[r,b]`` of a cut once, not once per
    equation (about ``n^3`` calls per cut before)."""
    import netalgebra.certificate.not_closed as nc
    cert = _cert(DEGREE3)
    calls = []
    real = nc.entry_poly
    monkeypatch.setattr(nc, "entry_poly", lambda m, *a: calls.append((len(m),) + a) or real(m, *a))
    assert verify(cert).ok
    assert len(calls) == len(set(calls))


def test_verifier_checks_the_budget_in_the_rotated_equations():
    report = verify(_cert(DEGREE3), budget=Budget(0))
    assert report.incomplete and not report.ok
    assert any("rotated equations" in c[2] for c in report.failures), report.summary()
