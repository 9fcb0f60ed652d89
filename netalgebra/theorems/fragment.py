"""The ``"theorem"`` part of a closed certificate, as every theorem returns it."""

__all__ = ["SOURCE_PAPER", "fragment"]

SOURCE_PAPER = ("Le, Riccietti, Gribonval, 'Does a sparse ReLU network training problem always "
                "admit an optimum?', NeurIPS 2023, arXiv 2306.02666")


def fragment(name, statement, hypotheses, source=SOURCE_PAPER):
    """The certificate's ``theorem`` entry: which theorem, what it states, where it is proved,
    and the hypotheses it checked (the verifier re-checks them with its own code)."""
    return {"name": name, "statement": statement, "source": source, "hypotheses": hypotheses}
