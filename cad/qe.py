"""Quantifier elimination and decision by partial cylindrical algebraic decomposition.

Algorithm
---------
* **Partial CAD** -- G. E. Collins and H. Hong, "Partial cylindrical algebraic
  decomposition for quantifier elimination", J. Symbolic Comput. 12 (1991)
  299-328.  The variables are ordered free-then-bound (QEPCAD order).  The
  projection factor sets of every level are computed once (McCallum's or Lazard's projection,
  :func:`cad.projection.projection_factors`); the CAD tree is then built lazily,
  one stack at a time.  At every cell the quantifier-free matrix is evaluated in
  three-valued logic from the signs of the projection factors of the cell's
  level and below (they are sign-invariant on the cell, so the value holds on
  the whole cylinder above it); a cell whose value is determined is not lifted.
  Truth values propagate upwards through the quantified levels: a cell under
  ``E x`` is true as soon as one child is true, under ``A x`` false as soon as
  one child is false (the remaining children are never built).
* **Preprocessing**: innermost-block variables occurring in a single atom, linearly, are
  eliminated (:func:`_eliminate_single_occurrences`, one-atom virtual substitution);
  innermost existential variables fixed by a linear equation with a constant coefficient
  are substituted away (:func:`_eliminate_linear_equations`); atoms no longer used and
  quantified variables occurring nowhere are dropped (:func:`_compact`), so that neither
  enters the projection.
* **Projection**: McCallum's projection first (smaller); over a 0-dimensional cell a
  nullified factor is lifted with a least-order derivative
  (:func:`cad.decomposition.delineating_derivative`); if a factor is nullified over a
  lifted cell of positive dimension below the top level (not well oriented,
  :class:`cad.decomposition.NotWellOriented`) the run is redone with Lazard's
  projection, valid for every input.
* **Signs**: on the quantified levels only the matrix's factors are signed; section
  signs are read off the sector below (:meth:`_PCAD.lift`).
* **Lifting** uses Lazard's valuation when a projection factor vanishes
  identically over a sample point (S. McCallum, A. Parusinski, L. Paunescu,
  "Validity proof of Lazard's method for CAD construction", J. Symbolic Comput.
  92 (2019)): by their Theorem 2 the valuation is invariant on the (connected,
  analytic) cell, so such a factor is zero on the whole cylinder and the roots of
  its Lazard residue are added to the stack.
* **Solution formula construction** -- H. Hong, "An improvement of the
  projection operator in cylindrical algebraic decomposition", ISSAC 1990, and
  C. W. Brown, "Solution formula construction for truth-invariant CADs", PhD
  thesis, U. Delaware 1999 (and "Simple CAD construction and its
  applications", JSC 2001).  The leaves of the free-variable part of the partial
  CAD carry truth values and sign vectors (signatures) of the projection factors
  of the free levels.  If a true and a false leaf have compatible signatures the
  set is not *projection definable*.  First the derivatives of the factors of the
  level where the two cells share a stack are signed on sections only, where
  analytic delineability makes their signs invariant (:func:`_add_section_derivatives`);
  if that does not separate them, as Brown does, the derivatives are added to the
  polynomial set and the decomposition is rebuilt (Thom's lemma guarantees this
  terminates), the new round reading truth values from the previous one instead of
  lifting into the quantified levels again (:meth:`_PCAD.truth_reusing`).  The formula is then a minimum-size cover (greedy, on prime
  implicants in the sense of Quine-McCluskey restricted to *realised* sign
  vectors; unrealised ones are don't-cares), computed both as a disjunction of
  conjunctions for the true leaves and dually for the false ones; the shorter one
  wins, with common atoms factored out as QEPCAD B prints them.
"""

from __future__ import annotations

import time

from flint import fmpq

from cad.errors import BudgetExceeded, CadError, InputError
from cad.records import Record

__all__ = ["QEResult", "qe", "decide", "equivalent"]

# sign -> bit in a 3-bit mask of allowed signs ( - : 1, 0 : 2, + : 4 )
_DEBUG = False
_BIT = {-1: 1, 0: 2, 1: 4}
_REL_MASK = {"<": 1, "=": 2, ">": 4, "<=": 3, ">=": 6, "/=": 5}
_MASK_REL = {v: k for k, v in _REL_MASK.items()}
_NEG_REL = {"<": ">=", ">=": "<", ">": "<=", "<=": ">", "=": "/=", "/=": "="}


class QEResult(Record):
    """Result of :func:`qe`: a quantifier-free ``formula`` of the problem's ring
    (a :mod:`cad.formula` AST, ``TRUE``/``FALSE`` for sentences), the number of
    ``cells`` built, and the wall-clock ``seconds`` spent."""

    _fields = ("formula", "cells", "seconds")
    _frozen = False


# ---------------------------------------------------------------------------
# small polynomial helpers (raw flint fmpz_mpoly)
# ---------------------------------------------------------------------------

def _level(p):
    """1 + index of the last generator ``p`` depends on; 0 for constants."""
    degs = p.degrees()
    for i in range(len(degs) - 1, -1, -1):
        if degs[i] > 0:
            return i + 1
    return 0


def _key(p):
    return (tuple(p.monoms()), tuple(int(c) for c in p.coeffs()))


def _complexity(p):
    return (int(p.total_degree()), len(p))


# ---------------------------------------------------------------------------
# formula normalisation: NNF over atoms, compiled to tuples
# ---------------------------------------------------------------------------

