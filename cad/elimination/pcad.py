"""The partial CAD: lazy lifting, truth values on cells, and reuse between rounds.

G. E. Collins and H. Hong, "Partial cylindrical algebraic decomposition for quantifier
elimination", J. Symbolic Comput. 12 (1991) 299-328.  The variables are ordered
free-then-bound (QEPCAD order).  The projection factor sets of every level are computed
once (McCallum's or Lazard's projection, :func:`cad.decomposition.projection.projection_factors`); the CAD
tree is then built lazily, one stack at a time.  At every cell the quantifier-free matrix is
evaluated in three-valued logic (:mod:`cad.elimination.matrix`) from the signs of the projection
factors of the cell's level and below (they are sign-invariant on the cell, so the value
holds on the whole cylinder above it); a cell whose value is determined is not lifted.  Truth
values propagate upwards through the quantified levels: a cell under ``E x`` is true as soon
as one child is true, under ``A x`` false as soon as one child is false (the remaining
children are never built).  Children are tried in stack order; measured on the benchmark
set this builds fewer cells than sections-first or sectors-first orders.  When the problem
defines a closed set (:func:`defines_closed_set`) the stacks of the last free level are the
exception: sectors first, and a section next to a true sector is true without being lifted
(:meth:`PartialCAD._truths_closed`).

On the quantified levels only the matrix's factors are signed; section signs are read off
the sector below (:meth:`PartialCAD.lift`).  The stacks come from
:meth:`cad.decomposition.Decomposition.lift`, which uses Lazard's valuation when a factor
vanishes identically over a sample point (S. McCallum, A. Parusinski, L. Paunescu, "Validity
proof of Lazard's method for CAD construction", J. Symbolic Comput. 92 (2019)): by their
Theorem 2 the valuation is invariant on the (connected, analytic) cell, so such a factor is
zero on the whole cylinder and the roots of its Lazard residue are added to the stack.

With an equational constraint for the innermost variable (:func:`equational_constraint`) the
first projection step is the equational one (:mod:`cad.decomposition.equational`); the
lifting then checks, before each stack over a cell of level ``n - 1``, that the constraint
cannot be nullified there.

A re-projection round of the solution formula construction (:mod:`cad.elimination.definability`)
reads truth values from the previous round's partial CAD instead of lifting into the
quantified levels again (:meth:`PartialCAD.truth_reusing`).
"""

from flint import fmpq

from cad.decomposition import cad
from cad.decomposition.equational import constraint_factors
from cad.errors import InternalError
from cad.logic import And, Atom, Or, Truth
from cad.poly import coefficients_in, poly_key
from cad.elimination.matrix import compile_matrix, factored_atom
from cad.elimination.preprocess import atom_occurrences

__all__ = ["PartialCAD", "build_partial_cad", "reusable_keys", "equational_constraint"]


