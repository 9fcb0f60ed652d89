"""``deep_subchain_cover``: a run of layers whose products are a coordinate subspace by a rational cover.

*About* ``L_I`` *only* (docs/mathematics.md, "``deep_subchain_cover``").  Let ``L >= 3`` and let the
layers ``a..b`` (at least two, not all) have the boolean product ``U``.  Always
``{W_b ... W_a} ⊆ V_U``.  Suppose a rational-cover case tree of the run's pattern ``(I_a, ..., I_b)``
exists (the tree of ``deep_rational_cover``, docs/mathematics.md, "``deep_rational_cover``", whose
cover lemma holds for a pattern of any depth): then ``V_U ⊆ {W_b ... W_a}``, so the run's products
are exactly ``V_U``.  The run's weights are disjoint from the other layers', so

    ``L_I = {W_L ... W_{b+1} X W_{a-1} ... W_1 : X in V_U} = L_{I'}``,

``I'`` the pattern with the run replaced by one layer of mask ``U``.  The sets are equal, so ``L_I``
is closed iff ``L_{I'}`` is, and the nested theorem ``then`` proves ``L_{I'}`` closed.

This is ``deep_subchain_merge`` with a second kind of proof for the run: that theorem needs the
run's star-assignment / elimination proof (``deep_coordinate_subspace``), which fails on runs
whose products reach ``V_U`` only through rational weights.  It matters for rank-deficient
patterns: when a hidden layer has fewer live neurons than ``min(N_0, N_L)``, ``L_I`` has lower
dimension than ``V_K``, the whole-pattern rational cover does not apply, but the run on the other
side of the narrow layer may have full generic rank, and the reduced pattern ``I'`` (one hidden
layer fewer) then falls to a shallow theorem (support groups with determinantal peeling).
Both theorems are :func:`replaced_run` with their own proof of the run.

Search (completeness only): runs whose product has full generic rank ``|U|`` (mod p, a filter),
whose reduced pattern a theorem closes (checked first: it is cheap), then the rational-cover
search on the run within the budget.  With ``reduced_cover`` (the pipeline's second attempt, on
patterns of full generic rank) the reduced pattern may instead be closed by its own rational cover:
``then`` is a ``deep_rational_cover`` fragment, whose lemma holds at every depth (``L_{I'} = V_{K'}``).
"""

import math

from cad.budget import Budget
from netalgebra.layer_merge import merged_support
from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.rational_cover import cover_tree, full_dimensional, rational_cover

__all__ = ["subchain_cover", "reduced_pattern", "replaced_run"]

STATEMENT = ("The products of layers {a}..{b} are exactly the matrices supported on their boolean product U "
             "(a rational-cover case tree of that run, as for deep_rational_cover); replacing those layers by "
             "one layer of mask U leaves L_I unchanged, and the reduced pattern is closed by the theorem 'then'.")


def reduced_pattern(masks, a, b):
    """``(U, reduced masks)``: layers ``a..b`` (0-based) replaced by their boolean product ``U``."""
    U = masks[a]
    for m in masks[a + 1:b + 1]:
        U = merged_support(U, m)
    return U, tuple(masks[:a]) + (U,) + tuple(masks[b + 1:])


