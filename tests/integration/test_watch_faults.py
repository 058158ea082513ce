"""Watch client faults (issue #8 section 1), each against a loopback server that misbehaves."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest

from kubecore.client.config import Config
from kubecore.client.errors import Gone
from kubecore.client.rest import RESTClient
from kubecore.client.watch import MAX_WATCH_TIMEOUT, MIN_WATCH_TIMEOUT, Watcher, watch_events
from tests.loopback_server import LoopbackServer, Recorded, Reply

PATH = "/api/v1/namespaces/default/configmaps"


def event(type_: str, name: str, rv: str, **annotations: str) -> bytes:
    meta: dict[str, Any] = {"name": name, "namespace": "default", "resourceVersion": rv}
    if annotations:
        meta["annotations"] = annotations
    return json.dumps({"type": type_, "object": {"kind": "ConfigMap", "metadata": meta}}).encode()


def rest_for(server: LoopbackServer) -> RESTClient:
    return RESTClient(Config(host=server.url))


def names(events: list[Any]) -> list[tuple[str, str]]:
    return [(e.type, e.object["metadata"].get("name", "")) for e in events]


def test_silent_connection_returns_at_timeout_seconds() -> None:
    # One event, then the server says nothing for far longer than the caller's timeout.
    with LoopbackServer() as server:
        server.route("GET", PATH, Reply(lines=[event("ADDED", "a", "5"), b""], line_delay=60))
        with rest_for(server) as rest:
            seen = list(watch_events(rest, PATH, {}, dict, resource_version="4", timeout_seconds=1))
        assert names(seen) == [("ADDED", "a")]
        assert server.requests[0].query["timeoutSeconds"] == ["1"]


def test_default_watch_asks_for_a_random_server_timeout_and_drops_a_silent_connection() -> None:
    calls: list[Recorded] = []

    def answer(rec: Recorded) -> Reply:
        calls.append(rec)
        if len(calls) == 1:  # one event, then silence: the idle deadline must end this
            return Reply(lines=[event("ADDED", "a", "5"), b""], line_delay=60)
        return Reply(lines=[event("ADDED", "b", "6")])

    with LoopbackServer() as server:
        server.handle("GET", PATH, answer)
        with rest_for(server) as rest:
            watcher = Watcher(rest, PATH, {}, dict, resource_version="4", idle_timeout=0.5)
            seen = []
            for ev in watcher:
                seen.append(ev)
                if len(seen) == 2:
                    watcher.stop()
        assert names(seen) == [("ADDED", "a"), ("ADDED", "b")]
        for rec in calls:
            assert MIN_WATCH_TIMEOUT <= int(rec.query["timeoutSeconds"][0]) <= MAX_WATCH_TIMEOUT
        # The silent connection was given up and the watch resumed after the last event.
        assert calls[1].query["resourceVersion"] == ["5"]


def test_stop_from_another_thread_ends_a_blocked_read() -> None:
    with LoopbackServer() as server:
        server.route("GET", PATH, Reply(lines=[event("ADDED", "a", "5"), b""], line_delay=60))
        with rest_for(server) as rest:
            watcher = Watcher(rest, PATH, {}, dict, resource_version="4")
            first = next(watcher)
            threading.Timer(0.2, watcher.stop).start()
            rest_of_stream = list(watcher)  # blocked in a read until stop() aborts it
        assert first.object["metadata"]["name"] == "a" and rest_of_stream == []


def test_no_resume_from_a_synthetic_initial_event() -> None:
    calls: list[Recorded] = []

    def answer(rec: Recorded) -> Reply:
        calls.append(rec)
        if len(calls) == 1:  # the initial state, cut after its first object
            return Reply(lines=[event("ADDED", "a", "7")])
        if len(calls) == 2:  # the initial state again, then a bookmark: now it is complete
            return Reply(
                lines=[
                    event("ADDED", "a", "7"),
                    event("ADDED", "b", "3"),
                    event("BOOKMARK", "", "9"),
                ]
            )
        return Reply(lines=[event("MODIFIED", "b", "10")])

    with LoopbackServer() as server:
        server.handle("GET", PATH, answer)
        with rest_for(server) as rest:
            watcher = Watcher(rest, PATH, {}, dict)
            seen = []
            for ev in watcher:
                seen.append(ev)
                if ev.type == "MODIFIED":
                    watcher.stop()
    assert "resourceVersion" not in calls[0].query
    assert "resourceVersion" not in calls[1].query  # not "7": objects after "a" were never sent
    assert calls[2].query["resourceVersion"] == ["9"]
    assert names(seen)[-1] == ("MODIFIED", "b") and ("ADDED", "b") in names(seen)


def test_watch_list_dropped_before_its_initial_events_end_restarts_the_initial_state() -> None:
    calls: list[Recorded] = []
    end = {"k8s.io/initial-events-end": "true"}

    def answer(rec: Recorded) -> Reply:
        calls.append(rec)
        if len(calls) == 1:
            return Reply(lines=[event("ADDED", "a", "7"), event("BOOKMARK", "", "8")])
        if len(calls) == 2:
            return Reply(lines=[event("ADDED", "a", "7"), event("BOOKMARK", "", "9", **end)])
        return Reply(lines=[event("DELETED", "a", "11")])

    with LoopbackServer() as server:
        server.handle("GET", PATH, answer)
        with rest_for(server) as rest:
            watcher = Watcher(rest, PATH, {}, dict, send_initial_events=True)
            for ev in watcher:
                if ev.type == "DELETED":
                    watcher.stop()
    for rec in calls[:2]:
        assert rec.query["sendInitialEvents"] == ["true"]
        assert rec.query["resourceVersionMatch"] == ["NotOlderThan"]
        assert "resourceVersion" not in rec.query
    assert "sendInitialEvents" not in calls[2].query
    assert calls[2].query["resourceVersion"] == ["9"]


def test_a_stream_that_ends_at_once_is_not_requested_in_a_hot_loop() -> None:
    with LoopbackServer() as server:
        server.route("GET", PATH, Reply(lines=[]))
        with rest_for(server) as rest:
            seen = list(watch_events(rest, PATH, {}, dict, resource_version="4", timeout_seconds=2))
        assert seen == []
        # Backoff from 0.2 s doubling, with jitter: a handful of requests, not thousands.
        assert 2 <= len(server.requests) <= 10


def test_an_error_event_410_raises_gone() -> None:
    status = {"kind": "Status", "code": 410, "reason": "Expired", "message": "too old"}
    line = json.dumps({"type": "ERROR", "object": status}).encode()
    with LoopbackServer() as server:
        server.route("GET", PATH, Reply(lines=[event("ADDED", "a", "5"), line]))
        with rest_for(server) as rest, pytest.raises(Gone):
            for _ in watch_events(rest, PATH, {}, dict, resource_version="4", timeout_seconds=5):
                pass


def test_a_resuming_watch_consumes_bookmarks_and_resumes_from_them() -> None:
    # client-go's RetryWatcher: a BOOKMARK moves the resume version, the caller never sees it.
    calls: list[Recorded] = []

    def answer(rec: Recorded) -> Reply:
        calls.append(rec)
        if len(calls) == 1:
            return Reply(lines=[event("ADDED", "a", "5"), event("BOOKMARK", "", "9")])
        return Reply(lines=[event("MODIFIED", "a", "10")])

    with LoopbackServer() as server:
        server.handle("GET", PATH, answer)
        with rest_for(server) as rest:
            watcher = Watcher(rest, PATH, {}, dict, resource_version="4")
            seen = []
            for ev in watcher:
                seen.append(ev)
                if ev.type == "MODIFIED":
                    watcher.stop()
    assert names(seen) == [("ADDED", "a"), ("MODIFIED", "a")]
    assert calls[1].query["resourceVersion"] == ["9"]


def test_a_plain_watch_yields_bookmarks_and_a_resuming_one_the_initial_events_end() -> None:
    end = {"k8s.io/initial-events-end": "true"}
    lines = [
        event("ADDED", "a", "5"),
        event("BOOKMARK", "", "8"),
        event("BOOKMARK", "", "9", **end),
    ]
    with LoopbackServer() as server:
        server.route("GET", PATH, Reply(lines=lines))
        with rest_for(server) as rest:
            plain = list(Watcher(rest, PATH, {}, dict, resource_version="4", resume=False))
            resuming = Watcher(rest, PATH, {}, dict, resource_version="4", timeout_seconds=5)
            first_two = [next(resuming), next(resuming)]
            resuming.stop()
    assert [e.type for e in plain] == ["ADDED", "BOOKMARK", "BOOKMARK"]
    assert [(e.type, e.resource_version) for e in first_two] == [("ADDED", "5"), ("BOOKMARK", "9")]


@pytest.mark.parametrize("bad", [b"not json at all", b'{"type": "ADDED", "object": "text"}'])
def test_a_resuming_watch_resumes_after_an_undecodable_line(bad: bytes) -> None:
    """client-go's StreamWatcher reports an undecodable event as an ERROR event (500) and
    RetryWatcher retries it; the resuming watch raised the decoder's own exception (a
    JSONDecodeError) and ended the caller's loop. It resumes after the last good event;
    the plain watch (what the reflector drives, which relists) still raises."""
    calls: list[Recorded] = []

    def answer(rec: Recorded) -> Reply:
        calls.append(rec)
        if len(calls) == 1:
            return Reply(lines=[event("ADDED", "a", "5"), bad])
        return Reply(lines=[event("ADDED", "b", "6")])

    with LoopbackServer() as server:
        server.handle("GET", PATH, answer)
        with rest_for(server) as rest:
            watcher = Watcher(rest, PATH, {}, dict, resource_version="4", reconnect_delay=0.01)
            seen = []
            for ev in watcher:
                seen.append(ev)
                if len(seen) == 2:
                    watcher.stop()
            plain = Watcher(rest, PATH, {}, dict, resource_version="4", resume=False)
            calls.clear()
            with pytest.raises(ValueError):
                list(plain)
    assert names(seen) == [("ADDED", "a"), ("ADDED", "b")]
    assert [c.query["resourceVersion"] for c in server.requests[:2]] == [["4"], ["5"]]
