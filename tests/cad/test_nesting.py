"""cad.nesting.deep: shallow calls run on the main thread, deeper ones in the deep thread,
and a call that looked shallow but meets the recursion limit is run again there."""

import threading

from cad.nesting import SHALLOW_NESTING, deep, few_brackets, formula_depth_at_most


def _depth(n):
    return 0 if n == 0 else 1 + _depth(n - 1)


def test_a_shallow_call_runs_on_the_calling_thread_and_a_deep_one_in_the_deep_thread():
    seen = []

    @deep(shallow=lambda n: n < 10)
    def where(n):
        seen.append(threading.current_thread())
        return _depth(n)

    assert where(5) == 5
    assert seen[-1] is threading.main_thread()
    assert where(20) == 20
    assert seen[-1] is not threading.main_thread()


def test_a_call_that_looked_shallow_is_run_again_in_the_deep_thread():
    """The direct run meets the interpreter's recursion limit; the same call then runs in
    the deep thread, whose limit is raised, and gives the answer."""
    threads = []

    @deep(shallow=lambda n: True)
    def recurse(n):
        threads.append(threading.current_thread())
        return _depth(n)

    assert recurse(20000) == 20000
    assert threads[0] is threading.main_thread()
    assert threads[-1] is not threading.main_thread()


def test_the_shallow_tests():
    assert few_brackets("(a,x)\n[" + "[x > 0]" * SHALLOW_NESTING + "]") is False
    assert few_brackets("(a,x)\n(E x)[x^2 - a = 0].")
    assert not few_brackets(None)

    class Node:
        def __init__(self, *kids):
            self.kids = kids

        def children(self):
            return self.kids

    chain = Node()
    for _ in range(9):
        chain = Node(chain)
    assert formula_depth_at_most(chain, 10)
    assert not formula_depth_at_most(chain, 9)
