"""Sparsity patterns of ReLU networks: masks, validation, JSON, presets, imports.

A pattern ``I = (I_1, ..., I_L)`` is one 0/1 mask per layer, first layer first,
each in PyTorch weight shape ``N_l x N_{l-1}`` (out x in); weights satisfy
``supp(W_l) ⊆ I_l`` and biases are free (Le, Riccietti, Gribonval, NeurIPS 2023,
Section 2).  The linear counterpart is ``L_I = {W_L ... W_1}``.

Only the standard library is imported at module level (numpy is imported by
:meth:`SparsityPattern.from_arrays` when called).

JSON format::

    {"name": "ul:2", "masks": [[[1, 0], [1, 1]], [[1, 1], [0, 1]]]}

``name`` is optional.  :meth:`SparsityPattern.to_json` writes a canonical
layout that :meth:`SparsityPattern.from_json` reads back, so JSON -> pattern ->
JSON is the identity on its output.

Presets (:meth:`SparsityPattern.preset`):

``lu:N``
    ``W_1`` upper triangular, ``W_2`` lower triangular: ``L_I`` = {lower x upper}
    (docs/mathematics.md, "Test cases", LU 2x2: ``M_2 = [[1,0],[1,1]]``, ``M_1 = [[1,1],[0,1]]``).
``ul:N``
    ``W_1`` lower, ``W_2`` upper triangular (docs/mathematics.md, "Test cases", UL 2x2).
``dense:N0,N1,...,NL``
    all-ones masks.
``diag:N`` or ``diag:N,L``
    ``L`` (default 2) identity masks of size ``N``.
``butterfly:N``
    ``N = 2^m`` (m >= 1), ``m`` layers; the product ``W_L ... W_1`` has the
    butterfly (FFT) support ``B_1 B_2 ... B_m`` with
    ``B_k = I_{2^{k-1}} ⊗ ones(2,2) ⊗ I_{N/2^k}``; so the first layer is ``B_m``
    and the last is ``B_1``.  For N = 4: ``M_2 = ones2 ⊗ I2``, ``M_1 = I2 ⊗ ones2``.
``monarch:N:B`` or ``monarch:N:B:F``
    ``F`` (default 2) layers of size ``N``, alternately block-diagonal and permuted
    block-diagonal, first layer first: write ``i = q*B + r`` (``0 <= r < B``); odd layers
    (1, 3, ...) are ``I_{N/B} ⊗ ones(B,B)`` (join ``i, j`` iff ``q_i = q_j``) and even layers are
    ``ones(N/B,N/B) ⊗ I_B`` = ``P^T (I_B ⊗ ones(N/B,N/B)) P`` with ``P`` the stride permutation
    (join iff ``r_i = r_j``).  ``monarch:N:B`` is the Monarch product ``P L P^T R`` of Dao et
    al. (ICML 2022); ``monarch:16:4:3`` is three factors.  ``B`` must divide ``N``.
``block:K:N0,N1,...,NL``
    block-diagonal: ``K`` disjoint copies of ``dense:N0,...,NL`` (so the
    "block rank-1" pattern of docs/mathematics.md, "Test cases", is ``block:2:2,1,2``).  Short form
    ``block:B,K`` means ``block:K:B,B,B`` (K dense B x B blocks, two layers).
``random:N0,...,NL:density:seed``
    each entry is 1 independently with probability ``density`` (a decimal or
    fraction in [0, 1]), drawn with ``random.Random(seed)`` -- reproducible.
``masks:ROWS|ROWS|...``
    literal masks, first layer first, layers separated by ``|``, rows by ``,``,
    one digit per entry; e.g. the "scalar out" pattern of "Test cases"
    (``M_2 = [[1,1]]``, ``M_1 = [[1,0],[1,1]]``) is ``masks:10,11|11``.
"""

from __future__ import annotations

import json
import numbers
import os
import random as _random
from fractions import Fraction

from cad.errors import InputError

__all__ = ["PatternError", "SparsityPattern", "PRESETS", "MAX_MASK_ENTRIES"]

