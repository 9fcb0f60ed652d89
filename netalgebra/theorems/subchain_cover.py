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

Search (completeness only): runs whose product has full generic rank ``|U|`` (mod p, a filter),
whose reduced pattern a theorem closes (checked first: it is cheap), then the rational-cover
search on the run within the budget.
"""

from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.rational_cover import cover_tree, full_dimensional, within_path_limit

__all__ = ["subchain_cover", "reduced_pattern"]

STATEMENT = ("The products of layers {a}..{b} are exactly the matrices supported on their boolean product U "
             "(a rational-cover case tree of that run, as for deep_rational_cover); replacing those layers by "
             "one layer of mask U leaves L_I unchanged, and the reduced pattern is closed by the theorem 'then'.")


def reduced_pattern(masks, a, b):
    """``(U, reduced masks)``: layers ``a..b`` (0-based) replaced by their boolean product ``U``."""
    U = masks[a]
    for m in masks[a + 1:b + 1]:
        U = tuple(tuple(int(any(m[i][n] and U[n][j] for n in range(len(U)))) for j in range(len(U[0])))
                  for i in range(len(m)))
    return U, tuple(masks[:a]) + (U,) + tuple(masks[b + 1:])


def subchain_cover(masks, budget=None):
    """The ``deep_subchain_cover`` fragment, or None (see the module docstring).  A spent ``budget``
    raises ``BudgetExceeded``."""
    from netalgebra.theorems.registry import closed_by_theorem   # (cycle: the registry imports theorems)

    L = len(masks)
    if L < 3:
        return None
    masks = tuple(tuple(tuple(r) for r in m) for m in masks)
    runs = sorted(((a, b) for a in range(L) for b in range(a + 1, L) if b - a + 1 < L),
                  key=lambda r: (r[0] - r[1], r[0]))              # longer runs first
    for a, b in runs:
        if budget is not None:
            budget.check("time (sub-chain cover)")
        run = masks[a:b + 1]
        if not within_path_limit(run) or not full_dimensional(run):
            continue
        _, reduced = reduced_pattern(masks, a, b)
        then = closed_by_theorem(reduced, budget=budget)
        if then is None:
            continue
        tree = cover_tree(run, budget)
        if tree is None:
            continue
        return fragment("deep_subchain_cover", STATEMENT.format(a=a + 1, b=b + 1),
                        {"depth": L, "first_layer": a + 1, "last_layer": b + 1, "cover": {"tree": tree},
                         "then": then},
                        source="proved in netalgebra.theorems.subchain_cover (docs/mathematics.md, "
                               "\"deep_subchain_cover\")")
    return None
