"""Quantifier elimination and decision by partial cylindrical algebraic decomposition.

``qe(problem)`` returns a quantifier-free formula equivalent to a :class:`cad.formula.Problem`;
``decide`` gives the truth value of a sentence, ``equivalent`` that of ``forall (f <-> g)``.

Modules, in the order :func:`qe` uses them: :mod:`~cad.qe.driver` (the entry points and the
steps), :mod:`~cad.qe.preprocess` (linear eliminations on the prenex matrix),
:mod:`~cad.qe.pcad` (the partial CAD and its truth values, compiled matrix in
:mod:`~cad.qe.matrix`), :mod:`~cad.qe.definability` (derivatives until the free leaves are
projection definable), :mod:`~cad.qe.solution` (the solution formula); sign masks in
:mod:`~cad.qe.masks`.
"""

from cad.qe.driver import QEResult, decide, equivalent, qe

__all__ = ["QEResult", "qe", "decide", "equivalent"]