class PartialCAD:
    """One partial CAD run for a fixed polynomial set.

    This class decides which cells to lift, records on each cell the signs of the projection
    factors (``cell.data['s']``, fid -> sign) and its truth value (``cell.data['t']``).  The
    free-space leaves (cells of level <= ``nfree`` with a truth value) are collected in
    ``leaves``; a free cylinder whose leaves all agree becomes one leaf, its signature
    (``cell.data['sig']``) keeping the factor signs common to all of them.
    """

    def __init__(self, decomposition, nfree, quants, matrix, factors, levels, fid_of_id,
                 closed=False):
        self.D = decomposition
        self.n = decomposition.n
        self.nfree = nfree
        self.quants = quants          # quants[k] for level k+1 (k >= nfree): 'E' or 'A'
        self.matrix = matrix          # a CompiledMatrix over the fids below
        self.factors = factors        # fid -> poly (in D's ring)
        self.levels = levels          # levels[k] = list of fids of level k+1
        self.fid_of_id = fid_of_id    # id(poly in D.levels) -> fid
        self.leaves = []              # free-space leaf cells with truth values
        self.derived = set()          # fids of derivatives signed on sections only
        self.root_features = {}       # fid -> (factor fid, k): x_L vs the k-th root of a factor
        self.last_root_features = {}  # fid -> (lead sign, derivatives): on/above the last root
        self._sign_at = decomposition._sign_at
        # the set the problem defines is closed (:func:`defines_closed_set`): a section of the
        # last free level next to a true sector is true (:meth:`_truths_closed`)
        self.closed = closed

    @property
    def ncells(self):
        return self.D.ncells + 1

    def leaves_over(self, level):
        """``(leaf, ancestor)`` for each free leaf of level ``>= level``, with its ancestor of
        level ``level`` (the cell of that level's stack it lies over, or the leaf itself)."""
        for leaf in self.leaves:
            if leaf.level < level:
                continue
            anc = leaf
            while anc.level > level:
                anc = anc.parent
            yield leaf, anc

    def run(self, prev=None):
        """Truth values of the free cells, from the root; read from the earlier round
        ``prev`` where it can be (:func:`reusable_keys`)."""
        root = self.D.root
        root.data["s"] = {}
        old_keys = reusable_keys(prev, self)
        if old_keys is not None:
            self.truth_reusing(root, prev.D.root, old_keys)
        else:
            self.truth(root)

    def lift(self, cell):
        """Build the stack over ``cell``; attach to each child the signs of its level's factors."""
        children = self.D.lift(cell)
        k = cell.level
        fids = self.levels[k]
        if k >= self.nfree:
            # above the free levels only the truth value matters, and it reads the signs
            # of the matrix's factors alone; the other projection factors only serve
            # delineability, which the stacks already give
            fids = [fid for fid in fids if fid in self.matrix.factor_ids]
        base = cell.data["s"]
        sign_at = self._sign_at
        factors = self.factors
        fid_of_id = self.fid_of_id
        left = None
        # each factor as a polynomial in the new variable over the base sample, as the
        # stack construction computed it (none when unknown): called at a rational value
        # it gives a number of the factor's sign there
        known = cell.fibers or {}
        fibers = [(fid, known.get(id(factors[fid])), factors[fid]) for fid in fids]
        signed = set(fids)
        for c in children:
            if c.index[-1] % 2 == 0:
                # a section: a factor not vanishing at the root has no root in the
                # half-open interval from the sector sample to it (all its roots over
                # the base are stack roots, or it vanishes on the whole fibre), so by
                # continuity its sign is the sign on the sector just below; this
                # avoids evaluating at an algebraic last coordinate.  (The sector's
                # signs are the base's and those of ``fids``: copied as a whole.)
                signs = left.copy()
                for f in c.section_polynomials:
                    fid = fid_of_id.get(id(f))
                    if fid in signed:
                        signs[fid] = 0
            else:
                signs = base.copy()
                sample = c.sample
                y = sample[-1]
                rational = type(y) is fmpq
                for fid, g, f in fibers:
                    if g is not None and rational:
                        v = g(y)
                        signs[fid] = (v > 0) - (v < 0)
                    else:
                        signs[fid] = sign_at(f, sample)
                left = signs
            c.data["s"] = signs
        return children

    def truth(self, cell):
        """Truth value of ``cell`` (levels > nfree), or of the free-space subtree rooted at it
        (None when mixed); free-space leaves are collected in ``self.leaves``."""
        data = cell.data
        v = self.matrix.value(data["s"])
        k = cell.level
        if v is not None:
            data["t"] = v
            if k <= self.nfree:
                self.leaves.append(cell)
            return v
        if k == self.n:
            raise InternalError("internal: matrix undetermined on a cell of the top level")
        children = self.lift(cell)
        if k < self.nfree:
            start = len(self.leaves)
            if self.closed and k == self.nfree - 1:
                vals = self._truths_closed(children)
                # the leaves in stack order, as the plain loop appends them (the solution
                # formula reads them in this order)
                self.leaves[start:] = sorted(self.leaves[start:], key=lambda c: c.index)
            else:
                vals = [self.truth(c) for c in children]
            return self._close_cylinder(cell, start, vals)
        # sectors first: their samples are rational in the new coordinate, so lifting over
        # them is cheap, and one of them often settles the quantifier (the answer does not
        # depend on the order)
        order = children[0::2] + children[1::2]
        if self.quants[k] == "E":
            res = any(self.truth(c) for c in order)
        else:
            res = all(self.truth(c) for c in order)
        data["t"] = res
        if k == self.nfree:
            self.leaves.append(cell)
        return res

    def _truths_closed(self, children):
        """The truth values of a stack of the last free level when the problem defines a
        closed set ``S`` (``self.closed``): the sectors first, then each section, which is true
        without being lifted when a sector next to it is true.

        Proof.  The stack is over a cell ``b`` whose stack is delineable (it was built), so a
        section is the graph of a continuous root function ``r`` over ``b`` and the sector just
        below (above) it is the set of points ``(s, y)``, ``s`` in ``b``, between ``r`` and the
        root function below (above).  So every point ``(s, r(s))`` of the section is a limit of
        points ``(s, r(s) -+ 1/m)`` of the sector.  A true sector lies in ``S`` (its truth value
        holds on the whole cell), hence so does its closure, which contains the section."""
        vals = [None] * len(children)
        for i in range(0, len(children), 2):
            vals[i] = self.truth(children[i])
        for i in range(1, len(children), 2):
            c = children[i]
            if vals[i - 1] is True or vals[i + 1] is True:
                if self.matrix.value(c.data["s"]) is False:
                    raise InternalError("internal: a section next to a true sector of a closed "
                                        "set is false")
                c.data["t"] = True
                self.leaves.append(c)
                vals[i] = True
            else:
                vals[i] = self.truth(c)
        return vals

    def _close_cylinder(self, cell, start, vals):
        """After the children of a free cell got their truth values ``vals`` (leaves from
        index ``start`` on): if they agree, the whole cylinder over ``cell`` has one truth
        value and becomes a leaf, its signature keeping the higher-level factor signs
        common to every leaf below (they then hold on the whole cylinder)."""
        data = cell.data
        if all(x is True for x in vals) or all(x is False for x in vals):
            below = self.leaves[start:]
            common = dict(below[0].data.get("sig", below[0].data["s"]))
            for leaf in below[1:]:
                sig = leaf.data.get("sig", leaf.data["s"])
                for fid in list(common):
                    if sig.get(fid) != common[fid]:
                        del common[fid]
            common.update(data["s"])
            data["sig"] = common
            del self.leaves[start:]
            data["t"] = vals[0]
            self.leaves.append(cell)
            return vals[0]
        data["t"] = None
        return None

    def truth_reusing(self, cell, old_cell, old_keys):
        """:meth:`truth` for a free cell, reading truth values from an earlier partial CAD.

        A re-projection round (solution formula construction) builds a CAD whose factor
        set contains the earlier one at every free level (``old_keys[k]``: keys of the
        earlier level-``k+1`` factors, checked by the caller).  Then each new free cell
        lies in one earlier cell of its level: it is connected and sign-invariant for
        the earlier factors, so within the cylinder over the earlier base cell it meets
        no earlier section unless it lies in it (induction on the level).  An earlier
        cell with a known truth value is truth-invariant, so the new cell takes that value
        without lifting into the quantified levels.  The earlier cell over a new child is
        found from the new stack alone: the earlier factors' roots over the new sample are
        the new sections on which an earlier factor vanishes.  Where that reading is not
        sure (an earlier factor nullified, or counts that do not add up), the child gets
        the ordinary :meth:`truth`.
        """
        data = cell.data
        t_old = old_cell.data.get("t")
        k = cell.level
        if t_old is not None:
            data["t"] = t_old
            self.leaves.append(cell)
            return t_old
        if k >= self.nfree or old_cell.children is None:
            return self.truth(cell)
        children = self.lift(cell)
        olds = _earlier_children(cell, children, old_cell, old_keys[k], self.D)
        start = len(self.leaves)
        if olds is None:
            vals = [self.truth(c) for c in children]
        else:
            vals = [self.truth_reusing(c, o, old_keys) for c, o in zip(children, olds)]
        return self._close_cylinder(cell, start, vals)