# Size limit, decided before anything is built: the decider's theorems and the census read every
# mask entry (at least quadratic work in the widths), so larger patterns cannot be answered within
# any budget a command accepts.  ``ul:1000`` (2 000 000 entries) and ``butterfly:1024``
# (10 layers of 1024 x 1024: 10 485 760 entries, decided by a theorem that reads its digit
# structure) are within the limit; ``ul:3000`` (18 000 000) is not.
MAX_MASK_ENTRIES = 12_000_000


def _check_size(spec, shapes):
    """PatternError when layers of ``shapes`` ((rows, cols), ...) exceed :data:`MAX_MASK_ENTRIES`."""
    total = sum(r * c for r, c in shapes)
    if total > MAX_MASK_ENTRIES:
        raise PatternError(f"{spec}: {total} mask entries exceed the limit of {MAX_MASK_ENTRIES} "
                           f"(MAX_MASK_ENTRIES)", field="preset" if isinstance(spec, str) else "masks")


class PatternError(InputError):
    """A malformed pattern.  ``layer`` is 1-based (``None`` when not layer-specific);
    ``field`` names the offending JSON field / preset parameter, e.g. ``masks[1][0][2]``."""

    def __init__(self, message, layer=None, field=None):
        self.layer = layer
        self.field = field
        super().__init__(message)


def _where(layer, row=None, col=None):
    """Human and JSON-path description of a position; ``layer`` is 1-based."""
    path = f"masks[{layer - 1}]"
    if row is not None:
        path += f"[{row}]"
        if col is not None:
            path += f"[{col}]"
    text = f"layer {layer}" + (f", row {row}" if row is not None else "") + (
        f", column {col}" if col is not None else "") + f" ({path})"
    return text, path


def _is_seq(x):
    return isinstance(x, (list, tuple))


_INT, _BITS = {int}, {0, 1}


def _validate(masks):
    """Return masks as nested tuples of ints, or raise PatternError naming layer and field."""
    if not _is_seq(masks):
        raise PatternError(f"masks must be a list of layers, got {type(masks).__name__}", field="masks")
    if len(masks) == 0:
        raise PatternError("masks: pattern is empty, at least one layer is required", field="masks")
    if all(_is_seq(m) and all(_is_seq(r) for r in m[:1]) for m in masks):
        _check_size("masks", [(len(m), len(m[0]) if len(m) else 0) for m in masks])
    out = []
    for l0, layer in enumerate(masks):
        l = l0 + 1
        text, path = _where(l)
        if not _is_seq(layer):
            raise PatternError(f"{text}: a layer must be a list of rows, got {type(layer).__name__}",
                               layer=l, field=path)
        if len(layer) == 0:
            raise PatternError(f"{text}: layer has no rows (width N_{l} must be >= 1)", layer=l, field=path)
        ncols = None
        rows = []
        for i, row in enumerate(layer):
            rtext, rpath = _where(l, i)
            if not _is_seq(row):
                raise PatternError(f"{rtext}: a row must be a list of 0/1 entries, got {type(row).__name__}",
                                   layer=l, field=rpath)
            if ncols is None:
                ncols = len(row)
                if ncols == 0:
                    raise PatternError(f"{rtext}: row is empty (width N_{l - 1} must be >= 1)",
                                       layer=l, field=rpath)
            elif len(row) != ncols:
                raise PatternError(f"{rtext}: ragged mask, row has {len(row)} entries but row 0 has {ncols}",
                                   layer=l, field=rpath)
            if type(row) in (list, tuple) and set(map(type, row)) <= _INT and set(row) <= _BITS:
                rows.append(tuple(row))      # fast path: plain 0/1 ints (large presets)
                continue
            vals = []
            for j, v in enumerate(row):
                # the one rule, shared with the verifier: entries are the integers 0 and 1
                # (JSON true/false and 1.0 are rejected by check and verify alike)
                if isinstance(v, bool) or not isinstance(v, numbers.Integral) or int(v) not in (0, 1):
                    etext, epath = _where(l, i, j)
                    raise PatternError(f"{etext}: entry {v!r} is not 0 or 1", layer=l, field=epath)
                vals.append(int(v))
            rows.append(tuple(vals))
        if out and ncols != len(out[-1]):
            raise PatternError(
                f"{text}: shapes do not chain: layer {l} has {ncols} columns but layer {l - 1} has "
                f"{len(out[-1])} rows (N_{l - 1} must agree)", layer=l, field=path)
        out.append(tuple(rows))
    return tuple(out)


