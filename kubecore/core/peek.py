"""Read ``metadata`` fields of a model without loading it (client-go: ``meta.Accessor``).

An informer keys, indexes and compares resource versions of every object it receives, and
most of them are *unread* (decoded lazily, see :class:`kubecore.core.model.Model`): reading
``obj.metadata.name`` would build every field of the object and of its ``ObjectMeta`` for a
handler that may never look at them. :func:`peek_meta` answers from the wire form instead.

How each state answers:

* *unread* over a wire dict (a watch event, ``from_dict``): the dict's ``metadata``;
* *unread* over an :class:`~kubecore.core.model.ItemJSON` (an item of a list body): the
  text is parsed once and the parsed dict **replaces** the text in ``_raw``, so the
  object stays unread and its first field read loads from that dict instead of parsing
  again. Measured (README, "Keys without loading"): parse-and-keep costs about what the
  parse alone costs, a third to a half of a load plus the ``ObjectMeta`` load; the object
  then holds a parsed dict rather than its text, as every object from a watch event
  does, and encodes through orjson from that dict instead of copying the text;
* loaded (plain or held): the instance dict, and the ``metadata`` object's own state in
  turn (it is often still unread).

Values come back as the typed read gives them: only the field types whose typed read is
the wire value itself when its JSON type fits (``str``, ``int``, ``bool``, ``dict[str, str]``,
``list[str]``) are peeked; a value of the wrong JSON type reads None, as the typed read
gives for it (it keeps such a value in ``extra_fields``). Any other field (times, child
models), a class without an always-set ``metadata`` model field, or a metadata field an
object of its own class would not keep in its instance dict is read the typed way
(``getattr``), which loads.

Thread safety: the wire dict an unread object holds is never changed (a load works on a
copy of it and publishes the loaded state before it clears ``_raw``), so a peek racing a
load reads either that dict or the finished instance dict, and both give the same
answers. A peek that parsed an ``ItemJSON`` while another thread loaded the object clears
the ``_raw`` it set again once it sees the object loaded.
"""

from __future__ import annotations

from kubecore.core.model import (
    ItemJSON,
    Model,
    _attributes,
    _base,
    _get_raw,
    _new,
    _set_raw,
    _side_wires,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["peek_meta"]

_get_dict = Model.__dict__["__dict__"].__get__
_MISSING: Any = object()


def peek_meta(obj: Model, wire: str) -> Any:
    """``obj.metadata.<field>`` for the metadata field whose wire name is ``wire``
    (``"name"``, ``"resourceVersion"``, ``"labels"``), read without loading ``obj`` when
    the field's value is a plain JSON value (see the module docstring).

    ``obj`` is a generated model in any state. Returns exactly what
    ``getattr(obj.metadata, <attribute of wire>)`` returns: a ``str`` for string fields,
    the wire ``dict`` itself for maps (shared with the object: read it, do not change it),
    None when absent, null or of the wrong JSON type, or when ``obj`` has no
    ``metadata``. Never raises. client-go: ``meta.Accessor(obj).GetName()`` and
    the other getters.
    """
    info = _meta_info(_base(obj))
    if info is None:
        return _typed_read(obj, wire)
    check = info.get(wire)
    if check is None:
        return _typed_read(obj, wire)
    data = _unread_wire(obj)
    if data is not None:
        meta = data.get("metadata")
        if meta.__class__ is not dict:
            return None  # null or the wrong shape: an empty ObjectMeta is read
        value = meta.get(wire)
        return value if value is None or check(value) else None
    meta = _get_dict(obj).get("metadata", _MISSING)
    if meta is _MISSING or not isinstance(meta, Model):
        return _typed_read(obj, wire)  # absent (held: read as empty), or set by hand
    data = _unread_wire(meta)
    if data is not None:
        value = data.get(wire)
        return value if value is None or check(value) else None
    if type(meta)._VARIANT == "held":
        return _typed_read(obj, wire)  # a value kept aside reads None; let the class say
    return _get_dict(meta).get(wire)


def _unread_wire(obj: Model) -> dict[str, Any] | None:
    """The wire dict of the unread ``obj`` (an ``ItemJSON`` parsed once and kept in its
    place), or None when ``obj`` is loaded (or an item that is not a JSON object)."""
    if type(obj)._VARIANT != "unread":
        return None
    raw = _get_raw(obj)
    if raw is None:
        return None  # loaded by another thread since the check above
    if raw.__class__ is ItemJSON:
        parsed = raw.parse()
        if parsed.__class__ is not dict:
            return None  # the typed read decides what such an item reads as
        _set_raw(obj, parsed)  # the load copies this dict instead of parsing again
        if type(obj)._VARIANT != "unread":
            _set_raw(obj, None)  # another thread loaded it meanwhile: keep nothing
        return parsed
    data: dict[str, Any] = raw
    return data


def _typed_read(obj: Model, wire: str) -> Any:
    meta = getattr(obj, "metadata", None)
    if meta is None:
        return None
    name = wire
    if isinstance(meta, Model):
        name = next((n for n, w in _attributes(_base(meta)).items() if w == wire), wire)
    return getattr(meta, name, None)


def _meta_info(cls: type[Model]) -> dict[str, Callable[[Any], bool]] | None:
    """Wire name -> the check a wire value must pass to be read as it is, for the fields
    of ``cls``'s metadata class that can be peeked; None when ``cls`` has no always-set
    ``metadata`` model field (cached on the class)."""
    try:
        found: dict[str, Callable[[Any], bool]] | None = cls.__dict__["_peek_meta_info"]
        return found
    except KeyError:
        pass
    found = None
    field = next((f for f in cls.FIELDS if f.wire == "metadata"), None)
    if field is not None and field.always_set and field.name == "metadata":
        try:
            meta_cls = type(cls._empty(_new(cls), "metadata"))
        except AttributeError:
            meta_cls = None
        if meta_cls is not None and issubclass(meta_cls, Model):
            side = _side_wires(meta_cls)
            found = {}
            for info in meta_cls.FIELDS:
                check = _CHECKS.get(info.type.removesuffix(" | None"))
                if check is not None and not info.always_set and info.wire not in side:
                    found[info.wire] = check
    cls._peek_meta_info = found  # type: ignore[attr-defined]
    return found


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and value.__class__ is not bool


def _is_bool(value: Any) -> bool:
    return value.__class__ is bool


def _is_dict(value: Any) -> bool:
    return isinstance(value, dict)


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


#: Field types (as ``FieldInfo.type`` spells them, less ``| None``) whose typed read is the
#: wire value itself when it passes the check (the generated ``_load`` checks the same).
_CHECKS: dict[str, Callable[[Any], bool]] = {
    "str": _is_str,
    "int": _is_int,
    "bool": _is_bool,
    "dict[str, str]": _is_dict,
    "list[str]": _is_list,
}
