"""Cylindrical algebraic decomposition (CAD) with Lazard's projection and lifting.

API
===
::

    from cad.decomposition import cad
    D = cad(["x^2 + y^2 - 1"], ["x", "y"])          # full, sign-invariant CAD of R^2
    D.counts()            -> (5, 13)                    # cells per level
    for c in D.cells(2):  ...                           # cells of level 2 (cylinders over R^1)
    c.index               -> (3, 2)                     # 1-based; odd = sector, even = section
    c.sample              -> (fmpq(0), fmpq(1))         # fmpq in sectors, RealAlgebraic or fmpq in sections
    c.signs([p, q])       -> (-1, 0)                    # exact signs of polynomials at the sample
    c.section_polynomials -> (x^2 + y^2 - 1,)           # projection factors vanishing on a section cell
    c.parent, c.children, c.dimension, c.level, c.is_section, c.lower, c.upper
    print(D)                                            # readable tree of cells

``cad(polys, variables, *, projection='lazard', order=None, max_cells=None,
timeout=None, lazy=False, should_lift=None)``

* ``polys``: ``fmpz_mpoly`` / ``fmpq_mpoly`` of any context whose variable
  names are among ``variables``, strings in QEPCAD syntax, or ints.
* ``variables``: sequence of names or a :class:`cad.poly.PolyRing`; *the
  caller's order* is the CAD order (``x_1`` is projected last, i.e. the base of
  the cylinders).  ``order='brown'`` reorders with Brown's heuristic
  (:func:`cad.projection.brown_order`); ``order=("y", "x")`` uses that order.
  ``D.ring`` / ``D.variables`` always tell the order actually used, and sample
  points are in that order.
* ``projection``: ``'lazard'`` (default; valid for every input) or
  ``'mccallum'`` (smaller projection sets; if a projection factor is nullified
  over a cell where McCallum's theory does not allow it, the whole CAD is
  rebuilt with Lazard's projection and ``D.projection`` says ``'lazard'``).
* Budgets: ``max_cells`` (cells of all levels >= 1 ever created) and
  ``timeout`` (seconds from the call of :func:`cad`, also for lazy lifting
  later) raise :class:`cad.errors.BudgetExceeded`.

Partial CAD (for quantifier elimination)
----------------------------------------
Lifting is lazy underneath: a cell's stack is built on demand by
``D.lift(cell)`` (idempotent; returns ``cell.children``).  Two ways to drive it:

* ``cad(..., should_lift=f)``: eager construction, but a cell of level ``< n``
  is lifted only when ``f(cell)`` is true (``f`` sees the cell with its sample,
  index and parent; children are built depth-first, so a QE caller can
  look at siblings already finished).  Cells not lifted keep ``children is
  None``.
* ``cad(..., lazy=True)`` returns after the projection phase with only the root
  cell (level 0, ``D.root``); the caller walks the tree with ``D.lift(cell)``
  and can stop as soon as the truth value of a cell is known (truth
  propagation, Collins–Hong 1991).  Each cell has a free ``cell.data`` dict
  for the caller's annotations (e.g. truth values).
  With ``projection='mccallum'`` a lazy ``lift`` raises :class:`NotWellOriented`
  when the check fails; rebuild with Lazard then.

``D.locate(point)`` returns the cell containing a point (rational or
``RealAlgebraic`` coordinates), lifting as needed; ``D.random_point(cell,
rng)`` draws a point of a cell (rational in its sector coordinates).

Algorithm
=========
Projection: :mod:`cad.projection` (Lazard by default).  Lifting over a cell
``C`` of level ``k`` with sample ``s = (s_1..s_k)``: for every level-``k+1``
projection factor ``f`` compute the real roots of ``f(s, x_{k+1})``
(:func:`cad.algebraic.real_roots_in_fiber`, exact, with algebraic ``s_i``).
When ``f(s, x_{k+1})`` vanishes identically (``f`` is *nullified* over ``C``)
we replace ``f`` by its *Lazard valuation polynomial* at ``s`` (McCallum,
Parusiński, Paunescu, "Validity proof of Lazard's method for CAD
construction", J. Symb. Comput. 92 (2019), Sect. 2 and 5): for
``i = 1..k`` in order, expand ``f`` in powers of ``(x_i - s_i)`` and keep the
lowest-order coefficient that does not vanish identically after substituting
``s_1..s_i``.  Exactly: the coefficient of ``(x_i - s_i)^m`` is
``(1/m!) d^m f / d x_i^m`` at ``x_i = s_i``, so we differentiate ``f`` in
``x_i`` (over Z, dropping the harmless factor ``m!``) until the derivative,
viewed as a polynomial in ``x_{i+1}..x_{k+1}`` whose coefficients are
polynomials in ``x_1..x_i``, has a coefficient with nonzero sign at
``(s_1..s_i)`` (:func:`cad.algebraic.sign_at`, exact).  The final polynomial
does not vanish identically on the fiber; its roots delineate ``f`` (Lazard
delineability, MPP 2019 Thm. 2).  With McCallum's projection a nullification
over a cell of positive dimension below the top level raises
:class:`NotWellOriented`; over a point, the roots of a least-order partial
derivative (:func:`delineating_derivative`) keep ``f`` order-invariant in the
stack, which is all McCallum's theorem needs one level up.  The roots of all factors are merged exactly
(equal roots of different factors make one section); sections get the root as
sample (``fmpq`` when rational), sectors the simplest rational number strictly
between the neighbouring roots (an integer when possible), so most samples are
rational and later fibers stay cheap.

Cell counts (hand check, see tests): the unit circle ``x^2 + y^2 - 1`` in
``(x, y)`` has level-1 factors ``x - 1, x + 1`` (discriminant ``-4(x^2-1)``;
the leading and trailing coefficients are constants), hence 5 cells on the
line; the stacks over them have 1, 3, 5, 3, 1 cells: 13 cells in ``R^2``
(QEPCAD B's "Cells" count at level 2 is also 13).
"""

