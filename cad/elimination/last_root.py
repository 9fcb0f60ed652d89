r"""Last-root features: "on or above the largest root of ``f``" as a conjunction of derivative signs.

When the signs of the projection factors, and of their derivatives on sections
(:func:`cad.elimination.definability.add_section_derivatives`), leave a true and a false leaf
inseparable, the solution formula construction would add the derivatives to the projection
and build a new CAD (:func:`cad.elimination.definability.derivatives_to_project`).  Often
the two leaves lie over one base cell ``C`` in the stack of a level-``L`` factor ``f`` that
has only real roots there, one of them at or above its largest root, the other at or below
its second largest.  A single formula then tells them apart on the CAD already built:

    ``Top(f)``:  ``s f' >= 0 /\ s f'' >= 0 /\ ... /\ s f^(d-1) >= 0``

(derivatives in ``x_L``, ``d`` the degree of ``f`` in ``x_L``, ``s`` the sign of its leading
coefficient on ``C``; printed with ``>=`` for ``s = +1``, ``<=`` for ``s = -1``).  Such a
*last-root feature* is a fid like the others (:mod:`cad.elimination.solution`): its value on a
leaf is ``+1`` (``Top`` holds on the whole leaf), ``-1`` (it fails on the whole leaf), or not
recorded (unknown, never used by the cover).

**Theorem** (one fibre).  Let ``g`` be a real polynomial of degree ``d >= 2`` with positive
leading coefficient whose roots are all real, with distinct roots ``z_1 < ... < z_k``,
``k >= 1``.  Then ``Top(g)`` holds at every ``x >= z_k``; it fails at every ``x < z_k`` when
``z_k`` is a multiple root, and at every ``x <= z_{k-1}`` when ``k >= 2``.

*Proof.*  For ``j >= 1`` let ``r_j`` be the largest root of ``g^(j)`` (``1 <= j <= d - 1``).
A real-rooted polynomial has a real-rooted derivative whose roots lie between its least and
largest root (Rolle's theorem gives ``deg - 1`` real roots counted with multiplicity: the
multiple roots minus one, and one strictly between each two consecutive roots), so by
induction every ``g^(j)`` is real-rooted and ``r_{d-1} <= ... <= r_1 <= z_k``.  Above its
largest root a polynomial has the sign of its leading coefficient, positive for every
``g^(j)``; so at ``x > z_k`` every ``g^(j)(x) > 0``, and by continuity ``g^(j)(z_k) >= 0``:
``Top`` holds on ``[z_k, oo)``.  When ``k >= 2``, Rolle's theorem puts a root of ``g'``
strictly between ``z_{k-1}`` and ``z_k``, so ``r_1 > z_{k-1}``.  Let ``x < r_1`` and ``J`` the
largest ``j`` with ``x < r_j``.  If ``J < d - 1`` then ``x >= r_{J+1}``, and ``g^(J+1) > 0`` on
``(r_{J+1}, oo)``; if ``J = d - 1``, ``g^(J+1) = g^(d)`` is a positive constant.  Either way
``g^(J)`` is strictly increasing on ``[x, r_J]``, so ``g^(J)(x) < g^(J)(r_J) = 0`` and ``Top``
fails at ``x``: it fails on ``(-oo, r_1)``, which contains every ``x <= z_{k-1}``, and
every ``x < z_k`` when ``z_k`` is a multiple root (a root of ``g'``, so ``r_1 = z_k``).

**Invariance on a leaf.**  With McCallum's projection, for a level-``L`` factor ``f`` not
nullified on a base cell ``C`` (level ``L - 1``): the irreducible factors of the leading
coefficient ``l`` of ``f`` in ``x_L`` are projection factors, so ``l`` is sign-invariant on
``C``; it is nonzero at the sample (checked), hence on ``C``, and ``f(a, x_L)`` has degree
``d`` and leading sign ``s`` at every point ``a`` of ``C``.  By analytic delineability
(McCallum 1998) the distinct real roots of ``f(a, x_L)`` are ``k`` continuous functions
``theta_1 < ... < theta_k`` on ``C`` -- the sections of ``f`` in the stack over ``C`` -- of
constant multiplicities; when they add up to ``d`` at the sample (checked: ``k = d``, or
the multiplicities read off the derivative signs there) ``f(a, .)`` is real-rooted at every
``a`` of ``C``.  The theorem applied to ``s f(a, .)`` at each ``a`` gives: every cell of the
stack lying on or above the section ``theta_k`` has ``Top(f)`` true at every point, every
cell on or below ``theta_{k-1}`` -- below ``theta_k`` when its multiplicity (constant on
``C``, read off the derivative signs at the sample) is at least 2 -- has it false at every
point; a leaf of level ``>= L`` over
such a cell (a cylinder over part of it) has the same value, ``Top`` depending on
``x_1, ..., x_L`` only.  Elsewhere nothing is recorded.  Leaves over base cells where ``l``
has the other sign get the feature of the other orientation (``-f``'s), a fid of its own.
"""

