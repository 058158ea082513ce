"""The test API server's instrumentation: the request log (``server.requests``) and cutting
the watches open now (``server.faults.cut_watches()``), over real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.testing import RecordedRequest, TestApiServer

REPO = Path(__file__).resolve().parents[2]
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
WAIT = 20.0  # seconds: an upper bound, never an expected duration


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as srv:
        yield srv


def test_the_request_log_keeps_request_lines_and_reads_watch_as_the_server_does(
    server: TestApiServer,
) -> None:
    body: dict[str, Any] = {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": "a", "namespace": "default"},
        "spec": {"image": "x"},
    }
    with httpx.Client(base_url=server.url, timeout=WAIT) as c:
        assert c.post(VMS, json=body).status_code == 201
        assert c.get(VMS, params={"limit": "5"}).is_success
        assert c.get(VMS, params={"watch": "True", "timeoutSeconds": "1"}).is_success
        assert c.get(VMS, params={"watch": "0"}).is_success  # a list: "0" is false
    assert server.requests.entries() == [
        RecordedRequest("POST", VMS, {}),
        RecordedRequest("GET", VMS, {"limit": "5"}),
        RecordedRequest("GET", VMS, {"watch": "True", "timeoutSeconds": "1"}),
        RecordedRequest("GET", VMS, {"watch": "0"}),
    ]
    assert [r.is_watch for r in server.requests.entries()] == [False, False, True, False]
    server.requests.clear()
    assert len(server.requests) == 0


def test_cut_watches_drops_the_open_watches_only(server: TestApiServer) -> None:
    assert server.faults.cut_watches() == 0  # nothing open
    outcome: list[str] = []

    def watch() -> None:
        params = {"watch": "true", "timeoutSeconds": "15"}
        try:
            with httpx.stream("GET", server.url + VMS, params=params, timeout=WAIT) as r:
                for _ in r.iter_lines():
                    pass
            outcome.append("ended")
        except httpx.HTTPError as err:
            outcome.append(type(err).__name__)

    reader = threading.Thread(target=watch)
    reader.start()
    deadline = time.monotonic() + WAIT
    while server.faults.cut_watches(path_prefix=VMS) == 0:  # once the stream is served
        assert time.monotonic() < deadline
        time.sleep(0.02)
    reader.join(WAIT)
    assert not reader.is_alive()
    assert outcome == ["RemoteProtocolError"]  # cut: no final chunk, as a dropped connection
    assert server.faults.fired == [("cut_watch", "GET", VMS)]
    # A watch opened afterwards is not affected: it runs to its own timeout.
    with httpx.stream(
        "GET", server.url + VMS, params={"watch": "true", "timeoutSeconds": "1"}, timeout=WAIT
    ) as r:
        assert r.status_code == 200
        list(r.iter_lines())  # read to the server's final chunk without an error
    assert len(server.faults.fired) == 1
