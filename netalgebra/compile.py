"""Compile a sparsity pattern into polynomial maps and Tarski formulas.

* :func:`linear_map` -- the linear counterpart ``L_I = {W_L ... W_1}`` as a
  polynomial map from the free weights to ``R^{N_L x N_0}``;
* :func:`relu_formula` -- ``F_I(Omega)``, the outputs of the ReLU network on a
  finite set of rational inputs, as an existential formula;
* :func:`image_formula` -- ``exists theta: y = phi(theta)`` for a polynomial map.

Reference: Le, Riccietti, Gribonval, "Does a sparse ReLU network training
problem always admit an optimum?", NeurIPS 2023, Sections 2-3 (the linear
counterpart, the ReLU function class on a finite set, and the decision of
closedness by quantifier elimination, Section 3.3).

Variable names (``w{l}_{i}_{j}``, ``b{l}_{i}``, ``y{k}_{i}``, ...) come from
:mod:`netalgebra.naming`.  Only python-flint, the formula AST and the standard library
are imported (no sympy).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

from flint import fmpq, fmpz

from cad import logic
from cad.errors import InputError
from cad.poly import PolyRing
from netalgebra.naming import activation_name, bias_name, output_name, preactivation_name, weight_name
from netalgebra.pattern import SparsityPattern

__all__ = ["LinearMap", "linear_map", "relu_formula", "image_formula", "EAGER_LIMIT"]

# Entries are materialised eagerly as flint polynomials when (number of monomials) x
# (number of variables) stays below this bound.  flint stores every monomial as a dense
# exponent vector (>= 8 bits per variable), so ul:100 (10100 variables, ~343 000 monomials)
# would need ~3.5 GB; above the bound entries are built on first access and cached.
EAGER_LIMIT = 20_000_000


def _balanced_sum(terms, zero):
    """Sum flint polynomials pairwise (merging sorted term lists: O(n log n) instead of O(n^2))."""
    terms = list(terms)
    if not terms:
        return zero
    while len(terms) > 1:
        nxt = [terms[k] + terms[k + 1] for k in range(0, len(terms) - 1, 2)]
        if len(terms) % 2:
            nxt.append(terms[-1])
        terms = nxt
    return terms[0]


def _paths_poly(paths, gens, zero):
    """The polynomial sum over paths of the product of the path's weight generators."""
    monos = []
    for path in paths:
        m = gens[path[0]]
        for v in path[1:]:
            m = m * gens[v]
        monos.append(m)
    return _balanced_sum(monos, zero)


class _LazyRow:
    """One row of a lazily materialised entry matrix (a read-only sequence of fmpz_mpoly)."""

    __slots__ = ("_map", "_i")

    def __init__(self, lmap, i):
        self._map, self._i = lmap, i

    def __len__(self):
        return self._map.shape[1]

    def __getitem__(self, j):
        if isinstance(j, slice):
            return [self[k] for k in range(*j.indices(len(self)))]
        n = len(self)
        if j < 0:
            j += n
        if not 0 <= j < n:
            raise IndexError(j)
        return self._map.entry(self._i, j)

    def __iter__(self):
        return (self[j] for j in range(len(self)))

    def __eq__(self, other):
        try:
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        except TypeError:
            return NotImplemented


class _LazyMatrix:
    """N_L x N_0 read-only sequence of rows whose entries are built on first access."""

    __slots__ = ("_map",)

    def __init__(self, lmap):
        self._map = lmap

    def __len__(self):
        return self._map.shape[0]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        return _LazyRow(self._map, i)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __eq__(self, other):
        try:
            return len(other) == len(self) and all(a == b for a, b in zip(self, other))
        except TypeError:
            return NotImplemented


