"""A polynomial's terms on Python integers, for substituting rational coordinates many times.

Lifting substitutes the same projection factor at the samples of many cells.  flint's
``subs``, ``monoms`` and ``coeffs`` on a multivariate polynomial cost microseconds per call
(context handling, conversions); the term list read once and then evaluated on Python
integers costs a few small multiplications per term.

Exactness: a rational coordinate ``v = p/q`` (``q > 0``) of a generator of degree ``D`` is
substituted as ``p^e q^(D - e)`` for ``v^e``, i.e. the polynomial is multiplied by ``q^D > 0``
first.  The result is a positive integer multiple of the substituted polynomial: the same
signs and the same roots.
"""

from __future__ import annotations

from flint import fmpq

__all__ = ["Terms"]


class Terms:
    """The terms of an integer polynomial ``p`` split after its first ``k`` generators:
    ``(lower, rest, c)`` with ``lower`` the exponents of generators ``0 .. k-1``, ``rest`` those
    of the others, ``c`` the coefficient (a Python int)."""

    __slots__ = ("k", "terms", "degrees")

    def __init__(self, p, k):
        self.k = k
        # flint gives exponents as fmpz: Python ints index lists and multiply much faster
        self.terms = [(tuple(map(int, m[:k])), tuple(map(int, m[k:])), int(c))
                      for m, c in zip(p.monoms(), p.coeffs())]
        self.degrees = tuple(map(int, p.degrees()[:k]))

    def substitute(self, values):
        """``{key: c}``: a positive integer multiple of ``p`` with ``values[i]`` (an fmpq) put
        for generator ``i < k``; an entry ``None`` keeps generator ``i``.  ``key`` is the
        tuple of the kept generators' exponents followed by ``rest``; zero sums are dropped."""
        active = []       # (i, [p^e q^(D - e) for e = 0..D]) for the substituted generators
        kept = []
        for i, (v, d) in enumerate(zip(values, self.degrees)):
            if d == 0:
                continue
            if v is None:
                kept.append(i)
                continue
            if type(v) is not fmpq:
                v = fmpq(v)
            num, den = int(v.p), int(v.q)
            if den == 1:
                row = [1, num]
                for _ in range(d - 1):
                    row.append(row[-1] * num)
            else:
                nums = [1, num]
                dens = [1, den]
                for _ in range(d - 1):
                    nums.append(nums[-1] * num)
                    dens.append(dens[-1] * den)
                row = [nums[e] * dens[d - e] for e in range(d + 1)]
            active.append((i, row))
        out = {}
        get = out.get
        for lower, rest, c in self.terms:
            for i, row in active:
                c *= row[lower[i]]
            key = tuple(lower[i] for i in kept) + rest if kept else rest
            out[key] = get(key, 0) + c
        return {key: c for key, c in out.items() if c}
