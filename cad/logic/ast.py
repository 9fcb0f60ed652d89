"""The Tarski formula tree: node classes, the relation tables and :class:`Problem`.

A *Tarski formula* is a first-order formula over the ordered field of the reals whose atoms
compare an integer polynomial with zero (Tarski, "A decision method for elementary algebra and
geometry", 1948/51; the input language of Collins' CAD and of QEPCAD B).  Here

* an :class:`Atom` holds a raw flint ``fmpz_mpoly`` of a :class:`cad.poly.PolyRing`'s context and
  a relation in ``= /= < <= > >=`` (the polynomial is compared with 0);
* connectives are :class:`And`, :class:`Or`, :class:`Not`, :class:`Implies`, :class:`Iff`;
  quantifiers :class:`Exists` / :class:`Forall` (both :class:`Quantifier`) bind a tuple of
  variable names; :data:`TRUE` and :data:`FALSE` are the constants (instances of :class:`Truth`);
* a :class:`Problem` is what a QEPCAD B input file describes: a ring (variable order), the free
  variables (the first ``k`` variables of the ring) and a formula.

Every node walks and rebuilds itself: ``f.children()`` is the tuple of its sub-formulas (atoms
and constants: ``()``; ``Not``: ``(arg,)``; ``And``/``Or``: ``args``; ``Implies``/``Iff``:
``(left, right)``; quantifiers: ``(body,)``) and ``f.rebuild(children)`` is the same kind of node
(same relation, same bound variables) over new children, built as is.  ``f.simplify(children)``
builds it through the smart constructors of :mod:`cad.logic.build` instead.  What really differs
per connective lives in the class (``Formula.truth`` for evaluation, ``Formula.to_nnf``), so a
new connective touches one class and the printers of :mod:`cad.io`.

The node classes are frozen dataclasses and may be built directly; the parsers and transforms
build through the smart constructors.
"""

from __future__ import annotations

from dataclasses import dataclass

from flint import fmpz_mpoly

from cad.errors import InputError

__all__ = [
    "RELATIONS", "NEGATED", "MIRRORED", "holds",
    "Formula", "Truth", "TRUE", "FALSE", "Atom", "RootAtom", "And", "Or", "Not", "Implies", "Iff",
    "Quantifier", "Exists", "Forall", "Problem",
]

