"""Watching: typed events from a line-delimited stream, with deadlines, resume and backoff.

:class:`Watcher` is client-go's ``RetryWatcher`` (``resume=True``, what ``watch()`` on the
typed and dynamic clients returns) or one plain watch connection (``resume=False``, what the
reflector in :mod:`kubecore.runtime` drives itself). Both hold these rules:

* **Deadlines.** Every connection asks the server for a ``timeoutSeconds`` (the caller's
  ``timeout_seconds``, else a random 5 to 10 minutes, as client-go's reflector does) and holds
  its own deadline a little later than that, so a silent connection cannot block a read
  forever. ``timeout_seconds`` is honoured on the client side too: no socket read blocks past
  it. ``idle_timeout`` (seconds without a byte) declares a connection dead sooner.
* **Resume.** After a dropped connection (or the server's normal end) the watch is resumed
  from the last resourceVersion seen, but never from a synthetic initial event: a watch
  started without a resourceVersion (or with ``sendInitialEvents``) receives the current
  state as ADDED events first, and resuming from one of those would skip the objects not yet
  sent. Until the initial state is complete (a BOOKMARK, the ``k8s.io/initial-events-end``
  BOOKMARK with ``send_initial_events``, or any non-ADDED event), a dropped watch restarts
  without a version and the initial state comes again.
* **Backoff.** Reconnects after failures, and re-requests of streams that end at once with
  nothing in them, wait ``reconnect_delay * 2**n`` seconds (capped at ``max_backoff``) with
  jitter in [0.5, 1.0) of that, never in a hot loop.
* **Bookmarks.** A resuming watch (client-go's ``RetryWatcher``) consumes BOOKMARK events:
  each one moves the resume version forward, none is yielded, so a caller sees only
  changes. The one exception is the ``k8s.io/initial-events-end`` BOOKMARK, yielded always:
  it is the caller's only sign that a streamed initial state is complete. A plain watch
  (``resume=False``, what the reflector drives) yields every bookmark.
* ``Gone`` (HTTP 410 or an ERROR event with code 410) is raised: the caller relists.
* **Undecodable lines.** A resuming watch treats a line it cannot decode as client-go's
  RetryWatcher treats the 500 ERROR event its StreamWatcher makes of it: it resumes after
  the last event delivered. A plain watch raises the ``ValueError`` (the reflector relists).

The resource clients expose both: ``open_watch()`` is the plain watch (client-go's typed
``Watch(ctx, opts)`` returning a ``watch.Interface``: every event, BOOKMARKs included, one
connection), which informers drive; ``watch()`` is the resuming one for application code.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from typing import Any, Generic, Protocol, TypeVar

from kubecore.client.errors import ApiError, Gone, error_from_response
from kubecore.client.rest import LineStream, RESTClient
from kubecore.client.transport import ReadTimeout, Response, TransportError
from kubecore.core.codec import gc_paused, json_dumps, json_loads

__all__ = [
    "ADDED",
    "BOOKMARK",
    "DELETED",
    "ERROR",
    "INITIAL_EVENTS_END_ANNOTATION",
    "MODIFIED",
    "WatchEvent",
    "WatchHandle",
    "Watcher",
    "is_initial_events_end",
    "jittered",
    "random_watch_timeout",
    "watch_connection",
    "watch_events",
]

T = TypeVar("T")

ADDED, MODIFIED, DELETED, BOOKMARK, ERROR = "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"

#: The annotation of the BOOKMARK that ends a WatchList's initial events.
INITIAL_EVENTS_END_ANNOTATION = "k8s.io/initial-events-end"

#: client-go's reflector asks for a server timeout between these bounds (seconds).
MIN_WATCH_TIMEOUT = 300
MAX_WATCH_TIMEOUT = 600
#: How long after the server's own timeout the client gives up on a silent connection.
_DEADLINE_GRACE = 30.0
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})

log = logging.getLogger("kubecore.client.watch")


class WatchEvent(Generic[T]):
    """One watch event: ``type`` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR."""

    __slots__ = ("type", "object", "raw")

    def __init__(self, type: str, object: T, raw: dict[str, Any]) -> None:
        self.type = type
        self.object = object
        self.raw = raw  # the wire event, for objects the decoder did not type

    def __repr__(self) -> str:
        return f"WatchEvent({self.type}, {self.object!r})"

    @property
    def resource_version(self) -> str:
        """The event object's ``metadata.resourceVersion`` ("" when absent)."""
        obj = self.raw.get("object")
        meta = obj.get("metadata") if isinstance(obj, dict) else None
        rv = meta.get("resourceVersion") if isinstance(meta, dict) else None
        return rv if isinstance(rv, str) else ""


