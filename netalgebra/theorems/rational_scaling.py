"""Scaling nodes of a rational cover: denominators that a diagonal rescaling of ``Y`` moves off
their zeros need no child (docs/mathematics.md, "Scaling nodes of ``deep_rational_cover``").

Setting (:mod:`netalgebra.theorems.rational_cover`).  The group ``G`` of pairs ``(D, E)`` of
invertible diagonal matrices acts on ``Y`` by ``Y -> D Y E``; ``L_I`` is ``G``-invariant (``D W_L``
and ``W_1 E`` respect the masks) and so is ``V_K``.  Grade the entry ``y{i}_{j}`` by the pair
(row ``i``, column ``j``): a monomial's *bidegree* is its vector of row degrees and its vector of
column degrees, and a polynomial ``f`` in the entries splits into *bihomogeneous components*
``f = sum_delta f_delta``.  Then ``f(D Y E) = sum_delta f_delta(Y) d^delta_row e^delta_col``, a
polynomial in the diagonal entries ``d``, ``e`` whose coefficients are the components at ``Y``.

A node is *invariant* when its set ``S`` is: the root (``S = V_K``) is, and a child of an invariant
node is when its polynomial and those of its earlier siblings are bihomogeneous (its set is
``{Y in S : p_i(Y) = 0, p_j(Y) != 0 for j < i}``, and the zero set of a bihomogeneous polynomial is
``G``-invariant).

**Lemma (scaling).**  At an invariant node, a factor ``f`` of a realisation's denominator that is
not assumed non-zero is *covered* when some component ``f_delta`` has every factor assumed non-zero
or a factor of some child's polynomial (a non-zero constant component has no factors: then ``f``
needs no child at all).  If every such factor is covered or is itself a factor of a child's
polynomial, the conclusion of the cover lemma holds at the node.

*Proof.*  Let ``Y in S`` and suppose no child's polynomial vanishes at ``Y`` (otherwise the least
such child takes ``Y``, as in the cover lemma).  Then for each uncovered-by-child factor ``f`` its
chosen component ``f_delta(Y) != 0`` (its factors are assumed non-zero on ``S`` or are factors of
children's polynomials, non-zero at ``Y``), so ``f(D Y E)`` is a non-zero polynomial in ``(d, e)``;
the product of these polynomials and of all ``d_a``, ``e_b`` is non-zero, so some real ``(d, e)``
makes it non-zero.  For that ``g = (D, E)``: ``g`` is invertible, ``gY in S`` (``S`` invariant), so
the assumptions hold at ``gY``'s free entries and every denominator factor is non-zero there: the
realisation gives weights whose product is ``gY``, so ``gY in L_I`` and ``Y = g^-1 (gY) in L_I``
(``L_I`` is invariant).  ∎

Factors of a bihomogeneous polynomial are bihomogeneous (the grading group ``Z^n x Z^m`` is
torsion-free), so children over them keep the node's descendants invariant.
"""

from netalgebra.theorems.rational_functions import irreducible_factors

__all__ = ["components", "is_bihomogeneous", "factors_to_cover"]


def _bidegree(exps, grading):
    rows, cols = {}, {}
    for (i, j), e in zip(grading, exps):
        if e:
            rows[i] = rows.get(i, 0) + e
            cols[j] = cols.get(j, 0) + e
    return tuple(sorted(rows.items())), tuple(sorted(cols.items()))


def components(p, grading):
    """The bihomogeneous components of ``p`` (a ``fmpq_mpoly``), as a list of polynomials."""
    parts = {}
    for exps, c in p.to_dict().items():
        parts.setdefault(_bidegree(exps, grading), {})[exps] = c
    ctx = p.context()
    return [ctx.from_dict(terms) for _, terms in sorted(parts.items())]


def is_bihomogeneous(p, grading):
    """Whether ``p`` has at most one bihomogeneous component."""
    return len({_bidegree(exps, grading) for exps in p.monoms()}) <= 1


def factors_to_cover(f, nonzero, grading):
    """The factors children must cover so that the denominator factor ``f`` is covered at an
    invariant node (the scaling lemma): those of its component with the fewest factors not in
    ``nonzero`` (fewest terms next), and whether that component is not ``f`` itself (the node then
    relies on the lemma).  ``[]`` when a component is a non-zero constant."""
    comps = components(f, grading)
    if len(comps) == 1:
        return [f], False
    best = None
    for h in comps:
        missing = [] if h.is_constant() else [q for q in irreducible_factors(h) if q not in nonzero]
        key = (len(missing), sum(len(q) for q in missing))
        if best is None or key < best[0]:
            best = (key, missing)
        if not missing:
            break
    return best[1], True
