"""Prenex normal form, and the standard form of the problems the parsers return.

:func:`prenex` pushes negations to the atoms (:func:`cad.logic.transform.nnf`), renames bound
variables apart and pulls the quantifiers out, choosing the order of independent quantifier
blocks so that the number of alternations is small (QEPCAD B needs prenex input, and the CAD
cost grows with alternations).  It returns a matrix whose polynomials live in the context
extended by fresh names (see :mod:`cad.logic.transform`; ``PolyRing(context names)`` is its
ring); :func:`prenex_problem` returns a new :class:`Problem` whose ring is exactly ``free
variables + quantified variables in prefix order``.

Standard form of parsed problems
--------------------------------
The parsers (:func:`cad.io.qepcad.parse_qepcad`, :func:`cad.io.smtlib.parse_smtlib`,
:func:`cad.io.sympy_bridge.from_sympy`) return problems built by :func:`standard_problem`: every
quantifier binds variables that are distinct from each other and from the free variables
(renamed apart when the input reuses a name, e.g. in a non-prenex formula
``(E x)[..] /\\ (E x)[..]``, or under ``<==>``, which is expanded into two implications when a
side contains a quantifier), and ``problem.ring.variables`` is the free variables (in their
declared order) followed by the bound variables in the order of ``prenex(problem.formula)``'s
prefix.  Hence ``prenex(problem.formula)`` never renames and its prefix variables appear in ring
order, which is what a CAD needs.  Declared variables that are neither free nor used by a
quantifier are dropped from the ring.  For an ordinary QEPCAD B input (prenex, quantifiers in
variable-list order) the ring is exactly the declared variable list.
"""

from __future__ import annotations

from flint import fmpz_mpoly_ctx

from cad.errors import InputError
from cad.logic.ast import TRUE, And, Atom, Iff, Not, Or, Problem, Quantifier, RootAtom, Truth
from cad.logic.build import conj, exists, forall, iff, implies
from cad.logic.queries import formula_context, free_variables, is_quantifier_free
from cad.logic.transform import nnf, standardize_apart, to_ring
from cad.poly import PolyRing

__all__ = ["prenex", "prenex_problem", "standard_problem", "split_prefix", "wrap"]


def _merge_prefixes(seqs):
    """Interleave quantifier-block sequences of independent subformulas into one sequence with
    few alternations: repeatedly take the quantifier at the front of a longest remaining
    sequence and pop that quantifier's front block from every sequence starting with it."""
    seqs = [list(s) for s in seqs if s]
    out = []
    while seqs:
        longest = max(len(s) for s in seqs)
        fronts = [s[0][0] for s in seqs if len(s) == longest]
        q = "E" if "E" in fronts and (fronts.count("E") >= fronts.count("A")) else fronts[0]
        block = []
        rest = []
        for s in seqs:
            if s[0][0] == q:
                block.extend(s[0][1])
                s = s[1:]
            if s:
                rest.append(s)
        out.append((q, tuple(block)))
        seqs = rest
    return out


def _pull(g):
    """Prenex a formula in NNF whose bound variables are apart: ``(blocks, matrix)``."""
    if isinstance(g, (Atom, RootAtom, Truth)) or (isinstance(g, Not) and
                                                  isinstance(g.arg, RootAtom)):
        return [], g
    if isinstance(g, Quantifier):
        q = g.letter
        blocks, m = _pull(g.body)
        if blocks and blocks[0][0] == q:
            blocks = [(q, tuple(g.variables) + blocks[0][1])] + blocks[1:]
        else:
            blocks = [(q, tuple(g.variables))] + blocks
        return blocks, m
    if not isinstance(g, (And, Or)):
        raise InputError(f"_pull expects negation normal form, got {type(g).__name__}")
    parts = [_pull(a) for a in g.args]
    blocks = _merge_prefixes([b for b, _ in parts])
    return blocks, g.simplify([m for _, m in parts])


def _clean_blocks(blocks, occurring, rank):
    """Drop the variables not in ``occurring``, sort each block by ``rank`` (stable), merge
    neighbours."""
    out = []
    for q, vs in blocks:
        vs = tuple(sorted(dict.fromkeys(v for v in vs if v in occurring), key=rank))
        if not vs:
            continue
        if out and out[-1][0] == q:
            out[-1] = (q, out[-1][1] + vs)
        else:
            out.append((q, vs))
    return out


def prenex(f, ring=None):
    """Prenex normal form ``([(q, vars), ...], matrix)`` with ``q`` in ``'E'``/``'A'``, blocks
    alternating, ``matrix`` quantifier-free in negation normal form.

    Algorithm: :func:`nnf`, then :func:`standardize_apart`, then pull the quantifiers out
    (``(Q x)A /\\ B == (Q x)[A /\\ B]`` when ``x`` is not free in ``B``), merging the blocks of
    sibling subformulas so that alternations stay few.  Variables inside a block are listed in
    the context's (ring's) variable order; variables that do not occur in the matrix are dropped.
    When a bound variable has to be renamed (a clash, or ``<==>`` duplicating a quantified side),
    the matrix lives in the context extended by fresh names (see the module docstring);
    :func:`prenex_problem` also returns the matching ring.
    """
    g = nnf(f)
    ctx = ring.ctx if ring is not None else formula_context(g)
    if ring is not None:
        g = to_ring(g, ring)
    g, ctx, _ = standardize_apart(g, ctx) if ctx is not None else (g, None, {})
    blocks, matrix = _pull(g)
    order = {v: i for i, v in enumerate(ctx.names())} if ctx is not None else {}
    out = _clean_blocks(blocks, free_variables(matrix), lambda v: order.get(v, len(order)))
    return out, matrix


