"""The base class every generated model derives from.

Generated classes are plain classes with a generated keyword-only ``__init__``; they
behave like ``@dataclass(kw_only=True)`` classes (``dataclasses.fields``, ``replace``,
``is_dataclass`` and ``asdict`` work), but the per-class code is compiled ahead of time
instead of by the ``dataclass`` decorator at import, which measured at about 0.7 ms per
class (see the README's design notes).

An object's instance dict is its wire form (keys are wire names; see ``Model``), so
orjson writes a model in C as it writes a dict. Decoding is lazy: ``_decode`` keeps the
wire dict (or the unparsed ``ItemJSON`` of a list item) in the ``_raw`` slot, and the
first read of a field runs the generated ``_load`` on a copy of it, which turns child
objects into (again unread) models, enum values into members, times and quantities into
their types, and checks that each value fits its field. An object nobody reads costs one
small wrapper over its parsed JSON, and encodes by handing that JSON back to orjson.

Fields that are always set (required by the schema, and the ``metadata`` of every kind)
are typed without ``| None``. While such a field is absent, reading it gives its type's
empty value (``""``, ``0``, ``False``, ``[]``, ``{}``, an empty model) and the encoder
leaves it out (a list, map or model is kept, and left out while it is still empty), so
decode -> encode stays exact.
"""

from __future__ import annotations

from datetime import datetime as _datetime
from marshal import dumps as _marshal_dumps
from marshal import loads as _marshal_loads

from orjson import Fragment as _Fragment

from kubecore.core.jsoneq import same_json as _same_json
from kubecore.core.jsontext import json_loads as _json_loads
from kubecore.core.quantity import Quantity as _Quantity

# Neither typing nor dataclasses is imported at run time: every model imports this module,
# and those two imports cost more than all of core/v1's classes (see the README).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import dataclasses
    from collections.abc import Callable
    from enum import StrEnum
    from typing import Any, ClassVar, TypeVar

    _M = TypeVar("_M", bound="Model")
    _E = TypeVar("_E", bound=StrEnum)


#: What ``Model.validate()`` calls; None means ``kubecore.core.validation.api.validate``.
validate_hook: Callable[[Model], list[Any]] | None = None


class ItemJSON:
    """The JSON text of one object not parsed yet: an item of a list body that
    ``kubecore.core.codec.decode_list_json`` split off. A model decoded from it parses it on
    first access; until then it is encoded by copying the text (``bytes``, ASCII)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def parse(self) -> Any:
        return _json_loads(self.data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ItemJSON) and other.data == self.data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ItemJSON({len(self.data)} bytes)"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle protocols 0 and 1 cannot save a __slots__ object on their own (an unread
        # list item pickles its text).
        return (ItemJSON, (self.data,))

    @property
    def _json_value(self) -> _Fragment:
        """What the model encoder's default hook writes: the text as it came."""
        return _Fragment(self.data)


class FieldInfo:
    """What the generator knew about one field: its names and its patch semantics."""

    __slots__ = (
        "name",
        "wire",
        "type",
        "required",
        "patch_strategy",
        "patch_merge_key",
        "list_type",
        "list_map_keys",
        "always_set",
    )

    def __init__(
        self,
        name: str,
        wire: str,
        type: str,
        required: bool = False,
        patch_strategy: str | None = None,
        patch_merge_key: str | None = None,
        list_type: str | None = None,
        list_map_keys: tuple[str, ...] = (),
        always_set: bool = False,
    ) -> None:
        self.name = name
        self.wire = wire
        self.type = type
        self.required = required
        self.patch_strategy = patch_strategy
        self.patch_merge_key = patch_merge_key
        self.list_type = list_type
        self.list_map_keys = list_map_keys
        #: Typed without ``| None``: reads give the type's empty value while absent.
        self.always_set = always_set

    def __repr__(self) -> str:
        return f"FieldInfo({self.name!r}, {self.wire!r}, {self.type!r})"


class _DataclassFields:
    """Builds ``__dataclass_fields__`` on first use, so importing a model costs nothing.

    Besides one field per ``FIELDS`` entry it holds ``extra_fields`` as an ``InitVar`` with a
    default: ``dataclasses.fields()``, ``asdict()`` and ``astuple()`` leave it out, while
    ``dataclasses.replace()`` (CPython 3.11: it passes every init field and InitVar not in
    ``changes`` as ``getattr(obj, name)``) hands the object's ``extra_fields`` to the
    generated ``__init__``, so a replaced object keeps the fields its class does not know
    and its explicit nulls. The generator reserves the name (``naming``): no wire field
    becomes an attribute called ``extra_fields``.
    """

    def __get__(self, obj: object, owner: type[Model]) -> dict[str, dataclasses.Field[Any]]:
        cache: dict[str, dataclasses.Field[Any]] | None = owner.__dict__.get(
            "_dataclass_fields_cache"
        )
        if cache is None:
            import dataclasses

            cache = {}
            for info in owner.FIELDS:
                cache[info.name] = _field(info.name, info.type, dataclasses._FIELD)  # type: ignore[attr-defined]
            cache["extra_fields"] = _field(
                "extra_fields",
                "InitVar[dict[str, Any] | None]",
                dataclasses._FIELD_INITVAR,  # type: ignore[attr-defined]
            )
            owner._dataclass_fields_cache = cache  # type: ignore[attr-defined]
        return cache


def _field(name: str, type_: str, kind: object) -> dataclasses.Field[Any]:
    """A ``dataclasses.Field`` as the ``dataclass`` decorator would build it for a keyword-only
    field with the default None (``kind``: ``dataclasses._FIELD`` or ``_FIELD_INITVAR``)."""
    import dataclasses

    f: dataclasses.Field[Any] = dataclasses.field(kw_only=True)
    f.default = None
    f.name = name
    f.type = type_
    f._field_type = kind  # type: ignore[attr-defined]
    return f


