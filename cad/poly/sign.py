"""Exact signs of multivariate polynomials at points with real algebraic coordinates.

:func:`sign_at` substitutes the rational coordinates exactly, filters with ball
arithmetic (flint ``arb``) and settles uncertain cases by an exact zero test based on
a root-separation bound of an (uncomputed) iterated resultant (see :func:`sign_at`).
"""

from __future__ import annotations

from flint import arb, ctx as _flint_ctx, fmpq, fmpq_mpoly, fmpz_mpoly

from cad.errors import InputError
from cad.numbers.rational import sign as _sgn, to_fmpq as _to_fmpq
from cad.numbers.real_algebraic import RealAlgebraic
from cad.numbers.roots import root_bound_exponent
from cad.poly.ops import qctx_of, subs_exact, to_q, to_z, univariate, zctx_of

__all__ = ["sign_at", "sign_at_algebraic"]


def _prepare(p, point, name="sign_at"):
    """Validate ``point`` against ``p``'s context; substitute the rational coordinates.

    Returns ``(q, alg)`` where ``q`` is an fmpz_mpoly or fmpq_mpoly equal, as a
    function of the remaining variables, to ``p`` with the rational coordinates
    substituted, and ``alg`` the list ``[(index, RealAlgebraic)]`` of the irrational
    coordinates ``p`` depends on.  When every coordinate ``p`` depends on is rational,
    ``q`` is the value itself (fmpz / fmpq) and ``alg`` is empty.
    """
    if not isinstance(p, (fmpz_mpoly, fmpq_mpoly)):
        raise InputError(f"{name}: expected a flint fmpz_mpoly, got {type(p).__name__}")
    try:
        pts = list(point)
    except TypeError:
        raise InputError(f"{name}: point must be a sequence of coordinates, got {type(point).__name__}") from None
    zctx = p.context()
    n = zctx.nvars()
    k = len(pts)
    if k > n:
        raise InputError(f"{name}: point has {k} coordinates but the polynomial ring has only {n} variables")
    degs = p.degrees()
    if k < n:
        for i in range(k, n):
            if degs[i] > 0:
                raise InputError(
                    f"{name}: the polynomial depends on variable {zctx.names()[i]!r} (index {i}) "
                    f"but the point gives only {k} coordinates"
                )
    vals = [0] * n
    alg = []
    all_int = True
    for i in range(k):
        v = pts[i]
        if isinstance(v, RealAlgebraic):
            if v.rational is not None:
                v = v.rational
        elif not isinstance(v, fmpq):
            v = _to_fmpq(v, f"{name}: point[{i}] ({zctx.names()[i]})")
        if degs[i] == 0:
            continue
        if isinstance(v, RealAlgebraic):
            alg.append((i, v))
        else:
            if v.q != 1:
                all_int = False
                vals[i] = v
            else:
                vals[i] = v.p
    if not alg:
        if all_int and isinstance(p, fmpz_mpoly):
            return p(*vals), alg
        return (p if isinstance(p, fmpq_mpoly) else fmpq_mpoly(p))(*vals), alg
    ints = {}
    rats = {}
    alg_idx = {i for i, _a in alg}
    for i in range(k):
        if degs[i] == 0 or i in alg_idx:
            continue
        v = vals[i]
        if isinstance(v, fmpq):
            rats[i] = v
        else:
            ints[i] = v
    return subs_exact(p, ints, rats), alg


def _arb_eval(q, vals, prec):
    """Ball evaluation of the mpoly ``q`` at ``vals`` (dict index -> arb)."""
    with _flint_ctx.workprec(prec):
        total = arb(0)
        powers = {}
        for m, c in q.terms():
            t = arb(c)
            for i, e in enumerate(m):
                if e:
                    key = (i, e)
                    pw = powers.get(key)
                    if pw is None:
                        pw = powers[key] = vals[i] ** e
                    t = t * pw
            total = total + t
        return total


def _ball_at(q, alg, prec):
    """Ball enclosure of ``q`` at the algebraic coordinates ``alg`` (each to ``prec`` bits)."""
    return _arb_eval(q, {i: a.arb(prec) for i, a in alg}, prec + 10)


def _ball_sign(v):
    """1 or -1 when the ball ``v`` excludes 0, else None."""
    if v > 0:
        return 1
    if v < 0:
        return -1
    return None


