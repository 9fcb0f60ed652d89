r"""Preprocessing of the prenex matrix, before any projection.

* Innermost-block variables occurring in a single atom, linearly, are eliminated
  (:func:`eliminate_single_occurrences`, one-atom virtual substitution).
* Innermost existential variables fixed by a linear equation with a constant coefficient
  are substituted away (:func:`eliminate_linear_equations`).
* Bound variables are sheared, ``u := u ± v``, while that lowers the number of terms
  (:func:`shear_bound_variables`): e.g. a translation-invariant sentence loses the
  translation variables.
* Innermost-block variables fixed by linear equations, also inside disjunctions, and by
  quadratic ones are substituted case by case (:func:`split_parametric_linear_equations`,
  :func:`split_quadratic_equations`).
* Variables of an outer block that share no top-level part with an inner block's variables
  are eliminated in place (:func:`eliminate_confined_variables`).
* Quantified variables occurring nowhere are dropped (:func:`compact`), so that they do not
  enter the projection; atoms that became constant are folded (:func:`fold_constants`).
* When a pass removes the whole innermost block, the steps run again on the next one
  (:func:`preprocess`).

The matrix is a negation normal form of :mod:`cad.logic` (``And``, ``Or``, atoms and
constants: :func:`cad.logic.nnf`) whose polynomials live in the CAD context: generators
``order``, the free variables first, then the bound ones with the quantifiers ``quants``.
The walks use the generic ``children()`` / ``rebuild()`` of the formula nodes and, unlike
the smart constructors of :mod:`cad.logic`, never drop a repeated subformula: the
single-occurrence rule counts atom *occurrences*.  (A universal block's case splits work on
the negation, :meth:`cad.logic.Formula.to_nnf`, which may merge repeated subformulas; that
keeps the meaning, and every rule counts again on the formula it is given.)
"""

from flint import fmpz_mpoly_ctx

from cad.logic import FALSE, NEGATED, TRUE, And, Atom, Or, Truth
from cad.poly import coefficients_in, poly_key
from cad.elimination.bounds import implied_bounds, with_bounds
from cad.elimination.linear_cases import split_linear_equations
from cad.elimination.quadratic_cases import split_quadratic_cases
from cad.elimination.masks import holds

__all__ = [
    "preprocess", "eliminate_single_occurrences", "eliminate_linear_equations",
    "shear_bound_variables", "split_parametric_linear_equations", "split_quadratic_equations",
    "compact",
    "simplify", "fold_constants", "map_atoms", "atom_occurrences",
]


def preprocess(matrix, order, quants, nfree):
    """All the preprocessing steps; returns ``(matrix, order, quants)``.  When a pass
    removes the whole innermost block, the next block is innermost and the steps run
    again on it (each pass keeps the problem equivalent, and each repeat has fewer
    quantifier blocks, so the repeats end)."""
    while True:
        nblocks = _count_blocks(quants)
        matrix, order, quants = _preprocess_pass(matrix, order, quants, nfree)
        if isinstance(matrix, Truth) or not quants or _count_blocks(quants) == nblocks:
            return matrix, order, quants


def _count_blocks(quants):
    """Number of quantifier blocks (maximal runs of one quantifier)."""
    return sum(1 for j, q in enumerate(quants) if j == 0 or q != quants[j - 1])


def _preprocess_pass(matrix, order, quants, nfree):
    """One pass of the preprocessing steps on the current innermost block."""
    if not quants:
        return matrix, order, quants
    matrix = eliminate_confined_variables(matrix, order, quants, nfree)
    matrix = eliminate_single_occurrences(matrix, order, quants, nfree)
    matrix = eliminate_linear_equations(matrix, order, quants, nfree)
    matrix = shear_bound_variables(matrix, order, quants, nfree)
    matrix = split_parametric_linear_equations(matrix, order, quants, nfree)
    bounds = implied_bounds(matrix, len(order))     # shears are done: the variables are final
    matrix = split_quadratic_equations(matrix, order, quants, nfree)
    matrix = _per_disjunct(matrix, quants, lambda f: eliminate_single_occurrences(
        eliminate_single_occurrences(f, order, quants, nfree), order, quants, nfree))
    matrix = eliminate_single_occurrences(matrix, order, quants, nfree)
    matrix, new_order, new_quants = compact(matrix, order, quants, nfree)
    return with_bounds(matrix, bounds, order, new_order, nfree), new_order, new_quants


