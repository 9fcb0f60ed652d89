r"""Bounds of variables implied by the matrix, added as atoms before the projection.

If the matrix ``phi`` implies an atom ``beta`` then ``phi <-> phi /\ beta``, so ``beta`` may be
added whatever the quantifiers.  The bounds are read off the top-level conjunction of the
matrix (a conjunct ``kappa`` of ``phi``: ``phi -> kappa``):

* **Linear atoms: Fourier--Motzkin** (proved).  Each atom of total degree 1 is a linear
  constraint ``L >= 0`` (``>``, ``<`` and ``<=`` are weakened to non-strict ones, ``=`` gives
  two, ``/=`` none), so the points of ``phi`` lie in the polyhedron ``P`` they define.  To
  bound ``y``, the other variables are eliminated one by one: for a variable ``z``, every
  pair of constraints with positive and negative coefficients of ``z`` is combined, with
  positive multipliers, into one without ``z``; those without ``z`` are kept.  The new system
  defines exactly the projection of ``P`` (Fourier 1827, Motzkin 1936): every combination is
  implied, and conversely, for a point satisfying the new system the lower bounds on ``z``
  of the old one are all below its upper bounds (each pair was combined), so some ``z``
  satisfies all.  The constraints left on ``y`` alone, ``a y + k >= 0``, give
  ``y >= -k/a`` (``a > 0``) or ``y <= -k/a`` (``a < 0``), exact bounds of ``y`` on ``P``.
* **One pass of interval arithmetic** for the other atoms ``g rel 0`` linear in a variable
  ``y`` with a constant coefficient, ``g = c y + r``: where every variable of ``r`` is bounded,
  ``r`` takes values in an interval ``[R-, R+]`` (sums and products of intervals contain
  the sums and products of their elements), so ``g >= 0`` gives ``c y >= -R+`` and ``g <= 0``
  gives ``c y <= -R-``, divided by ``c`` with the inequality reversed when ``c < 0``.  On
  portfolio (issue 19) this bounds the free variable ``x0`` through its equation.

**Use** (:func:`cad.elimination.preprocess.preprocess`).  The bounds are computed on the
matrix before the quadratic split; a later step that eliminates variables ``X`` gives a
matrix ``psi`` with ``psi <-> (Q X) phi``, which implies every bound on a variable outside
``X`` as ``phi`` does.  Shears change the meaning of variables and run before.  Atoms are
added for the bound variables below the last one (the partial CAD lifts over their cells,
and a cell outside the bounds is false at once), and for the free ones: a bound of a free
variable is a polynomial of the first level and costs no projection.  An atom already in the
conjunction is not added again.
"""

from flint import fmpq, fmpz_mpoly_ctx

from cad.logic import And, Atom, Truth

__all__ = ["implied_bounds", "with_bounds"]

#: Fourier--Motzkin is abandoned for a variable when the system grows past this many rows
MAX_ROWS = 400
#: ... or when there are more linear constraints (an equation counts twice) or variables
MAX_LINEAR_ATOMS = 40
MAX_VARIABLES = 10


def implied_bounds(matrix, nvars):
    """``[(lo, hi)] * nvars`` (``fmpq`` or None for no bound) implied by the top-level
    conjunction of ``matrix`` (module docstring); None when ``matrix`` is not a conjunction."""
    if not isinstance(matrix, And):
        return None
    atoms = [k for k in matrix.children() if isinstance(k, Atom) and not k.poly.is_constant()]
    rows = []
    for a in atoms:
        if a.poly.total_degree() == 1 and a.rel != "/=":
            row = _row(a.poly, nvars)
            if a.rel in (">", ">=", "="):
                rows.append(row)
            if a.rel in ("<", "<=", "="):
                rows.append(([-c for c in row[0]], -row[1]))
    box = [[None, None] for _ in range(nvars)]
    if rows and len(rows) <= MAX_LINEAR_ATOMS and nvars <= MAX_VARIABLES:
        used = {j for coeffs, _ in rows for j, c in enumerate(coeffs) if c != 0}
        for y in sorted(used):
            _tighten(box[y], _fourier_motzkin(rows, y, [j for j in sorted(used) if j != y]))
    for a in atoms:
        _propagate(a, box)
    return [tuple(b) for b in box]


def _row(p, nvars):
    """The linear polynomial ``p`` as ``(coefficients, constant)``."""
    coeffs = [fmpq(0)] * nvars
    const = fmpq(0)
    for exps, c in p.to_dict().items():
        j = next((i for i, e in enumerate(exps) if e), None)
        if j is None:
            const = fmpq(int(c))
        else:
            coeffs[j] = fmpq(int(c))
    return coeffs, const


