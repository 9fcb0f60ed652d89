"""Checker of ``deep_rational_cover``: ``L_I = V_K`` by a case tree of rational realisations
(proved in :mod:`netalgebra.theorems.rational_cover`; docs/mathematics.md, "Rational covers").

Replayed with the verifier's own code, exactly over Q (python-flint ``fmpq_mpoly``): ``K`` (the
boolean product of the masks) and the root set (every entry of ``K`` free, none assumed non-zero);
for every node, its weights (rational functions of the node's free entries only, on the masks'
supports) multiplied out as matrices ``W_L ... W_1`` and compared with the node's matrix
``sigma`` entry by entry (zero outside ``K``); every irreducible factor of every weight's
denominator either assumed non-zero at the node or the hypersurface of one of its children; for
every child, its polynomial of degree 1 in the named free variable, the factors of its leading
coefficient assumed non-zero (at the node or by an earlier sibling), and its ``sigma`` and its
non-zero assumptions *recomputed* here by the substitution (never read from the certificate).  A
node whose assumptions include the zero polynomial has an empty set and needs nothing.

Trusted: python-flint's multivariate arithmetic over Q (products, sums, exact division, gcd).
Factorisations are multiplied back before use (every listed factor non-constant, with a positive
exponent), so only "``p`` vanishes exactly where one of its listed factors does" is used, never
irreducibility.  Sizes are bounded before each flint product, power and factorisation
(:data:`MAX_WORK`; :data:`MAX_FACTOR_TERMS` for gcds and factorisations): those calls cannot be
interrupted by the budget.
"""

from flint import fmpq, fmpq_mpoly_ctx

from netalgebra.certificate.kernel import Malformed, parse_poly, weight_position, widths
from netalgebra.certificate.rational_scaling import bidegree_components, is_bihomogeneous
from netalgebra.naming import entry_name

__all__ = ["check_rational_cover", "check_dense_realisation", "MAX_NODES", "MAX_TERMS", "MAX_DEGREE"]

MAX_NODES = 2000          # nodes of a case tree the checker accepts
MAX_TERMS = 20000         # terms of one polynomial in the certificate
MAX_DEGREE = 200          # total degree of one term
MAX_FACTOR_TERMS = 5000   # terms the checker factors, or reduces by a gcd (the prover's are far smaller)
MAX_WORK = 2_000_000      # term pairs of one product (50x the prover's MAX_PRODUCT); flint calls cannot
                          # be interrupted by the budget, so a hostile certificate is bounded by size first


def _mul(a, b):
    """``a * b``, refused (Malformed) when the product could be too large to re-check in bounded time."""
    if len(a) * len(b) > MAX_WORK:
        raise Malformed(f"rational cover: a product of {len(a)} x {len(b)} terms (more than {MAX_WORK} "
                        "term pairs) is too large to re-check")
    return a * b


def _power(a, k):
    """``a ** k`` under the same bound as :func:`_mul` (``len(a)**k`` bounds the term pairs)."""
    if k and len(a) ** k > MAX_WORK:
        raise Malformed(f"rational cover: a power {k} of a {len(a)}-term polynomial is too large to re-check")
    return a ** k


class _Rat:
    """``num / den`` over a ``fmpq_mpoly`` ring, kept with ``gcd(num, den) = 1``."""

    __slots__ = ("num", "den")

    def __init__(self, num, den):
        if den.is_zero():
            raise Malformed("rational cover: a zero denominator")
        if not den.is_constant() and not num.is_zero():
            if len(num) + len(den) > MAX_FACTOR_TERMS:
                raise Malformed(f"rational cover: a fraction of {len(num) + len(den)} terms (more than "
                                f"{MAX_FACTOR_TERMS}) is too large to re-check")
            g = num.gcd(den)
            num, den = num / g, den / g
        self.num, self.den = num, den

    def plus(self, o):
        return _Rat(_mul(self.num, o.den) + _mul(o.num, self.den), _mul(self.den, o.den))

    def times(self, o):
        return _Rat(_mul(self.num, o.num), _mul(self.den, o.den))

    def same(self, o):
        return _mul(self.num, o.den) == _mul(o.num, self.den)