from __future__ import annotations

import time

import flint

from cad.errors import BudgetExceeded, CadError, InputError
from cad.projection import (
    brown_order,
    coefficients_in,
    poly_key,
    poly_level,
    projection_factors,
)

__all__ = ["cad", "Cell", "Decomposition", "NotWellOriented", "lazard_valuation_polynomial"]


class NotWellOriented(CadError):
    """McCallum's projection is not valid for this input (a factor is nullified over a cell)."""

    def __init__(self, poly, cell):
        self.poly = poly
        self.cell = cell
        super().__init__(
            f"projection factor {poly} vanishes identically over cell {cell.index} "
            f"(dimension {cell.dimension}): input not well oriented for McCallum's projection"
        )


# ---------------------------------------------------------------------------
# backend: exact signs and fiber roots (cad.algebraic)
# ---------------------------------------------------------------------------

def _backend():
    from cad.algebraic import RealAlgebraic, fiber_polynomial, real_roots_in_fiber, sign_at

    return RealAlgebraic, real_roots_in_fiber, sign_at, fiber_polynomial


# ---------------------------------------------------------------------------
# rational helpers
# ---------------------------------------------------------------------------

def _q(x):
    return x if isinstance(x, flint.fmpq) else flint.fmpq(x)


def _floor_q(q):
    q = _q(q)
    return flint.fmpz(q.p) // flint.fmpz(q.q)


def _simplest(lo, hi, lo_open=False, hi_open=False):
    """Simplest rational (least denominator, then least |numerator|) between lo < hi.

    ``hi=None`` means +infinity; the flags exclude the ends.  Continued-fraction
    descent (the Stern-Brocot characterisation of the simplest rational of an
    interval); exact on fmpq.
    """
    lo = _q(lo)
    hi = None if hi is None else _q(hi)
    if hi is not None and hi <= 0:
        return -_simplest(-hi, -lo, hi_open, lo_open)
    if lo < 0 or (lo == 0 and not lo_open):
        return flint.fmpq(0)
    fl = _floor_q(lo)
    cand = fl if (flint.fmpq(fl) == lo and not lo_open) else fl + 1
    if hi is None or flint.fmpq(cand) < hi or (flint.fmpq(cand) == hi and not hi_open):
        return flint.fmpq(cand)
    # lo, hi in [fl, fl + 1]: x in (a, b) iff 1/x in (1/b, 1/a)
    a = lo - fl
    b = hi - fl
    inner = _simplest(1 / b, None if a == 0 else 1 / a, hi_open, lo_open)
    return fl + 1 / inner


def _is_rational_value(v):
    return isinstance(v, (flint.fmpq, flint.fmpz, int))


def _bounds(v):
    """Rational (lo, hi) with lo <= v <= hi (an isolating interval, or the value itself)."""
    if _is_rational_value(v):
        q = _q(v)
        return q, q
    if v.is_rational:
        q = _q(v.rational)
        return q, q
    lo, hi = v.interval
    return _q(lo), _q(hi)