def _fourier_motzkin(rows, y, others):
    """``(lo, hi)`` of ``y`` on ``{x : every row >= 0}`` (None: unbounded or too large)."""
    for z in others:
        pos = [r for r in rows if r[0][z] > 0]
        neg = [r for r in rows if r[0][z] < 0]
        keep = [r for r in rows if r[0][z] == 0]
        if len(keep) + len(pos) * len(neg) > MAX_ROWS:
            return None, None
        for p in pos:
            for n in neg:
                s, t = -n[0][z], p[0][z]        # both > 0: s p + t n has no z
                keep.append(([s * a + t * b for a, b in zip(p[0], n[0])], s * p[1] + t * n[1]))
        rows = _deduplicated(keep)
    lo = hi = None
    for coeffs, k in rows:
        a = coeffs[y]
        if a > 0:
            lo = -k / a if lo is None else max(lo, -k / a)
        elif a < 0:
            hi = -k / a if hi is None else min(hi, -k / a)
        elif k < 0:
            return None, None                   # infeasible: no bound is needed
    return lo, hi


def _deduplicated(rows):
    """``rows`` with each scaled so that its first non-zero entry is +-1, repeats removed."""
    out = {}
    for coeffs, k in rows:
        lead = next((c for c in coeffs if c != 0), None)
        if lead is None:
            if k < 0:
                out[("false",)] = (coeffs, k)
            continue
        s = abs(lead)
        row = ([c / s for c in coeffs], k / s)
        # keyed by integers: hashing an fmpq imports ``fractions`` (python-flint matches
        # Fraction's hash), milliseconds paid again in every hard-limited child
        out.setdefault(tuple((int(c.p), int(c.q)) for c in row[0]) + (int(row[1].p), int(row[1].q)),
                       row)
    return list(out.values())


def _tighten(b, bound):
    lo, hi = bound
    if lo is not None and (b[0] is None or lo > b[0]):
        b[0] = lo
    if hi is not None and (b[1] is None or hi < b[1]):
        b[1] = hi


def _propagate(a, box):
    """Bounds from ``a``, linear in some variable with a constant coefficient, by intervals."""
    p = a.poly
    if a.rel == "/=":
        return
    for y, d in enumerate(p.degrees()):
        if d != 1:
            continue
        c = None
        rest = []
        for exps, coef in p.to_dict().items():
            if exps[y] == 1 and not any(e for i, e in enumerate(exps) if i != y):
                c = fmpq(int(coef))
            elif exps[y]:
                c = None
                break
            else:
                rest.append((exps, fmpq(int(coef))))
        if c is None:
            continue
        lo_r, hi_r = _interval(rest, box)
        upper_bound = None   # of c y: from g <= 0, c y <= -R-
        lower_bound = None   # from g >= 0, c y >= -R+
        if a.rel in (">", ">=", "=") and hi_r is not None:
            lower_bound = -hi_r
        if a.rel in ("<", "<=", "=") and lo_r is not None:
            upper_bound = -lo_r
        if c > 0:
            _tighten(box[y], (None if lower_bound is None else lower_bound / c,
                              None if upper_bound is None else upper_bound / c))
        else:
            _tighten(box[y], (None if upper_bound is None else upper_bound / c,
                              None if lower_bound is None else lower_bound / c))


def _interval(terms, box):
    """An interval containing the values of ``sum coef * x^exps`` on ``box`` (None: infinite)."""
    lo = hi = fmpq(0)
    for exps, coef in terms:
        t_lo, t_hi = coef, coef
        for j, e in enumerate(exps):
            if not e:
                continue
            b_lo, b_hi = box[j]
            if b_lo is None or b_hi is None:
                return None, None
            p_lo, p_hi = _power(b_lo, b_hi, e)
            prods = [t_lo * p_lo, t_lo * p_hi, t_hi * p_lo, t_hi * p_hi]
            t_lo, t_hi = min(prods), max(prods)
        lo, hi = lo + t_lo, hi + t_hi
    return lo, hi


def _power(lo, hi, e):
    """The interval ``{x^e : lo <= x <= hi}``."""
    a, b = lo ** e, hi ** e
    if e % 2 == 0 and lo < 0 < hi:
        return fmpq(0), max(a, b)
    return min(a, b), max(a, b)


def with_bounds(matrix, bounds, old_order, order, nfree):
    """``matrix`` (generators ``order``) with the atoms ``y >= lo``, ``y <= hi`` of ``bounds``
    (indexed by ``old_order``) added for the free variables and the bound ones below the last
    (module docstring); atoms already among the top-level conjuncts are not repeated."""
    if bounds is None or len(order) <= nfree or isinstance(matrix, Truth):
        return matrix
    ctx = fmpz_mpoly_ctx.get(tuple(order), "lex")
    gens = ctx.gens()
    where = {name: i for i, name in enumerate(old_order)}
    kids = list(matrix.children()) if isinstance(matrix, And) else [matrix]
    present = set(kids)
    new = []
    for i, name in enumerate(order[:-1]):
        lo, hi = bounds[where[name]]
        for value, rel in ((lo, ">="), (hi, "<=")):
            if value is None:
                continue
            atom = Atom(int(value.q) * gens[i] - int(value.p), rel)
            if atom not in present:
                present.add(atom)
                new.append(atom)
    return And(tuple(new) + tuple(kids)) if new else matrix
