"""Checker of ``method: "block"`` not-closed certificates (block projection, any depth).

The certificate carries ``block: {"rows": R', "cols": C', "certificate": inner}``.  The
verifier rebuilds the block sub-pattern from this certificate's masks with its own code: the
first-layer columns ``C'``, the last-layer rows ``R'``, every hidden neuron; ``inner``'s masks
may drop an entry of that slice only where the edge lies on no path from an input to an output
of the slice (such a weight appears in no entry of the product).  Then ``inner``'s product map
is the ``R' x C'`` block of this pattern's product map, and by the block projection lemma
(docs/mathematics.md, "Block projection"; proved again in :mod:`netalgebra.decide.blocks`) a
point ``B in cl(L') \\ L'`` gives ``B (+) 0 in cl(L_I) \\ L_I``.  ``inner`` must be a not-closed
certificate for question ``linear`` and is verified in full by :func:`verify`; a ``target``, when
stated, must be ``inner``'s target padded with zeros.

A *closed* block certificate is accepted only when every row outside ``R'`` and every column
outside ``C'`` lies on no input -> output path (the *live block*).  Those entries of the product
are then identically 0, so ``L_I = {B (+) 0 : B in L'}``, a linear isometric copy of ``L'``: closed
exactly when ``L'`` is ("Reductions that preserve closedness of L_I", dead neurons).  The inner
certificate must then be a verified closed one.
"""

from netalgebra.certificate.kernel import Malformed, live_neurons, rational

__all__ = ["check_block"]


def _slice(masks, rows, cols):
    m = [[list(r) for r in M] for M in masks]
    m[0] = [[r[c] for c in cols] for r in m[0]]
    m[-1] = [m[-1][r] for r in rows]
    return m


def _indices(value, bound, where):
    if not (isinstance(value, list) and value and all(type(x) is int and 0 <= x < bound for x in value)
            and len(set(value)) == len(value)):
        raise Malformed(f"block.{where}: expected a non-empty list of distinct indices below {bound}")
    return value


def _inner_target(inner):
    if "target" in inner:
        return inner["target"]
    red = inner.get("reduction")
    return red.get("certificate", {}).get("target") if isinstance(red, dict) else None


def check_block(cert, masks, report, budget=None):
    """Re-check a block certificate: the inner masks are the block sub-pattern (up to dead
    edges), the inner certificate is a verified one with the same verdict (closed: only for the
    live block), and the stated target pads its target with zeros."""
    from netalgebra.certificate.verifier import verify   # the nested certificate, in full

    blk = cert.get("block")
    if not isinstance(blk, dict) or not isinstance(blk.get("certificate"), dict):
        raise Malformed("block: expected {'rows': [...], 'cols': [...], 'certificate': {...}}")
    n0, nL = len(masks[0][0]), len(masks[-1])
    rows, cols = _indices(blk.get("rows"), nL, "rows"), _indices(blk.get("cols"), n0, "cols")
    inner = blk["certificate"]
    sliced = _slice(masks, rows, cols)
    pat = inner.get("pattern")
    stored = pat.get("masks") if isinstance(pat, dict) else None
    shapes = (isinstance(stored, list) and len(stored) == len(sliced)
              and all(isinstance(S, list) and len(S) == len(M) and all(isinstance(r, list) and len(r) == len(M[0])
                                                                        for r in S)
                      for S, M in zip(stored, sliced)))
    report.check("block: the inner pattern has the block's shapes", shapes)
    if not shapes:
        return
    live = live_neurons(sliced)
    bad = [(l + 1, i, j) for l, (S, M) in enumerate(zip(stored, sliced)) for i in range(len(M))
           for j in range(len(M[0]))
           if S[i][j] != M[i][j] and not (S[i][j] == 0 and (i not in live[l + 1] or j not in live[l]))]
    report.check("block: the inner masks are the block sub-pattern (only dead edges dropped)", not bad,
                 f"entry (layer, row, col) = {bad[0]} differs" if bad else f"rows {rows} x columns {cols}")
    if cert.get("verdict") == "closed":
        # closedness transfers only when nothing lies outside the block: every other row and column
        # is on no input -> output path, so those entries of the product are identically 0
        live_all = live_neurons(masks)
        outside = [("row", r) for r in range(nL) if r not in rows and r in live_all[-1]] + \
                  [("column", c) for c in range(n0) if c not in cols and c in live_all[0]]
        report.check("block: every row and column outside the block is dead (closed verdicts)", not outside,
                     f"live {outside[0][0]} {outside[0][1]} outside the block" if outside else
                     "L_I = {B (+) 0 : B in L'}")
    report.check("block: the inner certificate has the same verdict, for question 'linear'",
                 inner.get("verdict") == cert.get("verdict") in ("closed", "not_closed")
                 and inner.get("question", "linear") == "linear" and cert.get("question", "linear") == "linear")
    sub = verify(inner, budget=budget)
    for name, passed, detail in sub.checks:
        report.check(f"block sub-pattern: {name}", passed, detail)
    report.incomplete = report.incomplete or sub.incomplete
    if "target" in cert:
        B = _inner_target(inner)
        if not (isinstance(B, list) and len(B) == len(rows) and all(isinstance(r, list) and len(r) == len(cols)
                                                                     for r in B)):
            raise Malformed("target: stated, but the inner certificate states no target of the block's shape")
        A = cert["target"]
        if not (isinstance(A, list) and len(A) == nL and all(isinstance(r, list) and len(r) == n0 for r in A)):
            raise Malformed(f"target: expected a {nL} x {n0} matrix")
        want = {(r, c): rational(B[i][j], "block target") for i, r in enumerate(rows) for j, c in enumerate(cols)}
        same = all(rational(A[r][c], f"target[{r}][{c}]") == want.get((r, c), 0) for r in range(nL) for c in range(n0))
        report.check("block: target = the inner target padded with zeros", same)
