"""HTTP/1.1 to one API server: a small connection pool over the standard library's ``http.client``.

Why not httpx (which the REST core used first): on loopback, httpx adds about 0.38 ms to
every request and ``urllib3`` / ``httpcore`` about 0.15 ms, while the API server answers a
GET of a ConfigMap in about 0.3 ms; ``http.client`` adds almost nothing. The measurements
are in ``docs/benchmarks.md`` (f). This module is the only place that knows the transport;
``RESTClient`` builds requests, authenticates, retries and decodes on top of it.

* Connections are kept alive and reused, newest first; one found closed by the server while
  it sat idle is dropped before it is used, and a request that meets a connection the server
  closed before answering is sent once more on a new one when that is safe.
* TLS from an ``ssl.SSLContext``; ``server_hostname`` is the SNI and verification name.
* Proxies: ``http://`` (absolute-form requests, or a CONNECT tunnel for an ``https`` server)
  and ``socks5://`` / ``socks5h://``, each with optional user:password. An ``https://``
  proxy (TLS to the proxy itself) is not supported and says so.
* ``gzip`` responses are decompressed (streams too).
* Failures raise ``TransportError`` subclasses, never with request headers in the message.

**Timeouts** (seconds), as Go's ``http.Transport`` that client-go builds
(``utilnet.SetTransportDefaults``): making a connection is bounded phase by phase, so a
server or proxy that accepts the TCP connection and then says nothing fails with
``ConnectTimeout`` instead of hanging:

* ``dial_timeout`` (30, Go's ``net.Dialer.Timeout``): the TCP connection to the server or
  proxy; for a SOCKS5 proxy its handshake too (Go bounds that only by the request's
  context, which without ``timeout`` has no deadline: a stricter choice here);
* ``proxy_connect_timeout`` (60): the HTTP proxy's answer to ``CONNECT`` (net/http gives
  the CONNECT one minute when the request's context has no deadline);
* ``tls_handshake_timeout`` (10, Go's ``TLSHandshakeTimeout``): the TLS handshake.

``timeout`` (``Config.timeout``, client-go's ``rest.Config.Timeout``, which becomes
``http.Client.Timeout``; or per request) is the request's overall bound: each phase above
gets at most what is left of it, then waiting for the response headers and ``read()``
of the body too. ``None`` (the default, as in client-go) sets no overall bound: once
connected, the client waits for the answer as long as the server takes. A streamed
body (``iter_chunks``) waits at most ``timeout`` per read; watches set their own read
bounds (``Response.set_read_timeout``).
"""

from __future__ import annotations

import base64
import http.client
import select
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from urllib.parse import unquote, urlsplit

__all__ = [
    "DEFAULT_DIAL_TIMEOUT",
    "DEFAULT_PROXY_CONNECT_TIMEOUT",
    "DEFAULT_TLS_HANDSHAKE_TIMEOUT",
    "ConnectError",
    "ConnectTimeout",
    "InvalidHeader",
    "ReadError",
    "ReadTimeout",
    "Response",
    "SAFE_METHODS",
    "Transport",
    "TransportError",
]

_MAX_IDLE = 16
_CHUNK = 64 * 1024
#: Go's defaults as client-go configures its transport (seconds).
DEFAULT_DIAL_TIMEOUT = 30.0
DEFAULT_TLS_HANDSHAKE_TIMEOUT = 10.0
DEFAULT_PROXY_CONNECT_TIMEOUT = 60.0
#: Verbs that may be sent again when it is unknown whether the server acted on them
#: (Go's ``isReplayable``); ``RESTClient`` retries 5xx for these too.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TransportError(Exception):
    """The request did not get an HTTP response: connection, TLS, proxy or timeout trouble."""


class ConnectError(TransportError):
    """No connection could be made (DNS, refused, TLS handshake, proxy): nothing was sent."""


class ConnectTimeout(ConnectError):
    """Connecting took longer than the connect timeout: nothing was sent."""


