"""JSON and YAML encoding shared by the models and the REST core (orjson when present)."""

from __future__ import annotations

from typing import Any

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _orjson = None  # type: ignore[assignment]


def json_loads(data: bytes | bytearray | memoryview | str) -> Any:
    if _orjson is not None:
        return _orjson.loads(data)
    import json

    return json.loads(data)


def json_dumps(value: Any) -> bytes:
    """Compact JSON bytes; str subclasses (Time) and StrEnum members encode as strings."""
    if _orjson is not None:
        return _orjson.dumps(value, default=_default)
    import json

    return json.dumps(value, separators=(",", ":"), default=_default).encode()


def _default(value: Any) -> Any:
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    raw = getattr(value, "raw", None)  # Quantity
    if raw is not None:
        return raw
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