def _nnf(f, neg, F, out_atoms):
    """Negation normal form of a quantifier-free formula as nested tuples.

    ``('c', bool)`` | ``('a', atom_index)`` | ``('&', children)`` | ``('|', children)``.
    ``out_atoms`` collects ``(poly, rel)`` pairs; negation flips the relation.
    """
    if isinstance(f, F.Truth):
        return ("c", bool(f.value) != neg)
    if isinstance(f, F.Atom):
        rel = _NEG_REL[f.rel] if neg else f.rel
        out_atoms.append((f.poly, rel))
        return ("a", len(out_atoms) - 1)
    if isinstance(f, F.Not):
        return _nnf(f.arg, not neg, F, out_atoms)
    if isinstance(f, (F.And, F.Or)):
        is_and = isinstance(f, F.And) != neg
        kids = [_nnf(a, neg, F, out_atoms) for a in f.args]
        return ("&" if is_and else "|", kids)
    if isinstance(f, F.Implies):
        return _nnf(F.Or((F.Not(f.left), f.right)), neg, F, out_atoms)
    if isinstance(f, F.Iff):
        a, b = f.left, f.right
        return _nnf(F.Or((F.And((a, b)), F.And((F.Not(a), F.Not(b))))), neg, F, out_atoms)
    if isinstance(f, (F.Exists, F.Forall)):
        raise InputError("internal: quantifier inside the prenex matrix")
    raise InputError(f"unsupported formula node {type(f).__name__}")


def _simplify_tree(t):
    """Constant folding of an NNF tuple tree."""
    if t[0] in ("c", "a"):
        return t
    op = t[0]
    kids = []
    for k in t[1]:
        k = _simplify_tree(k)
        if k[0] == "c":
            if k[1] == (op == "|"):
                return ("c", op == "|")
            continue
        if k[0] == op:
            kids.extend(k[1])
        else:
            kids.append(k)
    if not kids:
        return ("c", op == "&")
    if len(kids) == 1:
        return kids[0]
    return (op, kids)


def _atom_sign_eval(atom, signs):
    """Three-valued truth of an atom ``(unit, [(fid, exp)], mask)`` from known factor signs."""
    unit, facs, mask = atom
    if unit == 0:
        return bool(mask & 2)
    s = unit
    unknown = False
    for fid, e in facs:
        v = signs.get(fid)
        if v is None:
            unknown = True
        elif v == 0:
            return bool(mask & 2)
        elif e & 1:
            s *= v
    if unknown:
        return None
    return bool(mask & _BIT[s])


def _eval3(t, atoms, signs):
    op = t[0]
    if op == "a":
        return _atom_sign_eval(atoms[t[1]], signs)
    if op == "c":
        return t[1]
    if op == "&":
        res = True
        for k in t[1]:
            v = _eval3(k, atoms, signs)
            if v is False:
                return False
            if v is None:
                res = None
        return res
    res = False
    for k in t[1]:
        v = _eval3(k, atoms, signs)
        if v is True:
            return True
        if v is None:
            res = None
    return res


# ---------------------------------------------------------------------------
# the partial CAD
# ---------------------------------------------------------------------------

