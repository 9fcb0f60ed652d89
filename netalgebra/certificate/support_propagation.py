"""Checker of ``non_attainment`` by support propagation at a cut (method ``"support_propagation"``).

The lemma is proved in :mod:`netalgebra.decide.support_witness`: every product is ``C D`` with
``C = W_L ... W_{h+1}`` and ``D = W_h ... W_1`` supported on the boolean products of their layers,
so a target ``A`` that no such pair ``(C, D)`` multiplies to is not in ``L_I``; a case tree on which
entries of ``C`` and ``D`` are zero, whose every leaf's assumptions close under rules (R1), (R2) to a
contradiction, shows that no pair has the zero/non-zero pattern of ``A``.

Re-checked here with this module's own code (deliberately not shared with the decider's
:func:`netalgebra.decide.support_witness.closure`, as in :mod:`netalgebra.certificate.kernel`): the boolean products and the terms of every entry
(from the certificate's masks), and at every leaf the closure of the branch's assumptions.
Object: ``{"method": "support_propagation", "cut": h, "tree": node}``, ``1 <= h < L``; a node is
``{"contradiction": true}`` or ``{"split": ["C", r, n] | ["D", n, c], "zero": node, "nonzero": node}``.
"""

from netalgebra.certificate.kernel import Malformed

__all__ = ["check_support_propagation", "MAX_NODES"]

MAX_NODES = 4096        # nodes of a case tree the checker walks at most (a larger tree is rejected)


def _product_support(masks):
    """Boolean product ``I_k ... I_1`` of ``masks`` (first layer first), as a set of positions."""
    rows = len(masks[0][0])
    reach = {(j, j) for j in range(rows)}                 # (neuron, input) pairs joined by a path
    for m in masks:
        reach = {(i, j) for (k, j) in reach for i in range(len(m)) if m[i][k]}
    return reach


def _terms(masks, h):
    """``{(r, c): [(C-variable, D-variable), ...]}`` at the cut after hidden layer ``h``."""
    ud, uc = _product_support(masks[:h]), _product_support(masks[h:])
    out = {}
    for (r, n) in uc:
        for (n2, c) in ud:
            if n2 == n:
                out.setdefault((r, c), []).append((("C", r, n), ("D", n, c)))
    return out


def _contradicts(terms, nonzero_entries, zero, nonzero):
    """Whether the closure of ``(zero, nonzero)`` under (R1), (R2) holds a contradiction."""
    zero, nonzero = set(zero), set(nonzero)
    if zero & nonzero:
        return True
    if any(e not in terms for e in nonzero_entries):
        return True                  # an entry A != 0 that no term reaches
    while True:
        grew = False
        for e, ts in terms.items():
            live = [t for t in ts if t[0] not in zero and t[1] not in zero]
            if e in nonzero_entries:
                if not live:
                    return True
                for v in live[0]:
                    if all(v in t for t in live) and v not in nonzero:
                        nonzero.add(v)
                        grew = True
            elif len(live) == 1:
                open_ = [v for v in live[0] if v not in nonzero]
                if not open_:
                    return True
                if len(open_) == 1 and open_[0] not in zero:
                    zero.add(open_[0])
                    grew = True
        if zero & nonzero:
            return True
        if not grew:
            return False


def _variable(obj, variables, where):
    v = tuple(obj) if isinstance(obj, list) and all(isinstance(x, (str, int)) for x in obj) else None
    if v not in variables:
        raise Malformed(f"{where}: expected a variable of a term at the cut, ['C', row, neuron] or "
                        "['D', neuron, column]")
    return v


def check_support_propagation(na, masks, A, report, budget=None):
    """Re-check the case tree ``na`` (see the module docstring) for the target ``A``."""
    L = len(masks)
    h = na.get("cut")
    if type(h) is not int or not 1 <= h < L:
        raise Malformed(f"non_attainment.cut: expected a hidden layer 1..{L - 1}")
    terms = _terms(masks, h)
    variables = {v for ts in terms.values() for t in ts for v in t}
    nonzero_entries = {(r, c) for r, row in enumerate(A) for c, x in enumerate(row) if x != 0}
    count = 0
    stack = [(na.get("tree"), frozenset(), frozenset(), "non_attainment.tree")]
    while stack:
        node, zero, nonzero, where = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise Malformed(f"non_attainment.tree: more than {MAX_NODES} nodes")
        if budget is not None and count % 64 == 0:
            budget.check("time (support propagation)")
        if not isinstance(node, dict):
            raise Malformed(f"{where}: expected an object")
        if node.get("contradiction") is True and len(node) == 1:
            if not _contradicts(terms, nonzero_entries, zero, nonzero):
                report.check("support propagation: every leaf closes to a contradiction", False,
                             f"{where}: no contradiction")
                return
            continue
        v = _variable(node.get("split"), variables, f"{where}.split")
        stack.append((node.get("zero"), zero | {v}, nonzero, f"{where}.zero"))
        stack.append((node.get("nonzero"), zero, nonzero | {v}, f"{where}.nonzero"))
    report.check("support propagation: every leaf closes to a contradiction (no product C D at the cut after "
                 f"hidden layer {h} has the target's zero pattern, so A is not in L_I)", True, f"{count} node(s)")
