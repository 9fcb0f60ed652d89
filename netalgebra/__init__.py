"""From sparse ReLU networks to exact semialgebraic questions.

Patterns (``netalgebra.pattern``), network graphs and reductions (``graph``),
polynomial maps and formulas (``compile``), the paper's theorems as fast paths
(``theorems``), the decision pipeline (``decide``), certificates and their
independent checker (``certificate``), the numeric cross-check (``numeric``),
the census (``census``) and the command line (``cli``).

Reference: Le, Riccietti, Gribonval, "Does a sparse ReLU network training
problem always admit an optimum?", NeurIPS 2023 (arXiv 2306.02666).
"""

__all__ = []