class SparsityPattern:
    """Immutable, hashable support pattern ``(I_1, ..., I_L)`` of a ReLU network.

    ``masks[l-1][i][j] == 1`` iff weight ``W_l[i, j]`` (row i = output neuron of
    layer l, column j = neuron of layer l-1) may be non-zero.  Equality and hash
    depend on the masks only; ``name`` is a label.
    """

    __slots__ = ("_masks", "_name", "_hash")

    def __init__(self, masks, name=None):
        if name is not None and not isinstance(name, str):
            raise PatternError(f"name must be a string, got {type(name).__name__}", field="name")
        object.__setattr__(self, "_masks", _validate(masks))
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_hash", hash(self._masks))

    def __setattr__(self, key, value):
        raise AttributeError("SparsityPattern is immutable")

    # -- basic accessors ---------------------------------------------------------
    @property
    def masks(self):
        return self._masks

    @property
    def name(self):
        return self._name

    @property
    def depth(self):
        """L, the number of layers (weight matrices)."""
        return len(self._masks)

    @property
    def widths(self):
        """(N_0, N_1, ..., N_L)."""
        return (len(self._masks[0][0]),) + tuple(len(m) for m in self._masks)

    @property
    def shapes(self):
        """((N_1, N_0), ..., (N_L, N_{L-1})) -- PyTorch weight shapes."""
        return tuple((len(m), len(m[0])) for m in self._masks)

    @property
    def nnz(self):
        """Number of free weights (ones in all masks)."""
        return sum(sum(r) for m in self._masks for r in m)

    @property
    def support(self):
        """Tuple of allowed positions ``(l, i, j)``, l 1-based, in layer, row, column order."""
        return tuple((l + 1, i, j) for l, m in enumerate(self._masks)
                     for i, r in enumerate(m) for j, v in enumerate(r) if v)

    def with_name(self, name):
        return SparsityPattern(self._masks, name)

    def __eq__(self, other):
        if not isinstance(other, SparsityPattern):
            return NotImplemented
        return self._masks == other._masks

    def __hash__(self):
        return self._hash

    def __repr__(self):
        nm = f"{self._name!r}, " if self._name is not None else ""
        return f"SparsityPattern({nm}widths={self.widths})"

    def __str__(self):
        lines = [f"pattern {self._name or '(unnamed)'}: widths {'-'.join(map(str, self.widths))}"]
        for l, m in enumerate(self._masks):
            lines.append(f"  M_{l + 1} ({len(m)}x{len(m[0])}):")
            lines.extend("    " + " ".join("1" if v else "." for v in r) for r in m)
        return "\n".join(lines)

    def transpose(self):
        """The pattern of the transposed network: layers reversed, masks transposed.

        ``(W_L ... W_1)^T = W_1^T ... W_L^T``, so ``L_{I^T} = {A^T : A in L_I}``.
        """
        masks = tuple(tuple(zip(*m)) for m in reversed(self._masks))
        name = None if self._name is None else f"transpose({self._name})"
        return SparsityPattern(masks, name)

    # -- JSON --------------------------------------------------------------------
    def to_dict(self):
        d = {}
        if self._name is not None:
            d["name"] = self._name
        d["masks"] = [[list(r) for r in m] for m in self._masks]
        return d

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise PatternError(f"pattern JSON must be an object, got {type(data).__name__}", field="(top level)")
        unknown = sorted(set(data) - {"name", "masks"})
        if unknown:
            raise PatternError(f"unknown field {unknown[0]!r} in pattern JSON (allowed: name, masks)",
                               field=unknown[0])
        if "masks" not in data:
            raise PatternError("pattern JSON has no 'masks' field", field="masks")
        return cls(data["masks"], data.get("name"))

    def to_json(self):
        """Canonical JSON text: one layer per line, rows inline, trailing newline."""
        head = "{\n"
        if self._name is not None:
            head += f'  "name": {json.dumps(self._name)},\n'
        layers = ",\n".join("    " + json.dumps([list(r) for r in m]) for m in self._masks)
        return head + '  "masks": [\n' + layers + "\n  ]\n}\n"

    @classmethod
    def from_json(cls, text_or_path):
        """Read a pattern from JSON text, a path to a JSON file, or an already-parsed dict.

        A string whose first non-blank character is ``{`` is JSON text; any other
        string (or ``os.PathLike``) is a file path.
        """
        if isinstance(text_or_path, dict):
            return cls.from_dict(text_or_path)
        from netalgebra.inputfile import decode, parse_json, read_text

        source = "<text>"
        if isinstance(text_or_path, os.PathLike) or (
                isinstance(text_or_path, str) and not text_or_path.lstrip().startswith("{")):
            source = os.fspath(text_or_path)
            try:
                text = read_text(source, "pattern file")
            except InputError as exc:
                raise PatternError(str(exc), field="path") from None
        elif isinstance(text_or_path, (str, bytes)):
            text = decode(text_or_path, "pattern") if isinstance(text_or_path, bytes) else text_or_path
        else:
            raise PatternError(f"from_json expects JSON text, a path or a dict, got "
                               f"{type(text_or_path).__name__}", field="(input)")
        try:
            data = parse_json(text, source)
        except InputError as exc:
            raise PatternError(str(exc), field="(json)") from None
        return cls.from_dict(data)

    # -- imports -----------------------------------------------------------------
    @classmethod
    def from_arrays(cls, arrays, name=None):
        """Pattern from a list of 2-D array-likes (NumPy arrays, nested lists), first layer first.

        Entries must equal 0 or 1 exactly (booleans and float masks as written by
        ``torch.nn.utils.prune`` are accepted).  NumPy is imported here, lazily.
        """
        import numpy as np

        if not _is_seq(arrays):
            arrays = list(arrays)
        if len(arrays) == 0:
            raise PatternError("masks: pattern is empty, at least one layer is required", field="masks")
        masks = []
        for l0, a in enumerate(arrays):
            text, path = _where(l0 + 1)
            try:
                arr = np.asarray(a)
            except Exception as exc:  # ragged nested lists in recent NumPy
                raise PatternError(f"{text}: not a rectangular array ({exc})", layer=l0 + 1, field=path) from None
            if arr.ndim != 2:
                raise PatternError(f"{text}: expected a 2-D array (out x in), got {arr.ndim}-D",
                                   layer=l0 + 1, field=path)
            if arr.dtype == object or arr.dtype.kind not in "biuf":
                raise PatternError(f"{text}: entries must be numbers, got dtype {arr.dtype}",
                                   layer=l0 + 1, field=path)
            bad = np.argwhere((arr != 0) & (arr != 1))
            if len(bad):
                i, j = (int(t) for t in bad[0])
                etext, epath = _where(l0 + 1, i, j)
                raise PatternError(f"{etext}: entry {arr[i, j].item()!r} is not 0 or 1",
                                   layer=l0 + 1, field=epath)
            masks.append([[int(v) for v in row] for row in (arr != 0).tolist()])
        return cls(masks, name)

    @classmethod
    def from_torch(cls, module, name=None):
        """Pattern of a PyTorch model pruned with ``torch.nn.utils.prune``.

        Walks ``module.modules()`` (registration order, which is the forward order
        for ``nn.Sequential``; a list of modules is also accepted) and takes every
        linear layer (a module with ``in_features``/``out_features`` and a 2-D
        ``weight``).  Its mask is the ``weight_mask`` buffer that pruning registers,
        or all ones for an unpruned layer.  torch itself is not imported.
        """
        if hasattr(module, "modules"):
            mods = list(module.modules())
        elif _is_seq(module):
            mods = []
            for m in module:
                mods.extend(m.modules() if hasattr(m, "modules") else [m])
        else:
            raise PatternError(f"from_torch expects a torch.nn.Module, got {type(module).__name__}",
                               field="(module)")
        arrays = []
        for m in mods:
            linear = hasattr(m, "in_features") and hasattr(m, "out_features") and hasattr(m, "weight")
            mask = getattr(m, "weight_mask", None)
            if not linear:
                if mask is not None:
                    raise PatternError(f"pruned module {type(m).__name__} is not a linear layer; only "
                                       f"fully-connected (nn.Linear) networks are supported",
                                       field="weight_mask")
                continue
            if mask is None:
                arrays.append([[1] * int(m.in_features) for _ in range(int(m.out_features))])
            else:
                t = mask.detach() if hasattr(mask, "detach") else mask
                t = t.cpu() if hasattr(t, "cpu") else t
                arrays.append(t.numpy() if hasattr(t, "numpy") else t)
        if not arrays:
            raise PatternError("module has no linear layers", field="(module)")
        return cls.from_arrays(arrays, name)

    @classmethod
    def from_npz(cls, path, name=None):
        """Pattern from a NumPy ``.npz`` file of 0/1 masks, first layer first (as stored).

        When some arrays are named ``*_mask`` only those are read; other arrays are then
        ignored.  Needs numpy, not torch; pickled objects are refused."""
        import numpy as np

        from netalgebra.inputfile import check_file

        check_file(path, "masks file")
        try:
            with np.load(path, allow_pickle=False) as z:
                keys = list(z.files)
                masks = [k for k in keys if k.endswith("_mask")] or keys
                arrays = [z[k] for k in masks]
        except Exception as exc:       # zipfile, pickle refusal, bad headers: all are bad input
            raise PatternError(f"cannot read masks file {os.fspath(path)!r} as .npz: "
                               f"{type(exc).__name__}: {exc}", field="path") from None
        return cls.from_arrays(arrays, name)

    @classmethod
    def from_state_dict_file(cls, path, name=None):
        """Pattern of a saved PyTorch state dict (``torch.save(model.state_dict(), path)``).

        Masks are the ``*weight_mask`` buffers that ``torch.nn.utils.prune`` registers, in
        the dict's order; without any, the non-zeros of the 2-D ``*weight`` tensors (a model
        whose pruned weights were made permanent).  Needs torch, loaded with
        ``weights_only=True`` (no code in the file is run)."""
        from netalgebra.inputfile import check_file

        check_file(path, "state dict")
        try:
            import torch
        except ImportError:
            raise PatternError(f"{os.fspath(path)!r}: reading a PyTorch state dict needs torch "
                               f"(pip install torch); without torch, save the masks with numpy.savez "
                               f"and pass the .npz file", field="path") from None
        try:
            sd = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            raise PatternError(f"cannot read PyTorch file {os.fspath(path)!r}: {type(exc).__name__}: {exc}",
                               field="path") from None
        if not isinstance(sd, dict):
            raise PatternError(f"{os.fspath(path)!r}: expected a state dict (a mapping of tensors), got "
                               f"{type(sd).__name__}", field="path")
        tensors = [(k, v) for k, v in sd.items() if hasattr(v, "ndim") and v.ndim == 2]
        masks = [v for k, v in tensors if str(k).endswith("weight_mask")]
        if not masks:
            masks = [v != 0 for k, v in tensors if str(k).endswith("weight")]
        if not masks:
            raise PatternError(f"{os.fspath(path)!r}: no 2-D '*weight_mask' or '*weight' tensors", field="path")
        return cls.from_arrays([m.detach().cpu().numpy() for m in masks], name)

    # -- presets -----------------------------------------------------------------
    @classmethod
    def preset(cls, name):
        """Build a named preset; see the module docstring for the list."""
        if not isinstance(name, str):
            raise PatternError(f"preset name must be a string, got {type(name).__name__}", field="preset")
        spec = name.strip()
        kind, _, rest = spec.partition(":")
        kind = kind.lower()
        if kind not in PRESETS:
            raise PatternError(f"unknown preset {name!r} (known: {', '.join(sorted(PRESETS))})", field="preset")
        masks = PRESETS[kind](spec, rest)
        return cls(masks, spec)


