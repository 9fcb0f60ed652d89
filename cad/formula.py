"""Tarski formulas: syntax tree, normal forms, exact evaluation, parsers and printers.

A *Tarski formula* is a first-order formula over the ordered field of the reals whose atoms
compare an integer polynomial with zero (Tarski, "A decision method for elementary algebra and
geometry", 1948/51; the input language of Collins' CAD and of QEPCAD B).  Here

* an :class:`Atom` holds a raw flint ``fmpz_mpoly`` of a :class:`cad.poly.PolyRing`'s context and
  a relation in ``= /= < <= > >=`` (the polynomial is compared with 0);
* connectives are :class:`And`, :class:`Or`, :class:`Not`, :class:`Implies`, :class:`Iff`;
  quantifiers :class:`Exists` / :class:`Forall` bind a tuple of variable names; :data:`TRUE` and
  :data:`FALSE` are the constants (instances of :class:`Truth`);
* a :class:`Problem` is what a QEPCAD B input file describes: a ring (variable order), the free
  variables (the first ``k`` variables of the ring) and a formula.

The node classes are frozen records (:class:`cad.records.Record`) and may be built directly; the *smart constructors*
:func:`atom`, :func:`conj`, :func:`disj`, :func:`negate`, :func:`implies`, :func:`iff`,
:func:`exists`, :func:`forall` additionally flatten nested conjunctions/disjunctions, drop
duplicates and neutral elements, evaluate constant atoms, negate atoms by flipping the relation
and drop quantified variables that do not occur.  Every parser builds through them, so
``normalize(f)`` (rebuild through them) is the normal form used for round-trip comparisons.

Normal forms (standard; e.g. Enderton, "A Mathematical Introduction to Logic", 2nd ed., sec. 2.6):
:func:`nnf` pushes negations to the atoms (where they disappear by flipping the relation) and
eliminates ``==>`` and ``<==>``; :func:`prenex` renames bound variables apart and pulls the
quantifiers out, choosing the order of independent quantifier blocks so that the number of
alternations is small (QEPCAD B needs prenex input, and the CAD cost grows with alternations).

Variable renaming and how a ring grows
--------------------------------------
Polynomials live in a fixed flint context, so renaming a bound variable ``x`` that clashes with
another use of ``x`` needs a context with a *new* variable.  Fresh names are ``x1``, ``x2``, ...
(the first not already used; letters and digits only, so QEPCAD B accepts them) and are appended
to the end of the variable list.  :func:`prenex` returns a matrix whose polynomials live in that
extended context (``PolyRing(context names)`` is its ring); :func:`prenex_problem` returns a new
:class:`Problem` whose ring is exactly ``free variables + quantified variables in prefix order``.

The parsers (:func:`parse_qepcad`, :func:`parse_smtlib`, :func:`from_sympy`) return problems in a
*standard form*: every quantifier binds variables that are distinct from each other and from the
free variables (renamed apart as above when the input reuses a name, e.g. in a non-prenex
formula ``(E x)[..] /\\ (E x)[..]``, or under ``<==>``, which is expanded into two implications
when a side contains a quantifier), and ``problem.ring.variables`` is the free variables (in
their declared order) followed by the bound variables in the order of
``prenex(problem.formula)``'s prefix.  Hence ``prenex(problem.formula)`` never renames and its
prefix variables appear in ring order, which is what a CAD needs.  Declared variables that are
neither free nor used by a quantifier are dropped from the ring.  For an ordinary QEPCAD B input
(prenex, quantifiers in variable-list order) the ring is exactly the declared variable list.

Parsers and printers
--------------------
* QEPCAD B input files (Brown, "QEPCAD B: a program for computing with semi-algebraic sets using
  CADs", SIGSAM Bulletin 37(4), 2003, and the QEPCAD B user documentation): :func:`parse_qepcad`,
  :func:`to_qepcad`; formula text: :func:`parse_formula`, :func:`to_str`; QEPCAD's answer:
  :func:`parse_qepcad_output_formula`.
* SMT-LIB 2.6 (Barrett, Fontaine, Tinelli, "The SMT-LIB Standard: Version 2.6", theory of
  reals, logics ``QF_NRA``/``NRA``): :func:`parse_smtlib`, :func:`to_smtlib`.
* sympy relationals and Boolean expressions: :func:`from_sympy`, :func:`to_sympy` (sympy is
  imported inside them only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import flint
from flint import fmpq, fmpq_mpoly, fmpz, fmpz_mpoly, fmpz_mpoly_ctx

from cad.errors import InputError, ParseError
from cad.records import Record

__all__ = [
    "Formula", "Truth", "TRUE", "FALSE", "Atom", "And", "Or", "Not", "Implies", "Iff",
    "Exists", "Forall", "Problem", "RELATIONS",
    "atom", "conj", "disj", "negate", "implies", "iff", "exists", "forall", "normalize",
    "nnf", "prenex", "prenex_problem", "free_variables", "bound_variables", "substitute",
    "evaluate", "polynomials", "atoms", "is_quantifier_free", "to_ring", "standardize_apart",
    "parse_qepcad", "parse_formula", "parse_qepcad_output_formula", "parse_smtlib", "from_sympy",
    "to_qepcad", "to_str", "to_smtlib", "to_sympy", "qepcad_names",
]

#: The six relations an atom may use (the polynomial is compared with 0).
RELATIONS = ("=", "/=", "<", "<=", ">", ">=")
_NEGATED = {"=": "/=", "/=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
# the relation r' with (-p r' 0) <=> (p r 0): used when a comparison's sides are swapped
_MIRROR = {"=": "=", "/=": "/=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def _holds(sign: int, rel: str) -> bool:
    """Truth of ``s rel 0`` for a sign ``s`` in {-1, 0, 1}."""
    if rel == "=":
        return sign == 0
    if rel == "/=":
        return sign != 0
    if rel == "<":
        return sign < 0
    if rel == "<=":
        return sign <= 0
    if rel == ">":
        return sign > 0
    return sign >= 0


# =============================================================================== syntax tree


class Formula:
    """Base class of formula nodes.  ``f & g``, ``f | g`` and ``~f`` use the smart constructors."""

    __slots__ = ()

    def __and__(self, other):
        return conj(self, other)

    def __or__(self, other):
        return disj(self, other)

    def __invert__(self):
        return negate(self)


class Truth(Record, Formula):
    """The constant formulas; use the instances :data:`TRUE` and :data:`FALSE`."""

    _fields = ("value",)

    def __repr__(self):
        return "TRUE" if self.value else "FALSE"

    # TEMPORARY (H3 testing; the merge takes H1's AST): generic walk.
    def children(self):
        return ()

    def rebuild(self, children):
        return self


TRUE = Truth(True)
FALSE = Truth(False)


class Atom(Record, Formula):
    """``poly rel 0`` with ``poly`` an ``fmpz_mpoly`` and ``rel`` one of :data:`RELATIONS`."""

    _fields = ("poly", "rel")

    def __post_init__(self):
        if self.rel not in RELATIONS:
            raise InputError(f"unknown relation {self.rel!r} in an atom (expected one of "
                             f"{' '.join(RELATIONS)})")
        if not isinstance(self.poly, fmpz_mpoly):
            raise InputError(f"an Atom's poly must be an fmpz_mpoly, got {type(self.poly).__name__} "
                             "(use cad.formula.atom() to convert rationals and constants)")

    # fmpz_mpoly is unhashable and compares equal across contexts only when it is the same
    # context, so equality and hash are spelled out.
    def __eq__(self, other):
        if not isinstance(other, Atom):
            return NotImplemented
        return (self.rel == other.rel and self.poly.context() is other.poly.context()
                and self.poly == other.poly)

    def __hash__(self):
        return hash((self.rel, str(self.poly)))

    def __repr__(self):
        return f"Atom({self.poly} {self.rel} 0)"

    # TEMPORARY (H3 testing; the merge takes H1's AST): generic walk.
    def children(self):
        return ()

    def rebuild(self, children):
        return self


def _tuple_field(obj, name):
    value = getattr(obj, name)
    if not isinstance(value, tuple):
        object.__setattr__(obj, name, tuple(value))


def _check_formula(value, where):
    if not isinstance(value, Formula):
        raise InputError(f"{where} must be a Formula, got {type(value).__name__}: {value!r}")


class And(Record, Formula):
    _fields = ("args",)

    def __post_init__(self):
        _tuple_field(self, "args")
        for a in self.args:
            _check_formula(a, "an argument of And")

    def children(self):
        return self.args

    def rebuild(self, children):
        return type(self)(tuple(children))


class Or(Record, Formula):
    _fields = ("args",)

    def __post_init__(self):
        _tuple_field(self, "args")
        for a in self.args:
            _check_formula(a, "an argument of Or")

    def children(self):
        return self.args

    def rebuild(self, children):
        return type(self)(tuple(children))


class Not(Record, Formula):
    _fields = ("arg",)

    def __post_init__(self):
        _check_formula(self.arg, "the argument of Not")

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        (arg,) = children
        return Not(arg)


class Implies(Record, Formula):
    _fields = ("left", "right")

    def __post_init__(self):
        _check_formula(self.left, "the left side of Implies")
        _check_formula(self.right, "the right side of Implies")

    def children(self):
        return (self.left, self.right)

    def rebuild(self, children):
        left, right = children
        return type(self)(left, right)


class Iff(Record, Formula):
    _fields = ("left", "right")

    def __post_init__(self):
        _check_formula(self.left, "the left side of Iff")
        _check_formula(self.right, "the right side of Iff")

    def children(self):
        return (self.left, self.right)

    def rebuild(self, children):
        left, right = children
        return type(self)(left, right)


def _check_vars(obj):
    vs = obj.variables
    if isinstance(vs, str):
        vs = (vs,)
    vs = tuple(vs)
    for v in vs:
        if not isinstance(v, str):
            raise InputError(f"quantified variables must be names, got {v!r}")
    object.__setattr__(obj, "variables", vs)
    _check_formula(obj.body, f"the body of {type(obj).__name__}")


class Exists(Record, Formula):
    _fields = ("variables", "body")

    def __post_init__(self):
        _check_vars(self)

    def children(self):
        return (self.body,)

    def rebuild(self, children):
        (body,) = children
        return type(self)(self.variables, body)


class Forall(Record, Formula):
    _fields = ("variables", "body")

    def __post_init__(self):
        _check_vars(self)

    def children(self):
        return (self.body,)

    def rebuild(self, children):
        (body,) = children
        return type(self)(self.variables, body)


class Problem(Record):
    """A quantifier-elimination problem, as in a QEPCAD B input file.

    ``ring.variables`` lists the free variables first (``free`` is that prefix), then the
    quantified ones (see the module docstring for the standard form the parsers produce).
    ``assumptions`` is QEPCAD's ``assume [...]``: a quantifier-free formula in the free variables
    under which the answer only needs to be equivalent (:data:`TRUE` when absent; ignoring it is
    always correct).
    """

    _fields = ("ring", "free", "formula", "description", "assumptions")
    _defaults = {"description": "", "assumptions": TRUE}
    _frozen = False

    def __post_init__(self):
        if isinstance(self.free, str):
            self.free = (self.free,)
        self.free = tuple(self.free)

    @property
    def bound(self) -> tuple:
        """The ring variables after the free ones."""
        return tuple(v for v in self.ring.variables if v not in set(self.free))


# =============================================================================== polynomials


def _poly_vars(p) -> list:
    """Names of the variables ``p`` depends on, in context order."""
    names = p.context().names()
    return [names[i] for i, d in enumerate(p.degrees()) if d > 0]


def _sign_const(p) -> int:
    if p.is_zero():
        return 0
    c = p.leading_coefficient()
    return 1 if c > 0 else -1


def _clear_q(q: fmpq_mpoly, ctx) -> fmpz_mpoly:
    """``q`` times the least positive integer making it integral, as an fmpz_mpoly of ``ctx``."""
    den = fmpz(1)
    for c in q.coeffs():
        if c.q != 1:
            den = den * c.q // den.gcd(c.q)
    if q.context().names() != ctx.names():
        raise InputError("polynomial context mismatch")
    return ctx.from_dict({e: (c * den).p for e, c in q.terms()})


def _to_zpoly(p, ctx) -> fmpz_mpoly:
    """Coerce ``p`` (int, fmpz, fmpq, fmpz_mpoly, fmpq_mpoly) into an fmpz_mpoly of ``ctx``, clearing
    denominators by a positive integer (sign preserving); polynomials of other contexts are mapped
    by variable name."""
    if isinstance(p, fmpz_mpoly):
        if p.context() is ctx:
            return p
        return _move(p, ctx, {})
    if isinstance(p, fmpq_mpoly):
        qctx = flint.fmpq_mpoly_ctx.get(ctx.names(), "lex")
        if p.context() is not qctx:
            p = _move(p, qctx, {})
        return _clear_q(p, ctx)
    if isinstance(p, bool):
        raise InputError(f"expected a polynomial, got the boolean {p!r}")
    if isinstance(p, (int, fmpz)):
        return ctx.constant(p)
    if isinstance(p, fmpq):
        return ctx.constant(p.p)  # p/q times q > 0
    raise InputError(f"expected a polynomial, got {type(p).__name__}: {p!r}")


def _move(p, ctx, rename: Mapping[str, str]):
    """``p`` in context ``ctx`` (same kind), variables renamed by ``rename`` and otherwise by name."""
    names = set(ctx.names())
    mapping = {}
    for v in _poly_vars(p):
        w = rename.get(v, v)
        if w not in names:
            raise InputError(f"variable {w!r} of polynomial {p} is not among the variables "
                             f"{', '.join(ctx.names()) or '(none)'}")
        mapping[v] = w
    if not mapping:  # a constant
        if p.is_zero():
            return ctx.from_dict({})
        return ctx.constant(p.leading_coefficient())
    return p.project_to_context(ctx, mapping=mapping)


def _poly_str(p) -> str:
    """QEPCAD B syntax (juxtaposition, ``^``), terms ordered as QEPCAD B prints them (descending
    in the last variable, then the one before, ...): ``x^4 + p x^2 + q x + r``."""
    names = p.context().names()
    parts = []
    # QEPCAD's order: by degree in the last (main) variable first, then the next-to-last, ...
    for exps, c in sorted(p.terms(), key=lambda t: t[0][::-1], reverse=True):
        mono = " ".join(names[i] if e == 1 else f"{names[i]}^{e}" for i, e in enumerate(exps) if e)
        neg = c < 0
        a = -c if neg else c
        s = (mono if a == 1 else f"{a} {mono}") if mono else str(a)
        if parts:
            parts.append(("- " if neg else "+ ") + s)
        else:
            parts.append("-" + s if neg else s)
    return " ".join(parts) if parts else "0"


# =============================================================================== smart constructors


def atom(poly, rel: str, rhs=None, ctx=None) -> Formula:
    """The atom ``poly rel rhs`` as ``(poly - rhs) rel 0``; constant comparisons become TRUE/FALSE.

    ``poly``/``rhs`` may be fmpz_mpoly, fmpq_mpoly (denominators are cleared by a positive
    integer, so the relation is unchanged) or numbers (then ``ctx`` or the other side gives the
    context).
    """
    if rel not in RELATIONS:
        raise InputError(f"unknown relation {rel!r} (expected one of {' '.join(RELATIONS)})")
    if ctx is None:
        for side in (poly, rhs):
            if isinstance(side, (fmpz_mpoly, fmpq_mpoly)):
                c = side.context()
                ctx = c if isinstance(side, fmpz_mpoly) else fmpz_mpoly_ctx.get(c.names(), "lex")
                break
    if ctx is None:  # both sides numbers
        ctx = fmpz_mpoly_ctx.get((), "lex")
    if rhs is not None:
        if isinstance(poly, fmpq_mpoly) or isinstance(rhs, (fmpq_mpoly, fmpq)):
            qctx = flint.fmpq_mpoly_ctx.get(ctx.names(), "lex")
            poly = _to_q(poly, qctx) - _to_q(rhs, qctx)
        else:
            poly = _to_zpoly(poly, ctx) - _to_zpoly(rhs, ctx)
    p = _to_zpoly(poly, ctx)
    if p.is_constant():
        return TRUE if _holds(_sign_const(p), rel) else FALSE
    return Atom(p, rel)


def _to_q(p, qctx):
    if isinstance(p, fmpq_mpoly):
        return p if p.context() is qctx else _move(p, qctx, {})
    if isinstance(p, fmpz_mpoly):
        return qctx.from_dict({e: fmpq(c) for e, c in p.terms()}) if p.context().names() == \
            qctx.names() else _to_q(_move(p, fmpz_mpoly_ctx.get(qctx.names(), "lex"), {}), qctx)
    return qctx.constant(fmpq(p) if not isinstance(p, fmpq) else p)


def _flatten(args, cls, unit, zero):
    out = []
    seen = set()
    stack = list(args)
    stack.reverse()
    while stack:
        a = stack.pop()
        if isinstance(a, (list, tuple)):
            stack.extend(reversed(a))
            continue
        _check_formula(a, f"an argument of {cls.__name__}")
        if isinstance(a, cls):
            stack.extend(reversed(a.args))
            continue
        if a == unit:
            continue
        if a == zero:
            return zero
        if a in seen:
            continue
        seen.add(a)
        out.append(a)
    if not out:
        return unit
    if len(out) == 1:
        return out[0]
    return cls(tuple(out))


def conj(*args) -> Formula:
    """Conjunction: flattens nested ``And``, drops TRUE and duplicates, FALSE absorbs."""
    return _flatten(args, And, TRUE, FALSE)


def disj(*args) -> Formula:
    """Disjunction: flattens nested ``Or``, drops FALSE and duplicates, TRUE absorbs."""
    return _flatten(args, Or, FALSE, TRUE)


def negate(f: Formula) -> Formula:
    """``~f`` simplified trivially: constants flip, atoms flip their relation, ``~~g = g``."""
    _check_formula(f, "the argument of negate")
    if isinstance(f, Truth):
        return FALSE if f.value else TRUE
    if isinstance(f, Atom):
        return Atom(f.poly, _NEGATED[f.rel])
    if isinstance(f, Not):
        return f.arg
    return Not(f)


def implies(a: Formula, b: Formula) -> Formula:
    """``a ==> b`` with the trivial simplifications for constants and ``a == b``."""
    _check_formula(a, "the left side of implies")
    _check_formula(b, "the right side of implies")
    if a == TRUE:
        return b
    if a == FALSE or b == TRUE or a == b:
        return TRUE
    if b == FALSE:
        return negate(a)
    return Implies(a, b)


def iff(a: Formula, b: Formula) -> Formula:
    """``a <==> b`` with the trivial simplifications for constants and ``a == b``."""
    _check_formula(a, "the left side of iff")
    _check_formula(b, "the right side of iff")
    if a == b:
        return TRUE
    if a == TRUE:
        return b
    if b == TRUE:
        return a
    if a == FALSE:
        return negate(b)
    if b == FALSE:
        return negate(a)
    return Iff(a, b)


def _quant(cls, variables, body):
    if isinstance(variables, str):
        variables = (variables,)
    _check_formula(body, f"the body of {cls.__name__}")
    if isinstance(body, Truth):
        return body
    vs = []
    if isinstance(body, cls):  # (E x)(E y) B == (E x, y) B
        inner = body.variables
        body = body.body
    else:
        inner = ()
    occurring = free_variables(body)
    for v in tuple(variables) + tuple(inner):
        if not isinstance(v, str):
            raise InputError(f"quantified variables must be names, got {v!r}")
        if v in occurring and v not in vs:
            vs.append(v)
    if not vs:
        return body
    return cls(tuple(vs), body)


def exists(variables, body: Formula) -> Formula:
    """``(E v1)...(E vn) body``; merges nested existential blocks and drops variables not free in
    ``body`` (over the non-empty reals ``(E x) B == B`` when ``x`` does not occur)."""
    return _quant(Exists, variables, body)


def forall(variables, body: Formula) -> Formula:
    """``(A v1)...(A vn) body``; as :func:`exists`."""
    return _quant(Forall, variables, body)


def normalize(f: Formula) -> Formula:
    """Rebuild ``f`` through the smart constructors (the normal form for round-trip comparisons)."""
    if isinstance(f, (Truth,)):
        return f
    if isinstance(f, Atom):
        return atom(f.poly, f.rel)
    if isinstance(f, And):
        return conj(*[normalize(a) for a in f.args])
    if isinstance(f, Or):
        return disj(*[normalize(a) for a in f.args])
    if isinstance(f, Not):
        return negate(normalize(f.arg))
    if isinstance(f, Implies):
        return implies(normalize(f.left), normalize(f.right))
    if isinstance(f, Iff):
        return iff(normalize(f.left), normalize(f.right))
    if isinstance(f, Exists):
        return exists(f.variables, normalize(f.body))
    if isinstance(f, Forall):
        return forall(f.variables, normalize(f.body))
    raise InputError(f"not a formula: {f!r}")


# =============================================================================== structure


def _children(f):
    if isinstance(f, (And, Or)):
        return f.args
    if isinstance(f, Not):
        return (f.arg,)
    if isinstance(f, (Implies, Iff)):
        return (f.left, f.right)
    if isinstance(f, (Exists, Forall)):
        return (f.body,)
    return ()


def atoms(f: Formula) -> list:
    """The atoms of ``f`` in order of first occurrence, without duplicates."""
    out, seen = [], set()
    stack = [f]
    while stack:
        g = stack.pop()
        if isinstance(g, Atom):
            if g not in seen:
                seen.add(g)
                out.append(g)
        else:
            stack.extend(reversed(_children(g)))
    return out


def polynomials(f: Formula) -> list:
    """The distinct polynomials of the atoms of ``f`` (also under quantifiers), first occurrence
    first."""
    out, seen = [], set()
    for a in atoms(f):
        key = (id(a.poly.context()), str(a.poly))
        if key not in seen:
            seen.add(key)
            out.append(a.poly)
    return out


def is_quantifier_free(f: Formula) -> bool:
    stack = [f]
    while stack:
        g = stack.pop()
        if isinstance(g, (Exists, Forall)):
            return False
        stack.extend(_children(g))
    return True


def free_variables(f: Formula, ring=None) -> set:
    """Names of the variables occurring free in ``f``.  (``ring`` is accepted for the contract's
    signature; the names come from the polynomials' contexts.)"""
    if isinstance(f, Atom):
        return set(_poly_vars(f.poly))
    if isinstance(f, Truth):
        return set()
    if isinstance(f, (Exists, Forall)):
        return free_variables(f.body) - set(f.variables)
    out = set()
    for g in _children(f):
        out |= free_variables(g)
    return out


def bound_variables(f: Formula) -> set:
    """Names bound by some quantifier of ``f``."""
    out = set()
    stack = [f]
    while stack:
        g = stack.pop()
        if isinstance(g, (Exists, Forall)):
            out.update(g.variables)
        stack.extend(_children(g))
    return out


def _formula_ctx(f):
    for a in atoms(f):
        return a.poly.context()
    return None


def _map_atoms(f, fn):
    """Rebuild ``f`` (through the smart constructors) with every atom replaced by ``fn(atom)``."""
    if isinstance(f, Atom):
        return fn(f)
    if isinstance(f, Truth):
        return f
    if isinstance(f, And):
        return conj(*[_map_atoms(a, fn) for a in f.args])
    if isinstance(f, Or):
        return disj(*[_map_atoms(a, fn) for a in f.args])
    if isinstance(f, Not):
        return negate(_map_atoms(f.arg, fn))
    if isinstance(f, Implies):
        return implies(_map_atoms(f.left, fn), _map_atoms(f.right, fn))
    if isinstance(f, Iff):
        return iff(_map_atoms(f.left, fn), _map_atoms(f.right, fn))
    if isinstance(f, Exists):
        return exists(f.variables, _map_atoms(f.body, fn))
    if isinstance(f, Forall):
        return forall(f.variables, _map_atoms(f.body, fn))
    raise InputError(f"not a formula: {f!r}")


def to_ring(f: Formula, ring) -> Formula:
    """``f`` with every polynomial moved into ``ring`` (variables matched by name)."""
    ctx = ring.ctx
    return _map_atoms(f, lambda a: a if a.poly.context() is ctx else atom(_move(a.poly, ctx, {}),
                                                                          a.rel))


# =============================================================================== substitution, evaluation


def substitute(f: Formula, values: Mapping, ring=None) -> Formula:
    """Replace the *free* occurrences of variables by values ``{name: int | fmpz | fmpq |
    fmpz_mpoly | fmpq_mpoly}`` (polynomials of the formula's context); constant atoms become
    TRUE/FALSE.  Rational values clear denominators by a positive integer, so relations are
    preserved.  Raises :class:`InputError` for real algebraic values (use :func:`evaluate`) and
    when a polynomial value would be captured by a quantifier."""
    values = dict(values)
    if not values:
        return f
    ctx = ring.ctx if ring is not None else _formula_ctx(f)
    if ctx is None:
        return f
    names = ctx.names()
    index = {v: i for i, v in enumerate(names)}
    qctx = flint.fmpq_mpoly_ctx.get(names, "lex")
    conv = {}
    captured = {}
    for name, v in values.items():
        if name not in index:
            raise InputError(f"cannot substitute for {name!r}: not a variable (the variables are "
                             f"{', '.join(names) or 'none'})")
        if isinstance(v, bool):
            raise InputError(f"value for {name!r} must be a number or polynomial, got {v!r}")
        if isinstance(v, (int, fmpz, fmpq)):
            conv[name] = qctx.constant(fmpq(v) if not isinstance(v, fmpq) else v)
        elif isinstance(v, (fmpz_mpoly, fmpq_mpoly)):
            conv[name] = _to_q(v, qctx)
            captured[name] = set(_poly_vars(v))
        else:
            raise InputError(f"cannot substitute {v!r} of type {type(v).__name__} for {name!r} "
                             "(only rationals and polynomials; use evaluate() at algebraic points)")
    gens = qctx.gens()

    def sub_atom(a, active):
        used = set(_poly_vars(a.poly)) & active
        if not used:
            return a
        args = [conv[v] if v in used else gens[i] for i, v in enumerate(names)]
        q = _to_q(a.poly, qctx).compose(*args)
        return atom(_clear_q(q, ctx), a.rel)

    def walk(g, active, bound):
        if isinstance(g, Atom):
            for v in set(_poly_vars(g.poly)) & active:
                clash = captured.get(v, set()) & bound
                if clash:
                    raise InputError(f"substituting for {v!r} would capture the bound variable "
                                     f"{sorted(clash)[0]!r}")
            return sub_atom(g, active)
        if isinstance(g, Truth):
            return g
        if isinstance(g, (Exists, Forall)):
            inner = active - set(g.variables)
            body = walk(g.body, inner, bound | set(g.variables))
            return (exists if isinstance(g, Exists) else forall)(g.variables, body)
        if isinstance(g, And):
            return conj(*[walk(a, active, bound) for a in g.args])
        if isinstance(g, Or):
            return disj(*[walk(a, active, bound) for a in g.args])
        if isinstance(g, Not):
            return negate(walk(g.arg, active, bound))
        if isinstance(g, Implies):
            return implies(walk(g.left, active, bound), walk(g.right, active, bound))
        if isinstance(g, Iff):
            return iff(walk(g.left, active, bound), walk(g.right, active, bound))
        raise InputError(f"not a formula: {g!r}")

    return walk(f, set(conv), set())


def _rational_of(v):
    """``v`` as fmpq when it is rational (int, fmpz, fmpq, rational RealAlgebraic), else None."""
    if isinstance(v, bool):
        raise InputError(f"coordinate {v!r} is not a number")
    if isinstance(v, fmpq):
        return v
    if isinstance(v, (int, fmpz)):
        return fmpq(v)
    if getattr(v, "is_rational", False):
        r = v.rational
        if r is not None:
            return fmpq(r)
    return None


def _sign_rational(p, vals) -> int:
    """Exact sign of ``p`` at the rational point ``vals`` (one fmpq or None per generator)."""
    if p.is_zero():
        return 0
    total = fmpq(0)
    powers = {}
    for exps, c in p.terms():
        t = fmpq(c)
        for i, e in enumerate(exps):
            if e:
                key = (i, e)
                pw = powers.get(key)
                if pw is None:
                    pw = vals[i] ** e
                    powers[key] = pw
                t *= pw
        total += t
    return (total > 0) - (total < 0)


def _atom_sign(p, point: Mapping) -> int:
    names = p.context().names()
    degs = p.degrees()
    vals = [None] * len(names)
    algebraic = False
    last_used = -1
    for i, v in enumerate(names):
        if degs[i] <= 0:
            continue
        last_used = i
        if v not in point:
            raise InputError(f"no value given for variable {v!r} (polynomial {_poly_str(p)})")
        x = point[v]
        r = _rational_of(x)
        if r is None:
            if not hasattr(x, "sign_of"):
                raise InputError(f"value {x!r} for variable {v!r} is neither rational nor a "
                                 "cad.algebraic.RealAlgebraic")
            algebraic = True
            vals[i] = x
        else:
            vals[i] = r
    if not algebraic:
        return _sign_rational(p, vals)
    from cad.algebraic import sign_at

    # sign_at wants values for a prefix of the generators; unused ones are filled with 0
    pt = [vals[i] if vals[i] is not None else fmpq(0) for i in range(last_used + 1)]
    return int(sign_at(p, pt))


def evaluate(formula: Formula, ring, point: Mapping) -> bool:
    """Truth of the quantifier-free ``formula`` at ``point`` (``{name: fmpq | int |
    RealAlgebraic}``); exact.  Rational points use fmpq arithmetic; points with an irrational
    algebraic coordinate use :func:`cad.algebraic.sign_at` (interval filter + exact fallback).
    Variables the formula does not use may be omitted."""
    cache = {}

    def ev(g):
        if isinstance(g, Truth):
            return g.value
        if isinstance(g, Atom):
            key = (id(g.poly.context()), str(g.poly))
            s = cache.get(key)
            if s is None:
                s = _atom_sign(g.poly, point)
                cache[key] = s
            return _holds(s, g.rel)
        if isinstance(g, And):
            return all(ev(a) for a in g.args)
        if isinstance(g, Or):
            return any(ev(a) for a in g.args)
        if isinstance(g, Not):
            return not ev(g.arg)
        if isinstance(g, Implies):
            return (not ev(g.left)) or ev(g.right)
        if isinstance(g, Iff):
            return ev(g.left) == ev(g.right)
        if isinstance(g, (Exists, Forall)):
            raise InputError("evaluate() needs a quantifier-free formula; this one quantifies "
                             f"{', '.join(g.variables)} (decide it with cad.qe instead)")
        raise InputError(f"not a formula: {g!r}")

    return ev(formula)


# =============================================================================== normal forms


def nnf(f: Formula) -> Formula:
    """Negation normal form: only And, Or, atoms, constants and quantifiers; ``==>`` and ``<==>``
    eliminated, negations absorbed into the atoms by flipping relations (``~ p < 0`` is
    ``p >= 0``) and moved through quantifiers (``~(E x)B == (A x)~B``)."""
    return _nnf(f, True)


def _nnf(f, pos):
    if isinstance(f, (Truth, Atom)):
        return f if pos else negate(f)
    if isinstance(f, Not):
        return _nnf(f.arg, not pos)
    if isinstance(f, And):
        parts = [_nnf(a, pos) for a in f.args]
        return conj(*parts) if pos else disj(*parts)
    if isinstance(f, Or):
        parts = [_nnf(a, pos) for a in f.args]
        return disj(*parts) if pos else conj(*parts)
    if isinstance(f, Implies):
        if pos:
            return disj(_nnf(f.left, False), _nnf(f.right, True))
        return conj(_nnf(f.left, True), _nnf(f.right, False))
    if isinstance(f, Iff):
        a, b = f.left, f.right
        if pos:  # (a ==> b) /\ (b ==> a)
            return conj(disj(_nnf(a, False), _nnf(b, True)), disj(_nnf(a, True), _nnf(b, False)))
        # ~(a <==> b) == (a \/ b) /\ (~a \/ ~b)
        return conj(disj(_nnf(a, True), _nnf(b, True)), disj(_nnf(a, False), _nnf(b, False)))
    if isinstance(f, Exists):
        body = _nnf(f.body, pos)
        return exists(f.variables, body) if pos else forall(f.variables, body)
    if isinstance(f, Forall):
        body = _nnf(f.body, pos)
        return forall(f.variables, body) if pos else exists(f.variables, body)
    raise InputError(f"not a formula: {f!r}")


def _fresh_name(base: str, taken: set) -> str:
    stem = base.rstrip("0123456789") or base
    if not re.match(r"[A-Za-z]", stem):
        stem = "v" + stem
    stem = re.sub(r"[^A-Za-z0-9]", "", stem) or "v"
    k = 1
    while f"{stem}{k}" in taken:
        k += 1
    return f"{stem}{k}"


def standardize_apart(f: Formula, ctx=None, reserved: Iterable[str] = ()):
    """Rename bound variables so that every quantified variable is bound once and differs from
    every free variable and from ``reserved``.  Returns ``(formula, ctx, origin)``: the context
    is ``ctx`` extended by the fresh names (appended at the end) and ``origin`` maps each fresh
    name to the variable it renames.  ``ctx`` defaults to the context of ``f``'s polynomials."""
    if ctx is None:
        ctx = _formula_ctx(f)
        if ctx is None:  # no atoms: nothing can clash
            return f, ctx, {}
    names = list(ctx.names())
    taken = set(names) | free_variables(f) | set(reserved)
    used = set(free_variables(f)) | set(reserved)
    fresh: list = []
    origin: dict = {}

    def plan(g, env):
        """Pass 1: decide the new name of every binder (pre-order, deterministic)."""
        if isinstance(g, (Exists, Forall)):
            env = dict(env)
            for v in g.variables:
                if v in used:
                    nv = _fresh_name(v, taken)
                    taken.add(nv)
                    fresh.append(nv)
                    origin[nv] = origin.get(v, v)
                else:
                    nv = v
                used.add(nv)
                env[v] = nv
            plan(g.body, env)
        else:
            for c in _children(g):
                plan(c, env)

    plan(f, {})
    if not fresh:
        return f, ctx, {}
    new_ctx = fmpz_mpoly_ctx.get(tuple(names) + tuple(fresh), "lex")
    taken = set(names) | free_variables(f) | set(reserved)
    used = set(free_variables(f)) | set(reserved)
    counter = iter(fresh)

    def rebuild(g, env):
        if isinstance(g, Atom):
            ren = {v: env[v] for v in _poly_vars(g.poly) if v in env}
            return Atom(_move(g.poly, new_ctx, ren), g.rel)
        if isinstance(g, Truth):
            return g
        if isinstance(g, (Exists, Forall)):
            env = dict(env)
            vs = []
            for v in g.variables:
                if v in used:
                    nv = next(counter)
                else:
                    nv = v
                used.add(nv)
                env[v] = nv
                vs.append(nv)
            return type(g)(tuple(vs), rebuild(g.body, env))
        if isinstance(g, (And, Or)):
            return type(g)(tuple(rebuild(a, env) for a in g.args))
        if isinstance(g, Not):
            return Not(rebuild(g.arg, env))
        if isinstance(g, (Implies, Iff)):
            return type(g)(rebuild(g.left, env), rebuild(g.right, env))
        raise InputError(f"not a formula: {g!r}")

    return rebuild(f, {}), new_ctx, origin


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
    if isinstance(g, (Atom, Truth)):
        return [], g
    if isinstance(g, (And, Or)):
        parts = [_pull(a) for a in g.args]
        blocks = _merge_prefixes([b for b, _ in parts])
        ms = [m for _, m in parts]
        return blocks, (conj(*ms) if isinstance(g, And) else disj(*ms))
    if isinstance(g, (Exists, Forall)):
        q = "E" if isinstance(g, Exists) else "A"
        blocks, m = _pull(g.body)
        if blocks and blocks[0][0] == q:
            blocks = [(q, tuple(g.variables) + blocks[0][1])] + blocks[1:]
        else:
            blocks = [(q, tuple(g.variables))] + blocks
        return blocks, m
    raise InputError(f"_pull expects negation normal form, got {type(g).__name__}")


def prenex(f: Formula, ring=None):
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
    ctx = ring.ctx if ring is not None else _formula_ctx(g)
    if ring is not None:
        g = to_ring(g, ring)
    g, ctx, _ = standardize_apart(g, ctx) if ctx is not None else (g, None, {})
    blocks, matrix = _pull(g)
    occurring = free_variables(matrix)
    order = {v: i for i, v in enumerate(ctx.names())} if ctx is not None else {}
    out = []
    for q, vs in blocks:
        vs = sorted({v for v in vs if v in occurring}, key=lambda v: order.get(v, len(order)))
        if not vs:
            continue
        if out and out[-1][0] == q:
            out[-1] = (q, out[-1][1] + tuple(vs))
        else:
            out.append((q, tuple(vs)))
    return out, matrix


def _wrap(prefix, matrix):
    f = matrix
    for q, vs in reversed(prefix):
        f = exists(vs, f) if q == "E" else forall(vs, f)
    return f


def _split_prefix(f):
    """If ``f`` is already prenex (quantifiers, then a quantifier-free matrix) return
    ``(prefix, matrix)`` keeping the matrix's connectives; else None."""
    prefix = []
    g = f
    while isinstance(g, (Exists, Forall)):
        q = "E" if isinstance(g, Exists) else "A"
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
    if isinstance(f, (Atom, Truth)):
        return f
    if isinstance(f, Iff):
        a, b = _expand_quantified_iff(f.left), _expand_quantified_iff(f.right)
        if is_quantifier_free(a) and is_quantifier_free(b):
            return iff(a, b)
        return conj(implies(a, b), implies(b, a))
    if isinstance(f, And):
        return conj(*[_expand_quantified_iff(a) for a in f.args])
    if isinstance(f, Or):
        return disj(*[_expand_quantified_iff(a) for a in f.args])
    if isinstance(f, Not):
        return negate(_expand_quantified_iff(f.arg))
    if isinstance(f, Implies):
        return implies(_expand_quantified_iff(f.left), _expand_quantified_iff(f.right))
    if isinstance(f, Exists):
        return exists(f.variables, _expand_quantified_iff(f.body))
    if isinstance(f, Forall):
        return forall(f.variables, _expand_quantified_iff(f.body))
    raise InputError(f"not a formula: {f!r}")


def _finalize(variables, free, formula, description="", assumptions=TRUE, hint=None):
    """Build a :class:`Problem` in standard form (see the module docstring).

    ``variables``: the names of the context the formula's polynomials live in; ``free``: the
    free variables; ``hint``: name -> rank used to order variables inside a quantifier block
    (defaults to the position in ``variables``)."""
    from cad.poly import PolyRing

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
    from cad.poly import PolyRing

    f = problem.formula
    free = tuple(problem.free)
    split = _split_prefix(f)
    if split is not None and not (set(v for _, vs in split[0] for v in vs) & set(free)):
        prefix, matrix = split
        order = {v: i for i, v in enumerate(problem.ring.variables)}
        occurring = free_variables(matrix)
        cleaned = []
        for q, vs in prefix:
            vs = tuple(sorted((v for v in vs if v in occurring), key=lambda v: order.get(v, 0)))
            if not vs:
                continue
            if cleaned and cleaned[-1][0] == q:
                cleaned[-1] = (q, cleaned[-1][1] + vs)
            else:
                cleaned.append((q, vs))
        prefix = cleaned
    else:
        g, ctx, _ = standardize_apart(nnf(f), problem.ring.ctx, reserved=free)
        if ctx is None:
            ctx = problem.ring.ctx
        blocks, matrix = _pull(g)
        occurring = free_variables(matrix)
        order = {v: i for i, v in enumerate(ctx.names())}
        prefix = []
        for q, vs in blocks:
            vs = tuple(sorted({v for v in vs if v in occurring}, key=lambda v: order[v]))
            if not vs:
                continue
            if prefix and prefix[-1][0] == q:
                prefix[-1] = (q, prefix[-1][1] + vs)
            else:
                prefix.append((q, vs))
    extra = free_variables(matrix) - set(free) - {v for _, vs in prefix for v in vs}
    if extra:
        raise InputError(f"variable {sorted(extra)[0]!r} occurs free in the formula but is not "
                         f"among the free variables {', '.join(free) or '(none)'}")
    ring = PolyRing(free + tuple(v for _, vs in prefix for v in vs))
    matrix = to_ring(matrix, ring)
    a = to_ring(problem.assumptions, ring) if problem.assumptions != TRUE else TRUE
    return Problem(ring, free, _wrap(prefix, matrix), problem.description, a)


# =============================================================================== QEPCAD B syntax: parser


_REL_TOKENS = {"=", "/=", "<", "<=", ">", ">="}


def _poly_module():
    import cad.poly as poly

    return poly


class _FormulaParser:
    """Recursive descent for QEPCAD B formulas, precedence (loosest first)::

        formula := impl ['<==>' impl]*
        impl    := disj [('==>' | '<==') impl]
        disj    := conj ('\\/' conj)*
        conj    := unary ('/\\' unary)*
        unary   := '~' unary | '(' Q var ')' unary | '[' formula ']' | '(' formula ')'
                 | 'TRUE' | 'FALSE' | poly rel poly (rel poly)*

    QEPCAD B itself insists on brackets whenever ``/\\`` and ``\\/`` are mixed and writes
    negation as ``[~ F]``; this parser accepts those inputs and also the conventional
    precedences above.  ``Q`` is ``E`` or ``A``; a chain ``p < q < r`` is ``p < q /\\ q < r``.

    ``free``: names that may occur free; ``quantifiable``: names that may be quantified
    (``None``: any ring variable).  Each variable occurrence is checked against the quantifiers
    in scope, so errors point at the offending token.
    """

    def __init__(self, tokens, pos, ring, free, quantifiable=None, nfree=None):
        self.toks = tokens
        self.pos = pos
        self.ring = ring
        self.free = set(free)
        self.quantifiable = quantifiable
        self.nfree = nfree
        self.scope = []
        self.poly = _poly_module()
        self.varnames = set(ring.variables)

    # -- helpers
    def peek(self, k=0):
        i = min(self.pos + k, len(self.toks) - 1)
        return self.toks[i]

    def error(self, tok, message):
        return ParseError(message, tok.line, tok.column)

    def is_op(self, tok, *texts):
        return tok.kind == "op" and tok.text in texts

    # -- grammar
    def formula(self):
        left = self.impl()
        while self.is_op(self.peek(), "<==>"):
            self.pos += 1
            right = self.impl()
            left = iff(left, right)
        return left

    def impl(self):
        left = self.disj()
        tok = self.peek()
        if self.is_op(tok, "==>"):
            self.pos += 1
            return implies(left, self.impl())
        if self.is_op(tok, "<=="):
            self.pos += 1
            return implies(self.impl(), left)
        return left

    def disj(self):
        args = [self.conj()]
        while self.is_op(self.peek(), "\\/"):
            self.pos += 1
            args.append(self.conj())
        return disj(*args)

    def conj(self):
        args = [self.unary()]
        while self.is_op(self.peek(), "/\\"):
            self.pos += 1
            args.append(self.unary())
        return conj(*args)

    def quantifier_ahead(self):
        """``(Q v)`` or ``(Q v, w)`` at the current position?  Returns the quantifier letter."""
        t0, t1, t2 = self.peek(), self.peek(1), self.peek(2)
        if t0.kind != "lparen" or t1.kind != "name" or t2.kind != "name":
            return None
        letter = t1.text
        extended = letter in ("F", "G", "C") or re.fullmatch(r"X[0-9]+", letter)
        if letter not in ("E", "A") and not extended:
            return None
        t3 = self.peek(3)
        if t3.kind not in ("rparen", "comma"):
            return None
        if letter in self.varnames:
            # "(E x) ..." could be the product E*x: a quantifier only if a formula follows
            k = 3
            while self.peek(k).kind == "comma":
                k += 2
            after = self.peek(k + 1)
            if after.kind not in ("lbrack", "lparen") and not self.is_op(after, "~"):
                return None
        return letter

    def unary(self):
        tok = self.peek()
        if self.is_op(tok, "~"):
            self.pos += 1
            return negate(self.unary())
        if tok.kind == "lbrack":
            self.pos += 1
            f = self.formula()
            close = self.peek()
            if close.kind != "rbrack":
                raise self.error(close, f"expected ']' to close the '[' at line {tok.line}, column "
                                 f"{tok.column}, found {self.describe(close)}")
            self.pos += 1
            return f
        if tok.kind == "rbrack":
            raise self.error(tok, "unbalanced ']': no '[' is open here")
        if tok.kind == "rparen":
            raise self.error(tok, "unbalanced ')': expected a formula")
        letter = self.quantifier_ahead()
        if letter is not None:
            return self.quantified(letter)
        if tok.kind == "name" and tok.text in ("TRUE", "FALSE") and tok.text not in self.varnames:
            self.pos += 1
            return TRUE if tok.text == "TRUE" else FALSE
        if tok.kind == "lparen":
            # "(x + 1)^2 > 0" is an atom, "(x > 0 /\ y > 0)" a bracketed formula: try the atom
            start = self.pos
            try:
                return self.atom()
            except ParseError as atom_err:
                self.pos = start + 1
                try:
                    f = self.formula()
                except ParseError as formula_err:
                    raise _further(atom_err, formula_err) from None
                close = self.peek()
                if close.kind != "rparen":
                    err = self.error(close, f"expected ')' to close the '(' at line {tok.line}, "
                                     f"column {tok.column}, found {self.describe(close)}")
                    raise _further(atom_err, err) from None
                self.pos += 1
                return f
        return self.atom()

    @staticmethod
    def describe(tok):
        return "end of input" if tok.kind == "eof" else repr(tok.text)

    def quantified(self, letter):
        qtok = self.peek(1)
        self.pos += 2
        if letter not in ("E", "A"):
            raise self.error(qtok, f"QEPCAD's extended quantifier '{letter}' is not supported "
                             "(only E and A)")
        names = []
        while True:
            vtok = self.peek()
            if vtok.kind != "name":
                raise self.error(vtok, f"expected a variable after '{letter}', found "
                                 f"{self.describe(vtok)}")
            v = vtok.text
            if v not in self.varnames:
                raise self.error(vtok, f"quantified variable {v!r} is not declared in the variable "
                                 f"list ({', '.join(self.ring.variables) or 'empty'})")
            if v in self.free and (self.quantifiable is not None and v not in self.quantifiable):
                raise self.error(vtok, f"variable {v!r} is one of the {self.nfree} free variables "
                                 f"({', '.join(sorted(self.free, key=self.ring.variables.index))})"
                                 " and cannot be quantified")
            if self.quantifiable is not None and v not in self.quantifiable:
                raise self.error(vtok, f"variable {v!r} cannot be quantified here (assumptions "
                                 "are quantifier-free)")
            names.append(v)
            self.pos += 1
            sep = self.peek()
            if sep.kind == "comma":
                self.pos += 1
                continue
            if sep.kind != "rparen":
                raise self.error(sep, f"expected ')' after the quantified variable {v!r}, found "
                                 f"{self.describe(sep)}")
            self.pos += 1
            break
        self.scope.extend(names)
        try:
            body = self.unary()
        finally:
            del self.scope[len(self.scope) - len(names):]
        return exists(names, body) if letter == "E" else forall(names, body)

    def atom(self):
        start = self.pos
        polys = []
        rels = []
        p, self.pos = self.poly.parse_polynomial_tokens(self.toks, self.pos, self.ring)
        polys.append(p)
        while True:
            tok = self.peek()
            if tok.kind == "op" and tok.text in _REL_TOKENS:
                self.pos += 1
                rels.append(tok.text)
                p, self.pos = self.poly.parse_polynomial_tokens(self.toks, self.pos, self.ring)
                polys.append(p)
                continue
            break
        if not rels:
            tok = self.peek()
            raise self.error(tok, "expected a relation (=, /=, <, <=, >, >=) after the "
                             f"polynomial, found {self.describe(tok)}")
        # every variable occurrence must be free-allowed or bound by an enclosing quantifier
        for t in self.toks[start:self.pos]:
            if t.kind == "name" and t.text not in self.free and t.text not in self.scope:
                raise self.error(t, f"variable {t.text!r} occurs outside any quantifier binding "
                                 "it, but it is not a free variable"
                                 + (f" (the free variables are the first {self.nfree}: "
                                    f"{', '.join(self.ring.variables[:self.nfree]) or 'none'})"
                                    if self.nfree is not None else ""))
        ctx = self.ring.ctx
        parts = [atom(_clear_q(polys[i] - polys[i + 1], ctx), r, ctx=ctx)
                 for i, r in enumerate(rels)]
        return conj(*parts)


def _further(e1: ParseError, e2: ParseError) -> ParseError:
    """The error that got further into the text (better message after backtracking)."""
    k1 = (e1.line or 0, e1.column or 0)
    k2 = (e2.line or 0, e2.column or 0)
    return e2 if k2 >= k1 else e1


_QEPCAD_NOARG_COMMANDS = {
    "go", "continue", "prop-eqn-const", "full-cad", "measure-zero-error", "proj-default",
    "step", "trace-off", "use-db", "d-stat", "d-all-cells", "d-proj-factors", "d-pf",
}
_QEPCAD_ARG_COMMANDS = {"proj-op", "approx-precision", "solution-extension", "eqn-const"}


def _text_pos(text, index):
    """1-based (line, column) of ``text[index]``."""
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def parse_qepcad(text: str, source=None) -> Problem:
    """Parse a QEPCAD B input file.

    Layout (QEPCAD B's prompts, in order): ``[informal description]``, the variable list
    ``(x,y,z)``, the number ``k`` of free variables (the first ``k`` of the list), the formula
    ending with ``.``, optional commands, ``finish``.  Between the formula and ``finish`` the
    commands ``assume [F]`` (kept in :attr:`Problem.assumptions`), ``go``, ``continue``,
    ``prop-eqn-const``, ``full-cad``, ``measure-zero-error``, ``proj-default``, ``proj-op (...)``,
    ``approx-precision N``, ``eqn-const ...`` and ``solution-extension ...`` are accepted (and
    ignored: they change how QEPCAD computes, not the answer's meaning); anything else is a
    :class:`ParseError`.  Text after ``finish`` is ignored, as QEPCAD B does.

    The formula may be non-prenex (quantifiers anywhere, also under ``~``, ``==>``, ``<==>``); see
    the module docstring for the standard form of the returned problem.  Every error is a
    :class:`ParseError` with 1-based line and column: missing ``finish``/``.``/brackets, a bad
    free-variable count, undeclared or non-free variables, quantified free variables,
    non-polynomial terms (``1/x``, ``x^-1``, decimals).
    """
    if not isinstance(text, str):
        raise InputError(f"expected the text of a QEPCAD B input file, got {type(text).__name__}")
    poly = _poly_module()
    # ---- informal description: '[' ... first ']'
    i = 0
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        raise ParseError("empty input: expected '[' starting the informal description", 1, 1,
                         source)
    if text[i] != "[":
        line, col = _text_pos(text, i)
        raise ParseError(f"expected '[' starting the informal description, found {text[i]!r}",
                         line, col, source)
    j = text.find("]", i + 1)
    if j < 0:
        line, col = _text_pos(text, i)
        raise ParseError("unterminated informal description: no ']' closes this '['", line, col,
                         source)
    description = text[i + 1:j].strip()
    line, col = _text_pos(text, j)
    rest = text[j + 1:]
    try:
        try:
            toks = poly.tokenize(rest, line_offset=line - 1, column_offset=col)
        except ParseError as lex_err:
            # QEPCAD B stops reading at 'finish': a stray character after it is harmless, so
            # parse the text before the character and report it only if 'finish' is not reached
            li = lex_err.line - line
            lines = rest.split("\n")
            idx = sum(len(ln) + 1 for ln in lines[:li]) + lex_err.column - 1 - (col if li == 0 else 0)
            toks = poly.tokenize(rest[:idx], line_offset=line - 1, column_offset=col)
            try:
                return _parse_qepcad_tokens(toks, description, poly)
            except ParseError:
                raise lex_err from None
        return _parse_qepcad_tokens(toks, description, poly)
    except ParseError as e:
        if source and not e.source:
            raise ParseError(e.message, e.line, e.column, source) from None
        raise


def _parse_qepcad_tokens(toks, description, poly):
    pos = 0

    def describe(tok):
        return "end of input" if tok.kind == "eof" else repr(tok.text)

    def err(tok, msg):
        return ParseError(msg, tok.line, tok.column)

    # ---- variable list
    tok = toks[pos]
    if tok.kind != "lparen":
        raise err(tok, f"expected the variable list, e.g. (x,y,z), found {describe(tok)}")
    open_tok = tok
    pos += 1
    variables = []
    if toks[pos].kind == "rparen":
        pos += 1
    else:
        while True:
            tok = toks[pos]
            if tok.kind != "name":
                raise err(tok, f"expected a variable name in the variable list, found "
                          f"{describe(tok)}")
            if tok.text in variables:
                raise err(tok, f"variable {tok.text!r} is listed twice")
            if tok.text in ("TRUE", "FALSE"):
                raise err(tok, f"{tok.text!r} cannot be a variable name")
            variables.append(tok.text)
            pos += 1
            tok = toks[pos]
            if tok.kind == "comma":
                pos += 1
                continue
            if tok.kind == "rparen":
                pos += 1
                break
            raise err(tok, f"expected ',' or ')' in the variable list opened at line "
                      f"{open_tok.line}, column {open_tok.column}, found {describe(tok)}")
    r = len(variables)
    # ---- number of free variables
    tok = toks[pos]
    if tok.kind != "num" or "." in tok.text:
        if tok.kind == "op" and tok.text == "-":
            raise err(tok, "the number of free variables cannot be negative")
        raise err(tok, "expected the number of free variables (an integer between 0 and "
                  f"{r}), found {describe(tok)}")
    k = int(tok.text)
    if k > r:
        raise err(tok, f"the number of free variables {k} exceeds the number of variables {r} "
                  f"({', '.join(variables) or 'none'})")
    pos += 1
    ring = poly.PolyRing(variables)
    free = tuple(variables[:k])
    parser = _FormulaParser(toks, pos, ring, free, quantifiable=set(variables[k:]), nfree=k)
    if toks[pos].kind in ("eof",):
        raise err(toks[pos], "missing formula after the number of free variables")
    formula = parser.formula()
    pos = parser.pos
    tok = toks[pos]
    if tok.kind != "dot":
        if tok.kind == "rbrack":
            raise err(tok, "unbalanced ']': no '[' is open here")
        if tok.kind == "rparen":
            raise err(tok, "unbalanced ')': no '(' is open here")
        raise err(tok, f"expected '.' ending the formula, found {describe(tok)}")
    last = tok
    pos += 1
    # ---- commands, then finish
    assumptions = TRUE
    while True:
        tok = toks[pos]
        if tok.kind == "eof":
            end_line, end_col = last.line, last.column + len(last.text)
            raise ParseError("missing 'finish' at the end of the input (after the formula's '.' "
                             f"or the last command)", end_line, end_col)
        if tok.kind != "name":
            raise err(tok, f"expected 'finish' (or a QEPCAD command) after the formula, found "
                      f"{describe(tok)}")
        # a command name may contain dashes: prop-eqn-const
        name = tok.text
        start = tok
        pos += 1
        while (toks[pos].kind == "op" and toks[pos].text == "-" and toks[pos + 1].kind == "name"
               and toks[pos].line == start.line):
            name += "-" + toks[pos + 1].text
            pos += 2
        if name == "finish":
            break
        if name == "quit":
            raise err(start, "'quit' makes QEPCAD B stop without an answer; end the input with "
                      "'finish'")
        if name == "assume":
            if toks[pos].kind != "lbrack":
                raise err(toks[pos], f"expected '[' after 'assume', found {describe(toks[pos])}")
            ap = _FormulaParser(toks, pos, ring, free, quantifiable=set(), nfree=k)
            a = ap.unary()
            pos = ap.pos
            assumptions = conj(assumptions, a)
            last = toks[pos - 1]
            continue
        if name in _QEPCAD_NOARG_COMMANDS:
            last = toks[pos - 1]
            continue
        if name in _QEPCAD_ARG_COMMANDS:
            # skip the arguments: the rest of the command's line
            while toks[pos].kind != "eof" and toks[pos].line == start.line:
                pos += 1
            last = toks[pos - 1]
            continue
        raise err(start, f"unknown or unsupported QEPCAD command {name!r} between the formula and "
                  "'finish' (supported: assume [...], " + ", ".join(sorted(
                      _QEPCAD_NOARG_COMMANDS | _QEPCAD_ARG_COMMANDS)) + ")")
    hint = {v: i for i, v in enumerate(variables)}
    return _finalize(variables, free, formula, description, assumptions, hint=hint)


def parse_formula(text: str, ring, line_offset: int = 0, column_offset: int = 0) -> Formula:
    """Parse a formula in QEPCAD B syntax over ``ring`` (every ring variable may occur free or be
    quantified; an optional final ``.`` is allowed).  Polynomials are in ``ring.ctx``; quantifiers
    are kept where they are written (no renaming)."""
    poly = _poly_module()
    toks = poly.tokenize(text, line_offset, column_offset)
    p = _FormulaParser(toks, 0, ring, set(ring.variables), quantifiable=None)
    if toks[0].kind == "eof":
        raise ParseError("empty formula", toks[0].line, toks[0].column)
    f = p.formula()
    tok = toks[p.pos]
    if tok.kind == "dot":
        tok = toks[p.pos + 1]
    if tok.kind != "eof":
        if tok.kind in ("rbrack", "rparen"):
            raise ParseError(f"unbalanced {tok.text!r}", tok.line, tok.column)
        raise ParseError(f"unexpected {tok.text!r} after the formula", tok.line, tok.column)
    return f


_QEPCAD_ANSWER_MARK = "An equivalent quantifier-free formula:"


def parse_qepcad_output_formula(text: str, ring, names: Mapping[str, str] | None = None) -> Formula:
    """Parse the quantifier-free formula QEPCAD B prints.

    ``text`` is either the whole QEPCAD B output (the formula after ``An equivalent
    quantifier-free formula:`` up to the next blank line / ``=====`` rule is used) or just the
    formula.  QEPCAD writes ``TRUE``/``FALSE``, products by juxtaposition, ``[ ]`` brackets and
    may break long formulas over lines.  ``names`` maps the names QEPCAD printed to ring names
    (see :func:`qepcad_names`).  Raises :class:`ParseError` when the text holds no formula,
    e.g. when QEPCAD reported an error.
    """
    offset_line = 0
    idx = text.find(_QEPCAD_ANSWER_MARK)
    if idx >= 0:
        offset_line = text.count("\n", 0, idx)
        body = text[idx + len(_QEPCAD_ANSWER_MARK):]
        lines = body.split("\n")
        chunk = []
        started = False
        for ln in lines:
            s = ln.strip()
            if s.startswith("====="):
                break
            if not s:
                if started:
                    break
                chunk.append("")
                continue
            started = True
            chunk.append(ln)
        text = "\n".join(chunk)
    elif "Error" in text and "=====" in text:
        m = re.search(r"Error[^\n]*", text)
        raise ParseError(f"QEPCAD B reported an error: {m.group(0) if m else 'unknown'}")
    poly = _poly_module()
    toks = poly.tokenize(text, line_offset=offset_line)
    if names:
        inv = dict(names)
        toks = [t._replace(text=inv.get(t.text, t.text)) if t.kind == "name" else t for t in toks]
    if toks[0].kind == "eof":
        raise ParseError("no formula found in QEPCAD B's output", toks[0].line, toks[0].column)
    p = _FormulaParser(toks, 0, ring, set(ring.variables), quantifiable=None)
    f = p.formula()
    tok = toks[p.pos]
    if tok.kind == "dot":
        tok = toks[p.pos + 1]
    if tok.kind != "eof":
        raise ParseError(f"unexpected {tok.text!r} after the formula", tok.line, tok.column)
    return f


# =============================================================================== QEPCAD B syntax: printers


_QEPCAD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*\Z")
_QEPCAD_RESERVED = {"E", "A", "F", "G", "C", "TRUE", "FALSE", "finish"}


def qepcad_names(ring) -> dict:
    """``{ring name: name used in QEPCAD B files}``; QEPCAD names are letters and digits only, so
    ``w1_0_1`` becomes ``w101`` (made unique).  Identity for ordinary names."""
    variables = ring.variables if hasattr(ring, "variables") else tuple(ring)
    out = {}
    taken = {v for v in variables if _QEPCAD_NAME.match(v) and v not in _QEPCAD_RESERVED}
    for v in variables:
        if v in taken:
            out[v] = v
            continue
        base = re.sub(r"[^A-Za-z0-9]", "", v)
        if not base or not base[0].isalpha():
            base = "v" + base
        cand = base
        k = 1
        while cand in taken or cand in _QEPCAD_RESERVED:
            cand = f"{base}{k}"
            k += 1
        taken.add(cand)
        out[v] = cand
    return out


def _compound(f):
    return isinstance(f, (And, Or, Implies, Iff))


def to_str(formula: Formula, ring=None) -> str:
    """The formula in QEPCAD B syntax, as QEPCAD prints it:
    ``4 a c - b^2 <= 0 /\\ [ c = 0 \\/ a /= 0 ]``.  Compound subformulas of compound formulas
    are bracketed (QEPCAD requires it when ``/\\`` and ``\\/`` mix), negation is ``[~ F]``,
    quantifiers ``(E x)(A y)[ F ]``.  The output parses back with :func:`parse_formula`."""
    return _fmt(formula, top=True)


def _fmt(f, top=False):
    if isinstance(f, Truth):
        return "TRUE" if f.value else "FALSE"
    if isinstance(f, Atom):
        return f"{_poly_str(f.poly)} {f.rel} 0"
    if isinstance(f, (And, Or)):
        sep = " /\\ " if isinstance(f, And) else " \\/ "
        return sep.join(_sub(a) for a in f.args)
    if isinstance(f, Implies):
        return f"{_sub(f.left)} ==> {_sub(f.right)}"
    if isinstance(f, Iff):
        return f"{_sub(f.left)} <==> {_sub(f.right)}"
    if isinstance(f, Not):
        return f"[~ {_sub(f.arg)}]"
    if isinstance(f, (Exists, Forall)):
        q = "E" if isinstance(f, Exists) else "A"
        prefix = "".join(f"({q} {v})" for v in f.variables)
        body = f.body
        if isinstance(body, (Exists, Forall)):
            return prefix + _fmt(body)
        return f"{prefix}[ {_fmt(body)} ]"
    raise InputError(f"not a formula: {f!r}")


def _sub(f):
    s = _fmt(f)
    return f"[ {s} ]" if _compound(f) else s


def _qepcad_matrix(f):
    """Like :func:`_fmt` but without TRUE/FALSE, which QEPCAD B's input reader does not know."""
    if isinstance(f, Truth):
        return "0 = 0" if f.value else "1 = 0"
    return _fmt(f)


def to_qepcad(problem: Problem) -> str:
    """A complete QEPCAD B input file for ``problem``.

    QEPCAD B wants a prenex formula whose quantified variables are listed in the variable list in
    prefix order, names of letters and digits, and no TRUE/FALSE atoms; the problem is put in
    that form with :func:`prenex_problem` and :func:`qepcad_names` (renamings are listed in the
    informal description).  Assumptions become an ``assume`` command."""
    p = prenex_problem(problem)
    ring = p.ring
    ren = qepcad_names(ring)
    renamed = {v: w for v, w in ren.items() if v != w}
    f = p.formula
    a = p.assumptions
    if renamed:
        from cad.poly import PolyRing

        new_ring = PolyRing([ren[v] for v in ring.variables])
        f = _rename_formula(f, ring, new_ring, ren)
        if a != TRUE:
            a = _rename_formula(a, ring, new_ring, ren)
        ring = new_ring
    variables = list(ring.variables)
    k = len(p.free)
    desc = (p.description or "").replace("]", ")").replace("[", "(")
    if renamed:
        note = "variables renamed: " + ", ".join(f"{v} -> {w}" for v, w in renamed.items())
        desc = f"{desc}; {note}" if desc else note
    if not variables:  # QEPCAD needs a variable: add an unused, quantified one
        variables = ["v"]
        head, matrix = "(E v)", f
    else:
        split = _split_prefix(f)
        prefix, matrix = split
        head = "".join(f"({q} {v})" for q, vs in prefix for v in vs)
    out = [f"[{desc}]", "(" + ",".join(variables) + ")", str(k),
           f"{head}[{_qepcad_matrix(matrix)}]."]
    if a != TRUE:
        out.append(f"assume [{_qepcad_matrix(a)}]")
    out.append("finish")
    return "\n".join(out) + "\n"


def _rename_formula(f, ring, new_ring, ren):
    ctx = new_ring.ctx

    def walk(g):
        if isinstance(g, Atom):
            return Atom(_move(g.poly, ctx, ren), g.rel)
        if isinstance(g, Truth):
            return g
        if isinstance(g, (Exists, Forall)):
            return type(g)(tuple(ren.get(v, v) for v in g.variables), walk(g.body))
        if isinstance(g, (And, Or)):
            return type(g)(tuple(walk(a) for a in g.args))
        if isinstance(g, Not):
            return Not(walk(g.arg))
        return type(g)(walk(g.left), walk(g.right))

    return walk(f)


# =============================================================================== SMT-LIB2


class _SNode(Record):
    """An s-expression: ``items`` for a list, else an atom with ``text`` and ``kind`` (``symbol``,
    ``quoted`` (|...|), ``num``, ``dec``, ``string``, ``keyword``, ``hex``, ``bin``)."""

    _fields = ("kind", "text", "line", "column", "items")
    _factories = {"items": list}
    _frozen = False

    def err(self, msg):
        return ParseError(msg, self.line, self.column)

    def show(self):
        if self.kind == "list":
            return "(" + " ".join(i.show() for i in self.items) + ")"
        return f"|{self.text}|" if self.kind == "quoted" else self.text


_SMT_TOKEN = re.compile(
    r"(?P<ws>[ \t\r\f\v]+)|(?P<nl>\n)|(?P<comment>;[^\n]*)"
    r"|(?P<lp>\()|(?P<rp>\))"
    r"|(?P<dec>[0-9]+\.[0-9]+)|(?P<num>[0-9]+)"
    r"|(?P<hex>#x[0-9A-Fa-f]+)|(?P<bin>#b[01]+)"
    r"|(?P<string>\"(?:[^\"]|\"\")*\")"
    r"|(?P<quoted>\|[^|\\]*\|)"
    r"|(?P<keyword>:[A-Za-z0-9~!@$%^&*_\-+=<>.?/]+)"
    r"|(?P<symbol>[A-Za-z~!@$%^&*_\-+=<>.?/][A-Za-z0-9~!@$%^&*_\-+=<>.?/]*)"
    r"|(?P<bad>.)",
)


def _smt_read(text):
    """Read all top-level s-expressions; ParseError with position on unbalanced parentheses."""
    stack = [_SNode("list", "", 1, 1)]
    line, line_start = 1, 0
    for m in _SMT_TOKEN.finditer(text):
        kind = m.lastgroup
        start = m.start()
        if kind == "nl":
            line += 1
            line_start = start + 1
            continue
        if kind in ("ws", "comment"):
            continue
        col = start - line_start + 1
        tok = m.group()
        if kind == "string" or kind == "quoted":
            # may span lines
            nls = tok.count("\n")
        else:
            nls = 0
        if kind == "bad":
            if tok == "|":
                raise ParseError("unterminated quoted symbol '|...'", line, col)
            if tok == '"':
                raise ParseError("unterminated string literal", line, col)
            raise ParseError(f"unexpected character {tok!r}", line, col)
        if kind == "lp":
            node = _SNode("list", "(", line, col)
            stack[-1].items.append(node)
            stack.append(node)
        elif kind == "rp":
            if len(stack) == 1:
                raise ParseError("unbalanced ')': no '(' is open here", line, col)
            stack.pop()
        else:
            text_ = tok[1:-1] if kind == "quoted" else tok
            stack[-1].items.append(_SNode(kind, text_, line, col))
        if nls:
            line += nls
            line_start = start + tok.rfind("\n") + 1
    if len(stack) > 1:
        node = stack[-1]
        raise ParseError("unbalanced '(': this '(' is never closed", node.line, node.column)
    return stack[0].items


_SMT_FORMULA_HEADS = {"and", "or", "not", "=>", "xor", "=", "distinct", "<", "<=", ">", ">=",
                      "forall", "exists"}
_SMT_TERM_HEADS = {"+", "-", "*", "/", "to_real"}
_SMT_IGNORED = {"set-logic", "set-info", "set-option", "get-model", "get-value", "exit",
                "get-info", "get-option", "echo", "get-assertions", "get-assignment",
                "get-unsat-core", "get-proof", "reset-assertions", "check-sat"}


def _smt_name(sym: str, taken: set) -> str:
    """A PolyRing-valid name for an SMT-LIB symbol (identity for ordinary names)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", sym) and sym not in taken:
        return sym
    base = re.sub(r"[^A-Za-z0-9_]", "_", sym)
    if not base or not (base[0].isalpha() or base[0] == "_"):
        base = "v_" + base
    cand = base
    k = 1
    while cand in taken:
        cand = f"{base}_{k}"
        k += 1
    return cand


def parse_smtlib(text: str) -> Problem:
    """Parse an SMT-LIB2 script over the reals (logics ``QF_NRA``/``NRA``/``LRA``...).

    Supported: ``declare-const``/``declare-fun`` (no arguments) of sort ``Real``; ``define-fun``
    without arguments (sort ``Real`` or ``Bool``, used as a macro); ``assert``; ``check-sat``;
    ``set-logic``/``set-info``/``set-option``/``get-*``/``exit`` (ignored); terms ``+ - *``,
    ``(/ t c)`` with a non-zero constant ``c``, ``to_real``, numerals and decimals; formulas
    ``and or not => xor = distinct < <= > >=`` (chains as in SMT-LIB), ``true``/``false``,
    ``forall``/``exists`` over ``Real`` variables, ``let``, Boolean ``ite`` and ``!`` annotations.

    Semantics: the problem's free variables are the declared constants (in declaration order)
    and its formula is the conjunction of the assertions, so ``check-sat`` asks whether the
    existential closure holds; ``cad qe --smt2`` eliminates the quantifiers written inside the
    assertions and prints a formula in the declared constants.  Symbols that are not plain
    identifiers are renamed (``x!1`` -> ``x_1``).  Errors are :class:`ParseError` with line and
    column, e.g. an unsupported sort names the sort.
    """
    if not isinstance(text, str):
        raise InputError(f"expected SMT-LIB2 text, got {type(text).__name__}")
    commands = _smt_read(text)
    consts = []          # SMT symbols of the declared constants, in order
    ring_name = {}       # SMT symbol of a constant -> ring name
    taken = set()
    binder_name = {}     # id(binder node) -> ring name
    all_names = []
    description = ""

    def sym_of(node, what):
        if node.kind not in ("symbol", "quoted"):
            raise node.err(f"expected {what}, found {node.show()}")
        return node.text

    def check_sort(node, name):
        if node.kind == "list" or node.text != "Real":
            raise node.err(f"unsupported sort {node.show()} for {name!r} (only Real is supported)")

    # ---- pass 1: declarations and binder names, in document order
    asserts = []
    macros_src = []
    for cmd in commands:
        if cmd.kind != "list" or not cmd.items:
            raise cmd.err(f"expected a command in parentheses, found {cmd.show()}")
        head = cmd.items[0]
        if head.kind != "symbol":
            raise head.err(f"expected a command name, found {head.show()}")
        name = head.text
        args = cmd.items[1:]
        if name == "declare-const":
            if len(args) != 2:
                raise cmd.err("declare-const takes a name and a sort")
            sym = sym_of(args[0], "a constant name")
            check_sort(args[1], sym)
            if sym in ring_name:
                raise args[0].err(f"{sym!r} is declared twice")
            rn = _smt_name(sym, taken)
            taken.add(rn)
            ring_name[sym] = rn
            consts.append(sym)
            all_names.append(rn)
        elif name == "declare-fun":
            if len(args) != 3:
                raise cmd.err("declare-fun takes a name, an argument sort list and a sort")
            sym = sym_of(args[0], "a function name")
            if args[1].kind != "list":
                raise args[1].err(f"expected the argument sort list of {sym!r}, found "
                                  f"{args[1].show()}")
            if args[1].items:
                raise args[1].err(f"{sym!r} has arguments: only constants (declare-fun {sym} () "
                                  "Real) are supported")
            check_sort(args[2], sym)
            if sym in ring_name:
                raise args[0].err(f"{sym!r} is declared twice")
            rn = _smt_name(sym, taken)
            taken.add(rn)
            ring_name[sym] = rn
            consts.append(sym)
            all_names.append(rn)
        elif name == "define-fun":
            if len(args) != 4:
                raise cmd.err("define-fun takes a name, an argument list, a sort and a body")
            sym = sym_of(args[0], "a function name")
            if args[1].kind != "list" or args[1].items:
                raise args[1].err(f"define-fun {sym!r} with arguments is not supported")
            srt = args[2]
            if srt.kind == "list" or srt.text not in ("Real", "Bool"):
                raise srt.err(f"unsupported sort {srt.show()} for {sym!r} (only Real and Bool)")
            macros_src.append((sym, srt.text, args[3]))
            _collect_binders(args[3], binder_name, taken, all_names, check_sort)
            asserts.append(("define", sym, srt.text, args[3]))
        elif name == "assert":
            if len(args) != 1:
                raise cmd.err("assert takes one formula")
            _collect_binders(args[0], binder_name, taken, all_names, check_sort)
            asserts.append(("assert", args[0]))
        elif name in ("push", "pop", "reset", "check-sat-assuming", "declare-sort", "define-sort",
                      "declare-datatype", "declare-datatypes", "define-fun-rec"):
            raise head.err(f"the SMT-LIB command {name!r} is not supported")
        elif name in _SMT_IGNORED:
            if name == "set-info" and len(args) >= 2 and args[0].text == ":source":
                description = args[1].text.strip()
            continue
        else:
            raise head.err(f"unknown SMT-LIB command {name!r}")
    poly = _poly_module()
    ring = poly.PolyRing(all_names)
    qctx = ring.qctx
    env = {sym: ("term", fmpq_mpoly(ring.gen(ring_name[sym]), qctx)) for sym in consts}
    conv = _SmtConverter(ring, binder_name)
    parts = []
    for item in asserts:
        if item[0] == "define":
            _, sym, srt, body = item
            kind, value = conv.expr(body, env)
            want = "term" if srt == "Real" else "formula"
            if kind != want:
                raise body.err(f"the body of {sym!r} is not of sort {srt}")
            env = dict(env)
            env[sym] = (kind, value)
        else:
            parts.append(conv.formula(item[1], env))
    formula = conj(*parts)
    free = tuple(ring_name[s] for s in consts)
    return _finalize(all_names, free, formula, description)


def _collect_binders(node, binder_name, taken, all_names, check_sort):
    """Give every variable bound by forall/exists a ring name (fresh when the symbol is already a
    constant or bound elsewhere), in document order."""
    if node.kind != "list" or not node.items:
        return
    head = node.items[0]
    if head.kind == "symbol" and head.text in ("forall", "exists") and len(node.items) == 3:
        binds = node.items[1]
        if binds.kind != "list" or not binds.items:
            raise binds.err(f"expected a list of sorted variables after {head.text}")
        for b in binds.items:
            if b.kind != "list" or len(b.items) != 2 or b.items[0].kind not in ("symbol", "quoted"):
                raise b.err(f"expected a sorted variable (x Real), found {b.show()}")
            check_sort(b.items[1], b.items[0].text)
            rn = _smt_name(b.items[0].text, taken)
            taken.add(rn)
            all_names.append(rn)
            binder_name[id(b)] = rn
    for c in node.items:
        _collect_binders(c, binder_name, taken, all_names, check_sort)


class _SmtConverter:
    def __init__(self, ring, binder_name):
        self.ring = ring
        self.qctx = ring.qctx
        self.binder_name = binder_name

    def formula(self, node, env):
        kind, value = self.expr(node, env)
        if kind != "formula":
            raise node.err(f"expected a formula (Bool), found the Real term {node.show()}")
        return value

    def term(self, node, env):
        kind, value = self.expr(node, env)
        if kind != "term":
            raise node.err(f"expected a Real term, found the formula {node.show()}")
        return value

    def atomic_cmp(self, a, b, rel):
        return atom(_clear_q(a - b, self.ring.ctx), rel, ctx=self.ring.ctx)

    def expr(self, node, env):
        q = self.qctx
        if node.kind == "num":
            return "term", q.constant(int(node.text))
        if node.kind == "dec":
            ip, fp = node.text.split(".")
            return "term", q.constant(fmpq(int(ip + fp), 10 ** len(fp)))
        if node.kind in ("hex", "bin"):
            return "term", q.constant(int(node.text[2:], 16 if node.kind == "hex" else 2))
        if node.kind in ("symbol", "quoted"):
            if node.text in env:
                return env[node.text]
            if node.kind == "symbol" and node.text in ("true", "false"):
                return "formula", TRUE if node.text == "true" else FALSE
            raise node.err(f"undeclared symbol {node.text!r}")
        if node.kind != "list":
            raise node.err(f"unexpected {node.show()}")
        if not node.items:
            raise node.err("empty application '()'")
        head = node.items[0]
        args = node.items[1:]
        if head.kind != "symbol":
            raise head.err(f"expected an operator, found {head.show()}")
        h = head.text
        if h in ("forall", "exists"):
            if len(args) != 2:
                raise node.err(f"{h} takes a variable list and a body")
            inner = dict(env)
            names = []
            for b in args[0].items:
                rn = self.binder_name[id(b)]
                inner[b.items[0].text] = ("term", fmpq_mpoly(self.ring.gen(rn), q))
                names.append(rn)
            body = self.formula(args[1], inner)
            return "formula", (exists(names, body) if h == "exists" else forall(names, body))
        if h == "let":
            if len(args) != 2 or args[0].kind != "list":
                raise node.err("let takes a binding list and a body")
            inner = dict(env)
            for b in args[0].items:
                if b.kind != "list" or len(b.items) != 2 or b.items[0].kind not in ("symbol",
                                                                                    "quoted"):
                    raise b.err(f"expected a binding (name term), found {b.show()}")
                inner[b.items[0].text] = self.expr(b.items[1], env)  # parallel let
            return self.expr(args[1], inner)
        if h == "!":
            if not args:
                raise node.err("'!' needs a term")
            return self.expr(args[0], env)
        if h == "ite":
            if len(args) != 3:
                raise node.err("ite takes three arguments")
            c = self.formula(args[0], env)
            k1, a = self.expr(args[1], env)
            k2, b = self.expr(args[2], env)
            if k1 != "formula" or k2 != "formula":
                raise node.err("ite on Real terms is not supported (only Boolean ite)")
            return "formula", disj(conj(c, a), conj(negate(c), b))
        if h in ("+", "-", "*"):
            if not args:
                raise node.err(f"{h!r} needs arguments")
            vals = [self.term(a, env) for a in args]
            if h == "-" and len(vals) == 1:
                return "term", -vals[0]
            acc = vals[0]
            for v in vals[1:]:
                acc = acc + v if h == "+" else (acc - v if h == "-" else acc * v)
            return "term", acc
        if h == "/":
            if len(args) < 2:
                raise node.err("'/' needs at least two arguments")
            acc = self.term(args[0], env)
            for a in args[1:]:
                d = self.term(a, env)
                if not d.is_constant():
                    raise a.err(f"division by the non-constant term {a.show()} is not polynomial "
                                "(only division by a non-zero constant)")
                c = d.leading_coefficient() if not d.is_zero() else fmpq(0)
                if c == 0:
                    raise a.err("division by zero")
                acc = acc * (1 / fmpq(c))
            return "term", acc
        if h in ("to_real",):
            if len(args) != 1:
                raise node.err("to_real takes one argument")
            return "term", self.term(args[0], env)
        if h in ("<", "<=", ">", ">="):
            if len(args) < 2:
                raise node.err(f"{h!r} needs at least two arguments")
            vals = [self.term(a, env) for a in args]
            return "formula", conj(*[self.atomic_cmp(vals[i], vals[i + 1], h)
                                     for i in range(len(vals) - 1)])
        if h == "=":
            if len(args) < 2:
                raise node.err("'=' needs at least two arguments")
            vals = [self.expr(a, env) for a in args]
            kinds = {k for k, _ in vals}
            if len(kinds) > 1:
                raise node.err("'=' compares a Real term with a formula")
            if kinds == {"term"}:
                return "formula", conj(*[self.atomic_cmp(vals[i][1], vals[i + 1][1], "=")
                                         for i in range(len(vals) - 1)])
            return "formula", conj(*[iff(vals[i][1], vals[i + 1][1])
                                     for i in range(len(vals) - 1)])
        if h == "distinct":
            if len(args) < 2:
                raise node.err("distinct needs at least two arguments")
            vals = [self.expr(a, env) for a in args]
            kinds = {k for k, _ in vals}
            if len(kinds) > 1:
                raise node.err("distinct mixes Real terms and formulas")
            out = []
            for i in range(len(vals)):
                for j in range(i + 1, len(vals)):
                    if kinds == {"term"}:
                        out.append(self.atomic_cmp(vals[i][1], vals[j][1], "/="))
                    else:
                        out.append(negate(iff(vals[i][1], vals[j][1])))
            return "formula", conj(*out)
        if h in ("and", "or"):
            fs = [self.formula(a, env) for a in args]
            return "formula", (conj(*fs) if h == "and" else disj(*fs))
        if h == "not":
            if len(args) != 1:
                raise node.err("not takes one argument")
            return "formula", negate(self.formula(args[0], env))
        if h == "=>":
            if len(args) < 2:
                raise node.err("'=>' needs at least two arguments")
            fs = [self.formula(a, env) for a in args]
            acc = fs[-1]
            for f in reversed(fs[:-1]):  # right associative
                acc = implies(f, acc)
            return "formula", acc
        if h == "xor":
            fs = [self.formula(a, env) for a in args]
            if len(fs) < 2:
                raise node.err("xor needs at least two arguments")
            acc = fs[0]
            for f in fs[1:]:
                acc = negate(iff(acc, f))
            return "formula", acc
        if h in env:
            raise head.err(f"{h!r} is a constant, not a function")
        raise head.err(f"unknown or unsupported operator {h!r}")


_SMT_SIMPLE = re.compile(r"[A-Za-z~!@$%^&*_\-+=<>.?/][A-Za-z0-9~!@$%^&*_\-+=<>.?/]*\Z")
_SMT_RESERVED = {"forall", "exists", "let", "par", "_", "!", "as", "match", "true", "false",
                 "BINARY", "DECIMAL", "HEXADECIMAL", "NUMERAL", "STRING", "and", "or", "not",
                 "ite", "distinct", "xor", "=>"}


def _smt_sym(name):
    if _SMT_SIMPLE.match(name) and name not in _SMT_RESERVED:
        return name
    return f"|{name}|"


def _smt_int(c):
    c = int(c)
    return str(c) if c >= 0 else f"(- {-c})"


def _smt_poly(p):
    names = p.context().names()
    terms = []
    for exps, c in p.terms():
        factors = []
        for i, e in enumerate(exps):
            factors.extend([_smt_sym(names[i])] * int(e))
        if not factors:
            terms.append(_smt_int(c))
            continue
        if c != 1:
            factors.insert(0, _smt_int(c))
        terms.append(factors[0] if len(factors) == 1 else "(* " + " ".join(factors) + ")")
    if not terms:
        return "0"
    return terms[0] if len(terms) == 1 else "(+ " + " ".join(terms) + ")"


def _smt_formula(f):
    if isinstance(f, Truth):
        return "true" if f.value else "false"
    if isinstance(f, Atom):
        p = _smt_poly(f.poly)
        if f.rel == "/=":
            return f"(distinct {p} 0)"
        return f"({f.rel} {p} 0)"
    if isinstance(f, And):
        return "(and " + " ".join(_smt_formula(a) for a in f.args) + ")"
    if isinstance(f, Or):
        return "(or " + " ".join(_smt_formula(a) for a in f.args) + ")"
    if isinstance(f, Not):
        return f"(not {_smt_formula(f.arg)})"
    if isinstance(f, Implies):
        return f"(=> {_smt_formula(f.left)} {_smt_formula(f.right)})"
    if isinstance(f, Iff):
        return f"(= {_smt_formula(f.left)} {_smt_formula(f.right)})"
    if isinstance(f, (Exists, Forall)):
        q = "exists" if isinstance(f, Exists) else "forall"
        vs = " ".join(f"({_smt_sym(v)} Real)" for v in f.variables)
        return f"({q} ({vs}) {_smt_formula(f.body)})"
    raise InputError(f"not a formula: {f!r}")


def to_smtlib(problem: Problem) -> str:
    """An SMT-LIB2 script: the free variables as ``declare-const ... Real``, the formula as one
    ``assert``, then ``check-sat`` (logic ``QF_NRA`` or ``NRA``).  Parses back with
    :func:`parse_smtlib` to the same problem.  The description becomes ``(set-info :source
    |...|)`` (read back by :func:`parse_smtlib`); assumptions are written as a comment."""
    f = problem.formula
    logic = "QF_NRA" if is_quantifier_free(f) else "NRA"
    out = [f"(set-logic {logic})"]
    if problem.description:
        desc = problem.description.replace("|", "/").replace("\\", "/")
        out.append(f"(set-info :source |{desc}|)")
    for v in problem.free:
        out.append(f"(declare-const {_smt_sym(v)} Real)")
    if problem.assumptions != TRUE:
        out.append(f"; assume {_smt_formula(problem.assumptions)}")
    out.append(f"(assert {_smt_formula(f)})")
    out.append("(check-sat)")
    return "\n".join(out) + "\n"


# =============================================================================== sympy


def to_sympy(formula: Formula, ring=None):
    """The quantifier-free ``formula`` as a sympy Boolean expression (relationals ``Eq``, ``Ne``,
    ``Lt``, ``Le``, ``Gt``, ``Ge`` with right-hand side 0; ``And``, ``Or``, ``Not``, ``Implies``,
    ``Equivalent``).  sympy has no first-order quantifiers, so quantified formulas raise
    :class:`InputError`.  Symbols are ``sympy.Symbol(name)`` (``real=False`` default, matched by
    name in :func:`from_sympy`)."""
    import sympy

    symbols = {}

    def sym(name):
        s = symbols.get(name)
        if s is None:
            s = sympy.Symbol(name)
            symbols[name] = s
        return s

    def poly(p):
        names = p.context().names()
        terms = []
        for exps, c in p.terms():
            factors = [sympy.Integer(int(c))]
            for i, e in enumerate(exps):
                if e:
                    factors.append(sym(names[i]) ** int(e))
            terms.append(sympy.Mul(*factors))
        return sympy.Add(*terms)

    rels = {"=": sympy.Eq, "/=": sympy.Ne, "<": sympy.Lt, "<=": sympy.Le, ">": sympy.Gt,
            ">=": sympy.Ge}

    def conv(f):
        if isinstance(f, Truth):
            return sympy.true if f.value else sympy.false
        if isinstance(f, Atom):
            return rels[f.rel](poly(f.poly), 0)
        if isinstance(f, And):
            return sympy.And(*[conv(a) for a in f.args])
        if isinstance(f, Or):
            return sympy.Or(*[conv(a) for a in f.args])
        if isinstance(f, Not):
            return sympy.Not(conv(f.arg))
        if isinstance(f, Implies):
            return sympy.Implies(conv(f.left), conv(f.right))
        if isinstance(f, Iff):
            return sympy.Equivalent(conv(f.left), conv(f.right))
        if isinstance(f, (Exists, Forall)):
            raise InputError("sympy has no quantifiers: eliminate them first (quantified "
                             f"variables {', '.join(f.variables)})")
        raise InputError(f"not a formula: {f!r}")

    return conv(formula)


def from_sympy(expr, variables) -> Problem:
    """A quantifier-free :class:`Problem` from a sympy relational / Boolean expression.

    ``variables`` (names or sympy Symbols) fixes the ring's variable order; all of them are free.
    Supported: ``Eq Ne Lt Le Gt Ge`` between polynomials with rational coefficients, ``And Or Not
    Implies Equivalent Xor ITE``, ``true``/``false`` (also Python booleans).  Symbols are matched by
    name; a symbol outside ``variables``, a non-polynomial term (``1/x``, ``sqrt(x)``), or a float
    raises :class:`InputError` naming it."""
    import sympy
    from sympy.logic import boolalg

    poly = _poly_module()
    names = []
    for v in variables if not isinstance(variables, str) else [variables]:
        names.append(v.name if isinstance(v, sympy.Symbol) else str(v))
    ring = poly.PolyRing(names)
    ctx = ring.ctx
    if isinstance(expr, bool):
        expr = sympy.true if expr else sympy.false
    if not isinstance(expr, sympy.Basic):
        raise InputError(f"expected a sympy Boolean expression, got {type(expr).__name__}")
    unknown = sorted(s.name for s in expr.free_symbols if s.name not in set(names))
    if unknown:
        raise InputError(f"symbol {unknown[0]!r} is not among the variables "
                         f"{', '.join(names) or '(none)'}")
    relmap = {"==": "=", "!=": "/=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}

    def conv(e):
        if e is sympy.true or e == sympy.true:
            return TRUE
        if e is sympy.false or e == sympy.false:
            return FALSE
        if isinstance(e, sympy.core.relational.Relational):
            op = e.rel_op
            if op not in relmap:
                raise InputError(f"unsupported relation {op!r} in {e}")
            lhs = ring.from_sympy(e.lhs)
            rhs = ring.from_sympy(e.rhs)
            return atom(lhs, relmap[op], rhs, ctx=ctx)
        if isinstance(e, boolalg.And):
            return conj(*[conv(a) for a in e.args])
        if isinstance(e, boolalg.Or):
            return disj(*[conv(a) for a in e.args])
        if isinstance(e, boolalg.Not):
            return negate(conv(e.args[0]))
        if isinstance(e, boolalg.Implies):
            return implies(conv(e.args[0]), conv(e.args[1]))
        if isinstance(e, boolalg.Equivalent):
            fs = [conv(a) for a in e.args]
            return conj(*[iff(fs[0], g) for g in fs[1:]])
        if isinstance(e, boolalg.Xor):
            fs = [conv(a) for a in e.args]
            acc = fs[0]
            for g in fs[1:]:
                acc = negate(iff(acc, g))
            return acc
        if isinstance(e, boolalg.ITE):
            c, a, b = (conv(x) for x in e.args)
            return disj(conj(c, a), conj(negate(c), b))
        if isinstance(e, sympy.Symbol):
            raise InputError(f"Boolean symbol {e} is not supported (atoms compare polynomials)")
        raise InputError(f"unsupported sympy expression {e} ({type(e).__name__}); expected "
                         "relations between polynomials combined by And/Or/Not/Implies/"
                         "Equivalent")

    formula = conv(expr)
    return _finalize(names, tuple(names), formula)
