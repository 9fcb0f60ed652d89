"""The quantifier-free matrix compiled for three-valued evaluation on cells.

The partial CAD (:mod:`cad.elimination.pcad`) evaluates the matrix on every cell it builds, from
the signs of the projection factors known there: the matrix is true, false, or not yet
determined (``None``) on the cell.  This is the inner loop of quantifier elimination, so the
matrix is compiled once per decomposition.

The source is a negation normal form of :mod:`cad.logic` (:func:`cad.logic.nnf`: only
``And``, ``Or``, atoms and constants, as the preprocessing in :mod:`cad.elimination.preprocess`
leaves it).  :func:`compile_matrix` walks it once and produces nested tuples::

    ('c', bool) | ('a', i) | ('&', [kids]) | ('|', [kids])

over a table of compiled atoms ``(unit, [(fid, exponent), ...], mask)``: the atom's
polynomial is ``unit`` times the product of the projection factors ``fid`` to the given
powers, and the atom holds where that product's sign is in ``mask``
(:mod:`cad.elimination.masks`).  A constant polynomial has an empty product and ``unit`` its sign.
"""

from cad.errors import InternalError
from cad.logic import And, Atom, Or, Truth
from cad.poly.ops import factor, poly_key
from cad.elimination.masks import REL_MASK, SIGN_BIT

__all__ = ["CompiledMatrix", "compile_matrix", "factored_atom"]


class CompiledMatrix:
    """The matrix as tuples over factored atoms (see the module docstring), and the same
    tree as nested closures (:func:`_closure`), which :meth:`value` calls."""

    __slots__ = ("tree", "atoms", "factor_ids", "_eval")

    def __init__(self, tree, atoms):
        self.tree = tree
        self.atoms = atoms
        #: the projection factors the matrix reads
        self.factor_ids = {fid for _unit, facs, _mask in atoms for fid, _e in facs}
        self._eval = _closure(tree, atoms)

    def value(self, signs):
        """Truth of the matrix where the factors have the signs ``signs`` (fid -> sign; a
        missing fid is unknown): True, False, or None when the known signs do not decide it."""
        return self._eval(signs)


def compile_matrix(matrix, factor_atom):
    """Compile the negation normal form ``matrix``; ``factor_atom(atom)`` gives the compiled
    atom ``(unit, [(fid, exponent)], mask)``.  Equal atoms share one entry of the table."""
    index = {}
    atoms = []

    def walk(f):
        if isinstance(f, Atom):
            i = index.get(f)
            if i is None:
                i = index[f] = len(atoms)
                atoms.append(factor_atom(f))
            return ("a", i)
        if isinstance(f, Truth):
            return ("c", bool(f.value))
        if isinstance(f, (And, Or)):
            return ("&" if isinstance(f, And) else "|", [walk(k) for k in f.children()])
        raise InternalError(f"quantifier elimination: {type(f).__name__} in a matrix that should "
                            "be in negation normal form")

    return CompiledMatrix(walk(matrix), atoms)


def factored_atom(atom, to_ring, fid_of_key):
    """The compiled form of ``atom``: its polynomial, moved by ``to_ring`` into the
    decomposition's ring, factored over Z into projection factors (``fid_of_key``: poly_key
    -> fid; a factor may appear there up to sign)."""
    p, mask = atom.poly, REL_MASK[atom.rel]
    if p.is_constant():
        c = int(p.coeffs()[0]) if not p.is_zero() else 0
        return ((c > 0) - (c < 0), [], mask)
    c, facs = factor(to_ring(p))
    unit = 1 if c > 0 else -1
    product = []
    for f, e in facs:
        if f.is_constant():
            if int(f.coeffs()[0]) < 0 and e & 1:
                unit = -unit
            continue
        fid = fid_of_key.get(poly_key(f))
        if fid is None:
            fid = fid_of_key.get(poly_key(-f))
            if fid is None:
                raise InternalError(f"internal: factor {f} missing from the projection set")
            if e & 1:
                unit = -unit
        product.append((fid, e))
    return (unit, product, mask)


def _atom_value(atom, signs):
    unit, facs, mask = atom
    if unit == 0:
        return bool(mask & SIGN_BIT[0])
    s = unit
    unknown = False
    for fid, e in facs:
        v = signs.get(fid)
        if v is None:
            unknown = True
        elif v == 0:
            return bool(mask & SIGN_BIT[0])
        elif e & 1:
            s *= v
    if unknown:
        return None
    return bool(mask & SIGN_BIT[s])


def _closure(t, atoms):
    """The compiled tree ``t`` as a function of ``signs`` computing the truth of the matrix (see
    :meth:`CompiledMatrix.value`).

    An atom on one factor becomes a table lookup: its value for each sign of the factor and
    None for an unknown sign (``signs.get`` gives None) -- what :func:`_atom_value` computes.
    Inside a conjunction or disjunction these lookups are made in a loop of their own before
    the other children are called.  Kleene's three-valued conjunction (disjunction) does not
    depend on the order of its arguments -- false (true) if one of them is, else unknown if
    one is, else true (false) -- and every child is a function of ``signs`` alone, so the
    order changes no value."""
    op = t[0]
    if op == "c":
        value = t[1]
        return lambda signs: value
    if op == "a":
        table = _table(atoms[t[1]])
        if table is not None:
            (fid, tab), = table.items()
            return lambda signs: tab[signs.get(fid)]
        atom = atoms[t[1]]
        return lambda signs: _atom_value(atom, signs)
    decisive = op == "|"
    neutral = not decisive
    simple, other = [], []
    for k in t[1]:
        table = _table(atoms[k[1]]) if k[0] == "a" else None
        if table is not None:
            simple.extend(table.items())
        else:
            other.append(_closure(k, atoms))

    def combine(signs):
        res = neutral
        for fid, tab in simple:
            v = tab[signs.get(fid)]
            if v is decisive:
                return v
            if v is None:
                res = None
        for k in other:
            v = k(signs)
            if v is decisive:
                return v
            if v is None:
                res = None
        return res

    return combine


def _table(atom):
    """``{fid: {sign: value}}`` (with ``None: None``) for an atom on one factor, else None."""
    unit, facs, _mask = atom
    if unit == 0 or len(facs) != 1:
        return None
    fid, _e = facs[0]
    return {fid: {None: None, **{s: _atom_value(atom, {fid: s}) for s in (-1, 0, 1)}}}