class LinearMap:
    """The polynomial map ``theta -> W_L ... W_1`` of a sparsity pattern.

    Attributes
    ----------
    pattern : SparsityPattern
    ring : cad.poly.PolyRing over :attr:`variables`
    variables : tuple of weight names ``w{l}_{i}_{j}`` in layer, row, column order
    shape : (N_L, N_0)
    paths : ``paths[i][j]`` is a tuple of paths from input j to output i, each a tuple of
        variable indices (layer 1 first).  Entry (i, j) is the sum over these paths of the
        product of their weights; distinct paths give distinct monomials, so every
        coefficient is 1 (the entries are multilinear).
    entries : N_L x N_0 nested lists of ``fmpz_mpoly`` of ``ring.ctx``.  For very large maps
        (see :data:`EAGER_LIMIT`) a read-only nested sequence that builds entries on access.
    """

    def __init__(self, pattern, ring, paths):
        self.pattern = pattern
        self.ring = ring
        self.variables = ring.variables
        self.paths = paths
        self.shape = (len(paths), len(paths[0]))
        self._cache = {}
        self._entries = None

    @property
    def nterms(self):
        """Total number of monomials (= input-output paths)."""
        return sum(len(p) for row in self.paths for p in row)

    def entry(self, i, j):
        """Entry (i, j) of ``W_L ... W_1`` as an fmpz_mpoly (cached)."""
        key = (i, j)
        p = self._cache.get(key)
        if p is None:
            p = _paths_poly(self.paths[i][j], self.ring.gens, self.ring.zero())
            self._cache[key] = p
        return p

    @property
    def entries(self):
        if self._entries is None:
            if self.nterms * max(1, self.ring.nvars) <= EAGER_LIMIT:
                self._entries = [[self.entry(i, j) for j in range(self.shape[1])] for i in range(self.shape[0])]
            else:
                self._entries = _LazyMatrix(self)
        return self._entries

    def entry_str(self, i, j):
        """Entry (i, j) in QEPCAD syntax, written from the paths (no flint conversion):
        monomials as juxtaposed weights, last layer first, e.g. ``w2_0_1 w1_1_0 + ...``."""
        ps = self.paths[i][j]
        if not ps:
            return "0"
        names = self.variables
        return " + ".join(" ".join(names[v] for v in reversed(p)) for p in ps)

    def __repr__(self):
        return (f"LinearMap({self.pattern!r}, {len(self.variables)} variables, "
                f"{self.shape[0]}x{self.shape[1]}, {self.nterms} monomials)")

    def evaluate(self, weights):
        """The product ``W_L ... W_1`` at given weights, exactly.

        ``weights`` is a mapping from variable names to values (every variable must be
        given) or a sequence of L matrices ``W_1, ..., W_L`` in PyTorch shape, zero off
        the mask.  Rational values (int, Fraction, fmpz, fmpq, or strings like ``"3/4"``)
        are converted to ``fmpq``; other objects supporting + and * (e.g. sympy numbers)
        are used as given.  Returns an N_L x N_0 nested list.
        """
        mats = _weight_matrices(self.pattern, weights)
        prod = mats[0]
        for W in mats[1:]:
            prod = _matmul(W, prod)
        return prod


def _convert_value(v, where):
    if isinstance(v, bool):
        raise InputError(f"{where}: boolean {v!r} is not a number")
    if isinstance(v, fmpq):
        return v
    if isinstance(v, (int, fmpz)):
        return fmpq(v)
    if isinstance(v, Fraction):
        return fmpq(v.numerator, v.denominator)
    if isinstance(v, str):
        try:
            f = Fraction(v.strip())
        except (ValueError, ZeroDivisionError):
            raise InputError(f"{where}: {v!r} is not a rational number") from None
        return fmpq(f.numerator, f.denominator)
    if isinstance(v, float):
        raise InputError(f"{where}: float {v!r} is not exact; give a rational (e.g. a string '1/10')")
    return v