class _PCAD:
    """One partial CAD run for a fixed polynomial set (Collins-Hong 1991).

    The stacks come from :meth:`cad.decomposition.Decomposition.lift` (lazy
    lifting with Lazard's valuation); this class decides which cells to lift,
    records the signs of the projection factors on each cell (``cell.data['s']``,
    fid -> sign) and its truth value (``cell.data['t']``).
    """

    def __init__(self, D, nfree, quants, atoms, tree, factors, levels, fid_of_id):
        self.D = D
        self.n = D.n
        self.nfree = nfree
        self.quants = quants          # quants[k] for level k+1 (k >= nfree): 'E' or 'A'
        self.atoms = atoms
        self.tree = tree
        self.factors = factors        # fid -> poly (in D's ring)
        self.levels = levels          # levels[k] = list of fids of level k+1
        self.fid_of_id = fid_of_id    # id(poly in D.levels) -> fid
        self.leaves = []              # free-space leaf cells with truth values
        self.derived = set()          # fids of derivatives signed on sections only
        self._sign_at = D._sign_at
        self.atom_fids = {fid for _unit, facs, _mask in atoms for fid, _e in facs}

    @property
    def ncells(self):
        return self.D.ncells + 1

    def lift(self, cell):
        """Build the stack over ``cell``; attach to each child the signs of its level's factors."""
        children = self.D.lift(cell)
        k = cell.level
        fids = self.levels[k]
        if k >= self.nfree:
            # above the free levels only the truth value matters, and it reads the signs
            # of the matrix's factors alone; the other projection factors only serve
            # delineability, which the stacks already give
            fids = [fid for fid in fids if fid in self.atom_fids]
        base = cell.data["s"]
        sign_at = self._sign_at
        factors = self.factors
        fid_of_id = self.fid_of_id
        left = None
        # each factor as a polynomial in the new variable over the base sample, as the
        # stack construction computed it (none when the sample is irrational)
        known = cell.fibers or {}
        fibers = {fid: known.get(id(factors[fid])) for fid in fids}
        for c in children:
            signs = dict(base)
            if c.index[-1] % 2 == 0:
                # a section: a factor not vanishing at the root has no root in the
                # half-open interval from the sector sample to it (all its roots over
                # the base are stack roots, or it vanishes on the whole fibre), so by
                # continuity its sign is the sign on the sector just below; this
                # avoids evaluating at an algebraic last coordinate
                zeros = {fid_of_id[id(f)] for f in c.section_polynomials if id(f) in fid_of_id}
                for fid in fids:
                    signs[fid] = 0 if fid in zeros else left[fid]
            else:
                sample = c.sample
                y = sample[-1]
                for fid in fids:
                    g = fibers[fid]
                    if g is not None and type(y) is fmpq:
                        v = g(y)
                        signs[fid] = (v > 0) - (v < 0)
                    else:
                        signs[fid] = sign_at(factors[fid], sample)
                left = signs
            c.data["s"] = signs
        return children

    def truth(self, cell):
        """Truth value of ``cell`` (levels > nfree), or of the free-space subtree rooted at it
        (None when mixed); free-space leaves are collected in ``self.leaves``."""
        data = cell.data
        v = _eval3(self.tree, self.atoms, data["s"])
        k = cell.level
        if v is not None:
            data["t"] = v
            if k <= self.nfree:
                self.leaves.append(cell)
            return v
        if k == self.n:
            raise CadError("internal: matrix undetermined on a cell of the top level")
        children = self.lift(cell)
        if k < self.nfree:
            start = len(self.leaves)
            vals = [self.truth(c) for c in children]
            return self._close_cylinder(cell, start, vals)
        if self.quants[k] == "E":
            res = False
            for c in _order_children(children):
                if self.truth(c):
                    res = True
                    break
        else:
            res = True
            for c in _order_children(children):
                if not self.truth(c):
                    res = False
                    break
        data["t"] = res
        if k == self.nfree:
            self.leaves.append(cell)
        return res


    def _close_cylinder(self, cell, start, vals):
        """After the children of a free cell got their truth values ``vals`` (leaves from
        index ``start`` on): if they agree, the whole cylinder over ``cell`` has one truth
        value and becomes a leaf, its signature keeping the higher-level factor signs
        common to every leaf below (they then hold on the whole cylinder)."""
        data = cell.data
        if all(x is True for x in vals) or all(x is False for x in vals):
            below = self.leaves[start:]
            common = dict(below[0].data.get("sig", below[0].data["s"]))
            for leaf in below[1:]:
                sig = leaf.data.get("sig", leaf.data["s"])
                for fid in list(common):
                    if sig.get(fid) != common[fid]:
                        del common[fid]
            common.update(data["s"])
            data["sig"] = common
            del self.leaves[start:]
            data["t"] = vals[0]
            self.leaves.append(cell)
            return vals[0]
        data["t"] = None
        return None

    def truth_reusing(self, cell, old_cell, old_keys):
        """:meth:`truth` for a free cell, reading truth values from an earlier partial CAD.

        A re-projection round (solution formula construction) builds a CAD whose factor
        set contains the earlier one at every free level (``old_keys[k]``: keys of the
        earlier level-``k+1`` factors, checked by the caller).  Then each new free cell
        lies in one earlier cell of its level: it is connected and sign-invariant for
        the earlier factors, so within the cylinder over the earlier base cell it meets
        no earlier section unless it lies in it (induction on the level).  An earlier
        cell with a known truth value is truth-invariant, so the new cell takes that value
        without lifting into the quantified levels.  The earlier cell over a new child is
        found from the new stack alone: the earlier factors' roots over the new sample are
        the new sections on which an earlier factor vanishes.  Where that reading is not
        sure (an earlier factor nullified, or counts that do not add up), the child gets
        the ordinary :meth:`truth`.
        """
        data = cell.data
        t_old = old_cell.data.get("t")
        k = cell.level
        if t_old is not None:
            data["t"] = t_old
            self.leaves.append(cell)
            return t_old
        if k >= self.nfree or old_cell.children is None:
            return self.truth(cell)
        children = self.lift(cell)
        olds = _old_children(cell, children, old_cell, old_keys[k], self.D)
        start = len(self.leaves)
        if olds is None:
            vals = [self.truth(c) for c in children]
        else:
            vals = [self.truth_reusing(c, o, old_keys) for c, o in zip(children, olds)]
        return self._close_cylinder(cell, start, vals)


def _reusable(prev, pc):
    """Keys of ``prev``'s free-level factors, level by level, when ``pc`` can read truth
    values from ``prev`` (:meth:`_PCAD.truth_reusing`): same projection operator and, at
    every free level, the new factor set contains the earlier one.  Else None."""
    if prev is None or prev.D.projection != pc.D.projection or prev.nfree != pc.nfree:
        return None
    keys = []
    for k in range(pc.nfree):
        old = {_key(prev.factors[fid]) for fid in prev.levels[k]}
        new = {_key(pc.factors[fid]) for fid in pc.levels[k]}
        if not old <= new:
            return None
        keys.append(old)
    return keys


def _old_children(cell, children, old_cell, keys, D):
    """The earlier cells containing ``children`` (see :meth:`_PCAD.truth_reusing`), or None."""
    if any(c is cell and _key(f) in keys for c, f in D.nullifications):
        return None
    olds = old_cell.children
    pos = 1                     # 1-based index in the earlier stack
    out = []
    for ch in children:
        on_old_root = ch.index[-1] % 2 == 0 and any(_key(f) in keys for f in ch.section_polynomials)
        if on_old_root:
            pos += 1
            if pos % 2 == 1:
                return None
        elif pos % 2 == 0:
            pos += 1
        if pos > len(olds):
            return None
        out.append(olds[pos - 1])
    if pos != len(olds):
        return None
    return out


def _order_children(children):
    # stack order; measured on the benchmark set it builds fewer cells than sectors-first
    # (equations make sections the likely witnesses) or sections-first orders
    return children


