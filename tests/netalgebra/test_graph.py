"""Tests for netalgebra.graph: digraph, reductions, block projection, canonical form."""

import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings, strategies as st

import strategies
from cad.errors import InputError
from netalgebra import graph as G
from netalgebra.compile import linear_map
from netalgebra.naming import weight_name
from netalgebra.pattern import SparsityPattern as S


def permute(p, perms):
    """The pattern whose neuron a of layer l is neuron perms[l][a] of p."""
    return S([[[p.masks[l][perms[l + 1][a]][perms[l][b]] for b in range(len(perms[l]))]
               for a in range(len(perms[l + 1]))] for l in range(p.depth)])


def random_perms(p, rng):
    perms = []
    for w in p.widths:
        x = list(range(w))
        rng.shuffle(x)
        perms.append(tuple(x))
    return perms


def brute_isomorphic(p, q):
    if p.widths != q.widths:
        return False
    for perms in itertools.product(*(itertools.permutations(range(w)) for w in p.widths)):
        if permute(p, perms) == q:
            return True
    return False


def rand_weights(p, rng):
    return {weight_name(l, i, j): Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for (l, i, j) in p.support}


# --- digraph --------------------------------------------------------------------------------

def test_to_digraph():
    p = S.preset("ul:3")
    g = G.to_digraph(p)
    assert g.number_of_nodes() == 9 and g.number_of_edges() == p.nnz == 12
    assert g.nodes[(0, 2)]["kind"] == "input" and g.nodes[(1, 0)]["kind"] == "hidden"
    assert g.nodes[(2, 1)]["kind"] == "output"
    # W_1 lower triangular: input 0 feeds hidden 0, 1, 2; W_2 upper: hidden 2 feeds outputs 0, 1, 2
    assert set(g.successors((0, 0))) == {(1, 0), (1, 1), (1, 2)}
    assert set(g.successors((1, 2))) == {(2, 0), (2, 1), (2, 2)}
    assert g.edges[(1, 2), (2, 0)]["variable"] == "w2_0_2"


# --- reductions -----------------------------------------------------------------------------

def test_dead_hidden_neurons():
    # hidden 1 has no incoming edge, hidden 2 no outgoing edge; output 1 is then unreachable
    p = S([[[1, 1], [0, 0], [1, 0]],
           [[1, 1, 0], [0, 1, 0]]])
    r = G.reduce(p)
    assert r.dead == ((), (1, 2), (1,))
    assert r.zero_rows == (1,) and r.zero_cols == ()
    (c,) = r.components
    assert c.neurons == ((0, 1), (0,), (0,))
    assert c.pattern == S([[[1, 1]], [[1]]])
    assert c.variable_map() == {"w1_0_0": "w1_0_0", "w1_0_1": "w1_0_1", "w2_0_0": "w2_0_0"}


def test_chained_dead_neurons():
    # depth 3: hidden (2, 0) has no outgoing edge, which kills hidden (1, 1) whose only successor it is
    p = S([[[1], [1]],
           [[1, 1], [0, 1]],
           [[1, 0]]])
    e = G.prune(p)
    assert e.neurons == ((0,), (0, 1), (0,), (0,))
    p2 = S([[[1], [1]], [[0, 1], [1, 0]], [[1, 0]]])
    assert G.prune(p2).neurons == ((0,), (1,), (0,), (0,))
    assert G.prune(S([[[1]], [[0]]])) is None
    r = G.reduce(S([[[1, 0]], [[0], [0]]]))
    assert r.components == () and r.zero_rows == (0, 1) and r.zero_cols == (0, 1)


def test_block_diagonal_reduces_to_components():
    p = S.preset("block:3:2,1,2")
    r = G.reduce(p)
    assert len(r.components) == 3
    for k, c in enumerate(r.components):
        assert c.pattern == S.preset("dense:2,1,2")
        assert c.inputs == (2 * k, 2 * k + 1) and c.outputs == (2 * k, 2 * k + 1) and c.hidden == ((k,),)
    assert r.zero_rows == r.zero_cols == ()
    bf = G.reduce(S.preset("butterfly:4"))
    assert len(bf.components) == 1          # butterfly 4 is connected


