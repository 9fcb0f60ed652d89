# TEMPORARY SHIM (issue 14 integration pass removes it): old import path.  RealAlgebraic now
# lives in cad.numbers.real_algebraic, sign_at in cad.poly.sign, fibre roots in cad.poly.fibre.
from cad.numbers.rational import as_real  # noqa: F401
from cad.numbers.real_algebraic import RealAlgebraic  # noqa: F401
from cad.poly.fibre import fiber_polynomial, real_roots_in_fiber  # noqa: F401
from cad.poly.sign import sign_at  # noqa: F401
