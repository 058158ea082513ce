"""A loopback Kubernetes API server over HTTP or HTTPS, backed by a :class:`Tracker`.

Serves discovery (``/version``, ``/api``, ``/apis``, group-version resource lists),
``/openapi/v2`` (the swagger it was given) and ``/openapi/v3`` (one document per
group-version), CRUD + patch + server-side apply + watch for every resource of its
:class:`ResourceTable` (with ``dryRun=All``, ``fieldValidation``, delete preconditions and
``meta.k8s.io`` Table output), the ``status``, ``scale``, ``pods/log`` and ``pods/eviction``
subresources, authentication (client certificates, bearer tokens) when asked, fault
injection (``server.faults``), a log of the requests received (``server.requests``), and
writes a kubeconfig pointing at itself.
"""

from __future__ import annotations

import base64
import http.server
import io
import itertools
import json
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Generator, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from kubecore.core.codec import json_dumps, json_loads
from kubecore.testing import eviction, openapi, protobuf, tables, writes
from kubecore.testing.admission import Admission, check_list_options
from kubecore.testing.discovery import Resource, ResourceTable, load_table
from kubecore.testing.faults import Faults
from kubecore.testing.httpio import (
    DeadlineReader,
    Limits,
    check_write_options,
    client_gone,
    parse_query,
    query_flag,
    read_body,
)
from kubecore.testing.objectmeta import decode_errors
from kubecore.testing.patch import (
    check_patch_document,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)
from kubecore.testing.requestlog import RequestLog
from kubecore.testing.scale import scale_paths, to_scale, update_scale
from kubecore.testing.tracker import ApiError, Obj, Tracker, bad_request, parse_resource_version
from kubecore.testing.version import detect_kubernetes_version, version_info
from kubecore.testing.writes import JSON_PATCH, STRATEGIC_PATCH

__all__ = ["TestApiServer", "json_patch", "merge_patch", "strategic_merge_patch"]

DEFAULT_TOKEN = "testing-token"