# --- preset builders ------------------------------------------------------------------
def _int(spec, text, what, minimum=1):
    try:
        if not text.strip().isascii():            # int() would read Arabic-Indic and other digits
            raise ValueError(text)
        v = int(text.strip())
    except ValueError:
        raise PatternError(f"preset {spec!r}: {what} must be an integer, got {text!r}", field="preset") from None
    if v < minimum:
        raise PatternError(f"preset {spec!r}: {what} must be >= {minimum}, got {v}", field="preset")
    return v


def _widths(spec, text, minimum_layers=1):
    if not text.strip():
        raise PatternError(f"preset {spec!r}: widths N0,...,NL are missing", field="preset")
    ws = [_int(spec, t, "each width") for t in text.split(",")]
    if len(ws) < minimum_layers + 1:
        raise PatternError(f"preset {spec!r}: at least {minimum_layers + 1} widths N0,...,NL are needed",
                           field="preset")
    return ws


def _dense_masks(ws, spec="pattern"):
    _check_size(spec, [(ws[l + 1], ws[l]) for l in range(len(ws) - 1)])
    return [[[1] * ws[l] for _ in range(ws[l + 1])] for l in range(len(ws) - 1)]


def _upper(n):
    return [[1 if j >= i else 0 for j in range(n)] for i in range(n)]


