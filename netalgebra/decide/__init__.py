"""The decision pipeline: is the linear counterpart L_I (or F_I(Omega)) closed?

:func:`decide` returns a :class:`Verdict` with a certificate that
:func:`netalgebra.certificate.verify` re-checks independently.  Layout:
:mod:`~netalgebra.decide.pipeline` (the steps of :func:`decide`),
:mod:`~netalgebra.decide.cores` (witness search for one hidden layer),
:mod:`~netalgebra.decide.nullstellensatz` (non-membership identities of the 3x3 search),
:mod:`~netalgebra.decide.certify` (not-closed certificates, training sets, self-check),
:mod:`~netalgebra.decide.cad_route` (the exact CAD route and its certificates),
:mod:`~netalgebra.decide.family` (rational functions of t) and
:mod:`~netalgebra.decide.verdict`.
"""

from netalgebra.decide.cad_route import decide_by_cad
from netalgebra.decide.certify import not_closed_certificate
from netalgebra.decide.cores import find_core, find_core_2x2, find_core_3x2, find_core_3x3
from netalgebra.decide.pipeline import decide
from netalgebra.decide.verdict import Verdict

__all__ = ["Verdict", "decide", "find_core", "find_core_2x2", "find_core_3x2", "find_core_3x3",
           "not_closed_certificate", "decide_by_cad"]