class WatchHandle(Protocol[T]):
    """One running watch (client-go's ``watch.Interface``): iterating yields its
    :class:`WatchEvent` s, BOOKMARKs included, until the stream ends; ``stop()`` may be
    called from any thread and ends the iteration. A :class:`Watcher` is one."""

    def __iter__(self) -> Iterator[WatchEvent[T]]: ...

    def stop(self) -> None: ...


def is_initial_events_end(event: WatchEvent[Any]) -> bool:
    """Whether ``event`` is the BOOKMARK that ends a WatchList's initial events."""
    if event.type != BOOKMARK:
        return False
    obj = event.raw.get("object")
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return (
        isinstance(annotations, dict) and annotations.get(INITIAL_EVENTS_END_ANNOTATION) == "true"
    )


def random_watch_timeout(rand: Callable[[], float] = random.random) -> int:
    """A server-side watch timeout in seconds, uniform in 5 to 10 minutes (client-go's)."""
    return MIN_WATCH_TIMEOUT + int(rand() * (MAX_WATCH_TIMEOUT - MIN_WATCH_TIMEOUT))


def jittered(seconds: float, rand: Callable[[], float] = random.random) -> float:
    """``seconds`` scaled by a random factor in [0.5, 1.0): spreads reconnecting clients."""
    return seconds * (0.5 + rand() / 2)


