"""The reflector: keeps a sink in step with the server by listing, then watching
(client-go's ``cache.Reflector``).

1. **List**, with client-go's pager (``limit``/``continue``; continuation pages carry no
   ``resourceVersion``; an expired continue token falls back to one unpaged list at the
   same version), and hand the whole state to ``sink.replace``. Or, when the server
   supports it, **stream the list** (WatchList: ``sendInitialEvents=true``): the initial
   objects arrive as watch events and only the decoded objects are held until the
   ``k8s.io/initial-events-end`` bookmark, instead of a whole list response beside them.
   A server that rejects WatchList (an older apiserver answers 4xx) is listed from then on;
   after three streams in a row cut before their initial state was complete, the next
   relist is a paged list. A stream answered 410 Expired or "Too large resource version"
   is not a cut stream and does not count: it only says where to stream from next
   (below), as client-go's ``watchList`` has no failure count for those.
2. **Watch** from the list's resourceVersion, with bookmarks, handing each change to
   ``sink.apply``; every event and bookmark moves the last synced version on.
3. **Relist or re-watch** after a watch ends, as client-go's ``watch()`` loop and
   ``ListAndWatch`` decide (below).

Which version a list asks for (client-go's ``relistResourceVersion``):

* the first list: ``resourceVersion=0``, paged with ``limit=page_size`` (any state; a
  kube-apiserver with a watch cache serves it from the cache and ignores ``limit``);
* a relist: the last synced version, ``resourceVersionMatch=NotOlderThan``, unpaged, so
  the watch cache can serve it (kube-apiserver lists a version other than ``0`` from the
  cache only without ``limit``), unless the first list came back in pages (no watch
  cache: every list goes to storage anyway), then paged;
* after a list answered 410 Expired or "Too large resource version" (504 with the cause
  ``ResourceVersionTooLarge``, client-go's ``isTooLargeResourceVersionError``): at once
  a consistent list, ``resourceVersion`` unset, paged; and again after every failure until
  a list succeeds (``isLastSyncResourceVersionUnavailable``).

client-go sends that relist as ``resourceVersion=<rv>`` with ``resourceVersionMatch``
unset and no ``limit``, which the API's resource-version table defines as "not older
than"; we name the match (same state served), and so a paged relist (a server without a
watch cache) also reads "not older than" instead of the exact, possibly compacted, version
that ``limit`` without a match means (client-go gets a 410 there and lists again at "").

After a watch ends (client-go's ``watch()`` and ``handleWatch``):

* normally, or cut (a read error or timeout; client-go's stream watcher takes probable EOFs
  and timeouts for a normal close): watch again from the last synced version at once; but
  a watch that ended within a second with no event at all is client-go's "very short
  watch" error: relist after the backoff;
* 410 (an HTTP answer or an ERROR event, ``isExpiredError``): relist at once at the last
  synced version (``NotOlderThan``; a watch's 410 does not make the version unavailable);
* 429 TooManyRequests, or the connection refused (``isWatchErrorRetriable``): back off,
  then watch again from the last synced version, no list;
* any other error (5xx, 403, a failed TLS handshake, ...): back off, then relist (client-go
  returns from ``ListAndWatch``; its ``MaxInternalErrorRetryDuration``, off by default,
  is not offered).

Backoff is a jittered exponential ``initial_backoff`` doubling up to ``max_backoff``, reset
by any progress (a list, an event). client-go's ``BackoffUntil`` also waits its backoff
(0.8 s at first) before the relist after a 410; we relist at once.

Which version a streamed list asks for (client-go's ``watchList`` and
``rewatchResourceVersion``): ``sendInitialEvents=true``, ``resourceVersionMatch=NotOlderThan``,
``allowWatchBookmarks=true`` and ``resourceVersion`` set to

* nothing, the first time: a consistent state, as of a quorum read (the KEP-3157 "most
  recent" case);
* the last synced version on a relist, so kube-apiserver's watch cache may serve any state
  at least that new (case "not older than") instead of waiting for a consistent read;
* nothing again after a stream at that version was answered 410 Expired (an HTTP answer or
  an ERROR event before the initial state was complete) or "Too large resource version"
  (``isExpiredError``, ``isTooLargeResourceVersionError``: the version is unavailable),
  at once, until a stream delivers its initial state (or a list succeeds); a 410 to a
  stream from no version backs off first (client-go retries at once; a server answering
  so every time would spin).

``run(stop)`` does all that in the calling thread until ``stop`` is set or :meth:`stop`
is called (which also aborts a watch blocked on the network).
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from kubecore.client.errors import ApiError, Gone, TooManyRequests, has_status_cause
from kubecore.client.transport import ConnectError, TransportError
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
#: A watch that ends without an error and without an event sooner than this (seconds) is
#: client-go's "very short watch": an error, so the reflector relists.
_SHORT_WATCH = 1.0


class ReflectorSink(Protocol[T_contra]):
    """Where a reflector delivers: the whole state after a list, then each change."""

    def replace(self, objects: Sequence[T_contra], resource_version: str) -> None: ...

    def apply(self, event_type: str, obj: T_contra) -> None: ...


class Reflector(Generic[T]):
    """See the module docstring. ``use_watch_list``: None tries WatchList when the client
    can do it and falls back to list+watch; False always lists. ``page_size`` is the
    pager's ``limit`` (client-go's pager default, 500; 0 never pages), used where client-go
    pages: the first list (at "0"), a list at the latest version, and every list once the
    first one came back in pages."""

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
        # client-go's isLastSyncResourceVersionUnavailable and paginatedResult.
        self._rv_unavailable = False
        self._paginated_result = False
        # When the current watch connection was asked for, and how many events it brought.
        self._watch_started = 0.0
        self._watch_events = 0
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
            streaming = self._needs_list and self._watch_list and self._broken_streams < 3
            try:
                if streaming:
                    self._stream_list_and_watch()
                else:
                    if self._needs_list:
                        self._list()
                    self._watch(self._rv)
                self._watch_ended()
            except Gone as err:
                if self._needs_list and streaming and self._rewatch_resource_version():
                    self._stream_latest_next(err)
                    self._progressed = True  # stream again at once, from no version
                elif self._needs_list:
                    # a consistent list, or a stream from no version: back off
                    log.warning("%s: %s", self.name, err)
                else:
                    log.debug("%s: resourceVersion %s is gone; relisting", self.name, self._rv)
                    self._needs_list = True
                    self._progressed = True  # relist at once
            except ApiError as err:
                if (
                    self._needs_list
                    and streaming
                    and self._rewatch_resource_version()
                    and _too_large_resource_version(err)
                ):
                    self._stream_latest_next(err)
                    continue  # at once, from no version
                if self._needs_list and streaming and err.status in _WATCH_LIST_REJECTED:
                    log.info("%s: the server rejects WatchList (%s); listing", self.name, err)
                    self._watch_list = False
                    continue
                log.warning("%s: %s", self.name, err)
                if not self._needs_list:
                    self._watch_failed(err)
            except (TransportError, ConnectionError, OSError) as err:
                if stopping():
                    return
                log.warning("%s: %s", self.name, err)
                if not self._needs_list:
                    self._watch_failed(err)
            except ValueError as err:
                # A list body or watch line that is not JSON (or nests past the decoder's
                # limit): client-go's watch handler returns the decoding error and its
                # reflector lists again; the thread never dies of it.
                log.warning(
                    "%s: cannot decode what the server sent (%s); relisting", self.name, err
                )
                self._needs_list = True
                self._progressed = False  # after a backoff, as client-go's outer loop waits
            except Exception as err:  # noqa: BLE001 - the thread must outlive any client error
                # Anything else the list or watch raised (a fake's reactor error, a bug in a
                # transport or decoder): client-go's reflector retries every ListAndWatch
                # error after its backoff; a thread that died of it left the cache stale, and
                # has_synced False forever, with one traceback on stderr.
                if stopping():
                    return
                log.warning("%s: list and watch failed; relisting", self.name, exc_info=err)
                self._needs_list = True
                self._progressed = False
            failures = 0 if self._progressed else failures + 1
            if failures:
                delay = min(self._initial_backoff * 2 ** (failures - 1), self._max_backoff)
                self._wait(jittered(delay), stop)

    def _watch_ended(self) -> None:
        """After a watch ended without an error: watch again at once, unless it was
        client-go's "very short watch" (under a second, no event), which relists."""
        if self._needs_list:
            return  # a WatchList stream cut before its initial state was complete
        if self._watch_events == 0 and time.monotonic() - self._watch_started < _SHORT_WATCH:
            log.warning("%s: the watch ended at once with nothing in it; relisting", self.name)
            self._needs_list = True
            self._progressed = False  # back off first
        else:
            self._progressed = True

    def _watch_failed(self, err: Exception) -> None:
        """Relist or watch again after the watch failed with ``err`` (not a 410), as
        client-go's ``watch()`` loop decides; the caller backs off either way."""
        self._progressed = False
        if isinstance(err, TooManyRequests) or _connection_refused(err):
            return  # isWatchErrorRetriable: the same watch again, after the backoff
        if isinstance(err, (ApiError, ConnectError)):
            self._needs_list = True  # client-go returns from ListAndWatch: a relist
            return
        # A read error or timeout on an open stream: client-go's stream watcher closes
        # as if normally (net.IsProbableEOF, net.IsTimeout).
        self._watch_ended()

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

    def _relist_resource_version(self) -> str:
        """client-go's ``relistResourceVersion``: "" after a list found the last synced
        version unavailable, "0" before the first list, else the last synced version."""
        if self._rv_unavailable:
            return ""
        return self._rv or "0"

    def _list(self) -> None:
        resource_version = self._relist_resource_version()
        try:
            items, list_rv, paginated = self._list_at(resource_version)
        except ApiError as err:
            if not (isinstance(err, Gone) or _too_large_resource_version(err)):
                raise
            log.debug("%s: cannot list at %r (%s); listing the latest", self.name, self._rv, err)
            self._rv_unavailable = True
            resource_version = ""
            items, list_rv, paginated = self._list_at(resource_version)
        if resource_version == "0" and paginated:
            self._paginated_result = True  # no watch cache: relists are paged too
        self._rv_unavailable = False
        self.lists += 1
        self._sink.replace(items, list_rv)
        self._rv = list_rv
        self._needs_list = False
        self._progressed = True
        self._broken_streams = 0

    def _list_at(self, resource_version: str) -> tuple[list[T], str, bool]:
        """Every page of a list at ``resource_version`` (client-go's pager): the items,
        the list's resourceVersion and whether it came in more than one page."""
        at_version = resource_version not in ("", "0")
        match = "NotOlderThan" if at_version else ""
        paged = not at_version or self._paginated_result
        limit = (self._page_size or None) if paged else None
        items: list[T] = []
        token: str | None = None
        list_rv = ""
        pages = 0
        try:
            while True:
                if token is None:
                    page, rv, token = self._lw.list_page(limit, None, resource_version, match)
                else:  # a continuation carries the version in its token, and only there
                    page, rv, token = self._lw.list_page(limit, token, "", "")
                items.extend(page)
                list_rv = list_rv or rv
                pages += 1
                if not token:
                    return items, list_rv, pages > 1
        except Gone:
            if token is None:
                raise  # the first page: the version itself is gone
        # The continue token expired: one unpaged list at the same version instead.
        items, list_rv, _ = self._lw.list_page(None, None, resource_version, match)
        return items, list_rv, True

    # -- watch --------------------------------------------------------------------------

    def _open(self, resource_version: str, send_initial_events: bool) -> WatchHandle[T]:
        self._watch_started = time.monotonic()
        self._watch_events = 0
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

    def _stream_latest_next(self, err: Exception) -> None:
        """The last synced version cannot be streamed (gone, or not reached by the
        server): the next stream starts from no version (client-go's
        ``isLastSyncResourceVersionUnavailable``)."""
        log.debug("%s: cannot stream at %s (%s); streaming the latest", self.name, self._rv, err)
        self._rv_unavailable = True

    def _rewatch_resource_version(self) -> str:
        """client-go's ``rewatchResourceVersion``: where a streamed list starts, "" (the
        latest, consistent) before the first sync or once the last synced version was
        found unavailable, else the last synced version (``NotOlderThan``)."""
        return "" if self._rv_unavailable else self._rv

    def _stream_list_and_watch(self) -> None:
        """WatchList: the initial state as events, then the same stream's changes."""
        handle = self._open(self._rewatch_resource_version(), True)
        initial: list[T] = []
        pause = _initial_state_gc_pause()
        broken = True  # cut before its initial state was complete, unless told otherwise
        try:
            for event in handle:
                self._watch_events += 1
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
                        self._rv_unavailable = False
                        self._broken_streams = 0
                    continue
                self._handle(event)
        except ApiError as err:
            # 410 or "Too large resource version" says where to stream from next (client-go's
            # watchList retries on isExpiredError / isTooLargeResourceVersionError with no
            # failure count): not a broken stream.
            broken = not (isinstance(err, Gone) or _too_large_resource_version(err))
            raise
        finally:
            pause.close()
            self._close(handle)
            if self._needs_list and broken:
                self._broken_streams += 1

    def _watch(self, resource_version: str) -> None:
        handle = self._open(resource_version, False)
        try:
            for event in handle:
                self._handle(event)
        finally:
            self._close(handle)

    def _handle(self, event: WatchEvent[T]) -> None:
        self._watch_events += 1
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


def _too_large_resource_version(err: ApiError) -> bool:
    """client-go's ``isTooLargeResourceVersionError``: the cause ``ResourceVersionTooLarge``,
    or (servers before 1.18.6) a 504 whose message says "Too large resource version"."""
    if has_status_cause(err, "ResourceVersionTooLarge"):
        return True
    return err.status == 504 and "Too large resource version" in err.message


def _connection_refused(err: BaseException) -> bool:
    """client-go's ``utilnet.IsConnectionRefused``: somewhere in ``err``'s causes."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


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