def _per_disjunct(matrix, quants, fn):
    r"""``fn`` applied to each top-level disjunct when the innermost block is existential
    (``(E X)[A \/ B] <-> (E X) A \/ (E X) B``: a rule valid for ``(E X) A`` may be applied
    to ``A`` alone), to each top-level conjunct when it is universal (dually), else to the
    whole matrix."""
    if quants and isinstance(matrix, Or if quants[-1] == "E" else And):
        return fold_constants(matrix.rebuild(tuple(fn(k) for k in matrix.children())))
    return fn(matrix)


# ---------------------------------------------------------------------------
# generic walks over the negation normal form
# ---------------------------------------------------------------------------

def atom_occurrences(f):
    """Every atom occurrence of ``f``, in order (an atom occurring twice is listed twice)."""
    if isinstance(f, Atom):
        return [f]
    return [a for k in f.children() for a in atom_occurrences(k)]


def map_atoms(f, fn):
    """``f`` with every atom ``a`` replaced by ``fn(a)``, the connectives rebuilt as they are."""
    if isinstance(f, Atom):
        return fn(f)
    kids = f.children()
    if not kids:
        return f
    return f.rebuild(tuple(map_atoms(k, fn) for k in kids))


def simplify(f):
    """Flatten nested conjunctions and disjunctions and absorb the constants (TRUE vanishes
    from a conjunction, FALSE makes it FALSE; dually for disjunctions).  Nothing else."""
    if not isinstance(f, (And, Or)):
        return f
    absorbing = isinstance(f, Or)        # TRUE absorbs a disjunction, FALSE a conjunction
    kids = []
    for k in f.children():
        k = simplify(k)
        if isinstance(k, Truth):
            if bool(k.value) == absorbing:
                return TRUE if absorbing else FALSE
            continue
        if type(k) is type(f):
            kids.extend(k.children())
        else:
            kids.append(k)
    if not kids:
        return FALSE if absorbing else TRUE
    return kids[0] if len(kids) == 1 else f.rebuild(tuple(kids))


def fold_constants(f):
    """Fold atoms whose polynomial became constant into TRUE/FALSE; then :func:`simplify`."""
    return simplify(map_atoms(f, _constant_atom_value))


def _constant_atom_value(a):
    p = a.poly
    if not p.is_constant():
        return a
    c = int(p.coeffs()[0]) if not p.is_zero() else 0
    return TRUE if holds(a.rel, (c > 0) - (c < 0)) else FALSE


def _innermost_block(n, quants, nfree):
    """Generator indices of the innermost quantifier block (the trailing run of ``quants[-1]``)."""
    kind = quants[-1]
    k = n
    while k > nfree and quants[k - nfree - 1] == kind:
        k -= 1
    return range(k, n)


# ---------------------------------------------------------------------------
# the eliminations
# ---------------------------------------------------------------------------

