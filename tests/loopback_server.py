"""A tiny scripted HTTP(S) server on 127.0.0.1 for testing the REST client over real sockets.

    with LoopbackServer() as server:
        server.route("GET", "/api", Reply(200, {"kind": "APIVersions"}))
        ... server.url ... server.requests ...

Routes map (method, path) to a list of replies consumed in order (the last one
repeats) or to a function of the recorded request.  Unknown routes answer 404.
Every request is logged (method, path, query, headers, body, arrival time, TLS
SNI name and client certificate subject).  The server runs in a daemon thread,
handler sockets time out, and it stops on ``stop()`` / leaving the ``with``
block, or by itself after ``max_lifetime`` seconds.
"""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: The committed test PKI: ``ca.crt``, ``server.crt`` (127.0.0.1, kube.test), ``client.crt``.
CERTS = Path(__file__).resolve().parent / "fixtures" / "kubeconfig" / "certs"


def server_tls_context(*, client_auth: bool = False) -> ssl.SSLContext:
    """A server-side TLS context with the test certificate; ``client_auth`` requires client certs."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERTS / "server.crt", CERTS / "server.key")
    if client_auth:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(CERTS / "ca.crt")
    return ctx


@dataclass
class Reply:
    """A scripted response. ``body`` dicts/lists are sent as JSON.

    ``lines`` makes a chunked streaming response: each line is sent (with a
    newline) and flushed, ``line_delay`` seconds apart.
    """

    status: int = 200
    body: Any = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    lines: list[bytes] | None = None
    line_delay: float = 0.0
    #: Seconds to wait before answering.
    delay: float = 0.0

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


@dataclass
class Recorded:
    method: str
    #: The request target as sent (an absolute URL when we act as a proxy).
    target: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, list[str]]
    body: bytes
    time: float
    client_port: int
    sni: str | None
    peer_subject: str | None

    def header(self, name: str) -> str | None:
        values = self.headers.get(name.lower())
        return values[0] if values else None


def status_body(code: int, reason: str, message: str, **details: Any) -> dict[str, Any]:
    """A ``meta/v1 Status`` failure body."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    return body


Handler = Callable[[Recorded], Reply]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LoopbackServer

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, addr = super().get_request()
        ctx = self.owner.tls
        if ctx is not None:
            # The handshake happens in the handler thread, on first read.
            sock = ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without this, Nagle and the client's
    # delayed ACK hold each response back by about 40 ms (as in kubecore.testing.server).
    disable_nagle_algorithm = True
    timeout = 10
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ssl.SSLError, ConnectionError, TimeoutError, OSError):
            self.close_connection = True

    def _dispatch(self) -> None:
        owner = self.server.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        headers: dict[str, list[str]] = {}
        for key, value in self.headers.items():
            headers.setdefault(key.lower(), []).append(value)
        sni = None
        subject = None
        if isinstance(self.connection, ssl.SSLSocket):
            sni = owner.sni_by_socket.get(id(self.connection))
            cert = self.connection.getpeercert()
            if cert:
                rdns: Any = cert.get("subject", ())
                subject = ",".join(f"{k}={v}" for rdn in rdns for (k, v) in rdn)
        rec = Recorded(
            method=self.command,
            target=self.path,
            path=split.path,
            query=parse_qs(split.query),
            headers=headers,
            body=body,
            time=time.monotonic(),
            client_port=self.client_address[1],
            sni=sni,
            peer_subject=subject,
        )
        owner._record(rec)
        reply = owner._reply_for(rec)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.lines is not None:
            self._stream(reply)
            return
        data = reply.encoded() if self.command != "HEAD" else b""
        self.send_response(reply.status)
        names = {k.lower() for k, _ in reply.headers}
        for key, value in reply.headers:
            self.send_header(key, value)
        if "content-type" not in names:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _stream(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for key, value in reply.headers:
            self.send_header(key, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        assert reply.lines is not None
        try:
            for line in reply.lines:
                chunk = line + b"\n"
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                self.wfile.flush()
                if reply.line_delay:
                    time.sleep(reply.line_delay)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class LoopbackServer:
    """See the module docstring."""

    def __init__(self, tls: ssl.SSLContext | None = None, *, max_lifetime: float = 120.0) -> None:
        self.tls = tls
        self.requests: list[Recorded] = []
        self.sni_by_socket: dict[int, str | None] = {}
        self._routes: dict[tuple[str, str], list[Reply] | Handler] = {}
        self._lock = threading.Lock()
        if tls is not None:
            tls.sni_callback = self._sni
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._watchdog = threading.Timer(max_lifetime, self.stop)
        self._watchdog.daemon = True
        self._stopped = False

    def _sni(self, sock: ssl.SSLObject | ssl.SSLSocket, name: str | None, _: Any) -> None:
        self.sni_by_socket[id(sock)] = name
        return None

    def start(self) -> LoopbackServer:
        self._thread.start()
        self._watchdog.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._watchdog.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self._thread.join(timeout=5)

    # -- scripting -----------------------------------------------------------------

    def route(self, method: str, path: str, *replies: Reply) -> None:
        """Answer ``method path`` with ``replies`` in order; the last one repeats."""
        if not replies:
            raise ValueError("at least one reply")
        with self._lock:
            self._routes[(method.upper(), path)] = list(replies)

    def handle(self, method: str, path: str, fn: Handler) -> None:
        """Answer ``method path`` with ``fn(recorded_request)`` (called in server threads)."""
        with self._lock:
            self._routes[(method.upper(), path)] = fn

    def _record(self, rec: Recorded) -> None:
        with self._lock:
            self.requests.append(rec)

    def _reply_for(self, rec: Recorded) -> Reply:
        with self._lock:
            target = self._routes.get((rec.method, rec.path))
            if isinstance(target, list):
                return target.pop(0) if len(target) > 1 else target[0]
        if target is None:
            return Reply(404, status_body(404, "NotFound", f"{rec.path} not found"))
        return target(rec)

    def requests_to(self, path: str, methods: Iterable[str] | None = None) -> list[Recorded]:
        wanted = {m.upper() for m in methods} if methods else None
        with self._lock:
            return [
                r
                for r in self.requests
                if r.path == path and (wanted is None or r.method in wanted)
            ]
