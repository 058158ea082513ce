"""Exact JSON parsing, shared by the models and the codec.

orjson parses fastest but turns integers outside 64 bits into floats
(``123456789012345678901234567890`` comes back as ``1.2345678901234568e+29``), which
loses digits: a ``preserve-unknown-fields`` value or a manifest read from a file may hold
one. msgspec's untyped decoder parses as fast (measured within 15% of orjson on a
2,000-pod list, either way) and keeps every integer exact, so it parses every document.
What msgspec refuses although Python's ``json`` reads it (numbers that overflow a float
such as ``1e999``, the ``NaN``/``Infinity`` literals, lone UTF-16 surrogates) is read by
``json`` instead: decoding never fails on a document ``json.loads`` accepts. Nesting
deeper than the interpreter's recursion limit (which bounds msgspec and ``json``) goes to
orjson, which reads 1,024 levels. Without msgspec (an optional import) ``json`` parses
everything, exactly and more slowly.
"""

from __future__ import annotations

from typing import Any

from orjson import loads as _orjson_loads

# msgspec and json are imported on the first parse, not with the models: importing msgspec
# costs about 10 ms (it imports typing, decimal and more), which a program that only
# builds objects never needs.
_decode: Any = None
_decode_error: type[Exception] = Exception


def json_loads(data: bytes | bytearray | memoryview | str) -> Any:
    """Parse one JSON document exactly (integers of any size stay ``int``).

    Raises ``ValueError`` (``json.JSONDecodeError``) for text that is not JSON.
    """
    if _decode is None:
        _load_parser()
    if _decode is not False:
        try:
            return _decode(data)
        except _decode_error:
            pass  # not JSON at all, or only Python's json reads it: it decides
        except RecursionError:
            # Nested deeper than the interpreter's recursion limit, which bounds msgspec
            # and json alike; orjson goes to 1,024 levels (exact unless an integer
            # there is beyond 64 bits).
            try:
                return _orjson_loads(data)
            except ValueError:
                pass
    import json

    if isinstance(data, memoryview):
        data = bytes(data)
    return json.loads(data)


def _load_parser() -> None:
    global _decode, _decode_error
    try:
        from msgspec import DecodeError
        from msgspec.json import decode
    except ImportError:  # pragma: no cover - msgspec is a declared dependency
        _decode = False
        return
    _decode_error, _decode = DecodeError, decode
