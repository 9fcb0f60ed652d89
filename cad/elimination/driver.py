"""Quantifier elimination and decision by partial cylindrical algebraic decomposition.

:func:`qe` runs these steps (each in its module):

1. **Prenex form in CAD order** (:func:`_prenex_in_cad_order`): the problem's standard
   prenex form (:func:`cad.logic.prenex_problem`, :func:`cad.logic.prenex`), its matrix
   in negation normal form, its polynomials moved to the variable order free-then-bound.
2. **Preprocessing** (:mod:`cad.elimination.preprocess`): linear eliminations of innermost bound
   variables (with a case split when the coefficient is a polynomial or the equations sit in
   a disjunction, :mod:`cad.elimination.linear_cases`), quadratic ones, variables of outer
   blocks confined to parts without inner variables, shears of bound variables, and removal
   of the variables that no longer occur; repeated on the next block when a pass removes the
   innermost one.
3. **Partial CAD** (:mod:`cad.elimination.pcad`): McCallum's projection first (smaller); over a
   0-dimensional cell a nullified factor is lifted with a least-order derivative
   (:func:`cad.decomposition.delineating_derivative`); if a factor is nullified over a lifted
   cell of positive dimension below the top level (not well oriented,
   :class:`cad.decomposition.NotWellOriented`) the round is redone with Lazard's projection,
   valid for every input.  When the matrix has an equational constraint for the innermost
   variable, the first projection step is the equational one
   (:mod:`cad.decomposition.equational`); if its guard fails over a lifted cell
   (:class:`cad.decomposition.ConstraintNullified`) the round is redone without it.
4. **Projection definability** (:mod:`cad.elimination.definability`): derivatives are signed on
   sections, last-root features (:mod:`cad.elimination.last_root`) are recorded, or the
   derivatives are added to the projection for a new round, until no true and false leaf share
   a signature; when no new derivative is left, the delineating polynomials of nullified
   factors are projected too; when nothing new is left (or after ``_MAX_ROUNDS`` rounds), indexed
   root conditions ``x_k rel _root_j f`` of QEPCAD B's extended language separate them
   (:mod:`cad.elimination.root_features`).
5. **Solution formula** (:mod:`cad.elimination.solution`).
"""

import gc
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from flint import fmpz_mpoly_ctx

from cad.budget import Budget
from cad.hard_deadline import retire_after_answer, run_in_worker
from cad.decomposition import ConstraintNullified, NotWellOriented, clear_projection_cache
from cad.poly import PolyRing, poly_key
from cad.errors import InputError, InternalError
from cad.logic import (
    FALSE, TRUE, And, Atom, Exists, Formula, Forall, Iff, Implies, Not, Or, Problem, RootAtom,
    Truth, prenex, prenex_problem, to_ring,
)
from cad.elimination.definability import conflict_level, derivatives_to_project
from cad.elimination import pcad
from cad.elimination.pcad import build_partial_cad, equational_constraint
from cad.elimination.preprocess import map_atoms, preprocess, simplify
from cad.elimination.root_atoms import expand_root_atoms
from cad.elimination.root_features import add_root_features, delineating_polynomials
from cad.elimination.solution import solution_formula
from cad.nesting import SHALLOW_NESTING, deep, formula_depth_at_most

__all__ = ["QEResult", "qe", "decide", "equivalent"]

# re-projection rounds of the solution formula construction before giving up
_MAX_ROUNDS = 12


@dataclass
class QEResult:
    """Result of :func:`qe`: a quantifier-free ``formula`` of the problem's ring (a
    :mod:`cad.logic` AST, ``TRUE``/``FALSE`` for sentences), the number of ``cells``
    built, and the wall-clock ``seconds`` spent."""

    formula: Formula
    cells: int
    seconds: float


@dataclass
class _Prenex:
    """The problem in prenex form, ready for the CAD: ``prefix`` and ``matrix`` as
    :func:`cad.logic.prenex` gives them (the matrix in the problem's variables), the
    variable ``order`` (free, then bound in prefix order) with the quantifiers ``quants``
    of the bound ones, and ``cad_matrix``: the matrix with its polynomials in ``order``."""

    prefix: list
    matrix: Formula
    nfree: int
    order: tuple
    quants: list
    cad_matrix: Formula