@settings(max_examples=50)
@given(strategies.patterns(max_depth=3, max_width=4), st.integers(0, 10 ** 6))
def test_reduction_preserves_the_product(p, seed):
    """A = embed(component products at the restricted weights), for every weight choice."""
    rng = random.Random(seed)
    w = rand_weights(p, rng)
    A = linear_map(p).evaluate(w)
    r = G.reduce(p)
    blocks = []
    for c in r.components:
        inv = {orig: sub for sub, orig in c.variable_map().items()}
        blocks.append(linear_map(c.pattern).evaluate({inv[o]: v for o, v in w.items() if o in inv}))
        # the sub-pattern really is the restriction of the original masks
        for l in range(1, p.depth + 1):
            for a, i in enumerate(c.neurons[l]):
                for b, j in enumerate(c.neurons[l - 1]):
                    assert c.pattern.masks[l - 1][a][b] == p.masks[l - 1][i][j]
    assert r.embed(blocks) == A
    assert r.restrict(A) == blocks
    for i in r.zero_rows:
        assert all(x == 0 for x in A[i])
    for j in r.zero_cols:
        assert all(row[j] == 0 for row in A)
    # components partition the live neurons and share none
    seen = set()
    for c in r.components:
        nodes = {(l, i) for l, layer in enumerate(c.neurons) for i in layer}
        assert not nodes & seen
        seen |= nodes
    dead = {(l, i) for l, layer in enumerate(r.dead) for i in layer}
    assert seen | dead == {(l, i) for l, w_ in enumerate(p.widths) for i in range(w_)}
    # lifting component weights gives back an original weight vector with the same product
    lifted = r.lift_weights([{s: w[o] for s, o in c.variable_map().items()} for c in r.components])
    assert linear_map(p).evaluate(lifted) == A


@settings(max_examples=30)
@given(strategies.patterns(max_depth=4, max_width=3), st.integers(0, 10 ** 6))
def test_transposition(p, seed):
    rng = random.Random(seed)
    t = G.transposition(p)
    assert t.pattern == p.transpose()
    wt = rand_weights(t.pattern, rng)
    w = t.lift_weights(wt)
    At = linear_map(t.pattern).evaluate(wt)
    assert t.lift_matrix(At) == linear_map(p).evaluate(w)


def test_block_projection_ul():
    # docs/mathematics.md, "Reductions that preserve closedness of L_I": the bottom-right 2x2 block of ul:n reduces to ul:2 (after dead-neuron removal)
    for n in (3, 5, 8):
        e = G.block(S.preset(f"ul:{n}"), [n - 2, n - 1], [n - 2, n - 1])
        assert e.pattern == S.preset("ul:2")
        assert e.hidden == ((n - 2, n - 1),)
    e = G.block(S.preset("ul:4"), [0, 1], [2, 3], prune_hidden=False)
    assert e.pattern.widths == (2, 4, 2)
    assert G.block(S.preset("diag:3"), [0], [1]) is None
    with pytest.raises(InputError):
        G.block(S.preset("ul:3"), [0, 0], [1])
    with pytest.raises(InputError):
        G.block(S.preset("ul:3"), [3], [1])
    with pytest.raises(InputError):
        G.block(S.preset("ul:3"), [], [1])


@settings(max_examples=40)
@given(strategies.patterns(max_depth=3, max_width=4), st.integers(0, 10 ** 6))
def test_block_projection_property(p, seed):
    rng = random.Random(seed)
    rows = sorted(rng.sample(range(p.widths[-1]), rng.randint(1, p.widths[-1])))
    cols = sorted(rng.sample(range(p.widths[0]), rng.randint(1, p.widths[0])))
    A = linear_map(p).evaluate(rand_weights(p, rng))
    e = G.block(p, rows, cols)
    if e is None:
        # no path from cols to rows: the block is identically zero
        assert all(A[i][j] == 0 for i in rows for j in cols)
        return
    assert e.inputs == tuple(cols) and e.outputs == tuple(rows)
    # (a) the block of the product at the original weights is the sub-pattern's product at the
    #     restricted weights
    w = rand_weights(p, rng)
    inv = {o: s for s, o in e.variable_map().items()}
    B = linear_map(e.pattern).evaluate({inv[o]: v for o, v in w.items() if o in inv})
    assert e.restrict_matrix(linear_map(p).evaluate(w)) == B
    # (b) lifting the sub-pattern's weights (0 elsewhere) gives B ⊕ 0
    wsub = rand_weights(e.pattern, rng)
    B = linear_map(e.pattern).evaluate(wsub)
    assert linear_map(p).evaluate(e.lift_weights(wsub)) == e.embed_matrix(B)


# --- canonical form -------------------------------------------------------------------------

@settings(max_examples=60)
@given(strategies.patterns(max_depth=4, max_width=4), st.integers(0, 10 ** 6))
def test_canonical_form_invariant_under_permutations(p, seed):
    rng = random.Random(seed)
    q = permute(p, random_perms(p, rng))
    cp, perms = G.canonical_labeling(p)
    assert G.canonical_form(q) == cp
    assert permute(p, perms) == cp          # the labelling really maps p onto its canonical form
    assert G.canonical_form(cp) == cp       # idempotent
    assert G.are_isomorphic(p, q)


