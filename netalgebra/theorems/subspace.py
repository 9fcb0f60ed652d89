r"""Deep patterns whose linear counterpart is a whole coordinate subspace: ``L_I = V_K``.

Notation.  ``K`` is the boolean product of the masks (the entries ``(r, c)`` joined by at least
one input -> output path) and ``V_T = {M : supp M ⊆ T}`` for a set ``T`` of positions.  Always
``L_I ⊆ V_K``, and ``V_K`` is a linear subspace, hence closed; so ``V_K ⊆ L_I`` proves ``L_I``
closed.  The proof of ``V_K ⊆ L_I`` has two parts (docs/mathematics.md,
"deep_coordinate_subspace").

*Constructions* (``V_U ⊆ L_I``).  Replace two consecutive layers ``W_l`` (mask ``A``,
``n x m``) and ``W_{l+1}`` (mask ``B``, ``p x n``) by one layer of mask ``U`` whenever
``V_U ⊆ {W_{l+1} W_l}``: every product of the new pattern is then a product of the old one.  A
*star assignment* proves ``V_U ⊆ {W_{l+1} W_l}``: distinct hidden neurons ``k_1, ..., k_s`` with
sets ``T_i ⊆ R_{k_i} x C_{k_i}`` (``R_k`` the rows ``B`` joins to ``k``, ``C_k`` the columns ``A``
joins to it), ``U_i = T_1 ⊔ ... ⊔ T_i``, ``U = U_s``, such that every connected component of
``T_i`` (positions adjacent when they share a row or a column) lies in one row or one column,
and ``rows(T_i) x cols(T_i) ⊆ T_i ∪ U_{i-1}``.  Proof: for ``D`` supported on ``U`` go through
``i = s, ..., 1``; neuron ``k_i`` gets ``u = Σ e_r`` over the row-star centres and the entries
``D[r, c]`` of column stars, ``v`` the entries ``D[r, c]`` of row stars and 1 at column-star
centres (components use disjoint rows and columns, so ``u``, ``v`` are well defined and
supported in ``R_k``, ``C_k``).  ``u v^T`` equals ``D`` on ``T_i`` and lives on
``rows(T_i) x cols(T_i) ⊆ T_i ∪ U_{i-1}``, so ``D - u v^T`` is supported on ``U_{i-1}``; at the
end ``D`` is the sum of the contributions (other neurons get weight 0).  A construction is a
list of such merges that ends with one layer, of mask ``U``: ``V_U ⊆ L_I``.

*Elimination* (``V_T ⊆ L_I`` from smaller sets).  If row ``j`` of ``I_L`` is contained in row
``i`` on the live neurons of layer ``L-1``, then ``E = 1 + t e_i e_j^T`` maps ``L_I`` into itself
for every real ``t``: ``E W_L`` respects ``I_L`` after the columns of dead neurons (which carry
no product) are zeroed.  Let ``(j, c), (i, c) ∈ T`` and row ``j`` of ``T`` be contained in row
``i`` of ``T``.  For ``M ∈ V_T``: if ``M[j, c] = 0`` then ``M ∈ V_{T - (j, c)}``; otherwise
``t = -M[i, c] / M[j, c]`` gives ``E M ∈ V_{T - (i, c)}`` and ``M = E^{-1} (E M)`` with
``E^{-1} = 1 - t e_i e_j^T`` of the same kind.  So ``V_{T - (i,c)} ⊆ L_I`` and
``V_{T - (j,c)} ⊆ L_I`` give ``V_T ⊆ L_I``.  Columns of ``I_1`` (over the live neurons of layer
1) give the transposed step.  A finite tree of such steps with constructions at its leaves
proves ``V_K ⊆ L_I``.
"""

from itertools import islice, product

from cad.budget import Budget
from netalgebra.layer_merge import merged_support
from netalgebra.theorems.fragment import fragment
from netalgebra.theorems.peel import PeelSearch, parents_first, peel_proof
from netalgebra.theorems.structure import DisjointSets, live_masks, live_neurons

__all__ = ["deep_coordinate_subspace", "deep_coordinate_subspace_with_peels", "shallow_coordinate_subspace",
           "deep_subchain_merge", "coordinate_subspace_proof", "star_assignments"]

