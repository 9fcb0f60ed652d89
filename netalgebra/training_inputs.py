"""Reading the training inputs ``Omega`` (``netalgebra check --points FILE``) exactly.

Formats, by file name:

* ``.json`` (and any other name): a JSON list of points, each a list of integers or ``"p/q"``
  strings (floats are refused: they are rarely the number the user meant);
* ``.csv``: one point per line, cells separated by commas; a cell is an integer, ``p/q`` or a
  decimal such as ``0.25`` (read as the exact decimal); blank lines and lines starting with
  ``#`` are skipped;
* ``.npy``: a two-dimensional NumPy array of integers or floats; a float is read as the exact
  binary number it stores (``Fraction(float)``), NaN and infinities are refused.  NumPy is
  imported only for this format.

Every error is an :class:`~cad.errors.InputError` naming the file and the place (line and
column, or the entry).
"""

from fractions import Fraction

from cad.errors import InputError
from netalgebra.inputfile import check_file, parse_json, read_text

__all__ = ["read_points"]


def read_points(path):
    """The points of ``path`` as lists of exact rationals (JSON values as given; CSV and ``.npy``
    entries as ``"p/q"`` strings, so that the points print back exactly)."""
    lower = str(path).lower()
    if lower.endswith(".npy"):
        check_file(path, "--points file")
        return _read_npy(path)
    text = read_text(path, "--points file")     # size cap, UTF-8, not a directory
    if lower.endswith(".csv"):
        return _read_csv(path, text)
    pts = parse_json(text, f"--points {path}")    # nesting depth capped
    if not isinstance(pts, list):
        raise InputError(f"--points {path}: expected a JSON list of points")
    return pts


def _read_csv(path, text):
    pts = []
    for ln, line in enumerate(text.splitlines(), start=1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        row = []
        for col, cell in enumerate(s.split(","), start=1):
            try:
                row.append(str(Fraction(cell.strip())))
            except (ValueError, ZeroDivisionError):
                raise InputError(f"--points {path}: line {ln}, column {col}: {cell.strip()!r} is not an "
                                 "exact rational (integer, p/q or decimal)") from None
        pts.append(row)
    if not pts:
        raise InputError(f"--points {path}: no points")
    return pts


def _read_npy(path):
    try:
        import numpy as np
    except ImportError:
        raise InputError(f"--points {path}: reading .npy needs numpy (pip install numpy)") from None
    try:
        arr = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise InputError(f"--points {path}: cannot read the array ({e})") from None
    if arr.ndim != 2:
        raise InputError(f"--points {path}: expected a 2-dimensional array (points x inputs), got shape {arr.shape}")
    if arr.dtype.kind in "iu":
        return [[int(x) for x in row] for row in arr.tolist()]
    if arr.dtype.kind != "f":
        raise InputError(f"--points {path}: dtype {arr.dtype} is not an integer or float type")
    pts = []
    for i, row in enumerate(arr.tolist()):
        out = []
        for j, x in enumerate(row):
            if x != x or x in (float("inf"), float("-inf")):
                raise InputError(f"--points {path}: entry [{i}, {j}] is {x}, not a finite number")
            out.append(str(Fraction(x)))
        pts.append(out)
    return pts