#: The six relations an atom may use (the polynomial is compared with 0).
RELATIONS = ("=", "/=", "<", "<=", ">", ">=")
#: ``NEGATED[r]`` is the relation r' with ``(p r' 0) <=> ~(p r 0)``.
NEGATED = {"=": "/=", "/=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
#: ``MIRRORED[r]`` is the relation r' with ``(-p r' 0) <=> (p r 0)``: used when a comparison's
#: sides are swapped.
MIRRORED = {"=": "=", "/=": "/=", "<": ">", ">": "<", "<=": ">=", ">=": "<="}


def holds(sign: int, rel: str) -> bool:
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


def _check_formula(value, where):
    if not isinstance(value, Formula):
        raise InputError(f"{where} must be a Formula, got {type(value).__name__}: {value!r}")


class Formula:
    """Base class of formula nodes.  ``f & g``, ``f | g`` and ``~f`` use the smart constructors."""

    __slots__ = ()

    def __and__(self, other):
        return _build.conj(self, other)

    def __or__(self, other):
        return _build.disj(self, other)

    def __invert__(self):
        return _build.negate(self)

    def children(self) -> tuple:
        """The immediate sub-formulas (``()`` for atoms and constants)."""
        return ()

    def rebuild(self, children) -> Formula:
        """The same kind of node over ``children`` (a leaf returns itself)."""
        return self

    def simplify(self, children) -> Formula:
        """As :meth:`rebuild`, but through the smart constructors of :mod:`cad.logic.build`."""
        return self

    def truth(self, values) -> bool:
        """The truth of this connective given an iterator over its children's truth values
        (consumed lazily, so ``And``/``Or``/``Implies`` short-circuit)."""
        raise InputError(f"not a formula: {self!r}")

    def to_nnf(self, positive=True) -> Formula:
        """Negation normal form of ``self`` (``positive``) or of ``~self``; see
        :func:`cad.logic.transform.nnf`."""
        raise InputError(f"not a formula: {self!r}")

    def _hash_key(self):
        """What the hash of this node is computed from (its kind and fields)."""
        raise NotImplementedError

    def _cached_hash(self):
        # Nodes are immutable and trees can be thousands of levels deep: each node's hash is
        # computed once (from its children's cached hashes), not re-walked per lookup, which
        # made flattening a deep alternating /\ \/ input quadratic.  Every node class binds
        # ``__hash__`` to this in its own body (a dataclass would otherwise generate one).
        try:
            return self.__dict__["_hash"]
        except KeyError:
            h = hash(self._hash_key())
            object.__setattr__(self, "_hash", h)
            return h

    def __getstate__(self):
        # the cached hash is per process (str hashes are salted): never pickled; nor the
        # cached free variables (cad.logic.queries), recomputed on demand
        state = dict(self.__dict__)
        state.pop("_hash", None)
        state.pop("_free", None)
        return state


@dataclass(frozen=True, repr=False)
class Truth(Formula):
    """The constant formulas; use the instances :data:`TRUE` and :data:`FALSE`."""

    value: bool

    __hash__ = Formula._cached_hash

    def _hash_key(self):
        return ("Truth", self.value)

    def __repr__(self):
        return "TRUE" if self.value else "FALSE"

    def truth(self, values):
        return self.value

    def to_nnf(self, positive=True):
        return self if positive else _build.negate(self)


TRUE = Truth(True)
FALSE = Truth(False)


def _check_relation_and_poly(a, what):
    if a.rel not in RELATIONS:
        raise InputError(f"unknown relation {a.rel!r} in {what} (expected one of "
                         f"{' '.join(RELATIONS)})")
    if not isinstance(a.poly, fmpz_mpoly):
        raise InputError(f"{type(a).__name__}'s poly must be an fmpz_mpoly, got "
                         f"{type(a.poly).__name__} (use cad.logic.atom() to convert rationals "
                         "and constants)")


@dataclass(frozen=True, eq=False, repr=False)
class Atom(Formula):
    """``poly rel 0`` with ``poly`` an ``fmpz_mpoly`` and ``rel`` one of :data:`RELATIONS`."""

    poly: fmpz_mpoly
    rel: str

    def __post_init__(self):
        _check_relation_and_poly(self, "an atom")

    # fmpz_mpoly is unhashable and compares equal across contexts only when it is the same
    # context, so equality and hash are spelled out.
    def __eq__(self, other):
        if not isinstance(other, Atom):
            return NotImplemented
        return (self.rel == other.rel and self.poly.context() is other.poly.context()
                and self.poly == other.poly)

    __hash__ = Formula._cached_hash

    def _hash_key(self):
        return ("Atom", self.rel, str(self.poly))

    def __repr__(self):
        return f"Atom({self.poly} {self.rel} 0)"

    def simplify(self, children):
        return _build.atom(self.poly, self.rel)

    def to_nnf(self, positive=True):
        return self if positive else _build.negate(self)


@dataclass(frozen=True, eq=False, repr=False)
class RootAtom(Formula):
    """An atom of QEPCAD B's extended language: ``var rel _root_index poly``.

    ``poly`` is an ``fmpz_mpoly`` whose main variable (the last variable of its context in
    which it has positive degree) is ``var``; ``index`` is a non-zero integer.  At a point,
    fix the other variables: the real roots of ``poly`` as a polynomial in ``var`` are
    counted *distinct*, from the bottom (``index > 0``: ``_root_1`` is the least) or, for
    ``index < 0``, from the top (``_root_-1`` is the greatest).  The atom holds iff that
    root ``r`` exists and ``value(var) rel r``.  It is **false** -- for every relation,
    ``/=`` included -- when ``poly`` has fewer than ``|index|`` distinct real roots there or
    vanishes identically in ``var``: QEPCAD B 1.74 decides ``(E y)[y < _root_2 y^2 - x]`` as
    ``x > 0``, ``(A y)[y /= _root_2 y^2 - x]`` as ``FALSE``, ``(E y)[y = _root_2 (y-x)^2 (y-1)]``
    as ``x - 1 /= 0`` and ``(E y)[y = _root_1 x y]`` as ``x /= 0`` (tests/cad/test_root_atoms.py
    re-runs these against the binary).  Hence ``~(x < _root_k p)`` is not a root atom: its
    negation normal form keeps :class:`Not`.
    """

    var: str
    rel: str
    index: int
    poly: fmpz_mpoly

    def __post_init__(self):
        _check_relation_and_poly(self, "a root atom")
        if not isinstance(self.index, int) or isinstance(self.index, bool) or self.index == 0:
            raise InputError(f"the index of _root_ must be a non-zero integer, got {self.index!r}")
        names = self.poly.context().names()
        used = [v for v, d in zip(names, self.poly.degrees()) if d > 0]
        if not used or used[-1] != self.var:
            raise InputError(f"_root_{self.index}: the polynomial's main variable must be "
                             f"{self.var!r} (its last variable in the order {', '.join(names)}), "
                             f"got {', '.join(used) or 'a constant'}")

    @property
    def var_index(self) -> int:
        """Position of ``var`` among the generators of the polynomial's context."""
        return self.poly.context().names().index(self.var)

    def __eq__(self, other):
        if not isinstance(other, RootAtom):
            return NotImplemented
        return (self.var == other.var and self.rel == other.rel and self.index == other.index
                and self.poly.context() is other.poly.context() and self.poly == other.poly)

    __hash__ = Formula._cached_hash

    def _hash_key(self):
        return ("RootAtom", self.var, self.rel, self.index, str(self.poly))

    def __repr__(self):
        return f"RootAtom({self.var} {self.rel} _root_{self.index} {self.poly})"

    def to_nnf(self, positive=True):
        return self if positive else Not(self)


# The bases _Junction, _Binary and Quantifier are the dataclasses; their subclasses inherit the
# fields, __init__, equality (same class only), hash and repr (which prints the subclass's name),
# and only add what differs per connective.


@dataclass(frozen=True)
class _Junction(Formula):
    """Base of :class:`And` and :class:`Or`: a tuple ``args`` of sub-formulas."""

    args: tuple
    __hash__ = Formula._cached_hash

    def _hash_key(self):
        return (type(self).__name__, self.args)

    def __post_init__(self):
        if not isinstance(self.args, tuple):
            object.__setattr__(self, "args", tuple(self.args))
        for a in self.args:
            _check_formula(a, f"an argument of {type(self).__name__}")

    def children(self):
        return self.args

    def rebuild(self, children):
        return type(self)(tuple(children))


class And(_Junction):
    """Conjunction of ``args``."""

    def simplify(self, children):
        return _build.conj(*children)

    def truth(self, values):
        return all(values)

    def to_nnf(self, positive=True):
        parts = [a.to_nnf(positive) for a in self.args]
        return _build.conj(*parts) if positive else _build.disj(*parts)


class Or(_Junction):
    """Disjunction of ``args``."""

    def simplify(self, children):
        return _build.disj(*children)

    def truth(self, values):
        return any(values)

    def to_nnf(self, positive=True):
        parts = [a.to_nnf(positive) for a in self.args]
        return _build.disj(*parts) if positive else _build.conj(*parts)


@dataclass(frozen=True)
class Not(Formula):
    """Negation of ``arg``."""

    arg: Formula
    __hash__ = Formula._cached_hash

    def _hash_key(self):
        return ("Not", self.arg)

    def __post_init__(self):
        _check_formula(self.arg, "the argument of Not")

    def children(self):
        return (self.arg,)

    def rebuild(self, children):
        (arg,) = children
        return Not(arg)

    def simplify(self, children):
        (arg,) = children
        return _build.negate(arg)

    def truth(self, values):
        return not next(values)

    def to_nnf(self, positive=True):
        return self.arg.to_nnf(not positive)


@dataclass(frozen=True)
class _Binary(Formula):
    """Base of :class:`Implies` and :class:`Iff`: sub-formulas ``left`` and ``right``."""

    left: Formula
    right: Formula
    __hash__ = Formula._cached_hash

    def _hash_key(self):
        return (type(self).__name__, self.left, self.right)

    def __post_init__(self):
        _check_formula(self.left, f"the left side of {type(self).__name__}")
        _check_formula(self.right, f"the right side of {type(self).__name__}")

    def children(self):
        return (self.left, self.right)

    def rebuild(self, children):
        left, right = children
        return type(self)(left, right)


class Implies(_Binary):
    """``left ==> right``."""

    def simplify(self, children):
        left, right = children
        return _build.implies(left, right)

    def truth(self, values):
        return (not next(values)) or next(values)

    def to_nnf(self, positive=True):
        if positive:
            return _build.disj(self.left.to_nnf(False), self.right.to_nnf(True))
        return _build.conj(self.left.to_nnf(True), self.right.to_nnf(False))


class Iff(_Binary):
    """``left <==> right``."""

    def simplify(self, children):
        left, right = children
        return _build.iff(left, right)

    def truth(self, values):
        return next(values) == next(values)

    def to_nnf(self, positive=True):
        a, b = self.left, self.right
        conj, disj = _build.conj, _build.disj
        if positive:  # (a ==> b) /\ (b ==> a)
            return conj(disj(a.to_nnf(False), b.to_nnf(True)), disj(a.to_nnf(True), b.to_nnf(False)))
        # ~(a <==> b) == (a \/ b) /\ (~a \/ ~b)
        return conj(disj(a.to_nnf(True), b.to_nnf(True)), disj(a.to_nnf(False), b.to_nnf(False)))


@dataclass(frozen=True)
class Quantifier(Formula):
    """Base of :class:`Exists` and :class:`Forall`: ``variables`` (a tuple of names) and
    ``body``.  ``letter`` is the prefix letter (``'E'``/``'A'``, as in QEPCAD B and in the
    prefixes of :func:`cad.logic.prenex.prenex`); ``dual()`` is the other quantifier class."""

    variables: tuple
    body: Formula
    letter = ""
    __hash__ = Formula._cached_hash

    def _hash_key(self):
        return (type(self).__name__, self.variables, self.body)

    def __post_init__(self):
        vs = self.variables
        if isinstance(vs, str):
            vs = (vs,)
        vs = tuple(vs)
        for v in vs:
            if not isinstance(v, str):
                raise InputError(f"quantified variables must be names, got {v!r}")
        object.__setattr__(self, "variables", vs)
        _check_formula(self.body, f"the body of {type(self).__name__}")

    def children(self):
        return (self.body,)

    def rebuild(self, children):
        (body,) = children
        return type(self)(self.variables, body)

    def simplify(self, children):
        (body,) = children
        return _build.quantify(type(self), self.variables, body)

    def truth(self, values):
        raise InputError("evaluate() needs a quantifier-free formula; this one quantifies "
                         f"{', '.join(self.variables)} (decide it with cad.qe or cad.decide instead)")

    def to_nnf(self, positive=True):
        body = self.body.to_nnf(positive)
        cls = type(self) if positive else self.dual()
        return _build.quantify(cls, self.variables, body)


class Exists(Quantifier):
    """``(E v1, ..., vn) body``."""

    letter = "E"

    @staticmethod
    def dual():
        return Forall


class Forall(Quantifier):
    """``(A v1, ..., vn) body``."""

    letter = "A"

    @staticmethod
    def dual():
        return Exists


@dataclass
class Problem:
    """A quantifier-elimination problem, as in a QEPCAD B input file.

    ``ring.variables`` lists the free variables first (``free`` is that prefix), then the
    quantified ones (see :mod:`cad.logic.prenex` for the standard form the parsers produce).
    ``assumptions`` is QEPCAD's ``assume [...]``: a quantifier-free formula in the free variables
    under which the answer only needs to be equivalent (:data:`TRUE` when absent; ignoring it is
    always correct).
    """

    ring: object
    free: tuple
    formula: Formula
    description: str = ""
    assumptions: Formula = TRUE

    def __post_init__(self):
        if isinstance(self.free, str):
            self.free = (self.free,)
        self.free = tuple(self.free)

    @property
    def bound(self) -> tuple:
        """The ring variables after the free ones."""
        return tuple(v for v in self.ring.variables if v not in set(self.free))


# The smart constructors build nodes of this module, and the nodes' operators and
# ``simplify``/``to_nnf`` call the smart constructors: a real cycle, closed here at the end.
from cad.logic import build as _build  # noqa: E402
