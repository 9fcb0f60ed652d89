"""The decomposition: lifting (stacks over cells) and queries on the tree of cells.

See :mod:`cad.decomposition` for the algorithm and the API.
"""

from __future__ import annotations

import flint

from cad.decomposition.cell import Cell
from cad.decomposition.equational import check_not_nullified
from cad.decomposition.delineation import delineating_derivative, lazard_valuation_polynomial
from cad.errors import BudgetExceeded, CadError, InputError, InternalError
from cad.numbers.rational import (
    bounds,
    compare,
    integer_above,
    integer_below,
    separate,
    simplify,
    strictly_between,
)
from cad.numbers.real_algebraic import RealAlgebraic
from cad.poly.fibre import PartialFibre, embedding_over, fiber_polynomial, real_roots_in_fiber
from cad.poly.ring import PolyRing
from cad.poly.terms import Terms
from cad.poly.sign import sign_at

__all__ = ["Decomposition", "NotWellOriented", "make_ring", "convert_polynomial"]


class NotWellOriented(CadError):
    """McCallum's projection is not valid for this input (a factor is nullified over a cell)."""

    def __init__(self, poly, cell):
        self.poly = poly
        self.cell = cell
        super().__init__(
            f"projection factor {poly} vanishes identically over cell {cell.index} "
            f"(dimension {cell.dimension}): input not well oriented for McCallum's projection"
        )


