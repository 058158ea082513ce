"""Informers advance their resourceVersion from watch BOOKMARKs, whatever the source.

client-go's reflector asks for bookmarks so that a watch cut while its own collection was
quiet resumes from the last bookmark, not from the last object event, which the server may
have compacted away by then (and a 410 costs a relist). Every informer source (a typed
client, the dynamic client, a custom client with the same verbs, the fake clientsets) is
watched through ``open_watch()``, which yields bookmarks; the resuming ``watch()`` still
hides them from application code. A 410, as an HTTP answer or as an ERROR event, relists.

Lists are counted on the server side (``server.requests``, the fakes' recorded actions).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest

from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine import fake as vm_fake
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kube_clientgen_api.virtualmachine.informers import SharedInformerFactory
from kubecore import load_config
from kubecore.client.config import Config
from kubecore.client.dynamic import DynamicClient
from kubecore.client.unstructured import GroupVersionResource, Unstructured
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.dynamicinformer import DynamicSharedInformerFactory
from kubecore.runtime.informer import SharedIndexInformer, wait_for_cache_sync
from kubecore.runtime.listwatch import ListWatch
from kubecore.testing import TestApiServer
from kubecore.testing.fake import FakeDynamicClient, FakeWatcher
from kubecore.testing.fake.actions import Action
from tests.conftest import REPO
from tests.loopback_server import LoopbackServer, Recorded, Reply

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
GVR = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")
PATH = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
WAIT = 20.0  # seconds: an upper bound for conditions, never an expected duration
INITIAL_END = {"k8s.io/initial-events-end": "true"}
EXPIRED = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "too old resource version: 2 (9)",
    "reason": "Expired",
    "code": 410,
}


def vm(name: str, namespace: str = "default") -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, namespace=namespace),
        spec=VirtualMachineSpec(image="x", status="creating"),
    )


def vm_dict(name: str, namespace: str = "default", rv: str | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": namespace}
    if rv is not None:
        meta["resourceVersion"] = rv
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": meta,
        "spec": {"image": "x", "status": "creating"},
    }


def wait_until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def names(informer: SharedIndexInformer[Any]) -> list[str]:
    return sorted(informer.get_indexer().list_keys())


@pytest.fixture
def stop() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


# -- against the test API server ---------------------------------------------------------


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([VM_CRD]) as srv:
        yield srv


@pytest.fixture
def cs(server: TestApiServer) -> Iterator[VMClientset]:
    with VMClientset.from_config(load_config(server.kubeconfig_path)) as clientset:
        yield clientset


class _CustomClient:
    """A client of the user's own, with only the verbs an informer needs."""

    def __init__(self, client: Any) -> None:
        self.list = client.list
        self.open_watch = client.open_watch


SOURCES = ["typed", "dynamic", "custom"]


def informer_on(source: str, cs: VMClientset, dynamic: DynamicClient) -> SharedIndexInformer[Any]:
    """An informer on the VirtualMachines of "default" through ``source``."""
    typed = cs.cloud_waibizi_com_v1.virtual_machines("default")
    if source == "typed":
        return SharedIndexInformer(ListWatch.for_client(typed))
    if source == "dynamic":
        return SharedIndexInformer(
            ListWatch.for_dynamic(dynamic.resource(GVR).namespace("default"))
        )
    return SharedIndexInformer(ListWatch.for_client(_CustomClient(typed)))


def list_requests(server: TestApiServer) -> list[str]:
    """The lists of "default"'s VirtualMachines the server was asked for: a LIST or a
    streamed list (WatchList); ``"list"`` or ``"watch-list"`` each."""
    out = []
    for request in server.requests.entries():
        if request.path != PATH or request.method != "GET":
            continue
        if not request.is_watch:
            out.append("list")
        elif request.query.get("sendInitialEvents") == "true":
            out.append("watch-list")
    return out


def watches_from(server: TestApiServer) -> list[str]:
    """The resourceVersions the plain watches of "default"'s VirtualMachines started from."""
    return [
        request.query.get("resourceVersion", "")
        for request in server.requests.entries()
        if request.path == PATH
        and request.is_watch
        and request.query.get("sendInitialEvents") != "true"
    ]


def started(informer: SharedIndexInformer[Any], stop: threading.Event) -> threading.Thread:
    thread = informer.start(stop)
    assert wait_for_cache_sync(stop, informer.has_synced)
    return thread