def _lower(n):
    return [[1 if j <= i else 0 for j in range(n)] for i in range(n)]


def _kron(a, b):
    return [[x * y for x in ra for y in rb] for ra in a for rb in b]


def _eye(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]


def _p_lu(spec, rest):
    n = _int(spec, rest, "N")
    _check_size(spec, [(n, n)] * 2)
    return [_upper(n), _lower(n)]          # W_1 upper, W_2 lower: L_I = lower x upper


def _p_ul(spec, rest):
    n = _int(spec, rest, "N")
    _check_size(spec, [(n, n)] * 2)
    return [_lower(n), _upper(n)]          # W_1 lower, W_2 upper


def _p_dense(spec, rest):
    return _dense_masks(_widths(spec, rest), spec)


def _p_diag(spec, rest):
    parts = rest.split(",")
    if len(parts) > 2:
        raise PatternError(f"preset {spec!r}: expected diag:N or diag:N,L", field="preset")
    n = _int(spec, parts[0], "N")
    depth = _int(spec, parts[1], "L") if len(parts) == 2 else 2
    _check_size(spec, [(n, n)] * depth)
    return [_eye(n) for _ in range(depth)]


def _digit_mixing(n, stride, radix):
    """The N x N mask joining ``i`` and ``j`` when they differ only in the mixed-radix digit of
    place value ``stride`` and size ``radix``: ``i // (stride*radix) == j // (stride*radix)`` and
    ``i % stride == j % stride`` (rows built directly, so N = 1024 stays fast)."""
    block = stride * radix
    rows = []
    for i in range(n):
        row = [0] * n
        base = i - (i % block) + (i % stride)
        for d in range(radix):
            row[base + d * stride] = 1
        rows.append(row)
    return rows


