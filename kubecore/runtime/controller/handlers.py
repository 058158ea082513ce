"""Informer events to reconcile requests (controller-runtime's ``handler`` package).

Three ways an event on some object becomes requests:

* :func:`enqueue_for_object`: the object itself (``For``; ``EnqueueRequestForObject``);
* :func:`enqueue_for_owner`: the owner named by the object's *controller* owner reference,
  when its group and kind are the owner kind's (``Owns``; ``EnqueueRequestForOwner`` with
  ``OnlyControllerOwner``); other owner references are ignored;
* a map function ``fn(obj) -> iterable of Request`` (``Watches`` with
  ``EnqueueRequestsFromMapFunc``).

An update enqueues the requests of both the old and the new object (an owner reference
that changed reconciles both owners), a delete those of the last known state (of the
tombstone's object when the delete was missed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from kubecore.core.resource import ResourceInfo
from kubecore.runtime.controller._meta import controller_refs, group_of, meta_value
from kubecore.runtime.controller.predicates import Predicate
from kubecore.runtime.controller.request import Request
from kubecore.runtime.keys import DeletedFinalStateUnknown, split_meta_namespace_key

__all__ = ["MapFunc", "enqueue_for_object", "enqueue_for_owner"]

log = logging.getLogger("kubecore.runtime.controller")

MapFunc = Callable[[Any], Iterable[Request] | None]


class _Queue(Protocol):
    def add(self, item: Request) -> None: ...


def enqueue_for_object(obj: Any) -> list[Request]:
    """The request for ``obj`` itself (a tombstone gives its key's)."""
    if isinstance(obj, DeletedFinalStateUnknown):
        namespace, name = split_meta_namespace_key(obj.key)
        return [Request(namespace, name)]
    name = meta_value(obj, "name", "name")
    if not name:
        return []
    return [Request(meta_value(obj, "namespace", "namespace") or "", name)]


def enqueue_for_owner(owner: ResourceInfo) -> MapFunc:
    """A map function to the controller owner of kind ``owner`` (group and kind must match;
    the version may differ). A namespaced owner is in its dependent's namespace (owner
    references never cross namespaces); a cluster-scoped owner has none."""

    def owners(obj: Any) -> list[Request]:
        namespace = (meta_value(obj, "namespace", "namespace") or "") if owner.namespaced else ""
        return [
            Request(namespace, name)
            for api_version, kind, name in controller_refs(obj)
            if name and kind == owner.kind and group_of(api_version) == owner.group
        ]

    return owners


class EventHandler:
    """An informer event handler that filters events through ``predicate`` and adds the
    requests ``map_fn`` gives to ``queue`` (a map function that raises is logged; its
    event enqueues nothing)."""

    def __init__(self, queue: _Queue, map_fn: MapFunc, predicate: Predicate) -> None:
        self._queue = queue
        self._map = map_fn
        self._predicate = predicate

    def _enqueue(self, *objects: Any) -> None:
        seen: set[Request] = set()
        for obj in objects:
            try:
                requests = self._map(obj) or ()
            except Exception:
                log.exception("mapping an event of %r to requests failed", _describe(obj))
                continue
            for request in requests:
                if request not in seen:
                    seen.add(request)
                    self._queue.add(request)

    def on_add(self, obj: Any) -> None:
        if self._predicate.create(obj):
            self._enqueue(obj)

    def on_update(self, old: Any, new: Any) -> None:
        if self._predicate.update(old, new):
            self._enqueue(old, new) if old is not new else self._enqueue(new)

    def on_delete(self, obj: Any) -> None:
        last = obj.obj if isinstance(obj, DeletedFinalStateUnknown) else obj
        if last is None:
            if self._map is enqueue_for_object:
                self._enqueue(obj)  # the tombstone's key is all there is
            return
        if self._predicate.delete(last):
            self._enqueue(last)

    def generic(self, obj: Any) -> None:
        """A generic event (from outside the cluster: controller-runtime's channel source)."""
        if self._predicate.generic(obj):
            self._enqueue(obj)


def _describe(obj: Any) -> str:
    name = meta_value(obj, "name", "name")
    namespace = meta_value(obj, "namespace", "namespace")
    return f"{namespace}/{name}" if namespace else str(name)