@settings(max_examples=80)
@given(strategies.patterns(max_depth=3, max_width=3), st.integers(0, 10 ** 6), st.integers(0, 2))
def test_canonical_form_exact_against_brute_force(p, seed, flips):
    """Equal canonical forms iff brute-force isomorphic (on a near-copy: permuted, some edges flipped)."""
    rng = random.Random(seed)
    masks = [[list(r) for r in m] for m in permute(p, random_perms(p, rng)).masks]
    for _ in range(flips):
        l = rng.randrange(p.depth)
        i, j = rng.randrange(len(masks[l])), rng.randrange(len(masks[l][0]))
        masks[l][i][j] ^= 1
    q = S(masks)
    assert (G.canonical_form(p) == G.canonical_form(q)) == brute_isomorphic(p, q)


def test_canonical_form_examples():
    # lu:n and ul:n are isomorphic: reversing every layer's order maps lower onto upper triangular
    assert G.are_isomorphic(S.preset("ul:4"), S.preset("lu:4"))
    assert not G.are_isomorphic(S.preset("ul:2"), S.preset("dense:2,2,2"))
    assert not G.are_isomorphic(S.preset("ul:2"), S.preset("dense:2,1,2"))   # different widths
    # the transposed dense 2-1-3 only matches dense 3-1-2 when transposition is allowed
    a, b = S.preset("dense:2,1,3"), S.preset("dense:3,1,2")
    assert G.canonical_form(a) != G.canonical_form(b)
    assert G.canonical_form(a, transpose=True) == G.canonical_form(b, transpose=True)
    # symmetric patterns stay fast and exact
    rng = random.Random(1)
    for name in ("butterfly:8", "butterfly:16", "block:3,3", "diag:6", "dense:5,5,5"):
        p = S.preset(name)
        assert G.canonical_form(permute(p, random_perms(p, rng))) == G.canonical_form(p)
    # butterfly 8 is not isomorphic to the same factors in another order with one edge moved
    bf = S.preset("butterfly:8")
    m = [[list(r) for r in mask] for mask in bf.masks]
    m[1][0][2], m[1][0][3] = 0, 1
    assert not G.are_isomorphic(bf, S(m))


def _two_cycles_pattern():
    """Inputs and hidden neurons form a 4-cycle and an 8-cycle (a 2-regular bipartite graph), all
    hidden neurons feed one output: connected, colour refinement splits nothing, no twins, and the
    hidden neurons form two orbits -- branching really has to explore more than one vertex."""
    m1 = [[0] * 6 for _ in range(6)]
    for i in range(2):                  # 4-cycle on inputs 0,1 / hidden 0,1
        m1[i][0] = m1[i][1] = 1
    for k in range(4):                  # 8-cycle on inputs 2..5 / hidden 2..5
        m1[2 + k][2 + k] = m1[2 + k][2 + (k + 1) % 4] = 1
    return S([m1, [[1] * 6]])


def test_canonical_form_needs_branching():
    p = _two_cycles_pattern()
    c = G.canonical_form(p)
    rng = random.Random(5)
    for _ in range(30):
        assert G.canonical_form(permute(p, random_perms(p, rng))) == c
    # a single 12-cycle has the same degrees but is not isomorphic
    m1 = [[0] * 6 for _ in range(6)]
    for k in range(6):
        m1[k][k] = m1[k][(k + 1) % 6] = 1
    assert G.canonical_form(S([m1, [[1] * 6]])) != c


@st.composite
def regular_patterns(draw):
    """Layers that are unions of perfect matchings (regular bipartite graphs): colour refinement
    splits nothing, so canonisation relies on branching and automorphism pruning."""
    n = draw(st.integers(3, 6))
    L = draw(st.integers(2, 3))
    seed = draw(st.integers(0, 10 ** 6))
    rng = random.Random(seed)
    masks = []
    for _ in range(L):
        k = rng.randint(1, n - 1)
        m = [[0] * n for _ in range(n)]
        for _ in range(k):
            perm = list(range(n))
            rng.shuffle(perm)
            for i, j in enumerate(perm):
                m[i][j] = 1
        masks.append(m)
    return S(masks)


@settings(max_examples=60)
@given(regular_patterns(), st.integers(0, 10 ** 6))
def test_canonical_form_regular_patterns(p, seed):
    rng = random.Random(seed)
    c = G.canonical_form(p)
    for _ in range(3):
        assert G.canonical_form(permute(p, random_perms(p, rng))) == c
