"""Topology of semialgebraic sets: closure, interior, boundary and closedness with witnesses.

A *set* is a :class:`cad.formula.Problem` (or a formula plus its coordinate names): its free
variables are the coordinates, quantifiers are allowed (images of polynomial maps are existential
formulas).  Everything is exact; every verdict is backed by a proof sketched below and every
witness is re-checked by exact evaluation before it is returned.

Public functions
----------------
``closure(S)``, ``interior(S)``, ``boundary(S)`` -> quantifier-free formula (:mod:`cad.formula`
AST) in the ring of the free variables.  ``is_closed(S, timeout=None)`` ->
:class:`ClosednessResult` (``closed``, ``reason``, ``witness``, ``approaching``, ``approach(k)``,
``seconds``).

Pipeline of :func:`is_closed`
-----------------------------
1. **Quantifier elimination.**  A set with quantifiers (an image ``{y : E x  y = phi(x)}``) is
   replaced by an equivalent quantifier-free formula ``S`` computed by partial-CAD QE
   (:func:`cad.qe.qe`).  Closedness is a property of the set, not of its description.
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

Choice of route (measured with ``python benchmarks/topology.py``, this machine, 27 Nov 2026)
------------------------------------------------------------------------------------------
Quantifier-free sets in the plane, seconds (``-``: 30 s budget exhausted)::

    set                     adjacency  eps/shift  eps/primed  segment
    x > 0, y >= 0               0.145      0.116       0.103    0.002
    x > 0 \\/ y > 0             0.088      0.125       0.093    0.002
    x /= 0 \\/ y = 0            0.094      0.081       0.080    0.010
    open disk                   0.165          -           -    0.005
    x y > 1                     0.150          -      22.435    0.009
    cusp minus 0                0.201      6.603       8.448     none

The epsilon sentence has ``2m + 1`` variables and its lifting over algebraic sample points
dominates (QEPCAD B decides the open-disk sentence in 1.4 s; our engine needs more than 30 s), so
the decision uses, in order: syntax, the relaxation lemma, the plane adjacency route (``m <= 2``),
and only then the epsilon sentence (any ``m``; ``'shift'`` is the default encoding, equal to
``'primed'`` within noise where both finish).  A pure adjacency decision in ``m >= 3`` would need
a CAD with the frontier condition, which Lazard CADs do not guarantee there; the segment search
(sound for "not closed") covers the non-closed images met so far (``lu2_image``: 2.1-2.7 s, nearly
all of it QE).  The 2x2 rank <= 1 image is decided closed in about 2 s (QE to ``a d - b c = 0``, then
syntax), where QEPCAD B gets no answer for the textbook sentence within 125 s
(``benchmarks/topology.py --qepcad``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import flint
from flint import fmpq, fmpz, fmpz_poly

import cad.formula as F
from cad.errors import BudgetExceeded, InputError

__all__ = [
    "ClosednessResult",
    "is_closed",
    "closure",
    "interior",
    "boundary",
    "frontier",
    "epsilon_sentence",
    "is_syntactically_closed",
    "relaxation",
]

_CLOSED_RELS = frozenset({"=", "<=", ">="})
_OPEN_RELS = frozenset({"/=", "<", ">"})
_DNF_LIMIT = 16          # at most this many disjuncts when distributing /\ over \/
_SEGMENT_CAD_CELLS = 4000
_SEGMENT_PAIRS = 60


# ============================================================================ budget


class _Budget:
    def __init__(self, timeout):
        if timeout is not None and timeout <= 0:
            raise InputError(f"timeout must be positive, got {timeout}")
        self.timeout = timeout
        self.start = time.monotonic()
        self.deadline = None if timeout is None else self.start + timeout

    def remaining(self):
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise BudgetExceeded("time (seconds)", self.timeout)
        return left

    def check(self):
        self.remaining()

    def elapsed(self):
        return time.monotonic() - self.start


# ============================================================================ results


@dataclass
class ClosednessResult:
    """Answer of :func:`is_closed`.

    ``closed``: the verdict.  ``reason``: one line saying why (which lemma / route).
    ``witness``: when not closed, an exact point of ``cl(S) \\ S`` as ``{variable: fmpq |
    RealAlgebraic}`` (rational where the route allows).  ``approaching``: exact points of ``S``
    (same format) at strictly decreasing max-norm distances to the witness; ``approach(k)``
    produces the ``k``-th point of the sequence (``k = 0, 1, ...``; the rule is in
    ``approach_rule``).  ``formula``: the quantifier-free description of the set that was used
    (the QE result for quantified input).  ``seconds``: wall-clock time.
    """

    closed: bool
    reason: str
    witness: dict | None = None
    approaching: list = field(default_factory=list)
    seconds: float = 0.0
    formula: object = None
    ring: object = None
    approach_rule: str = ""
    distances: list = field(default_factory=list)
    route: str = ""
    _approach: object = field(default=None, repr=False)

    def approach(self, k):
        """The ``k``-th approaching point (exact, verified to lie in the set)."""
        if self._approach is None:
            raise InputError("approach(): the set is closed, there is no witness to approach")
        return self._approach(k)


# ============================================================================ formula helpers


def _ring(names):
    from cad.poly import PolyRing

    return PolyRing(tuple(names))


def _as_problem(obj, variables=None):
    """Problem from a Problem, a formula (+ coordinate names) or QEPCAD input text."""
    if isinstance(obj, F.Problem):
        return obj
    if isinstance(obj, str):
        return F.parse_qepcad(obj)
    if isinstance(obj, F.Formula):
        ctx = F._formula_ctx(obj)
        names = tuple(ctx.names()) if ctx is not None else ()
        if variables is None:
            fv = F.free_variables(obj)
            variables = tuple(v for v in names if v in fv)
        variables = tuple(variables)
        rest = tuple(v for v in names if v not in variables)
        ring = _ring(variables + rest)
        return F.prenex_problem(F.Problem(ring, variables, F.to_ring(obj, ring)))
    raise InputError(f"a set must be a cad.formula.Problem, a Formula or QEPCAD text, got "
                     f"{type(obj).__name__}")


def _quantifier_free(problem, budget):
    """(ring of the free variables, quantifier-free NNF formula of the set, used QE?)"""
    from cad.qe import qe

    f = problem.formula
    used_qe = False
    if not F.is_quantifier_free(f):
        res = qe(problem, timeout=budget.remaining())
        f = res.formula
        used_qe = True
    ring = _ring(problem.free)
    extra = F.free_variables(f) - set(problem.free)
    if extra:
        raise InputError(f"variable {sorted(extra)[0]!r} occurs free in the formula but is not "
                         "among the free variables")
    return ring, F.to_ring(F.nnf(f), ring), used_qe


def _rels(f):
    return {a.rel for a in F.atoms(f)}


def is_syntactically_closed(f):
    """True when the NNF of the quantifier-free ``f`` uses only ``=``, ``<=``, ``>=`` atoms (then
    the set is closed; proof in the module docstring, step 2)."""
    if not F.is_quantifier_free(f):
        return False
    return _rels(F.nnf(f)) <= _CLOSED_RELS


def _vars_of(f):
    return F.free_variables(f)


def _disjuncts(f):
    """NNF ``f`` as a list of disjuncts (bounded DNF: stop distributing beyond _DNF_LIMIT)."""
    if isinstance(f, F.Or):
        out = []
        for a in f.args:
            out.extend(_disjuncts(a))
        return out
    if isinstance(f, F.And):
        parts = [_disjuncts(a) for a in f.args]
        size = 1
        for p in parts:
            size *= len(p)
        if size > _DNF_LIMIT:
            return [f]
        terms = [[]]
        for p in parts:
            terms = [t + [d] for t in terms for d in p]
        return [F.conj(*t) for t in terms]
    return [f]


def _conjuncts(f):
    return list(f.args) if isinstance(f, F.And) else [f]


def _components(conjuncts):
    """Group conjuncts into classes of the 'shares a variable' relation."""
    groups = []   # [set(vars), [conjuncts]]
    for c in conjuncts:
        vs = set(_vars_of(c))
        merged = [g for g in groups if g[0] & vs]
        for g in merged:
            groups.remove(g)
            vs |= g[0]
        items = [x for g in merged for x in g[1]] + [c]
        groups.append([vs, items])
    return [F.conj(*g[1]) for g in groups]


def _fresh(base, taken):
    k = 0
    while f"{base}{k}" in taken:
        k += 1
    name = f"{base}{k}"
    taken.add(name)
    return name


# ============================================================================ epsilon sentence


def epsilon_sentence(f, ring, variables=None, encoding="shift", with_complement=True):
    """The problem ``~f(y) /\\ y in cl(f)`` (``with_complement``) or ``y in cl(f)`` with max-norm
    boxes, free variables ``variables`` (default: those of ``f``), as a :class:`Problem`:

    * ``encoding='shift'``: ``(A e)(E d)[e <= 0 \\/ (f(y + d) /\\ /\\_i (d_i - e < 0 /\\ d_i + e > 0))]``
    * ``encoding='primed'``: ``(A e)(E z)[e <= 0 \\/ (f(z) /\\ /\\_i (z_i - y_i - e < 0 /\\
      z_i - y_i + e > 0))]``.
    """
    if variables is None:
        fv = _vars_of(f)
        variables = tuple(v for v in ring.variables if v in fv)
    variables = tuple(variables)
    taken = set(ring.variables) | set(variables)
    e = _fresh("e", taken)
    zs = [_fresh("d" if encoding == "shift" else v + "p", taken) for v in variables]
    big = _ring(variables + (e,) + tuple(zs))
    fy = F.to_ring(f, big)
    E = big.gen(e)
    box = []
    if encoding == "shift":
        sub = {v: big.gen(v) + big.gen(z) for v, z in zip(variables, zs)}
        fz = F.substitute(fy, sub, big)
        for z in zs:
            box += [F.Atom(big.gen(z) - E, "<"), F.Atom(big.gen(z) + E, ">")]
    elif encoding == "primed":
        sub = {v: big.gen(z) for v, z in zip(variables, zs)}
        fz = F.substitute(fy, sub, big)
        for v, z in zip(variables, zs):
            diff = big.gen(z) - big.gen(v)
            box += [F.Atom(diff - E, "<"), F.Atom(diff + E, ">")]
    else:
        raise InputError(f"encoding: unknown box encoding {encoding!r} (use 'shift' or 'primed')")
    inner = F.disj(F.Atom(E, "<="), F.exists(tuple(zs), F.conj(fz, *box)))
    body = F.Forall((e,), inner)
    if with_complement:
        # cl(f) <= R(f) (relaxation lemma): R(f) /\ ~f lets partial CAD drop free cells early
        body = F.conj(F.to_ring(relaxation(f), big), F.nnf(F.Not(fy)), body)
    return F.Problem(big, variables, body)


def _qe_formula(problem, budget, ring):
    from cad.qe import qe

    res = qe(problem, timeout=budget.remaining())
    return F.to_ring(F.nnf(res.formula), ring)


def _frontier_disjunct(D, ring, budget, encoding, stats):
    """Quantifier-free formula of ``cl(D) \\ D`` (a subset of ``cl(D)``; only its part outside
    ``D`` matters).  ``D`` is a disjunct in NNF."""
    if isinstance(D, F.Truth) or _rels(D) <= _CLOSED_RELS:
        return F.FALSE
    if isinstance(D, F.Atom) and D.rel == "/=":
        # cl({p /= 0}) = R^n (density lemma): frontier = {p = 0}
        stats["lemmas"].add("density of {p /= 0}")
        return F.Atom(D.poly, "=")
    comps = _components(_conjuncts(D))
    if len(comps) > 1:
        stats["lemmas"].add("closure of a product")
        cls = [F.disj(c, _frontier_disjunct(c, ring, budget, encoding, stats)) for c in comps]
        return F.conj(F.nnf(F.Not(D)), *cls)
    t0 = time.monotonic()
    prob = epsilon_sentence(D, ring, encoding=encoding)
    out = _qe_formula(prob, budget, ring)
    stats["epsilon_qe"].append((F.to_str(D, ring), round(time.monotonic() - t0, 4)))
    return out


def frontier(problem, variables=None, timeout=None, encoding="shift"):
    """Quantifier-free formula of ``cl(S) \\ S`` (step 5 of the module docstring)."""
    budget = _Budget(timeout)
    problem = _as_problem(problem, variables)
    ring, S, _ = _quantifier_free(problem, budget)
    return _frontier(S, ring, budget, encoding, _new_stats())


def _new_stats():
    return {"lemmas": set(), "epsilon_qe": []}


def _frontier(S, ring, budget, encoding, stats):
    if isinstance(S, F.Truth) or _rels(S) <= _CLOSED_RELS:
        return F.FALSE
    parts = []
    for D in _disjuncts(S):
        fr = _frontier_disjunct(D, ring, budget, encoding, stats)
        if fr != F.FALSE:
            parts.append(fr)
    if not parts:
        return F.FALSE
    return F.conj(F.nnf(F.Not(S)), F.disj(*parts))


def _simplify(f, ring, budget):
    """Shorter equivalent by QE of the quantifier-free formula (kept as is on failure)."""
    from cad.qe import qe

    if isinstance(f, F.Truth):
        return f
    try:
        res = qe(F.Problem(ring, ring.variables, f), timeout=budget.remaining())
        return F.to_ring(res.formula, ring)
    except BudgetExceeded:
        raise
    except Exception:
        return f


def closure(problem, variables=None, timeout=None, encoding="shift"):
    """Quantifier-free formula of the closure of the set (``S \\/ cl(S) \\ S``), in the ring of the
    free variables.  Proofs: module docstring, steps 1-5."""
    budget = _Budget(timeout)
    problem = _as_problem(problem, variables)
    ring, S, _ = _quantifier_free(problem, budget)
    if isinstance(S, F.Truth) or _rels(S) <= _CLOSED_RELS:
        return S
    R = relaxation(S)
    gap = _gap_cells(S, R, ring, _used(S, ring), budget)
    if gap is not None and not gap:
        return S
    if len(_used(S, ring)) <= 2:
        c = _plane_closure(S, ring, budget)
        if c is not None:
            return _simplify(c, ring, budget)
    fr = _frontier(S, ring, budget, encoding, _new_stats())
    return _simplify(F.disj(S, fr), ring, budget)


def _complement_problem(problem, budget):
    ring, S, _ = _quantifier_free(problem, budget)
    return ring, F.nnf(F.Not(S)) if not isinstance(S, F.Truth) else F.negate(S)


def interior(problem, variables=None, timeout=None, encoding="shift"):
    """Quantifier-free formula of the interior: ``int(S) = ~cl(~S)``."""
    budget = _Budget(timeout)
    problem = _as_problem(problem, variables)
    ring, notS = _complement_problem(problem, budget)
    c = closure(F.Problem(ring, ring.variables, notS), timeout=budget.remaining(), encoding=encoding)
    return F.nnf(F.negate(c) if isinstance(c, (F.Atom, F.Truth)) else F.Not(c))


def boundary(problem, variables=None, timeout=None, encoding="shift"):
    """Quantifier-free formula of the boundary: ``cl(S) /\\ cl(~S)``."""
    budget = _Budget(timeout)
    problem = _as_problem(problem, variables)
    ring, S, _ = _quantifier_free(problem, budget)
    notS = F.nnf(F.Not(S)) if not isinstance(S, F.Truth) else F.negate(S)
    a = closure(F.Problem(ring, ring.variables, S), timeout=budget.remaining(), encoding=encoding)
    b = closure(F.Problem(ring, ring.variables, notS), timeout=budget.remaining(),
                encoding=encoding)
    return _simplify(F.conj(a, b), ring, budget)


# ============================================================================ points and cells


def _is_rat(v):
    if isinstance(v, (fmpq, fmpz, int)):
        return True
    return bool(getattr(v, "is_rational", False))


def _rat(v):
    if isinstance(v, fmpq):
        return v
    if isinstance(v, (fmpz, int)):
        return fmpq(v)
    return fmpq(v.rational)


def _norm_value(v):
    """fmpq when rational, RealAlgebraic otherwise."""
    return _rat(v) if _is_rat(v) else v


def _cad_polys(f):
    return [p for p in F.polynomials(f) if not p.is_constant()]


def _used(f, ring):
    fv = _vars_of(f)
    return tuple(v for v in ring.variables if v in fv)


def _cell_point(cell, names):
    return {v: _norm_value(x) for v, x in zip(names, cell.sample)}


def _true_cells(f, ring, names, budget, max_cells=None, extra=()):
    """Full CAD of ``f``'s polynomials (plus ``extra``) over ``names``; yields (cell, truth)."""
    from cad.decomposition import cad

    polys = _cad_polys(f) + list(extra)
    D = cad(polys, names, timeout=budget.remaining(), max_cells=max_cells)
    out = []
    for c in D.leaves():
        if c.level != len(names):
            continue
        pt = _cell_point(c, names)
        out.append((c, pt, F.evaluate(f, ring, pt)))
    return out


