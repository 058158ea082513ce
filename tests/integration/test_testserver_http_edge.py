"""The test API server's HTTP edge answers bad requests as kube-apiserver does (issue #9 §5).

Raw sockets on loopback: malformed request lines and headers, bad query parameters, bad or
slow bodies, oversized bodies, hundreds of watchers and watchers that go away. No timing
is asserted; every wait has a cap of a few seconds.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kubecore.testing import TestApiServer
from kubecore.testing.httpio import MAX_REQUEST_BODY_BYTES, Limits

REPO = Path(__file__).resolve().parents[2]
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"

# short limits so that slow-client tests end in about a second
FAST = Limits(read_header_timeout=0.5, request_timeout=0.5, idle_timeout=5.0, write_timeout=5.0)


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD], limits=FAST) as api:
        yield api


def _address(server: TestApiServer) -> tuple[str, int]:
    host, port = server.url.split("//", 1)[1].split(":")
    return host, int(port)


def _read_all(sock: socket.socket, cap: float = 10.0) -> bytes:
    """Everything until the server closes (or ``cap`` seconds pass: then the test fails)."""
    sock.settimeout(cap)
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def _exchange(server: TestApiServer, raw: bytes) -> tuple[int, dict[str, str], Any]:
    """Send raw bytes, read the one answer until the server closes: (code, headers, JSON)."""
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(raw)
        data = _read_all(sock)
    return _parse(data)


def _parse(data: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    code = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines[1:])}
    length = int(headers.get("content-length", len(body)))
    return code, headers, json.loads(body[:length])


def _request(method: str, path: str, *headers: str, body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _assert_status(body: Any, code: int, reason: str | None) -> None:
    assert body["kind"] == "Status" and body["apiVersion"] == "v1"
    assert body["status"] == "Failure" and body["code"] == code
    assert body.get("reason") == reason
    assert isinstance(body["message"], str) and body["message"]


# -- 1. query parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=abc", 'strconv.ParseInt: parsing "abc": invalid syntax'),
        ("limit=1.5", 'strconv.ParseInt: parsing "1.5": invalid syntax'),
        ("limit=%201", 'strconv.ParseInt: parsing " 1": invalid syntax'),
        (
            "limit=99999999999999999999",
            'strconv.ParseInt: parsing "99999999999999999999": ' "value out of range",
        ),
        ("watch=1&timeoutSeconds=abc", 'strconv.ParseInt: parsing "abc": invalid syntax'),
        ("watch=true&timeoutSeconds=inf", 'strconv.ParseInt: parsing "inf": invalid syntax'),
    ],
)
def test_bad_integer_query_parameter_is_400(
    server: TestApiServer, query: str, message: str
) -> None:
    code, headers, body = _exchange(server, _request("GET", f"{VMS}?{query}"))
    assert code == 400 and headers["content-type"] == "application/json"
    _assert_status(body, 400, "BadRequest")
    assert body["message"] == message


def test_good_integer_query_parameters_still_work(server: TestApiServer) -> None:
    code, _, body = _exchange(server, _request("GET", f"{VMS}?limit=%2B5"))
    assert code == 200 and body["kind"] == "VirtualMachineList"
    code, _, _ = _exchange(server, _request("GET", f"{VMS}?watch=false&limit=0"))
    assert code == 200


# -- 2. every error is a Status -------------------------------------------------------------


def test_garbage_request_line_is_a_400_status(server: TestApiServer) -> None:
    code, _, body = _exchange(server, b"GARBAGE\r\n\r\n")
    assert code == 400
    _assert_status(body, 400, "BadRequest")
    code, _, body = _exchange(server, b"GET / HTTP/9.9 extra\r\n\r\n")
    assert code == 400
    _assert_status(body, 400, "BadRequest")


def test_long_url_is_a_414_status(server: TestApiServer) -> None:
    code, headers, body = _exchange(server, _request("GET", "/api/" + "a" * 70_000))
    assert code == 414 and headers["content-type"] == "application/json"
    _assert_status(body, 414, None)


def test_many_headers_is_a_431_status(server: TestApiServer) -> None:
    many = [f"X-Header-{i}: v" for i in range(150)]
    code, headers, body = _exchange(server, _request("GET", VMS, *many))
    assert code == 431 and headers["content-type"] == "application/json"
    _assert_status(body, 431, None)


def test_unknown_path_and_method_are_statuses(server: TestApiServer) -> None:
    code, _, body = _exchange(server, _request("GET", "/no/such/thing"))
    assert code == 404
    _assert_status(body, 404, "NotFound")
    code, _, body = _exchange(server, _request("FROB", VMS))
    assert code == 405
    _assert_status(body, 405, "MethodNotAllowed")
    code, _, body = _exchange(server, _request("PUT", VMS, "Content-Length: 2", body=b"{}"))
    assert code == 405
    _assert_status(body, 405, "MethodNotAllowed")


# -- 3. request bodies that are malformed, short or slow --------------------------------------


def _vm_body(name: str) -> bytes:
    return json.dumps(
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachine",
            "metadata": {"name": name},
            "spec": {"image": "centos"},
        }
    ).encode()


def _stored(server: TestApiServer, name: str) -> bool:
    code, _, _ = _exchange(server, _request("GET", f"{VMS}/{name}"))
    return code == 200


@pytest.mark.parametrize("length", ["abc", "-1", "+5", "1e3", "0x10", " "])
def test_bad_content_length_is_400_without_traceback(
    server: TestApiServer, length: str, capfd: pytest.CaptureFixture[str]
) -> None:
    raw = _request("POST", VMS, "Content-Type: application/json", f"Content-Length: {length}")
    code, _, body = _exchange(server, raw + _vm_body("cl"))
    assert code == 400
    _assert_status(body, 400, "BadRequest")
    assert "Content-Length" in body["message"]
    assert "Traceback" not in capfd.readouterr().err
    assert not _stored(server, "cl")


def test_short_body_then_close_is_400(server: TestApiServer) -> None:
    data = _vm_body("short")
    raw = _request("POST", VMS, "Content-Type: application/json", f"Content-Length: {len(data)}")
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(raw + data[:10])
        sock.shutdown(socket.SHUT_WR)  # the client is done: the body ended early
        code, _, body = _parse(_read_all(sock))
    assert code == 400
    _assert_status(body, 400, "BadRequest")
    assert "unexpected EOF" in body["message"]
    assert not _stored(server, "short")


def test_short_body_that_stalls_is_400_after_the_request_timeout(server: TestApiServer) -> None:
    data = _vm_body("stall")
    raw = _request("POST", VMS, "Content-Type: application/json", f"Content-Length: {len(data)}")
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(raw + data[:10])  # ... and nothing more, the connection kept open
        code, _, body = _parse(_read_all(sock))
    assert code == 400
    _assert_status(body, 400, "BadRequest")
    assert "did not arrive in time" in body["message"]
    assert not _stored(server, "stall")


def _handler_threads() -> set[threading.Thread]:
    """The server's connection threads now alive (of every server in this process)."""
    return {t for t in threading.enumerate() if "process_request" in t.name}


