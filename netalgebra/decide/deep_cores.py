"""Witness search for deep patterns (three or more weight layers): 2x2 cores through paths.

**Grouping at a hidden layer.**  Fix a hidden layer ``l`` (``1 <= l <= L-1``).  Every path
from an input to an output crosses layer ``l`` at exactly one neuron ``h``, so

    ``phi_{r,c} = sum_h U[r,h] V[h,c]``,

where ``V[h,c]`` is the sum over the paths ``c -> h`` of their weight products (weights of
layers ``1..l``) and ``U[r,h]`` the sum over the paths ``h -> r`` (layers ``l+1..L``).  The
*grouped pattern* at ``l`` is the one-hidden-layer pattern with ``M1[h][c] = 1`` when some
path ``c -> h`` exists and ``M2[r][h] = 1`` when some path ``h -> r`` exists; entry
``(r, c)`` of it is covered by the neurons ``h`` of layer ``l`` lying on a path ``c -> r``.

**Deep 2x2 core** (proved).  Suppose the grouped pattern has a 2x2 core
(:func:`netalgebra.decide.cores.find_core_2x2`): neuron ``k`` covers rows ``{r, r'}`` x
columns ``{c, c'}``, the entries ``(r,c'), (r',c), (r',c')`` are covered by ``k`` alone,
and ``(r, c)`` also by a neuron ``k2 != k``.  Then every path ending at those three entries
crosses ``k``, so ``phi_{r,c'} = a y``, ``phi_{r',c} = b x``, ``phi_{r',c'} = b y`` with
the polynomials ``a = U[r,k]``, ``b = U[r',k]``, ``x = V[k,c]``, ``y = V[k,c']``.  The
target ``A`` (1 at ``(r,c')`` and ``(r',c)``, 0 elsewhere) is not attained: the identity
``(-b x)(a y - 1) + (-1)(b x - 1) + (a x)(b y) = 1`` holds in the polynomial ring, with
path sums substituted for ``a, b, x, y``, so the three equations have no common (even
complex) solution.  ``A`` is a limit: :func:`_escaping_family` builds explicit weights
``theta(t)`` (rational functions of ``t``) and checks ``phi(theta(t)) -> A`` exactly
before the certificate is written; the verifier checks it again with its own code.

Construction of the family: a tree of paths into ``k`` from ``c`` and ``c'`` (each node
keeps one successor, so each source has one path to ``k``) with first edges ``1/t`` and
``t``; a tree of paths from ``k`` to ``r`` and ``r'`` (each node keeps one predecessor)
with last edges ``1/t`` and ``t``; all other tree edges 1.  Then ``x = 1/t, y = t,
a = 1/t, b = t`` on the tree.  A path ``c -> k2 -> r`` is added with weight 1 on its new
edges except the edge entering ``k2``, weight ``z``.  Every path through that edge runs
from ``c`` to ``r`` (a path ``c' -> k2`` or ``k2 -> r'`` would cover one of the three
entries by ``k2``), so ``z`` enters entry ``(r, c)`` only, linearly, and is solved for to
make that entry 0.  The union of the chosen edges may hold more paths than those listed;
the exact check of the limit is what the certificate relies on, and a candidate whose
limit is not ``A`` is dropped.

Block projection is not needed: the family is a family of the whole pattern (weights off
the chosen edges are 0), and the identity is over entries of the whole product.  No
training set is built (the one-hidden-layer argument of the core certificates does not
cover depth >= 3); Theorem 3.1 of the paper (cited) gives the ReLU consequence.

**Other grouped cores** (proved).  ``L_I`` lies in the set of the grouped pattern, and its
product map is the grouped one with path sums substituted, so the identity of any core of
a grouped pattern (3x2, 2x3, 3x3) becomes an identity of the deep pattern by substitution
(:func:`_lift_multiplier`); the grouped family is realised on one path per grouped weight
(:func:`_lift_family`), or else a deep family is built by exact projection
(:func:`_projection_family`: inner layers drawn as monomials in ``t``, the last layer solved over
``Q(t)``); either is kept only when the exact limit check (:func:`_escapes_to`) passes.
"""

