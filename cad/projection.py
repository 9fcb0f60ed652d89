# TEMPORARY SHIM (issue 14 integration pass removes it): old import path of
# cad.decomposition.projection (poly_key, poly_level, coefficients_in, normalize: cad.poly).
from cad.decomposition.projection import *  # noqa: F401,F403
from cad.decomposition.projection import _CACHE  # noqa: F401  (benchmarks/cad.py clears it)
from cad.poly.ops import coefficients_in, normalize, poly_key, poly_level  # noqa: F401
