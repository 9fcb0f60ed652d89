"""Indexed root atoms (QEPCAD B's extended language): reading, writing, exact evaluation,
`cad qe` on them, the extended solution formulas, and differential checks against QEPCAD B."""

import random
import subprocess

import pytest
from flint import fmpq, fmpz_poly
from hypothesis import given, settings, strategies as st

from cad import qe
from cad.elimination.root_atoms import expand_root_atoms
from cad.io.qepcad import parse_qepcad, parse_qepcad_output_formula, to_str
from cad.logic import Exists, Problem, RootAtom, atom, conj, evaluate, substitute
from cad.logic.ast import Truth
from cad.numbers.real_algebraic import RealAlgebraic
from cad.poly import PolyRing

WO3 = """[wo3]
(x0,x1,x2,x3)
3
(E x3)[ x3 >= 0 /\\ x3^3 + x2 x3^2 + x1 x3 + x0 < 0 ].
finish
"""

# (formula over (x,y), 1 free variable): the semantics of _root_ when the index exceeds the
# number of distinct roots, or the polynomial vanishes on the fibre -- the atom is false
ROOT_CASES = [
    "(E y)[ y < _root_2 y^2 - x ]",
    "(A y)[ y /= _root_2 y^2 - x ]",
    "(E y)[ y = _root_-1 y^2 - x ]",
    "(E y)[ y = _root_2 (y - x)^2 (y - 1) ]",
    "(E y)[ y = _root_1 x y ]",
]


def _problem(formula, variables="(x,y)", nfree=1):
    return parse_qepcad(f"[t]\n{variables}\n{nfree}\n{formula}.\nfinish\n")


def _truth_at(problem, point):
    r"""Exact truth of ``problem`` at a point of its free variables (the quantified rest
    decided by cad.qe on the substituted sentence).  At most one coordinate may be
    irrational, ``v = alpha``: then the sentence is ``(E v)[ m(v) = 0 /\ lo < v < hi /\ F ]``
    with ``m`` the minimal polynomial of ``alpha`` and ``(lo, hi)`` an interval isolating it."""
    problem = expand_root_atoms(problem)      # substitute() knows plain atoms only
    alg = {v: a for v, a in point.items() if not isinstance(a, (int, type(fmpq(0))))}
    assert len(alg) <= 1
    rational = {v: a for v, a in point.items() if v not in alg}
    f = substitute(problem.formula, rational, problem.ring)
    for v, a in alg.items():
        gen = problem.ring.ctx.gens()[problem.ring.variables.index(v)]
        m = sum((int(c) * gen**i for i, c in enumerate(a.poly.coeffs())), 0 * gen)
        lo, hi = a.interval
        f = Exists((v,), conj(atom(m, "="), atom(gen, ">", lo), atom(gen, "<", hi), f))
    if isinstance(f, Truth):
        return f.value
    res = qe(Problem(problem.ring, (), f)).formula
    return res.value


def _algebraic(rng):
    """A random quadratic irrational sqrt(d)/q (d not a square), positive or negative."""
    d, q = rng.choice([2, 3, 5, 7, 10]), rng.randint(1, 3)
    return rng.choice(RealAlgebraic.roots_of(fmpz_poly([-d, 0, q * q])))


def _qepcad(binary, text, timeout=60):
    out = subprocess.run([binary, "+N20000000"], input=text, capture_output=True, text=True,
                         timeout=timeout)
    return out.stdout


def test_parse_print_round_trip():
    ring = PolyRing(["x", "y"])
    from cad.io.qepcad import parse_formula
    f = parse_formula("x > 0 /\\ y < _root_-1 y^2 - x \\/ y = _root_2 y^3 - x", ring)
    assert parse_formula(to_str(f), ring) == f
    assert "_root_-1 y^2 - x" in to_str(f)


@pytest.mark.parametrize("text, message", [
    ("x < _root_1 y - 1", "main variable"),
    ("y < _root_0 y - 1", "non-zero"),
    ("y < _root_1 x^2 - 1", "main variable"),
])
def test_bad_root_atoms_are_input_errors(text, message):
    from cad.errors import ParseError
    from cad.io.qepcad import parse_formula
    with pytest.raises(ParseError, match=message):
        parse_formula(text, PolyRing(["x", "y"]))


def test_evaluate_indexed_roots_exactly():
    ring = PolyRing(["x", "y"])
    x, y = ring.ctx.gens()
    a = RootAtom("y", "<", 2, y**2 - x)          # y below sqrt(x)
    assert evaluate(a, ring, {"x": 2, "y": fmpq(141, 100)})
    assert not evaluate(a, ring, {"x": 2, "y": fmpq(142, 100)})
    assert not evaluate(a, ring, {"x": 0, "y": -5})      # one root only: false
    assert not evaluate(RootAtom("y", "/=", 2, y**2 - x), ring, {"x": -1, "y": 0})
    assert not evaluate(RootAtom("y", "=", 1, x * y), ring, {"x": 0, "y": 0})   # p == 0
    s2 = [r for r in RealAlgebraic.roots_of(__import__("flint").fmpz_poly([-2, 0, 1]))][-1]
    assert evaluate(RootAtom("y", "=", -1, y**2 - x), ring, {"x": 2, "y": s2})
    assert evaluate(RootAtom("y", ">", 1, y**2 - x), ring, {"x": 2, "y": s2})


@pytest.mark.parametrize("text", ROOT_CASES)
def test_cad_qe_reads_root_atoms(text):
    p = _problem(text)
    ans = qe(p).formula
    rng = random.Random(text)
    for _ in range(25):
        pt = {"x": fmpq(rng.randint(-8, 8), rng.randint(1, 3))}
        assert evaluate(ans, p.ring, pt) == _truth_at(p, pt), pt


