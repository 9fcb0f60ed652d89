"""Witnesses of non-closedness found on a block of a deep pattern (block projection).

**Block sub-pattern.**  Fix output rows ``R'`` and input columns ``C'``.  The *block
sub-pattern* keeps every hidden neuron, the first-layer columns in ``C'`` and the last-layer
rows in ``R'``, and zeroes the mask entries that lie on no path from ``C'`` to ``R'`` (dead
edges).  Its product map is the ``R' x C'`` block of the whole product map: each block entry
is the sum over the paths from ``C'`` to ``R'``, and a dead edge appears in no such path.

**Lemma** (block projection, any depth; docs/mathematics.md, "Block projection").  If
``B in cl(L') \\ L'`` for the block sub-pattern, then ``B (+) 0`` (``B`` on the block, 0
elsewhere) is in ``cl(L_I) \\ L_I``.  *Proof.*  (a) Not attained: if ``W_L ... W_1 = B (+) 0``
then its block, which is the block sub-pattern's product map at the same weights (dead edges
dropped), equals ``B``, so ``B in L'``.  (b) A limit: take weights ``theta_k`` of the block
sub-pattern with ``phi'(theta_k) -> B`` and set every other weight of the whole pattern to 0
(the first-layer columns outside ``C'``, the last-layer rows outside ``R'``); every path that
leaves the block then carries a zero weight, so the whole product is ``phi'(theta_k) (+) 0 ->
B (+) 0``.

So any not-closed verdict of the block sub-pattern (a core, a layer merge, a deep core, the CAD
route) is one for the whole pattern.  Blocks are smaller than the pattern: the grouped cores of
:mod:`netalgebra.decide.deep_cores` lift more often there (fewer paths leave the block), and the
CAD route fits within its size limits.  The certificate (``method: "block"``) nests the block
sub-pattern's certificate; :mod:`netalgebra.certificate.block` rebuilds the block sub-pattern
with its own code and verifies the nested certificate in full.
"""

from itertools import combinations

from cad.budget import Budget
from cad.errors import BudgetExceeded
from netalgebra.certificate import FORMAT
from netalgebra.decide.verdict import pattern_json
from netalgebra.theorems.structure import live_masks, live_neurons

__all__ = ["block_pattern", "candidate_blocks", "find_block_witness", "live_block", "block_certificate",
           "BLOCK_SIZES"]

BLOCK_SIZES = ((2, 2), (2, 3), (3, 2), (3, 3))   # (rows, columns) of the blocks tried, smallest first
BLOCK_SHARE = 0.8      # share of the remaining budget for the whole block search (CAD pass included) when the
                       # whole pattern's CAD route comes next; the rest is CAD's.  Measured on 4,4,4,4 at 10 s:
                       # with 0.5 that CAD route kept 2-2.6 s and decided nothing, while 0.6:78 and 0.6:94 missed
                       # block witnesses that 0.8 finds at 6-7 s (docs/mathematics.md, session-14 paragraph)
BLOCK_MIN_SECONDS = 0.5   # each block's decision gets at least this (or what remains)
BLOCK_MAX_SECONDS = 10.0  # and at most this without an overall budget


def block_pattern(masks, rows, cols):
    """The block sub-pattern of ``rows`` x ``cols`` (see the module docstring): sliced first and
    last layers, every hidden neuron kept, dead edges zeroed.  A tuple of tuple masks."""
    m = [list(map(list, M)) for M in masks]
    m[0] = [[r[c] for c in cols] for r in m[0]]
    m[-1] = [m[-1][r] for r in rows]
    return live_masks(tuple(tuple(map(tuple, M)) for M in m))


def candidate_blocks(masks):
    """``(rows, cols)`` of the proper blocks of the pattern, by size (:data:`BLOCK_SIZES`), each
    block sub-pattern listed once (blocks with equal sub-patterns up to nothing more than equal
    masks are tried once)."""
    n0, nL = len(masks[0][0]), len(masks[-1])
    seen = set()
    for a, b in BLOCK_SIZES:
        if a > nL or b > n0 or (a, b) == (nL, n0):
            continue
        for rows in combinations(range(nL), a):
            for cols in combinations(range(n0), b):
                sub = block_pattern(masks, rows, cols)
                if sub in seen:
                    continue
                seen.add(sub)
                yield rows, cols, sub