def qe(problem, timeout=None, max_cells=None, *, budget=None, hard_limit=None):
    """Eliminate the quantifiers of ``problem`` (a :class:`cad.logic.Problem`).

    Returns :class:`QEResult` whose formula is quantifier-free in the free
    variables (``TRUE``/``FALSE`` for a sentence).  Raises
    :class:`cad.errors.BudgetExceeded` when the time (``budget``, a :class:`cad.budget.Budget`,
    else ``timeout`` seconds) or ``max_cells`` cells are exceeded.  See the module docstring
    for the algorithm.

    **Hard limit.**  The engine checks its budget between exact steps, but a single flint
    operation (a discriminant or resultant of high degree) can run for minutes without
    returning to Python.  Guessing the cost of such an operation before starting it would
    need a cost model of flint's algorithms that is both safe and tight; a fork is simple
    and exact about time.  So with ``hard_limit`` true the computation runs in another process,
    a worker forked at the first such call and kept for the later ones
    (:func:`cad.hard_deadline.run_in_worker`; a child per call from threads other than the main
    one), that is killed :data:`cad.hard_deadline.HARD_LIMIT_GRACE` seconds after the budget, and
    ``BudgetExceeded`` is raised within about ``timeout + 0.3`` seconds whatever the input.  The
    problem goes there and the answer comes back as flat lists of connectives, quantifiers and
    atoms whose polynomials are their integer terms (exact), rebuilt over ``problem.ring``.  The
    worker starts every call with an empty projection cache, as the caller's own would be after
    :func:`cad.decomposition.clear_projection_cache`; it runs the code as it was when it was
    forked (:func:`cad.hard_deadline.stop_worker` ends it).  The default (``None``) is a hard limit when a finite ``timeout`` is
    given, ``budget`` is not, and ``os.fork`` exists (POSIX); pass ``hard_limit=False`` to
    stay in-process (callers that already run in a child, or hold threads, should).
    """
    if hard_limit is None:
        hard_limit = budget is None and timeout is not None and hasattr(os, "fork")
    if hard_limit:
        seconds = Budget.of(budget if budget is not None else timeout).remaining()
        if seconds:   # None: unlimited; 0: spent, the in-process run says so at once
            return _qe_in_child(problem, seconds, max_cells)
    return _qe(problem, timeout, max_cells, budget)


def _qe_in_child(problem, seconds, max_cells):
    """:func:`qe` in the kept worker process of :func:`cad.hard_deadline.run_in_worker`, killed
    shortly after ``seconds`` (see :func:`qe`).  The problem travels as the names of its
    ring's variables and its formulas as :func:`_encoded` lists; the answer comes back so."""
    ring = problem.ring
    request = (tuple(ring.variables), problem.free, problem.description,
               _encoded(problem.formula, ring.ctx), _encoded(problem.assumptions, ring.ctx),
               seconds, max_cells)
    code, cells, seconds_used = run_in_worker(_qe_request, request, seconds)
    return QEResult(_decoded(code, ring.ctx), cells, seconds_used)


def _qe_request(request):
    """The worker's side of :func:`_qe_in_child`: the problem rebuilt, eliminated from scratch
    (the projection cache cleared first, so no request reuses an earlier one's projection), the
    answer encoded."""
    variables, free, description, formula, assumptions, seconds, max_cells = request
    clear_projection_cache()
    ring = PolyRing(variables)
    problem = Problem(ring, free, _decoded(formula, ring.ctx), description,
                      _decoded(assumptions, ring.ctx))
    # _qe turns the collector off for the request (_collector_off); the cell tree's cycles
    # are broken when it ends (release), and the worker collects what else is left between
    # requests (cad.hard_deadline._serve)
    res = _qe(problem, None, max_cells, Budget(seconds), release=_release_or_retire)
    return _encoded(res.formula, ring.ctx), res.cells, res.seconds


# cells above which the worker exits after its answer instead of freeing the cell tree.
# Freeing costs about 2-4 us a cell (edge_square_product: 101,526 cells, ~0.3 s of 3.5);
# a new worker costs the next call its fork and first page copies, 5-60 ms (xaxis_ellipse,
# 16,000 cells, measured 65 ms slower when retiring): below this size freeing is cheaper
_RETIRE_CELLS = 50_000


