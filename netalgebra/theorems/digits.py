"""Deep patterns in which each layer mixes one mixed-radix digit, each digit once (butterfly,
order-p Monarch): L_I is cut out by rank-one conditions on blocks, hence closed.

Notation.  All widths equal ``N``.  A *digit system* is a list of radices ``rho_1, ..., rho_m``
(each >= 2) with ``rho_1 ... rho_m = N`` and place values ``s_1 = 1``, ``s_{k+1} = s_k rho_k``;
an index ``0 <= n < N`` is the tuple of its digits ``n_k = (n // s_k) % rho_k``.  The mask
``D(N, s, rho)`` that *mixes the digit of place value s* joins ``i`` and ``j`` iff they agree on
every other digit: ``i // (s rho) == j // (s rho)`` and ``i % s == j % s``
(``netalgebra.pattern._digit_mixing`` builds it).  A pattern is *digit-mixing* when its layer
``l`` is ``D(N, s_{pi(l)}, rho_{pi(l)})`` for a permutation ``pi`` of the digits: every digit is
mixed by exactly one layer.  ``butterfly:N`` is the case ``rho = (2, ..., 2)`` and
``monarch:N:B`` the case ``(B, N/B)``.
"""

from netalgebra.theorems.fragment import fragment

__all__ = ["deep_digit_mixing", "digit_mixing_layers"]


def _layer_digit(mask, n):
    """``(stride, radix)`` if ``mask`` is the N x N mask mixing one digit of place value
    ``stride`` and size ``radix >= 2``, else None (the digit is read off row 0, then every row
    is checked: ``radix`` ones at ``base + d*stride``)."""
    if len(mask) != n or len(mask[0]) != n:
        return None
    row0 = mask[0]
    ones = row0.count(1)
    if ones < 2 or n % ones:
        return None
    stride = row0.index(1, 1)
    radix = ones
    block = stride * radix
    if n % block:
        return None
    for i, row in enumerate(mask):
        if row.count(1) != radix:
            return None
        base = i - i % block + i % stride
        if any(row[base + d * stride] != 1 for d in range(radix)):
            return None
    return stride, radix


def digit_mixing_layers(masks):
    """``[(stride_l, radix_l)]`` for l = 1..L if the pattern is digit-mixing, else None.

    The place values, sorted, must be ``1, rho_1, rho_1 rho_2, ...`` with product of the
    radices ``N``: then every digit of that system is mixed by exactly one layer."""
    n = len(masks[0][0])
    layers = []
    for m in masks:
        found = _layer_digit(m, n)
        if found is None:
            return None
        layers.append(found)
    place = 1
    for stride, radix in sorted(layers):
        if stride != place:
            return None
        place *= radix
    return layers if place == n else None


def deep_digit_mixing(masks):
    """Every layer mixes one mixed-radix digit, each digit once: L_I is closed.

    Proof (docs/mathematics.md, "`deep_digit_mixing`").  Write
    ``delta_l`` for the digit layer ``l`` mixes.  A path ``j = x_0 -> x_1 -> ... -> x_L = i``
    changes only digit ``delta_l`` at step ``l``, so ``x_l = x_l(i, j)`` takes the digits
    ``delta_1..delta_l`` from ``i`` and the others from ``j``: every entry ``(i, j)`` has exactly
    one path, ``phi_ij = prod_l W_l[x_l, x_{l-1}]``.  For a level ``1 <= l <= L-1`` and a node
    ``nu`` of layer ``l``, the *block* ``B_{l,nu}`` is the submatrix on the rows ``i`` that agree
    with ``nu`` on ``delta_1..delta_l`` and the columns ``j`` that agree with ``nu`` on the other
    digits (the entries whose path passes through ``nu``).  Claim: ``L_I = C``, the set of
    ``N x N`` matrices all of whose blocks have rank <= 1.  ``C`` is the common zero set of 2x2
    minors, hence closed.

    ``L_I ⊆ C``: with ``A = W_L ... W_{l+1}`` and ``B = W_l ... W_1``, the entries of block
    ``nu`` are ``A[i, nu] B[nu, j]`` (``nu`` is the only node of layer ``l`` on a path from
    ``j`` to ``i``), an outer product.

    ``C ⊆ L_I``, by induction on ``L`` (``L = 1``: one digit, ``N = rho``, the mask is dense).
    Let ``M`` be in ``C`` and ``delta = delta_1``.  For each node ``nu`` of layer 1 write the
    block ``B_{1,nu} = u_nu v_nu^T`` (``u_nu`` over the block rows, ``v_nu`` over the digit
    ``j_delta``), with ``u_nu = v_nu = 0`` when the block is 0.  Put ``W_1[nu, j] = v_nu(j_delta)``
    (allowed: ``nu`` and ``j`` differ at most in digit ``delta``) and ``A[i, nu] = u_nu(i)``
    when ``i_delta = nu_delta``, else 0.  Then ``M = A W_1`` entrywise (one path per entry).
    For each value of digit ``delta``, ``A`` restricted to that slice is an ``N/rho x N/rho``
    matrix over the other digits, and the layers ``2..L`` restricted to the slice form a
    digit-mixing pattern of depth ``L-1``.  Its level-``k`` block at a node ``mu`` has the
    columns ``nu`` (layer-1 nodes in the slice) agreeing with ``mu`` outside
    ``delta_1..delta_{k+1}``; for each such ``nu`` with ``u_nu != 0`` we have ``v_nu != 0``, so
    some column ``j`` of ``M``'s level-``(k+1)`` block at ``mu`` equals ``v_nu(j_delta) != 0``
    times column ``nu`` of ``A``'s block.  That ``M`` block has rank <= 1, so all non-zero
    columns of ``A``'s block are parallel: ``A``'s slices are in ``C`` for depth ``L-1``, hence
    (induction) products ``W_L ... W_2`` with the right supports, and ``M = W_L ... W_1``.

    Only the products of weights matter, so there is no sign or zero case left over.  The
    verifier re-checks that every mask is the stated digit-mixing mask and that the place
    values form one digit system.
    """
    if len(masks) < 2 or any(len(m) != len(masks[0][0]) for m in masks):
        return None
    layers = digit_mixing_layers(masks)
    if layers is None:
        return None
    return fragment("deep_digit_mixing",
                    "Every layer mixes one digit of a mixed-radix system of the indices and every digit "
                    "is mixed by exactly one layer (butterfly, order-p Monarch); each entry of the "
                    "product has a single path, and L_I is the set of matrices whose path blocks all "
                    "have rank <= 1 (zero set of 2x2 minors), hence closed.",
                    {"depth": len(masks), "size": len(masks[0][0]),
                     "strides": [s for s, _ in layers], "radices": [r for _, r in layers]},
                    source="proved in netalgebra.theorems.digits.deep_digit_mixing "
                           "(docs/mathematics.md, \"deep_digit_mixing\")")
