"""The shared informer: a reflector filling an indexed cache and notifying handlers
(client-go's ``cache.SharedIndexInformer``).

One informer per resource is shared by every part of a program that watches it: one list,
one watch, one cache. Each handler registered with :meth:`SharedIndexInformer.add_event_handler`
has its own queue and thread, so a slow handler delays nobody else, and receives, for each
object, every change the informer saw, once and in order:

* ``on_add(obj)``, ``on_update(old, new)``, ``on_delete(obj)``;
* ``on_delete`` gets a :class:`~kubecore.runtime.keys.DeletedFinalStateUnknown` tombstone
  (the last state the cache knew) when the delete itself was missed across a relist;
* a watch replayed after a reconnect, or a relist that finds an object unchanged, notifies
  nothing (the resourceVersion did not change); an object deleted and recreated under the
  same name between two lists comes as a tombstone delete then an add (its uid changed),
  where client-go would report an update;
* with a resync period, ``on_update(obj, obj)`` for every cached object each period
  (``old is new``): the level-triggered safety net, not a change;
* a handler added after the informer started first receives ``on_add`` for every object
  already in the cache.

Handlers run in their listener's thread; an exception is logged and the next notification
proceeds. Objects are shared with the cache and every other handler: never mutate them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, Protocol, TypeVar

from kubecore.client.watch import DELETED
from kubecore.runtime.keys import (
    DeletedFinalStateUnknown,
    meta_namespace_key_func,
    object_resource_version,
    object_uid,
)
from kubecore.runtime.listwatch import ListWatch
from kubecore.runtime.reflector import Reflector
from kubecore.runtime.store import Indexer, IndexFunc, KeyFunc

__all__ = [
    "ResourceEventHandler",
    "ResourceEventHandlerFuncs",
    "ResourceEventHandlerRegistration",
    "SharedIndexInformer",
    "wait_for_cache_sync",
]

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

log = logging.getLogger("kubecore.runtime")

_ADD, _UPDATE, _DELETE = 0, 1, 2
_Notification = tuple[int, Any, Any]  # (kind, old or None, new)


class ResourceEventHandler(Protocol[T_contra]):
    """An object with the three callbacks (client-go's ``ResourceEventHandler``)."""

    def on_add(self, obj: T_contra) -> None: ...

    def on_update(self, old: T_contra, new: T_contra) -> None: ...

    def on_delete(self, obj: T_contra | DeletedFinalStateUnknown[T_contra]) -> None: ...


class ResourceEventHandlerFuncs(Generic[T]):
    """A handler made of optional callables (client-go's ``ResourceEventHandlerFuncs``)."""

    def __init__(
        self,
        on_add: Callable[[T], object] | None = None,
        on_update: Callable[[T, T], object] | None = None,
        on_delete: Callable[[T | DeletedFinalStateUnknown[T]], object] | None = None,
    ) -> None:
        self._add, self._update, self._delete = on_add, on_update, on_delete

    def on_add(self, obj: T) -> None:
        if self._add is not None:
            self._add(obj)

    def on_update(self, old: T, new: T) -> None:
        if self._update is not None:
            self._update(old, new)

    def on_delete(self, obj: T | DeletedFinalStateUnknown[T]) -> None:
        if self._delete is not None:
            self._delete(obj)


class ResourceEventHandlerRegistration:
    """What :meth:`SharedIndexInformer.add_event_handler` returns: remove the handler with
    it; ``has_synced()`` says whether the handler has received the whole initial state."""

    def __init__(self, listener: _Listener) -> None:
        self._listener = listener

    def has_synced(self) -> bool:
        return self._listener.has_synced()


class _Listener:
    """One handler's queue and thread (client-go's ``processorListener``); unbounded, so
    the informer never blocks on a slow handler."""

    def __init__(self, handler: ResourceEventHandler[Any], resync_period: float) -> None:
        self.handler = handler
        self.resync_period = resync_period
        self.next_resync = time.monotonic() + resync_period
        self._queue: deque[_Notification] = deque()
        self._cond = threading.Condition()
        self._stopped = False
        self._queued = 0
        self._done = 0
        self._sync_target: int | None = None
        self._thread: threading.Thread | None = None

    def add(self, note: _Notification) -> None:
        with self._cond:
            self._queue.append(note)
            self._queued += 1
            self._cond.notify()

    def mark_synced(self) -> None:
        """Synced once everything queued so far has been handled."""
        with self._cond:
            if self._sync_target is None:
                self._sync_target = self._queued

    def has_synced(self) -> bool:
        with self._cond:
            return self._sync_target is not None and self._done >= self._sync_target

    def start(self, name: str) -> None:
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def join(self, timeout: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        handler = self.handler
        while True:
            with self._cond:
                while not self._queue and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    return
                kind, old, new = self._queue.popleft()
            try:
                if kind == _ADD:
                    handler.on_add(new)
                elif kind == _UPDATE:
                    handler.on_update(old, new)
                else:
                    handler.on_delete(new)
            except Exception:
                log.exception("event handler %r failed", handler)
            with self._cond:
                self._done += 1


class SharedIndexInformer(Generic[T]):
    """See the module docstring.

    ``list_watch`` lists and watches the collection (:class:`~kubecore.runtime.listwatch.ListWatch`);
    ``resync_period`` (seconds, 0 = never) is the default for handlers; ``indexers`` adds
    index functions to the cache beside ``namespace``. ``use_watch_list`` is passed to the
    :class:`~kubecore.runtime.reflector.Reflector`.
    """

    def __init__(
        self,
        list_watch: ListWatch[T],
        *,
        resync_period: float = 0.0,
        indexers: Mapping[str, IndexFunc[T]] | None = None,
        key_func: KeyFunc = meta_namespace_key_func,
        use_watch_list: bool | None = None,
        name: str = "",
    ) -> None:
        self._key_func = key_func
        self._indexer: Indexer[T] = Indexer(key_func, indexers)
        self._resync_period = resync_period
        self._lock = threading.RLock()  # orders cache changes and notifications
        self._listeners: list[_Listener] = []
        self._synced = False
        self._started = False
        self._stopped = threading.Event()
        self.name = name or list_watch.description
        self.reflector = Reflector(list_watch, self, name=self.name, use_watch_list=use_watch_list)
        self._threads: list[threading.Thread] = []

    # -- handlers -----------------------------------------------------------------------

    def add_event_handler(
        self,
        handler: ResourceEventHandler[T] | None = None,
        *,
        on_add: Callable[[T], object] | None = None,
        on_update: Callable[[T, T], object] | None = None,
        on_delete: Callable[[T | DeletedFinalStateUnknown[T]], object] | None = None,
        resync_period: float | None = None,
    ) -> ResourceEventHandlerRegistration:
        """Register a handler (an object with ``on_add``/``on_update``/``on_delete``, or the
        callables). ``resync_period`` overrides the informer's for this handler. Returns the
        registration (client-go's ``AddEventHandlerWithResyncPeriod``)."""
        if handler is None:
            handler = ResourceEventHandlerFuncs(on_add, on_update, on_delete)
        elif on_add or on_update or on_delete:
            raise ValueError("give a handler or callables, not both")
        period = self._resync_period if resync_period is None else resync_period
        listener = _Listener(handler, period)
        with self._lock:
            if self._stopped.is_set():
                raise RuntimeError(f"informer {self.name} has stopped")
            self._listeners.append(listener)
            if self._started:
                for obj in self._indexer.list():
                    listener.add((_ADD, None, obj))
                listener.start(f"informer-handler {self.name}")
            if self._synced:
                listener.mark_synced()
        return ResourceEventHandlerRegistration(listener)

    def remove_event_handler(self, registration: ResourceEventHandlerRegistration) -> None:
        with self._lock:
            listener = registration._listener
            if listener in self._listeners:
                self._listeners.remove(listener)
                listener.stop()

    # -- the cache ----------------------------------------------------------------------

    def get_indexer(self) -> Indexer[T]:
        """The cache (shared objects: do not mutate them)."""
        return self._indexer

    get_store = get_indexer

    def add_indexers(self, indexers: Mapping[str, IndexFunc[T]]) -> None:
        """Add index functions to the cache (objects already cached are indexed at once)."""
        self._indexer.add_indexers(indexers)

    def has_synced(self) -> bool:
        """Whether the cache holds the first complete list."""
        return self._synced

    @property
    def last_sync_resource_version(self) -> str:
        return self.reflector.last_sync_resource_version

    # -- the reflector's sink -------------------------------------------------------------

    def replace(self, objects: Sequence[T], resource_version: str) -> None:
        key_func = self._key_func
        with self._lock:
            fresh = {key_func(obj): obj for obj in objects}
            notes: list[_Notification] = []
            for key in self._indexer.list_keys():
                if key not in fresh:
                    old = self._indexer.get_by_key(key)
                    notes.append((_DELETE, None, DeletedFinalStateUnknown(key, old)))
            for key, obj in fresh.items():
                old = self._indexer.get_by_key(key)
                if old is None:
                    notes.append((_ADD, None, obj))
                elif object_uid(old) != object_uid(obj):
                    notes.append((_DELETE, None, DeletedFinalStateUnknown(key, old)))
                    notes.append((_ADD, None, obj))
                elif object_resource_version(old) != object_resource_version(obj):
                    notes.append((_UPDATE, old, obj))
            self._indexer.replace(fresh.values())
            self._distribute(notes)
            if not self._synced:
                self._synced = True
                for listener in self._listeners:
                    listener.mark_synced()

    def apply(self, event_type: str, obj: T) -> None:
        key = self._key_func(obj)
        with self._lock:
            old = self._indexer.get_by_key(key)
            if event_type == DELETED:
                if old is None:
                    return  # already gone (a replayed event)
                self._indexer.delete(key)
                self._distribute([(_DELETE, None, obj)])
                return
            if old is not None and object_resource_version(old) == object_resource_version(obj):
                return  # a replayed event
            self._indexer.update(obj)
            self._distribute([(_ADD, None, obj) if old is None else (_UPDATE, old, obj)])

    def _distribute(self, notes: list[_Notification]) -> None:
        for listener in self._listeners:
            for note in notes:
                listener.add(note)

    def _resync(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = [x for x in self._listeners if x.resync_period > 0 and x.next_resync <= now]
            if not due:
                return
            objects = self._indexer.list()
            for listener in due:
                listener.next_resync = now + listener.resync_period
                for obj in objects:
                    listener.add((_UPDATE, obj, obj))

    # -- lifetime -------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Start the handlers' threads and the reflector; block until ``stop`` is set, then
        stop everything (client-go's ``Run``). An informer runs once."""
        with self._lock:
            if self._started:
                raise RuntimeError(f"informer {self.name} was already started")
            if self._stopped.is_set():
                raise RuntimeError(f"informer {self.name} has stopped")
            self._started = True
            for listener in self._listeners:
                listener.start(f"informer-handler {self.name}")
        reflector = threading.Thread(
            target=self.reflector.run, args=(stop,), name=f"reflector {self.name}", daemon=True
        )
        reflector.start()
        self._threads.append(reflector)
        try:
            while not stop.wait(self._resync_tick()):
                self._resync()
        finally:
            self._shutdown(reflector)

    def start(self, stop: threading.Event) -> threading.Thread:
        """:meth:`run` in a daemon thread; returns the thread."""
        thread = threading.Thread(
            target=self.run, args=(stop,), name=f"informer {self.name}", daemon=True
        )
        thread.start()
        return thread

    def _resync_tick(self) -> float | None:
        with self._lock:
            periods = [x.resync_period for x in self._listeners if x.resync_period > 0]
        return min(1.0, min(periods)) if periods else 1.0

    def _shutdown(self, reflector: threading.Thread) -> None:
        with self._lock:
            self._stopped.set()
            listeners = list(self._listeners)
        self.reflector.stop()
        for listener in listeners:
            listener.stop()
        reflector.join(10)
        for listener in listeners:
            listener.join(10)

    @property
    def is_stopped(self) -> bool:
        return self._stopped.is_set()


def wait_for_cache_sync(
    stop: threading.Event, *has_synced: Callable[[], bool], poll: float = 0.05
) -> bool:
    """Wait until every ``has_synced()`` is true (True) or ``stop`` is set (False)
    (client-go's ``cache.WaitForCacheSync``)."""
    while not all(check() for check in has_synced):
        if stop.wait(poll):
            return False
    return True
