"""Real roots of a polynomial on the line over a point with real algebraic coordinates.

:func:`real_roots_in_fiber` takes the norm of the polynomial (a resultant with the
minimal polynomials of the coordinates) and confirms each real root of the norm
exactly; :func:`fiber_polynomial` is the cheap case of a rational point.
"""

from __future__ import annotations

from math import gcd

from flint import arb, ctx as _flint_ctx, fmpq, fmpq_mpoly, fmpq_mpoly_ctx, fmpq_poly, fmpz_mpoly

from cad.errors import InputError
from cad.numbers.embedding import MONIC_DEGREE, Embedding, express_in, squarefree_over
from cad.numbers.quadratic_field import field_element_root, quadratic_norm, quadratic_roots
from cad.numbers.rational import as_real
from cad.numbers.real_algebraic import RealAlgebraic
from cad.poly.ops import coefficients_in, subs_exact, to_q, to_z, univariate, zctx_of
from cad.poly.sign import _exact_sign, _reduce_mod_minpolys, _sign_filter, sign_at_algebraic
from cad.poly.terms import Terms

__all__ = ["real_roots_in_fiber", "fiber_polynomial", "PartialFibre", "FibreOverAlgebraic",
           "embedding_over"]


def real_roots_in_fiber(p, point, var_index):
    """Distinct real roots ``y`` of ``p(point, y)`` where ``y`` is generator ``var_index``.

    ``point`` gives the values of generators ``0 .. var_index-1`` (so
    ``len(point) == var_index``); ``p`` must not depend on generators after
    ``var_index``.  Returns a sorted list of :class:`RealAlgebraic`, or ``None`` when
    ``p(point, y)`` vanishes identically in ``y``.

    Method: rational coordinates are substituted.  The leading coefficient in ``y``
    may vanish at the point: coefficients are tested exactly (:func:`sign_at`) from
    the top down and the vanishing ones dropped (their terms are 0 at the point).
    With only rational coordinates the result is a univariate rational polynomial,
    isolated directly.  Otherwise the norm ``N(y) = Res_{x_1}(...Res_{x_k}(q, m_k)...,
    m_1)`` equals ``c * prod_b q(b, y)`` over the tuples ``b`` of conjugates; its roots
    contain those of ``q(alpha, y)``.  If some tuple makes ``q(b, y)`` vanish
    identically ``N`` is 0; then ``N`` is taken as the lowest non-zero coefficient in
    ``s`` of the norm of ``q + s`` (the product over the other tuples, still a
    multiple of ``q(alpha, y)``).  Each real root ``beta`` of ``N`` (isolated exactly,
    then described by its minimal polynomial) is kept iff ``q(alpha, beta) = 0``:
    a 64-bit ball excluding 0 rejects it; a sign change of ``q(alpha, y)`` between
    the endpoints of an interval isolating ``beta`` among the roots of ``N`` accepts
    it (the only possible root of ``q(alpha, y)`` there is ``beta``); otherwise (even
    multiplicity or near misses) the exact zero test of :func:`sign_at` decides.
    """
    if not isinstance(p, (fmpz_mpoly, fmpq_mpoly)):
        raise InputError(f"real_roots_in_fiber: expected a flint fmpz_mpoly, got {type(p).__name__}")
    try:
        pts = list(point)
    except TypeError:
        raise InputError("real_roots_in_fiber: point must be a sequence of coordinates") from None
    zctx = p.context()
    n = zctx.nvars()
    if not isinstance(var_index, int) or isinstance(var_index, bool):
        raise InputError(f"real_roots_in_fiber: var_index must be an int, got {type(var_index).__name__}")
    if var_index != len(pts):
        raise InputError(
            f"real_roots_in_fiber: var_index = {var_index} but the point has {len(pts)} coordinates "
            "(it must give the values of the variables before var_index)"
        )
    if var_index >= n:
        raise InputError(f"real_roots_in_fiber: var_index = {var_index} but the ring has only {n} variables")
    if p.is_zero():
        return None
    degs = p.degrees()
    for i in range(var_index + 1, n):
        if degs[i] > 0:
            raise InputError(
                f"real_roots_in_fiber: the polynomial depends on variable {zctx.names()[i]!r} (index {i}) "
                f"after var_index = {var_index}"
            )
    # substitute the rational coordinates (y stays symbolic)
    q, alg = _prepare_fiber(p, pts)
    if q.is_zero():
        return None
    if not alg:
        # univariate in y
        f = univariate(q, var_index)
        if f.is_zero():
            return None
        return RealAlgebraic.roots_of(f) if f.degree() > 0 else []
    if len(alg) == 1:
        return _one_algebraic(q, alg[0], var_index)
    return _roots_over_algebraic(q, alg, var_index)


