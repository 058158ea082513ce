"""Optimistic-concurrency retries, as client-go's ``k8s.io/client-go/util/retry``.

``retry_on_conflict(fn)`` calls ``fn`` again (after a short, jittered sleep)
while it raises ``Conflict``: the usual shape of a read-modify-write update::

    def bump() -> Deployment:
        d = deployments.get("web")
        d.spec.replicas += 1
        return deployments.update(d)

    retry_on_conflict(bump)

Any other exception propagates at once; when the steps are used up the last
``Conflict`` is raised again.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from kubecore.client.errors import Conflict

__all__ = [
    "Backoff",
    "DEFAULT_BACKOFF",
    "DEFAULT_RETRY",
    "on_error",
    "retry_on_conflict",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Backoff:
    """client-go's ``wait.Backoff``: at most ``steps`` calls, ``steps - 1`` sleeps.

    The n-th sleep is ``duration * factor**n`` (seconds; limited to ``cap`` when
    ``cap > 0``, which also ends the sequence there), plus up to ``jitter``
    times that at random.
    """

    duration: float
    factor: float = 1.0
    jitter: float = 0.0
    steps: int = 1
    cap: float = 0.0

    def __post_init__(self) -> None:
        if self.steps < 1:
            raise ValueError("Backoff.steps must be at least 1")
        if self.duration < 0 or self.jitter < 0 or self.factor < 0 or self.cap < 0:
            raise ValueError("Backoff durations and factors must not be negative")

    def delays(self, rand: Callable[[], float] = random.random) -> Iterator[float]:
        """The ``steps - 1`` sleeps between calls (fewer when ``cap`` is reached)."""
        duration = self.duration
        for _ in range(self.steps - 1):
            current = duration
            capped = False
            if self.factor:
                duration *= self.factor
                if self.cap and duration > self.cap:
                    duration = self.cap
                    capped = True
            if self.jitter > 0:
                current += rand() * self.jitter * current
            yield current
            if capped:
                # client-go: reaching the cap sets the remaining steps to zero.
                return


#: client-go ``retry.DefaultRetry``: for conflicts between competing writers.
DEFAULT_RETRY = Backoff(steps=5, duration=0.010, factor=1.0, jitter=0.1)
#: client-go ``retry.DefaultBackoff``: for errors that need more time to clear.
DEFAULT_BACKOFF = Backoff(steps=4, duration=0.010, factor=5.0, jitter=0.1)


def on_error(
    backoff: Backoff,
    retriable: Callable[[Exception], bool],
    fn: Callable[[], T],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` until it returns, retrying (with ``backoff``) errors ``retriable`` accepts.

    A non-retriable error propagates immediately; the last retriable one is
    raised again when the steps are used up.
    """
    delays = backoff.delays()
    while True:
        try:
            return fn()
        except Exception as exc:
            if not retriable(exc):
                raise
            delay = next(delays, None)
            if delay is None:
                raise
        sleep(delay)


def retry_on_conflict(
    fn: Callable[[], T],
    backoff: Backoff = DEFAULT_RETRY,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` until it does not raise ``Conflict``; return what it returned."""
    return on_error(backoff, lambda exc: isinstance(exc, Conflict), fn, sleep=sleep)
