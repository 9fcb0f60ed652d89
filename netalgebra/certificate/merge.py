"""Checker of the layer-merge reduction recorded in a certificate (``"reduction"``).

A certificate may carry ``"reduction": {"steps": [...], "certificate": inner}``: ``inner`` is a
complete certificate for the pattern obtained from this certificate's masks by the ``steps``
(each ``{"merge": "in" | "out", "hidden_layer": l}``, in order).  The merge preserves ``L_I``
exactly (proved in :func:`netalgebra.layer_merge.merge_once`; docs/mathematics.md,
"Reductions that preserve closedness of L_I"), so a closed verdict for the merged pattern is
one for this pattern, and a witness ``A in cl(L_I') \\ L_I'`` is a witness here.  This module
replays the steps with its own code (re-checking each step's degree hypothesis), compares the
result with the inner certificate's masks, and leaves the inner certificate to
:func:`netalgebra.certificate.verify`.
"""

from netalgebra.certificate.kernel import Malformed

__all__ = ["replay_merges", "check_reduction", "check_inner_matches"]


def _boolean_product(second, first):
    n_mid = len(first)
    return tuple(tuple(int(any(second[i][n] and first[n][a] for n in range(n_mid)))
                       for a in range(len(first[0]))) for i in range(len(second)))


def replay_merges(masks, steps, report):
    """The masks after the merges ``steps``; each step's hypothesis is a recorded check."""
    if not isinstance(steps, list) or not steps:
        raise Malformed("reduction.steps: expected a non-empty list of merges")
    masks = tuple(masks)
    for k, step in enumerate(steps):
        if not (isinstance(step, dict) and step.get("merge") in ("in", "out")
                and type(step.get("hidden_layer")) is int):
            raise Malformed(f"reduction.steps[{k}]: expected {{'merge': 'in'|'out', 'hidden_layer': l}}")
        l = step["hidden_layer"]
        if not 1 <= l < len(masks):
            raise Malformed(f"reduction.steps[{k}]: hidden layer {l} outside 1..{len(masks) - 1}")
        first, second = masks[l - 1], masks[l]
        if step["merge"] == "in":
            degrees = [sum(row) for row in first]                  # inputs of each hidden neuron
        else:
            degrees = [sum(col) for col in zip(*second)]           # outputs of each hidden neuron
        report.check(f"reduction step {k + 1}: every neuron of hidden layer {l} has {step['merge']}-degree <= 1",
                     max(degrees) <= 1, f"max degree {max(degrees)}")
        masks = masks[:l - 1] + (_boolean_product(second, first),) + masks[l + 1:]
    return masks


def check_inner_matches(cert, inner, reduced, report, what):
    """The nested certificate ``inner`` of a reduction ``what`` has the ``reduced`` masks, and the
    outer verdict (question ``linear`` on both sides): the checks every nesting reduction makes."""
    pat = inner.get("pattern")
    stored = pat.get("masks") if isinstance(pat, dict) else None
    same = isinstance(stored, list) and ([tuple(map(tuple, m)) for m in stored]
                                         == [tuple(map(tuple, m)) for m in reduced])
    report.check(f"{what}: the inner certificate's masks are the reduced masks", same)
    report.check(f"{what}: same verdict and question",
                 inner.get("verdict") == cert.get("verdict") and inner.get("question", "linear") == "linear"
                 and cert.get("question", "linear") == "linear",
                 f"{inner.get('verdict')!r} / {cert.get('verdict')!r}")


def check_reduction(cert, masks, report):
    """Replay ``cert["reduction"]`` on ``masks``; return the inner certificate once its masks,
    verdict and question are those the replay and the outer certificate require."""
    red = cert.get("reduction")
    if not isinstance(red, dict) or not isinstance(red.get("certificate"), dict):
        raise Malformed("reduction: expected {'steps': [...], 'certificate': {...}}")
    inner = red["certificate"]
    check_inner_matches(cert, inner, replay_merges(masks, red.get("steps"), report), report, "reduction")
    if "reduction" in inner:
        raise Malformed("reduction: the inner certificate must not itself be reduced (steps are listed once)")
    return inner
