"""Plans of rational realisations, found modulo a prime: which weights to fix to constants and
which entries to solve for which weights, so that the exact replay
(:func:`netalgebra.theorems.rational_cover._replay`) gives weights that are rational functions of
the node's free entries.  Completeness only: a plan proves nothing, its exact replay and the
verifier's product check do.

The equations ``(W_L ... W_1)[i, j] = sigma[i, j]`` are multilinear in the weights, so an entry whose
live paths (paths with no weight fixed to 0) hold a single unset weight is solved for it, and so are
two or three (:data:`BLOCK`) entries with as many unset weights entering linearly
(:func:`_propagate`); otherwise one unset weight of an entry with the fewest is fixed to a constant,
keeping the Jacobian of the node's free entries of full rank (:func:`plan`).  At nodes with entries
identically 0: the weights set to 0 to kill their paths skip those whose zero would break the rank
(:func:`_zero_cover`); a weight fixed for an entry of target 0 is first one on
all its live paths, and a 0 that would leave a single live path is replaced by 1
(:func:`_zero_choice`); a constant is kept only if what it forces is consistent.
"""

from flint import nmod_mat

__all__ = ["PRIME", "BLOCK", "mod_value", "linear_system", "path_product", "plan", "rank", "vanishing_lines"]

PRIME = (1 << 61) - 1
CONSTANTS = (1,)
ZERO_AT_ZERO, ZERO_ELSEWHERE = 0.5, 0.1   # chance of the constant 0
BLOCK = 3               # largest square linear block solved at once (:func:`_propagate`)
ZERO_PART = 0.8         # chance that a zero entry's paths are covered by zero weights (:func:`_zero_cover`)


def mod_value(f, point):
    """``f`` (a :class:`Frac`) at ``point`` modulo :data:`PRIME`, or None where its denominator vanishes."""
    def ev(p):
        s = 0
        for exps, c in p.to_dict().items():
            t = int(c.p) * pow(int(c.q), -1, PRIME)
            for x, e in zip(point, exps):
                if e:
                    t = t * pow(x, e, PRIME) % PRIME
            s += t
        return s % PRIME
    d = ev(f.den)
    return None if d == 0 else ev(f.num) * pow(d, -1, PRIME) % PRIME


def _live_unset(paths, e, val, zero):
    live = [pt for pt in paths[e] if zero.isdisjoint(pt)]
    return live, {w for pt in live for w in pt if w not in val}


def linear_system(paths, es, ws, val, zero, target, nought, one):
    """The equations of the entries ``es`` as a linear system in the weights ``ws`` (every live path
    holds at most one of them and has its other weights set): ``(matrix, right-hand side)`` in the
    arithmetic of ``nought`` / ``one``, or None if a live path holds two of ``ws``."""
    mat, rhs = [], []
    for e in es:
        row, r = [nought] * len(ws), target[e]
        for pt in paths[e]:
            if not zero.isdisjoint(pt):
                continue
            inside = [k for k, w in enumerate(ws) if w in pt]
            if len(inside) > 1:
                return None
            term = one
            for w in pt:
                if w not in ws:
                    term = term * val[w]
            if inside:
                row[inside[0]] = row[inside[0]] + term
            else:
                r = r - term
        mat.append(row)
        rhs.append(r)
    return mat, rhs


def _mod_solve(paths, es, ws, val, zero, yval):
    """The values mod p of the weights ``ws`` solving the entries ``es`` (every other weight on their
    live paths set), or None when a live path holds two of ``ws`` or the system is singular.  The
    same system as :func:`linear_system` (which the exact replay uses), built on machine integers
    and solved by flint: its solution, when unique, is the same whatever the method."""
    index = {w: k for k, w in enumerate(ws)}
    mat, rhs = [], []
    for e in es:
        row, r = [0] * len(ws), yval[e]
        for pt in paths[e]:
            if not zero.isdisjoint(pt):
                continue
            hit, term = None, 1
            for w in pt:
                k = index.get(w)
                if k is None:
                    term = term * val[w] % PRIME
                elif hit is None:
                    hit = k
                else:
                    return None
            if hit is None:
                r -= term
            else:
                row[hit] += term
        mat.extend(x % PRIME for x in row)
        rhs.append(r % PRIME)
    try:
        sol = nmod_mat(len(es), len(ws), mat, PRIME).solve(nmod_mat(len(es), 1, rhs, PRIME))
    except ZeroDivisionError:       # singular
        return None
    return [int(sol[k, 0]) for k in range(len(ws))]


