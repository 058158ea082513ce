"""The versions the reflector lists at, and when it relists or watches again (client-go's).

Every assertion is on the requests the server received (``server.requests``, or the
scripted server's log), over real loopback HTTP: the first list at ``resourceVersion=0``
(paged), a relist at the last synced version with ``resourceVersionMatch=NotOlderThan``
(unpaged, so kube-apiserver's watch cache can serve it), a consistent list at the latest
version (``resourceVersion`` unset) only after a list answered 410 or "Too large resource
version", and after a watch failure: a relist (410, 5xx, ...) or the same watch again
(429, connection refused, a cut connection), as client-go's reflector decides.

The clients retry nothing (``NO_RETRY``), so each injected fault reaches the reflector.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kubecore import load_config
from kubecore.client.config import Config
from kubecore.client.dynamic import DynamicClient
from kubecore.client.rest import NO_RETRY, RESTClient
from kubecore.client.unstructured import GroupVersionResource
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.listwatch import ListWatch, WatchHandle
from kubecore.runtime.reflector import Reflector
from kubecore.testing import TestApiServer
from tests.conftest import REPO
from tests.loopback_server import LoopbackServer, Recorded, Reply
from tests.reflector_sink import Cache

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
GVR = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")
PATH = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
WAIT = 20.0  # seconds: an upper bound for conditions, never an expected duration
FIRST = {"resourceVersion": "0", "limit": "500"}  # client-go's first list


def vm(name: str) -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, namespace="default"),
        spec=VirtualMachineSpec(image="x", status="creating"),
    )


def not_older_than(rv: str) -> dict[str, str]:
    return {"resourceVersion": rv, "resourceVersionMatch": "NotOlderThan"}


def wait_until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def list_queries(server: TestApiServer) -> list[dict[str, str]]:
    """The list requests of "default"'s VirtualMachines, as their query (a continue
    token shows as "..."), oldest first."""
    return [
        {k: ("..." if k == "continue" else v) for k, v in r.query.items()}
        for r in server.requests.entries()
        if r.path == PATH and r.method == "GET" and not r.is_watch
    ]


def watches_from(server: TestApiServer) -> list[str]:
    return [
        r.query.get("resourceVersion", "")
        for r in server.requests.entries()
        if r.path == PATH and r.is_watch
    ]


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([VM_CRD]) as srv:
        yield srv


@pytest.fixture
def cs(server: TestApiServer) -> Iterator[VMClientset]:
    rest = RESTClient(load_config(server.kubeconfig_path), retry=NO_RETRY)
    with VMClientset(rest) as clientset:
        yield clientset


class Running:
    """A reflector running in a thread until the test ends."""

    def __init__(self, list_watch: ListWatch[Any], **kwargs: Any) -> None:
        self.cache = Cache()
        kwargs.setdefault("initial_backoff", 0.05)
        self.reflector = Reflector(list_watch, self.cache, use_watch_list=False, **kwargs)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.reflector.run, args=(self.stop,))
        self.thread.start()
        wait_until(lambda: self.reflector.lists == 1, "the first list")

    def close(self) -> None:
        self.stop.set()
        self.reflector.stop()
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


@pytest.fixture
def running(cs: VMClientset) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(list_watch: ListWatch[Any] | None = None, **kwargs: Any) -> Running:
        lw = list_watch or ListWatch.for_client(cs.cloud_waibizi_com_v1.virtual_machines("default"))
        started.append(Running(lw, **kwargs))
        return started[-1]

    yield start
    for one in started:
        one.close()


def synced_change(server: TestApiServer, cs: VMClientset, running: Running, name: str) -> str:
    """Create ``name`` and wait until the reflector's watch brought it; its version."""
    rv = cs.cloud_waibizi_com_v1.virtual_machines("default").create(vm(name)).metadata
    assert rv.resource_version
    wait_until(
        lambda: running.reflector.last_sync_resource_version == rv.resource_version,
        f"the watch brought {name}",
    )
    return rv.resource_version


# -- the first list -------------------------------------------------------------------------


