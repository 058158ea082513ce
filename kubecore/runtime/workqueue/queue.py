"""The basic work queue (client-go's ``workqueue.Typed[T]``): fair, deduplicating, and
never handing one item to two workers at once.

Three collections under one lock, as in client-go:

* ``queue``: items waiting to be handed out, in order;
* ``dirty``: items that need processing (queued, or re-added while being processed);
* ``processing``: items handed out by :meth:`Queue.get` and not yet :meth:`Queue.done`.

``add`` of a dirty item does nothing (deduplication); ``add`` of an item being processed
only marks it dirty, and :meth:`Queue.done` queues it again, so it is processed once more,
by one worker, after the current processing ends.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Hashable, Iterator
from typing import Generic, TypeVar, cast

from kubecore.runtime.clock import Clock, RealClock
from kubecore.runtime.workqueue.metrics import MetricsProvider, QueueMetrics

__all__ = ["Queue"]

T = TypeVar("T", bound=Hashable)


class Queue(Generic[T]):
    """A thread-safe work queue of hashable items (client-go's ``workqueue.Interface``).

    Workers loop on ``item, shutdown = q.get()`` (blocks), process ``item``, then call
    ``q.done(item)``; or ``for item in q: ...; q.done(item)``. Items are usually keys
    (``"namespace/name"``), never the objects themselves.

    ``name`` and ``metrics_provider`` (client-go's ``QueueConfig``): with a provider, the
    queue reports its depth, adds, latencies and unfinished work to metrics named ``name``
    (see :mod:`kubecore.runtime.workqueue.metrics`); ``clock`` times them.
    """

    def __init__(
        self,
        *,
        name: str = "",
        metrics_provider: MetricsProvider | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self._metrics: QueueMetrics | None = (
            QueueMetrics(metrics_provider, name, clock if clock is not None else RealClock())
            if metrics_provider is not None
            else None
        )
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[T] = deque()
        self._dirty: set[T] = set()
        self._processing: set[T] = set()
        self._shutting_down = False
        self._drain = False

    def add(self, item: T) -> None:
        """Mark ``item`` as needing processing (``Add``); ignored after shutdown."""
        with self._cond:
            self._add_locked(item)

    def _add_locked(self, item: T) -> None:
        if self._shutting_down or item in self._dirty:
            return
        if self._metrics is not None:
            self._metrics.add(item)
        self._dirty.add(item)
        if item in self._processing:
            return  # queued again by done()
        self._queue.append(item)
        self._cond.notify()

    def __len__(self) -> int:
        """Items waiting to be handed out (``Len``); items being processed are not counted."""
        with self._cond:
            return len(self._queue)

    def get(self) -> tuple[T | None, bool]:
        """Block until an item is ready: ``(item, False)``; ``(None, True)`` after shutdown.

        Items still queued when the queue shuts down are handed out first (as client-go
        does); ``(None, True)`` comes once the queue is empty and shut down. The caller
        must call :meth:`done` with the item when finished.
        """
        with self._cond:
            while not self._queue and not self._shutting_down:
                self._wait_locked()
            if not self._queue:
                return None, True
            item = self._queue.popleft()
            if self._metrics is not None:
                self._metrics.get(item)
            self._processing.add(item)
            self._dirty.discard(item)
            return item, False

    def _wait_locked(self) -> None:
        """Wait for a change (the delaying queue also wakes when a delay is over)."""
        self._cond.wait()

    def done(self, item: T) -> None:
        """Processing of ``item`` finished (``Done``); if it was re-added meanwhile, queue it."""
        with self._cond:
            if self._metrics is not None:
                self._metrics.done(item)
            self._processing.discard(item)
            if item in self._dirty:
                self._queue.append(item)
                self._cond.notify()
            elif not self._processing:
                self._cond.notify_all()  # a shut_down_with_drain may wait for this

    def shut_down(self) -> None:
        """Stop accepting items (``ShutDown``); ``get`` returns ``(None, True)`` once empty.

        Does not wait for workers; see :meth:`shut_down_with_drain`.
        """
        with self._cond:
            self._drain = False
            self._shutting_down = True
            self._cond.notify_all()
        if self._metrics is not None:
            self._metrics.stop()

    def shut_down_with_drain(self, timeout: float | None = None) -> bool:
        """Stop accepting items and wait until every handed-out item is ``done``.

        client-go's ``ShutDownWithDrain``: new adds are ignored, workers keep getting the
        items still queued, and this returns once nothing is being processed (``True``),
        or ``False`` when ``timeout`` seconds (real time) passed first. Call it from a
        thread that is not a worker of this queue, or it waits for itself.
        """
        if self._metrics is not None:
            self._metrics.stop()
        with self._cond:
            self._drain = True
            self._shutting_down = True
            self._cond.notify_all()
            return self._cond.wait_for(
                lambda: not self._processing or not self._drain, timeout=timeout
            )

    @property
    def shutting_down(self) -> bool:
        """``ShuttingDown``: whether :meth:`shut_down` (or the drain) was called."""
        with self._cond:
            return self._shutting_down

    def __iter__(self) -> Iterator[T]:
        """Items until shutdown: ``for item in q: ...; q.done(item)``."""
        while True:
            item, shutdown = self.get()
            if shutdown:
                return
            yield cast(T, item)  # not None unless shut down
