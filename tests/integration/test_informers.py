"""kubecore.runtime against the test API server: reflector, shared informer, listers."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kubecore import load_config
from kubecore.client import errors
from kubecore.client.dynamic import DynamicClient
from kubecore.client.unstructured import GroupVersionResource, Unstructured
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.dynamicinformer import DynamicSharedInformerFactory
from kubecore.runtime.informer import SharedIndexInformer, wait_for_cache_sync
from kubecore.runtime.keys import DeletedFinalStateUnknown, meta_namespace_key_func
from kubecore.runtime.lister import NamespacedLister
from kubecore.runtime.listwatch import ListOptions, ListWatch
from kubecore.testing import TestApiServer
from tests.conftest import REPO

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
GVR = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")
WAIT = 20.0  # seconds: an upper bound for conditions, never an expected duration


def vm(name: str, namespace: str = "default", **labels: str) -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, namespace=namespace, labels=labels or None),
        spec=VirtualMachineSpec(image="x", status="creating"),
    )


class Recorder:
    """A handler that records (kind, key, resourceVersion) and can wait for a condition."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []
        self.objects: list[Any] = []
        self._cond = threading.Condition()

    def _note(self, kind: str, obj: Any) -> None:
        rv = "" if isinstance(obj, DeletedFinalStateUnknown) else obj.metadata.resource_version
        with self._cond:
            self.events.append((kind, meta_namespace_key_func(obj), rv))
            self.objects.append(obj)
            self._cond.notify_all()

    def on_add(self, obj: Any) -> None:
        self._note("add", obj)

    def on_update(self, old: Any, new: Any) -> None:
        self._note("resync" if old is new else "update", new)

    def on_delete(self, obj: Any) -> None:
        self._note("tombstone" if isinstance(obj, DeletedFinalStateUnknown) else "delete", obj)

    def wait_for(self, predicate: Callable[[list[tuple[str, str, str]]], bool]) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: predicate(self.events), timeout=WAIT), self.events


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([VM_CRD]) as srv:
        yield srv


@pytest.fixture
def cs(server: TestApiServer) -> Iterator[VMClientset]:
    with VMClientset.from_config(load_config(server.kubeconfig_path)) as clientset:
        yield clientset


def informer_for(cs: VMClientset, **kwargs: Any) -> SharedIndexInformer[VirtualMachine]:
    client = cs.cloud_waibizi_com_v1.virtual_machines("")
    return SharedIndexInformer(ListWatch.for_client(client), **kwargs)


def run(informer: SharedIndexInformer[Any]) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = informer.start(stop)
    assert wait_for_cache_sync(stop, informer.has_synced)
    return stop, thread


def test_informer_lists_then_watches_and_notifies_every_change(cs: VMClientset) -> None:
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("a", app="web"))
    informer = informer_for(cs)
    recorder = Recorder()
    informer.add_event_handler(recorder)
    stop, thread = run(informer)
    try:
        recorder.wait_for(lambda ev: ev == [("add", "default/a", ev[0][2])])
        b = vms.create(vm("b"))
        a = vms.patch("a", {"spec": {"status": "complete"}})
        vms.delete("b")
        recorder.wait_for(lambda ev: len(ev) == 4)
        assert recorder.events[1:] == [
            ("add", "default/b", b.metadata.resource_version),
            ("update", "default/a", a.metadata.resource_version),
            ("delete", "default/b", recorder.events[3][2]),
        ]
        assert int(recorder.events[3][2]) > int(a.metadata.resource_version)  # its own version
        lister = NamespacedLister(informer.get_indexer(), "cloud.waibizi.com", "virtualmachines")
        assert lister.namespace("default").get("a").spec.status == "complete"
        assert [o.metadata.name for o in lister.list(label_selector="app=web")] == ["a"]
        assert lister.list(label_selector="app!=web") == []
        with pytest.raises(errors.NotFound) as caught:
            lister.namespace("default").get("b")
        assert errors.is_not_found(caught.value)
        assert 'virtualmachines.cloud.waibizi.com "b" not found' in str(caught.value)
        assert informer.reflector.uses_watch_list and informer.reflector.lists == 1
        assert gc.isenabled()  # paused only while the initial state streamed in
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive() and informer.is_stopped  # a clean stop


def test_an_older_server_without_watch_list_is_listed_in_pages(
    server: TestApiServer, cs: VMClientset
) -> None:
    server.watch_list = False
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    for i in range(5):
        vms.create(vm(f"p{i}"))
    pages: list[str | None] = []
    list_watch = ListWatch.for_client(cs.cloud_waibizi_com_v1.virtual_machines(""))
    list_page = list_watch.list_page

    def counting(limit: int | None, token: str | None, rv: str, match: str) -> Any:
        pages.append(token)
        return list_page(limit, token, rv, match)

    list_watch.list_page = counting
    informer: SharedIndexInformer[VirtualMachine] = SharedIndexInformer(list_watch)
    informer.reflector._page_size = 2
    stop, thread = run(informer)
    try:
        assert not informer.reflector.uses_watch_list
        assert len(pages) == 3 and pages[0] is None and all(pages[1:])
        assert sorted(informer.get_indexer().list_keys()) == [f"default/p{i}" for i in range(5)]
    finally:
        stop.set()
        thread.join(WAIT)