class ReadTimeout(TransportError):
    """The server did not answer within the timeout."""


class ReadError(TransportError):
    """The connection failed while the request or the response was under way."""


class InvalidHeader(TransportError, ValueError):
    """A header value cannot be sent (nothing was sent); the message never holds the value."""


class Response:
    """A response whose status and headers have arrived; the body is read on demand.

    ``read()`` returns the whole (decompressed) body and releases the connection for reuse;
    ``iter_chunks()`` streams it; ``close()`` gives the connection up.
    """

    def __init__(
        self, raw: http.client.HTTPResponse, release: _Release, deadline: float | None = None
    ) -> None:
        self._raw = raw
        self._release = release
        self._deadline = deadline  # the request's overall timeout, for read()
        self.status = raw.status
        self.headers = raw.headers
        encoding = (raw.headers.get("Content-Encoding") or "").strip().lower()
        self._gzip = encoding in ("gzip", "x-gzip")

    def header_list(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive)."""
        return self.headers.get_all(name) or []

    def read(self) -> bytes:
        if self._deadline is not None:
            self.set_read_timeout(_left(self._deadline))
        try:
            data = self._raw.read()
        except TimeoutError as exc:
            self._release(self._raw, reusable=False)
            raise ReadTimeout("timed out reading the response body") from exc
        except (OSError, http.client.HTTPException) as exc:
            self._release(self._raw, reusable=False)
            raise ReadError(f"reading the response body failed: {_describe(exc)}") from exc
        self._release(self._raw, reusable=True)
        return _gunzip(data) if self._gzip else data

    def iter_chunks(self) -> Iterator[bytes]:
        """The body piece by piece as it arrives (for watches and followed logs)."""
        inflate = zlib.decompressobj(31) if self._gzip else None
        try:
            while True:
                try:
                    chunk = self._raw.read1(_CHUNK)
                except TimeoutError as exc:
                    raise ReadTimeout("timed out waiting for the stream") from exc
                except (OSError, ValueError, http.client.HTTPException) as exc:
                    raise ReadError(f"the stream broke: {_describe(exc)}") from exc
                if not chunk:
                    break
                yield inflate.decompress(chunk) if inflate else chunk
            if inflate:
                yield inflate.flush()
        finally:
            self.close()

    def close(self) -> None:
        self._release(self._raw, reusable=False)

    def set_read_timeout(self, seconds: float | None) -> None:
        """Bound every further socket read of this response to ``seconds`` (None: no bound)."""
        sock = self._release.socket
        if sock is not None:
            try:
                sock.settimeout(seconds)
            except OSError:
                pass

    def abort(self) -> None:
        """Shut the connection down from any thread: a blocked read returns at once."""
        sock = self._release.socket
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @property
    def is_closed(self) -> bool:
        return self._raw.isclosed()


class _Release:
    """Hands a response's connection back to the pool (or closes it), once."""

    def __init__(self, transport: Transport, conn: _Connection) -> None:
        self._transport = transport
        self._conn: _Connection | None = conn

    @property
    def socket(self) -> socket.socket | None:
        conn = self._conn
        return conn.sock if conn is not None else None

    def __call__(self, raw: http.client.HTTPResponse, *, reusable: bool) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        if reusable and raw.isclosed() and conn.sock is not None:
            self._transport._put(conn)
        else:
            raw.close()
            conn.close()