class Model:
    """A typed Kubernetes object or sub-object with a lossless wire codec.

    Storage: the instance ``__dict__`` *is* the wire form. Its keys are wire names
    (``podIP``), in the order they came; a key is present exactly when the field is (an
    explicit ``null`` is a key holding None); child objects are models, enums are members,
    times are ``Time`` text, quantities ``Quantity``. Attributes read it: a field whose
    Python name is its wire name is a plain instance attribute (class default None), one
    renamed (``pod_ip``) a C-level property over it. Fields the class does not know, sent
    by a newer server, are keys like any other. So ``to_json`` hands the object to orjson,
    whose C default hook reads ``_json_value`` (the instance dict itself, through the slot's
    descriptor) and writes it in C: no per-field Python code runs.

    States (the object's class; ``obj.__class__`` always answers the generated class):

    * *unread*: decoded but not read yet (``_raw`` holds the wire dict or unparsed
      ``ItemJSON``); the first field access loads it (a descriptor per field name), and
      so does any write. orjson writes its JSON as it came.
    * *plain*: the generated class itself; orjson writes ``__dict__``.
    * *held*: some wire value cannot live in ``__dict__`` (``_extra``): a value whose shape
      does not fit its field (a string where the schema says object; the attribute holds
      None), a null in an always-set field, a key orjson would skip (``_x``) or that would
      shadow the class's API (``validate``), or an always-set field that is absent but was
      read (``_absent``: a list, map or object created empty, left out while still
      empty). Encoded by Python (``_json_form``); rare in real data.

    Writes go through ``__setattr__``: a field name writes its wire key (None removes it),
    anything else not defined on the class raises AttributeError, as with ``__slots__``.
    """

    __slots__ = ("__dict__", "_raw", "_extra", "_absent", "_attrs")

    #: Field metadata in declaration order (generated).
    FIELDS: ClassVar[tuple[FieldInfo, ...]] = ()
    #: Fields whose values the schema does not fix to one JSON type (free-form JSON,
    #: int-or-string, unions; generated): ``==`` compares them as JSON documents.
    _LOOSE_FIELDS: ClassVar[tuple[str, ...]] = ()
    _WIRE_NAMES: ClassVar[frozenset[str]] = frozenset()
    __dataclass_fields__: ClassVar[Any] = _DataclassFields()
    #: Set on the variant classes of the unread and held states.
    _VARIANT: ClassVar[str] = ""

    _raw: dict[str, Any] | ItemJSON | None
    _extra: dict[str, Any] | None
    _absent: tuple[str, ...]
    #: Attributes that are not wire fields: private ones (``_name``) and those a user
    #: subclass declares with a class default (kept off the wire, out of ``==``, in copies).
    _attrs: dict[str, Any] | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("_VARIANT"):
            return
        # A plain object's instance dict is its wire form: the encoder's default hook
        # reads it through the slot's own C descriptor (no Python code runs).
        cls._json_value = Model.__dict__["__dict__"]
        if "__slots__" not in cls.__dict__:
            # orjson writes an object as a dataclass when its own class says so; a user
            # subclass with __slots__ is encoded through _json_form instead.
            cls.__dataclass_fields__ = Model.__dict__["__dataclass_fields__"]
        if "FIELDS" not in cls.__dict__:
            # A user subclass: a plain class attribute of its own (``retries = 0``) is the
            # default of an attribute its objects keep in _attrs, never in the wire form.
            for name, value in list(cls.__dict__.items()):
                if name[:2] != "__" and not hasattr(value, "__get__"):
                    setattr(cls, name, _UserAttribute(name, value))
        if "FIELDS" in cls.__dict__:
            side = _side_wires(cls)
            cls._WIRE_SAFE = cls._WIRE_NAMES - side
            cls._ALWAYS_SET = frozenset(
                info.wire for info in cls.FIELDS if info.always_set and info.wire not in side
            )
            names = {info.name for info in cls.FIELDS}
            for info in cls.FIELDS:
                if info.wire in side:
                    setattr(cls, info.name, property(_side_getter(info.wire)))
                elif info.name != info.wire:
                    if (
                        info.wire in names
                        or info.wire in cls.__dict__
                        or not info.wire.isidentifier()
                    ):
                        # another field's attribute, or a name attrgetter would read as a
                        # path ("a.b"): read the dict itself
                        getter = _dict_getter(info.wire, info.always_set)
                        setattr(cls, info.name, property(getter))
                        continue
                    setattr(cls, info.name, property(_attrgetter(info.wire)))
                    if not info.always_set:
                        setattr(cls, info.wire, None)  # the default the getter finds

    _WIRE_SAFE: ClassVar[frozenset[str]] = frozenset()
    #: Wire names of the always-set fields: a plain object has them all (else it is held).
    _ALWAYS_SET: ClassVar[frozenset[str]] = frozenset()

    # --- decoding -------------------------------------------------------------------

    @classmethod
    def from_dict(cls: type[_M], data: dict[str, Any], *, copy: bool = True) -> _M:
        """Decode wire data (a JSON object as ``dict``); never fails on its content.

        Any JSON in any field decodes: a value whose shape does not fit the field is kept
        in :attr:`extra_fields` and encoded back unchanged, the attribute holding None (or
        its empty value). Fields are built on first access (see the class docstring).

        ``data`` is deep-copied first, so the object shares nothing with it. With
        ``copy=False`` the object takes ``data`` over and reads it lazily: the caller must
        not change it afterwards (the clients do this with a response they just parsed).

        Raises TypeError if ``data`` is not a dict, and ValueError if ``data`` names
        another kind (a string ``apiVersion`` or ``kind`` other than this class's
        ``API_VERSION`` / ``KIND``); use the scheme's ``from_dict`` for any kind.
        client-go: ``runtime.Decode`` into a typed object.
        """
        if not isinstance(data, dict):
            raise TypeError(
                f"{cls.__qualname__}.from_dict expects a JSON object (dict), "
                f"got {type(data).__name__}"
            )
        kind = getattr(cls, "KIND", None)
        if kind is not None:
            _check_kind(cls, data, kind, getattr(cls, "API_VERSION", None))
        return cls._decode(copy_value(data) if copy else data)

    @classmethod
    def _decode(cls: type[_M], data: dict[str, Any] | ItemJSON) -> _M:
        """An unread object over ``data`` (a dict or ItemJSON, taken over; no kind check).
        Raises AttributeError for anything else, as the generated decoders expect of an
        item of a list or map of models (they keep such a list whole in ``_extra``)."""
        if not isinstance(data, dict) and data.__class__ is not ItemJSON:
            raise AttributeError(f"{cls.__qualname__} is decoded from a JSON object")
        unread = cls.__dict__.get("_unread_variant") or _variant(cls, "unread")
        self: _M = _new(unread)
        _set_raw(self, data)
        return self

    def _load(self, data: dict[str, Any]) -> list[str] | None:
        """Turn the wire dict ``data`` (this object's own copy) into field values in place:
        child objects, enum members, times, quantities. Returns the wire names whose values
        do not fit their fields, or None (generated per class)."""
        return None

    def _empty(self, name: str) -> Any:
        """The empty value of the always-set field ``name`` (generated per class)."""
        raise AttributeError(name)

    def _materialize(self) -> None:
        """Load an unread object: build its fields from ``_raw`` and leave the unread state
        (nothing to do for any other object)."""
        _load_unread(self)

    # --- attribute access -------------------------------------------------------------

    if not TYPE_CHECKING:  # hidden: a class with __setattr__ lets mypy accept any attribute

        def __setattr__(self, name: str, value: Any) -> None:
            if type(self)._VARIANT == "unread":
                _load_unread(self)  # a write sees (and keeps) every field
            wire = _attributes(_base(self)).get(name)
            if wire is None:
                found = _class_attribute(type(self), name)
                if hasattr(found, "__set__"):  # a slot, a property with a setter
                    object.__setattr__(self, name, value)
                    return
                if found is _MISSING and name[:1] == "_":
                    # read back through a data descriptor on the class (a plain object has
                    # no __getattr__), which also wins over a wire key of the same name
                    setattr(_base(self), name, _UserAttribute(name, _MISSING))
                    _set_attr(self, name, value)
                    return
                if found is not _MISSING:  # a method, a class constant, a wire name's default
                    field = next((f.name for f in _base(self).FIELDS if f.wire == name), None)
                    hint = f" (the wire name of the field {field!r})" if field else ""
                    raise AttributeError(
                        f"{type(self).__name__!r} object attribute {name!r} is read-only{hint}"
                    )
                raise AttributeError(
                    f"{type(self).__name__!r} object has no attribute {name!r} "
                    "(models take their fields only; unknown wire fields go in extra_fields)"
                )
            if wire in _base(self)._WIRE_NAMES and wire not in _base(self)._WIRE_SAFE:
                _set_side(self, wire, value)
                return
            data = self.__dict__
            if value is None:
                data.pop(wire, None)
                if wire in _base(self)._ALWAYS_SET:
                    _hold(self)  # reads give the empty value from now on
            else:
                data[wire] = value
            if type(self)._VARIANT == "held":
                _written(self, wire)

    def __delattr__(self, name: str) -> None:
        wire = _attributes(_base(self)).get(name)
        if wire is None:
            attrs = _slot(self, "_attrs")
            if attrs is not None and name in attrs:
                _set_attr(self, name, _MISSING)
                return
            object.__delattr__(self, name)
            return
        _load_unread(self)
        if wire not in _base(self)._WIRE_SAFE:
            _set_side(self, wire, None)
            return
        held = type(self)._VARIANT == "held"
        if held and wire in (_slot(self, "_extra") or ()):
            self.__dict__.pop(wire, None)  # the value kept aside goes with it
        else:
            try:
                del self.__dict__[wire]
            except KeyError:
                raise AttributeError(name) from None
        if wire in _base(self)._ALWAYS_SET:
            _hold(self)  # reads give the empty value from now on
        if type(self)._VARIANT == "held":
            _written(self, wire)

    # --- encoding -----------------------------------------------------------------------

    def _json_form(self) -> Any:
        """What the encoders write for this object: the wire dict (sharing this object's
        values), or the ``ItemJSON`` of an unread list item (its text)."""
        raw = _raw_of(self)
        if raw is not None:
            return raw
        data = self.__dict__
        extra = _slot(self, "_extra") if type(self)._VARIANT == "held" else None
        if not extra and not _held_absent(self):
            return data
        out: dict[str, Any] = dict(extra) if extra else {}
        absent = _absent_now(self)
        for key, value in data.items():
            if key not in absent:  # created empty on read and still empty: not on the wire
                out[key] = value
        return out

    #: ``_json_form()`` as an attribute, for the encoder's C-level default hook.
    _json_value = property(_json_form)

    def to_dict(self) -> dict[str, Any]:
        """The wire form: a fresh JSON-like dict (camelCase keys) the caller owns.
        client-go: ``runtime.DefaultUnstructuredConverter.ToUnstructured``."""
        raw = _raw_of(self)
        if raw is not None:
            parsed: dict[str, Any] = raw.parse() if raw.__class__ is ItemJSON else copy_value(raw)
            return parsed
        return {k: _wire_copy(v) for k, v in self._json_form().items()}

    @classmethod
    def from_json(cls: type[_M], data: bytes | str) -> _M:
        """Decode JSON bytes or text (``from_dict`` of the parsed document, which this
        object then owns). Raises ``json.JSONDecodeError`` (a ValueError) on bad JSON."""
        from kubecore.core.codec import decode_model_json

        return decode_model_json(data, cls)

    @classmethod
    def _from_owned(cls: type[_M], data: Any) -> _M:
        return cls.from_dict(data, copy=False)

    def to_json(self) -> bytes:
        """Compact JSON bytes of the wire form. Parts never read since decoding are
        serialized from their parsed JSON as they came."""
        from kubecore.core.codec import encode_model_json

        return encode_model_json(self)

    def validate(self) -> list[Any]:
        """The problems kube-apiserver would report for this object: a list of
        ``kubecore.core.validation.FieldError`` (``field`` in wire names, ``attribute_path``
        in attribute names). Only for top-level kinds (with ``API_VERSION``/``KIND``);
        CRD kinds need their CRD added to ``kubecore.core.validation.api.default_validator()``.
        Never run on decode. Delegates to the module-level ``validate_hook``.
        """
        if validate_hook is not None:
            return validate_hook(self)
        from kubecore.core.validation.api import validate

        return validate(self)

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Wire fields this class does not model, explicit nulls, and values whose shape
        does not fit their field. A new dict (a shallow copy): adding or removing its keys
        changes nothing, but its values are the object's own, so changing a nested list or
        map in place changes the object (set ``extra_fields=`` through ``__init__`` or
        ``dataclasses.replace`` to replace them)."""
        _load_unread(self)
        base = _base(self)
        known = base._WIRE_NAMES
        data = self.__dict__
        out = _ExtraFields((k, v) for k, v in data.items() if v is None or k not in known)
        extra = _slot(self, "_extra") if type(self)._VARIANT == "held" else None
        if extra:
            side = known - base._WIRE_SAFE  # fields kept aside only for their names
            out.update((k, v) for k, v in extra.items() if k not in side)
        always = _always_set_fields(base) if type(self)._VARIANT == "held" else None
        if always:  # (a plain object holds every always-set field: nothing made up)
            absent = _absent_now(self)
            made_up: dict[str, Any] = {}
            for info in always.values():
                wire = info.wire
                if wire not in data:
                    made_up[wire] = _MISSING  # reads as its (immutable) empty value
                elif wire in absent:
                    made_up[wire] = data[wire]  # the empty list, map or model read
            if made_up:
                out.made_up = made_up
        return out

    # --- copies, pickling, comparison ---------------------------------------------------

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # Pickles name the class where users import it (the package, not the module the
        # generator put it in, which a regeneration may change); an unread object pickles
        # its JSON without loading it.
        base = _base(self)
        return (
            _new_model,
            (public_module(base), base.__qualname__, type(self)._VARIANT),
            (None if _raw_of(self) is not None else self.__dict__, _slot_state(self)),
        )

    def __copy__(self: _M) -> _M:
        """``copy.copy``: the shallow copy a dataclass gets, read or not: a new object whose
        fields are this object's field values themselves (``copy.copy(p).metadata is
        p.metadata``, also for an always-set field read as empty), with the same
        ``extra_fields``. An object not read yet loads first, so the copy and the original
        share their child objects. ``copy.deepcopy``, ``deep_copy()`` and pickling copy
        everything and keep an unread object unread."""
        _load_unread(self)
        for name in _always_set_fields(_base(self)):
            getattr(self, name)  # an empty list, map or object is made here, to be shared
        new: _M = _new(type(self))
        _set_dict(new, dict(self.__dict__))
        for name, value in _slot_state(self).items():
            object.__setattr__(new, name, dict(value) if value and name in _DICT_SLOTS else value)
        return new

    def deep_copy(self: _M) -> _M:
        """An equal object sharing no mutable state with this one (client-go's
        ``DeepCopy``): models, lists and dicts are copied; str, numbers, Quantity, Time and
        enum members are immutable and shared. Use it before changing an object taken from
        a shared cache (an informer's store). The cyclic garbage collector is paused while
        the copy is built, as in decoding (nothing in a fresh copy is garbage)."""
        from kubecore.core.codec import gc_paused

        with gc_paused():
            return self._copy()

    def _copy(self: _M) -> _M:
        """The deep copy (an unread object stays unread, over a copy of its JSON)."""
        raw = _raw_of(self)
        if raw is not None:
            copied: _M = type(self)._decode(raw if raw.__class__ is ItemJSON else copy_value(raw))
        else:
            copied = _new(type(self))
            _set_dict(copied, {k: copy_value(v) for k, v in self.__dict__.items()})
        for name, value in _slot_state(self).items():
            if name != "_raw":
                object.__setattr__(copied, name, copy_value(value))
        return copied

    def __eq__(self, other: object) -> bool:
        """Same class and the same JSON document after encoding, read or not.

        Typed fields compare with ``==`` (child models recursively, Quantities by value:
        ``"1"`` equals ``"1000m"``, a float field's ``1`` equals ``1.0``). Values whose JSON
        type the schema leaves open (``_LOOSE_FIELDS``: free-form JSON, int-or-string,
        unions) and the unknown fields and nulls in ``extra_fields`` must also be the same
        JSON (``kubecore.core.jsoneq.same_json``: ``1``, ``1.0`` and ``True`` differ, NaN
        never equals). NotImplemented for another class. client-go:
        ``equality.Semantic.DeepEqual``.
        """
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Model)
        mine_raw, their_raw = _raw_of(self), _raw_of(other)
        if mine_raw is not None and their_raw is not None:
            if mine_raw.__class__ is their_raw.__class__ and _same_document(mine_raw, their_raw):
                # The same JSON: the same objects. Different JSON proves nothing (Quantities
                # compare by value: "1" == "1000m"), so that case loads.
                return True
        _load_unread(self)
        _load_unread(other)
        mine, theirs = _compared(self), _compared(other)
        if mine != theirs:  # in C; child models recurse through here
            return False
        base = _base(self)
        for wire in _loose_wires(base):
            if not _same_json(mine.get(wire), theirs.get(wire)):
                return False
        known = base._WIRE_NAMES
        if not mine.keys() <= known:
            for key in mine.keys() - known:
                if not _same_json(mine[key], theirs[key]):
                    return False
        if type(self)._VARIANT == "held" or type(other)._VARIANT == "held":
            return _same_json(_slot(self, "_extra") or None, _slot(other, "_extra") or None)
        return True

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        _load_unread(self)
        data = self.__dict__
        absent = _absent_now(self)
        parts = [
            f"{f.name}={value!r}"
            for f in _base(self).FIELDS
            if (value := data.get(f.wire)) is not None and f.wire not in absent
        ]
        return f"{_base(self).__qualname__}({', '.join(parts)})"


# Slot and type plumbing, in C where it can be: these never go through Model.__setattr__
# or an unread object's load-on-read descriptors.
_get_raw = Model.__dict__["_raw"].__get__
_set_raw = Model.__dict__["_raw"].__set__
_set_dict = Model.__dict__["__dict__"].__set__
_set_class = object.__dict__["__class__"].__set__


def _new(cls: type[_M]) -> _M:
    """A bare instance of ``cls`` (no field set, private slots unset)."""
    self: _M = object.__new__(cls)
    return self


def _raw_of(obj: Model) -> Any:
    """The wire dict or ItemJSON of an unread object; None once it is read (or built)."""
    if type(obj)._VARIANT != "unread":
        return None
    return _get_raw(obj)


def _slot_state(obj: Model) -> dict[str, Any]:
    """The slots of ``obj`` that hold a value (its private state and a user subclass's
    slots), read through the slot descriptors so that nothing loads."""
    found: dict[str, Any] = {}
    for klass in type(obj).__mro__:
        for name in klass.__dict__.get("__slots__", ()):
            if name in ("__dict__", "__weakref__") or name in found:
                continue
            try:
                found[name] = klass.__dict__[name].__get__(obj, klass)
            except AttributeError:
                continue
    return found


def _slot(obj: Model, name: str) -> Any:
    """The private slot ``name`` of ``obj``, or None when unset."""
    try:
        return Model.__dict__[name].__get__(obj, Model)
    except AttributeError:
        return None


def _base(obj: Model) -> type[Model]:
    """The generated class of ``obj`` (its class without the state variant)."""
    cls = type(obj)
    return cls.__dict__.get("_BASE", cls) if cls._VARIANT else cls


def _variant(cls: type[Model], state: str) -> type[Model]:
    """The class of ``cls``'s objects in ``state`` ("unread" or "held"), made once.

    It has the generated class's names, and ``obj.__class__`` answers the generated class,
    so ``isinstance``, ``==``, ``dataclasses.replace``, pickling and printing see no
    difference. Its ``_json_value`` is what the encoder's default hook writes: an unread
    object's ``_raw``, a held object's ``_json_form()``."""
    cls = cls.__dict__.get("_BASE", cls)
    found: type[Model] | None = cls.__dict__.get(f"_{state}_variant")
    if found is not None:
        return found
    namespace: dict[str, Any] = {
        "__slots__": (),
        "__module__": cls.__module__,
        "__qualname__": cls.__qualname__,
        "__doc__": cls.__doc__,
        "_VARIANT": state,
        "_BASE": cls,
        "__class__": property(lambda self: cls),
        "__getattr__": _absent_getattr,
        # held: written by Python; unread: the wire dict or ItemJSON in _raw, read in C
        "_json_value": Model.__dict__["_json_value" if state == "held" else "_raw"],
    }
    if state == "unread":
        # vars(obj) is the wire form, so it loads too. No name of the class's own
        # plumbing (``_raw``, ``__class__``) is shadowed, whatever the schema calls its
        # fields.
        loading = [f.name for f in cls.FIELDS] + [f.wire for f in cls.FIELDS] + ["extra_fields"]
        for name in loading:
            if name[:1] != "_" and name not in namespace:
                namespace[name] = _LoadOnRead(name)
        namespace["__dict__"] = _LoadOnRead("__dict__")
    made = type(cls.__name__, (cls,), namespace)
    setattr(cls, f"_{state}_variant", made)
    return made


class _LoadOnRead:
    """A field of the unread variant: the first read loads the object, which leaves the
    variant, and reads again. A descriptor per name rather than a ``__getattribute__``, so
    every other attribute of an unread object (the encoder's ``_json_value``) reads in C."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, obj: Model | None, owner: type[Model] | None = None) -> Any:
        if obj is None:  # on the class: the generated class's attribute
            return getattr(owner._BASE, self.name)  # type: ignore[union-attr]
        _load_unread(obj)
        return getattr(obj, self.name)

    # A data descriptor, so that nothing written around Model.__setattr__ (which loads
    # first) can land in an unread object's instance dict and hide the field.
    def __set__(self, obj: Model, value: Any) -> None:
        _load_unread(obj)
        setattr(obj, self.name, value)

    def __delete__(self, obj: Model) -> None:
        _load_unread(obj)
        delattr(obj, self.name)


def _load_unread(obj: Model) -> None:
    """Build the fields of the unread ``obj`` from its ``_raw`` and leave the unread state.

    Each loader works on its own copy of the wire dict, which it publishes finished (the
    values kept aside already moved out, ``_extra`` set first), so threads reading one
    unread object at once each see a finished object."""
    cls = type(obj)
    if cls._VARIANT != "unread":
        return  # another thread loaded it
    try:
        raw = _get_raw(obj)
    except AttributeError:
        return  # being unpickled: its state is still being set
    if raw is None:
        return  # another thread loaded it between the check above and here
    data: dict[str, Any] = raw.parse() if raw.__class__ is ItemJSON else raw.copy()
    base: type[Model] = cls._BASE  # type: ignore[attr-defined]
    odd = base._load(obj, data)
    state = base
    if odd is not None or not data.keys() <= base._WIRE_SAFE or not base._ALWAYS_SET <= data.keys():
        extra = _kept_aside(base, data, odd or ())
        if extra:
            object.__setattr__(obj, "_extra", extra)
        if extra or not base._ALWAYS_SET <= data.keys():
            state = base.__dict__.get("_held_variant") or _variant(base, "held")
    _set_dict(obj, data)
    _set_class(obj, state)
    _set_raw(obj, None)


def _kept_aside(
    base: type[Model], data: dict[str, Any], odd: tuple[str, ...] | list[str]
) -> dict[str, Any]:
    """Move out of ``data`` and return the wire values that cannot stay in an instance
    dict: those named by ``odd``, and keys orjson would skip or that shadow the class's
    API."""
    extra: dict[str, Any] = {}
    for wire in odd:
        if wire in data:
            extra[wire] = data.pop(wire)
    for key in [k for k in data if k not in base._WIRE_SAFE]:
        if key in base._WIRE_NAMES or _unsafe_key(key) or hasattr(base, key):
            extra[key] = data.pop(key)
    return extra


def _absent_getattr(self: Model, name: str) -> Any:
    """``__getattr__`` of the unread and held variants (a plain object has every always-set
    field, so its class needs none, which keeps CPython's attribute-read specialisation):
    a read found nothing, which for an always-set field means it is absent."""
    info = _always_set_fields(_base(self)).get(name)
    if info is None:
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
    value = self._empty(name)
    if value.__class__ in _IMMUTABLE:
        return value  # "", 0, False: nothing to keep, nothing to encode
    # A list, map or object the caller may fill in place: kept, and left out of the
    # encoding while it is still empty. The object is held before the value joins its
    # dict, so an encoder in another thread never writes it.
    _hold(self, absent=info.wire)
    self.__dict__[info.wire] = value
    return value


def _hold(obj: Model, absent: str | None = None) -> None:
    """Move the wire values of ``obj``'s instance dict that cannot stay there (keys orjson
    would skip or that shadow the class's API) into ``_extra``, and settle its state:
    held when anything is kept aside, else plain. ``absent``: an always-set field just
    created empty."""
    base = _base(obj)
    extra: dict[str, Any] = dict(_slot(obj, "_extra") or {})
    extra.update(_kept_aside(base, obj.__dict__, ()))
    held_absent: tuple[str, ...] = _slot(obj, "_absent") or ()
    if absent is not None:
        held_absent += (absent,)
    if _plain_again(obj, extra, held_absent):
        _set_class(obj, base)
        return
    object.__setattr__(obj, "_extra", extra or None)
    object.__setattr__(obj, "_absent", held_absent)
    _set_class(obj, base.__dict__.get("_held_variant") or _variant(base, "held"))


def _plain_again(obj: Model, extra: dict[str, Any] | None, absent: tuple[str, ...]) -> bool:
    """Whether ``obj`` keeps nothing aside and holds every always-set field: the state in
    which its class is the generated one."""
    return not extra and not absent and _base(obj)._ALWAYS_SET <= obj.__dict__.keys()


def _written(obj: Model, wire: str) -> None:
    """``wire`` was assigned or deleted: the write replaces what decoding kept aside for
    it (a null in an always-set field, a value of the wrong shape), and an always-set field
    created empty on read is not left out any more (what the caller writes is encoded,
    even an empty value). Back to the plain state when nothing is kept aside."""
    absent: tuple[str, ...] = _slot(obj, "_absent") or ()
    if wire in absent:
        absent = tuple(w for w in absent if w != wire)
        object.__setattr__(obj, "_absent", absent)
    extra: dict[str, Any] | None = _slot(obj, "_extra")
    if extra and wire in extra:
        extra = {k: v for k, v in extra.items() if k != wire}
        object.__setattr__(obj, "_extra", extra or None)
    if _plain_again(obj, extra, absent):
        _set_class(obj, _base(obj))


_MISSING: Any = object()
_DICT_SLOTS = frozenset({"_extra", "_attrs"})


def _class_attribute(cls: type, name: str) -> Any:
    """What ``name`` finds on ``cls`` (through its MRO), or ``_MISSING``."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return _MISSING


def _set_attr(obj: Model, name: str, value: Any) -> None:
    """Set (or, with ``_MISSING``, delete) the non-field attribute ``name`` of ``obj``."""
    attrs: dict[str, Any] = dict(_slot(obj, "_attrs") or {})
    if value is _MISSING:
        del attrs[name]
    else:
        attrs[name] = value
    object.__setattr__(obj, "_attrs", attrs or None)


class _UserAttribute:
    """A plain class attribute of a user subclass (``retries = 3``), or a private name
    (``_cache``) an object sets (installed on first set, ``default`` then ``_MISSING``),
    made a data descriptor so that an instance's own value (kept in ``_attrs``, off the
    wire) wins over the class's and over a wire key of the same name, as with an ordinary
    class. (A plain object has no ``__getattr__`` to find it otherwise.)"""

    def __init__(self, name: str, default: Any) -> None:
        self.name = name
        self.default = default

    def __get__(self, obj: Model | None, owner: type) -> Any:
        if obj is None:
            return self if self.default is _MISSING else self.default
        attrs = _slot(obj, "_attrs")
        value = attrs.get(self.name, self.default) if attrs else self.default
        if value is _MISSING:  # set on some object of the class, not on this one
            raise AttributeError(self.name)
        return value

    def __set__(self, obj: Model, value: Any) -> None:
        _set_attr(obj, self.name, value)

    def __delete__(self, obj: Model) -> None:
        _set_attr(obj, self.name, _MISSING)


def _set_side(obj: Model, wire: str, value: Any) -> None:
    """Assign the field whose wire name lives in ``_extra`` (see ``_side_wires``)."""
    extra: dict[str, Any] = dict(_slot(obj, "_extra") or {})
    if value is None:
        extra.pop(wire, None)
    else:
        extra[wire] = value
    object.__setattr__(obj, "_extra", extra)
    _hold(obj)


def _side_wires(cls: type[Model]) -> frozenset[str]:
    """Wire names of ``cls`` that cannot be keys of its ``__dict__``: those orjson cannot
    write from there (``_unsafe_key``), and a key named like a method of the class
    (``validate``), which would shadow it. Their values live in ``_extra`` (the held
    state)."""
    return frozenset(
        info.wire for info in cls.FIELDS if _unsafe_key(info.wire) or info.wire in _CLASS_NAMES
    )


_CLASS_NAMES = frozenset({"API_VERSION", "KIND", "RESOURCE", "DEPRECATED", "FIELDS"}) | frozenset(
    name for name in dir(Model) if not name.startswith("__")
)


def _unsafe_key(key: str) -> bool:
    """Whether orjson cannot write ``key`` from a dataclass's ``__dict__``: it skips keys
    that start with ``_``, and (orjson 3.x) aborts the interpreter on an empty key."""
    return not key or key[0] == "_"


def _side_getter(wire: str) -> Callable[[Model], Any]:
    def get(self: Model) -> Any:
        extra = _slot(self, "_extra")
        return None if extra is None else extra.get(wire)

    return get


def _dict_getter(wire: str, always_set: bool) -> Callable[[Model], Any]:
    if not always_set:

        def get_optional(self: Model) -> Any:
            return self.__dict__.get(wire)

        return get_optional

    def get(self: Model) -> Any:
        data = self.__dict__
        if wire in data:
            return data[wire]
        raise AttributeError(wire)  # the held class's __getattr__ gives the empty value

    return get


def _attributes(cls: type[Model]) -> dict[str, str]:
    """Attribute name -> wire name of ``cls``'s fields (built once per class)."""
    found: dict[str, str] | None = cls.__dict__.get("_attribute_wires")
    if found is None:
        found = {f.name: f.wire for f in cls.FIELDS}
        cls._attribute_wires = found  # type: ignore[attr-defined]
    return found


def _always_set_fields(cls: type[Model]) -> dict[str, FieldInfo]:
    found: dict[str, FieldInfo] | None = cls.__dict__.get("_always_set_infos")
    if found is None:
        found = {f.name: f for f in cls.FIELDS if f.always_set}
        cls._always_set_infos = found  # type: ignore[attr-defined]
    return found


def _loose_wires(cls: type[Model]) -> tuple[str, ...]:
    found: tuple[str, ...] | None = cls.__dict__.get("_loose_wire_names")
    if found is None:
        wires = _attributes(cls)
        found = tuple(wires[name] for name in cls._LOOSE_FIELDS)
        cls._loose_wire_names = found  # type: ignore[attr-defined]
    return found


def _held_absent(obj: Model) -> tuple[str, ...]:
    if type(obj)._VARIANT != "held":
        return ()
    absent: tuple[str, ...] = _slot(obj, "_absent") or ()
    return absent


def _absent_now(obj: Model) -> frozenset[str]:
    """Always-set fields created empty on read and still empty (so not encoded)."""
    data = obj.__dict__
    return frozenset(w for w in _held_absent(obj) if w in data and _is_empty(data[w]))


def _compared(obj: Model) -> dict[str, Any]:
    """The instance dict of ``obj`` less always-set fields created empty on read and
    still empty: what ``==`` compares (the same keys the encoder writes)."""
    data = obj.__dict__
    absent = _absent_now(obj)
    return {k: v for k, v in data.items() if k not in absent} if absent else data


def _wire_copy(value: Any) -> Any:
    """A fresh JSON-like tree of ``value`` (models as their wire dicts, plain ``str`` for
    Time, MicroTime and enum members)."""
    cls = value.__class__
    if cls in _IMMUTABLE:
        return value
    if cls is list or cls is dict:
        try:
            return _marshal_loads(_marshal_dumps(value))
        except ValueError:
            pass
        if cls is list:
            return [_wire_copy(v) for v in value]
        return {k: _wire_copy(v) for k, v in value.items()}
    if isinstance(value, Model):
        return value.to_dict()
    if isinstance(value, _Quantity):
        return value.raw
    if isinstance(value, _datetime):  # assigned by hand where a time belongs
        from kubecore.core.times import MicroTime

        return str.__str__(MicroTime.from_datetime(value))  # ValueError for a naive one
    if isinstance(value, str):
        # Time, MicroTime, enum members: their text as a plain str, so the dict is JSON data
        # whether or not the field was read (yaml.safe_dump refuses str subclasses).
        return str.__str__(value)
    return value


_attrgetter = __import__("operator").attrgetter


def _check_kind(cls: type, data: dict[str, Any], kind: str, api_version: str | None) -> None:
    wire_kind = data.get("kind")
    wire_version = data.get("apiVersion")
    if (isinstance(wire_kind, str) and wire_kind != kind) or (
        api_version is not None and isinstance(wire_version, str) and wire_version != api_version
    ):
        expected = f"{api_version} {kind}" if api_version else kind
        raise ValueError(
            f"{cls.__qualname__}.from_dict: the document is {wire_version!r} {wire_kind!r}, "
            f"not {expected}; decode it with its own class or with the scheme's from_dict"
        )


def _same_document(mine: dict[str, Any] | ItemJSON, theirs: dict[str, Any] | ItemJSON) -> bool:
    """Whether two unread objects hold the same JSON document, so decode to equal objects:
    the same text, or parsed data that ``same_json`` finds the same (``==`` alone takes
    ``1 == 1.0 == True``, which decode differently)."""
    if isinstance(mine, ItemJSON) and isinstance(theirs, ItemJSON):
        # The same text is the same document: JSON text holds no NaN (parsing refuses it).
        return mine.data == theirs.data
    return _same_json(mine, theirs)


def public_module(cls: type) -> str:
    """The package a generated class is imported from: its module less the private
    (``_``-prefixed) modules the generator splits a package into."""
    parts = cls.__module__.split(".")
    while len(parts) > 1 and parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)


def _new_model(module: str, qualname: str, state: str = "") -> Model:
    """An empty instance of ``module.qualname`` in ``state`` (what unpickling fills in)."""
    found: Any = find_class(module, qualname)
    instance: Model = _new(_variant(found, state) if state else found)
    return instance


def find_class(module: str, qualname: str) -> type:
    """The class ``qualname`` of ``module`` (a package's lazy ``__getattr__`` finds a generated
    class there): what unpickling a model or an enum member looks up."""
    from importlib import import_module

    found: Any = import_module(module)
    for name in qualname.split("."):
        found = getattr(found, name)
    if not isinstance(found, type):
        raise TypeError(f"{module}.{qualname} is not a class")
    return found


def _is_empty(value: Any) -> bool:
    if isinstance(value, Model):
        return not value.to_dict()
    return not value


_IMMUTABLE = frozenset((str, int, float, bool, type(None)))


def copy_value(value: Any) -> Any:
    """A deep copy of a JSON-like value that may hold models, Quantities and Times."""
    cls = value.__class__
    if cls in _IMMUTABLE:
        return value
    if cls is list or cls is dict:
        # Plain data (labels, managedFields trees, preserve-unknown-fields) copies in C
        # and exactly (big integers, NaN, -0.0 included); marshal refuses anything else
        # (a model, Quantity, datetime, and str subclasses: Time, enum members).
        try:
            return _marshal_loads(_marshal_dumps(value))
        except ValueError:
            pass
        if cls is list:
            return [copy_value(v) for v in value]
        return {k: copy_value(v) for k, v in value.items()}
    if isinstance(value, Model):
        return value._copy()
    if isinstance(value, str):  # Time, MicroTime, enum members: immutable
        return value
    if isinstance(value, _Quantity):  # immutable by contract
        return value
    import copy

    return copy.deepcopy(value)


def enum_value(cls: type[_E], value: str) -> _E | str:
    """The member of the string enum ``cls`` whose value is ``value``, or ``value`` itself
    when ``cls`` does not know it (a newer server): unknown values decode and round-trip."""
    return cls._value2member_map_.get(value, value)  # type: ignore[return-value]


def model_arg(value: Any, cls: type[Model], parameter: str) -> Any:
    """``value`` if it is a ``cls``; TypeError naming the parameter and the expected type.

    Constructors take models, not mappings (mypy checks the same): a dict's keys are wire
    names that a typo would silently drop, so ``ObjectMeta.from_dict(d)`` says it on purpose.
    """
    if isinstance(value, cls):
        return value
    hint = (
        f"; build it with {cls.__qualname__}(...) or {cls.__qualname__}.from_dict(...)"
        if isinstance(value, dict)
        else ""
    )
    raise TypeError(f"{parameter}: expected {cls.__qualname__}, got {type(value).__name__}{hint}")


class _ExtraFields(dict):  # type: ignore[type-arg]
    """What ``Model.extra_fields`` returns: a new dict that also notes (``made_up``) the
    always-set fields the object does not hold, which a read answers with an empty value
    (wire name -> the empty list, map or model made on read, or ``_MISSING`` for ``""``,
    ``0``, ``False``).

    ``dataclasses.replace(obj, ...)`` passes ``getattr(obj, name)`` for every field and
    then ``extra_fields``: without the note the constructor would write those empty values
    (``"reason": ""`` on a Condition that never had one) and lose a null or a value of the
    wrong shape kept for the field. With it, a field still holding the value the read made
    up is left as the object had it. (So ``replace(cond, reason="")`` on a Condition
    without ``reason`` leaves it out: the same value the object already read as.)
    """

    #: Set on the instance when anything is made up (the class's stays empty).
    made_up: dict[str, Any] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))  # pickles and copies as the plain dict it is


