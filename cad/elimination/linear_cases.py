r"""Linear equations with a parametric coefficient: substitution with a case split.

:func:`cad.elimination.preprocess.eliminate_linear_equations` substitutes a variable fixed
by ``c v + q = 0`` when ``c`` is a non-zero integer.  When ``c`` is a polynomial (free of
``v``) the same substitution holds where ``c /= 0``, and where ``c = 0`` the equation says
``q = 0`` and leaves ``v`` free:

    ``(E v)[c v + q = 0 /\ phi]  <->  [c /= 0 /\ phi[v := -q/c]]  \/  [c = 0 /\ q = 0 /\ (E v) phi]``

(proved: if ``c /= 0`` the equation has the single solution ``v = -q/c``; if ``c = 0`` it
does not depend on ``v`` and reads ``q = 0``).  ``phi[v := -q/c]`` is written without
denominators: an atom ``g rel 0`` of degree ``d`` in ``v`` becomes
``c^(d + (d mod 2)) g(-q/c) rel 0``, a polynomial, multiplied by an even power of ``c /= 0``,
so its sign is that of ``g(-q/c)``.

Existential quantifiers distribute over disjunctions, so each branch is treated again on
its own; this is Weispfenning's virtual substitution for linear equations (V. Weispfenning,
"The complexity of linear problems in fields", J. Symbolic Comput. 5 (1988)), applied
before any projection.  In the branch ``c = 0`` the atom ``c = 0`` often fixes another
variable (``c`` a variable of the block), which the integer-coefficient rule then removes.
Every step removes ``v`` (first branch) or replaces an equation by equations in fewer
variables of the block (second), so the recursion ends; the number of branches is capped
(:data:`MAX_BRANCHES`) and beyond the cap the matrix is left as it was.
"""

from cad.logic import FALSE, And, Atom, Or, Truth
from cad.poly import coefficients_in, poly_key
from cad.poly.ops import irreducible_factors

__all__ = ["split_linear_equations", "tidy_conjunction", "block_equations", "MAX_BRANCHES"]

#: above this many branches the split is abandoned (the matrix is kept as it was)
MAX_BRANCHES = 48


class _TooManyBranches(Exception):
    pass


def split_linear_equations(matrix, block, substitute, fold):
    """The matrix with the innermost existential ``block`` variables (generator indices)
    fixed by linear equations substituted away, case by case (module docstring).

    ``matrix`` is an NNF whose top is a conjunction (or an atom), or a disjunction of such;
    ``substitute(node, v, num, den)`` replaces every atom ``g rel 0`` of the subformula
    ``node`` by ``den^(d + (d mod 2)) g(num/den) rel 0`` (``den`` a polynomial, ``d`` the
    degree of ``g`` in ``v``), ``fold`` folds constant atoms and flattens.  Returns the new
    matrix (unchanged when the cap is reached or no equation applies)."""
    parts = matrix.children() if isinstance(matrix, Or) else (matrix,)
    try:
        branches = []
        for part in parts:
            kids = list(part.children()) if isinstance(part, And) else [part]
            branches.extend(_expand(kids, block, substitute, fold, [0]))
    except _TooManyBranches:
        return matrix
    if len(branches) == len(parts) and all(len(b) == 1 and b[0] is p
                                           for b, p in zip(branches, parts)):
        return matrix
    return fold(Or(tuple(And(tuple(b)) if len(b) > 1 else b[0] for b in branches))
                if branches else FALSE)


def _pick(kids, block):
    """The equation to use: ``(position, v, q, c)`` with the fewest terms in ``c``
    (an integer ``c`` first), or None."""
    best = None
    for pos, v, (q, c) in block_equations(kids, block, 1):
        key = (not c.is_constant(), len(c), len(q))
        if best is None or key < best[0]:
            best = (key, pos, v, q, c)
    return None if best is None else best[1:]


def block_equations(kids, block, degree):
    """``(position, v, coefficients)`` for each equation among ``kids`` of degree ``degree``
    in a variable ``v`` of ``block`` (its coefficients in ``v``, low to high)."""
    for pos, node in enumerate(kids):
        if not isinstance(node, Atom) or node.rel != "=" or node.poly.is_constant():
            continue
        degs = node.poly.degrees()
        for v in block:
            if degs[v] == degree:
                yield pos, v, coefficients_in(node.poly, v)


def _expand(kids, block, substitute, fold, count):
    """The conjunction ``kids`` as a list of conjunctions (lists of nodes), one per case."""
    found = _pick(kids, block)
    if found is None:
        count[0] += 1
        if count[0] > MAX_BRANCHES:
            raise _TooManyBranches
        return [kids]
    pos, v, q, c = found
    rest = kids[:pos] + kids[pos + 1:]
    solved = [substitute(k, v, -q, c) for k in rest]
    out = []
    if c.is_constant():
        cases = [solved]
    else:
        cases = [[Atom(c, "/=")] + solved, [Atom(c, "="), Atom(q, "=")] + rest]
    for case in cases:
        f = fold(And(tuple(tidy_conjunction(case))))
        if isinstance(f, Truth):
            if f.value:
                count[0] += 1
                out.append([f])
            continue
        out.extend(_expand(list(f.children()) if isinstance(f, And) else [f],
                           block, substitute, fold, count))
    return out



def tidy_conjunction(kids):
    """The conjunction ``kids`` with its equations and inequations reduced (proved): ``h /= 0``
    becomes one atom ``f /= 0`` per irreducible factor ``f`` of ``h`` (a product is non-zero
    iff every factor is); in ``g = 0`` repeated factors count once and the factors known
    non-zero from those atoms are dropped (``g = 0`` iff some remaining factor vanishes;
    none left: false).  Constant atoms, other atoms and subformulas are kept (constants are
    folded by the caller); duplicates are removed."""
    def reducible(node, rel):      # a constant atom is left to the folding
        return isinstance(node, Atom) and node.rel == rel and not node.poly.is_constant()

    nonzero = {}
    for node in kids:
        if reducible(node, "/="):
            for f in irreducible_factors(node.poly):
                nonzero.setdefault(poly_key(f), f)
    out = [Atom(f, "/=") for f in nonzero.values()]
    seen = {(poly_key(a.poly), a.rel) for a in out}
    for node in kids:
        if reducible(node, "/="):
            continue
        if reducible(node, "="):
            g = node.poly.context().from_dict({(0,) * node.poly.context().nvars(): 1})
            for f in irreducible_factors(node.poly):
                if poly_key(f) not in nonzero:
                    g *= f
            node = Atom(g, "=")
        key = (poly_key(node.poly), node.rel) if isinstance(node, Atom) else None
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        out.append(node)
    return out
