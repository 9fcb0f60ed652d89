"""Witnesses of non-closedness and the points of the set that approach them.

Segment search (:mod:`cad.topology.closedness`, step 5): on lines between rational samples of
true and false cells, a point where the set is false at the end of an open interval where it is
true lies in ``cl(S) \\ S``.  Approaching points (step 8): along that line, or else CAD samples
of the set in shrinking boxes around the witness.  Every point is checked by exact evaluation.
"""

from flint import fmpq

from cad import logic
from cad.numbers.real_algebraic import RealAlgebraic
from cad.errors import InternalError
from cad.poly import PolyRing
from cad.numbers.rational import (
    integer_ceil_above,
    integer_floor_below,
    is_rational,
    lower_gap,
    rational_near,
    rational_value,
    simplify,
)
from cad.numbers.real_algebraic import affine_image
from cad.topology.points import box_point, capped_true_cells, dist_lower
from cad.topology.result import format_point
from cad.topology.syntax import cad_polynomials, fresh_name, used_variables

SEGMENT_CAD_CELLS = 4000   # cell budget of the CAD whose samples end the segments
SEGMENT_PAIRS = 60         # at most this many (true sample, false sample) lines


def _line_formula(S, ring, names, p, q):
    """``S(p + t (q - p))`` as a formula of the one-variable ring (t)."""
    taken = set(ring.variables)
    t = fresh_name("t", taken)
    big = PolyRing(tuple(ring.variables) + (t,))
    T = big.qctx.gens()[big.index(t)]
    sub = {v: big.qctx.constant(p[v]) + (q[v] - p[v]) * T for v in names}
    g = logic.substitute(logic.to_ring(S, big), sub, big)
    tring = PolyRing((t,))
    return tring, logic.to_ring(g, tring), t


def segment_analysis(S, ring, names, p, q):
    """Look for ``t0`` with S false at ``p + t0 v`` and true on an adjacent open interval.

    Returns ``(t0, side, neighbour)`` (``side`` = -1 when the true interval lies below ``t0``;
    ``neighbour`` = the next critical value on that side or None) or None."""
    tring, g, t = _line_formula(S, ring, names, p, q)
    if isinstance(g, logic.Truth):
        return None
    roots = []
    for poly in cad_polynomials(g):
        u = tring.to_univariate(poly)
        roots.extend(RealAlgebraic.roots_of(u))
    roots = sorted(set(roots))
    if not roots:
        return None

    def holds(x):
        return logic.evaluate(g, tring, {t: simplify(x)})

    # truth on the intervals between consecutive roots (rational interior points)
    mids = [integer_floor_below(roots[0])]
    for a, b in zip(roots, roots[1:]):
        mids.append(a.midpoint_between(b))
    mids.append(roots[-1].midpoint_between(integer_ceil_above(roots[-1])))
    tv_int = [holds(m) for m in mids]
    # prefer t0 = 1 (the rational false sample q itself), then rational roots, then the rest
    order = sorted(range(len(roots)), key=lambda i: (roots[i] != 1, not roots[i].is_rational))
    for i in order:
        r = roots[i]
        if holds(r):
            continue
        if tv_int[i]:
            return r, -1, (roots[i - 1] if i > 0 else None)
        if tv_int[i + 1]:
            return r, 1, (roots[i + 1] if i + 1 < len(roots) else None)
    return None


