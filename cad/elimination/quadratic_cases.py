r"""Quadratic equations: substitution of the two roots (virtual substitution, degree 2).

Let ``v`` be a variable of the innermost existential block and ``f = a v^2 + b v + c`` an
equation of the matrix's top conjunction, with ``a``, ``b``, ``c`` free of ``v`` and
``D = b^2 - 4 a c``.  Then

    ``(E v)[f = 0 /\ phi]  <->  [a /= 0 /\ D >= 0 /\ phi[v := r+]] \/ [a /= 0 /\ D >= 0 /\ phi[v := r-]]``
    ``                          \/ [a = 0 /\ (E v)[b v + c = 0 /\ phi]]``

with ``r± = (-b ± sqrt D) / (2 a)`` (proved: where ``a /= 0`` the real roots of ``f`` in ``v``
are exactly ``r+`` and ``r-``, and they exist iff ``D >= 0``; where ``a = 0``, ``f = b v + c``).
When ``a`` is a non-zero integer the last disjunct is false and is left out.

**The substitution, without radicals** (proved).  Write ``A = 2 a``, ``s = sqrt D >= 0`` and,
for ``e >= 0``, ``(-b + s)^e = P_e + Q_e s`` with polynomials ``P_e``, ``Q_e`` (``P_0 = 1``,
``Q_0 = 0``, ``P_{e+1} = -b P_e + D Q_e``, ``Q_{e+1} = P_e - b Q_e``, using ``s^2 = D``);
then ``(-b - s)^e = P_e - Q_e s`` (the same expansion with ``-s``, whose square is also ``D``).
For an atom ``g rel 0`` of degree ``d > 0`` in ``v``, ``g = sum_e g_e v^e``,

    ``A^d g(r±) = sum_e g_e (-b ± s)^e A^(d-e) = U ± W s``,
    ``U = sum_e g_e P_e A^(d-e)``,  ``W = sum_e g_e Q_e A^(d-e)``.

``A^d > 0`` when ``d`` is even or ``A`` is a positive integer (``f`` is first multiplied by
``-1`` when ``a`` is a negative integer); otherwise ``U`` and ``W`` are multiplied by ``A``
once more, making the factor ``A^(d+1)``, an even power of ``A /= 0``.  So ``g(r±) rel 0`` iff
``U ± W s rel 0``: the atom becomes a sign condition on ``z = U + W s`` (``W`` negated for
``r-``).

**Sign rules** (proved).  Let ``U``, ``W`` be reals, ``D >= 0``, ``s = sqrt D``,
``z = U + W s`` and ``E = U^2 - W^2 D = U^2 - (W s)^2``.

* ``z = 0  <->  U W <= 0 /\ E = 0``.  If ``z = 0`` then ``U = -W s``: ``U W = -W^2 s <= 0``
  and ``U^2 = W^2 D``.  Conversely ``E = 0`` gives ``U = W s`` or ``U = -W s``; in the first
  case ``U W = W^2 s <= 0`` forces ``W s = 0``, so ``U = 0`` and ``z = 0``; in the second
  ``z = 0`` directly.
* ``z /= 0  <->  U W > 0 \/ E /= 0`` (the negation).
* ``z > 0  <->  [U > 0 /\ E > 0] \/ [W > 0 /\ E < 0] \/ [U > 0 /\ W > 0]``.  By the signs
  of ``U`` and ``W``: if ``U > 0`` and ``W > 0``, ``z > 0`` and the third disjunct holds.  If
  ``U > 0 = W``, ``z = U > 0`` and ``E = U^2 > 0``.  If ``U > 0 > W``, ``z > 0`` iff
  ``U > |W| s`` iff ``U^2 > W^2 D`` (both sides non-negative), and only the first disjunct
  can hold.  If ``U <= 0 < W``, ``z > 0`` iff ``W s > |U|`` iff ``E < 0``, and only the second
  disjunct can hold.  If ``U <= 0`` and ``W <= 0``, ``z <= 0`` and no disjunct holds.
* ``z >= 0  <->  [U >= 0 /\ E >= 0] \/ [W >= 0 /\ E <= 0] \/ [U >= 0 /\ W >= 0]``.  If
  ``U >= 0`` and ``W >= 0``, ``z >= 0`` and the third disjunct holds.  If ``U >= 0 > W``,
  ``z >= 0`` iff ``U >= |W| s`` iff ``E >= 0``, and the second and third disjuncts fail.  If
  ``U < 0 <= W``, ``z >= 0`` iff ``W s >= |U|`` iff ``E <= 0``, and the first and third
  fail.  If ``U < 0`` and ``W < 0``, ``z < 0`` and no disjunct holds.
* ``z < 0`` and ``z <= 0``: the rules for ``-z = (-U) + (-W) s`` (same ``E``).

``W = 0`` (``g`` free of ``v`` after all, or ``s`` cancelled) leaves the atom ``U rel 0``.

**Use.**  Each top-level disjunct of the matrix (existential quantifiers distribute over
disjunctions) is split while one of its conjuncts is an equation quadratic in a variable of
the block; the new branches are treated again (an equation ``E = 0`` from a substituted
equation is quadratic in the next variable, e.g.).  The variable and equation are chosen
with a constant ``a`` first, then the fewest terms of ``D``; a polynomial ``a`` only in a
block of one variable, or when :data:`PARAMETRIC` is set.  The number of branches
(:data:`MAX_BRANCHES`), the nesting depth and the size of the new polynomials
(:data:`MAX_TERMS`) are capped; beyond a cap the matrix is left as it was.  This is
Weispfenning's virtual substitution for quadratic equations (V. Weispfenning, "Quantifier
elimination for real algebra -- the quadratic case and beyond", AAECC 8 (1997)), applied
before any projection; a universal block is treated through ``(A X) phi <-> ~(E X) ~phi``
by the caller.
"""

