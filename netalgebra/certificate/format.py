"""The certificate format ``netalgebra-certificate/1``: JSON in and out.

A certificate is a plain JSON object.  Common keys::

    format    "netalgebra-certificate/1"
    verdict   "closed" | "not_closed" | "unknown"
    question  "linear"        -- is L_I = {W_L ... W_1 : supp W_l in I_l} closed?
              "relu_points"   -- is F_I(Omega) closed for the given finite Omega?
    pattern   {"masks": [M_1, ..., M_L], "name": str|null}; M_l is N_l x N_{l-1} (out x in), 0/1
    argument  human-readable proof sketch (not checked)

Weights are named ``w{l}_{i}_{j}`` (layer l 1-based, row i = output neuron,
column j = input neuron, both 0-based) and biases ``b{l}_{i}``
(:mod:`netalgebra.naming`).  Rationals are strings ``"-3/4"`` (or JSON
integers).  A rational function of ``t`` is ``{"num": [c0, c1, ...], "den":
[d0, d1, ...]}`` (coefficients low degree first; ``den`` defaults to
``["1"]``).  A polynomial in the weights is a list of terms ``[coefficient,
[[variable, exponent], ...]]``.

``verdict == "not_closed"`` (question ``linear``), checked by
:mod:`netalgebra.certificate.not_closed`::

    target            A, N_L x N_0 matrix of rationals: a point of cl(L_I) \\ L_I
    escaping_family   {"parameter": "t", "weights": {name: ratfun}}   (unlisted weights are 0)
                      claim: phi(theta(t)) -> A and ||theta(t)|| -> infinity as t -> 0+
    dense_realisation (depth >= 3, instead of escaping_family) {"weights": {name: [num, den]}}:
                      polynomials in the entries y{i}_{j} of K, non-zero denominators; claim: their
                      product is Y identically, so L_I contains V_K off a hypersurface, its closure
                      is V_K, and A (inside K) is a limit; refused together with ``relu``
    non_attainment    {"method": "nullstellensatz", "equations": [[r, c], ...],
                       "multipliers": [poly, ...]}
                      claim: sum_i m_i * (phi_{r_i c_i} - A_{r_i c_i}) == 1 identically, hence
                      phi(theta) = A has no (even complex) solution: A is not in L_I
                      (``equations`` may be empty when ``rotated`` is given)
                      optional "rotated": [{"cut": k, "equations": [[a, b], ...],
                       "multipliers": [poly, ...]}, ...] for a permutation target A (n x n): the
                      rotated equations g_ab = sum_{A_rc = 1} Y[a,c] X[r,b] - [a = b] of the cut
                      X = W_L ... W_{k+1}, Y = W_k ... W_1 at a hidden layer k with exactly n live
                      neurons (a, b among them) join the sum; they vanish wherever phi = A
                      (proof: :func:`netalgebra.certificate.not_closed._rotated_combination`);
                      refused together with ``relu``
                      or (depth >= 3) {"method": "support_propagation", "cut": h, "tree": node}:
                      node = {"contradiction": true} | {"split": ["C", r, n] | ["D", n, c],
                      "zero": node, "nonzero": node}; claim: no C D with C, D supported on the
                      boolean products of layers h+1..L and 1..h has A's zero pattern (every leaf's
                      assumptions close to a contradiction under the rules of
                      :mod:`netalgebra.certificate.support_propagation`), so A is not in L_I;
                      refused together with ``relu``
    relu              (required for depth 2) the consequence of Theorem 3.1 of the paper:
                      {"block_rows": R', "block_cols": C', "points": [x_1..x_n],
                       "targets": [y_1..y_n], "biases": {name: ratfun}}
                      claims: y_i = A x_i; with the weights theta(t) and these biases every
                      hidden pre-activation on every x_i is >= 0 for small t > 0, so the
                      network's outputs tend to y_i (the squared loss has infimum 0); and
                      no network of the architecture fits all (x_i, y_i) exactly (the loss
                      is never 0), by the activation-region argument recalled in
                      :func:`netalgebra.certificate.not_closed.check_relu`.

``verdict == "closed"``, checked through the registry of
:mod:`netalgebra.certificate.closed`::

    theorem   {"name": ..., "statement": ..., "source": ..., "hypotheses": {...}}

The verifier re-checks the hypotheses of the named theorem from the masks; the
theorems themselves are proved in :mod:`netalgebra.theorems`.  For two layers the
coordinate-subspace theorems may carry ``hypotheses.peel`` instead of ``constructions``: a
rank-one peel proof of ``V_K ⊆ L_I`` (a list of nodes ``{"positions", "neurons", "step"}``,
replayed by :mod:`netalgebra.certificate.peel`; proved in :mod:`netalgebra.theorems.peel`).
``deep_rational_cover`` carries ``hypotheses.tree``: a node is ``{"weights": {weight name:
[numerator, denominator]}, "children": [{"zero": polynomial, "variable": "y<i>_<j>", "node":
node}, ...]}`` or ``{"empty": true}``, polynomials in the kernel's list-of-terms form in the
node's free entries ``y<i>_<j>`` (replayed by :mod:`netalgebra.certificate.rational_cover`; proved
in :mod:`netalgebra.theorems.rational_cover`).  A node may also carry ``"scaling": true``: a
denominator factor is then also covered by one of its bihomogeneous components (replayed by
:mod:`netalgebra.certificate.rational_scaling`; proved in :mod:`netalgebra.theorems.rational_scaling`).
``deep_subchain_cover`` carries ``hypotheses = {"depth", "first_layer", "last_layer", "cover":
{"tree": ...}, "then"}``: ``cover`` is a ``deep_rational_cover`` tree of the run of layers
``first_layer..last_layer`` (its own pattern), ``then`` the theorem closing the pattern with that
run replaced by its boolean product (replayed by :mod:`netalgebra.certificate.subchain_cover`;
proved in :mod:`netalgebra.theorems.subchain_cover`).

CAD certificates (``verify(cert, timeout=...)``; the CAD engine ``cad.elimination`` is the
trusted base for them, never for theorem certificates), checked by
:mod:`netalgebra.certificate.cad`::

    closed:      theorem {"name": "cad", "hypotheses": {"variables": ["y0_0", ...] (row by row),
                          "description": QEPCAD-syntax quantifier-free D(y),
                          "closedness": "syntactic" | "cad"}}
                 checks: with the verifier's own product map phi, the sentences
                 "exists theta: not D(phi(theta))" (FALSE) and
                 "forall y: D(y) -> exists theta: y = phi(theta)" (TRUE), i.e.
                 forall y (D(y) <-> exists theta: y = phi(theta)); D closed by syntax (NNF over
                 =, <=, >= atoms) or, if not syntactic, by cad.topology.is_closed.
    not_closed:  method "cad", target A (rationals), approaching {"points": [Y_0, ..., Y_{n-1}],
                 n >= 5, "segment": {"direction": U, "first_exponent": e0} (required: the
                 proof that A is in the closure)}
                 checks: "exists theta: phi(theta) = A" is FALSE; every "exists theta:
                 phi(theta) = Y_k" is TRUE; max-norm distances 0 < d_k <= min(2^-k, d_(k-1)/2);
                 Y_k = A + 2^-(k+e0) U, |U|_max = 1, and
                 "forall s in (0, 2^-e0]: exists theta: phi(theta) = A + s U" is TRUE (which alone
                 puts A in the closure; without a segment the certificate is rejected).

Block certificates (``verdict: "not_closed"`` or ``"closed"``, ``method: "block"``), checked by
:mod:`netalgebra.certificate.block`::

    block     {"rows": R', "cols": C', "certificate": inner}: inner is a certificate, with the same verdict,
              of the block sub-pattern (first-layer columns C', last-layer rows R', every hidden
              neuron; only edges on no input -> output path of that slice may be dropped);
              verified in full.  Block projection: B in cl(L') minus L' gives B (+) 0 in cl(L_I) minus L_I.
              A closed verdict is accepted only for the live block (every row and column outside
              R' x C' on no input -> output path) with a closed inner certificate.
    target    (optional) the inner target padded with zeros

Twin-merge certificates (either verdict, ``method: "twin_merge"``), checked by
:mod:`netalgebra.certificate.twins`::

    twin_merge  {"steps": [{"side": "in" | "out", "hidden_layer": l, "neurons": [k0, k1]}, ...],
                 "certificate": inner}: each step merges neuron k1 of hidden layer l into k0, two
                neurons with the same single input ("in") or the same single output ("out");
                L_I is unchanged; inner (same verdict) is the merged pattern's, verified in full
    target      (optional) the inner target

Outer-twin certificates (either verdict, ``method: "outer_twin_merge"``), checked by
:mod:`netalgebra.certificate.outer_twins`::

    outer_twin_merge  {"steps": [{"side": "outputs" | "inputs", "pair": [i0, i1]}, ...],
                       "certificate": inner}: each step drops output row i1 (input column i1), which
                      reads (is read by) the same single neuron as i0; L_I is closed iff the merged
                      L_I' is; inner (same verdict) is the merged pattern's, verified in full
    target            the inner target with a zero row (column) inserted at each dropped index, last
                      step first (required when inner has a target)

Narrow-layer certificates (``verdict: "not_closed"``, ``method: "narrow_layer"``), checked by
:mod:`netalgebra.certificate.narrow_layer`: ``target`` and ``escaping_family`` as above, and::

    non_attainment  {"method": "narrow_layer_transversal", "layer": k, "side": "rows" | "cols",
                     "neurons": T}: rank A = the number of live neurons of hidden layer k, T among
                    them, and the row (column) space of A meets the input (output) supports of T in
                    a space of dimension < |T|; then A is not in L_I; or
                    {"method": "narrow_layer_span", "layer": k, "side": "rows" | "cols", "line": r}:
                    rank A as above and row (column) r of A is outside the sum of the row (column)
                    space's intersections with the supports of the live neurons of layer k joined
                    to output (input) r; then A is not in L_I

When the budget runs out the report has ``incomplete = True`` ("could not
re-check within budget"): neither accepted nor refuted.
"""