def _best_point(f, ring, budget, extra=()):
    """A point of the quantifier-free set ``f`` (None when empty): sample of a true cell of the
    largest dimension, rational sample preferred.  Unused coordinates are 0."""
    names = _used(f, ring)
    if isinstance(f, F.Truth):
        return {v: fmpq(0) for v in ring.variables} if f.value else None
    if not names:
        return None
    best, key = None, None
    for c, pt, val in _true_cells(f, ring, names, budget, extra=extra):
        if not val:
            continue
        nrat = sum(1 for x in pt.values() if _is_rat(x))
        k = (c.dimension, nrat, -sum(_height(x) for x in pt.values()))
        if key is None or k > key:
            best, key = pt, k
    if best is None:
        return None
    return {v: best.get(v, fmpq(0)) for v in ring.variables}


def _height(x):
    if _is_rat(x):
        q = _rat(x)
        return max(abs(int(q.p)), int(q.q)).bit_length()
    return 64


# ---------------------------------------------------------------------------- distances


def _rational_near(x, width):
    """A rational within ``width`` of ``x``."""
    if _is_rat(x):
        return _rat(x)
    x.refine(width)
    lo, hi = x.interval
    return (fmpq(lo) + fmpq(hi)) / 2


def _abs_diff_lower(a, b):
    """Rational lower bound (> 0 when a != b) of |a - b| for fmpq / RealAlgebraic a, b."""
    if _is_rat(a) and _is_rat(b):
        return abs(_rat(a) - _rat(b))
    # refine both until the intervals separate
    A, B = a, b
    for _ in range(200):
        alo, ahi = (_rat(A), _rat(A)) if _is_rat(A) else tuple(map(fmpq, A.interval))
        blo, bhi = (_rat(B), _rat(B)) if _is_rat(B) else tuple(map(fmpq, B.interval))
        if ahi < blo:
            return blo - ahi
        if bhi < alo:
            return alo - bhi
        if A == B:
            return fmpq(0)
        for X, lo, hi in ((A, alo, ahi), (B, blo, bhi)):
            if not _is_rat(X):
                X.refine((hi - lo) / 4)
    return fmpq(0)