from cad.logic import And, Atom, Or
from cad.poly import coefficients_in

__all__ = ["add_last_root_features", "feature_formula"]


def add_last_root_features(pc, level):
    """Record the last-root features (module docstring) of the level-``level`` factors on the
    leaves of ``pc`` where they are known.  Returns False when nothing was recorded (also
    with Lazard's projection, whose lifting only guarantees Lazard delineability)."""
    D = pc.D
    if D.projection != "mccallum":
        return False
    nullified = {(id(c), id(f)) for c, f in D.nullifications}
    chains = []
    for fid in pc.levels[level - 1]:
        f = pc.factors[fid]
        d = f.degrees()[level - 1]
        if d < 2:
            continue
        chain = []
        g = f
        for _j in range(1, d):
            g = g.derivative(level - 1)
            chain.append(g)
        chains.append((fid, f, d, chain))
    if not chains:
        return False
    sign_at = pc._sign_at
    shapes = {}        # (id(base), fid) -> (positions of the last two roots, lead sign) or None
    features = {}      # (fid, lead sign) -> feature fid
    next_fid = max(pc.factors) + 1
    recorded = False
    for leaf, anc in pc.leaves_over(level):
        base = anc.parent
        pos = anc.index[-1]
        values = {}
        for fid, f, d, chain in chains:
            if (id(base), id(f)) in nullified:
                continue
            key = (id(base), fid)
            if key not in shapes:
                shapes[key] = _real_rooted_shape(base, f, d, chain, level, sign_at)
            shape = shapes[key]
            if shape is None:
                continue
            last, fails, lead = shape
            if pos >= last:
                value = 1
            elif fails is not None and pos <= fails:
                value = -1
            else:
                continue
            nf = features.get((fid, lead))
            if nf is None:
                nf = features[(fid, lead)] = next_fid
                next_fid += 1
                pc.factors[nf] = f
                pc.last_root_features[nf] = (lead, tuple(_primitive(g) for g in chain))
            values[nf] = value
        if values:
            recorded = True
            leaf.data["s"].update(values)
            if "sig" in leaf.data:
                leaf.data["sig"].update(values)
    return recorded


def _real_rooted_shape(base, f, d, chain, level, sign_at):
    """``(position of the last section of f, highest position where Top fails or None,
    leading sign)`` in the stack over ``base`` when ``f`` is real-rooted of degree ``d``
    there (module docstring), else None."""
    lead = sign_at(coefficients_in(f, level - 1)[-1], base.sample)
    if lead == 0 or base.children is None:
        return None
    sections = [c for c in base.children
                if c.index[-1] % 2 == 0 and any(g is f for g in c.section_polynomials)]
    if not sections:
        return None
    mults = [1] * len(sections)
    if len(sections) != d:
        for i, c in enumerate(sections):
            for g in chain:    # the order of the first derivative not vanishing at the root
                if sign_at(g, c.sample) != 0:
                    break
                mults[i] += 1
        if sum(mults) != d:
            return None
    last = sections[-1].index[-1]
    if mults[-1] >= 2:
        fails = last - 1
    else:
        fails = sections[-2].index[-1] if len(sections) >= 2 else None
    return last, fails, lead


def _primitive(g):
    """``g`` divided by its (positive) content: the same signs, printed as QEPCAD B does."""
    return g.primitive()[1]


def feature_formula(lead, chain, holds, to_out, orient):
    """``Top`` (``holds``) or its negation as a formula of the output ring: ``s g >= 0`` for
    each derivative ``g`` in ``chain`` (as ``g >= 0`` or ``g <= 0``), or the disjunction of
    the strict opposites; ``orient`` prints an atom with a positive leading term."""
    if holds:
        rel = ">=" if lead > 0 else "<="
    else:
        rel = "<" if lead > 0 else ">"
    atoms = [orient(Atom(to_out(g), rel)) for g in chain]
    if len(atoms) == 1:
        return atoms[0]
    return And(tuple(atoms)) if holds else Or(tuple(atoms))
