"""Finalizer helpers (controller-runtime ``controllerutil``): work on typed models,
``Unstructured`` objects and dicts alike, changing the object in place.

The delete flow of a controller::

    if obj.metadata.deletion_timestamp:          # deletion requested
        if has_finalizer(obj, FINALIZER):
            clean_up_external_resources(obj)
            remove_finalizer(obj, FINALIZER)
            client.update(obj)                    # the API server deletes it now
        return
    if add_finalizer(obj, FINALIZER):
        client.update(obj)
"""

from __future__ import annotations

from typing import Any

from kubecore.runtime._objects import meta_field, metadata_of, set_meta_field

__all__ = ["add_finalizer", "has_finalizer", "remove_finalizer"]


def has_finalizer(obj: Any, finalizer: str) -> bool:
    """Whether ``metadata.finalizers`` holds ``finalizer`` (``ContainsFinalizer``)."""
    return finalizer in (meta_field(metadata_of(obj), "finalizers", "finalizers") or [])


def add_finalizer(obj: Any, finalizer: str) -> bool:
    """Append ``finalizer`` unless present; returns whether the object changed
    (``AddFinalizer``). ``ValueError`` for an empty name."""
    if not finalizer:
        raise ValueError("a finalizer name must not be empty")
    meta = metadata_of(obj, create=True)
    current = list(meta_field(meta, "finalizers", "finalizers") or [])
    if finalizer in current:
        return False
    set_meta_field(meta, "finalizers", "finalizers", [*current, finalizer])
    return True


def remove_finalizer(obj: Any, finalizer: str) -> bool:
    """Remove every occurrence of ``finalizer``; returns whether the object changed
    (``RemoveFinalizer``). An emptied list is removed from the object."""
    meta = metadata_of(obj)
    current = list(meta_field(meta, "finalizers", "finalizers") or [])
    kept = [f for f in current if f != finalizer]
    if len(kept) == len(current):
        return False
    set_meta_field(meta, "finalizers", "finalizers", kept)
    return True
