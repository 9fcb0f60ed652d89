"""The one checked reader of the files that ``netalgebra`` commands are given.

Every file goes through :func:`read_text` (size cap, UTF-8 decoding) and, for JSON,
:func:`parse_json` (nesting depth checked before the parser recurses, integer-size and
syntax errors).  Each problem is an :class:`cad.errors.InputError` naming the file and
the limit or the position, so every command exits 2 with one line, never a traceback.
Also here: :func:`writable_path`, the up-front check of an output path (before any
computation), and :func:`seconds`, the ``--timeout`` argument type.
"""

import json
import math
import os
import re

from cad.errors import InputError

__all__ = ["MAX_FILE_BYTES", "MAX_JSON_DEPTH", "read_text", "parse_json", "read_json", "writable_path",
           "seconds", "png_path", "check_file", "decode", "write_atomic"]

MAX_FILE_BYTES = 64 * 1024 * 1024   # patterns of the largest accepted size fit in a few MB
MAX_JSON_DEPTH = 64                 # certificates nest at most about 8 deep

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


def read_text(path, what="file"):
    """The UTF-8 text of ``path`` (at most :data:`MAX_FILE_BYTES`); InputError otherwise."""
    path = os.fspath(path)
    try:
        if os.path.isdir(path):
            raise InputError(f"{what} {path!r} is a directory, not a file")
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{what} {path!r} is larger than the limit of {MAX_FILE_BYTES} bytes")
    return decode(data, f"{what} {path!r}")


def check_file(path, what="file"):
    """InputError unless ``path`` is a readable regular file of at most :data:`MAX_FILE_BYTES`."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise InputError(f"{what} {path!r} is a directory, not a file")
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path!r}: {exc.strerror or exc}") from None
    if size > MAX_FILE_BYTES:
        raise InputError(f"{what} {path!r} is larger than the limit of {MAX_FILE_BYTES} bytes")
    return path


def decode(data, where):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
                         f"a binary file?") from None


def _depth(text):
    depth = best = 0
    for m in _BRACKET.finditer(_STRING.sub('""', text)):
        depth += 1 if m.group() in "[{" else -1
        best = max(best, depth)
    return best


def parse_json(text, where="JSON"):
    """``json.loads`` with nesting at most :data:`MAX_JSON_DEPTH`; InputError otherwise."""
    if isinstance(text, bytes):
        text = decode(text, where)
    d = _depth(text)
    if d > MAX_JSON_DEPTH:
        raise InputError(f"{where}: JSON nested {d} deep; the limit is {MAX_JSON_DEPTH}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:        # e.g. an integer over Python's digit limit
        raise InputError(f"{where}: unreadable JSON ({' '.join(str(exc).split())[:200]})") from None


def read_json(path, what="file"):
    return parse_json(read_text(path, what), f"{what} {os.fspath(path)!r}")


def writable_path(path, option):
    """Raise InputError unless ``path`` can be created as a file (checked before computing)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise InputError(f"{option} {path}: is a directory; give a file name")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise InputError(f"{option} {path}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{option} {path}: directory {parent} is not writable")
    return path


def png_path(path, option):
    """The file a PNG figure is written to: ``path`` itself, with ``.png`` added when it has
    another ending (matplotlib would add it silently); a directory is refused."""
    path = os.fspath(path)
    if os.path.isdir(path):
        raise InputError(f"{option} {path}: is a directory; give a file name")
    return path if path.lower().endswith(".png") else path + ".png"


def seconds(text):
    """argparse type of ``--timeout``: a finite number of seconds >= 0 (nan, inf rejected)."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value < 0 or not text.strip().isascii():
        raise argparse.ArgumentTypeError(f"{text!r}: expected a finite number of seconds >= 0")
    return value


def write_atomic(path, text):
    """Write ``text`` to ``path`` through a temporary file renamed into place (no half-written file)."""
    path = os.fspath(path)
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
