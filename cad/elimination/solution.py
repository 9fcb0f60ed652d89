"""Solution formula construction: a short formula over the free leaves' signatures.

Once the free-space leaves of the partial CAD are projection definable
(:mod:`cad.elimination.definability`), the formula is a minimum-size cover (greedy, on prime
implicants in the sense of Quine-McCluskey restricted to *realised* sign vectors;
unrealised ones are don't-cares), computed both as a disjunction of conjunctions for the
true leaves and dually for the false ones; the shorter one wins, with common atoms factored
out as QEPCAD B prints them.

A *term* is a map fid -> sign mask (:mod:`cad.elimination.masks`): the conjunction of the atoms
"the sign of factor fid lies in the mask".  A signature (fid -> sign) is a point.  A root
feature (:mod:`cad.elimination.root_features`) is a fid like the others, printed as
``x_L rel _root_k f``; its value :data:`ABSENT` lies in no mask (every atom on it is false).
A last-root feature (:mod:`cad.elimination.last_root`) is one too, with values ``+1`` and
``-1`` only: printed as its conjunction of derivative signs, or as that conjunction's
negation, and counted in a term's cost as that many atoms.
"""

import random

from cad.errors import InternalError
from cad.io import to_str
from cad.logic import FALSE, MIRRORED, TRUE, And, Atom, Or, RootAtom
from cad.poly import poly_level
from cad.elimination.definability import signature, signed_factor_ids
from cad.elimination.last_root import feature_formula
from cad.elimination.masks import ALL_SIGNS, MASK_REL, SIGN_BIT
from cad.elimination.root_features import ABSENT

__all__ = ["solution_formula"]

# nodes of the exact branch-and-bound search of a cover before the greedy one is kept
_COVER_SEARCH_NODES = 20000
# the widenings of a one-sign mask tried by a prime implicant, in order: non-strict first
# (< to <=, then /=; > to >=, then /=; = to <=, then >=)
_WIDER = {1: (3, 5), 4: (6, 5), 2: (3, 6)}


def solution_formula(pc, to_out):
    """QEPCAD-style formula from the free-space leaves of the partial CAD ``pc``; its
    polynomials are mapped by ``to_out`` into the output ring."""
    allowed = signed_factor_ids(pc)
    true_sigs, false_sigs = {}, {}
    for c in pc.leaves:
        sig = signature(c, allowed).signs
        (true_sigs if c.data["t"] else false_sigs)[tuple(sig.items())] = sig
    T, Fl = list(true_sigs.values()), list(false_sigs.values())
    if not T:
        return FALSE
    if not Fl:
        return TRUE

    complexity = {}

    def cplx(f):
        c = complexity.get(f)
        if c is None:
            feature = pc.last_root_features.get(f)
            if feature is None:
                c = _complexity(pc.factors[f])
            else:       # a conjunction: ranked by its atoms together
                cs = [_complexity(g) for g in feature[1]]
                c = (sum(x[0] for x in cs), sum(x[1] for x in cs))
            complexity[f] = c
        return c

    def atoms_of(f):
        feature = pc.last_root_features.get(f)
        return 1 if feature is None else len(feature[1])

    def cost(term):
        return sum(atoms_of(f) + 0.01 * cplx(f)[0] for f in term)

    def orders(t):
        fids = list(t)
        by_cplx = sorted(fids, key=lambda f: (cplx(f), f))
        out = [by_cplx[::-1], by_cplx, sorted(fids), sorted(fids, reverse=True)]
        out.extend([fids[i] for i in perm] for perm in _shuffles(len(fids)))
        return out

    dnf = _cover(T, Fl, cost, orders)
    common, rest = _factor_out(dnf)
    printer = _Printer(pc, to_out)
    if pc.root_features:
        # the negation of a root atom is not one (false where the root does not exist):
        # no CNF from the complement
        return printer.dnf(common, rest)
    complement = _cover(Fl, T, cost, orders)      # DNF of the complement
    # the complement's DNF negated is a CNF; its clauses' atoms are the negated masks
    clauses = [{fid: ALL_SIGNS & ~m for fid, m in tm.items()} for tm in complement]
    if len(common) + sum(len(r) for r in rest) <= sum(len(tm) for tm in complement):
        return printer.dnf(common, rest)
    return printer.cnf(clauses)


_SHUFFLES = {}


