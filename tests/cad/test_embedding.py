"""One algebraic number as a rational function of another, and polynomials over ``Q(alpha)``
(:mod:`cad.numbers.embedding`), against independent methods.

* :func:`express_in`: ``N(v)/D(v)`` is proven equal to ``alpha`` here by exact arithmetic
  (``D^d m_alpha(N/D)`` is 0 modulo ``m_v``: a real conjugate of ``alpha``) and balls (it
  overlaps ``alpha`` and no other real conjugate).
* :func:`squarefree_over` against sympy's squarefree part over ``Q(sqrt(d))``.
* Lifting over two irrational coordinates through an :class:`Embedding` finds the roots and
  signs of the double norm (:func:`real_roots_in_fiber`) and of :func:`sign_at`.
"""

from flint import arb, ctx as flint_ctx, fmpq, fmpq_poly, fmpz_mpoly_ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from cad.numbers.embedding import express_in, squarefree_over
from cad.numbers.real_algebraic import RealAlgebraic
from cad.poly.fibre import PartialFibre, embedding_over, real_roots_in_fiber
from cad.poly.sign import sign_at
from tests.cad.test_fibre_paths import algebraic_numbers

CTX2 = fmpz_mpoly_ctx.get(("z", "w"), "lex")
CTX3 = fmpz_mpoly_ctx.get(("a", "x", "y"), "lex")
small = st.integers(-4, 4)


def mpolys(ctx, max_exp=3, max_terms=6):
    monos = st.tuples(*[st.integers(0, max_exp)] * ctx.nvars())
    return st.dictionaries(monos, small.filter(bool), min_size=1, max_size=max_terms).map(ctx.from_dict)


def relation_of(g):
    """``G(z, w)`` (an mpoly of CTX2) as the list of fmpq_polys in ``w`` by powers of ``z``."""
    rows = {}
    for (ez, ew), c in zip(g.monoms(), g.coeffs()):
        rows.setdefault(ez, {})[ew] = c
    return [fmpq_poly([rows.get(e, {}).get(d, 0) for d in range(max(rows.get(e, {0: 0})) + 1)])
            for e in range(max(rows) + 1)]


def ball(p, x):
    return p.numer()(x) / arb(p.denom())


def is_alpha(n, d, alpha, v):
    """Exact: ``N(v)/D(v)`` is a real root of ``m_alpha`` and the only one near ``alpha``."""
    m_v = fmpq_poly(v.poly)
    coeffs = alpha.poly.coeffs()
    deg = len(coeffs) - 1
    hom = sum((int(c) * n ** e * d ** (deg - e) for e, c in enumerate(coeffs)), fmpq_poly(0))
    if not (hom % m_v).is_zero():
        return False
    others = [r for r in RealAlgebraic.roots_of(alpha.poly) if r != alpha]
    with flint_ctx.workprec(300):
        x = v.arb(300)
        q = ball(n, x) / ball(d, x)
        return q.overlaps(alpha.arb(300)) and not any(q.overlaps(r.arb(300)) for r in others)


@settings(max_examples=60, deadline=None)
@given(algebraic_numbers(), mpolys(CTX2, max_exp=2), st.integers(1, 3), st.integers(-3, 3))
def test_express_in_finds_alpha_as_a_rational_function(alpha, g, c1, c0):
    z, w = CTX2.gens()
    # a random relation, and two that always determine alpha: v = c1 alpha + c0, v^2 = alpha^2 + 1
    for rel in (g * (w - z), w - c1 * z - c0, w ** 2 - z ** 2 - 1, g * (w ** 2 - z ** 2 - 1)):
        for v in real_roots_in_fiber(rel, [alpha], 1) or []:
            if v.is_rational or sign_at(rel, (alpha, v)) != 0:
                continue
            nd = express_in(alpha, v, relation_of(rel))
            if rel == w - c1 * z - c0:
                assert nd is not None
            if nd is not None:
                assert is_alpha(*nd, alpha, v)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([2, 3, 5, 7]),
       st.lists(st.tuples(small, small), min_size=1, max_size=3),
       st.lists(st.tuples(small, small), min_size=1, max_size=3),
       st.integers(1, 3))
def test_squarefree_over_matches_sympy(dd, a, b, mult):
    import sympy
    m = fmpq_poly([-dd, 0, 1])
    # A, B in K[z] with coefficients u + v sqrt(dd); f = A^mult * B (z monic in both)
    A = [fmpq_poly([u, v]) for u, v in a] + [fmpq_poly(1)]
    B = [fmpq_poly([u, v]) for u, v in b] + [fmpq_poly(1)]

    def mul(p, q):
        out = [fmpq_poly(0)] * (len(p) + len(q) - 1)
        for i, x in enumerate(p):
            for j, y in enumerate(q):
                out[i + j] = (out[i + j] + x * y) % m
        return out

    f = B
    for _ in range(mult):
        f = mul(f, A)
    s = squarefree_over(m, f)
    y = sympy.Symbol("y")
    r = sympy.sqrt(dd)

    def expr(p):
        return sum((sum(sympy.Rational(int(c.p), int(c.q)) * r ** e for e, c in enumerate(k.coeffs()))
                    * y ** i for i, k in enumerate(p)), sympy.Integer(0))

    ref = sympy.Poly(sympy.sqf_part(sympy.Poly(expr(f), y, extension=r)), y, extension=r)
    if s is None:
        assert ref.degree() == len(f) - 1
        return
    got = sympy.Poly(expr(s), y, extension=r)
    assert got.degree() == ref.degree()
    assert sympy.Poly(sympy.gcd(got, ref), y, extension=r).degree() == ref.degree()


@settings(max_examples=40, deadline=None)
@given(mpolys(CTX3, max_exp=2), mpolys(CTX3, max_exp=2), algebraic_numbers())
def test_lifting_through_an_embedding_matches_the_double_norm(p, rel, alpha):
    """Over (alpha, v) with v a root of a level-2 relation over alpha: the fibre over
    ``Q(v)`` has the roots of the norm over both coordinates and the exact signs."""
    a, x, y = CTX3.gens()
    p = p * (y - x) + a       # a factor of level 3
    # a level-2 relation, with real roots over most alpha
    rel = CTX3.from_dict({m: c for m, c in zip(rel.monoms(), rel.coeffs()) if not m[2]})
    rel = rel * (x - a) + x * x - a - 3
    for v in real_roots_in_fiber(rel, [alpha], 1) or []:
        if v.is_rational:
            continue
        emb = embedding_over([rel], (alpha, v))
        if emb is None:
            continue
        pf = PartialFibre(p, (alpha,))
        g = pf.fibre(v, emb)
        got = pf.roots(g)
        fresh = real_roots_in_fiber(p, (alpha, v), 2)
        assert (got is None) == (fresh is None)
        if got is not None:
            assert len(got) == len(fresh) and all(s == t for s, t in zip(got, fresh))
        for t in (fmpq(-2), fmpq(1, 3), fmpq(4)):
            assert g(t) == sign_at(p, (alpha, v, t))
