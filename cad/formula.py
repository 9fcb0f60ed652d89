"""TEMPORARY SHIM (issue 14 integration pass removes it): the old import path of the formula
module, now :mod:`cad.logic` (the tree, normal forms, evaluation) and :mod:`cad.io` (QEPCAD B,
SMT-LIB2, sympy).  Re-exports every name other modules import from ``cad.formula``."""

from cad.io import *  # noqa: F401,F403
from cad.io import __all__ as _io_all
from cad.logic import *  # noqa: F401,F403
from cad.logic import __all__ as _logic_all
from cad.logic import MIRRORED as _MIRROR  # noqa: F401
from cad.logic import NEGATED as _NEGATED  # noqa: F401
from cad.logic import formula_context as _formula_ctx  # noqa: F401

__all__ = list(_logic_all) + list(_io_all)