def _p_butterfly(spec, rest):
    n = _int(spec, rest, "N", minimum=2)
    if n & (n - 1):
        raise PatternError(f"preset {spec!r}: N must be a power of 2, got {n}", field="preset")
    m = n.bit_length() - 1
    _check_size(spec, [(n, n)] * m)
    # B_k = I_{2^{k-1}} (x) ones(2,2) (x) I_{N/2^k} mixes the bit of place value N/2^k
    factors = [_digit_mixing(n, n >> k, 2) for k in range(1, m + 1)]
    return list(reversed(factors))        # product W_L ... W_1 = B_1 B_2 ... B_m


def _p_monarch(spec, rest):
    parts = rest.split(":")
    if len(parts) not in (2, 3):
        raise PatternError(f"preset {spec!r}: expected monarch:N:B or monarch:N:B:F", field="preset")
    n = _int(spec, parts[0], "N", minimum=2)
    b = _int(spec, parts[1], "B", minimum=1)
    f = _int(spec, parts[2], "F (number of factors)") if len(parts) == 3 else 2
    if n % b:
        raise PatternError(f"preset {spec!r}: the block size B = {b} must divide N = {n}", field="preset")
    # index i = q*B + r: block-diagonal factors mix the digit r (B x B blocks), permuted
    # block-diagonal ones mix the digit q ((N/B) x (N/B) blocks after the stride permutation)
    block_diagonal, permuted = _digit_mixing(n, 1, b), _digit_mixing(n, b, n // b)
    return [block_diagonal if k % 2 == 0 else permuted for k in range(f)]


def _p_block(spec, rest):
    parts = rest.split(":")
    if len(parts) == 1:
        bk = parts[0].split(",")
        if len(bk) != 2:
            raise PatternError(f"preset {spec!r}: expected block:B,K or block:K:N0,...,NL", field="preset")
        b, k = _int(spec, bk[0], "B"), _int(spec, bk[1], "K")
        ws = [b, b, b]
    elif len(parts) == 2:
        k = _int(spec, parts[0], "K")
        ws = _widths(spec, parts[1])
    else:
        raise PatternError(f"preset {spec!r}: expected block:B,K or block:K:N0,...,NL", field="preset")
    _check_size(spec, [(k * ws[l + 1], k * ws[l]) for l in range(len(ws) - 1)])
    masks = []
    for l in range(len(ws) - 1):
        r, c = ws[l + 1], ws[l]
        masks.append([[1 if (i // r) == (j // c) else 0 for j in range(k * c)] for i in range(k * r)])
    return masks


def _p_random(spec, rest):
    parts = rest.split(":")
    if len(parts) != 3:
        raise PatternError(f"preset {spec!r}: expected random:N0,...,NL:density:seed", field="preset")
    ws = _widths(spec, parts[0])
    _check_size(spec, [(ws[l + 1], ws[l]) for l in range(len(ws) - 1)])
    try:
        if not parts[1].strip().isascii():
            raise ValueError(parts[1])
        dens = Fraction(parts[1].strip())
    except (ValueError, ZeroDivisionError):
        raise PatternError(f"preset {spec!r}: density must be a number in [0, 1], got {parts[1]!r}",
                           field="preset") from None
    if not 0 <= dens <= 1:
        raise PatternError(f"preset {spec!r}: density must be in [0, 1], got {parts[1]!r}", field="preset")
    seed = _int(spec, parts[2], "seed", minimum=0)
    rng = _random.Random(seed)
    d = float(dens)
    return [[[1 if rng.random() < d else 0 for _ in range(ws[l])] for _ in range(ws[l + 1])]
            for l in range(len(ws) - 1)]


def _p_masks(spec, rest):
    if not rest.strip():
        raise PatternError(f"preset {spec!r}: no masks given", field="preset")
    masks = []
    for l0, layer in enumerate(rest.split("|")):
        rows = []
        for row in layer.split(","):
            row = row.strip()
            if not row or any(ch not in "01" for ch in row):
                raise PatternError(f"preset {spec!r}: layer {l0 + 1}: row {row!r} must be a string of 0/1 digits",
                                   layer=l0 + 1, field="preset")
            rows.append([int(ch) for ch in row])
        masks.append(rows)
    return masks


PRESETS = {
    "lu": _p_lu,
    "ul": _p_ul,
    "dense": _p_dense,
    "diag": _p_diag,
    "butterfly": _p_butterfly,
    "monarch": _p_monarch,
    "block": _p_block,
    "random": _p_random,
    "masks": _p_masks,
}
