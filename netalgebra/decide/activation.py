"""Exact polyhedral tools for ``F_I(Omega)`` of one hidden layer: activation cones and a small LP.

Setting (docs/mathematics.md, "F_I(Omega) for a given finite Omega").  Hidden neuron ``k`` reads
the columns ``C_k``; on the training inputs ``x_1 .. x_n`` its pre-activations are
``z = M_k c`` with ``M_k = [X[:, C_k] | 1]`` and ``c = (w, beta)``, so ``z`` ranges over the column
space ``Z_k`` of ``M_k`` and its activation vector over ``relu(Z_k)``.  For a sign pattern
``P`` (the points where ``z >= 0`` is used, ``z <= 0`` elsewhere) ``relu`` is the coordinate
projection ``Pi_P`` on ``Z_k cap O_P``, so

    relu(Z_k) = union over P of Pi_P (Z_k cap O_P),

a finite union of finitely generated cones.  :func:`pattern_cones` lists them with their
extreme rays, each ray carried with the parameters ``c`` that produce it.

:func:`lp_feasible` decides ``{A x = b, x >= 0}`` exactly (Bland's rule, Fractions) and returns a
solution or None; :func:`farkas` returns the alternative ``y`` (``A^T y >= 0``, ``b.y = -1``)
when there is no solution.  Everything is exact; nothing here is trusted by the verifier.
"""

from fractions import Fraction
from itertools import combinations

__all__ = ["column_basis", "null_vector", "pattern_cones", "lp_feasible", "farkas", "diff_map"]


def _rref_pivots(rows, ncols):
    """Row-reduce a copy of ``rows`` (lists of Fractions); returns (reduced rows, pivot columns)."""
    m = [list(r) for r in rows]
    piv, r = [], 0
    for c in range(ncols):
        p = next((i for i in range(r, len(m)) if m[i][c] != 0), None)
        if p is None:
            continue
        m[r], m[p] = m[p], m[r]
        inv = 1 / m[r][c]
        m[r] = [v * inv for v in m[r]]
        for i in range(len(m)):
            if i != r and m[i][c] != 0:
                f = m[i][c]
                m[i] = [a - f * b for a, b in zip(m[i], m[r])]
        piv.append(c)
        r += 1
        if r == len(m):
            break
    return m, piv


def column_basis(M):
    """Indices of a maximal set of linearly independent columns of ``M`` (n x p)."""
    if not M:
        return []
    return _rref_pivots(M, len(M[0]))[1]


def null_vector(rows, ncols):
    """A non-zero vector ``v`` with ``rows . v = 0`` when the kernel has dimension one, else None."""
    m, piv = _rref_pivots(rows, ncols) if rows else ([], [])
    free = [c for c in range(ncols) if c not in piv]
    if len(free) != 1:
        return None
    f = free[0]
    v = [Fraction(0)] * ncols
    v[f] = Fraction(1)
    for i, c in enumerate(piv):
        v[c] = -m[i][f]
    return v


def diff_map(a):
    """``T a = (a_i - a_n)_{i < n}``: the quotient by the constant vectors (free output bias)."""
    return [x - a[-1] for x in a[:-1]]


def pattern_cones(M):
    """The cones of ``relu(col M)``: a list of ``(P, rays)`` with ``P`` the frozenset of points where
    ``z >= 0`` is used and ``rays`` the extreme rays ``(c, a)`` -- parameters ``c`` (zero outside a
    column basis of ``M``) and activation vector ``a = Pi_P M c`` -- of ``Pi_P (col M cap O_P)``.

    In basis coordinates the cone ``{c : s_i (B c)_i >= 0}`` is pointed (``B`` has full column rank),
    so its extreme rays are the feasible one-dimensional solutions of ``r - 1`` tight constraints
    (``r`` = rank); every ray of the cone is a non-negative combination of them.
    """
    n, p = len(M), len(M[0])
    basis = column_basis(M)
    B = [[row[j] for j in basis] for row in M]
    r = len(basis)
    out = []
    for bits in range(1 << n):
        P = frozenset(i for i in range(n) if bits >> i & 1)
        sgn = [1 if i in P else -1 for i in range(n)]
        rays = []
        for tight in combinations(range(n), r - 1):
            v = null_vector([B[i] for i in tight], r) if r > 1 else [Fraction(1)]
            if v is None:
                continue
            for s in (1, -1):
                c = [s * x for x in v]
                z = [sum(B[i][j] * c[j] for j in range(r)) for i in range(n)]
                a = [z[i] if i in P else Fraction(0) for i in range(n)]
                if all(sgn[i] * z[i] >= 0 for i in range(n)) and any(a):
                    full = [Fraction(0)] * p
                    for j, col in enumerate(basis):
                        full[col] = c[j]
                    if all(any(x != y for x, y in zip(a, a2)) for _, a2 in rays):
                        rays.append((full, a))
        if rays:
            out.append((P, rays))
    return out


# ---------------------------------------------------------------------------------------------
# exact linear programming (feasibility only)
def lp_feasible(A, b):
    """A solution ``x >= 0`` of ``A x = b`` (rows of Fractions), or None.  Phase one of the simplex
    method with Bland's rule (terminates), exact."""
    m = len(A)
    nv = len(A[0]) if m else 0
    rows = []
    for i in range(m):
        s = -1 if b[i] < 0 else 1
        rows.append([s * Fraction(x) for x in A[i]] + [Fraction(1 if j == i else 0) for j in range(m)]
                    + [s * Fraction(b[i])])
    basis = [nv + i for i in range(m)]
    ncol = nv + m
    while True:
        # reduced costs of phase one (minimise the sum of artificials)
        red = [-sum(rows[i][j] for i in range(m) if basis[i] >= nv) + (1 if j >= nv else 0)
               for j in range(ncol)]
        enter = next((j for j in range(ncol) if red[j] < 0 and j not in basis), None)
        if enter is None:
            break
        ratios = [(rows[i][-1] / rows[i][enter], basis[i], i) for i in range(m) if rows[i][enter] > 0]
        if not ratios:
            break
        _, _, leave = min(ratios)
        pv = rows[leave][enter]
        rows[leave] = [v / pv for v in rows[leave]]
        for i in range(m):
            if i != leave and rows[i][enter] != 0:
                f = rows[i][enter]
                rows[i] = [a - f * c for a, c in zip(rows[i], rows[leave])]
        basis[leave] = enter
    x = [Fraction(0)] * ncol
    for i in range(m):
        x[basis[i]] = rows[i][-1]
    if any(x[nv + i] != 0 for i in range(m)):
        return None
    return x[:nv]


def farkas(A, b):
    """When ``{A x = b, x >= 0}`` has no solution: ``y`` with ``A^T y >= 0`` and ``b . y = -1``
    (free ``y`` split as ``y+ - y-``, slack for the inequalities); None when it has one."""
    m = len(A)
    nv = len(A[0]) if m else 0
    # unknowns: y+ (m), y- (m), slack s (nv) with A^T (y+ - y-) - s = 0 and b.(y+ - y-) = -1
    rows = []
    for j in range(nv):
        rows.append([A[i][j] for i in range(m)] + [-A[i][j] for i in range(m)]
                    + [Fraction(-1 if k == j else 0) for k in range(nv)])
    rows.append([Fraction(b[i]) for i in range(m)] + [-Fraction(b[i]) for i in range(m)] + [Fraction(0)] * nv)
    sol = lp_feasible(rows, [Fraction(0)] * nv + [Fraction(-1)])
    if sol is None:
        return None
    return [sol[i] - sol[m + i] for i in range(m)]