def _shuffles(n):
    """Six pseudo-random orders of ``range(n)``, seeded by ``n`` (so the formula printed for a
    problem never changes); computed once per ``n``."""
    perms = _SHUFFLES.get(n)
    if perms is None:
        rng = random.Random(n)
        perms = []
        for _ in range(6):
            p = list(range(n))
            rng.shuffle(p)
            perms.append(p)
        _SHUFFLES[n] = perms
    return perms


def _complexity(p):
    return (int(p.total_degree()), len(p))


def _covers(terms, T):
    """For each term, the frozenset of the indices of the signatures ``T`` it covers (a term
    covers a signature when each of its atoms holds there: the signature gives the atom's
    factor a sign inside its mask); see :func:`_cover_bits`."""
    return [frozenset(_bit_indices(bits)) for bits in _cover_bits(terms, T)]


def _cover_bits(terms, T):
    """:func:`_covers` as bitsets (bit ``i``: ``T[i]`` is covered): ``having[fid][s]`` has
    bit ``i`` set when ``T[i]`` gives ``fid`` the sign ``s``; an atom covers the union over
    the signs in its mask, a term the intersection over its atoms."""
    having = {}
    for i, t in enumerate(T):
        bit = 1 << i
        for fid, s in t.items():
            row = having.setdefault(fid, {})
            row[s] = row.get(s, 0) | bit
    everything = (1 << len(T)) - 1
    out = []
    for term in terms:
        acc = everything
        for fid, m in term.items():
            row = having.get(fid, {})
            acc &= sum(bits for s, bits in row.items() if m & SIGN_BIT.get(s, 0))
        out.append(acc)
    return out


def _bit_indices(bits):
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


def _exclusion_index(F):
    """Bitsets over the signatures ``F``: ``index[fid][m]`` has bit ``i`` set when the atom
    (``fid``, mask ``m``) is false on the whole leaf ``F[i]`` (its sign there is known and
    outside ``m``).  A term excludes every leaf of ``F`` iff the union over its atoms is
    all of ``F`` -- one integer OR per atom instead of a loop over ``F``."""
    by_sign = {}
    for i, g in enumerate(F):
        bit = 1 << i
        for fid, s in g.items():
            row = by_sign.setdefault(fid, {-1: 0, 0: 0, 1: 0, ABSENT: 0})
            row[s] |= bit
    index = {}
    for fid, row in by_sign.items():
        index[fid] = [row[ABSENT] + sum(row[s] for s in (-1, 0, 1) if not (m & SIGN_BIT[s]))
                      for m in range(8)]
    return index, (1 << len(F)) - 1


def _prime_implicants(t, excl, orders):
    """Generalise the signature ``t`` to a term excluding every point of ``F`` (given by its
    :func:`_exclusion_index` ``excl``), once per order: drop atoms in the order while valid,
    then widen the remaining ones (prefer non-strict).  A term is valid when the union of
    its atoms' exclusion rows is everything; the rows are looked up once for all orders.

    What does not depend on the order is computed once.  *Dropping.*  An atom is
    *essential* when the union of the other atoms' rows is not everything: it is kept in
    every order (at its turn the term's other atoms are a subset of those).  When the
    essential atoms' rows already cover everything, every other atom is dropped at its
    turn (the term then still holds all essential atoms), so the kept atoms are the
    essential ones in every order.  *Widening* looks at the kept atoms alone, in their
    order: the term is a function of that sequence, built once per sequence."""
    index, everything = excl
    none = [0] * 8
    masks = {fid: SIGN_BIT[s] for fid, s in t.items() if s != ABSENT}
    rows = {fid: index.get(fid, none)[m] for fid, m in masks.items()}
    union = 0
    for r in rows.values():
        union |= r
    # a valid term stays valid throughout, so an atom excluding nothing is always dropped
    # when its turn comes, and meanwhile adds nothing to the others' unions; from an
    # invalid term no atom can go
    droppable = union == everything
    live = {fid: r for fid, r in rows.items() if r} if droppable else rows
    # the widenings of each live atom with their rows, looked up once for all orders
    wider = {fid: [(w, index.get(fid, none)[w]) for w in _WIDER.get(masks[fid], ())]
             for fid in live}
    kept_set = _kept_in_every_order(live, everything) if droppable else live
    out = []
    dropped = {}    # the live atoms in an order -> the kept ones, in that order
    built = {}      # the kept atoms in an order -> the term
    for order in orders:
        if kept_set is not None:
            seq = [fid for fid in order if fid in kept_set]
        else:
            seq = [fid for fid in order if fid in live]
            key = tuple(seq)
            kept = dropped.get(key)
            if kept is None:
                kept = dropped[key] = _kept_atoms(seq, live, everything)
            seq = kept
        key = tuple(seq)
        term = built.get(key)
        if term is None:
            term = built[key] = _widened(seq, masks, live, wider, everything)
        out.append(term)
    return out