def _roots_over_algebraic(q, alg, var_index):
    """:func:`real_roots_in_fiber` of ``q`` (rational coordinates substituted) over the
    irrational coordinates ``alg``, on multivariate polynomials."""
    coeffs = coefficients_in(q, var_index)   # low to high degree in y
    # drop coefficients vanishing at the point (degree drop)
    top = None
    for e in range(len(coeffs) - 1, -1, -1):
        if sign_at_algebraic(coeffs[e], alg) != 0:
            top = e
            break
    if top is None:
        return None
    if top == 0:
        return []
    qc = q.context()
    y = qc.gens()[var_index]
    qt = qc.from_dict({})
    for e in range(top + 1):
        c = coeffs[e]
        if not c.is_zero():
            qt = qt + c * y**e
    qt = _reduce_mod_minpolys(qt, alg)
    qd = qt.degrees()
    alg_used = [(i, a) for i, a in alg if qd[i] > 0]
    if not alg_used:
        # the reduced polynomial no longer involves the algebraic coordinates
        f = univariate(qt, var_index)
        return RealAlgebraic.roots_of(f) if f.degree() > 0 else []
    zq = to_z(qt, zctx_of(qc)) if isinstance(qt, fmpq_mpoly) else qt
    return _confirmed_roots(_norm(zq, alg_used, var_index), None,
                            lambda beta: _vanishes_at(zq, alg_used, var_index, beta))


def _confirmed_roots(norm, count, is_root, may_be_root=None):
    """The real roots of ``norm`` (a norm of a fibre: a multiple of it whose coefficients are
    rational) that are roots of the fibre; ``count``, when given, is their number: with that
    many candidates all are roots, and once that many are confirmed the others are not.
    ``is_root`` tests one; ``may_be_root``, a cheap filter, is false only on candidates that
    are not roots."""
    cands = RealAlgebraic.roots_of(norm)
    if may_be_root is not None and count is not None and len(cands) > count:
        cands = [beta for beta in cands if may_be_root(beta)]
    if count is not None and len(cands) == count:
        return cands
    out = []
    for beta in cands:
        if is_root(beta):
            out.append(beta)
            if len(out) == count:
                break
    return out


def _one_algebraic(q, alg_i, j):
    """:func:`real_roots_in_fiber` over one irrational coordinate ``alpha = x_i`` (``q`` in
    ``Q[x_i, x_j]``), on univariate polynomials (:func:`reduced_fibre`)."""
    i, a = alg_i
    buckets = {}
    for mono, c in zip(q.monoms(), q.coeffs()):
        buckets.setdefault(mono[j], {})[mono[i]] = c
    coeffs = [_poly_of(buckets.get(e)) for e in range(_length(buckets))]
    return FibreOverAlgebraic(a, coeffs, i).roots(q.context(), j)


