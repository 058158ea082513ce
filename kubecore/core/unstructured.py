"""Objects as plain JSON data: client-go's ``unstructured.Unstructured`` and its helpers.

An :class:`Unstructured` wraps one JSON-compatible ``dict`` (``.object``) — any kind,
built-in or custom, known to this program or not — with accessors for the common
metadata. The ``nested_*`` functions read and write fields by path::

    replicas, found = nested_int64(u.object, "spec", "replicas")
    set_nested_field(u.object, 3, "spec", "replicas")

Error handling follows client-go, translated to Python: a missing field is not an error
(``found`` is ``False`` and the value is the zero value: ``""``, ``0``, ``False``,
``None``), while a field (or an intermediate field) of the wrong type raises
``TypeError`` where client-go returns an ``error``. Getters of containers
(``nested_field``, ``nested_slice``, ``nested_map``, ...) return deep copies, as
client-go's do; ``nested_field_no_copy`` returns the stored value itself. Setters store
a deep copy of the value.

``GroupVersionKind`` and ``GroupVersionResource`` (client-go's ``schema`` package) live
here too, so the dynamic client, discovery and the RESTMapper share them.
"""

from __future__ import annotations

from collections.abc import (
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
    MutableSequence,
)
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, TypeVar, overload

from kubecore.core import yamlio
from kubecore.core.jsoneq import same_json

if TYPE_CHECKING:
    from kubecore.core.model import Model
    from kubecore.core.scheme import Scheme

__all__ = [
    "GroupVersionKind",
    "GroupVersionResource",
    "MetadataList",
    "MetadataMap",
    "Unstructured",
    "UnstructuredList",
    "deep_copy_json",
    "from_typed",
    "load_yaml",
    "nested_bool",
    "nested_field",
    "nested_field_no_copy",
    "nested_float64",
    "nested_int64",
    "nested_map",
    "nested_slice",
    "nested_string",
    "nested_string_map",
    "nested_string_slice",
    "remove_nested_field",
    "set_nested_field",
    "set_nested_map",
    "set_nested_slice",
    "set_nested_string_map",
    "set_nested_string_slice",
    "split_api_version",
    "to_typed",
]


# -- group / version / kind / resource ------------------------------------------------------


def split_api_version(api_version: str) -> tuple[str, str]:
    """``"apps/v1"`` -> ``("apps", "v1")``; ``"v1"`` -> ``("", "v1")``."""
    if api_version.count("/") > 1:
        raise ValueError(f"invalid apiVersion {api_version!r}")
    group, _, version = api_version.rpartition("/")
    return group, version


