"""Exact real algebraic geometry: polynomials, real roots, real algebraic numbers,
cylindrical algebraic decomposition, quantifier elimination and topology.

The package knows nothing about neural networks.  The public API::

    from cad import parse_qepcad, qe, is_closed
    problem = parse_qepcad("[p]\\n(a,b,c,x)\\n3\\n(E x)[a x^2 + b x + c = 0].\\nfinish\\n")
    print(qe(problem, timeout=10).formula)
    print(is_closed(problem).closed)

``qe``, ``decide``, ``equivalent``, ``is_closed``, ``closure``, ``parse_qepcad``,
``parse_smtlib``, ``Problem``, ``PolyRing``, ``cad``, ``Budget`` and the errors.  Each is
imported on first use, so ``import cad`` stays light (no flint, no sympy) and the ``cad``
command starts quickly.
"""

import importlib

from cad.errors import BudgetExceeded, CadError, InputError, InternalError, ParseError

# public name -> (module, attribute)
_LAZY = {
    "qe": ("cad.elimination", "qe"),
    "decide": ("cad.elimination", "decide"),
    "equivalent": ("cad.elimination", "equivalent"),
    "is_closed": ("cad.topology", "is_closed"),
    "closure": ("cad.topology", "closure"),
    "parse_qepcad": ("cad.io.qepcad", "parse_qepcad"),
    "parse_smtlib": ("cad.io.smtlib", "parse_smtlib"),
    "Problem": ("cad.logic", "Problem"),
    "PolyRing": ("cad.poly", "PolyRing"),
    "cad": ("cad.decomposition", "cad"),
    "Budget": ("cad.budget", "Budget"),
}

__all__ = sorted(_LAZY) + ["BudgetExceeded", "CadError", "InputError", "InternalError",
                           "ParseError"]


def __getattr__(name):
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'cad' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
