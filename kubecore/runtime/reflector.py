"""The reflector: keeps a sink in step with the server by listing, then watching
(client-go's ``cache.Reflector``).

1. **List**, in pages of ``page_size`` (``limit``/``continue``; an expired continue token
   falls back to one unpaged list), and hand the whole state to ``sink.replace``. Or, when
   the server supports it, **stream the list** (WatchList: ``sendInitialEvents=true``): the
   initial objects arrive as watch events and only the decoded objects are held until the
   ``k8s.io/initial-events-end`` bookmark, instead of a whole list response beside them.
   A server that rejects WatchList (an older apiserver answers 4xx) is listed from then on;
   after three streams in a row cut before their initial state was complete, the next
   relist is a paged list.
2. **Watch** from the list's resourceVersion, with bookmarks, handing each change to
   ``sink.apply``. A dropped or ended watch resumes from the last version seen (objects and
   bookmarks); a watch that ends at once with nothing in it, and every failure, waits a
   jittered exponential backoff (``initial_backoff`` doubling up to ``max_backoff``).
3. **Relist** when the server says the version is gone (HTTP 410 or an ERROR event).

``run(stop)`` does all that in the calling thread until ``stop`` is set or :meth:`stop`
is called (which also aborts a watch blocked on the network).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from kubecore.client.errors import ApiError, Gone
from kubecore.client.transport import TransportError
from kubecore.client.watch import (
    ADDED,
    BOOKMARK,
    DELETED,
    MODIFIED,
    WatchEvent,
    is_initial_events_end,
    jittered,
)
from kubecore.core.codec import gc_paused
from kubecore.runtime.listwatch import ListWatch, WatchHandle

__all__ = ["Reflector", "ReflectorSink"]

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

log = logging.getLogger("kubecore.runtime")

#: Statuses with which a server turns a WatchList request down (it predates WatchList).
_WATCH_LIST_REJECTED = frozenset({400, 403, 405, 422})


class ReflectorSink(Protocol[T_contra]):
    """Where a reflector delivers: the whole state after a list, then each change."""

    def replace(self, objects: Sequence[T_contra], resource_version: str) -> None: ...

    def apply(self, event_type: str, obj: T_contra) -> None: ...


class Reflector(Generic[T]):
    """See the module docstring. ``use_watch_list``: None tries WatchList when the client
    can do it and falls back to list+watch; False always lists."""

    def __init__(
        self,
        list_watch: ListWatch[T],
        sink: ReflectorSink[T],
        *,
        name: str = "",
        page_size: int = 500,
        use_watch_list: bool | None = None,
        initial_backoff: float = 0.8,
        max_backoff: float = 30.0,
    ) -> None:
        self._lw = list_watch
        self._sink = sink
        self.name = name or list_watch.description
        self._page_size = page_size
        self._watch_list = list_watch.supports_watch_list and use_watch_list is not False
        self._initial_backoff = initial_backoff
        self._max_backoff = max_backoff
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._current: WatchHandle[T] | None = None
        self._rv = ""
        self._needs_list = True
        #: How often the reflector listed (or streamed the list); for diagnostics and tests.
        self.lists = 0
        self._progressed = False
        # WatchList streams cut before their initial state was complete, in a row: after
        # three, the next relist is a paged list (each page is a short request).
        self._broken_streams = 0

    @property
    def last_sync_resource_version(self) -> str:
        """The resourceVersion the cache is known to be in step with ("" before the first list)."""
        return self._rv

    @property
    def uses_watch_list(self) -> bool:
        return self._watch_list

    def stop(self) -> None:
        """End :meth:`run` from any thread, aborting a watch in progress."""
        self._stopped.set()
        with self._lock:
            current = self._current
        if current is not None:
            current.stop()

    def run(self, stop: threading.Event | None = None) -> None:
        """List and watch until ``stop`` is set (or :meth:`stop` is called)."""
        failures = 0

        def stopping() -> bool:
            return self._stopped.is_set() or (stop is not None and stop.is_set())

        while not stopping():
            self._progressed = False  # set by every list and event: only idle failures back off
            try:
                if self._needs_list and self._watch_list and self._broken_streams < 3:
                    self._stream_list_and_watch()
                else:
                    if self._needs_list:
                        self._list()
                    self._watch(self._rv)
            except Gone:
                log.debug("%s: resourceVersion %s is gone; relisting", self.name, self._rv)
                self._needs_list = True
                self._progressed = True  # relist at once, as client-go does
            except ApiError as err:
                if self._needs_list and self._watch_list and err.status in _WATCH_LIST_REJECTED:
                    log.info("%s: the server rejects WatchList (%s); listing", self.name, err)
                    self._watch_list = False
                    continue
                log.warning("%s: %s", self.name, err)
            except (TransportError, ConnectionError, OSError) as err:
                if stopping():
                    return
                log.warning("%s: %s", self.name, err)
            failures = 0 if self._progressed else failures + 1
            if failures:
                delay = min(self._initial_backoff * 2 ** (failures - 1), self._max_backoff)
                self._wait(jittered(delay), stop)

    def _wait(self, seconds: float, stop: threading.Event | None) -> None:
        if stop is None:
            self._stopped.wait(seconds)
            return
        step = min(seconds, 0.1)
        waited = 0.0
        while waited < seconds and not (self._stopped.is_set() or stop.is_set()):
            self._stopped.wait(step)
            waited += step

    # -- list ---------------------------------------------------------------------------

    def _list(self) -> None:
        items: list[T] = []
        token: str | None = None
        list_rv = ""
        try:
            while True:
                page, rv, token = self._lw.list_page(self._page_size or None, token)
                items.extend(page)
                list_rv = list_rv or rv
                if not token:
                    break
        except Gone:  # the continue token expired: one unpaged list instead
            items, list_rv, _ = self._lw.list_page(None, None)
        self.lists += 1
        self._sink.replace(items, list_rv)
        self._rv = list_rv
        self._needs_list = False
        self._progressed = True
        self._broken_streams = 0

    # -- watch --------------------------------------------------------------------------

    def _open(self, resource_version: str, send_initial_events: bool) -> WatchHandle[T]:
        handle = self._lw.watch(resource_version, send_initial_events)
        with self._lock:
            self._current = handle
        if self._stopped.is_set():
            handle.stop()
        return handle

    def _close(self, handle: WatchHandle[T]) -> None:
        with self._lock:
            self._current = None
        handle.stop()

    def _stream_list_and_watch(self) -> None:
        """WatchList: the initial state as events, then the same stream's changes."""
        handle = self._open("", True)
        initial: list[T] = []
        pause = _initial_state_gc_pause()
        try:
            for event in handle:
                if self._needs_list:
                    if event.type == ADDED:
                        initial.append(event.object)
                        self._progressed = True
                    elif is_initial_events_end(event):
                        pause.close()
                        self.lists += 1
                        rv = event.resource_version
                        self._sink.replace(initial, rv)
                        initial = []
                        self._rv, self._needs_list = rv, False
                        self._broken_streams = 0
                    continue
                self._handle(event)
        finally:
            pause.close()
            self._close(handle)
            if self._needs_list:
                self._broken_streams += 1

    def _watch(self, resource_version: str) -> None:
        handle = self._open(resource_version, False)
        try:
            for event in handle:
                self._handle(event)
        finally:
            self._close(handle)

    def _handle(self, event: WatchEvent[T]) -> None:
        kind = event.type
        if kind in (ADDED, MODIFIED, DELETED):
            self._sink.apply(kind, event.object)
        elif kind != BOOKMARK:
            log.warning("%s: unexpected watch event type %r", self.name, kind)
            return
        rv = event.resource_version
        if rv:
            self._rv = rv
        self._progressed = True


def _initial_state_gc_pause() -> contextlib.ExitStack:
    """The cyclic GC paused until the returned stack is closed (idempotent).

    While a WatchList's initial state streams in, every object decoded is kept (in the
    list handed to ``replace``), so a collection finds no garbage; but each full
    collection rescans every object already held, and their number grows with the state:
    at 2,000 pods three to six of them cost more than decoding. The pause ends at the
    initial-events-end bookmark or when the stream ends, whichever comes first, and only
    restores the collector if it was on. It is process-wide: other threads' cyclic garbage
    waits (it is not lost) until the initial state is in.
    """
    stack = contextlib.ExitStack()
    stack.enter_context(gc_paused())
    return stack
