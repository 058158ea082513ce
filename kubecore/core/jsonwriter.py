"""Compact JSON for what orjson refuses: the encoders' general path, at any depth.

orjson writes almost every document the clients send; it refuses integers beyond 64 bits
(which decoding keeps exact) and nesting past 254 levels. Python's ``json`` writes big
integers but recurses, three interpreter frames per nested model, so a tree of a few
hundred loaded models (a recursive CRD schema) ends in RecursionError, and it cannot
write the unparsed text of an unread list item. This writer walks with an explicit stack
instead: any depth, ``RawJSON`` text copied as it came, and otherwise the output of
``json.dumps(value, separators=(",", ":"), default=default)`` byte for byte (ASCII,
non-ASCII escaped; ``NaN``/``Infinity`` as Python's json writes them; a circular
reference raises ValueError).
"""

from __future__ import annotations

from collections.abc import Callable
from json.encoder import encode_basestring_ascii as _quote
from typing import Any

__all__ = ["RawJSON", "write_json"]

#: How many times in a row ``default`` may turn one value into another that needs it.
_DEFAULT_CHAIN_LIMIT = 100


class RawJSON:
    """Text that is already one JSON value (``bytes`` in UTF-8, or ``str``), written as it
    is: what ``default`` returns for a value kept as its JSON text. orjson's ``Fragment``
    plays this part for orjson, but its text cannot be read back from Python."""

    __slots__ = ("text",)

    def __init__(self, text: bytes | str) -> None:
        self.text = text


class _Literal(str):
    """Punctuation already in JSON form (a str subclass so it never passes for a value)."""

    __slots__ = ()


class _Leave:
    """Marks the end of a container's contents: it leaves the path (circular check)."""

    __slots__ = ("ident",)

    def __init__(self, ident: int) -> None:
        self.ident = ident


_COMMA = _Literal(",")
_CLOSE_OBJECT = _Literal("}")
_CLOSE_ARRAY = _Literal("]")


def write_json(value: Any, default: Callable[[Any], Any]) -> bytes:
    """Compact JSON bytes of ``value`` (dicts, lists, tuples, str, int, float, bool, None,
    ``RawJSON``); anything else is passed to ``default``, whose result is written.

    Raises TypeError for a value ``default`` cannot convert or a key that is not str, int,
    float, bool or None, ValueError for a circular reference.
    """
    out: list[str] = []
    write = out.append
    todo: list[Any] = [value]
    pop, push = todo.pop, todo.append
    path: set[int] = set()  # the containers being written (circular references)
    while todo:
        item = pop()
        chain = 0
        while True:
            cls = item.__class__
            if cls is _Literal:
                write(item)
            elif cls is _Leave:
                path.discard(item.ident)
            elif isinstance(item, str):
                write(_quote(item))
            elif item is None:
                write("null")
            elif item is True:
                write("true")
            elif item is False:
                write("false")
            elif isinstance(item, int):
                write(int.__repr__(item))
            elif isinstance(item, float):
                write(_float_text(item))
            elif isinstance(item, dict):
                _enter(item, path, push)
                write("{")
                push(_CLOSE_OBJECT)
                entries = list(item.items())
                for index in range(len(entries) - 1, -1, -1):
                    key, member = entries[index]
                    push(member)
                    push(_Literal(_quote(_key_text(key)) + ":"))
                    if index:
                        push(_COMMA)
            elif isinstance(item, list | tuple):
                _enter(item, path, push)
                write("[")
                push(_CLOSE_ARRAY)
                for index in range(len(item) - 1, -1, -1):
                    push(item[index])
                    if index:
                        push(_COMMA)
            elif cls is RawJSON:
                text = item.text
                write(text.decode() if isinstance(text, bytes | bytearray) else text)
            else:
                chain += 1
                if chain > _DEFAULT_CHAIN_LIMIT:
                    raise ValueError(f"cannot encode {cls.__name__}: default never ends")
                item = default(item)
                continue
            break
    return "".join(out).encode()


def _enter(container: Any, path: set[int], push: Callable[[Any], None]) -> None:
    ident = id(container)
    if ident in path:
        raise ValueError("Circular reference detected")
    path.add(ident)
    push(_Leave(ident))


def _key_text(key: Any) -> str:
    # The keys Python's json accepts, converted as it converts them.
    if isinstance(key, str):
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    if isinstance(key, float):
        return _float_text(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _float_text(value: float) -> str:
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == -float("inf"):
        return "-Infinity"
    return float.__repr__(value)
