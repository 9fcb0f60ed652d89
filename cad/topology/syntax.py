"""What the formula of a set says by itself: its quantifier-free form, syntactic closedness,
bounded DNF, independent conjunct groups and the closed relaxation ``R(S)``.

Proofs (syntactic closedness, relaxation lemma): :mod:`cad.topology.closedness`, steps 2 and 4.
"""

from cad import logic
from cad.io import parse_qepcad
from cad.errors import InputError
from cad.poly import PolyRing
from cad.elimination import qe

CLOSED_RELATIONS = frozenset({"=", "<=", ">="})
_DNF_LIMIT = 16          # at most this many disjuncts when distributing /\ over \/


def as_problem(obj, variables=None):
    """Problem from a Problem, a formula (+ coordinate names) or QEPCAD input text."""
    if isinstance(obj, logic.Problem):
        return obj
    if isinstance(obj, str):
        return parse_qepcad(obj)
    if isinstance(obj, logic.Formula):
        ctx = logic.formula_context(obj)
        names = tuple(ctx.names()) if ctx is not None else ()
        if variables is None:
            fv = logic.free_variables(obj)
            variables = tuple(v for v in names if v in fv)
        variables = tuple(variables)
        rest = tuple(v for v in names if v not in variables)
        ring = PolyRing(variables + rest)
        return logic.prenex_problem(logic.Problem(ring, variables, logic.to_ring(obj, ring)))
    raise InputError(f"a set must be a cad.logic.Problem, a Formula or QEPCAD text, got "
                     f"{type(obj).__name__}")


def quantifier_free(problem, budget):
    """(ring of the free variables, quantifier-free NNF formula of the set, used QE?)"""
    f = problem.formula
    used_qe = False
    if not logic.is_quantifier_free(f):
        f = qe(problem, budget=budget).formula
        used_qe = True
    ring = PolyRing(tuple(problem.free))
    extra = logic.free_variables(f) - set(problem.free)
    if extra:
        raise InputError(f"variable {sorted(extra)[0]!r} occurs free in the formula but is not "
                         "among the free variables")
    return ring, logic.to_ring(logic.nnf(f), ring), used_qe


def relations(f):
    """The set of relations of the atoms of ``f``."""
    return {a.rel for a in logic.atoms(f)}


def is_syntactically_closed(f):
    """True when the NNF of the quantifier-free ``f`` uses only ``=``, ``<=``, ``>=`` atoms (then
    the set is closed; proof: :mod:`cad.topology.closedness`, step 2)."""
    if not logic.is_quantifier_free(f):
        return False
    return relations(logic.nnf(f)) <= CLOSED_RELATIONS


def closed_by_syntax(S):
    """``S`` (quantifier-free NNF) is a constant or uses only ``=``, ``<=``, ``>=`` atoms."""
    return isinstance(S, logic.Truth) or relations(S) <= CLOSED_RELATIONS


def used_variables(f, ring):
    """The variables of ``ring`` that occur in ``f``, in ring order."""
    fv = logic.free_variables(f)
    return tuple(v for v in ring.variables if v in fv)


def cad_polynomials(f):
    """The non-constant polynomials of the atoms of ``f``."""
    return [p for p in logic.polynomials(f) if not p.is_constant()]


def fresh_name(base, taken):
    """``base0``, ``base1``, ...: the first not in ``taken`` (added to it)."""
    k = 0
    while f"{base}{k}" in taken:
        k += 1
    name = f"{base}{k}"
    taken.add(name)
    return name


def disjuncts(f):
    """NNF ``f`` as a list of disjuncts (bounded DNF: stop distributing beyond _DNF_LIMIT)."""
    if isinstance(f, logic.Or):
        out = []
        for a in f.args:
            out.extend(disjuncts(a))
        return out
    if isinstance(f, logic.And):
        parts = [disjuncts(a) for a in f.args]
        size = 1
        for p in parts:
            size *= len(p)
        if size > _DNF_LIMIT:
            return [f]
        terms = [[]]
        for p in parts:
            terms = [t + [d] for t in terms for d in p]
        return [logic.conj(*t) for t in terms]
    return [f]


def conjuncts(f):
    return list(f.args) if isinstance(f, logic.And) else [f]


def components(conjuncts):
    """Group conjuncts into classes of the 'shares a variable' relation."""
    groups = []   # [set(vars), [conjuncts]]
    for c in conjuncts:
        vs = set(logic.free_variables(c))
        merged = [g for g in groups if g[0] & vs]
        for g in merged:
            groups.remove(g)
            vs |= g[0]
        items = [x for g in merged for x in g[1]] + [c]
        groups.append([vs, items])
    return [logic.conj(*g[1]) for g in groups]


_RELAX = {"<": "<=", ">": ">=", "<=": "<=", ">=": ">=", "=": "="}
_CONTRA = {("=", "/="), ("=", "<"), ("=", ">"), ("<", ">"), ("<", ">="), (">", "<="),
           ("<=", ">")}


def _contradictory(D):
    """A conjunction containing ``p = 0`` and ``p /= 0`` (or ``p < 0`` and ``p >= 0``, ...) for
    the same polynomial ``p``: empty by syntax."""
    seen = {}
    for a in conjuncts(D):
        if isinstance(a, logic.Atom):
            seen.setdefault(str(a.poly), set()).add(a.rel)
        if a == logic.FALSE:
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
    for D in disjuncts(S):
        if _contradictory(D):
            continue
        parts = []
        for a in conjuncts(D):
            if isinstance(a, logic.Atom):
                parts.append(logic.TRUE if a.rel == "/=" else logic.Atom(a.poly, _RELAX[a.rel]))
            elif isinstance(a, logic.Truth):
                parts.append(a)
            else:   # a nested disjunction left by the bounded DNF: relax recursively
                parts.append(relaxation(a))
        out.append(logic.conj(*parts))
    return logic.disj(*out) if out else logic.FALSE