class FibreOverAlgebraic:
    """``sum_e c_e(alpha) y^e`` for fmpq_polys ``c_e`` and an irrational ``alpha``, each
    ``c_e`` reduced modulo the minimal polynomial ``m`` of ``alpha``: a reduced coefficient
    vanishes at ``alpha`` iff it is 0 (its degree is below that of the irreducible ``m``),
    so the degree in ``y`` at ``alpha`` is exact at once.  Calling it at a rational ``y``
    gives the exact sign there (as lifting's rational fibres give a value of that sign)."""

    __slots__ = ("alpha", "i", "reduced", "_balls", "_sqfree", "_cballs", "_zfibre")

    def __init__(self, alpha, coeffs, i):
        m = fmpq_poly(alpha.poly)
        reduced = [c % m for c in coeffs]
        while reduced and reduced[-1].is_zero():
            reduced.pop()
        self.alpha = alpha
        self.i = i            # alpha is generator i of the contexts in :meth:`roots`
        self.reduced = reduced
        self._balls = False   # the root balls of :meth:`_may_be_root`, once computed
        self._sqfree = False  # the squarefree part of :meth:`_squarefree`, once computed
        self._cballs = None   # the coefficients' 64-bit balls at alpha, once computed
        self._zfibre = None   # (ctx, j, the fibre of :meth:`_integer_fibre` there), once computed

    def __call__(self, y):
        """The exact sign at the rational ``y``: a 64-bit ball of the value (the coefficients'
        balls at ``alpha``, cached) settles it when it excludes 0; else :meth:`_sign`."""
        cs = self._coefficient_balls()
        with _flint_ctx.workprec(64):
            t = arb(y)
            v = arb(0)
            for c in reversed(cs):
                v = v * t + c
        if v > 0:
            return 1
        if v < 0:
            return -1
        return self._sign(self.reduced, y)

    def _sign(self, coeffs, y):
        """The exact sign at the rational ``y`` of ``sum_e coeffs[e](alpha) y^e`` (each
        ``coeffs[e]`` of degree below ``deg alpha``, so the value is 0 iff the polynomial is)."""
        v = fmpq_poly(0)
        for c in reversed(coeffs):
            v = v * y + c
        return 0 if v.is_zero() else self.alpha.sign_of(v)

    def _squarefree(self):
        """The coefficients of a multiple (in ``Q(alpha)``) of the squarefree part, or None
        when the fibre is squarefree (:func:`cad.numbers.embedding.squarefree_over`)."""
        if self._sqfree is False:
            self._sqfree = squarefree_over(fmpq_poly(self.alpha.poly), list(self.reduced))
        return self._sqfree

    def roots(self, ctx, j):
        """The sorted real roots in ``y`` (None when the fibre vanishes identically); ``ctx``
        the mpoly context with ``alpha`` as generator ``i`` and ``y`` as generator ``j``,
        for the norm when the coefficients are not all rational."""
        reduced, i = self.reduced, self.i
        if not reduced:
            return None
        if len(reduced) == 1:
            return []
        if all(r.degree() <= 0 for r in reduced):
            return RealAlgebraic.roots_of(fmpq_poly([r[0] for r in reduced]).numer())
        # the number of distinct real roots, when cheap: 1 for a line, and for a quadratic
        # the sign of its discriminant (exact, an element of Q(alpha))
        count = 1 if len(reduced) == 2 else None
        if len(reduced) == 3:
            c, b, a = reduced
            disc = (b * b - 4 * a * c) % fmpq_poly(self.alpha.poly)
            s = 0 if disc.is_zero() else self.alpha.sign_of(disc)
            if s < 0:
                return []
            count = 2 if s > 0 else 1     # a zero discriminant: one (double) root
        if self.alpha.degree == 2 and count == 1:
            # the root of a line, or the double root -b/2a: an element of Q(alpha)
            c0, c1 = reduced[:2] if len(reduced) == 2 else (reduced[1], 2 * reduced[2])
            return [field_element_root(self.alpha, c0, c1)]
        if self.alpha.degree == 2:
            norm = quadratic_norm(reduced, self.alpha.poly)
        else:
            norm = _norm(self._integer_fibre(ctx, j), [(i, self.alpha)], j)
        if self.alpha.degree == 2 and count == 2:
            found = quadratic_roots(self.alpha, reduced, norm)
            if found is not None:
                return found
        return _confirmed_roots(norm, count,
                                lambda beta: self._has_root(beta, ctx, j),
                                lambda beta: self._may_be_root(beta, count))

    def _integer_fibre(self, ctx, j):
        """The fibre as an fmpz_mpoly of ``ctx``'s integer context (``alpha`` generator ``i``,
        ``y`` generator ``j``), a positive integer multiple; built once (the norm and every
        candidate root that reaches the exact test use it)."""
        cached = self._zfibre
        if cached is None or cached[0] is not ctx or cached[1] != j:
            self._zfibre = cached = (ctx, j, self._build_integer_fibre(ctx, j))
        return cached[2]

    def _build_integer_fibre(self, ctx, j):
        reduced, i = self.reduced, self.i
        den = 1
        for r in reduced:
            den = den * int(r.denom()) // gcd(den, int(r.denom()))
        n = ctx.nvars()
        terms = {}
        for e, r in enumerate(reduced):
            for d, c in enumerate((r * den).numer().coeffs()):
                if c != 0:
                    exps = [0] * n
                    exps[i], exps[j] = d, e
                    terms[tuple(exps)] = int(c)
        zctx = zctx_of(ctx) if isinstance(ctx, fmpq_mpoly_ctx) else ctx
        return zctx.from_dict(terms)

    def _coefficient_balls(self):
        """The coefficients at ``alpha``'s 64-bit ball (computed once: every candidate root
        and the root balls of a line or quadratic use them)."""
        if self._cballs is None:
            a = self.alpha.arb(64)
            with _flint_ctx.workprec(64):
                self._cballs = [c.numer()(a) / arb(c.denom()) for c in self.reduced]
        return self._cballs

    def _may_be_root(self, beta, count):
        """False only when ``beta`` is certainly not a root: for a line or a quadratic the
        roots lie in balls from the formula (coefficients at ``alpha``'s 64-bit ball), and a
        root of the norm whose ball meets none of them is not one of them."""
        balls = self._balls
        if balls is False:
            balls = self._balls = self._root_balls(count)
        if balls is None:
            return True
        if beta.is_rational:
            b = arb(beta.rational)
            return any(b.overlaps(r) for r in balls)
        lo, hi = beta.interval
        with _flint_ctx.workprec(64):
            b = arb(lo).union(arb(hi))     # the current interval first: often enough
        if not any(b.overlaps(r) for r in balls):
            return False
        b = beta.arb(16)
        return any(b.overlaps(r) for r in balls)

    def _root_balls(self, count):
        """Balls holding the ``count`` real roots of a line or a quadratic, or None when a
        ball of the formula meets 0 where it must not."""
        cs = self._coefficient_balls()
        with _flint_ctx.workprec(64):
            if len(cs) == 2:
                return [-cs[0] / cs[1]] if cs[1] > 0 or cs[1] < 0 else None
            c, b, a = cs
            if not (a > 0 or a < 0):
                return None
            if count == 1:     # the double root of a zero discriminant
                return [-b / (2 * a)]
            d = b * b - 4 * a * c
            if not d > 0:
                return None
            r = d.sqrt()
            return [(-b - r) / (2 * a), (-b + r) / (2 * a)]

    def _has_root(self, beta, ctx, j):
        """Is the real root ``beta`` of the norm a root here?  ``beta``'s interval ``(lo, hi)``
        isolates it among the roots of the norm, which include every root of the fibre, and
        its ends are not roots of the norm.  So a sign change of the fibre between ``lo`` and
        ``hi`` accepts (the one root there is ``beta``), and a ball of the fibre over the whole
        interval excluding 0 rejects; neither needs ``beta`` refined.  Else (a root of even
        multiplicity, or a near miss) the sign of the fibre's squarefree part over ``Q(alpha)``
        at ``lo`` and ``hi`` decides: its roots are simple, so it changes sign there iff
        ``beta`` is a root.  Where that part may be costly (a field of high degree and a fibre
        of high degree: pseudo-remainders), :func:`_vanishes_at` decides."""
        if beta.is_rational:
            return self(beta.rational) == 0
        lo, hi = beta.interval
        if self(lo) * self(hi) < 0:
            return True
        cs = self._coefficient_balls()
        with _flint_ctx.workprec(64):
            b = arb(lo).union(arb(hi))
            v = arb(0)
            for c in reversed(cs):
                v = v * b + c
        if v > 0 or v < 0:
            return False
        if self.alpha.degree > MONIC_DEGREE and len(self.reduced) > 5:
            return _vanishes_at(self._integer_fibre(ctx, j), [(self.i, self.alpha)], j, beta)
        sq = self._squarefree()
        if sq is None:
            return False
        return self._sign(sq, lo) * self._sign(sq, hi) < 0


