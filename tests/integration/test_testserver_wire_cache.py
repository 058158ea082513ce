"""The test server serves lists and watches from each object's JSON cached per version:
what it sends must always be the current object (issue #8 section 6, sync speed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"


def vm(name: str, **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name, "namespace": "default", **meta},
        "spec": {"image": "x" * 200},
    }


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as srv:
        yield srv


def test_lists_always_carry_the_current_object(server: TestApiServer) -> None:
    resource = server.table.get("cloud.waibizi.com", "v1", "virtualmachines")
    assert resource is not None
    with httpx.Client(base_url=server.url, timeout=20) as c:
        for name in ("a", "b"):
            assert c.post(VMS, json=vm(name, finalizers=["x/y"])).status_code == 201
        first = c.get(VMS).json()
        assert first == server.tracker.list(resource, "default")
        assert [i["kind"] for i in first["items"]] == ["VirtualMachine"] * 2
        patched = c.patch(
            VMS + "/a",
            json={"spec": {"image": "y"}},
            headers={"Content-Type": "application/merge-patch+json"},
        ).json()
        # A finalizer-held delete changes the stored object in place (a new version).
        assert c.delete(VMS + "/b").status_code == 200
        second = c.get(VMS).json()
    a, b = second["items"]
    assert a["spec"]["image"] == "y"
    assert a["metadata"]["resourceVersion"] == patched["metadata"]["resourceVersion"]
    assert "deletionTimestamp" in b["metadata"]
    assert "deletionTimestamp" not in first["items"][1]["metadata"]
    assert second == server.tracker.list(resource, "default")
    limited = httpx.get(server.url + VMS, params={"limit": "1"}).json()
    assert [i["metadata"]["name"] for i in limited["items"]] == ["a"]
    assert limited["metadata"]["continue"]


def test_a_large_initial_state_streams_whole_then_live_events_follow(
    server: TestApiServer,
) -> None:
    # Over 256 KiB of initial events: several batched chunks, then per-event chunks.
    count = 1200
    server.preload(vm(f"vm-{i:04d}") for i in range(count))
    params = {
        "watch": "true",
        "sendInitialEvents": "true",
        "resourceVersionMatch": "NotOlderThan",
        "allowWatchBookmarks": "true",
        "timeoutSeconds": "10",
    }
    events: list[dict[str, Any]] = []
    with httpx.stream("GET", server.url + VMS, params=params, timeout=20) as r:
        assert r.status_code == 200
        lines = r.iter_lines()
        for line in lines:
            events.append(json.loads(line))
            if events[-1]["type"] == "BOOKMARK":
                break
        httpx.post(server.url + VMS, json=vm("late"), timeout=20).raise_for_status()
        for line in lines:
            if line:
                events.append(json.loads(line))
                break
    names = [e["object"]["metadata"]["name"] for e in events[:count]]
    assert [e["type"] for e in events[:count]] == ["ADDED"] * count
    assert names == sorted(names) and len(set(names)) == count
    assert events[0]["object"]["apiVersion"] == "cloud.waibizi.com/v1"
    end = events[count]
    assert end["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert events[count + 1]["type"] == "ADDED"
    assert events[count + 1]["object"]["metadata"]["name"] == "late"