def _kept_in_every_order(live, everything):
    """The atoms kept by the drop phase whatever the order, when that set does not depend
    on the order (the essential atoms cover everything: see :func:`_prime_implicants`),
    else None.  ``live``: fid -> exclusion row of a valid term."""
    fids = list(live)
    rs = [live[fid] for fid in fids]
    after = _suffix_unions(rs)
    before = 0
    essential = set()
    covered = 0
    for p, r in enumerate(rs):
        if before | after[p + 1] != everything:
            essential.add(fids[p])
            covered |= r
        before |= r
    return essential if covered == everything else None


def _kept_atoms(seq, live, everything):
    """The drop phase in the order ``seq`` (a valid term's atoms): each atom is dropped
    when the atoms kept so far and all those still to come exclude everything without it."""
    rs = [live[fid] for fid in seq]
    # when an atom's turn comes the term holds the atoms kept so far and all those
    # still to come: the union of the others is ``kept | suffix[p + 1]``
    suffix = _suffix_unions(rs)
    kept = 0
    keep = []
    for p, r in enumerate(rs):
        if kept | suffix[p + 1] != everything:
            kept |= r
            keep.append(seq[p])
    return keep


def _widened(seq, masks, live, wider, everything):
    """The term of the kept atoms ``seq``, each widened in turn when the term stays valid."""
    term = {fid: masks[fid] for fid in seq}      # the kept atoms, in the order
    rs = [live[fid] for fid in seq]
    # when an atom's turn to widen comes, the others are the atoms before it (already
    # widened: their rows ORed into ``before``) and those after it (``after[p + 1]``)
    after = _suffix_unions(rs)
    before = 0
    for p, fid in enumerate(seq):
        rest = before | after[p + 1]
        r = rs[p]
        for w, row in wider[fid]:
            if rest | row == everything:
                term[fid] = w
                r = row
                break
        before |= r
    return term


def _suffix_unions(rows):
    """``out[p]`` = the union of ``rows[p:]`` (``out[len(rows)] = 0``)."""
    out = [0] * (len(rows) + 1)
    acc = 0
    for p in range(len(rows) - 1, -1, -1):
        acc |= rows[p]
        out[p] = acc
    return out


def _cover(T, F, cost, orders):
    """Minimum-cost cover of ``T`` by prime implicants excluding ``F`` (returns a list of terms).

    Candidates: one prime implicant per signature and generalisation order.  The cover is
    first found greedily (cost per newly covered point), then improved by an exact
    branch-and-bound (branch on the candidates covering the first uncovered point, as in
    Petrick's method) when the instance is small enough."""
    cands = {}
    excl = _exclusion_index(F)
    for t in T:
        seen = set()
        for term in _prime_implicants(t, excl, orders(t)):
            if id(term) in seen:        # the same term for another order
                continue
            seen.add(id(term))
            key = tuple(sorted(term.items()))
            if key not in cands:
                cands[key] = term
    terms = list(cands.values())
    # the sets of covered signatures as bitsets: bit i for T[i]
    covers = _cover_bits(terms, T)
    # drop dominated candidates (covering a subset at no lower cost)
    costs = [cost(t) for t in terms]
    keep = []
    for j in range(len(terms)):
        cj, kj = covers[j], costs[j]
        dominated = False
        for i in range(len(terms)):
            if i != j and not (cj & ~covers[i]) and costs[i] <= kj and \
                    (cj != covers[i] or costs[i] < kj or i < j):
                dominated = True
                break
        if not dominated:
            keep.append(j)
    terms = [terms[j] for j in keep]
    covers = [covers[j] for j in keep]
    costs = [costs[j] for j in keep]
    everything = (1 << len(T)) - 1
    uncovered = everything
    chosen = []
    while uncovered:
        best, best_score = None, None
        for j in range(len(terms)):
            gain = (covers[j] & uncovered).bit_count()
            if gain == 0:
                continue
            score = (costs[j] + 0.5) / gain
            if best_score is None or score < best_score:
                best, best_score = j, score
        if best is None:
            raise InternalError("internal: a true leaf is not covered (definability check failed)")
        chosen.append(best)
        uncovered &= ~covers[best]
    best_cost = [sum(costs[j] for j in chosen) + 1e-9]
    best_set = [list(chosen)]
    nodes_left = [_COVER_SEARCH_NODES]
    by_point = [sorted((j for j in range(len(terms)) if covers[j] >> i & 1), key=lambda j: costs[j])
                for i in range(len(T))]

    def search(covered, picked, c):
        if c >= best_cost[0] or nodes_left[0] <= 0:
            return
        nodes_left[0] -= 1
        if covered == everything:
            best_cost[0] = c
            best_set[0] = list(picked)
            return
        # the uncovered point with the fewest candidates (the lowest index among equals)
        i = min(_bit_indices(everything & ~covered), key=lambda i: len(by_point[i]))
        for j in by_point[i]:
            picked.append(j)
            search(covered | covers[j], picked, c + costs[j])
            picked.pop()

    search(0, [], 0.0)
    return [terms[j] for j in best_set[0]]


