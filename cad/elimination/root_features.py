r"""Indexed root conditions that make every CAD's free leaves definable.

When the signs of the projection factors and of their derivatives do not separate a true
from a false leaf (:mod:`cad.elimination.definability`), the solution formula may also use
atoms of QEPCAD B's extended language (:class:`cad.logic.RootAtom`): ``x_L rel _root_k f``
for a projection factor ``f`` of level ``L``.  A *root feature* ``(f, k)`` gives each leaf
of level ``>= L`` a value: the sign of ``x_L - r_k`` on it, where ``r_k`` is the ``k``-th
distinct real root of ``f`` over the leaf's level-``(L-1)`` ancestor, or :data:`ABSENT` when
``f`` has fewer than ``k`` roots there or vanishes identically there (then every atom on the
feature is false, as in QEPCAD B).

**The value is constant on the leaf** (so an atom on it is true or false on the whole
leaf, and the cover of :mod:`cad.elimination.solution` stays sound): ``f`` is a projection
factor, delineable on the base cell ``B`` where it is not nullified (McCallum; Lazard:
Lazard-delineable, the valuation constant on ``B``, so "nullified" is constant on ``B``
too); its ``k``-th root is then a continuous section over ``B`` and one of the stack's
sections, so the leaf -- a section or sector of that stack, or a cylinder over one -- lies
entirely below, on, or above it.  Values are computed exactly at the samples
(:func:`cad.poly.fibre.real_roots_in_fiber`, :func:`cad.numbers.rational.compare`).

**Completeness.** Let ``t`` (true) and ``g`` (false) be leaves and ``L`` the first level
where their ancestors differ; they share the level-``(L-1)`` ancestor ``B`` and lie over two
different cells ``a``, ``b`` of the stack over ``B``.  Every section of that stack is a root
of a level-``L`` factor not nullified on ``B`` -- except when a factor nullified on ``B`` is
lifted with a delineating derivative or Lazard valuation polynomial that adds a root of its
own.  Over a 0-dimensional ``B`` (a point: always the case with McCallum's projection,
where a nullification over a larger cell makes the engine switch to Lazard's) that
polynomial ``h`` -- the same one the lifting used -- gives *local* features ``(h, k)``,
valued on the leaves over ``B`` only and unknown (no entry: never used to exclude) on the
others; over a point the value is trivially constant.  Outside a positive-dimensional
nullification, one of ``a``, ``b`` is a section (``r_k`` of some ``f``: value
0 on it, non-zero on the other), or a section ``r_k`` of some ``f`` lies between them (values
-1 and +1): the feature ``(f, k)`` is present on both and differs.  So, after
:func:`add_root_features` added the features of every conflict level, the full signature of
each leaf is a term excluding every leaf of the other truth value.  In the exception the
conflict remains and :func:`add_root_features` reports it (``False``).
"""

from cad.decomposition import delineating_derivative, lazard_valuation_polynomial
from cad.numbers.rational import compare
from cad.poly import poly_level
from cad.poly.fibre import real_roots_in_fiber
from cad.poly.sign import sign_at

__all__ = ["ABSENT", "add_root_features", "separated", "first_inseparable",
           "delineating_polynomials"]

#: the value of a root feature on a leaf where the indexed root does not exist
ABSENT = 2


def separated(t, g):
    """Some atom is true on the whole leaf with signs ``t`` and false on the whole leaf with
    signs ``g``: a factor whose sign both record, differing (an :data:`ABSENT` value on ``t``
    makes every atom false there, so it never counts for ``t``)."""
    for fid, s in t.items():
        if s != ABSENT:
            v = g.get(fid)
            if v is not None and v != s:
                return True
    return False


def first_inseparable(pc):
    """A pair of leaves (true, false) that no term separates in one direction or the other,
    or None."""
    sig = {id(c): c.data.get("sig", c.data["s"]) for c in pc.leaves}
    true = [c for c in pc.leaves if c.data["t"]]
    false = [c for c in pc.leaves if not c.data["t"]]
    for t in true:
        for g in false:
            if not separated(sig[id(t)], sig[id(g)]) or not separated(sig[id(g)], sig[id(t)]):
                return t, g
    return None


