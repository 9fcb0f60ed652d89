"""Closedness of a semialgebraic set with exact witnesses: the :func:`is_closed` driver.

A *set* is a :class:`cad.logic.Problem` (or a formula plus its coordinate names): its free
variables are the coordinates, quantifiers are allowed (images of polynomial maps are existential
formulas).  Everything is exact; every verdict is backed by a proof sketched below and every
witness is re-checked by exact evaluation before it is returned.

Public functions (all exported by :mod:`cad.topology`)
------------------------------------------------------
``closure(S)``, ``interior(S)``, ``boundary(S)``, ``frontier(S)`` -> quantifier-free formula
(:mod:`cad.logic` AST) in the ring of the free variables (:mod:`cad.topology.sentences`).
``is_closed(S, timeout=None)`` -> :class:`ClosednessResult` (``closed``, ``reason``,
``witness``, ``approaching``, ``approach(k)``, ``seconds``).  Each takes ``timeout=`` seconds
or a shared ``budget=`` (:class:`cad.budget.Budget`).

Pipeline of :func:`is_closed`
-----------------------------
1. **Quantifier elimination.**  A set with quantifiers (an image ``{y : E x  y = phi(x)}``) is
   replaced by an equivalent quantifier-free formula ``S`` computed by partial-CAD QE
   (:func:`cad.elimination.qe`).  Closedness is a property of the set, not of its description.
2. **Syntactic closedness (fast path).**  *Lemma.*  If the negation normal form of a
   quantifier-free ``S`` is built with ``/\\`` and ``\\/`` from atoms ``p = 0``, ``p <= 0``,
   ``p >= 0`` (and constants), the set is closed.  *Proof.*  Each atom is the preimage of the
   closed set ``{0}``, ``(-oo, 0]`` or ``[0, oo)`` under the continuous map ``p``; finite
   intersections and unions of closed sets are closed.  NNF pushes negations into the atoms by
   flipping the relation (``~ p < 0`` is ``p >= 0``), so the test is on the NNF.  Example: QE of
   ``(E p, q, r, s)[a = pr /\\ b = ps /\\ c = qr /\\ d = qs]`` gives ``ad - bc = 0``: the rank <= 1
   matrices are closed.
3. **Cylinder reduction.**  *Lemma.*  ``cl(S0 x R^k) = cl(S0) x R^k``, so coordinates that ``S``
   does not use are dropped (witness coordinate 0 there).
4. **Relaxation lemma.**  ``R(S)``: ``S`` in bounded DNF with syntactically empty disjuncts
   dropped and strict atoms relaxed (``<`` to ``<=``, ``>`` to ``>=``, ``p /= 0`` to TRUE) is
   closed and contains ``S``, so ``cl(S) <= R(S)``.  If no cell of a CAD of ``S``'s polynomials
   satisfies ``R(S) /\\ ~S`` then ``S = R(S)`` is closed.  Example: ``[a = 0 \\/ ad - bc = 0] /\\
   [a /= 0 \\/ b = 0 \\/ c = 0]`` (a description of the rank <= 1 matrices that an earlier QE
   returned) is not closed by syntax, but equal to its relaxation.
5. **Segment search (cheap witnesses).**  On the same CAD, for false cells ``C`` (rational
   sample ``q``) and nearby true cells (rational sample ``p``) the line ``p + t (q - p)`` is cut
   by the roots (in ``t``) of ``S``'s polynomials.  *Lemma.*  If ``S`` is false at ``t0`` and
   true on an open interval ending at ``t0`` then ``p + t0 (q - p)`` lies in ``cl(S) \\ S``.
   Sound for "not closed", exact witness, rational approaching points on the line; never proves
   closedness.
6. **CAD adjacency in the plane (at most two used coordinates; decision).**  *Lemma (frontier
   condition).*  In a CAD of ``R^2`` built from irreducible Lazard projection factors no level-2
   factor vanishes identically over a point ``x = a`` (``x - a`` would divide an irreducible
   polynomial of positive ``y``-degree), so the limits at ``x -> a+-`` of the section functions
   over an adjacent interval are roots of ``f(a, y)``, i.e. sections over ``a``; hence the
   closure of every cell is a union of cells and ``cl(S)`` is a union of cells: a false cell is
   in ``cl(S)`` iff its sample is.  Full-dimensional false cells are open (never in the closure);
   cells over an interval only touch their stack neighbours; cells over a point ``x = a`` are
   decided by the stack neighbours or, when an adjacent cylinder holds true cells, by the epsilon
   sentence *at the sample* (``(A e)(E d)[e <= 0 \\/ (S(s + d) /\\ box)]``: 3 variables, the
   sample substituted when rational, pinned by minimal polynomial + isolating interval otherwise).
   :func:`closure` in the plane is ``S`` or-ed with the sign conditions of the false cells in the
   closure (when no other false cell shares them).
7. **Epsilon sentence (decision, any dimension).**  With max-norm boxes,
   ``y in cl(S)  <=>  (A e)[e > 0 ==> (E y')(S(y') /\\ /\\_i -e < y'_i - y_i < e)]``
   (the max norm is equivalent to the Euclidean one, so the boxes give the same topology; the
   atoms are linear in ``e``, of lower degree than the ball ``|y' - y|^2 < e^2``).  ``S`` is closed
   iff ``W(y) = ~S(y) /\\ y in cl(S)`` is empty.  Reductions before the QE:

   * ``S`` in NNF is split into disjuncts ``D_j`` (bounded DNF): ``cl(U D_j) = U cl(D_j)`` (finite
     unions), hence ``cl(S) \\ S = U_j (cl(D_j) \\ D_j) \\ S``; syntactically closed disjuncts
     contribute nothing;
   * *Lemma.*  ``cl({p /= 0}) = R^n`` for a non-zero polynomial ``p``: a polynomial vanishing on a
     non-empty open set has all Taylor coefficients zero at an interior point, so ``{p = 0}`` has
     empty interior and ``{p /= 0}`` is dense;
   * a conjunction whose conjuncts split into groups with disjoint variables is a product, and
     ``cl(A x B) = cl(A) x cl(B)``;
   * each remaining disjunct ``D`` is treated in its own variables ``J``: the *frontier*
     ``cl(D) \\ D`` is QE of ``R(D)(y) /\\ ~D(y) /\\ (A e)(E z)[e <= 0 \\/ (D(z) /\\ box)]`` with
     free ``y_J`` (the first two conjuncts let partial CAD discard free cells before lifting into
     ``e, z``).  Two box encodings: ``'shift'`` (``z = y + d``, box ``-e < d_i < e``) and
     ``'primed'`` (``z = y'``, box ``-e < y'_i - y_i < e``).

   A witness is a sample point of a true cell of ``W`` (largest dimension first, rational sample
   preferred), re-checked by exact evaluation: ``S`` false there.
8. **Approaching points.**  For a segment witness ``w = p + t0 v``: ``t_k = t0 -+ 2^-(k+k0+1)/|v|``
   (max norm), at distance exactly ``2^-(k+k0+1)`` (``k0`` keeps ``t_k`` in the true interval;
   irrational ``t0``: rational endpoints of its refined isolating interval).  Otherwise: radius
   ``r_k = min(2^-k, d_{k-1}/2)`` (``d_{k-1}`` a rational lower bound of the previous distance, so
   distances strictly decrease); the point is the sample of a true cell (largest dimension,
   rational preferred) of a CAD of ``S``'s polynomials and the faces of the open box of radius
   ``r_k`` around the witness (irrational witness: box of radius ``r_k / 2`` centred at a rational
   point within ``r_k / 4``; it contains a neighbourhood of the witness, so it meets ``S``).  Every
   approaching point is checked by evaluating ``S`` exactly.

Choice of route
---------------
The epsilon sentence has ``2m + 1`` variables and its lifting over algebraic sample points
dominates its cost (on the open disk QEPCAD B decides it in seconds, our engine not within 30 s),
so the decision uses, in order: syntax, the relaxation lemma, the plane adjacency route
(``m <= 2``), and only then the epsilon sentence (any ``m``; ``'shift'`` is the default
encoding, as fast as ``'primed'`` where both finish).  A pure adjacency decision in ``m >= 3``
would need a CAD with the frontier condition, which Lazard CADs do not guarantee there; the
segment search (sound for "not closed") covers the non-closed images met so far
(``lu2_image``).  The 2x2 rank <= 1 image is decided closed by QE to ``a d - b c = 0`` and
syntax, where QEPCAD B gets no answer for the textbook sentence.  ``python
benchmarks/topology.py`` measures the routes.
"""

