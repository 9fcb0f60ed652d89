"""The verifier's own exact arithmetic, recomputed from the masks stored in a certificate.

Exact rationals (:class:`fractions.Fraction`, parsed from the format's strings), rational
functions of ``t`` (:class:`RatFun`, python-flint ``fmpq_poly`` numerator and denominator),
sparse matrices of them, polynomials in named variables (dicts of sorted monomials), the
masks, the entries of ``W_L ... W_1`` as polynomials in the weights, live neurons and
connected components.

Independent on purpose.  The decider (:mod:`netalgebra.decide`, :mod:`netalgebra.theorems`)
has its own copies of the mask logic (live neurons, components, supports); the ones here
are deliberately *not* shared with it, so that a defect in the decider cannot make the
verifier accept a wrong certificate.  Only the spelling of variable names
(:mod:`netalgebra.naming`) and python-flint's univariate rational polynomials are shared.
"""

import re
from fractions import Fraction

from flint import fmpq, fmpq_poly

from netalgebra.naming import weight_name

__all__ = ["Malformed", "rational", "rational_matrix", "RatFun", "to_fraction", "poly_mul", "poly_add",
           "parse_poly", "parse_masks", "widths", "weight_position", "entry_poly", "live_neurons",
           "components", "supports", "matmul", "det"]


class Malformed(Exception):
    """Malformed certificate content (turned into a failed check)."""


# ----------------------------------------------------------------------------------------------
# exact scalars
_RAT = re.compile(r"^\s*-?\d+(\s*/\s*\d+)?\s*$", re.ASCII)   # ASCII digits only


def rational(value, where="value") -> Fraction:
    """Parse an exact rational: a JSON integer or a string "p" / "p/q" (no floats)."""
    if isinstance(value, bool):
        raise Malformed(f"{where}: booleans are not rationals")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str) and _RAT.match(value):
        return Fraction(value.replace(" ", ""))
    raise Malformed(f"{where}: {value!r} is not an exact rational (use an integer or a 'p/q' string)")


def rational_matrix(obj, w, where):
    """An ``N_L x N_0`` matrix of rationals (``w``: the widths)."""
    if not (isinstance(obj, list) and len(obj) == w[-1]
            and all(isinstance(r, list) and len(r) == w[0] for r in obj)):
        raise Malformed(f"{where}: expected a {w[-1]} x {w[0]} matrix of rationals")
    return [[rational(x, f"{where}[{i}][{j}]") for j, x in enumerate(r)] for i, r in enumerate(obj)]


def to_fraction(x: fmpq) -> Fraction:
    return Fraction(int(x.p), int(x.q))


# ----------------------------------------------------------------------------------------------
# rational functions of t
class RatFun:
    """A rational function of ``t`` in lowest terms with a monic denominator."""

    __slots__ = ("num", "den")

    def __init__(self, num, den=None):
        self.num = num if isinstance(num, fmpq_poly) else fmpq_poly(num)
        self.den = fmpq_poly([1]) if den is None else den
        if self.den == 0:
            raise Malformed("rational function with zero denominator")
        if self.num == 0:
            self.num, self.den = fmpq_poly([]), fmpq_poly([1])
            return
        g = self.num.gcd(self.den)  # monic gcd
        if g.degree() > 0:
            self.num, self.den = self.num // g, self.den // g
        lc = self.den.coeffs()[-1]
        if lc != 1:
            self.num, self.den = self.num / lc, self.den / lc

    @staticmethod
    def parse(obj, where):
        """From the format's ``{"num": [...], "den": [...]}`` (coefficients low degree first)."""
        if not isinstance(obj, dict) or "num" not in obj:
            raise Malformed(f"{where}: expected {{'num': [...], 'den': [...]}}")
        num = [_fmpq(rational(c, where)) for c in obj["num"]]
        den = [_fmpq(rational(c, where)) for c in obj.get("den", ["1"])]
        dp = fmpq_poly(den)
        if dp == 0:
            raise Malformed(f"{where}: zero denominator")
        return RatFun(fmpq_poly(num), dp)

    @staticmethod
    def constant(x: Fraction):
        return RatFun(fmpq_poly([_fmpq(x)]))

    def __add__(self, o):
        return RatFun(self.num * o.den + o.num * self.den, self.den * o.den)

    def __neg__(self):
        return RatFun(-self.num, self.den)

    def __sub__(self, o):
        return self + (-o)

    def __mul__(self, o):
        return RatFun(self.num * o.num, self.den * o.den)

    def is_zero(self):
        return self.num == 0

    def valuation(self):
        """Order of the zero (>0) or pole (<0) at t = 0; None for the zero function."""
        if self.num == 0:
            return None
        return _valuation(self.num) - _valuation(self.den)

    def leading(self) -> fmpq:
        """Lowest-order Laurent coefficient at t = 0 (its sign is the sign for small t > 0)."""
        return self.num.coeffs()[_valuation(self.num)] / self.den.coeffs()[_valuation(self.den)]

    def limit(self):
        """(True, value) if the limit at 0+ is finite, (False, None) if there is a pole."""
        v = self.valuation()
        if v is None or v > 0:
            return True, fmpq(0)
        if v == 0:
            return True, self.leading()
        return False, None


