"""The base class every generated model derives from.

Generated classes are plain classes with ``__slots__`` and a generated keyword-only
``__init__``; they behave like ``@dataclass(slots=True, kw_only=True)`` classes
(``dataclasses.fields``, ``replace``, ``is_dataclass`` and ``asdict`` work), but the
per-class code is compiled ahead of time instead of by the ``dataclass`` decorator at
import, which measured at about 0.7 ms per class (see the README's design notes).

Decoding is lazy: ``_decode`` only keeps the wire dict in the ``_raw`` slot, and the first
access to any field (or to ``_extra``) runs the generated ``_load``, which builds this
object's fields (child models are again lazy wrappers of their sub-dicts) and drops
``_raw``. An object nobody reads costs one small wrapper over its parsed JSON, and encodes
by handing that JSON back to orjson. Fields set on an object before it is loaded win over
the wire values (see ``Model._materialize``).

Losslessness lives in one slot, ``_extra``: the wire fields a class does not know
(sent by a newer server), explicit ``null`` values of known fields, and values whose shape
does not fit their field's type (a string where the schema says object, ``[null]`` for a
list of objects, ...). ``to_dict`` writes them back first, so attributes set later win.

Fields that are always set (required by the schema, and the ``metadata`` of every kind)
are typed without ``| None``. When such a field is absent on the wire (or not passed to
``__init__``) the attribute holds its type's empty value (``""``, ``0``, ``False``,
``[]``, ``{}``, an empty model) and its name is recorded in the ``_absent`` slot; the
encoder leaves it out while it is still empty, so decode -> encode stays exact.
"""

from __future__ import annotations