def _refine(v):
    """Halve the isolating interval of an irrational RealAlgebraic; returns the (maybe new) number."""
    lo, hi = _bounds(v)
    r = v.refine((hi - lo) / 4)
    return r if r is not None and hasattr(r, "interval") else v


def _separate(a, b):
    """Rationals (u, l) with a <= u < l <= b for a < b (exact values or RealAlgebraic)."""
    for _ in range(200):
        _, u = _bounds(a)
        l, _ = _bounds(b)
        if u < l:
            return u, l
        if not _exact(a):
            a = _refine(a)
        if not _exact(b):
            b = _refine(b)
    raise CadError("internal: could not separate two distinct real algebraic numbers")


def _exact(v):
    return _is_rational_value(v) or v.is_rational


def _strictly_between(a, b):
    """Simplest rational strictly between a < b (fmpq or RealAlgebraic)."""
    u, l = _separate(a, b)
    # an isolating interval of an irrational number excludes it, so its end may be used
    return _simplest(u, l, _exact(a), _exact(b))


def _value_str(v):
    """Rationals exactly; irrational algebraic numbers as ``~1.41421 (root of x^2 - 2)``."""
    if _is_rational_value(v):
        return str(_q(v))
    if v.is_rational:
        return str(v.rational)
    text = str(v).split(" in (")[0]
    return f"~{float(v):.6g} ({text})"


# ---------------------------------------------------------------------------
# cells
# ---------------------------------------------------------------------------

class Cell:
    """A cell of a CAD.

    ``index`` is a tuple of 1-based integers, one per level: in the stack over
    the parent, sectors have odd and sections even positions (sector 1,
    section 2, sector 3, ...), as in QEPCAD B.  ``dimension`` is the number of
    odd entries.  ``sample`` is exact: ``fmpq`` in sector coordinates (and in
    section coordinates when the root is rational), ``RealAlgebraic``
    otherwise.  ``section_polynomials`` are the level-``k`` projection factors
    whose fiber polynomial (or Lazard valuation polynomial) vanishes at the
    sample's last coordinate (empty for sectors).  ``lower`` / ``upper`` are the
    neighbouring section values in the stack over the parent's sample (``None``
    when unbounded; for a section both are its own value).  ``children`` is
    ``None`` until the cell is lifted.  ``fibers`` (set by lifting, when the
    sample is rational) maps ``id(f)`` of each level-``k+1`` factor to
    ``f(sample, x_{k+1})`` as an fmpz_poly (up to a positive constant), so
    callers can evaluate signs in the stack without substituting again.
    ``data`` is a free dict for callers.
    """

    __slots__ = (
        "decomposition", "parent", "index", "sample", "section_polynomials",
        "lower", "upper", "children", "data", "_signs", "nullified", "fibers",
    )

    def __init__(self, decomposition, parent, index, sample, section_polynomials=(),
                 lower=None, upper=None, nullified=()):
        self.decomposition = decomposition
        self.parent = parent
        self.index = index
        self.sample = sample
        self.section_polynomials = tuple(section_polynomials)
        self.lower = lower
        self.upper = upper
        self.children = None
        self.data = {}
        self._signs = {}
        self.nullified = tuple(nullified)
        self.fibers = None

    @property
    def level(self):
        return len(self.index)

    @property
    def dimension(self):
        return sum(1 for i in self.index if i % 2 == 1)

    @property
    def is_section(self):
        return bool(self.index) and self.index[-1] % 2 == 0

    @property
    def is_sector(self):
        return bool(self.index) and self.index[-1] % 2 == 1

    @property
    def is_leaf(self):
        return self.children is None

    def sign(self, p):
        """Exact sign of one polynomial at the sample (cached)."""
        D = self.decomposition
        p = D._to_ring(p)
        key = poly_key(p)
        s = self._signs.get(key)
        if s is None:
            lvl = poly_level(p)
            if lvl > self.level:
                raise InputError(
                    f"polynomial {p} involves {D.variables[lvl - 1]}, beyond the level-"
                    f"{self.level} cell {self.index}"
                )
            if p.is_constant():
                c = p.leading_coefficient() if not p.is_zero() else 0
                s = (c > 0) - (c < 0)
            else:
                s = D._sign_at(p, self.sample[:lvl])
            self._signs[key] = s
        return s

    def signs(self, polys):
        """Tuple of exact signs (-1, 0, 1) of ``polys`` at the sample point.

        Because the CAD is sign-invariant for its projection factors (hence for
        the input polynomials), these are the signs on the whole cell.
        """
        return tuple(self.sign(p) for p in polys)

    def __repr__(self):
        return f"Cell{_fmt_index(self.index)}"

    def describe(self):
        kind = "root" if not self.index else ("section" if self.is_section else "sector")
        names = self.decomposition.variables
        sample = ", ".join(f"{names[i]}={_value_str(v)}" for i, v in enumerate(self.sample))
        out = f"{_fmt_index(self.index)} {kind}, dim {self.dimension}, sample ({sample})"
        if self.section_polynomials:
            D = self.decomposition
            out += " on " + ", ".join(D._poly_str(p) for p in self.section_polynomials)
        return out