def _dist_lower(p, w):
    return max((_abs_diff_lower(p[v], w[v]) for v in w), default=fmpq(0))


def _dist_float(p, w):
    return max((abs(float(p[v]) - float(w[v])) for v in w), default=0.0)


# ============================================================================ segment search


def _line_formula(S, ring, names, p, q):
    """``S(p + t (q - p))`` as a formula of the one-variable ring (t)."""
    taken = set(ring.variables)
    t = _fresh("t", taken)
    big = _ring(tuple(ring.variables) + (t,))
    T = big.qctx.gens()[big.index(t)]
    sub = {v: big.qctx.constant(p[v]) + (q[v] - p[v]) * T for v in names}
    g = F.substitute(F.to_ring(S, big), sub, big)
    tring = _ring((t,))
    return tring, F.to_ring(g, tring), t


def _segment_analysis(S, ring, names, p, q):
    """Look for ``t0`` with S false at ``p + t0 v`` and true on an adjacent open interval.

    Returns ``(t0, side, neighbour)`` (``side`` = -1 when the true interval lies below ``t0``;
    ``neighbour`` = the next critical value on that side or None) or None."""
    from cad.algebraic import RealAlgebraic

    tring, g, t = _line_formula(S, ring, names, p, q)
    if isinstance(g, F.Truth):
        return None
    roots = []
    for poly in _cad_polys(g):
        u = tring.to_univariate(poly)
        roots.extend(RealAlgebraic.roots_of(u))
    roots = sorted(set(roots))
    if not roots:
        return None

    def holds(x):
        return F.evaluate(g, tring, {t: _norm_value(x)})

    # truth on the intervals between consecutive roots (rational interior points)
    mids = [_floor_below(roots[0])]
    for a, b in zip(roots, roots[1:]):
        mids.append(a.midpoint_between(b))
    mids.append(roots[-1].midpoint_between(_ceil_above(roots[-1])))
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