from fractions import Fraction
from itertools import product as _cartesian

from cad.budget import Budget
from netalgebra.decide.cores import find_core, find_core_2x2
from netalgebra.decide.family import INV_T, ONE, T, RationalFunction
from netalgebra.naming import parse_weight_name, weight_name
from netalgebra.theorems.rational_functions import gauss_jordan

__all__ = ["find_deep_core", "grouped_pattern", "path_sums", "GROUPED_BUDGET_SHARE", "GROUPED_MAX_SECONDS"]

GROUPED_BUDGET_SHARE = 0.15   # share of the remaining budget for the core search of one grouped pattern
GROUPED_MAX_SECONDS = 5.0     # and at most this (also without a budget)


def _reach_forward(masks, sources, l0, l1):
    """Neurons of layer ``l1`` reachable from the set ``sources`` of layer ``l0`` (l0 <= l1)."""
    cur = set(sources)
    for l in range(l0 + 1, l1 + 1):
        m = masks[l - 1]
        cur = {i for i in range(len(m)) if any(m[i][j] for j in cur)}
    return cur


def _reach_backward(masks, targets, l1, l0):
    """Neurons of layer ``l0`` from which some neuron of ``targets`` (layer ``l1``) is reachable."""
    cur = set(targets)
    for l in range(l1, l0, -1):
        m = masks[l - 1]
        cur = {j for j in range(len(m[0])) if any(m[i][j] for i in cur)}
    return cur


def grouped_pattern(masks, l):
    """The one-hidden-layer reachability pattern at hidden layer ``l`` (see the module docstring)."""
    L = len(masks)
    n0, nl = len(masks[0][0]), len(masks[l - 1])
    down = [_reach_forward(masks, {c}, 0, l) for c in range(n0)]
    up = [_reach_forward(masks, {h}, l, L) for h in range(nl)]
    M1 = tuple(tuple(1 if h in down[c] else 0 for c in range(n0)) for h in range(nl))
    M2 = tuple(tuple(1 if r in up[h] else 0 for h in range(nl)) for r in range(len(masks[-1])))
    return M1, M2


def path_sums(masks, l0, src, l1, dst):
    """Sum over the paths from neuron ``src`` of layer ``l0`` to ``dst`` of layer ``l1`` of the
    weight products, as a dict {sorted tuple of weight names: coefficient}."""
    cur = {src: {(): 1}}
    for l in range(l0 + 1, l1 + 1):
        m = masks[l - 1]
        nxt = {}
        for i in range(len(m)):
            acc = {}
            for j, p in cur.items():
                if m[i][j]:
                    w = weight_name(l, i, j)
                    for mon, co in p.items():
                        key = tuple(sorted(mon + (w,)))
                        acc[key] = acc.get(key, 0) + co
            if acc:
                nxt[i] = acc
        cur = nxt
    return cur.get(dst, {})


def _poly_mul(a, b, scale=1):
    out = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            key = tuple(sorted(ma + mb))
            out[key] = out.get(key, 0) + scale * ca * cb
    return {k: v for k, v in out.items() if v}


def _poly_json(p):
    """Certificate form of a polynomial: [[coefficient, [[name, exponent], ...]], ...]."""
    out = []
    for mon, co in sorted(p.items()):
        exps = {}
        for v in mon:
            exps[v] = exps.get(v, 0) + 1
        out.append([str(co), sorted([v, e] for v, e in exps.items())])
    return out