def fiber_polynomial(p, point):
    """``p(point, y)`` as a univariate fmpz_poly in ``y`` (generator ``len(point)``), up to a
    positive constant factor, when every coordinate ``p`` depends on is rational; else None.

    Lifting evaluates the same factor at the several rational sector samples of one
    stack: substituting the base point once and evaluating this polynomial keeps the
    signs exact and avoids re-substituting every coordinate for each sample.
    """
    q, alg = _prepare_fiber(p, point)
    if alg:
        return None
    return univariate(q, len(point))


class PartialFibre:
    """A factor ``p`` of level ``k + 2`` with a cell's sample (``k`` coordinates) substituted,
    kept for the stacks over the cell's children: each child adds one coordinate ``v`` (of
    ``x_k``) and needs ``p(sample, v, y)``, ``y = x_{k+1}``.

    The rational coordinates are substituted on Python integers (:class:`cad.poly.terms.Terms`,
    a positive integer multiple of ``p``: same signs, same roots).  With a rational sample
    (or one whose irrational coordinates ``p`` ignores), ``_coeffs[e]`` is the polynomial in
    ``x_k`` (integer coefficients) multiplying ``y^e``; with exactly one irrational coordinate
    ``alpha = x_i`` that ``p`` depends on, ``_coeffs[e][d]`` is the fmpq_poly in ``x_i``, reduced
    modulo ``alpha``'s minimal polynomial, multiplying ``x_k^d y^e``.  :attr:`q` is ``p`` with
    the sample's rational coordinates substituted (an mpoly of ``p``'s context), made only when
    asked.  Substituting once per cell leaves each child the cheap :meth:`fibre`."""

    __slots__ = ("p", "sample", "k", "alpha", "i", "_coeffs", "_q")

    def __init__(self, p, sample, terms=None):
        """``terms``: :class:`cad.poly.terms.Terms` of ``p`` split after ``len(sample)``
        generators, when the caller keeps them.  Raises ValueError when ``p`` depends on two
        irrational coordinates of ``sample``."""
        k = len(sample)
        degs = p.degrees()
        values = []
        alg = []
        for i, v in enumerate(sample):
            if degs[i] and type(v) is not fmpq:
                v = as_real(v, f"PartialFibre: sample[{i}]")
                if isinstance(v, RealAlgebraic):
                    alg.append((i, v))
                    v = None
            values.append(v)
        if len(alg) > 1:
            raise ValueError("two irrational coordinates")
        self.p, self.sample, self.k = p, sample, k
        self._q = None
        table = (terms if terms is not None else Terms(p, k)).substitute(values)
        if not alg:
            self.alpha = self.i = None
            buckets = {}
            for key, c in table.items():
                buckets.setdefault(key[1], {})[key[0]] = c
            self._coeffs = [_poly_of(buckets.get(e)) for e in range(_length(buckets))]
            return
        self.i, self.alpha = alg[0]
        mq = fmpq_poly(self.alpha.poly)
        buckets = {}
        for key, c in table.items():
            buckets.setdefault(key[2], {}).setdefault(key[1], {})[key[0]] = c
        coeffs = []
        for e in range(_length(buckets)):
            b = buckets.get(e) or {}
            coeffs.append([_poly_of(b.get(d)) % mq for d in range(_length(b))])
        self._coeffs = coeffs

    @property
    def q(self):
        """``p`` with the sample's rational coordinates substituted."""
        if self._q is None:
            self._q = _prepare_fiber(self.p, self.sample)[0]
        return self._q

    def fibre(self, v, embedding=None):
        """``p(sample, v, y)`` for the value ``v`` of ``x_k``: an fmpz_poly (a positive multiple)
        when every coordinate involved is rational, a :class:`FibreOverAlgebraic` when exactly
        one is irrational, or when two are and ``embedding`` (a
        :class:`cad.numbers.embedding.Embedding` for ``v``) writes ``alpha`` as a rational
        function of ``v`` (then a positive multiple of the fibre); else None (then :func:`real_roots_in_fiber` on ``q``)."""
        if type(v) is not fmpq and v.is_rational:
            v = v.rational
        if self.alpha is None:
            if type(v) is fmpq:
                return fmpq_poly([c(v) for c in self._coeffs]).numer()
            return FibreOverAlgebraic(v, self._coeffs, self.k)
        if type(v) is not fmpq:
            if embedding is None or embedding.v is not v:
                return None
            # every coefficient an element of Q(v): D(v)^E c_{e,d}(N(v)/D(v)) v^d, the same
            # positive factor D(v)^E throughout (same roots, same signs)
            w = fmpq_poly([0, 1])
            out = []
            for row in self._coeffs:
                acc = fmpq_poly(0)
                for c in reversed(row):
                    acc = acc * w + embedding.image(c)
                out.append(acc)
            return FibreOverAlgebraic(v, out, self.k)
        out = []
        for row in self._coeffs:
            acc = fmpq_poly(0)
            for c in reversed(row):
                acc = acc * v + c
            out.append(acc)
        return FibreOverAlgebraic(self.alpha, out, self.i)

    def roots(self, g):
        """The sorted real roots in ``y`` of the fibre ``g`` from :meth:`fibre`, None when it
        vanishes identically."""
        if isinstance(g, FibreOverAlgebraic):
            return g.roots(self.p.context(), self.k + 1)
        return None if g.is_zero() else RealAlgebraic.roots_of(g)


