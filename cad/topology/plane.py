"""Closedness and closure of sets in at most two coordinates by CAD adjacency.

*Lemma (frontier condition in the plane)*: see :func:`plane_route`.  Cells that the
combinatorics of the CAD cannot place are decided by the epsilon sentence at their sample
(:func:`point_in_closure`).
"""

from flint import fmpq

from cad import logic
from cad.poly import PolyRing
from cad.numbers.rational import is_rational, rational_value
from cad.decomposition import cad
from cad.elimination import decide
from cad.topology.points import cell_point
from cad.topology.syntax import cad_polynomials, fresh_name, used_variables


def point_in_closure(S, ring, names, pt, budget):
    """Exact test ``pt in cl(S)`` by the epsilon sentence at the point: rational coordinates are
    substituted (``(A e)(E d)[e <= 0 \\/ (S(pt + d) /\\ -e < d_i < e)]``, |names| + 1 variables);
    an irrational coordinate ``a`` becomes an existential variable pinned by its minimal
    polynomial and isolating interval (``m(x) = 0 /\\ lo < x < hi`` has exactly the solution
    ``a``)."""
    taken = set(ring.variables)
    e = fresh_name("e", taken)
    ds = [fresh_name("d", taken) for _ in names]
    pinned = [v for v in names if not is_rational(pt[v])]
    big = PolyRing(tuple(pinned) + (e,) + tuple(ds)
                   + tuple(v for v in ring.variables if v not in pinned))
    E = big.gen(e)
    sub = {}
    for v, d in zip(names, ds):
        if is_rational(pt[v]):
            base = big.qctx.constant(rational_value(pt[v]))
        else:
            base = big.qctx.gens()[big.index(v)]
        sub[v] = base + big.qctx.gens()[big.index(d)]
    Sd = logic.substitute(logic.to_ring(S, big), sub, big)
    box = []
    for d in ds:
        box += [logic.Atom(big.gen(d) - E, "<"), logic.Atom(big.gen(d) + E, ">")]
    body = logic.Forall((e,), logic.disj(logic.Atom(E, "<="), logic.exists(tuple(ds), logic.conj(Sd, *box))))
    pins = []
    for v in pinned:
        a = pt[v]
        X = big.gen(v)
        m = a.poly
        poly = big.ctx.constant(0)
        for i, c in enumerate(m.coeffs()):
            if c:
                poly += int(c) * X ** i
        lo, hi = map(fmpq, a.interval)
        pins += [logic.Atom(poly, "="), logic.Atom(X * int(lo.q) - int(lo.p), ">"),
                 logic.Atom(X * int(hi.q) - int(hi.p), "<")]
    sentence = logic.exists(tuple(pinned), logic.conj(*pins, body)) if pinned else body
    return decide(logic.Problem(big, (), sentence), budget=budget)


def plane_route(S, ring, budget):
    """Closedness for sets in at most two (used) coordinates by the frontier condition.

    *Lemma (frontier condition in the plane).*  Let the CAD of ``R^2`` (order ``x, y``) be built
    from irreducible projection factors (level 2: positive degree in ``y``; level 1 containing
    leading coefficients, discriminants and resultants).  (i) No level-2 factor ``f`` vanishes
    identically over a point ``x = a``: that would make ``x - a`` divide the irreducible ``f`` of
    positive ``y``-degree.  (ii) Over an interval cell ``(a, b)`` the sections are continuous root
    functions; each has a limit in ``R u {+-oo}`` as ``x -> a+`` (semialgebraic functions are
    eventually monotone) and a finite limit ``L`` satisfies ``f(a, L) = 0`` by continuity, so
    ``(a, L)`` is a section over ``a``.  Hence the closure of every cell is a union of cells, and
    so is ``cl(S)`` for ``S`` a union of cells: a false cell is in ``cl(S)`` iff one of its
    points (the sample) is.  (In ``R^1`` the same holds trivially.)

    The test per false cell ``C`` is combinatorial where possible: a full-dimensional false cell
    is open and misses ``cl(S)``; a cell of the stack over an interval is only in the closure of
    its neighbours in that stack (closures of cells over other base cells lie over other
    base cells' closures, which miss the open interval); a cell over a point ``x = a`` whose
    own stack neighbours are false and whose neighbouring cylinders contain no true cell is not
    in ``cl(S)``.  The remaining cells are tested exactly by :func:`point_in_closure`.

    Returns ``(closed, witness or None, ncells, ntested)``."""
    frontier_cells, _others, D, tested = plane_classify(S, ring, budget, first_only=True)
    nleaves = sum(1 for _ in D.leaves())
    if frontier_cells:
        return False, cell_point(frontier_cells[0], D.variables), nleaves, tested
    return True, None, nleaves, tested


def plane_classify(S, ring, budget, first_only=False):
    """Classify the false leaves of a CAD of ``S`` (at most 2 used variables) into those inside
    ``cl(S)`` and the others (proof: :func:`plane_route`).  Returns ``(in_closure, others, D,
    ntested)``; with ``first_only`` stops at the first cell in the closure."""
    names = used_variables(S, ring)
    D = cad(cad_polynomials(S), names, budget=budget)
    truth = {}
    leaves = [c for c in D.leaves()]
    for c in leaves:
        truth[c.index] = logic.evaluate(S, ring, cell_point(c, names))

    def val(c):
        return truth.get(c.index)

    def subtree_true(c):
        if c.children is None:
            return bool(truth.get(c.index))
        return any(subtree_true(k) for k in c.children)

    inside, others, cands = [], [], []
    for c in leaves:
        if val(c):
            continue
        if c.dimension == len(names):
            others.append(c)
            continue
        sibs = c.parent.children
        j = c.index[-1] - 1
        if c.is_section and ((j > 0 and val(sibs[j - 1]))
                             or (j + 1 < len(sibs) and val(sibs[j + 1]))):
            inside.append(c)
            if first_only:
                return inside, others, D, 0
            continue
        if len(names) == 1 or c.parent.is_sector:
            others.append(c)
            continue
        # over a point x = a: look at the neighbouring cylinders
        base = D.root.children
        i = c.parent.index[-1] - 1
        if any(subtree_true(base[k]) for k in (i - 1, i + 1) if 0 <= k < len(base)):
            cands.append(c)
        else:
            others.append(c)
    # rational samples first (cheap substituted sentence), higher dimension first
    cands.sort(key=lambda c: (not all(is_rational(x) for x in c.sample), -c.dimension))
    tested = 0
    for c in cands:
        tested += 1
        if point_in_closure(S, ring, names, cell_point(c, names), budget):
            inside.append(c)
            if first_only:
                return inside, others, D, tested
        else:
            others.append(c)
    return inside, others, D, tested


_SIGN_REL = {-1: "<", 0: "=", 1: ">"}


def plane_closure(S, ring, budget):
    """``cl(S)`` as a formula for at most two used variables: ``S`` or-ed with the sign
    conditions (on all projection factors) of the false cells inside the closure, provided no
    other false cell has the same signs (else None: the caller falls back to the epsilon QE)."""
    inside, others, D, _ = plane_classify(S, ring, budget)
    if not inside:
        return S
    polys = [f for fs in D.levels for f in fs]
    out_ring = ring

    def sig(c):
        return c.signs(polys)

    outside = {sig(c) for c in others}
    terms = []
    for c in inside:
        sg = sig(c)
        if sg in outside:
            return None
        terms.append(logic.conj(*[logic.Atom(logic.to_ring(logic.Atom(f, "="), out_ring).poly, _SIGN_REL[s])
                              for f, s in zip(polys, sg)]))
    return logic.disj(S, *terms)
