"""An event recorder on ``events.k8s.io/v1`` with a ``core/v1`` fallback (client-go
``tools/events``, with ``tools/record``'s spam filter).

```python
broadcaster = EventBroadcaster(cs)                     # any clientset with events_v1 / core_v1
broadcaster.start_recording_to_sink()                  # the background sender thread
recorder = broadcaster.new_recorder("vm-controller")   # reporting controller (+ instance)
recorder.eventf(vm, None, "Normal", "Provisioned", "Provision", "disk %s ready", disk)
broadcaster.shutdown()                                 # sends what is queued, then stops
```

How it behaves, and why:

* **Non-blocking.** ``eventf`` builds the Event and puts it in a bounded buffer
  (``buffer_size``, 1000 as client-go's broadcaster); a full buffer drops the event with a
  log line (counted in :attr:`EventBroadcaster.dropped`), as client-go's
  ``DropIfChannelFull``. A controller is never slowed down by the event API.
* **Series.** An event with the same regarding and related objects, action, reason and
  reporting controller as one recorded in the last ``series_expiry`` seconds (6 minutes) is
  a repeat: no new Event, the first one gets ``series.count`` and
  ``series.lastObservedTime`` (client-go ``tools/events``'s ``eventCache``). Unlike
  client-go, which sends later counts only in a 30-minute heartbeat, repeats are written
  at once, coalesced: however many repeats arrive while the sender is busy, one PATCH
  carries the latest count, so ``kubectl`` shows a current count.
* **Spam filter.** New Events (not series updates) pass a token bucket per reporting
  source + regarding object (client-go ``EventSourceObjectSpamFilter``: burst 25, one
  token per 5 minutes); filtered events are dropped (:attr:`EventBroadcaster.filtered`).
* **API choice.** ``api="auto"`` writes ``events.k8s.io/v1`` Events and switches for good
  to ``core/v1`` when the server does not serve that group (a 404 without an object name);
  ``"v1"`` writes core Events in the legacy shape (``involvedObject``, ``count``,
  ``first/lastTimestamp``, ``source``) that ``kubectl describe`` reads.
* **Failures.** Connection errors are retried (``max_tries`` times, ``retry_interval``
  apart, as client-go retries only transport failures); an API error drops the event
  with a log line.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubecore.client.errors import ApiError, NotFound
from kubecore.client.transport import TransportError
from kubecore.core.times import MicroTime, Time
from kubecore.runtime._objects import object_reference

__all__ = [
    "EVENT_TYPE_NORMAL",
    "EVENT_TYPE_WARNING",
    "EventBroadcaster",
    "EventRecorder",
    "EventSink",
]

_log = logging.getLogger(__name__)

EVENT_TYPE_NORMAL = "Normal"
EVENT_TYPE_WARNING = "Warning"
_NOTE_LIMIT = 1024  # bytes; the API refuses longer notes
_SPAM_KEYS = 4096  # client-go's LRU size for spam-filter buckets
_STOP = object()


class _EventClient(Protocol):
    def create(self, obj: Any) -> Any: ...

    def patch(self, name: str, patch: Any) -> Any: ...


class _EventsGetter(Protocol):
    def events(self, namespace: str) -> _EventClient: ...


class EventSink(Protocol):
    """Where events go: a clientset with ``events_v1`` and ``core_v1`` (the generated
    ``Clientset`` satisfies it)."""

    @property
    def events_v1(self) -> _EventsGetter: ...

    @property
    def core_v1(self) -> _EventsGetter: ...


@dataclass
class _Entry:
    """One Event in the series cache."""

    key: Hashable
    event: dict[str, Any]  # the events.k8s.io/v1 body first sent
    count: int = 1
    last_observed: MicroTime = field(default_factory=MicroTime.now)
    last_seen: float = field(default_factory=time.monotonic)
    written: bool = False  # the Event exists on the server
    written_count: int = 0


class _TokenBucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, burst: int) -> None:
        self.tokens = float(burst)
        self.stamp = time.monotonic()


class EventRecorder:
    """Records events for one reporting controller and instance (client-go
    ``events.EventRecorder``); made by :meth:`EventBroadcaster.new_recorder`."""

    def __init__(
        self, broadcaster: EventBroadcaster, reporting_controller: str, reporting_instance: str
    ) -> None:
        self._broadcaster = broadcaster
        self.reporting_controller = reporting_controller
        self.reporting_instance = reporting_instance

    def eventf(
        self,
        regarding: Any,
        related: Any,
        type: str,  # noqa: A002 - client-go's parameter name
        reason: str,
        action: str,
        note_fmt: str,
        *args: Any,
    ) -> None:
        """Queue an Event about ``regarding`` (a model, ``Unstructured``, dict or
        ``ObjectReference``); ``related`` is an optional second object. ``type`` is
        ``"Normal"`` or ``"Warning"``: any other type is logged as an error ("Unsupported
        event type") and the event dropped, as client-go's recorder does (``eventf`` is
        called from reconcile paths, where raising would fail the reconcile over a
        diagnostic). The note is ``note_fmt % args`` (printf style, as Go's ``Sprintf``),
        cut to 1 kB. Never blocks and never raises for API trouble."""
        ref = object_reference(regarding)
        if type not in (EVENT_TYPE_NORMAL, EVENT_TYPE_WARNING):
            _log.error("Unsupported event type %r: event %s dropped", type, reason)
            return
        note = note_fmt % args if args else note_fmt
        encoded = note.encode()
        if len(encoded) > _NOTE_LIMIT:
            note = encoded[:_NOTE_LIMIT].decode(errors="ignore")
        now = MicroTime.now()
        event: dict[str, Any] = {
            "apiVersion": "events.k8s.io/v1",
            "kind": "Event",
            "metadata": {
                "name": f"{ref.get('name', '')}.{time.time_ns():x}",
                "namespace": ref.get("namespace") or "default",
            },
            "eventTime": now,
            "reportingController": self.reporting_controller,
            "reportingInstance": self.reporting_instance,
            "action": action,
            "reason": reason,
            "regarding": ref,
            "note": note,
            "type": type,
        }
        if related is not None:
            event["related"] = object_reference(related)
        self._broadcaster._enqueue(event)


class EventBroadcaster:
    """Sends recorded events to the API server from one background thread (client-go
    ``events.EventBroadcaster``). Sizes are counts, durations seconds.

    Call :meth:`start_recording_to_sink` to start sending (events queue up before),
    :meth:`shutdown` to send what is queued and stop.
    """

    def __init__(
        self,
        sink: EventSink,
        *,
        api: str = "auto",
        buffer_size: int = 1000,
        spam_burst: int = 25,
        spam_refill_seconds: float = 300.0,
        series_expiry: float = 360.0,
        max_tries: int = 12,
        retry_interval: float = 10.0,
    ) -> None:
        if api not in ("auto", "events.k8s.io/v1", "v1"):
            raise ValueError("api must be 'auto', 'events.k8s.io/v1' or 'v1'")
        self._sink = sink
        self._api = api
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=buffer_size)
        self._spam_burst = spam_burst
        self._spam_refill = spam_refill_seconds
        self._series_expiry = series_expiry
        self._max_tries = max_tries
        self._retry_interval = retry_interval
        self._cache: dict[Hashable, _Entry] = {}
        self._buckets: OrderedDict[Hashable, _TokenBucket] = OrderedDict()
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._counter_lock = threading.Lock()
        #: Events dropped because the buffer was full.
        self.dropped = 0
        #: Events dropped by the spam filter.
        self.filtered = 0
        #: Events that could not be written (API errors, retries exhausted).
        self.failed = 0

    @property
    def api(self) -> str:
        """The Event API in use: ``"events.k8s.io/v1"``, ``"v1"`` or ``"auto"`` (undecided)."""
        return self._api

    def new_recorder(
        self, reporting_controller: str, reporting_instance: str | None = None
    ) -> EventRecorder:
        """A recorder for ``reporting_controller`` (e.g. ``"example.com/vm-controller"``);
        the instance defaults to ``<controller>-<hostname>``, as client-go's."""
        if not reporting_controller:
            raise ValueError("a reporting controller name is required")
        instance = reporting_instance or f"{reporting_controller}-{socket.gethostname()}"
        return EventRecorder(self, reporting_controller, instance)

    def start_recording_to_sink(self) -> None:
        """Start the sender thread (idempotent)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"event-sender-{os.getpid()}", daemon=True
            )
            self._thread.start()

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued event was handled; False if ``timeout`` ran out (or,
        before :meth:`start_recording_to_sink`, if anything is queued)."""
        if self._thread is None:  # nothing sends: waiting could never end
            return self._queue.unfinished_tasks == 0
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.01)
        return True

    def shutdown(self, timeout: float = 30.0) -> None:
        """Send what is queued (for at most ``timeout`` seconds), then stop the thread."""
        if self._thread is None:
            return
        self.flush(timeout)
        self._stopping.set()
        try:
            self._queue.put(_STOP, timeout=1.0)
        except queue.Full:
            pass
        self._thread.join(timeout)
        self._thread = None

    # -- recorder side ------------------------------------------------------------------------

    def _enqueue(self, event: dict[str, Any]) -> None:
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            with self._counter_lock:
                self.dropped += 1
            _log.warning(
                "event buffer full, dropping event %s for %s/%s",
                event["reason"],
                event["regarding"].get("namespace", ""),
                event["regarding"].get("name", ""),
            )

    # -- sender thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            batch = [item]
            while True:  # take what else is waiting, so repeats coalesce into one write
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            pending: list[_Entry] = []
            stop = False
            for element in batch:
                if element is _STOP:
                    stop = True
                else:
                    entry = self._absorb(element)
                    if entry is not None and entry not in pending:
                        pending.append(entry)
            for entry in pending:
                try:
                    self._write(entry)
                except Exception:  # a bug must not stop the sender (flush would never end)
                    with self._counter_lock:
                        self.failed += 1
                    _log.exception("writing an event failed")
            for _ in batch:
                self._queue.task_done()
            if stop:
                return

    def _absorb(self, event: dict[str, Any]) -> _Entry | None:
        """Fold ``event`` into the series cache; the entry to write, or None (filtered)."""
        now = time.monotonic()
        for key in [k for k, e in self._cache.items() if now - e.last_seen > self._series_expiry]:
            del self._cache[key]
        key = _series_key(event)
        entry = self._cache.get(key)
        if entry is not None:
            entry.count += 1
            entry.last_observed = MicroTime(event["eventTime"])
            entry.last_seen = now
            return entry
        if not self._allow(event):
            with self._counter_lock:
                self.filtered += 1
            _log.info(
                "event %s for %s/%s filtered as spam",
                event["reason"],
                event["regarding"].get("namespace", ""),
                event["regarding"].get("name", ""),
            )
            return None
        entry = _Entry(key, event, last_observed=MicroTime(event["eventTime"]), last_seen=now)
        self._cache[key] = entry
        return entry

    def _allow(self, event: dict[str, Any]) -> bool:
        ref = event["regarding"]
        key = (
            event["reportingController"],
            event["reportingInstance"],
            ref.get("kind"),
            ref.get("namespace"),
            ref.get("name"),
            ref.get("uid"),
            ref.get("apiVersion"),
        )
        bucket = self._buckets.pop(key, None) or _TokenBucket(self._spam_burst)
        self._buckets[key] = bucket
        while len(self._buckets) > _SPAM_KEYS:
            self._buckets.popitem(last=False)
        now = time.monotonic()
        if self._spam_refill > 0:
            bucket.tokens = min(
                float(self._spam_burst), bucket.tokens + (now - bucket.stamp) / self._spam_refill
            )
        bucket.stamp = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True

    def _write(self, entry: _Entry) -> None:
        for attempt in range(1, self._max_tries + 1):
            try:
                self._write_once(entry)
                return
            except TransportError as err:
                failure: Exception = err
            except OSError as err:
                failure = err
            except ApiError as err:
                with self._counter_lock:
                    self.failed += 1
                _log.warning(
                    "could not write event %s/%s: %s",
                    entry.event["metadata"]["namespace"],
                    entry.event["metadata"]["name"],
                    err,
                )
                return
            if attempt < self._max_tries and not self._stopping.wait(self._retry_interval):
                _log.info("retrying event write after: %s", failure)
                continue
            break
        with self._counter_lock:
            self.failed += 1
        _log.warning(
            "gave up writing event %s/%s",
            entry.event["metadata"]["namespace"],
            entry.event["metadata"]["name"],
        )

    def _write_once(self, entry: _Entry) -> None:
        if self._api == "auto":
            try:
                self._send(entry, "events.k8s.io/v1")
                self._api = "events.k8s.io/v1"
                return
            except NotFound as err:
                if _names_object(err):
                    raise
                _log.info("events.k8s.io/v1 is not served: recording core/v1 Events")
                self._api = "v1"
        self._send(entry, self._api)

    def _send(self, entry: _Entry, api: str) -> None:
        namespace = entry.event["metadata"]["namespace"]
        name = entry.event["metadata"]["name"]
        events = (self._sink.events_v1 if api != "v1" else self._sink.core_v1).events(namespace)
        if entry.written and entry.count > entry.written_count:
            try:
                count = entry.count
                events.patch(name, _series_patch(entry, api))
                entry.written_count = count
                return
            except NotFound:  # the Event expired or was deleted: record it again
                entry.written = False
        if not entry.written:
            body = entry.event if api != "v1" else _core_event(entry.event)
            if entry.count > 1:
                body = {**body, **_series_patch(entry, api)}
            count = entry.count
            model = getattr(events, "model", None)
            if model is None:
                raise TypeError("the events client must expose its model class ('model')")
            events.create(model.from_dict(body))
            entry.written, entry.written_count = True, count