def _weight_matrices(pattern, weights):
    """Dense W_1..W_L (lists of lists) from a name mapping or matrices, validated against the mask."""
    masks = pattern.masks
    zero = fmpq(0)
    if isinstance(weights, Mapping):
        known = set()
        mats = []
        for l, m in enumerate(masks, start=1):
            W = []
            for i, row in enumerate(m):
                Wr = []
                for j, allowed in enumerate(row):
                    if allowed:
                        nm = weight_name(l, i, j)
                        known.add(nm)
                        if nm not in weights:
                            raise InputError(f"weight {nm} (layer {l}, row {i}, column {j}) is missing")
                        Wr.append(_convert_value(weights[nm], f"weight {nm}"))
                    else:
                        Wr.append(zero)
                W.append(Wr)
            mats.append(W)
        extra = [k for k in weights if k not in known]
        if extra:
            raise InputError(f"unknown weight {extra[0]!r}: not a free weight of the pattern")
        return mats
    try:
        seq = list(weights)
    except TypeError:
        raise InputError(f"weights must be a mapping or a list of matrices, got {type(weights).__name__}") from None
    if len(seq) != len(masks):
        raise InputError(f"expected {len(masks)} weight matrices (one per layer), got {len(seq)}")
    mats = []
    for l, (m, W) in enumerate(zip(masks, seq), start=1):
        rows = [list(r) for r in W]
        if len(rows) != len(m) or any(len(r) != len(m[0]) for r in rows):
            raise InputError(f"weight matrix of layer {l} must have shape {len(m)}x{len(m[0])}")
        out = []
        for i, (r, mr) in enumerate(zip(rows, m)):
            orow = []
            for j, (v, allowed) in enumerate(zip(r, mr)):
                v = _convert_value(v, f"weight W_{l}[{i},{j}]")
                if not allowed:
                    if v != 0:
                        raise InputError(f"weight W_{l}[{i},{j}] (layer {l}, row {i}, column {j}) is "
                                         f"{v} but the mask forbids it")
                    v = zero
                orow.append(v)
            out.append(orow)
        mats.append(out)
    return mats


def _matmul(A, B):
    """A @ B for nested lists, skipping exact zeros (masks are sparse)."""
    n, k, m = len(A), len(B), len(B[0])
    out = []
    for i in range(n):
        acc = [fmpq(0)] * m
        for t in range(k):
            a = A[i][t]
            if a == 0:
                continue
            Bt = B[t]
            acc = [acc[j] + a * Bt[j] for j in range(m)]
        out.append(acc)
    return out


MAX_COMPILE_TERMS = 400_000   # ul:100 has 338 350 monomials (about 3 s); ul:300 about 9 million


def count_paths(masks):
    """Number of input-output paths, i.e. ``1^T M_L ... M_1 1``: the monomials of ``W_L ... W_1``."""
    v = [1] * len(masks[0][0])
    for m in masks:
        v = [sum(c for c, x in zip(v, row) if x) for row in m]
    return sum(v)


def linear_map(pattern):
    """Compile ``L_I = {W_L ... W_1 : supp W_l ⊆ I_l}`` into a :class:`LinearMap`.

    Algorithm: the entry (i, j) of the product is the sum over input-output paths
    j -> h_1 -> ... -> h_{L-1} -> i in the neuron graph of the product of the weights
    on the path (expand the matrix product).  We multiply layer by layer on this
    sparse path representation -- ``P_l[k][j] = ⋃_{i ∈ supp row k of I_l} P_{l-1}[i][j] · w_{l,k,i}``
    -- touching only allowed weights, so the cost is linear in the number of
    path prefixes.  Flint polynomials are built from the paths (a product of
    generators per path, then a balanced sum), eagerly for moderate sizes.
    """
    if not isinstance(pattern, SparsityPattern):
        raise InputError(f"linear_map expects a SparsityPattern, got {type(pattern).__name__}")
    masks = pattern.masks
    npaths = count_paths(masks)
    if npaths > MAX_COMPILE_TERMS:
        # decided before any polynomial is built: flint needs memory and time proportional to
        # the number of monomials (one per path), and aborts the process when it runs out
        raise InputError(f"pattern {pattern.name or ''}: {npaths} monomials (input-output paths) exceed the "
                         f"compiler's limit of {MAX_COMPILE_TERMS} (MAX_COMPILE_TERMS)")
    index = {}
    names = []
    for l, m in enumerate(masks, start=1):
        for i, row in enumerate(m):
            for j, v in enumerate(row):
                if v:
                    index[(l, i, j)] = len(names)
                    names.append(weight_name(l, i, j))
    ring = PolyRing(names)
    n0 = len(masks[0][0])
    # layer 1: one path of length 1 per allowed weight
    P = [[((index[(1, i, j)],),) if v else () for j, v in enumerate(row)] for i, row in enumerate(masks[0])]
    for l in range(2, len(masks) + 1):
        # non-empty entries of the previous product, per row (skip structural zeros)
        nz = [[(j, prefixes) for j, prefixes in enumerate(Pi) if prefixes] for Pi in P]
        newP = []
        for k, row in enumerate(masks[l - 1]):
            acc = [[] for _ in range(n0)]
            for i, v in enumerate(row):
                if not v:
                    continue
                w = (index[(l, k, i)],)
                for j, prefixes in nz[i]:
                    if len(prefixes) == 1:
                        acc[j].append(prefixes[0] + w)
                    else:
                        acc[j].extend([p + w for p in prefixes])
            newP.append([tuple(a) for a in acc])
        P = newP
    return LinearMap(pattern, ring, tuple(tuple(r) for r in P))