def embedding_over(relations, sample):
    """An :class:`Embedding` writing the one irrational coordinate ``alpha`` of
    ``sample[:-1]`` as a rational function of the irrational last coordinate ``v``, from the first of
    ``relations`` (polynomials of level ``len(sample)`` vanishing at ``sample``) for which
    :func:`express_in` succeeds; None when none does."""
    k = len(sample) - 1
    v = sample[-1]
    for f in relations:
        q, alg = _prepare_fiber(f, sample[:-1])
        if len(alg) != 1:
            continue
        i, alpha = alg[0]
        buckets = {}
        for m, c in zip(q.monoms(), q.coeffs()):
            buckets.setdefault(m[i], {})[m[k]] = c
        nd = express_in(alpha, v, [_poly_of(buckets.get(e)) for e in range(_length(buckets))])
        if nd is not None:
            return Embedding(v, *nd, alpha.degree)
    return None


def _length(buckets):
    return max(buckets) + 1 if buckets else 0


def _poly_of(bucket):
    """The fmpq_poly with the coefficients ``{exponent: c}``."""
    return fmpq_poly([bucket.get(d, 0) for d in range(max(bucket) + 1)]) if bucket else fmpq_poly(0)


def _prepare_fiber(p, pts):
    """Substitute the rational coordinates among ``pts`` (y = generator len(pts) kept)."""
    degs = p.degrees()
    ints, rats, alg = {}, {}, []
    for i, v in enumerate(pts):
        if degs[i] == 0:
            continue
        if type(v) is not fmpq:
            v = as_real(v, f"real_roots_in_fiber: point[{i}] ({p.context().names()[i]})")
        if isinstance(v, RealAlgebraic):
            alg.append((i, v))
        elif v.q == 1:
            ints[i] = v.p
        else:
            rats[i] = v
    return subs_exact(p, ints, rats), alg


