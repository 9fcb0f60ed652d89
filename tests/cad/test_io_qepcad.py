"""Tests of cad.io.qepcad and cad.io.qepcad_syntax: QEPCAD B formula text, input files and
answers; the differential tests run QEPCAD B itself (skipped when it is not installed)."""

import glob
import os
import random
import subprocess

import pytest
from flint import fmpq
from strategies import (
    DOMAIN, R, a, b, count_quantifiers, fin_eval, formulas, matrix_names, random_points, rels, x, y,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cad.errors import ParseError
from cad.io import parse_formula, parse_qepcad, parse_qepcad_output_formula, qepcad_names, to_qepcad, to_str
from cad.logic import (
    FALSE, TRUE, And, Atom, Exists, Forall, Iff, Implies, Not, Or, Problem, Truth, conj, disj,
    evaluate, exists, free_variables, is_quantifier_free, normalize, prenex,
)
from cad.poly import PolyRing


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


def benchmark_files(qe_benchmarks):
    files = sorted(glob.glob(os.path.join(qe_benchmarks, "*.qepcad")))
    assert files, "no benchmark files found"
    return files


def test_benchmarks_parse(qe_benchmarks):
    for path in benchmark_files(qe_benchmarks):
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


@pytest.mark.qepcad
def test_qepcad_accepts_printed_benchmarks(qepcad, qe_benchmarks):
    rng = random.Random(4)
    for path in benchmark_files(qe_benchmarks):
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


@pytest.mark.qepcad
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


@pytest.mark.qepcad
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


@pytest.mark.qepcad
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
