"""The reconcile runner (controller-runtime's ``builder`` + ``controller``, kube-rs's
``Controller``).

```python
def reconcile(request: Request) -> Result | None:
    vm = controller.get(VirtualMachine, request)   # from the cache; NotFound once deleted
    ...                                        # make the world match vm.spec

controller = Controller(reconcile, for_=VirtualMachine, owns=[ConfigMap], workers=4,
                        client=cs)             # or factory=<a shared informer factory>
controller.run(stop)                           # blocks until stop (a threading.Event) is set
```

Events of the ``for_`` kind enqueue the object's :class:`Request`; events of ``owns`` kinds
enqueue their controller owner of the ``for_`` kind; ``watches`` kinds go through a map
function. Requests sit in a rate-limited workqueue, which never hands one request to two
workers at once and folds repeated events into one reconcile. Informers come from one
shared informer factory (:mod:`kubecore.runtime.controller.source`), for any generated
kind.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from kubecore.runtime.controller.handlers import (
    EventHandler,
    MapFunc,
    enqueue_for_object,
    enqueue_for_owner,
)
from kubecore.runtime.controller.leader import ElectorFactory, LeaderElectionLost
from kubecore.runtime.controller.metrics import ReconcileMetrics, prometheus_metrics
from kubecore.runtime.controller.predicates import PredicateLike, and_
from kubecore.runtime.controller.request import Request, Result, TerminalError
from kubecore.runtime.controller.source import informer_for, resource_of
from kubecore.runtime.factory import SharedInformerFactory
from kubecore.runtime.informer import SharedIndexInformer
from kubecore.runtime.lister import ClusterLister, NamespacedLister, NamespaceLister
from kubecore.runtime.workqueue import RateLimiter, RateLimitingQueue

__all__ = ["CacheSyncTimeout", "Controller", "Reconciler"]

T = TypeVar("T")
K = TypeVar("K")

log = logging.getLogger("kubecore.runtime.controller")

Reconciler = Callable[[Request], "Result | None"]
OwnsSpec = type | tuple[type, Sequence[PredicateLike]]
WatchSpec = tuple[type, MapFunc] | tuple[type, MapFunc, Sequence[PredicateLike]]

#: How often the leader-election supervision and the stop linker look at their events.
_POLL = 0.05


class CacheSyncTimeout(RuntimeError):
    """The informers did not sync within ``cache_sync_timeout`` (controller-runtime's
    "timed out waiting for cache to be synced")."""


class Controller(Generic[T]):
    """Reconciles objects of ``for_`` with ``workers`` threads. See the module docstring.

    Sources: ``for_`` (a generated kind, e.g. ``VirtualMachine``); ``owns``: kinds whose
    objects carry a controller owner reference to a ``for_`` object (a class, or
    ``(class, predicates)``); ``watches``: ``(kind, map_fn)`` or ``(kind, map_fn,
    predicates)``, ``map_fn(obj)`` returning the requests to enqueue.

    Informers: ``factory`` (a shared informer factory, generated or the base class; its
    client's ``rest`` client serves every kind) or ``client`` (any clientset of this
    project, real or fake; the controller then makes its own factory with
    ``resync_period`` seconds, 0 = never). Giving ``factory`` shares informers with the
    rest of the program. The controller starts the factory's informers in :meth:`run`.

    Predicates: ``predicates`` filter the events of every source (controller-runtime's
    ``WithEventFilter``), ``for_predicates`` those of ``for_``; functions ``fn(obj) ->
    bool`` are accepted (:mod:`kubecore.runtime.controller.predicates`).

    ``reconcile(request)`` returns ``None`` or a :class:`Result`; an exception is logged
    with the request's key and requeues it through ``rate_limiter`` (default:
    client-go's ``default_controller_rate_limiter``), except :class:`TerminalError`.

    ``leader_election``: a factory of a leader elector (see
    :mod:`kubecore.runtime.controller.leader`): informers and workers start only while
    leading. ``graceful_shutdown_timeout`` (seconds): how long :meth:`run` waits, once
    ``stop`` is set, for the reconciles in progress to finish. Requests still queued then
    are dropped, not reconciled: a restarted controller (or the next leader) lists every
    object and reconciles it anyway, and working through a backlog would only delay the
    shutdown and a leader handover. (client-go's queue would still hand them out.)
    ``cache_sync_timeout`` (seconds): how long to wait for the informers before failing.

    Metrics (``metrics=True``): in ``registry`` (default ``prometheus_client.REGISTRY``)
    when ``prometheus_client`` is installed, else none
    (:mod:`kubecore.runtime.controller.metrics`). ``name`` (default: the kind, lower case)
    labels them and names the workqueue.
    """

    def __init__(
        self,
        reconcile: Reconciler,
        *,
        for_: type[T],
        owns: Iterable[OwnsSpec] = (),
        watches: Iterable[WatchSpec] = (),
        factory: SharedInformerFactory | None = None,
        client: Any = None,
        resync_period: float = 0.0,
        workers: int = 1,
        name: str | None = None,
        predicates: Sequence[PredicateLike] = (),
        for_predicates: Sequence[PredicateLike] = (),
        rate_limiter: RateLimiter | None = None,
        leader_election: ElectorFactory | None = None,
        graceful_shutdown_timeout: float = 30.0,
        cache_sync_timeout: float = 120.0,
        metrics: bool = True,
        registry: Any = None,
    ) -> None:
        if (factory is None) == (client is None):
            raise ValueError("give either factory= or client=")
        if workers < 1:
            raise ValueError("workers must be at least 1")
        info = resource_of(for_)
        self.name = name or info.kind.lower()
        self.workers = workers
        self.factory = (
            factory if factory is not None else SharedInformerFactory(client, resync_period)
        )
        self._reconcile = reconcile
        self._leader_election = leader_election
        self._graceful_shutdown_timeout = graceful_shutdown_timeout
        self._cache_sync_timeout = cache_sync_timeout
        families = prometheus_metrics(registry) if metrics else None
        self._metrics: ReconcileMetrics | None = (
            families.for_controller(self.name, workers) if families is not None else None
        )
        self.queue: RateLimitingQueue[Request] = RateLimitingQueue(
            rate_limiter, name=self.name, metrics_provider=families
        )
        self._informers: list[SharedIndexInformer[Any]] = []
        self._started = False
        self._stopping = threading.Event()
        self._lead_stop: threading.Event | None = None

        self._watch(for_, enqueue_for_object, [*predicates, *for_predicates])
        for spec in owns:
            kind, kind_predicates = spec if isinstance(spec, tuple) else (spec, ())
            self._watch(kind, enqueue_for_owner(info), [*predicates, *kind_predicates])
        for watch in watches:
            kind, map_fn, *rest = watch
            self._watch(kind, map_fn, [*predicates, *(rest[0] if rest else ())])

    def _watch(self, kind: type, map_fn: MapFunc, predicates: Sequence[PredicateLike]) -> None:
        informer: SharedIndexInformer[Any] = informer_for(self.factory, kind)
        informer.add_event_handler(EventHandler(self.queue, map_fn, and_(*predicates)))
        if informer not in self._informers:
            self._informers.append(informer)

    # -- reads -------------------------------------------------------------------------------

    def informer(self, kind: type[K]) -> SharedIndexInformer[K]:
        """The shared informer of ``kind`` (any generated kind; made on first use)."""
        return informer_for(self.factory, kind)

    def lister(self, kind: type[K]) -> NamespacedLister[K] | ClusterLister[K]:
        """A lister over ``kind``'s shared cache: ``namespace(ns).get(name)`` for namespaced
        kinds, ``get(name)`` for cluster-scoped ones (objects are shared: do not mutate)."""
        info = resource_of(kind)
        indexer = self.informer(kind).get_indexer()
        if info.namespaced:
            return NamespacedLister(indexer, info.group, info.plural)
        return ClusterLister(indexer, info.group, info.plural)

    def get(self, kind: type[K], request: Request) -> K:
        """The cached ``kind`` object ``request`` names (controller-runtime's cached client
        ``Get``); raises :class:`~kubecore.client.errors.NotFound` when the cache has none
        (deleted: nothing left to reconcile). Shared with the cache: do not mutate it."""
        info = resource_of(kind)
        indexer = self.informer(kind).get_indexer()
        if info.namespaced:
            lister = NamespaceLister(indexer, request.namespace, info.group, info.plural)
            return lister.get(request.name)
        return ClusterLister(indexer, info.group, info.plural).get(request.name)

    # -- running -----------------------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Run until ``stop`` is set, then drain (see the class docstring) and return.

        With leader election, informers and workers run only while leading; raises
        :class:`~kubecore.runtime.controller.leader.LeaderElectionLost` when leadership
        ends before ``stop`` is set. Raises :class:`CacheSyncTimeout` when the informers
        did not sync in time. A controller runs once.
        """
        if self._started:
            raise RuntimeError(f"controller {self.name} was already started")
        self._started = True
        if self._leader_election is None:
            self._run_workers(stop)
        else:
            self._run_with_leader_election(stop)

    def _run_workers(self, stop: threading.Event) -> None:
        try:
            self.factory.start(stop)
            self._wait_for_cache_sync(stop)
            if not stop.is_set():
                log.info("controller %s: starting %d workers", self.name, self.workers)
                threads = [
                    threading.Thread(
                        target=self._worker, name=f"controller {self.name} worker {i}", daemon=True
                    )
                    for i in range(self.workers)
                ]
                for thread in threads:
                    thread.start()
                stop.wait()
                self._drain(threads)
        finally:
            self.queue.shut_down()

    def _wait_for_cache_sync(self, stop: threading.Event) -> None:
        deadline = time.monotonic() + self._cache_sync_timeout
        while not all(informer.has_synced() for informer in self._informers):
            if stop.wait(_POLL):
                return
            if time.monotonic() >= deadline:
                raise CacheSyncTimeout(
                    f"controller {self.name}: informers did not sync within "
                    f"{self._cache_sync_timeout:g} s"
                )

    def _drain(self, threads: list[threading.Thread]) -> None:
        log.info("controller %s: stopping, waiting for workers", self.name)
        self._stopping.set()
        self.queue.shut_down()
        deadline = time.monotonic() + self._graceful_shutdown_timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        if any(thread.is_alive() for thread in threads):
            log.warning(
                "controller %s: workers still running after %.1f s",
                self.name,
                self._graceful_shutdown_timeout,
            )

    def _run_with_leader_election(self, stop: threading.Event) -> None:
        assert self._leader_election is not None
        leading_stop = threading.Event()  # ends informers and workers
        elector_stop = threading.Event()  # set after the drain, so the lease is kept until then
        runner: list[threading.Thread] = []
        failure: list[BaseException] = []

        def run_leading() -> None:
            try:
                self._run_workers(leading_stop)
            except BaseException as err:  # reported by run()
                failure.append(err)
                leading_stop.set()

        def on_started_leading(lead_stop: threading.Event | None = None, *_: Any) -> None:
            log.info("controller %s: leading", self.name)
            self._lead_stop = lead_stop
            thread = threading.Thread(target=run_leading, name=f"controller {self.name}")
            runner.append(thread)
            thread.start()

        def on_stopped_leading() -> None:
            leading_stop.set()

        elector = self._leader_election(
            on_started_leading=on_started_leading, on_stopped_leading=on_stopped_leading
        )
        elector_thread = threading.Thread(
            target=elector.run, args=(elector_stop,), name=f"controller {self.name} elector"
        )
        elector_thread.start()
        while not stop.wait(_POLL):
            lead_stop = self._lead_stop
            if (
                leading_stop.is_set()
                or not elector_thread.is_alive()
                or (lead_stop is not None and lead_stop.is_set())
            ):
                break
        leading_stop.set()
        for thread in runner:
            thread.join()
        elector_stop.set()
        elector_thread.join(self._graceful_shutdown_timeout)
        self.queue.shut_down()
        if failure:
            raise failure[0]
        if not stop.is_set():
            raise LeaderElectionLost(f"controller {self.name}: leader election lost")

    def _worker(self) -> None:
        queue = self.queue
        while True:
            request, shutdown = queue.get()
            if shutdown or request is None:
                return
            try:
                if not self._stopping.is_set():
                    self._reconcile_one(request)
            finally:
                queue.done(request)

    def _reconcile_one(self, request: Request) -> None:
        metrics = self._metrics
        if metrics is not None:
            metrics.started()
        started = time.perf_counter()
        outcome = "error"
        try:
            result = self._reconcile(request)
        except TerminalError:
            log.exception("controller %s: reconcile of %s failed (terminal)", self.name, request)
            self.queue.forget(request)
        except Exception:
            log.exception("controller %s: reconcile of %s failed, requeued", self.name, request)
            self.queue.add_rate_limited(request)
        else:
            if result is not None and result.requeue_after > 0:
                self.queue.forget(request)
                self.queue.add_after(request, result.requeue_after)
                outcome = "requeue_after"
            elif result is not None and result.requeue:
                self.queue.add_rate_limited(request)
                outcome = "requeue"
            else:
                self.queue.forget(request)
                outcome = "success"
        finally:
            if metrics is not None:
                metrics.finished(outcome, time.perf_counter() - started)
