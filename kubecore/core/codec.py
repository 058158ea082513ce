"""JSON and YAML encoding shared by the models and the REST core (orjson when present)."""

from __future__ import annotations

import gc
import operator
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from kubecore.core.jsontext import json_loads as json_loads
from kubecore.core.model import ItemJSON, Model
from kubecore.core.quantity import Quantity as _Quantity
from kubecore.core.times import MicroTime

_T = TypeVar("_T")
_M = TypeVar("_M", bound=Model)

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    _orjson = None  # type: ignore[assignment]


try:
    import msgspec as _msgspec
except ImportError:  # pragma: no cover - exercised by switching SPLIT_LISTS off
    _msgspec = None  # type: ignore[assignment]

#: Whether list bodies are split into unparsed items (needs msgspec); the tests run both.
SPLIT_LISTS = _msgspec is not None
if _msgspec is not None:
    _split_object = _msgspec.json.Decoder(dict[str, _msgspec.Raw]).decode
    _split_array = _msgspec.json.Decoder(list[_msgspec.Raw]).decode
    # msgspec's nesting limit (the interpreter's recursion limit) is below orjson's (1024):
    # a body nested deeper than msgspec goes is parsed whole, as without msgspec.
    _SPLIT_ERRORS: tuple[type[Exception], ...] = (
        _msgspec.DecodeError,
        _msgspec.ValidationError,
        RecursionError,
    )

# The annotation of a field holding a list of models (not of str, numbers, enums or Any).
_MODEL_LIST = re.compile(r"list\[(?!(?:str|int|float|bool|Any)\])[A-Za-z_][\w.]*\]\Z")
_splits_items: dict[type, bool] = {}


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


def decode_model_json(data: bytes | bytearray | memoryview | str, cls: type[_M]) -> _M:
    """``cls.from_dict`` of the parsed ``data``, which the object takes over.

    A list kind (``items`` holds models) is parsed by ``_decode_list_json``; anything
    else by ``json_loads`` with the collector paused. Raises ``ValueError`` (an
    ``json.JSONDecodeError``) for text that is not JSON, and what ``from_dict`` raises.
    """
    splits = _splits_items.get(cls)
    if splits is None:
        splits = _splits_items[cls] = any(
            f.wire == "items" and _MODEL_LIST.match(f.type) is not None for f in cls.FIELDS
        )
    if not splits:
        return decode_json(data, cls._from_owned)
    obj = _decode_list_json(data, cls._from_owned)
    # The list object itself is loaded now, so its unparsed items live only inside item
    # models (never in a dict that to_dict could hand out).
    obj._materialize()
    return obj


def _decode_list_json(data: bytes | bytearray | memoryview | str, build: Callable[[Any], _T]) -> _T:
    """Parse a list body, keeping each object in ``items`` as its unparsed JSON text
    (``ItemJSON``), then ``build`` from it.

    A list's items are most of its bytes; msgspec finds where each one starts and ends
    (in C, without building anything) and each item is parsed only when its object is
    first read. Until then an item costs its text (about a fifth of the same data as
    dicts) and encodes by copying it. Any body this cannot split the same way (not ASCII,
    not an object, ``items`` not a list of objects, or no msgspec) is parsed whole, so
    the result is always what ``decode_json`` gives, item parsing aside. Used only by
    ``decode_model_json``, which loads the list object at once. Only ASCII
    bodies are split, because msgspec does not check UTF-8 in text it skips.
    """
    if not SPLIT_LISTS:
        return decode_json(data, build)
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not data.isascii():
        return decode_json(data, build)
    with gc_paused():
        try:
            top = _split_object(data)
        except _SPLIT_ERRORS:
            return build(json_loads(data))  # bad JSON or not an object: its usual result
        doc = {
            key: _split_items(raw) if key == "items" else json_loads(memoryview(raw))
            for key, raw in top.items()
        }
        return build(doc)


def _split_items(raw: Any) -> Any:
    try:
        parts = _split_array(raw)
    except _SPLIT_ERRORS:
        return json_loads(memoryview(raw))
    items = [ItemJSON(bytes(part)) for part in parts]
    for item in items:
        if item.data[0] != 0x7B:  # "{": an item that is not an object is kept as parsed
            return json_loads(memoryview(raw))
    return items


def encode_model_json(model: Model) -> bytes:
    """``model.to_json()``: compact JSON of its wire form (see ``json_dumps``).

    orjson hands every model to the C default hook ``_json_value_of``: a plain object gives
    its instance dict (its wire form), an unread one its wire dict or, for an unread list
    item, its text (``orjson.Fragment``), a held one the dict ``_json_form`` builds. In the
    rare document orjson cannot write (see ``json_dumps``) the object is written through
    the general path.
    """
    if _orjson is not None:
        try:
            return _orjson.dumps(model, default=_json_value_of, option=_MODEL_OPTIONS)
        except _orjson.JSONEncodeError:
            pass  # a datetime, a big integer, deep nesting...: the general path says
    return json_dumps(model)


# The default hook of the model encoder, in C: every model exposes what orjson writes for
# it as ``_json_value`` (a plain object its instance dict, read through the slot's C
# descriptor; an unread one its wire dict or text; a held one the dict Python builds), and
# so do Quantities; anything else raises AttributeError, and the encoder takes the general
# path (``json_dumps``). For a plain object this costs what orjson's own dataclass path
# costs; it also lets an unread object hand over its ``_raw`` in C (README design notes).
_json_value_of = operator.attrgetter("_json_value")
_MODEL_OPTIONS = (
    (_orjson.OPT_PASSTHROUGH_DATETIME | _orjson.OPT_PASSTHROUGH_DATACLASS) if _orjson else 0
)


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
            # What orjson cannot write but JSON can: integers beyond 64 bits (which
            # decoding keeps exact), nesting deeper than its 254 levels. The general
            # path writes those; it raises in turn for a value that is not JSON at all.
    from kubecore.core.jsonwriter import write_json  # the rare path: json.encoder on demand

    return write_json(value, _general_default)


def _general_default(value: Any) -> Any:
    # The general path reads an unread list item's text, which orjson keeps to itself.
    if value.__class__ is ItemJSON:
        from kubecore.core.jsonwriter import RawJSON

        return RawJSON(value.data)
    return _default(value)


def _default(value: Any) -> Any:
    if value.__class__ is ItemJSON:
        return value._json_value  # an orjson.Fragment of its text
    if value.__class__ is _Quantity:
        return value.raw
    json_form = getattr(type(value), "_json_form", None)  # a model orjson does not write
    if json_form is not None:
        return json_form(value)
    if isinstance(value, datetime):
        return MicroTime.from_datetime(value)
    to_dict = getattr(value, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    raw = getattr(value, "raw", None)  # Quantity
    if raw is not None:
        return raw
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")