def _boolean_product(masks):
    K = [[int(i == j) for j in range(len(masks[0][0]))] for i in range(len(masks[0][0]))]
    for m in masks:
        K = [[int(any(m[a][k] and K[k][j] for k in range(len(K)))) for j in range(len(K[0]))]
             for a in range(len(m))]
    return {(i, j) for i, row in enumerate(K) for j, x in enumerate(row) if x}


def _poly(obj, ctx, names, allowed, where):
    """A certificate polynomial as an element of ``ctx``, in the variables ``allowed`` only."""
    if isinstance(obj, list) and len(obj) > MAX_TERMS:
        raise Malformed(f"{where}: more than {MAX_TERMS} terms")
    terms = {}
    for mono, c in parse_poly(obj, where).items():
        exps = [0] * len(names)
        if sum(e for _, e in mono) > MAX_DEGREE:
            raise Malformed(f"{where}: a term of degree above {MAX_DEGREE}")
        for v, e in mono:
            if v not in allowed:
                raise Malformed(f"{where}: variable {v!r} is not a free entry of this node")
            exps[names.index(v)] = e
        terms[tuple(exps)] = fmpq(c.numerator, c.denominator)
    return ctx.from_dict(terms)


def _monic_factors(p):
    """Factors ``f`` of ``p`` (non-constant, each divided by its leading coefficient) with
    ``p = c * prod f^a``, multiplied back here: whatever the factorisation routine returns, ``p``
    vanishes exactly where one of them does.  Irreducibility is never relied on."""
    if p.is_zero() or p.is_constant():
        return []
    if len(p) > MAX_FACTOR_TERMS:
        raise Malformed(f"rational cover: a polynomial of {len(p)} terms (more than {MAX_FACTOR_TERMS}) "
                        "is too large to factor")
    c, parts = p.factor()
    back = p.context().from_dict({(0,) * p.context().nvars(): c})
    for f, a in parts:
        if a < 1 or f.is_constant():     # never from flint; refused so that every listed f divides p
            raise Malformed("rational cover: a factorisation lists a constant or a zeroth power")
        back = _mul(back, _power(f, a))
    if back != p:
        raise Malformed("rational cover: a factorisation does not multiply back")
    return [f / f.leading_coefficient() for f, _ in parts]


def _substituted(p, k, e, g):
    """``(A, d)``: ``p(x_k = -g/e) = A / e^d`` with ``d`` the degree of ``p`` in ``x_k``."""
    ctx = p.context()
    d = 0 if p.is_zero() else int(p.degrees()[k])
    out = ctx.from_dict({})
    factor = {}                      # j -> (-g)^j e^(d-j), shared by the terms of degree j in x_k
    for exps, c in p.to_dict().items():
        j = exps[k]
        rest = list(exps)
        rest[k] = 0
        if j not in factor:
            factor[j] = _mul(_power(-g, j), _power(e, d - j))
        out += _mul(ctx.from_dict({tuple(rest): c}), factor[j])
    return out, d


def _product(weights, masks, ctx):
    """``W_L ... W_1`` as a matrix of :class:`_Rat` (``weights``: position -> :class:`_Rat`)."""
    zero, one = ctx.from_dict({}), ctx.from_dict({(0,) * ctx.nvars(): 1})
    n0 = len(masks[0][0])
    M = [[_Rat(one if i == j else zero, one) for j in range(n0)] for i in range(n0)]
    for l, m in enumerate(masks, start=1):
        W = [[weights.get((l, a, b)) for b in range(len(m[0]))] for a in range(len(m))]
        M = [[_dot(W[a], [M[b][j] for b in range(len(m[0]))], zero, one) for j in range(n0)]
             for a in range(len(m))]
    return M