def _solve_one(live, w, val, y):
    """The value mod p of the one unset weight ``w`` of an entry (its live paths ``live``, target
    ``y``), or None when its coefficient is 0 (:func:`_mod_solve` for one entry, without the
    general elimination: this is most solves)."""
    coeff = rest = 0
    for pt in live:
        term = 1
        for v in pt:
            if v != w:
                term = term * val[v] % PRIME
        if w in pt:
            coeff += term
        else:
            rest += term
    coeff %= PRIME
    if not coeff:
        return None
    return (y - rest) * pow(coeff, -1, PRIME) % PRIME


def _propagate(paths, yval, val, zero, steps, pending, block=BLOCK, state=None):
    """Solve pending entries while one has a single unset weight on its live paths, or ``k`` entries
    (``2 <= k <= block``) have as many unset weights entering linearly with a non-singular matrix;
    check the entries with none.  None when an entry is inconsistent, else the pending entries'
    ``(live paths, unset weights)`` (``state``, if given, must be that for ``val`` and ``zero``
    now: :func:`_fixed_state`; it is updated here)."""
    # ``zero`` stays as it is here, so each entry's live paths do too; its unset weights only lose
    # the weights solved for, removed from every pending entry as they are (:func:`_solved`)
    if state is None:
        state = {e: _live_unset(paths, e, val, zero) for e in pending}
    while pending:
        progressed, unsets = False, {}
        for e in list(pending):
            live, unset = state[e]
            if len(unset) == 1:
                ws = sorted(unset)
                sol = _solve_one(live, ws[0], val, yval[e])
                if sol is not None:
                    val[ws[0]] = sol
                    _solved(state, pending, ws)
                    steps.append(("solve", tuple(ws), (e,)))
                    pending.remove(e)
                    progressed = True
                    continue
            if len(unset) <= 1:     # no unset weight, or one whose coefficient is 0 for good
                if sum(path_product(val, pt) for pt in live if unset.isdisjoint(pt)) % PRIME != yval[e]:
                    return None
                pending.remove(e)
                progressed = True
                continue
            unsets[e] = unset
        if progressed:
            continue
        for k in range(2, block + 1):
            small = sorted((e, u) for e, u in unsets.items() if len(u) <= k)   # k entries, k unknowns
            for es, ws in _square_blocks(small, k):
                sol = _mod_solve(paths, es, ws, val, zero, yval)
                if sol is None:
                    continue
                val.update((w, int(x)) for w, x in zip(ws, sol))
                _solved(state, pending, ws)
                steps.append(("solve", tuple(ws), tuple(es)))
                for e in es:
                    pending.remove(e)
                break
            else:
                continue
            break
        else:
            break
    return {e: state[e] for e in pending}


def _square_blocks(small, k):
    """``(entries, sorted weights)`` for the ``k``-subsets of ``small`` (``(entry, unset weights)``
    pairs) whose unset weights number ``k`` together, in the order of ``itertools.combinations``; a
    partial subset whose weights already exceed ``k`` is not extended."""
    def grow(start, es, ws):
        if len(es) == k:
            if len(ws) == k:
                yield list(es), sorted(ws)
            return
        for i in range(start, len(small) - (k - len(es)) + 1):
            union = ws | small[i][1]
            if len(union) <= k:
                yield from grow(i + 1, es + [small[i][0]], union)
    yield from grow(0, [], frozenset())


def _fixed_state(state, w, c):
    """The pending entries' ``(live paths, unset weights)`` once the unset weight ``w`` is fixed to
    ``c``: a copy (the plan tries the constant on a copy of its state); with ``c = 0`` the paths
    through ``w`` are no longer live."""
    out = {}
    for e, (live, unset) in state.items():
        if w not in unset:
            out[e] = (live, set(unset))
        elif c:
            out[e] = (live, unset - {w})
        else:
            live = [pt for pt in live if w not in pt]
            out[e] = (live, {v for pt in live for v in pt} & unset)
    return out


def _solved(state, pending, ws):
    """The weights ``ws`` now have values: no pending entry counts them as unset any more."""
    for e in pending:
        state[e][1].difference_update(ws)


