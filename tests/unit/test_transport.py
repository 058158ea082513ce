"""The REST core's HTTP transport over real sockets: dropped keep-alive connections, gzip,
HTTPS through an HTTP CONNECT proxy, SOCKS5 proxies, environment proxies."""

from __future__ import annotations

import gzip
import json
import select
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from kubecore.client.config import Config
from kubecore.client.rest import NO_RETRY, RESTClient
from kubecore.client.transport import ConnectTimeout, ReadError, ReadTimeout, Transport
from tests.loopback_server import CERTS, LoopbackServer, Reply, server_tls_context

OK = Reply(200, {"ok": True})


# --- small raw servers ---------------------------------------------------------------------


class RawServer:
    """Accepts connections on 127.0.0.1 and hands each socket to ``serve`` in a thread."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        self._serve = serve
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self.seen: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._run, args=(sock,), daemon=True).start()

    def _run(self, sock: socket.socket) -> None:
        with sock:
            sock.settimeout(10)
            try:
                self._serve(sock)
            except OSError:
                pass

    def close(self) -> None:
        self._listener.close()


def _read_head(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        part = sock.recv(4096)
        if not part:
            return b""
        data += part
    return data


def _answer(sock: socket.socket, body: bytes = b'{"ok": true}') -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))


def _relay(a: socket.socket, b: socket.socket) -> None:
    def pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    t = threading.Thread(target=pump, args=(b, a), daemon=True)
    t.start()
    pump(a, b)
    t.join(5)


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        srv.route("GET", "/version", OK)
        yield srv


# --- keep-alive connections the server dropped --------------------------------------------


def test_idle_connection_closed_by_server_is_replaced() -> None:
    def one_answer_then_close(sock: socket.socket) -> None:
        if _read_head(sock):
            _answer(sock)

    raw = RawServer(one_answer_then_close)
    try:
        with RESTClient(Config(host=f"http://127.0.0.1:{raw.port}"), retry=NO_RETRY) as client:
            for _ in range(3):
                assert client.get_json("/version") == {"ok": True}
        assert raw.connections == 3
    finally:
        raw.close()


def _second_request_unanswered(sock: socket.socket) -> None:
    if _read_head(sock):
        _answer(sock)
    _read_head(sock)  # the next request on this connection is read, then dropped


def test_connection_dropped_before_answer_replays_only_safe_verbs() -> None:
    raw = RawServer(_second_request_unanswered)
    try:
        with RESTClient(Config(host=f"http://127.0.0.1:{raw.port}"), retry=NO_RETRY) as client:
            client.request("GET", "/version")
            assert client.get_json("/version") == {"ok": True}  # replayed on a new connection
            assert raw.connections == 2
            with pytest.raises(ReadError, match="POST failed"):
                client.request("POST", "/api/v1/namespaces", body={})
    finally:
        raw.close()


# --- compression ------------------------------------------------------------------------


def test_gzip_responses_are_decompressed(server: LoopbackServer) -> None:
    body = json.dumps({"items": ["x" * 50] * 200}).encode()
    zipped = Reply(200, gzip.compress(body), [("Content-Encoding", "gzip")])
    server.route("GET", "/big", zipped)
    lines = [b'{"n": %d}' % i for i in range(50)]
    server.route(
        "GET",
        "/stream",
        Reply(200, gzip.compress(b"\n".join(lines) + b"\n"), [("Content-Encoding", "gzip")]),
    )
    with RESTClient(Config(host=server.url), retry=NO_RETRY) as client:
        assert client.request("GET", "/big") == body
        with client.stream_lines("/stream") as stream:
            assert list(stream) == lines
    assert server.requests[0].header("Accept-Encoding") == "gzip"


def test_disable_compression(server: LoopbackServer) -> None:
    cfg = Config(host=server.url, disable_compression=True)
    with RESTClient(cfg, retry=NO_RETRY) as client:
        client.request("GET", "/version")
    assert server.requests[0].header("Accept-Encoding") == "identity"


# --- proxies ----------------------------------------------------------------------------


def test_https_through_http_connect_proxy() -> None:
    tunnels: list[bytes] = []

    def connect_proxy(sock: socket.socket) -> None:
        head = _read_head(sock)
        tunnels.append(head)
        target = head.split(b" ")[1].decode()
        host, port = target.rsplit(":", 1)
        upstream = socket.create_connection((host, int(port)))
        sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        _relay(sock, upstream)

    proxy = RawServer(connect_proxy)
    try:
        with LoopbackServer(server_tls_context()) as api:
            api.route("GET", "/version", OK)
            cfg = Config(
                host=api.url,
                ca_data=(CERTS / "ca.crt").read_bytes(),
                token="secret-token",
                proxy_url=f"http://user:p%40ss@127.0.0.1:{proxy.port}",
            )
            with RESTClient(cfg, retry=NO_RETRY) as client:
                assert client.get_json("/version") == {"ok": True}
            assert api.requests[0].header("Authorization") == "Bearer secret-token"
        assert len(tunnels) == 1
        head = tunnels[0].decode()
        assert head.startswith(f"CONNECT 127.0.0.1:{api.url.rsplit(':', 1)[1]} HTTP/1.")
        assert "Proxy-Authorization: Basic dXNlcjpwQHNz" in head  # user:p@ss
        assert "secret-token" not in head  # the bearer token only travels inside the tunnel
    finally:
        proxy.close()


@pytest.mark.parametrize("scheme", ["socks5", "socks5h"])
def test_socks5_proxy_with_credentials(server: LoopbackServer, scheme: str) -> None:
    handshakes: list[tuple[bytes, bytes]] = []

    def socks(sock: socket.socket) -> None:
        greeting = sock.recv(3)
        sock.sendall(b"\x05\x02")
        auth = sock.recv(512)
        sock.sendall(b"\x01\x00")
        request = sock.recv(512)
        handshakes.append((greeting + auth, request))
        port = int.from_bytes(request[-2:], "big")
        upstream = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + request[-2:])
        _relay(sock, upstream)

    proxy = RawServer(socks)
    try:
        port = server.url.rsplit(":", 1)[1]
        cfg = Config(
            host=f"http://localhost:{port}", proxy_url=f"{scheme}://u:pw@127.0.0.1:{proxy.port}"
        )
        with RESTClient(cfg, retry=NO_RETRY) as client:
            assert client.get_json("/version") == {"ok": True}
    finally:
        proxy.close()
    ((hello, request),) = handshakes
    assert hello == b"\x05\x01\x02" + b"\x01\x01u\x02pw"
    if scheme == "socks5h":  # the proxy resolves the name
        assert request[3:5] == b"\x03\x09" and request[5:14] == b"localhost"
    else:
        assert request[3] in (1, 4)  # an address we resolved


def test_environment_proxy_is_used_except_for_loopback(
    server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    server.route("GET", "/api", OK)
    with RESTClient(Config(host="http://kube.invalid:6443"), retry=NO_RETRY) as client:
        client.request("GET", "/api")
    assert server.requests[-1].target == "http://kube.invalid:6443/api"
    monkeypatch.setenv("NO_PROXY", "kube.invalid")
    with RESTClient(Config(host="http://kube.invalid:6443"), retry=NO_RETRY) as client:
        with pytest.raises(Exception, match="kube.invalid"):
            client.request("GET", "/api")
    # A loopback API server never goes through the environment's proxy.
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    with RESTClient(Config(host=server.url), retry=NO_RETRY) as client:
        client.request("GET", "/version")


def test_https_proxy_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="https:// proxies are not supported"):
        Transport("https://kube.test:6443", proxy_url="https://proxy.test:3128")


# --- timeouts: a peer that accepts and never answers --------------------------------------

#: Generous upper bound (seconds) for a call that must fail at a sub-second timeout; only
#: there so that a regression fails the test instead of hanging the run.
_HANG = 15.0


def _silent(sock: socket.socket) -> None:
    """Accept, read what comes, never answer (until the client gives up)."""
    try:
        while sock.recv(4096):
            pass
    except OSError:
        pass


def _outcome(call: Callable[[], object]) -> BaseException:
    """The exception ``call`` raised, run in a thread bounded by ``_HANG``."""
    caught: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            caught.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(_HANG)
    assert not thread.is_alive(), "the request hung"
    assert caught, "the request succeeded"
    return caught[0]


@pytest.fixture
def silent() -> Iterator[RawServer]:
    raw = RawServer(_silent)
    yield raw
    raw.close()


def test_a_silent_tls_server_fails_the_handshake_timeout(silent: RawServer) -> None:
    transport = Transport(f"https://127.0.0.1:{silent.port}", tls_handshake_timeout=0.2)
    err = _outcome(lambda: transport.send("GET", "/version", []))
    assert isinstance(err, ConnectTimeout)
    assert str(err) == f"the TLS handshake with 127.0.0.1:{silent.port} timed out after 0.2 s"


def test_a_silent_http_proxy_fails_the_connect_timeout(silent: RawServer) -> None:
    transport = Transport(
        "https://kube.test:6443",
        proxy_url=f"http://127.0.0.1:{silent.port}",
        proxy_connect_timeout=0.2,
    )
    err = _outcome(lambda: transport.send("GET", "/version", []))
    assert isinstance(err, ConnectTimeout)
    assert str(err) == "the proxy CONNECT to kube.test:6443 timed out after 0.2 s"


def test_a_silent_socks_proxy_fails_the_dial_timeout(silent: RawServer) -> None:
    transport = Transport(
        "http://kube.test:6443", proxy_url=f"socks5h://127.0.0.1:{silent.port}", dial_timeout=0.2
    )
    err = _outcome(lambda: transport.send("GET", "/version", []))
    assert isinstance(err, ConnectTimeout)
    assert "through the SOCKS5 proxy timed out after 0.2 s" in str(err)


def test_a_dial_that_is_never_accepted_fails_the_dial_timeout() -> None:
    # A listener whose accept queue is full: the kernel drops further SYNs, so a connect
    # stays pending, as to an unreachable address.
    listener = socket.create_server(("127.0.0.1", 0), backlog=0)
    port = listener.getsockname()[1]
    queued = []
    try:
        for _ in range(8):  # fill the queue until a connect stays pending
            probe = socket.socket()
            probe.setblocking(False)
            queued.append(probe)
            probe.connect_ex(("127.0.0.1", port))
            _, writable, _ = select.select([], [probe], [], 0.2)
            if not writable:
                break
        else:
            pytest.skip("this kernel completes connects past a full accept queue")
        transport = Transport(f"http://127.0.0.1:{port}", dial_timeout=0.2)
        err = _outcome(lambda: transport.send("GET", "/version", []))
    finally:
        for probe in queued:
            probe.close()
        listener.close()
    assert isinstance(err, ConnectTimeout)
    assert str(err) == f"connecting to 127.0.0.1:{port} timed out after 0.2 s"


def test_the_overall_timeout_bounds_every_phase_and_the_answer(silent: RawServer) -> None:
    # rest.Config.Timeout (http.Client.Timeout): the TLS handshake gets what is left of it.
    tls = Transport(f"https://127.0.0.1:{silent.port}", timeout=0.2)
    err = _outcome(lambda: tls.send("GET", "/version", []))
    assert isinstance(err, ConnectTimeout) and "TLS handshake" in str(err)
    # Connected in plain HTTP, the request sent, no answer: a ReadTimeout naming the bound.
    cfg = Config(host=f"http://127.0.0.1:{silent.port}", timeout=0.2)
    with RESTClient(cfg, retry=NO_RETRY) as client:
        err = _outcome(lambda: client.request("GET", "/version"))
        assert isinstance(err, ReadTimeout)
        assert (
            str(err) == f"GET got no answer from 127.0.0.1:{silent.port} within the 0.2 s timeout"
        )
    # The per-request timeout where there is no configured one.
    with RESTClient(Config(host=f"http://127.0.0.1:{silent.port}"), retry=NO_RETRY) as client:
        err = _outcome(lambda: client.request("GET", "/version", timeout=0.2))
        assert isinstance(err, ReadTimeout)


def test_the_body_read_is_within_the_overall_timeout() -> None:
    def headers_then_nothing(sock: socket.socket) -> None:
        if _read_head(sock):
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
            _silent(sock)

    raw = RawServer(headers_then_nothing)
    try:
        transport = Transport(f"http://127.0.0.1:{raw.port}", timeout=0.3)
        response = transport.send("GET", "/version", [])
        err = _outcome(response.read)
        assert isinstance(err, ReadTimeout)
    finally:
        raw.close()
