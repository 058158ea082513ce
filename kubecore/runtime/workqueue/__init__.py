"""client-go's ``util/workqueue``: a deduplicating work queue, delays and rate limits.

```python
from kubecore.runtime.workqueue import RateLimitingQueue, default_controller_rate_limiter

queue: RateLimitingQueue[str] = RateLimitingQueue(default_controller_rate_limiter())
queue.add("default/vm1")
item, shutdown = queue.get()   # blocks; (None, True) once shut down and empty
...
queue.done(item)
```

Guarantees (as client-go's): an item is never handed to two workers at once; an item
added while it is being processed is processed again after ``done``; adding an item
that is already waiting does nothing. Everything is thread-safe.
"""

from kubecore.runtime.workqueue.delaying import DelayingQueue
from kubecore.runtime.workqueue.metrics import MetricsProvider
from kubecore.runtime.workqueue.queue import Queue
from kubecore.runtime.workqueue.rate_limiters import (
    BucketRateLimiter,
    ItemExponentialFailureRateLimiter,
    ItemFastSlowRateLimiter,
    MaxOfRateLimiter,
    RateLimiter,
    default_controller_rate_limiter,
)
from kubecore.runtime.workqueue.rate_limiting import RateLimitingQueue

__all__ = [
    "BucketRateLimiter",
    "DelayingQueue",
    "ItemExponentialFailureRateLimiter",
    "ItemFastSlowRateLimiter",
    "MaxOfRateLimiter",
    "MetricsProvider",
    "Queue",
    "RateLimiter",
    "RateLimitingQueue",
    "default_controller_rate_limiter",
]