def _fmt_index(index):
    return "(" + ",".join(map(str, index)) + ")"


# ---------------------------------------------------------------------------
# Lazard valuation
# ---------------------------------------------------------------------------

def _vanishes_on_prefix(g, prefix, sign_at):
    """True iff g(prefix, x_{j+1}, ...) is the zero polynomial, j = len(prefix)."""
    j = len(prefix)
    groups = {}
    for m, c in zip(g.monoms(), g.coeffs()):
        groups.setdefault(m[j:], {})[m[:j] + (0,) * (len(m) - j)] = c
    ctx = g.context()
    for d in groups.values():
        coeff = ctx.from_dict(d)
        if coeff.is_constant() or sign_at(coeff, prefix) != 0:
            return False
    return True


def delineating_derivative(f, point, roots_in_fiber=None):
    """A partial derivative ``h`` of ``f`` of least total order not vanishing identically on
    the line over ``point``, with its real roots there: ``(h, roots)``.

    Used with McCallum's projection when a level-``k+1`` factor ``f`` is nullified over a
    0-dimensional cell ``{s}`` of level ``k < n-1`` (McCallum 1998 suggested modifying the
    lifting there; Brown, "The McCallum projection, lifting, and order-invariance",
    USNA-CS-TR-2005-02, discusses it).  McCallum's theorem lifts validly over a cell of
    level ``k+1`` when every level-``k+1`` factor is *order-invariant* in it; ``f`` is
    identically 0 on the line ``L = {s} x R``, so only its order there is in question.

    Claim: with the roots of ``h(s, x_{k+1})`` among the stack's sections, ``f`` is
    order-invariant in every cell of the stack over ``s``.  Proof: let ``m`` be the
    total order of ``h`` (derivatives in all of ``x_1..x_{k+1}``).  Every partial
    derivative of order ``< m`` vanishes identically on ``L`` (minimality), so the order
    of ``f`` is ``>= m`` at every point of ``L``; at a point where ``h`` does not vanish,
    an order-``m`` derivative is non-zero, so the order is exactly ``m``.  A sector of the
    stack contains no root of ``h(s, .)``, so ``f`` has order ``m`` throughout it; a
    section is a point.  (``h(s, .)`` is not identically 0 for ``f != 0``: some
    derivative of ``f`` is a non-zero constant.)  Non-nullified factors are
    order-invariant in the sections by McCallum's theorem and have order 0 in sectors.
    """
    if roots_in_fiber is None:
        roots_in_fiber = _backend()[1]
    if f.is_zero():
        raise InputError("a delineating derivative of the zero polynomial is undefined")
    k = len(point)
    level = [f]
    seen = set()
    while True:
        nxt = []
        for g in level:
            for i in range(k + 1):
                d = g.derivative(i)
                if d.is_zero():
                    continue
                key = str(d)
                if key in seen:
                    continue
                seen.add(key)
                rs = roots_in_fiber(d, point, k)
                if rs is not None:
                    return d, rs
                nxt.append(d)
        if not nxt:   # unreachable: a derivative of f of top order is a non-zero constant
            raise CadError(f"internal: no delineating derivative of {f} at {point}")
        level = nxt