from cad.logic import And, Atom, Or
from cad.poly import coefficients_in
from cad.elimination.linear_cases import MAX_BRANCHES, TooManyCases, block_equations, split_cases

__all__ = ["split_quadratic_cases", "root_sign_condition", "root_substitution",
           "MAX_BRANCHES", "MAX_TERMS"]

#: above this many terms in one new polynomial the split is abandoned
MAX_TERMS = 600
#: equations whose leading coefficient in ``v`` is a polynomial are used in larger blocks only
#: when this is set: their case ``a = 0`` keeps ``v`` and adds ``a``'s cases to the answer,
#: and on xaxis_ellipse (``(A x)(A y)`` with ``b^2 (x - c)^2 + a^2 y^2 - a^2 b^2 = 0``) the
#: split took over 60 s where the plain route (equational projection) takes 2 s: the roots
#: substituted into the other variable's atoms give the projection polynomials of high degree.
#: In a block of one variable no such atoms are left, and the split leaves the block's
#: variable only in the linear case (parabola: 42 cells instead of 163, 1.5 times faster)
PARAMETRIC = False
#: nesting depth of the splits of one disjunct
_MAX_DEPTH = 8


def root_sign_condition(U, W, D, rel):
    r"""A negation normal form, with atoms in ``U``, ``W`` and ``E = U^2 - W^2 D``,
    equivalent to ``U + W sqrt(D) rel 0`` wherever ``D >= 0`` (module docstring)."""
    if W.is_zero():
        return _atom(U, rel)
    E = U * U - W * W * D
    if rel == "=":
        return And((_atom(U * W, "<="), _atom(E, "=")))
    if rel == "/=":
        return Or((_atom(U * W, ">"), _atom(E, "/=")))
    if rel in ("<", "<="):
        U, W = -U, -W
        rel = ">" if rel == "<" else ">="
    weak = "=" if rel == ">=" else ""
    pos, neg = ">" + weak, "<" + weak
    return Or((And((_atom(U, pos), _atom(E, pos))),
               And((_atom(W, pos), _atom(E, neg))),
               And((_atom(U, pos), _atom(W, pos)))))


def _atom(p, rel):
    """``p rel 0`` with ``p`` divided by its (positive) content: the same sign."""
    return Atom(p.primitive()[1] if not p.is_zero() else p, rel)