class TestApiServer:
    """``with TestApiServer(specs) as server: ...`` — a real HTTP(S) apiserver on 127.0.0.1.

    HTTPS: ``tls=True`` with ``tls_cert``/``tls_key`` (the server certificate, for
    127.0.0.1) and ``tls_ca`` (the CA that signed it, written into the kubeconfig).
    Authentication is on when ``client_ca`` (client certificates signed by it are accepted)
    or ``tokens`` (bearer token -> user name) is given: anything else gets 401. The
    kubeconfig's credential is ``client_cert``/``client_key`` if given, else the first token.
    Both need ``tls=True`` (``ValueError`` otherwise): kubectl and ``kubecore.load_config``
    send no credential to an ``http://`` server.
    ``/version`` reports the served spec's Kubernetes release, or ``kubernetes_version``.

    ``limits`` bounds how long a request may take to arrive and how large its body may be
    (kube-apiserver's defaults: :class:`kubecore.testing.httpio.Limits`). The server
    answers every error with a ``Status``, serves hundreds of concurrent watches (a
    thread each, a listen backlog of 1024) and ends a watch as soon as its client goes.
    """

    __test__ = False  # not a pytest test class
    #: Whether watches accept ``sendInitialEvents`` (WatchList); set False to act as an
    #: older apiserver, which rejects it with 422.
    watch_list = True

    def __init__(
        self,
        specs: Iterable[str | Path] = (),
        *,
        table: ResourceTable | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        kubeconfig_path: str | Path | None = None,
        history: int = 1000,
        tls: bool = False,
        tls_cert: str | Path | None = None,
        tls_key: str | Path | None = None,
        tls_ca: str | Path | None = None,
        client_ca: str | Path | None = None,
        client_cert: str | Path | None = None,
        client_key: str | Path | None = None,
        tokens: dict[str, str] | None = None,
        kubernetes_version: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        specs = list(specs)
        self.limits = limits if limits is not None else Limits()
        self.table = table if table is not None else load_table(specs)
        #: The ``/version`` body: the served spec's release (``kubecore.testing.version``).
        self.version_info = version_info(detect_kubernetes_version(specs, kubernetes_version))
        self.admission = Admission(self.table)
        self.tracker = Tracker(self.table, history=history, defaulter=self.admission.default)
        self.faults = Faults()
        #: The request line of each request received (``kubecore.testing.requestlog``).
        self.requests = RequestLog()
        self._host, self._port = host, port
        self._kubeconfig = Path(kubeconfig_path) if kubeconfig_path else None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self.tokens = dict(tokens) if tokens is not None else None
        self._ssl: ssl.SSLContext | None = None
        self._tls_ca = Path(tls_ca) if tls_ca else None
        self._client_ca = Path(client_ca) if client_ca else None
        self._client_cert = (
            (Path(client_cert), Path(client_key)) if client_cert and client_key else None
        )
        if tls:
            if tls_cert is None or tls_key is None:
                raise ValueError("tls=True needs tls_cert and tls_key (a server certificate)")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls_cert), str(tls_key))
            if client_ca is not None:
                context.load_verify_locations(str(client_ca))
                context.verify_mode = ssl.CERT_OPTIONAL
            self._ssl = context
        elif client_ca is not None:
            raise ValueError("client certificates need tls=True")
        elif tokens is not None:
            # kubectl 1.36 and kubecore.load_config send no credential to an http:// server,
            # so a plain-HTTP server with tokens would answer every real client 401.
            raise ValueError("tokens need tls=True: clients send no bearer token over plain HTTP")

    @property
    def authenticating(self) -> bool:
        return self.tokens is not None or self._client_ca is not None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        host, port = self._httpd.server_address[:2]
        scheme = "https" if self._ssl is not None else "http"
        return f"{scheme}://{host!s}:{port}"

    @property
    def kubeconfig_path(self) -> Path:
        if self._kubeconfig is None:
            raise RuntimeError("the server is not started")
        return self._kubeconfig

    def preload(self, objects: Iterable[dict[str, Any]]) -> int:
        """Store objects directly (no HTTP, no validation), as ``kubectl create`` would.

        Lists (``kind: List`` or ``<Kind>List``) are expanded; namespaces default to
        "default". Returns how many objects were stored. Metadata of a shape the API cannot
        hold (``labels: ['x']``, a number as the name) raises ``ValueError``: stored, it would
        break every later list and watch.
        """
        count = 0
        for obj in objects:
            kind = str(obj.get("kind", ""))
            if kind.endswith("List") and isinstance(obj.get("items"), list):
                count += self.preload(
                    (
                        {"apiVersion": obj.get("apiVersion"), "kind": kind[: -len("List")], **item}
                        if kind != "List"
                        else item
                    )
                    for item in obj["items"]
                )
                continue
            resource = self.table.for_kind(str(obj.get("apiVersion", "")), kind)
            if resource is None:
                raise ValueError(f"no served resource for {obj.get('apiVersion')}/{kind}")
            problem = decode_errors(resource, obj)
            if problem is not None:
                raise ValueError(problem)
            namespace = (obj.get("metadata") or {}).get("namespace") or "default"
            self.tracker.create(resource, namespace if resource.namespaced else "", obj)
            count += 1
        return count

    def start(self) -> str:
        """Listen, serve from a daemon thread, write the kubeconfig; returns the base URL."""
        httpd = _Server((self._host, self._port), _Handler)
        httpd.api = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        if self._kubeconfig is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="kubecore-testing-")
            self._kubeconfig = Path(self._tmpdir.name) / "kubeconfig"
        try:
            self._kubeconfig.write_text(self.kubeconfig_text())
        except OSError:
            self.stop()  # no server left running behind a failed start
            raise
        return self.url

    def kubeconfig_text(self) -> str:
        def data(path: Path) -> str:
            return base64.b64encode(path.read_bytes()).decode()

        cluster: Obj = {"server": self.url}
        if self._tls_ca is not None:
            cluster["certificate-authority-data"] = data(self._tls_ca)
        user: Obj
        if self._client_cert is not None:
            user = {
                "client-certificate-data": data(self._client_cert[0]),
                "client-key-data": data(self._client_cert[1]),
            }
        else:
            user = {"token": next(iter(self.tokens or {DEFAULT_TOKEN: ""}))}
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "testing", "cluster": cluster}],
            "users": [{"name": "testing", "user": user}],
            "contexts": [
                {
                    "name": "testing",
                    "context": {"cluster": "testing", "user": "testing", "namespace": "default"},
                }
            ],
            "current-context": "testing",
        }
        return json.dumps(config, indent=2) + "\n"

    def stop(self) -> None:
        self.tracker.close()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None
            self._kubeconfig = None
        self._httpd = self._thread = None

    def serve_forever(self) -> None:
        """Block until interrupted (used by ``python -m kubecore.testing``)."""
        if self._httpd is None:
            self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> TestApiServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    # socketserver's default of 5 drops connection attempts (SYN retries of 1, 3, 7 s ...)
    # as soon as a few hundred clients connect at once; the kernel caps this at somaxconn.
    request_queue_size = 1024
    api: TestApiServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets or drops its connection is not a server error."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """TLS handshakes happen here, in the connection's own thread."""
        context = self.api._ssl
        if context is None:
            super().finish_request(request, client_address)
            return
        try:
            request.settimeout(10)
            wrapped = context.wrap_socket(request, server_side=True)
            wrapped.settimeout(None)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(wrapped, client_address)
        finally:
            try:
                wrapped.close()
            except OSError:
                pass


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes; with Nagle on, the client's delayed ACK
    # holds every response back by about 40 ms.
    disable_nagle_algorithm = True
    server: _Server
    _raw: bytes = b""
    _headers_out: list[tuple[str, str]] = []
    _reader: DeadlineReader
    _keep_alive = False  # whether the connection outlives the current stream

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    def setup(self) -> None:
        super().setup()
        self.rfile.close()
        self._reader = DeadlineReader(self.connection, self.server.api.limits)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        self._reader.await_request()
        super().handle_one_request()

    def parse_request(self) -> bool:
        """http.server's parsing, then the header lines Go's ``net/http`` refuses.

        The standard library's header parser stops at a line that is not ``Name: value``
        (no colon, a space before the colon) and silently drops it and every header after
        it, ``Content-Length`` and ``Authorization`` included, so the rest of the request
        would be read as something else. kube-apiserver answers 400 ("malformed MIME header
        line"); so does this server.
        """
        if not super().parse_request():
            return False
        if self.headers.defects or self.headers.get_payload():
            self.send_error(400, "malformed MIME header line")
            return False
        return True

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, 414, 431, unknown method) as a Status."""
        if code == 501 and self.command:  # no do_<METHOD>: what kube-apiserver answers
            code, message = 405, f"{self.command} is not supported"
        reason = _REASONS.get(code, "")
        text = message or self.responses.get(code, ("", ""))[0]
        status = ApiError(code, reason, text).status()  # no reason: none in the body
        self.close_connection = True
        self._reader.done()
        if not self.request_version.startswith("HTTP/1."):
            self.request_version = self.protocol_version  # a status line even for garbage
        try:
            self._headers_out = [("Connection", "close")]
            self._send(code, status)
            self._linger()
        except OSError:
            pass

    def _linger(self) -> None:
        """Close after an early answer without a reset: the client may still be sending (an
        unread body, the rest of a long line); closing with unread data would reset the
        connection and could destroy the answer before the client reads it."""
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + 2.0
            while (remaining := deadline - time.monotonic()) > 0:
                self.connection.settimeout(remaining)
                if not self.connection.recv(65536):
                    break
        except OSError:
            pass

    # -- plumbing ---------------------------------------------------------------------------

    def _send(
        self,
        code: int,
        body: Obj | bytes,
        content_type: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        data = body if isinstance(body, bytes) else json_dumps(body)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in [*self._headers_out, *(headers or {}).items()]:
            self.send_header(name, value)
        if self.command != "HEAD" and self.request_version != "HTTP/0.9":
            # Headers and body in one write (one send, one segment): http.server's
            # end_headers() writes the header block alone, so every answer took two
            # system calls here and, often, two reads in the client.
            buffered: list[bytes] = self._headers_buffer  # type: ignore[attr-defined]
            buffered.extend((b"\r\n", data))
            self.flush_headers()
            return
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _start_stream(self, content_type: str) -> None:
        """The headers of a chunked stream (a watch, a followed log). Until
        :meth:`_end_stream`, the connection closes when the handler returns: a stream cut
        short (a client gone, a dropped-watch fault) leaves it unusable."""
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self._keep_alive = not self.close_connection
        self.close_connection = True

    def _end_stream(self) -> None:
        """The last chunk of a complete stream; the connection then serves the next request,
        as Go's ``net/http`` keeps it after a watch ends (clients pool it: closing it here
        made their next request fail when a stream ended at once, as an expired watch does)."""
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.close_connection = not self._keep_alive

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _body(self, *, required: bool = True) -> Any:
        raw = self._raw
        if "protobuf" in (self.headers.get("Content-Type") or ""):
            try:
                return protobuf.decode(raw)
            except protobuf.ProtobufError as err:
                raise ApiError(
                    415,
                    "UnsupportedMediaType",
                    f"the body of the request was in an unknown format - accepted media types "
                    f"include: application/json, application/yaml, {protobuf.MEDIA_TYPE} ({err})",
                ) from None
        if not raw:
            if not required:
                return None
            raise bad_request("the request body is empty")
        # As kube-apiserver, the Content-Type decides: YAML for the YAML media types
        # (application/yaml, application/apply-patch+yaml), JSON for everything else; a
        # JSON body that JSON refuses (NaN, 1e999) is not read as YAML instead.
        if "yaml" in (self.headers.get("Content-Type") or ""):
            try:
                from kubecore.core.yamlio import load

                return load(raw)
            except Exception:
                raise bad_request("the request body is not valid YAML") from None
        try:
            return json_loads(raw)
        except ValueError as err:
            raise bad_request(f"the request body is not valid JSON: {str(err)[:200]}") from None

    def _dispatch(self) -> None:
        self._headers_out = []
        api = self.server.api
        try:
            self._raw = read_body(
                self.headers, self.rfile, self._reader, api.limits.max_request_body_bytes
            )
        except ApiError as err:
            self._reader.done()
            self.close_connection = True
            self._headers_out = [("Connection", "close")]
            status = err.status()  # an empty reason is left out, as metav1.Status does
            try:
                self._send(err.code, status)
                self._linger()
            except OSError:
                pass
            return
        self._reader.done()
        api.requests.record(self.command, self.path)
        path = urlsplit(self.path).path
        try:
            self._authenticate()
            pause = api.faults.delay_for(self.command, path)
            if pause:
                time.sleep(pause)
            canned = api.faults.response_for(self.command, path)
            if canned is not None:
                self._send(canned.status, canned.body, headers=canned.headers)
                return
            self._route()
        except ApiError as err:
            # kube-apiserver's ErrorNegotiated: a Status with retryAfterSeconds also sets
            # the Retry-After header (504 "Too large resource version", 429).
            retry = err.retry_after
            self._send(
                err.code, err.status(), headers={"Retry-After": str(retry)} if retry else None
            )
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # pragma: no cover - a server bug, reported as 500
            self._send(500, ApiError(500, "InternalError", f"{type(exc).__name__}: {exc}").status())

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    def _authenticate(self) -> str:
        """The user name of the request (401 when authentication is on and fails)."""
        api = self.server.api
        if not api.authenticating:
            return "system:anonymous"
        connection = self.connection
        if isinstance(connection, ssl.SSLSocket) and api._client_ca is not None:
            cert = connection.getpeercert()
            if cert:
                for rdn in cert.get("subject", ()):
                    for pair in rdn:
                        if pair[0] == "commonName":
                            return str(pair[1])
                return "system:unknown"
        header = self.headers.get("Authorization") or ""
        if header.startswith("Bearer ") and api.tokens is not None:
            user = api.tokens.get(header[len("Bearer ") :].strip())
            if user is not None:
                return user
        raise ApiError(401, "Unauthorized", "Unauthorized")

    # -- routing ----------------------------------------------------------------------------

    def _route(self) -> None:
        api = self.server.api
        table = api.table
        split = urlsplit(self.path)
        query = parse_query(split.query)
        check_write_options(self.command, query)
        parts = [p for p in split.path.split("/") if p]
        if self.command in ("GET", "HEAD"):
            body = self._discovery(parts)
            if body is not None:
                self._send(200, body)
                return
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        namespace = ""
        if (
            len(rest) >= 3
            and rest[0] == "namespaces"
            and (resource_here := table.get(group, version, rest[2])) is not None
            and resource_here.namespaced
        ):
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        resource = table.get(group, version, rest[0])
        if resource is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        if sub and sub not in resource.subresources:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        if sub in ("scale", "log", "eviction"):
            getattr(self, f"_{sub}")(resource, namespace, name, query)
            return
        self._resource_request(resource, namespace, name, sub, query)

    def _discovery(self, parts: list[str]) -> Obj | bytes | None:
        api = self.server.api
        table = api.table
        gvs = table.group_versions()
        if parts == ["version"]:
            return dict(api.version_info)
        if parts == ["api"]:
            host = self.headers.get("Host", "127.0.0.1")
            return {
                "kind": "APIVersions",
                "versions": gvs.get("", []),
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
            }
        if parts == ["apis"]:
            return {
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": [_api_group(g, vs) for g, vs in sorted(gvs.items()) if g],
            }
        if len(parts) == 2 and parts[0] == "apis" and parts[1] in gvs:
            return {"kind": "APIGroup", "apiVersion": "v1", **_api_group(parts[1], gvs[parts[1]])}
        if len(parts) == 2 and parts[0] == "api" and parts[1] in gvs.get("", []):
            return _resource_list(table, "", parts[1])
        if len(parts) == 3 and parts[0] == "apis" and parts[2] in gvs.get(parts[1], []):
            return _resource_list(table, parts[1], parts[2])
        if parts == ["openapi", "v2"]:
            accept = self.headers.get("Accept", "")
            if table.swagger is None or ("json" not in accept and "*/*" not in accept and accept):
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return json_dumps(table.swagger)
        if parts == ["openapi", "v3"]:
            return openapi.root_document(table.openapi_v3())
        if len(parts) > 2 and parts[:2] == ["openapi", "v3"]:
            doc = table.openapi_v3().get("/".join(parts[2:]))
            if doc is None:
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return json_dumps(doc)
        return None

    # -- resources --------------------------------------------------------------------------

    def _resource_request(
        self, resource: Resource, namespace: str, name: str, sub: str, query: dict[str, str]
    ) -> None:
        tracker, admission = self.server.api.tracker, self.server.api.admission
        method = self.command
        self._headers_out.extend(("Warning", w) for w in admission.warnings(resource))
        labels, fields = query.get("labelSelector"), query.get("fieldSelector")
        writes.dry_run(query)  # a bad dryRun is refused (400) before anything else
        if method in ("GET", "HEAD") and not name and not query_flag(query, "watch"):
            check_list_options(query)  # a list's options: 422 first (ValidateListOptions)
        if method in ("GET", "HEAD"):  # gets, lists and watches: 400 for a malformed version
            parse_resource_version(query.get("resourceVersion"))
        if method in ("GET", "HEAD") and not name:
            if query_flag(query, "watch"):
                self._watch(resource, namespace, query)
                return
            limit = int(query.get("limit") or 0)
            list_args: dict[str, Any] = dict(
                label_selector=labels,
                field_selector=fields,
                limit=limit,
                continue_=query.get("continue"),
                resource_version=query.get("resourceVersion"),
                resource_version_match=query.get("resourceVersionMatch"),
            )
            if tables.wants_table(self.headers.get("Accept") or ""):
                listed = tracker.list(resource, namespace, **list_args)
                self._send_read(resource, listed, query)
            else:  # each item's JSON is the tracker's, encoded once per object version
                self._send(200, tracker.list_json(resource, namespace, **list_args))
        elif method in ("GET", "HEAD"):
            got = tracker.get(
                resource, namespace, name, resource_version=query.get("resourceVersion")
            )
            self._send_read(resource, got, query)
        elif method == "POST" and not name:
            body = self._body()
            warnings: list[str] = []
            created = writes.create(
                tracker,
                admission,
                resource,
                namespace,
                body,
                query,
                warnings=warnings,
                user_agent=self.headers.get("User-Agent") or "",
            )
            self._warn(warnings)
            self._send(201, created)
        elif method == "PUT" and name:
            body = self._body()
            warnings = []
            updated = writes.update(
                tracker,
                admission,
                resource,
                namespace,
                name,
                sub,
                body,
                query,
                warnings=warnings,
                user_agent=self.headers.get("User-Agent") or "",
            )
            self._warn(warnings)
            self._send(200, updated)
        elif method == "PATCH" and name:
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            document = self._body()
            warnings = []
            patched = writes.patch(
                tracker,
                admission,
                resource,
                namespace,
                name,
                sub,
                content_type,
                document,
                query,
                warnings=warnings,
                user_agent=self.headers.get("User-Agent") or "",
            )
            self._warn(warnings)
            self._send(patched.status, patched.object)
        elif method == "DELETE" and name:
            options = self._body(required=False)
            deleted = writes.delete(tracker, resource, namespace, name, options, query)
            self._send(deleted.status, deleted.object)
        elif method == "DELETE":
            options = self._body(required=False)
            self._send(
                200,
                writes.delete_collection(
                    tracker,
                    resource,
                    namespace,
                    options,
                    query,
                    label_selector=labels,
                    field_selector=fields,
                ),
            )
        else:
            raise ApiError(405, "MethodNotAllowed", f"{method} is not supported here")

    def _warn(self, warnings: list[str]) -> None:
        """The write's ``Warning`` header values (``fieldValidation=Warn``: unknown or pruned
        fields)."""
        self._headers_out.extend(("Warning", w) for w in warnings)

    def _send_read(self, resource: Resource, body: Obj, query: dict[str, str]) -> None:
        if tables.wants_table(self.headers.get("Accept") or ""):
            include = query.get("includeObject", "Metadata")
            self._send(200, tables.to_table(resource, body, include))
        else:
            self._send(200, body)

    # -- subresources -----------------------------------------------------------------------

    def _scale(self, resource: Resource, namespace: str, name: str, query: dict[str, str]) -> None:
        """``autoscaling/v1`` Scale from spec.replicas / status.replicas / the selector."""
        tracker = self.server.api.tracker
        if self.command in ("GET", "HEAD"):
            self._send(200, to_scale(tracker.get(resource, namespace, name), scale_paths(resource)))
            return
        if self.command not in ("PUT", "PATCH"):
            raise ApiError(405, "MethodNotAllowed", f"{self.command} is not supported here")
        body = self._body()
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        if self.command == "PATCH" and content_type != JSON_PATCH:
            check_patch_document(body, strategic=content_type == STRATEGIC_PATCH)
            if body is None:
                body = {}
        scale = update_scale(
            tracker,
            resource,
            namespace,
            name,
            replace=self.command == "PUT",
            body=body,
            content_type=content_type,
            dry_run=writes.dry_run(query),
            params=query,
            user_agent=self.headers.get("User-Agent") or "",
        )
        self._send(200, scale)

    def _log(self, resource: Resource, namespace: str, name: str, query: dict[str, str]) -> None:
        """``pods/log``: the text set with ``tracker.set_logs``; ``follow=true`` streams."""
        tracker = self.server.api.tracker
        if self.command not in ("GET", "HEAD"):
            raise ApiError(405, "MethodNotAllowed", f"{self.command} is not supported here")
        tracker.get(resource, namespace, name)  # 404 for a missing pod
        container = query.get("container", "")
        follow = bool(query_flag(query, "follow"))
        timeout = float(query.get("timeoutSeconds") or 1800)
        lines = tracker.logs(namespace, name, container, follow=follow, timeout=timeout)
        if not follow:
            text = "".join(lines)
            if query.get("tailLines"):
                kept = text.splitlines(keepends=True)[-int(query["tailLines"]) :]
                text = "".join(kept) if int(query["tailLines"]) else ""
            self._send(200, text.encode(), "text/plain")
            return
        self._start_stream("text/plain")
        try:
            for line in lines:
                if line:  # "" is an idle tick
                    self._chunk(line.encode())
                elif client_gone(self.connection):
                    return
            self._end_stream()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            lines.close()

    def _eviction(
        self, resource: Resource, namespace: str, name: str, query: dict[str, str]
    ) -> None:
        """``pods/eviction``: POST a policy/v1 Eviction (:mod:`kubecore.testing.eviction`)."""
        if self.command != "POST":
            raise ApiError(405, "MethodNotAllowed", f"{self.command} is not supported here")
        status = eviction.evict(
            self.server.api.tracker, resource, namespace, name, self._body(), query
        )
        self._send(201, status)

    # -- watch ------------------------------------------------------------------------------

    def _watch(self, resource: Resource, namespace: str, query: dict[str, str]) -> None:
        """A watch stream: one JSON event a line, in HTTP chunks.

        The initial state (the ADDED events of a watch from no version, or a WatchList's)
        goes out in chunks of about :data:`_BATCH` bytes; from the end of it (the
        initial-events-end BOOKMARK or the first idle tick) every event is its own chunk,
        sent at once. Objects are the tracker's cached JSON except for Table watches.
        """
        api = self.server.api
        tracker = api.tracker
        timeout = float(query.get("timeoutSeconds") or 1800)
        bookmarks = bool(query_flag(query, "allowWatchBookmarks"))
        send_initial = writes.send_initial_events(query, supported=api.watch_list)
        as_table = tables.wants_table(self.headers.get("Accept") or "")
        include = query.get("includeObject", "Metadata")
        watch = tracker.watch if as_table else tracker.watch_json
        events: Generator[tuple[str, Any], None, None] = watch(
            resource,
            namespace,
            resource_version=query.get("resourceVersion"),
            label_selector=query.get("labelSelector"),
            field_selector=query.get("fieldSelector"),
            timeout=timeout,
            send_initial_events=send_initial,
        )
        # 400 (a malformed version, a bad selector) is raised before any header is sent; a
        # version too old for the history is the first event (ERROR 410 Expired) after 200.
        first = next(events, None)
        watch_path = urlsplit(self.path).path
        drop_after = api.faults.watch_drop_after(watch_path)
        opened = api.faults.watch_opened(watch_path)
        self._start_stream("application/json")
        sent = 0
        bookmarked = ""
        pending: list[bytes] = []  # encoded events of the initial state not yet written
        pending_size = 0
        initial = True

        def flush() -> None:
            nonlocal pending_size
            if pending:
                self._chunk(b"".join(pending))
                pending.clear()
                pending_size = 0

        def chunk(event_type: str, obj: Obj | bytes) -> None:
            nonlocal sent, bookmarked, pending_size
            if isinstance(obj, bytes):
                line = b'{"type":"%s","object":%s}\n' % (event_type.encode(), obj)
            else:
                if event_type == "BOOKMARK":
                    obj = {"kind": resource.kind, "apiVersion": resource.group_version, **obj}
                    bookmarked = obj["metadata"]["resourceVersion"]
                elif as_table and event_type != "ERROR":
                    obj = tables.to_table(resource, obj, include, headers=sent == 0)
                line = json_dumps({"type": event_type, "object": obj}) + b"\n"
            pending.append(line)
            pending_size += len(line)
            if not initial or event_type == "BOOKMARK" or pending_size >= _BATCH:
                flush()
            if event_type == "BOOKMARK":
                return
            sent += 1
            if (drop_after is not None and sent >= drop_after) or opened.is_cut():
                flush()
                raise _Dropped

        def progress(obj: Obj) -> None:
            # An idle tick: tell a bookmarking client how far the watch got. The version is
            # the tracker's cursor, so it never covers an event this stream has not sent.
            # The first tick is where the stream starts (after any initial state): that is
            # no progress, and kube-apiserver never opens a watch with a BOOKMARK (its first
            # periodic one comes a minute in), so it is only noted.
            nonlocal bookmarked
            rv = obj["metadata"]["resourceVersion"]
            if not bookmarked:
                bookmarked = rv
            elif bookmarks and rv != bookmarked:
                chunk("BOOKMARK", obj)

        try:
            if drop_after == 0:
                raise _Dropped
            for event_type, obj in itertools.chain([first] if first else [], events):
                if initial and event_type not in ("ADDED", ""):
                    initial = False  # the initial-events-end BOOKMARK, or a live event
                if event_type:
                    chunk(event_type, obj)
                else:  # an idle tick: the initial state (if any) is complete
                    initial = False
                    flush()
                    if client_gone(self.connection):
                        return
                    if opened.is_cut():
                        raise _Dropped
                    progress(obj)
            flush()
            self._end_stream()
        except _Dropped:
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            api.faults.watch_closed(opened)
            events.close()


#: Bytes of initial-state watch events written as one HTTP chunk (one send).
_BATCH = 256 * 1024


_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class _Dropped(Exception):
    """A fault: end the watch stream without its final chunk."""


# -- discovery documents ------------------------------------------------------------------------


_SUBRESOURCE_VERBS = {"log": ["get"], "eviction": ["create"]}


def _api_group(group: str, versions: list[str]) -> Obj:
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": entries, "preferredVersion": entries[0]}


def _resource_list(table: ResourceTable, group: str, version: str) -> Obj:
    entries: list[Obj] = []
    for resource in table.in_group_version(group, version):
        entry: Obj = {
            "name": resource.plural,
            "singularName": resource.singular,
            "namespaced": resource.namespaced,
            "kind": resource.kind,
            "verbs": list(resource.verbs),
        }
        if resource.short_names:
            entry["shortNames"] = list(resource.short_names)
        if resource.categories:
            entry["categories"] = list(resource.categories)
        entries.append(entry)
        for sub, kind in sorted(resource.subresources.items()):
            sub_entry: Obj = {
                "name": f"{resource.plural}/{sub}",
                "singularName": "",
                "namespaced": resource.namespaced,
                "kind": kind,
                "verbs": _SUBRESOURCE_VERBS.get(sub, ["get", "patch", "update"]),
            }
            if sub == "scale":
                sub_entry["group"], sub_entry["version"] = "autoscaling", "v1"
            elif sub == "eviction":
                sub_entry["group"], sub_entry["version"] = "policy", "v1"
            entries.append(sub_entry)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": entries,
    }