def lazard_valuation_polynomial(f, point, sign_at=None):
    """The Lazard valuation polynomial of ``f`` at ``point = (s_1..s_k)``.

    MPP 2019, Sect. 2: for ``i = 1..k`` replace ``f`` by the lowest-order
    coefficient of its expansion in ``(x_i - s_i)`` that does not vanish
    identically after substituting ``s_1..s_i``.  We return a polynomial ``g``
    over Z (a multiple of iterated partial derivatives of ``f``) such that
    ``g(s_1..s_k, x_{k+1}, ...)`` equals that coefficient up to a nonzero
    constant; in particular ``g(s, x_{k+1})`` is not identically zero (for
    ``f`` not the zero polynomial).  ``point`` values are fmpq or RealAlgebraic.
    """
    if sign_at is None:
        sign_at = _backend()[2]
    if f.is_zero():
        raise InputError("the Lazard valuation of the zero polynomial is undefined")
    g = f
    for i in range(len(point)):
        while _vanishes_on_prefix(g, point[: i + 1], sign_at):
            g = g.derivative(i)
            if g.is_zero():  # impossible: g(s_1..s_{i-1}, x_i, ...) is not identically zero
                raise CadError(f"internal: Lazard valuation of {f} at {point} failed")
    return g


# ---------------------------------------------------------------------------
# the decomposition
# ---------------------------------------------------------------------------

