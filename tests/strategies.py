"""Hypothesis strategies shared by the test modules (one home for each generator).

Sparsity patterns; polynomials and formulas over the ring ``R = Q[a, b, x, y]``, with an
independent finite-domain semantics.  Semantics checks do not trust the engine's own evaluator for quantified formulas: quantifier laws
(prenex moves, renaming, nnf) hold over *every* non-empty domain, so they are checked with an
independent brute-force evaluator whose quantifiers range over a small finite set of rationals.
"""

import itertools

from flint import fmpq
from hypothesis import strategies as st

from cad.logic import FALSE, TRUE, And, Atom, Exists, Forall, Iff, Implies, Not, Or, Truth, polynomials
from cad.poly import PolyRing
from netalgebra.pattern import SparsityPattern


@st.composite
def mask_lists(draw, max_depth=4, max_width=3, min_width=1):
    """Masks of a random pattern: 1..max_depth layers, widths in [min_width, max_width]."""
    depth = draw(st.integers(1, max_depth))
    widths = draw(st.lists(st.integers(min_width, max_width), min_size=depth + 1, max_size=depth + 1))
    masks = []
    for l in range(depth):
        bits = draw(st.lists(st.integers(0, 1), min_size=widths[l] * widths[l + 1],
                             max_size=widths[l] * widths[l + 1]))
        masks.append([bits[r * widths[l]:(r + 1) * widths[l]] for r in range(widths[l + 1])])
    return masks


def random_two_layer_masks(widths, density, seed):
    """Masks ``(M1, M2)`` of widths ``(n0, n1, n2)`` as tuples, each entry 1 with probability
    ``density``, drawn from ``random.Random(seed)`` (reproducible)."""
    import random

    n0, n1, n2 = widths
    rng = random.Random(seed)
    return tuple(tuple(tuple(r) for r in m) for m in (
        [[1 if rng.random() < density else 0 for _ in range(n0)] for _ in range(n1)],
        [[1 if rng.random() < density else 0 for _ in range(n1)] for _ in range(n2)]))


@st.composite
def patterns(draw, max_depth=4, max_width=3, min_width=1, named=False):
    """A :class:`SparsityPattern` on :func:`mask_lists`; ``named`` also draws a short name."""
    masks = draw(mask_lists(max_depth=max_depth, max_width=max_width, min_width=min_width))
    name = draw(st.one_of(st.none(), st.text(max_size=8))) if named else None
    return SparsityPattern(masks, name)


# ----------------------------------------------------------------------------- formulas

R = PolyRing(["a", "b", "x", "y"])
a, b, x, y = R.gens
DOMAIN = [fmpq(-2), fmpq(-1), fmpq(0), fmpq(1, 2), fmpq(1), fmpq(3)]


# ----------------------------------------------------------------------------- independent semantics


def value(p, env):
    """Value of an fmpz_mpoly at ``env`` (name -> fmpq), computed term by term."""
    names = p.context().names()
    total = fmpq(0)
    for exps, c in p.terms():
        t = fmpq(c)
        for i, e in enumerate(exps):
            if e:
                t *= env[names[i]] ** e
        total += t
    return total


def holds(v, rel):
    return {"=": v == 0, "/=": v != 0, "<": v < 0, "<=": v <= 0, ">": v > 0, ">=": v >= 0}[rel]


def fin_eval(f, env, domain=DOMAIN):
    """Truth of ``f`` when quantifiers range over the finite ``domain``."""
    if isinstance(f, Truth):
        return f.value
    if isinstance(f, Atom):
        return holds(value(f.poly, env), f.rel)
    if isinstance(f, And):
        return all(fin_eval(g, env, domain) for g in f.args)
    if isinstance(f, Or):
        return any(fin_eval(g, env, domain) for g in f.args)
    if isinstance(f, Not):
        return not fin_eval(f.arg, env, domain)
    if isinstance(f, Implies):
        return (not fin_eval(f.left, env, domain)) or fin_eval(f.right, env, domain)
    if isinstance(f, Iff):
        return fin_eval(f.left, env, domain) == fin_eval(f.right, env, domain)
    combos = itertools.product(domain, repeat=len(f.variables))
    test = any if isinstance(f, Exists) else all
    return test(fin_eval(f.body, {**env, **dict(zip(f.variables, c))}, domain) for c in combos)


def fin_eval_prenex(prefix, matrix, env, domain=DOMAIN):
    g = matrix
    for q, vs in reversed(prefix):
        g = (Exists if q == "E" else Forall)(vs, g)
    return fin_eval(g, env, domain)


def count_quantifiers(f):
    if isinstance(f, (Exists, Forall)):
        return len(f.variables) + count_quantifiers(f.body)
    if isinstance(f, (And, Or)):
        return sum(count_quantifiers(g) for g in f.args)
    if isinstance(f, Not):
        return count_quantifiers(f.arg)
    if isinstance(f, (Implies, Iff)):
        return count_quantifiers(f.left) + count_quantifiers(f.right)
    return 0


def matrix_names(f):
    out = set()
    for p in polynomials(f):
        out |= set(p.context().names())
    return out


def random_points(names, n, rng):
    return [{v: fmpq(rng.randint(-9, 9), rng.randint(1, 4)) for v in names} for _ in range(n)]


# ----------------------------------------------------------------------------- strategies

coeffs = st.integers(-4, 4)
monomials = st.tuples(*[st.integers(0, 2)] * 4)


@st.composite
def polys(draw):
    terms = draw(st.dictionaries(monomials, coeffs.filter(bool), min_size=1, max_size=3))
    return R.ctx.from_dict(terms)


rels = st.sampled_from(["=", "/=", "<", "<=", ">", ">="])
leaves = st.one_of(st.builds(Atom, polys(), rels), st.sampled_from([TRUE, FALSE]))
quant_vars = st.lists(st.sampled_from(["a", "b", "x", "y"]), min_size=1, max_size=2, unique=True)


def extend_qf(children):
    return st.one_of(
        st.builds(lambda xs: And(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(Not, children),
        st.builds(Implies, children, children),
        st.builds(Iff, children, children),
    )


def extend(children):
    return st.one_of(
        extend_qf(children),
        st.builds(lambda vs, f: Exists(tuple(vs), f), quant_vars, children),
        st.builds(lambda vs, f: Forall(tuple(vs), f), quant_vars, children),
    )


formulas = st.recursive(leaves, extend, max_leaves=7)
qf_formulas = st.recursive(leaves, extend_qf, max_leaves=10)
rationals = st.builds(fmpq, st.integers(-6, 6), st.integers(1, 4))
points = st.fixed_dictionaries({v: rationals for v in R.variables})