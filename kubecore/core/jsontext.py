"""Exact JSON parsing, shared by the models and the codec.

orjson parses fastest but turns integers outside 64 bits into floats
(``123456789012345678901234567890`` comes back as ``1.2345678901234568e+29``), which
loses digits: a ``preserve-unknown-fields`` value or a manifest read from a file may hold
one. msgspec's untyped decoder parses as fast (measured within 15% of orjson on a
2,000-pod list, either way) and keeps every integer exact, so it parses every document.
Text msgspec refuses goes to Python's ``json`` for its verdict and its message (a lone
UTF-16 surrogate, which ``json`` reads, is the one thing that passes there).

What JSON can write but no float can hold is refused, as kube-apiserver (Go's
``encoding/json``) refuses it: a number that overflows a float64 (``1e999``) raises
``ValueError`` instead of becoming infinity, which would be written back as ``null``.
``NaN`` and ``Infinity`` are not JSON and are refused as well. Nesting deeper than the
interpreter's recursion limit (which bounds the parser, ``==``, pickling and encoding
alike) raises ``ValueError``, not ``RecursionError``.
"""

from __future__ import annotations

import math
from typing import Any

# msgspec and json are imported on the first parse, not with the models: importing msgspec
# costs about 10 ms (it imports typing, decimal and more), which a program that only
# builds objects never needs.
_decode: Any = None
_decode_error: type[Exception] = Exception


def json_loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Parse one JSON document exactly (integers of any size stay ``int``).

    Raises ``ValueError`` (``json.JSONDecodeError`` for text that is not JSON) for
    anything that is not one JSON document a float64 can hold, nested no deeper than the
    interpreter's recursion limit allows.
    """
    if _decode is None:
        _load_parser()
    try:
        if _decode is not False:
            try:
                return _decode(data)
            except _decode_error:
                pass  # Python's json gives the verdict, with a line and column
        import json

        if isinstance(data, memoryview):
            data = bytes(data)
        return json.loads(data, parse_float=_finite_float, parse_constant=_not_json)
    except RecursionError:
        raise ValueError(
            "JSON nested too deeply: deeper than the interpreter's recursion limit"
        ) from None


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"JSON number {text[:40]} is out of range for a float64")
    return value


def _not_json(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _load_parser() -> None:
    global _decode, _decode_error
    try:
        from msgspec import DecodeError
        from msgspec.json import decode
    except ImportError:  # pragma: no cover - msgspec is a declared dependency
        _decode = False
        return
    _decode_error, _decode = DecodeError, decode
