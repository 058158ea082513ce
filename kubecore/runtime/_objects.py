"""Uniform access to typed models, ``Unstructured`` objects and plain dicts (private)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubecore.core.model import Model
from kubecore.core.peek import peek_meta
from kubecore.core.unstructured import Unstructured


def wire_dict(obj: Any) -> dict[str, Any]:
    """The object's JSON data: a copy for models, the live dict for Unstructured and dicts."""
    if isinstance(obj, Unstructured):
        return obj.object
    if isinstance(obj, dict):
        return obj
    if isinstance(obj, Mapping):
        return dict(obj)
    to_dict = getattr(obj, "to_dict", None)
    if to_dict is None:
        raise TypeError(
            f"expected a model, an Unstructured or a dict, not {type(obj).__module__}."
            f"{type(obj).__qualname__}"
        )
    data: dict[str, Any] = to_dict()
    return data


def api_version_kind(obj: Any) -> tuple[str, str]:
    """``(apiVersion, kind)`` of an object; typed models fall back to their ``RESOURCE``."""
    data = wire_dict(obj)
    api_version, kind = data.get("apiVersion") or "", data.get("kind") or ""
    info = getattr(type(obj), "RESOURCE", None)
    if info is not None:
        api_version = api_version or info.api_version
        kind = kind or info.kind
    return str(api_version), str(kind)


def object_reference(obj: Any) -> dict[str, Any]:
    """A ``core/v1 ObjectReference`` for ``obj`` (client-go ``reference.GetReference``).

    ``obj`` may already be a reference (a dict or model with ``kind`` and ``name`` and no
    ``metadata``): it is used as it is.
    """
    data = wire_dict(obj)
    if "metadata" not in data and "name" in data:
        return {k: v for k, v in data.items() if v is not None}
    meta = data.get("metadata") or {}
    api_version, kind = api_version_kind(obj)
    ref = {
        "apiVersion": api_version,
        "kind": kind,
        "namespace": meta.get("namespace"),
        "name": meta.get("name"),
        "uid": meta.get("uid"),
        "resourceVersion": meta.get("resourceVersion"),
    }
    return {k: v for k, v in ref.items() if v}


def object_meta_field(obj: Any, wire: str, attr: str) -> Any:
    """``metadata.<wire>`` of a dict or ``Unstructured``, ``metadata.<attr>`` of a model;
    None when absent. A model is not loaded to answer (``kubecore.core.peek``)."""
    if isinstance(obj, Model):
        return peek_meta(obj, wire)
    if isinstance(obj, Unstructured):
        obj = obj.object
    if isinstance(obj, Mapping):
        meta = obj.get("metadata")
        return meta.get(wire) if isinstance(meta, Mapping) else None
    meta = getattr(obj, "metadata", None)
    return getattr(meta, attr, None) if meta is not None else None


def metadata_of(obj: Any, *, create: bool = False) -> Any:
    """``obj.metadata`` (a model) or ``obj["metadata"]`` (a dict); ``None`` when absent
    unless ``create``. Typed models get an ``ObjectMeta``."""
    if isinstance(obj, Unstructured):
        obj = obj.object
    if isinstance(obj, dict):
        meta = obj.get("metadata")
        if meta is None and create:
            meta = obj["metadata"] = {}
        if meta is not None and not isinstance(meta, dict):
            raise TypeError(f".metadata is a {type(meta).__name__}, not an object")
        return meta
    if not hasattr(obj, "metadata"):
        raise TypeError(
            f"expected a model with metadata, an Unstructured or a dict, not "
            f"{type(obj).__module__}.{type(obj).__qualname__}"
        )
    if obj.metadata is None and create:
        from kubecore.core.generated.meta_v1 import ObjectMeta

        obj.metadata = ObjectMeta()
    return obj.metadata


def meta_field(meta: Any, wire: str, attr: str) -> Any:
    """A metadata field by wire name (dicts) or attribute name (models)."""
    if meta is None:
        return None
    if isinstance(meta, dict):
        return meta.get(wire)
    return getattr(meta, attr)


def set_meta_field(meta: Any, wire: str, attr: str, value: Any) -> None:
    """Set (or with an empty value, remove) a metadata field."""
    if isinstance(meta, dict):
        if value in (None, [], {}):
            meta.pop(wire, None)
        else:
            meta[wire] = value
    else:
        setattr(meta, attr, value or None)


def field_of(item: Any, wire: str, attr: str) -> Any:
    """A field of a list item: a dict by wire name, a model by attribute name."""
    if isinstance(item, Mapping):
        return item.get(wire)
    return getattr(item, attr, None)