def _factor_out(terms):
    """DNF terms -> (common atoms, remaining terms): an atom is pulled out when every term
    implies it (has an atom on the same factor with a subset mask)."""
    common = {}
    if len(terms) > 1:
        fids = set(terms[0])
        for tm in terms[1:]:
            fids &= set(tm)
        for fid in sorted(fids):
            m = 0
            for tm in terms:
                m |= tm[fid]
            if m != ALL_SIGNS:
                common[fid] = m
    rest = []
    for tm in terms:
        r = {fid: m for fid, m in tm.items() if not (fid in common and common[fid] == m)}
        rest.append(r)
    if common and any(not r for r in rest):
        rest = [{}]
    return common, rest


class _Printer:
    """Terms and clauses of ``pc``'s factors as formulas of the output ring, atoms ordered
    by level, then complexity (as QEPCAD B prints them)."""

    def __init__(self, pc, to_out):
        self.pc = pc
        self.to_out = to_out

    def atom(self, fid, mask):
        last_root = self.pc.last_root_features.get(fid)
        if last_root is not None:
            # values +1 (the conjunction holds) and -1 only: the mask's bit of sign 0 is moot
            holds, fails = bool(mask & SIGN_BIT[1]), bool(mask & SIGN_BIT[-1])
            if holds == fails:
                return TRUE if holds else FALSE
            return feature_formula(*last_root, holds, self.to_out, _oriented)
        p = self.to_out(self.pc.factors[fid])
        rel = MASK_REL[mask]
        feature = self.pc.root_features.get(fid)
        if feature is not None:
            level = poly_level(self.pc.factors[fid])
            var = self.pc.factors[fid].context().names()[level - 1]
            return RootAtom(var, rel, feature[1], p)
        return _oriented(Atom(p, rel))

    def atoms(self, term):
        factors = self.pc.factors
        ordered = sorted(term.items(), key=lambda kv: (poly_level(factors[kv[0]]),
                                                       _complexity(factors[kv[0]]), kv[0]))
        return [self.atom(f, m) for f, m in ordered]

    def dnf(self, common, rest):
        parts = self.atoms(common)
        disj = [_conj(self.atoms(tm)) for tm in rest if tm]
        if disj and not (len(rest) == 1 and not rest[0]):
            parts.append(_disj(disj))
        return _conj(parts)

    def cnf(self, clauses):
        # unit clauses first (printed first, like QEPCAD)
        return _conj([_disj(self.atoms(cl)) for cl in sorted(clauses, key=len)])


def _oriented(atom):
    """``atom`` printed with a positive leading term, as QEPCAD B does (the relation flips)."""
    if to_str(atom).lstrip().startswith("-"):
        return Atom(-atom.poly, MIRRORED[atom.rel])
    return atom


def _conj(items):
    # a last-root feature's conjunction joins the term it stands in
    items = [a for x in items for a in (x.args if isinstance(x, And) else (x,))]
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else And(tuple(items))


def _disj(items):
    items = [a for x in items for a in (x.args if isinstance(x, Or) else (x,))]
    if not items:
        return FALSE
    return items[0] if len(items) == 1 else Or(tuple(items))