def eliminate_single_occurrences(matrix, order, quants, nfree):
    r"""Eliminate innermost-block variables that occur in a single atom, linearly.

    Let ``v`` belong to the innermost quantifier block and occur in exactly one atom
    occurrence ``B = (c v + q rel 0)`` of the NNF matrix ``phi``, with ``c``, ``q`` free of
    ``v`` (degree 1 in ``v``).  Splitting on the truth value of ``B`` at a witness,

        ``(E v) phi(B)  <->  [phi(TRUE) /\ (E v) B]  \/  [phi(FALSE) /\ (E v) ~B]``
        ``(A v) phi(B)  <->  [phi(TRUE) \/ (A v) ~B]  /\  [phi(FALSE) \/ (A v) B]``

    (``phi(TRUE)`` is ``phi`` with that occurrence replaced by a constant; ``v`` occurs
    nowhere else), and for a linear atom ``(E v)[c v + q rel 0] <-> c /= 0 \/ q rel 0``,
    ``(A v)[c v + q rel 0] <-> c = 0 /\ q rel 0``.  Since ``phi`` is in negation normal
    form it is monotone in ``B``: ``phi(FALSE)`` implies ``phi(TRUE)``; so when ``(E v) B``
    is true the first line reduces to ``phi(TRUE)``, and when ``(A v) B`` is false the
    second to ``phi(FALSE)``.  This is the one-atom case of Weispfenning's virtual
    substitution, applied before any projection; e.g. ``(E n)(E w)[... /\ d = m v + n w]``
    loses ``w`` and then ``n``, and ``d`` with them.  Variables of the block can be taken
    in any order (quantifiers of one kind commute), and the rule is repeated while it
    applies.  Returns the new matrix; eliminated variables no longer occur in it.
    """
    n = len(order)
    if n <= nfree or isinstance(matrix, Truth):
        return matrix
    kind = quants[-1]
    block = _innermost_block(n, quants, nfree)
    changed = True
    while changed and not isinstance(matrix, Truth):
        changed = False
        occurrences = atom_occurrences(matrix)
        for v in block:
            users = [a for a in occurrences if a.poly.degrees()[v] > 0]
            if len(users) != 1:
                continue
            (B,) = users
            if B.poly.degrees()[v] != 1:
                continue
            q, c = coefficients_in(B.poly, v)
            if_true = map_atoms(matrix, lambda a: TRUE if a is B else a)
            if_false = map_atoms(matrix, lambda a: FALSE if a is B else a)
            rel, neg = B.rel, NEGATED[B.rel]
            if kind == "E":
                if c.is_constant():       # (E v) B is TRUE
                    matrix = if_true
                else:
                    matrix = Or((And((if_true, _linear_exists(c, q, rel))),
                                 And((if_false, _linear_exists(c, q, neg)))))
            else:
                if c.is_constant():       # (A v) B is FALSE
                    matrix = if_false
                else:
                    matrix = And((Or((if_true, _linear_forall(c, q, neg))),
                                  Or((if_false, _linear_forall(c, q, rel)))))
            matrix = fold_constants(matrix)
            changed = True
            break
    return matrix


def _linear_exists(c, q, rel):
    r"""``(E v)[c v + q rel 0]`` for ``c``, ``q`` free of ``v``: ``c /= 0 \/ q rel 0``
    (for ``c /= 0`` the left side takes every real value)."""
    return Or((Atom(c, "/="), Atom(q, rel)))


def _linear_forall(c, q, rel):
    r"""``(A v)[c v + q rel 0]``: ``c = 0 /\ q rel 0``."""
    return And((Atom(c, "="), Atom(q, rel)))


def eliminate_linear_equations(matrix, order, quants, nfree):
    r"""Substitute away innermost existential variables fixed by a linear equation.

    ``(E v)[c v + q = 0 /\ phi]`` with ``c`` a nonzero integer and ``q`` free of ``v`` is
    equivalent to ``phi[v := -q/c]`` (the equation has exactly one solution); atoms are
    multiplied by ``c^deg`` with ``c > 0`` so their signs are kept.  Only conjunctive
    matrices and variables of the innermost (existential) block are treated.  This is the
    standard linear equational-constraint preprocessing (cf. Weispfenning's virtual
    substitution for linear equations); it shrinks the projection considerably.
    """
    if not quants or quants[-1] != "E" or not isinstance(matrix, (And, Atom)):
        return matrix
    block = _innermost_block(len(order), quants, nfree)
    kids = list(matrix.children()) if isinstance(matrix, And) else [matrix]
    changed = True
    while changed:
        changed = False
        for pos, node in enumerate(kids):
            if not isinstance(node, Atom) or node.rel != "=" or node.poly.is_constant():
                continue
            p = node.poly
            degs = p.degrees()
            for v in block:
                if degs[v] != 1:
                    continue
                q, c = coefficients_in(p, v)
                if not c.is_constant():
                    continue
                c0 = int(c.coeffs()[0])
                if c0 < 0:
                    c0, q = -c0, -q
                # v = -q / c0: replace every other atom's polynomial by c0^d * f(-q/c0)
                del kids[pos]
                kids = [map_atoms(k, lambda a: _substitute(a, v, -q, c0)) for k in kids]
                changed = True
                break
            if changed:
                break
    if not kids:
        return TRUE
    return fold_constants(kids[0] if len(kids) == 1 else And(tuple(kids)))


