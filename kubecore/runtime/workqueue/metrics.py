"""Workqueue metrics hooks (client-go's ``workqueue.MetricsProvider`` and ``queueMetrics``).

A queue built with a :class:`MetricsProvider` asks it once for seven metrics named after
the queue, then reports to them as client-go does:

* ``depth`` (gauge): items waiting to be handed out; ``adds`` (counter): every accepted add;
* ``latency`` (histogram, seconds): how long an item waited between add and ``get``;
* ``work_duration`` (histogram, seconds): between ``get`` and ``done``;
* ``retries`` (counter): every ``add_after`` (so every rate-limited or delayed re-add);
* ``unfinished_work_seconds`` / ``longest_running_processor_seconds`` (settable gauges):
  the summed and the longest age of the items being processed, refreshed every half
  second by a daemon thread that ends when the queue shuts down.

A queue without a provider holds ``None`` and only pays an ``is not None`` test per call.
The metric objects are duck-typed (``inc``/``dec``/``set``/``observe``), so
``prometheus_client`` metrics fit as they are; see
:mod:`kubecore.runtime.controller.metrics` for the Prometheus provider.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import Protocol

from kubecore.runtime.clock import Clock

__all__ = [
    "CounterMetric",
    "GaugeMetric",
    "HistogramMetric",
    "MetricsProvider",
    "SettableGaugeMetric",
]

#: How often (seconds) the unfinished-work gauges are refreshed, as client-go's 500 ms.
UNFINISHED_WORK_UPDATE_PERIOD = 0.5


class CounterMetric(Protocol):
    def inc(self) -> None: ...


class GaugeMetric(Protocol):
    def inc(self) -> None: ...

    def dec(self) -> None: ...


class SettableGaugeMetric(Protocol):
    def set(self, value: float) -> None: ...


class HistogramMetric(Protocol):
    def observe(self, value: float) -> None: ...


class MetricsProvider(Protocol):
    """Makes the metrics of the queue called ``name`` (client-go's ``MetricsProvider``)."""

    def new_depth_metric(self, name: str) -> GaugeMetric: ...

    def new_adds_metric(self, name: str) -> CounterMetric: ...

    def new_latency_metric(self, name: str) -> HistogramMetric: ...

    def new_work_duration_metric(self, name: str) -> HistogramMetric: ...

    def new_unfinished_work_seconds_metric(self, name: str) -> SettableGaugeMetric: ...

    def new_longest_running_processor_seconds_metric(self, name: str) -> SettableGaugeMetric: ...

    def new_retries_metric(self, name: str) -> CounterMetric: ...


class QueueMetrics:
    """One queue's metrics; the queue calls these under its own lock (except the updater)."""

    def __init__(self, provider: MetricsProvider, name: str, clock: Clock) -> None:
        self._clock = clock
        self._depth = provider.new_depth_metric(name)
        self._adds = provider.new_adds_metric(name)
        self._latency = provider.new_latency_metric(name)
        self._work_duration = provider.new_work_duration_metric(name)
        self._unfinished = provider.new_unfinished_work_seconds_metric(name)
        self._longest = provider.new_longest_running_processor_seconds_metric(name)
        self._retries = provider.new_retries_metric(name)
        self._add_times: dict[Hashable, float] = {}
        self._processing_start: dict[Hashable, float] = {}
        self._lock = threading.Lock()  # the updater thread reads _processing_start
        self._stopped = threading.Event()
        thread = threading.Thread(
            target=self._update_loop, name=f"workqueue-metrics {name}", daemon=True
        )
        thread.start()

    def add(self, item: Hashable) -> None:
        if item in self._add_times:
            return
        self._adds.inc()
        self._depth.inc()
        self._add_times[item] = self._clock.now()

    def get(self, item: Hashable) -> None:
        now = self._clock.now()
        self._depth.dec()
        added = self._add_times.pop(item, None)
        if added is not None:
            self._latency.observe(now - added)
        with self._lock:
            self._processing_start[item] = now

    def done(self, item: Hashable) -> None:
        with self._lock:
            started = self._processing_start.pop(item, None)
        if started is not None:
            self._work_duration.observe(self._clock.now() - started)

    def retry(self) -> None:
        self._retries.inc()

    def update_unfinished_work(self) -> None:
        """Set the two unfinished-work gauges from the items being processed now."""
        now = self._clock.now()
        with self._lock:
            ages = [now - started for started in self._processing_start.values()]
        self._unfinished.set(sum(ages))
        self._longest.set(max(ages, default=0.0))

    def stop(self) -> None:
        self._stopped.set()

    def _update_loop(self) -> None:
        while not self._stopped.wait(UNFINISHED_WORK_UPDATE_PERIOD):
            self.update_unfinished_work()
        self.update_unfinished_work()
