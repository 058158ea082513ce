"""Metadata reads the controller needs, on typed models, ``Unstructured`` and dicts alike."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from kubecore.runtime._objects import object_meta_field as meta_value

__all__ = ["controller_refs", "group_of", "mapping_value", "meta_value"]


def mapping_value(obj: Any, wire: str, attr: str) -> Mapping[str, str]:
    """A string map of the metadata (labels, annotations); ``{}`` when unset."""
    value = meta_value(obj, wire, attr)
    return value if isinstance(value, Mapping) else {}


def _ref_field(ref: Any, wire: str, attr: str) -> Any:
    if isinstance(ref, Mapping):
        return ref.get(wire)
    return getattr(ref, attr, None)


def controller_refs(obj: Any) -> Iterator[tuple[str, str, str]]:
    """``(apiVersion, kind, name)`` of the owner references marked ``controller: true``
    (at most one on a valid object; every one is given, the server decides validity)."""
    refs = meta_value(obj, "ownerReferences", "owner_references") or ()
    for ref in refs:
        if _ref_field(ref, "controller", "controller") is True:
            yield (
                str(_ref_field(ref, "apiVersion", "api_version") or ""),
                str(_ref_field(ref, "kind", "kind") or ""),
                str(_ref_field(ref, "name", "name") or ""),
            )


def group_of(api_version: str) -> str:
    """``"apps/v1"`` -> ``"apps"``; ``"v1"`` -> ``""`` (the core group)."""
    return api_version.rpartition("/")[0]
