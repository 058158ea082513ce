"""A WatchList relist resumes at the last synced version, as client-go's ``watchList`` does.

Every assertion is on the requests the loopback test API server received: the first
streamed list asks for no version (a consistent state), a relist for the last synced one
with ``resourceVersionMatch=NotOlderThan``, and after that stream was answered 410 or "Too
large resource version", a stream from no version again; once a stream completes, the next
relist resumes at the last synced version. The test server itself serves a WatchList at a
version as kube-apiserver does (the current state for any version reached, 504 for one not
reached yet). The clients retry nothing (``NO_RETRY``), so each fault reaches the reflector.
"""

from __future__ import annotations

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
from kubecore.client.errors import ApiError, has_status_cause
from kubecore.client.rest import NO_RETRY, RESTClient
from kubecore.client.watch import is_initial_events_end
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.keys import object_name
from kubecore.runtime.listwatch import ListWatch
from kubecore.runtime.reflector import Reflector
from kubecore.testing import TestApiServer
from tests.conftest import REPO
from tests.reflector_sink import Cache

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
PATH = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
WAIT = 20.0  # seconds: an upper bound for conditions, never an expected duration
#: What every streamed list sends besides its resourceVersion (client-go's ListOptions).
STREAM = {
    "sendInitialEvents": "true",
    "resourceVersionMatch": "NotOlderThan",
    "allowWatchBookmarks": "true",
}


def at(rv: str) -> dict[str, str]:
    return {**STREAM, "resourceVersion": rv}


def vm(name: str) -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, namespace="default"),
        spec=VirtualMachineSpec(image="x", status="creating"),
    )


def wait_until(predicate: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.02)


def streams(server: TestApiServer) -> list[dict[str, str]]:
    """The streamed lists of "default"'s VirtualMachines, as the query keys that choose
    the state, oldest first."""
    keys = (*STREAM, "resourceVersion")
    return [
        {k: v for k, v in r.query.items() if k in keys}
        for r in server.requests.entries()
        if r.path == PATH and r.is_watch and r.query.get("sendInitialEvents") == "true"
    ]


def plain_watches(server: TestApiServer) -> list[str]:
    return [
        r.query.get("resourceVersion", "")
        for r in server.requests.entries()
        if r.path == PATH and r.is_watch and r.query.get("sendInitialEvents") != "true"
    ]


def lists(server: TestApiServer) -> int:
    return sum(
        1
        for r in server.requests.entries()
        if r.path == PATH and r.method == "GET" and not r.is_watch
    )


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([VM_CRD]) as srv:
        yield srv


@pytest.fixture
def cs(server: TestApiServer) -> Iterator[VMClientset]:
    rest = RESTClient(load_config(server.kubeconfig_path), retry=NO_RETRY)
    with VMClientset(rest) as clientset:
        yield clientset


@pytest.fixture
def reflector(cs: VMClientset) -> Iterator[tuple[Reflector[Any], Cache]]:
    cache = Cache()
    lw = ListWatch.for_client(cs.cloud_waibizi_com_v1.virtual_machines("default"))
    one: Reflector[Any] = Reflector(lw, cache, initial_backoff=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=one.run, args=(stop,))
    thread.start()
    wait_until(lambda: one.lists == 1, "the first streamed list")
    yield one, cache
    stop.set()
    one.stop()
    thread.join(WAIT)
    assert not thread.is_alive()


def synced_change(cs: VMClientset, one: Reflector[Any], name: str) -> str:
    """Create ``name`` and wait until the reflector's watch brought it; its version."""
    rv = cs.cloud_waibizi_com_v1.virtual_machines("default").create(vm(name))
    version = rv.metadata.resource_version
    assert version
    wait_until(lambda: one.last_sync_resource_version == version, f"the watch brought {name}")
    return version


def force_relist(server: TestApiServer, one: Reflector[Any], *faults: int) -> None:
    """Cut the watch; the watch that follows is answered 410 (a relist), then each status
    of ``faults`` answers the next request."""
    before = one.lists
    server.faults.respond(410, path_prefix=PATH, method="GET")
    for status in faults:
        if status == 504:
            server.faults.respond(
                504,
                path_prefix=PATH,
                method="GET",
                message="Timeout: Too large resource version: 999, current: 1",
            )
        else:
            server.faults.respond(status, path_prefix=PATH, method="GET")
    assert server.faults.cut_watches(path_prefix=PATH) == 1
    wait_until(lambda: one.lists == before + 1, "a relist")


def test_the_first_stream_asks_for_no_version_and_a_relist_resumes_at_the_last_synced(
    server: TestApiServer, cs: VMClientset, reflector: tuple[Reflector[Any], Cache]
) -> None:
    one, cache = reflector
    assert one.uses_watch_list
    assert streams(server) == [STREAM]
    rv = synced_change(cs, one, "a")
    force_relist(server, one)
    assert plain_watches(server) == [rv]  # the watch after the cut, answered 410
    assert streams(server) == [STREAM, at(rv)]
    assert cache.names() == ["a"] and lists(server) == 0
    assert one.last_sync_resource_version == server.tracker.resource_version


