"""Tests of cad.formula: syntax tree, normal forms, evaluation, parsers and printers.

Semantics checks do not trust the module's own evaluator for quantified formulas: quantifier laws
(prenex moves, renaming, nnf) hold over *every* non-empty domain, so they are checked with an
independent brute-force evaluator whose quantifiers range over a small finite set of rationals.
"""

import glob
import itertools
import os
import random
import subprocess

import pytest
from flint import fmpq
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cad.errors import InputError, ParseError
from cad.formula import (
    FALSE, TRUE, And, Atom, Exists, Forall, Iff, Implies, Not, Or, Problem, Truth, atom, conj,
    disj, evaluate, exists, forall, free_variables, from_sympy, implies, iff, is_quantifier_free,
    negate, nnf, normalize, parse_formula, parse_qepcad, parse_qepcad_output_formula,
    parse_smtlib, polynomials, prenex, prenex_problem, standardize_apart, substitute, to_qepcad,
    qepcad_names, to_smtlib, to_str, to_sympy,
)
from cad.poly import PolyRing

HERE = os.path.dirname(__file__)
BAD = os.path.join(HERE, "data", "bad_inputs")

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


def extend(children):
    return st.one_of(
        st.builds(lambda xs: And(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(Not, children),
        st.builds(Implies, children, children),
        st.builds(Iff, children, children),
        st.builds(lambda vs, f: Exists(tuple(vs), f), quant_vars, children),
        st.builds(lambda vs, f: Forall(tuple(vs), f), quant_vars, children),
    )


def extend_qf(children):
    return st.one_of(
        st.builds(lambda xs: And(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(Not, children),
        st.builds(Implies, children, children),
        st.builds(Iff, children, children),
    )


formulas = st.recursive(leaves, extend, max_leaves=7)
qf_formulas = st.recursive(leaves, extend_qf, max_leaves=10)
rationals = st.builds(fmpq, st.integers(-6, 6), st.integers(1, 4))
points = st.fixed_dictionaries({v: rationals for v in R.variables})


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
    algebraic = pytest.importorskip("cad.algebraic")
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
    assert not set(bound) & free_variables(f)
    assert set(bound) <= free_variables(matrix)
    env = dict(point)
    for v in matrix_names(matrix):
        env.setdefault(v, fmpq(0))
    assert fin_eval_prenex(prefix, matrix, env) == truth


def matrix_names(f):
    out = set()
    for p in polynomials(f):
        out |= set(p.context().names())
    return out


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


# ----------------------------------------------------------------------------- QEPCAD syntax



@given(formulas)
def test_to_str_round_trip(f):
    text = to_str(f)
    assert parse_formula(text, R) == normalize(f)


def test_to_str_matches_qepcad_style():
    a_, b_, c_ = PolyRing(["a", "b", "c"]).gens
    f = conj(Atom(4 * a_ * c_ - b_ ** 2, "<="), disj(Atom(c_, "="), Atom(a_, "/=")))
    assert to_str(f) == "4 a c - b^2 <= 0 /\\ [ c = 0 \\/ a /= 0 ]"
    assert to_str(TRUE) == "TRUE"
    assert to_str(Not(Atom(a_, "<"))) == "[~ a < 0]"


def test_parse_formula_syntax_variants():
    same = parse_formula("x^2 + 2 x y + y^2 > 0", R)
    assert parse_formula("(x + y)^2 > 0", R) == same
    assert parse_formula("(x + y)(x + y) > 0", R) == same
    assert parse_formula("x*x + 2*x*y + y*y > 0.", R) == same
    assert parse_formula("x^2 + 2 x y > -y^2", R) == same
    # conventional precedence: /\ binds tighter than \/, ==> tighter than <==>
    f = parse_formula("a > 0 /\\ b > 0 \\/ x > 0 ==> y > 0 <==> a = 0", R)
    A, B, X, Y, A0 = (Atom(a, ">"), Atom(b, ">"), Atom(x, ">"), Atom(y, ">"), Atom(a, "="))
    assert f == Iff(Implies(Or((And((A, B)), X)), Y), A0)
    assert parse_formula("x > 0 <== y > 0", R) == Implies(Y, X)
    # brackets, parentheses around formulas, negation, constants, chains
    assert parse_formula("[~ a < 0]", R) == Atom(a, ">=")
    assert parse_formula("~(a < 0 /\\ b < 0)", R) == Not(And((Atom(a, "<"), Atom(b, "<"))))
    assert parse_formula("TRUE /\\ a = 0", R) == A0
    assert parse_formula("0 < x < 1", R) == And((Atom(-x, "<"), Atom(x - 1, "<")))
    assert parse_formula("1/2 x - 1/3 y = 0", R) == Atom(3 * x - 2 * y, "=")
    # quantifiers anywhere, also with several variables
    g = parse_formula("a > 0 /\\ (E x)(A y)[x y < a]", R)
    assert g == And((Atom(a, ">"), Exists(("x",), Forall(("y",), Atom(x * y - a, "<")))))
    assert parse_formula("(E x, y)[x y = a]", R) == Exists(("x", "y"), Atom(x * y - a, "="))


def test_variable_named_like_a_quantifier():
    ring = PolyRing(["E", "x"])
    E, X = ring.gens
    assert parse_formula("(E x) > 0", ring) == Atom(E * X, ">")
    assert parse_formula("(E x)[x > E]", ring) == Exists(("x",), Atom(X - E, ">"))


def shared_files(shared_dir):
    files = sorted(glob.glob(os.path.join(shared_dir, "benchmarks", "qe", "*.qepcad")))
    assert files, "no benchmark files found"
    return files


def test_shared_benchmarks_parse(shared_dir):
    for path in shared_files(shared_dir):
        with open(path) as fh:
            text = fh.read()
        p = parse_qepcad(text, source=path)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        declared = tuple(v.strip() for v in lines[1].strip("()").split(","))
        k = int(lines[2])
        # these files are prenex with quantifiers in list order: the ring is the list
        assert p.ring.variables == declared, path
        assert p.free == declared[:k]
        assert free_variables(p.formula) <= set(p.free)
        assert p.description == lines[0][1:-1]
        # printing and parsing again gives the same problem
        assert parse_qepcad(to_qepcad(p)) == p, path


def test_parse_qepcad_standard_form():
    text = """[non-prenex, reused bound name, assumptions]
(a,b,x,y)
2
(E x)[x^2 = a] /\\ [(E x)[a x = 1] \\/ ~(A y)[y^2 + b > 0]].
assume [a /= 0]
go
prop-eqn-const
finish
"""
    p = parse_qepcad(text)
    assert p.free == ("a", "b")
    assert p.description.startswith("non-prenex")
    assert p.assumptions == Atom(p.ring.gen("a"), "/=")
    bound = p.ring.variables[2:]
    assert len(bound) == 3 and set(bound) >= {"x", "y"}
    prefix, matrix = prenex(p.formula)
    # no renaming needed any more, and the prefix follows the ring order
    assert [v for _, vs in prefix for v in vs] == list(bound)
    assert matrix_names(matrix) <= set(p.ring.variables)
    # truth over finite domains is unchanged by the renaming
    ring0 = PolyRing(["a", "b", "x", "y"])
    original = parse_formula("(E x)[x^2 = a] /\\ [(E x)[a x = 1] \\/ ~(A y)[y^2 + b > 0]]", ring0)
    for av in DOMAIN:
        for bv in DOMAIN[:3]:
            env = {"a": av, "b": bv}
            assert fin_eval(original, env) == fin_eval(p.formula, env)


def test_parse_qepcad_reorders_quantified_variables_by_prefix():
    p = parse_qepcad("[t]\n(a,x,y)\n1\n(A y)(E x)[x y > a].\nfinish\n")
    assert p.ring.variables == ("a", "y", "x")
    p = parse_qepcad("[t]\n(a,x,y,z)\n1\n(E y)(E x)[x y > a].\nfinish\n")
    assert p.ring.variables == ("a", "x", "y")  # one block: declared order; unused z dropped


def test_parse_qepcad_whitespace_and_layout():
    text = "  [ free  form ]  (a , x)\n 1 (E x)\n [ a x^2\n + 1 = 0 ] .  finish  trailing text"
    p = parse_qepcad(text)
    assert p.ring.variables == ("a", "x") and p.description == "free  form"
    # QEPCAD B stops reading at 'finish': anything after it is ignored
    assert parse_qepcad("[d]\n(a,x)\n1\n(E x)[a x = 1].\nfinish\n# notes! $\n").free == ("a",)
    with pytest.raises(ParseError) as info:
        parse_qepcad("[d]\n(a,x)\n1\n(E x)[a x = 1 # ].\nfinish\n")
    assert (info.value.line, info.value.column) == (4, 15)


@pytest.mark.parametrize("name,line,column,words", [
    ("missing_finish.qepcad", 4, 22, "finish"),
    ("free_count_too_large.qepcad", 3, 1, "exceeds"),
    ("free_count_negative.qepcad", 3, 1, "negative"),
    ("free_count_not_integer.qepcad", 3, 1, "number of free variables"),
    ("undeclared_variable.qepcad", 4, 15, "'z'"),
    ("division_by_variable.qepcad", 4, 11, "division"),
    ("negative_exponent.qepcad", 4, 11, "negative exponent"),
    ("unclosed_bracket.qepcad", 4, 31, "']'"),
    ("extra_bracket.qepcad", 4, 21, "unbalanced"),
    ("unclosed_paren.qepcad", 4, 21, "')'"),
    ("bound_not_declared.qepcad", 4, 4, "'y'"),
    ("free_variable_quantified.qepcad", 4, 4, "'a'"),
    ("bound_variable_free.qepcad", 4, 3, "'x'"),
    ("missing_dot.qepcad", 5, 1, "'.'"),
    ("missing_description.qepcad", 1, 1, "'['"),
    ("unterminated_description.qepcad", 1, 1, "']'"),
    ("unknown_command.qepcad", 5, 1, "frobnicate"),
    ("decimal_coefficient.qepcad", 4, 7, "decimal"),
    ("duplicate_variable.qepcad", 2, 6, "twice"),
    ("missing_relation.qepcad", 4, 16, "relation"),
    ("extended_quantifier.qepcad", 4, 2, "'F'"),
    ("int_sort.smt2", 2, 18, "Int"),
    ("bool_sort.smt2", 3, 19, "Bool"),
    ("forall_int.smt2", 3, 21, "Int"),
    ("unbalanced.smt2", 3, 1, "never closed"),
    ("division_by_variable.smt2", 3, 17, "division"),
    ("undeclared.smt2", 3, 17, "'y'"),
])
def test_bad_inputs(name, line, column, words):
    path = os.path.join(BAD, name)
    with open(path) as fh:
        text = fh.read()
    parse = parse_smtlib if name.endswith(".smt2") else parse_qepcad
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column) == (line, column), str(err)
    assert words in err.message
    assert f"line {line}, column {column}" in str(err)


def test_bad_input_corpus_is_fully_covered():
    listed = {n for n, *_ in test_bad_inputs.pytestmark[0].args[1]}
    assert listed == set(os.listdir(BAD))


def test_parse_qepcad_output_formula():
    ring = PolyRing(["a", "b", "c", "x"])
    A, B, C, _ = ring.gens
    output = """
Before Normalization >
finish

An equivalent quantifier-free formula:

4 a c - b^2 <= 0 /\\ [ c = 0 \\/ a /= 0 \\/
4 a c - b^2 < 0 ]


=====================  The End  =======================
"""
    f = parse_qepcad_output_formula(output, ring)
    d = 4 * A * C - B ** 2
    assert f == And((Atom(d, "<="), Or((Atom(C, "="), Atom(A, "/="), Atom(d, "<")))))
    assert parse_qepcad_output_formula("TRUE", ring) == TRUE
    assert parse_qepcad_output_formula(
        "An equivalent quantifier-free formula:\n\nFALSE\n\n====", ring) == FALSE
    assert parse_qepcad_output_formula("a1 > 0", ring, names={"a1": "a"}) == Atom(A, ">")
    with pytest.raises(ParseError):
        parse_qepcad_output_formula("Error QFFRDR: '/\\' was expected.\n=====", ring)


# ----------------------------------------------------------------------------- QEPCAD B itself


def run_qepcad(binary, text, cells=20000000):
    proc = subprocess.run([binary, f"+N{cells}"], input=text, capture_output=True, text=True,
                          timeout=60)
    return proc.stdout


def random_points(names, n, rng):
    return [{v: fmpq(rng.randint(-9, 9), rng.randint(1, 4)) for v in names} for _ in range(n)]


def test_qepcad_accepts_printed_benchmarks(qepcad, shared_dir):
    rng = random.Random(4)
    for path in shared_files(shared_dir):
        if "hong90" in path or "xaxis" in path:  # the slowest; the others cover the same syntax
            continue
        with open(path) as fh:
            text = fh.read()
        p = parse_qepcad(text)
        ours = parse_qepcad_output_formula(run_qepcad(qepcad, to_qepcad(p)), p.ring)
        theirs = parse_qepcad_output_formula(run_qepcad(qepcad, text), p.ring)
        assert is_quantifier_free(ours)
        for pt in random_points(p.free, 30, rng):
            assert evaluate(ours, p.ring, pt) == evaluate(theirs, p.ring, pt), path


def test_qepcad_with_renamed_variables_and_assumptions(qepcad):
    ring = PolyRing(["w1_0_1", "w_2", "x_1"])
    f = parse_formula("(E x_1)[w1_0_1 x_1^2 + w_2 = 0]", ring)
    p = Problem(ring, ("w1_0_1", "w_2"), f, "names [with] brackets",
                parse_formula("w_2 < 0", ring))
    text = to_qepcad(p)
    assert "w_2" not in text.split("]", 1)[1]  # QEPCAD names have no underscores
    back = {v: k for k, v in qepcad_names(ring).items()}
    answer = parse_qepcad_output_formula(run_qepcad(qepcad, text, 2000000), ring, names=back)
    # under w_2 < 0, (E x) w x^2 + w_2 = 0 holds iff w > 0
    for pt in random_points(["w1_0_1", "w_2"], 40, random.Random(5)):
        if pt["w_2"] < 0:
            assert evaluate(answer, ring, pt) == (pt["w1_0_1"] > 0)


QF_RING = PolyRing(["a", "b"])
qa, qb = QF_RING.gens


@st.composite
def qf_small(draw):
    def leaf():
        terms = draw(st.dictionaries(st.tuples(st.integers(0, 2), st.integers(0, 1)),
                                     st.integers(-3, 3).filter(bool), min_size=1, max_size=3))
        p = QF_RING.ctx.from_dict(terms)
        return Atom(p, draw(rels)) if not p.is_constant() else Atom(qa - 1, draw(rels))

    def build(depth):
        if depth == 0 or draw(st.booleans()):
            return leaf()
        kind = draw(st.sampled_from(["and", "or", "not", "imp", "iff"]))
        if kind == "and":
            return And((build(depth - 1), build(depth - 1)))
        if kind == "or":
            return Or((build(depth - 1), build(depth - 1)))
        if kind == "not":
            return Not(build(depth - 1))
        if kind == "imp":
            return Implies(build(depth - 1), build(depth - 1))
        return Iff(build(depth - 1), build(depth - 1))

    return build(3)


@settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(qf_small())
def test_qepcad_reads_printed_connectives_as_we_do(qepcad, f):
    """A quantifier-free problem: QEPCAD's answer must agree with our evaluation of the input,
    which checks that QEPCAD reads our ~, ==>, <==> and brackets as we mean them."""
    assume(not isinstance(normalize(f), Truth))
    p = Problem(QF_RING, ("a", "b"), f)
    answer = parse_qepcad_output_formula(run_qepcad(qepcad, to_qepcad(p), 1000000), QF_RING)
    rng = random.Random(str(f))
    pts = random_points(["a", "b"], 40, rng) + [{"a": fmpq(i), "b": fmpq(j)}
                                                  for i in range(-2, 3) for j in range(-2, 3)]
    for pt in pts:
        assert evaluate(answer, QF_RING, pt) == evaluate(f, QF_RING, pt), (to_str(f), pt)


@pytest.mark.parametrize("formula,expected", [
    # non-prenex inputs with known answers (checked by hand)
    ("(E x)[x^2 = a] /\\ [(E x)[a x = 1] \\/ ~(A y)[y^2 + b > 0]] <==> a > 0", "a /= 0 \\/ b > 0"),
    ("[(E x)[x^2 = a]] /\\ [(E y)[a y = 1]]", "a > 0"),
    ("~(E x)[x^2 < a]", "a <= 0"),
    ("(A x)[x > 0] \\/ (E y)[y^2 = b]", "b >= 0"),
    ("(E x)[a x^2 + b = 0 /\\ (A y)[y^2 + x^2 >= 0]]", "a b < 0 \\/ b = 0"),
])
def test_qepcad_on_non_prenex_inputs(qepcad, formula, expected):
    ring = PolyRing(["a", "b", "x", "y"])
    text = f"[t]\n(a,b,x,y)\n2\n{formula}.\nfinish\n"
    p = parse_qepcad(text)
    answer = parse_qepcad_output_formula(run_qepcad(qepcad, to_qepcad(p), 2000000), p.ring)
    want = parse_formula(expected, ring)
    for pt in random_points(["a", "b"], 60, random.Random(formula)) + [
            {"a": fmpq(i), "b": fmpq(j)} for i in (-1, 0, 1) for j in (-1, 0, 1)]:
        assert evaluate(answer, p.ring, pt) == evaluate(want, ring, pt), (formula, pt)


@settings(max_examples=40)
@given(formulas)
def test_qepcad_file_round_trip(f):
    bound = free_variables(f) - {"a", "b"}
    p0 = Problem(R, ("a", "b"), exists(sorted(bound), f))
    p1 = parse_qepcad(to_qepcad(p0))
    assert parse_qepcad(to_qepcad(p1)) == p1
    assert p1.free == ("a", "b")
    assume(count_quantifiers(p1.formula) <= 4)
    for av in (fmpq(-1), fmpq(1, 2)):
        for bv in (fmpq(0), fmpq(3)):
            env = {"a": av, "b": bv}
            assert fin_eval(p1.formula, env) == fin_eval(p0.formula, env)


# ----------------------------------------------------------------------------- SMT-LIB2


def test_smtlib_example():
    text = """; a comment
(set-logic NRA)
(set-info :source |parabola|)
(declare-fun a () Real)
(declare-const b Real)
(declare-const c Real)
(assert (exists ((x Real)) (= (+ (* a x x) (* b x) c) 0)))
(assert (or (> a 1.5) (<= (/ b 2) (- c))))
(check-sat)
(exit)
"""
    p = parse_smtlib(text)
    assert p.free == ("a", "b", "c") and p.ring.variables == ("a", "b", "c", "x")
    assert p.description == "parabola"
    ring = p.ring
    expected = parse_formula("(E x)[a x^2 + b x + c = 0] /\\ [2 a - 3 > 0 \\/ b + 2 c <= 0]", ring)
    assert p.formula == expected
    assert parse_smtlib(to_smtlib(p)) == p


def test_smtlib_connectives_and_shadowing():
    text = """(declare-const x Real)(declare-const y Real)
(define-fun two () Real 2.0)
(define-fun pos () Bool (> x 0))
(assert (=> pos (distinct x y two) (< 0 x y 3)))
(assert (let ((s (+ x y)) (p (>= x 0))) (and p (not (= s 1)) (xor p (< y 0)))))
(assert (ite (> y 0) (>= x 1) (exists ((x Real)) (= (* x x) y))))
(assert (forall ((x Real) (z Real)) (=> (= x z) (= (- x z) 0))))
(check-sat)"""
    p = parse_smtlib(text)
    assert p.free == ("x", "y")
    ring = PolyRing(["x", "y"])
    X, Y = ring.gens
    rng = random.Random(1)
    # check the quantifier-free part by evaluation against a hand translation
    qf = conj(*[g for g in p.formula.args if is_quantifier_free(g)])
    hand = conj(
        implies(Atom(X, ">"), implies(conj(Atom(X - Y, "/="), Atom(X - 2, "/="), Atom(Y - 2, "/=")),
                                      conj(Atom(-X, "<"), Atom(X - Y, "<"), Atom(Y - 3, "<")))),
        Atom(X, ">="), Atom(X + Y - 1, "/="), negate(iff(Atom(X, ">="), Atom(Y, "<"))))
    for pt in random_points(["x", "y"], 200, rng):
        assert evaluate(qf, p.ring, pt) == evaluate(hand, ring, pt)
    # the exists under ite binds a fresh copy of x, distinct from the declared x
    bound = [v for v in p.ring.variables if v not in p.free]
    assert bound and "x" not in bound
    assert free_variables(p.formula) <= {"x", "y"}


def test_smtlib_unknown_command_and_errors():
    with pytest.raises(ParseError, match="push"):
        parse_smtlib("(declare-const x Real)\n(push 1)")
    with pytest.raises(ParseError) as info:
        parse_smtlib("(declare-fun f (Real) Real)")
    assert (info.value.line, info.value.column) == (1, 16)  # the argument list
    with pytest.raises(ParseError, match="unbalanced"):
        parse_smtlib("(assert true))")


@settings(max_examples=40)
@given(formulas)
def test_smtlib_round_trip(f):
    bound = free_variables(f) - {"a", "b"}
    p = parse_qepcad(to_qepcad(Problem(R, ("a", "b"), exists(sorted(bound), f))))
    q = parse_smtlib(to_smtlib(p))
    assert q.free == p.free
    assert set(q.ring.variables) == set(p.ring.variables)
    from cad.formula import to_ring

    assert to_ring(q.formula, p.ring) == p.formula


# ----------------------------------------------------------------------------- sympy


def test_sympy_round_trip_and_errors():
    sympy = pytest.importorskip("sympy")
    X, Y = sympy.symbols("x y")
    e = sympy.And(X ** 2 + Y < sympy.Rational(1, 2), sympy.Or(sympy.Ne(X, Y), sympy.Eq(X, 0)),
                  sympy.Implies(X > 0, Y >= 0))
    p = from_sympy(e, [X, "y"])
    assert p.free == ("x", "y") and p.ring.variables == ("x", "y")
    rx, ry = p.ring.gens
    assert Atom(2 * rx ** 2 + 2 * ry - 1, "<") in p.formula.args  # sympy sorts And args
    back = to_sympy(p.formula, p.ring)
    rng = random.Random(2)
    for pt in random_points(["x", "y"], 50, rng):
        subs = {X: sympy.Rational(int(pt["x"].p), int(pt["x"].q)),
                Y: sympy.Rational(int(pt["y"].p), int(pt["y"].q))}
        assert bool(back.subs(subs)) == evaluate(p.formula, p.ring, pt) == bool(e.subs(subs))
    assert from_sympy(sympy.true, ["x"]).formula == TRUE
    with pytest.raises(InputError):
        from_sympy(1 / X > 0, ["x"])
    with pytest.raises(InputError, match="'z'"):
        from_sympy(sympy.Symbol("z") > 0, ["x"])
    with pytest.raises(InputError):
        to_sympy(exists("x", Atom(x, ">")), R)


def test_formula_module_does_not_import_sympy():
    code = "import sys, cad.formula; sys.exit('sympy' in sys.modules)"
    assert subprocess.run(["python", "-c", code]).returncode == 0


VALID_QEPCAD = """[mutated]
(a,b,x,y)
2
(E x)(A y)[a x^2 + b x - 1/2 = 0 /\\ [y > x ==> ~[(y - b)^2 >= 0]] <==> TRUE].
assume [a /= 0]
finish
"""
VALID_SMT = """(set-logic NRA)
(declare-const a Real)
(declare-fun b () Real)
(assert (exists ((x Real)) (and (= (+ (* a x x) (* b x) (/ (- 1) 2)) 0) (>= (- x b) 0.5))))
(check-sat)
"""


@st.composite
def mutations(draw, text):
    chars = list(text)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(chars)))
        op = draw(st.sampled_from(["delete", "insert", "replace"]))
        c = draw(st.sampled_from(list("()[]{}.,;:^/\\~=<>-+* 0123456789axyEA|\n\"")))
        if op == "insert" or not chars or i == len(chars):
            chars.insert(i, c)
        elif op == "delete":
            del chars[i]
        else:
            chars[i] = c
    return "".join(chars)


@given(mutations(VALID_QEPCAD), mutations(VALID_SMT))
def test_mutated_inputs_parse_or_raise_positioned_errors(qtext, stext):
    for parse, text in ((parse_qepcad, qtext), (parse_smtlib, stext)):
        try:
            p = parse(text)
        except ParseError as err:
            assert err.line is not None and err.column is not None, str(err)
            assert 1 <= err.line <= text.count("\n") + 2
        else:
            assert free_variables(p.formula) <= set(p.free)