def _substitute(a, v, value_num, den):
    """The atom ``a`` with ``v := value_num / den``, times ``den^deg_v`` (and once more when
    that degree is odd and ``den`` is not a positive integer: an even power of a non-zero
    ``den`` keeps the sign)."""
    f = a.poly
    fd = f.degrees()[v]
    if fd == 0:
        return a
    g = f.context().from_dict({})
    for e, ce in enumerate(coefficients_in(f, v)):
        if not ce.is_zero():
            g += ce * value_num ** e * den ** (fd - e)
    if fd % 2 and not (isinstance(den, int) and den > 0):
        g *= den
    return Atom(g, a.rel)


# Parametric coefficients are used for innermost blocks of at least this many variables.
# Smaller problems are cheap for the projection, whose solution formula is written in the
# image's own polynomials (e.g. ``a d - b c = 0`` for the 2-1-2 image, closed by syntax),
# while the split adds the coefficients' cases (``a = 0 /\ ...``) to the answer's atoms.
# Integer coefficients add no atoms and are used in every block.
SPLIT_MIN_BLOCK = 7


def split_parametric_linear_equations(matrix, order, quants, nfree):
    r"""Innermost-block variables fixed by linear equations, also inside disjunctions,
    substituted case by case (:mod:`cad.elimination.linear_cases`); polynomial coefficients
    only in blocks of :data:`SPLIT_MIN_BLOCK` variables or more.  For a universal block the
    rule is applied to the negation: ``(A X) phi <-> ~(E X) ~phi``, the negation of a
    negation normal form being again one."""
    if not quants or isinstance(matrix, Truth):
        return matrix
    block = _innermost_block(len(order), quants, nfree)
    return _as_existential(matrix, quants[-1], _linear_split(block, len(block) >= SPLIT_MIN_BLOCK))


def split_quadratic_equations(matrix, order, quants, nfree):
    r"""Innermost-block variables fixed by quadratic equations, their two roots substituted
    case by case (:mod:`cad.elimination.quadratic_cases`); a universal block through the
    negation, as in :func:`split_parametric_linear_equations`."""
    if not quants or isinstance(matrix, Truth):
        return matrix
    block = _innermost_block(len(order), quants, nfree)
    return _as_existential(matrix, quants[-1], lambda f: split_quadratic_cases(f, block, fold_constants))


def _as_existential(matrix, kind, split):
    """``split`` (a rule for an existential block, returning its argument itself when nothing
    applies) applied to ``matrix`` under a block of quantifier ``kind``: directly for ``E``;
    for ``A`` to the negation, ``(A X) phi <-> ~(E X) ~phi``, and the result negated back."""
    if kind == "E":
        return split(matrix)
    negated = matrix.to_nnf(False)
    out = split(negated)
    return matrix if out is negated else fold_constants(out.to_nnf(False))


def _linear_split(block, parametric):
    """The linear-equation split (:mod:`cad.elimination.linear_cases`) of an existential
    ``block`` (generator indices), as a function of the matrix."""
    def split(f):
        return split_linear_equations(
            f, block,
            lambda node, v, num, den: map_atoms(node, lambda a: _substitute(a, v, num, den)),
            fold_constants, parametric)

    return split