def _new_threads(before: set[threading.Thread]) -> set[threading.Thread]:
    """Connection threads started since ``before`` was taken (once at least one is there)."""
    started: set[threading.Thread] = set()
    assert _wait_for(lambda: bool(started.update(_handler_threads() - before) or started))
    return started


def _all_ended(threads: set[threading.Thread], cap: float = 10.0) -> bool:
    return _wait_for(lambda: not any(t.is_alive() for t in threads), cap=cap)


def _wait_for(predicate: Any, cap: float = 10.0) -> bool:
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return bool(predicate())


def test_slowloris_headers_are_cut_off(server: TestApiServer) -> None:
    """A client that drips its headers one byte at a time loses its connection."""
    before = _handler_threads()
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(b"GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        mine = _new_threads(before)
        closed = False
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                sock.sendall(b"X")
                sock.settimeout(0.1)
                if sock.recv(1024) == b"":
                    closed = True
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        assert closed, "the server kept a dripping client's connection for 10 s"
    assert _all_ended(mine)


def test_idle_connection_before_any_byte_is_closed() -> None:
    limits = Limits(read_header_timeout=0.3, request_timeout=0.3, idle_timeout=0.3)
    with TestApiServer([CRD], limits=limits) as api:
        with socket.create_connection(_address(api), timeout=10) as sock:
            assert _read_all(sock) == b""  # closed by the server, nothing sent


def test_keep_alive_connection_serves_several_requests(server: TestApiServer) -> None:
    with socket.create_connection(_address(server), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(b"GET /version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            data = b""
            while b"\r\n\r\n" not in data:
                data += sock.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            while len(body) < length:
                body += sock.recv(65536)
            assert head.startswith(b"HTTP/1.1 200") and json.loads(body)["major"] == "1"


def test_chunked_request_body_is_read(server: TestApiServer) -> None:
    data = _vm_body("chunked")
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (data[:7], data[7:]))
    raw = _request(
        "POST",
        VMS,
        "Content-Type: application/json",
        "Transfer-Encoding: chunked",
        body=chunks + b"0\r\n\r\n",
    )
    code, _, body = _exchange(server, raw)
    assert code == 201 and body["metadata"]["name"] == "chunked"


# -- 4. body size limit -----------------------------------------------------------------------


def test_body_over_3_mib_is_413_and_not_stored(server: TestApiServer) -> None:
    obj = json.loads(_vm_body("huge"))
    obj["spec"]["padding"] = "x" * (MAX_REQUEST_BODY_BYTES + 1)
    data = json.dumps(obj).encode()
    raw = _request("POST", VMS, "Content-Type: application/json", f"Content-Length: {len(data)}")
    with socket.create_connection(_address(server), timeout=10) as sock:
        sender = threading.Thread(target=_send_quietly, args=(sock, raw + data), daemon=True)
        sender.start()
        code, _, body = _parse(_read_all(sock))
        sender.join(10)
    assert code == 413
    _assert_status(body, 413, "RequestEntityTooLarge")
    assert body["message"] == f"Request entity too large: limit is {MAX_REQUEST_BODY_BYTES}"
    assert not _stored(server, "huge")


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except OSError:
        pass  # the server may stop reading once it has answered


def test_chunked_body_over_the_limit_is_413(server: TestApiServer) -> None:
    part = b"x" * (1024 * 1024)
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for _ in range(4)) + b"0\r\n\r\n"
    raw = _request("POST", VMS, "Content-Type: application/json", "Transfer-Encoding: chunked")
    with socket.create_connection(_address(server), timeout=10) as sock:
        sender = threading.Thread(target=_send_quietly, args=(sock, raw + chunks), daemon=True)
        sender.start()
        code, _, body = _parse(_read_all(sock))
        sender.join(10)
    assert code == 413
    _assert_status(body, 413, "RequestEntityTooLarge")


def test_body_under_the_limit_is_accepted(server: TestApiServer) -> None:
    obj = json.loads(_vm_body("big"))
    obj["spec"]["image"] = "x" * (2 * 1024 * 1024)  # a declared field: unknown ones are pruned
    data = json.dumps(obj).encode()
    raw = _request("POST", VMS, "Content-Type: application/json", f"Content-Length: {len(data)}")
    code, _, body = _exchange(server, raw + data)
    assert code == 201 and len(body["spec"]["image"]) == 2 * 1024 * 1024


# -- 7. hundreds of watchers, and watchers that go away ---------------------------------------


def _open_watch(server: TestApiServer, timeout_seconds: int = 30) -> socket.socket:
    sock = socket.create_connection(_address(server), timeout=10)
    sock.sendall(
        f"GET {VMS}?watch=true&timeoutSeconds={timeout_seconds} HTTP/1.1\r\n"
        "Host: 127.0.0.1\r\n\r\n".encode()
    )
    return sock


def _read_until(sock: socket.socket, marker: bytes, seen: bytes = b"") -> bytes:
    data = seen
    while marker not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"connection closed before {marker!r}; got {data[:200]!r}")
        data += chunk
    return data