def _path_down(masks, src, l, k):
    """Edges ``(layer, i, j)`` of the path from input ``src`` to neuron ``k`` of layer ``l``
    taking at each step the smallest-index neuron that still reaches ``k`` (a function of
    the current neuron only, so paths from several sources form a tree into ``k``)."""
    edges, cur = [], src
    for step in range(1, l + 1):
        ok = _reach_backward(masks, {k}, l, step)
        m = masks[step - 1]
        nxt = min(i for i in ok if m[i][cur])
        edges.append((step, nxt, cur))
        cur = nxt
    return edges


def _path_up(masks, k, l, dst):
    """Edges of the path from neuron ``k`` of layer ``l`` to output ``dst``, choosing at each
    step back from ``dst`` the smallest-index predecessor reachable from ``k`` (a tree out of ``k``)."""
    L = len(masks)
    edges, cur = [], dst
    for step in range(L, l, -1):
        ok = _reach_forward(masks, {k}, l, step - 1)
        m = masks[step - 1]
        prv = min(j for j in ok if m[cur][j])
        edges.append((step, cur, prv))
        cur = prv
    return edges[::-1]


def _product(masks, weights):
    """``W_L ... W_1`` for the weights ``{(l, i, j): RationalFunction}`` (others 0), as a dict."""
    cur = {(j, j): ONE for j in range(len(masks[0][0]))}
    for l in range(1, len(masks) + 1):
        nxt = {}
        layer = [(i, j, w) for (ll, i, j), w in weights.items() if ll == l]
        for (a, c), v in cur.items():
            for i, j, w in layer:
                if j == a:
                    nxt[(i, c)] = nxt[(i, c)] + w * v if (i, c) in nxt else w * v
        cur = {key: v for key, v in nxt.items() if v.n != 0}
    return cur


def _limit(v):
    """(finite?, value) of a RationalFunction at t -> 0+."""
    nv = next(i for i, c in enumerate(v.n.coeffs()) if c != 0)
    dv = next(i for i, c in enumerate(v.d.coeffs()) if c != 0)
    if nv < dv:
        return False, None
    if nv > dv:
        return True, 0
    return True, v.n.coeffs()[nv] / v.d.coeffs()[dv]


def _escaping_family(masks, l, core):
    """Weights ``{name: RationalFunction}`` with ``phi(theta(t)) -> A`` (see the module docstring), or None."""
    k, k2, r, c, r2, c2 = (core[x] for x in ("k", "k2", "r", "c", "r2", "c2"))
    w = {}
    for src, first in ((c, INV_T), (c2, T)):
        for n, e in enumerate(_path_down(masks, src, l, k)):
            w[e] = first if n == 0 else w.get(e, ONE)
    for dst, last in ((r, INV_T), (r2, T)):
        up = _path_up(masks, k, l, dst)
        for n, e in enumerate(up):
            w[e] = last if n == len(up) - 1 else w.get(e, ONE)
    low, high = _path_down(masks, c, l, k2), _path_up(masks, k2, l, r)
    zedge = low[-1]
    for e in low[:-1] + high:
        w.setdefault(e, ONE)
    if zedge in w:
        return None
    p0 = _product(masks, w)
    p1 = _product(masks, {**w, zedge: ONE})
    e0 = p0.get((r, c), RationalFunction([0]))
    s = p1.get((r, c), RationalFunction([0])) + -e0
    if s.n == 0:
        return None
    w[zedge] = -(e0 * RationalFunction(s.d, s.n))
    if not _escapes_to(masks, w, {(r, c2), (r2, c)}):
        return None
    return {weight_name(*e): v for e, v in w.items() if v.n != 0}


def _lift_multiplier(mult, masks, l):
    """A multiplier over the grouped pattern's weights (``w1_h_c`` = V[h,c], ``w2_r_h`` = U[r,h])
    with every weight replaced by its path sum: a polynomial in the deep pattern's weights."""
    L = len(masks)
    total = {}
    for coef, mon in mult:
        term = {(): Fraction(coef)}
        for name, e in mon:
            g, i, j = parse_weight_name(name)
            ps = path_sums(masks, 0, j, l, i) if g == 1 else path_sums(masks, l, j, L, i)
            for _ in range(e):
                term = _poly_mul(term, ps)
        for k, v in term.items():
            total[k] = total.get(k, 0) + v
    return _poly_json({k: v for k, v in total.items() if v})


