"""Numeric cross-check: train masked ReLU networks on a witness training set.

The exact side of the project proves that for a non-closed pattern ``I`` some
finite training set has no optimal network (Le, Riccietti, Gribonval, NeurIPS
2023, Theorem 3.1; docs/mathematics.md, "Results").  This package shows what an
optimizer does on such a set: the loss keeps falling while the parameter norm
grows without bound (every minimising sequence escapes to infinity, since the
infimum 0 is not attained), whereas weight decay keeps the norm bounded and the
loss stalls above a floor.  On a closed pattern (e.g. dense 2-2-2) the same run
converges to an exact fit with a bounded norm.  It reproduces the paper's
Section 4 experiment (``W_1`` lower and ``W_2`` upper triangular, target
``y = J x`` with ``J`` the anti-identity, SGD with momentum, with and without
weight decay) at reduced size by default.

Everything here is floating point (numpy); no verdict depends on it.

* :mod:`~netalgebra.numeric.data` -- witness training sets (and those stored in certificates);
* :mod:`~netalgebra.numeric.train` -- the masked network, its gradients, the optimizers;
* :mod:`~netalgebra.numeric.report` -- per-step CSV, the three-panel plot, a progress bar.

numpy is imported by the functions that use it, not when this package is imported.
"""

from netalgebra.numeric.data import (MAX_WITNESS_POINTS, TrainingSet, anti_identity, rational_matrix,
                                     standardize, training_set, training_set_from_certificate,
                                     witness_points)
from netalgebra.numeric.report import CSV_COLUMNS, ProgressBar, plot, write_csv
from netalgebra.numeric.train import (OPTIMIZERS, PAPER_DEFAULTS, SCHEDULES, WITNESS_DEFAULTS,
                                      TrainResult, compare, forward, init_params, loss_and_grads,
                                      param_norm, product, train, weight_decay_bound)

__all__ = [
    "TrainingSet", "TrainResult", "anti_identity", "witness_points", "training_set",
    "training_set_from_certificate", "standardize", "rational_matrix", "init_params", "forward",
    "loss_and_grads", "product", "param_norm", "train", "compare", "weight_decay_bound", "write_csv",
    "plot", "ProgressBar", "OPTIMIZERS", "SCHEDULES", "WITNESS_DEFAULTS", "PAPER_DEFAULTS",
    "MAX_WITNESS_POINTS", "CSV_COLUMNS",
]
