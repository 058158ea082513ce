"""Equality of JSON values as JSON documents: what ``==`` means for values the schema does
not type.

Python's ``==`` takes ``1 == 1.0 == True`` and ``{"x": 1} == {"x": True}``, yet those values
encode differently (``1``, ``1.0``, ``true``), and a NaN inside a container equals itself
(``[x] == [x]`` compares items by identity first). For a free-form value (a
preserve-unknown-fields subtree, an int-or-string, the fields a class does not know, an
``Unstructured`` object) that would make a controller take a changed object for the same
one and skip an update. :func:`same_json` is the one rule every such comparison uses: the
models' ``__eq__`` (for unread objects, free-form fields and unknown fields) and
``Unstructured.__eq__``.
"""

from __future__ import annotations

from orjson import OPT_SORT_KEYS as _SORT_KEYS
from orjson import dumps as _dumps
from orjson import loads as _loads

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["same_json"]

_SCALARS = frozenset((str, int, float, bool, type(None)))


def same_json(mine: Any, theirs: Any) -> bool:
    """Whether two JSON-like values are the same JSON document after encoding.

    ``mine`` and ``theirs`` are JSON data as decoded (dict, list, str, int, float, bool,
    None), possibly holding other values a user put there. Returns True when they are
    ``==`` *and* every pair of leaves has the same JSON type: ``1``, ``1.0`` and ``True``
    differ, object keys may come in any order, a ``str`` subclass (``Time``, an enum member)
    equals its text, and NaN never equals anything (it has no JSON form). Leaves that are not
    JSON (a ``Quantity``, a model, a datetime) compare with ``==`` and must have the same
    class. Never raises for JSON data. client-go: ``equality.Semantic.DeepEqual`` on
    ``map[string]interface{}`` data (where Go's types already tell ``int64`` from ``float64``
    from ``bool``).

    Cost: one C-level ``==``; only when that says equal, both values are serialized with
    sorted keys by orjson (C) and the bytes compared; a document holding ``null`` is read
    back once more to rule out a NaN that orjson wrote as ``null``. Values orjson cannot
    write (integers beyond 64 bits, non-string keys, other objects) are compared item by
    item in Python instead.
    """
    if mine != theirs:
        return False
    cls = mine.__class__
    if cls in _SCALARS:
        return _same_values(mine, theirs)
    try:
        written = _dumps(mine, option=_SORT_KEYS)
        if theirs is not mine and written != _dumps(theirs, option=_SORT_KEYS):
            return False
    except TypeError:
        return _same_values(mine, theirs)
    # orjson writes NaN and infinities as null: a document with a null that does not read
    # back as itself (a NaN, an infinity, a datetime, a tuple, ...) is checked item by item.
    if b"null" in written and _loads(written) != mine:
        return _same_values(mine, theirs)
    return True


def _same_values(mine: Any, theirs: Any) -> bool:
    """:func:`same_json` item by item in Python (the exact, slower path). Iterative, with a
    stack of pairs still to compare, so any depth the JSON readers accept compares (this
    path is taken for every document deeper than orjson's 254 levels)."""
    pending = [(mine, theirs)]
    while pending:
        mine, theirs = pending.pop()
        if isinstance(mine, dict):
            if not isinstance(theirs, dict) or mine.keys() != theirs.keys():
                return False
            pending.extend((v, theirs[k]) for k, v in mine.items())
            continue
        if isinstance(mine, list | tuple):  # orjson writes a tuple as an array
            if not isinstance(theirs, list | tuple) or len(mine) != len(theirs):
                return False
            pending.extend(zip(mine, theirs, strict=True))
            continue
        kind = _json_kind(mine)
        if kind is not _json_kind(theirs):
            return False
        if kind is float:
            # NaN != NaN already; 0.0 and -0.0 are equal numbers written differently
            if not (mine == theirs and (mine != 0.0 or str(mine) == str(theirs))):
                return False
        elif not mine == theirs:
            return False
    return True


def _json_kind(value: Any) -> type:
    """The JSON type a value is written as (its class for anything else): subclasses of str
    (``Time``, enum members) are strings, of int (``IntEnum`` members) integers."""
    cls: type = type(value)
    if cls in _SCALARS:
        return cls
    for kind in (bool, str, int, float):
        if isinstance(value, kind):
            return kind
    return cls
