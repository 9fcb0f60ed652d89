"""Checker of not-closed certificates of the ``monarch_similarity`` kind: a target outside
``L_I`` of a three-factor alternating Monarch pattern, shown by a similarity invariant.

Pattern (``monarch:N:B:3``; index ``i = q B + r``): layers 1 and 3 join ``i, j`` iff
``i // B == j // B``, layer 2 iff ``i % B == j % B``.  Then the block ``(p, q)`` of the product
(rows with block digit ``p``, columns with ``q``) is ``M_pq = U_p D_pq V_q`` with
``U_p[r, rho] = W_3[(p, r), (p, rho)]``, ``D_pq = diag(W_2[(p, rho), (q, rho)])`` and
``V_q[rho, s] = W_1[(q, rho), (q, s)]`` (the only paths from ``(q, s)`` to ``(p, r)`` pass
through ``(q, rho)`` and ``(p, rho)``).

Lemma (proved).  If ``M`` is such a product and ``M_{p'q}``, ``M_{pq'}`` are invertible
(``p != p'``, ``q != q'``), then ``C = M_pq M_{p'q}^{-1} M_{p'q'} M_{pq'}^{-1}`` is
diagonalisable.  Proof: ``M_{p'q}`` invertible makes ``U_{p'}``, ``D_{p'q}``, ``V_q`` invertible,
and ``M_{pq'}`` makes ``U_p``, ``D_{pq'}``, ``V_{q'}`` invertible; then
``C = U_p D_pq V_q V_q^{-1} D_{p'q}^{-1} U_{p'}^{-1} U_{p'} D_{p'q'} V_{q'} V_{q'}^{-1} D_{pq'}^{-1} U_p^{-1}
= U_p Delta U_p^{-1}`` with ``Delta`` diagonal.

So a target ``A`` whose blocks ``A_{p'q}``, ``A_{pq'}`` are invertible and whose ``C`` is not
diagonalisable over C is not in ``L_I``.  ``C`` is diagonalisable over C iff its minimal
polynomial is squarefree iff ``s(C) = 0`` for the squarefree part ``s = chi / gcd(chi, chi')``
of its characteristic polynomial (the minimal polynomial divides ``chi`` and has every
eigenvalue as a root; if it is squarefree it equals ``s``, and if ``s(C) = 0`` it divides
``s``).  The escaping family (``A`` in the closure) is re-checked by
:func:`netalgebra.certificate.not_closed.check_escaping_family`.
"""

from flint import fmpq, fmpq_mat

from netalgebra.certificate.kernel import Malformed, widths
from netalgebra.certificate.not_closed import check_escaping_family

__all__ = ["check_monarch_similarity"]


def _alternating_monarch(masks, n, b):
    """Are the three masks the alternating Monarch masks of size n, block b?"""
    def same(i, j, layer):
        return (i // b == j // b) if layer != 1 else (i % b == j % b)
    return all(masks[l][i][j] == int(same(i, j, l)) for l in range(3) for i in range(n) for j in range(n))


def _block(A, b, p, q):
    return fmpq_mat([[fmpq(A[p * b + r][q * b + s].numerator, A[p * b + r][q * b + s].denominator)
                      for s in range(b)] for r in range(b)])


def check_monarch_similarity(cert, masks, report, budget=None):
    """Re-check a ``monarch_similarity`` certificate: the escaping family, the pattern, the
    invertible blocks and the non-diagonalisable ``C`` (see the module docstring)."""
    A, _theta = check_escaping_family(cert, masks, report)
    na = cert.get("non_attainment")
    if not (isinstance(na, dict) and na.get("method") == "similarity"):
        raise Malformed("non_attainment: expected method 'similarity'")
    b, rows, cols = na.get("block"), na.get("rows"), na.get("cols")
    w = widths(masks)
    n = w[0]
    if not (type(b) is int and b >= 1 and n % b == 0 and isinstance(rows, list) and isinstance(cols, list)
            and len(rows) == 2 == len(cols) and all(type(x) is int and 0 <= x < n // b for x in rows + cols)):
        raise Malformed("non_attainment: expected 'block' B dividing N and two block 'rows', two block 'cols'")
    (p, p2), (q, q2) = rows, cols
    ok = len(masks) == 3 and all(x == n for x in w) and _alternating_monarch(masks, n, b)
    if not report.check("hypothesis: the pattern is monarch:N:B:3 (alternating, three factors)", ok,
                        f"N = {n}, B = {b}"):
        return
    report.check("hypothesis: distinct block rows and columns", p != p2 and q != q2, f"rows {rows}, cols {cols}")
    blocks = {(x, y): _block(A, b, x, y) for x in (p, p2) for y in (q, q2)}
    inv = [blocks[(p2, q)].det() != 0, blocks[(p, q2)].det() != 0]
    if not report.check("target blocks (p', q) and (p, q') are invertible", all(inv), f"{inv}"):
        return
    C = blocks[(p, q)] * blocks[(p2, q)].inv() * blocks[(p2, q2)] * blocks[(p, q2)].inv()
    chi = C.charpoly()
    s = chi // chi.gcd(chi.derivative())
    value = fmpq_mat(b, b)
    for c in reversed(s.coeffs()):                   # Horner: value = value C + c I
        value = value * C + fmpq_mat([[c if i == j else 0 for j in range(b)] for i in range(b)])
    report.check("C = A_pq A_p'q^-1 A_p'q' A_pq'^-1 is not diagonalisable (squarefree part of its "
                 "characteristic polynomial does not vanish at C): A is not in L_I",
                 not all(value[i, j] == 0 for i in range(b) for j in range(b)), f"chi = {chi}")