def reusable_keys(prev, pc):
    """Keys of ``prev``'s free-level factors, level by level, when ``pc`` can read truth
    values from ``prev`` (:meth:`PartialCAD.truth_reusing`): same projection operator and,
    at every free level, the new factor set contains the earlier one.  Else None."""
    if (prev is None or prev.D.projection != pc.D.projection or prev.nfree != pc.nfree
            or (prev.D.equational is None) != (pc.D.equational is None)):
        return None
    keys = []
    for k in range(pc.nfree):
        old = {poly_key(prev.factors[fid]) for fid in prev.levels[k]}
        new = {poly_key(pc.factors[fid]) for fid in pc.levels[k]}
        if not old <= new:
            return None
        keys.append(old)
    return keys


def _earlier_children(cell, children, old_cell, keys, D):
    """The earlier cells containing ``children`` (see :meth:`PartialCAD.truth_reusing`), or None."""
    if any(c is cell and poly_key(f) in keys for c, f in D.nullifications):
        return None
    olds = old_cell.children
    pos = 1                     # 1-based index in the earlier stack
    out = []
    for ch in children:
        on_old_root = ch.index[-1] % 2 == 0 and any(poly_key(f) in keys
                                                    for f in ch.section_polynomials)
        if on_old_root:
            pos += 1
            if pos % 2 == 1:
                return None
        elif pos % 2 == 0:
            pos += 1
        if pos > len(olds):
            return None
        out.append(olds[pos - 1])
    if pos != len(olds):
        return None
    return out