def test_a_delete_missed_across_a_relist_comes_as_a_tombstone(
    server: TestApiServer, cs: VMClientset
) -> None:
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("keep"))
    vms.create(vm("lost"))
    informer = informer_for(cs)
    recorder = Recorder()
    informer.add_event_handler(recorder)
    stop, thread = run(informer)
    try:
        recorder.wait_for(lambda ev: len(ev) == 2)
        resource = server.table.for_kind("cloud.waibizi.com/v1", "VirtualMachine")
        assert resource is not None
        with server.tracker._lock:  # the delete and the compaction before the watch sees it
            server.tracker.delete(resource, "default", "lost")
            server.tracker.compact()
        recorder.wait_for(lambda ev: len(ev) == 3)
        assert recorder.events[2][:2] == ("tombstone", "default/lost")
        tombstone = recorder.objects[2]
        assert tombstone.key == "default/lost" and tombstone.obj.metadata.name == "lost"
        assert informer.get_indexer().list_keys() == ["default/keep"]
        assert informer.reflector.lists == 2  # relisted after 410
        vms.create(vm("after"))  # and watching again
        recorder.wait_for(lambda ev: ev[-1][:2] == ("add", "default/after"))
    finally:
        stop.set()
        thread.join(WAIT)


def test_dropped_watches_lose_and_repeat_nothing(server: TestApiServer, cs: VMClientset) -> None:
    informer = informer_for(cs)
    recorder = Recorder()
    informer.add_event_handler(recorder)
    server.faults.drop_watches_after(2, times=4)
    stop, thread = run(informer)
    try:
        vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
        created = [vms.create(vm(f"d{i}")).metadata.resource_version for i in range(12)]
        recorder.wait_for(lambda ev: len(ev) >= 12)
        assert recorder.events == [("add", f"default/d{i}", created[i]) for i in range(12)]
        assert len(server.faults.fired) >= 2
    finally:
        stop.set()
        thread.join(WAIT)


def test_a_handler_added_after_start_first_gets_the_current_state(cs: VMClientset) -> None:
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("x"))
    vms.create(vm("y"))
    informer = informer_for(cs)
    stop, thread = run(informer)
    try:
        late = Recorder()
        registration = informer.add_event_handler(late)
        late.wait_for(lambda ev: len(ev) == 2)
        assert sorted(k for _, k, _ in late.events) == ["default/x", "default/y"]
        assert {kind for kind, _, _ in late.events} == {"add"}
        assert wait_for_cache_sync(stop, registration.has_synced)
        vms.create(vm("z"))
        late.wait_for(lambda ev: ev[-1][:2] == ("add", "default/z"))
    finally:
        stop.set()
        thread.join(WAIT)


def test_periodic_resync_redelivers_the_cache(cs: VMClientset) -> None:
    cs.cloud_waibizi_com_v1.virtual_machines("default").create(vm("r"))
    informer = informer_for(cs, resync_period=0.2)
    recorder = Recorder()
    informer.add_event_handler(recorder)
    quiet = Recorder()
    informer.add_event_handler(quiet, resync_period=0)
    stop, thread = run(informer)
    try:
        recorder.wait_for(lambda ev: [k for k, _, _ in ev].count("resync") >= 2)
        assert all(key == "default/r" for _, key, _ in recorder.events)
        assert [k for k, _, _ in quiet.events] == ["add"]
    finally:
        stop.set()
        thread.join(WAIT)


def test_a_failing_handler_does_not_stop_the_others(cs: VMClientset) -> None:
    informer = informer_for(cs)

    def broken(obj: VirtualMachine) -> None:
        raise RuntimeError("handler bug")

    informer.add_event_handler(on_add=broken)
    recorder = Recorder()
    informer.add_event_handler(recorder)
    stop, thread = run(informer)
    try:
        vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
        vms.create(vm("one"))
        vms.create(vm("two"))
        recorder.wait_for(lambda ev: len(ev) == 2)
    finally:
        stop.set()
        thread.join(WAIT)


def test_namespace_and_selector_options_limit_the_cache(cs: VMClientset) -> None:
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("web", app="web"))
    vms.create(vm("db", app="db"))
    client = cs.cloud_waibizi_com_v1.virtual_machines("default")
    informer: SharedIndexInformer[VirtualMachine] = SharedIndexInformer(
        ListWatch.for_client(client, ListOptions(label_selector="app=web"))
    )
    stop, thread = run(informer)
    try:
        assert informer.get_indexer().list_keys() == ["default/web"]
    finally:
        stop.set()
        thread.join(WAIT)