def _sign_filter(q, alg, precs=(64,)):
    """Sign of q at the algebraic coordinates by ball arithmetic, or None if unsure."""
    for prec in precs:
        s = _ball_sign(_ball_at(q, alg, prec))
        if s is not None:
            return s
    return None


def _reduce_mod_minpolys(q, alg):
    """Remainder of ``q`` modulo the minimal polynomials ``m_i(x_i)`` (over Q).

    Multivariate division by a univariate ``m_i`` (leading monomial ``x_i^d`` in every
    monomial order) leaves a remainder of degree ``< d`` in ``x_i`` that differs from
    ``q`` by a multiple of ``m_i(x_i)``, hence has the same value at the point.
    """
    zctx = q.context()
    if isinstance(q, fmpz_mpoly):
        qctx = qctx_of(zctx)
        q = to_q(q)
    else:
        qctx = zctx
    n = qctx.nvars()
    degs = q.degrees()
    for i, a in alg:
        m = a.poly
        d = m.degree()
        if degs[i] >= d:
            exps = [0] * n
            md = {}
            for e, c in enumerate(m.coeffs()):
                if c != 0:
                    exps[i] = e
                    md[tuple(exps)] = c
            mq = qctx.from_dict(md)
            q = divmod(q, mq)[1]
            if q.is_zero():
                return q
            degs = q.degrees()
    return q


