"""Checker of ``deep_coordinate_subspace``: ``L_I = V_K`` (proved in
:mod:`netalgebra.theorems.subspace`; docs/mathematics.md, "deep_coordinate_subspace").

Replayed with the verifier's own code: ``K`` (the boolean product of the masks), every
construction (its merges, each a star assignment re-checked against the current masks, down to
one layer whose mask is the construction's ``covers``, or to two layers with a peel proof whose
root holds the ``covers``), and every elimination node (the row or
column operation allowed by ``I_L`` / ``I_1`` on live neurons, the pivot and cleared positions,
the children's position sets; a leaf's positions inside its construction's ``covers``).
Children come after their node, so the proof is finite.  For two layers the hypotheses may hold
a rank-one peel proof (``peel``) instead, replayed by :mod:`netalgebra.certificate.peel`.
"""

from netalgebra.certificate.kernel import Malformed, live_neurons
from netalgebra.certificate.merge import _boolean_product
from netalgebra.certificate.peel import check_peel
from netalgebra.certificate.subchain_cover import check_replaced_run

__all__ = ["check_coordinate_subspace", "check_subchain_merge"]


def _index(x, bound, where):
    if type(x) is not int or not 0 <= x < bound:
        raise Malformed(f"{where}: expected an index below {bound}")
    return x


def _positions(obj, n_rows, n_cols, where):
    """A list of distinct ``[r, c]`` inside the shape, as a set of tuples."""
    if not isinstance(obj, list):
        raise Malformed(f"{where}: expected a list of [row, column] positions")
    out = set()
    for p in obj:
        if not (isinstance(p, list) and len(p) == 2):
            raise Malformed(f"{where}: expected [row, column] pairs")
        out.add((_index(p[0], n_rows, where), _index(p[1], n_cols, where)))
    if len(out) != len(obj):
        raise Malformed(f"{where}: repeated position")
    return out


def _star_components(T):
    """Whether every component of T (positions adjacent when they share a row or a column)
    lies in one row or one column, by growing each component from its smallest position."""
    left = set(T)
    while left:
        comp, frontier = set(), [min(left)]
        while frontier:
            e = frontier.pop()
            if e not in comp:
                comp.add(e)
                frontier.extend(f for f in left if f[0] == e[0] or f[1] == e[1])
        left -= comp
        if len({r for r, _ in comp}) > 1 and len({c for _, c in comp}) > 1:
            return False
    return True


def _replay_assignment(first, second, assignment, where):
    """The positions ``U`` a star assignment of the pair (``first = I_l``, ``second = I_{l+1}``)
    covers, or a Malformed naming the first violated condition."""
    if not isinstance(assignment, list) or not assignment:
        raise Malformed(f"{where}: expected a non-empty list of [neuron, positions]")
    n_rows, n_mid, n_cols = len(second), len(first), len(first[0])
    U, used = set(), set()
    for s, item in enumerate(assignment):
        at = f"{where}[{s}]"
        if not (isinstance(item, list) and len(item) == 2):
            raise Malformed(f"{at}: expected [neuron, positions]")
        k = _index(item[0], n_mid, at)
        if k in used:
            raise Malformed(f"{at}: neuron {k} assigned twice")
        used.add(k)
        T = _positions(item[1], n_rows, n_cols, at)
        if not T:
            raise Malformed(f"{at}: empty set of positions")
        if any(not (second[r][k] and first[k][c]) for r, c in T):
            raise Malformed(f"{at}: a position outside the rows x columns of neuron {k}")
        if T & U:
            raise Malformed(f"{at}: a position already covered")
        if not _star_components(T):
            raise Malformed(f"{at}: a component of the positions spans two rows and two columns")
        rows, cols = {r for r, _ in T}, {c for _, c in T}
        if any((r, c) not in T and (r, c) not in U for r in rows for c in cols):
            raise Malformed(f"{at}: a cross position of the stars is not covered earlier")
        U |= T
    return U


