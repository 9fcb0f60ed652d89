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
import sys as _sys
import types

from cad.errors import BudgetExceeded, CadError, InputError, InternalError, ParseError

# public name -> (module, attribute); attribute None: the module itself (see _Package)
_LAZY = {
    "qe": ("cad.qe", None),
    "decide": ("cad.qe", "decide"),
    "equivalent": ("cad.qe", "equivalent"),
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


class _CallableModule(types.ModuleType):
    """The module ``cad.qe``, callable as its function ``qe``."""

    def __call__(self, *args, **kwargs):
        return self.qe(*args, **kwargs)


class _Package(types.ModuleType):
    """``cad.qe`` names both a submodule and the public function: Python binds the submodule
    to the package attribute on import, so ``from cad import qe`` would give the module or the
    function depending on what ran before.  The submodule is made callable instead, so that
    ``from cad import qe; qe(problem)`` and ``import cad.qe as Q; Q.qe(problem)`` both hold."""

    def __setattr__(self, name, value):
        if name == "qe" and type(value) is types.ModuleType:
            value.__class__ = _CallableModule
        super().__setattr__(name, value)


def __getattr__(name):
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'cad' has no attribute {name!r}") from None
    value = importlib.import_module(module)
    if attribute is not None:
        value = getattr(value, attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


_sys.modules[__name__].__class__ = _Package