def test_200_concurrent_watchers_all_get_the_event() -> None:
    with TestApiServer([CRD]) as api:
        before = _handler_threads()
        socks: list[socket.socket] = []
        try:
            for _ in range(200):
                socks.append(_open_watch(api))
            heads = [_read_until(sock, b"\r\n\r\n") for sock in socks]
            assert all(head.startswith(b"HTTP/1.1 200") for head in heads)
            watchers = _handler_threads() - before
            assert len(watchers) == 200
            code, _, _ = _exchange(
                api,
                _request(
                    "POST",
                    VMS,
                    "Content-Type: application/json",
                    f"Content-Length: {len(_vm_body('broadcast'))}",
                    body=_vm_body("broadcast"),
                ),
            )
            assert code == 201
            for sock, head in zip(socks, heads, strict=True):
                data = _read_until(sock, b'"broadcast"', head)
                assert b'"type":"ADDED"' in data
        finally:
            for sock in socks:
                sock.close()
        assert _all_ended(watchers, cap=15.0)


def test_closed_watcher_frees_its_thread() -> None:
    with TestApiServer([CRD]) as api:
        before = _handler_threads()
        sock = _open_watch(api, timeout_seconds=1800)
        _read_until(sock, b"\r\n\r\n")
        mine = _new_threads(before)
        sock.close()
        # no event ever comes: the thread must notice the client left on its own
        assert _all_ended(mine)