def test_a_stream_at_an_expired_version_starts_fresh_then_resumes_again(
    server: TestApiServer, cs: VMClientset, reflector: tuple[Reflector[Any], Cache]
) -> None:
    one, cache = reflector
    rv = synced_change(cs, one, "a")
    force_relist(server, one, 410)  # the stream at rv is answered 410 too
    assert streams(server) == [STREAM, at(rv), STREAM]
    # That stream completed: the version is available again, the next relist resumes.
    rv2 = synced_change(cs, one, "b")
    force_relist(server, one)
    assert streams(server) == [STREAM, at(rv), STREAM, at(rv2)]
    assert cache.names() == ["a", "b"] and lists(server) == 0


def test_a_stream_at_a_version_too_large_starts_fresh(
    server: TestApiServer, cs: VMClientset, reflector: tuple[Reflector[Any], Cache]
) -> None:
    one, cache = reflector
    rv = synced_change(cs, one, "a")
    force_relist(server, one, 504)
    assert streams(server) == [STREAM, at(rv), STREAM]
    assert cache.names() == ["a"] and lists(server) == 0


def test_streams_answered_410_are_not_broken_streams(
    server: TestApiServer, cs: VMClientset, reflector: tuple[Reflector[Any], Cache]
) -> None:
    """A 410 says where to stream from next (client-go's ``watchList`` retries at once from
    no version, ``isExpiredError``); it is not a cut stream, so three of them never count
    toward the "three broken streams, then a paged list" fallback."""
    one, cache = reflector
    rv = synced_change(cs, one, "a")
    force_relist(server, one, 410, 410, 410)  # the stream at rv, then two from no version
    assert streams(server) == [STREAM, at(rv), STREAM, STREAM, STREAM]
    assert cache.names() == ["a"] and lists(server) == 0


def test_a_410_after_cut_streams_streams_again_from_no_version(
    server: TestApiServer, cs: VMClientset, reflector: tuple[Reflector[Any], Cache]
) -> None:
    """Two streams cut before their initial state was complete count; the 410 that follows
    does not: the next relist is still a stream (from no version), not a paged list."""
    one, cache = reflector
    rv = synced_change(cs, one, "a")
    server.faults.drop_watches_after(0, times=2)
    force_relist(server, one, 410)
    assert streams(server)[:2] == [STREAM, at(rv)]
    assert streams(server)[-1] == STREAM and len(streams(server)) == 5
    assert cache.names() == ["a"] and lists(server) == 0


# -- the test server: a WatchList at a version, as kube-apiserver serves it ----------------


def _initial_state(cs: VMClientset, rv: str) -> tuple[list[str], str]:
    """The names a WatchList at ``rv`` starts with, and its initial-events-end version."""
    handle = cs.cloud_waibizi_com_v1.virtual_machines("default").open_watch(
        resource_version=rv, send_initial_events=True, timeout_seconds=5
    )
    names: list[str] = []
    try:
        for event in handle:
            if is_initial_events_end(event):
                return sorted(names), event.resource_version
            names.append(object_name(event.object))
    finally:
        handle.stop()
    raise AssertionError("the stream ended before its initial-events-end bookmark")


def test_the_server_streams_the_current_state_for_any_version_it_reached(
    server: TestApiServer, cs: VMClientset
) -> None:
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    first = vms.create(vm("a")).metadata.resource_version
    vms.create(vm("b"))
    server.tracker.compact()  # a plain watch from `first` would now be 410
    current = server.tracker.resource_version
    assert _initial_state(cs, first) == (["a", "b"], current)
    assert _initial_state(cs, current) == (["a", "b"], current)


def test_the_server_answers_504_to_a_stream_at_a_version_not_reached(
    server: TestApiServer, cs: VMClientset
) -> None:
    server.tracker.fresh_timeout = 0.2
    ahead = str(int(server.tracker.resource_version) + 5)
    with pytest.raises(ApiError) as caught:
        _initial_state(cs, ahead)
    assert caught.value.status == 504
    assert has_status_cause(caught.value, "ResourceVersionTooLarge")
    assert "Too large resource version" in caught.value.message


def test_the_server_waits_for_a_version_written_meanwhile(
    server: TestApiServer, cs: VMClientset
) -> None:
    server.tracker.fresh_timeout = WAIT
    vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
    next_rv = str(int(server.tracker.resource_version) + 1)
    writer = threading.Timer(0.2, lambda: vms.create(vm("late")))
    writer.start()
    try:
        assert _initial_state(cs, next_rv) == (["late"], next_rv)
    finally:
        writer.join(WAIT)
