"""The delaying queue (client-go's ``workqueue.TypedDelayingInterface``): ``add_after``.

client-go runs a goroutine that moves items from a heap to the queue when their time
comes. Here no thread is needed: the waiting items sit in a heap under the queue's lock
and are promoted whenever the queue is looked at (``get``, ``len``), and a blocked
``get`` waits through the :class:`~kubecore.runtime.clock.Clock` only until the earliest
one is due. An item waiting several times keeps its earliest time, as in client-go.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Hashable
from typing import TypeVar

from kubecore.runtime.clock import Clock, RealClock
from kubecore.runtime.workqueue.metrics import MetricsProvider
from kubecore.runtime.workqueue.queue import Queue

__all__ = ["DelayingQueue"]

T = TypeVar("T", bound=Hashable)


class DelayingQueue(Queue[T]):
    """A :class:`~kubecore.runtime.workqueue.queue.Queue` that can add items later.

    ``clock`` (default: the real monotonic clock) is where time comes from; tests pass a
    :class:`~kubecore.runtime.clock.FakeClock` and step it. ``name`` and
    ``metrics_provider`` as for :class:`~kubecore.runtime.workqueue.queue.Queue`; every
    ``add_after`` counts as a retry there, as in client-go.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        name: str = "",
        metrics_provider: MetricsProvider | None = None,
    ) -> None:
        real_clock: Clock = clock if clock is not None else RealClock()
        super().__init__(name=name, metrics_provider=metrics_provider, clock=real_clock)
        self._clock = real_clock
        self._waiting: list[tuple[float, int, T]] = []  # (ready at, sequence, item)
        self._ready_at: dict[T, float] = {}
        self._sequence = itertools.count()

    @property
    def clock(self) -> Clock:
        return self._clock

    def add_after(self, item: T, seconds: float) -> None:
        """Add ``item`` once ``seconds`` have passed (``AddAfter``); ``<= 0`` adds now.

        Ignored after shutdown. If the item already waits, the earlier time wins.
        """
        with self._cond:
            if self._shutting_down:
                return
            if self._metrics is not None:
                self._metrics.retry()
            if seconds <= 0:
                self._add_locked(item)
                return
            ready_at = self._clock.now() + seconds
            known = self._ready_at.get(item)
            if known is not None and known <= ready_at:
                return
            self._ready_at[item] = ready_at
            heapq.heappush(self._waiting, (ready_at, next(self._sequence), item))
            self._cond.notify_all()  # a blocked get() may need an earlier wake-up

    def _promote_locked(self) -> float | None:
        """Queue every due item; the time the next one is due, if any waits."""
        now = self._clock.now()
        while self._waiting:
            ready_at, _, item = self._waiting[0]
            if self._ready_at.get(item) != ready_at:
                heapq.heappop(self._waiting)  # superseded by an earlier time
                continue
            if ready_at > now:
                return ready_at
            heapq.heappop(self._waiting)
            del self._ready_at[item]
            self._add_locked(item)
        return None

    def __len__(self) -> int:
        """Items ready to be handed out; items still waiting for their time are not counted."""
        with self._cond:
            self._promote_locked()
            return len(self._queue)

    def waiting(self) -> int:
        """How many items wait for their time to come."""
        with self._cond:
            self._promote_locked()
            return len(self._ready_at)

    def _wait_locked(self) -> None:
        deadline = self._promote_locked()
        if self._queue:
            return
        self._clock.wait(self._cond, deadline)
        self._promote_locked()

    def shut_down(self) -> None:
        """As :meth:`Queue.shut_down`; items still waiting for their time are dropped."""
        with self._cond:
            self._waiting.clear()
            self._ready_at.clear()
        super().shut_down()

    def shut_down_with_drain(self, timeout: float | None = None) -> bool:
        with self._cond:
            self._waiting.clear()
            self._ready_at.clear()
        return super().shut_down_with_drain(timeout)
