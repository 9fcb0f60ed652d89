"""Topology of semialgebraic sets: closedness with exact witnesses, closure, interior, boundary.

A *set* is a :class:`cad.logic.Problem` (free variables = coordinates; quantifiers allowed),
a formula with its coordinate names, or QEPCAD B input text.  Modules:

- ``closedness``: :func:`is_closed`, the pipeline of routes and their proofs (module docstring);
- ``sentences``: the epsilon sentence; :func:`closure`, :func:`interior`, :func:`boundary`,
  :func:`frontier` by QE;
- ``syntax``: quantifier-free form, syntactic closedness, bounded DNF, the relaxation ``R(S)``;
- ``plane``: the CAD adjacency route in at most two coordinates;
- ``witness``: segment witnesses and approaching points; ``points``: CAD sample points,
  distances; ``result``: :class:`ClosednessResult`; ``engine``: the budget and the calls into
  QE and CAD.
"""

from cad.topology.closedness import is_closed
from cad.topology.result import ClosednessResult
from cad.topology.sentences import boundary, closure, epsilon_sentence, frontier, interior
from cad.topology.syntax import is_syntactically_closed, relaxation

__all__ = [
    "ClosednessResult",
    "is_closed",
    "closure",
    "interior",
    "boundary",
    "frontier",
    "epsilon_sentence",
    "is_syntactically_closed",
    "relaxation",
]