def _unchanged(obj: Model, made_up: dict[str, Any]) -> frozenset[str]:
    """The always-set fields of the new ``obj`` that still hold the empty value the source
    object of ``dataclasses.replace`` made up on read (see ``_ExtraFields``): an immutable
    one is removed, an empty list, map or model is kept and left out of the encoding
    while it is empty, as in the source object. Returns their wire names."""
    if not made_up:
        return frozenset()
    data = obj.__dict__
    found: list[str] = []
    absent: tuple[str, ...] = _slot(obj, "_absent") or ()
    for info in _always_set_fields(_base(obj)).values():
        wire = info.wire
        if wire not in made_up or wire not in data:
            continue
        value, was = data[wire], made_up[wire]
        if was is _MISSING:
            empty = obj._empty(info.name)
            if value.__class__ is empty.__class__ and value == empty:
                del data[wire]
                found.append(wire)
        elif value.__class__ is was.__class__ and _is_empty(value):
            absent += (wire,)  # (the constructor may have copied the list: still empty)
            found.append(wire)
    if absent:
        object.__setattr__(obj, "_absent", absent)
    return frozenset(found)


def finish_init(obj: Model, extra_fields: dict[str, Any] | None) -> None:
    """The end of a generated ``__init__`` given ``extra_fields``, or a field whose wire
    name cannot be a key of the instance dict (see ``_side_wires``).

    Unknown fields and explicit nulls join the instance dict unless a field argument set
    the key; a value for a known field (which may not fit it) is kept aside, as decoding
    keeps a value of the wrong shape, and the field argument, if any, wins on encoding.
    """
    data = obj.__dict__
    base = _base(obj)
    known = base._WIRE_NAMES
    unchanged = (
        _unchanged(obj, extra_fields.made_up) if isinstance(extra_fields, _ExtraFields) else ()
    )
    if extra_fields:
        always = base._ALWAYS_SET
        aside: dict[str, Any] = {}
        for key, value in extra_fields.items():
            if key in data and key not in unchanged:
                continue
            if key in known and (value is not None or key in always):
                aside[key] = value
                continue
            data[key] = value
        if aside:
            object.__setattr__(obj, "_extra", {**(_slot(obj, "_extra") or {}), **aside})
    _hold(obj)