MAX_POSITIONS = 400          # |K| beyond which the theorem is not tried (it then does not apply)
MAX_WIDTH = 24               # likewise for a hidden width
MAX_OUTCOMES = 60            # star assignments enumerated per pair
MAX_BRANCH = 10              # of which the largest are followed by the construction search
MAX_CANDIDATES = 8           # sets tried per neuron at a branching step of a star assignment
MAX_CONSTRUCTIONS = 120      # single-layer masks collected by the construction search
MAX_CLAIMS = 4_000           # position sets explored by the elimination search
MAX_CHOICES = 256            # choice assignments of each kind per pair (one input / one output per neuron)
MAX_MERGED = 2_000           # two-layer patterns reached by merges, at most
MAX_PEEL_PATTERNS = 24       # of which (most edges first) elimination leaves may be peel proofs on
MAX_LEAF_CLAIMS = 2_000      # new peel claims per position set and pattern
MAX_PEEL_CLAIMS_IN_ALL = 300_000   # peel claims of one elimination, all patterns together (about 6 s; bounds memory)
SEARCH_SHARE, MAX_SEARCH_SECONDS = 0.25, 3.0   # each theorem's search: its share of the budget left


def _components(T):
    """Connected components of a position set (adjacent: same row or same column), as
    ``(positions, rows, columns)``: a position joins its row and its column in a union-find."""
    sets = DisjointSets()
    for r, c in T:
        sets.union(("r", r), ("c", c))
    out = {}
    for r, c in T:
        comp, rows, cols = out.setdefault(sets.find(("r", r)), (set(), set(), set()))
        comp.add((r, c))
        rows.add(r)
        cols.add(c)
    return list(out.values())


def _is_stars(T):
    return all(len(rows) == 1 or len(cols) == 1 for _, rows, cols in _components(T))


def _candidates(S, U):
    """Sets ``T ⊆ S - U`` neuron with support ``S`` may take next (see the module docstring):
    the whole uncovered part when it is a union of stars, else its lines and greedy unions of
    disjoint lines that stay unions of stars and whose cross positions are already covered."""
    E = S - U
    if not E:
        return []
    if _is_stars(E):
        return [frozenset(E)]
    rows, cols = {}, {}
    for r, c in E:
        rows.setdefault(r, set()).add((r, c))
        cols.setdefault(c, set()).add((r, c))
    lines = [frozenset(v) for v in list(rows.values()) + list(cols.values())]
    out = set(lines)
    for start in lines:
        T = set(start)
        for line in lines:
            both = T | line
            if not T.isdisjoint(line) or not _is_stars(both):
                continue
            rr, cc = {r for r, _ in both}, {c for _, c in both}
            if all((r, c) in both or (r, c) in U for r in rr for c in cc):
                T = both
        out.add(frozenset(T))
    return sorted(out, key=lambda t: (-len(t), sorted(t)))


def star_assignments(first, second, budget=None, limit=MAX_OUTCOMES):
    """Star assignments of the pair (``first = I_l``, ``second = I_{l+1}``): a list of
    ``(U, steps)`` with ``steps = [(k, T), ...]`` valid in order (module docstring), ``U`` the
    union of the ``T``; a bounded depth-first search, larger outcomes first."""
    n = len(first)
    S = {}
    for k in range(n):
        R = [r for r in range(len(second)) if second[r][k]]
        C = [c for c in range(len(first[0])) if first[k][c]]
        if R and C:
            S[k] = frozenset((r, c) for r in R for c in C)
    seen, found = set(), []

    def search(U, unused, steps):
        if len(found) >= limit or (U, unused) in seen:
            return
        seen.add((U, unused))
        if budget is not None:
            budget.check("time (coordinate subspace)")
        U, unused, steps = set(U), set(unused), list(steps)
        absorbed = True
        while absorbed:                   # a neuron whose rest is a union of stars takes it all
            absorbed = False
            for k in sorted(unused):
                E = S[k] - U
                if not E or _is_stars(E):
                    unused.discard(k)
                    if E:
                        steps.append((k, frozenset(E)))
                        U |= E
                    absorbed = True
                    break
        branched = False
        for k in sorted(unused):
            for T in _candidates(S[k], U)[:MAX_CANDIDATES]:
                branched = True
                search(frozenset(U | T), frozenset(unused - {k}), steps + [(k, T)])
        if not branched:
            found.append((frozenset(U), steps))

    search(frozenset(), frozenset(S), [])
    found.sort(key=lambda x: -len(x[0]))
    return found


def _mask(U, n_rows, n_cols):
    return tuple(tuple(int((r, c) in U) for c in range(n_cols)) for r in range(n_rows))