def test_the_first_list_is_at_0_then_the_watch_starts_at_its_version(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    cs.cloud_waibizi_com_v1.virtual_machines("default").create(vm("a"))
    one = running()
    assert list_queries(server) == [FIRST]
    listed = one.reflector.last_sync_resource_version
    wait_until(lambda: watches_from(server) == [listed], "the watch")
    assert one.cache.names() == ["a"]


def test_a_first_list_in_pages_makes_the_relists_paged_too(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    # A server that pages a list at "0" has no watch cache (client-go's paginatedResult):
    # the relists go to storage anyway, so they are paged too; continuations carry only
    # their token.
    for i in range(5):
        cs.cloud_waibizi_com_v1.virtual_machines("default").create(vm(f"p{i}"))
    one = running(page_size=2)
    page = {"limit": "2", "continue": "..."}
    assert list_queries(server) == [{"resourceVersion": "0", "limit": "2"}, page, page]
    rv = synced_change(server, cs, one, "q")
    server.faults.respond(410, path_prefix=PATH, method="GET")
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: one.reflector.lists == 2, "a relist")
    relist = [{**not_older_than(rv), "limit": "2"}, page, page]
    assert list_queries(server)[3:] == relist
    assert one.cache.names() == ["p0", "p1", "p2", "p3", "p4", "q"]


# -- relists after a 410 ------------------------------------------------------------------


def test_a_relist_after_an_expired_watch_is_not_older_than_the_last_synced_version(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    one = running()
    rv = synced_change(server, cs, one, "a")
    # The next watch waits while "b" is written and the history compacted: from rv, kube-
    # apiserver answers 410 Expired.
    server.faults.delay(1.0, path_prefix=PATH, method="GET")
    fired = len(server.faults.fired)
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: len(server.faults.fired) > fired + 1, "the watch is held")
    resource = server.table.get("cloud.waibizi.com", "v1", "virtualmachines")
    assert resource is not None
    server.tracker.create(
        resource,
        "default",
        {"apiVersion": GVR.group + "/v1", "kind": "VirtualMachine", **vm("b").to_dict()},
    )
    server.tracker.compact()
    wait_until(lambda: one.reflector.lists == 2, "a relist")
    assert list_queries(server) == [FIRST, not_older_than(rv)]
    assert watches_from(server)[1] == rv
    wait_until(lambda: one.cache.names() == ["a", "b"], "the relist brought b")
    latest = server.tracker.resource_version
    wait_until(lambda: watches_from(server)[-1] == latest, "a watch from the relist's version")


def test_a_relist_whose_not_older_than_list_is_expired_lists_the_latest(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    one = running()
    rv = synced_change(server, cs, one, "a")
    server.faults.respond(410, times=2, path_prefix=PATH, method="GET")  # the watch, the list
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: one.reflector.lists == 2, "a relist")
    assert list_queries(server) == [FIRST, not_older_than(rv), {"limit": "500"}]
    # The consistent list succeeded: the next relist is at the last synced version again.
    rv = synced_change(server, cs, one, "b")
    server.faults.respond(410, path_prefix=PATH, method="GET")
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: one.reflector.lists == 3, "a second relist")
    assert list_queries(server)[3:] == [not_older_than(rv)]
    assert one.cache.names() == ["a", "b"]


def test_a_list_at_a_version_the_server_has_not_reached_lists_the_latest(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    # An older kube-apiserver words it only in the message: 504 "Too large resource version".
    one = running()
    rv = synced_change(server, cs, one, "a")
    server.faults.respond(410, path_prefix=PATH, method="GET")
    server.faults.respond(
        504,
        path_prefix=PATH,
        method="GET",
        message=f"Timeout: Too large resource version: {rv}, current: 1",
    )
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: one.reflector.lists == 2, "a relist")
    assert list_queries(server) == [FIRST, not_older_than(rv), {"limit": "500"}]


# -- other watch failures -----------------------------------------------------------------


def test_a_watch_failing_with_500_relists(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    one = running()
    rv = synced_change(server, cs, one, "a")
    server.faults.respond(500, path_prefix=PATH, method="GET")
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: one.reflector.lists == 2, "a relist")
    assert list_queries(server) == [FIRST, not_older_than(rv)]


def test_a_watch_answered_429_watches_again_without_a_list(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    one = running()
    rv = synced_change(server, cs, one, "a")
    server.faults.respond(429, times=2, path_prefix=PATH, method="GET")
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: watches_from(server)[1:] == [rv, rv, rv], "three watches from rv")
    synced_change(server, cs, one, "b")
    assert list_queries(server) == [FIRST] and one.reflector.lists == 1