def _lift_family(masks, l, fam, ones):
    """Deep weights realising a grouped family ``{w1_h_c: V, w2_r_h: U}``: one path per listed
    grouped weight, the value on its first or last edge (four combinations tried), other edges
    of the paths 1, all other weights 0.  Returned only when ``phi(theta(t)) -> A`` (1 on
    ``ones``) and some weight has a pole, checked exactly; else None."""
    paths = []
    for name, val in fam.items():
        g, i, j = parse_weight_name(name)
        edges = _path_down(masks, j, l, i) if g == 1 else _path_up(masks, j, l, i)
        paths.append((g, edges, val))
    for down_at, up_at in ((0, -1), (-1, 0), (0, 0), (-1, -1)):
        w, owner, ok = {}, {}, True
        for g, edges, val in paths:
            d = edges[down_at if g == 1 else up_at]
            if d in owner:
                ok = False
                break
            owner[d] = val
        if not ok:
            continue
        for g, edges, val in paths:
            for e in edges:
                w[e] = owner.get(e, ONE)
        if _escapes_to(masks, w, ones):
            return {weight_name(*e): v for e, v in w.items() if v.n != 0}
    return None


def _escapes_to(masks, w, ones):
    """Whether ``phi(theta(t)) -> A`` (1 on ``ones``, 0 elsewhere) for the weights ``w``
    ``{(l, i, j): RationalFunction}`` and some weight has a pole: checked exactly."""
    prod = _product(masks, w)
    for i, j in _cartesian(range(len(masks[-1])), range(len(masks[0][0]))):
        v = prod.get((i, j))
        fin, lim = (True, 0) if v is None else _limit(v)
        if not fin or lim != (1 if (i, j) in ones else 0):
            return False
    return any(_limit(v)[0] is False for v in w.values() if v.n != 0)


PROJECTION_TRIES = 400      # inner families tried by _projection_family
# (masks, target's 1s, seed) -> number of draws that found no family.  The draws are a function of the
# seed only, so a search with fewer draws on the same target cannot succeed either (deep_cores tries
# a target at several hidden layers, deep_nss again): only a search that ran to its end is recorded.
_FAMILY_FAILED = {}
FAMILY_FAILED_MAX = 4096    # entries kept at most (cleared when full: a census decides many patterns)


def _inverse(x):
    return RationalFunction(x.d, x.n)


def _dot(a, b):
    out = RationalFunction([0])
    for x, y in zip(a, b):
        if x.n != 0 and y.n != 0:
            out = out + x * y
    return out


def _independent(vectors):
    """Keys of a maximal subset of ``vectors`` (``[(key, [RationalFunction])]``) linearly
    independent over ``Q(t)`` (Gaussian elimination)."""
    keys, reduced = [], []
    for key, v in vectors:
        v = list(v)
        for piv, u in reduced:
            if v[piv].n != 0:
                f = v[piv] * _inverse(u[piv])
                v = [x + -(f * y) for x, y in zip(v, u)]
        piv = next((i for i, x in enumerate(v) if x.n != 0), None)
        if piv is not None:
            keys.append(key)
            reduced.append((piv, v))
    return keys


def _solve(G, b):
    """The solution of the invertible system ``G c = b`` over ``Q(t)`` (Gauss-Jordan), or None."""
    return gauss_jordan(G, b, lambda x: x.n == 0, _inverse)