def _floor_below(r):
    if _is_rat(r):
        return _rat(r) - 1
    lo, _ = r.interval
    return fmpq(fmpz(int(fmpq(lo).floor())) - 1)


def _ceil_above(r):
    if _is_rat(r):
        return _rat(r) + 1
    _, hi = r.interval
    return fmpq(fmpz(int(fmpq(hi).ceil())) + 1)


def _affine_algebraic(t0, a, b):
    """``a + b t0`` exactly (a, b rational; t0 fmpq or RealAlgebraic)."""
    from cad.algebraic import RealAlgebraic

    if b == 0:
        return a
    if _is_rat(t0):
        return a + b * _rat(t0)
    # x = a + b t  <=>  t = (x - a) / b ;  m(t) = 0  <=>  m((x - a)/b) = 0
    m = t0.poly
    lin = flint.fmpq_poly([-a / b, 1 / b])
    g = flint.fmpq_poly(0)
    pw = flint.fmpq_poly(1)
    for c in m.coeffs():
        g += c * pw
        pw *= lin
    num = g.numer()
    lo, hi = map(fmpq, t0.interval)
    xs = sorted([a + b * lo, a + b * hi])
    return RealAlgebraic(fmpz_poly([int(c) for c in num.coeffs()]), xs[0], xs[1])