def _constructions(masks, budget, full):
    """Constructions (module docstring) found by merging pairs, as ``(U, merges)`` with ``merges``
    a list of ``(hidden_layer, steps)``; only maximal ``U`` are kept.  The search stops at once when
    some ``U`` is ``full`` (all of ``K``)."""
    out = {}

    def search(ms, merges):
        if len(out) >= MAX_CONSTRUCTIONS or full in out:
            return
        if len(ms) == 1:
            U = frozenset((r, c) for r, row in enumerate(ms[0]) for c, x in enumerate(row) if x)
            out.setdefault(U, merges)
            return
        for l in range(1, len(ms)):
            first, second = ms[l - 1], ms[l]
            for U, steps in star_assignments(first, second, budget)[:MAX_BRANCH]:
                new = ms[:l - 1] + (_mask(U, len(second), len(first[0])),) + ms[l + 1:]
                search(new, merges + [(l, steps)])

    search(tuple(masks), [])
    keys = list(out)
    return [(U, out[U]) for U in keys if not any(U < V for V in keys)]


def _contained_lines(mask, live_mid, by_rows):
    """Pairs ``(i, j)``, ``i != j``: line ``j`` of ``mask`` is contained in line ``i`` on the live
    neurons ``live_mid`` (rows of ``I_L`` over its columns, or columns of ``I_1`` over its rows)."""
    if by_rows:
        lines = [{n for n in live_mid if row[n]} for row in mask]
    else:
        lines = [{n for n in live_mid if mask[n][c]} for c in range(len(mask[0]))]
    return [(i, j) for i in range(len(lines)) for j in range(len(lines)) if i != j and lines[j] <= lines[i]]


def _eliminate(K, leaves, row_ops, col_ops, budget, peels=()):
    """A proof DAG of ``V_K ⊆ L_I``: nodes ``{positions, step}`` (children by index), or None.
    ``leaves``: constructions ``(U, merges[, peel])``; a position set inside a ``U`` is a leaf.
    ``peels``: merged two-layer patterns ``[K2, merges, PeelSearch]``; a position set ``T ⊆ K2``
    whose peel proof is found becomes a new construction ``(T, merges, peel)`` (appended to
    ``leaves``).  A pattern that gave a proof is asked first next time."""
    memo, nodes, explored = {}, [], [0]

    def leaf_for(T):
        idx = next((i for i, (U, *_) in enumerate(leaves) if T <= U), None)
        if idx is not None:
            return idx
        if sum(search.claims for _, _, search in peels) > MAX_PEEL_CLAIMS_IN_ALL:
            return None                  # their memory grows with their claims: a hard bound
        for t, (K2, merges, search) in enumerate(peels):
            if T <= K2 and (peel := search.proof(T, budget, MAX_LEAF_CLAIMS)) is not None:
                peels.insert(0, peels.pop(t))
                leaves.append((T, merges, peel))
                return len(leaves) - 1
        return None

    def claim(T):
        if T in memo:
            return memo[T]
        explored[0] += 1
        if explored[0] > MAX_CLAIMS:
            raise _TooLarge
        if budget is not None:
            budget.check("time (coordinate subspace)")
        memo[T] = None                   # a cycle cannot arise (children are smaller); no proof yet
        idx = leaf_for(T)
        if idx is not None:
            memo[T] = _node(nodes, T, {"construction": idx})
            return memo[T]
        rows, cols = {}, {}
        for r, c in T:
            rows.setdefault(r, set()).add(c)
            cols.setdefault(c, set()).add(r)
        # (kind, target line, source line, pivot's other index, cleared position, pivot position)
        tries = [("row", i, j, c, (i, c), (j, c)) for i, j in row_ops
                 if j in rows and rows[j] <= rows.get(i, set()) for c in sorted(rows[j])]
        tries += [("column", a, b, r, (r, a), (r, b)) for a, b in col_ops
                  if b in cols and cols[b] <= cols.get(a, set()) for r in sorted(cols[b])]
        for kind, x, y, line, cleared, pivot in tries:
            nonzero = claim(T - {cleared})
            if nonzero is None:
                continue
            zero = claim(T - {pivot})
            if zero is None:
                continue
            key = "column" if kind == "row" else "row"
            memo[T] = _node(nodes, T, {f"{kind}_op": [x, y], key: line, "nonzero": nonzero, "zero": zero})
            return memo[T]
        return None

    try:
        root = claim(frozenset(K))
    except _TooLarge:
        return None
    if root is None:
        return None
    return parents_first(nodes, root)