def _projection_family(masks, ones, budget=None, tries=PROJECTION_TRIES, seed=0):
    """Deep weights with ``phi(theta(t)) -> A`` (1 on ``ones``) found by exact projection, or None.

    *Construction.*  Draw the weights of layers ``1..L-1`` as monomials ``c t^k`` (or 0; ``c`` in
    ``{1, -1, 2}``, ``k`` in ``{0, 1, 2}``, from ``random.Random(seed)``): the rows ``M_h(t)`` of
    ``W_{L-1} ... W_1`` are then vectors over ``Q(t)``.  Row ``r`` of the product is
    ``sum_h W_L[r,h] M_h`` over the neurons ``h`` that ``r`` reads, so put in row ``r`` of ``W_L`` the
    coefficients of the orthogonal projection of ``A_r`` onto the span of those ``M_h`` (a basis
    ``B``, ``G c = B A_r`` with ``G`` its Gram matrix, all over ``Q(t)``).  Row ``r`` of the product is
    then that projection; when ``A_r`` lies in the limit of the spans it tends to ``A_r``.  Exact
    cancellations between paths are allowed by the draw (coefficients of both signs, zeros), which
    the one-path lifting of :func:`_lift_family` cannot produce.  Every other draw is made on the
    transposed pattern (``W_1`` solved from the target's columns).  *Nothing here is a proof*: a
    family is returned only when :func:`_escapes_to` checks ``phi(theta(t)) -> A`` and a pole
    exactly, and the verifier checks it again."""
    import random

    key = (tuple(tuple(map(tuple, m)) for m in masks), frozenset(ones), seed)
    if _FAMILY_FAILED.get(key, -1) >= tries:
        return None             # the same draws (same seed, a prefix of them) already failed on this target
    rng = random.Random(seed)
    L = len(masks)
    flipped = tuple(tuple(zip(*m)) for m in reversed(masks))       # the transposed pattern
    flipped_ones = {(j, i) for i, j in ones}
    for attempt in range(tries):
        if budget is not None and attempt % 16 == 0:
            budget.check("time (deep family search)")
        if attempt % 2 == 0:
            w = _projection_attempt(masks, ones, rng)
        else:      # transposed: W_1 solved by projection of the target's columns
            w = _projection_attempt(flipped, flipped_ones, rng)
            w = None if w is None else {(L + 1 - l, j, i): v for (l, i, j), v in w.items()}
        if w is not None and _escapes_to(masks, w, ones):
            return {weight_name(*e): v for e, v in w.items() if v.n != 0}
    if len(_FAMILY_FAILED) >= FAMILY_FAILED_MAX:
        _FAMILY_FAILED.clear()
    _FAMILY_FAILED[key] = tries
    return None


def _projection_attempt(masks, ones, rng):
    """One draw of :func:`_projection_family`: ``{(l, i, j): RationalFunction}`` or None when a
    Gram system is singular (its limit is not checked here)."""
    L, n0 = len(masks), len(masks[0][0])
    A = [[1 if (i, j) in ones else 0 for j in range(n0)] for i in range(len(masks[-1]))]
    zero = RationalFunction([0])
    w = {}
    for l in range(1, L):
        for i, row in enumerate(masks[l - 1]):
            for j, v in enumerate(row):
                if v and rng.random() < 0.75:
                    k = rng.choices((0, 1, 2), (5, 3, 2))[0]
                    w[(l, i, j)] = RationalFunction([0] * k + [rng.choice((1, -1, 1, -1, 2))])
    prod = _product(masks[:L - 1], w)
    rows = {h: [prod.get((h, c), zero) for c in range(n0)] for h in range(len(masks[-1][0]))}
    for r, mask_row in enumerate(masks[-1]):
        if not any(A[r]):
            continue
        B = _independent([(h, rows[h]) for h in range(len(mask_row)) if mask_row[h]])
        target = [RationalFunction([x]) for x in A[r]]
        coef = _solve([[_dot(rows[a], rows[b]) for b in B] for a in B], [_dot(rows[a], target) for a in B]) \
            if B else None
        if coef is None:
            return None
        w.update({(L, r, h): c for h, c in zip(B, coef) if c.n != 0})
    return w