def _release_or_retire(ncells):
    """In the worker, at the end of a request: free a tree of at most :data:`_RETIRE_CELLS`
    cells (True); after a larger one retire the worker instead (it exits right after its
    answer, leaving the tree to the operating system; the next call forks a new one)."""
    if ncells <= _RETIRE_CELLS:
        return True
    retire_after_answer()
    return False


# Formulas travel between processes as flat postfix lists of picklable entries (flint
# polynomials do not pickle): ("T", value), ("A", rel, terms), ("R", var, rel, index, terms),
# ("&", k), ("|", k), ("~",), ("=>",), ("<=>",), ("Q", letter, variables), a polynomial as its
# (exponents, integer coefficient) terms in the problem's ring.  Both walks are loops, so a
# deeply nested input needs no deep stack, and nothing is printed and parsed again.

_BINARY = {Implies: "=>", Iff: "<=>"}
_QUANTIFIERS = {"E": Exists, "A": Forall}


def _encoded(formula, ctx):
    """``formula`` (any :mod:`cad.logic` formula over ``ctx``) as the postfix list."""
    out = []
    todo = [(formula, False)]
    while todo:
        f, expanded = todo.pop()
        if isinstance(f, Truth):
            out.append(("T", bool(f.value)))
        elif isinstance(f, (Atom, RootAtom)):
            if f.poly.context() is not ctx:
                raise InternalError("internal: a formula's polynomial is outside the problem's ring")
            terms = tuple((e, int(c)) for e, c in f.poly.to_dict().items())
            out.append(("A", f.rel, terms) if isinstance(f, Atom)
                       else ("R", f.var, f.rel, f.index, terms))
        elif expanded:
            out.append(("~",) if isinstance(f, Not)
                       else (_BINARY[type(f)],) if type(f) in _BINARY
                       else ("Q", f.letter, f.variables) if isinstance(f, (Exists, Forall))
                       else ("&" if isinstance(f, And) else "|", len(f.args)))
        elif isinstance(f, (And, Or, Not, Implies, Iff, Exists, Forall)):
            todo.append((f, True))
            todo.extend((k, False) for k in reversed(f.children()))
        else:
            raise InternalError(f"internal: {type(f).__name__} in a formula to encode")
    return out


def _decoded(code, ctx):
    """The formula of the postfix list ``code`` (:func:`_encoded`), polynomials in ``ctx``."""
    stack = []
    for entry in code:
        tag = entry[0]
        if tag == "T":
            stack.append(TRUE if entry[1] else FALSE)
        elif tag == "A":
            stack.append(Atom(ctx.from_dict(dict(entry[2])), entry[1]))
        elif tag == "R":
            stack.append(RootAtom(entry[1], entry[2], entry[3], ctx.from_dict(dict(entry[4]))))
        elif tag == "~":
            stack.append(Not(stack.pop()))
        elif tag == "Q":
            stack.append(_QUANTIFIERS[entry[1]](entry[2], stack.pop()))
        elif tag in ("=>", "<=>"):
            right = stack.pop()
            left = stack.pop()
            stack.append(Implies(left, right) if tag == "=>" else Iff(left, right))
        else:
            k = entry[1]
            args = tuple(stack[len(stack) - k:])
            del stack[len(stack) - k:]
            stack.append(And(args) if tag == "&" else Or(args))
    (formula,) = stack
    return formula


def _shallow_problem(problem, *_args, **_kwargs):
    """The problem's formula is at most :data:`cad.nesting.SHALLOW_NESTING` levels deep (the
    ``shallow`` test of :func:`cad.nesting.deep`)."""
    return formula_depth_at_most(problem.formula, SHALLOW_NESTING)


@deep(shallow=_shallow_problem)
def _qe(problem, timeout, max_cells, budget, release=True):
    """:func:`qe` in this process; ``release``: break the cell tree's cycles afterwards (so that
    reference counting frees it), pointless in a process that exits right after; a function
    of the number of cells built says whether to."""
    with _collector_off():
        return _qe_body(problem, timeout, max_cells, budget, release)