def _fmpq(f: Fraction) -> fmpq:
    return fmpq(f.numerator, f.denominator)


def _valuation(p: fmpq_poly) -> int:
    for i, c in enumerate(p.coeffs()):
        if c != 0:
            return i
    raise ValueError("valuation of the zero polynomial")


def matmul(a, b):
    """Sparse product of matrices ``dict (i, j) -> RatFun``."""
    by_row = {}
    for (k, j), v in b.items():
        by_row.setdefault(k, []).append((j, v))
    out = {}
    for (i, k), u in a.items():
        for j, v in by_row.get(k, ()):
            p = u * v
            out[(i, j)] = out[(i, j)] + p if (i, j) in out else p
    return {k: v for k, v in out.items() if not v.is_zero()}


def det(m):
    """Exact determinant by Gaussian elimination over Q."""
    m = [row[:] for row in m]
    n = len(m)
    d = Fraction(1)
    for c in range(n):
        p = next((r for r in range(c, n) if m[r][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p] = m[p], m[c]
            d = -d
        d *= m[c][c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            if f:
                for k in range(c, n):
                    m[r][k] -= f * m[c][k]
    return d


# ----------------------------------------------------------------------------------------------
# polynomials in named variables: dict of sorted monomials ((variable, exponent), ...) -> Fraction
def _add_term(out, m, c):
    """``out += c * m`` in place, dropping the monomial when its coefficient cancels."""
    s = out.get(m, 0) + c
    if s:
        out[m] = s
    else:
        out.pop(m, None)


def poly_mul(a, b):
    out = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            d = dict(ma)
            for v, e in mb:
                d[v] = d.get(v, 0) + e
            _add_term(out, tuple(sorted(d.items())), ca * cb)
    return out


def poly_add(a, b, scale=1):
    """``a + scale * b``."""
    out = dict(a)
    for m, c in b.items():
        _add_term(out, m, scale * c)
    return out


def parse_poly(obj, where):
    """From the format's list of terms ``[coefficient, [[variable, exponent], ...]]``."""
    if not isinstance(obj, list):
        raise Malformed(f"{where}: a polynomial is a list of [coefficient, [[variable, exponent], ...]]")
    out = {}
    for term in obj:
        if not (isinstance(term, list) and len(term) == 2 and isinstance(term[1], list)):
            raise Malformed(f"{where}: bad term {term!r}")
        c = rational(term[0], where)
        d = {}
        for ve in term[1]:
            if not (isinstance(ve, list) and len(ve) == 2 and isinstance(ve[0], str)
                    and isinstance(ve[1], int) and not isinstance(ve[1], bool) and ve[1] >= 0):
                raise Malformed(f"{where}: bad variable power {ve!r}")
            d[ve[0]] = d.get(ve[0], 0) + ve[1]
        m = tuple(sorted((v, e) for v, e in d.items() if e))
        out = poly_add(out, {m: c} if c else {})
    return out


# ----------------------------------------------------------------------------------------------
# the pattern
def parse_masks(pat):
    """The masks of the certificate's ``pattern``, as tuples of 0/1 row tuples (shapes checked)."""
    if isinstance(pat, dict) and "masks" not in pat and "rows" in pat:
        pat = {"masks": _dense_from_rows(pat.get("rows"), pat.get("columns"))}
    if not isinstance(pat, dict) or "masks" not in pat:
        raise Malformed("pattern: expected an object with 'masks' (or 'rows' and 'columns')")
    masks = pat["masks"]
    if not isinstance(masks, list) or not masks:
        raise Malformed("pattern.masks: expected a non-empty list of 0/1 matrices")
    out = []
    prev_rows = None
    for l, m in enumerate(masks, start=1):
        if not isinstance(m, list) or not m or not all(isinstance(r, list) and r for r in m):
            raise Malformed(f"pattern.masks[{l - 1}]: expected a non-empty matrix")
        ncols = len(m[0])
        if any(len(r) != ncols for r in m):
            raise Malformed(f"pattern.masks[{l - 1}]: ragged rows")
        if not all(set(map(type, r)) <= {int} and set(r) <= {0, 1} for r in m):    # C-speed scans
            raise Malformed(f"pattern.masks[{l - 1}]: entries must be the integers 0 or 1 "
                            f"(not true/false, not 1.0)")
        if prev_rows is not None and ncols != prev_rows:
            raise Malformed(f"pattern.masks[{l - 1}]: has {ncols} columns but layer {l - 1} has {prev_rows} rows")
        prev_rows = len(m)
        out.append(tuple(tuple(r) for r in m))
    return out


def _dense_from_rows(rows, columns):
    """0/1 masks from the sparse form: per layer, per row, the increasing columns of its 1s;
    layer l has as many columns as layer l-1 has rows (``columns`` for the first)."""
    if type(columns) is not int or columns < 1 or not isinstance(rows, list) or not rows:
        raise Malformed("pattern: 'rows' must be a non-empty list of layers and 'columns' a positive integer")
    masks, n = [], columns
    for l, layer in enumerate(rows):
        if not isinstance(layer, list) or not layer:
            raise Malformed(f"pattern.rows[{l}]: expected a non-empty list of rows")
        m = []
        for i, cols in enumerate(layer):
            if not (isinstance(cols, list) and all(type(c) is int for c in cols)
                    and all(a < b for a, b in zip(cols, cols[1:])) and (not cols or 0 <= cols[0] and cols[-1] < n)):
                raise Malformed(f"pattern.rows[{l}][{i}]: expected increasing column indices below {n}")
            r = [0] * n
            for c in cols:
                r[c] = 1
            m.append(r)
        masks.append(m)
        n = len(layer)
    return masks


def widths(masks):
    """``[N_0, N_1, ..., N_L]``."""
    return [len(masks[0][0])] + [len(m) for m in masks]


# The verifier's own reading of a weight name (it accepts what it always accepted, e.g. the
# layer "0", which it then rejects as outside the shapes); names are written by naming.weight_name.
_WEIGHT = re.compile(r"^w(\d+)_(\d+)_(\d+)$")


def weight_position(name, masks, where="escaping_family.weights"):
    """``(l, i, j)`` of a weight name, checked against the masks; ``where`` names the certificate
    field in the error."""
    m = _WEIGHT.match(name) if isinstance(name, str) else None
    if not m:
        raise Malformed(f"{where}: {name!r} is not a weight name w<layer>_<row>_<col>")
    l, i, j = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= l <= len(masks)) or i >= len(masks[l - 1]) or j >= len(masks[l - 1][0]):
        raise Malformed(f"{where}: {name} is outside the network's shapes")
    if masks[l - 1][i][j] != 1:
        raise Malformed(f"{where}: {name} is not allowed by the mask (I_{l}[{i}][{j}] = 0)")
    return l, i, j


def entry_poly(masks, r, c, first_layer=1):
    """Entry (r, c) of W_L ... W_1 as a polynomial in the weight names: sum over paths c -> r.
    ``masks`` may be the consecutive layers ``first_layer, first_layer + 1, ...`` of a pattern (a
    partial product, its weights named by their layer in the whole pattern)."""
    vec = {c: {(): Fraction(1)}}
    last = first_layer + len(masks) - 1
    for l, m in enumerate(masks, start=first_layer):
        rows = [r] if l == last else range(len(m))
        new = {}
        for i in rows:
            acc = {}
            for j, pj in vec.items():
                if m[i][j]:
                    acc = poly_add(acc, poly_mul({((weight_name(l, i, j), 1),): Fraction(1)}, pj))
            if acc:
                new[i] = acc
        vec = new
    return vec.get(r, {})


def live_neurons(masks):
    """Neurons lying on some input -> output path: list of sets per layer 0..L."""
    L = len(masks)
    w = widths(masks)
    fwd = [set(range(w[0]))]
    for l in range(1, L + 1):
        m = masks[l - 1]
        fwd.append({i for i in range(w[l]) if any(m[i][j] for j in fwd[l - 1])})
    bwd = [None] * (L + 1)
    bwd[L] = set(range(w[L]))
    for l in range(L, 0, -1):
        m = masks[l - 1]
        bwd[l - 1] = {j for j in range(w[l - 1]) if any(m[i][j] for i in bwd[l])}
    return [fwd[l] & bwd[l] for l in range(L + 1)]


def components(masks, live):
    """Connected components of the live layered graph: list of per-layer sets."""
    L = len(masks)
    nodes = [(l, i) for l in range(L + 1) for i in sorted(live[l])]
    parent = {n: n for n in nodes}

    def find(n):
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for l in range(1, L + 1):
        for i in live[l]:
            for j in live[l - 1]:
                if masks[l - 1][i][j]:
                    parent[find((l, i))] = find((l - 1, j))
    groups = {}
    for n in nodes:
        groups.setdefault(find(n), [set() for _ in range(L + 1)])[n[0]].add(n[1])
    return list(groups.values())


def supports(masks):
    """For one hidden layer: lists ``R[k]``, ``C[k]`` (frozensets) of the output rows hidden neuron
    ``k`` reaches and the input columns it reads; its contribution ranges over rank-one matrices
    supported on ``R[k] x C[k]``."""
    M1, M2 = masks
    n0, n1, n2 = len(M1[0]), len(M1), len(M2)
    R = [frozenset(r for r in range(n2) if M2[r][k]) for k in range(n1)]
    C = [frozenset(c for c in range(n0) if M1[k][c]) for k in range(n1)]
    return R, C