def test_a_selecting_informer_drops_objects_that_leave_the_selection(cs: VMClientset) -> None:
    """kube-apiserver's watch with a label selector sends DELETED when a change takes an
    object out of the selection and ADDED when one brings it in (``cacheWatcher``): the
    test server sent nothing for the first and MODIFIED for the second, so a selecting
    informer kept relabelled objects in its cache until the next relist."""
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("web", app="web"))
    informer: SharedIndexInformer[VirtualMachine] = SharedIndexInformer(
        ListWatch.for_client(vms, ListOptions(label_selector="app=web"))
    )
    recorder = Recorder()
    informer.add_event_handler(recorder)
    stop, thread = run(informer)
    try:
        recorder.wait_for(lambda ev: len(ev) == 1)
        moved = vms.patch("web", {"metadata": {"labels": {"app": "db"}}})
        recorder.wait_for(lambda ev: len(ev) == 2)
        assert recorder.events[1] == ("delete", "default/web", moved.metadata.resource_version)
        assert recorder.objects[1].metadata.labels == {"app": "web"}  # its last selected state
        assert informer.get_indexer().list_keys() == []
        vms.create(vm("db", app="db"))
        joined = vms.patch("db", {"metadata": {"labels": {"app": "web"}}})
        recorder.wait_for(lambda ev: len(ev) == 3)
        assert recorder.events[2] == ("add", "default/db", joined.metadata.resource_version)
        assert informer.get_indexer().list_keys() == ["default/db"]
    finally:
        stop.set()
        thread.join(WAIT)


def test_dynamic_informer_factory_on_unstructured(server: TestApiServer, cs: VMClientset) -> None:
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("dyn", app="web"))
    with DynamicClient(load_config(server.kubeconfig_path)) as dynamic:
        factory = DynamicSharedInformerFactory(dynamic, resync_period=0, namespace=None)
        generic = factory.for_resource(GVR)
        assert generic.informer() is factory.for_resource(GVR).informer()  # shared
        seen: list[Unstructured] = []
        done = threading.Event()

        def on_add(obj: Unstructured) -> None:
            seen.append(obj)
            if len(seen) == 2:
                done.set()

        generic.informer().add_event_handler(on_add=on_add)
        stop = threading.Event()
        factory.start(stop)
        try:
            assert factory.wait_for_cache_sync(stop) == {GVR: True}
            vms.create(vm("dyn2"))
            assert done.wait(WAIT)
            assert all(isinstance(o, Unstructured) for o in seen)
            got = generic.lister().by_namespace("default").get("dyn")
            assert isinstance(got, Unstructured) and got.name == "dyn"
            assert [o.name for o in generic.lister().list(label_selector="app=web")] == ["dyn"]
            with pytest.raises(errors.NotFound):
                generic.lister().by_namespace("default").get("nope")
        finally:
            stop.set()
            factory.shutdown()


class _PublicOnly:
    """A resource client seen only through its public verbs (a custom client's shape)."""

    def __init__(self, client: Any) -> None:
        self.list = client.list
        self.open_watch = client.open_watch


def test_a_client_seen_through_its_public_verbs_is_watched_through_open_watch(
    cs: VMClientset,
) -> None:
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("first"))
    list_watch = ListWatch.for_client(_PublicOnly(cs.cloud_waibizi_com_v1.virtual_machines("")))
    assert list_watch.supports_watch_list  # open_watch streams lists too
    informer: SharedIndexInformer[VirtualMachine] = SharedIndexInformer(list_watch)
    recorder = Recorder()
    informer.add_event_handler(recorder)
    stop, thread = run(informer)
    try:
        second = vms.create(vm("second"))
        recorder.wait_for(lambda ev: len(ev) == 2)
        assert recorder.events[1] == ("add", "default/second", second.metadata.resource_version)
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive()


def test_a_client_with_only_the_resuming_watch_is_refused(cs: VMClientset) -> None:
    # watch() consumes BOOKMARKs (RetryWatcher), so an informer on it could never advance
    # its resourceVersion from them: refused at once instead of relisting more often later.
    client = cs.cloud_waibizi_com_v1.virtual_machines("")

    class OnlyWatch:
        list = client.list
        watch = client.watch

    with pytest.raises(TypeError, match="open_watch"):
        ListWatch.for_client(OnlyWatch())


def test_watch_list_streams_cut_every_time_fall_back_to_a_paged_list(
    server: TestApiServer, cs: VMClientset
) -> None:
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    for i in range(4):
        vms.create(vm(f"s{i}"))
    server.faults.drop_watches_after(2, times=None)  # no initial state ever completes
    informer = informer_for(cs)
    stop, thread = run(informer)
    try:
        assert sorted(informer.get_indexer().list_keys()) == [f"default/s{i}" for i in range(4)]
        assert len(server.faults.fired) >= 3
        assert gc.isenabled()  # a stream cut before its initial state ended resumed the GC
    finally:
        server.faults.clear()
        stop.set()
        thread.join(WAIT)