def add_root_features(pc):
    """Add root features (module docstring) level by level, at the first level where two
    inseparable leaves differ, until none is left.  Returns True when the leaves are then
    separable, False in the documented exception."""
    done = set()
    while True:
        pair = first_inseparable(pc)
        if pair is None:
            return True
        t, g = pair[0].index, pair[1].index
        j = 0
        while j < min(len(t), len(g)) and t[j] == g[j]:
            j += 1
        level = j + 1
        if level in done or level > min(len(t), len(g)):
            return False
        done.add(level)
        _add_level(pc, level)


def _add_level(pc, level):
    pairs = list(pc.leaves_over(level))     # (leaf, its level-L ancestor)
    roots = {}                     # (id(base cell), fid) -> sorted roots or None
    position = {id(anc): anc for _leaf, anc in pairs}   # id(level-L ancestor) -> it
    most = {}
    for anc in position.values():
        base = anc.parent
        for fid in pc.levels[level - 1]:
            key = (id(base), fid)
            if key not in roots:
                rs = real_roots_in_fiber(pc.factors[fid], list(base.sample), level - 1)
                roots[key] = rs
                most[fid] = max(most.get(fid, 0), len(rs or ()))
    next_fid = max(pc.factors) + 1
    feature = {}
    for fid in pc.levels[level - 1]:
        for k in range(1, most.get(fid, 0) + 1):
            feature[(fid, k)] = next_fid
            pc.factors[next_fid] = pc.factors[fid]
            pc.root_features[next_fid] = (fid, k)
            next_fid += 1
    local = {}                     # id(base) -> [(feature fid, its roots, k)]
    for anc in position.values():
        base = anc.parent
        if id(base) in local:
            continue
        local[id(base)] = []
        if base.dimension > 0:
            continue
        for fid in pc.levels[level - 1]:
            if roots[(id(base), fid)] is not None:
                continue
            h, rs = _delineating(pc, pc.factors[fid], list(base.sample), level)
            if h is None or poly_level(h) != level:
                continue
            for k in range(1, len(rs) + 1):
                pc.factors[next_fid] = h
                pc.root_features[next_fid] = (fid, k)
                local[id(base)].append((next_fid, rs, k))
                next_fid += 1
    values = {}
    for aid, anc in position.items():
        y = anc.sample[-1]
        vals = {}
        for (fid, k), nf in feature.items():
            rs = roots[(id(anc.parent), fid)]
            vals[nf] = ABSENT if rs is None or k > len(rs) else compare(y, rs[k - 1])
        for nf, rs, k in local[id(anc.parent)]:
            vals[nf] = compare(y, rs[k - 1])
        values[aid] = vals
    for leaf, anc in pairs:
        leaf.data["s"].update(values[id(anc)])
        if "sig" in leaf.data:
            leaf.data["sig"].update(values[id(anc)])


def _delineating(pc, f, point, level):
    """The polynomial whose roots the lifting used for ``f`` nullified over the point
    ``point`` (:meth:`cad.decomposition.Decomposition.lift`), with its roots there."""
    if pc.D.projection == "mccallum" and level < pc.D.n:
        return delineating_derivative(f, point, real_roots_in_fiber)
    h = lazard_valuation_polynomial(f, point, sign_at)
    rs = real_roots_in_fiber(h, point, level - 1)
    return (None, None) if rs is None else (h, rs)


def delineating_polynomials(pc):
    """The polynomials the lifting used for factors nullified over 0-dimensional free cells
    (delineating derivatives, Lazard valuation polynomials): the sections they add are what
    projection factors' signs cannot describe (module docstring).  Projected as further
    polynomials in the next round, they become factors of their own; adding polynomials to
    the projection set keeps every stack delineable, so the next CAD is valid."""
    out = []
    for cell, f in pc.D.nullifications:
        if cell.level >= pc.nfree or cell.dimension > 0:
            continue
        h, _rs = _delineating(pc, f, list(cell.sample), cell.level + 1)
        if h is not None and not h.is_constant():
            out.append(h)
    return out