def _join_api_version(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


@dataclass(frozen=True, slots=True)
class GroupVersionKind:
    """A type: ``GroupVersionKind("apps", "v1", "Deployment")`` (core group is ``""``)."""

    group: str
    version: str
    kind: str

    @classmethod
    def from_api_version(cls, api_version: str, kind: str) -> GroupVersionKind:
        group, version = split_api_version(api_version)
        return cls(group, version, kind)

    @property
    def api_version(self) -> str:
        return _join_api_version(self.group, self.version)

    def __str__(self) -> str:
        return f"{self.api_version}, Kind={self.kind}"


@dataclass(frozen=True, slots=True)
class GroupVersionResource:
    """A REST resource: ``GroupVersionResource("apps", "v1", "deployments")``."""

    group: str
    version: str
    resource: str

    @classmethod
    def from_api_version(cls, api_version: str, resource: str) -> GroupVersionResource:
        group, version = split_api_version(api_version)
        return cls(group, version, resource)

    @property
    def api_version(self) -> str:
        return _join_api_version(self.group, self.version)

    @property
    def api_path(self) -> str:
        """``/api/v1`` or ``/apis/<group>/<version>``."""
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    def __str__(self) -> str:
        return f"{self.api_version}, Resource={self.resource}"


# -- JSON values ----------------------------------------------------------------------------

_SCALARS = (str, int, float, bool, type(None))


def deep_copy_json(value: Any) -> Any:
    """A deep copy of a JSON-compatible value (tuples become lists).

    Raises ``TypeError`` for anything JSON cannot carry (client-go panics there).
    """
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
            out[key] = deep_copy_json(item)
        return out
    if isinstance(value, list | tuple):
        return [deep_copy_json(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"{type(value).__name__} is not a JSON-compatible value")


def _path_text(path: tuple[str, ...]) -> str:
    return "." + ".".join(path)


def _type_error(path: tuple[str, ...], value: Any, expected: str) -> TypeError:
    return TypeError(
        f"{_path_text(path)} accessor error: {value!r:.80} is of the type "
        f"{type(value).__name__}, expected {expected}"
    )


# -- nested getters -------------------------------------------------------------------------


def nested_field_no_copy(obj: Mapping[str, Any], *path: str) -> tuple[Any, bool]:
    """The value at ``path`` (not copied) and whether it exists.

    Raises ``TypeError`` when an intermediate value is not a mapping.
    """
    if not path:
        raise ValueError("a field path is required")
    current: Any = obj
    for i, name in enumerate(path):
        if current is None:
            return None, False
        if not isinstance(current, Mapping):
            raise _type_error(path[:i], current, "dict")
        if name not in current:
            return None, False
        current = current[name]
    return current, True


def nested_field(obj: Mapping[str, Any], *path: str) -> tuple[Any, bool]:
    """A deep copy of the value at ``path`` and whether it exists."""
    value, found = nested_field_no_copy(obj, *path)
    return (deep_copy_json(value), True) if found else (None, False)


def nested_string(obj: Mapping[str, Any], *path: str) -> tuple[str, bool]:
    value, found = nested_field_no_copy(obj, *path)
    if not found:
        return "", False
    if not isinstance(value, str):
        raise _type_error(path, value, "str")
    return value, True


def nested_bool(obj: Mapping[str, Any], *path: str) -> tuple[bool, bool]:
    value, found = nested_field_no_copy(obj, *path)
    if not found:
        return False, False
    if not isinstance(value, bool):
        raise _type_error(path, value, "bool")
    return value, True


def nested_int64(obj: Mapping[str, Any], *path: str) -> tuple[int, bool]:
    """An integer field (``bool`` and ``float`` are rejected, as client-go does)."""
    value, found = nested_field_no_copy(obj, *path)
    if not found:
        return 0, False
    if not isinstance(value, int) or isinstance(value, bool):
        raise _type_error(path, value, "int")
    return value, True


def nested_float64(obj: Mapping[str, Any], *path: str) -> tuple[float, bool]:
    value, found = nested_field_no_copy(obj, *path)
    if not found:
        return 0.0, False
    if not isinstance(value, float):
        raise _type_error(path, value, "float")
    return value, True


def nested_slice(obj: Mapping[str, Any], *path: str) -> tuple[list[Any], bool]:
    """A deep copy of a list field (``[]`` when missing)."""
    value, found = nested_field_no_copy(obj, *path)
    if not found:
        return [], False
    if not isinstance(value, list):
        raise _type_error(path, value, "list")
    copied: list[Any] = deep_copy_json(value)
    return copied, True


def nested_string_slice(obj: Mapping[str, Any], *path: str) -> tuple[list[str], bool]:
    value, found = nested_field_no_copy(obj, *path)
    if not found:
        return [], False
    if not isinstance(value, list):
        raise _type_error(path, value, "list")
    for item in value:
        if not isinstance(item, str):
            raise _type_error(path, item, "str (in a list of strings)")
    return list(value), True


def nested_map(obj: Mapping[str, Any], *path: str) -> tuple[dict[str, Any], bool]:
    """A deep copy of an object field (``{}`` when missing)."""
    value, found = nested_field_no_copy(obj, *path)
    if not found:
        return {}, False
    if not isinstance(value, dict):
        raise _type_error(path, value, "dict")
    copied: dict[str, Any] = deep_copy_json(value)
    return copied, True


def nested_string_map(obj: Mapping[str, Any], *path: str) -> tuple[dict[str, str], bool]:
    """A ``dict[str, str]`` field such as labels (a copy; ``{}`` when missing)."""
    value, found = nested_field_no_copy(obj, *path)
    if not found:
        return {}, False
    if not isinstance(value, dict):
        raise _type_error(path, value, "dict")
    for item in value.values():
        if not isinstance(item, str):
            raise _type_error(path, item, "str (in a map of strings)")
    return dict(value), True


# -- nested setters -------------------------------------------------------------------------


def set_nested_field(obj: dict[str, Any], value: Any, *path: str) -> None:
    """Store a deep copy of ``value`` at ``path``, creating missing intermediate objects.

    Raises ``TypeError`` when an intermediate value exists but is not a ``dict`` (client-go:
    "value cannot be set because ... is not a map[string]interface{}").
    """
    if not path:
        raise ValueError("a field path is required")
    copied = deep_copy_json(value)
    current = obj
    for i, name in enumerate(path[:-1]):
        child = current.get(name)
        if child is None:
            child = current[name] = {}
        elif not isinstance(child, dict):
            raise TypeError(
                f"value cannot be set because {_path_text(path[: i + 1])} is a "
                f"{type(child).__name__}, not a dict"
            )
        current = child
    current[path[-1]] = copied


def set_nested_slice(obj: dict[str, Any], value: Iterable[Any], *path: str) -> None:
    set_nested_field(obj, list(value), *path)


def set_nested_string_slice(obj: dict[str, Any], value: Iterable[str], *path: str) -> None:
    items = list(value)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"expected a list of str, found a {type(item).__name__}")
    set_nested_field(obj, items, *path)


def set_nested_map(obj: dict[str, Any], value: Mapping[str, Any], *path: str) -> None:
    set_nested_field(obj, dict(value), *path)


def set_nested_string_map(obj: dict[str, Any], value: Mapping[str, str], *path: str) -> None:
    for key, item in value.items():
        if not isinstance(item, str):
            raise TypeError(f"expected a map of str, found {key!r}: {type(item).__name__}")
    set_nested_field(obj, dict(value), *path)


def remove_nested_field(obj: dict[str, Any], *path: str) -> None:
    """Delete the field at ``path``; a missing field (or a non-object on the way) is fine."""
    if not path:
        raise ValueError("a field path is required")
    current: Any = obj
    for name in path[:-1]:
        if not isinstance(current, dict):
            return
        current = current.get(name)
    if isinstance(current, dict):
        current.pop(path[-1], None)


# -- Unstructured ---------------------------------------------------------------------------


def _metadata_string(obj: dict[str, Any], name: str) -> str:
    value, found = _nested_lenient(obj, "metadata", name)
    return value if found and isinstance(value, str) else ""


def _nested_lenient(obj: dict[str, Any], *path: str) -> tuple[Any, bool]:
    try:
        return nested_field_no_copy(obj, *path)
    except TypeError:
        return None, False


class Unstructured:
    """Any Kubernetes object as a JSON-compatible dict (``.object``).

    The metadata properties read like client-go's getters: a missing (or malformed)
    field reads as ``""`` / ``{}`` / ``[]``. ``labels``, ``annotations``, ``finalizers``
    and ``owner_references`` are live views (:class:`MetadataMap`, :class:`MetadataList`):
    changing them changes the object, so no mutation is lost. Setting a string property
    to ``""`` (or a map or list to ``None`` or empty) removes the field, as client-go's
    setters do.
    """

    __slots__ = ("object",)

    def __init__(self, obj: dict[str, Any] | None = None) -> None:
        if obj is not None and not isinstance(obj, dict):
            raise TypeError(f"an Unstructured wraps a dict, not a {type(obj).__name__}")
        self.object: dict[str, Any] = obj if obj is not None else {}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Unstructured:
        """An Unstructured holding a deep copy of ``data``."""
        if not isinstance(data, Mapping):
            raise TypeError(f"expected a JSON object, got a {type(data).__name__}")
        copied: dict[str, Any] = deep_copy_json(dict(data))
        return cls(copied)

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the object."""
        copied: dict[str, Any] = deep_copy_json(self.object)
        return copied

    def deep_copy(self) -> Unstructured:
        return Unstructured(self.to_dict())

    # -- mapping-style access to top-level fields --

    def __getitem__(self, key: str) -> Any:
        return self.object[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.object[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self.object

    def get(self, key: str, default: Any = None) -> Any:
        return self.object.get(key, default)

    def __eq__(self, other: object) -> bool:
        """The same JSON document (``kubecore.core.jsoneq.same_json``): ``1``, ``1.0`` and
        ``True`` differ, key order does not matter, NaN never equals. client-go:
        ``equality.Semantic.DeepEqual`` of the two objects."""
        if not isinstance(other, Unstructured):
            return NotImplemented
        return same_json(self.object, other.object)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        where = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f"Unstructured({self.api_version} {self.kind} {where!r})"

    # -- nested helpers as methods --

    def nested_field(self, *path: str) -> tuple[Any, bool]:
        return nested_field(self.object, *path)

    def nested_string(self, *path: str) -> tuple[str, bool]:
        return nested_string(self.object, *path)

    def nested_int64(self, *path: str) -> tuple[int, bool]:
        return nested_int64(self.object, *path)

    def nested_float64(self, *path: str) -> tuple[float, bool]:
        return nested_float64(self.object, *path)

    def nested_bool(self, *path: str) -> tuple[bool, bool]:
        return nested_bool(self.object, *path)

    def nested_slice(self, *path: str) -> tuple[list[Any], bool]:
        return nested_slice(self.object, *path)

    def nested_string_slice(self, *path: str) -> tuple[list[str], bool]:
        return nested_string_slice(self.object, *path)

    def nested_map(self, *path: str) -> tuple[dict[str, Any], bool]:
        return nested_map(self.object, *path)

    def nested_string_map(self, *path: str) -> tuple[dict[str, str], bool]:
        return nested_string_map(self.object, *path)

    def set_nested_field(self, value: Any, *path: str) -> None:
        set_nested_field(self.object, value, *path)

    def set_nested_slice(self, value: Iterable[Any], *path: str) -> None:
        set_nested_slice(self.object, value, *path)

    def set_nested_map(self, value: Mapping[str, Any], *path: str) -> None:
        set_nested_map(self.object, value, *path)

    def set_nested_string_map(self, value: Mapping[str, str], *path: str) -> None:
        set_nested_string_map(self.object, value, *path)

    def remove_nested_field(self, *path: str) -> None:
        remove_nested_field(self.object, *path)

    # -- type --

    @property
    def api_version(self) -> str:
        value = self.object.get("apiVersion")
        return value if isinstance(value, str) else ""

    @api_version.setter
    def api_version(self, value: str) -> None:
        self.object["apiVersion"] = value

    @property
    def kind(self) -> str:
        value = self.object.get("kind")
        return value if isinstance(value, str) else ""

    @kind.setter
    def kind(self, value: str) -> None:
        self.object["kind"] = value

    @property
    def group_version_kind(self) -> GroupVersionKind:
        return GroupVersionKind.from_api_version(self.api_version, self.kind)

    @group_version_kind.setter
    def group_version_kind(self, gvk: GroupVersionKind) -> None:
        self.api_version = gvk.api_version
        self.kind = gvk.kind

    def is_list(self) -> bool:
        """Whether the object has an ``items`` list (client-go's ``IsList``)."""
        return isinstance(self.object.get("items"), list)

    # -- metadata --

    def _set_metadata_string(self, name: str, value: str) -> None:
        if value:
            set_nested_field(self.object, value, "metadata", name)
        else:
            remove_nested_field(self.object, "metadata", name)

    @property
    def name(self) -> str:
        return _metadata_string(self.object, "name")

    @name.setter
    def name(self, value: str) -> None:
        self._set_metadata_string("name", value)

    @property
    def generate_name(self) -> str:
        return _metadata_string(self.object, "generateName")

    @generate_name.setter
    def generate_name(self, value: str) -> None:
        self._set_metadata_string("generateName", value)

    @property
    def namespace(self) -> str:
        return _metadata_string(self.object, "namespace")

    @namespace.setter
    def namespace(self, value: str) -> None:
        self._set_metadata_string("namespace", value)

    @property
    def resource_version(self) -> str:
        return _metadata_string(self.object, "resourceVersion")

    @resource_version.setter
    def resource_version(self, value: str) -> None:
        self._set_metadata_string("resourceVersion", value)

    @property
    def uid(self) -> str:
        return _metadata_string(self.object, "uid")

    @uid.setter
    def uid(self, value: str) -> None:
        self._set_metadata_string("uid", value)

    @property
    def creation_timestamp(self) -> str:
        """The RFC 3339 text, as sent by the server (``""`` when unset)."""
        return _metadata_string(self.object, "creationTimestamp")

    @property
    def deletion_timestamp(self) -> str:
        return _metadata_string(self.object, "deletionTimestamp")

    @property
    def generation(self) -> int:
        value, found = _nested_lenient(self.object, "metadata", "generation")
        return value if found and isinstance(value, int) and not isinstance(value, bool) else 0

    @property
    def labels(self) -> MetadataMap:
        """``metadata.labels`` as a live mapping: ``u.labels["app"] = "web"`` changes the
        object. Assign a mapping to replace all (``None`` or ``{}`` removes the field)."""
        return MetadataMap(self.object, "labels")

    @labels.setter
    def labels(self, value: Mapping[str, str] | None) -> None:
        _set_string_map(self.object, "labels", value)

    @property
    def annotations(self) -> MetadataMap:
        """``metadata.annotations`` as a live mapping (see ``labels``)."""
        return MetadataMap(self.object, "annotations")

    @annotations.setter
    def annotations(self, value: Mapping[str, str] | None) -> None:
        _set_string_map(self.object, "annotations", value)

    @property
    def finalizers(self) -> MetadataList[str]:
        """``metadata.finalizers`` as a live list: ``u.finalizers.append("x")`` changes the
        object. Assign an iterable to replace all (``None`` or ``[]`` removes the field)."""
        return MetadataList(self.object, "finalizers", _check_str)

    @finalizers.setter
    def finalizers(self, value: Iterable[str] | None) -> None:
        items = [] if value is None else [_check_str(item) for item in value]
        _set_metadata_list(self.object, "finalizers", items)

    @property
    def owner_references(self) -> MetadataList[dict[str, Any]]:
        """``metadata.ownerReferences`` as a live list of the stored reference dicts
        (``u.owner_references[0]["controller"] = True`` changes the object)."""
        return MetadataList(self.object, "ownerReferences", _check_reference)

    @owner_references.setter
    def owner_references(self, value: Iterable[Mapping[str, Any]] | None) -> None:
        items = [] if value is None else [_check_reference(ref) for ref in value]
        _set_metadata_list(self.object, "ownerReferences", items)


# -- live metadata views --------------------------------------------------------------------
#
# client-go's GetLabels returns a copy and SetLabels writes it back; in Go the copy is
# obvious, in Python ``u.labels["k"] = "v"`` on a copy silently loses the change. So the
# properties return views that read and write ``.object`` itself. A field missing reads as
# empty and is created on the first write; a field holding the wrong JSON type reads as
# empty and refuses writes with TypeError (overwriting it would lose data).


def _stored(obj: dict[str, Any], name: str, kind: type, *, create: bool) -> Any:
    metadata = obj.get("metadata")
    if metadata is None:
        if not create:
            return None
        metadata = obj["metadata"] = {}
    if not isinstance(metadata, dict):
        if create:
            raise TypeError(f"value cannot be set because .metadata is a {type(metadata).__name__}")
        return None
    value = metadata.get(name)
    if value is None:
        if not create:
            return None
        value = metadata[name] = kind()
    if not isinstance(value, kind):
        if create:
            raise TypeError(
                f"value cannot be set because .metadata.{name} is a {type(value).__name__}, "
                f"not a {kind.__name__}"
            )
        return None
    return value


def _drop_if_empty(obj: dict[str, Any], name: str) -> None:
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and metadata.get(name) in ({}, []):
        del metadata[name]


def _set_string_map(obj: dict[str, Any], name: str, value: Mapping[str, str] | None) -> None:
    if not value:
        remove_nested_field(obj, "metadata", name)
    else:
        set_nested_string_map(obj, value, "metadata", name)


def _set_metadata_list(obj: dict[str, Any], name: str, items: list[Any]) -> None:
    if not items:
        remove_nested_field(obj, "metadata", name)
    else:
        set_nested_field(obj, items, "metadata", name)


def _check_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a str, got a {type(value).__name__}")
    return value


def _check_reference(value: Any) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError(f"an owner reference is a mapping, not a {type(value).__name__}")
    copied: dict[str, Any] = deep_copy_json(dict(value))
    return copied


class MetadataMap(MutableMapping[str, str]):
    """A live view of a string map under ``metadata`` (labels, annotations).

    Reads and writes go to the object's own dict; removing the last key removes the
    field (client-go's ``SetLabels`` with an empty map does the same). Compares equal to
    a ``dict`` with the same items.
    """

    __slots__ = ("_obj", "_name")

    def __init__(self, obj: dict[str, Any], name: str) -> None:
        self._obj = obj
        self._name = name

    def _read(self) -> dict[str, Any]:
        stored = _stored(self._obj, self._name, dict, create=False)
        return stored if stored is not None else {}

    def __getitem__(self, key: str) -> str:
        value: str = self._read()[key]
        return value

    def __setitem__(self, key: str, value: str) -> None:
        if not isinstance(key, str):
            raise TypeError(f"metadata.{self._name} keys are str, not {type(key).__name__}")
        _check_str(value)
        _stored(self._obj, self._name, dict, create=True)[key] = value

    def __delitem__(self, key: str) -> None:
        del self._read()[key]
        _drop_if_empty(self._obj, self._name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._read()))

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return repr(self._read())


E = TypeVar("E")


class MetadataList(MutableSequence[E]):
    """A live view of a list under ``metadata`` (finalizers, ownerReferences).

    Items are checked (and owner references deep-copied) on the way in; removing the last
    item removes the field. Compares equal to a ``list`` with the same items.
    """

    __slots__ = ("_obj", "_name", "_check")

    def __init__(self, obj: dict[str, Any], name: str, check: Callable[[Any], E]) -> None:
        self._obj = obj
        self._name = name
        self._check = check

    def _read(self) -> list[Any]:
        stored = _stored(self._obj, self._name, list, create=False)
        return stored if stored is not None else []

    def _write(self) -> list[Any]:
        stored: list[Any] = _stored(self._obj, self._name, list, create=True)
        return stored

    @overload
    def __getitem__(self, index: int) -> E: ...

    @overload
    def __getitem__(self, index: slice) -> list[E]: ...

    def __getitem__(self, index: int | slice) -> E | list[E]:
        item: E | list[E] = self._read()[index]
        return item

    @overload
    def __setitem__(self, index: int, value: E) -> None: ...

    @overload
    def __setitem__(self, index: slice, value: Iterable[E]) -> None: ...

    def __setitem__(self, index: int | slice, value: Any) -> None:
        if isinstance(index, slice):
            self._write()[index] = [self._check(item) for item in value]
        else:
            self._write()[index] = self._check(value)
        _drop_if_empty(self._obj, self._name)

    def __delitem__(self, index: int | slice) -> None:
        del self._read()[index]
        _drop_if_empty(self._obj, self._name)

    def __len__(self) -> int:
        return len(self._read())

    def insert(self, index: int, value: E) -> None:
        self._write().insert(index, self._check(value))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MetadataList | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._read())


