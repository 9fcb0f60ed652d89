"""Quantifier elimination and decision by partial cylindrical algebraic decomposition.

``qe(problem)`` returns a quantifier-free formula equivalent to a :class:`cad.logic.Problem`;
``decide`` gives the truth value of a sentence, ``equivalent`` that of ``forall (f <-> g)``.

Modules, in the order :func:`qe` uses them: :mod:`~cad.elimination.driver` (the entry points and the
steps), :mod:`~cad.elimination.preprocess` (linear eliminations on the prenex matrix),
:mod:`~cad.elimination.pcad` (the partial CAD and its truth values, compiled matrix in
:mod:`~cad.elimination.matrix`), :mod:`~cad.elimination.definability` (derivatives until the free leaves are
projection definable), :mod:`~cad.elimination.solution` (the solution formula); sign masks in
:mod:`~cad.elimination.masks`.
"""

from cad.elimination.driver import QEResult, decide, equivalent, qe

__all__ = ["QEResult", "qe", "decide", "equivalent"]