class _TooLarge(Exception):
    """The elimination search went past MAX_CLAIMS position sets."""


def _node(nodes, T, step):
    nodes.append({"positions": sorted([r, c] for r, c in T), "step": step})
    return len(nodes) - 1


def deep_coordinate_subspace(masks, budget=None):
    """Depth >= 3: ``L_I = V_K`` (``K`` the boolean product of the masks), hence closed.

    Proof: module docstring (constructions by star assignments of merged pairs; elimination by
    row operations allowed by ``I_L`` and column operations allowed by ``I_1``).  The fragment's
    hypotheses hold the constructions (merges with their assignments) and the elimination nodes;
    :mod:`netalgebra.certificate.subspace` replays both with its own code.  Returns None when the
    bounded search finds no proof (which never makes a verdict wrong).
    """
    return _subspace_theorem("deep_coordinate_subspace", masks, budget) if len(masks) >= 3 else None


def shallow_coordinate_subspace(masks, budget=None):
    """Two layers: ``L_I = V_K`` (``K`` the boolean product of the masks), hence closed.

    Proof: :func:`coordinate_subspace_proof` on the two masks, either constructions with
    elimination (module docstring) or a rank-one peel proof (:mod:`netalgebra.theorems.peel`);
    both show ``V_K ⊆ L_I``, and ``L_I ⊆ V_K`` always.  Replayed by
    :mod:`netalgebra.certificate.subspace` (and :mod:`netalgebra.certificate.peel`).  Returns
    None when the bounded search finds no proof.

    The search is skipped (None) when the cheap 2x2 core search
    (:func:`netalgebra.decide.cores.find_core_2x2`) finds a core: then ``L_I`` is not closed
    (block projection lemma, proved there) while ``V_K`` is closed, so ``L_I != V_K`` and no
    proof exists; the filter never loses a verdict, it only saves the bounded search's time.
    """
    if len(masks) != 2:
        return None
    from netalgebra.decide.cores import find_core_2x2      # (cycle: the decider imports the theorems)

    if find_core_2x2(masks, budget) is not None:
        return None
    return _subspace_theorem("shallow_coordinate_subspace", masks, budget)


def deep_coordinate_subspace_with_peels(masks, budget=None):
    """``deep_coordinate_subspace`` whose elimination leaves may also be peel proofs on two-layer
    patterns that merges reach: every product of a merged pattern is a product of ``masks``
    (module docstring), and a peel proof of ``V_T`` on it (:mod:`netalgebra.theorems.peel`) puts
    ``V_T`` inside ``L_I``, as a construction does.  Its search runs within ``budget`` as given (the
    decider gives it a share after the witness searches); None when nothing is found."""
    if len(masks) < 3:
        return None
    hyp = coordinate_subspace_proof(masks, budget, peels=True)
    return None if hyp is None else _subspace_fragment("deep_coordinate_subspace", hyp)


def _subspace_theorem(name, masks, budget):
    """The fragment ``name`` with the hypotheses of :func:`coordinate_subspace_proof` (bounded), or None."""
    hyp = _bounded(coordinate_subspace_proof, budget, masks)
    return None if hyp is None else _subspace_fragment(name, hyp)


def _subspace_fragment(name, hyp):
    peel_leaves = any("peel" in c for c in hyp.get("constructions", ()))
    peeled = "peel" in hyp or peel_leaves
    how = ("a rank-one peel proof (segments, and pivots split on whether the pivot entry of the remainder "
           "vanishes) writes every matrix of V_K as a sum of one rank-one term per hidden neuron within its "
           "rows x columns." if "peel" in hyp else
           "each construction merges pairs of layers by star assignments down to one layer of mask U, so V_U "
           "lies in L_I" + (" (or down to two layers, whose rank-one peel proof puts its covers U inside their "
                            "products, hence in L_I)" if peel_leaves else "") +
           "; the elimination nodes reduce V_K to such sets by row operations that I_L allows and column "
           "operations that I_1 allows.")
    return fragment(name, "L_I is the coordinate subspace V_K of the matrices supported on the boolean product K "
                    "of the masks (hence closed): " + how, hyp,
                    source="proved in netalgebra.theorems.subspace" + (" and netalgebra.theorems.peel"
                                                                        if peeled else ""))


def _bounded(search, budget, *args):
    """``search(*args, inner)`` within :data:`SEARCH_SHARE` of ``budget`` (at most
    :data:`MAX_SEARCH_SECONDS`): None when the share runs out, so that the routes after the
    theorems keep their time; a spent ``budget`` still raises."""
    return Budget.run_share(budget, SEARCH_SHARE, MAX_SEARCH_SECONDS, search, *args,
                            what="time (coordinate subspace)")


