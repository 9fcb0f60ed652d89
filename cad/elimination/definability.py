r"""Projection definability of the free-space leaves, and the derivatives that restore it.

H. Hong, "An improvement of the projection operator in cylindrical algebraic
decomposition", ISSAC 1990, and C. W. Brown, "Solution formula construction for
truth-invariant CADs", PhD thesis, U. Delaware 1999 (and "Simple CAD construction and its
applications", JSC 2001).  The leaves of the free-variable part of the partial CAD carry
truth values and sign vectors (signatures, :func:`signature`) of the projection factors of
the free levels.  If a true and a false leaf have compatible signatures the set is not
*projection definable* (:func:`first_conflict`): no formula over those factors describes it.
First the derivatives of the factors of the level where the two cells share a stack are
signed on sections only, where analytic delineability makes their signs invariant
(:func:`add_section_derivatives`), then last-root features (a conjunction of derivative
signs that holds on and above the largest root of a real-rooted factor and fails on and
below the one before, :mod:`cad.elimination.last_root`); if that does not separate them,
as Brown does, the derivatives are added to the polynomial set (:func:`derivatives_to_project`) and the
decomposition is rebuilt (Thom's lemma guarantees this terminates).
"""

from dataclasses import dataclass

from flint import fmpz_mpoly_ctx

from cad.poly import poly_key
from cad.elimination.last_root import add_last_root_features

__all__ = [
    "Signature", "signature", "signed_factor_ids", "first_conflict", "conflict_level",
    "add_section_derivatives", "derivatives_to_project",
]


@dataclass(frozen=True, slots=True)
class Signature:
    """The signs (fid -> sign, sorted by fid) known on the whole free leaf ``cell``."""

    cell: object
    signs: dict


def signature(cell, allowed):
    """The :class:`Signature` of a leaf, restricted to the factor ids ``allowed``."""
    sig = cell.data.get("sig", cell.data["s"])
    return Signature(cell, {fid: sig[fid] for fid in sorted(sig) if fid in allowed})


def signed_factor_ids(pc):
    """The factors a solution formula may use: the free levels' projection factors, the
    derivatives signed on sections (:func:`add_section_derivatives`), the last-root features
    (:mod:`cad.elimination.last_root`) and the root features
    (:mod:`cad.elimination.root_features`)."""
    allowed = set(pc.derived) | set(pc.root_features) | set(pc.last_root_features)
    for k in range(pc.nfree):
        allowed.update(pc.levels[k])
    return allowed


def first_conflict(true_leaves, false_leaves):
    """A pair of signatures (true, false) that no sign condition separates: every sign
    the false one records agrees with the true one.  None when the leaves are definable.
    The first such pair in the order (true leaves, then false leaves) is returned.

    Bitsets over the false leaves: ``agree[fid][s]`` has bit ``i`` set when the false leaf
    ``i`` records no sign of ``fid`` or the sign ``s``; a true leaf conflicts with the
    leaves in the intersection of its atoms' bitsets (one integer AND per atom)."""
    everything = (1 << len(false_leaves)) - 1
    has = {}
    for i, g in enumerate(false_leaves):
        bit = 1 << i
        for fid, s in g.signs.items():
            row = has.setdefault(fid, {})
            row[s] = row.get(s, 0) | bit
    agree = {}
    for fid, row in has.items():
        absent = everything & ~sum(row.values())    # the rows are disjoint
        agree[fid] = (absent, {s: absent | bits for s, bits in row.items()})
    for t in true_leaves:
        acc = everything
        for fid, s in t.signs.items():
            a = agree.get(fid)
            if a is not None:
                acc &= a[1].get(s, a[0])
                if not acc:
                    break
        if acc:
            return t, false_leaves[(acc & -acc).bit_length() - 1]
    return None