@pytest.mark.parametrize("source", SOURCES)
def test_a_cut_watch_resumes_from_the_last_bookmark_without_a_relist(
    source: str, server: TestApiServer, cs: VMClientset, stop: threading.Event
) -> None:
    default = cs.cloud_waibizi_com_v1.virtual_machines("default")
    other = cs.cloud_waibizi_com_v1.virtual_machines("other")
    default.create(vm("a"))
    with DynamicClient(load_config(server.kubeconfig_path)) as dynamic:
        informer = informer_on(source, cs, dynamic)
        thread = started(informer, stop)
        try:
            # Changes elsewhere move the server's version on; this watch sees none of them,
            # only a progress BOOKMARK at the new version.
            for i in range(3):
                other.create(vm(f"o{i}", "other"))
            progress = server.tracker.resource_version
            wait_until(
                lambda: informer.reflector.last_sync_resource_version == progress,
                f"a bookmark moved the informer to {progress}",
            )
            server.tracker.compact()  # from now on, a watch from any older version gets 410
            assert server.faults.cut_watches(path_prefix=PATH) == 1
            wait_until(lambda: progress in watches_from(server), f"a watch from {progress}")
            default.create(vm("b"))
            wait_until(lambda: names(informer) == ["default/a", "default/b"], "b arrived")
            assert list_requests(server) == ["watch-list"]  # the first sync only
            assert informer.reflector.lists == 1
        finally:
            stop.set()
            thread.join(WAIT)
    assert not thread.is_alive()


def test_a_watch_answered_410_relists(
    server: TestApiServer, cs: VMClientset, stop: threading.Event
) -> None:
    # kube-apiserver answers a watch from a compacted version with an ERROR event holding a
    # 410 Status (the next test); an HTTP 410 (a proxy, an older server) must relist too,
    # as client-go's isExpiredError does for both.
    default = cs.cloud_waibizi_com_v1.virtual_machines("default")
    default.create(vm("a"))
    informer: SharedIndexInformer[VirtualMachine] = SharedIndexInformer(
        ListWatch.for_client(default)
    )
    thread = started(informer, stop)
    try:
        server.faults.respond(410, path_prefix=PATH, method="GET")  # the next watch request
        assert server.faults.cut_watches(path_prefix=PATH) == 1
        wait_until(lambda: len(list_requests(server)) == 2, "a relist")
        assert list_requests(server) == ["watch-list", "watch-list"]
        default.create(vm("b"))
        wait_until(lambda: names(informer) == ["default/a", "default/b"], "b arrived")
        assert informer.reflector.lists == 2
    finally:
        stop.set()
        thread.join(WAIT)
    assert not thread.is_alive()


def test_the_resuming_watch_hides_bookmarks_that_open_watch_yields(
    server: TestApiServer, cs: VMClientset
) -> None:
    default = cs.cloud_waibizi_com_v1.virtual_machines("default")
    start = default.create(vm("a")).metadata.resource_version
    cs.cloud_waibizi_com_v1.virtual_machines("other").create(vm("o", "other"))
    b = default.create(vm("b"))
    cs.cloud_waibizi_com_v1.virtual_machines("other").create(vm("p", "other"))
    latest = server.tracker.resource_version
    plain = [
        (e.type, e.resource_version)
        for e in default.open_watch(resource_version=start, timeout_seconds=2)
    ]
    resuming = [
        (e.type, e.resource_version)
        for e in default.watch(resource_version=start, timeout_seconds=2)
    ]
    added = ("ADDED", b.metadata.resource_version or "")
    assert [e for e in plain if e[0] != "BOOKMARK"] == [added]
    assert plain.index(("BOOKMARK", latest)) > plain.index(added)  # past "other"'s changes
    assert resuming == [added]


# -- a scripted server: an ERROR event with a 410 Status --------------------------------