from flint import fmpq

from cad import logic
from cad.io import to_str
from cad.errors import InputError, InternalError
from cad.topology.engine import budget_for
from cad.topology.plane import plane_route
from cad.topology.points import best_point, dist_float, gap_cells
from cad.topology.result import ClosednessResult, format_point, lemma_note, new_stats
from cad.topology.sentences import frontier_formula
from cad.topology.syntax import (
    CLOSED_RELATIONS,
    as_problem,
    quantifier_free,
    relaxation,
    relations,
    used_variables,
)
from cad.topology.witness import epsilon_approach, segment_approach, segment_witness


def is_closed(problem, variables=None, timeout=None, *, budget=None, napproach=5,
              encoding="shift", segments=True, route="auto"):
    """Decide whether the set is closed; see the module docstring for the pipeline and proofs.

    ``problem``: :class:`cad.logic.Problem` (free variables = coordinates; quantifiers
    allowed), or a formula with ``variables``, or QEPCAD input text.  Raises
    :class:`cad.errors.BudgetExceeded` when ``timeout`` seconds (or ``budget``) run out.  Returns
    :class:`ClosednessResult` with ``napproach`` approaching points when not closed.
    """
    route_pref = route
    if route_pref not in ("auto", "adjacency", "epsilon"):
        raise InputError(f"route: unknown route {route!r} (use 'auto', 'adjacency' or 'epsilon')")
    budget = budget_for(timeout, budget)
    problem = as_problem(problem, variables)
    ring, S, used_qe = quantifier_free(problem, budget)
    pre = "QE gave " + to_str(S, ring) + "; " if used_qe else ""
    stats = new_stats()

    def done(closed, reason, route, **kw):
        return ClosednessResult(closed=closed, reason=pre + reason, seconds=budget.elapsed(),
                                formula=S, ring=ring, route=route, **kw)

    if isinstance(S, logic.Truth):
        return done(True, f"the set is {'R^n' if S.value else 'empty'}", "syntactic")
    if relations(S) <= CLOSED_RELATIONS:
        return done(True, "closed by syntax: /\\, \\/ of =, <=, >= atoms (preimages of closed "
                          "sets)", "syntactic")
    names = used_variables(S, ring)
    witness = None
    R = relaxation(S)
    gap = gap_cells(S, R, ring, names, budget)
    if gap is not None and not gap:
        return done(True, "relaxation lemma: S is equivalent to its closed relaxation "
                          + to_str(R, ring), "relaxation")
    if segments:
        hit = segment_witness(S, ring, budget, stats)
        if hit is not None:
            w, p, q, t0, side, neighbour = hit
            witness = {v: w.get(v, fmpq(0)) for v in ring.variables}
            gen, rule = segment_approach(S, ring, names, p, q, t0, side, neighbour)
            route = "segment"
            reason = (f"witness {format_point(witness)} is not in the set and is the end of an "
                      f"open interval of points of the set on the line through {format_point(p)} "
                      f"and {format_point(q)}")
    if witness is None and len(names) <= 2 and route_pref in ("auto", "adjacency"):
        closed, w, ncells, tested = plane_route(S, ring, budget)
        stats["adjacency"] = (ncells, tested)
        how = (f"CAD adjacency in the plane (frontier condition): {ncells} cells, "
               f"{tested} point tests")
        if closed:
            return done(True, how + ": no false cell lies in the closure", "adjacency")
        witness = {v: w.get(v, fmpq(0)) for v in ring.variables}
        gen, rule = epsilon_approach(S, ring, names, witness, budget)
        route = "adjacency"
        reason = how + f": the cell of {format_point(witness)} is false and in the closure"
    if witness is None:
        W = frontier_formula(S, ring, budget, encoding, stats)
        if W == logic.FALSE:
            return done(True, "epsilon sentence: cl(S) \\ S is empty" + lemma_note(stats),
                        "epsilon")
        witness = best_point(W, ring, budget)
        if witness is None:
            return done(True, "epsilon sentence: cl(S) \\ S = {" + to_str(W, ring)
                        + "} is empty" + lemma_note(stats), "epsilon")
        gen, rule = epsilon_approach(S, ring, names, witness, budget)
        route = "epsilon"
        reason = f"witness satisfies cl(S) \\ S = {to_str(W, ring)}" + lemma_note(stats)
    if logic.evaluate(S, ring, witness):
        raise InternalError("the witness lies in the set")
    pts = [gen(k) for k in range(napproach)]
    dists = [dist_float(p, witness) for p in pts]
    return done(False, reason, route, witness=witness, approaching=pts, approach_rule=rule,
                distances=dists, _approach=gen)

