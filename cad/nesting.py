"""Deeply nested input: the nesting limit and a deep stack for the recursive readers and walks.

The QEPCAD B and SMT-LIB readers are recursive descent parsers and the formula walks of
:mod:`cad.logic` recurse over the tree, one Python frame (or a few) per level.  QEPCAD B
itself reads tens of thousands of nested brackets, so instead of rewriting every walk as a
loop, :func:`deep` runs a call in a thread with a large stack and a raised recursion limit.
The readers reject nesting deeper than :data:`MAX_NESTING` up front with a
:class:`cad.errors.ParseError` naming the limit, so the recursion stays bounded.
"""

import functools
import sys
import threading

__all__ = ["MAX_NESTING", "SHALLOW_NESTING", "deep", "check_nesting", "few_brackets",
           "formula_depth_at_most"]

# brackets / parentheses nested deeper than this are refused (QEPCAD B reads 50000 nested
# brackets; we allow that much and no more)
MAX_NESTING = 50_000

# Python frames allowed inside a deep call: a few per nesting level for the parser and the walks
_RECURSION_LIMIT = 8 * MAX_NESTING + 10_000
# the deep thread's stack (virtual: only the pages a deep input touches are used)
_STACK_BYTES = 1 << 30

_state = threading.local()
_lock = threading.Lock()
_running = [0, None]   # deep calls under way, the recursion limit before the first of them


def check_nesting(depth, line, column, source=None):
    """Raise :class:`cad.errors.ParseError` at (line, column) when ``depth`` exceeds the limit."""
    if depth > MAX_NESTING:
        from cad.errors import ParseError

        raise ParseError(f"brackets nested more than {MAX_NESTING} deep (the nesting limit)",
                         line, column, source)


def deep(fn=None, *, shallow=None):
    """``fn`` run in a thread with a large stack and a recursion limit fit for
    :data:`MAX_NESTING` levels; results and exceptions pass through unchanged.  Calls made
    inside a deep call run directly.

    ``shallow(*args, **kwargs)``, when given, says that the arguments are evidently shallow
    (a few brackets, a formula a few levels deep): then, on the main thread, ``fn`` first runs
    directly, under the interpreter's own recursion limit, which keeps the main thread's
    stack safe; starting a thread with a large stack costs about 0.1 ms, as much as a small
    problem's parse.  If that run still meets the limit (RecursionError), it is started
    again in the deep thread, so the answer is the same either way, up to the time the first
    run spent of a shared budget (``fn`` must have no side effect that a repeated run would
    notice: the readers and ``qe`` have none besides caches)."""
    if fn is None:
        return functools.partial(deep, shallow=shallow)

    @functools.wraps(fn)
    def run(*args, **kwargs):
        if getattr(_state, "deep", False):
            return fn(*args, **kwargs)
        if (shallow is not None and threading.current_thread() is threading.main_thread()
                and shallow(*args, **kwargs)):
            _state.deep = True
            try:
                return fn(*args, **kwargs)
            except RecursionError:
                pass    # deeper than it looked: run again below, in the deep thread
            finally:
                _state.deep = False
        outcome = {}

        def target():
            _state.deep = True
            try:
                outcome["value"] = fn(*args, **kwargs)
            except BaseException as exc:   # noqa: BLE001 -- re-raised in the caller
                outcome["error"] = exc

        with _lock:
            if _running[0] == 0:
                _running[1] = sys.getrecursionlimit()
                sys.setrecursionlimit(max(_running[1], _RECURSION_LIMIT))
            _running[0] += 1
        try:
            old_size = threading.stack_size(_STACK_BYTES)
            try:
                worker = threading.Thread(target=target, name=f"cad-deep-{fn.__name__}",
                                          daemon=True)
                worker.start()
            finally:
                threading.stack_size(old_size)
            worker.join()
        finally:
            with _lock:
                _running[0] -= 1
                if _running[0] == 0:
                    sys.setrecursionlimit(_running[1])
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    return run


# brackets (or formula levels) below which a call is tried on the main thread first: a few
# frames each, far below the default recursion limit of 1000
SHALLOW_NESTING = 40


def few_brackets(text, *_args, **_kwargs):
    """A ``shallow`` test for the readers (:func:`deep`): at most :data:`SHALLOW_NESTING`
    brackets and parentheses in all, so none nested deeper."""
    if not isinstance(text, str):
        return False
    return text.count("[") + text.count("(") <= SHALLOW_NESTING


def formula_depth_at_most(f, limit):
    """True when the formula tree ``f`` (nodes with ``children()``) is at most ``limit``
    levels deep; a loop, stopping at the first node past the limit."""
    todo = [(f, 1)]
    while todo:
        g, d = todo.pop()
        if d > limit:
            return False
        children = getattr(g, "children", None)
        if children is not None:
            todo.extend((k, d + 1) for k in children())
    return True
