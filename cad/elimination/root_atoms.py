r"""Indexed root atoms of QEPCAD B's extended language in the input of :func:`cad.qe`.

:func:`expand_root_atoms` replaces each :class:`cad.logic.RootAtom` ``y rel _root_k p``
(``k > 0``) by a Tarski formula with fresh bound variables ``r_1, ..., r_k, z``::

    (E r_1 ... r_k)[ r_1 < ... < r_k  /\  p(r_1) = 0 /\ ... /\ p(r_k) = 0
                     /\ (A z)[ z >= r_k \/ p(z) /= 0 \/ z = r_1 \/ ... \/ z = r_{k-1} ]
                     /\ y - r_k rel 0 ]

(``p(t)`` is ``p`` with its main variable ``y`` replaced by ``t``, the other variables
unchanged).  Proof of equivalence: if ``p(.., y)`` has at least ``k`` distinct real roots
``s_1 < ... < s_k < ...``, then ``r_i = s_i`` satisfies the first three conjuncts (the roots of
``p`` below ``s_k`` are exactly ``s_1 .. s_{k-1}``), and any witness must be this one: the
``r_i`` are ``k`` distinct roots and every root below ``r_k`` is among ``r_1 .. r_{k-1}``, so
``r_k`` is the ``k``-th root.  If ``p`` has fewer than ``k`` roots no witness exists, and if
``p(.., y)`` vanishes identically every ``z < r_k`` is a root, so the ``(A z)`` conjunct fails:
the formula is false, as the atom is (see :class:`cad.logic.RootAtom`).  For ``k < 0`` the
same with the order reversed (``r_1 > ... > r_{|k|}``, ``z <= r_{|k|}``).  The cost is
``|k| + 1`` more variables per atom, so this is meant for small inputs.
"""

from cad.logic import Exists, Forall, Problem, RootAtom, atom, conj, disj, to_ring
from cad.logic.polys import move
from cad.logic.queries import has_node
from cad.poly import PolyRing

__all__ = ["has_root_atoms", "expand_root_atoms"]


def has_root_atoms(f):
    return has_node(f, RootAtom)


def expand_root_atoms(problem):
    """An equivalent :class:`Problem` without root atoms (its ring has the fresh variables
    appended); ``problem`` itself when it has none.  See the module docstring."""
    f = problem.formula
    if not has_root_atoms(f):
        return problem
    names = list(problem.ring.variables)
    taken = set(names)
    plan = []

    def fresh(stem):
        k = 1
        while f"{stem}{k}" in taken:
            k += 1
        taken.add(f"{stem}{k}")
        return f"{stem}{k}"

    def collect(g):
        if isinstance(g, RootAtom):
            plan.append(([fresh("root") for _ in range(abs(g.index))], fresh("below")))
            return
        for c in g.children():
            collect(c)

    collect(f)
    ring = PolyRing(names + [v for rs, z in plan for v in rs + [z]])
    ctx = ring.ctx
    gens = dict(zip(ring.variables, ctx.gens()))
    todo = iter(plan)

    def definition(a):
        rs, z = next(todo)
        y = a.var
        p = move(a.poly, ctx, {})
        yi = ring.variables.index(y)

        def at_(v):     # p with y replaced by the variable v
            args = list(ctx.gens())
            args[yi] = gens[v]
            return p.compose(*args)

        at = [at_(r) for r in rs]
        pz = at_(z)
        s = 1 if a.index > 0 else -1
        r = [gens[v] for v in rs]
        chain = [atom(s * (r[i + 1] - r[i]), ">", ctx=ctx) for i in range(len(r) - 1)]
        roots = [atom(q, "=", ctx=ctx) for q in at]
        beyond = disj(atom(s * (gens[z] - r[-1]), ">=", ctx=ctx), atom(pz, "/=", ctx=ctx),
                      *[atom(gens[z] - ri, "=", ctx=ctx) for ri in r[:-1]])
        body = conj(*chain, *roots, Forall((z,), beyond), atom(gens[y] - r[-1], a.rel, ctx=ctx))
        return Exists(tuple(rs), body)

    def walk(g):
        if isinstance(g, RootAtom):
            return definition(g)
        kids = g.children()
        return g.rebuild([walk(c) for c in kids]) if kids else g

    g = walk(to_ring(f, ring))
    a = to_ring(problem.assumptions, ring)
    return Problem(ring, problem.free, g, problem.description, a)