def _names_object(err: ApiError) -> bool:
    """Whether a 404 is about a named object (a namespace) rather than an unserved path."""
    details = err.details
    if details is None:
        return False
    if isinstance(details, dict):
        inner = details.get("details") or {}
        return bool(inner.get("name"))
    inner_model = getattr(details, "details", None)
    return bool(getattr(inner_model, "name", None))


def _ref_key(ref: dict[str, Any] | None) -> tuple[Any, ...]:
    if not ref:
        return ()
    return tuple(
        ref.get(k)
        for k in ("apiVersion", "kind", "namespace", "name", "uid", "resourceVersion", "fieldPath")
    )


def _series_key(event: dict[str, Any]) -> Hashable:
    """client-go ``getKey``: action, reason, reporting controller, regarding, related."""
    return (
        event["action"],
        event["reason"],
        event["reportingController"],
        _ref_key(event["regarding"]),
        _ref_key(event.get("related")),
    )


def _series_patch(entry: _Entry, api: str) -> dict[str, Any]:
    if api == "v1":
        return {
            "count": entry.count,
            "lastTimestamp": Time.from_datetime(entry.last_observed.to_datetime()),
        }
    return {"series": {"count": entry.count, "lastObservedTime": entry.last_observed}}


def _core_event(event: dict[str, Any]) -> dict[str, Any]:
    """The legacy ``core/v1`` form of an ``events.k8s.io/v1`` Event (tools/record's shape)."""
    first = Time.from_datetime(MicroTime(event["eventTime"]).to_datetime())
    core: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": dict(event["metadata"]),
        "involvedObject": event["regarding"],
        "reason": event["reason"],
        "message": event["note"],
        "type": event["type"],
        "action": event["action"],
        "source": {"component": event["reportingController"]},
        "reportingComponent": event["reportingController"],
        "reportingInstance": event["reportingInstance"],
        "firstTimestamp": first,
        "lastTimestamp": first,
        "count": 1,
    }
    if "related" in event:
        core["related"] = event["related"]
    return core