def _line(type_: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": type_, "object": obj}).encode()


def test_an_error_event_410_relists_over_http(stop: threading.Event) -> None:
    streams: list[Recorded] = []

    def answer(rec: Recorded) -> Reply:
        if rec.query.get("sendInitialEvents") != ["true"]:
            return Reply(lines=[])  # a plain watch: nothing new
        streams.append(rec)
        end = {"metadata": {"resourceVersion": "5", "annotations": INITIAL_END}}
        lines = [_line("ADDED", vm_dict("a", rv="5")), _line("BOOKMARK", end)]
        if len(streams) == 1:
            lines.append(_line("ERROR", EXPIRED))  # the watch fell behind: relist
        return Reply(lines=lines)

    with LoopbackServer() as scripted:
        scripted.handle("GET", PATH, answer)
        with DynamicClient(Config(host=scripted.url)) as dynamic:
            informer = SharedIndexInformer(
                ListWatch.for_dynamic(dynamic.resource(GVR).namespace("default"))
            )
            thread = informer.start(stop)
            try:
                wait_until(lambda: informer.reflector.lists == 2, "a relist")
                assert len(streams) == 2  # the relist is a second streamed list
                assert names(informer) == ["default/a"]
            finally:
                stop.set()
                thread.join(WAIT)
    assert not thread.is_alive()


# -- the fake clientsets -------------------------------------------------------------------


FAKES = ["typed", "dynamic"]


class FakeSetup(NamedTuple):
    fake: Any
    informer: SharedIndexInformer[Any]
    default: Any  # the VirtualMachines client of "default"
    other: Any  # ... and of "other"
    start: Callable[[], None]


def fake_informer(kind: str, stop: threading.Event) -> FakeSetup:
    """An informer factory limited to "default" on the fake of ``kind`` holding VM "a",
    whose first watch (the streamed list) is the returned FakeWatcher's."""
    if kind == "typed":
        fake: Any = vm_fake.Clientset(vm("a"))
        factory: Any = SharedInformerFactory(fake, resync_period=0, namespace="default")
        informer = factory.cloud_waibizi_com_v1.virtual_machines().informer()
        default = fake.cloud_waibizi_com_v1.virtual_machines("default")
        other = fake.cloud_waibizi_com_v1.virtual_machines("other")
    else:
        fake = FakeDynamicClient(
            Unstructured(vm_dict("a")),
            resources=vm_fake.RESOURCES,
            custom=vm_fake.CUSTOM_RESOURCES,
        )
        factory = DynamicSharedInformerFactory(fake, resync_period=0, namespace="default")
        informer = factory.for_resource(GVR).informer()
        default = fake.resource(GVR).namespace("default")
        other = fake.resource(GVR).namespace("other")

    def start() -> None:
        factory.start(stop)
        assert all(factory.wait_for_cache_sync(stop).values())

    return FakeSetup(fake, informer, default, other, start)


def script_first_watch(fake: Any) -> FakeWatcher:
    """The first watch of "default" is scripted; later ones reach the fake's tracker."""
    scripted = FakeWatcher()

    def react(action: Action) -> tuple[bool, Any, None]:
        first = len(watch_actions(fake)) == 1  # this action is recorded already
        return (True, scripted, None) if first else (False, None, None)

    fake.prepend_watch_reactor("virtualmachines", react)
    return scripted


def new(kind: str, name: str, namespace: str = "default") -> Any:
    return vm(name, namespace) if kind == "typed" else Unstructured(vm_dict(name, namespace))


def watch_actions(fake: Any) -> list[Action]:
    return [a for a in fake.actions() if a.verb == "watch" and a.namespace == "default"]


@pytest.mark.parametrize("kind", FAKES)
def test_an_informer_on_a_fake_resumes_from_the_last_bookmark(
    kind: str, stop: threading.Event
) -> None:
    fake, informer, default, other, start = fake_informer(kind, stop)
    scripted = script_first_watch(fake)
    synced_at = fake.tracker.resource_version
    scripted.add(default.get("a"))
    scripted.bookmark({"metadata": {"resourceVersion": synced_at, "annotations": INITIAL_END}})
    start()
    for i in range(3):
        other.create(new(kind, f"o{i}", "other"))
    progress = fake.tracker.resource_version
    scripted.bookmark({"metadata": {"resourceVersion": progress}})
    wait_until(lambda: informer.reflector.last_sync_resource_version == progress, "the bookmark")
    fake.tracker.compact()  # a watch from any older version is refused with 410
    scripted.stop()  # the connection ends
    wait_until(lambda: len(watch_actions(fake)) == 2, "a second watch")
    resumed = watch_actions(fake)[1]
    assert resumed.resource_version == progress
    assert "sendInitialEvents" not in resumed.params
    default.create(new(kind, "b"))
    wait_until(lambda: names(informer) == ["default/a", "default/b"], "b arrived")
    assert [a for a in fake.actions() if a.verb == "list"] == []
    assert informer.reflector.lists == 1


@pytest.mark.parametrize("kind", FAKES)
def test_an_error_event_410_on_a_fake_relists(kind: str, stop: threading.Event) -> None:
    fake, informer, default, _, start = fake_informer(kind, stop)
    scripted = script_first_watch(fake)
    synced_at = fake.tracker.resource_version
    scripted.add(default.get("a"))
    scripted.bookmark({"metadata": {"resourceVersion": synced_at, "annotations": INITIAL_END}})
    start()
    default.delete("a")  # unseen: the scripted watch does not tell
    default.create(new(kind, "c"))
    scripted.error(EXPIRED)
    wait_until(lambda: names(informer) == ["default/c"], "the relist brought the cache in step")
    streamed = [a for a in watch_actions(fake) if a.params.get("sendInitialEvents") == "true"]
    assert len(streamed) == 2
    assert informer.reflector.lists == 2


@pytest.mark.parametrize("kind", FAKES)
def test_the_fakes_send_progress_bookmarks_as_the_server_does(
    kind: str, stop: threading.Event
) -> None:
    fake, informer, default, other, start = fake_informer(kind, stop)
    start()
    for i in range(3):
        other.create(new(kind, f"o{i}", "other"))
    progress = fake.tracker.resource_version
    # No scripted watcher: the tracker's own watch tells the informer how far it got.
    wait_until(lambda: informer.reflector.last_sync_resource_version == progress, "a bookmark")
    watch = default.open_watch(timeout_seconds=2)
    first = next(watch)  # the watch is open: it starts at ``progress``
    other.create(new(kind, "late", "other"))
    moved = fake.tracker.resource_version
    plain = [(first.type, first.resource_version)] + [(e.type, e.resource_version) for e in watch]
    resuming = [e.type for e in default.watch(timeout_seconds=2)]
    # No BOOKMARK at the version the watch opened at (kube-apiserver never opens a watch
    # with one); one once the version moved on.
    assert plain[0][0] == "ADDED" and plain[1:] == [("BOOKMARK", moved)]
    assert resuming == ["ADDED"]
