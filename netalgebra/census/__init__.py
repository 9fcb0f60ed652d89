"""Census of layered sparsity patterns: every pattern of shape (N0, N1, ..., NL), L >= 2, up to
symmetry, decided exactly (the paper's Question 3.2: how likely is a pattern to be
non-closed?).

* :mod:`~netalgebra.census.enumerate` -- raw patterns as bit integers, the symmetry group,
  orbits (exact enumeration, Burnside count as an independent check);
* :mod:`~netalgebra.census.run` -- one row per orbit: reductions to smaller rows, decisions
  on local or Dask workers, the resumable CSV;
* :mod:`~netalgebra.census.summary` -- counts by verdict and non-zeros, the plot.
"""

from netalgebra.census.enumerate import (MAX_BITS, CensusShape, Orbit, burnside_count,
                                         enumerate_orbits, parse_shape)
from netalgebra.census.run import (COLUMNS, VERDICTS, CensusResult, RowPlan, plan, read_rows,
                                   run_census)
from netalgebra.census.summary import format_summary, plot_summary, summarize

__all__ = ["CensusShape", "Orbit", "RowPlan", "CensusResult", "enumerate_orbits", "plan",
           "run_census", "read_rows", "summarize", "format_summary", "plot_summary", "parse_shape",
           "burnside_count", "COLUMNS", "VERDICTS", "MAX_BITS"]
