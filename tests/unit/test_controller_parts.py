"""The runner's pieces without I/O: predicates, event-to-request mapping, requests and
results, the controller's argument checks, and the workqueue's metrics hooks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap, Node
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kube_clientgen_api.virtualmachine.fake import Clientset as VMFake
from kubecore.client import errors
from kubecore.client.unstructured import Unstructured
from kubecore.core.generated.meta_v1 import ObjectMeta, OwnerReference
from kubecore.runtime.clock import FakeClock
from kubecore.runtime.controller import (
    AnnotationChangedPredicate,
    Controller,
    Funcs,
    GenerationChangedPredicate,
    LabelChangedPredicate,
    Request,
    ResourceVersionChangedPredicate,
    and_,
    enqueue_for_object,
    enqueue_for_owner,
    informer_for,
    not_,
    or_,
)
from kubecore.runtime.controller.handlers import EventHandler
from kubecore.runtime.controller.predicates import Predicate, as_predicate
from kubecore.runtime.keys import DeletedFinalStateUnknown
from kubecore.runtime.lister import ClusterLister, NamespacedLister
from kubecore.runtime.workqueue import RateLimitingQueue

REPO = Path(__file__).resolve().parents[2]


def vm(generation: int = 1, rv: str = "1", **meta: Any) -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(
            name="vm", namespace="ns", generation=generation, resource_version=rv, **meta
        ),
        spec=VirtualMachineSpec(image="x"),
    )


# -- predicates -------------------------------------------------------------------------------


def test_generation_changed() -> None:
    p = GenerationChangedPredicate()
    assert p.update(vm(1), vm(2))
    assert not p.update(vm(1, rv="1"), vm(1, rv="2"))
    assert not p.update(ConfigMap(metadata=ObjectMeta(name="a")), ConfigMap())  # no generation
    assert p.create(vm()) and p.delete(vm()) and p.generic(vm())
    # Unstructured and plain dicts are read by their wire names.
    assert p.update({"metadata": {"generation": 1}}, {"metadata": {"generation": 2}})
    assert not p.update(
        Unstructured({"metadata": {"generation": 3}}), Unstructured({"metadata": {"generation": 3}})
    )


def test_labels_annotations_and_resource_version_changed() -> None:
    assert LabelChangedPredicate().update(vm(labels={"a": "1"}), vm(labels={"a": "2"}))
    assert not LabelChangedPredicate().update(vm(labels={}), vm())  # empty == unset
    assert AnnotationChangedPredicate().update(vm(), vm(annotations={"a": "1"}))
    assert not AnnotationChangedPredicate().update(vm(labels={"x": "1"}), vm())
    same = vm()
    assert not ResourceVersionChangedPredicate().update(same, same)  # a resync
    assert ResourceVersionChangedPredicate().update(vm(rv="1"), vm(rv="2"))


def test_composition_and_functions() -> None:
    labels = LabelChangedPredicate()
    generation = GenerationChangedPredicate()
    label_only = (vm(1, labels={"a": "1"}), vm(1, labels={"a": "2"}))
    spec_only = (vm(1), vm(2))
    assert (labels | generation).update(*label_only) and (labels | generation).update(*spec_only)
    assert not (labels & generation).update(*label_only)
    assert (~generation).update(*label_only) and not (~generation).update(*spec_only)
    assert and_().create(vm()) and not or_().create(vm())
    assert not_(labels).update(*spec_only)

    def in_ns(obj: Any) -> bool:
        return bool(obj.metadata.namespace == "ns")

    assert isinstance(as_predicate(in_ns), Predicate)
    other = VirtualMachine(metadata=ObjectMeta(name="x", namespace="other"))
    combined = and_(in_ns, Funcs(delete=lambda obj: False))
    assert combined.create(vm()) and not combined.create(other)
    assert combined.update(other, vm()) and not combined.update(vm(), other)  # the new object
    assert not combined.delete(vm())
    with pytest.raises(TypeError):
        as_predicate(42)  # type: ignore[arg-type]


# -- events to requests ----------------------------------------------------------------------


class ListQueue:
    def __init__(self) -> None:
        self.items: list[Request] = []

    def add(self, item: Request) -> None:
        self.items.append(item)


def owned(*refs: OwnerReference, namespace: str = "ns") -> ConfigMap:
    return ConfigMap(
        metadata=ObjectMeta(name="cm", namespace=namespace, owner_references=list(refs))
    )


def ref(name: str, *, kind: str = "VirtualMachine", api: str = "cloud.waibizi.com/v1", **kw: Any):  # type: ignore[no-untyped-def]
    return OwnerReference(api_version=api, kind=kind, name=name, uid="u-" + name, **kw)


def test_enqueue_for_owner_follows_only_the_matching_controller_reference() -> None:
    owners = enqueue_for_owner(VirtualMachine.RESOURCE)
    assert owners(owned(ref("a", controller=True))) == [Request("ns", "a")]
    assert owners(owned(ref("a", api="cloud.waibizi.com/v2", controller=True))) == [
        Request("ns", "a")
    ]  # another version of the same group and kind
    assert owners(owned(ref("a"))) == []  # not a controller reference
    assert owners(owned(ref("a", controller=False))) == []
    assert owners(owned(ref("a", api="other.io/v1", controller=True))) == []
    assert owners(owned(ref("a", kind="Other", controller=True))) == []
    assert owners(owned(ref("b"), ref("a", controller=True))) == [Request("ns", "a")]
    # A cluster-scoped owner has no namespace; dicts are read by their wire names.
    nodes = enqueue_for_owner(Node.RESOURCE)
    cm = {
        "metadata": {
            "namespace": "ns",
            "ownerReferences": [
                {"apiVersion": "v1", "kind": "Node", "name": "n1", "uid": "u", "controller": True}
            ],
        }
    }
    assert nodes(cm) == [Request("", "n1")]


def test_event_handler_maps_updates_of_both_versions_and_tombstones() -> None:
    queue = ListQueue()
    handler = EventHandler(queue, enqueue_for_owner(VirtualMachine.RESOURCE), and_())
    old = owned(ref("a", controller=True))
    new = owned(ref("b", controller=True))
    handler.on_update(old, new)
    assert queue.items == [Request("ns", "a"), Request("ns", "b")]
    queue.items.clear()
    handler.on_delete(DeletedFinalStateUnknown("ns/cm", old))
    assert queue.items == [Request("ns", "a")]

    queue.items.clear()
    for_object = EventHandler(queue, enqueue_for_object, and_())
    for_object.on_delete(DeletedFinalStateUnknown("ns/gone", None))
    for_object.on_add(vm())
    assert queue.items == [Request("ns", "gone"), Request("ns", "vm")]


def test_event_handler_applies_predicates_and_survives_a_failing_map_function() -> None:
    queue = ListQueue()
    handler = EventHandler(queue, enqueue_for_object, GenerationChangedPredicate())
    handler.on_update(vm(1), vm(1, rv="2"))
    assert queue.items == []
    handler.on_update(vm(1), vm(2))
    assert queue.items == [Request("ns", "vm")]

    def broken(obj: Any) -> list[Request]:
        raise KeyError("label")

    EventHandler(queue, broken, and_()).on_add(vm())  # logged, nothing enqueued
    assert queue.items == [Request("ns", "vm")]


def test_request_and_result() -> None:
    assert str(Request("ns", "a")) == "ns/a" == Request("ns", "a").key
    assert str(Request("", "node-1")) == "node-1"
    assert len({Request("ns", "a"), Request("ns", "a")}) == 1


# -- sources and arguments -------------------------------------------------------------------


def test_informers_for_any_kind_are_shared_through_the_factory() -> None:
    from kube_clientgen_api.virtualmachine.informers import SharedInformerFactory

    factory = SharedInformerFactory(VMFake(), resync_period=0)
    generated = factory.cloud_waibizi_com_v1.virtual_machines().informer()
    assert informer_for(factory, VirtualMachine) is generated
    # A kind of another package, through the same REST client.
    assert informer_for(factory, Deployment) is informer_for(factory, Deployment)
    with pytest.raises(TypeError, match="not a generated resource kind"):
        informer_for(factory, VirtualMachineSpec)


def test_controller_arguments_are_checked() -> None:
    fake = VMFake()
    with pytest.raises(ValueError, match="factory= or client="):
        Controller(lambda r: None, for_=VirtualMachine)
    with pytest.raises(ValueError, match="workers"):
        Controller(lambda r: None, for_=VirtualMachine, client=fake, workers=0, metrics=False)
    ctl = Controller(lambda r: None, for_=VirtualMachine, client=fake, metrics=False)
    with pytest.raises(errors.NotFound, match='virtualmachines.cloud.waibizi.com "vm" not found'):
        ctl.get(VirtualMachine, Request("ns", "vm"))  # the cache is empty: not started
    lister = ctl.lister(VirtualMachine)
    assert isinstance(lister, NamespacedLister) and lister.list() == []
    assert isinstance(ctl.lister(Node), ClusterLister)
    stop = threading.Event()
    stop.set()
    ctl.run(stop)
    with pytest.raises(RuntimeError, match="already started"):
        ctl.run(stop)


# -- workqueue metrics hooks -----------------------------------------------------------------


class Metric:
    def __init__(self) -> None:
        self.value = 0.0
        self.observed: list[float] = []

    def inc(self) -> None:
        self.value += 1

    def dec(self) -> None:
        self.value -= 1

    def set(self, value: float) -> None:
        self.value = value

    def observe(self, value: float) -> None:
        self.observed.append(value)


class Provider:
    def __init__(self) -> None:
        self.metrics: dict[str, Metric] = {}
        self.names: set[str] = set()

    def _new(self, kind: str, name: str) -> Metric:
        self.names.add(name)
        return self.metrics.setdefault(kind, Metric())

    def new_depth_metric(self, name: str) -> Metric:
        return self._new("depth", name)

    def new_adds_metric(self, name: str) -> Metric:
        return self._new("adds", name)

    def new_latency_metric(self, name: str) -> Metric:
        return self._new("latency", name)

    def new_work_duration_metric(self, name: str) -> Metric:
        return self._new("work", name)

    def new_unfinished_work_seconds_metric(self, name: str) -> Metric:
        return self._new("unfinished", name)

    def new_longest_running_processor_seconds_metric(self, name: str) -> Metric:
        return self._new("longest", name)

    def new_retries_metric(self, name: str) -> Metric:
        return self._new("retries", name)


def test_workqueue_reports_to_its_metrics_provider() -> None:
    clock = FakeClock()
    provider = Provider()
    q: RateLimitingQueue[str] = RateLimitingQueue(clock=clock, name="q", metrics_provider=provider)
    m = provider.metrics
    assert provider.names == {"q"}
    q.add("a")
    q.add("a")  # deduplicated: not an add
    q.add("b")
    assert m["adds"].value == 2 and m["depth"].value == 2
    clock.step(3)
    item, _ = q.get()
    assert item == "a" and m["depth"].value == 1 and m["latency"].observed == [3]
    clock.step(2)
    q._metrics.update_unfinished_work()  # type: ignore[union-attr]
    assert m["unfinished"].value == 2 and m["longest"].value == 2
    q.add("a")  # re-added while processing: counted once, queued by done()
    q.done("a")
    assert m["work"].observed == [2] and m["adds"].value == 3 and m["depth"].value == 2
    q.add_rate_limited("b")
    q.add_after("c", 1.0)
    assert m["retries"].value == 2
    q.shut_down()


def test_a_queue_without_provider_has_no_metrics() -> None:
    q: RateLimitingQueue[str] = RateLimitingQueue()
    assert q._metrics is None
    q.add("a")
    item, _ = q.get()
    q.done(item)  # type: ignore[arg-type]
    q.shut_down()


def test_mypy_sees_typed_reads_and_checks_the_reconciler() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "tests/typing/reveal_controller.py"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
        timeout=300,
    )
    out = result.stdout
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"')
        for line in out.splitlines()
        if "Revealed type" in line
    ]
    vm = "kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1.models._virtual_machine.VirtualMachine"
    assert revealed == [
        vm,
        "kube_clientgen_api.kubernetes.core.v1.models._config_map.ConfigMap",
        f"list[{vm}]",
    ], out
    errors = [
        line
        for line in out.splitlines()
        if line.startswith("tests/typing/reveal_controller.py") and ": error:" in line
    ]
    assert len(errors) == 1 and "Callable[[str], None]" in errors[0], out