class UnstructuredList:
    """A list response: ``items`` (``Unstructured``) plus the list's own fields (``.object``,
    without ``items``): ``apiVersion``, ``kind`` and ``metadata`` with ``resourceVersion``
    and ``continue``."""

    __slots__ = ("object", "items")

    def __init__(
        self, obj: dict[str, Any] | None = None, items: Iterable[Unstructured] = ()
    ) -> None:
        self.object: dict[str, Any] = obj if obj is not None else {}
        self.items: list[Unstructured] = list(items)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UnstructuredList:
        """Decode a list; items without apiVersion/kind (a typed list such as a PodList,
        whose items the server sends bare) get the list's apiVersion and its kind without
        the ``List`` suffix, as client-go does."""
        obj: dict[str, Any] = deep_copy_json({k: v for k, v in data.items() if k != "items"})
        raw_items = data.get("items") or []
        if not isinstance(raw_items, list):
            raise TypeError("a list's items must be a list")
        api_version = obj.get("apiVersion")
        kind = obj.get("kind")
        item_kind = kind[: -len("List")] if isinstance(kind, str) and kind.endswith("List") else ""
        items: list[Unstructured] = []
        for raw in raw_items:
            if not isinstance(raw, dict):
                raise TypeError(f"a list item must be an object, not a {type(raw).__name__}")
            item = Unstructured.from_dict(raw)
            if item_kind:
                item.object.setdefault("apiVersion", api_version)
                item.object.setdefault("kind", item_kind)
            items.append(item)
        return cls(obj, items)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = deep_copy_json(self.object)
        data["items"] = [item.to_dict() for item in self.items]
        return data

    @property
    def api_version(self) -> str:
        value = self.object.get("apiVersion")
        return value if isinstance(value, str) else ""

    @property
    def kind(self) -> str:
        value = self.object.get("kind")
        return value if isinstance(value, str) else ""

    @property
    def resource_version(self) -> str:
        return _metadata_string(self.object, "resourceVersion")

    @property
    def continue_(self) -> str:
        """The token for the next page (``""`` on the last page)."""
        return _metadata_string(self.object, "continue")

    @property
    def remaining_item_count(self) -> int | None:
        value, found = _nested_lenient(self.object, "metadata", "remainingItemCount")
        return value if found and isinstance(value, int) else None

    def __iter__(self) -> Iterator[Unstructured]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __eq__(self, other: object) -> bool:
        """The same list fields (as JSON documents) and equal items in the same order, as
        ``Unstructured.__eq__`` compares them. client-go: ``equality.Semantic.DeepEqual``."""
        if not isinstance(other, UnstructuredList):
            return NotImplemented
        return same_json(self.object, other.object) and self.items == other.items

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"UnstructuredList({self.kind or 'List'}, {len(self.items)} items)"