# ---------------------------------------------------------------------------
# solution formula construction and simplification
# ---------------------------------------------------------------------------

def _first_conflict(T, F):
    for t in T:
        for g in F:
            if all(g.signs.get(fid, s) == s for fid, s in t.signs.items()):
                return t, g
    return None


def _restricted_sig(cell, allowed):
    return tuple(sorted((fid, s) for fid, s in cell.data.get('sig', cell.data['s']).items() if fid in allowed))


def _term_covers(term, t):
    """``term`` is true on the whole leaf with signature ``t``."""
    for fid, m in term.items():
        s = t.get(fid)
        if s is None or not (m & _BIT[s]):
            return False
    return True


def _exclusion_index(F):
    """Bitsets over the signatures ``F``: ``index[fid][m]`` has bit ``i`` set when the atom
    (``fid``, mask ``m``) is false on the whole leaf ``F[i]`` (its sign there is known and
    outside ``m``).  A term excludes every leaf of ``F`` iff the union over its atoms is
    all of ``F`` -- one integer OR per atom instead of a loop over ``F``."""
    by_sign = {}
    for i, g in enumerate(F):
        bit = 1 << i
        for fid, s in g.items():
            row = by_sign.setdefault(fid, {-1: 0, 0: 0, 1: 0})
            row[s] |= bit
    index = {}
    for fid, row in by_sign.items():
        index[fid] = [sum(row[s] for s in (-1, 0, 1) if not (m & _BIT[s])) for m in range(8)]
    return index, (1 << len(F)) - 1


def _prime_implicants(t, excl, order):
    """Generalise the signature ``t`` to terms excluding every point of ``F`` (given by its
    :func:`_exclusion_index` ``excl``): drop atoms in ``order`` while valid, then widen the
    remaining ones (prefer non-strict)."""
    index, everything = excl
    term = {fid: _BIT[s] for fid, s in t.items()}
    none = [0] * 8

    def valid(tm):
        acc = 0
        for fid, m in tm.items():
            acc |= index.get(fid, none)[m]
        return acc == everything

    for fid in order:
        if fid not in term:
            continue
        m = term.pop(fid)
        if not valid(term):
            term[fid] = m
    for fid in sorted(term, key=order.index):
        m = term[fid]
        if m in (1, 4):
            for w in (m | 2, 5):
                term[fid] = w
                if valid(term):
                    break
                term[fid] = m
        elif m == 2:
            for w in (3, 6):
                term[fid] = w
                if valid(term):
                    break
                term[fid] = m
    return term


def _cover(T, F, cost, orders):
    """Minimum-cost cover of ``T`` by prime implicants excluding ``F`` (returns a list of terms).

    Candidates: one prime implicant per signature and generalisation order.  The cover is
    first found greedily (cost per newly covered point), then improved by an exact
    branch-and-bound (branch on the candidates covering the first uncovered point, as in
    Petrick's method) when the instance is small enough."""
    cands = {}
    excl = _exclusion_index(F)
    for t in T:
        for order in orders(t):
            term = _prime_implicants(t, excl, order)
            key = tuple(sorted(term.items()))
            if key not in cands:
                cands[key] = term
    terms = list(cands.values())
    covers = [frozenset(i for i, t in enumerate(T) if _term_covers(term, t)) for term in terms]
    # drop dominated candidates (covering a subset at no lower cost)
    costs = [cost(t) for t in terms]
    keep = []
    for j in range(len(terms)):
        dominated = False
        for i in range(len(terms)):
            if i != j and covers[j] <= covers[i] and costs[i] <= costs[j] and \
                    (covers[j] != covers[i] or costs[i] < costs[j] or i < j):
                dominated = True
                break
        if not dominated:
            keep.append(j)
    terms = [terms[j] for j in keep]
    covers = [covers[j] for j in keep]
    costs = [costs[j] for j in keep]
    everything = frozenset(range(len(T)))
    uncovered = set(everything)
    chosen = []
    while uncovered:
        best, best_score = None, None
        for j in range(len(terms)):
            gain = len(covers[j] & uncovered)
            if gain == 0:
                continue
            score = (costs[j] + 0.5) / gain
            if best_score is None or score < best_score:
                best, best_score = j, score
        if best is None:
            raise CadError("internal: a true leaf is not covered (definability check failed)")
        chosen.append(best)
        uncovered -= covers[best]
    best_cost = [sum(costs[j] for j in chosen) + 1e-9]
    best_set = [list(chosen)]
    budget = [20000]
    by_point = {i: sorted((j for j in range(len(terms)) if i in covers[j]), key=lambda j: costs[j])
                for i in everything}

    def search(covered, picked, c):
        if c >= best_cost[0] or budget[0] <= 0:
            return
        budget[0] -= 1
        if covered == everything:
            best_cost[0] = c
            best_set[0] = list(picked)
            return
        i = min(everything - covered, key=lambda i: len(by_point[i]))
        for j in by_point[i]:
            picked.append(j)
            search(covered | covers[j], picked, c + costs[j])
            picked.pop()

    search(frozenset(), [], 0.0)
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
            if m != 7:
                common[fid] = m
    rest = []
    for tm in terms:
        r = {fid: m for fid, m in tm.items() if not (fid in common and common[fid] == m)}
        rest.append(r)
    if common and any(not r for r in rest):
        rest = [{}]
    return common, rest


def _size(common, rest):
    return len(common) + sum(len(r) for r in rest)


