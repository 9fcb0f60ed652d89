"""Exact real algebraic geometry: polynomials, real roots, real algebraic numbers,
cylindrical algebraic decomposition, quantifier elimination and topology.

The package knows nothing about neural networks.  Import submodules directly
(``from cad.poly import PolyRing``); this file stays light so that the ``cad``
command starts quickly (python-flint only, no sympy).
"""

from cad.errors import CadError, BudgetExceeded, ParseError

__all__ = ["CadError", "BudgetExceeded", "ParseError", "cad"]


def cad(polys, variables, **options):
    """Cylindrical algebraic decomposition of ``polys`` in ``variables`` order.

    Thin re-export of :func:`cad.decomposition.cad`, imported lazily.
    """
    from cad.decomposition import cad as _cad

    return _cad(polys, variables, **options)