class Decomposition:
    """A (possibly partial) CAD: projection factor sets and a tree of cells.

    ``ring`` / ``variables``: the CAD's variable order.  ``levels[k-1]``: the
    level-``k`` projection factors.  ``root``: the level-0 cell (R^0).
    """

    def __init__(self, ring, levels, projection, max_cells=None, budget=None, input_polys=(),
                 equational=None):
        self.ring = ring
        self.variables = tuple(ring.variables)
        self.n = len(self.variables)
        self.levels = levels
        self.projection = projection
        self.max_cells = max_cells
        self.budget = budget          # cad.budget.Budget or None: also bounds lazy lifting later
        self.input_polys = list(input_polys)
        self.ncells = 0
        self.nullifications = []      # (cell, poly) pairs met while lifting
        # the top level's equational constraint (cad.decomposition.equational), or None
        self.equational = equational
        if equational is not None:    # its guard checks are per decomposition
            equational.reset_checks()
        self._sign_at = sign_at       # read by cad.elimination (exact signs at this CAD's samples)
        # id(f) -> the terms of the level-(k+2) factor f split after k generators, read once
        # (the factors live in ``levels`` as long as the decomposition)
        self._terms = {}
        self.root = Cell(self, None, (), ())

    # -- conversions -------------------------------------------------------
    def _to_ring(self, p):
        return convert_polynomial(p, self.ring)

    def _poly_str(self, p):
        to_str = getattr(self.ring, "to_str", None)
        return to_str(p) if to_str else str(p)

    # -- budgets -----------------------------------------------------------
    def _check_budget(self, new_cells=0):
        if self.max_cells is not None and self.ncells + new_cells > self.max_cells:
            raise BudgetExceeded("cells", self.max_cells, self.ncells + new_cells)
        if self.budget is not None:
            self.budget.check()

    # -- stacks ------------------------------------------------------------
    def _stack_roots(self, point, cell=None):
        """Sorted distinct roots over ``point`` of the level-(k+1) factors, with their factors.

        Returns a list of ``[value, [factors]]``, the value an ``fmpq`` when rational (else
        an irrational :class:`RealAlgebraic`).  ``cell`` (when given) is the
        cell whose sample is ``point``; used for the McCallum check and for the
        record of nullifications.
        """
        k = len(point)
        if (self.equational is not None and cell is not None and k + 1 == self.n
                and cell.dimension > 0):
            check_not_nullified(self.equational, cell, sign_at)
        merged = []   # [value, factors], sorted; a value is an fmpq when rational
        # over a rational sample each factor becomes one integer polynomial in x_{k+1}
        # (over one irrational coordinate a FibreOverAlgebraic); the cell keeps them
        # (``cell.fibers``) for whoever evaluates signs in its stack
        # the parent's coordinates already substituted (PartialFibre), when possible
        partial = self._partial_fibres(cell.parent) if cell is not None and k else None
        rational = None   # is every coordinate of the point rational?  (asked once, if needed)
        if partial is None:
            rational = all(type(v) is flint.fmpq for v in point)
        fibers = {} if partial is not None or rational else None
        embedding = False   # alpha = P(v) for the parent's irrational alpha, once needed
        for f in self.levels[k]:
            pf = partial.get(id(f)) if partial is not None else None
            g = pf.fibre(point[-1]) if pf is not None else None
            if g is None and pf is not None and pf.alpha is not None:
                # two irrational coordinates: one primitive element avoids the double norm
                if embedding is False:
                    embedding = embedding_over(cell.section_polynomials, point)
                if embedding is not None:
                    g = pf.fibre(point[-1], embedding)
            if g is not None:
                fibers[id(f)] = g
                rs = pf.roots(g)
            elif pf is not None:
                rs = real_roots_in_fiber(pf.q, point, k)
            else:
                if rational is None:
                    rational = all(type(v) is flint.fmpq for v in point)
                if rational:
                    g = fiber_polynomial(f, point)
                    fibers[id(f)] = g
                    rs = None if g.is_zero() else RealAlgebraic.roots_of(g)
                else:
                    rs = real_roots_in_fiber(f, point, k)
            if rs is None:
                if cell is not None:
                    self.nullifications.append((cell, f))
                    if self.projection == "mccallum" and cell.dimension > 0 and k + 1 < self.n:
                        raise NotWellOriented(f, cell)
                if self.projection == "mccallum" and k + 1 < self.n:
                    # over a point: McCallum's modified lifting, see delineating_derivative
                    g, rs = delineating_derivative(f, point, real_roots_in_fiber)
                else:
                    g = lazard_valuation_polynomial(f, point, sign_at)
                    rs = real_roots_in_fiber(g, point, k)
                if rs is None:  # cannot happen (MPP 2019): g(s, x_{k+1}) is not identically zero
                    raise InternalError(f"internal: Lazard valuation of {f} vanishes on the fiber")
            for r in rs:
                q = r.rational
                _insert_root(merged, r if q is None else q, f)
            self._check_budget()
        if cell is not None:
            cell.fibers = fibers
        return merged

    def _partial_fibres(self, cell):
        """``{id(f): PartialFibre(f, cell.sample)}`` for the factors two levels above ``cell``
        (computed once, kept on the cell); a factor depending on two irrational coordinates
        of the sample is left out, and so is every factor when the sample has two."""
        partial = cell.partial_fibres
        if partial is None:
            partial = {}
            if sum(type(v) is not flint.fmpq for v in cell.sample) <= 1:
                k = cell.level
                for f in self.levels[k + 1]:
                    terms = self._terms.get(id(f))
                    if terms is None:
                        terms = self._terms[id(f)] = Terms(f, k)
                    try:
                        partial[id(f)] = PartialFibre(f, cell.sample, terms)
                    except ValueError:
                        pass
            cell.partial_fibres = partial
        return partial

    def lift(self, cell):
        """Build (once) and return the stack over ``cell`` (its children)."""
        if cell.children is not None:
            return cell.children
        k = cell.level
        if k >= self.n:
            raise InputError(f"cell {cell.index} is of the top level {self.n}; nothing to lift")
        self._check_budget()
        roots = self._stack_roots(cell.sample, cell)
        nnew = 2 * len(roots) + 1
        self._check_budget(nnew)
        index, sample = cell.index, cell.sample
        children = []
        lo = None            # the root below the current sector (None: unbounded)
        j = 1
        for v, polys in roots:
            children.append(Cell(self, cell, index + (j,), sample + (_sector_sample(lo, v),),
                                 (), lo, v))
            children.append(Cell(self, cell, index + (j + 1,), sample + (v,), tuple(polys), v, v))
            lo = v
            j += 2
        children.append(Cell(self, cell, index + (j,), sample + (_sector_sample(lo, None),),
                             (), lo, None))
        self.ncells += nnew
        cell.children = children
        return children

    def build(self, should_lift=None, cell=None):
        """Lift depth-first from ``cell`` (default root) to the top level."""
        cell = self.root if cell is None else cell
        todo = [cell]
        while todo:
            c = todo.pop()
            if c.level >= self.n:
                continue
            if c is not self.root and should_lift is not None and not should_lift(c):
                continue
            kids = self.lift(c)
            todo.extend(reversed(kids))
        return self

    def release(self):
        """Break the tree's reference cycles (parent and children, cell and decomposition)
        so that reference counting frees it at once; the decomposition is unusable after."""
        stack = [self.root]
        while stack:
            c = stack.pop()
            if c.children is not None:
                stack.extend(c.children)
            c.children = c.parent = c.decomposition = None
        self.root = None

    # -- queries -----------------------------------------------------------
    def cells(self, level=None):
        """Iterate over the constructed cells of ``level`` (all levels >= 1 when None), in index order."""
        stack = [self.root]
        while stack:
            c = stack.pop()
            if c.level and (level is None or c.level == level):
                yield c
            if c.children is not None and (level is None or c.level < level):
                stack.extend(reversed(c.children))

    def leaves(self):
        """Constructed cells without children (the top-level cells for a full CAD)."""
        return (c for c in self.cells() if c.children is None)

    def counts(self):
        """Number of constructed cells at each level 1..n."""
        out = [0] * self.n
        for c in self.cells():
            out[c.level - 1] += 1
        return tuple(out)

    def locate(self, point):
        """The cell containing ``point`` (length 1..n; fmpq/int/RealAlgebraic coordinates).

        Lifts missing stacks on the way.  The roots over ``point`` are computed
        afresh; by delineability their number equals that of the cell's stack.
        """
        point = tuple(p if not isinstance(p, (int, flint.fmpz)) else flint.fmpq(p) for p in point)
        cell = self.root
        for k in range(len(point)):
            kids = self.lift(cell)
            roots = self._stack_roots(point[:k])
            if 2 * len(roots) + 1 != len(kids):
                raise InternalError(
                    f"internal: {len(roots)} roots over {point[:k]} but {len(kids) // 2} sections "
                    f"in the stack over {cell.index} (delineability violated)"
                )
            cell = kids[_position(roots, point[k])]
        return cell

    def random_point(self, cell, rng, size=8):
        """A point of ``cell``: random rationals in sector coordinates, roots in section ones.

        Descends through the stacks over the point built so far, so the point
        lies in the cell whenever the CAD is cylindrical (used by the tests).
        ``rng`` is a ``random.Random``.
        """
        point = ()
        for k, j in enumerate(cell.index):
            roots = self._stack_roots(point)
            if 2 * len(roots) + 1 != len(self.lift(_ancestor(cell, k))):
                raise InternalError(f"internal: stack size mismatch over {point}")
            if j % 2 == 0:
                v = simplify(roots[j // 2 - 1][0])
            else:
                lo = roots[j // 2 - 1][0] if j > 1 else None
                hi = roots[j // 2][0] if j // 2 < len(roots) else None
                v = _random_between(lo, hi, rng, size)
            point = point + (v,)
        return point

    def __str__(self):
        lines = []
        lines.append(
            f"CAD of R^{self.n} in ({', '.join(self.variables)}), {self.projection} projection, "
            f"{sum(self.counts())} cells (per level: {', '.join(map(str, self.counts()))})"
        )
        lines.append("projection factors:")
        for k, fs in enumerate(self.levels):
            lines.append(f"  level {k + 1} ({self.variables[k]}): "
                         + (", ".join(self._poly_str(f) for f in fs) or "none"))
        lines.append("cells:")
        for c in self.cells():
            lines.append("  " + "  " * (c.level - 1) + c.describe())
        return "\n".join(lines)

    def __repr__(self):
        return (f"<Decomposition of R^{self.n} in ({', '.join(self.variables)}), {self.projection}, "
                f"cells per level {self.counts()}>")


def _ancestor(cell, k):
    """Ancestor of ``cell`` at level ``k``."""
    while cell.level > k:
        cell = cell.parent
    return cell


def _sector_sample(lo, hi):
    """The sample of the sector between the stack values ``lo < hi`` (None: unbounded): 0,
    the nearest integer beyond the one finite end, or the simplest rational between."""
    if lo is None:
        return flint.fmpq(0) if hi is None else integer_below(hi)
    if hi is None:
        return integer_above(lo)
    return strictly_between(lo, hi)


def _insert_root(merged, r, f):
    """Insert the root ``r`` of ``f`` (an fmpq when rational) into the sorted ``merged``."""
    lo, hi = 0, len(merged)
    while lo < hi:
        mid = (lo + hi) // 2
        c = compare(r, merged[mid][0])
        if c == 0:
            if not any(g is f for g in merged[mid][1]):
                merged[mid][1].append(f)
            return
        if c < 0:
            hi = mid
        else:
            lo = mid + 1
    merged.insert(lo, [r, [f]])


def _position(roots, v):
    """0-based child position of value v in the stack with sorted ``roots``."""
    lo, hi = 0, len(roots)
    while lo < hi:
        mid = (lo + hi) // 2
        c = compare(v, roots[mid][0])
        if c == 0:
            return 2 * mid + 1
        if c < 0:
            hi = mid
        else:
            lo = mid + 1
    return 2 * lo


def _random_between(lo, hi, rng, size):
    """A random rational strictly between lo and hi (None = unbounded).

    Offsets from a finite end are log-uniform (between about 2^-12 and 2^5 times a small
    fraction) and interior points are sometimes very close to an end, so that points near
    the boundary of a cell are drawn as often as far ones.
    """
    def offset():
        return flint.fmpq(rng.randint(1, size), rng.randint(1, size)) * _pow2(rng.randint(-12, 5))

    def frac01():
        r = rng.random()
        if r < 0.2:
            return _pow2(-rng.randint(2, 14))
        if r < 0.4:
            return 1 - _pow2(-rng.randint(2, 14))
        return flint.fmpq(rng.randint(1, 2 * size - 1), 2 * size)

    if lo is None and hi is None:
        return flint.fmpq(rng.randint(-4 * size, 4 * size), rng.randint(1, 2 * size))
    if lo is None:
        return bounds(hi)[0] - offset()
    if hi is None:
        return bounds(lo)[1] + offset()
    u, l = separate(lo, hi)
    return u + (l - u) * frac01()


def _pow2(k):
    return flint.fmpq(2) ** k if k >= 0 else flint.fmpq(1, 2 ** (-k))


def make_ring(variables):
    if hasattr(variables, "ctx") and hasattr(variables, "variables"):
        return variables
    names = tuple(variables)
    if not names:
        raise InputError("variables: at least one variable is needed")
    if len(set(names)) != len(names):
        raise InputError(f"variables: duplicate names in {names}")
    return PolyRing(names)


def convert_polynomial(p, ring):
    """An fmpz_mpoly of ``ring.ctx`` from p (fmpz/fmpq mpoly of any ctx, str, int)."""
    ctx = ring.ctx
    if isinstance(p, str):
        p = ring.parse(p)
    if isinstance(p, (int, flint.fmpz)):
        return ctx.from_dict({(0,) * ctx.nvars(): p}) if p else ctx.from_dict({})
    if isinstance(p, flint.fmpq_mpoly):
        d = p.to_dict()
        den = flint.fmpz(1)
        for c in d.values():
            den = den * flint.fmpz(c.q) // den.gcd(flint.fmpz(c.q))
        src_names = tuple(p.context().names())
        zctx = flint.fmpz_mpoly_ctx.get(src_names, "lex")
        p = zctx.from_dict({m: flint.fmpz((c * den).p) for m, c in d.items()})
    if isinstance(p, flint.fmpz_mpoly):
        if p.context() is ctx:
            return p
        src = tuple(p.context().names())
        names = tuple(ctx.names())
        if src == names:
            return ctx.from_dict(p.to_dict())
        out = {}
        for m, c in zip(p.monoms(), p.coeffs()):
            e = [0] * len(names)
            for name, k in zip(src, m):
                if k:
                    if name not in names:
                        raise InputError(f"polynomial {p} involves {name!r}, not among the variables {names}")
                    e[names.index(name)] = k
            out[tuple(e)] = c
        return ctx.from_dict(out)
    raise InputError(f"cannot read {p!r} as a polynomial (expected fmpz_mpoly, fmpq_mpoly, str or int)")