import json
from fractions import Fraction

FORMAT = "netalgebra-certificate/1"
COMPACT_ENTRIES = 100_000

__all__ = ["FORMAT", "load", "dump", "sparse_pattern", "ratfun_json", "poly_json", "rational_str"]


def load(path_or_text):
    """Read a certificate from a JSON file path or a JSON string (a dict is returned as is)."""
    if isinstance(path_or_text, dict):
        return path_or_text
    from netalgebra.inputfile import parse_json, read_json

    text = path_or_text
    if not text.lstrip().startswith("{"):
        return read_json(text, "certificate")
    return parse_json(text, "certificate")


def dump(cert, path=None):
    """The certificate as indented JSON text, also written to ``path`` when given.

    A certificate whose masks hold more than ``COMPACT_ENTRIES`` entries (``butterfly:1024`` has
    ten 1024 x 1024 masks) is written compactly instead: indenting takes the json module's pure
    Python encoder, about fifty times slower."""
    pattern = cert.get("pattern") if isinstance(cert, dict) else None
    masks = pattern.get("masks") if isinstance(pattern, dict) else None
    entries = sum(len(m) * len(m[0]) for m in masks if m) if isinstance(masks, list) else 0
    if entries <= COMPACT_ENTRIES:
        text = json.dumps(cert, indent=1)
    else:
        text = json.dumps(dict(cert, pattern=sparse_pattern(pattern)), separators=(",", ":"))
    if path:
        from netalgebra.inputfile import write_atomic

        write_atomic(path, text + "\n")
    return text


