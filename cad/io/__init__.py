"""Reading and writing problems and formulas, one file format per module:
:mod:`.qepcad` (QEPCAD B input files and answers; the formula grammar in :mod:`.qepcad_syntax`),
:mod:`.smtlib` (SMT-LIB2) and :mod:`.sympy_bridge` (sympy expressions; imports sympy lazily).
"""

from cad.io.qepcad import parse_qepcad, parse_qepcad_output_formula, qepcad_names, to_qepcad  # noqa: F401
from cad.io.qepcad_syntax import parse_formula, to_str  # noqa: F401
from cad.io.smtlib import parse_smtlib, to_smtlib  # noqa: F401
from cad.io.sympy_bridge import from_sympy, to_sympy  # noqa: F401

__all__ = ["parse_qepcad", "parse_qepcad_output_formula", "qepcad_names", "to_qepcad",
           "parse_formula", "to_str", "parse_smtlib", "to_smtlib", "from_sympy", "to_sympy"]