def _parameter_count_allows(masks, n_positions):
    """A necessary condition for ``L_I = V_K`` used as a filter (never as a proof): the image of the
    product map has dimension at most (number of live edges) - (number of live hidden neurons),
    since rescaling each hidden neuron keeps the product; it must reach ``|K|``."""
    live = live_neurons(masks)
    edges = sum(map(sum, (row for m in live_masks(masks, live) for row in m)))
    return edges - sum(len(live[l]) for l in range(1, len(masks))) >= n_positions


def coordinate_subspace_proof(masks, budget=None, peels=False):
    """The hypotheses of a proof that ``L_I = V_K`` (depth >= 2; see the module docstring), or None:
    constructions and elimination nodes, or for two layers when those fail a peel proof
    (:mod:`netalgebra.theorems.peel`; hypotheses ``{depth: 2, support, peel}``).  ``peels``
    (depth >= 3): elimination leaves may also be peel proofs on two-layer patterns that merges reach
    (:func:`_peel_patterns`; slower, so the decider runs it later, with its own share; a construction
    that covers a position set is still used first)."""
    L = len(masks)
    if L < 2 or max(len(m) for m in masks[:-1]) > MAX_WIDTH:
        return None
    K = _boolean_product(masks)
    Kset = frozenset(_mask_positions(K))
    if not Kset or len(Kset) > MAX_POSITIONS or not _parameter_count_allows(masks, len(Kset)):
        return None
    live = live_neurons(masks)
    # Dead neurons carry no product: the search runs on the live edges only.  An assignment valid
    # there is valid on the masks themselves (it uses a subset of each neuron's rows and columns).
    leaves = _constructions(live_masks(masks, live), budget, Kset)
    row_ops = _contained_lines(masks[-1], live[L - 1], by_rows=True)
    col_ops = _contained_lines(masks[0], live[1], by_rows=False)
    # with peels the elimination runs once, peel leaves offered where no construction covers
    nodes = _eliminate(Kset, leaves, row_ops, col_ops, budget) if leaves and not (peels and L >= 3) else None
    if nodes is None and L == 2:
        # two layers: rank-one peeling with case splits on pivots (netalgebra.theorems.peel)
        peel = peel_proof(masks[0], masks[1], Kset, budget)
        if peel is None:
            return None
        return {"depth": L, "support": [list(r) for r in K], "peel": peel}
    if nodes is None and peels:
        # deeper: leaves may also be peel proofs on two-layer patterns that merges reach
        nodes = _eliminate(Kset, leaves, row_ops, col_ops, budget, _peel_patterns(live_masks(masks, live), budget))
    if nodes is None:
        return None
    used = sorted({n["step"]["construction"] for n in nodes if "construction" in n["step"]})
    renum = {old: k for k, old in enumerate(used)}
    for n in nodes:
        if "construction" in n["step"]:
            n["step"]["construction"] = renum[n["step"]["construction"]]
    constructions = [dict({"merges": _merges_json(leaves[i][1]), "covers": sorted([r, c] for r, c in leaves[i][0])},
                          **({"peel": leaves[i][2]} if len(leaves[i]) > 2 else {})) for i in used]
    return {"depth": L, "support": [list(r) for r in K], "constructions": constructions, "elimination": nodes}


def _merges_json(merges):
    return [{"hidden_layer": l, "assignment": [[k, sorted([r, c] for r, c in T)] for k, T in steps]}
            for l, steps in merges]


def _choice_assignments(first, second, limit=MAX_CHOICES):
    """Star assignments of the pair (``first = I_l``, ``second = I_{l+1}``) in which every neuron
    keeps one input (its positions a column star: *in*) or feeds one output (a row star: *out*),
    as ``(U, steps)``, at most ``limit`` of each kind.  Valid: a star in one column (row) has no
    cross position outside itself.  These are the layer merges with a choice of the 1s of
    docs/mathematics.md ("Realisations through a merge or a sub-pattern"); they are not maximal,
    and the peel proofs of :func:`_peel_patterns` are often found on them alone."""
    R = [[r for r in range(len(second)) if second[r][k]] for k in range(len(first))]
    C = [[c for c in range(len(first[0])) if first[k][c]] for k in range(len(first))]
    ks = [k for k in range(len(first)) if R[k] and C[k]]
    out = []
    for kind, options in (("in", [C[k] for k in ks]), ("out", [R[k] for k in ks])):
        for chosen in islice(product(*options), limit):
            U, steps = set(), []
            for k, x in zip(ks, chosen):
                T = frozenset(((r, x) for r in R[k]) if kind == "in" else ((x, c) for c in C[k])) - U
                if T:
                    steps.append((k, T))
                    U |= T
            out.append((frozenset(U), steps))
    return out


