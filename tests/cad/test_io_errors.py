"""Parse errors of both input formats (QEPCAD B and SMT-LIB2) carry line and column."""

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cad.errors import ParseError
from cad.io import parse_qepcad, parse_smtlib
from cad.logic import free_variables

BAD = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "bad_inputs")


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
