"""Informers run on the generated fake clientset and on the fake dynamic client: they sync
from the preloaded objects and deliver later changes, exactly as against a server.

The fakes' clients talk to an in-process ``RESTClient`` (``FakeRESTClient``), so the
reflector takes its HTTP path: a streaming list (WatchList, ``sendInitialEvents=true``)
through the fake's watch reaction, which the recorded actions show.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kube_clientgen_api.virtualmachine import fake as vm_fake
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kube_clientgen_api.virtualmachine.informers import SharedInformerFactory
from kubecore import GroupVersionResource
from kubecore.client.unstructured import Unstructured
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.dynamicinformer import DynamicSharedInformerFactory
from kubecore.testing.fake import FakeDynamicClient

VMS = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")
BOUND = 10.0  # seconds


def vm(name: str, status: str = "creating") -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, namespace="default"),
        spec=VirtualMachineSpec(image="centos", memory=4096, status=status),  # type: ignore[arg-type]
    )


def vm_dict(name: str, status: str = "creating") -> dict[str, Any]:
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"image": "centos", "memory": 4096, "status": status},
    }


def wait_for(predicate: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


class Recorder:
    """Handler calls as (event, name, spec.status)."""

    def __init__(self, status_of: Callable[[Any], tuple[str, str]]) -> None:
        self.seen: list[tuple[str, str, str]] = []
        self._status_of = status_of
        self._lock = threading.Lock()

    def _record(self, event: str, obj: Any) -> None:
        with self._lock:
            self.seen.append((event, *self._status_of(obj)))

    def on_add(self, obj: Any) -> None:
        self._record("add", obj)

    def on_update(self, old: Any, new: Any) -> None:
        self._record("update", new)

    def on_delete(self, obj: Any) -> None:
        self._record("delete", getattr(obj, "obj", obj))  # a tombstone carries the object

    def events(self) -> list[tuple[str, str, str]]:
        with self._lock:
            return list(self.seen)


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def test_typed_informer_syncs_and_delivers_on_the_generated_fake(stop: threading.Event) -> None:
    fake = vm_fake.Clientset(vm("vm1"), vm("vm2"))
    factory = SharedInformerFactory(fake, resync_period=0)
    vms = factory.cloud_waibizi_com_v1.virtual_machines()
    recorder = Recorder(lambda o: (o.metadata.name, o.spec.status))
    vms.informer().add_event_handler(
        on_add=recorder.on_add, on_update=recorder.on_update, on_delete=recorder.on_delete
    )
    factory.start(stop)
    assert factory.wait_for_cache_sync(stop) == {VirtualMachine: True}
    lister = vms.lister()
    assert sorted(v.metadata.name for v in lister.list()) == ["vm1", "vm2"]
    got = lister.virtual_machines("default").get("vm1")
    assert isinstance(got, VirtualMachine) and got.spec.status == "creating"

    client = fake.cloud_waibizi_com_v1.virtual_machines("default")
    client.create(vm("vm3"))
    client.patch("vm1", {"spec": {"status": "complete"}})
    client.delete("vm2")
    expected = [
        ("add", "vm1", "creating"),
        ("add", "vm2", "creating"),
        ("add", "vm3", "creating"),
        ("update", "vm1", "complete"),
        ("delete", "vm2", "creating"),
    ]
    assert wait_for(lambda: recorder.events() == expected), recorder.events()
    assert sorted(v.metadata.name for v in lister.list()) == ["vm1", "vm3"]
    assert lister.virtual_machines("default").get("vm1").spec.status == "complete"
    # The reflector streamed its list through the fake's watch (WatchList), not a poll.
    watches = [a for a in fake.actions() if a.verb == "watch"]
    assert watches and watches[0].params.get("sendInitialEvents") == "true"
    stop.set()
    factory.shutdown(timeout=BOUND)


def test_dynamic_informer_syncs_and_delivers_on_the_fake_dynamic_client(
    stop: threading.Event,
) -> None:
    fake = FakeDynamicClient(
        Unstructured(vm_dict("vm1")),
        Unstructured(vm_dict("vm2")),
        resources=vm_fake.RESOURCES,
        custom=vm_fake.CUSTOM_RESOURCES,
    )
    factory = DynamicSharedInformerFactory(fake, resync_period=0)
    informer = factory.for_resource(VMS)
    recorder = Recorder(lambda o: (o.object["metadata"]["name"], o.object["spec"]["status"]))
    informer.informer().add_event_handler(
        on_add=recorder.on_add, on_update=recorder.on_update, on_delete=recorder.on_delete
    )
    factory.start(stop)
    assert all(factory.wait_for_cache_sync(stop).values())
    lister = informer.lister()
    assert sorted(u.object["metadata"]["name"] for u in lister.list()) == ["vm1", "vm2"]
    got = lister.by_namespace("default").get("vm2")
    assert isinstance(got, Unstructured) and got.object["spec"]["status"] == "creating"

    resource = fake.resource(VMS).namespace("default")
    resource.create(Unstructured(vm_dict("vm3")))
    resource.patch("vm1", {"spec": {"status": "complete"}})
    resource.delete("vm2")
    expected = [
        ("add", "vm1", "creating"),
        ("add", "vm2", "creating"),
        ("add", "vm3", "creating"),
        ("update", "vm1", "complete"),
        ("delete", "vm2", "creating"),
    ]
    assert wait_for(lambda: recorder.events() == expected), recorder.events()
    assert sorted(u.object["metadata"]["name"] for u in lister.list()) == ["vm1", "vm3"]
    stop.set()
    factory.shutdown(timeout=BOUND)


def test_an_informer_outlives_a_reactor_error_that_is_not_an_api_error() -> None:
    """QA: a watch (or list) reactor answering a plain ``RuntimeError`` — client-go's
    ReactionFunc may return any error — killed the reflector's thread: the informer never
    synced and nothing retried. client-go's reflector backs off and lists again; so does
    ours, and the informer syncs once the reactor lets the calls through."""
    clientset = vm_fake.Clientset(vm("a"))
    failures = {"watch": 0}

    def flaky_watch(action: Any) -> tuple[bool, Any, BaseException | None]:
        if failures["watch"] < 2:
            failures["watch"] += 1
            return True, None, RuntimeError("etcd hiccup")
        return False, None, None

    clientset.prepend_watch_reactor("virtualmachines", flaky_watch)
    factory = SharedInformerFactory(clientset)
    informer = factory.cloud_waibizi_com_v1.virtual_machines()
    informer.informer()
    stop = threading.Event()
    factory.start(stop)
    try:
        assert wait_for(informer.informer().has_synced)
        assert [o.metadata.name for o in informer.lister().list()] == ["a"]
        assert failures["watch"] == 2
    finally:
        stop.set()