def _two_layer_merges(masks, budget):
    """Pairs ``(two masks, merges)`` reached from ``masks`` (depth >= 3) by merging pairs of layers
    with star assignments (the largest ones and the choice assignments), each pattern once."""
    seen, out = set(), []

    def search(ms, merges):
        if len(out) >= MAX_MERGED or ms in seen:
            return
        seen.add(ms)
        if len(ms) == 2:
            out.append((ms, merges))
            return
        for l in range(1, len(ms)):
            first, second = ms[l - 1], ms[l]
            outcomes = {}
            for U, steps in star_assignments(first, second, budget)[:MAX_BRANCH] + _choice_assignments(first, second):
                outcomes.setdefault(U, steps)
            for U, steps in outcomes.items():
                search(ms[:l - 1] + (_mask(U, len(second), len(first[0])),) + ms[l + 1:], merges + [(l, steps)])

    search(tuple(masks), [])
    return out


def _peel_patterns(masks, budget):
    """``[K2, merges, PeelSearch]`` for the first :data:`MAX_PEEL_PATTERNS` two-layer patterns that
    merges reach from ``masks``, those with more edges first (measured on
    ``random:4,4,4,4:0.7:29``: its peel proofs of all of ``K`` are on merged patterns with 26 edges,
    none on those with 25).  The order only decides what is found first: a peel proof is checked
    as it stands."""
    found = _two_layer_merges(masks, budget)
    found.sort(key=lambda c: -sum(map(sum, c[0][0] + c[0][1])))
    return [[frozenset(_positions_of(ms)), merges, PeelSearch(*ms)] for ms, merges in found[:MAX_PEEL_PATTERNS]]


def _boolean_product(ms):
    """The boolean product ``I_L ... I_1`` of the masks ``ms`` (a mask)."""
    K = ms[0]
    for m in ms[1:]:
        K = merged_support(K, m)
    return K


def _mask_positions(K):
    return {(r, c) for r, row in enumerate(K) for c, x in enumerate(row) if x}


def _positions_of(ms):
    """The positions of the boolean product of the masks ``ms``."""
    return _mask_positions(_boolean_product(ms))


def deep_subchain_merge(masks, budget=None):
    """Depth >= 3: a run of consecutive layers ``a..b`` (at least two, not all) whose products form
    a coordinate subspace ``V_U`` (:func:`coordinate_subspace_proof` on the run; ``U`` its boolean
    product) is replaced by one layer of mask ``U``; the reduced pattern ``I'`` is closed by a
    theorem (``then``, found by :func:`closed_by_theorem`).

    Proof.  ``{W_b ... W_a} = V_U`` (the run's proof gives ``⊇``; every product is supported on
    the boolean product).  The run's weights are disjoint from the others', so
    ``L_I = {W_L ... W_{b+1} X W_{a-1} ... W_1 : X ∈ V_U} = L_{I'}``: the same set, so ``L_I`` is
    closed iff ``L_{I'}`` is, and ``then`` proves it.  The search is
    :func:`netalgebra.theorems.subchain_cover.replaced_run`, shared with ``deep_subchain_cover``.
    """
    if len(masks) < 3:
        return None
    return _bounded(_subchain_merge, budget, masks)


MERGE_STATEMENT = ("The products of layers {a}..{b} are exactly the matrices supported on their boolean product U "
                   "(proof 'subspace', as for deep_coordinate_subspace, or for a run of two layers a rank-one "
                   "peel proof); replacing those layers by one layer of mask U leaves L_I unchanged, and the "
                   "reduced pattern is closed by the theorem 'then'.")


def _subchain_merge(masks, budget):
    # imported here: that module brings the rational-cover search, kept off the start path
    from netalgebra.theorems.subchain_cover import replaced_run

    return replaced_run(masks, budget, coordinate_subspace_proof, name="deep_subchain_merge", key="subspace",
                        statement=MERGE_STATEMENT, source="proved in netalgebra.theorems.subspace.deep_subchain_merge",
                        what="time (sub-chain merge)")
