"""The base class every generated model derives from.

Generated classes are plain classes with ``__slots__`` and a generated keyword-only
``__init__``; they behave like ``@dataclass(slots=True, kw_only=True)`` classes
(``dataclasses.fields``, ``replace``, ``is_dataclass`` and ``asdict`` work), but the
per-class code is compiled ahead of time instead of by the ``dataclass`` decorator at
import, which measured at about 0.7 ms per class (see the README's design notes).

Losslessness lives in one slot, ``_extra``: the wire fields a class does not know
(sent by a newer server) and explicit ``null`` values of known fields. ``to_dict``
writes them back first, so attributes set later win.
"""

from __future__ import annotations

# Neither typing nor dataclasses is imported at run time: every model imports this module,
# and those two imports cost more than all of core/v1's classes (see the README).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import dataclasses
    from collections.abc import Callable
    from typing import Any, ClassVar, TypeVar

    _M = TypeVar("_M", bound="Model")


#: What ``Model.validate()`` calls; None means ``kubecore.core.validation.api.validate``.
validate_hook: Callable[[Model], list[Any]] | None = None


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
    """Builds ``__dataclass_fields__`` on first use, so importing a model costs nothing."""

    def __get__(self, obj: object, owner: type[Model]) -> dict[str, dataclasses.Field[Any]]:
        cache: dict[str, dataclasses.Field[Any]] | None = owner.__dict__.get(
            "_dataclass_fields_cache"
        )
        if cache is None:
            import dataclasses

            cache = {}
            for info in owner.FIELDS:
                f: dataclasses.Field[Any] = dataclasses.field(kw_only=True)
                f.default = None
                f.name = info.name
                f.type = info.type
                f._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
                cache[info.name] = f
            owner._dataclass_fields_cache = cache  # type: ignore[attr-defined]
        return cache


class Model:
    """A typed Kubernetes object or sub-object with a lossless wire codec."""

    __slots__ = ("_extra",)

    #: Field metadata in declaration order (generated).
    FIELDS: ClassVar[tuple[FieldInfo, ...]] = ()
    __dataclass_fields__: ClassVar[Any] = _DataclassFields()

    _extra: dict[str, Any] | None

    @classmethod
    def from_dict(cls: type[_M], data: dict[str, Any]) -> _M:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_json(cls: type[_M], data: bytes | str) -> _M:
        from kubecore.core.codec import decode_json

        return decode_json(data, cls.from_dict)

    def to_json(self) -> bytes:
        from kubecore.core.codec import json_dumps

        return json_dumps(self.to_dict())

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
        """Wire fields this class does not model, and explicit nulls (read-only view)."""
        return dict(self._extra) if self._extra else {}

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Model)
        return self._values() == other._values() and (self._extra or None) == (other._extra or None)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        parts = [
            f"{f.name}={value!r}"
            for f in self.FIELDS
            if (value := getattr(self, f.name)) is not None
        ]
        return f"{self.__class__.__qualname__}({', '.join(parts)})"


def extra_of(data: dict[str, Any], known: frozenset[str]) -> dict[str, Any] | None:
    """Collect the unknown keys and the explicit nulls of ``data``, or None if none."""
    extra = {k: v for k, v in data.items() if v is None or k not in known}
    return extra or None


def quantity_wire(value: Any) -> Any:
    """The wire form of a Quantity field's value (its raw text or number)."""
    return getattr(value, "raw", value)
