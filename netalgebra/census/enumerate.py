"""Layered patterns of one shape up to symmetry: bit encoding, group action, orbits.

**Raw patterns.**  A shape is ``(N0, N1, ..., NL)`` with ``L >= 2`` weight layers; a raw
pattern is a list of 0/1 masks ``M_l`` (``N_l x N_{l-1}``), ``l = 1..L``; there are ``2^B``
of them, ``B = sum_l N_l N_{l-1}``.  It is stored as a B-bit integer: the entries of
``M1`` row by row, then those of ``M2``, ..., the first entry being the most significant
bit (so integer order = lexicographic order of the flattened masks).

**Symmetry group G** (each element maps ``L_I`` onto ``L_I'`` by a linear homeomorphism,
so closedness is invariant; docs/mathematics.md, "Reductions that preserve closedness of L_I"):

* ``(s0, ..., sL)`` in ``S_N0 x ... x S_NL``: permute the inputs, the neurons of each
  hidden layer and the outputs, ``M_l'[s_l i][s_{l-1} j] = M_l[i][j]``
  (``W_L ... W_1 -> P_L W_L P_{L-1}^T ... P_1 W_1 P_0^T``);
* when the shape is a palindrome (``N_l = N_{L-l}``) also the transposition
  ``t: (M_1, ..., M_L) -> (M_L^T, ..., M_1^T)`` (``L_{I^T} = {A^T : A in L_I}``).  ``t``
  normalises the permutation group (``t (s0, ..., sL) t = (sL, ..., s0)``), so
  ``G = {p, p t}`` has order ``2 prod N_l!``.  Otherwise the transposition maps the census
  of the shape bijectively onto that of the reversed shape (same counts) and is not used;
  ``G`` then has order ``prod N_l!``.

Each element of G permutes the B bit positions; it is applied to an integer with
precomputed lookup tables (one 256-entry table per byte of the integer), so applying a
group element costs a few table look-ups.

**Orbits and orbit sizes** (exact).  We scan the integers ``0 .. 2^B - 1``; the first not
yet marked one, x, starts a new orbit ``{g x : g in G}``, computed as a set (its size is
the orbit size, = |G| / |Stab(x)| by orbit-stabiliser) and marked.  Every raw pattern is
marked exactly once, so the orbit sizes add up to ``2^B``; the work is
``#orbits * |G|`` applications (3,3,3: 262144 raw patterns, |G| = 432, ~1.5 s).  The
representative of an orbit (the ``pattern`` column) is its largest integer, i.e. the
lexicographically greatest flattened ``(M1, ..., ML)``.
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
    """``"N0,N1,N2[,N3...]"`` -> (N0, N1, ...), at least three positive integers; InputError
    naming the bad field."""
    if isinstance(text, (tuple, list)):
        parts = list(text)
    else:
        parts = [p.strip() for p in str(text).split(",")]
    if len(parts) < 3:
        raise InputError(f"shape {text!r}: expected at least three widths N0,N1,N2[,N3,...] "
                         "(two or more weight layers)")
    out = []
    for n, p in enumerate(parts):
        try:
            v = int(p)
        except (TypeError, ValueError):
            raise InputError(f"shape {text!r}: N{n} = {p!r} is not an integer") from None
        if isinstance(p, bool) or v < 1:
            raise InputError(f"shape {text!r}: N{n} = {p!r} must be a positive integer")
        out.append(v)
    return tuple(out)


class CensusShape:
    """Bit encoding of the raw patterns of one shape and the symmetry group acting on them
    (see the module docstring)."""

    def __init__(self, shape):
        self.shape = w = parse_shape(shape)
        self.depth = L = len(w) - 1
        self.n0, self.n1, self.n2 = w[0], w[1], w[2]
        self.offsets = [0]
        for l in range(1, L + 1):
            self.offsets.append(self.offsets[-1] + w[l] * w[l - 1])
        self.b1 = self.offsets[1]
        self.nbits = B = self.offsets[-1]
        name = ",".join(map(str, w))
        if B > MAX_BITS:
            raise InputError(f"shape {name}: {B} mask entries, 2^{B} raw patterns; "
                             f"the exhaustive census supports at most {MAX_BITS} entries")
        self.transpose_symmetry = w == w[::-1]
        order = math.prod(math.factorial(n) for n in w) * (2 if self.transpose_symmetry else 1)
        if order > MAX_GROUP:
            raise InputError(f"shape {name}: symmetry group of order {order} is too large "
                             f"(limit {MAX_GROUP})")
        self.group_order = order
        self._perms = None
        self._tables = None

    # -- positions -----------------------------------------------------------------------
    def pos(self, l, i, j):
        """Flattened index of ``M_l[i][j]`` (layers 1-based; 0 = most significant bit)."""
        return self.offsets[l - 1] + i * self.shape[l - 1] + j

    def pos1(self, k, c):
        """Flattened index of M1[k][c]."""
        return self.pos(1, k, c)

    def pos2(self, r, k):
        return self.pos(2, r, k)

    def bit(self, index):
        return 1 << (self.nbits - 1 - index)

    def to_masks(self, x):
        w = self.shape
        return tuple(tuple(tuple(1 if x & self.bit(self.pos(l, i, j)) else 0 for j in range(w[l - 1]))
                           for i in range(w[l])) for l in range(1, self.depth + 1))

    def from_masks(self, masks):
        """Integer of masks ``(M1, ..., ML)`` of this shape; InputError if the shape differs."""
        try:
            masks = list(masks)
            w = tuple([len(masks[0][0])] + [len(m) for m in masks])
            ok = all(len(r) == w[l] for l, m in enumerate(masks) for r in m)
        except (TypeError, ValueError, IndexError):
            raise InputError("pattern: expected a list of masks [M1, M2, ...]") from None
        if not ok or w != self.shape:
            raise InputError(f"pattern has widths {w}, the census shape is {self.shape}")
        x = 0
        for l, mask in enumerate(masks, start=1):
            for r, row in enumerate(mask):
                for c, v in enumerate(row):
                    if v not in (0, 1):
                        raise InputError(f"pattern: M{l}[{r}][{c}] = {v!r} is not 0/1")
                    if v:
                        x |= self.bit(self.pos(l, r, c))
        return x

    def to_json(self, x):
        """Compact canonical JSON of the pattern with integer x: ``{"masks":[M1,...,ML]}``."""
        return json.dumps({"masks": [[list(r) for r in m] for m in self.to_masks(x)]}, separators=(",", ":"))

    def from_json(self, text):
        try:
            d = json.loads(text)
            masks = d["masks"] if isinstance(d, dict) else d
        except (ValueError, KeyError, TypeError):
            raise InputError(f"pattern {text!r}: not a JSON pattern {{\"masks\": [M1, M2, ...]}}") from None
        return self.from_masks(masks)

    # -- the group --------------------------------------------------------------------------
    def index_permutations(self):
        """Every element of G as a list ``p`` with ``p[i]`` = image of flattened index i."""
        if self._perms is not None:
            return self._perms
        w, L, B = self.shape, self.depth, self.nbits
        # transposition on flattened indices: M_l[i][j] -> M'_{L+1-l}[j][i]
        tau = [0] * B
        if self.transpose_symmetry:
            for l in range(1, L + 1):
                for i in range(w[l]):
                    for j in range(w[l - 1]):
                        tau[self.pos(l, i, j)] = self.pos(L + 1 - l, j, i)
        perms = []
        for s in itertools.product(*(list(itertools.permutations(range(n))) for n in w)):
            p = [0] * B
            for l in range(1, L + 1):
                for i in range(w[l]):
                    for j in range(w[l - 1]):
                        p[self.pos(l, i, j)] = self.pos(l, s[l][i], s[l - 1][j])
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

