"""The compiled matrix (cad.elimination.matrix): its three-valued value against Kleene's logic
evaluated here, independently, on the formula itself, at random partial sign assignments."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cad import logic
from cad.elimination.matrix import compile_matrix
from cad.poly import PolyRing

RING = PolyRing(("x", "y", "z"))
FACTORS = [RING.parse(t) for t in ("x", "y - 1", "z + x", "x*y + 1")]
RELS = ["<", "<=", ">", ">=", "=", "/="]


def sign_of_product(unit, facs, signs):
    """Sign of ``unit * prod f^e``, None when a factor's sign is missing and none is zero."""
    vals = [signs.get(fid) for fid, _e in facs]
    if any(v == 0 for v in vals):
        return 0
    if any(v is None for v in vals):
        return None
    s = unit
    for (fid, e), v in zip(facs, vals):
        s *= v ** e
    return s


def holds(rel, s):
    return {"<": s < 0, "<=": s <= 0, ">": s > 0, ">=": s >= 0, "=": s == 0, "/=": s != 0}[rel]


def kleene(f, table, signs):
    if isinstance(f, logic.Truth):
        return f.value
    if isinstance(f, logic.Atom):
        unit, facs = table[f]
        s = sign_of_product(unit, facs, signs) if facs else unit
        return None if s is None else holds(f.rel, s)
    vals = [kleene(k, table, signs) for k in f.children()]
    decisive = isinstance(f, logic.Or)
    if decisive in vals:
        return decisive
    return None if None in vals else not decisive


@st.composite
def matrices(draw):
    """A negation normal form over atoms whose polynomials are products of FACTORS (powers
    1-2, a unit +-1, or a constant), and the atoms' factorisations."""
    table = {}

    def atom():
        if draw(st.integers(0, 9)) == 0:
            c = draw(st.integers(-1, 1))
            p, facs = RING.ctx.constant(c), []
        else:
            fids = draw(st.lists(st.integers(0, 3), min_size=1, max_size=2, unique=True))
            facs = [(fid, draw(st.integers(1, 2))) for fid in fids]
            unit = draw(st.sampled_from([1, -1]))
            p = RING.ctx.constant(unit)
            for fid, e in facs:
                p *= FACTORS[fid] ** e
            c = unit
        a = logic.Atom(p, draw(st.sampled_from(RELS)))
        table[a] = (c, facs)
        return a

    def formula(depth):
        k = draw(st.integers(0, 3 if depth else 0))
        if k == 0:
            return atom() if draw(st.integers(0, 12)) else draw(st.sampled_from([logic.TRUE, logic.FALSE]))
        kids = tuple(formula(depth - 1) for _ in range(draw(st.integers(1, 4))))
        return (logic.And if k % 2 else logic.Or)(kids)

    return formula(3), table


@settings(max_examples=300, deadline=None)
@given(matrices(), st.lists(st.sampled_from([None, -1, 0, 1]), min_size=4, max_size=4))
def test_compiled_value_is_kleene_logic(m, sign_list):
    f, table = m

    def compiled_atom(a):
        unit, facs = table[a]
        if not facs:
            return ((unit > 0) - (unit < 0), [], {"<": 1, "=": 2, ">": 4, "<=": 3, ">=": 6,
                                                   "/=": 5}[a.rel])
        return (unit, facs, {"<": 1, "=": 2, ">": 4, "<=": 3, ">=": 6, "/=": 5}[a.rel])

    signs = {fid: s for fid, s in enumerate(sign_list) if s is not None}
    cm = compile_matrix(f, compiled_atom)
    assert cm.value(signs) == kleene(f, table, signs)