def build_partial_cad(matrix, order, nfree, quants, extra, budget, max_cells, projection,
                      equational=None, closed=None):
    """Compute the projection factor sets of the matrix's polynomials and ``extra`` (a lazy
    :func:`cad.decomposition.cad` in the variable order ``order``), compile the matrix over
    them, and return a fresh :class:`PartialCAD` (nothing lifted yet).  ``quants``: 'E'/'A'
    for the bound variables ``order[nfree:]``.  ``equational``: the polynomial of an
    equational constraint (:func:`equational_constraint`) or None.  ``closed``: whether the
    problem defines a closed set (:func:`defines_closed_set`; a caller building several rounds
    computes it once), None to compute it here."""
    polys = [a.poly for a in atom_occurrences(matrix) if not a.poly.is_constant()] + list(extra)
    D = _lazy_decomposition(polys, order, projection, max_cells, budget, equational)
    factors = {}
    fid_of_key = {}
    fid_of_id = {}
    levels = []
    for fs in D.levels:
        ids = []
        for f in fs:
            fid = len(factors)
            factors[fid] = f
            fid_of_key[poly_key(f)] = fid
            fid_of_id[id(f)] = fid
            ids.append(fid)
        levels.append(ids)
    compiled = compile_matrix(matrix, lambda a: factored_atom(a, D._to_ring, fid_of_key))
    if closed is None:
        closed = defines_closed_set(matrix, nfree, quants)
    return PartialCAD(D, nfree, [None] * nfree + list(quants), compiled, factors, levels, fid_of_id, closed)


def defines_closed_set(matrix, nfree, quants):
    """True when ``(A x_{nfree+1}) ... (A x_n) matrix`` (every bound variable universal, at least
    one) defines a closed set of the free variables: the matrix is built from atoms ``f = 0``,
    ``f <= 0``, ``f >= 0`` and constants by conjunction and disjunction only.

    Proof.  Each such atom defines a closed set (a preimage of a closed set under a
    polynomial map); finite unions and intersections of closed sets are closed, so the matrix
    defines a closed set ``M`` of ``R^n``; ``{s : (s, x) in M for every x}`` is the intersection
    over ``x`` of the closed sets ``{s : (s, x) in M}`` (each the preimage of ``M`` under the
    continuous ``s -> (s, x)``), so it is closed."""
    if not quants or any(q != "A" for q in quants) or nfree == 0:
        return False
    todo = [matrix]
    while todo:
        f = todo.pop()
        if isinstance(f, (And, Or)):
            todo.extend(f.children())
        elif isinstance(f, Atom):
            if f.rel not in ("=", "<=", ">="):
                return False
        elif not isinstance(f, Truth):
            return False
    return True