def replaced_run(masks, budget, prove_run, *, name, key, statement, source, what, prove_last=False,
                 worth_trying=None, close=None):
    """The fragment ``name`` for the first run of layers ``a..b`` (at least two, not all; longer
    runs first, then earlier ones) whose products ``prove_run(run masks, budget)`` proves to be all
    of ``V_U`` (``U`` the run's boolean product; the proof, or None) and whose reduced pattern
    (:func:`reduced_pattern`) a theorem closes (``then``, from :func:`closed_by_theorem`); None
    when no run does.  Hypotheses ``{depth, first_layer, last_layer (1-based), key: proof, then}``;
    ``statement`` is formatted with ``a``, ``b`` (1-based); ``what`` names the budget check.

    Proof (for every ``prove_run`` whose proof shows ``V_U ⊆ {W_b ... W_a}``): every product of
    the run is supported on ``U``, so the run's products are exactly ``V_U``.  The run's weights
    are disjoint from the others', so ``L_I = {W_L ... W_{b+1} X W_{a-1} ... W_1 : X ∈ V_U} =
    L_{I'}``: the same set, so ``L_I`` is closed iff ``L_{I'}`` is, and ``then`` proves it.

    ``worth_trying(run masks)``: a cheap filter (never a proof) skipping runs first;
    ``prove_last``: ask for the run's proof only once the reduced pattern is closed (for a
    costly proof); ``close(reduced masks, budget)``: the proof that the reduced pattern is closed
    (a fragment checked through the registry, or None; default :func:`closed_by_theorem`).  A spent
    ``budget`` raises ``BudgetExceeded``."""
    from netalgebra.theorems.registry import closed_by_theorem   # (cycle: the registry imports theorems)

    L = len(masks)
    masks = tuple(tuple(tuple(r) for r in m) for m in masks)
    runs = sorted(((a, b) for a in range(L) for b in range(a + 1, L) if b - a + 1 < L),
                  key=lambda r: (r[0] - r[1], r[0]))              # longer runs first
    for a, b in runs:
        if budget is not None:
            budget.check(what)
        run = masks[a:b + 1]
        if worth_trying is not None and not worth_trying(run):
            continue
        proof = None if prove_last else prove_run(run, budget)
        if not prove_last and proof is None:
            continue
        reduced = reduced_pattern(masks, a, b)[1]
        then = close(reduced, budget) if close is not None else closed_by_theorem(reduced, budget=budget)
        if then is None:
            continue
        if prove_last and (proof := prove_run(run, budget)) is None:
            continue
        return fragment(name, statement.format(a=a + 1, b=b + 1),
                        {"depth": L, "first_layer": a + 1, "last_layer": b + 1, key: proof, "then": then},
                        source=source)
    return None


def subchain_cover(masks, budget=None, reduced_cover=False):
    """The ``deep_subchain_cover`` fragment, or None (see the module docstring).  With
    ``reduced_cover``, a reduced pattern that no theorem closes may be closed by its own rational
    cover (``then`` a ``deep_rational_cover`` fragment, at any depth: :func:`_theorem_or_cover`), and
    each run's search and each reduced pattern's cover get at most :data:`RUN_SHARE` of the budget
    left (a run whose tree does not come spends only that).  A spent ``budget`` raises
    ``BudgetExceeded``."""
    if len(masks) < 3:
        return None
    return replaced_run(masks, budget, _capped(_cover) if reduced_cover else _cover, name="deep_subchain_cover",
                        key="cover", statement=STATEMENT,
                        source="proved in netalgebra.theorems.subchain_cover (docs/mathematics.md, "
                               "\"deep_subchain_cover\")",
                        what="time (sub-chain cover)", prove_last=True,
                        worth_trying=full_dimensional,     # (False too beyond the path limit)
                        close=_capped(_theorem_or_cover) if reduced_cover else None)


RUN_SHARE = 0.5         # with reduced_cover: one run's tree, or one reduced pattern's cover, at most this share


def _cover(run, budget):
    tree = cover_tree(run, budget)
    return None if tree is None else {"tree": tree}


def _theorem_or_cover(reduced, budget):
    """A theorem closing ``reduced``, else its rational cover (``L_{I'} = V_{K'}``, closed), or None."""
    from netalgebra.theorems.registry import closed_by_theorem   # (cycle: the registry imports theorems)

    th = closed_by_theorem(reduced, budget=budget)
    if th is None and full_dimensional(reduced):
        th = rational_cover(reduced, budget, any_depth=True)
    return th


def _capped(search):
    """``search(masks, budget)`` within :data:`RUN_SHARE` of ``budget``'s remaining time
    (:meth:`Budget.run_share`: None when that runs out, ``budget`` itself still having time for the
    next run; no limit when ``budget`` has none)."""
    return lambda masks, budget: Budget.run_share(budget, RUN_SHARE, math.inf, search, masks,
                                                  what="time (sub-chain cover)")