class _Connection(http.client.HTTPConnection):
    """One connection to the server, or to a proxy in front of it."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: ssl.SSLContext | None,
        server_hostname: str,
        socks: _Socks | None,
    ) -> None:
        super().__init__(host, port)
        self._tls = tls
        self._server_hostname = server_hostname
        self._socks = socks

    def connect(self) -> None:
        raise RuntimeError("Transport opens connections phase by phase (dial, tunnel, tls)")

    def dial(self, timeout: float | None) -> None:
        """The TCP connection to the server or proxy (and a SOCKS5 proxy's handshake)."""
        if self._socks is not None:
            self.sock = self._socks.connect(timeout)
            return
        self.sock = socket.create_connection((self.host, self.port), timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def tunnel(self, timeout: float | None) -> None:
        """``CONNECT`` through the HTTP proxy (set_tunnel() named the server)."""
        assert self.sock is not None
        self.sock.settimeout(timeout)
        self._tunnel()  # type: ignore[attr-defined]  # http.client's own CONNECT exchange

    @property
    def uses_tls(self) -> bool:
        return self._tls is not None

    def handshake(self, timeout: float | None) -> None:
        """The TLS handshake with the server (through the tunnel, if any)."""
        assert self.sock is not None and self._tls is not None
        self.sock.settimeout(timeout)
        self.sock = self._tls.wrap_socket(self.sock, server_hostname=self._server_hostname)

    def idle_and_dropped(self) -> bool:
        """True when the server closed (or wrote to) this idle connection."""
        if self.sock is None:
            return False
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
        except (OSError, ValueError):
            return True
        return bool(readable)


class Transport:
    """Sends requests to ``base_url`` over pooled keep-alive connections; thread-safe."""

    def __init__(
        self,
        base_url: str,
        *,
        ssl_context: ssl.SSLContext | None = None,
        server_hostname: str | None = None,
        proxy_url: str | None = None,
        timeout: float | None = None,
        dial_timeout: float = DEFAULT_DIAL_TIMEOUT,
        tls_handshake_timeout: float = DEFAULT_TLS_HANDSHAKE_TIMEOUT,
        proxy_connect_timeout: float = DEFAULT_PROXY_CONNECT_TIMEOUT,
    ) -> None:
        parts = urlsplit(base_url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) server URL: {parts.scheme}://{parts.hostname}")
        self._host = parts.hostname
        self._port = parts.port or (443 if scheme == "https" else 80)
        self._netloc = _netloc(self._host, self._port)
        self._prefix = parts.path.rstrip("/")
        self._tls = (ssl_context or ssl.create_default_context()) if scheme == "https" else None
        self._server_hostname = server_hostname or self._host
        self._timeout = timeout
        self._dial_timeout = dial_timeout
        self._tls_handshake_timeout = tls_handshake_timeout
        self._proxy_connect_timeout = proxy_connect_timeout
        self._absolute_prefix = ""  # set when requests go through an HTTP forward proxy
        self._proxy_headers: dict[str, str] = {}
        self._proxy: tuple[str, int] | None = None
        self._socks: _Socks | None = None
        if proxy_url:
            self._use_proxy(proxy_url)
        self._idle: list[_Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def _use_proxy(self, proxy_url: str) -> None:
        proxy = urlsplit(proxy_url)
        scheme = proxy.scheme.lower()
        if not proxy.hostname:
            raise ValueError("the proxy URL has no host")
        if scheme in ("socks5", "socks5h"):
            self._socks = _Socks(
                proxy.hostname,
                proxy.port or 1080,
                self._host,
                self._port,
                unquote(proxy.username or ""),
                unquote(proxy.password or ""),
                remote_dns=scheme == "socks5h",
            )
            return
        if scheme != "http":
            raise ValueError(f"{scheme}:// proxies are not supported (use http or socks5)")
        self._proxy = (proxy.hostname, proxy.port or 80)
        if proxy.username is not None:
            user = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}"
            token = base64.b64encode(user.encode()).decode()
            self._proxy_headers["Proxy-Authorization"] = f"Basic {token}"
        if self._tls is None:
            self._absolute_prefix = f"http://{self._netloc}"

    # -- the pool -----------------------------------------------------------------------

    def _new_connection(self) -> _Connection:
        host, port = self._proxy or (self._host, self._port)
        conn = _Connection(
            host,
            port,
            tls=self._tls,
            server_hostname=self._server_hostname,
            socks=self._socks,
        )
        if self._proxy is not None and self._tls is not None:
            conn.set_tunnel(self._host, self._port, headers=self._proxy_headers)
        return conn

    def _take(self) -> tuple[_Connection, bool]:
        """A connection, and whether it was used before."""
        with self._lock:
            while self._idle:
                conn = self._idle.pop()
                if conn.idle_and_dropped():
                    conn.close()
                    continue
                return conn, True
        return self._new_connection(), False

    def _put(self, conn: _Connection) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < _MAX_IDLE:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    # -- requests -----------------------------------------------------------------------

    def send(
        self,
        method: str,
        target: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | None = None,
        *,
        timeout: float | None = None,
    ) -> Response:
        """Send ``method target`` (path and query) and return once the headers arrived.

        ``timeout`` (seconds) overrides the transport's overall ``timeout`` for this
        request (module docstring). Read the body with ``Response.read()`` or stream it;
        either way the response must be consumed or closed. Raises ``ConnectTimeout`` /
        ``ConnectError`` when no connection was made (nothing sent), ``ReadTimeout`` when
        the answer did not come in time, ``ReadError`` when the connection failed.
        """
        url = self._absolute_prefix + self._prefix + target
        overall = self._timeout if timeout is None else timeout
        deadline = None if overall is None else time.monotonic() + overall
        fresh_retry_left = method in SAFE_METHODS
        while True:
            conn, reused = self._take()
            try:
                if conn.sock is None:
                    self._connect(conn, deadline)
                assert conn.sock is not None
                conn.sock.settimeout(None if deadline is None else _left(deadline))
                raw = self._exchange(conn, method, url, headers, body)
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
                conn.close()
                if reused and method in SAFE_METHODS:
                    continue  # the server had closed the kept-alive connection: try a new one
                if fresh_retry_left:
                    # client-go retries idempotent requests once on a connection reset
                    # before the answer (net/http's rewind-and-retry); others are not sent
                    # again, since the server may have acted on them.
                    fresh_retry_left = False
                    continue
                raise ReadError(f"{method} failed: {_describe(exc)}") from exc
            except TimeoutError as exc:
                conn.close()
                raise ReadTimeout(
                    f"{method} got no answer from {self._netloc} within the {overall:g} s timeout"
                ) from exc
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                raise ReadError(f"{method} failed: {_describe(exc)}") from exc
            except BaseException:
                conn.close()
                raise
            if conn.sock is not None:  # each read of a stream waits at most ``overall``
                conn.sock.settimeout(overall)
            return Response(raw, _Release(self, conn), deadline)

    def _connect(self, conn: _Connection, deadline: float | None) -> None:
        """Dial, CONNECT through an HTTP proxy, TLS handshake: each phase within its own
        bound and what is left of the overall ``deadline``."""
        if self._proxy is not None:
            dialing = f"connecting to the proxy {_netloc(*self._proxy)}"
        elif self._socks is not None:
            dialing = f"connecting to {self._netloc} through the SOCKS5 proxy"
        else:
            dialing = f"connecting to {self._netloc}"
        phases: list[tuple[str, float, Callable[[float | None], None]]] = [
            (dialing, self._dial_timeout, conn.dial)
        ]
        if self._proxy is not None and self._tls is not None:  # set_tunnel() was called
            phases.append(
                (f"the proxy CONNECT to {self._netloc}", self._proxy_connect_timeout, conn.tunnel)
            )
        if conn.uses_tls:
            phases.append(
                (
                    f"the TLS handshake with {self._netloc}",
                    self._tls_handshake_timeout,
                    conn.handshake,
                )
            )
        for what, bound, run in phases:
            limit = bound if deadline is None else min(bound, _left(deadline))
            try:
                run(limit)
            except TimeoutError as exc:
                conn.close()
                raise ConnectTimeout(f"{what} timed out after {limit:g} s") from exc
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                raise ConnectError(f"{what} failed: {_describe(exc)}") from exc
            except (ValueError, TypeError) as exc:
                # A host or TLS server name the idna codec or the ssl module refuses ("a..b",
                # a label over 63 characters, a NUL byte): kubectl gets "no such host" or a
                # TLS error here, a connection error too, never a bare UnicodeError/TypeError.
                conn.close()
                raise ConnectError(
                    f"{what} failed: invalid host or TLS server name ({_describe(exc)})"
                ) from exc
            except BaseException:
                conn.close()
                raise

    def _exchange(
        self,
        conn: _Connection,
        method: str,
        url: str,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
    ) -> http.client.HTTPResponse:
        conn.putrequest(method, url, skip_accept_encoding=True)
        for name, value in headers:
            try:
                conn.putheader(name, value)
                continue
            except (ValueError, UnicodeError):
                pass
            # Raised outside the handler: http.client's error quotes the value (it may be a
            # credential), so it must not even be kept as the context.
            raise InvalidHeader(
                f"the {name} header has a value that cannot be sent in HTTP "
                "(control or non-Latin-1 characters)"
            )
        if self._absolute_prefix:
            for name, value in self._proxy_headers.items():
                conn.putheader(name, value)
        if body is not None or method in ("POST", "PUT", "PATCH"):
            conn.putheader("Content-Length", str(len(body or b"")))
        conn.endheaders(body)
        return conn.getresponse()


class _Socks:
    """The client side of a SOCKS5 CONNECT (RFC 1928, user/password per RFC 1929)."""

    def __init__(
        self,
        host: str,
        port: int,
        target_host: str,
        target_port: int,
        username: str,
        password: str,
        *,
        remote_dns: bool,
    ) -> None:
        self._proxy = (host, port)
        self._target = (target_host, target_port)
        self._credentials = (username.encode(), password.encode()) if username else None
        self._remote_dns = remote_dns

    def connect(self, timeout: float | None) -> socket.socket:
        sock = socket.create_connection(self._proxy, timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._handshake(sock)
        except BaseException:
            sock.close()
            raise
        return sock

    def _handshake(self, sock: socket.socket) -> None:
        method = b"\x02" if self._credentials else b"\x00"
        sock.sendall(b"\x05\x01" + method)
        if _recv(sock, 2) != b"\x05" + method:
            raise OSError("the SOCKS5 proxy refused the authentication method")
        if self._credentials:
            user, password = self._credentials
            sock.sendall(b"\x01" + bytes([len(user)]) + user + bytes([len(password)]) + password)
            if _recv(sock, 2)[1:] != b"\x00":
                raise OSError("the SOCKS5 proxy rejected the credentials")
        host, port = self._target
        if self._remote_dns:
            address = b"\x03" + bytes([len(host.encode("idna"))]) + host.encode("idna")
        else:
            info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
            packed = socket.inet_pton(info[0], str(info[4][0]))
            address = (b"\x01" if info[0] == socket.AF_INET else b"\x04") + packed
        sock.sendall(b"\x05\x01\x00" + address + struct.pack("!H", port))
        reply = _recv(sock, 4)
        if reply[1] != 0:
            raise OSError(f"the SOCKS5 proxy could not connect (reply code {reply[1]})")
        length = {1: 4, 4: 16}.get(reply[3]) or _recv(sock, 1)[0]
        _recv(sock, length + 2)


def _recv(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        part = sock.recv(n - len(data))
        if not part:
            raise OSError("the SOCKS5 proxy closed the connection")
        data += part
    return data


def _gunzip(data: bytes) -> bytes:
    try:
        return zlib.decompress(data, 31)
    except zlib.error as exc:
        raise ReadError(f"the gzip response body is corrupt: {exc}") from exc


def _left(deadline: float) -> float:
    """Seconds until ``deadline`` (monotonic), at least a millisecond: a socket timeout of
    0 would mean non-blocking, not "already late"."""
    return max(0.001, deadline - time.monotonic())


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