def _zero_cover(paths, zeros, columns, rng, jac, forced=()):
    """Weights to set to 0 so that every path of a random part of ``zeros`` (entries identically 0
    on the node) holds one, chosen at random among those hitting the most paths left, with the
    Jacobian of ``columns`` (``jac``, a :class:`_Jacobian`, updated here) still of full rank.  The
    weights ``forced`` are set to 0 first (None if they break the rank).  A weight whose zero would
    break the rank is passed over for the next best (a weight on every path of a column, say, kills
    its non-zero entries too); None when no weight left can cover a path."""
    chosen = dict.fromkeys(forced, 0)
    for w in chosen:
        jac.fix(w, 0)
    if forced and jac.rank() < len(columns):
        return None
    left = [pt for e in zeros if rng.random() < ZERO_PART for pt in paths[e] if chosen.keys().isdisjoint(pt)]
    banned = set()
    while left:
        count = {}
        for pt in left:
            for w in pt:
                if w not in banned:
                    count[w] = count.get(w, 0) + 1
        if not count:
            return None
        top = max(count.values())
        w = rng.choice(sorted(v for v, c in count.items() if c >= top - rng.randrange(2)))
        if jac.rank_with(w, 0) < len(columns):
            banned.add(w)
            continue
        chosen[w] = 0
        jac.fix(w, 0)
        left = [pt for pt in left if w not in pt]
    return chosen


def vanishing_lines(paths, zeros):
    """Weights set to 0 where a whole output row (input column) of ``K`` is in ``zeros`` (entries
    identically 0 on the node): that row's last-layer (that column's first-layer) weights.  With
    them 0 the row's (column's) equations hold, and the rest is the sub-pattern without those edges
    (a realisation of it, weights 0 included, is one of this pattern)."""
    zeros = set(zeros)
    rows, cols = {}, {}
    for (i, j) in paths:
        rows.setdefault(i, []).append((i, j))
        cols.setdefault(j, []).append((i, j))
    out = set()
    for line, last in ((rows, True), (cols, False)):
        for es in line.values():
            if all(e in zeros for e in es):
                out.update(pt[-1] if last else pt[0] for e in es for pt in paths[e])
    return out


def plan(paths, yval, rng, columns=None, zeros=(), forced=(), entry_chance=0.0, block=BLOCK):
    """Steps ``("const", w, c)`` / ``("solve", weights, entries)`` that solve the equations at the
    point ``yval`` (entry -> value mod :data:`PRIME`), or None.  Randomised greedy: solve what can
    be solved (:func:`_propagate`), else fix one unset weight of an entry with the fewest to a
    constant (0 more often when the entry's target is 0, where a zero weight on its paths is the
    natural way to make it vanish), keeping the Jacobian of the entries ``columns`` (the node's free
    ones: their values determine the others) in the unfixed weights of full rank ``len(columns)``
    (mod p, at a random point; a necessary condition for those entries to take generic values).
    The weights ``forced`` start at 0; with chance ``entry_chance`` a weight to be fixed to a
    non-zero constant is set to its entry's target ``y_e`` instead (step ``("entry", w, e)``: the
    solution stays homogeneous, so its denominators do not pin entries to constants like ``y - 1``)."""
    val, zero, steps, pending = {}, set(), [], list(paths)
    fixed, protected = {}, set()
    generic = {w: rng.randrange(1, PRIME) for ps in paths.values() for pt in ps for w in pt}
    jac = None if columns is None else _Jacobian(paths, {}, generic, columns)
    if (zeros or forced) and columns is not None:
        fixed = _zero_cover(paths, zeros, columns, rng, jac, forced)
        if fixed is None:
            return None
        val, zero = dict(fixed), set(fixed)
        steps = [("const", w, 0) for w in sorted(fixed)]
    state = None
    while True:
        state = _propagate(paths, yval, val, zero, steps, pending, block, state)
        if state is None:
            return None
        if not pending:
            return steps
        sets = []
        for e in pending:
            unset = state[e][1]
            if len(unset) > 1 and unset - protected:
                sets.append((len(unset), rng.random(), e, unset - protected))
        if not sets:
            return None
        sets.sort(key=lambda x: x[:2])
        n = sets[0][0]
        _, _, e, unset = rng.choice([x for x in sets if x[0] <= n])
        w = rng.choice(sorted(unset))
        c = 0 if rng.random() < (ZERO_AT_ZERO if yval[e] == 0 else ZERO_ELSEWHERE) else rng.choice(CONSTANTS)
        if yval[e] == 0:
            w, c = _zero_choice(paths, e, val, zero, unset, w, c, rng)
        if jac is not None and jac.rank_with(w, c) < len(columns):
            protected.add(w)
            continue
        if entry_chance and c and yval[e] and rng.random() < entry_chance:    # w = y_e: stays homogeneous
            fixed[w] = val[w] = yval[e]
            steps.append(("entry", w, e))
            if jac is not None:
                jac.fix(w, yval[e])
            state = _fixed_state(state, w, yval[e])
            continue
        trial = dict(val), set(zero), list(steps), list(pending)
        trial[0][w] = c % PRIME
        if c == 0:
            trial[1].add(w)
        trial[2].append(("const", w, c))
        trial_state = _propagate(paths, yval, *trial, block, _fixed_state(state, w, c))
        if trial_state is None:
            protected.add(w)        # what this constant forces contradicts a target: try another weight
            continue
        fixed[w] = c
        if jac is not None:
            jac.fix(w, c)
        val, zero, steps, pending = trial
        state = trial_state