@pytest.mark.qepcad
@pytest.mark.parametrize("text", ROOT_CASES)
def test_root_atom_semantics_match_qepcad(qepcad, text):
    p = _problem(text)
    out = _qepcad(qepcad, f"[t]\n(x,y)\n1\n{text}.\ngo\ngo\ngo\nsol T\nfinish\n")
    theirs = parse_qepcad_output_formula(out, p.ring)
    ours = qe(p).formula
    for k in range(-20, 21):
        pt = {"x": fmpq(k, 4)}
        assert evaluate(ours, p.ring, pt) == evaluate(theirs, p.ring, pt), (pt, to_str(ours),
                                                                            to_str(theirs))


def _check_against_input(problem, answer, seed, n=40):
    rng = random.Random(seed)
    free = problem.free
    for i in range(n):
        pt = {v: fmpq(rng.randint(-9, 9), rng.randint(1, 3)) for v in free}
        if i % 3 == 0:      # points on the curves the answer talks about: small integers
            pt = {v: fmpq(rng.randint(-2, 2)) for v in free}
        if i % 4 == 1:      # an irrational coordinate
            pt[rng.choice(free)] = _algebraic(rng)
        assert evaluate(answer, problem.ring, pt) == _truth_at(problem, pt), (pt, to_str(answer))


def test_wo3_is_answered_exactly():
    p = parse_qepcad(WO3)
    ans = qe(p).formula
    _check_against_input(p, ans, "wo3", n=60)


@pytest.mark.qepcad
def test_wo3_agrees_with_qepcad_hong_projection_and_round_trips_its_extended_output(qepcad):
    p = parse_qepcad(WO3)
    ours = qe(p).formula
    body = WO3.replace("finish\n", "")
    hong = parse_qepcad_output_formula(
        _qepcad(qepcad, body + "proj-operator (h,h,h)\ngo\ngo\ngo\nsol T\nfinish\n"), p.ring)
    extended_out = _qepcad(qepcad, body + "go\ngo\ngo\nsol E\nfinish\n")
    i = extended_out.index("sol E")
    extended = parse_qepcad_output_formula(extended_out[i:], p.ring)
    assert "_root_" in to_str(extended)
    from cad import equivalent
    assert equivalent(p.ring, ours, hong, variables=p.free)       # decided by the engine
    from cad.io.qepcad import parse_formula
    assert parse_formula(to_str(extended), p.ring) == extended     # we print what we read
    rng = random.Random(3)
    for _ in range(80):
        pt = {v: fmpq(rng.randint(-6, 6), rng.randint(1, 2)) for v in p.free}
        want = _truth_at(p, pt)
        assert evaluate(ours, p.ring, pt) == want, pt
        assert evaluate(hong, p.ring, pt) == want, pt
    # QEPCAD B's own extended formula and our reprint of it agree everywhere we look
    for _ in range(40):
        pt = {v: fmpq(rng.randint(-6, 6), rng.randint(1, 2)) for v in p.free}
        again = parse_formula(to_str(extended), p.ring)
        assert evaluate(again, p.ring, pt) == evaluate(extended, p.ring, pt)


@settings(max_examples=15)
@given(
    coeffs=st.lists(st.integers(-3, 3), min_size=2, max_size=3),
    degree=st.sampled_from([3, 4]),
    rel=st.sampled_from(["<", "<=", "="]),
    half=st.sampled_from([">=", "<=", ">"]),
    repair=st.booleans(),
)
def test_half_line_root_conditions_are_answered_exactly(coeffs, degree, rel, half, repair):
    """Sign conditions on a monic cubic/quartic in x with parametric lower coefficients,
    restricted to a half-line (wo3's shape; about a third of them are not projection
    definable with the McCallum factors and their derivatives).  With ``repair`` off the
    delineating polynomials are not projected, so those answers use indexed roots."""
    from unittest import mock

    from cad.elimination import driver

    free = ["a", "b", "c"][:len(coeffs)]
    terms = [f"x^{degree}"]
    for i, (v, c) in enumerate(zip(free, coeffs)):
        terms.append(f"{c} {v} x^{i}" if c else f"{v} x^{i}")
    poly = " + ".join(terms)
    text = (f"[h]\n({','.join(free)},x)\n{len(free)}\n"
            f"(E x)[ x {half} 0 /\\ {poly} {rel} 0 ].\nfinish\n")
    p = parse_qepcad(text)
    if repair:
        ans = qe(p, timeout=120).formula
    else:
        with mock.patch.object(driver, "delineating_polynomials", lambda pc: []):
            ans = qe(p, timeout=120).formula
    _check_against_input(p, ans, text, n=20)


def test_wo3_with_indexed_roots_when_no_polynomial_is_added():
    """Without the delineating polynomials as further projection factors, wo3's leaves are
    separated only by indexed root conditions: the extended answer is still exact."""
    from unittest import mock

    from cad.elimination import driver

    p = parse_qepcad(WO3)
    with mock.patch.object(driver, "delineating_polynomials", lambda pc: []):
        ans = qe(p).formula
    assert "_root_" in to_str(ans)
    from cad.io.qepcad import parse_formula
    assert parse_formula(to_str(ans), p.ring) == ans
    _check_against_input(p, ans, "wo3-roots", n=60)


def test_proj_operator_command_is_accepted():
    """QEPCAD B's command that chooses the projection (used above for wo3) is ignored."""
    p = parse_qepcad(WO3.replace("finish", "proj-operator (h,h,h)\nfinish"))
    assert p.free == ("x0", "x1", "x2")