from gc import get_referents as _get_referents
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
    ) -> None:
        self.name = name
        self.wire = wire
        self.type = type
        self.required = required
        self.patch_strategy = patch_strategy
        self.patch_merge_key = patch_merge_key
        self.list_type = list_type
        self.list_map_keys = list_map_keys

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
    """A typed Kubernetes object or sub-object with a lossless wire codec."""

    __slots__ = ("_extra", "_raw")

    #: Field metadata in declaration order (generated).
    FIELDS: ClassVar[tuple[FieldInfo, ...]] = ()
    #: Fields whose values the schema does not fix to one JSON type (free-form JSON,
    #: int-or-string, unions; generated): ``==`` compares them as JSON documents.
    _LOOSE_FIELDS: ClassVar[tuple[str, ...]] = ()
    __dataclass_fields__: ClassVar[Any] = _DataclassFields()

    _extra: dict[str, Any] | None
    #: The wire dict (or unparsed ItemJSON) of an object decoded but not loaded yet;
    #: None once loaded (or built).
    _raw: dict[str, Any] | ItemJSON | None
    # Generated classes with always-set fields add the slot ``_absent``: the names of those
    # fields that were absent (their attribute holds an empty value that is not encoded).

    @classmethod
    def from_dict(cls: type[_M], data: dict[str, Any], *, copy: bool = True) -> _M:
        """Decode wire data (a JSON object as ``dict``); never fails on its content.

        Any JSON in any field decodes: a value whose shape does not fit the field is kept
        in :attr:`extra_fields` and encoded back unchanged, the attribute holding None (or
        its empty value). Fields are built on first access (see the module docstring).

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
        """A lazy object over ``data`` (a dict or ItemJSON, taken over; no kind check).
        Raises AttributeError for anything else, as the generated decoders expect of an
        item of a list or map of models (they keep such a list whole in ``_extra``)."""
        if not isinstance(data, dict) and data.__class__ is not ItemJSON:
            raise AttributeError(f"{cls.__qualname__} is decoded from a JSON object")
        self = cls.__new__(cls)
        self._raw = data
        return self

    def _load(self, data: dict[str, Any]) -> None:
        """Build the fields from ``data`` and clear ``_raw`` (generated per class)."""
        raise NotImplementedError

    if not TYPE_CHECKING:  # hidden from type checkers: any attribute would type-check

        def __getattr__(self, name: str) -> Any:
            # Called only when a slot is unset: a field of an object not loaded yet. A name
            # the class does not define (no slot: ``_absent`` of a class without always-set
            # fields, which ``extra_of`` asks for while ``_load`` runs) never loads.
            if name == "_raw" or name[:2] == "__" or not hasattr(type(self), name):
                raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
            if self._raw is not None:
                self._materialize()
            # Loaded now, by this thread or (racing with it) another one: read it again.
            return object.__getattribute__(self, name)

    def __delattr__(self, name: str) -> None:
        # Deleting a field of an object not loaded yet deletes what loading would build.
        if name != "_raw" and self._raw is not None:
            self._materialize()
        object.__delattr__(self, name)

    def _materialize(self) -> None:
        """Load this object's fields from ``_raw``, keeping any field set before that."""
        found = self._raw
        if found is None:
            return
        raw: dict[str, Any] = found.parse() if isinstance(found, ItemJSON) else found
        if _untouched(self):
            self._load(raw)
            return
        fields = {f.name for f in self.FIELDS}
        fields.add("_extra")  # set by hand before loading: it wins too, as after loading
        preset = {k: v for k, v in _set_slots(self).items() if k in fields}
        self._load(raw)
        for name, value in preset.items():
            setattr(self, name, value)

    def _encode(self, wire: bool) -> dict[str, Any]:
        """The wire form as a dict: with ``wire`` it may share this object's dicts (for
        immediate serialization); without, it is a fresh tree (generated per class)."""
        raise NotImplementedError

    def _encode_raw(self, wire: bool) -> dict[str, Any]:
        """``_encode`` of an object not loaded yet: its JSON as it came (copied unless
        ``wire``), unless fields were assigned before loading. With ``wire``, unparsed
        text comes back as an ``orjson.Fragment``, which orjson writes as it is."""
        raw = self._raw
        if raw is None or not _untouched(self):
            self._materialize()
            return self._encode(wire)
        if isinstance(raw, ItemJSON):
            if not wire:
                parsed: dict[str, Any] = raw.parse()
                return parsed
            return _Fragment(raw.data)  # type: ignore[return-value]  # only inside to_json
        return raw if wire else copy_value(raw)

    def to_dict(self) -> dict[str, Any]:
        """The wire form: a fresh JSON-like dict (camelCase keys) the caller owns.
        client-go: ``runtime.DefaultUnstructuredConverter.ToUnstructured``."""
        return self._encode(False)

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
        does not fit their field (read-only view)."""
        return dict(self._extra) if self._extra else {}

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        # Pickles name the class where users import it (the package, not the module the
        # generator put it in, which a regeneration may change) and hold the set slots as
        # they are: an object not loaded yet pickles its JSON without loading it.
        cls = type(self)
        return (_new_model, (public_module(cls), cls.__qualname__), (None, _set_slots(self)))

    def __copy__(self: _M) -> _M:
        """``copy.copy``: the shallow copy a dataclass gets, read or not: a new object whose
        fields are this object's field values themselves (``copy.copy(p).metadata is
        p.metadata``), with the same ``extra_fields``. An object not read yet loads first,
        so the copy and the original share their child objects instead of each loading its
        own from one shared dict. ``copy.deepcopy``, ``deep_copy()`` and pickling copy
        everything and keep an unread object unread."""
        if self._raw is not None:
            self._materialize()
        cls = self.__class__
        new = cls.__new__(cls)
        for name, value in _set_slots(self).items():
            if name[:2] != "__":  # not a subclass's __weakref__ / __dict__ slot
                setattr(new, name, value)
        state: dict[str, Any] | None = getattr(self, "__dict__", None)  # a user subclass's
        if state:
            new.__dict__.update(state)
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
        """The deep copy, field by field (generated per class; this is the generic one)."""
        if self._raw is not None:
            return self._copy_raw()
        cls = self.__class__
        new = cls.__new__(cls)
        new._raw = None
        for f in cls.FIELDS:
            setattr(new, f.name, copy_value(getattr(self, f.name)))
        new._extra = None if self._extra is None else copy_value(self._extra)
        absent = getattr(self, "_absent", None)
        if absent is not None:
            new._absent = absent  # type: ignore[attr-defined]
        return new

    def _copy_raw(self: _M) -> _M:
        """The deep copy of an object not loaded yet: a lazy object over a copy of its JSON
        (fields assigned before loading are kept)."""
        raw = self._raw
        if raw is None or not _untouched(self):
            self._materialize()
            return self._copy()
        if isinstance(raw, ItemJSON):
            return type(self)._decode(raw)  # immutable text: shared
        return type(self)._decode(copy_value(raw))

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in self.FIELDS)

    def _absent_now(self) -> frozenset[str]:
        """Always-set fields that are absent and still empty (so not encoded)."""
        absent: tuple[str, ...] = getattr(self, "_absent", ())
        return frozenset(name for name in absent if _is_empty(getattr(self, name)))

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
        mine_raw, their_raw = self._raw, other._raw
        if (
            mine_raw is not None
            and their_raw is not None
            and mine_raw.__class__ is their_raw.__class__
            and _untouched(self)
            and _untouched(other)
            and _same_document(mine_raw, their_raw)
        ):
            # Neither loaded, and the same JSON: the same objects. Different JSON proves
            # nothing (Quantities compare by value: "1" == "1000m"), so that case loads.
            return True
        # C-level == first (child models recurse through here); the type-strict check of
        # the loose values only when it says equal.
        if self._values() != other._values():
            return False
        for name in self._LOOSE_FIELDS:
            if not _same_json(getattr(self, name), getattr(other, name)):
                return False
        mine_extra, their_extra = self._extra or None, other._extra or None
        if (mine_extra is not None or their_extra is not None) and not _same_json(
            mine_extra, their_extra
        ):
            return False
        mine: tuple[str, ...] = getattr(self, "_absent", ())
        theirs: tuple[str, ...] = getattr(other, "_absent", ())
        return mine == theirs or self._absent_now() == other._absent_now()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        absent = self._absent_now() if getattr(self, "_absent", ()) else ()
        parts = [
            f"{f.name}={value!r}"
            for f in self.FIELDS
            if (value := getattr(self, f.name)) is not None and f.name not in absent
        ]
        return f"{self.__class__.__qualname__}({', '.join(parts)})"


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


def _untouched(obj: Model) -> bool:
    """Whether nothing was assigned to ``obj`` since it was decoded (the common case).

    ``gc.get_referents`` lists the type and each slot that holds a value, in C: just the
    type and ``_raw`` means no field was set before loading.
    """
    return len(_get_referents(obj)) <= 2


def public_module(cls: type) -> str:
    """The package a generated class is imported from: its module less the private
    (``_``-prefixed) modules the generator splits a package into."""
    parts = cls.__module__.split(".")
    while len(parts) > 1 and parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)


def _new_model(module: str, qualname: str) -> Model:
    """An empty instance of ``module.qualname`` (what unpickling fills in)."""
    found: Any = find_class(module, qualname)
    instance: Model = found.__new__(found)
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


def _set_slots(obj: Model) -> dict[str, Any]:
    """The slots of ``obj`` that hold a value, read through the slot descriptors so that
    nothing triggers lazy loading."""
    found: dict[str, Any] = {}
    for klass in type(obj).__mro__:
        for name in klass.__dict__.get("__slots__", ()):
            descriptor = klass.__dict__.get(name)
            if descriptor is None or name in found:
                continue
            try:
                found[name] = descriptor.__get__(obj, klass)
            except AttributeError:
                continue
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


def extra_of(
    data: dict[str, Any], known: frozenset[str], decoded: Model | None = None
) -> dict[str, Any] | None:
    """Collect the unknown keys and the explicit nulls of ``data``, and, given the object
    ``decoded`` from it, the known fields whose value it rejected (wrong shape); or None."""
    extra = {k: v for k, v in data.items() if v is None or k not in known}
    if decoded is not None:
        absent: tuple[str, ...] = getattr(decoded, "_absent", ())
        for f in decoded.FIELDS:
            value = data.get(f.wire)
            if value is not None and (getattr(decoded, f.name) is None or f.name in absent):
                extra[f.wire] = value
    return extra or None


def quantity_wire(value: Any) -> Any:
    """The wire form of a Quantity field's value (its raw text or number)."""
    return getattr(value, "raw", value)
