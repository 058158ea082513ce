"""Prometheus metrics of controllers and their workqueues, named as controller-runtime
names them, through ``prometheus_client`` (the ``metrics`` extra) when it is installed.

Reconciles: ``controller_runtime_reconcile_total{controller,result}`` (result: ``success``,
``error``, ``requeue``, ``requeue_after``), ``controller_runtime_reconcile_errors_total
{controller}``, ``controller_runtime_reconcile_time_seconds{controller}`` (histogram),
``controller_runtime_active_workers{controller}``,
``controller_runtime_max_concurrent_reconciles{controller}``. Workqueues (label ``name``,
the controller's name): ``workqueue_depth``, ``workqueue_adds_total``,
``workqueue_queue_duration_seconds``, ``workqueue_work_duration_seconds``,
``workqueue_retries_total``, ``workqueue_unfinished_work_seconds``,
``workqueue_longest_running_processor_seconds``.

:func:`prometheus_metrics` imports ``prometheus_client`` only when called, and answers
``None`` when it is not installed: the controller then records nothing and imports
nothing. The metrics of one registry are made once and shared by every controller (a
registry refuses a second metric of the same name), each controller being a label value.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

__all__ = ["ControllerMetrics", "prometheus_metrics"]

#: controller-runtime's reconcile time buckets (seconds).
RECONCILE_TIME_BUCKETS = (
    *(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5),
    *(0.6, 0.7, 0.8, 0.9, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0),
    *(6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0),
)
#: controller-runtime's workqueue latency buckets: 10 ns to 1000 s, by powers of ten.
QUEUE_BUCKETS = tuple(1e-8 * 10**i for i in range(12))
RESULTS = ("success", "error", "requeue", "requeue_after")

_lock = threading.Lock()
_by_registry: weakref.WeakKeyDictionary[Any, ControllerMetrics] = weakref.WeakKeyDictionary()


class ControllerMetrics:
    """The metric families of one registry; a workqueue ``MetricsProvider`` too."""

    def __init__(self, prometheus_client: Any, registry: Any) -> None:
        p, r = prometheus_client, registry
        self.reconcile_total = p.Counter(
            "controller_runtime_reconcile_total",
            "Total number of reconciliations per controller",
            ["controller", "result"],
            registry=r,
        )
        self.reconcile_errors = p.Counter(
            "controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller",
            ["controller"],
            registry=r,
        )
        self.reconcile_time = p.Histogram(
            "controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller",
            ["controller"],
            buckets=RECONCILE_TIME_BUCKETS,
            registry=r,
        )
        self.active_workers = p.Gauge(
            "controller_runtime_active_workers",
            "Number of currently used workers per controller",
            ["controller"],
            registry=r,
        )
        self.max_concurrent = p.Gauge(
            "controller_runtime_max_concurrent_reconciles",
            "Maximum number of concurrent reconciles per controller",
            ["controller"],
            registry=r,
        )
        self.depth = p.Gauge("workqueue_depth", "Current depth of workqueue", ["name"], registry=r)
        self.adds = p.Counter(
            "workqueue_adds_total",
            "Total number of adds handled by workqueue",
            ["name"],
            registry=r,
        )
        self.latency = p.Histogram(
            "workqueue_queue_duration_seconds",
            "How long in seconds an item stays in workqueue before being requested",
            ["name"],
            buckets=QUEUE_BUCKETS,
            registry=r,
        )
        self.work_duration = p.Histogram(
            "workqueue_work_duration_seconds",
            "How long in seconds processing an item from workqueue takes",
            ["name"],
            buckets=QUEUE_BUCKETS,
            registry=r,
        )
        self.unfinished = p.Gauge(
            "workqueue_unfinished_work_seconds",
            "How many seconds of work has been done that is in progress and hasn't been "
            "observed by work_duration. Large values indicate stuck threads. One can deduce "
            "the number of stuck threads by observing the rate at which this increases.",
            ["name"],
            registry=r,
        )
        self.longest = p.Gauge(
            "workqueue_longest_running_processor_seconds",
            "How many seconds has the longest running processor for workqueue been running.",
            ["name"],
            registry=r,
        )
        self.retries = p.Counter(
            "workqueue_retries_total",
            "Total number of retries handled by workqueue",
            ["name"],
            registry=r,
        )

    # -- the workqueue MetricsProvider ---------------------------------------------------

    def new_depth_metric(self, name: str) -> Any:
        return self.depth.labels(name)

    def new_adds_metric(self, name: str) -> Any:
        return self.adds.labels(name)

    def new_latency_metric(self, name: str) -> Any:
        return self.latency.labels(name)

    def new_work_duration_metric(self, name: str) -> Any:
        return self.work_duration.labels(name)

    def new_unfinished_work_seconds_metric(self, name: str) -> Any:
        return self.unfinished.labels(name)

    def new_longest_running_processor_seconds_metric(self, name: str) -> Any:
        return self.longest.labels(name)

    def new_retries_metric(self, name: str) -> Any:
        return self.retries.labels(name)

    # -- reconciles ------------------------------------------------------------------------

    def for_controller(self, controller: str, workers: int) -> ReconcileMetrics:
        """The label children of one controller, its result counters set to 0 (so they are
        scraped before the first reconcile, as controller-runtime initialises them)."""
        self.max_concurrent.labels(controller).set(workers)
        self.active_workers.labels(controller).set(0)
        self.reconcile_errors.labels(controller)
        return ReconcileMetrics(self, controller)


class ReconcileMetrics:
    """One controller's reconcile metrics (label children bound once)."""

    def __init__(self, families: ControllerMetrics, controller: str) -> None:
        self._results = {
            result: families.reconcile_total.labels(controller, result) for result in RESULTS
        }
        self._errors = families.reconcile_errors.labels(controller)
        self._time = families.reconcile_time.labels(controller)
        self._active = families.active_workers.labels(controller)

    def started(self) -> None:
        self._active.inc()

    def finished(self, result: str, seconds: float) -> None:
        self._active.dec()
        self._time.observe(seconds)
        self._results[result].inc()
        if result == "error":
            self._errors.inc()


def prometheus_metrics(registry: Any = None) -> ControllerMetrics | None:
    """The metrics in ``registry`` (default: ``prometheus_client.REGISTRY``), made on first
    use; ``None`` when ``prometheus_client`` is not installed."""
    try:
        import prometheus_client
    except ImportError:
        return None
    if registry is None:
        registry = prometheus_client.REGISTRY
    with _lock:
        metrics = _by_registry.get(registry)
        if metrics is None:
            metrics = _by_registry[registry] = ControllerMetrics(prometheus_client, registry)
        return metrics
