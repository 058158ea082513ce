"""Object keys and metadata access for the cache (client-go's ``tools/cache`` key functions).

Every function here works on typed models (``obj.metadata.name``), on ``Unstructured``
objects and on plain dicts, so one generic cache serves both typed and dynamic informers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from kubecore.runtime._objects import object_meta_field as _meta_field

__all__ = [
    "DeletedFinalStateUnknown",
    "deletion_handling_meta_namespace_key_func",
    "meta_namespace_key_func",
    "object_labels",
    "object_name",
    "object_namespace",
    "object_resource_version",
    "object_uid",
    "split_meta_namespace_key",
]

T = TypeVar("T")


class DeletedFinalStateUnknown(Generic[T]):
    """What ``on_delete`` receives for an object whose delete the informer did not see.

    The watch missed the DELETED event (it was gone by the time of a relist), so ``obj`` is
    the last state the cache knew, which may be stale; ``key`` is its ``namespace/name``.
    client-go's ``cache.DeletedFinalStateUnknown``.
    """

    __slots__ = ("key", "obj")

    def __init__(self, key: str, obj: T) -> None:
        self.key = key
        self.obj = obj

    def __repr__(self) -> str:
        return f"DeletedFinalStateUnknown({self.key!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DeletedFinalStateUnknown):
            return NotImplemented
        return bool(self.key == other.key and self.obj == other.obj)

    __hash__ = None  # type: ignore[assignment]


def object_name(obj: Any) -> str:
    """``metadata.name`` ("" when unset)."""
    return _meta_field(obj, "name", "name") or ""


def object_namespace(obj: Any) -> str:
    """``metadata.namespace`` ("" for cluster-scoped objects)."""
    return _meta_field(obj, "namespace", "namespace") or ""


def object_resource_version(obj: Any) -> str:
    """``metadata.resourceVersion`` ("" when unset)."""
    return _meta_field(obj, "resourceVersion", "resource_version") or ""


def object_uid(obj: Any) -> str:
    """``metadata.uid`` ("" when unset)."""
    return _meta_field(obj, "uid", "uid") or ""


def object_labels(obj: Any) -> Mapping[str, str]:
    """``metadata.labels`` (shared, read-only use; ``{}`` when unset)."""
    labels = _meta_field(obj, "labels", "labels")
    return labels if isinstance(labels, Mapping) else {}


def meta_namespace_key_func(obj: Any) -> str:
    """The cache key of ``obj``: ``namespace/name``, or ``name`` when it has no namespace.

    A ``str`` is taken as a key already (client-go's ``ExplicitKey``) and a
    :class:`DeletedFinalStateUnknown` gives its ``key``, so handlers can key tombstones too
    (client-go needs ``DeletionHandlingMetaNamespaceKeyFunc`` for that). Raises
    ``ValueError`` when the object has no name.
    """
    if isinstance(obj, str):
        return obj
    if isinstance(obj, DeletedFinalStateUnknown):
        return obj.key
    name = object_name(obj)
    if not name:
        raise ValueError(f"object has no metadata.name: {type(obj).__name__}")
    namespace = object_namespace(obj)
    return f"{namespace}/{name}" if namespace else name


#: client-go's name for the same function (tombstones are handled by both).
deletion_handling_meta_namespace_key_func = meta_namespace_key_func


def split_meta_namespace_key(key: str) -> tuple[str, str]:
    """``"ns/name"`` -> ``("ns", "name")``; ``"name"`` -> ``("", "name")``.

    Raises ``ValueError`` for a key with more than one ``/`` (client-go's
    ``SplitMetaNamespaceKey``).
    """
    parts = key.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    raise ValueError(f"unexpected key format: {key!r}")
