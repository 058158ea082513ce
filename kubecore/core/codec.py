"""JSON and YAML encoding shared by the models and the REST core (orjson when present)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from kubecore.core.times import MicroTime

_T = TypeVar("_T")

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _orjson = None  # type: ignore[assignment]


def json_loads(data: bytes | bytearray | memoryview | str) -> Any:
    if _orjson is not None:
        return _orjson.loads(data)
    import json

    return json.loads(data)


_pause_lock = threading.Lock()
_pause_depth = 0
_pause_reenable = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building a large object graph.

    Parsing allocates a graph in which nothing is garbage yet, so collections during a
    decode only rescan live objects: for a 2,000-pod list they cost more than the parse
    itself. Reference counting still frees everything as usual.

    Pauses nest and overlap across threads (informers syncing at once): the collector is
    switched off by the first pause and back on only when the last one ends, and only if
    it was on when the first began (it is never switched on if the program had it off).
    """
    global _pause_depth, _pause_reenable
    with _pause_lock:
        if _pause_depth == 0:
            _pause_reenable = gc.isenabled()
            gc.disable()
        _pause_depth += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pause_depth -= 1
            if _pause_depth == 0 and _pause_reenable:
                gc.enable()


def decode_json(data: bytes | bytearray | memoryview | str, build: Callable[[Any], _T]) -> _T:
    """Parse ``data`` and build objects from it (e.g. ``Pod.from_dict``) with GC paused."""
    with gc_paused():
        return build(json_loads(data))


def json_dumps(value: Any) -> bytes:
    """Compact JSON bytes; str subclasses (Time) and StrEnum members encode as strings.

    A ``datetime`` (assigned where a Time or MicroTime belongs) encodes as MicroTime text
    in UTC (``2024-05-06T07:08:09.000000Z``, which both kinds of field parse); a naive one
    raises ``ValueError``: kube-apiserver rejects zone-less timestamps, so it must never be
    sent (orjson alone would write it without a zone). ``date`` and ``time`` raise
    ``TypeError``.
    """
    if _orjson is not None:
        try:
            return _orjson.dumps(value, default=_default, option=_orjson.OPT_PASSTHROUGH_DATETIME)
        except _orjson.JSONEncodeError as exc:
            if isinstance(exc.__cause__, ValueError):  # orjson wraps what default raised
                raise exc.__cause__ from None
            raise
    import json

    return json.dumps(value, separators=(",", ":"), default=_default).encode()


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return MicroTime.from_datetime(value)
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    raw = getattr(value, "raw", None)  # Quantity
    if raw is not None:
        return raw
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