def _solution_formula(pc, F_mod, ring_out, to_out):
    """QEPCAD-style formula (AST of the output ring) from the free-space leaves of ``pc``."""
    allowed = set(pc.derived)
    for k in range(pc.nfree):
        allowed.update(pc.levels[k])
    Tsig, Fsig = {}, {}
    for c in pc.leaves:
        sig = _restricted_sig(c, allowed)
        (Tsig if c.data['t'] else Fsig)[sig] = dict(sig)
    T, Fl = list(Tsig.values()), list(Fsig.values())
    if not T:
        return F_mod.FALSE
    if not Fl:
        return F_mod.TRUE

    def cost(term):
        return sum(1 + 0.01 * _complexity(pc.factors[f])[0] for f in term)

    def orders(t):
        fids = list(t)
        by_cplx = sorted(fids, key=lambda f: (_complexity(pc.factors[f]), f))
        out = [by_cplx[::-1], by_cplx, sorted(fids), sorted(fids, reverse=True)]
        import random

        rng = random.Random(len(fids))
        for _ in range(6):
            p = list(fids)
            rng.shuffle(p)
            out.append(p)
        return out

    dnf = _cover(T, Fl, cost, orders)
    cnf_neg = _cover(Fl, T, cost, orders)      # DNF of the complement
    common1, rest1 = _factor_out(dnf)
    # complement's DNF negated: a CNF; factor out common clauses analogously on the negation
    neg_terms = [{fid: 7 & ~m for fid, m in tm.items()} for tm in cnf_neg]   # clause atoms
    if _size(common1, rest1) <= sum(len(tm) for tm in cnf_neg):
        return _build_dnf(common1, rest1, pc, F_mod, to_out)
    return _build_cnf(neg_terms, pc, F_mod, to_out)


_FLIP = {"<": ">", ">": "<", "<=": ">=", ">=": "<=", "=": "=", "/=": "/="}


def _atom_ast(fid, mask, pc, F_mod, to_out):
    p = to_out(pc.factors[fid])
    rel = _MASK_REL[mask]
    # print with a positive leading term, as QEPCAD B does (the relation flips)
    atom = F_mod.Atom(p, rel)
    if F_mod.to_str(atom).lstrip().startswith("-"):
        atom = F_mod.Atom(-p, _FLIP[rel])
    return atom


def _conj(items, F_mod):
    items = list(items)
    if not items:
        return F_mod.TRUE
    return items[0] if len(items) == 1 else F_mod.And(tuple(items))


def _disj(items, F_mod):
    items = list(items)
    if not items:
        return F_mod.FALSE
    return items[0] if len(items) == 1 else F_mod.Or(tuple(items))


def _sorted_atoms(term, pc):
    return sorted(term.items(), key=lambda kv: (_level(pc.factors[kv[0]]), _complexity(pc.factors[kv[0]]), kv[0]))


def _build_dnf(common, rest, pc, F_mod, to_out):
    parts = [_atom_ast(f, m, pc, F_mod, to_out) for f, m in _sorted_atoms(common, pc)]
    disj = [_conj([_atom_ast(f, m, pc, F_mod, to_out) for f, m in _sorted_atoms(tm, pc)], F_mod)
            for tm in rest if tm]
    if disj and not (len(rest) == 1 and not rest[0]):
        parts.append(_disj(disj, F_mod))
    return _conj(parts, F_mod)


def _build_cnf(clauses, pc, F_mod, to_out):
    # pull out unit clauses first (printed first, like QEPCAD)
    clauses = sorted(clauses, key=len)
    parts = [_disj([_atom_ast(f, m, pc, F_mod, to_out) for f, m in _sorted_atoms(cl, pc)], F_mod)
             for cl in clauses]
    return _conj(parts, F_mod)


# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------

def _coeffs_in(p, i):
    """Coefficients of ``p`` in generator ``i`` (low to high), polynomials of the same context."""
    ctx = p.context()
    buckets = {}
    for exps, c in p.to_dict().items():
        rest = list(exps)
        e = rest[i]
        rest[i] = 0
        buckets.setdefault(e, {})[tuple(rest)] = c
    if not buckets:
        return []
    return [ctx.from_dict(buckets.get(e, {})) for e in range(max(buckets) + 1)]


def _eliminate_linear_equations(cad_atoms, tree, order, quants, nfree):
    r"""Substitute away innermost existential variables fixed by a linear equation.

    ``(E v)[c v + q = 0 /\ phi]`` with ``c`` a nonzero integer and ``q`` free of ``v`` is
    equivalent to ``phi[v := -q/c]`` (the equation has exactly one solution); atoms are
    multiplied by ``c^deg`` with ``c > 0`` so their signs are kept.  Only conjunctive
    matrices and variables of the innermost (existential) block are treated.  This is the
    standard linear equational-constraint preprocessing (cf. Weispfenning's virtual
    substitution for linear equations); it shrinks the projection considerably.
    """
    if tree[0] not in ("&", "a"):
        return cad_atoms, tree
    n = len(order)
    k = n
    while k > nfree and quants[k - nfree - 1] == "E":
        k -= 1
    block = range(k, n)          # generator indices of the innermost existential block
    atoms = list(cad_atoms)
    kids = list(tree[1]) if tree[0] == "&" else [tree]
    changed = True
    while changed:
        changed = False
        for pos, node in enumerate(kids):
            if node[0] != "a":
                continue
            p, rel = atoms[node[1]]
            if rel != "=" or p.is_constant():
                continue
            degs = p.degrees()
            for v in block:
                if degs[v] != 1:
                    continue
                cs = _coeffs_in(p, v)
                c = cs[1]
                if not c.is_constant():
                    continue
                c0 = int(c.coeffs()[0])
                q = cs[0]
                if c0 < 0:
                    c0, q = -c0, -q
                # v = -q / c0 ; replace every other atom's polynomial by c0^d * f(-q/c0)
                del kids[pos]
                for j, (f, r) in enumerate(atoms):
                    fd = f.degrees()[v]
                    if fd == 0:
                        continue
                    fcs = _coeffs_in(f, v)
                    g = f.context().from_dict({})
                    mq = -q
                    for e, ce in enumerate(fcs):
                        if not ce.is_zero():
                            g += ce * mq ** e * c0 ** (fd - e)
                    atoms[j] = (g, r)
                changed = True
                break
            if changed:
                break
    if not kids:
        return atoms, ("c", True)
    new_tree = kids[0] if len(kids) == 1 else ("&", kids)
    return atoms, _simplify_tree(_fold_constants(new_tree, atoms))


