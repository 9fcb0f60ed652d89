"""Checker of ``deep_digit_mixing`` (any depth; proved in :mod:`netalgebra.theorems.digits`)."""

from netalgebra.certificate.kernel import Malformed

__all__ = ["check_digit_mixing"]


def _int_list(hypotheses, key, length):
    v = hypotheses.get(key)
    if not (isinstance(v, list) and len(v) == length and all(type(x) is int and x >= 1 for x in v)):
        raise Malformed(f"theorem.hypotheses.{key}: expected {length} positive integers")
    return v


def _mixes(mask, n, stride, radix):
    """Row ``i`` of ``mask`` is 1 exactly on the ``j`` with ``j // (stride*radix) == i // (stride*radix)``
    and ``j % stride == i % stride`` (counted, then each expected position read)."""
    span = stride * radix
    for i, row in enumerate(mask):
        if sum(row) != radix:
            return False
        first = (i // span) * span + i % stride
        for d in range(radix):
            if row[first + stride * d] != 1:
                return False
    return True


def check_digit_mixing(hypotheses, masks, question, report, budget):
    """``deep_digit_mixing``: every width is N; layer l is the mask mixing the digit of place value
    ``strides[l]`` and size ``radices[l] >= 2``; sorted by place value these are ``1, rho_1,
    rho_1 rho_2, ...`` with product N (one digit system, each digit mixed once)."""
    if not isinstance(hypotheses, dict):
        raise Malformed("theorem.hypotheses: expected an object")
    L = len(masks)
    n = len(masks[0][0])
    strides = _int_list(hypotheses, "strides", L)
    radices = _int_list(hypotheses, "radices", L)
    square = all(len(m) == n for m in masks)
    if not report.check("hypothesis: every width is N", square, f"N = {n}"):
        return
    place = 1
    for s, r in sorted(zip(strides, radices)):
        if s != place or r < 2:
            place = None
            break
        place *= r
    report.check("hypothesis: the place values form one digit system of product N", place == n,
                 f"strides {strides}, radices {radices}")
    if budget is not None:
        budget.check("time (digit-mixing masks)")
    bad = [l for l in range(L) if not (n % (strides[l] * radices[l]) == 0
                                       and _mixes(masks[l], n, strides[l], radices[l]))]
    report.check("hypothesis: each layer mixes its digit", not bad,
                 f"layer(s) {[l + 1 for l in bad]} differ" if bad else f"{L} layers")
