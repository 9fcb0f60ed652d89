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

**Equations inside a disjunction** (proved).  When no conjunct is such an equation but one
conjunct is a disjunction ``D_1 \/ ... \/ D_k`` each of whose disjuncts has a usable
equation among its own top-level conjuncts (or is one),

    ``(E X)[R /\ (D_1 \/ ... \/ D_k)]  <->  (E X)[R /\ D_1] \/ ... \/ (E X)[R /\ D_k]``

(distributivity, and ``E`` distributes over ``\/``), and every new branch has an equation
to substitute.  Of the candidate disjunctions the one with the fewest disjuncts is taken.
On davenport_heintz, ``(A b)(A a)[[[a = d /\ b = c] \/ [a = c /\ b = 1]] ==> a^2 = b]``
negated is ``(E b)(E a)[[[a = d /\ b = c] \/ [a = c /\ b = 1]] /\ a^2 /= b]``: two branches,
``d^2 /= c`` and ``c^2 /= 1``, and no bound variable of the block is left.

**Termination.**  A distribution removes one disjunction node from the branch, and no step
creates one (substitution and :func:`tidy_conjunction` map atoms to atoms); every other
step removes ``v`` (the first branch) or replaces an equation by equations in fewer
variables of the block (the second).  So the steps decrease (disjunction nodes, the
equations' measure) lexicographically, and the recursion ends.  The number of branches is
capped (:data:`MAX_BRANCHES`) and beyond the cap the matrix is left as it was.

:func:`split_cases` and :func:`expand_cases` are the case-split driver shared with the
quadratic equations (:mod:`cad.elimination.quadratic_cases`): a rule supplies the step that
builds the cases of one conjunction, the driver tidies, folds and recurses.
"""

from cad.logic import FALSE, And, Atom, Or, Truth
from cad.poly import coefficients_in, poly_key
from cad.poly.ops import irreducible_factors

__all__ = ["split_linear_equations", "split_cases", "expand_cases", "TooManyCases",
           "tidy_conjunction", "block_equations", "MAX_BRANCHES"]

#: above this many branches the split is abandoned (the matrix is kept as it was)
MAX_BRANCHES = 48


class TooManyCases(Exception):
    """A cap of a case split was reached: the caller keeps the matrix as it was."""


def split_cases(matrix, cases_of, fold, max_branches, max_depth=None):
    """The matrix split by the rule ``cases_of`` into a disjunction of cases, or ``matrix``
    itself when the rule applies nowhere or a cap is reached.

    ``matrix`` is an NNF whose top is a conjunction (or an atom), or a disjunction of such
    (each top-level disjunct is split on its own: the innermost block is existential).
    ``cases_of(kids)`` gives, for the conjunction of the nodes ``kids``, a list of
    conjunctions (lists of nodes) whose disjunction is equivalent to it under the block's
    existential quantifiers, or None when the rule does not apply; it may raise
    :class:`TooManyCases`.  ``fold`` folds constant atoms and flattens."""
    parts = matrix.children() if isinstance(matrix, Or) else (matrix,)
    try:
        branches = []
        changed = False
        count = [0]
        for part in parts:
            kids = list(part.children()) if isinstance(part, And) else [part]
            out = expand_cases(kids, cases_of, fold, count, max_branches, max_depth)
            changed = changed or out is not None
            branches.extend(out if out is not None else [[part]])
    except TooManyCases:
        return matrix
    if not changed:
        return matrix
    return fold(Or(tuple(And(tuple(b)) if len(b) > 1 else b[0] for b in branches))
                if branches else FALSE)


def expand_cases(kids, cases_of, fold, count, max_branches, max_depth=None, depth=0):
    """The conjunction ``kids`` as a list of conjunctions (lists of nodes), one per case,
    each case tidied (:func:`tidy_conjunction`), folded and split again; None when
    ``cases_of`` does not apply to ``kids``.  ``count[0]`` counts the final branches over
    the whole split; :class:`TooManyCases` past ``max_branches`` of them, or when the
    nesting reaches ``max_depth``."""
    cases = cases_of(kids)
    if cases is None:
        return None
    if max_depth is not None and depth >= max_depth:
        raise TooManyCases
    out = []
    for case in cases:
        f = fold(And(tuple(tidy_conjunction(case))))
        if isinstance(f, Truth) and not f.value:
            continue
        parts = list(f.children()) if isinstance(f, And) else [f]
        more = None if isinstance(f, Truth) else expand_cases(
            parts, cases_of, fold, count, max_branches, max_depth, depth + 1)
        if more is None:
            count[0] += 1
            if count[0] > max_branches:
                raise TooManyCases
            out.append(parts)
        else:
            out.extend(more)
    return out


def split_linear_equations(matrix, block, substitute, fold, parametric=True):
    """The matrix with the innermost existential ``block`` variables (generator indices)
    fixed by linear equations substituted away, case by case (module docstring).

    ``matrix`` is an NNF whose top is a conjunction (or an atom), or a disjunction of such;
    ``substitute(node, v, num, den)`` replaces every atom ``g rel 0`` of the subformula
    ``node`` by ``den^(d + (d mod 2)) g(num/den) rel 0`` (``den`` a polynomial, ``d`` the
    degree of ``g`` in ``v``), ``fold`` folds constant atoms and flattens.  With
    ``parametric`` false only equations with an integer coefficient of ``v`` are used (no
    case ``c = 0``, so no new atoms in the answer).  Returns the new matrix (unchanged when
    the cap is reached or no equation applies)."""
    def cases_of(kids):
        found = _pick(kids, block, parametric)
        if found is None:
            return _distributed(kids, block, parametric)
        pos, v, q, c = found
        rest = kids[:pos] + kids[pos + 1:]
        solved = [substitute(k, v, -q, c) for k in rest]
        if c.is_constant():
            return [solved]
        return [[Atom(c, "/=")] + solved, [Atom(c, "="), Atom(q, "=")] + rest]

    return split_cases(matrix, cases_of, fold, MAX_BRANCHES)


def _pick(kids, block, parametric):
    """The equation to use: ``(position, v, q, c)`` with the fewest terms in ``c``
    (an integer ``c`` first), or None."""
    best = None
    for pos, v, (q, c) in block_equations(kids, block, 1):
        if not parametric and not c.is_constant():
            continue
        key = (not c.is_constant(), len(c), len(q))
        if best is None or key < best[0]:
            best = (key, pos, v, q, c)
    return None if best is None else best[1:]


def _distributed(kids, block, parametric):
    """The cases of distributing the conjunction ``kids`` over its disjunction with the
    fewest disjuncts among those whose every disjunct has an equation for :func:`_pick`
    (module docstring); None when there is none."""
    best = None
    for pos, node in enumerate(kids):
        if not isinstance(node, Or):
            continue
        disjuncts = [list(d.children()) if isinstance(d, And) else [d] for d in node.children()]
        if all(_pick(d, block, parametric) is not None for d in disjuncts):
            if best is None or len(disjuncts) < len(best[1]):
                best = (pos, disjuncts)
    if best is None:
        return None
    pos, disjuncts = best
    rest = kids[:pos] + kids[pos + 1:]
    return [rest + d for d in disjuncts]


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
