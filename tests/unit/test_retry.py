"""retry_on_conflict / Backoff: client-go's util/retry semantics, and a real concurrent writer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kubecore.client.config import Config
from kubecore.client.errors import AlreadyExists, Conflict, NotFound
from kubecore.client.rest import NO_RETRY, RESTClient
from kubecore.client.retry import (
    DEFAULT_BACKOFF,
    DEFAULT_RETRY,
    Backoff,
    on_error,
    retry_on_conflict,
)
from tests.loopback_server import LoopbackServer, Recorded, Reply, status_body


def test_defaults_match_client_go() -> None:
    assert DEFAULT_RETRY == Backoff(steps=5, duration=0.010, factor=1.0, jitter=0.1)
    assert DEFAULT_BACKOFF == Backoff(steps=4, duration=0.010, factor=5.0, jitter=0.1)


def test_backoff_delays() -> None:
    assert list(Backoff(duration=1.0, factor=2.0, steps=4).delays()) == [1.0, 2.0, 4.0]
    assert list(DEFAULT_BACKOFF.delays(rand=lambda: 0.0)) == pytest.approx([0.01, 0.05, 0.25])
    assert list(DEFAULT_RETRY.delays(rand=lambda: 1.0)) == pytest.approx([0.011] * 4)
    # Reaching the cap ends the sequence (client-go sets Steps to 0).
    assert list(Backoff(duration=1.0, factor=3.0, steps=10, cap=5.0).delays()) == [1.0, 3.0]
    with pytest.raises(ValueError):
        Backoff(duration=0.1, steps=0)


def test_retries_until_success() -> None:
    calls: list[int] = []
    sleeps: list[float] = []

    def fn() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise Conflict("stale")
        return "done"

    assert retry_on_conflict(fn, sleep=sleeps.append) == "done"
    assert len(calls) == 3
    assert len(sleeps) == 2
    assert all(0.010 <= s <= 0.011 for s in sleeps)


def test_exhausted_reraises_last_conflict() -> None:
    calls: list[int] = []
    sleeps: list[float] = []

    def fn() -> None:
        calls.append(1)
        raise Conflict(f"stale {len(calls)}")

    with pytest.raises(Conflict, match="stale 5"):
        retry_on_conflict(fn, sleep=sleeps.append)
    assert len(calls) == 5  # Steps
    assert len(sleeps) == 4


@pytest.mark.parametrize("exc", [NotFound("x"), AlreadyExists("x"), ValueError("x")])
def test_other_errors_propagate_immediately(exc: Exception) -> None:
    calls: list[int] = []

    def fn() -> None:
        calls.append(1)
        raise exc

    with pytest.raises(type(exc)):
        retry_on_conflict(fn, sleep=lambda _: None)
    assert len(calls) == 1


def test_on_error_predicate() -> None:
    calls: list[int] = []

    def fn() -> int:
        calls.append(1)
        if len(calls) < 4:
            raise NotFound("not yet")
        return 42

    result = on_error(DEFAULT_BACKOFF, lambda e: isinstance(e, NotFound), fn, sleep=lambda _: None)
    assert result == 42
    assert len(calls) == 4


# --- a versioned resource on a real server ----------------------------------------------

PATH = "/apis/example.com/v1/namespaces/default/counters/c1"


class VersionedStore:
    """GET returns the object; PUT succeeds only with the current resourceVersion."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.version = 1
        self.value = 0
        self.conflicts = 0

    def obj(self) -> dict[str, Any]:
        return {
            "apiVersion": "example.com/v1",
            "kind": "Counter",
            "metadata": {"name": "c1", "resourceVersion": str(self.version)},
            "spec": {"value": self.value},
        }

    def get(self, _: Recorded) -> Reply:
        with self.lock:
            return Reply(200, self.obj())

    def put(self, req: Recorded) -> Reply:
        body = json.loads(req.body)
        with self.lock:
            if body["metadata"]["resourceVersion"] != str(self.version):
                self.conflicts += 1
                return Reply(
                    409,
                    status_body(
                        409,
                        "Conflict",
                        'Operation cannot be fulfilled on counters "c1": the object has '
                        "been modified; please apply your changes to the latest version "
                        "and try again",
                        name="c1",
                        kind="counters",
                    ),
                )
            self.version += 1
            self.value = body["spec"]["value"]
            return Reply(200, self.obj())


@pytest.fixture
def store_server() -> Iterator[tuple[LoopbackServer, VersionedStore]]:
    store = VersionedStore()
    with LoopbackServer() as srv:
        srv.handle("GET", PATH, store.get)
        srv.handle("PUT", PATH, store.put)
        yield srv, store


def _increment(client: RESTClient, before_put: Any = None) -> dict[str, Any]:
    obj = client.get_json(PATH)
    obj["spec"]["value"] += 1
    if before_put is not None:
        before_put()
    result: dict[str, Any] = client.request_json("PUT", PATH, body=obj)
    return result


def test_wins_against_concurrent_writer(
    store_server: tuple[LoopbackServer, VersionedStore],
) -> None:
    server, store = store_server
    cfg = Config(host=server.url)
    attempts: list[int] = []
    with RESTClient(cfg, retry=NO_RETRY) as ours, RESTClient(cfg, retry=NO_RETRY) as theirs:
        writer_done = threading.Event()

        def concurrent_writer() -> None:
            _increment(theirs)
            writer_done.set()

        def interleave() -> None:
            # On our first attempt, another client updates the object between
            # our read and our write, so our write is stale.
            if not attempts:
                t = threading.Thread(target=concurrent_writer)
                t.start()
                assert writer_done.wait(10)
                t.join(10)
            attempts.append(1)

        result = retry_on_conflict(lambda: _increment(ours, interleave))

    assert len(attempts) == 2
    assert store.conflicts == 1
    assert store.value == 2  # both increments survived
    assert result["spec"]["value"] == 2


def test_two_threads_hammering(store_server: tuple[LoopbackServer, VersionedStore]) -> None:
    server, store = store_server
    cfg = Config(host=server.url)
    per_thread = 15
    patient = Backoff(duration=0.002, factor=1.0, jitter=1.0, steps=200)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with RESTClient(cfg, retry=NO_RETRY) as client:
                for _ in range(per_thread):
                    retry_on_conflict(lambda: _increment(client), patient)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert store.value == 2 * per_thread  # no lost update


def test_stale_update_without_retry_raises_conflict(
    store_server: tuple[LoopbackServer, VersionedStore],
) -> None:
    server, store = store_server
    with RESTClient(Config(host=server.url), retry=NO_RETRY) as client:
        stale = client.get_json(PATH)
        _increment(client)
        stale["spec"]["value"] = 100
        with pytest.raises(Conflict) as info:
            client.request_json("PUT", PATH, body=stale)
    assert "has been modified" in info.value.message
    assert store.value == 1
