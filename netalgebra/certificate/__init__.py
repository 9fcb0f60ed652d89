"""Certificates for closedness verdicts, and an independent exact checker.

A certificate is a plain JSON object (:mod:`~netalgebra.certificate.format` describes the format
``netalgebra-certificate/1`` and reads and writes it); :func:`verify` re-checks every claim it
makes with the verifier's own exact arithmetic (:mod:`~netalgebra.certificate.kernel`).

Layout: :mod:`~netalgebra.certificate.verifier` (the entry), :mod:`~netalgebra.certificate.report`
(:class:`VerificationReport`), one checker module per certificate kind --
:mod:`~netalgebra.certificate.not_closed` (escaping family, Nullstellensatz, training set),
:mod:`~netalgebra.certificate.closed` (the registry of theorem checkers:
:mod:`~netalgebra.certificate.shallow`, :mod:`~netalgebra.certificate.deep`,
:mod:`~netalgebra.certificate.determinantal`, :mod:`~netalgebra.certificate.absorption`) and
:mod:`~netalgebra.certificate.cad` (CAD certificates, closed and not closed).
"""

from netalgebra.certificate.format import FORMAT, dump, load, poly_json, ratfun_json
from netalgebra.certificate.report import VerificationReport
from netalgebra.certificate.verifier import verify

__all__ = ["FORMAT", "VerificationReport", "verify", "load", "dump", "ratfun_json", "poly_json"]