def _norm(zq, alg, j):
    """Univariate (in generator j) norm of zq w.r.t. the algebraic coordinates."""
    zctx = zq.context()
    names = zctx.names()
    n = zctx.nvars()

    def minpoly_mpoly(c, i, nv):
        md = {}
        for e, a in enumerate(alg_dict[i].poly.coeffs()):
            if a != 0:
                exps = [0] * nv
                exps[i] = e
                md[tuple(exps)] = a
        return c.from_dict(md)

    alg_dict = dict(alg)
    N = zq
    for i, _a in reversed(alg):
        N = N.resultant(minpoly_mpoly(zctx, i, n), names[i])
    if N.is_zero():
        # some conjugate tuple kills q(b, y) identically: use the norm of q + s and take
        # the lowest non-zero coefficient in s (product over the other tuples)
        sname = "_s"
        while sname in names:
            sname += "_"
        ectx = zctx.append_gens(sname)
        s = ectx.gens()[-1]
        N = zq.project_to_context(ectx) + s
        for i, _a in reversed(alg):
            N = N.resultant(minpoly_mpoly(ectx, i, n + 1), names[i])
        low = {}
        for m, c in zip(N.monoms(), N.coeffs()):
            low.setdefault(m[n], {})[m] = c
        e = min(low)
        N = zctx.from_dict({m[:n]: c for m, c in low[e].items()})
    return univariate(N, j)

def _subs_rational(zq, j, r):
    if r.q == 1:
        return zq.subs({j: r.p})
    return to_q(zq).subs({j: r})


def _vanishes_at(zq, alg, j, beta):
    """Exact test ``q(alpha, beta) == 0`` for a real root ``beta`` of the norm ``N``.

    ``beta``'s current interval lies inside an interval isolating it among the roots
    of ``N``, and every root of ``q(alpha, y)`` is a root of ``N``.  So a sign change
    of ``q(alpha, y)`` between the endpoints (which are not roots of ``N``) proves
    ``q(alpha, beta) = 0``; a ball excluding 0 proves the opposite; remaining cases
    (roots of even multiplicity) go to the exact test of :func:`_exact_sign`.
    """
    if isinstance(beta, RealAlgebraic) and beta.rational is not None:
        beta = beta.rational
    if not isinstance(beta, RealAlgebraic):
        return sign_at_algebraic(_subs_rational(zq, j, beta), alg) == 0
    al = list(alg) + [(j, beta)]
    # a coarse ball first: refining beta to 64 bits costs more than all the rest when
    # the other conjugates' roots are far apart, as they usually are
    if _sign_filter(zq, al, (16,)) is not None:
        return False
    lo, hi = beta.interval
    slo = sign_at_algebraic(_subs_rational(zq, j, lo), alg)
    shi = sign_at_algebraic(_subs_rational(zq, j, hi), alg)
    if slo * shi < 0:
        return True
    if _sign_filter(zq, al, (64,)) is not None:
        return False
    return _exact_sign(zq, al) == 0