def _dot(row, col, zero, one):
    out = _Rat(zero, one)
    for w, x in zip(row, col):
        if w is not None and not x.num.is_zero():
            out = out.plus(w.times(x))
    return out


class _Checker:
    def __init__(self, masks, budget):
        self.masks, self.budget = masks, budget
        self.K = sorted(_boolean_product(masks))
        self.names = [entry_name(i, j) for i, j in self.K]
        self.ctx = fmpq_mpoly_ctx.get(tuple(self.names), "degrevlex")
        self.nodes = 0
        w = widths(masks)
        self.shape = (w[-1], w[0])

    def identity(self):
        """The root's ``sigma``: every entry of ``K`` its own variable."""
        one = self.ctx.from_dict({(0,) * len(self.names): 1})
        return {e: _Rat(g, one) for e, g in zip(self.K, self.ctx.gens())}

    def root(self, tree):
        self.node(tree, self.identity(), [], set(self.names), "tree", True)

    def realises(self, weights, sigma, free, where):
        """Raise Malformed unless ``weights`` (certificate form) are rational functions of the
        entries ``free`` on the masks, with non-zero denominators (refused by :class:`_Rat`), whose
        product is ``sigma``; returns them (position -> :class:`_Rat`)."""
        if not isinstance(weights, dict):
            raise Malformed(f"{where}.weights: expected an object")
        realised = {}
        for name, frac in weights.items():
            pos = weight_position(name, self.masks, f"{where}.weights")
            if not (isinstance(frac, list) and len(frac) == 2):
                raise Malformed(f"{where}.weights.{name}: expected [numerator, denominator]")
            realised[pos] = _Rat(_poly(frac[0], self.ctx, self.names, free, f"{where}.weights.{name}"),
                                 _poly(frac[1], self.ctx, self.names, free, f"{where}.weights.{name}"))
        M = _product(realised, self.masks, self.ctx)
        for i in range(self.shape[0]):
            for j in range(self.shape[1]):
                target = sigma.get((i, j))
                if not (M[i][j].num.is_zero() if target is None else M[i][j].same(target)):
                    raise Malformed(f"{where}: the product's entry ({i}, {j}) is not the node's matrix entry")
        return realised

    def node(self, node, sigma, nonzero, free, where, invariant):
        """Raise Malformed unless ``node`` proves every matrix of its set a product.  ``invariant``:
        the set is invariant under ``Y -> D Y E`` (the root; a child of an invariant node whose
        polynomial and its earlier siblings' are bihomogeneous)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise Malformed(f"rational cover: more than {MAX_NODES} nodes")
        if self.budget is not None:
            self.budget.check("time (rational cover)")
        if not isinstance(node, dict):
            raise Malformed(f"{where}: expected an object")
        if any(n.is_zero() for n in nonzero):
            return                      # the set is empty
        if node.get("empty"):
            raise Malformed(f"{where}: claimed empty, but no assumption is the zero polynomial")
        realised = self.realises(node.get("weights"), sigma, free, where)
        children = node.get("children", [])
        if not isinstance(children, list):
            raise Malformed(f"{where}.children: expected a list")
        zeros, assumed, inv = [], list(nonzero), invariant
        for c, child in enumerate(children):
            cw = f"{where}.children[{c}]"
            if not isinstance(child, dict):
                raise Malformed(f"{cw}: expected an object")
            p = _poly(child.get("zero"), self.ctx, self.names, free, f"{cw}.zero")
            x = child.get("variable")
            if x not in free:
                raise Malformed(f"{cw}.variable: not a free entry of this node")
            k = self.names.index(x)
            if p.degrees()[k] != 1:
                raise Malformed(f"{cw}: the polynomial does not have degree 1 in {x}")
            e, g = _split(p, k, self.ctx)
            for f in _monic_factors(e):
                if f not in assumed:
                    raise Malformed(f"{cw}: a factor of the coefficient of {x} is not assumed non-zero")
            sigma2 = {}
            for pos, r in sigma.items():
                a, da = _substituted(r.num, k, e, g)
                b, db = _substituted(r.den, k, e, g)
                sigma2[pos] = (_Rat(_mul(a, _power(e, db - da)), b) if db >= da
                               else _Rat(a, _mul(b, _power(e, da - db))))
            nonzero2 = []
            for n in assumed + [e]:
                m = _substituted(n, k, e, g)[0]
                for f in ([m] if m.is_zero() else _monic_factors(m)):
                    if f not in nonzero2:
                        nonzero2.append(f)
            inv = inv and is_bihomogeneous(p, self.K)
            self.node(child.get("node"), sigma2, nonzero2, free - {x}, f"{cw}.node", inv)
            zeros.append(p / p.leading_coefficient())
            for f in _monic_factors(p):
                if f not in assumed:
                    assumed.append(f)        # later siblings: p != 0
        scaling = node.get("scaling", False)
        if not isinstance(scaling, bool):
            raise Malformed(f"{where}.scaling: expected true or false")
        if scaling and not invariant:
            raise Malformed(f"{where}: scaling claimed at a node whose set is not invariant under rescaling")
        for pos, r in realised.items():
            for f in _monic_factors(r.den):
                if f not in nonzero and f not in zeros and not (scaling and self._moved(f, nonzero, zeros)):
                    raise Malformed(f"{where}: the factor {f} of a denominator is neither assumed non-zero "
                                    "nor the hypersurface of a child" + (" nor moved off by rescaling" if scaling else ""))

    def _moved(self, f, nonzero, zeros):
        """Scaling lemma: some bihomogeneous component of ``f`` is a constant or has every factor
        assumed non-zero or a child's polynomial."""
        parts = bidegree_components(f, self.K)
        if len(parts) < 2:
            return False
        return any(h.is_constant() or all(q in nonzero or q in zeros for q in _monic_factors(h)) for h in parts)


