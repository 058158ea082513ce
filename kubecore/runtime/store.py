"""A thread-safe object cache with indexes (client-go's ``cache.Indexer`` / ``ThreadSafeStore``).

Objects are stored under their key (``namespace/name``, see
:func:`~kubecore.runtime.keys.meta_namespace_key_func`). An *index function* maps an object
to the index values it is listed under; ``by_index("namespace", "default")`` then returns
every object of that namespace without a scan. The ``namespace`` index is always there.

The store keeps the objects it is given: they are shared with every reader, who must not
mutate them (copy first).
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from kubecore.runtime.keys import meta_namespace_key_func, object_namespace

__all__ = ["NAMESPACE_INDEX", "IndexFunc", "Indexer", "KeyFunc", "meta_namespace_index_func"]

T = TypeVar("T")

KeyFunc = Callable[[Any], str]
IndexFunc = Callable[[T], list[str]]

#: The built-in index: objects by ``metadata.namespace`` (client-go's ``NamespaceIndex``).
NAMESPACE_INDEX = "namespace"


def meta_namespace_index_func(obj: Any) -> list[str]:
    """The namespace index: ``[metadata.namespace]`` (``[""]`` for cluster-scoped objects)."""
    return [object_namespace(obj)]


class Indexer(Generic[T]):
    """Objects by key, plus indexes (see the module docstring). Every method is thread-safe.

    ``indexers`` maps index names to index functions, in addition to the namespace index.
    Reads return the stored objects themselves (shared: do not mutate them).
    """

    def __init__(
        self,
        key_func: KeyFunc = meta_namespace_key_func,
        indexers: Mapping[str, IndexFunc[T]] | None = None,
    ) -> None:
        self._key_func = key_func
        self._lock = threading.RLock()
        self._items: dict[str, T] = {}
        self._indexers: dict[str, IndexFunc[T]] = {NAMESPACE_INDEX: meta_namespace_index_func}
        # index name -> index value -> keys
        self._indices: dict[str, dict[str, set[str]]] = {NAMESPACE_INDEX: {}}
        if indexers:
            self.add_indexers(indexers)

    # -- writes -------------------------------------------------------------------------

    def add(self, obj: T) -> None:
        """Store ``obj`` under its key (replacing any object with that key)."""
        key = self._key_func(obj)
        with self._lock:
            self._put(key, obj)

    update = add

    def delete(self, obj: T | str) -> None:
        """Remove the object with ``obj`` 's key (or the key itself); absent keys are ignored."""
        key = self._key_func(obj)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._unindex(key, old)

    def replace(self, objs: Iterable[T]) -> None:
        """Make the store hold exactly ``objs`` (after a relist)."""
        with self._lock:
            self._items = {}
            self._indices = {name: {} for name in self._indexers}
            for obj in objs:
                self._put(self._key_func(obj), obj)

    def add_indexers(self, indexers: Mapping[str, IndexFunc[T]]) -> None:
        """Add index functions; the objects already stored are indexed at once.

        Raises ``ValueError`` when an index name is already taken.
        """
        with self._lock:
            taken = set(indexers) & set(self._indexers)
            if taken:
                raise ValueError(f"indexer conflict: {sorted(taken)}")
            for name, func in indexers.items():
                self._indexers[name] = func
                index: dict[str, set[str]] = {}
                self._indices[name] = index
                for key, obj in self._items.items():
                    for value in func(obj):
                        index.setdefault(value, set()).add(key)

    def _put(self, key: str, obj: T) -> None:
        old = self._items.get(key)
        if old is not None:
            self._unindex(key, old)
        self._items[key] = obj
        for name, func in self._indexers.items():
            index = self._indices[name]
            for value in func(obj):
                index.setdefault(value, set()).add(key)

    def _unindex(self, key: str, obj: T) -> None:
        for name, func in self._indexers.items():
            index = self._indices[name]
            for value in func(obj):
                keys = index.get(value)
                if keys is not None:
                    keys.discard(key)
                    if not keys:
                        del index[value]

    # -- reads --------------------------------------------------------------------------

    def get(self, obj: T) -> T | None:
        """The stored object with ``obj`` 's key, or None."""
        return self.get_by_key(self._key_func(obj))

    def get_by_key(self, key: str) -> T | None:
        """The object stored under ``key`` (``namespace/name``), or None."""
        with self._lock:
            return self._items.get(key)

    def list(self) -> builtins.list[T]:
        """Every stored object (in no particular order)."""
        with self._lock:
            return list(self._items.values())

    def list_keys(self) -> builtins.list[str]:
        """Every key."""
        with self._lock:
            return list(self._items)

    def by_index(self, index_name: str, indexed_value: str) -> builtins.list[T]:
        """The objects whose index function gave ``indexed_value``. Raises ``KeyError`` for
        an unknown index name."""
        with self._lock:
            keys = self._index(index_name).get(indexed_value, ())
            return [self._items[k] for k in keys]

    def index_keys(self, index_name: str, indexed_value: str) -> builtins.list[str]:
        """The keys of :meth:`by_index`."""
        with self._lock:
            return list(self._index(index_name).get(indexed_value, ()))

    def list_index_func_values(self, index_name: str) -> builtins.list[str]:
        """Every value the index currently holds."""
        with self._lock:
            return list(self._index(index_name))

    def get_indexers(self) -> dict[str, IndexFunc[T]]:
        with self._lock:
            return dict(self._indexers)

    def _index(self, name: str) -> dict[str, set[str]]:
        index = self._indices.get(name)
        if index is None:
            raise KeyError(f"index {name!r} does not exist")
        return index

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items