def test_a_cut_watch_watches_again_without_a_list(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    one = running()
    rv = synced_change(server, cs, one, "a")
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: watches_from(server)[1:] == [rv], "a watch from rv")
    synced_change(server, cs, one, "b")
    assert list_queries(server) == [FIRST] and one.reflector.lists == 1


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_refused_watch_watches_again_without_a_list(
    server: TestApiServer, cs: VMClientset, running: Callable[..., Running]
) -> None:
    # The first two watches go to a port nobody listens on (connection refused, client-go's
    # isWatchErrorRetriable); the reflector backs off and watches again, never lists.
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    live = ListWatch.for_client(vms)
    refused_rest = RESTClient(Config(host=f"http://127.0.0.1:{_closed_port()}"), retry=NO_RETRY)
    refused = ListWatch.for_client(
        VMClientset(refused_rest).cloud_waibizi_com_v1.virtual_machines("default")
    )
    asked: list[str] = []

    def watch(resource_version: str, send_initial_events: bool) -> WatchHandle[Any]:
        asked.append(resource_version)
        source = refused if len(asked) <= 2 else live
        return source.watch(resource_version, send_initial_events)

    vms.create(vm("a"))
    try:
        one = running(ListWatch(live.list_page, watch))
        listed = one.reflector.last_sync_resource_version
        wait_until(lambda: watches_from(server) == [listed], "the third watch reached the server")
        assert asked == [listed, listed, listed]
        synced_change(server, cs, one, "b")
        assert list_queries(server) == [FIRST] and one.reflector.lists == 1
    finally:
        refused_rest.close()


def _line(type_: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": type_, "object": obj}).encode()


def test_a_very_short_empty_watch_relists() -> None:
    # A watch that ends within a second with no event is client-go's "very short watch"
    # error: ListAndWatch returns, and the reflector lists again (at the last version).
    requests: list[Recorded] = []

    def answer(rec: Recorded) -> Reply:
        requests.append(rec)
        if rec.query.get("watch") == ["true"]:
            return Reply(lines=[])  # ends at once, nothing in it
        items = [{"metadata": {"name": "a", "namespace": "default", "resourceVersion": "7"}}]
        return Reply(body={"kind": "List", "metadata": {"resourceVersion": "7"}, "items": items})

    with LoopbackServer() as scripted:
        scripted.handle("GET", PATH, answer)
        with DynamicClient(Config(host=scripted.url)) as dynamic:
            lw = ListWatch.for_dynamic(dynamic.resource(GVR).namespace("default"))
            one = Running(lw, initial_backoff=0.05)
            try:
                wait_until(lambda: one.reflector.lists == 2, "a relist")
            finally:
                one.close()
    queries = [
        {
            k: v[-1]
            for k, v in r.query.items()
            if k in ("resourceVersion", "resourceVersionMatch", "limit", "watch")
        }
        for r in requests
    ]
    assert queries[:3] == [
        FIRST,
        {"watch": "true", "resourceVersion": "7"},
        {**not_older_than("7")},
    ]


@pytest.mark.parametrize(
    "line",
    [
        b'{"type": "ADDED", "object": {not json',
        # QA: JSON of the wrong shape raised AttributeError in the watch decoder, which the
        # reflector did not catch: its thread died and the cache went stale for good.
        b'{"type": "MODIFIED", "object": "a string"}',
        b'{"type": "ADDED", "object": [1]}',
        b"[1, 2]",
        b'{"type": "ADDED"}',
        b'{"type": "SOMETHING", "object": {"metadata": {"name": "a"}}}',
        b'{"type": "ERROR", "object": {"code": {"not": "a number"}}}',
    ],
)
def test_an_undecodable_watch_line_relists_and_the_reflector_lives_on(line: bytes) -> None:
    # client-go's watch handler returns a decoding error (``got invalid watch event type``
    # for an unknown type) and ListAndWatch lists again; the reflector's thread must not
    # end on it.
    requests: list[Recorded] = []

    def answer(rec: Recorded) -> Reply:
        requests.append(rec)
        if rec.query.get("watch") == ["true"]:
            return Reply(lines=[line])
        items = [{"metadata": {"name": "a", "namespace": "default", "resourceVersion": "7"}}]
        return Reply(body={"kind": "List", "metadata": {"resourceVersion": "7"}, "items": items})

    with LoopbackServer() as scripted:
        scripted.handle("GET", PATH, answer)
        with DynamicClient(Config(host=scripted.url)) as dynamic:
            lw = ListWatch.for_dynamic(dynamic.resource(GVR).namespace("default"))
            one = Running(lw, initial_backoff=0.3)  # a backoff the first list is seen in
            try:
                wait_until(lambda: one.reflector.lists >= 3, "relists after bad watch lines")
                assert one.thread.is_alive()
            finally:
                one.close()
    watches = [r for r in requests if r.query.get("watch") == ["true"]]
    assert len(watches) >= 2 and all(w.query["resourceVersion"] == ["7"] for w in watches)
