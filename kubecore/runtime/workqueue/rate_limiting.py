"""The rate-limiting queue (client-go's ``workqueue.TypedRateLimitingInterface``)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import TypeVar

from kubecore.runtime.clock import Clock
from kubecore.runtime.workqueue.delaying import DelayingQueue
from kubecore.runtime.workqueue.metrics import MetricsProvider
from kubecore.runtime.workqueue.rate_limiters import RateLimiter, default_controller_rate_limiter

__all__ = ["RateLimitingQueue"]

T = TypeVar("T", bound=Hashable)


class RateLimitingQueue(DelayingQueue[T]):
    """A delaying queue that re-adds failed items after their rate limiter's delay.

    The controller loop, as with client-go::

        item, shutdown = q.get()
        try:
            reconcile(item)
        except Exception:
            q.add_rate_limited(item)      # retry later, backing off
        else:
            q.forget(item)                # success: the backoff starts over
        finally:
            q.done(item)

    ``rate_limiter`` defaults to :func:`default_controller_rate_limiter` (sharing the
    queue's clock). ``name`` and ``metrics_provider``: see
    :class:`~kubecore.runtime.workqueue.queue.Queue`.
    """

    def __init__(
        self,
        rate_limiter: RateLimiter | None = None,
        *,
        clock: Clock | None = None,
        name: str = "",
        metrics_provider: MetricsProvider | None = None,
    ) -> None:
        super().__init__(clock=clock, name=name, metrics_provider=metrics_provider)
        self.rate_limiter: RateLimiter = (
            rate_limiter
            if rate_limiter is not None
            else default_controller_rate_limiter(clock=self.clock)
        )

    def add_rate_limited(self, item: T) -> None:
        """Add ``item`` after the delay its rate limiter gives (``AddRateLimited``)."""
        self.add_after(item, self.rate_limiter.when(item))

    def forget(self, item: T) -> None:
        """The item succeeded: its rate limiter stops tracking it (``Forget``).

        It does not remove the item from the queue; call :meth:`done` as always.
        """
        self.rate_limiter.forget(item)

    def num_requeues(self, item: T) -> int:
        """How many times ``item`` was rate limited since it was forgotten (``NumRequeues``)."""
        return self.rate_limiter.num_requeues(item)
