"""The answer of a hard-limited ``qe`` travels from the forked child as a flat list
(cad.elimination.driver._encoded / _decoded): every formula the child can send comes back
equal, deep nesting included, and the library call gives the in-process answer."""

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from cad import logic, parse_qepcad, qe
from cad.elimination import driver
from cad.logic import And, Atom, Not, Or, RootAtom
from cad.nesting import deep

from strategies import R, leaves, polys, rels

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _answers(children):
    """The connectives of quantifier-free answers: conjunction, disjunction, negation."""
    return st.one_of(
        st.builds(lambda xs: And(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(lambda xs: Or(tuple(xs)), st.lists(children, min_size=2, max_size=3)),
        st.builds(Not, children),
    )


root_atoms = st.builds(lambda p, rel, k: RootAtom("y", rel, k, p * R.gen("y") + 1), polys(), rels,
                       st.sampled_from([1, 2, -1]))
answers = st.recursive(st.one_of(leaves, root_atoms), _answers, max_leaves=12)


@settings(max_examples=100, deadline=None)
@given(answers)
def test_encoded_answer_decodes_to_itself(f):
    assert driver._decoded(driver._encoded(f, R.ctx), R.ctx) == f


def test_deeply_nested_answer_needs_no_deep_stack():
    x = Atom(R.gen("x"), ">")
    f = x
    for i in range(20_000):
        f = And((f, x)) if i % 2 else Or((x, f))
    back = driver._decoded(driver._encoded(f, R.ctx), R.ctx)
    assert deep(lambda: back == f)()      # (only the comparison recurses)


def test_answer_outside_the_ring_is_an_internal_error():
    from cad.errors import InternalError
    from cad.poly import PolyRing

    other = PolyRing(("u",))
    try:
        driver._encoded(Atom(other.gen("u"), "="), R.ctx)
    except InternalError:
        return
    raise AssertionError("a polynomial of another ring was encoded")


def test_hard_limited_answers_equal_the_in_process_ones():
    folder = os.path.join(ROOT, "benchmarks", "qe")
    for name in ("parabola", "davenport_heintz", "lu2_image"):
        with open(os.path.join(folder, name + ".qepcad"), encoding="utf-8") as fh:
            problem = parse_qepcad(fh.read())
        inside = qe(problem, hard_limit=False).formula
        assert qe(problem, timeout=60).formula == inside
    sentence = parse_qepcad("[s]\n(x)\n0\n(A x)[x^2 >= 0].\nfinish\n")
    assert qe(sentence, timeout=60).formula == logic.TRUE


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 3 * (1 << 20)))
def test_child_payloads_of_any_size_arrive_whole(n):
    """The child writes its answer on the raw pipe descriptor (a loop of ``os.write``): a
    payload larger than the pipe's buffer arrives whole and in order."""
    from cad.hard_deadline import run_with_hard_limit

    data = bytes(i % 251 for i in range(n))
    assert run_with_hard_limit(lambda: data, 60) == data