# --- formulas -------------------------------------------------------------------------


def _rational_points(pattern, points):
    n0 = pattern.widths[0]
    try:
        pts = [list(p) for p in points]
    except TypeError:
        raise InputError("points must be a list of input vectors") from None
    if not pts:
        raise InputError("points: at least one input point is required")
    out = []
    for k, p in enumerate(pts):
        if len(p) != n0:
            raise InputError(f"point {k} has {len(p)} coordinates but the network has N_0 = {n0} inputs")
        row = []
        for j, v in enumerate(p):
            q = _convert_value(v, f"point {k}, coordinate {j}")
            if not isinstance(q, fmpq):
                raise InputError(f"point {k}, coordinate {j}: {v!r} is not a rational number")
            row.append(q)
        out.append(row)
    return out


def relu_formula(pattern, points, preactivations=False):
    """``F_I(Omega)`` for a finite set ``Omega`` of rational points, as an existential Problem.

    The free variables are the outputs ``y{k}_{i}`` (point k, output neuron i), listed
    point by point.  The quantified variables are the weights ``w{l}_{i}_{j}``, the biases
    ``b{l}_{i}`` (all free: biases are unconstrained in the paper) and, per point k, hidden
    layer l < L and neuron i, the activation ``a{k}_{l}_{i}``.

    Each ReLU ``a = max(0, z)`` is encoded as ``a >= 0 ∧ a - z >= 0 ∧ a (a - z) = 0``
    (either a = 0 >= z or a = z >= 0).  By default the pre-activation
    ``z = Σ_j w_{l,i,j} a_{l-1,j} + b_{l,i}`` is substituted into these atoms rather than
    introduced as a variable: ``∃z (z = e ∧ φ(z)) ⇔ φ(e)``, so the set is the same and the
    formula has fewer variables.  With ``preactivations=True`` the variables
    ``z{k}_{l}_{i}`` and the atoms ``z - e = 0`` are kept instead.  The layer-0 activations
    are the (rational) input coordinates; atoms are multiplied by a positive integer to
    clear denominators, which preserves every sign.  Outputs: ``y - (W_L a_{L-1} + b_L) = 0``
    (no ReLU on the last layer).

    Ring order: the free outputs, then weights, biases, then per point the hidden
    variables (``z`` before ``a`` per neuron when kept).
    """
    if not isinstance(pattern, SparsityPattern):
        raise InputError(f"relu_formula expects a SparsityPattern, got {type(pattern).__name__}")
    pts = _rational_points(pattern, points)
    masks, L, widths = pattern.masks, pattern.depth, pattern.widths
    free = [output_name(k, i) for k in range(len(pts)) for i in range(widths[L])]
    wnames = [weight_name(l, i, j) for (l, i, j) in pattern.support]
    bnames = [bias_name(l, i) for l in range(1, L + 1) for i in range(widths[l])]
    hidden = []
    for k in range(len(pts)):
        for l in range(1, L):
            for i in range(widths[l]):
                if preactivations:
                    hidden.append(preactivation_name(k, l, i))
                hidden.append(activation_name(k, l, i))
    ring = PolyRing(free + wnames + bnames + hidden)
    g = ring.gen
    atoms = []

    def cleared(expr_terms, const_poly_terms):
        """Integer polynomial D·(Σ q_t · P_t) with D > 0 the lcm of the denominators."""
        D = 1
        for q, _ in expr_terms:
            D = D * int(q.q) // math.gcd(D, int(q.q))
        out = ring.zero()
        for q, P in expr_terms:
            out = out + int(q.p) * (D // int(q.q)) * P
        for P in const_poly_terms:
            out = out + D * P
        return out, D

    for k, x in enumerate(pts):
        prev = [(x[j], None) for j in range(widths[0])]  # (rational value, None) or (None, poly)
        for l in range(1, L + 1):
            cur = []
            for i in range(widths[l]):
                rat_terms, poly_terms = [], [g(bias_name(l, i))]
                for j, allowed in enumerate(masks[l - 1][i]):
                    if not allowed:
                        continue
                    w = g(weight_name(l, i, j))
                    val, poly = prev[j]
                    if poly is None:
                        if val != 0:
                            rat_terms.append((val, w))
                    else:
                        poly_terms.append(w * poly)
                e, D = cleared(rat_terms, poly_terms)   # D*e_true, D > 0
                if l == L:
                    atoms.append(logic.Atom(D * g(output_name(k, i)) - e, "="))
                    continue
                a = g(activation_name(k, l, i))
                if preactivations:
                    z = g(preactivation_name(k, l, i))
                    atoms.append(logic.Atom(D * z - e, "="))
                    atoms += [logic.Atom(a, ">="), logic.Atom(a - z, ">="), logic.Atom(a * (a - z), "=")]
                else:
                    # D*(a - e_true) = D*a - e ; sign-preserving since D > 0
                    diff = D * a - e
                    atoms += [logic.Atom(a, ">="), logic.Atom(diff, ">="), logic.Atom(a * diff, "=")]
                cur.append((None, a))
            prev = cur
    quantified = tuple(wnames + bnames + hidden)
    body = logic.And(tuple(atoms)) if len(atoms) != 1 else atoms[0]
    formula = logic.Exists(quantified, body) if quantified else body
    desc = (f"F_I(Omega) for pattern {pattern.name or pattern.widths} on {len(pts)} point(s): "
            f"outputs realisable by the ReLU network")
    return logic.Problem(ring, tuple(free), formula, desc)


def image_formula(lmap, output_prefix="y"):
    """``exists theta: y = phi(theta)`` -- the image of a :class:`LinearMap` as a Problem.

    Free variables ``y{i}_{j}`` for the N_L x N_0 matrix entries (row by row), then the
    weights (quantified).  One atom ``y_ij - phi_ij(theta) = 0`` per entry, including the
    entries no path reaches (``y_ij = 0``).
    """
    if not isinstance(lmap, LinearMap):
        if isinstance(lmap, SparsityPattern):
            lmap = linear_map(lmap)
        else:
            raise InputError(f"image_formula expects a LinearMap, got {type(lmap).__name__}")
    n, m = lmap.shape
    free = [f"{output_prefix}{i}_{j}" for i in range(n) for j in range(m)]
    clash = set(free) & set(lmap.variables)
    if clash:
        raise InputError(f"output variable {sorted(clash)[0]!r} clashes with a weight name; "
                         f"choose another output_prefix")
    ring = PolyRing(free + list(lmap.variables))
    off = len(free)
    gens = ring.gens[off:]
    atoms = []
    for i in range(n):
        for j in range(m):
            phi = _paths_poly(lmap.paths[i][j], gens, ring.zero())
            atoms.append(logic.Atom(ring.gens[i * m + j] - phi, "="))
    body = logic.And(tuple(atoms)) if len(atoms) != 1 else atoms[0]
    formula = logic.Exists(tuple(lmap.variables), body) if lmap.variables else body
    desc = f"image of the linear counterpart of {lmap.pattern.name or lmap.pattern.widths}"
    return logic.Problem(ring, tuple(free), formula, desc)
