"""Certificates for closedness verdicts, and an independent exact checker.

A certificate is a plain JSON object.  :func:`verify` re-checks every claim it
makes with exact arithmetic, recomputing everything it needs *from the masks
stored in the certificate* with its own small code (sparse products of
matrices of rational functions of ``t``, a dictionary-based polynomial type,
its own dead-neuron pruning and support computations).  It shares no code with
the decider (:mod:`netalgebra.decide`, :mod:`netalgebra.theorems`); it uses
python-flint only for the arithmetic of univariate rational polynomials.

Reference: Le, Riccietti, Gribonval, "Does a sparse ReLU network training
problem always admit an optimum?", NeurIPS 2023 (arXiv 2306.02666); see
``shared/paper-notes.md`` for the lemmas re-proved below.

Format ``netalgebra-certificate/1``
-----------------------------------
Common keys::

    format    "netalgebra-certificate/1"
    verdict   "closed" | "not_closed" | "unknown"
    question  "linear"        -- is L_I = {W_L ... W_1 : supp W_l in I_l} closed?
              "relu_points"   -- is F_I(Omega) closed for the given finite Omega?
    pattern   {"masks": [M_1, ..., M_L], "name": str|null}; M_l is N_l x N_{l-1} (out x in), 0/1
    argument  human-readable proof sketch (not checked)

Weights are named ``w{l}_{i}_{j}`` (layer l 1-based, row i = output neuron,
column j = input neuron, both 0-based) and biases ``b{l}_{i}``.  Rationals are
strings ``"-3/4"`` (or JSON integers).  A rational function of ``t`` is
``{"num": [c0, c1, ...], "den": [d0, d1, ...]}`` (coefficients low degree
first; ``den`` defaults to ``["1"]``).  A polynomial in the weights is a list of
terms ``[coefficient, [[variable, exponent], ...]]``.

``verdict == "not_closed"`` (question ``linear``)::

    target            A, N_L x N_0 matrix of rationals: a point of cl(L_I) \\ L_I
    escaping_family   {"parameter": "t", "weights": {name: ratfun}}   (unlisted weights are 0)
                      claim: phi(theta(t)) -> A and ||theta(t)|| -> infinity as t -> 0+
    non_attainment    {"method": "nullstellensatz", "equations": [[r, c], ...],
                       "multipliers": [poly, ...]}
                      claim: sum_i m_i * (phi_{r_i c_i} - A_{r_i c_i}) == 1 identically, hence
                      phi(theta) = A has no (even complex) solution: A is not in L_I
    relu              (required for depth 2) the consequence of Theorem 3.1 of the paper:
                      {"block_rows": R', "block_cols": C', "points": [x_1..x_n],
                       "targets": [y_1..y_n], "biases": {name: ratfun}}
                      claims: y_i = A x_i; with the weights theta(t) and these biases every
                      hidden pre-activation on every x_i is >= 0 for small t > 0, so the
                      network's outputs tend to y_i (the squared loss has infimum 0); and
                      no network of the architecture fits all (x_i, y_i) exactly (the loss
                      is never 0), by the activation-region argument recalled in
                      :func:`_check_relu`.

``verdict == "closed"``::

    theorem   {"name": ..., "statement": ..., "source": ..., "hypotheses": {...}}

The verifier re-checks the hypotheses of the named theorem from the masks; the
theorems themselves are proved in :mod:`netalgebra.theorems`.

CAD certificates (``verify(cert, timeout=...)``; the CAD engine ``cad.qe`` is the
trusted base for them, never for theorem certificates)::

    closed:      theorem {"name": "cad", "hypotheses": {"variables": ["y0_0", ...] (row by row),
                          "description": QEPCAD-syntax quantifier-free D(y),
                          "closedness": "syntactic" | "cad"}}
                 checks: with the verifier's own product map phi, the sentences
                 "exists theta: not D(phi(theta))" (FALSE) and
                 "forall y: D(y) -> exists theta: y = phi(theta)" (TRUE), i.e.
                 forall y (D(y) <-> exists theta: y = phi(theta)); D closed by syntax (NNF over
                 =, <=, >= atoms) or, if not syntactic, by cad.topology.is_closed.
    not_closed:  method "cad", target A (rationals), approaching {"points": [Y_0, ..., Y_{n-1}],
                 n >= 5, "segment": {"direction": U, "first_exponent": e0} (optional)}
                 checks: "exists theta: phi(theta) = A" is FALSE; every "exists theta:
                 phi(theta) = Y_k" is TRUE; max-norm distances 0 < d_k <= min(2^-k, d_(k-1)/2);
                 with a segment: Y_k = A + 2^-(k+e0) U, |U|_max = 1, and
                 "forall s in (0, 2^-e0]: exists theta: phi(theta) = A + s U" is TRUE (which alone
                 puts A in the closure).

When the budget runs out the report has ``incomplete = True`` ("could not
re-check within budget"): neither accepted nor refuted.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from math import comb

from flint import fmpq, fmpq_poly

FORMAT = "netalgebra-certificate/1"

__all__ = ["FORMAT", "VerificationReport", "verify", "load", "dump", "ratfun_json", "poly_json"]


# ----------------------------------------------------------------------------------------------
# report
@dataclass
class VerificationReport:
    """Outcome of :func:`verify`: ``ok`` is True iff every check passed."""

    ok: bool = True
    checks: list = field(default_factory=list)  # (name, passed, detail)
    incomplete: bool = False   # a CAD re-check ran out of time: neither accepted nor refuted

    def check(self, name, passed, detail=""):
        self.checks.append((name, bool(passed), detail))
        if not passed:
            self.ok = False
        return bool(passed)

    @property
    def failures(self):
        return [c for c in self.checks if not c[1]]

    def __bool__(self):
        return self.ok

    def summary(self):
        lines = []
        for name, passed, detail in self.checks:
            lines.append(f"[{'ok' if passed else 'FAIL'}] {name}" + (f": {detail}" if detail else ""))
        return "\n".join(lines)


class _Bad(Exception):
    """Malformed certificate content (turned into a failed check)."""


# ----------------------------------------------------------------------------------------------
# exact scalars
_RAT = re.compile(r"^\s*-?\d+(\s*/\s*\d+)?\s*$")


def _q(value, where="value") -> Fraction:
    """Parse an exact rational: a JSON integer or a string "p" / "p/q" (no floats)."""
    if isinstance(value, bool):
        raise _Bad(f"{where}: booleans are not rationals")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, str) and _RAT.match(value):
        f = Fraction(value.replace(" ", ""))
        return f
    raise _Bad(f"{where}: {value!r} is not an exact rational (use an integer or a 'p/q' string)")


def _qstr(x) -> str:
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


# ----------------------------------------------------------------------------------------------
# rational functions of t (verifier-side; fmpq_poly numerator and denominator)
class _RF:
    __slots__ = ("num", "den")

    def __init__(self, num, den=None):
        self.num = num if isinstance(num, fmpq_poly) else fmpq_poly(num)
        self.den = fmpq_poly([1]) if den is None else den
        if self.den == 0:
            raise _Bad("rational function with zero denominator")
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
        if not isinstance(obj, dict) or "num" not in obj:
            raise _Bad(f"{where}: expected {{'num': [...], 'den': [...]}}")
        num = [fmpq(*_frac_pair(_q(c, where))) for c in obj["num"]]
        den = [fmpq(*_frac_pair(_q(c, where))) for c in obj.get("den", ["1"])]
        dp = fmpq_poly(den)
        if dp == 0:
            raise _Bad(f"{where}: zero denominator")
        return _RF(fmpq_poly(num), dp)

    def __add__(self, o):
        return _RF(self.num * o.den + o.num * self.den, self.den * o.den)

    def __neg__(self):
        return _RF(-self.num, self.den)

    def __sub__(self, o):
        return self + (-o)

    def __mul__(self, o):
        return _RF(self.num * o.num, self.den * o.den)

    def is_zero(self):
        return self.num == 0

    def valuation(self):
        """Order of the zero (>0) or pole (<0) at t = 0; None for the zero function."""
        if self.num == 0:
            return None
        return _val(self.num) - _val(self.den)

    def leading(self) -> fmpq:
        """Lowest-order Laurent coefficient at t = 0 (its sign is the sign for small t > 0)."""
        return self.num.coeffs()[_val(self.num)] / self.den.coeffs()[_val(self.den)]

    def limit(self):
        """(True, value) if the limit at 0+ is finite, (False, None) if there is a pole."""
        v = self.valuation()
        if v is None or v > 0:
            return True, fmpq(0)
        if v == 0:
            return True, self.leading()
        return False, None


def _frac_pair(f: Fraction):
    return (f.numerator, f.denominator)


def _val(p: fmpq_poly) -> int:
    for i, c in enumerate(p.coeffs()):
        if c != 0:
            return i
    raise ValueError("valuation of the zero polynomial")


def _to_fraction(x: fmpq) -> Fraction:
    return Fraction(int(x.p), int(x.q))


# ----------------------------------------------------------------------------------------------
# polynomials in named variables (verifier-side; dict of sorted monomials -> Fraction)
def _pmul(a, b):
    out = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            d = dict(ma)
            for v, e in mb:
                d[v] = d.get(v, 0) + e
            m = tuple(sorted(d.items()))
            c = out.get(m, 0) + ca * cb
            if c:
                out[m] = c
            else:
                out.pop(m, None)
    return out


def _padd(a, b, scale=1):
    out = dict(a)
    for m, c in b.items():
        s = out.get(m, 0) + scale * c
        if s:
            out[m] = s
        else:
            out.pop(m, None)
    return out


def _parse_poly(obj, where):
    if not isinstance(obj, list):
        raise _Bad(f"{where}: a polynomial is a list of [coefficient, [[variable, exponent], ...]]")
    out = {}
    for term in obj:
        if not (isinstance(term, list) and len(term) == 2 and isinstance(term[1], list)):
            raise _Bad(f"{where}: bad term {term!r}")
        c = _q(term[0], where)
        d = {}
        for ve in term[1]:
            if not (isinstance(ve, list) and len(ve) == 2 and isinstance(ve[0], str)
                    and isinstance(ve[1], int) and not isinstance(ve[1], bool) and ve[1] >= 0):
                raise _Bad(f"{where}: bad variable power {ve!r}")
            d[ve[0]] = d.get(ve[0], 0) + ve[1]
        m = tuple(sorted((v, e) for v, e in d.items() if e))
        out = _padd(out, {m: c} if c else {})
    return out


# ----------------------------------------------------------------------------------------------
# pattern (verifier-side)
def _parse_masks(pat):
    if not isinstance(pat, dict) or "masks" not in pat:
        raise _Bad("pattern: expected an object with 'masks'")
    masks = pat["masks"]
    if not isinstance(masks, list) or not masks:
        raise _Bad("pattern.masks: expected a non-empty list of 0/1 matrices")
    out = []
    prev_rows = None
    for l, m in enumerate(masks, start=1):
        if not isinstance(m, list) or not m or not all(isinstance(r, list) and r for r in m):
            raise _Bad(f"pattern.masks[{l - 1}]: expected a non-empty matrix")
        ncols = len(m[0])
        if any(len(r) != ncols for r in m):
            raise _Bad(f"pattern.masks[{l - 1}]: ragged rows")
        if any(x not in (0, 1) or isinstance(x, bool) for r in m for x in r):
            raise _Bad(f"pattern.masks[{l - 1}]: entries must be 0 or 1")
        if prev_rows is not None and ncols != prev_rows:
            raise _Bad(f"pattern.masks[{l - 1}]: has {ncols} columns but layer {l - 1} has {prev_rows} rows")
        prev_rows = len(m)
        out.append(tuple(tuple(r) for r in m))
    return out


def _widths(masks):
    return [len(masks[0][0])] + [len(m) for m in masks]


_WNAME = re.compile(r"^w(\d+)_(\d+)_(\d+)$")
_BNAME = re.compile(r"^b(\d+)_(\d+)$")


def _weight_position(name, masks):
    m = _WNAME.match(name)
    if not m:
        raise _Bad(f"escaping_family.weights: {name!r} is not a weight name w<layer>_<row>_<col>")
    l, i, j = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= l <= len(masks)) or i >= len(masks[l - 1]) or j >= len(masks[l - 1][0]):
        raise _Bad(f"escaping_family.weights: {name} is outside the network's shapes")
    if masks[l - 1][i][j] != 1:
        raise _Bad(f"escaping_family.weights: {name} is not allowed by the mask (I_{l}[{i}][{j}] = 0)")
    return l, i, j


def _entry_poly(masks, r, c):
    """Entry (r, c) of W_L ... W_1 as a polynomial in the weight names: sum over paths c -> r."""
    vec = {c: {(): Fraction(1)}}
    L = len(masks)
    for l, m in enumerate(masks, start=1):
        rows = [r] if l == L else range(len(m))
        new = {}
        for i in rows:
            acc = {}
            for j, pj in vec.items():
                if m[i][j]:
                    acc = _padd(acc, _pmul({((f"w{l}_{i}_{j}", 1),): Fraction(1)}, pj))
            if acc:
                new[i] = acc
        vec = new
    return vec.get(r, {})


def _live(masks):
    """Neurons lying on some input -> output path: list of sets per layer 0..L."""
    L = len(masks)
    w = _widths(masks)
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


def _components(masks, live):
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


# ----------------------------------------------------------------------------------------------
# sparse matrices of rational functions
def _matmul(a, b):
    """a, b: dict (i, j) -> _RF.  Sparse product."""
    by_row = {}
    for (k, j), v in b.items():
        by_row.setdefault(k, []).append((j, v))
    out = {}
    for (i, k), u in a.items():
        for j, v in by_row.get(k, ()):
            p = u * v
            out[(i, j)] = out[(i, j)] + p if (i, j) in out else p
    return {k: v for k, v in out.items() if not v.is_zero()}


# ----------------------------------------------------------------------------------------------
# public API
def load(path_or_text):
    """Read a certificate from a JSON file path or a JSON string."""
    if isinstance(path_or_text, dict):
        return path_or_text
    text = path_or_text
    if not text.lstrip().startswith("{"):
        with open(text, encoding="utf-8") as fh:
            text = fh.read()
    return json.loads(text)


def dump(cert, path=None):
    text = json.dumps(cert, indent=1)
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return text


def ratfun_json(num, den=(1,)):
    """Helper for producers: coefficient lists (low degree first) -> JSON rational function."""
    return {"num": [_qstr(c) for c in num], "den": [_qstr(c) for c in den]}


def poly_json(terms):
    """Helper for producers: [(coef, {var: exp}), ...] -> JSON polynomial."""
    return [[_qstr(c), [[v, e] for v, e in sorted(m.items())]] for c, m in terms]


def verify(cert, timeout=None) -> VerificationReport:
    """Re-check every claim of a certificate with exact arithmetic.

    Returns a :class:`VerificationReport`; ``report.ok`` is True iff all checks
    passed.  Malformed content never raises: it becomes a failed check.
    ``timeout`` (seconds, None: no limit) bounds the decisions by cylindrical
    algebraic decomposition that CAD certificates need; when it runs out the
    report fails with ``report.incomplete`` set ("could not re-check within
    budget"), which is not a rejection of the certificate.
    """
    rep = VerificationReport()
    budget = _Deadline(timeout)
    try:
        cert = load(cert)
        if not isinstance(cert, dict):
            raise _Bad("certificate: expected a JSON object")
        rep.check("format", cert.get("format") == FORMAT, f"expected {FORMAT!r}")
        masks = _parse_masks(cert.get("pattern"))
        rep.check("pattern", True, f"depth {len(masks)}, widths {_widths(masks)}")
        verdict = cert.get("verdict")
        question = cert.get("question", "linear")
        if question not in ("linear", "relu_points"):
            raise _Bad(f"question: unknown value {question!r}")
        if verdict == "not_closed" and question == "linear":
            if cert.get("method") == "cad":
                _check_cad_not_closed(cert, masks, rep, budget)
            else:
                _check_not_closed(cert, masks, rep)
        elif verdict == "closed":
            _check_closed(cert, masks, question, rep, budget)
        elif verdict == "unknown":
            rep.check("verdict", False, "an 'unknown' verdict certifies nothing")
        else:
            rep.check("verdict", False, f"unsupported verdict/question {verdict!r}/{question!r}")
    except _OutOfTime as e:
        rep.incomplete = True
        rep.check("within budget", False, f"could not re-check within budget ({e})")
    except _Bad as e:
        rep.check("well-formed", False, str(e))
    except (ValueError, TypeError, KeyError, ZeroDivisionError, json.JSONDecodeError, OSError) as e:
        rep.check("well-formed", False, f"{type(e).__name__}: {e}")
    except Exception as e:  # an error inside the CAD engine: nothing is certified
        rep.check("re-check ran", False, f"{type(e).__name__}: {e}")
    return rep


# ----------------------------------------------------------------------------------------------
def _check_not_closed(cert, masks, rep):
    w = _widths(masks)
    L = len(masks)
    A_raw = cert.get("target")
    if not (isinstance(A_raw, list) and len(A_raw) == w[L] and all(isinstance(r, list) and len(r) == w[0] for r in A_raw)):
        raise _Bad(f"target: expected a {w[L]} x {w[0]} matrix")
    A = [[_q(x, f"target[{i}][{j}]") for j, x in enumerate(r)] for i, r in enumerate(A_raw)]

    # 1. the escaping family: weights respect the masks; phi(theta(t)) -> A; a pole at 0.
    fam = cert.get("escaping_family")
    if not isinstance(fam, dict) or not isinstance(fam.get("weights"), dict):
        raise _Bad("escaping_family: expected {'parameter': 't', 'weights': {...}}")
    theta = {}
    for name, rf in fam["weights"].items():
        theta[_weight_position(name, masks)] = _RF.parse(rf, f"escaping_family.weights.{name}")
    layers = [dict() for _ in range(L)]
    for (l, i, j), v in theta.items():
        if not v.is_zero():
            layers[l - 1][(i, j)] = v
    prod = layers[0]
    for l in range(1, L):
        prod = _matmul(layers[l], prod)
    bad = []
    for i in range(w[L]):
        for j in range(w[0]):
            v = prod.get((i, j))
            fin, lim = (True, fmpq(0)) if v is None else v.limit()
            if not fin or _to_fraction(lim) != A[i][j]:
                bad.append((i, j, "pole" if not fin else _qstr(_to_fraction(lim))))
    rep.check("phi(theta(t)) -> A as t -> 0+", not bad,
              "" if not bad else f"entry {bad[0][:2]} tends to {bad[0][2]}, target {_qstr(A[bad[0][0]][bad[0][1]])}")
    poles = [k for k, v in theta.items() if not v.is_zero() and v.valuation() < 0]
    rep.check("||theta(t)|| -> infinity", bool(poles),
              f"{len(poles)} weight(s) with a pole at t = 0" if poles else "no weight has a pole at t = 0")

    # 2. A is not in L_I: a Nullstellensatz identity, re-expanded here.
    na = cert.get("non_attainment")
    if not isinstance(na, dict) or na.get("method") != "nullstellensatz":
        raise _Bad("non_attainment: expected method 'nullstellensatz'")
    eqs, mults = na.get("equations"), na.get("multipliers")
    if not (isinstance(eqs, list) and isinstance(mults, list) and len(eqs) == len(mults) and eqs):
        raise _Bad("non_attainment: 'equations' and 'multipliers' must be non-empty lists of equal length")
    total = {}
    for k, (rc, mp) in enumerate(zip(eqs, mults)):
        if not (isinstance(rc, list) and len(rc) == 2 and all(isinstance(x, int) for x in rc)
                and 0 <= rc[0] < w[L] and 0 <= rc[1] < w[0]):
            raise _Bad(f"non_attainment.equations[{k}]: expected [row, col] inside the output matrix")
        f = _padd(_entry_poly(masks, rc[0], rc[1]), {(): A[rc[0]][rc[1]]} if A[rc[0]][rc[1]] else {}, -1)
        total = _padd(total, _pmul(_parse_poly(mp, f"non_attainment.multipliers[{k}]"), f))
    rep.check("sum_i m_i (phi_i - A_i) == 1 (A is not in L_I)", total == {(): Fraction(1)},
              f"the combination has {len(total)} term(s)" if total != {(): Fraction(1)} else
              f"{len(eqs)} equations")

    # 3. the ReLU consequence (Theorem 3.1 of the paper), for one hidden layer.
    relu = cert.get("relu")
    if relu is None:
        rep.check("relu consequence present", L != 2, "depth-2 certificates must carry the training set")
        return
    _check_relu(relu, masks, A, theta, eqs, rep)


def _check_relu(relu, masks, A, theta, eqs, rep):
    """Check the training-set claims of a depth-2 not-closed certificate.

    Infimum 0: with the weights theta(t) and the certificate's biases, every
    hidden pre-activation z_k(t) = W1(t) x_i + b1(t) is >= 0 for all small
    t > 0 (checked: zero, or positive lowest-order Laurent coefficient), so the
    ReLU acts as the identity and the output W2(t) z(t) + b2(t) is a rational
    function of t whose limit is checked to be y_i.

    Never attained.  Let R', C' be the block rows and columns, d' = |C'|, and K'
    the hidden neurons that read some column of C' and reach some row of R'
    (recomputed here).  All points vanish outside C'.  For any parameters, the
    rows R' of the network on such inputs are
        x -> sum_{k in K'} W2[R',k] relu(W1[k,C'] x_{C'} + b1_k) + const,
    because a neuron outside K' either reads nothing from C' (constant on these
    inputs) or does not reach R'.  The activation pattern (which k in K' have
    a positive pre-activation) takes at most K = sum_{i<=d'} C(|K'|, i) values
    on the points: shifting each pre-activation down by half its least positive
    value on the points changes no pattern and puts no point on a hyperplane, so
    the patterns are among the regions of an arrangement of |K'| affine
    hyperplanes (or constants) of R^{d'}, at most that many (Buck 1943;
    <= 2^{|K'|}).  On the points sharing a pattern D the map is affine with linear part
    W2[R',:] D W1[:,C'], which is the R' x C' block of the product of the
    admissible weights (W1 with rows outside D zeroed).  With n >= K d' + 1
    points, some pattern holds d' + 1 of them; they are affinely independent
    (points on the moment curve, Vandermonde; otherwise every (d'+1)-subset
    is checked by an exact determinant), so an exact fit
    y_i = A x_i would force that block to equal A[R',C'].  But the
    Nullstellensatz identity only involves entries of R' x C' (checked), so it
    also shows that A[R',C'] is not such a block: contradiction.
    """
    L = len(masks)
    w = _widths(masks)
    if L != 2:
        raise _Bad("relu: the training-set argument is implemented for one hidden layer only")
    Rp, Cp = relu.get("block_rows"), relu.get("block_cols")
    if not (isinstance(Rp, list) and isinstance(Cp, list) and Rp and Cp
            and all(isinstance(r, int) and 0 <= r < w[2] for r in Rp)
            and all(isinstance(c, int) and 0 <= c < w[0] for c in Cp)
            and len(set(Rp)) == len(Rp) and len(set(Cp)) == len(Cp)):
        raise _Bad("relu: block_rows / block_cols must list distinct output rows / input columns")
    rep.check("identity uses only block entries", all(r in Rp and c in Cp for r, c in eqs),
              "every equation (r, c) lies in block_rows x block_cols")
    M1, M2 = masks
    Kp = [k for k in range(w[1]) if any(M1[k][c] for c in Cp) and any(M2[r][k] for r in Rp)]
    d = len(Cp)
    pts_raw, tg_raw = relu.get("points"), relu.get("targets")
    if not (isinstance(pts_raw, list) and isinstance(tg_raw, list) and len(pts_raw) == len(tg_raw)):
        raise _Bad("relu: 'points' and 'targets' must be lists of equal length")
    if len(pts_raw) > 4096:
        raise _Bad("relu: more than 4096 training points")
    pts = []
    for i, p in enumerate(pts_raw):
        if not (isinstance(p, list) and len(p) == w[0]):
            raise _Bad(f"relu.points[{i}]: expected {w[0]} coordinates")
        pts.append([_q(x, f"relu.points[{i}]") for x in p])
    tgs = []
    for i, y in enumerate(tg_raw):
        if not (isinstance(y, list) and len(y) == w[2]):
            raise _Bad(f"relu.targets[{i}]: expected {w[2]} values")
        tgs.append([_q(v, f"relu.targets[{i}]") for v in y])
    n = len(pts)
    K = sum(comb(len(Kp), i) for i in range(d + 1))
    rep.check("enough points (n >= K d' + 1)", n >= K * d + 1,
              f"n = {n}, K = sum_(i<={d}) C({len(Kp)}, i) = {K} activation patterns of the "
              f"{len(Kp)} neuron(s) linking the block, d' = {d}")
    outside = [i for i, p in enumerate(pts) if any(p[j] for j in range(w[0]) if j not in Cp)]
    rep.check("points vanish outside the block columns", not outside,
              f"point {outside[0]} has a non-zero coordinate outside block_cols" if outside else "")
    rep.check("targets are A x", all(
        tgs[i][r] == sum(A[r][j] * pts[i][j] for j in range(w[0])) for i in range(n) for r in range(w[2])),
        "y_i = A x_i for every point")
    # general position: every d'+1 projected points are affinely independent
    proj = [[p[c] for c in Cp] for p in pts]
    s0 = [q[0] for q in proj]
    if all(q[e] == q[0] ** (e + 1) for q in proj for e in range(d)) and len(set(s0)) == n:
        # moment curve (s, s^2, ..., s^d) with distinct s: any d+1 points are affinely
        # independent, their determinant being a non-zero Vandermonde determinant.
        rep.check("points in general position", True,
                  f"distinct points on the moment curve (s, ..., s^{d}) (Vandermonde)")
    elif comb(n, d + 1) > 200000:
        rep.check("points in general position", False, "too many subsets to check and not on the moment curve")
    else:
        degenerate = None
        for sub in combinations(range(n), d + 1):
            if _det([[Fraction(1)] + proj[i] for i in sub]) == 0:
                degenerate = sub
                break
        rep.check("points in general position", degenerate is None,
                  f"points {degenerate} are affinely dependent" if degenerate else
                  f"all {d + 1}-subsets affinely independent (exact determinants)")
    # the approximating networks
    biases = relu.get("biases")
    if not isinstance(biases, dict):
        raise _Bad("relu.biases: expected an object {name: ratfun}")
    b = {1: {}, 2: {}}
    for name, rf in biases.items():
        m = _BNAME.match(name)
        if not m or int(m.group(1)) not in (1, 2) or int(m.group(2)) >= w[int(m.group(1))]:
            raise _Bad(f"relu.biases: {name!r} is not a bias name b<layer>_<neuron> of this network")
        b[int(m.group(1))][int(m.group(2))] = _RF.parse(rf, f"relu.biases.{name}")
    zero = _RF(fmpq_poly([]))
    W1 = {(i, j): v for (l, i, j), v in theta.items() if l == 1}
    W2 = {(i, j): v for (l, i, j), v in theta.items() if l == 2}
    neg, off = None, None
    for s, x in enumerate(pts):
        z = []
        for k in range(w[1]):
            acc = b[1].get(k, zero)
            for j in range(w[0]):
                if x[j] and (k, j) in W1:
                    acc = acc + W1[(k, j)] * _RF(fmpq_poly([fmpq(x[j].numerator, x[j].denominator)]))
            if not acc.is_zero() and acc.leading() < 0:
                neg = neg or (s, k)
            z.append(acc)
        for r in range(w[2]):
            acc = b[2].get(r, zero)
            for k in range(w[1]):
                if (r, k) in W2:
                    acc = acc + W2[(r, k)] * z[k]
            fin, lim = acc.limit()
            if not fin or _to_fraction(lim) != tgs[s][r]:
                off = off or (s, r)
    rep.check("hidden pre-activations >= 0 for small t > 0", neg is None,
              f"point {neg[0]}, neuron {neg[1]} has a negative pre-activation" if neg else "ReLU acts as the identity")
    rep.check("network outputs -> targets (loss infimum 0)", off is None,
              f"point {off[0]}, output {off[1]} does not tend to its target" if off else "")


def _det(m):
    """Exact determinant by fraction-free-free Gaussian elimination over Q."""
    m = [row[:] for row in m]
    n = len(m)
    det = Fraction(1)
    for c in range(n):
        p = next((r for r in range(c, n) if m[r][c] != 0), None)
        if p is None:
            return Fraction(0)
        if p != c:
            m[c], m[p] = m[p], m[c]
            det = -det
        det *= m[c][c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            if f:
                for k in range(c, n):
                    m[r][k] -= f * m[c][k]
    return det


# ----------------------------------------------------------------------------------------------
# determinantal peeling (replay of netalgebra.theorems.shallow_support_groups, kind (d)); own code
def _dp_cells(sup):
    """The positions U = union of R_k x C_k, as a set of (row, col)."""
    return {(r, c) for R, C in sup.values() for r in R for c in C}


def _dp_parts(sup):
    """Connected components of U's bipartite row/column graph: list of (rows, cols, sub-supports)."""
    pending = dict(sup)
    out = []
    while pending:
        k0 = min(pending)
        rows, cols = set(pending[k0][0]), set(pending[k0][1])
        members = {k0: pending.pop(k0)}
        grown = True
        while grown:
            grown = False
            for k in sorted(pending):
                R, C = pending[k]
                if rows & R or cols & C:
                    rows |= R
                    cols |= C
                    members[k] = pending.pop(k)
                    grown = True
        out.append((frozenset(rows), frozenset(cols), members))
    return out


def _dp_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _dp_without_line(S, line, neuron=None):
    """Row picture: every support loses row ``line``; ``neuron`` (if given) is removed."""
    return {j: (frozenset(R - {line}), C) for j, (R, C) in S.items() if j != neuron and R - {line}}


def _dp_replay(node, sup, rho, depth=0):
    """Re-check a determinantal proof node for the supports ``sup = {k: (R_k, C_k)}`` and the rank
    bound ``rho``: True iff every step's hypotheses hold (malformed nodes raise _Bad).

    Claim of a node: every A with supp A in U (the union of the supports) and rank A <= rho is a
    sum of u_k v_k^T with supp u_k in R_k, supp v_k in C_k.  The steps are proved in
    :func:`netalgebra.theorems.shallow_support_groups`, kind (d).
    """
    if not isinstance(node, dict) or depth > 900:
        raise _Bad("theorem.hypotheses.groups: a determinantal proof node must be an object")
    cells = _dp_cells(sup)
    box_r = {r for r, _ in cells}
    box_c = {c for _, c in cells}
    rho = min(rho, len(box_r), len(box_c))
    if node.get("rho") != rho:
        return False
    step = node.get("step")
    if step == "zero":
        return rho == 0
    if step == "split":
        parts = node.get("parts")
        if not isinstance(parts, list):
            raise _Bad("theorem.hypotheses.groups: split needs a list of parts")
        comps = _dp_parts(sup)
        if len(comps) < 2 or len(parts) != len(comps):
            return False
        given = {}
        for p in parts:
            if not isinstance(p, dict) or not isinstance(p.get("rows"), list) or not isinstance(p.get("cols"), list):
                raise _Bad("theorem.hypotheses.groups: each split part needs rows, cols and proof")
            given[(frozenset(p["rows"]), frozenset(p["cols"]))] = p.get("proof")
        ok = True
        for rows, cols, members in comps:
            if (rows, cols) not in given:
                return False
            ok = _dp_replay(given[(rows, cols)], members, rho, depth + 1) and ok
        return ok
    if step == "rectangle":
        order = node.get("order")
        if not isinstance(order, list) or not all(_dp_int(k) and k in sup for k in order) \
                or len(set(order)) != len(order):
            raise _Bad("theorem.hypotheses.groups: rectangle needs an order of distinct neurons")
        left = rho
        for k in order:
            R, C = sup[k]
            if not left > len(box_r - R) + len(box_c - C):
                return False
            left -= 1
        return left == 0
    side = node.get("side")
    if side not in ("row", "col"):
        raise _Bad(f"theorem.hypotheses.groups: unknown determinantal step {step!r} / side {side!r}")
    # row picture: transpose the supports for a column step (sub-claims are transposed back)
    S = {j: (R, C) if side == "row" else (C, R) for j, (R, C) in sup.items()}
    back = (lambda d: d) if side == "row" else (lambda d: {j: (C, R) for j, (R, C) in d.items()})
    cellsS = _dp_cells(S)
    if step == "matching":
        pairs = node.get("pairs")
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 and _dp_int(p[0])
                                                  and _dp_int(p[1]) for p in pairs):
            raise _Bad("theorem.hypotheses.groups: matching needs a list of [line, neuron] pairs")
        lines = [p[0] for p in pairs]
        used = [p[1] for p in pairs]
        ok = sorted(lines) == sorted({r for r, _ in cellsS}) and len(set(used)) == len(used)
        for r, k in pairs:
            ok = ok and k in S and r in S[k][0] and {c for i, c in cellsS if i == r} <= S[k][1]
        return bool(ok)
    if step not in ("peel", "free"):
        raise _Bad(f"theorem.hypotheses.groups: unknown determinantal step {step!r}")
    line, k = node.get("line"), node.get("neuron")
    if not (_dp_int(line) and _dp_int(k)) or k not in S:
        raise _Bad("theorem.hypotheses.groups: a line step needs an integer line and a neuron of the group")
    Rk, Ck = S[k]
    row_line = {c for i, c in cellsS if i == line}
    others = {(i, c) for j, (R, C) in S.items() if j != k for i in R for c in C}
    ok = rho >= 1 and line in Rk and row_line <= Ck                               # (i)
    ok = ok and all((i, c) in others for i in Rk if i != line for c in Ck)      # (iii)
    if step == "free":
        if not ok:
            return False
        return _dp_replay(node.get("rest"), back(_dp_without_line(S, line, k)), rho, depth + 1)
    ok = ok and not any((i, c) in cellsS for i in {i for i, _ in cellsS} - Rk for c in row_line)  # (ii)
    if not ok:
        return False
    a = _dp_replay(node.get("nonzero"), back(_dp_without_line(S, line, k)), rho - 1, depth + 1)
    b = _dp_replay(node.get("zero"), back(_dp_without_line(S, line)), rho, depth + 1)
    return a and b


# ----------------------------------------------------------------------------------------------
def _check_closed(cert, masks, question, rep, budget=None):
    """Re-check the hypotheses of the theorem named by a closed certificate.

    The theorems (proved in :mod:`netalgebra.theorems`):

    * ``one_layer``: L = 1.  L_I is a coordinate subspace; for ``relu_points``,
      F_I(Omega) is the image of the linear map (W, b) -> (W x + b)_{x in Omega}.
    * ``shallow_scalar_output``: L = 2 and N_2 = 1 (the paper's theorem for
      one-hidden-layer networks of output dimension one: F_I(Omega) is closed
      for every finite Omega; L_I is a coordinate subspace).
    * ``shallow_support_groups``: L = 2; the live hidden neurons split into
      groups whose rank-one supports R_k x C_k are disjoint across groups, and
      inside a group either all supports are identical, or each has a single
      row or a single column, or the group's rank peeling (replayed here in the
      given order: every step needs rho > deficiency |R - R_k| + |C - C_k|)
      empties its rectangle R x C, or (kind ``determinantal``) the group's
      ``rank`` is min(#neurons, #rows, #cols) and its proof tree (steps zero,
      split, rectangle, matching, free, peel; see :func:`_dp_replay`) replays.
    * ``deep_dense_components``: every connected component of the live network
      is dense between consecutive layers.
    * ``shallow_two_points`` (question ``relu_points`` only): L = 2 and at most
      two training points.
    * ``shallow_free_lines``: L = 2; replaying the listed steps (an output row
      r whose only-row neuron k reads everything the row's neurons read, or the
      transposed column step) and zeroing those lines leaves a pattern closed
      by the nested theorem ``then`` (checked recursively).
    """
    th = cert.get("theorem")
    if not isinstance(th, dict) or not isinstance(th.get("name"), str):
        raise _Bad("theorem: expected an object with a 'name'")
    name = th["name"]
    L = len(masks)
    w = _widths(masks)
    if question == "relu_points":
        pts = cert.get("points")
        if not isinstance(pts, list):
            raise _Bad("points: expected the list of training inputs")
        for i, p in enumerate(pts):
            if not (isinstance(p, list) and len(p) == w[0]):
                raise _Bad(f"points[{i}]: expected {w[0]} coordinates")
            for x in p:
                _q(x, f"points[{i}]")
        if name == "one_layer":
            rep.check("hypothesis: depth 1", L == 1, f"depth {L}")
        elif name == "shallow_scalar_output":
            rep.check("hypothesis: one hidden layer, scalar output", L == 2 and w[2] == 1, f"widths {w}")
        elif name == "shallow_two_points":
            rep.check("hypothesis: one hidden layer, at most two points", L == 2 and len(pts) <= 2,
                      f"depth {L}, {len(pts)} point(s)")
        else:
            rep.check("theorem applies to F_I(Omega)", False, f"{name!r} is not a theorem about F_I(Omega)")
        return
    if name == "one_layer":
        rep.check("hypothesis: depth 1", L == 1, f"depth {L}")
    elif name == "shallow_scalar_output":
        rep.check("hypothesis: one hidden layer, scalar output", L == 2 and w[2] == 1, f"widths {w}")
    elif name == "shallow_support_groups":
        if L != 2:
            rep.check("hypothesis: depth 2", False, f"depth {L}")
            return
        M1, M2 = masks
        R = [frozenset(r for r in range(w[2]) if M2[r][k]) for k in range(w[1])]
        C = [frozenset(c for c in range(w[0]) if M1[k][c]) for k in range(w[1])]
        live = [k for k in range(w[1]) if R[k] and C[k]]
        groups = th.get("hypotheses", {}).get("groups")
        if not isinstance(groups, list):
            raise _Bad("theorem.hypotheses.groups: expected a list of {neurons, kind}")
        seen = []
        kinds_ok = True
        for g in groups:
            ns = g.get("neurons") if isinstance(g, dict) else None
            if not isinstance(ns, list) or not all(isinstance(k, int) and 0 <= k < w[1] for k in ns) or not ns:
                raise _Bad("theorem.hypotheses.groups: each group needs a non-empty 'neurons' list")
            seen.extend(ns)
            kind = g.get("kind")
            if kind == "identical":
                kinds_ok &= all(R[k] == R[ns[0]] and C[k] == C[ns[0]] for k in ns)
            elif kind == "subspace":
                kinds_ok &= all(len(R[k]) == 1 or len(C[k]) == 1 for k in ns)
            elif kind == "full_rectangle":
                # replay the rank peeling (proof in netalgebra.theorems.shallow_support_groups (c))
                rows = frozenset().union(*(R[k] for k in ns))
                cols = frozenset().union(*(C[k] for k in ns))
                order = g.get("peeling_order")
                if not isinstance(order, list) or not set(order) <= set(ns) or len(set(order)) != len(order):
                    raise _Bad("theorem.hypotheses.groups: full_rectangle needs a 'peeling_order' of its neurons")
                rho = min(len(rows), len(cols))
                for k in order:
                    dlt = len(rows - R[k]) + len(cols - C[k])
                    if not rho > dlt:
                        kinds_ok = False
                        break
                    rho -= 1
                kinds_ok &= rho == 0
            elif kind == "determinantal":
                # replay the proof tree (netalgebra.theorems.shallow_support_groups (d)): it shows
                # T = {A : supp A in U_g, rank A <= rho} is inside L_g, and L_g is inside T when
                # rho >= min(#neurons, #rows, #cols) of the group
                sup = {k: (R[k], C[k]) for k in ns}
                rows = frozenset().union(*(R[k] for k in ns))
                cols = frozenset().union(*(C[k] for k in ns))
                rho = g.get("rank")
                if not isinstance(rho, int) or isinstance(rho, bool):
                    raise _Bad("theorem.hypotheses.groups: determinantal needs an integer 'rank'")
                kinds_ok &= rho == min(len(set(ns)), len(rows), len(cols))
                kinds_ok &= all(R[k] and C[k] for k in ns) and _dp_replay(g.get("proof"), sup, rho)
            else:
                kinds_ok = False
        rep.check("groups partition the live hidden neurons", sorted(seen) == sorted(live),
                  f"live neurons {live}")
        rep.check("each group satisfies its kind (identical, subspace, full_rectangle, determinantal)", kinds_ok)
        disjoint = True
        for a, b in combinations(range(len(groups)), 2):
            for k in groups[a]["neurons"]:
                for m in groups[b]["neurons"]:
                    if (R[k] & R[m]) and (C[k] & C[m]):
                        disjoint = False
        rep.check("supports of different groups are disjoint", disjoint)
    elif name == "deep_dense_components":
        live = _live(masks)
        comps = _components(masks, live)
        dense = all(masks[l - 1][i][j] for comp in comps for l in range(1, L + 1)
                    for i in comp[l] for j in comp[l - 1])
        rep.check("every live component is dense", dense, f"{len(comps)} component(s)")
    elif name == "shallow_free_lines":
        if L != 2:
            rep.check("hypothesis: depth 2", False, f"depth {L}")
            return
        hyp = th.get("hypotheses", {})
        steps, inner = hyp.get("steps"), hyp.get("then")
        if not isinstance(steps, list) or not steps or not isinstance(inner, dict):
            raise _Bad("theorem.hypotheses: 'steps' (non-empty list) and 'then' (a theorem) are required")
        M1 = [list(r) for r in masks[0]]
        M2 = [list(r) for r in masks[1]]
        ok = True
        for st in steps:
            if not (isinstance(st, list) and len(st) == 3 and st[0] in ("row", "col")
                    and all(isinstance(x, int) for x in st[1:])):
                raise _Bad(f"theorem.hypotheses.steps: bad step {st!r}")
            kind, line, k = st
            if not 0 <= k < w[1] or not 0 <= line < (w[2] if kind == "row" else w[0]):
                raise _Bad(f"theorem.hypotheses.steps: step {st!r} out of range")
            Rs = [{r for r in range(w[2]) if M2[r][j]} for j in range(w[1])]
            Cs = [{c for c in range(w[0]) if M1[j][c]} for j in range(w[1])]
            if kind == "row":
                good = Rs[k] == {line} and all(Cs[j] <= Cs[k] for j in range(w[1]) if M2[line][j])
                M2[line] = [0] * w[1]
            else:
                good = Cs[k] == {line} and all(Rs[j] <= Rs[k] for j in range(w[1]) if M1[j][line])
                for j in range(w[1]):
                    M1[j][line] = 0
            ok &= good
        rep.check("free-line reduction steps", ok, f"{len(steps)} step(s)")
        sub = {"theorem": inner}
        _check_closed(sub, [tuple(map(tuple, M1)), tuple(map(tuple, M2))], question, rep, budget)
    elif name == "shallow_subspace_absorption":
        if L != 2:
            rep.check("hypothesis: depth 2", False, f"depth {L}")
            return
        _check_absorption(th, masks, question, rep, budget)
    elif name == "cad":
        if question != "linear":
            rep.check("CAD certificate", False, "CAD certificates are re-checked for the linear question only")
            return
        _check_cad_closed(th, masks, rep, budget)
    else:
        rep.check("known theorem", False, f"unknown theorem {name!r}")


# ----------------------------------------------------------------------------------------------
# CAD certificates.  The CAD engine (cad.qe, cad.topology) is the trusted base here: the
# verifier states its own sentences about the image of its own product map (_entry_poly) and
# lets cad.qe decide them.  (Theorem certificates never use it.)
class _OutOfTime(Exception):
    """The verifier's time budget ran out (the certificate is neither accepted nor refuted)."""


class _Deadline:
    def __init__(self, timeout):
        import time

        self._now = time.monotonic
        self.timeout = timeout
        self.end = None if timeout is None else self._now() + float(timeout)

    def remaining(self):
        if self.end is None:
            return None
        left = self.end - self._now()
        if left <= 0:
            raise _OutOfTime(f"time budget of {self.timeout} s exhausted")
        return left


def _cad_decide(problem, budget, what):
    """Truth of a sentence by cad.qe.decide within the verifier's budget."""
    from cad.errors import BudgetExceeded
    from cad.qe import decide

    try:
        return bool(decide(problem, timeout=budget.remaining()))
    except BudgetExceeded as e:
        raise _OutOfTime(f"{what}: {e}") from None


def _output_names(masks):
    """Coordinates of R^{N_L x N_0}: y{i}_{j}, row by row."""
    w = _widths(masks)
    return [f"y{i}_{j}" for i in range(w[-1]) for j in range(w[0])]


def _weight_names(masks):
    return [f"w{l}_{i}_{j}" for l, m in enumerate(masks, start=1)
            for i in range(len(m)) for j in range(len(m[0])) if m[i][j]]


def _image_polys(masks, prefix_vars):
    """(ring over prefix_vars + weights, weight names, [phi_ij as fmpz_mpoly] row by row).

    The entries come from the verifier's own path expansion :func:`_entry_poly`."""
    from cad.poly import PolyRing

    w = _widths(masks)
    wn = _weight_names(masks)
    ring = PolyRing(list(prefix_vars) + wn)
    idx = {v: k for k, v in enumerate(ring.variables)}
    phi = []
    for i in range(w[-1]):
        for j in range(w[0]):
            d = {}
            for mono, c in _entry_poly(masks, i, j).items():
                e = [0] * len(idx)
                for v, k in mono:
                    e[idx[v]] += k
                if c.denominator != 1:
                    raise _Bad("internal: non-integral path coefficient")
                d[tuple(e)] = int(c)
            phi.append(ring.ctx.from_dict(d) if d else ring.zero())
    return ring, wn, phi


def _rational_matrix(obj, w, where):
    if not (isinstance(obj, list) and len(obj) == w[-1]
            and all(isinstance(r, list) and len(r) == w[0] for r in obj)):
        raise _Bad(f"{where}: expected a {w[-1]} x {w[0]} matrix of rationals")
    return [[_q(x, f"{where}[{i}][{j}]") for j, x in enumerate(r)] for i, r in enumerate(obj)]


def _in_image(masks, Y, budget, what):
    """Decide ``exists theta: phi(theta) = Y`` (Y a rational matrix) with cad.qe."""
    from cad import formula as F

    ring, wn, phi = _image_polys(masks, [])
    flat = [y for row in Y for y in row]
    atoms = []
    for p, y in zip(phi, flat):
        # den * phi - num = 0  <=>  phi = num / den
        q = p * y.denominator - y.numerator
        if q.is_constant():
            if q != 0:
                return False
            continue
        atoms.append(F.Atom(q, "="))
    if not atoms:
        return True
    problem = F.Problem(ring, (), F.exists(tuple(wn), F.conj(*atoms)))
    return _cad_decide(problem, budget, what)


def _closed_rels_only(D):
    """Syntactic closedness: every atom of the negation normal form is =, <= or >= (each atom is
    the preimage of a closed set under a continuous polynomial; /\\, \\/ keep closedness)."""
    from cad import formula as F

    return all(a.rel in ("=", "<=", ">=") for a in F.atoms(F.nnf(D)))


def _check_cad_closed(th, masks, rep, budget):
    """Closed by CAD: ``D(y)`` (QEPCAD syntax over ``variables``) describes the image and is closed.

    Checks, each decided by cad.qe on sentences built here from the verifier's own product map:
    (a1) image inside D: ``exists theta: not D(phi(theta))`` is FALSE;
    (a2) D inside image: ``forall y: D(y) -> exists theta: y = phi(theta)`` is TRUE;
    together ``forall y (D(y) <-> exists theta: y = phi(theta))``, i.e. D = L_I.
    (b) D is closed: syntactically (NNF over =, <=, >= atoms), else by ``cad.topology.is_closed``.
    """
    from cad import formula as F
    from cad.poly import PolyRing

    hyp = th.get("hypotheses")
    if not isinstance(hyp, dict):
        raise _Bad("theorem.hypotheses: expected {'variables': [...], 'description': '...'}")
    names, desc = hyp.get("variables"), hyp.get("description")
    expect = _output_names(masks)
    if names != expect:
        raise _Bad(f"theorem.hypotheses.variables: expected {expect} (the output entries row by row)")
    if not isinstance(desc, str) or not desc.strip():
        raise _Bad("theorem.hypotheses.description: expected a QEPCAD-syntax formula")
    yring = PolyRing(expect)
    try:
        D = F.parse_formula(desc, yring)
    except Exception as e:
        raise _Bad(f"theorem.hypotheses.description: {e}") from None
    if not F.is_quantifier_free(D):
        raise _Bad("theorem.hypotheses.description: must be quantifier-free")
    ring, wn, phi = _image_polys(masks, expect)
    wring = PolyRing(wn) if wn else None
    Dbig = F.to_ring(D, ring)
    # (a1) image inside D
    Dphi = F.substitute(Dbig, dict(zip(expect, phi)), ring)
    if wn:
        s1 = F.Problem(wring, (), F.exists(tuple(wn), F.negate(F.to_ring(Dphi, wring))))
        bad1 = _cad_decide(s1, budget, "image inside D")
    else:
        bad1 = not F.evaluate(Dphi, ring, {})
    if not rep.check("image of the product map lies in D", not bad1,
                     "exists theta: not D(phi(theta)) is FALSE" if not bad1 else "some phi(theta) violates D"):
        return   # rejected: the remaining (costly) decisions are skipped
    # (a2) D inside image
    eqs = [F.Atom(ring.gen(y) - p, "=") for y, p in zip(expect, phi)]
    inner = F.conj(*eqs)
    if wn:
        inner = F.exists(tuple(wn), inner)
    s2 = F.Problem(ring, (), F.forall(tuple(expect), F.disj(F.negate(Dbig), inner)))
    ok2 = _cad_decide(s2, budget, "D inside image")
    if not rep.check("D lies in the image of the product map", ok2,
                     "forall y: D(y) -> exists theta: y = phi(theta) is TRUE" if ok2 else
                     "a point of D is not a product"):
        return
    # (b) D is closed
    if _closed_rels_only(D):
        rep.check("D is closed", True, "syntactically: NNF built from =, <=, >= atoms with /\\, \\/")
    else:
        from cad import topology
        from cad.errors import BudgetExceeded

        try:
            res = topology.is_closed(F.Problem(yring, tuple(expect), D), timeout=budget.remaining())
        except BudgetExceeded as e:
            raise _OutOfTime(f"is_closed: {e}") from None
        rep.check("D is closed", res.closed is True, f"cad.topology.is_closed: {res.reason}")


def _check_cad_not_closed(cert, masks, rep, budget):
    """Not closed by CAD: a rational point A outside L_I approached by points y_k of L_I.

    Checks: A is not in the image (``exists theta: phi(theta) = A`` is FALSE); at least 5
    approaching points, each in the image (``exists theta: phi(theta) = y_k`` is TRUE), at
    max-norm distances ``0 < d_k <= 2^-k`` with ``d_k <= d_{k-1} / 2`` (strictly decreasing
    towards 0).  When the points lie on a segment (``y_k = A + 2^-(k + e0) U``, ``|U|_max = 1``),
    the whole open segment is checked too: ``forall s in (0, 2^-e0]: A + s U in L_I``, which
    alone proves ``A in cl(L_I)``.
    """
    from fractions import Fraction as Fr

    w = _widths(masks)
    A = _rational_matrix(cert.get("target"), w, "target")
    ap = cert.get("approaching")
    if not isinstance(ap, dict) or not isinstance(ap.get("points"), list):
        raise _Bad("approaching: expected {'points': [Y_0, Y_1, ...], 'rule': ...}")
    pts = [_rational_matrix(Y, w, f"approaching.points[{k}]") for k, Y in enumerate(ap["points"])]
    if not rep.check("at least 5 approaching points", len(pts) >= 5, f"{len(pts)} point(s)"):
        return   # rejected: the (costly) CAD decisions below are skipped
    dists = [max(abs(Y[i][j] - A[i][j]) for i in range(w[-1]) for j in range(w[0])) for Y in pts]
    rule_ok = all(d > 0 for d in dists) and all(d <= Fr(1, 2 ** k) for k, d in enumerate(dists)) \
        and all(dists[k] <= dists[k - 1] / 2 for k in range(1, len(dists)))
    if not rep.check("distances follow the rule 0 < d_k <= min(2^-k, d_(k-1)/2)", rule_ok,
                     "max-norm distances " + ", ".join(_qstr(d) for d in dists)):
        return
    seg = ap.get("segment")
    U = None
    if seg is not None:
        if not isinstance(seg, dict) or not isinstance(seg.get("first_exponent"), int) \
                or isinstance(seg.get("first_exponent"), bool) or seg["first_exponent"] < 0:
            raise _Bad("approaching.segment: expected {'direction': U, 'first_exponent': e0 >= 0}")
        U = _rational_matrix(seg.get("direction"), w, "approaching.segment.direction")
        e0 = seg["first_exponent"]
        unit = max(abs(u) for row in U for u in row) == 1
        on = all(pts[k][i][j] == A[i][j] + Fr(1, 2 ** (k + e0)) * U[i][j]
                 for k in range(len(pts)) for i in range(w[-1]) for j in range(w[0]))
        if not rep.check("points y_k = A + 2^-(k+e0) U with |U|_max = 1", unit and on, f"e0 = {e0}"):
            return
    # exact membership claims (cad.qe)
    outside = not _in_image(masks, A, budget, "A in the image?")
    if not rep.check("A is not in the image (exists theta: phi(theta) = A is FALSE)", outside):
        return
    for k, Y in enumerate(pts):
        if not rep.check(f"y_{k} is in the image", _in_image(masks, Y, budget, f"y_{k} in the image?")):
            return
    if U is not None:
        rep.check("A + s U is in the image for all 0 < s <= 2^-e0 (A is in the closure)",
                  _segment_in_image(masks, A, U, seg["first_exponent"], budget))


def _segment_in_image(masks, A, U, e0, budget):
    """Decide ``forall s: (0 < s /\\ 2^e0 s <= 1) -> exists theta: phi(theta) = A + s U``."""
    from cad import formula as F

    ring, wn, phi = _image_polys(masks, ["s"])
    s = ring.gen("s")
    flat_a = [a for row in A for a in row]
    flat_u = [u for row in U for u in row]
    atoms = []
    for p, a, u in zip(phi, flat_a, flat_u):
        den = a.denominator * u.denominator
        q = p * den - (a * den).numerator - s * int(u * den)
        atoms.append(F.Atom(q, "="))
    body = F.conj(*atoms)
    if wn:
        body = F.exists(tuple(wn), body)
    sentence = F.forall(("s",), F.disj(F.Atom(s, "<="), F.Atom(s * (2 ** e0) - 1, ">"), body))
    return _cad_decide(F.Problem(ring, (), sentence), budget, "segment in the image")


def _stars_only(E):
    """Every connected component of the bipartite graph with edges E (positions (r, c)) has a
    single row or a single column (verifier's own union-find)."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, c in E:
        a, b = find(("r", r)), find(("c", c))
        if a != b:
            parent[a] = b
    rows, cols = {}, {}
    for r, c in E:
        root = find(("r", r))
        rows.setdefault(root, set()).add(r)
        cols.setdefault(root, set()).add(c)
    return all(len(rows[k]) == 1 or len(cols[k]) == 1 for k in rows)


def _rect_pieces(E):
    """Connected components of a position set E (adjacent: same row or same column), as
    (rows, cols, number of positions), ordered by their smallest position (verifier's own code)."""
    left = sorted(E)
    out = []
    while left:
        comp = [left.pop(0)]
        rows, cols = {comp[0][0]}, {comp[0][1]}
        changed = True
        while changed:
            changed = False
            for e in list(left):
                if e[0] in rows or e[1] in cols:
                    left.remove(e)
                    comp.append(e)
                    rows.add(e[0])
                    cols.add(e[1])
                    changed = True
        out.append((min(comp), rows, cols, len(comp)))
    return [(rows, cols, n) for _, rows, cols, n in sorted(out, key=lambda x: x[0])]


def _check_absorption(th, masks, question, rep, budget):
    """Replay the absorption of :func:`netalgebra.theorems.shallow_subspace_absorption`.

    Recomputes from the masks: for each listed neuron in order, its uncovered support
    ``E_k = S_k minus U`` is a union of single-row/single-column stars, then ``U`` grows by
    ``E_k``; the listed neurons are live and distinct; every other live neuron's ``S_j minus U``
    is empty or a union of rectangles (its connected components, which then use disjoint rows and
    columns); the reduced pattern I* built here (one hidden neuron per rectangle) is closed by the
    nested theorem (re-checked recursively) or is zero.
    """
    w = _widths(masks)
    M1, M2 = masks
    hyp = th.get("hypotheses")
    order = hyp.get("absorbed") if isinstance(hyp, dict) else None
    if not isinstance(order, list) or not order or not all(isinstance(k, int) and not isinstance(k, bool)
                                                           and 0 <= k < w[1] for k in order) \
            or len(set(order)) != len(order):
        raise _Bad("theorem.hypotheses.absorbed: expected a non-empty list of distinct hidden neurons")
    R = [{r for r in range(w[2]) if M2[r][k]} for k in range(w[1])]
    C = [{c for c in range(w[0]) if M1[k][c]} for k in range(w[1])]
    live = [k for k in range(w[1]) if R[k] and C[k]]
    U = set()
    ok = all(k in live for k in order)
    for k in order:
        E = {(r, c) for r in R[k] for c in C[k]} - U
        ok &= _stars_only(E)
        U |= E
    rep.check("absorbed neurons add coordinate subspaces (stars)", ok, f"order {order}")
    # I*: one hidden neuron per rectangle of each remaining support (the first keeps the index
    # of its neuron, the others get new indices w[1], w[1] + 1, ... in order)
    rect = True
    pieces, nxt = [], w[1]
    for j in live:
        if j in order:
            continue
        E = {(r, c) for r in R[j] for c in C[j]} - U
        for t, (rows, cols, size) in enumerate(_rect_pieces(E)):
            if size != len(rows) * len(cols):
                rect = False
            pieces.append((j if t == 0 else nxt, rows, cols))
            nxt += 0 if t == 0 else 1
    N1 = [[0] * w[0] for _ in range(nxt)]
    N2 = [[0] * nxt for _ in range(w[2])]
    for h, rows, cols in pieces:
        for c in cols:
            N1[h][c] = 1
        for r in rows:
            N2[r][h] = 1
    rep.check("remaining supports are rectangles (in disjoint rows and columns)", rect)
    inner = hyp.get("then")
    if any(any(row) for row in N1):
        if not isinstance(inner, dict):
            raise _Bad("theorem.hypotheses.then: the reduced pattern is not zero; a theorem is required")
        _check_closed({"theorem": inner}, [tuple(map(tuple, N1)), tuple(map(tuple, N2))], question, rep, budget)
    else:
        rep.check("reduced pattern is zero", True, "L_I is the coordinate subspace on U")