def _family_within_share(masks, ones, budget):
    """:func:`_projection_family` on :data:`GROUPED_BUDGET_SHARE` of the remaining budget (at most
    :data:`GROUPED_MAX_SECONDS`); None when that share runs out."""
    return Budget.run_share(budget, GROUPED_BUDGET_SHARE, GROUPED_MAX_SECONDS,
                            lambda b: _projection_family(masks, ones, b), what="time (deep family search)")


def _any_grouped_core(masks, budget):
    """Any core of a grouped pattern (2x2, 3x2, 2x3, 3x3: :func:`find_core`, on a share of the
    budget) whose family lifts (:func:`_lift_family`), as ``(kind, parts)``.

    Non-attainment lifts for every kind: ``phi_{r,c} = sum_h U[r,h] V[h,c]`` is the grouped
    product map with path sums substituted, so substituting them into the grouped identity
    ``sum m_e (phi^g_e - A_e) = 1`` gives an identity of the deep pattern."""
    L = len(masks)
    for l in range(1, L):
        if budget is not None:
            budget.check("time (deep witness search)")
        # when this layer's share runs out, the rest goes to the next layer and CAD
        found = Budget.run_share(budget, GROUPED_BUDGET_SHARE, GROUPED_MAX_SECONDS, find_core,
                                 grouped_pattern(masks, l), what="time (deep witness search)")
        if found is None:
            continue
        kind, (ones, fam, eqs, mult, rows, cols, text) = found
        deep = _lift_family(masks, l, fam, set(map(tuple, ones)))
        if deep is None:
            deep = _family_within_share(masks, set(map(tuple, ones)), budget)
        if deep is None:
            continue
        text = (f"the pattern grouped at hidden layer {l} has a {kind} core ({text}); the family is realised "
                f"on the deep pattern (checked exactly) and the identity's weights are replaced by path sums")
        return f"deep {kind}", (ones, deep, eqs, [_lift_multiplier(m, masks, l) for m in mult], rows, cols, text)
    return None


def find_deep_core(masks, budget=None):
    """A deep core of a pattern with ``L >= 3`` layers, or None: first the deep 2x2 cores of
    the module docstring, then any core of a grouped pattern whose family lifts
    (:func:`_any_grouped_core`).

    Returns ``(kind, (ones, family, equations, multipliers, rows, cols, text))`` in the
    layout of :func:`netalgebra.decide.cores.find_core`.
    """
    budget = None if budget is None else Budget.of(budget)
    L = len(masks)
    for l in range(1, L):
        if budget is not None:
            budget.check("time (deep witness search)")
        core = find_core_2x2(grouped_pattern(masks, l), budget)
        if core is None:
            continue
        k, k2, r, c, r2, c2 = (core[x] for x in ("k", "k2", "r", "c", "r2", "c2"))
        fam = _escaping_family(masks, l, core) or _family_within_share(masks, {(r, c2), (r2, c)}, budget)
        if fam is None:
            continue
        a, b = path_sums(masks, l, k, L, r), path_sums(masks, l, k, L, r2)
        x = path_sums(masks, 0, c, l, k)
        eqs = [[r, c2], [r2, c], [r2, c2]]
        mult = [_poly_json(_poly_mul(b, x, -1)), [["-1", []]], _poly_json(_poly_mul(a, x))]
        ones = [(r, c2), (r2, c)]
        text = (f"grouping the layers at hidden layer {l}, hidden neuron {k} of that layer lies on every "
                f"path to entries ({r},{c2}), ({r2},{c}), ({r2},{c2}), and neuron {k2} of that layer also "
                f"lies on a path to entry ({r},{c})")
        return "deep 2x2", (ones, fam, eqs, mult, sorted((r, r2)), sorted((c, c2)), text)
    return _any_grouped_core(masks, budget)
