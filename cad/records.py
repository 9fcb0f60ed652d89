"""Small value classes without :mod:`dataclasses`.

``cad qe`` must start fast: importing ``dataclasses`` and building a dozen classes
with it cost the command line about 10 ms, against a whole QEPCAD B run of
0.1-0.2 s on the classic problems.  :class:`Record` gives what the formula nodes
and results used from dataclasses: a constructor over the declared fields
(positional or keyword, with defaults), an optional ``__post_init__``, equality,
hashing and a repr by fields, and immutability unless ``_frozen = False``.

>>> class Point(Record):
...     _fields = ("x", "y")
...     _defaults = {"y": 0}
>>> Point(1), Point(1) == Point(x=1, y=0)
(Point(x=1, y=0), True)
"""

from __future__ import annotations

__all__ = ["Record", "FrozenRecordError"]


class FrozenRecordError(AttributeError):
    """Assignment to a field of a frozen record."""


class Record:
    """Base of value classes: ``_fields`` names the constructor arguments in order,
    ``_defaults`` maps a field to its default (``_factories`` to a zero-argument
    callable building a fresh default, e.g. ``list``)."""

    __slots__ = ()
    _fields: tuple = ()
    _defaults: dict = {}
    _factories: dict = {}
    _frozen = True

    def __init__(self, *args, **kwargs):
        fields = self._fields
        name = type(self).__name__
        if len(args) > len(fields):
            raise TypeError(f"{name}() takes {len(fields)} arguments, got {len(args)}")
        values = dict(zip(fields, args))
        for key, value in kwargs.items():
            if key not in fields:
                raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"{name}() got multiple values for argument {key!r}")
            values[key] = value
        setter = object.__setattr__
        for f in fields:
            if f in values:
                setter(self, f, values[f])
            elif f in self._defaults:
                setter(self, f, self._defaults[f])
            elif f in self._factories:
                setter(self, f, self._factories[f]())
            else:
                raise TypeError(f"{name}() missing required argument {f!r}")
        post = getattr(self, "__post_init__", None)
        if post is not None:
            post()

    def __setattr__(self, key, value):
        if self._frozen:
            raise FrozenRecordError(f"cannot assign to field {key!r} of a frozen {type(self).__name__}")
        object.__setattr__(self, key, value)

    def __delattr__(self, key):
        if self._frozen:
            raise FrozenRecordError(f"cannot delete field {key!r} of a frozen {type(self).__name__}")
        object.__delattr__(self, key)

    def _values(self):
        return tuple(getattr(self, f) for f in self._fields)

    def __eq__(self, other):
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self):
        if not self._frozen:
            raise TypeError(f"unhashable type: {type(self).__name__!r} (a mutable record)")
        return hash((self.__class__.__name__,) + self._values())

    def __repr__(self):
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({inner})"