def _atom_occurrences(t, counts):
    if t[0] == "a":
        counts[t[1]] = counts.get(t[1], 0) + 1
    elif t[0] in ("&", "|"):
        for k in t[1]:
            _atom_occurrences(k, counts)
    return counts


def _replace_atom(t, idx, value):
    if t[0] == "a":
        return ("c", value) if t[1] == idx else t
    if t[0] == "c":
        return t
    return (t[0], [_replace_atom(k, idx, value) for k in t[1]])


def _linear_exists(atoms, c, q, rel):
    r"""Tree of ``(E v)[c v + q rel 0]`` for ``c``, ``q`` free of ``v``: ``c /= 0 \/ q rel 0``
    (for ``c /= 0`` the left side takes every real value)."""
    atoms.append((c, "/="))
    atoms.append((q, rel))
    return ("|", [("a", len(atoms) - 2), ("a", len(atoms) - 1)])


def _linear_forall(atoms, c, q, rel):
    r"""Tree of ``(A v)[c v + q rel 0]``: ``c = 0 /\ q rel 0``."""
    atoms.append((c, "="))
    atoms.append((q, rel))
    return ("&", [("a", len(atoms) - 2), ("a", len(atoms) - 1)])


def _eliminate_single_occurrences(cad_atoms, tree, order, quants, nfree):
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
    applies.  Returns ``(atoms, tree)``; eliminated variables no longer occur.
    """
    n = len(order)
    if n <= nfree or tree[0] == "c":
        return cad_atoms, tree
    kind = quants[n - nfree - 1]
    k = n
    while k > nfree and quants[k - nfree - 1] == kind:
        k -= 1
    block = range(k, n)
    atoms = list(cad_atoms)
    changed = True
    while changed and tree[0] != "c":
        changed = False
        counts = _atom_occurrences(tree, {})
        for v in block:
            users = [i for i in counts if atoms[i][0].degrees()[v] > 0]
            if len(users) != 1 or counts[users[0]] != 1:
                continue
            idx = users[0]
            p, rel = atoms[idx]
            if p.degrees()[v] != 1:
                continue
            q, c = _coeffs_in(p, v)
            if_true = _replace_atom(tree, idx, True)
            if_false = _replace_atom(tree, idx, False)
            neg = _NEG_REL[rel]
            if kind == "E":
                if c.is_constant():       # (E v) B is TRUE
                    tree = if_true
                else:
                    tree = ("|", [("&", [if_true, _linear_exists(atoms, c, q, rel)]),
                                  ("&", [if_false, _linear_exists(atoms, c, q, neg)])])
            else:
                if c.is_constant():       # (A v) B is FALSE
                    tree = if_false
                else:
                    tree = ("&", [("|", [if_true, _linear_forall(atoms, c, q, neg)]),
                                  ("|", [if_false, _linear_forall(atoms, c, q, rel)])])
            tree = _simplify_tree(_fold_constants(tree, atoms))
            changed = True
            break
    return atoms, tree


def _renumber(t, new_index):
    if t[0] == "a":
        return ("a", new_index[t[1]])
    if t[0] == "c":
        return t
    return (t[0], [_renumber(k, new_index) for k in t[1]])


def _compact(cad_atoms, tree, order, quants, nfree):
    """Keep only the atoms that occur in ``tree`` (the preprocessing leaves replaced ones
    behind, and every atom's polynomial would enter the projection), and remove the
    quantified variables that occur in none of them (``(E v) phi`` and ``(A v) phi`` are
    ``phi`` when ``v`` does not occur in it).  Returns ``(atoms, tree, order, quants)``,
    the atoms moved to the context of the new order."""
    occurring = sorted(_atom_occurrences(tree, {}))
    new_index = {i: j for j, i in enumerate(occurring)}
    tree = _renumber(tree, new_index)
    kept_atoms = [cad_atoms[i] for i in occurring]
    used = set()
    for p, _rel in kept_atoms:
        for j, d in enumerate(p.degrees()):
            if d:
                used.add(j)
    keep = list(range(nfree)) + [j for j in range(nfree, len(order)) if j in used]
    if len(keep) == len(order):
        return kept_atoms, tree, order, quants
    import flint

    new_order = tuple(order[j] for j in keep)
    ctx = flint.fmpz_mpoly_ctx.get(new_order, "lex")
    atoms = []
    for p, rel in kept_atoms:
        d = {tuple(e[j] for j in keep): c for e, c in p.to_dict().items()}
        atoms.append((ctx.from_dict(d), rel))
    new_quants = [quants[j - nfree] for j in keep[nfree:]]
    return atoms, tree, new_order, new_quants


def _fold_constants(t, atoms):
    """Replace atoms whose polynomial became constant by their truth value."""
    if t[0] == "a":
        p, rel = atoms[t[1]]
        if p.is_constant():
            c = int(p.coeffs()[0]) if not p.is_zero() else 0
            s = (c > 0) - (c < 0)
            return ("c", bool(_REL_MASK[rel] & _BIT[s]))
        return t
    if t[0] == "c":
        return t
    return (t[0], [_fold_constants(k, atoms) for k in t[1]])


def _formula_size(f, F_mod):
    if isinstance(f, F_mod.Atom):
        return 1
    if isinstance(f, F_mod.Truth):
        return 0
    if isinstance(f, (F_mod.And, F_mod.Or)):
        return sum(_formula_size(a, F_mod) for a in f.args)
    if isinstance(f, F_mod.Not):
        return _formula_size(f.arg, F_mod)
    if isinstance(f, (F_mod.Implies, F_mod.Iff)):
        return _formula_size(f.left, F_mod) + _formula_size(f.right, F_mod)
    return 1


def qe(problem, timeout=None, max_cells=None):
    """Eliminate the quantifiers of ``problem`` (a :class:`cad.formula.Problem`).

    Returns :class:`QEResult` whose formula is quantifier-free in the free
    variables (``TRUE``/``FALSE`` for a sentence).  Raises
    :class:`cad.errors.BudgetExceeded` when ``timeout`` seconds or ``max_cells``
    cells are exceeded.  See the module docstring for the algorithm.
    """
    import cad.formula as F_mod

    t0 = time.monotonic()
    deadline = None if timeout is None else t0 + timeout
    ring = problem.ring
    names = tuple(ring.variables)
    free = tuple(problem.free)
    # standard prenex form: quantified variables renamed apart, unused ones dropped
    pp = F_mod.prenex_problem(problem)
    prefix, matrix = F_mod.prenex(pp.formula, pp.ring)
    bound = []
    quants = []
    for q, vs in prefix:
        q = q.upper()[0]
        for v in vs:
            if v in free or v in bound:
                raise InputError(f"variable {v} is quantified twice or both free and quantified")
            bound.append(v)
            quants.append("E" if q == "E" else "A")
    order = free + tuple(bound)
    atoms_raw = []
    tree = _simplify_tree(_nnf(matrix, False, F_mod, atoms_raw))
    # the CAD context in free-then-bound order
    import flint

    ctx = flint.fmpz_mpoly_ctx.get(order, "lex")
    n = len(order)
    where = {v: i for i, v in enumerate(order)}

    def to_cad(p):
        src_names = tuple(p.context().names())
        d = {}
        for exps, c in p.to_dict().items():
            e = [0] * n
            for name, x in zip(src_names, exps):
                if x:
                    if name not in where:
                        raise InputError(f"variable {name} is neither free nor quantified")
                    e[where[name]] = x
            d[tuple(e)] = c
        return ctx.from_dict(d)

    back = [names.index(v) if v in names else None for v in order]
    ring_ctx = ring.ctx

    def to_out(p):
        d = {}
        m = len(names)
        for exps, c in p.to_dict().items():
            e = [0] * m
            for i, x in enumerate(exps):
                if x:
                    e[back[i]] = x
            d[tuple(e)] = c
        return ring_ctx.from_dict(d)

    cad_atoms = [(to_cad(p), rel) for p, rel in atoms_raw]
    if quants:
        cad_atoms, tree = _eliminate_single_occurrences(cad_atoms, tree, order, quants, len(free))
    if quants and quants[-1] == "E":
        cad_atoms, tree = _eliminate_linear_equations(cad_atoms, tree, order, quants, len(free))
    if quants:
        cad_atoms, tree = _eliminate_single_occurrences(cad_atoms, tree, order, quants, len(free))
        cad_atoms, tree, order, quants = _compact(cad_atoms, tree, order, quants, len(free))
        ctx = flint.fmpz_mpoly_ctx.get(order, "lex")
        back = [names.index(v) if v in names else None for v in order]
    extra = []
    ncells = 0
    projection = "mccallum"   # smaller; falls back to Lazard when not well oriented
    if tree[0] == "c":
        formula = F_mod.TRUE if tree[1] else F_mod.FALSE
        return QEResult(formula, 1, time.monotonic() - t0)
    prev = None
    for _round in range(12):
        from cad.decomposition import NotWellOriented

        try:
            pc = _build(order, len(free), quants, cad_atoms, tree, extra, deadline, timeout,
                        max_cells, projection)
            root = pc.D.root
            root.data["s"] = {}
            old_keys = _reusable(prev, pc)
            if old_keys is not None:
                pc.truth_reusing(root, prev.D.root, old_keys)
            else:
                pc.truth(root)
        except NotWellOriented:
            # McCallum's projection is invalid here (a factor nullified over a lifted cell):
            # redo with Lazard's projection, valid for every input (MPP 2019)
            ncells += pc.ncells
            projection = "lazard"
            pc = _build(order, len(free), quants, cad_atoms, tree, extra, deadline, timeout,
                        max_cells, projection)
            root = pc.D.root
            root.data["s"] = {}
            pc.truth(root)
        ncells += pc.ncells
        if not free:
            formula = F_mod.TRUE if root.data["t"] else F_mod.FALSE
            return QEResult(formula, ncells, time.monotonic() - t0)
        tried = set()
        while True:
            allowed = set(pc.derived)
            for k in range(len(free)):
                allowed.update(pc.levels[k])
            T = [_SigCell(c, allowed) for c in pc.leaves if c.data["t"]]
            Fl = [_SigCell(c, allowed) for c in pc.leaves if not c.data["t"]]
            conflict = _first_conflict(T, Fl)
            if conflict is None:
                break
            t, g = conflict[0].cell, conflict[1].cell
            if _DEBUG:
                print("conflict", t.index, g.index, conflict[0].signs, conflict[1].signs)
            j = 0
            while j < min(len(t.index), len(g.index)) and t.index[j] == g.index[j]:
                j += 1
            level = j + 1   # first level where the two cells differ: they share a stack there
            # first try derivatives signed on sections only (no new projection, no new cells)
            if level in tried or not _add_section_derivatives(pc, level):
                break
            tried.add(level)
        if conflict is None:
            break
        new = []
        for fid in pc.levels[level - 1]:
            f = pc.factors[fid]
            deg = f.degrees()[level - 1]
            d = f
            # the whole derivative chain at once for small degrees (Thom's lemma needs all
            # of them in the worst case; one rebuild instead of several), else f' only
            for _order in range(deg - 1 if deg <= 4 else 1):
                d = d.derivative(level - 1)
                if d.is_constant():
                    break
                new.append(ctx.from_dict(d.to_dict()))
        known = {_key(e) for e in extra}
        new = [d for d in new if _key(d) not in known]
        if not new:
            raise CadError("solution formula construction: cannot separate a true and a false cell "
                           f"at level {level} by derivatives")
        if _DEBUG:
            print("adding", [str(d) for d in new])
        extra.extend(new)
        prev = pc
    else:
        raise CadError("solution formula construction did not converge")
    formula = _solution_formula(pc, F_mod, ring, to_out)
    if not prefix:
        # quantifier-free input: keep whichever of input and simplified output is shorter
        if _formula_size(matrix, F_mod) < _formula_size(formula, F_mod):
            formula = F_mod.to_ring(matrix, ring)
    return QEResult(formula, ncells, time.monotonic() - t0)


def _add_section_derivatives(pc, level):
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
    elsewhere the derivative's sign is unknown, and the cover (:func:`_cover`) never uses
    an atom where a sign is unknown.  Not used over cells where ``f`` is nullified, nor
    with Lazard's projection.  Returns False when there is nothing to add.
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
    for leaf in pc.leaves:
        if leaf.level < level:
            continue
        anc = leaf
        while anc.level > level:
            anc = anc.parent
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


class _SigCell:
    __slots__ = ("cell", "signs")

    def __init__(self, cell, allowed):
        self.cell = cell
        self.signs = {fid: s for fid, s in cell.data.get('sig', cell.data['s']).items() if fid in allowed}


def _build(order, nfree, quants_bound, cad_atoms, tree, extra, deadline, timeout, max_cells,
           projection="mccallum"):
    """Factor the atoms, compute the projection factor sets (lazy :func:`cad.decomposition.cad`),
    and return a fresh :class:`_PCAD`."""
    from cad.decomposition import cad

    polys = [p for p, _ in cad_atoms if not p.is_constant()] + list(extra)
    remaining = None
    if deadline is not None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BudgetExceeded("time", timeout)
    D = cad(polys, order, lazy=True, timeout=remaining, max_cells=max_cells, projection=projection)
    to_D = D._to_ring
    factors = {}
    fid_of = {}
    fid_of_id = {}
    levels = []
    for fs in D.levels:
        ids = []
        for f in fs:
            fid = len(factors)
            factors[fid] = f
            fid_of[_key(f)] = fid
            fid_of_id[id(f)] = fid
            ids.append(fid)
        levels.append(ids)
    atoms = []
    for p, rel in cad_atoms:
        mask = _REL_MASK[rel]
        if p.is_constant():
            c = int(p.coeffs()[0]) if not p.is_zero() else 0
            atoms.append(((c > 0) - (c < 0), [], mask))
            continue
        c, facs = to_D(p).factor()
        unit = 1 if c > 0 else -1
        lst = []
        for f, e in facs:
            if f.is_constant():
                if int(f.coeffs()[0]) < 0 and e & 1:
                    unit = -unit
                continue
            fid = fid_of.get(_key(f))
            if fid is None:
                fid = fid_of.get(_key(-f))
                if fid is None:
                    raise CadError(f"internal: factor {f} missing from the projection set")
                if e & 1:
                    unit = -unit
            lst.append((fid, e))
        atoms.append((unit, lst, mask))
    quants = [None] * nfree + list(quants_bound)
    return _PCAD(D, nfree, quants, atoms, tree, factors, levels, fid_of_id)


def decide(problem, timeout=None, max_cells=None):
    """Truth value of a sentence (a problem without free variables) by partial CAD."""
    if tuple(problem.free):
        raise InputError(f"decide() needs a sentence; free variables: {', '.join(problem.free)}")
    res = qe(problem, timeout=timeout, max_cells=max_cells)
    import cad.formula as F_mod

    return res.formula == F_mod.TRUE or (isinstance(res.formula, F_mod.Truth) and res.formula.value)


def equivalent(ring, f, g, variables=None, timeout=None):
    """Decide ``forall variables (f <-> g)`` with :func:`decide` (default: all ring variables)."""
    import cad.formula as F_mod

    vs = tuple(variables) if variables is not None else tuple(ring.variables)
    body = F_mod.Iff(f, g)
    sentence = F_mod.Forall(vs, body) if vs else body
    return decide(F_mod.Problem(ring=ring, free=(), formula=sentence), timeout=timeout)