def _segment_witness(S, ring, budget, stats):
    """Step 4: witness by lines between samples of true and false cells (None if not found)."""
    names = _used(S, ring)
    if not names:
        return None
    try:
        cells = _true_cells(S, ring, names, budget, max_cells=_SEGMENT_CAD_CELLS)
    except BudgetExceeded as exc:
        if exc.what == "cells":
            return None
        raise
    stats["segment_cells"] = len(cells)
    trues = [pt for c, pt, v in cells if v and all(_is_rat(x) for x in pt.values())]
    falses = [(c, pt) for c, pt, v in cells if not v and all(_is_rat(x) for x in pt.values())]
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
            if tried > _SEGMENT_PAIRS:
                return None
            hit = _segment_analysis(S, ring, names, p, q)
            if hit is None:
                continue
            t0, side, neighbour = hit
            w = {v: _norm_value(_affine_algebraic(t0, p[v], q[v] - p[v])) for v in names}
            stats["segment_pairs"] = tried
            return w, p, q, t0, side, neighbour
    stats["segment_pairs"] = tried
    return None


def _segment_approach(S, ring, names, p, q, t0, side, neighbour):
    """Approach rule along the line: t_k = t0 + side 2^-(k+1)/|v| (k >= k0)."""
    vnorm = max(abs(q[v] - p[v]) for v in names)
    # k0: t0 + side 2^-(k0+1)/|v| must stay strictly inside the true interval
    k0 = 0
    if neighbour is not None:
        gap = _abs_diff_lower(neighbour, t0)
        while fmpq(1, 2 ** (k0 + 1)) / vnorm >= gap:
            k0 += 1
    def point(k):
        kk = k0 + k
        step = fmpq(1, 2 ** (kk + 1)) / vnorm
        if _is_rat(t0):
            tk = _rat(t0) + side * step
        else:
            # a rational endpoint of t0's isolating interval on the true side, within step
            t0.refine(step / 2)
            lo, hi = map(fmpq, t0.interval)
            tk = hi if side > 0 else lo
            if tk == t0:
                tk = _rat(t0) + side * step
        pt = {v: fmpq(0) for v in ring.variables}
        for v in names:
            pt[v] = p[v] + tk * (q[v] - p[v])
        if not F.evaluate(S, ring, pt):
            raise InputError("internal: an approaching point is not in the set")
        return pt

    rule = (f"points p + t_k (q - p) with p = {_fmt_point(p)}, q = {_fmt_point(q)}, "
            f"t_k = t0 {'+' if side > 0 else '-'} 2^-(k+{k0 + 1}) / {vnorm} (max-norm distance "
            f"2^-(k+{k0 + 1}) to the witness)")
    return point, rule


