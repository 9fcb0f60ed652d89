"""Two-layer patterns of one shape up to symmetry: bit encoding, group action, orbits.

**Raw patterns.**  A raw pattern is a pair of 0/1 masks ``M1`` (N1 x N0) and ``M2``
(N2 x N1); there are ``2^B`` of them, ``B = N1*N0 + N2*N1``.  It is stored as a B-bit
integer: the entries of ``M1`` row by row, then those of ``M2`` row by row, the first
entry being the most significant bit (so integer order = lexicographic order of the
flattened masks).

**Symmetry group G** (each element maps ``L_I`` onto ``L_I'`` by a linear homeomorphism,
so closedness is invariant; docs/mathematics.md, "Reductions that preserve closedness of L_I"):

* ``(s0, s1, s2)`` in ``S_N0 x S_N1 x S_N2``: permute inputs, hidden neurons, outputs,
  ``M1'[s1 k][s0 c] = M1[k][c]``, ``M2'[s2 r][s1 k] = M2[r][k]``
  (``W2 W1 -> P2 W2 P1^T P1 W1 P0^T``);
* when ``N0 == N2`` also the transposition ``t: (M1, M2) -> (M2^T, M1^T)``
  (``L_{I^T} = {A^T : A in L_I}``).  ``t`` normalises the permutation group
  (``t (s0, s1, s2) t = (s2, s1, s0)``), so ``G = {p, p t}`` has order
  ``2 N0! N1! N2!``.  When ``N0 != N2`` the transposition maps the census of
  (N0, N1, N2) bijectively onto that of (N2, N1, N0) (same counts) and is not used;
  ``G`` then has order ``N0! N1! N2!``.

Each element of G permutes the B bit positions; it is applied to an integer with
precomputed lookup tables (one 256-entry table per byte of the integer), so applying a
group element costs a few table look-ups.

**Orbits and orbit sizes** (exact).  We scan the integers ``0 .. 2^B - 1``; the first not
yet marked one, x, starts a new orbit ``{g x : g in G}``, computed as a set (its size is
the orbit size, = |G| / |Stab(x)| by orbit-stabiliser) and marked.  Every raw pattern is
marked exactly once, so the orbit sizes add up to ``2^B``; the work is
``#orbits * |G|`` applications (3,3,3: 262144 raw patterns, |G| = 432, ~1.5 s).  The
representative of an orbit (the ``pattern`` column) is its largest integer, i.e. the
lexicographically greatest flattened ``(M1, M2)``.
"""

from __future__ import annotations

import itertools
import json
import math
from dataclasses import dataclass

from cad.errors import InputError

__all__ = ["CensusShape", "Orbit", "enumerate_orbits", "burnside_count", "parse_shape",
           "MAX_BITS", "MAX_GROUP"]

MAX_BITS = 24            # 2^24 raw patterns: the bitmap scan is still a few seconds
MAX_GROUP = 200_000


def parse_shape(text):
    """``"N0,N1,N2"`` -> (N0, N1, N2), positive integers; InputError naming the bad field."""
    if isinstance(text, (tuple, list)):
        parts = list(text)
    else:
        parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 3:
        raise InputError(f"shape {text!r}: expected three widths N0,N1,N2 (a two-layer pattern)")
    out = []
    for name, p in zip(("N0", "N1", "N2"), parts):
        try:
            v = int(p)
        except (TypeError, ValueError):
            raise InputError(f"shape {text!r}: {name} = {p!r} is not an integer") from None
        if isinstance(p, bool) or v < 1:
            raise InputError(f"shape {text!r}: {name} = {p!r} must be a positive integer")
        out.append(v)
    return tuple(out)