def _zero_gap_bits(qz, alg):
    """``b`` such that ``q(alpha) != 0`` implies ``|q(alpha)| > 2^-b``.

    ``qz`` has integer coefficients; ``alg = [(i, alpha_i)]`` with minimal polynomials
    ``m_i`` (degree ``d_i``, leading coefficient ``l_i``, all complex roots of modulus
    ``< 2^{k_i}``, Fujiwara).  Proof: the iterated resultant
    ``R(t) = Res_{x_1}(... Res_{x_k}(t - q, m_k) ..., m_1)`` is an integer polynomial
    (never computed) equal, by Poisson's formula ``Res_x(A, m) = l^{deg_x A}
    prod_{m(b)=0} A(b)`` applied level by level, to
    ``c * prod_{b in Z(m_1) x ... x Z(m_k)} (t - q(b))`` with
    ``|c| = prod |l_i|^{f_i}``, ``f_i <= deg_{x_i}(q) * prod_{j != i} d_j``.  So
    ``q(alpha)`` is a root of ``R`` and the Mahler measure satisfies
    ``M(R) = |c| prod_b max(1, |q(b)|) <= |c| H^D`` with ``D = prod d_i`` and
    ``H = sum_terms |coeff| prod 2^{k_i e_i} >= |q(b)|``.  Writing ``R = t^j R_1`` with
    ``R_1(0) != 0``, a root ``z != 0`` of ``R_1`` satisfies
    ``|z| >= |R_1(0)| / (|lc R_1| prod_{z' != z} max(1, |z'|)) >= 1 / M(R_1) = 1 / M(R)``
    because ``R_1(0)`` is a non-zero integer.  Hence ``|q(alpha)| >= 1/(|c| H^D)``.
    """
    degs = qz.degrees()
    ds = {i: a.poly.degree() for i, a in alg}
    D = 1
    for d in ds.values():
        D *= d
    ks = {}
    cbits = 0
    for i, a in alg:
        k = root_bound_exponent(a.poly)
        ks[i] = k if k > 0 else 0
        lbits = int(abs(a.poly.leading_coefficient())).bit_length()
        cbits += degs[i] * (D // ds[i]) * lbits
    H = 0
    for m, c in qz.terms():
        sh = 0
        for i, _a in alg:
            sh += ks[i] * m[i]
        H += abs(int(c)) << sh
    return cbits + D * max(H.bit_length(), 1) + 1


def _exact_sign(q, alg):
    """Exact sign of the mpoly ``q`` (rational coordinates already substituted) at the
    irrational coordinates ``alg``.  See :func:`sign_at` for the proof."""
    if q.is_constant():
        return _sgn(q.coeffs()[0]) if not q.is_zero() else 0
    q = _reduce_mod_minpolys(q, alg)
    if q.is_zero():
        return 0
    if q.is_constant():
        return _sgn(q.coeffs()[0])
    degs = q.degrees()
    alg = [(i, a) for i, a in alg if degs[i] > 0]
    if len(alg) == 1:
        i, a = alg[0]
        f = univariate(q, i)
        # deg f < deg minpoly and minpoly irreducible: f(a) == 0 iff f == 0
        return a._sign_nonzero(f) if not f.is_zero() else 0
    zctx = q.context()
    qz = to_z(q, zctx_of(zctx)) if isinstance(q, fmpq_mpoly) else q
    return _sign_by_balls(qz, alg, _zero_gap_bits(qz, alg))

def _sign_by_balls(q, alg, bits):
    """Evaluate q at the point in balls of increasing precision.

    ``bits is None``: ``q(alpha) != 0`` is known, stop when the ball excludes 0.
    Otherwise ``q(alpha) != 0`` implies ``|q(alpha)| > 2^-bits``, so a ball inside
    ``[-2^-bits, 2^-bits]`` proves ``q(alpha) = 0``.  One of the two happens at finite
    precision since the ball radius tends to 0 as the precision grows.
    """
    prec = 64
    bound = None
    while True:
        v = _ball_at(q, alg, prec)
        s = _ball_sign(v)
        if s is not None:
            return s
        if bits is not None:
            with _flint_ctx.workprec(prec + 10):
                if bound is None:
                    bound = arb(fmpq(1, 1 << bits))
                if abs(v) <= bound:
                    return 0
            # jump close to the needed precision rather than doubling from 64
            prec = max(2 * prec, bits + 64) if prec < bits else 2 * prec
        else:
            prec *= 2


def sign_at(p, point) -> int:
    """Exact sign (-1, 0, 1) of the integer polynomial ``p`` at ``point``.

    ``point[i]`` is the value (RealAlgebraic, fmpq or int) of the i-th generator of
    ``p``'s context; a shorter point is allowed when ``p`` does not depend on the
    remaining generators.

    Method.  Rational coordinates are substituted exactly first (a positive
    multiple of ``p`` is kept when denominators are cleared, so signs are unchanged).
    With the remaining irrational coordinates ``alpha_1..alpha_k`` (minimal
    polynomials ``m_1..m_k``), a ball evaluation at 64 bits settles most cases.
    Otherwise the exact test:

    1. ``q`` := remainder of ``p`` modulo every ``m_i(x_i)``; ``q(alpha) = p(alpha)``.
       ``q = 0`` gives sign 0.  If only one ``alpha`` is left, ``q`` is univariate of
       degree ``< deg m``; since ``m`` is irreducible, ``q(alpha) = 0`` iff ``q = 0``.
    2. Else, root separation: ``q(alpha)`` is a root of the integer polynomial
       ``R(t) = Res_{x_1}(... Res_{x_k}(t - q(x), m_k(x_k)) ..., m_1(x_1))`` whose Mahler
       measure is bounded from the degrees, leading coefficients and root bounds of the
       ``m_i`` and the coefficients of ``q`` (``R`` itself is never computed); a
       non-zero root of an integer polynomial has modulus ``>= 1/M(R)``.  This gives
       ``b`` with ``q(alpha) != 0 => |q(alpha)| > 2^-b`` (:func:`_zero_gap_bits` has the
       full proof).
    3. Balls of increasing precision around ``q(alpha)`` (coordinates refined by
       exact quadratic interval refinement): a ball excluding 0 gives the sign, a ball
       inside ``[-2^-b, 2^-b]`` proves ``q(alpha) = 0``.  Since the radius tends to 0,
       one of the two happens at finite precision.
    """
    q, alg = _prepare(p, point)
    if not alg:
        return _sgn(q)
    if len(alg) == 1:
        i, a = alg[0]
        return a.sign_of(univariate(q, i))
    if q.is_constant():  # the algebraic coordinates cancelled out
        return _sgn(q.coeffs()[0]) if not q.is_zero() else 0
    s = _sign_filter(q, alg)
    if s is not None:
        return s
    return _exact_sign(q, alg)


def sign_at_algebraic(q, alg):
    """Exact sign of the mpoly ``q`` at the irrational coordinates ``alg`` (all other
    variables it depends on already substituted)."""
    if q.is_zero():
        return 0
    if q.is_constant():
        return _sgn(q.coeffs()[0])
    degs = q.degrees()
    al = [(i, a) for i, a in alg if degs[i] > 0]
    if not al:
        return _sgn(q.coeffs()[0])
    if len(al) == 1:
        i, a = al[0]
        return a.sign_of(univariate(q, i))
    s = _sign_filter(q, al)
    if s is not None:
        return s
    return _exact_sign(q, al)
