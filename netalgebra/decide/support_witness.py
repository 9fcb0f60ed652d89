"""Deep witnesses whose non-attainment follows from supports alone, at a cut of the product.

**Relaxation (proved).**  Cut a pattern of depth ``L >= 3`` after hidden layer ``h``: every product
is ``phi(theta) = C D`` with ``D = W_h ... W_1`` supported on the boolean product ``U_D`` of layers
``1..h`` and ``C = W_L ... W_{h+1}`` on the boolean product ``U_C`` of layers ``h+1..L``.  So if no
pair of real matrices ``(C, D)`` supported on ``(U_C, U_D)`` has ``C D = A``, then ``A`` is not in
``L_I``.  Entry ``(r, c)`` of ``C D`` is the sum of the *terms* ``C[r][n] D[n][c]`` over the neurons
``n`` with ``(r, n)`` in ``U_C`` and ``(n, c)`` in ``U_D``.

**Support propagation (proved).**  Suppose ``C D = A``.  Let ``Z`` be a set of variables known to be
0 and ``N`` a set known to be non-zero; a term is *live* when none of its variables is in ``Z``.
(R1) For an entry with ``A != 0``: some live term is non-zero, so a live term exists, and a variable
of every live term is non-zero (it divides the entry).  (R2) For an entry with ``A = 0`` and exactly
one live term: that term is 0 (the others are), so not all its variables are non-zero, and if all
but one are in ``N`` the last one is 0.  A *contradiction* is: an ``A != 0`` entry with no live term,
an ``A = 0`` entry whose single live term has all its variables in ``N``, or a variable in both
``Z`` and ``N``.  A *case tree* splits on a variable ``v`` (``v = 0`` / ``v != 0``); if the closure
of every leaf's assumptions under (R1), (R2) holds a contradiction, no ``(C, D)`` exists: follow the
branch that ``(C, D)`` satisfies to a leaf; everything derived there is true of it, and a
contradiction cannot be.  Only zero/non-zero patterns are used, so every ``A`` with the support
of the target is proved missing at once.  The verifier
(:mod:`netalgebra.certificate.support_propagation`) recomputes the supports, the terms and every
closure with its own code.

**Targets and limit.**  0/1 targets ``A`` with support ``K - Z`` (``K`` the boolean product) for small
sets ``Z`` of zero entries, smallest first; for a proved one, an escaping family tending to ``A``
(:func:`netalgebra.decide.deep_cores._projection_family`, checked exactly by the verifier) shows
``A`` is in the closure of ``L_I``; where none is found, a *dense realisation* does: weights that are
rational functions of the entries of ``K`` with non-zero denominators and product ``Y``
(:func:`netalgebra.theorems.rational_cover.root_realisation`) realise every ``Y`` of ``V_K`` off a
hypersurface, a dense set, so the closure of ``L_I`` is ``V_K``, which holds ``A``.  Which targets are tried affects which patterns are decided,
never a verdict.
"""

from itertools import combinations

from cad.budget import Budget
from netalgebra.decide.deep_cores import _projection_family
from netalgebra.layer_merge import merged_support
from netalgebra.theorems.rational_cover import full_dimensional, root_realisation

__all__ = ["find_support_core", "cut_terms", "closure", "prove_missing", "MAX_ZEROS", "MAX_SPLITS"]

MAX_ZEROS = 5               # zero entries of a target at most
MAX_SPLITS = 32             # nodes of one case tree at most
FAMILY_TRIES = 160          # draws of the projection family per proved target
DENSE_TRIES = 20            # plans tried for a realisation of V_K minus a hypersurface (once per pattern)
MAX_LIMITS = 4              # proved targets whose limit is searched at most
SHARE, MAX_SECONDS = 0.3, 3.0   # the search's share of the remaining budget, at most this


def _boolean_product(masks):
    U = masks[0]
    for m in masks[1:]:
        U = merged_support(U, m)
    return U


def cut_terms(masks, h):
    """The entries' terms at the cut after hidden layer ``h`` (1 <= h < L): ``{(r, c): [(("C", r, n),
    ("D", n, c)), ...]}`` for the entries with at least one term."""
    UD, UC = _boolean_product(masks[:h]), _boolean_product(masks[h:])
    out = {}
    for r in range(len(UC)):
        for c in range(len(UD[0])):
            ts = [(("C", r, n), ("D", n, c)) for n in range(len(UD)) if UC[r][n] and UD[n][c]]
            if ts:
                out[(r, c)] = ts
    return out