def _replay_construction(masks, con, where, report, budget):
    """The positions a construction covers: those of the one-layer mask its merges end with, or,
    when they end with two layers and the construction holds a ``peel`` proof, its stored
    ``covers``, which the peel proof (replayed on those two layers, its root holding exactly the
    covers) puts inside their products."""
    if not isinstance(con, dict) or not isinstance(con.get("merges"), list):
        raise Malformed(f"{where}: expected {{'merges': [...], 'covers': [...]}}")
    ms = [list(map(list, m)) for m in masks]
    for t, merge in enumerate(con["merges"]):
        at = f"{where}.merges[{t}]"
        if not isinstance(merge, dict):
            raise Malformed(f"{at}: expected {{'hidden_layer', 'assignment'}}")
        l = merge.get("hidden_layer")
        if type(l) is not int or not 1 <= l < len(ms):
            raise Malformed(f"{at}: hidden layer outside 1..{len(ms) - 1}")
        first, second = ms[l - 1], ms[l]
        U = _replay_assignment(first, second, merge.get("assignment"), f"{at}.assignment")
        merged = [[int((r, c) in U) for c in range(len(first[0]))] for r in range(len(second))]
        ms = ms[:l - 1] + [merged] + ms[l + 1:]
    n_rows, n_cols = len(ms[-1]), len(ms[0][0])
    stored = _positions(con.get("covers"), n_rows, n_cols, f"{where}.covers")
    if "peel" in con:
        if len(ms) != 2:
            raise Malformed(f"{where}: a peel proof ends merges with two layers, not {len(ms)}")
        check_peel(con["peel"], ms[0], ms[1], stored, report, budget)     # its root holds the covers
        return stored
    if len(ms) != 1:
        raise Malformed(f"{where}: the merges end with {len(ms)} layers, not one")
    if stored != {(r, c) for r, row in enumerate(ms[0]) for c, x in enumerate(row) if x}:
        raise Malformed(f"{where}.covers: not the positions the merges cover")
    return stored


def _contained(lines, j, i):
    return lines[j] <= lines[i]


def _check_node(node_id, node, nodes, T, covers, row_lines, col_lines, where):
    """Re-check one elimination node (see the module docstring); raises Malformed on a failure."""
    step = node.get("step")
    if not isinstance(step, dict):
        raise Malformed(f"{where}.step: expected an object")
    if "construction" in step:
        k = _index(step["construction"], len(covers), f"{where}.construction")
        if not T <= covers[k]:
            raise Malformed(f"{where}: positions outside construction {k}")
        return
    if "row_op" in step:
        op, line_key, lines = step["row_op"], "column", row_lines
    elif "column_op" in step:
        op, line_key, lines = step["column_op"], "row", col_lines
    else:
        raise Malformed(f"{where}.step: expected 'construction', 'row_op' or 'column_op'")
    if not (isinstance(op, list) and len(op) == 2):
        raise Malformed(f"{where}: expected an operation [target, source]")
    i, j = _index(op[0], len(lines), where), _index(op[1], len(lines), where)
    if i == j or not _contained(lines, j, i):
        raise Malformed(f"{where}: line {j} of the mask is not contained in line {i} on the live neurons")
    x = step.get(line_key)
    if type(x) is not int:
        raise Malformed(f"{where}.{line_key}: expected an index")
    as_pos = (lambda a, b: (a, b)) if line_key == "column" else (lambda a, b: (b, a))
    pivot, cleared = as_pos(j, x), as_pos(i, x)
    if pivot not in T or cleared not in T:
        raise Malformed(f"{where}: pivot or cleared position not among the positions")
    along, other = (0, 1) if line_key == "column" else (1, 0)      # a line is a row (or a column) of T
    if not {p[other] for p in T if p[along] == j} <= {p[other] for p in T if p[along] == i}:
        raise Malformed(f"{where}: the positions of line {j} are not contained in those of line {i}")
    for key, expect in (("nonzero", T - {cleared}), ("zero", T - {pivot})):
        child = step.get(key)
        if type(child) is not int or not node_id < child < len(nodes):
            raise Malformed(f"{where}.{key}: expected the index of a later node")
        if nodes[child] != expect:
            raise Malformed(f"{where}.{key}: node {child} does not hold the expected positions")