def _lazy_decomposition(polys, order, projection, max_cells, budget, equational):
    budget.check("time")
    return cad(polys, order, lazy=True, budget=budget, max_cells=max_cells, projection=projection,
               equational=None if equational is None else [equational])


def equational_constraint(matrix, nvars, nfree, quants):
    r"""The polynomial ``f`` of an equational constraint for the last variable, or None.

    Innermost variable existential: an atom ``f = 0`` that is the matrix or one of its
    top-level conjuncts; universal: an atom ``f /= 0`` that is the matrix or one of its
    top-level disjuncts (then the matrix is true off the zero set of ``f``, the dual case of
    :mod:`cad.decomposition.equational`).  Every irreducible factor of ``f`` must involve
    the last variable.  Among the candidates the one with a constant leading coefficient in
    that variable is preferred (its guard never fails), then the lowest degree in it, then
    the fewest terms.

    Also accepted, one connective further out: for a universal innermost variable a matrix
    ``L_1 /\ ... /\ L_k /\ M`` where ``M`` is the only conjunct whose atoms involve the last
    variable ``x_n`` and ``M`` has the form above (``f /= 0`` or a disjunction containing it);
    dually for an existential one ``L_1 \/ ... \/ L_k \/ M`` with ``M`` being ``f = 0`` or a
    conjunction containing it.  The constraint is then taken from ``M``.

    *Proof that the equational projection stays valid.*  Its correctness
    (:mod:`cad.decomposition.equational`, item 3) is about one cell ``S`` of level ``n - 1``
    whose stack is built: it needs the truth value of ``(A x_n)`` (``(E x_n)``) of the
    matrix to be the same at every point of ``S``.  ``L = L_1 /\ ... /\ L_k`` does not involve
    ``x_n``, so ``(A x_n)[L /\ M]`` is equivalent to ``L /\ (A x_n) M`` (dually
    ``(E x_n)[L \/ M] <=> L \/ (E x_n) M``).  The polynomials of ``L`` are among the
    polynomials of the matrix, so their irreducible factors are projection factors of the
    levels below ``n``, sign-invariant on ``S``: ``L`` has one truth value on ``S``.  ``M`` is
    true (false) off the zero set of ``f``, which is exactly the hypothesis of item 3, so
    ``(A x_n) M`` (``(E x_n) M``) has one truth value on ``S`` when ``f`` is not nullified on
    ``S`` -- the condition the lifting checks before each such stack, unchanged.  Hence the
    value at the sample of ``S``, computed from all factors' roots over that sample, is the
    value on ``S``.  (Where ``L`` is already decided on ``S`` the three-valued evaluation settles
    the cell without building its stack.)"""
    if nvars <= nfree or not quants:
        return None
    kind = quants[-1]
    top = And if kind == "E" else Or
    outer = Or if kind == "E" else And
    rel = "=" if kind == "E" else "/="
    if isinstance(matrix, outer):
        inner = [k for k in matrix.children() if any(
            a.poly.degrees()[nvars - 1] > 0 for a in atom_occurrences(k))]
        if len(inner) != 1:
            return None
        matrix = inner[0]
    parts = matrix.children() if isinstance(matrix, top) else (matrix,)
    best = None
    for a in parts:
        if not isinstance(a, Atom) or a.rel != rel or a.poly.degrees()[nvars - 1] == 0:
            continue
        if constraint_factors([a.poly], nvars) is None:
            continue
        lead = coefficients_in(a.poly, nvars - 1)[-1]
        key = (not lead.is_constant(), a.poly.degrees()[nvars - 1], len(a.poly), str(a.poly))
        if best is None or key < best[0]:
            best = (key, a.poly)
    return None if best is None else best[1]
