"""Realisations through a layer merge or a single-edge sub-pattern
(netalgebra/theorems/rational_root_plans.py): the lift keeps the product (exact, random masks and
weights), sub-patterns stay inside the masks, and realisations found through them lie on the masks
and multiply out to the target exactly."""

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from netalgebra.pattern import SparsityPattern
from netalgebra.theorems import rational_cover as rc
from netalgebra.theorems.rational_functions import Frac
from netalgebra.theorems.rational_root_plans import (lift, merge_choices, merged_realisations, shorter_pattern,
                                                     single_edge_sub_pattern)

# full generic rank; main's plans and wider search find no realisation at its root (issue 15)
ROOTLESS = "random:4,4,4,4:0.7:41"


def _product(masks, weights, zero, one):
    """``W_L ... W_1`` (a list of rows) from ``{(layer, a, b): value}`` (absent weights ``zero``)."""
    n = len(masks[0][0])
    M = [[one if a == b else zero for b in range(n)] for a in range(n)]
    for l, m in enumerate(masks, start=1):
        M = [[sum((weights.get((l, a, k), zero) * M[k][b] for k in range(len(m[0]))), zero) for b in range(n)]
             for a in range(len(m))]
    return M


masks_st = st.integers(2, 4).flatmap(lambda L: st.lists(st.integers(1, 3), min_size=L + 1, max_size=L + 1)).flatmap(
    lambda dims: st.tuples(*[st.lists(st.lists(st.integers(0, 1), min_size=dims[l], max_size=dims[l]),
                                      min_size=dims[l + 1], max_size=dims[l + 1]) for l in range(len(dims) - 1)]))


@settings(max_examples=150, deadline=None)
@given(masks_st, st.integers(0, 10 ** 6))
def test_lift_keeps_the_product(masks, seed):
    masks = tuple(tuple(tuple(r) for r in m) for m in masks)
    rng = random.Random(seed)
    for kind, l, chosen in merge_choices(masks, rng, limit=3)[:6]:
        short = shorter_pattern(masks, kind, l, chosen)
        assert len(short) == len(masks) - 1
        val = {(k, a, b): Fraction(rng.randint(-5, 5), rng.randint(1, 4))
               for k, m in enumerate(short, start=1) for a, row in enumerate(m) for b, on in enumerate(row) if on}
        val = {w: x for w, x in val.items() if x}
        lifted = lift(masks, kind, l, chosen, val, Fraction(1))
        for (k, a, b) in lifted:                       # on the masks
            assert masks[k - 1][a][b]
        assert _product(masks, lifted, Fraction(0), Fraction(1)) == _product(short, val, Fraction(0), Fraction(1))


@settings(max_examples=100, deadline=None)
@given(masks_st, st.integers(0, 10 ** 6), st.sampled_from([0.0, 0.5, 1.0]))
def test_single_edge_sub_pattern_is_inside_the_masks(masks, seed, share):
    masks = tuple(tuple(tuple(r) for r in m) for m in masks)
    sub = single_edge_sub_pattern(masks, random.Random(seed), share)
    assert [[len(r) for r in m] for m in sub] == [[len(r) for r in m] for m in masks]
    changed = [l for l, (m, s) in enumerate(zip(masks, sub)) if m != s]
    assert len(changed) <= 1
    for m, s in zip(masks, sub):
        assert all(not x or y for rm, rs in zip(m, s) for y, x in zip(rm, rs))     # x -> y
    if changed:
        m, s = masks[changed[0]], sub[changed[0]]
        rows = [(rm, rs) for rm, rs in zip(m, s) if rm != rs]
        cols = [(cm, cs) for cm, cs in zip(zip(*m), zip(*s)) if cm != cs]
        # every changed row (in) or every changed column (out) keeps exactly one edge
        assert all(sum(rs) == 1 for _, rs in rows) or all(sum(cs) == 1 for _, cs in cols)
    if share == 0.0:
        assert sub == masks


def _at(f, point):
    """The :class:`Frac` ``f`` at a point (a tuple of Fractions), exactly."""
    def ev(p):
        return sum(Fraction(int(c.p), int(c.q)) * _monomial(e, point) for e, c in p.to_dict().items())
    return ev(f.num) / ev(f.den)


def _monomial(exps, point):
    out = Fraction(1)
    for x, e in zip(point, exps):
        out *= x ** int(e)
    return out


def test_rootless_pattern_gets_realisations_that_multiply_out_to_the_target():
    """Their product is the target at random rational points, exactly (the verifier multiplies
    the rational functions out; a wrong lift would miss at almost every point)."""
    masks = tuple(tuple(tuple(r) for r in m) for m in SparsityPattern.preset(ROOTLESS).masks)
    search = rc._Search(masks, None)
    sigma = {e: Frac(g) for e, g in zip(search.K, search.ctx.gens())}
    free = frozenset(range(len(search.K)))
    rng, found = random.Random(5), 0
    for val in merged_realisations(search, sigma, free, random.Random(0)):
        found += 1
        assert all(masks[k - 1][a][b] for (k, a, b) in val)
        for _ in range(3):
            point = tuple(Fraction(rng.randint(-50, 50), rng.randint(1, 9)) for _ in search.K)
            try:
                weights = {w: _at(f, point) for w, f in val.items()}
            except ZeroDivisionError:
                continue
            Y = _product(masks, weights, Fraction(0), Fraction(1))
            assert all(Y[i][j] == (point[search.K.index((i, j))] if (i, j) in search.K else 0)
                       for i in range(len(Y)) for j in range(len(Y[0])))
    assert found


def test_merges_off_leaves_the_root_without_realisation(monkeypatch):
    """The merge is what finds the root's realisations here (the wider search alone finds none)."""
    masks = tuple(tuple(tuple(r) for r in m) for m in SparsityPattern.preset(ROOTLESS).masks)
    monkeypatch.setattr(rc, "MERGES", False)
    search = rc._Search(masks, None)
    sigma = {e: Frac(g) for e, g in zip(search.K, search.ctx.gens())}
    assert next(search.fallbacks(sigma, frozenset(range(len(search.K))), random.Random(1)), None) is None
    monkeypatch.setattr(rc, "MERGES", True)
    assert next(search.fallbacks(sigma, frozenset(range(len(search.K))), random.Random(1)), None) is not None