def sparse_pattern(pattern):
    """The pattern entry with ``"rows"`` (per layer, per row, the columns of its 1s, increasing)
    and ``"columns"`` (``N_0``) instead of ``"masks"``; :func:`load` readers accept both forms
    (``netalgebra.certificate.kernel.parse_masks``)."""
    rows = []
    for m in pattern["masks"]:
        layer = []
        for r in m:
            cols, j = [], -1
            try:
                while True:
                    j = r.index(1, j + 1)
                    cols.append(j)
            except ValueError:
                pass
            layer.append(cols)
        rows.append(layer)
    out = {k: v for k, v in pattern.items() if k != "masks"}
    out.update(columns=len(pattern["masks"][0][0]), rows=rows)
    return out


def rational_str(x) -> str:
    """A rational as the format writes it: ``"p"`` or ``"p/q"``."""
    x = Fraction(x)
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


def ratfun_json(num, den=(1,)):
    """Helper for producers: coefficient lists (low degree first) -> JSON rational function."""
    return {"num": [rational_str(c) for c in num], "den": [rational_str(c) for c in den]}


def poly_json(terms):
    """Helper for producers: [(coef, {var: exp}), ...] -> JSON polynomial."""
    return [[rational_str(c), [[v, e] for v, e in sorted(m.items())]] for c, m in terms]
