"""Checkers of the theorems about one layer and one hidden layer (proved in :mod:`netalgebra.theorems`).

Each checker re-checks, from the masks, the hypotheses of the theorem it is registered for in
:mod:`netalgebra.certificate.closed`; the signature is ``(hypotheses, masks, question, report,
budget) -> None``.  For one hidden layer, neuron ``k`` reads the input columns ``C_k`` and
reaches the output rows ``R_k`` (:func:`netalgebra.certificate.kernel.supports`).
"""

from itertools import combinations

from netalgebra.certificate import determinantal
from netalgebra.certificate.kernel import Malformed, supports, widths

__all__ = ["require_depth_two", "check_one_layer", "check_scalar_output", "check_two_points",
           "check_support_groups", "check_free_lines"]


def require_depth_two(masks, report):
    """Fail ``hypothesis: depth 2`` unless the network has one hidden layer; returns whether it has."""
    if len(masks) != 2:
        report.check("hypothesis: depth 2", False, f"depth {len(masks)}")
        return False
    return True


def check_one_layer(hypotheses, masks, question, report, budget):
    """``one_layer``: the depth is 1 (L_I is a coordinate subspace; for ``relu_points``, F_I(Omega)
    is the image of the linear map (W, b) -> (W x + b)_{x in Omega})."""
    report.check("hypothesis: depth 1", len(masks) == 1, f"depth {len(masks)}")


def check_scalar_output(hypotheses, masks, question, report, budget):
    """``shallow_scalar_output``: one hidden layer and N_2 = 1 (the paper's theorem for
    one-hidden-layer networks of output dimension one: F_I(Omega) is closed for every finite
    Omega; L_I is a coordinate subspace)."""
    w = widths(masks)
    report.check("hypothesis: one hidden layer, scalar output", len(masks) == 2 and w[2] == 1, f"widths {w}")


def check_two_points(hypotheses, masks, question, report, budget):
    """``shallow_two_points`` (question ``relu_points`` only): one hidden layer and at most two
    training points (counted in the certificate's own ``points``)."""
    L, n = len(masks), len(question.points)
    report.check("hypothesis: one hidden layer, at most two points", L == 2 and n <= 2,
                 f"depth {L}, {n} point(s)")


def _identical(neurons, R, C, group):
    return all(R[k] == R[neurons[0]] and C[k] == C[neurons[0]] for k in neurons)


def _subspace(neurons, R, C, group):
    return all(len(R[k]) == 1 or len(C[k]) == 1 for k in neurons)


def _full_rectangle(neurons, R, C, group):
    """Replay the rank peeling (proof in netalgebra.theorems.shallow_support_groups (c)): every
    step needs rho > deficiency |R - R_k| + |C - C_k|, and the peeling empties R x C."""
    rows = frozenset().union(*(R[k] for k in neurons))
    cols = frozenset().union(*(C[k] for k in neurons))
    order = group.get("peeling_order")
    if not isinstance(order, list) or not set(order) <= set(neurons) or len(set(order)) != len(order):
        raise Malformed("theorem.hypotheses.groups: full_rectangle needs a 'peeling_order' of its neurons")
    rho = min(len(rows), len(cols))
    for k in order:
        if not rho > len(rows - R[k]) + len(cols - C[k]):
            return False
        rho -= 1
    return rho == 0


# group kind -> (neurons, R, C, group) -> bool: the group's L_g is closed
_GROUP_KINDS = {"identical": _identical, "subspace": _subspace, "full_rectangle": _full_rectangle,
                "determinantal": determinantal.group_holds}


def check_support_groups(hypotheses, masks, question, report, budget):
    """``shallow_support_groups``: one hidden layer; the live hidden neurons split into groups whose
    rank-one supports R_k x C_k are disjoint across groups, and inside a group either all supports
    are identical, or each has a single row or a single column, or the group's rank peeling
    (replayed in the given order) empties its rectangle R x C, or (kind ``determinantal``) the
    group's ``rank`` is min(#neurons, #rows, #cols) and its proof tree replays
    (:mod:`netalgebra.certificate.determinantal`)."""
    if not require_depth_two(masks, report):
        return
    w = widths(masks)
    R, C = supports(masks)
    live = [k for k in range(w[1]) if R[k] and C[k]]
    groups = hypotheses.get("groups")
    if not isinstance(groups, list):
        raise Malformed("theorem.hypotheses.groups: expected a list of {neurons, kind}")
    seen = []
    kinds_ok = True
    for g in groups:
        ns = g.get("neurons") if isinstance(g, dict) else None
        if not isinstance(ns, list) or not all(isinstance(k, int) and 0 <= k < w[1] for k in ns) or not ns:
            raise Malformed("theorem.hypotheses.groups: each group needs a non-empty 'neurons' list")
        seen.extend(ns)
        kind = g.get("kind")
        holds = _GROUP_KINDS.get(kind) if isinstance(kind, str) else None
        if holds is None:
            kinds_ok = False
        else:
            kinds_ok &= holds(ns, R, C, g)     # every group is replayed (a malformed one raises)
    report.check("groups partition the live hidden neurons", sorted(seen) == sorted(live),
                 f"live neurons {live}")
    report.check("each group satisfies its kind (identical, subspace, full_rectangle, determinantal)", kinds_ok)
    disjoint = True
    for a, b in combinations(range(len(groups)), 2):
        for k in groups[a]["neurons"]:
            for m in groups[b]["neurons"]:
                if (R[k] & R[m]) and (C[k] & C[m]):
                    disjoint = False
    report.check("supports of different groups are disjoint", disjoint)


def check_free_lines(hypotheses, masks, question, report, budget):
    """``shallow_free_lines``: one hidden layer; replaying the listed steps (an output row r whose
    only-row neuron k reads everything the row's neurons read, or the transposed column step)
    and zeroing those lines leaves a pattern closed by the nested theorem ``then`` (checked
    recursively through the registry)."""
    from netalgebra.certificate.closed import check_theorem   # closed's registry imports this module

    if not require_depth_two(masks, report):
        return
    w = widths(masks)
    steps, inner = hypotheses.get("steps"), hypotheses.get("then")
    if not isinstance(steps, list) or not steps or not isinstance(inner, dict):
        raise Malformed("theorem.hypotheses: 'steps' (non-empty list) and 'then' (a theorem) are required")
    M1 = [list(r) for r in masks[0]]
    M2 = [list(r) for r in masks[1]]
    ok = True
    for st in steps:
        if not (isinstance(st, list) and len(st) == 3 and st[0] in ("row", "col")
                and all(isinstance(x, int) for x in st[1:])):
            raise Malformed(f"theorem.hypotheses.steps: bad step {st!r}")
        kind, line, k = st
        if not 0 <= k < w[1] or not 0 <= line < (w[2] if kind == "row" else w[0]):
            raise Malformed(f"theorem.hypotheses.steps: step {st!r} out of range")
        Rs, Cs = supports((M1, M2))
        if kind == "row":
            good = Rs[k] == {line} and all(Cs[j] <= Cs[k] for j in range(w[1]) if M2[line][j])
            M2[line] = [0] * w[1]
        else:
            good = Cs[k] == {line} and all(Rs[j] <= Rs[k] for j in range(w[1]) if M1[j][line])
            for j in range(w[1]):
                M1[j][line] = 0
        ok &= good
    report.check("free-line reduction steps", ok, f"{len(steps)} step(s)")
    check_theorem(inner, [tuple(map(tuple, M1)), tuple(map(tuple, M2))], question, report, budget)
