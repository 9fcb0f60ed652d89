"""Cells of a cylindrical algebraic decomposition."""

from __future__ import annotations

from cad.errors import InputError
from cad.numbers.rational import value_str
from cad.poly.ops import poly_key, poly_level
from cad.poly.sign import sign_at

__all__ = ["Cell"]


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
    ``None`` until the cell is lifted.  ``fibers`` (set by lifting; it holds
    the factors whose fibre could be computed: rational sample, one irrational coordinate,
    or two related by an embedding) maps ``id(f)`` of level-``k+1``
    factors to ``f(sample, x_{k+1})``: an fmpz_poly (up to a positive constant)
    or a :class:`cad.poly.fibre.FibreOverAlgebraic`; either, called at a rational ``y``,
    gives a number with the sign of ``f(sample, y)``, so callers can evaluate signs in the
    stack without substituting again.
    ``partial_fibres`` (set by lifting a child) maps ``id(f)`` of level-``k+2`` factors to
    their :class:`cad.poly.fibre.PartialFibre` at the sample.
    ``data`` is a free dict for callers.
    """

    # one object per cell, tens of thousands per problem: slots, and the sign cache of
    # :meth:`sign` made only when asked
    __slots__ = (
        "decomposition", "parent", "index", "sample", "section_polynomials",
        "lower", "upper", "children", "data", "_signs", "fibers", "partial_fibres",
    )

    def __init__(self, decomposition, parent, index, sample, section_polynomials=(),
                 lower=None, upper=None):
        self.decomposition = decomposition
        self.parent = parent
        self.index = index
        self.sample = sample
        self.section_polynomials = tuple(section_polynomials)
        self.lower = lower
        self.upper = upper
        self.children = None
        self.data = {}
        self._signs = None
        self.fibers = None
        self.partial_fibres = None

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
        if self._signs is None:
            self._signs = {}
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
                s = sign_at(p, self.sample[:lvl])
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
        sample = ", ".join(f"{names[i]}={value_str(v)}" for i, v in enumerate(self.sample))
        out = f"{_fmt_index(self.index)} {kind}, dim {self.dimension}, sample ({sample})"
        if self.section_polynomials:
            D = self.decomposition
            out += " on " + ", ".join(D._poly_str(p) for p in self.section_polynomials)
        return out


def _fmt_index(index):
    return "(" + ",".join(map(str, index)) + ")"