def _zero_choice(paths, e, val, zero, unset, w, c, rng):
    """``(weight, constant)`` to fix for the entry ``e`` of target 0, ``(w, c)`` as drawn: a weight
    on every live path of ``e`` first, if there is one (with ``c``: 0 makes the entry vanish
    identically; otherwise the next solve for such a weight would give 0 and kill every path of
    ``e`` at once, often a whole row or column the other targets need); ``w`` set to 0 only if at
    least two live paths avoid it (they can still cancel), else to a non-zero constant."""
    live, _ = _live_unset(paths, e, val, zero)
    common = unset.intersection(*live)
    if common:
        return rng.choice(sorted(common)), c
    if c == 0 and sum(w not in pt for pt in live) < 2:
        return w, rng.choice(CONSTANTS)
    return w, c


def rank(paths, fixed, generic, columns):
    """Rank mod p of the Jacobian of the entries ``columns`` of the product in the unfixed weights,
    at ``generic`` (fixed weights at their constants)."""
    return _Jacobian(paths, fixed, generic, columns).rank()


class _Jacobian:
    """The Jacobian mod p of the entries ``columns`` in the unfixed weights at ``generic`` (fixed
    weights at their constants), kept as weights are fixed one at a time, as :func:`plan` does.
    An entry is multilinear, so fixing ``w`` to ``c`` drops the row of ``w`` and changes only the
    rows of the weights ``v`` that share a path with ``w``: the derivative of that path by ``v``,
    its other weights' product, changes by ``(c - old value of w)`` times the product of the
    weights other than ``v`` and ``w``.  (Rebuilding the matrix at every candidate was half of a
    plan's time.)"""

    __slots__ = ("width", "at", "rows", "through")

    def __init__(self, paths, fixed, generic, columns):
        self.width = len(columns)
        self.at = {w: fixed.get(w, x) % PRIME for w, x in generic.items()}
        self.rows = {w: [0] * self.width for w in generic if w not in fixed}
        self.through = {}       # weight -> [(column, path)] over the paths of the columns through it
        for k, e in enumerate(columns):
            for pt in paths[e]:
                for w in pt:
                    self.through.setdefault(w, []).append((k, pt))
                    row = self.rows.get(w)
                    if row is not None:
                        row[k] = (row[k] + path_product(self.at, pt, w)) % PRIME

    def _moved(self, w, c):
        """The rows with ``w`` fixed to ``c`` (a new dict; rows it changes are copied)."""
        rows = {v: r for v, r in self.rows.items() if v != w}
        delta = (c - self.at[w]) % PRIME
        if delta:
            copied = set()
            for k, pt in self.through.get(w, ()):
                for v in pt:
                    if v != w and v in rows:
                        if v not in copied:
                            rows[v] = list(rows[v])
                            copied.add(v)
                        term = delta
                        for x in pt:
                            if x != w and x != v:
                                term = term * self.at[x] % PRIME
                        rows[v][k] = (rows[v][k] + term) % PRIME
        return rows

    @staticmethod
    def _rank_of(rows, width):
        if not rows or not width:
            return 0
        return nmod_mat(len(rows), width, [x for row in rows.values() for x in row], PRIME).rank()

    def rank(self):
        return self._rank_of(self.rows, self.width)

    def rank_with(self, w, c):
        """The rank with ``w`` (unfixed) fixed to ``c`` as well."""
        return self._rank_of(self._moved(w, c), self.width)

    def fix(self, w, c):
        self.rows = self._moved(w, c)
        self.at[w] = c % PRIME


def path_product(val, path, skip=None):
    out = 1
    for w in path:
        if w != skip:
            out = out * val[w] % PRIME
    return out
