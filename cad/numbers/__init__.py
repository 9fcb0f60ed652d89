"""Exact real numbers: rationals (``fmpq``) and real algebraic numbers.

* :mod:`cad.numbers.rational`: helpers for a value that is "rational or real algebraic"
  (coercion, bounds, comparison, the simplest rational in an interval, printing);
* :mod:`cad.numbers.roots`: real root isolation of univariate integer polynomials;
* :mod:`cad.numbers.real_algebraic`: :class:`RealAlgebraic`.
"""

from cad.numbers.real_algebraic import RealAlgebraic
from cad.numbers.roots import count_real_roots, isolate_real_roots, refine_root

__all__ = ["RealAlgebraic", "isolate_real_roots", "refine_root", "count_real_roots"]
