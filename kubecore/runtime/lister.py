"""Listers: typed reads from an informer's cache (client-go's ``listers`` and lister-gen).

Listers never call the server. Objects they return are the cache's own, shared with every
other reader and handler: **do not mutate them**; copy first (client-go's rule for its
listers, for the same reason).

* :class:`NamespacedLister` (namespaced resources): ``list(label_selector=...)`` across all
  namespaces, ``namespace(ns)`` (generated listers name it after the resource:
  ``lister.virtual_machines("default")``) -> :class:`NamespaceLister` with ``get``/``list``.
* :class:`ClusterLister` (cluster-scoped resources): ``get(name)`` and ``list``.
* :class:`GenericLister` (dynamic informers, where the scope is not known):
  ``get(name)``, ``list``, ``by_namespace(ns)``.

``get`` raises the client's :class:`~kubecore.client.errors.NotFound` for a missing object,
as a GET would; ``list`` raises ``ValueError`` for a malformed label selector.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from kubecore.client.errors import NotFound
from kubecore.runtime.keys import object_labels
from kubecore.runtime.labels import parse_selector
from kubecore.runtime.store import NAMESPACE_INDEX, Indexer

__all__ = ["ClusterLister", "GenericLister", "Lister", "NamespaceLister", "NamespacedLister"]

T = TypeVar("T")


class Lister(Generic[T]):
    """Reads of one cache; ``group`` and ``resource`` (the plural) name it in NotFound errors."""

    def __init__(self, indexer: Indexer[T], group: str = "", resource: str = "") -> None:
        self._indexer = indexer
        self._group = group
        self._resource = resource

    def _select(self, objects: list[T], label_selector: str | None) -> list[T]:
        if not label_selector:
            return objects
        matches = parse_selector(label_selector)
        return [obj for obj in objects if matches(object_labels(obj))]

    def _get(self, key: str, name: str) -> T:
        obj = self._indexer.get_by_key(key)
        if obj is None:
            raise self._not_found(name)
        return obj

    def _not_found(self, name: str) -> NotFound:
        qualified = f"{self._resource}.{self._group}" if self._group else self._resource
        return NotFound(
            f'{qualified} "{name}" not found',
            details={"name": name, "group": self._group, "kind": self._resource},
        )

    def list(self, *, label_selector: str | None = None) -> list[T]:
        """Every cached object matching ``label_selector`` (all when None)."""
        return self._select(self._indexer.list(), label_selector)


class NamespaceLister(Lister[T]):
    """The cached objects of one namespace."""

    def __init__(
        self, indexer: Indexer[T], namespace: str, group: str = "", resource: str = ""
    ) -> None:
        super().__init__(indexer, group, resource)
        self._namespace = namespace

    def list(self, *, label_selector: str | None = None) -> list[T]:
        """The namespace's cached objects matching ``label_selector``."""
        objects = self._indexer.by_index(NAMESPACE_INDEX, self._namespace)
        return self._select(objects, label_selector)

    def get(self, name: str) -> T:
        """The cached object ``name`` of this namespace; raises ``NotFound``."""
        return self._get(f"{self._namespace}/{name}" if self._namespace else name, name)


class NamespacedLister(Lister[T]):
    """A namespaced resource's cache: ``list`` spans every namespace."""

    def namespace(self, namespace: str) -> NamespaceLister[T]:
        return NamespaceLister(self._indexer, namespace, self._group, self._resource)


class ClusterLister(Lister[T]):
    """A cluster-scoped resource's cache."""

    def get(self, name: str) -> T:
        """The cached object ``name``; raises ``NotFound``."""
        return self._get(name, name)


class GenericLister(Lister[T]):
    """A cache whose resource's scope is not known (dynamic informers): ``get(name)`` reads
    a cluster-scoped key, ``by_namespace(ns).get(name)`` a namespaced one."""

    def get(self, name: str) -> T:
        return self._get(name, name)

    def by_namespace(self, namespace: str) -> NamespaceLister[T]:
        return NamespaceLister(self._indexer, namespace, self._group, self._resource)
