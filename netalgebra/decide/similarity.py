"""Not closed: three-factor alternating Monarch products (``monarch:N:B:3``, ``N/B >= 2``,
``B >= 2``), by a similarity invariant (docs/mathematics.md, "Deep patterns: leads").

Block ``(p, q)`` of a product is ``U_p D_pq V_q`` (``U_p``, ``V_q`` arbitrary ``B x B``,
``D_pq`` diagonal).  The target ``A`` has blocks ``A_00 = A_01 = A_10 = I_B``,
``A_11 = J = I_B + E_01`` and 0 elsewhere.  Not attained: ``A_01``, ``A_10`` are invertible,
so ``C = A_00 A_10^{-1} A_11 A_01^{-1} = J`` would be diagonalisable
(:mod:`netalgebra.certificate.similarity` proves the lemma and re-checks it); ``J`` is not.
In the closure: ``U_0 = U_1 = P_t = [[1,1],[0,t]] (+) I``, ``V_0 = V_1 = P_t^{-1}``,
``D_00 = D_01 = D_10 = I``, ``D_11 = diag(1, 1+t, 1, ...)``, every other weight 0; then
``P_t D_11 P_t^{-1} = [[1,1],[0,1+t]] (+) I -> J`` and the other blocks are ``I`` or 0.
"""

from netalgebra.decide.family import INV_T, ONE, T, RationalFunction
from netalgebra.naming import weight_name

__all__ = ["monarch_block", "monarch_similarity_witness", "describe"]


def monarch_block(masks):
    """``B`` if the masks are ``monarch:N:B:3`` with ``N/B >= 2`` and ``B >= 2``, else None."""
    if len(masks) != 3:
        return None
    n = len(masks[0][0])
    if any(len(m) != n or len(m[0]) != n for m in masks) or masks[0] != masks[2]:
        return None
    b = sum(masks[0][0])
    if b < 2 or n % b or n // b < 2:
        return None
    first = tuple(tuple(int(i // b == j // b) for j in range(n)) for i in range(n))
    second = tuple(tuple(int(i % b == j % b) for j in range(n)) for i in range(n))
    return b if masks[0] == first and masks[1] == second else None


def monarch_similarity_witness(masks):
    """``(target, family weights as JSON, non_attainment)`` for ``monarch:N:B:3``, or None."""
    b = monarch_block(masks)
    if b is None:
        return None
    n = len(masks[0][0])
    target = [["0"] * n for _ in range(n)]
    for p, q in ((0, 0), (0, 1), (1, 0), (1, 1)):
        for r in range(b):
            target[p * b + r][q * b + r] = "1"
    target[b + 0][b + 1] = "1"                                 # A_11 = I + E_01
    P = {(r, r): ONE for r in range(b)}
    P[(0, 1)], P[(1, 1)] = ONE, T                               # P_t = [[1,1],[0,t]] (+) I
    P_inv = {(r, r): ONE for r in range(b)}
    P_inv[(0, 1)], P_inv[(1, 1)] = -INV_T, INV_T                # [[1,-1/t],[0,1/t]] (+) I
    weights = {}
    for blk in (0, 1):
        for (r, rho), v in P.items():                          # layer 3: U_blk = P_t
            weights[weight_name(3, blk * b + r, blk * b + rho)] = v.json()
        for (rho, s), v in P_inv.items():                      # layer 1: V_blk = P_t^{-1}
            weights[weight_name(1, blk * b + rho, blk * b + s)] = v.json()
    for p, q in ((0, 0), (0, 1), (1, 0), (1, 1)):              # layer 2: D_pq
        for rho in range(b):
            d = RationalFunction([1, 1]) if (p, q, rho) == (1, 1, 1) else ONE
            weights[weight_name(2, p * b + rho, q * b + rho)] = d.json()
    return target, weights, {"method": "similarity", "block": b, "rows": [0, 1], "cols": [0, 1]}


def describe(masks):
    """One line for the verdict's reason."""
    b = monarch_block(masks)
    return (f"three alternating Monarch factors with {b} x {b} blocks: the target with blocks I, I, I, "
            f"I + E_01 on block rows/columns 0, 1 is a limit of products but not a product (block "
            f"similarity invariant: J would be diagonalisable)")
