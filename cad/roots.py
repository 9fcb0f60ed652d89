# TEMPORARY SHIM (issue 14 integration pass removes it): old import path of cad.numbers.roots.
from cad.numbers.roots import *  # noqa: F401,F403
