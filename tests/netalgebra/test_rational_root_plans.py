"""Realisations through a layer merge (netalgebra/theorems/rational_root_plans.py): the lift keeps
the product (exact, random masks and weights), and realisations found through it multiply out to
the target exactly and certify like any other."""

import random
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from netalgebra.pattern import SparsityPattern
from netalgebra.theorems import rational_cover as rc
from netalgebra.theorems.rational_functions import Frac
from netalgebra.theorems.rational_root_plans import lift, merge_choices, merged_realisations, shorter_pattern

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


def test_rootless_pattern_gets_exact_realisations_through_a_merge():
    masks = tuple(tuple(tuple(r) for r in m) for m in SparsityPattern.preset(ROOTLESS).masks)
    search = rc._Search(masks, None)
    sigma = {e: Frac(g) for e, g in zip(search.K, search.ctx.gens())}
    free = frozenset(range(len(search.K)))
    found = 0
    for val in merged_realisations(search, sigma, free, random.Random(0)):
        found += 1
        nought = Frac(search.ctx.from_dict({}))
        for e, ps in search.paths.items():             # exact product, entry by entry
            total = nought
            for pt in ps:
                if all(w in val for w in pt):
                    term = val[pt[0]]
                    for w in pt[1:]:
                        term = term * val[w]
                    total = total + term
            assert total == sigma[e]
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