# ============================================================================ epsilon witness + approach


def _box_point(S, ring, names, center, radius, budget):
    """A point of S in the open max-norm box around the rational ``center``."""
    box_atoms = []
    for v in names:
        x = ring.gen(v)
        c, r = center[v], radius
        for bound, rel in ((c - r, ">"), (c + r, "<")):
            # x - bound with denominators cleared (a positive factor keeps the relation)
            box_atoms.append(F.Atom(x * int(bound.q) - int(bound.p), rel))
    return _best_point(F.conj(S, *box_atoms), ring, budget)


def _epsilon_approach(S, ring, names, w, budget):
    state = {"points": [], "radius": []}

    def point(k):
        pts = state["points"]
        while len(pts) <= k:
            j = len(pts)
            r = fmpq(1, 2 ** j)
            if pts:
                r = min(r, _dist_lower(pts[-1], w) / 2)
            if all(_is_rat(w[v]) for v in names):
                center, rad = {v: _rat(w[v]) for v in names}, r
            else:
                center = {v: _rational_near(w[v], r / 4) for v in names}
                rad = r / 2
            pt = _box_point(S, ring, names, center, rad, budget)
            if pt is None:
                raise InputError("internal: no point of the set near the witness")
            if not F.evaluate(S, ring, pt):
                raise InputError("internal: an approaching point is not in the set")
            pts.append(pt)
            state["radius"].append(r)
        return pts[k]

    rule = ("a CAD sample of S inside the open max-norm box of radius r_k = min(2^-k, d_{k-1}/2) "
            "around the witness (d_{k-1}: rational lower bound of the previous distance)")
    return point, rule


# ============================================================================ relaxation lemma


_RELAX = {"<": "<=", ">": ">=", "<=": "<=", ">=": ">=", "=": "="}
_CONTRA = {("=", "/="), ("=", "<"), ("=", ">"), ("<", ">"), ("<", ">="), (">", "<="),
           ("<=", ">")}


def _contradictory(D):
    """A conjunction containing ``p = 0`` and ``p /= 0`` (or ``p < 0`` and ``p >= 0``, ...) for
    the same polynomial ``p``: empty by syntax."""
    seen = {}
    for a in _conjuncts(D):
        if isinstance(a, F.Atom):
            seen.setdefault(str(a.poly), set()).add(a.rel)
        if a == F.FALSE:
            return True
    for rels in seen.values():
        for r1 in rels:
            for r2 in rels:
                if (r1, r2) in _CONTRA:
                    return True
    return False


def relaxation(S):
    """The closed relaxation ``R(S)``: ``S`` in bounded DNF, syntactically empty disjuncts dropped,
    every strict atom relaxed (``<`` to ``<=``, ``>`` to ``>=``, ``p /= 0`` to TRUE).

    *Lemma (relaxation).*  ``R(S)`` is closed (step 2) and contains ``S`` (each disjunct is
    contained in its relaxation), so ``cl(S) <= R(S)``: the points of ``cl(S) \\ S`` satisfy
    ``R(S) /\\ ~S``.  In particular ``S`` is closed when ``S`` and ``R(S)`` are equivalent (decided
    on the cells of a CAD sign-invariant for ``S``'s polynomials, which are those of ``R(S)``).
    """
    out = []
    for D in _disjuncts(S):
        if _contradictory(D):
            continue
        parts = []
        for a in _conjuncts(D):
            if isinstance(a, F.Atom):
                parts.append(F.TRUE if a.rel == "/=" else F.Atom(a.poly, _RELAX[a.rel]))
            elif isinstance(a, F.Truth):
                parts.append(a)
            else:   # a nested disjunction left by the bounded DNF: relax recursively
                parts.append(relaxation(a))
        out.append(F.conj(*parts))
    return F.disj(*out) if out else F.FALSE