def test_half_closed_watcher_frees_its_thread() -> None:
    with TestApiServer([CRD]) as api:
        before = _handler_threads()
        sock = _open_watch(api, timeout_seconds=1800)
        _read_until(sock, b"\r\n\r\n")
        mine = _new_threads(before)
        sock.shutdown(socket.SHUT_WR)
        try:
            assert _all_ended(mine)
        finally:
            sock.close()


def test_closed_tls_watcher_frees_its_thread() -> None:
    certs = REPO / "tests" / "fixtures" / "kubeconfig" / "certs"
    api = TestApiServer(
        [CRD],
        tls=True,
        tls_cert=certs / "server.crt",
        tls_key=certs / "server.key",
        tls_ca=certs / "ca.crt",
    )
    with api:
        before = _handler_threads()
        context = ssl.create_default_context(cafile=str(certs / "ca.crt"))
        raw = socket.create_connection(_address(api), timeout=10)
        sock = context.wrap_socket(raw, server_hostname="127.0.0.1")
        sock.sendall(f"GET {VMS}?watch=true HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        _read_until(sock, b"\r\n\r\n")
        mine = _new_threads(before)
        sock.close()
        assert _all_ended(mine)


def test_closed_log_follower_frees_its_thread() -> None:
    swagger = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    with TestApiServer([swagger]) as api:
        api.preload([pod])
        api.tracker.set_logs("default", "p", "first line\n")
        before = _handler_threads()
        sock = socket.create_connection(_address(api), timeout=10)
        sock.sendall(
            b"GET /api/v1/namespaces/default/pods/p/log?follow=true HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\n\r\n"
        )
        _read_until(sock, b"first line")
        mine = _new_threads(before)
        sock.close()
        assert _all_ended(mine)


# -- found by QA: header lines and boolean parameters as Go / apimachinery read them --------------


@pytest.mark.parametrize("line", ["Bad Header", "Content-Length : 2", "X-\x01: y"])
def test_malformed_header_line_is_a_400_status(server: TestApiServer, line: str) -> None:
    """The standard library would drop the bad line and every header after it."""
    raw = f"GET {VMS} HTTP/1.1\r\nHost: 127.0.0.1\r\n{line}\r\nConnection: close\r\n\r\n"
    code, headers, body = _exchange(server, raw.encode())
    assert code == 400
    assert headers.get("connection") == "close"
    _assert_status(body, 400, "BadRequest")
    assert "malformed MIME header line" in body["message"]


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", ""])
def test_watch_flag_reads_any_value_but_false_and_0_as_true(
    server: TestApiServer, value: str
) -> None:
    """apimachinery's Convert_Slice_string_To_bool: Python clients send ``watch=True``."""
    query = f"watch={value}&allowWatchBookmarks={value}&timeoutSeconds=1"
    with socket.create_connection(_address(server), timeout=10) as sock:
        sock.sendall(_request("GET", f"{VMS}?{query}"))
        data = _read_all(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    assert b" 200 " in head.split(b"\r\n")[0]
    assert b"chunked" in head.lower()  # a watch stream, not a list
    assert b'"kind":"VirtualMachineList"' not in body


@pytest.mark.parametrize("value", ["false", "False", "FALSE", "0"])
def test_watch_flag_false_and_0_list(server: TestApiServer, value: str) -> None:
    code, _, body = _exchange(server, _request("GET", f"{VMS}?watch={value}"))
    assert code == 200 and body["kind"] == "VirtualMachineList"