# the cell tree is one large cyclic structure (parents and children, cells and their
# decomposition) that lives as long as the call: the cyclic garbage collector's passes over it
# cost a quarter of the time on problems of many cells with the default thresholds, and still
# ~10 % on xaxis_ellipse with a raised generation-0 threshold (generation-2 passes walk the whole
# growing tree).  The call creates little cyclic garbage besides the tree (the worker and the
# forked child run with the collector off; collins2001's peak memory measured unchanged), and
# the tree's cycles are broken at the end (release), so the collector is off for the call.
_gc_lock = threading.Lock()
_gc_state = [0, None]   # calls under way, whether the collector was on before the first of them


@contextmanager
def _collector_off():
    """Turn the cyclic collector off for the duration; the last of concurrent calls to leave
    restores the state it found (on or off).  Reference counting still frees everything that
    is not in a cycle."""
    with _gc_lock:
        if _gc_state[0] == 0:
            _gc_state[1] = gc.isenabled()
            gc.disable()
        _gc_state[0] += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_state[0] -= 1
            if _gc_state[0] == 0 and _gc_state[1]:
                gc.enable()


def _qe_body(problem, timeout, max_cells, budget, release=True):
    start = time.monotonic()
    budget = _budget(budget, timeout)
    given = problem
    problem = expand_root_atoms(problem)
    task = _prenex_in_cad_order(problem)
    matrix, order, quants = preprocess(task.cad_matrix, task.order, task.quants, task.nfree)
    if isinstance(matrix, Truth):
        return QEResult(TRUE if matrix.value else FALSE, 1, time.monotonic() - start)
    pc, ncells = _definable_partial_cad(matrix, order, task.nfree, quants, budget, max_cells)
    free_tree = release(ncells) if callable(release) else release
    if not task.nfree:
        formula = TRUE if pc.D.root.data["t"] else FALSE
        if free_tree:
            pc.D.release()
        return QEResult(formula, ncells, time.monotonic() - start)
    formula = solution_formula(pc, _mover(order, given.ring.variables, given.ring.ctx))
    if free_tree:
        pc.D.release()
    if not task.prefix:
        # quantifier-free input: keep whichever of input and simplified output is shorter
        if _formula_size(task.matrix) < _formula_size(formula):
            formula = to_ring(task.matrix, given.ring)
    return QEResult(formula, ncells, time.monotonic() - start)


def decide(problem, timeout=None, max_cells=None, *, budget=None):
    """Truth value of a sentence (a problem without free variables) by partial CAD."""
    if tuple(problem.free):
        raise InputError(f"decide() needs a sentence; free variables: {', '.join(problem.free)}")
    res = qe(problem, max_cells=max_cells, budget=_budget(budget, timeout), hard_limit=False)
    return isinstance(res.formula, Truth) and bool(res.formula.value)


def equivalent(ring, f, g, variables=None, timeout=None, *, budget=None):
    """Decide ``forall variables (f <-> g)`` with :func:`decide` (default: all ring variables)."""
    vs = tuple(variables) if variables is not None else tuple(ring.variables)
    body = Iff(f, g)
    sentence = Forall(vs, body) if vs else body
    return decide(Problem(ring=ring, free=(), formula=sentence), budget=_budget(budget, timeout))


def _budget(budget, timeout):
    """The budget of a call: ``budget`` when given, else ``timeout`` seconds (None: no limit)."""
    return Budget.of(budget if budget is not None else timeout)


# ---------------------------------------------------------------------------
# the steps
# ---------------------------------------------------------------------------

def _prenex_in_cad_order(problem):
    """Standard prenex form (quantified variables renamed apart, unused ones dropped); the
    matrix is in :func:`cad.logic.nnf`'s negation normal form."""
    free = tuple(problem.free)
    pp = prenex_problem(problem)
    prefix, matrix = prenex(pp.formula, pp.ring)
    bound = []
    quants = []
    for q, vs in prefix:
        q = q.upper()[0]
        for v in vs:
            if v in free or v in bound:
                raise InputError(f"variable {v} is quantified twice or both free and quantified")
            bound.append(v)
            quants.append("E" if q == "E" else "A")
    order = free + tuple(bound)
    ctx = fmpz_mpoly_ctx.get(order, "lex")
    where = {v: i for i, v in enumerate(order)}

    def to_cad(a):
        names = a.poly.context().names()
        for name, d in zip(names, a.poly.degrees()):
            if d > 0 and name not in where:
                raise InputError(f"variable {name} is neither free nor quantified")
        return Atom(_mover(names, order, ctx)(a.poly), a.rel)

    cad_matrix = simplify(map_atoms(matrix, to_cad))
    return _Prenex(prefix, matrix, len(free), order, quants, cad_matrix)


