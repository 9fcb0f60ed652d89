"""Cylindrical algebraic decomposition (CAD) with Lazard's projection and lifting.

Modules: :mod:`~cad.decomposition.projection` (projection factor sets, Brown's
order), :mod:`~cad.decomposition.cell` (:class:`Cell`),
:mod:`~cad.decomposition.delineation` (Lazard valuation, McCallum's delineating
derivative), :mod:`~cad.decomposition.lifting` (:class:`Decomposition`: stacks and
queries); :func:`cad` (here) ties them together.

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
timeout=None, budget=None, lazy=False, should_lift=None)``

* ``polys``: ``fmpz_mpoly`` / ``fmpq_mpoly`` of any context whose variable
  names are among ``variables``, strings in QEPCAD syntax, or ints.
* ``variables``: sequence of names or a :class:`cad.poly.PolyRing`; *the
  caller's order* is the CAD order (``x_1`` is projected last, i.e. the base of
  the cylinders).  ``order='brown'`` reorders with Brown's heuristic
  (:func:`cad.decomposition.projection.brown_order`); ``order=("y", "x")`` uses that order.
  ``D.ring`` / ``D.variables`` always tell the order actually used, and sample
  points are in that order.
* ``projection``: ``'lazard'`` (default; valid for every input) or
  ``'mccallum'`` (smaller projection sets; if a projection factor is nullified
  over a cell where McCallum's theory does not allow it, the whole CAD is
  rebuilt with Lazard's projection and ``D.projection`` says ``'lazard'``).
* ``equational``: polynomials whose product ``f`` is an *equational constraint* for the
  last variable (every irreducible factor involves it): the first projection step is the
  equational one of :mod:`cad.decomposition.equational`, so the level-``n`` cells are
  sign-invariant for the factors of ``f``, and the other factors are sign-invariant only on
  the sections of ``f`` (what QE of ``E x_n [f = 0 and ...]`` needs).  If ``f`` may be
  nullified over a cell that is lifted, the CAD is rebuilt without it; a lazy ``lift``
  raises :class:`ConstraintNullified` instead.
* Budgets: ``max_cells`` (cells of all levels >= 1 ever created) and
  ``timeout`` (seconds from the call of :func:`cad`, also for lazy lifting
  later) or ``budget`` (a :class:`cad.budget.Budget`; wins over ``timeout``)
  raise :class:`cad.errors.BudgetExceeded`.

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
Projection: :mod:`cad.decomposition.projection` (Lazard by default).  Lifting over a cell
``C`` of level ``k`` with sample ``s = (s_1..s_k)``: for every level-``k+1``
projection factor ``f`` compute the real roots of ``f(s, x_{k+1})``
(:func:`cad.poly.fibre.real_roots_in_fiber`, exact, with algebraic ``s_i``).
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
``(s_1..s_i)`` (:func:`cad.poly.sign.sign_at`, exact).  The final polynomial
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

import flint

from cad.budget import Budget
from cad.decomposition.cell import Cell
from cad.decomposition.delineation import delineating_derivative, lazard_valuation_polynomial
from cad.decomposition.lifting import Decomposition, NotWellOriented, convert_polynomial, make_ring
from cad.decomposition.equational import ConstraintNullified, EquationalConstraint, constraint_factors
from cad.decomposition.projection import brown_order, clear_projection_cache, projection_factors
from cad.errors import InputError

__all__ = [
    "cad",
    "Cell",
    "Decomposition",
    "NotWellOriented",
    "ConstraintNullified",
    "delineating_derivative",
    "lazard_valuation_polynomial",
    "projection_factors",
    "brown_order",
    "clear_projection_cache",
]


def cad(polys, variables, *, projection="lazard", order=None, max_cells=None, timeout=None,
        budget=None, lazy=False, should_lift=None, equational=None):
    """Sign-invariant cylindrical algebraic decomposition of R^n for ``polys``.

    See the module docstring for the arguments and the partial-CAD hooks.
    ``budget`` (a :class:`cad.budget.Budget`) wins over ``timeout`` (seconds).  Either is checked
    between exact steps, so one flint operation can outlast it (a resultant over an algebraic
    number of degree 42 ran for minutes past ``timeout=5``); where a hard limit matters, run the
    call through :func:`cad.hard_deadline.run_with_hard_limit`, as ``qe`` and the command lines do.
    Collins (1975) CAD with Lazard's projection and lifting (McCallum,
    Parusiński, Paunescu 2019); returns a :class:`Decomposition`.
    """
    budget = Budget.of(budget if budget is not None else timeout)
    ring = make_ring(variables)
    if isinstance(polys, (str, flint.fmpz_mpoly, flint.fmpq_mpoly)):
        polys = [polys]
    ps = [convert_polynomial(p, ring) for p in polys]
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
            ring = make_ring(names)
            ps = [convert_polynomial(p, ring) for p in ps]
    if projection not in ("lazard", "mccallum"):
        raise InputError(f"projection: unknown method {projection!r} (use 'lazard' or 'mccallum')")
    ec = None
    if equational is not None:
        ecs = [convert_polynomial(p, ring) for p in equational]
        factors = constraint_factors(ecs, ring.ctx.nvars())
        if not factors:
            raise InputError("equational: the constraint must be a non-constant polynomial all "
                             "of whose irreducible factors involve the last variable")
        ec = EquationalConstraint(factors)
        ps = ps + ecs
    levels = projection_factors(ps, ring, projection, budget, ec)
    D = Decomposition(ring, levels, projection, max_cells, budget, ps, ec)
    if lazy:
        return D
    while True:
        try:
            return D.build(should_lift)
        except NotWellOriented:
            projection = "lazard"
        except ConstraintNullified:
            ec = None
        levels = projection_factors(ps, ring, projection, budget, ec)
        D = Decomposition(ring, levels, projection, max_cells, budget, ps, ec)
