"""Owner reference helpers (controller-runtime ``controllerutil`` and apimachinery
``metav1.IsControlledBy`` / ``GetControllerOf``).

Objects and owners may be typed models, ``Unstructured`` objects or dicts; the dependent
is changed in place, keeping its own representation (``OwnerReference`` models in a typed
object, dicts in an unstructured one). An owner must exist on the server already (it needs
its ``uid``). References are matched as controller-runtime matches them: same API group
(any version), kind and name.
"""

from __future__ import annotations

from typing import Any

from kubecore.core.generated.meta_v1 import OwnerReference
from kubecore.runtime._objects import (
    api_version_kind,
    field_of,
    meta_field,
    metadata_of,
    set_meta_field,
)

__all__ = [
    "AlreadyOwnedError",
    "get_controller_of",
    "has_owner_reference",
    "is_controlled_by",
    "remove_owner_reference",
    "set_controller_reference",
    "set_owner_reference",
]


class AlreadyOwnedError(ValueError):
    """The object already has a different controller (controller-runtime's
    ``AlreadyOwnedError``); ``owner`` is that controller's reference."""

    def __init__(self, namespace: str, name: str, owner: Any) -> None:
        self.namespace, self.name, self.owner = namespace, name, owner
        kind = field_of(owner, "kind", "kind")
        owner_name = field_of(owner, "name", "name")
        where = f"{namespace}/{name}" if namespace else name
        super().__init__(
            f"object {where} is already owned by another {kind} controller {owner_name}"
        )


def _refs(obj: Any) -> list[Any]:
    return list(meta_field(metadata_of(obj), "ownerReferences", "owner_references") or [])


def _group(api_version: str | None) -> str:
    api_version = api_version or ""
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


def _same_object(a: Any, b: dict[str, Any]) -> bool:
    return (
        _group(field_of(a, "apiVersion", "api_version")) == _group(b["apiVersion"])
        and field_of(a, "kind", "kind") == b["kind"]
        and field_of(a, "name", "name") == b["name"]
    )


def _reference_to(owner: Any, obj: Any) -> dict[str, Any]:
    owner_meta = metadata_of(owner)
    api_version, kind = api_version_kind(owner)
    name = meta_field(owner_meta, "name", "name")
    uid = meta_field(owner_meta, "uid", "uid")
    if not (api_version and kind and name and uid):
        raise ValueError(
            "the owner needs apiVersion, kind, name and uid (create it on the server first)"
        )
    owner_ns = meta_field(owner_meta, "namespace", "namespace") or ""
    obj_ns = meta_field(metadata_of(obj), "namespace", "namespace") or ""
    if owner_ns and not obj_ns:
        raise ValueError(
            f"cluster-scoped resource must not have a namespace-scoped owner, owner's "
            f"namespace {owner_ns}"
        )
    if owner_ns and owner_ns != obj_ns:
        raise ValueError(
            f"cross-namespace owner references are disallowed, owner's namespace {owner_ns}, "
            f"obj's namespace {obj_ns}"
        )
    return {"apiVersion": api_version, "kind": kind, "name": name, "uid": uid}


def _upsert(obj: Any, ref: dict[str, Any]) -> bool:
    meta = metadata_of(obj, create=True)
    refs = _refs(obj)
    typed = not isinstance(meta, dict)
    new: Any = OwnerReference.from_dict(ref) if typed else ref
    new_wire = ref
    for index, existing in enumerate(refs):
        if _same_object(existing, ref):
            old_wire = existing.to_dict() if typed else existing
            if old_wire == new_wire:
                return False
            refs[index] = new
            break
    else:
        refs.append(new)
    set_meta_field(meta, "ownerReferences", "owner_references", refs)
    return True


def set_controller_reference(owner: Any, obj: Any) -> bool:
    """Make ``owner`` the controller of ``obj`` (``controller: true``,
    ``blockOwnerDeletion: true``); returns whether ``obj`` changed.

    Raises :class:`AlreadyOwnedError` if another object is its controller, and
    ``ValueError`` for an owner without uid or in another namespace (controller-runtime's
    ``SetControllerReference``).
    """
    ref = _reference_to(owner, obj)
    ref.update(controller=True, blockOwnerDeletion=True)
    current = get_controller_of(obj)
    if current is not None and not _same_object(current, ref):
        meta = metadata_of(obj)
        raise AlreadyOwnedError(
            meta_field(meta, "namespace", "namespace") or "",
            meta_field(meta, "name", "name") or "",
            current,
        )
    return _upsert(obj, ref)


def set_owner_reference(owner: Any, obj: Any) -> bool:
    """Add (or refresh) a non-controller reference to ``owner`` in ``obj``; returns whether
    ``obj`` changed (``SetOwnerReference``: an existing reference to the same owner is
    replaced, so it stops being the controller)."""
    return _upsert(obj, _reference_to(owner, obj))


def get_controller_of(obj: Any) -> Any:
    """The owner reference with ``controller: true`` (a model or a dict, as stored), or
    ``None`` (``metav1.GetControllerOf``)."""
    for ref in _refs(obj):
        if field_of(ref, "controller", "controller"):
            return ref
    return None


def is_controlled_by(obj: Any, owner: Any) -> bool:
    """Whether ``obj``'s controller reference has ``owner``'s uid (``metav1.IsControlledBy``)."""
    ref = get_controller_of(obj)
    if ref is None:
        return False
    uid = meta_field(metadata_of(owner), "uid", "uid")
    return bool(uid) and field_of(ref, "uid", "uid") == uid


def _owner_identity(owner: Any) -> dict[str, Any]:
    api_version, kind = api_version_kind(owner)
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": meta_field(metadata_of(owner), "name", "name"),
    }


def has_owner_reference(obj: Any, owner: Any) -> bool:
    """Whether ``obj`` references ``owner`` (same group, kind and name; controller-runtime
    ``HasOwnerReference``)."""
    wanted = _owner_identity(owner)
    return any(_same_object(ref, wanted) for ref in _refs(obj))


def remove_owner_reference(owner: Any, obj: Any) -> bool:
    """Remove ``obj``'s reference to ``owner`` (controller or not); returns whether ``obj``
    changed (controller-runtime's ``RemoveOwnerReference`` raises instead when absent)."""
    wanted = _owner_identity(owner)
    refs = _refs(obj)
    kept = [ref for ref in refs if not _same_object(ref, wanted)]
    if len(kept) == len(refs):
        return False
    set_meta_field(metadata_of(obj), "ownerReferences", "owner_references", kept)
    return True