def eliminate_confined_variables(matrix, order, quants, nfree):
    r"""Eliminate variables of an outer block that share no top-level part of the matrix
    with a variable of an inner block.

    **Validity** (proved).  Let the block ``B`` of quantifier ``E`` be followed by the inner
    quantifiers ``Q-bar`` over the variables ``Y``, and let the matrix be ``P \/ R`` where
    ``P`` is the disjunction of the top-level disjuncts that contain a variable of a set
    ``S`` of ``B``, none of them containing a variable of ``Y``, and ``R`` the rest (no
    variable of ``S``).  Quantifiers of one block commute, so ``S`` may be taken last in
    ``B``.  Over the reals (a non-empty domain) ``(Q y)[P \/ R] <-> P \/ (Q y) R`` for
    ``y`` not in ``P`` and either quantifier, so ``Q-bar [P \/ R] <-> P \/ Q-bar R``; then
    ``(E S)[P \/ Q-bar R] <-> (E S) P \/ Q-bar R`` (``E`` distributes over ``\/`` and
    ``S`` is not in ``Q-bar R``).  If ``(E S) P <-> P'`` with ``P'`` quantifier-free and
    free of ``S``, the problem is the same with the matrix ``P' \/ R`` and ``S`` dropped
    from the prefix (read backwards, the same steps).  For a block of ``A`` the dual
    (``/\`` for ``\/``, through ``(A S) P <-> ~(E S) ~P``).  ``P'`` is computed by the
    linear-equation split (:mod:`cad.elimination.linear_cases`, polynomial coefficients
    allowed: the variables of ``S`` have no other way out but the projection); when it
    leaves a variable of ``S`` the matrix is kept.  ``S`` is the set of variables of ``B``
    all of whose parts are free of ``Y``.  On xxy_closed ``(E s)(E t)`` occur only in
    ``u - s = 0 /\ v - s t = 0``, disjoint from ``(A x)(A y)``: they become
    ``u /= 0 \/ u = 0 /\ v = 0`` and the CAD has five variables instead of seven.
    """
    if isinstance(matrix, Truth) or len(quants) < 2:
        return matrix
    n = len(order)
    starts = [j for j in range(len(quants)) if j == 0 or quants[j] != quants[j - 1]]
    for b, start in enumerate(starts[:-1]):
        kind = quants[start]
        block = range(nfree + start, nfree + starts[b + 1])
        inner = range(nfree + starts[b + 1], n)
        top = Or if kind == "E" else And
        parts = matrix.children() if isinstance(matrix, top) else (matrix,)
        used = [_variables(k) for k in parts]
        confined = [v for v in block
                    if any(v in u for u in used)
                    and all(not any(y in u for y in inner) for u in used if v in u)]
        if not confined:
            continue
        chosen = set(confined)
        inside = [k for k, u in zip(parts, used) if u & chosen]
        P = inside[0] if len(inside) == 1 else top(tuple(inside))
        P2 = _as_existential(P, kind, _linear_split(confined, True))
        if P2 is P or _variables(P2) & chosen:
            continue
        rest = [k for k, u in zip(parts, used) if not u & chosen]
        return eliminate_confined_variables(
            fold_constants(top(tuple(rest) + (P2,)) if rest else P2), order, quants, nfree)
    return matrix


def _variables(f):
    """Generator indices of the variables occurring in ``f``."""
    out = set()
    for a in atom_occurrences(f):
        out.update(j for j, d in enumerate(a.poly.degrees()) if d)
    return out


# the shear search composes every atom polynomial about 2 n^2 times per step: only for
# matrices this small (in total terms of the distinct atom polynomials)
_SHEAR_MAX_TERMS = 400


