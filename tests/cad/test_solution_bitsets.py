"""The bitset searches of the solution formula construction agree with their definitions:
definability conflicts (cad.elimination.definability.first_conflict), prime implicants and the
signatures a term covers (cad.elimination.solution)."""

from hypothesis import given
from hypothesis import strategies as st


_sig_maps = st.dictionaries(st.integers(0, 5), st.sampled_from([-1, 0, 1]), max_size=6)


@given(st.lists(_sig_maps, max_size=8), st.lists(_sig_maps, max_size=8))
def test_first_conflict_matches_the_pairwise_definition(ts, gs):
    """The bitset search finds the first (true, false) pair in order whose signs agree
    wherever the false signature records one: the definition, checked pair by pair."""
    from cad.elimination import definability as D

    T = [D.Signature(("t", i), t) for i, t in enumerate(ts)]
    G = [D.Signature(("g", i), g) for i, g in enumerate(gs)]
    naive = next(((t, g) for t in T for g in G
                  if all(g.signs.get(fid, s) == s for fid, s in t.signs.items())), None)
    assert D.first_conflict(T, G) == naive


@given(st.lists(_sig_maps.filter(bool), min_size=1, max_size=6), st.lists(_sig_maps, max_size=6),
       st.randoms(use_true_random=False))
def test_prime_implicant_matches_the_plain_generalisation(ts, fs, rnd):
    """The prime implicant search (rows looked up once, atoms excluding nothing dropped
    first) returns the term of the plain algorithm: drop each atom in order while the term
    excludes every false point, then widen."""
    from cad.elimination import solution as S
    from cad.elimination.masks import SIGN_BIT

    excl = S._exclusion_index(fs)
    index, everything = excl

    def valid(tm):
        acc = 0
        for fid, m in tm.items():
            acc |= index.get(fid, [0] * 8)[m]
        return acc == everything

    def plain(t, order):
        term = {fid: SIGN_BIT[s] for fid, s in t.items()}
        for fid in order:
            m = term.pop(fid)
            if not valid(term):
                term[fid] = m
        for fid in sorted(term, key=order.index):
            m = term[fid]
            for w in S._WIDER.get(m, ()):
                term[fid] = w
                if valid(term):
                    break
                term[fid] = m
        return term

    for t in ts:
        orders = []
        for _ in range(3):
            order = list(t)
            rnd.shuffle(order)
            orders.append(order)
        for order, got in zip(orders, S._prime_implicants(t, excl, orders)):
            term = plain(t, order)
            assert got == term and list(got) == list(term)


@given(st.lists(st.dictionaries(st.integers(0, 5), st.integers(1, 7), max_size=4), max_size=6),
       st.lists(_sig_maps, max_size=8))
def test_covers_match_the_definition(terms, T):
    """A term covers a signature when every atom's factor has a sign there inside the
    atom's mask; the bitset computation agrees point by point."""
    from cad.elimination import solution as S
    from cad.elimination.masks import SIGN_BIT

    got = S._covers(terms, T)
    for term, cov in zip(terms, got):
        want = {i for i, t in enumerate(T)
                if all(fid in t and m & SIGN_BIT[t[fid]] for fid, m in term.items())}
        assert cov == want