class CensusShape:
    """Bit encoding of the raw patterns of one shape and the symmetry group acting on them
    (see the module docstring)."""

    def __init__(self, shape):
        n0, n1, n2 = self.shape = parse_shape(shape)
        self.n0, self.n1, self.n2 = n0, n1, n2
        self.b1 = n1 * n0
        self.nbits = B = n1 * n0 + n2 * n1
        if B > MAX_BITS:
            raise InputError(f"shape {n0},{n1},{n2}: {B} mask entries, 2^{B} raw patterns; "
                             f"the exhaustive census supports at most {MAX_BITS} entries")
        self.transpose_symmetry = n0 == n2
        order = math.factorial(n0) * math.factorial(n1) * math.factorial(n2) * (2 if n0 == n2 else 1)
        if order > MAX_GROUP:
            raise InputError(f"shape {n0},{n1},{n2}: symmetry group of order {order} is too large "
                             f"(limit {MAX_GROUP})")
        self.group_order = order
        self._perms = None
        self._tables = None

    # -- positions -----------------------------------------------------------------------
    def pos1(self, k, c):
        """Flattened index of M1[k][c] (0 = most significant bit)."""
        return k * self.n0 + c

    def pos2(self, r, k):
        return self.b1 + r * self.n1 + k

    def bit(self, index):
        return 1 << (self.nbits - 1 - index)

    def to_masks(self, x):
        n0, n1, n2 = self.shape
        M1 = tuple(tuple(1 if x & self.bit(self.pos1(k, c)) else 0 for c in range(n0)) for k in range(n1))
        M2 = tuple(tuple(1 if x & self.bit(self.pos2(r, k)) else 0 for k in range(n1)) for r in range(n2))
        return (M1, M2)

    def from_masks(self, masks):
        """Integer of masks ``(M1, M2)`` of this shape; InputError if the shape differs."""
        try:
            M1, M2 = masks
            w = (len(M1[0]), len(M1), len(M2))
            ok = len(M2[0]) == len(M1) and all(len(r) == w[0] for r in M1) and all(len(r) == w[1] for r in M2)
        except (TypeError, ValueError, IndexError):
            raise InputError("pattern: expected two masks [M1, M2]") from None
        if not ok or w != self.shape:
            raise InputError(f"pattern has widths {w}, the census shape is {self.shape}")
        x = 0
        for name, mask, pos in (("M1", M1, self.pos1), ("M2", M2, self.pos2)):
            for r, row in enumerate(mask):
                for c, v in enumerate(row):
                    if v not in (0, 1):
                        raise InputError(f"pattern: {name}[{r}][{c}] = {v!r} is not 0/1")
                    if v:
                        x |= self.bit(pos(r, c))
        return x

    def to_json(self, x):
        """Compact canonical JSON of the pattern with integer x: ``{"masks":[M1,M2]}``."""
        M1, M2 = self.to_masks(x)
        return json.dumps({"masks": [[list(r) for r in M1], [list(r) for r in M2]]}, separators=(",", ":"))

    def from_json(self, text):
        try:
            d = json.loads(text)
            masks = d["masks"] if isinstance(d, dict) else d
        except (ValueError, KeyError, TypeError):
            raise InputError(f"pattern {text!r}: not a JSON pattern {{\"masks\": [M1, M2]}}") from None
        return self.from_masks(masks)

    # -- the group --------------------------------------------------------------------------
    def index_permutations(self):
        """Every element of G as a list ``p`` with ``p[i]`` = image of flattened index i."""
        if self._perms is not None:
            return self._perms
        n0, n1, n2 = self.shape
        B = self.nbits
        # transposition on flattened indices: M1[k][c] -> M2'[c][k], M2[r][k] -> M1'[k][r]
        tau = [0] * B
        if self.transpose_symmetry:
            for k in range(n1):
                for c in range(n0):
                    tau[self.pos1(k, c)] = self.pos2(c, k)
            for r in range(n2):
                for k in range(n1):
                    tau[self.pos2(r, k)] = self.pos1(k, r)
        perms = []
        for s0 in itertools.permutations(range(n0)):
            for s1 in itertools.permutations(range(n1)):
                for s2 in itertools.permutations(range(n2)):
                    p = [0] * B
                    for k in range(n1):
                        for c in range(n0):
                            p[self.pos1(k, c)] = self.pos1(s1[k], s0[c])
                    for r in range(n2):
                        for k in range(n1):
                            p[self.pos2(r, k)] = self.pos2(s2[r], s1[k])
                    perms.append(p)
                    if self.transpose_symmetry:
                        perms.append([p[tau[i]] for i in range(B)])   # p o tau
        assert len(perms) == self.group_order
        self._perms = perms
        return perms

    def tables(self):
        """Per group element, one 256-entry table per byte: image of that byte's bits."""
        if self._tables is not None:
            return self._tables
        B = self.nbits
        nbytes = max(1, (B + 7) // 8)
        tabs = []
        for p in self.index_permutations():
            # image of integer bit b (b = B-1-i for flattened index i)
            img = [1 << (B - 1 - p[B - 1 - b]) for b in range(B)]
            per = []
            for byte in range(nbytes):
                t = [0] * 256
                for v in range(1, 256):
                    low = v & -v
                    b = 8 * byte + low.bit_length() - 1
                    t[v] = t[v ^ low] | (img[b] if b < B else 0)
                per.append(t)
            tabs.append(tuple(per))
        self._tables = tabs
        return tabs

    def orbit(self, x):
        """The orbit {g x : g in G} as a set of integers."""
        tabs = self.tables()
        nb = len(tabs[0])
        if nb == 1:
            return {t0[x] for (t0,) in tabs}
        if nb == 2:
            lo, hi = x & 255, x >> 8
            return {t0[lo] | t1[hi] for (t0, t1) in tabs}
        if nb == 3:
            a, b, c = x & 255, (x >> 8) & 255, x >> 16
            return {t0[a] | t1[b] | t2[c] for (t0, t1, t2) in tabs}
        parts = [(x >> (8 * i)) & 255 for i in range(nb)]
        out = set()
        for ts in tabs:
            v = 0
            for t, part in zip(ts, parts):
                v |= t[part]
            out.add(v)
        return out

    def canon(self, x):
        """Representative of the orbit of x: its largest element."""
        return max(self.orbit(x))


@dataclass(frozen=True)
class Orbit:
    rep: int      # largest raw pattern (integer) of the orbit
    size: int     # number of raw patterns in the orbit


def enumerate_orbits(shape):
    """All orbits of G on the raw patterns of ``shape``, in order of first element.

    Exact: a bitmap marks the raw patterns already seen; see the module docstring.
    """
    cs = shape if isinstance(shape, CensusShape) else CensusShape(shape)
    n = 1 << cs.nbits
    seen = bytearray(n)
    out = []
    x = 0
    while True:
        x = seen.find(0, x)
        if x < 0:
            break
        orb = cs.orbit(x)
        for y in orb:
            seen[y] = 1
        out.append(Orbit(max(orb), len(orb)))
    return out


def burnside_count(shape):
    """Number of orbits by Burnside's lemma, ``(1/|G|) sum_g 2^{cycles(g)}`` -- an independent
    check of :func:`enumerate_orbits` (cycles of g acting on the B mask positions)."""
    cs = shape if isinstance(shape, CensusShape) else CensusShape(shape)
    total = 0
    for p in cs.index_permutations():
        seen = [False] * cs.nbits
        cycles = 0
        for i in range(cs.nbits):
            if not seen[i]:
                cycles += 1
                j = i
                while not seen[j]:
                    seen[j] = True
                    j = p[j]
        total += 1 << cycles
    q, r = divmod(total, cs.group_order)
    assert r == 0
    return q