def root_substitution(g, v, a, b, D):
    """``(U, W)`` with ``A^m g((-b + sqrt D) / (2 a)) = U + W sqrt D``, ``A = 2 a`` and
    ``A^m > 0`` where ``a /= 0`` (``m = d``, or ``d + 1`` when ``d`` is odd and ``a`` is not a
    positive integer); for the other root ``W`` is negated.  ``g`` of degree ``d`` in ``v``."""
    coeffs = coefficients_in(g, v)
    d = len(coeffs) - 1
    zero = g.context().from_dict({})
    A = 2 * a
    P, Q = zero + 1, zero
    U, W = zero, zero
    powers = [zero + 1]
    for _ in range(d):
        powers.append(powers[-1] * A)
    for e, ge in enumerate(coeffs):
        if not ge.is_zero():
            U += ge * P * powers[d - e]
            W += ge * Q * powers[d - e]
        P, Q = -b * P + D * Q, P - b * Q
    if d % 2 and not (A.is_constant() and int(A.coeffs()[0]) > 0):
        U, W = U * A, W * A
    return U, W


def split_quadratic_cases(matrix, block, fold):
    """The matrix with the innermost existential ``block`` variables (generator indices)
    fixed by quadratic equations substituted away, case by case (module docstring).

    ``matrix`` is an NNF whose top is a conjunction (or an atom), or a disjunction of such;
    ``fold`` folds constant atoms and flattens.  Returns the new matrix (unchanged when a cap
    is reached or no equation applies)."""
    return split_cases(matrix, lambda kids: _cases(kids, block), fold, MAX_BRANCHES, _MAX_DEPTH)


def _cases(kids, block):
    """The cases of the conjunction ``kids`` for its chosen quadratic equation (module
    docstring), or None when it has none."""
    found = _pick(kids, block)
    if found is None:
        return None
    pos, v, a, b, c, D = found
    rest = kids[:pos] + kids[pos + 1:]
    cases = []
    guard = [] if a.is_constant() else [Atom(a, "/=")]
    for sign in (1, -1):
        cases.append(guard + [_atom(D, ">=")] + [_substituted(k, v, a, b, D, sign) for k in rest])
    if not a.is_constant():
        cases.append([Atom(a, "="), Atom(_linear(b, c, v), "=")] + rest)
    return cases


def _parametric_allowed(block):
    """Whether equations with a polynomial leading coefficient are used (:data:`PARAMETRIC`)."""
    return PARAMETRIC or len(block) == 1


def _pick(kids, block):
    """The equation to use: ``(position, v, a, b, c, D)``, a constant ``a`` first, then the
    fewest terms of ``D``; or None."""
    best = None
    parametric = _parametric_allowed(block)
    for pos, v, (c, b, a) in block_equations(kids, block, 2):
        if not a.is_constant() and not parametric:
            continue
        if a.is_constant() and int(a.coeffs()[0]) < 0:
            a, b, c = -a, -b, -c
        D = b * b - 4 * a * c
        key = (not a.is_constant(), len(D), len(a), pos)
        if best is None or key < best[0]:
            best = (key, pos, v, a, b, c, D)
    return None if best is None else best[1:]


def _substituted(node, v, a, b, D, sign):
    """``node`` with every atom containing ``v`` replaced by its sign condition at the root
    ``(-b + sign sqrt D) / (2 a)``."""
    if isinstance(node, Atom):
        if node.poly.degrees()[v] == 0:
            return node
        U, W = root_substitution(node.poly, v, a, b, D)
        if len(U) > MAX_TERMS or 2 * len(U) * len(U) + len(W) * len(W) * len(D) > 8 * MAX_TERMS:
            raise TooManyCases
        return root_sign_condition(U, W if sign > 0 else -W, D, node.rel)
    kids = node.children()
    if not kids:
        return node
    return node.rebuild(tuple(_substituted(k, v, a, b, D, sign) for k in kids))


def _linear(b, c, v):
    """``b v + c`` (``b``, ``c`` free of generator ``v``)."""
    return b * b.context().gens()[v] + c