def _definable_partial_cad(matrix, order, nfree, quants, budget, max_cells):
    """The partial CAD whose free leaves are projection definable, and the number of cells
    built over all rounds.  Each round after the first projects derivatives chosen by
    :func:`cad.elimination.definability.derivatives_to_project` as well, and reads truth values from
    the round before where it can."""
    extra = []
    ncells = 0
    projection = "mccallum"   # smaller; falls back to Lazard when not well oriented
    # the equational projection at the top level, dropped when its check fails
    equational = equational_constraint(matrix, len(order), nfree, quants)
    # the same for every round (a property of the matrix and the prefix); looked up on the module,
    # where tests replace it
    closed = pcad.defines_closed_set(matrix, nfree, quants)
    prev = None
    for _round in range(_MAX_ROUNDS):
        pc, projection, equational, cells = _partial_cad_round(
            matrix, order, nfree, quants, extra, prev, budget, max_cells, projection, equational, closed)
        ncells += cells
        if not nfree:
            return pc, ncells
        level = conflict_level(pc)
        if level is None:
            return pc, ncells
        new = derivatives_to_project(pc, level, order, extra)
        if not new:
            # further projection factors: the polynomials whose roots delineated the stacks
            # over points where a factor is nullified
            new = _new_polynomials(delineating_polynomials(pc), order, extra)
        if not new:
            break
        extra.extend(new)
        prev = pc
    # the derivatives did not separate the leaves: indexed root conditions do (complete
    # except for the case documented in cad.elimination.root_features)
    if not add_root_features(pc):
        raise InternalError("solution formula construction: a true and a false leaf differ only "
                            "by a section of a delineating polynomial of a nullified factor")
    return pc, ncells


def _new_polynomials(polys, order, extra):
    """``polys`` moved to the generators ``order``, without those already in ``extra``."""
    ctx = fmpz_mpoly_ctx.get(order, "lex")
    known = {poly_key(e) for e in extra}
    out = []
    for p in polys:
        q = ctx.from_dict(p.to_dict())
        if poly_key(q) not in known:
            known.add(poly_key(q))
            out.append(q)
    return out


def _partial_cad_round(matrix, order, nfree, quants, extra, prev, budget, max_cells, projection,
                       equational, closed):
    """One partial CAD with truth values on the free cells: ``(pc, projection, equational,
    cells)``, the last three saying which projection the round ended with and its cells.
    ``closed``: :func:`cad.elimination.pcad.defines_closed_set` of the problem."""
    wasted = 0
    while True:
        pc = build_partial_cad(matrix, order, nfree, quants, extra, budget, max_cells, projection,
                               equational, closed)
        try:
            pc.run(prev)
            return pc, projection, equational, wasted + pc.ncells
        except NotWellOriented:
            # McCallum's projection is invalid here (a factor nullified over a lifted cell):
            # redo with Lazard's projection, valid for every input (MPP 2019)
            projection = "lazard"
        except ConstraintNullified:
            # the equational constraint may be nullified over a lifted cell (a curtain): the
            # equational projection is not known valid there, redo with the full projection
            equational = None
        wasted += pc.ncells
        prev = None


def _mover(src_names, dst_names, dst_ctx):
    """Move polynomials of generators ``src_names`` into ``dst_ctx`` (generators
    ``dst_names``) by variable name; a variable missing there must not occur."""
    dst_names = tuple(dst_names)
    target = [dst_names.index(v) if v in dst_names else None for v in src_names]
    m = len(dst_names)

    def move(p):
        d = {}
        for exps, c in p.to_dict().items():
            e = [0] * m
            for i, x in enumerate(exps):
                if x:
                    e[target[i]] = x
            d[tuple(e)] = c
        return dst_ctx.from_dict(d)

    return move


def _formula_size(f):
    """Number of atom occurrences."""
    if isinstance(f, Atom):
        return 1
    return sum(_formula_size(k) for k in f.children())