def wrap(prefix, matrix):
    """The formula ``prefix matrix`` for a prefix ``[(q, vars), ...]`` as :func:`prenex` gives."""
    f = matrix
    for q, vs in reversed(prefix):
        f = exists(vs, f) if q == "E" else forall(vs, f)
    return f


def split_prefix(f):
    """If ``f`` is already prenex (quantifiers, then a quantifier-free matrix) return
    ``(prefix, matrix)`` keeping the matrix's connectives; else None."""
    prefix = []
    g = f
    while isinstance(g, Quantifier):
        q = g.letter
        if prefix and prefix[-1][0] == q:
            prefix[-1] = (q, prefix[-1][1] + tuple(g.variables))
        else:
            prefix.append((q, tuple(g.variables)))
        g = g.body
    if not is_quantifier_free(g):
        return None
    seen = [v for _, vs in prefix for v in vs]
    if len(set(seen)) != len(seen):
        return None
    return prefix, g


def _expand_quantified_iff(f):
    """Replace every ``a <==> b`` whose sides contain a quantifier by ``[a ==> b] /\\ [b ==> a]``
    (so that a later :func:`prenex` needs no renaming after :func:`standardize_apart`)."""
    children = f.children()
    if not children:
        return f
    if isinstance(f, Iff):
        a, b = _expand_quantified_iff(f.left), _expand_quantified_iff(f.right)
        if is_quantifier_free(a) and is_quantifier_free(b):
            return iff(a, b)
        return conj(implies(a, b), implies(b, a))
    return f.simplify([_expand_quantified_iff(c) for c in children])


def standard_problem(variables, free, formula, description="", assumptions=TRUE, hint=None):
    """Build a :class:`Problem` in standard form (see the module docstring).

    ``variables``: the names of the context the formula's polynomials live in; ``free``: the
    free variables; ``hint``: name -> rank used to order variables inside a quantifier block
    (defaults to the position in ``variables``)."""
    free = tuple(free)
    ctx = fmpz_mpoly_ctx.get(tuple(variables), "lex")
    f = _expand_quantified_iff(formula)
    f, ctx2, origin = standardize_apart(f, ctx, reserved=free)
    hint = dict(hint) if hint is not None else {v: i for i, v in enumerate(variables)}

    def rank(v):
        o = origin.get(v, v)
        return (hint.get(o, len(hint)), 0 if v == o else 1, v)

    blocks, matrix = _pull(nnf(f))
    occurring = free_variables(matrix)
    bound = []
    for _, vs in blocks:
        bound.extend(sorted({v for v in vs if v in occurring and v not in bound}, key=rank))
    ring = PolyRing(free + tuple(bound))
    f = to_ring(f, ring)
    extra = free_variables(f) - set(free)
    if extra:
        raise InputError(f"variable {sorted(extra)[0]!r} occurs free but is not a free variable")
    a = to_ring(assumptions, ring) if assumptions != TRUE else TRUE
    return Problem(ring, free, f, description, a)


def prenex_problem(problem: Problem) -> Problem:
    """An equivalent problem whose formula is prenex (quantifier blocks around a quantifier-free
    matrix) and whose ring is ``free variables + quantified variables in prefix order``.

    A formula that is already prenex keeps its matrix (with ``==>``, ``<==>``, ``~``); otherwise
    the matrix is :func:`prenex`'s negation normal form.  Bound variables are renamed apart from
    each other and from the free variables when needed (fresh names as in :func:`prenex`)."""
    f = problem.formula
    free = tuple(problem.free)
    split = split_prefix(f)
    if split is not None and not (set(v for _, vs in split[0] for v in vs) & set(free)):
        prefix, matrix = split
        order = {v: i for i, v in enumerate(problem.ring.variables)}
        prefix = _clean_blocks(prefix, free_variables(matrix), lambda v: order.get(v, 0))
    else:
        g, ctx, _ = standardize_apart(nnf(f), problem.ring.ctx, reserved=free)
        if ctx is None:
            ctx = problem.ring.ctx
        blocks, matrix = _pull(g)
        order = {v: i for i, v in enumerate(ctx.names())}
        prefix = _clean_blocks(blocks, free_variables(matrix), lambda v: order[v])
    extra = free_variables(matrix) - set(free) - {v for _, vs in prefix for v in vs}
    if extra:
        raise InputError(f"variable {sorted(extra)[0]!r} occurs free in the formula but is not "
                         f"among the free variables {', '.join(free) or '(none)'}")
    ring = PolyRing(free + tuple(v for _, vs in prefix for v in vs))
    matrix = to_ring(matrix, ring)
    a = to_ring(problem.assumptions, ring) if problem.assumptions != TRUE else TRUE
    return Problem(ring, free, wrap(prefix, matrix), problem.description, a)