def closure(terms, support, zero, nonzero):
    """Close ``(zero, nonzero)`` (sets of variables) under (R1) and (R2) for a target with support
    ``support`` (module docstring): ``None`` on a contradiction, else the closed pair."""
    if not set(support) <= set(terms):
        return None                 # an entry A != 0 that no term reaches
    zero, nonzero = set(zero), set(nonzero)
    changed = True
    while changed:
        changed = False
        for e, ts in terms.items():
            live = [t for t in ts if not (t[0] in zero or t[1] in zero)]
            if e in support:
                if not live:
                    return None
                common = set(live[0]).intersection(*live[1:]) - nonzero
                if common:
                    nonzero |= common
                    changed = True
            elif len(live) == 1:
                unknown = [v for v in live[0] if v not in nonzero]
                if not unknown:
                    return None
                if len(unknown) == 1 and unknown[0] not in zero:
                    zero.add(unknown[0])
                    changed = True
        if zero & nonzero:
            return None
    return zero, nonzero


def prove_missing(terms, support, max_nodes=MAX_SPLITS):
    """A case tree proving that no ``(C, D)`` has product support pattern ``support`` (a set of
    entries), in certificate form (``{"contradiction": true}`` or ``{"split": [side, i, j], "zero":
    ..., "nonzero": ...}``), or None.  Splits on a variable of an ``A = 0`` entry with one live term
    (its term must vanish), else of one with two."""
    count = [0]

    def node(zero, nonzero):
        count[0] += 1
        if count[0] > max_nodes:
            return None
        closed = closure(terms, support, zero, nonzero)
        if closed is None:
            return {"contradiction": True}
        zero, nonzero = closed
        pick = None
        for e, ts in sorted(terms.items()):
            if e in support:
                continue
            live = [t for t in ts if not (t[0] in zero or t[1] in zero)]
            if 1 <= len(live) <= 2:
                unknown = sorted({v for t in live for v in t} - nonzero - zero)
                if unknown and (pick is None or (len(live), len(unknown)) < pick[0]):
                    pick = ((len(live), len(unknown)), unknown[0])
        if pick is None:
            return None
        v = pick[1]
        a = node(zero | {v}, nonzero)
        b = None if a is None else node(zero, nonzero | {v})
        if b is None:
            return None
        return {"split": list(v), "zero": a, "nonzero": b}

    return node(set(), set())


def find_support_core(masks, budget=None):
    """A deep witness proved by support propagation at a cut, with an escaping family or a dense
    realisation, within a share of ``budget``, or None.  Tried only where ``L_I`` has full generic
    rank in ``V_K`` (:func:`netalgebra.theorems.rational_cover.full_dimensional`; elsewhere a 0/1
    target on most of ``K`` has a rank above the product's and is no limit).  Returns
    ``(kind, (ones, family, non_attainment, None, rows, cols, text))``, the layout of
    :func:`netalgebra.decide.deep_cores.find_deep_core`."""
    if len(masks) < 3 or not full_dimensional(masks):
        return None
    return Budget.run_share(budget, SHARE, MAX_SECONDS, lambda b: _search(masks, b),
                            what="time (support witness search)")


def _search(masks, budget):
    cuts = [(h, cut_terms(masks, h)) for h in range(1, len(masks))]
    K = sorted(set().union(*(set(t) for _, t in cuts)))
    # an entry with one term at some cut is where (R2) can start: a target's zeros must include one
    anchors = {e for _, t in cuts for e, ts in t.items() if len(ts) == 1}
    tried, no_limit, dense = 0, set(), []
    # first every target by closure alone (no split: most proofs need none), then with splits
    for max_nodes in (1, MAX_SPLITS):
        for k in range(1, MAX_ZEROS + 1):
            for Z in combinations(K, k):
                if anchors.isdisjoint(Z):
                    continue
                tried += 1
                if budget is not None and tried % 64 == 0:
                    budget.check("time (support witness search)")
                if Z in no_limit:
                    continue
                support = set(K) - set(Z)
                for h, terms in cuts:
                    tree = prove_missing(terms, support, max_nodes)
                    if tree is None:
                        continue
                    if len(no_limit) >= MAX_LIMITS:
                        return None
                    fam = _projection_family(masks, support, budget, tries=FAMILY_TRIES)
                    if fam is None:     # the limit by density instead, found once
                        if not dense:
                            dense.append(root_realisation(masks, budget, tries=DENSE_TRIES))
                        fam = None if dense[0] is None else {"dense_realisation": {"weights": dense[0]}}
                    if fam is None:     # proved missing, but no limit found: another target
                        no_limit.add(Z)
                        break
                    return _found(sorted(support), sorted(Z), h, tree, fam)
    return None


def _found(ones, Z, h, tree, fam):
    na = {"method": "support_propagation", "cut": h, "tree": tree}
    limit = ("a limit of the escaping family" if "dense_realisation" not in fam else
             "a limit because L_I is dense in V_K (a rational realisation off a hypersurface)")
    text = (f"the 0/1 target with 0s at {Z} (and outside K) is {limit} and is not "
            f"attained: at the cut after hidden layer {h} every product is C D with C, D supported on the "
            f"boolean products of the layers after and before it, and a case tree on the zero/non-zero "
            f"pattern of C and D rules out that support")
    return "deep support", (ones, fam, na, None, sorted({r for r, _ in ones}), sorted({c for _, c in ones}), text)