class Watcher(Generic[T]):
    """An iterator of typed :class:`WatchEvent` s (see the module docstring).

    ``rest``/``path``/``params`` address the collection (``params`` are the list options;
    ``watch``, ``resourceVersion`` and ``timeoutSeconds`` are added here). ``decode`` turns an
    event's object (a dict) into ``T``. ``stop()`` may be called from any thread: the
    current read returns at once and iteration ends. Raises ``Gone`` (relist), other
    ``ApiError`` s the server answers with, and ``ConnectionError`` after ``max_failures``
    failed reconnects in a row (``resume=True``), or the ``TransportError`` of the one
    connection (``resume=False``). ``yield_bookmarks`` (default: ``not resume``) says
    whether progress BOOKMARKs reach the caller; they always advance the resume version.
    """

    def __init__(
        self,
        rest: RESTClient,
        path: str,
        params: Mapping[str, Any],
        decode: Callable[[dict[str, Any]], T],
        *,
        resource_version: str | None = None,
        timeout_seconds: float | None = None,
        send_initial_events: bool = False,
        resume: bool = True,
        idle_timeout: float | None = None,
        reconnect_delay: float = 0.2,
        max_backoff: float = 30.0,
        max_failures: int = 5,
        yield_bookmarks: bool | None = None,
    ) -> None:
        self._rest = rest
        self._path = path
        self._params = dict(params)
        self._decode = decode
        self._timeout = timeout_seconds
        self._deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
        self._send_initial = send_initial_events
        self._resume = resume
        self._yield_bookmarks = not resume if yield_bookmarks is None else yield_bookmarks
        self._idle = idle_timeout
        self._delay = reconnect_delay
        self._max_backoff = max_backoff
        self._max_failures = max_failures
        self._start_rv = resource_version or ""
        # Initial events are synthetic unless the watch starts from a real version.
        self._initial_done = not send_initial_events and resource_version not in (None, "", "0")
        self._last_rv = self._start_rv if self._initial_done else ""
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._stream: LineStream | None = None
        self._events = self._run()
        #: How many connections were opened (for callers' diagnostics and tests).
        self.connections = 0

    @property
    def resource_version(self) -> str:
        """The version a resumed watch would start from ("" while the initial state is incomplete)."""
        return self._last_rv

    @property
    def initial_events_done(self) -> bool:
        return self._initial_done

    def __iter__(self) -> Watcher[T]:
        return self

    def __next__(self) -> WatchEvent[T]:
        return next(self._events)

    def stop(self) -> None:
        """End the watch from any thread; iteration stops after the current event."""
        self._stopped.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.response.abort()

    def close(self) -> None:
        self.stop()
        self._events.close()

    # -- the loop -------------------------------------------------------------------------

    def _remaining(self) -> float | None:
        return None if self._deadline is None else self._deadline - time.monotonic()

    def _query(self) -> tuple[dict[str, Any], float]:
        """The request's query and this connection's client-side deadline (monotonic)."""
        query = dict(self._params, watch="true")
        if self._send_initial:
            query["allowWatchBookmarks"] = "true"
            if not self._initial_done:
                query["sendInitialEvents"] = "true"
                query["resourceVersionMatch"] = "NotOlderThan"
        rv = self._last_rv if self._initial_done else self._start_rv_for_restart()
        if rv:
            query["resourceVersion"] = rv
        remaining = self._remaining()
        if remaining is not None:
            server_timeout = max(1, int(remaining + 0.999))
            deadline = time.monotonic() + remaining
        else:
            server_timeout = random_watch_timeout()
            deadline = time.monotonic() + server_timeout + _DEADLINE_GRACE
        query["timeoutSeconds"] = server_timeout
        return query, deadline

    def _start_rv_for_restart(self) -> str:
        # A WatchList may name the version its initial state must not be older than.
        return self._start_rv if self._send_initial and self._start_rv not in ("", "0") else ""

    def _run(self) -> Generator[WatchEvent[T], None, None]:
        failures = 0
        quick_ends = 0
        while not self._stopped.is_set():
            remaining = self._remaining()
            if remaining is not None and remaining <= 0:
                return
            query, deadline = self._query()
            received = 0
            try:
                stream = self._rest.stream_lines(
                    self._path, query, timeout=self._read_timeout(deadline)
                )
                self.connections += 1
                with self._lock:
                    self._stream = stream
                if self._stopped.is_set():
                    stream.close()
                    return
                with stream:
                    failures = 0
                    for lines in _line_batches(stream.response):
                        events, error = self._decode_batch(lines)
                        for event, rv in events:
                            if self._stopped.is_set():
                                return
                            received += 1
                            self._advance(event, rv)
                            if self._delivered(event):
                                yield event
                        if error is not None:
                            if self._resume and not isinstance(error, ApiError):
                                raise _Undecodable(error)
                            raise error
                        stream.response.set_read_timeout(self._read_timeout(deadline))
            except Gone:
                raise
            except ApiError as err:
                if err.status not in _RETRY_STATUSES or not self._resume:
                    raise
                failures += 1
            except ReadTimeout:
                if self._stopped.is_set():
                    return
                remaining = self._remaining()
                if remaining is not None and remaining <= 0:
                    return  # the caller's timeout_seconds passed
                if not self._resume:
                    raise
                failures += 1  # a silent connection: treat it as dropped
            except TransportError:
                if self._stopped.is_set():
                    return
                if not self._resume:
                    raise
                failures += 1  # the connection dropped: resume from the last real version
            except _Undecodable as err:
                # client-go's StreamWatcher turns an undecodable event into an ERROR event
                # (500 "unable to decode an event from the watch stream") and RetryWatcher
                # retries it: resume after the last event delivered. It escaped as the
                # decoder's own exception (a JSONDecodeError) and ended the caller's loop.
                log.warning("watch of %s: %s; resuming", self._path, err.__cause__)
                failures += 1
            finally:
                with self._lock:
                    self._stream = None
            if self._stopped.is_set() or not self._resume:
                return
            if failures > self._max_failures:
                raise ConnectionError(f"watch of {self._path} failed {failures} times in a row")
            if failures:
                self._sleep(jittered(min(self._delay * 2 ** (failures - 1), self._max_backoff)))
            elif received == 0:
                quick_ends += 1  # ended at once with nothing: never re-request in a hot loop
                self._sleep(jittered(min(self._delay * 2 ** (quick_ends - 1), self._max_backoff)))
            else:
                quick_ends = 0

    def _read_timeout(self, deadline: float) -> float:
        left = max(0.001, deadline - time.monotonic())
        return left if self._idle is None else min(left, self._idle)

    def _sleep(self, seconds: float) -> None:
        remaining = self._remaining()
        if remaining is not None:
            seconds = min(seconds, max(0.0, remaining))
        self._stopped.wait(seconds)

    def _decode_batch(
        self, lines: list[bytes]
    ) -> tuple[list[tuple[WatchEvent[T], str]], Exception | None]:
        """Decode the events of one received chunk with the cyclic GC paused.

        Nothing in a fresh decode is garbage, but its allocations trigger collections that
        rescan everything the informer's cache already holds: with thousands of objects
        those full collections cost more than the decoding (a 2,000-pod WatchList spent
        2.2 of its 5.9 s in six of them). One pause per chunk (up to 64 KiB, dozens of
        events) instead of one collection every 700 allocations; the collector runs as usual
        between chunks, and never stays off while the stream waits for the network. Returns
        the (event, resourceVersion) pairs before an ERROR event or an undecodable line, and
        the error that stopped it (None if none).
        """
        events: list[tuple[WatchEvent[T], str]] = []
        decode = self._decode
        with gc_paused():
            for line in lines:
                if not line.strip():
                    continue
                try:
                    raw = json_loads(line)
                    kind, obj = _event_parts(raw)
                    if kind == ERROR:
                        return events, _error_event(obj)
                    rv = (obj.get("metadata") or {}).get("resourceVersion")
                    event = WatchEvent(kind, decode(obj), raw)  # a BOOKMARK: only metadata
                except Exception as exc:  # the events before a bad line are still delivered
                    return events, exc
                events.append((event, rv if isinstance(rv, str) else ""))
        return events, None

    def _delivered(self, event: WatchEvent[T]) -> bool:
        """Whether ``event`` goes to the caller (progress bookmarks only when asked for)."""
        if event.type != BOOKMARK or self._yield_bookmarks:
            return True
        return is_initial_events_end(event)

    def _advance(self, event: WatchEvent[T], rv: str) -> None:
        """Note ``event`` as delivered: the end of the initial state, the resume version."""
        if not self._initial_done:
            if self._send_initial:
                self._initial_done = is_initial_events_end(event)
            else:
                self._initial_done = event.type != ADDED
        if rv and self._initial_done:
            self._last_rv = rv


