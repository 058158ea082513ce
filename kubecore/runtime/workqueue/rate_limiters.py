"""Rate limiters for the workqueue (client-go's ``workqueue`` rate limiters).

A rate limiter answers "how long should this item wait before it is retried?"
(:meth:`RateLimiter.when`), counts retries per item (:meth:`RateLimiter.num_requeues`)
and forgets an item once it was processed successfully (:meth:`RateLimiter.forget`).
Delays are in seconds. Every limiter is thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Protocol

from kubecore.runtime.clock import Clock, RealClock

__all__ = [
    "BucketRateLimiter",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "MaxOfRateLimiter",
    "RateLimiter",
    "default_controller_rate_limiter",
]


class RateLimiter(Protocol):
    """client-go's ``TypedRateLimiter``."""

    def when(self, item: Hashable) -> float:
        """Seconds ``item`` should wait before it is added again (counts one retry)."""
        ...

    def forget(self, item: Hashable) -> None:
        """Stop tracking ``item`` (it succeeded): its backoff starts over."""
        ...

    def num_requeues(self, item: Hashable) -> int:
        """How many times ``item`` was rate limited since it was last forgotten."""
        ...


class ItemExponentialFailureRateLimiter:
    """Per-item exponential backoff: ``base_delay * 2**failures``, at most ``max_delay``.

    client-go's ``NewItemExponentialFailureRateLimiter`` (defaults 5 ms and 1000 s, as
    ``DefaultTypedControllerRateLimiter`` uses): an item's n-th ``when`` (0-based) is
    ``min(base_delay * 2**n, max_delay)``.
    """

    def __init__(self, base_delay: float = 0.005, max_delay: float = 1000.0) -> None:
        if base_delay < 0 or max_delay < 0:
            raise ValueError("delays must not be negative")
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> float:
        with self._lock:
            exponent = self._failures.get(item, 0)
            self._failures[item] = exponent + 1
        if exponent >= 1024:  # 2.0**1024 overflows a float; long past any max_delay
            return self.max_delay
        return min(self.base_delay * 2.0**exponent, self.max_delay)

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)


class ItemFastSlowRateLimiter:
    """``fast_delay`` for an item's first ``max_fast_attempts`` retries, then ``slow_delay``.

    client-go's ``NewItemFastSlowRateLimiter``.
    """

    def __init__(self, fast_delay: float, slow_delay: float, max_fast_attempts: int) -> None:
        self.fast_delay = fast_delay
        self.slow_delay = slow_delay
        self.max_fast_attempts = max_fast_attempts
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> float:
        with self._lock:
            attempts = self._failures.get(item, 0) + 1
            self._failures[item] = attempts
        return self.fast_delay if attempts <= self.max_fast_attempts else self.slow_delay

    def num_requeues(self, item: Hashable) -> int:
        with self._lock:
            return self._failures.get(item, 0)

    def forget(self, item: Hashable) -> None:
        with self._lock:
            self._failures.pop(item, None)


class BucketRateLimiter:
    """An overall token bucket: ``qps`` tokens a second, at most ``burst`` saved up.

    client-go's ``BucketRateLimiter`` over ``golang.org/x/time/rate.Limiter``: every
    ``when`` reserves one token, whichever the item; the delay is how long until that
    token exists (0 while the bucket has tokens). The bucket starts full. Items are not
    tracked: ``num_requeues`` is 0 and ``forget`` does nothing.
    """

    def __init__(self, qps: float = 10.0, burst: int = 100, *, clock: Clock | None = None) -> None:
        if qps <= 0 or burst < 1:
            raise ValueError("a token bucket needs qps > 0 and burst >= 1")
        self.qps = qps
        self.burst = burst
        self._clock: Clock = clock if clock is not None else RealClock()
        self._tokens = float(burst)
        self._last = self._clock.now()
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> float:
        with self._lock:
            now = self._clock.now()
            if now > self._last:
                self._tokens = min(float(self.burst), self._tokens + (now - self._last) * self.qps)
                self._last = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

    def num_requeues(self, item: Hashable) -> int:
        return 0

    def forget(self, item: Hashable) -> None:
        return None


class MaxOfRateLimiter:
    """The longest delay of several limiters (client-go's ``NewMaxOfRateLimiter``).

    Every limiter is asked (each counts the retry); ``num_requeues`` is the largest count;
    ``forget`` forgets in all of them.
    """

    def __init__(self, *limiters: RateLimiter) -> None:
        if not limiters:
            raise ValueError("MaxOfRateLimiter needs at least one rate limiter")
        self.limiters = limiters

    def when(self, item: Hashable) -> float:
        return max(limiter.when(item) for limiter in self.limiters)

    def num_requeues(self, item: Hashable) -> int:
        return max(limiter.num_requeues(item) for limiter in self.limiters)

    def forget(self, item: Hashable) -> None:
        for limiter in self.limiters:
            limiter.forget(item)


def default_controller_rate_limiter(*, clock: Clock | None = None) -> MaxOfRateLimiter:
    """client-go's ``DefaultTypedControllerRateLimiter``: per-item exponential backoff
    from 5 ms to 1000 s, bounded overall by a 10 qps / burst 100 token bucket."""
    return MaxOfRateLimiter(
        ItemExponentialFailureRateLimiter(0.005, 1000.0),
        BucketRateLimiter(qps=10.0, burst=100, clock=clock),
    )