def segment_witness(S, ring, budget, stats):
    """Witness by lines between samples of true and false cells (None if not found).

    Returns ``(witness, p, q, t0, side, neighbour)``: the witness is ``p + t0 (q - p)``, see
    :func:`segment_analysis` for the rest."""
    names = used_variables(S, ring)
    if not names:
        return None
    cells = capped_true_cells(S, ring, names, budget, SEGMENT_CAD_CELLS)
    if cells is None:
        return None
    stats["segment_cells"] = len(cells)
    trues = [pt for c, pt, v in cells if v and all(is_rational(x) for x in pt.values())]
    falses = [(c, pt) for c, pt, v in cells if not v and all(is_rational(x) for x in pt.values())]
    if not trues or not falses:
        return None
    # low-dimensional false cells first (boundary pieces), nearest true samples first
    falses.sort(key=lambda cp: cp[0].dimension)
    tried = 0
    for _c, q in falses:
        near = sorted(trues, key=lambda p: max(abs(p[v] - q[v]) for v in names))[:3]
        for p in near:
            budget.check()
            tried += 1
            if tried > SEGMENT_PAIRS:
                return None
            hit = segment_analysis(S, ring, names, p, q)
            if hit is None:
                continue
            t0, side, neighbour = hit
            w = {v: simplify(affine_image(t0, p[v], q[v] - p[v])) for v in names}
            stats["segment_pairs"] = tried
            return w, p, q, t0, side, neighbour
    stats["segment_pairs"] = tried
    return None


def segment_approach(S, ring, names, p, q, t0, side, neighbour):
    """Approach rule along the line: t_k = t0 + side 2^-(k+1)/|v| (k >= k0).

    Returns ``(point, rule)``: ``point(k)`` is the ``k``-th point, ``rule`` says how."""
    vnorm = max(abs(q[v] - p[v]) for v in names)
    # k0: t0 + side 2^-(k0+1)/|v| must stay strictly inside the true interval
    k0 = 0
    if neighbour is not None:
        gap = lower_gap(neighbour, t0)
        while fmpq(1, 2 ** (k0 + 1)) / vnorm >= gap:
            k0 += 1

    def point(k):
        kk = k0 + k
        step = fmpq(1, 2 ** (kk + 1)) / vnorm
        if is_rational(t0):
            tk = rational_value(t0) + side * step
        else:
            # a rational endpoint of t0's isolating interval on the true side, within step
            t0.refine(step / 2)
            lo, hi = map(fmpq, t0.interval)
            tk = hi if side > 0 else lo
            if tk == t0:
                tk = rational_value(t0) + side * step
        pt = {v: fmpq(0) for v in ring.variables}
        for v in names:
            pt[v] = p[v] + tk * (q[v] - p[v])
        if not logic.evaluate(S, ring, pt):
            raise InternalError("an approaching point is not in the set")
        return pt

    rule = (f"points p + t_k (q - p) with p = {format_point(p)}, q = {format_point(q)}, "
            f"t_k = t0 {'+' if side > 0 else '-'} 2^-(k+{k0 + 1}) / {vnorm} (max-norm distance "
            f"2^-(k+{k0 + 1}) to the witness)")
    return point, rule


def epsilon_approach(S, ring, names, w, budget):
    """Approach rule around any witness ``w``: CAD samples of ``S`` in shrinking open boxes.

    Returns ``(point, rule)`` as :func:`segment_approach`."""
    state = {"points": [], "radius": []}

    def point(k):
        pts = state["points"]
        while len(pts) <= k:
            j = len(pts)
            r = fmpq(1, 2 ** j)
            if pts:
                r = min(r, dist_lower(pts[-1], w) / 2)
            if all(is_rational(w[v]) for v in names):
                center, rad = {v: rational_value(w[v]) for v in names}, r
            else:
                center = {v: rational_near(w[v], r / 4) for v in names}
                rad = r / 2
            pt = box_point(S, ring, names, center, rad, budget)
            if pt is None:
                raise InternalError("no point of the set near the witness")
            if not logic.evaluate(S, ring, pt):
                raise InternalError("an approaching point is not in the set")
            pts.append(pt)
            state["radius"].append(r)
        return pts[k]

    rule = ("a CAD sample of S inside the open max-norm box of radius r_k = min(2^-k, d_{k-1}/2) "
            "around the witness (d_{k-1}: rational lower bound of the previous distance)")
    return point, rule