# -- YAML -----------------------------------------------------------------------------------


def load_yaml(text: str | bytes | IO[str] | IO[bytes]) -> list[Unstructured]:
    """Every object of a (multi-document) YAML or JSON stream, in order.

    Empty documents are skipped; a ``kind: List`` document (or a typed list such as a
    ``ConfigMapList`` with ``items``) is expanded into its items, as kubectl does. A
    document that is not a mapping raises ``ValueError``.
    """
    out: list[Unstructured] = []
    for index, doc in enumerate(yamlio.load_all(text)):
        if not isinstance(doc, dict):
            raise ValueError(
                f"YAML document {index + 1} is a {type(doc).__name__}, not a Kubernetes object"
            )
        _expand(doc, out)
    return out


def _expand(doc: dict[str, Any], out: list[Unstructured]) -> None:
    kind = doc.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
        for item in UnstructuredList.from_dict(doc).items:
            _expand(item.object, out)
        return
    out.append(Unstructured.from_dict(doc))


# -- typed <-> unstructured -----------------------------------------------------------------


def to_typed(obj: Unstructured | Mapping[str, Any], scheme: Scheme | type[Model]) -> Model:
    """The typed model for ``obj``: looked up in ``scheme`` by apiVersion and kind, or
    decoded with the given model class. Raises ``LookupError`` for a kind the scheme
    does not know, ``ValueError`` when a model class is given for another kind."""
    data = obj.object if isinstance(obj, Unstructured) else obj
    api_version, kind = data.get("apiVersion", ""), data.get("kind", "")
    copied: dict[str, Any] = deep_copy_json(dict(data))
    if isinstance(scheme, type):
        want = (getattr(scheme, "API_VERSION", None), getattr(scheme, "KIND", None))
        if None not in want and (api_version, kind) != want and (api_version or kind):
            raise ValueError(
                f"cannot decode {api_version} {kind} as {scheme.__name__} ({want[0]} {want[1]})"
            )
        return scheme.from_dict(copied)
    cls = scheme.lookup(str(api_version), str(kind))
    if cls is None:
        raise LookupError(f"the scheme has no type for apiVersion {api_version!r} kind {kind!r}")
    return cls.from_dict(copied)


def from_typed(model: Model) -> Unstructured:
    """The Unstructured form of a typed object (apiVersion and kind filled in from its
    class when unset)."""
    data = model.to_dict()
    head: dict[str, Any] = {}
    for wire, attr in (("apiVersion", "API_VERSION"), ("kind", "KIND")):
        value = getattr(type(model), attr, None)
        if isinstance(value, str) and not data.get(wire):
            head[wire] = value
    if head:
        data = {**head, **{k: v for k, v in data.items() if k not in head}}
    return Unstructured.from_dict(data)
