"""The reconcile runner (kubecore.runtime.controller) against the test API server over
loopback, and against the fake clientsets: reconcile on create and update, requeue_after,
error backoff, owned objects enqueueing their owner, map functions, predicates, graceful
drain, one key never reconciled twice at once, leader election, metrics."""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset as K8sClientset
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap, Namespace
from kube_clientgen_api.kubernetes.fake import Clientset as K8sFake
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kube_clientgen_api.virtualmachine.fake import Clientset as VMFake
from kubecore import load_config
from kubecore.core.generated.meta_v1 import ObjectMeta, OwnerReference
from kubecore.runtime.controller import (
    Controller,
    GenerationChangedPredicate,
    LabelChangedPredicate,
    LeaderElectionLost,
    Request,
    Result,
    TerminalError,
)
from kubecore.runtime.workqueue import ItemExponentialFailureRateLimiter
from kubecore.testing import TestApiServer
from tests.conftest import REPO

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
K8S_SWAGGER = str(REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json")
WAIT = 20.0


@dataclass
class Cluster:
    """One "cluster": a VM clientset and a Kubernetes clientset sharing its objects."""

    vms: Any
    k8s: Any
    namespace: str

    def vm_client(self) -> Any:
        return self.vms.cloud_waibizi_com_v1.virtual_machines(self.namespace)

    def create_vm(self, name: str, status: str = "creating", **labels: str) -> VirtualMachine:
        obj = VirtualMachine(
            metadata=ObjectMeta(name=name, namespace=self.namespace, labels=labels or None),
            spec=VirtualMachineSpec(image="centos", status=status),
        )
        return self.vm_client().create(obj)  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([VM_CRD, K8S_SWAGGER]) as srv:
        yield srv


_namespaces = iter(range(1_000_000))


@pytest.fixture(params=["server", "fake"])
def cluster(request: pytest.FixtureRequest) -> Iterator[Cluster]:
    namespace = f"ctl-{next(_namespaces)}"
    if request.param == "server":
        srv: TestApiServer = request.getfixturevalue("server")
        config = load_config(srv.kubeconfig_path)
        with VMClientset.from_config(config) as vms, K8sClientset.from_config(config) as k8s:
            k8s.core_v1.namespaces().create(Namespace(metadata=ObjectMeta(name=namespace)))
            yield Cluster(vms, k8s, namespace)
    else:
        vms = VMFake()
        k8s = K8sFake(tracker=vms.tracker)
        k8s.core_v1.namespaces().create(Namespace(metadata=ObjectMeta(name=namespace)))
        yield Cluster(vms, k8s, namespace)


@dataclass
class Recorder:
    """What reconcile saw, with a condition to wait on."""

    calls: list[Request] = field(default_factory=list)
    cond: threading.Condition = field(default_factory=threading.Condition)

    def note(self, request: Request) -> None:
        with self.cond:
            self.calls.append(request)
            self.cond.notify_all()

    def count(self, name: str) -> int:
        with self.cond:
            return sum(1 for r in self.calls if r.name == name)

    def wait_for(self, check: Callable[[], bool], what: str = "") -> None:
        deadline = time.monotonic() + WAIT
        with self.cond:
            while not check():
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"timed out waiting for {what or check}: {self.calls}"
                self.cond.wait(min(remaining, 0.05))


def wait_until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


class Running:
    """``controller.run(stop)`` in a thread; ``stop()`` sets the event and joins it."""

    def __init__(self, controller: Controller[Any]) -> None:
        self.controller = controller
        self.stop_event = threading.Event()
        self.error: BaseException | None = None
        self.returned = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.controller.run(self.stop_event)
        except BaseException as err:
            self.error = err
        finally:
            self.returned.set()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "run() did not return after stop"


@pytest.fixture
def running() -> Iterator[Callable[[Controller[Any]], Running]]:
    started: list[Running] = []

    def start(controller: Controller[Any]) -> Running:
        run = Running(controller)
        started.append(run)
        return run

    yield start
    for run in started:
        run.stop_event.set()
        run.thread.join(WAIT)


def controller_for(cluster: Cluster, reconcile: Any, **kwargs: Any) -> Controller[Any]:
    from kubecore.runtime.factory import SharedInformerFactory

    factory = SharedInformerFactory(cluster.vms, resync_period=0, namespace=cluster.namespace)
    kwargs.setdefault("metrics", False)
    return Controller(reconcile, for_=VirtualMachine, factory=factory, **kwargs)


def own(vm: VirtualMachine, controller: bool = True) -> OwnerReference:
    assert vm.metadata is not None
    return OwnerReference(
        api_version="cloud.waibizi.com/v1",
        kind="VirtualMachine",
        name=vm.metadata.name or "",
        uid=vm.metadata.uid or "",
        controller=controller,
    )


# -- reconcile on create and update -------------------------------------------------------


def test_reconcile_on_create_and_update_patches_to_complete(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    seen = Recorder()
    cluster.create_vm("before")

    def reconcile(request: Request) -> None:
        seen.note(request)
        vm = ctl.get(VirtualMachine, request)
        assert vm.spec is not None
        if vm.spec.status == "creating":
            cluster.vms.cloud_waibizi_com_v1.virtual_machines(request.namespace).patch(
                request.name, {"spec": {"status": "complete"}}
            )

    ctl = controller_for(cluster, reconcile, workers=4)
    run = running(ctl)
    cluster.create_vm("after")
    client = cluster.vm_client()
    wait_until(
        lambda: all(client.get(n).spec.status == "complete" for n in ("before", "after")),
        "both VMs complete",
    )
    assert Request(cluster.namespace, "before") in seen.calls
    assert Request(cluster.namespace, "after") in seen.calls
    before = seen.count("after")
    client.patch("after", {"spec": {"image": "debian"}})
    seen.wait_for(lambda: seen.count("after") > before, "a reconcile after the update")
    run.stop()
    assert run.error is None


def test_requeue_after_reconciles_again(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    seen = Recorder()
    cluster.create_vm("vm")

    def reconcile(request: Request) -> Result:
        seen.note(request)
        return Result(requeue_after=0.01) if seen.count("vm") < 3 else Result()

    ctl = controller_for(cluster, reconcile)
    run = running(ctl)
    seen.wait_for(lambda: seen.count("vm") >= 3, "three reconciles")
    assert ctl.queue.num_requeues(Request(cluster.namespace, "vm")) == 0  # backoff reset
    run.stop()


def test_errors_requeue_with_backoff_and_are_logged_with_the_key(
    cluster: Cluster,
    running: Callable[[Controller[Any]], Running],
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen = Recorder()
    requeues: list[int] = []
    cluster.create_vm("flaky")
    request = Request(cluster.namespace, "flaky")

    def reconcile(req: Request) -> None:
        requeues.append(ctl.queue.num_requeues(req))
        seen.note(req)
        if seen.count("flaky") <= 3:
            raise RuntimeError("backend unavailable")

    limiter = ItemExponentialFailureRateLimiter(0.001, 0.05)
    ctl = controller_for(cluster, reconcile, rate_limiter=limiter)
    with caplog.at_level(logging.ERROR, logger="kubecore.runtime.controller"):
        run = running(ctl)
        seen.wait_for(lambda: seen.count("flaky") >= 4, "the fourth attempt")
        wait_until(lambda: ctl.queue.num_requeues(request) == 0, "the backoff forgotten")
        run.stop()
    # The rate limiter counted each failure: the n-th retry saw n earlier failures.
    assert requeues[:4] == [0, 1, 2, 3]
    failures = [r for r in caplog.records if "failed, requeued" in r.getMessage()]
    assert len(failures) == 3
    assert all(f"{cluster.namespace}/flaky" in r.getMessage() for r in failures)
    assert all(r.exc_info and "backend unavailable" in str(r.exc_info[1]) for r in failures)


def test_terminal_errors_are_not_requeued(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    seen = Recorder()
    cluster.create_vm("bad")
    cluster.create_vm("zz-marker")

    def reconcile(request: Request) -> None:
        seen.note(request)
        if request.name == "bad":
            raise TerminalError("spec.image is not a known image")

    ctl = controller_for(cluster, reconcile, rate_limiter=ItemExponentialFailureRateLimiter(0, 0))
    run = running(ctl)
    seen.wait_for(lambda: seen.count("bad") == 1 and seen.count("zz-marker") == 1)
    # A requeue with no delay would be back before the next event: poke another key and
    # wait for it, then "bad" must still have been reconciled once.
    cluster.vm_client().patch("zz-marker", {"spec": {"image": "x2"}})
    seen.wait_for(lambda: seen.count("zz-marker") == 2)
    assert seen.count("bad") == 1
    run.stop()


# -- owned objects and map functions ------------------------------------------------------


def test_owned_configmap_changes_enqueue_the_owning_vm(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    seen = Recorder()
    vm = cluster.create_vm("owner")
    other = cluster.create_vm("not-controller")
    cms = cluster.k8s.core_v1.config_maps(cluster.namespace)
    cms.create(ConfigMap(metadata=ObjectMeta(name="owned", owner_references=[own(vm)])))
    cms.create(
        ConfigMap(
            metadata=ObjectMeta(name="loose", owner_references=[own(other, controller=False)])
        )
    )
    foreign = own(vm)
    foreign.api_version = "other.example.com/v1"  # same kind name, another group
    cms.create(ConfigMap(metadata=ObjectMeta(name="foreign", owner_references=[foreign])))

    ctl = controller_for(cluster, seen.note, owns=[ConfigMap], workers=1)
    run = running(ctl)
    seen.wait_for(lambda: seen.count("owner") >= 1 and seen.count("not-controller") >= 1)
    owner_before, other_before = seen.count("owner"), seen.count("not-controller")
    cms.patch("loose", {"data": {"k": "v"}})  # not a controller reference: nothing
    cms.patch("foreign", {"data": {"k": "v"}})  # another group's owner: nothing
    cms.patch("owned", {"data": {"k": "v"}})  # enqueues the owner
    seen.wait_for(lambda: seen.count("owner") > owner_before, "the owner after its ConfigMap")
    # One worker and one informer thread per kind: had "loose" enqueued its VM, that
    # request would have been queued before "owner"'s and reconciled first.
    assert seen.count("not-controller") == other_before
    before = seen.count("owner")
    cms.delete("owned")
    seen.wait_for(lambda: seen.count("owner") > before, "the owner after its ConfigMap's delete")
    run.stop()


def test_watches_map_any_object_to_requests(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    seen = Recorder()
    cluster.create_vm("target")

    def by_label(cm: ConfigMap) -> list[Request]:
        labels = (cm.metadata.labels if cm.metadata else None) or {}
        return [Request(cluster.namespace, labels["vm"])] if "vm" in labels else []

    ctl = controller_for(cluster, seen.note, watches=[(ConfigMap, by_label)])
    run = running(ctl)
    seen.wait_for(lambda: seen.count("target") == 1)
    cluster.k8s.core_v1.config_maps(cluster.namespace).create(
        ConfigMap(metadata=ObjectMeta(name="points-at-target", labels={"vm": "target"}))
    )
    seen.wait_for(lambda: seen.count("target") == 2, "the mapped request")
    run.stop()


# -- predicates -----------------------------------------------------------------------------


def test_generation_changed_predicate_filters_metadata_only_updates(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    seen = Recorder()
    cluster.create_vm("a")
    cluster.create_vm("b")
    ctl = controller_for(
        cluster, seen.note, workers=1, for_predicates=[GenerationChangedPredicate()]
    )
    run = running(ctl)
    seen.wait_for(lambda: seen.count("a") == 1 and seen.count("b") == 1)
    client = cluster.vm_client()
    client.patch("a", {"metadata": {"labels": {"x": "1"}}})  # generation unchanged
    client.patch("b", {"spec": {"image": "debian"}})  # generation bumped
    seen.wait_for(lambda: seen.count("b") == 2, "b after its spec change")
    # Events of one informer are handled in order and one worker takes requests in order:
    # a request for "a" would have been reconciled before "b"'s.
    assert seen.count("a") == 1
    run.stop()


def test_predicates_compose_and_functions_are_predicates(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    seen = Recorder()
    cluster.create_vm("watched", team="a")
    cluster.create_vm("ignored", team="b")
    cluster.create_vm("marker", team="a")

    def team_a(vm: VirtualMachine) -> bool:
        return bool(vm.metadata and (vm.metadata.labels or {}).get("team") == "a")

    ctl = controller_for(
        cluster,
        seen.note,
        workers=1,
        predicates=[team_a],
        for_predicates=[LabelChangedPredicate() | GenerationChangedPredicate()],
    )
    run = running(ctl)
    seen.wait_for(lambda: seen.count("watched") == 1 and seen.count("marker") == 1)
    client = cluster.vm_client()
    client.patch("ignored", {"metadata": {"labels": {"x": "1"}}})  # team b: filtered
    client.patch("watched", {"metadata": {"annotations": {"a": "1"}}})  # neither changed
    client.patch("watched", {"metadata": {"labels": {"x": "1"}}})  # labels changed
    seen.wait_for(lambda: seen.count("watched") == 2, "the label change")
    client.patch("marker", {"spec": {"image": "debian"}})
    seen.wait_for(lambda: seen.count("marker") == 2, "the marker")
    assert seen.count("ignored") == 0
    assert seen.count("watched") == 2
    run.stop()


# -- concurrency and shutdown ---------------------------------------------------------------


def test_one_key_is_never_reconciled_by_two_workers_at_once(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    names = ["k0", "k1", "k2"]
    for name in names:
        cluster.create_vm(name)
    in_flight: set[str] = set()
    overlaps: list[str] = []
    peak = [0]
    lock = threading.Lock()
    seen = Recorder()

    def reconcile(request: Request) -> None:
        with lock:
            if request.name in in_flight:
                overlaps.append(request.name)
            in_flight.add(request.name)
            peak[0] = max(peak[0], len(in_flight))
        time.sleep(0.005)  # widen the window a second worker would have to overlap in
        with lock:
            in_flight.discard(request.name)
        seen.note(request)

    ctl = controller_for(cluster, reconcile, workers=4)
    run = running(ctl)
    seen.wait_for(lambda: all(seen.count(n) >= 1 for n in names), "the initial reconciles")
    client = cluster.vm_client()
    for i in range(30):
        for name in names:
            client.patch(name, {"metadata": {"labels": {"i": str(i)}}})
    final = {name: client.get(name).metadata.resource_version for name in names}

    def cached_version(name: str) -> str | None:
        cached = (
            ctl.informer(VirtualMachine).get_indexer().get_by_key(f"{cluster.namespace}/{name}")
        )
        return cached.metadata.resource_version if cached is not None else None

    def caught_up() -> bool:
        return all(cached_version(n) == final[n] for n in names)

    wait_until(caught_up, "the informer at the last version")
    seen.wait_for(lambda: all(seen.count(n) >= 2 for n in names), "the updates reconciled")
    run.stop()
    assert overlaps == []
    assert sum(seen.count(n) for n in names) > len(names)  # updates were reconciled too


def test_graceful_shutdown_waits_for_the_reconcile_in_progress_and_drops_the_queue(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    for name in ("a", "b", "c"):
        cluster.create_vm(name)
    entered, release = threading.Event(), threading.Event()
    order: list[str] = []

    def reconcile(request: Request) -> None:
        entered.set()
        release.wait(WAIT)
        order.append(f"reconciled {request.name}")

    ctl = controller_for(cluster, reconcile, workers=1)
    run = running(ctl)
    assert entered.wait(WAIT)
    wait_until(lambda: len(ctl.queue) == 2, "the two other requests queued")
    run.stop_event.set()
    # run() must not return while the reconcile is in progress: give it the chance to.
    returned_early = run.returned.wait(0.3)
    release.set()
    run.thread.join(WAIT)
    assert not returned_early
    # The one in progress finished; the two queued were dropped, not reconciled.
    assert len(order) == 1 and order[0].startswith("reconciled ")
    assert run.error is None


# -- leader election ------------------------------------------------------------------------


class ManualElector:
    """An elector driven by the test: leads once ``grant`` is set, loses on ``revoke``."""

    def __init__(
        self,
        *,
        on_started_leading: Callable[..., Any],
        on_stopped_leading: Callable[[], Any],
    ) -> None:
        self.on_started_leading = on_started_leading
        self.on_stopped_leading = on_stopped_leading
        self.grant, self.revoke = threading.Event(), threading.Event()
        self.leading = False
        self.released_after: list[str] = []
        ELECTORS.append(self)

    def is_leader(self) -> bool:
        return self.leading

    def run(self, stop: threading.Event) -> None:
        while not self.grant.wait(0.01):
            if stop.is_set():
                self.on_stopped_leading()
                return
        self.leading = True
        lead_stop = threading.Event()
        self.on_started_leading(lead_stop)
        while not stop.wait(0.01):
            if self.revoke.is_set():
                lead_stop.set()
                break
        self.leading = False
        self.released_after.append("released")
        self.on_stopped_leading()


ELECTORS: list[ManualElector] = []


def test_leader_election_starts_work_only_when_leading_and_lost_leadership_ends_run(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    ELECTORS.clear()
    seen = Recorder()
    cluster.create_vm("vm")
    ctl = controller_for(cluster, seen.note, leader_election=ManualElector)
    run = running(ctl)
    wait_until(lambda: len(ELECTORS) == 1, "the elector")
    elector = ELECTORS[0]
    time.sleep(0.2)  # a controller that did not wait for leadership would reconcile now
    assert seen.calls == []
    assert not ctl.informer(VirtualMachine).has_synced()
    elector.grant.set()
    seen.wait_for(lambda: seen.count("vm") == 1, "a reconcile once leading")
    elector.revoke.set()
    run.thread.join(WAIT)
    assert isinstance(run.error, LeaderElectionLost)


def test_stop_while_leading_drains_then_releases(
    cluster: Cluster, running: Callable[[Controller[Any]], Running]
) -> None:
    ELECTORS.clear()
    cluster.create_vm("vm")
    entered, release = threading.Event(), threading.Event()
    order: list[str] = []

    def reconcile(request: Request) -> None:
        entered.set()
        release.wait(WAIT)
        order.append("reconcile finished")

    ctl = controller_for(cluster, reconcile, leader_election=ManualElector)
    run = running(ctl)
    wait_until(lambda: len(ELECTORS) == 1, "the elector")
    ELECTORS[0].grant.set()
    assert entered.wait(WAIT)
    run.stop_event.set()
    time.sleep(0.2)  # the lease must be kept while the reconcile is in progress
    released_early = bool(ELECTORS[0].released_after)
    release.set()
    run.thread.join(WAIT)
    assert not released_early
    assert order == ["reconcile finished"]
    assert ELECTORS[0].released_after == ["released"]
    assert run.error is None


def test_with_kubecore_leader_election_only_the_leader_reconciles(
    server: TestApiServer, running: Callable[[Controller[Any]], Running]
) -> None:
    leaderelection = pytest.importorskip(
        "kubecore.runtime.leaderelection", reason="kubecore.runtime.leaderelection (ops branch)"
    )
    from kubecore.runtime.factory import SharedInformerFactory

    config = load_config(server.kubeconfig_path)
    with VMClientset.from_config(config) as vms, K8sClientset.from_config(config) as k8s:
        namespace = f"ctl-{next(_namespaces)}"
        k8s.core_v1.namespaces().create(Namespace(metadata=ObjectMeta(name=namespace)))
        cluster = Cluster(vms, k8s, namespace)
        seen = {"a": Recorder(), "b": Recorder()}

        def replica(identity: str) -> Controller[Any]:
            lock = leaderelection.LeaseLock(
                k8s, namespace=namespace, name="vm-controller", identity=identity
            )
            elector = functools.partial(
                leaderelection.LeaderElector,
                lock,
                lease_duration=2.0,
                renew_deadline=1.5,
                retry_period=0.2,
                release_on_cancel=True,
            )
            factory = SharedInformerFactory(vms, resync_period=0, namespace=namespace)
            return Controller(
                seen[identity].note,
                for_=VirtualMachine,
                factory=factory,
                leader_election=elector,
                metrics=False,
            )

        cluster.create_vm("vm1")
        a = running(replica("a"))
        seen["a"].wait_for(lambda: seen["a"].count("vm1") == 1, "replica a leading")
        b = running(replica("b"))
        cluster.create_vm("vm2")
        seen["a"].wait_for(lambda: seen["a"].count("vm2") == 1, "the leader reconciling vm2")
        assert seen["b"].calls == []  # b campaigns; its informers and workers wait
        a.stop()  # drains, then releases the lease: b takes over at once
        assert a.error is None
        seen["b"].wait_for(
            lambda: seen["b"].count("vm1") >= 1 and seen["b"].count("vm2") >= 1,
            "the new leader reconciling everything",
        )
        b.stop()
        assert b.error is None
