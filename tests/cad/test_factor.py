"""Tests of cad.poly.ops.factor, the one home of multivariate factoring.

python-flint 0.9's ``fmpz_mpoly.factor`` raises ``OverflowError`` when it sorts two factors
that agree up to a coefficient beyond 64 bits; ours must factor such products (over Q when
flint's own sort fails) and list the factors in the project's order.
"""

import subprocess
import sys

import pytest
from flint import fmpz, fmpz_mpoly_ctx
from hypothesis import given, settings
from hypothesis import strategies as st

from cad.elimination import equivalent, qe
from cad.io import parse_qepcad, parse_qepcad_output_formula, to_str
from cad.poly.ops import _factor_order_key, _factor_over_q, factor, irreducible_factors, squarefree_factors

CTX = fmpz_mpoly_ctx.get(("x", "y", "z"), "lex")
BIG = 2**64


def poly_dicts(max_deg=2, max_terms=4, coeff=st.integers(-20, 20)):
    return st.dictionaries(st.tuples(*[st.integers(0, max_deg)] * 3), coeff, max_size=max_terms)


@st.composite
def big_polys(draw):
    """A non-constant polynomial whose coefficients may be far beyond 64 bits."""
    scale = draw(st.sampled_from([1, 10**10, BIG, 3 * BIG + 1, 10**30]))
    d = draw(poly_dicts(coeff=st.integers(-20, 20).map(lambda c: c * scale + draw(st.integers(-3, 3)))))
    p = CTX.from_dict(d)
    if p.is_constant():
        p = p + CTX.gens()[draw(st.integers(0, 2))]
    return p


@st.composite
def twin_linears(draw):
    """``(a x ± 1)(a' x + 1)`` (primitive factors) with equal monomials and coefficients past 64 bits: the case
    that makes flint's sort overflow."""
    x = CTX.gens()[draw(st.integers(0, 2))]
    a = draw(st.integers(BIG, 4 * BIG))
    b = draw(st.sampled_from([1, -1]))
    return (a * x + b) * ((a + draw(st.integers(1, 9))) * x + 1)


def check_factorisation(p):
    c, facs = factor(p)
    prod = CTX.constant(c)
    for f, e in facs:
        assert e >= 1 and not f.is_constant()
        assert f.leading_coefficient() > 0
        content = fmpz(0)
        for coeff in f.coeffs():
            content = content.gcd(coeff)
        assert content == 1, f"{f} is not primitive"
        prod *= f**e
    assert prod == p
    assert len({str(f) for f, _ in facs}) == len(facs)
    assert facs == sorted(facs, key=_factor_order_key)
    for f, _ in facs:   # irreducible: factoring a factor gives it back
        assert factor(f) == (1, [(f, 1)])
    return c, facs


@given(st.lists(big_polys(), min_size=1, max_size=3), st.integers(1, 2))
@settings(max_examples=40)
def test_factor_products_with_big_coefficients(polys, power):
    p = polys[0] ** power
    for q in polys[1:]:
        p *= q
    check_factorisation(p)
    c, facs = squarefree_factors(p)
    prod = CTX.constant(c)
    for f, e in facs:
        prod *= f**e
    assert prod == p


@given(twin_linears(), st.sampled_from([1, -1, 6, -(BIG + 1)]), st.integers(1, 3))
@settings(max_examples=30)
def test_factor_where_flint_sort_overflows(p, unit, power):
    c, facs = check_factorisation(unit * p**power)
    assert c == unit and len(facs) == 2 and all(e == power for _, e in facs)


@given(st.lists(st.builds(CTX.from_dict, poly_dicts()), min_size=1, max_size=3))
@settings(max_examples=40)
def test_factor_over_q_agrees_with_flint_over_z(polys):
    """The fallback gives the factorisation flint computes over Z (as sets, same content)."""
    p = CTX.constant(1)
    for q in polys:
        p *= q
    if p.is_constant():
        return
    c, facs = p.factor()
    c2, facs2 = _factor_over_q(p)
    assert c2 == c
    assert sorted(facs, key=_factor_order_key) == sorted(facs2, key=_factor_order_key)


def test_factor_reproducer_and_edge_cases():
    a = CTX.gens()[0]
    p = (10**10 * a + 1) * ((10**10 + 1) * a + 1)
    assert factor(p) == (1, [(10**10 * a + 1, 1), ((10**10 + 1) * a + 1, 1)])
    assert factor(-3 * p) == (-3, [(10**10 * a + 1, 1), ((10**10 + 1) * a + 1, 1)])
    assert irreducible_factors(-p) == [10**10 * a + 1, (10**10 + 1) * a + 1]
    assert factor(CTX.constant(0)) == (0, []) and factor(CTX.constant(-6)) == (-6, [])
    assert irreducible_factors(CTX.constant(7)) == []


BIG_QE = "[big]\n(a)\n1\n[ (10000000000 a + 1) (10000000001 a + 1) > 0 ].\nfinish\n"
# a product of two factors is positive iff both have the same strict sign; the root of the
# first, -1/10^10, is below the root of the second, -1/(10^10 + 1)
BIG_QE_EXPECTED = "10000000001 a + 1 > 0 \\/ 10000000000 a + 1 < 0"


def test_qe_with_coefficients_past_64_bits():
    problem = parse_qepcad(BIG_QE)
    ours = qe(problem, timeout=60).formula
    expected = parse_qepcad_output_formula(BIG_QE_EXPECTED, problem.ring)
    assert equivalent(problem.ring, ours, expected, timeout=60), to_str(ours, problem.ring)


def test_cad_qe_cli_answers_past_64_bits(tmp_path):
    path = tmp_path / "big.qepcad"
    path.write_text(BIG_QE)
    run = subprocess.run([sys.executable, "-m", "cad.cli", "qe", str(path)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    problem = parse_qepcad(BIG_QE)
    ours = parse_qepcad_output_formula(run.stdout.strip(), problem.ring)
    expected = parse_qepcad_output_formula(BIG_QE_EXPECTED, problem.ring)
    assert equivalent(problem.ring, ours, expected, timeout=60), run.stdout


@pytest.mark.qepcad
def test_qepcad_agrees_past_64_bits(qepcad):
    """QEPCAD B decides ``(A a)[ours <==> its own answer]``."""
    problem = parse_qepcad(BIG_QE)
    ours = to_str(qe(problem, timeout=60).formula, problem.ring)
    out = subprocess.run([qepcad], input=BIG_QE, capture_output=True, text=True, timeout=60).stdout
    theirs = out.split("An equivalent quantifier-free formula:")[1].split("=====")[0].strip()
    sentence = f"[eq]\n(a)\n0\n(A a)[[{ours}] <==> [{theirs}]].\nfinish\n"
    out = subprocess.run([qepcad], input=sentence, capture_output=True, text=True, timeout=60).stdout
    verdict = out.split("An equivalent quantifier-free formula:")[1].split("=====")[0].strip()
    assert verdict == "TRUE", (ours, theirs, verdict)


def test_overflow_example_found_by_the_cad_fuzz():
    """``(E n)[ 2149400000 n^2 < n ]``, the example the 2000-example fuzz of ``cad qe`` shrank to
    (flint's factor sort overflowed): answered exactly, exit 0."""
    import subprocess
    import sys

    text = "[t]\n(n)\n0\n(E n)[ 2149400000 n^2 < n ].\nfinish\n"
    out = subprocess.run([sys.executable, "-m", "cad.cli", "qe", "-"], input=text, text=True,
                         capture_output=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "TRUE", out.stderr