# ============================================================================ plane adjacency route


def _point_in_closure(S, ring, names, pt, budget):
    """Exact test ``pt in cl(S)`` by the epsilon sentence at the point: rational coordinates are
    substituted (``(A e)(E d)[e <= 0 \\/ (S(pt + d) /\\ -e < d_i < e)]``, |names| + 1 variables);
    an irrational coordinate ``a`` becomes an existential variable pinned by its minimal
    polynomial and isolating interval (``m(x) = 0 /\\ lo < x < hi`` has exactly the solution
    ``a``)."""
    from cad.qe import decide

    taken = set(ring.variables)
    e = _fresh("e", taken)
    ds = [_fresh("d", taken) for _ in names]
    pinned = [v for v in names if not _is_rat(pt[v])]
    big = _ring(tuple(pinned) + (e,) + tuple(ds) + tuple(v for v in ring.variables
                                                         if v not in pinned))
    E = big.gen(e)
    sub = {}
    for v, d in zip(names, ds):
        base = big.qctx.constant(_rat(pt[v])) if _is_rat(pt[v]) else big.qctx.gens()[big.index(v)]
        sub[v] = base + big.qctx.gens()[big.index(d)]
    Sd = F.substitute(F.to_ring(S, big), sub, big)
    box = []
    for d in ds:
        box += [F.Atom(big.gen(d) - E, "<"), F.Atom(big.gen(d) + E, ">")]
    body = F.Forall((e,), F.disj(F.Atom(E, "<="), F.exists(tuple(ds), F.conj(Sd, *box))))
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
        pins += [F.Atom(poly, "="), F.Atom(X * int(lo.q) - int(lo.p), ">"),
                 F.Atom(X * int(hi.q) - int(hi.p), "<")]
    sentence = F.exists(tuple(pinned), F.conj(*pins, body)) if pinned else body
    return decide(F.Problem(big, (), sentence), timeout=budget.remaining())


def _gap_cells(S, R, ring, names, budget):
    """Sample points of the cells of a CAD of ``S``'s polynomials where ``R`` holds and ``S`` does
    not (None when the CAD exceeds its cell budget)."""
    if not names:
        return []
    try:
        cells = _true_cells(S, ring, names, budget, max_cells=_SEGMENT_CAD_CELLS * 5)
    except BudgetExceeded as exc:
        if exc.what == "cells":
            return None
        raise
    return [pt for _c, pt, v in cells if not v and F.evaluate(R, ring, pt)]