class _Undecodable(Exception):
    """A watch line a resuming :class:`Watcher` could not decode (``__cause__``: why)."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(f"unable to decode an event from the watch stream: {cause}")
        self.__cause__ = cause


def _line_batches(response: Response) -> Iterator[list[bytes]]:
    """The complete lines (without ``\\n`` and ``\\r``) of each chunk as it arrives; a last
    line without a newline comes at the end. Lists may hold blank lines, never empty ones."""
    pending = b""
    for chunk in response.iter_chunks():
        if not chunk:
            continue  # an idle tick of a fake stream
        *lines, pending = (pending + chunk).split(b"\n") if pending else chunk.split(b"\n")
        if lines:
            yield [line.rstrip(b"\r") for line in lines]
    if pending:
        yield [pending.rstrip(b"\r")]


def watch_events(
    rest: RESTClient,
    path: str,
    params: Mapping[str, Any],
    decode: Callable[[dict[str, Any]], T],
    *,
    resource_version: str | None = None,
    timeout_seconds: float | None = None,
    reconnect_delay: float = 0.2,
    idle_timeout: float | None = None,
) -> Watcher[T]:
    """A resuming :class:`Watcher`: events until ``timeout_seconds`` pass (forever if None)."""
    return Watcher(
        rest,
        path,
        params,
        decode,
        resource_version=resource_version,
        timeout_seconds=timeout_seconds,
        reconnect_delay=reconnect_delay,
        idle_timeout=idle_timeout,
    )


def watch_connection(
    rest: RESTClient,
    path: str,
    params: Mapping[str, Any],
    decode: Callable[[dict[str, Any]], T],
    *,
    resource_version: str | None = None,
    timeout_seconds: float | None = None,
    send_initial_events: bool = False,
    idle_timeout: float | None = None,
) -> Watcher[T]:
    """A plain :class:`Watcher` (``resume=False``): one connection, every event the server
    sends (BOOKMARKs included), no reconnect; client-go's ``Watch(ctx, opts)``. Without
    ``timeout_seconds`` the server is asked for a random 5 to 10 minutes."""
    return Watcher(
        rest,
        path,
        params,
        decode,
        resource_version=resource_version,
        timeout_seconds=timeout_seconds,
        send_initial_events=send_initial_events,
        resume=False,
        idle_timeout=idle_timeout,
    )


_EVENT_TYPES = frozenset((ADDED, MODIFIED, DELETED, BOOKMARK, ERROR))


def _event_parts(raw: Any) -> tuple[str, dict[str, Any]]:
    """The type and object of a decoded watch line; ``ValueError`` for anything that is not
    ``{"type": <a watch event type>, "object": {...}}``, as client-go's watch decoder refuses
    it (``got invalid watch event type``), so a reflector relists instead of its thread dying
    of an AttributeError on a string or list where the object belongs."""
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in _EVENT_TYPES:
        raise ValueError(f"got invalid watch event type: {str(kind)[:64]!r}")
    obj = raw.get("object")
    if obj is None and kind == ERROR:
        return kind, {}
    if not isinstance(obj, dict):
        raise ValueError(f"watch event {kind} has no JSON object (got {type(obj).__name__})")
    return kind, obj


def _error_event(status: dict[str, Any]) -> ApiError:
    code = status.get("code")
    code = code if isinstance(code, int) and 400 <= code <= 599 else 500
    return error_from_response(code, json_dumps(status), {})