class Decomposition:
    """A (possibly partial) CAD: projection factor sets and a tree of cells.

    ``ring`` / ``variables``: the CAD's variable order.  ``levels[k-1]``: the
    level-``k`` projection factors.  ``root``: the level-0 cell (R^0).
    """

    def __init__(self, ring, levels, projection, max_cells=None, timeout=None, deadline=None,
                 input_polys=()):
        self.ring = ring
        self.variables = tuple(ring.variables)
        self.n = len(self.variables)
        self.levels = levels
        self.projection = projection
        self.max_cells = max_cells
        self.timeout = timeout
        self.deadline = deadline
        self.input_polys = list(input_polys)
        self.ncells = 0
        self.nullifications = []      # (cell, poly) pairs met while lifting
        self._RA, self._roots_in_fiber, self._sign_at, self._fiber_polynomial = _backend()
        self.root = Cell(self, None, (), ())

    # -- conversions -------------------------------------------------------
    def _to_ring(self, p):
        return _convert(p, self.ring)

    def _poly_str(self, p):
        to_str = getattr(self.ring, "to_str", None)
        return to_str(p) if to_str else str(p)

    # -- budgets -----------------------------------------------------------
    def _check_budget(self, new_cells=0):
        if self.max_cells is not None and self.ncells + new_cells > self.max_cells:
            raise BudgetExceeded("cells", self.max_cells, self.ncells + new_cells)
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BudgetExceeded("time (seconds)", self.timeout)

    # -- stacks ------------------------------------------------------------
    def _stack_roots(self, point, cell=None):
        """Sorted distinct roots over ``point`` of the level-(k+1) factors, with their factors.

        Returns a list of ``[value, [factors]]``.  ``cell`` (when given) is the
        cell whose sample is ``point``; used for the McCallum check and for the
        record of nullifications.
        """
        k = len(point)
        merged = []   # [value, factors], sorted
        # over a rational sample each factor becomes one integer polynomial in x_{k+1};
        # the cell keeps them (``cell.fibers``) for whoever evaluates signs in its stack
        rational = all(type(v) is flint.fmpq for v in point)
        fibers = {} if rational else None
        for f in self.levels[k]:
            if rational:
                g = self._fiber_polynomial(f, point)
                fibers[id(f)] = g
                rs = None if g.is_zero() else self._RA.roots_of(g)
            else:
                rs = self._roots_in_fiber(f, point, k)
            if rs is None:
                if cell is not None:
                    self.nullifications.append((cell, f))
                    if self.projection == "mccallum" and cell.dimension > 0 and k + 1 < self.n:
                        raise NotWellOriented(f, cell)
                if self.projection == "mccallum" and k + 1 < self.n:
                    # over a point: McCallum's modified lifting, see delineating_derivative
                    g, rs = delineating_derivative(f, point, self._roots_in_fiber)
                else:
                    g = lazard_valuation_polynomial(f, point, self._sign_at)
                    rs = self._roots_in_fiber(g, point, k)
                if rs is None:  # cannot happen (MPP 2019): g(s, x_{k+1}) is not identically zero
                    raise CadError(f"internal: Lazard valuation of {f} vanishes on the fiber")
            for r in rs:
                _insert_root(merged, r, f)
            self._check_budget()
        if cell is not None:
            cell.fibers = fibers
        return merged

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
        children = []
        values = [_simplify_value(r) for r, _ in roots]
        for j in range(nnew):
            idx = cell.index + (j + 1,)
            if j % 2 == 1:   # section
                v = values[j // 2]
                c = Cell(self, cell, idx, cell.sample + (v,), roots[j // 2][1], v, v)
            else:            # sector
                lo = values[j // 2 - 1] if j > 0 else None
                hi = values[j // 2] if j // 2 < len(values) else None
                if lo is None and hi is None:
                    v = flint.fmpq(0)
                elif lo is None:
                    v = _integer_below(hi)
                elif hi is None:
                    v = -_integer_below(_neg(lo))
                else:
                    v = _strictly_between(lo, hi)
                c = Cell(self, cell, idx, cell.sample + (v,), (), lo, hi)
            children.append(c)
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
                raise CadError(
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
                raise CadError(f"internal: stack size mismatch over {point}")
            if j % 2 == 0:
                v = _simplify_value(roots[j // 2 - 1][0])
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


def _neg(v):
    if _is_rational_value(v):
        return -_q(v)
    return -v


def _simplify_value(r):
    """A root as fmpq when rational, else the RealAlgebraic itself."""
    if _is_rational_value(r):
        return _q(r)
    if r.is_rational:
        return _q(r.rational)
    return r


def _integer_below(v):
    """The largest integer strictly below v, as fmpq."""
    lo, _ = _bounds(v)
    m = _floor_q(lo)
    while flint.fmpq(m + 1) < v if not _is_rational_value(v) else flint.fmpq(m + 1) < _q(v):
        m += 1
    if (flint.fmpq(m) == _q(v)) if _is_rational_value(v) else (v == flint.fmpq(m)):
        m -= 1
    return flint.fmpq(m)


def _cmp(a, b):
    if _is_rational_value(a) and _is_rational_value(b):
        a, b = _q(a), _q(b)
    elif _is_rational_value(a):
        a, b = _q(a), b
    elif _is_rational_value(b):
        b = _q(b)
    if a == b:
        return 0
    return -1 if a < b else 1


def _insert_root(merged, r, f):
    lo, hi = 0, len(merged)
    while lo < hi:
        mid = (lo + hi) // 2
        c = _cmp(r, merged[mid][0])
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
        c = _cmp(v, roots[mid][0])
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
        return _bounds(hi)[0] - offset()
    if hi is None:
        return _bounds(lo)[1] + offset()
    u, l = _separate(lo, hi)
    return u + (l - u) * frac01()


def _pow2(k):
    return flint.fmpq(2) ** k if k >= 0 else flint.fmpq(1, 2 ** (-k))


# ---------------------------------------------------------------------------
# input conversion
# ---------------------------------------------------------------------------

def _make_ring(variables):
    if hasattr(variables, "ctx") and hasattr(variables, "variables"):
        return variables
    names = tuple(variables)
    if not names:
        raise InputError("variables: at least one variable is needed")
    if len(set(names)) != len(names):
        raise InputError(f"variables: duplicate names in {names}")
    from cad.poly import PolyRing

    return PolyRing(names)


def _convert(p, ring):
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


def cad(polys, variables, *, projection="lazard", order=None, max_cells=None, timeout=None,
        lazy=False, should_lift=None):
    """Sign-invariant cylindrical algebraic decomposition of R^n for ``polys``.

    See the module docstring for the arguments and the partial-CAD hooks.
    Collins (1975) CAD with Lazard's projection and lifting (McCallum,
    Parusiński, Paunescu 2019); returns a :class:`Decomposition`.
    """
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    ring = _make_ring(variables)
    if isinstance(polys, (str, flint.fmpz_mpoly, flint.fmpq_mpoly)):
        polys = [polys]
    ps = [_convert(p, ring) for p in polys]
    if order is not None:
        if order == "brown":
            names = brown_order(ps, ring.variables)
        elif isinstance(order, str):
            raise InputError(f"order: unknown heuristic {order!r} (use 'brown' or a sequence of names)")
        else:
            names = tuple(order)
            if sorted(names) != sorted(ring.variables):
                raise InputError(f"order: {names} is not a permutation of {tuple(ring.variables)}")
        if names != tuple(ring.variables):
            ring = _make_ring(names)
            ps = [_convert(p, ring) for p in ps]
    if projection not in ("lazard", "mccallum"):
        raise InputError(f"projection: unknown method {projection!r} (use 'lazard' or 'mccallum')")
    levels = projection_factors(ps, ring, projection, deadline, timeout)
    D = Decomposition(ring, levels, projection, max_cells, timeout, deadline, ps)
    if lazy:
        return D
    try:
        D.build(should_lift)
    except NotWellOriented:
        levels = projection_factors(ps, ring, "lazard", deadline, timeout)
        D = Decomposition(ring, levels, "lazard", max_cells, timeout, deadline, ps)
        D.build(should_lift)
    return D