def _plane_route(S, ring, budget, stats):
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
    in ``cl(S)``.  The remaining cells are tested exactly by :func:`_point_in_closure`.

    Returns ``(closed, witness or None, ncells, ntested)``."""
    frontier_cells, _others, D, tested = _plane_classify(S, ring, budget, first_only=True)
    nleaves = sum(1 for _ in D.leaves())
    if frontier_cells:
        return False, _cell_point(frontier_cells[0], D.variables), nleaves, tested
    return True, None, nleaves, tested


def _plane_classify(S, ring, budget, first_only=False):
    """Classify the false leaves of a CAD of ``S`` (at most 2 used variables) into those inside
    ``cl(S)`` and the others (proof: :func:`_plane_route`).  Returns ``(in_closure, others, D,
    ntested)``; with ``first_only`` stops at the first cell in the closure."""
    from cad.decomposition import cad

    names = _used(S, ring)
    D = cad(_cad_polys(S), names, timeout=budget.remaining())
    truth = {}
    leaves = [c for c in D.leaves()]
    for c in leaves:
        truth[c.index] = F.evaluate(S, ring, _cell_point(c, names))

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
        if c.is_section and ((j > 0 and val(sibs[j - 1])) or (j + 1 < len(sibs) and val(sibs[j + 1]))):
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
    cands.sort(key=lambda c: (not all(_is_rat(x) for x in c.sample), -c.dimension))
    tested = 0
    for c in cands:
        tested += 1
        if _point_in_closure(S, ring, names, _cell_point(c, names), budget):
            inside.append(c)
            if first_only:
                return inside, others, D, tested
        else:
            others.append(c)
    return inside, others, D, tested


_SIGN_REL = {-1: "<", 0: "=", 1: ">"}


def _plane_closure(S, ring, budget):
    """``cl(S)`` as a formula for at most two used variables: ``S`` or-ed with the sign
    conditions (on all projection factors) of the false cells inside the closure, provided no
    other false cell has the same signs (else None: the caller falls back to the epsilon QE)."""
    inside, others, D, _ = _plane_classify(S, ring, budget)
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
        terms.append(F.conj(*[F.Atom(F.to_ring(F.Atom(f, "="), out_ring).poly, _SIGN_REL[s])
                              for f, s in zip(polys, sg)]))
    return F.disj(S, *terms)


# ============================================================================ is_closed


def _fmt_value(x):
    if _is_rat(x):
        return str(_rat(x))
    return str(x)


def _fmt_point(p):
    return "(" + ", ".join(f"{v} = {_fmt_value(x)}" for v, x in p.items()) + ")"


def is_closed(problem, variables=None, timeout=None, *, napproach=5, encoding="shift",
              segments=True, route="auto"):
    """Decide whether the set is closed; see the module docstring for the pipeline and proofs.

    ``problem``: :class:`cad.formula.Problem` (free variables = coordinates; quantifiers
    allowed), or a formula with ``variables``, or QEPCAD input text.  Raises
    :class:`cad.errors.BudgetExceeded` when ``timeout`` seconds run out.  Returns
    :class:`ClosednessResult` with ``napproach`` approaching points when not closed.
    """
    route_pref = route
    if route_pref not in ("auto", "adjacency", "epsilon"):
        raise InputError(f"route: unknown route {route!r} (use 'auto', 'adjacency' or 'epsilon')")
    budget = _Budget(timeout)
    problem = _as_problem(problem, variables)
    ring, S, used_qe = _quantifier_free(problem, budget)
    pre = "QE gave " + F.to_str(S, ring) + "; " if used_qe else ""
    stats = _new_stats()

    def done(closed, reason, route, **kw):
        return ClosednessResult(closed=closed, reason=pre + reason, seconds=budget.elapsed(),
                                formula=S, ring=ring, route=route, **kw)

    if isinstance(S, F.Truth):
        return done(True, f"the set is {'R^n' if S.value else 'empty'}", "syntactic")
    if _rels(S) <= _CLOSED_RELS:
        return done(True, "closed by syntax: /\\, \\/ of =, <=, >= atoms (preimages of closed "
                          "sets)", "syntactic")
    names = _used(S, ring)
    witness = None
    R = relaxation(S)
    gap = _gap_cells(S, R, ring, names, budget)
    if gap is not None and not gap:
        return done(True, "relaxation lemma: S is equivalent to its closed relaxation "
                          + F.to_str(R, ring), "relaxation")
    if segments:
        hit = _segment_witness(S, ring, budget, stats)
        if hit is not None:
            w, p, q, t0, side, neighbour = hit
            witness = {v: w.get(v, fmpq(0)) for v in ring.variables}
            gen, rule = _segment_approach(S, ring, names, p, q, t0, side, neighbour)
            route = "segment"
            reason = (f"witness {_fmt_point(witness)} is not in the set and is the end of an "
                      f"open interval of points of the set on the line through {_fmt_point(p)} "
                      f"and {_fmt_point(q)}")
    if witness is None and len(names) <= 2 and route_pref in ("auto", "adjacency"):
        closed, w, ncells, tested = _plane_route(S, ring, budget, stats)
        stats["adjacency"] = (ncells, tested)
        how = (f"CAD adjacency in the plane (frontier condition): {ncells} cells, "
               f"{tested} point tests")
        if closed:
            return done(True, how + ": no false cell lies in the closure", "adjacency")
        witness = {v: w.get(v, fmpq(0)) for v in ring.variables}
        gen, rule = _epsilon_approach(S, ring, names, witness, budget)
        route = "adjacency"
        reason = how + f": the cell of {_fmt_point(witness)} is false and in the closure"
    if witness is None:
        W = _frontier(S, ring, budget, encoding, stats)
        if W == F.FALSE:
            return done(True, "epsilon sentence: cl(S) \\ S is empty" + _lemma_note(stats),
                        "epsilon")
        witness = _best_point(W, ring, budget)
        if witness is None:
            return done(True, "epsilon sentence: cl(S) \\ S = {" + F.to_str(W, ring)
                        + "} is empty" + _lemma_note(stats), "epsilon")
        gen, rule = _epsilon_approach(S, ring, names, witness, budget)
        route = "epsilon"
        reason = f"witness satisfies cl(S) \\ S = {F.to_str(W, ring)}" + _lemma_note(stats)
    if F.evaluate(S, ring, witness):
        raise InputError("internal: the witness lies in the set")
    pts = [gen(k) for k in range(napproach)]
    dists = [_dist_float(p, witness) for p in pts]
    return done(False, reason, route, witness=witness, approaching=pts, approach_rule=rule,
                distances=dists, _approach=gen)


def _lemma_note(stats):
    notes = sorted(stats["lemmas"])
    return f" (lemmas: {', '.join(notes)})" if notes else ""