def shear_bound_variables(matrix, order, quants, nfree, max_steps=None):
    r"""Shear bound variables, ``u := u + s v`` (``s = ±1``), while the atoms get fewer terms.

    **Validity** (proved).  Let ``u`` be bound and ``v ≠ u`` free, bound in an outer block,
    or bound in ``u``'s own block.  Quantifiers of one kind commute, so ``u`` (and ``v`` when
    it is in the same block) can be taken innermost in the block.  For fixed values of every
    variable except ``u`` and the variables of the inner blocks, ``u ↦ u + s v`` is a
    bijection of ``R`` (a translation), hence ``(Q u) ψ(u) <-> (Q u) ψ(u + s v)`` for ``Q``
    either quantifier, where ``ψ`` is the rest of the prefix and the matrix (``v`` is not
    bound in ``ψ``).  So replacing ``u`` by ``u + s v`` in every atom of the matrix keeps the
    problem's meaning; a variable bound in an inner block is never used as ``v``, where the
    translation would depend on a variable chosen after ``u``.  Signs of atoms are values of
    the same polynomials at corresponding points, so relations are unchanged.

    **Heuristic.**  Greedy: among all such shears take the one that lowers the total number
    of terms of the distinct atom polynomials most, provided no variable's maximal degree
    grows; repeat while one lowers it, at most ``max_steps`` (default ``2 n``) times.  A
    translation-invariant problem such as ``(A x y z w a b)`` over distances of the points
    ``(x, y)``, ``(z, w)``, ``(a, b)`` loses ``x`` and ``y`` this way (then :func:`compact`
    drops them).
    """
    n = len(order)
    if n <= nfree or isinstance(matrix, Truth):
        return matrix
    block = [None] * nfree
    for j, q in enumerate(quants):        # block number of every bound variable
        block.append(1 if j == 0 else block[-1] + (q != quants[j - 1]))
    ctx = fmpz_mpoly_ctx.get(tuple(order), "lex")
    gens = ctx.gens()
    polys = {}
    for a in atom_occurrences(matrix):
        polys.setdefault(poly_key(a.poly), a.poly)
    polys = list(polys.values())
    if sum(len(p) for p in polys) > _SHEAR_MAX_TERMS:
        return matrix
    steps = 0
    max_steps = 2 * n if max_steps is None else max_steps
    while steps < max_steps:
        cost = sum(len(p) for p in polys)
        degs = _max_degrees(polys, n)
        # a shear u := u +- v lowers the terms of a polynomial only if it has both u and v:
        # for p free of v, setting v = 0 in p(u +- v) gives back p(u), so p(u +- v) has at
        # least the terms of p.  Pairs that no polynomial has together are skipped.
        together = set()
        for p in polys:
            occurring = [j for j, d in enumerate(p.degrees()) if d]
            together.update((a, b) for a in occurring for b in occurring)
        best = None
        for u in range(nfree, n):
            for v in range(n):
                if v == u or (v >= nfree and block[v] > block[u]) or (u, v) not in together:
                    continue
                for sgn in (1, -1):
                    images = list(gens)
                    images[u] = gens[u] + sgn * gens[v]
                    new = [p.compose(*images) if p.degrees()[u] else p for p in polys]
                    c = sum(len(p) for p in new)
                    if c < cost and (best is None or c < best[0]):
                        if all(d <= e for d, e in zip(_max_degrees(new, n), degs)):
                            best = (c, images)
        if best is None:
            break
        images = best[1]
        polys = [p.compose(*images) for p in polys]
        matrix = map_atoms(matrix, lambda a, im=images: Atom(a.poly.compose(*im), a.rel))
        steps += 1
    return fold_constants(matrix)


def _max_degrees(polys, n):
    out = [0] * n
    for p in polys:
        for j, d in enumerate(p.degrees()):
            out[j] = max(out[j], d)
    return out


def compact(matrix, order, quants, nfree):
    """Remove the quantified variables that occur in no atom (``(E v) phi`` and ``(A v) phi``
    are ``phi`` when ``v`` does not occur in it).  Returns ``(matrix, order, quants)``, the
    atoms moved to the context of the new order."""
    used = set()
    for a in atom_occurrences(matrix):
        for j, d in enumerate(a.poly.degrees()):
            if d:
                used.add(j)
    keep = list(range(nfree)) + [j for j in range(nfree, len(order)) if j in used]
    if len(keep) == len(order):
        return matrix, order, quants
    new_order = tuple(order[j] for j in keep)
    ctx = fmpz_mpoly_ctx.get(new_order, "lex")

    def move(a):
        terms = {tuple(e[j] for j in keep): c for e, c in a.poly.to_dict().items()}
        return Atom(ctx.from_dict(terms), a.rel)

    new_quants = [quants[j - nfree] for j in keep[nfree:]]
    return map_atoms(matrix, move), new_order, new_quants
