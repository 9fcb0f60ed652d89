"""Last-root features (cad.elimination.last_root): the one-fibre theorem on random real-rooted
polynomials, the recorded values at random points of the leaves of a real partial CAD, and
the formulas they print."""

import os
import random

from flint import fmpq, fmpq_poly, fmpz_mpoly_ctx
from hypothesis import given
from hypothesis import strategies as st

from cad import logic
from cad.budget import Budget
from cad.elimination import definability
from cad.elimination import preprocess as P
from cad.elimination.last_root import add_last_root_features, feature_formula
from cad.elimination.pcad import build_partial_cad
from cad.io import parse_qepcad
from cad.logic import evaluate
from cad.poly import PolyRing
from cad.poly.sign import sign_at


def _top(g, x, lead):
    """``Top`` of the module docstring at ``x``, evaluated directly: every derivative of
    order 1 .. deg - 1 has the sign ``lead`` or vanishes."""
    d = g.degree()
    h = g
    for _j in range(1, d):
        h = h.derivative()
        if lead * h(x) < 0:
            return False
    return True


_roots = st.lists(st.tuples(st.fractions(-4, 4, max_denominator=3), st.integers(1, 3)),
                  min_size=1, max_size=4)


@given(_roots, st.sampled_from([1, -1]), st.fractions(-5, 5, max_denominator=7))
def test_top_holds_above_the_last_root_and_fails_below_as_proven(roots, lead, x):
    """For a real-rooted ``g`` of degree >= 2: ``Top`` holds at every ``x >= z_k``; fails at
    ``x <= z_{k-1}``, and at ``x < z_k`` when ``z_k`` is multiple (the theorem of
    cad.elimination.last_root), checked exactly at a random rational ``x``."""
    mult = {}
    for r, m in roots:
        mult[fmpq(r.numerator, r.denominator)] = mult.get(fmpq(r.numerator, r.denominator), 0) + m
    g = fmpq_poly([lead])
    for r, m in mult.items():
        g *= fmpq_poly([-r, 1]) ** m
    if g.degree() < 2:
        return
    zs = sorted(mult)
    x = fmpq(x.numerator, x.denominator)
    top = _top(g, x, lead)
    if x >= zs[-1]:
        assert top
    if len(zs) >= 2 and x <= zs[-2]:
        assert not top
    if mult[zs[-1]] >= 2 and x < zs[-1]:
        assert not top


def _quartic_partial_cad(qe_benchmarks):
    prob = parse_qepcad(open(os.path.join(qe_benchmarks, "quartic.qepcad")).read())
    pp = logic.prenex_problem(prob)
    _prefix, matrix = logic.prenex(pp.formula, pp.ring)
    order = ("p", "q", "r", "x")
    ctx = fmpz_mpoly_ctx.get(order, "lex")
    matrix = P.simplify(P.map_atoms(matrix, lambda a: logic.Atom(ctx.from_dict(a.poly.to_dict()),
                                                                 a.rel)))
    pc = build_partial_cad(matrix, order, 3, ["A"], [], Budget(None), None, "mccallum")
    pc.D.root.data["s"] = {}
    pc.truth(pc.D.root)
    return pc


def test_last_root_values_hold_on_the_whole_leaf(qe_benchmarks):
    """On the quartic problem the values recorded for the discriminant's last-root features
    hold at random points of the leaves (each derivative's sign computed exactly there), and
    with them the first round's leaves are definable: no re-projection is needed."""
    pc = _quartic_partial_cad(qe_benchmarks)
    assert definability.add_section_derivatives(pc, 3)
    assert add_last_root_features(pc, 3)
    assert pc.last_root_features
    rng = random.Random(7)
    checked = 0
    for leaf in pc.leaves:
        for fid, value in leaf.data["s"].items():
            feature = pc.last_root_features.get(fid)
            if feature is None:
                continue
            lead, chain = feature
            for _ in range(2):
                pt = pc.D.random_point(leaf, rng)[:3]
                top = all(lead * sign_at(g, pt) >= 0 for g in chain)
                assert top == (value == 1)
                checked += 1
    assert checked > 0
    assert definability.conflict_level(pc) is None


def test_feature_formula_is_the_conjunction_and_its_negation():
    """The printed ``Top`` is ``s g >= 0`` for every derivative, its negation the disjunction
    of the strict opposites: checked by evaluation at random rational points."""
    ring = PolyRing(("a", "x"))
    a, x = ring.ctx.gens()
    chain = (2 * x - a, x + a * a)
    rng = random.Random(3)
    for lead in (1, -1):
        top = feature_formula(lead, chain, True, lambda p: p, lambda at: at)
        fails = feature_formula(lead, chain, False, lambda p: p, lambda at: at)
        for _ in range(50):
            point = {"a": fmpq(rng.randint(-9, 9), rng.randint(1, 4)),
                     "x": fmpq(rng.randint(-9, 9), rng.randint(1, 4))}
            want = all(lead * sign_at(g, (point["a"], point["x"])) >= 0 for g in chain)
            assert evaluate(top, ring, point) == want
            assert evaluate(fails, ring, point) == (not want)


def test_answers_with_last_root_features_are_right_on_a_family_that_uses_them():
    """``(Q x)[x^d + ... rel 0]`` with coefficients in ``a``, ``b`` (the family of
    tests/cad/test_qe.py whose solution formulas need derivatives): wherever last-root
    features are used, the answer agrees with the answer of re-projection rounds (features
    off; decided by the engine) and, at random rational ``(a, b)``, with the truth of the
    sentence there (decided by partial CAD, which builds no solution formula)."""
    from unittest import mock

    from cad.elimination import decide, equivalent, qe
    from cad.logic import Problem, substitute

    from tests.cad.test_qe import _univariate_family

    rng = random.Random(5)
    points = random.Random(2)
    ring = PolyRing(("a", "b", "x"))
    real_add = definability.add_last_root_features
    used = []

    def spy(pc, level):
        added = real_add(pc, level)
        used.append(added)
        return added

    found = 0
    for _ in range(60):
        prob = _univariate_family(rng, ring)
        used.clear()
        with mock.patch.object(definability, "add_last_root_features", spy):
            res = qe(prob, timeout=10, hard_limit=False)     # the spy is in this process
        if not any(used):
            continue
        found += 1
        with mock.patch.object(definability, "add_last_root_features", lambda pc, level: False):
            plain = qe(prob, timeout=30)                      # forked: the patch is inherited
        assert equivalent(ring, res.formula, plain.formula, variables=("a", "b"), timeout=60)
        for _ in range(10):
            pt = {v: fmpq(points.randint(-9, 9), points.choice((1, 2, 4))) for v in ("a", "b")}
            sentence = Problem(ring=ring, free=(), formula=substitute(prob.formula, pt, ring))
            assert evaluate(res.formula, ring, pt) == decide(sentence, timeout=30)
        if found == 3:
            break
    assert found == 3