def _split(p, k, ctx):
    e, g = {}, {}
    for exps, c in p.to_dict().items():
        rest = list(exps)
        rest[k] = 0
        (e if exps[k] else g)[tuple(rest)] = c
    return ctx.from_dict(e), ctx.from_dict(g)


def check_dense_realisation(obj, masks, report, budget=None):
    """Re-check ``{"weights": {name: [numerator, denominator]}}``: weights on the masks, rational
    functions of the entries of ``K`` with non-zero denominators, whose product is ``Y``
    identically.  Then ``L_I`` contains every ``Y`` of ``V_K`` where no denominator vanishes, a dense
    subset of ``V_K`` (the complement of a hypersurface), so the closure of ``L_I`` is ``V_K``.
    Returns the set ``K``."""
    if not isinstance(obj, dict) or set(obj) != {"weights"}:
        raise Malformed("dense_realisation: expected {'weights': {...}}")
    checker = _Checker(masks, budget)
    if not checker.K:
        raise Malformed("dense_realisation: K is empty")
    checker.realises(obj["weights"], checker.identity(), set(checker.names), "dense_realisation")
    report.check("dense realisation: the weights multiply out to Y on V_K minus the zeros of their non-zero "
                 "denominators, so the closure of L_I is V_K", True, f"{len(obj['weights'])} weight(s)")
    return set(checker.K)


def check_rational_cover(hyp, masks, question, report, budget):
    """Re-check a ``deep_rational_cover`` case tree: ``V_K ⊆ L_I``, hence ``L_I = V_K`` (closed)."""
    if not isinstance(hyp, dict) or "tree" not in hyp:
        raise Malformed("hypotheses: expected {'tree': ...}")
    checker = _Checker(masks, budget)
    if not checker.K:
        raise Malformed("rational cover: K is empty")
    checker.root(hyp["tree"])
    report.check("rational cover: every node's weights multiply out to its matrices, every zero of a "
                 "denominator is covered by a child (recomputed substitutions), so V_K ⊆ L_I = V_K", True,
                 f"{checker.nodes} nodes over the {len(checker.K)} entries of K")
