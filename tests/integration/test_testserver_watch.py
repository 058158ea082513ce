"""The test API server's watch semantics (issue #8 section 1, test server), as kube-apiserver's."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"


def vm(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"image": "x"},
    }


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as srv:
        yield srv


def stream(
    server: TestApiServer, *, then: Callable[[], object] = lambda: None, **params: str
) -> list[dict[str, Any]]:
    """The whole watch stream (give ``timeoutSeconds``); ``then`` runs once the server
    answered (its watch has started)."""
    with httpx.stream("GET", server.url + VMS, params={"watch": "true", **params}, timeout=20) as r:
        assert r.status_code == 200, r.read()
        then()
        return [json.loads(line) for line in r.iter_lines() if line]


def rv_of(event: dict[str, Any]) -> int:
    return int(event["object"]["metadata"]["resourceVersion"])


def test_a_delete_gets_a_new_resource_version(server: TestApiServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        created = c.post(VMS, json=vm("d")).json()["metadata"]["resourceVersion"]
        assert c.delete(f"{VMS}/d").is_success
        after_delete = c.get(VMS).json()["metadata"]["resourceVersion"]
    events = stream(server, resourceVersion=created, timeoutSeconds="1")
    deleted = [e for e in events if e["type"] == "DELETED"]
    assert len(deleted) == 1 and rv_of(deleted[0]) > int(created)
    assert rv_of(deleted[0]) == int(after_delete)
    # Resuming from the DELETED event's version replays nothing.
    again = stream(server, resourceVersion=str(rv_of(deleted[0])), timeoutSeconds="1")
    assert [e["type"] for e in again if e["type"] != "BOOKMARK"] == []


def test_a_watcher_behind_the_kept_history_gets_410_not_a_gap() -> None:
    with TestApiServer([CRD], history=5) as server:
        resource = server.table.for_kind("cloud.waibizi.com/v1", "VirtualMachine")
        assert resource is not None
        tracker = server.tracker
        start = tracker.resource_version
        events = tracker.watch(resource, "default", resource_version=start, timeout=5)
        assert next(events)[0] == ""  # the watch is at ``start``
        for i in range(12):  # more changes than the history keeps
            tracker.create(resource, "default", vm(f"v{i}"))
        seen = [e for e in events]
        assert [t for t, _ in seen] == ["ERROR"]
        assert seen[0][1]["code"] == 410 and seen[0][1]["reason"] == "Expired"


def test_a_watcher_that_falls_behind_over_http_gets_an_error_event() -> None:
    with TestApiServer([CRD], history=5) as server:
        resource = server.table.for_kind("cloud.waibizi.com/v1", "VirtualMachine")
        assert resource is not None
        tracker = server.tracker
        start = tracker.resource_version
        params = {"watch": "true", "resourceVersion": start, "timeoutSeconds": "5"}
        with httpx.stream("GET", server.url + VMS, params=params, timeout=20) as response:
            lines = response.iter_lines()
            # The server's watch is idle now; changes faster than it can send them:
            with tracker._lock:
                for i in range(12):
                    tracker.create(resource, "default", vm(f"v{i}"))
            events = [json.loads(line) for line in lines if line]
        assert [e["type"] for e in events] == ["ERROR"]
        assert events[0]["object"]["code"] == 410


def test_compaction_expires_an_old_version(server: TestApiServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        old = c.post(VMS, json=vm("a")).json()["metadata"]["resourceVersion"]
        c.post(VMS, json=vm("b"))
        server.tracker.compact()
        # As kube-apiserver's cacher: HTTP 200, then one ERROR event, then the end.
        gone = c.get(VMS, params={"watch": "true", "resourceVersion": old})
        assert gone.status_code == 200
        (event,) = [json.loads(line) for line in gone.text.splitlines() if line]
        assert event["type"] == "ERROR" and event["object"]["reason"] == "Expired"
        current = c.get(VMS).json()["metadata"]["resourceVersion"]
    events = stream(server, resourceVersion=current, allowWatchBookmarks="true", timeoutSeconds="1")
    assert events == []  # the current version is still served (200), with nothing to tell


def elsewhere(server: TestApiServer, name: str) -> str:
    """Create VM ``name`` in namespace "other" (outside the watched collection, so only a
    bookmark can tell a watch of "default" the version moved); its resourceVersion."""
    with httpx.Client(base_url=server.url) as c:
        body = {**vm(name), "metadata": {"name": name, "namespace": "other"}}
        created = c.post(VMS.replace("/default/", "/other/"), json=body)
        assert created.status_code == 201, created.text
        return str(created.json()["metadata"]["resourceVersion"])


def test_bookmarks_only_when_asked_and_never_as_the_first_event(server: TestApiServer) -> None:
    # kube-apiserver sends BOOKMARKs only to watches with allowWatchBookmarks=true, as
    # progress (periodically; this server once the version moved, within about a second)
    # and as the initial-events-end one: a watch never opens with one.
    current = elsewhere(server, "o1")
    moved: list[str] = []
    asked = stream(
        server,
        then=lambda: moved.append(elsewhere(server, "o2")),
        resourceVersion=current,
        allowWatchBookmarks="true",
        timeoutSeconds="3",
    )
    assert [(e["type"], str(rv_of(e))) for e in asked] == [("BOOKMARK", moved[0])]
    unasked = stream(
        server,
        then=lambda: elsewhere(server, "o3"),
        resourceVersion=moved[0],
        timeoutSeconds="3",
    )
    assert unasked == []


def test_a_bookmark_never_covers_events_not_yet_sent(server: TestApiServer) -> None:
    with httpx.Client(base_url=server.url) as c:
        for i in range(30):
            c.post(VMS, json=vm(f"b{i:02}"))
        c.delete(f"{VMS}/b03")
    events = stream(
        server,
        then=lambda: elsewhere(server, "moved"),
        allowWatchBookmarks="true",
        timeoutSeconds="3",
    )
    sent: set[int] = set()
    for ev in events:
        if ev["type"] == "BOOKMARK":
            assert all(rv <= rv_of(ev) for rv in sent)
        else:
            # Nothing sent after a bookmark may be older than what the bookmark announced.
            bookmarks = [rv_of(e) for e in events[: events.index(ev)] if e["type"] == "BOOKMARK"]
            assert all(b < rv_of(ev) or ev["type"] == "ADDED" for b in bookmarks)
            sent.add(rv_of(ev))
    types = [e["type"] for e in events]
    first_bookmark = types.index("BOOKMARK")
    assert types[:first_bookmark] == ["ADDED"] * 29  # every initial object before any bookmark


def test_watch_list_streams_the_state_then_an_initial_events_end_bookmark(
    server: TestApiServer,
) -> None:
    with httpx.Client(base_url=server.url) as c:
        for i in range(4):
            c.post(VMS, json=vm(f"w{i}"))
        listed = c.get(VMS).json()
    events = stream(
        server,
        sendInitialEvents="true",
        resourceVersionMatch="NotOlderThan",
        allowWatchBookmarks="true",
        timeoutSeconds="1",
    )
    initial = [e for e in events[:4]]
    assert [e["type"] for e in initial] == ["ADDED"] * 4
    assert [e["object"]["metadata"]["name"] for e in initial] == [f"w{i}" for i in range(4)]
    end = events[4]
    assert end["type"] == "BOOKMARK"
    assert end["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert end["object"]["metadata"]["resourceVersion"] == listed["metadata"]["resourceVersion"]


def test_watch_list_is_validated_and_can_be_turned_off(server: TestApiServer) -> None:
    url = server.url + VMS
    base = {"watch": "true", "sendInitialEvents": "true", "timeoutSeconds": "1"}
    no_match = httpx.get(url, params={**base, "allowWatchBookmarks": "true"})
    assert no_match.status_code == 422
    no_bookmarks = httpx.get(url, params={**base, "resourceVersionMatch": "NotOlderThan"})
    assert no_bookmarks.status_code == 422
    server.watch_list = False  # an older apiserver
    full = {**base, "resourceVersionMatch": "NotOlderThan", "allowWatchBookmarks": "true"}
    assert httpx.get(url, params=full).status_code == 422


def test_a_selector_watch_adds_and_deletes_objects_crossing_the_selection(
    server: TestApiServer,
) -> None:
    """``cacheWatcher.convertToWatchEvent``: entering the selection is ADDED, leaving it is
    DELETED with the last selected state at the change's resourceVersion, a change outside
    it is nothing."""
    merge = {"Content-Type": "application/merge-patch+json"}
    with httpx.Client(base_url=server.url) as c:
        start = c.get(VMS).json()["metadata"]["resourceVersion"]
        c.post(VMS, json={**vm("a"), "metadata": {"name": "a", "labels": {"app": "web"}}})
        left = c.patch(f"{VMS}/a", json={"metadata": {"labels": {"app": "db"}}}, headers=merge)
        c.patch(f"{VMS}/a", json={"spec": {"image": "y"}}, headers=merge)
        back = c.patch(f"{VMS}/a", json={"metadata": {"labels": {"app": "web"}}}, headers=merge)
    events = stream(server, resourceVersion=start, labelSelector="app=web", timeoutSeconds="1")
    seen = [
        (e["type"], e["object"]["metadata"]["labels"], rv_of(e))
        for e in events
        if e["type"] != "BOOKMARK"
    ]
    assert seen[1:] == [
        ("DELETED", {"app": "web"}, int(left.json()["metadata"]["resourceVersion"])),
        ("ADDED", {"app": "web"}, int(back.json()["metadata"]["resourceVersion"])),
    ]
    assert seen[0][0] == "ADDED"