def check_coordinate_subspace(hypotheses, masks, question, report, budget):
    """``deep_coordinate_subspace`` (and ``shallow_coordinate_subspace``, two layers): replay of the
    constructions and of the elimination, or of the peel proof."""
    L = len(masks)
    K = masks[0]
    for m in masks[1:]:
        K = _boolean_product(m, K)
    Kset = {(r, c) for r, row in enumerate(K) for c, x in enumerate(row) if x}
    report.check("support: the boolean product of the masks", hypotheses.get("support") == [list(r) for r in K])
    if "peel" in hypotheses:           # two layers: a rank-one peel proof instead of constructions
        if L != 2:
            raise Malformed("theorem.hypotheses.peel: a peel proof is for two layers")
        check_peel(hypotheses["peel"], masks[0], masks[1], Kset, report, budget)
        return
    cons = hypotheses.get("constructions")
    if not isinstance(cons, list) or not cons:
        raise Malformed("theorem.hypotheses.constructions: expected a non-empty list")
    covers = []
    for t, con in enumerate(cons):
        if budget is not None:
            budget.check("time (coordinate subspace)")
        covers.append(_replay_construction(masks, con, f"constructions[{t}]", report, budget))
    report.check("constructions: every merge is a valid star assignment, ending with one layer or with two "
                 "layers and a peel proof", True, f"{len(covers)} construction(s)")
    nodes = hypotheses.get("elimination")
    if not isinstance(nodes, list) or not nodes:
        raise Malformed("theorem.hypotheses.elimination: expected a non-empty list of nodes")
    n_out, n_in = len(K), len(K[0])
    sets = []
    for t, node in enumerate(nodes):
        if not isinstance(node, dict):
            raise Malformed(f"elimination[{t}]: expected an object")
        sets.append(frozenset(_positions(node.get("positions"), n_out, n_in, f"elimination[{t}].positions")))
    report.check("elimination: the root holds the positions of K", sets[0] == Kset)
    live = live_neurons(masks)
    row_lines = [{n for n in live[L - 1] if row[n]} for row in masks[-1]]
    col_lines = [{n for n in live[1] if masks[0][n][c]} for c in range(n_in)]
    for t, node in enumerate(nodes):
        if budget is not None and t % 256 == 0:
            budget.check("time (coordinate subspace)")
        _check_node(t, node, sets, sets[t], covers, row_lines, col_lines, f"elimination[{t}]")
    report.check("elimination: every node is a leaf inside a construction or a valid row/column operation",
                 True, f"{len(nodes)} node(s)")


def check_subchain_merge(hypotheses, masks, question, report, budget):
    """``deep_subchain_merge``: the run of layers ``first_layer..last_layer`` (1-based, at least two,
    not all) is a coordinate subspace by the nested proof (replayed as for
    ``deep_coordinate_subspace`` on the run's masks); the reduced pattern, with the run replaced by
    its boolean product, is closed by the nested theorem ``then`` (checked through the registry;
    the replacement and the recorded depth are :func:`netalgebra.certificate.subchain_cover.check_replaced_run`)."""
    def check_run(run):
        sub = hypotheses.get("subspace")
        if not isinstance(sub, dict):
            raise Malformed("theorem.hypotheses.subspace: expected the run's proof")
        check_coordinate_subspace(sub, run, question, report, budget)

    check_replaced_run(hypotheses, masks, question, report, budget, check_run,
                       "layers {a}..{b} replaced by their boolean product")
