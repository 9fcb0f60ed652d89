"""Tests of cad.logic: the formula tree, smart constructors, queries, substitution and
evaluation, normal forms (nnf, standardize_apart, prenex)."""

import subprocess
import sys

import pytest
from flint import fmpq
from strategies import (
    R, a, count_quantifiers, fin_eval, fin_eval_prenex, formulas, matrix_names, points,
    qf_formulas, rationals, x, y,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cad.errors import InputError
from cad.io import parse_formula
from cad.logic import (
    FALSE, MIRRORED, NEGATED, TRUE, And, Atom, Exists, Forall, Formula, Iff, Implies, Not, Or,
    Problem, Quantifier, Truth, atom, conj, disj, evaluate, exists, forall, free_variables,
    holds, implies, iff, is_quantifier_free, negate, nnf, normalize, polynomials, prenex,
    prenex_problem, standardize_apart, substitute,
)


# ----------------------------------------------------------------------------- smart constructors


def test_smart_constructors_simplify_trivially():
    p = Atom(x - a, "<")
    q = Atom(y, ">=")
    assert conj(p, TRUE, conj(q, p)) == And((p, q))
    assert conj(p, FALSE, q) == FALSE
    assert disj(p, FALSE) == p
    assert disj(p, disj(q, TRUE)) == TRUE
    assert conj() == TRUE and disj() == FALSE
    assert negate(p) == Atom(x - a, ">=")
    assert negate(negate(Or((p, q)))) == Or((p, q))
    assert negate(TRUE) == FALSE
    assert implies(TRUE, p) == p and implies(p, TRUE) == TRUE and implies(p, FALSE) == negate(p)
    assert iff(p, p) == TRUE and iff(p, FALSE) == negate(p)
    assert atom(R.ctx.constant(3), "<") == FALSE
    assert atom(x, "=", x) == TRUE
    # rational coefficients: denominators are cleared by a positive factor
    half_x = R.qctx.gen(2) / 2
    assert atom(half_x, "<", fmpq(1, 3)) == Atom(3 * x - 2, "<")
    # quantifiers: unused variables dropped, nested blocks merged
    assert exists(["x", "y"], Atom(x + a, ">")) == Exists(("x",), Atom(x + a, ">"))
    assert exists("x", exists("y", Atom(x * y - a, "="))) == Exists(("x", "y"), Atom(x * y - a, "="))
    assert forall("x", TRUE) == TRUE
    assert exists("y", Atom(a, ">")) == Atom(a, ">")
    # atoms are hashable and compare by value
    assert len({Atom(x + 1, "<"), Atom(x + 1, "<"), Atom(x + 1, "<=")}) == 2


def test_atom_validation():
    with pytest.raises(InputError):
        Atom(x, "==")
    with pytest.raises(InputError):
        Atom(3, "<")
    with pytest.raises(InputError):
        And((x,))


def test_free_variables_polynomials_substitute():
    f = conj(Atom(x - a, "<"), exists("y", Atom(y ** 2 - x, "=")), Atom(x - a, "<"))
    assert free_variables(f) == {"a", "x"}
    assert [str(p) for p in polynomials(f)] == [str(x - a), str(y ** 2 - x)]
    g = substitute(f, {"x": fmpq(1, 2)})
    assert free_variables(g) == {"a"}
    # the bound y is not touched; x = 1/2 in y^2 - x gives 2 y^2 - 1 (denominator cleared)
    assert g == conj(Atom(1 - 2 * a, "<"), Exists(("y",), Atom(2 * y ** 2 - 1, "=")))
    assert substitute(f, {"a": fmpq(1), "x": 0}) == exists("y", Atom(y ** 2, "="))
    with pytest.raises(InputError):
        substitute(f, {"x": y})  # y would be captured by (E y)
    assert substitute(Exists(("x",), Atom(x - a, "=")), {"x": 5}) == Exists(("x",), Atom(x - a, "="))


@settings(max_examples=40)
@given(qf_formulas, points, st.sampled_from(["a", "x"]), rationals)
def test_substitute_agrees_with_evaluation(f, point, var, val):
    g = substitute(f, {var: val})
    assert var not in free_variables(g)
    assert evaluate(g, R, {**point, var: val}) == evaluate(f, R, {**point, var: val})


def test_evaluate_rational_and_errors():
    f = parse_formula("x^2 - 2 < 0 /\\ [a = 0 ==> x > 0]", R)
    assert evaluate(f, R, {"x": fmpq(1), "a": 0})
    assert not evaluate(f, R, {"x": fmpq(-1), "a": 0})
    assert evaluate(f, R, {"x": fmpq(-1), "a": 1})
    assert not evaluate(f, R, {"x": fmpq(3, 2), "a": 1})
    with pytest.raises(InputError, match="'a'"):
        evaluate(f, R, {"x": 1})
    with pytest.raises(InputError, match="quantifier-free"):
        evaluate(parse_formula("(E y)[y > x]", R), R, {"x": 1})


def test_evaluate_at_algebraic_points():
    algebraic = pytest.importorskip("cad.numbers.real_algebraic")
    from flint import fmpz_poly

    roots = algebraic.RealAlgebraic.roots_of(fmpz_poly([-2, 0, 1]))  # -sqrt2, sqrt2
    s2 = roots[-1]
    f = parse_formula("x^2 - 2 = 0 /\\ x > 1 /\\ a x - 3 < 0", R)
    assert evaluate(f, R, {"x": s2, "a": 2})       # 2 sqrt2 < 3
    assert not evaluate(f, R, {"x": s2, "a": 3})   # 3 sqrt2 > 3
    assert not evaluate(f, R, {"x": roots[0], "a": 0})
    g = parse_formula("x^2 < 2 \\/ x y = 2", R)
    assert not evaluate(g, R, {"x": s2, "y": fmpq(1)})
    assert evaluate(g, R, {"x": s2, "y": s2})
    half = algebraic.RealAlgebraic.from_rational(fmpq(1, 2))
    assert evaluate(parse_formula("2 x - 1 = 0", R), R, {"x": half})


# ----------------------------------------------------------------------------- normal forms



@given(qf_formulas, points)
def test_nnf_and_prenex_preserve_truth_quantifier_free(f, point):
    truth = evaluate(f, R, point)
    g = nnf(f)
    assert evaluate(g, R, point) == truth
    prefix, matrix = prenex(f)
    assert prefix == []
    assert evaluate(matrix, R, point) == truth
    # negation normal form: no Not / Implies / Iff left
    stack = [g]
    while stack:
        h = stack.pop()
        assert not isinstance(h, (Not, Implies, Iff))
        if isinstance(h, (And, Or)):
            stack.extend(h.args)


@settings(max_examples=60)
@given(formulas, points)
def test_prenex_preserves_truth_over_finite_domains(f, point):
    assume(count_quantifiers(f) <= 4)
    truth = fin_eval(f, point)
    assert fin_eval(nnf(f), point) == truth
    g, ctx, origin = standardize_apart(f, R.ctx)
    assert fin_eval(g, point) == truth
    prefix, matrix = prenex(f)
    assert is_quantifier_free(matrix)
    # blocks alternate, variables are bound once and are not free in f
    qs = [q for q, _ in prefix]
    assert all(q1 != q2 for q1, q2 in zip(qs, qs[1:]))
    bound = [v for _, vs in prefix for v in vs]
    assert len(bound) == len(set(bound))
    # prenex copies the quantifiers under each Iff (both directions), so a prefix can bind far more
    # variables than f has quantifiers, and its finite-domain check below costs 6^len(bound)
    # evaluations (a 4-quantifier f under nested Iffs once kept CI busy for over 15 minutes)
    assume(len(bound) <= 5)
    # (free in nnf(f), not f: nnf may simplify away the only free occurrence, e.g. in
    # [a = 0 \\/ TRUE] ==> (E a)[a = 0], and then the bound a need not be renamed)
    assert not set(bound) & free_variables(nnf(f))
    assert set(bound) <= free_variables(matrix)
    env = dict(point)
    for v in matrix_names(matrix):
        env.setdefault(v, fmpq(0))
    assert fin_eval_prenex(prefix, matrix, env) == truth


def test_prenex_renames_clashes_and_extends_the_ring():
    f = parse_formula("(E x)[x > a] /\\ (A x)[x^2 >= 0] /\\ x < 1", R)
    prefix, matrix = prenex(f)
    bound = [v for _, vs in prefix for v in vs]
    assert "x" not in bound  # x is free in f, so both bound x's are renamed
    names = set(matrix_names(matrix))
    assert set(bound) <= names and names >= {"a", "x"}
    assert [q for q, _ in prefix] == ["E", "A"]
    p = prenex_problem(Problem(R, ("a", "x"), f))
    assert p.ring.variables[:2] == ("a", "x")
    assert set(p.ring.variables[2:]) == set(bound)


def test_prenex_minimises_alternations():
    f = parse_formula("(E x)(A y)[x y > a] /\\ (A x)[x^2 + b >= 0]", R)
    prefix, _ = prenex(f)
    # E x, A y and A x' fit in two blocks: (E x)(A y, x')
    assert [q for q, _ in prefix] == ["E", "A"]
    assert len(prefix[1][1]) == 2


# ----------------------------------------------------------------------------- children / rebuild

KINDS = (Truth, Atom, And, Or, Not, Implies, Iff, Exists, Forall)


def nodes(f):
    """Every node of ``f`` (pre-order), walked with ``children()`` only."""
    out = [f]
    for c in f.children():
        out.extend(nodes(c))
    return out


def rebuild_everywhere(f):
    """The generic map: rebuild every node from its rebuilt children."""
    return f.rebuild([rebuild_everywhere(c) for c in f.children()])


def test_children_and_rebuild_of_every_node_kind():
    p, q = Atom(x - a, "<"), Atom(y, ">=")
    cases = {
        Truth: (TRUE, ()), Atom: (p, ()), And: (And((p, q, TRUE)), (p, q, TRUE)),
        Or: (Or((q, p)), (q, p)), Not: (Not(p), (p,)), Implies: (Implies(p, q), (p, q)),
        Iff: (Iff(q, p), (q, p)), Exists: (Exists(("x", "y"), p), (p,)),
        Forall: (Forall(("y",), q), (q,)),
    }
    assert set(cases) == set(KINDS)
    for kind, (f, children) in cases.items():
        assert f.children() == children, kind
        assert f.rebuild(children) == f and type(f.rebuild(children)) is kind
    # rebuild keeps the relation and the bound variables, takes the new children as they are
    assert Exists(("x", "y"), p).rebuild([q]) == Exists(("x", "y"), q)
    assert Forall(("y",), q).rebuild([TRUE]) == Forall(("y",), TRUE)
    assert Implies(p, q).rebuild([q, p]) == Implies(q, p)
    assert And((p, q)).rebuild([p, p]) == And((p, p))
    assert Not(p).rebuild([Not(q)]) == Not(Not(q))
    # simplify goes through the smart constructors instead
    assert And((p, q)).simplify([p, p]) == p
    assert Not(p).simplify([Not(q)]) == q
    assert Exists(("x",), p).simplify([q]) == q  # x does not occur in y >= 0
    assert issubclass(Exists, Quantifier) and Exists.letter == "E" and Forall.letter == "A"


@given(formulas)
def test_rebuild_round_trips_on_random_formulas(f):
    for g in nodes(f):
        assert isinstance(g, Formula)
        assert g.rebuild(g.children()) == g
    assert rebuild_everywhere(f) == f


@given(formulas)
def test_simplify_everywhere_is_normalize(f):
    def simplify_everywhere(g):
        return g.simplify([simplify_everywhere(c) for c in g.children()])

    assert simplify_everywhere(f) == normalize(f)


def test_relation_tables():
    for rel in NEGATED:
        for sign in (-1, 0, 1):
            assert holds(sign, NEGATED[rel]) == (not holds(sign, rel))
            assert holds(-sign, MIRRORED[rel]) == holds(sign, rel)


def test_nodes_are_frozen_values_and_problems_are_not():
    p = Atom(x, "<")
    with pytest.raises(AttributeError):
        p.rel = ">"
    with pytest.raises(AttributeError):
        And((p,)).args = ()
    assert hash(And((p, TRUE))) == hash(And((Atom(x, "<"), TRUE)))
    assert repr(And((p, TRUE))) == "And(args=(Atom(x < 0), TRUE))"
    prob = Problem(R, "a", p)
    assert prob.free == ("a",) and prob.assumptions == TRUE and prob.description == ""
    assert prob == Problem(ring=R, free=("a",), formula=p)
    prob.description = "changed"
    with pytest.raises(TypeError):
        hash(prob)


def test_formula_modules_do_not_import_sympy():
    for module in ("cad.logic", "cad.io"):
        code = f"import sys, {module}; sys.exit('sympy' in sys.modules)"
        assert subprocess.run([sys.executable, "-c", code]).returncode == 0, module


def test_free_variables_cached_on_nodes_stay_right():
    from cad.logic import queries

    from cad.poly import PolyRing

    ring = PolyRing(("x", "y", "z"))
    body = And((Atom(ring.parse("x*y - 1"), "<"), Atom(ring.parse("z"), ">")))
    f = Exists(("y",), body)
    got = free_variables(f)
    assert got == {"x", "z"}
    got.add("w")                          # the caller's copy: the cache is not touched
    assert free_variables(f) == {"x", "z"}
    assert free_variables(body) == {"x", "y", "z"}
    # a quantifier built over the same body: the body's cached set is reused, walked once
    calls = []
    real = queries.poly_vars
    queries.poly_vars = lambda p: calls.append(p) or real(p)
    try:
        g = forall(("x",), exists(("z",), body))
        assert free_variables(g) == {"y"}
    finally:
        queries.poly_vars = real
    assert calls == []
    # never pickled (like the cached hash): recomputed on demand
    assert "_free" in f.__dict__ and "_free" not in f.__getstate__()
