"""Decide exactly whether the linear counterpart L_I of a sparse ReLU network is closed.

A sparsity pattern ``I`` fixes which weights of each layer may be non-zero.  If its
*linear counterpart* ``L_I = {W_L ... W_1 : supp W_l ⊆ I_l}`` is not closed, some finite
training set has no optimal network (Theorem 3.1 of the paper); ``L_I`` closed is
necessary for every training problem to have an optimum, not sufficient
(docs/mathematics.md, "What a closed verdict does and does not give").  Given the
training inputs Omega, the set ``F_I(Omega)`` of the network outputs on them is decided
itself.  The public API::

    from netalgebra import check, verify, SparsityPattern

    verdict = check("ul:2")                 # or check(SparsityPattern([...]))
    print(verdict.status, verdict.reason)   # not_closed ...
    print(verdict.claims)                   # what is proven about optima (decide.claims)
    assert verify(verdict.certificate).ok   # re-checked by the independent verifier

Subpackages: patterns (``pattern``), network graphs and reductions (``graph``), polynomial
maps and formulas (``compile``), the paper's theorems as fast paths (``theorems``), the
decision pipeline (``decide``), certificates and their independent checker
(``certificate``), the numeric cross-check (``numeric``), the census (``census``) and the
command line (``cli``).  Nothing heavy is imported until it is used.

Reference: Le, Riccietti, Gribonval, "Does a sparse ReLU network training
problem always admit an optimum?", NeurIPS 2023 (arXiv 2306.02666).
"""

__all__ = ["check", "verify", "SparsityPattern"]


def check(pattern, timeout=None, *, points=None):
    """Decide whether the linear counterpart ``L_I`` of ``pattern`` is closed.

    ``pattern``: a :class:`SparsityPattern`, a preset name such as ``"ul:2"`` or
    ``"dense:3,3,3"``, or the masks themselves (one 0/1 matrix per layer, first layer
    first, each ``N_l x N_{l-1}``).  Without ``points`` the question is whether
    ``L_I = {W_L ... W_1 : supp W_l ⊆ I_l}`` is a closed subset of ``R^{N_L x N_0}``.
    With ``points`` (a list of rational input points Omega: ints, Fractions or
    ``"p/q"`` strings) it is whether ``F_I(Omega)``, the outputs of the ReLU networks of
    the pattern on Omega, is closed.

    ``timeout``: seconds (``None``: no limit); when it runs out the status is
    ``"unknown"``.  Returns the :class:`netalgebra.decide.Verdict`: ``status`` is
    ``"closed"``, ``"not_closed"`` or ``"unknown"``; every other status than
    ``"unknown"`` comes with a ``certificate`` that :func:`verify` re-checks.
    Bad input raises :class:`cad.errors.InputError` naming the offending field.
    """
    from netalgebra.decide import decide
    from netalgebra.pattern import SparsityPattern

    if isinstance(pattern, str):
        pattern = SparsityPattern.preset(pattern)
    elif not isinstance(pattern, SparsityPattern):
        pattern = SparsityPattern(pattern)
    return decide(pattern, timeout, points=points)


def verify(cert, timeout=None):
    """Re-check a certificate of :func:`check` with exact arithmetic, independently of it.

    ``cert``: the certificate as a dict, JSON text, or the path of a JSON file.  Returns a
    :class:`netalgebra.certificate.VerificationReport`: ``ok`` is true iff every claim
    was re-checked (for ``not_closed``: the escaping family's limit is the target and the
    target is not in ``L_I``; for ``closed``: the theorem's hypotheses hold, or the CAD
    description of the set is re-decided).  Malformed content is a failed check, never
    an exception.  ``timeout`` bounds the CAD re-checks some certificates need; when it
    runs out, ``incomplete`` is set: neither acceptance nor rejection.
    """
    from netalgebra.certificate import verify as verify_certificate

    return verify_certificate(cert, timeout=timeout)


def __getattr__(name):
    # SparsityPattern on demand: ``import netalgebra`` (and so ``netalgebra check``) stays light
    if name == "SparsityPattern":
        from netalgebra.pattern import SparsityPattern

        return SparsityPattern
    raise AttributeError(f"module 'netalgebra' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"SparsityPattern"})
