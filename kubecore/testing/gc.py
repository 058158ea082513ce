"""kube-controller-manager's garbage collector for the test API server.

Deleting an object goes through :meth:`GarbageCollector.delete` with its propagation
policy, as kube-apiserver's delete handler and the GC controller do together:

* ``Background`` (the default): the object goes at once (unless it has finalizers); its
  dependents — objects whose ``ownerReferences`` name its uid and that have no other
  live owner — are then deleted, in turn collecting their own dependents.
* ``Foreground``: the object gets ``deletionTimestamp`` and the ``foregroundDeletion``
  finalizer and stays, while its dependents are deleted (those with dependents of their
  own in the foreground too); the finalizer is removed, and the object goes, when no
  dependent with ``blockOwnerDeletion: true`` is left.
* ``Orphan``: the object gets the ``orphan`` finalizer; its dependents lose their
  reference to it, then the finalizer is removed and the object goes.

Without a policy, the object's own ``orphan`` / ``foregroundDeletion`` finalizer decides,
then ``orphanDependents``, then the resource's default (``Orphan`` for core/v1
ReplicationControllers, as kube-apiserver keeps it for compatibility; ``Background`` for
everything else). A dependent that keeps another live owner only loses the references to
the deleted ones. Objects with finalizers stay, with a ``deletionTimestamp``, until the
finalizers are removed — removing the last one is a deletion that the GC follows too.

Unlike a cluster's, this collector runs synchronously, inside the request that triggered it,
so tests see a settled state when the request returns (watchers still see every step as
its own event). A reference counts as dangling only when this server saw its owner
deleted: objects that reference owners it never held are left alone, where a cluster would
collect them.

The dependents index is kept from the tracker's event history (rebuilt by a scan only
when the history no longer reaches back far enough), so a deletion costs time in the
number of changes since the last one, not in the number of stored objects.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from kubecore.testing.discovery import Resource

if TYPE_CHECKING:
    from kubecore.testing.tracker import Tracker

__all__ = ["BACKGROUND", "FOREGROUND", "ORPHAN", "GarbageCollector"]

Obj = dict[str, Any]
Key = tuple[tuple[str, str], tuple[str, str]]  # (storage key, (namespace, name))

BACKGROUND, FOREGROUND, ORPHAN = "Background", "Foreground", "Orphan"
_ORPHAN_FINALIZER = "orphan"
_FOREGROUND_FINALIZER = "foregroundDeletion"
_GC_FINALIZERS = (_ORPHAN_FINALIZER, _FOREGROUND_FINALIZER)
_ORPHAN_BY_DEFAULT = {("", "replicationcontrollers")}


def _invalid(message: str) -> Exception:
    from kubecore.testing.tracker import ApiError

    return ApiError(422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: {message}')


def _refs(obj: Obj) -> list[Obj]:
    refs = (obj.get("metadata") or {}).get("ownerReferences") or []
    return [r for r in refs if isinstance(r, dict)]


def _uid(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("uid") or "")


def _finalizers(obj: Obj) -> list[str]:
    return list((obj.get("metadata") or {}).get("finalizers") or [])


def _with_gc_finalizer(finalizers: list[str], policy: str, *, explicit: bool) -> list[str]:
    """``finalizers`` with the garbage collector's finalizer for ``policy`` (the registry's
    ``deletionFinalizersForGarbageCollection``); an ``explicit`` policy first drops the GC
    finalizers the object had."""
    wanted = [f for f in finalizers if f not in _GC_FINALIZERS or not explicit]
    if policy == ORPHAN and _ORPHAN_FINALIZER not in wanted:
        wanted = [f for f in wanted if f != _FOREGROUND_FINALIZER] + [_ORPHAN_FINALIZER]
    elif policy == FOREGROUND and _FOREGROUND_FINALIZER not in wanted:
        wanted = [f for f in wanted if f != _ORPHAN_FINALIZER] + [_FOREGROUND_FINALIZER]
    return wanted


def _deleting(obj: Obj) -> bool:
    return bool((obj.get("metadata") or {}).get("deletionTimestamp"))


class GarbageCollector:
    """The GC of one :class:`~kubecore.testing.tracker.Tracker`; every method runs under
    the tracker's lock."""

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker
        self._gone: set[str] = set()  # uids this server saw deleted
        self._indexed_rv = -1
        self._by_uid: dict[str, Key] = {}
        self._owners_of: dict[Key, tuple[str, ...]] = {}  # dependent -> owner uids
        self._dependents: dict[str, set[Key]] = {}  # owner uid -> dependents
        self._pending: set[str] = set()  # uids deleting with a GC finalizer

    # -- hooks ----------------------------------------------------------------------------------

    def delete(
        self,
        resource: Resource,
        key: tuple[str, str],
        obj: Obj,
        propagation_policy: str | None = None,
        orphan_dependents: bool | None = None,
    ) -> Obj:
        """Delete the stored ``obj`` with a propagation policy; returns the response body."""
        policy = self._policy(resource, obj, propagation_policy, orphan_dependents)
        result = self._delete(resource, key, obj, policy, explicit=propagation_policy is not None)
        self._collect()
        return result

    def deletion_finalizers(
        self,
        resource: Resource,
        obj: Obj,
        propagation_policy: str | None = None,
        orphan_dependents: bool | None = None,
    ) -> list[str]:
        """The finalizers the stored ``obj`` would have once :meth:`delete` marked it with
        these options (its own, with the ``orphan`` / ``foregroundDeletion`` finalizer the
        policy asks for): what a dry-run delete answers with. Changes nothing."""
        policy = self._policy(resource, obj, propagation_policy, orphan_dependents)
        return _with_gc_finalizer(_finalizers(obj), policy, explicit=propagation_policy is not None)

    def updated(self, *, deleted: bool) -> None:
        """After an update or patch: collect if it ``deleted`` the object (its last finalizer
        was removed) or while a foreground or orphan deletion waits."""
        if deleted or self._pending:
            self._collect()

    # -- policy ---------------------------------------------------------------------------------

    @staticmethod
    def _policy(
        resource: Resource, obj: Obj, propagation: str | None, orphan_dependents: bool | None
    ) -> str:
        if propagation is not None and orphan_dependents is not None:
            raise _invalid("PropagationPolicy and OrphanDependents cannot be both set")
        if propagation is not None:
            if propagation not in (BACKGROUND, FOREGROUND, ORPHAN):
                raise _invalid(
                    f'propagationPolicy: Unsupported value: "{propagation}": supported values: '
                    '"Foreground", "Background", "Orphan", "nil"'
                )
            return propagation
        finalizers = _finalizers(obj)
        if _ORPHAN_FINALIZER in finalizers:
            return ORPHAN
        if _FOREGROUND_FINALIZER in finalizers:
            return FOREGROUND
        if orphan_dependents is not None:
            return ORPHAN if orphan_dependents else BACKGROUND
        if resource.storage_key in _ORPHAN_BY_DEFAULT and resource.version == "v1":
            return ORPHAN
        return BACKGROUND

    def _delete(
        self, resource: Resource, key: tuple[str, str], obj: Obj, policy: str, *, explicit: bool
    ) -> Obj:
        tracker = self._tracker
        meta = obj["metadata"]
        finalizers = _finalizers(obj)
        wanted = _with_gc_finalizer(finalizers, policy, explicit=explicit)
        if wanted != finalizers:
            if wanted:
                meta["finalizers"] = wanted
            else:
                meta.pop("finalizers", None)
            if _deleting(obj):  # already deleting: the new finalizers are a change of their own
                meta["resourceVersion"] = tracker._next_rv()
                tracker._record("MODIFIED", resource, obj)
        result = tracker._delete(resource, key, obj)
        if not _deleting(obj) or not obj["metadata"].get("finalizers"):
            self._gone.add(_uid(obj))
        return result

    # -- the index ------------------------------------------------------------------------------

    def _refresh(self) -> None:
        tracker = self._tracker
        events = tracker._events
        if self._indexed_rv >= 0 and (
            tracker._rv == self._indexed_rv
            or (events and events[0].resource_version <= self._indexed_rv + 1)
        ):
            for event in events:
                if event.resource_version > self._indexed_rv:
                    self._index(event.key, event.object, deleted=event.type == "DELETED")
        else:
            self._by_uid.clear()
            self._owners_of.clear()
            self._dependents.clear()
            self._pending.clear()
            for storage_key, store in tracker._objects.items():
                for obj in store.values():
                    self._index(storage_key, obj, deleted=False)
        self._indexed_rv = tracker._rv

    def _index(self, storage_key: tuple[str, str], obj: Obj, *, deleted: bool) -> None:
        meta = obj.get("metadata") or {}
        key: Key = (storage_key, (str(meta.get("namespace") or ""), str(meta.get("name") or "")))
        uid = _uid(obj)
        for owner in self._owners_of.pop(key, ()):
            dependents = self._dependents.get(owner)
            if dependents is not None:
                dependents.discard(key)
                if not dependents:
                    del self._dependents[owner]
        if deleted:
            if self._by_uid.get(uid) == key:
                del self._by_uid[uid]
            self._gone.add(uid)
            self._pending.discard(uid)
            return
        self._by_uid[uid] = key
        owners = tuple(str(r.get("uid") or "") for r in _refs(obj))
        if owners:
            self._owners_of[key] = owners
            for owner in owners:
                self._dependents.setdefault(owner, set()).add(key)
        if _deleting(obj) and any(f in _GC_FINALIZERS for f in _finalizers(obj)):
            self._pending.add(uid)
        else:
            self._pending.discard(uid)

    def _lookup(self, key: Key) -> tuple[Resource, Obj] | None:
        storage_key, object_key = key
        obj = self._tracker._objects.get(storage_key, {}).get(object_key)
        if obj is None:
            return None
        return self._resource_for(storage_key, obj), obj

    def _resource_for(self, storage_key: tuple[str, str], obj: Obj) -> Resource:
        fallback = None
        for resource in self._tracker.table.resources.values():
            if resource.storage_key == storage_key:
                if resource.group_version == obj.get("apiVersion"):
                    return resource
                fallback = fallback or resource
        assert fallback is not None, storage_key
        return fallback

    def _owner(self, uid: str) -> Obj | None:
        key = self._by_uid.get(uid)
        found = self._lookup(key) if key is not None else None
        return found[1] if found is not None else None

    # -- collecting -----------------------------------------------------------------------------

    def _collect(self) -> None:
        """Apply the GC's rules until nothing changes (bounded, as a safety net)."""
        for _ in range(10_000):
            self._refresh()
            if not self._step():
                return

    def _step(self) -> bool:
        """One change, if any is due; whether something changed."""
        for uid in sorted(self._pending):
            owner_key = self._by_uid.get(uid)
            found = self._lookup(owner_key) if owner_key is not None else None
            if found is None:
                continue
            resource, owner = found
            if _ORPHAN_FINALIZER in _finalizers(owner):
                for dependent in self._dependents_of(uid):
                    self._drop_refs(dependent, {uid})
                    return True
                self._remove_finalizer(resource, owner, _ORPHAN_FINALIZER)
                return True
            if _FOREGROUND_FINALIZER in _finalizers(owner):
                if self._settle_dependents(uid, waiting=True):
                    return True
                blocking = [
                    d
                    for d in self._dependents_of(uid)
                    if any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in _refs(d[1]))
                ]
                if not blocking:
                    self._remove_finalizer(resource, owner, _FOREGROUND_FINALIZER)
                    return True
        for uid in sorted(self._gone & self._dependents.keys()):
            if self._settle_dependents(uid, waiting=False):
                return True
        return False

    def _dependents_of(self, uid: str) -> Iterator[tuple[Key, Obj]]:
        for key in sorted(self._dependents.get(uid, ())):
            found = self._lookup(key)
            if found is not None:
                yield key, found[1]

    def _settle_dependents(self, uid: str, *, waiting: bool) -> bool:
        """Make one change to a dependent of ``uid`` (deleting in the foreground if
        ``waiting``, else gone): drop references or delete it. Whether anything changed."""
        for key, dependent in self._dependents_of(uid):
            solid, dead = [], set()
            for ref in _refs(dependent):
                ref_uid = str(ref.get("uid") or "")
                owner = self._owner(ref_uid)
                if owner is None:
                    if ref_uid in self._gone:
                        dead.add(ref_uid)
                    else:
                        solid.append(ref_uid)  # never seen here: not ours to judge
                elif _deleting(owner) and _FOREGROUND_FINALIZER in _finalizers(owner):
                    dead.add(ref_uid)
                else:
                    solid.append(ref_uid)
            if solid:
                if dead:
                    self._drop_refs((key, dependent), dead)
                    return True
                continue
            if _deleting(dependent):
                continue  # already being deleted; its own finalizers hold it
            resource = self._resource_for(key[0], dependent)
            if _ORPHAN_FINALIZER in _finalizers(dependent):
                policy = ORPHAN
            elif _FOREGROUND_FINALIZER in _finalizers(dependent) or (
                waiting and self._dependents.get(_uid(dependent))
            ):
                policy = FOREGROUND
            else:
                policy = BACKGROUND
            self._delete(resource, key[1], dependent, policy, explicit=False)
            return True
        return False

    def _drop_refs(self, item: tuple[Key, Obj], uids: set[str]) -> None:
        key, obj = item
        resource = self._resource_for(key[0], obj)
        new = self._tracker_clone(obj)
        kept = [r for r in _refs(obj) if str(r.get("uid") or "") not in uids]
        if kept:
            new["metadata"]["ownerReferences"] = kept
        else:
            new["metadata"].pop("ownerReferences", None)
        self._tracker._replace(resource, key[1], obj, new)

    def _remove_finalizer(self, resource: Resource, obj: Obj, finalizer: str) -> None:
        new = self._tracker_clone(obj)
        kept = [f for f in _finalizers(obj) if f != finalizer]
        if kept:
            new["metadata"]["finalizers"] = kept
        else:
            new["metadata"].pop("finalizers", None)
        meta = obj["metadata"]
        key = (str(meta.get("namespace") or "") if resource.namespaced else "", meta["name"])
        self._tracker._replace(resource, key, obj, new)

    @staticmethod
    def _tracker_clone(obj: Obj) -> Obj:
        from kubecore.testing.tracker import _clone

        clone: Obj = _clone(obj)
        return clone
