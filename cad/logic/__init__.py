"""Tarski formulas: the tree (:mod:`.ast`), smart constructors (:mod:`.build`), queries
(:mod:`.queries`), substitution and evaluation (:mod:`.evaluate`), transforms
(:mod:`.transform`) and the prenex form (:mod:`.prenex`).  Reading and writing formulas in
QEPCAD B, SMT-LIB2 or sympy syntax is :mod:`cad.io`.

The tree walks itself: ``f.children()`` and ``f.rebuild(children)`` (see :mod:`.ast`).
"""

from cad.logic.ast import (  # noqa: F401  (ast first: build closes the cycle from its end)
    FALSE, MIRRORED, NEGATED, RELATIONS, TRUE, And, Atom, Exists, Forall, Formula, Iff, Implies,
    Not, Or, Problem, Quantifier, RootAtom, Truth, holds,
)
from cad.logic.build import (  # noqa: F401
    atom, conj, disj, exists, forall, iff, implies, negate, normalize, quantify,
)
from cad.logic.evaluate import evaluate, substitute  # noqa: F401
from cad.logic.prenex import prenex, prenex_problem, standard_problem  # noqa: F401
from cad.logic.queries import (  # noqa: F401
    atoms, bound_variables, formula_context, free_variables, is_quantifier_free, polynomials,
)
from cad.logic.transform import map_atoms, nnf, rename_variables, standardize_apart, to_ring  # noqa: F401

__all__ = [
    "RELATIONS", "NEGATED", "MIRRORED", "holds",
    "Formula", "Truth", "TRUE", "FALSE", "Atom", "RootAtom", "And", "Or", "Not", "Implies", "Iff",
    "Quantifier", "Exists", "Forall", "Problem",
    "atom", "conj", "disj", "negate", "implies", "iff", "exists", "forall", "quantify", "normalize",
    "atoms", "polynomials", "is_quantifier_free", "free_variables", "bound_variables",
    "formula_context", "substitute", "evaluate",
    "nnf", "map_atoms", "to_ring", "rename_variables", "standardize_apart",
    "prenex", "prenex_problem", "standard_problem",
]