def find_block_witness(masks, budget, decide_block, share=BLOCK_SHARE, cad=True):
    """The first block whose sub-pattern ``decide_block(sub_masks, budget, cad)`` finds not
    closed: ``(rows, cols, sub_masks, verdict)``, or None.

    Two passes: every block without the CAD route (theorems, layer merge, cores: cheap), then
    (when ``cad``) the undecided blocks again with it, smallest first.  The search gets
    ``share`` of the remaining budget; in the CAD pass each block gets an equal part of what is left for the
    blocks still to try (at least :data:`BLOCK_MIN_SECONDS`; without a budget
    :data:`BLOCK_MAX_SECONDS`), so one hard block does not starve the others.  A block whose
    share runs out counts as undecided."""
    budget = Budget.of(budget)
    rem = budget.remaining()
    search = budget if rem is None else budget.sub(share * rem)
    undecided = []
    for rows, cols, sub in candidate_blocks(masks):     # lazily: wide patterns have 10^4+ blocks
        budget.check("time (block search)")
        if search.expired():
            return None
        try:
            v = decide_block(sub, search, False)
        except BudgetExceeded:
            return None
        if v.status == "not_closed":
            return rows, cols, sub, v
        if v.status == "unknown" and cad:
            undecided.append((rows, cols, sub))
    for n, (rows, cols, sub) in enumerate(undecided):
        budget.check("time (block search)")
        left = search.remaining()
        if left is not None and left <= 0:
            return None
        share = BLOCK_MAX_SECONDS if left is None else max(BLOCK_MIN_SECONDS, left / (len(undecided) - n))
        try:
            v = decide_block(sub, search.sub(share), True)
        except BudgetExceeded:
            continue
        if v.status == "not_closed":
            return rows, cols, sub, v
    return None


def live_block(masks):
    """``(rows, cols, sub)`` for the *live block* -- the rows and columns on some input -> output
    path, dead edges dropped -- when it differs from the pattern, else None.  Every entry outside
    it is identically 0, so ``L_I = {B (+) 0 : B in L'}``: closed exactly when ``L'`` is, and a
    missing point of ``L'`` padded with zeros is one of ``L_I`` (both verdicts transfer)."""
    live = live_neurons(masks)
    rows, cols = tuple(sorted(live[-1])), tuple(sorted(live[0]))
    if not rows or not cols:
        return None
    sub = block_pattern(masks, rows, cols)
    if sub == tuple(tuple(tuple(r) for r in m) for m in masks):
        return None
    return rows, cols, sub


def block_certificate(pattern, masks, rows, cols, inner):
    """The ``method: "block"`` certificate: the block, and the block sub-pattern's certificate
    ``inner`` (not closed; or closed when the block is the live block, :func:`live_block`), with its
    verdict; ``target`` is the inner target padded with zeros when the inner certificate (or the
    one it reduces to) states one."""
    verdict = inner["verdict"]
    cert = {"format": FORMAT, "verdict": verdict, "question": "linear", "method": "block",
            "pattern": pattern_json(pattern, masks),
            "block": {"rows": list(rows), "cols": list(cols), "certificate": inner},
            "argument": (f"block projection: the block rows {list(rows)} x columns {list(cols)} of the "
                         "product is the product map of the block sub-pattern (dead edges dropped), whose "
                         "certificate below proves it " + ("not closed; its missing point B gives B (+) 0, a "
                         "limit of products (weights off the block set to 0) that is not a product."
                         if verdict == "not_closed" else
                         "closed; every other row and column is on no input -> output path, so "
                         "L_I = {B (+) 0 : B in L'}, closed."))}
    B = inner_target(inner) if verdict == "not_closed" else None
    if B is not None:
        A = [["0"] * len(masks[0][0]) for _ in range(len(masks[-1]))]
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                A[r][c] = B[i][j]
        cert["target"] = A
    return cert


def inner_target(cert):
    """The target stated by a not-closed certificate, looking through a layer-merge reduction."""
    if "target" in cert:
        return cert["target"]
    red = cert.get("reduction")
    return red["certificate"].get("target") if isinstance(red, dict) else None