def conflict_level(pc):
    """None when the free leaves of ``pc`` are projection definable, after signing
    derivatives on sections and adding last-root features where that helps; else the level whose derivatives must be
    projected (the first level where two conflicting cells differ: they share a stack there)."""
    tried = set()
    while True:
        allowed = signed_factor_ids(pc)
        true_leaves = [signature(c, allowed) for c in pc.leaves if c.data["t"]]
        false_leaves = [signature(c, allowed) for c in pc.leaves if not c.data["t"]]
        conflict = first_conflict(true_leaves, false_leaves)
        if conflict is None:
            return None
        t, g = conflict[0].cell.index, conflict[1].cell.index
        j = 0
        while j < min(len(t), len(g)) and t[j] == g[j]:
            j += 1
        level = j + 1
        # first try derivatives signed on sections only, then last-root features (no new
        # projection, no new cells)
        if (level, "sections") not in tried:
            tried.add((level, "sections"))
            if add_section_derivatives(pc, level):
                continue
        if (level, "last root") not in tried:
            tried.add((level, "last root"))
            if add_last_root_features(pc, level):
                continue
        return level


def derivatives_to_project(pc, level, order, extra):
    """New polynomials for the next round: derivatives in ``x_level`` of the level's factors
    not already in ``extra`` (polynomials of the generators ``order``); empty when there is
    none left.  The whole derivative
    chain at once for small degrees (Thom's lemma needs all of them in the worst case; one
    rebuild instead of several), else the first derivative only."""
    ctx = fmpz_mpoly_ctx.get(order, "lex")
    new = []
    for fid in pc.levels[level - 1]:
        f = pc.factors[fid]
        deg = f.degrees()[level - 1]
        d = f
        for _order in range(deg - 1 if deg <= 4 else 1):
            d = d.derivative(level - 1)
            if d.is_constant():
                break
            new.append(ctx.from_dict(d.to_dict()))
    known = {poly_key(e) for e in extra}
    return [d for d in new if poly_key(d) not in known]


def add_section_derivatives(pc, level):
    r"""Sign the derivatives ``d^j f / d x_L^j`` of the level-``L`` factors on sections, for
    the solution formula, without projecting them.

    Projection-definability fails when a true and a false cell have the same signature;
    Hong and Brown then add derivatives of projection factors.  Adding them to the
    projection set means a new, larger CAD.  Often the two cells are sections of one
    factor ``f`` over the same cell ``C`` of level ``L - 1``, roots of different
    multiplicity, and the derivatives of ``f`` in ``x_L`` separate them on the CAD we have:
    with McCallum's projection ``f`` is *analytically delineable* on ``C`` (McCallum
    1998): each section ``sigma`` is a root of ``f`` of constant multiplicity ``m``.  Hence
    on ``sigma`` the derivatives of order ``< m`` vanish identically, and the one of order
    ``m`` has no zero on the connected set ``sigma``, so a constant sign -- its sign at the
    sample.  These are the only signs recorded (on leaves lying over such sections);
    elsewhere the derivative's sign is unknown, and the cover
    (:func:`cad.elimination.solution.solution_formula`) never uses an atom where a sign is unknown.
    Not used over cells where ``f`` is nullified, nor with Lazard's projection.  Returns
    False when there is nothing to add.
    """
    D = pc.D
    if D.projection != "mccallum":
        return False
    nullified = {(id(c), id(f)) for c, f in D.nullifications}
    chains = []
    next_fid = max(pc.factors) + 1
    for fid in pc.levels[level - 1]:
        f = pc.factors[fid]
        chain = []
        g = f
        for _j in range(1, f.degrees()[level - 1]):
            g = g.derivative(level - 1)
            if g.is_constant():
                break
            pc.factors[next_fid] = g
            chain.append(next_fid)
            next_fid += 1
        if chain:
            chains.append((fid, f, chain))
    if not chains:
        return False
    sign_at = pc._sign_at
    cache = {}
    for leaf, anc in pc.leaves_over(level):
        if anc.index[-1] % 2 == 1:      # a sector: derivative signs may vary on it
            continue
        found = cache.get(id(anc))
        if found is None:
            found = {}
            for fid, f, chain in chains:
                if anc.data["s"].get(fid) != 0 or (id(anc.parent), id(f)) in nullified:
                    continue
                for dfid in chain:        # orders 1, 2, ...: zero below the multiplicity
                    s = sign_at(pc.factors[dfid], anc.sample)
                    found[dfid] = s
                    if s != 0:
                        break
            cache[id(anc)] = found
        leaf.data["s"].update(found)
        if "sig" in leaf.data:
            leaf.data["sig"].update(found)
    for _fid, _f, chain in chains:
        pc.derived.update(chain)
    return True
