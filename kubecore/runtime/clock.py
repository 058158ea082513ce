"""Clocks for the runtime (k8s.io/utils/clock): the real monotonic one and a fake for tests.

Anything that waits for time to pass (the delaying workqueue, rate limiters) reads time
from a :class:`Clock` and waits through it, so a test can inject :class:`FakeClock` and
compute exact delays with no timing assertions and no sleeping.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Protocol

__all__ = ["Clock", "FakeClock", "RealClock"]


class Clock(Protocol):
    """What the runtime needs of a clock (client-go's ``clock.Clock``, reduced)."""

    def now(self) -> float:
        """Seconds on a monotonic scale (only differences are meaningful)."""
        ...

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        """Wait on ``cond`` (held by the caller) until notified or ``now() >= deadline``.

        ``deadline`` is on this clock's scale; ``None`` waits for a notification only.
        May return early (spuriously): callers re-check their predicate.
        """
        ...


class RealClock:
    """``time.monotonic``; waits are real waits."""

    def now(self) -> float:
        return time.monotonic()

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        cond.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))


class FakeClock:
    """A clock that only moves when told to (client-go's ``clock/testing.FakeClock``).

    Threads waiting through it (``wait``) are woken by :meth:`step` and :meth:`set_time`,
    so a worker blocked in a delaying queue's ``get`` sees items become ready as the test
    advances time.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self._waiters: weakref.WeakSet[threading.Condition] = weakref.WeakSet()

    def now(self) -> float:
        with self._lock:
            return self._now

    def step(self, seconds: float) -> None:
        """Advance the clock by ``seconds`` and wake every waiter."""
        with self._lock:
            self._now += seconds
        self._wake()

    def set_time(self, now: float) -> None:
        """Move the clock to ``now`` and wake every waiter."""
        with self._lock:
            self._now = now
        self._wake()

    def wait(self, cond: threading.Condition, deadline: float | None) -> None:
        with self._lock:
            if deadline is not None and self._now >= deadline:
                return
            self._waiters.add(cond)
        cond.wait()

    def _wake(self) -> None:
        # Time moved before any condition is taken: a waiter that checked the old time
        # still holds its condition until it waits, so this notification cannot be lost.
        with self._lock:
            waiters = list(self._waiters)
        for cond in waiters:
            with cond:
                cond.notify_all()
