"""The HTTP layer: one connection pool (``kubecore.client.transport``) per ``RESTClient``,
auth, retries, errors.

``RESTClient(config)`` sends requests to the API server described by a
``Config``: TLS (CA, client certificate, ``insecure-skip-tls-verify``,
``tls-server-name`` as SNI and verification name), ``proxy-url``, timeout,
``User-Agent`` and the credentials of an ``Authenticator`` on every request.

* A 401 makes the authenticator refresh its credentials (token file re-read,
  exec plugin re-run) and the request is sent once more.
* 429 and 500/502/503/504 are retried as ``RetryPolicy`` says: ``Retry-After``
  is honoured, otherwise exponential backoff with full jitter; bounded by
  ``max_attempts`` and ``max_total_delay``.  5xx is only retried for safe verbs
  (GET, HEAD, OPTIONS) or requests marked ``idempotent=True``; a 429 is retried
  for every verb (the server rejected it before doing anything, as client-go
  assumes) unless ``RetryPolicy.retry_429_any_verb`` is off.  Connection
  failures before anything was sent (``ConnectError``, ``ConnectTimeout``) are
  retried for every verb.
* Other non-2xx responses raise the typed errors of ``kubecore.client.errors``;
  connection trouble raises the ``TransportError`` family.
* ``Warning: 299 - "text"`` response headers go to a handler, each distinct
  text once per client (by default logged on the ``kubecore`` logger).

Request headers (credentials) are never logged nor put into error messages.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal, overload
from urllib.parse import urlencode, urlsplit

from kubecore.client.auth import Authenticator
from kubecore.client.config_types import Config, ConfigError
from kubecore.client.errors import error_from_response
from kubecore.client.transport import SAFE_METHODS, ConnectError, Response, Transport
from kubecore.core.codec import json_dumps, json_loads

__all__ = [
    "LineStream",
    "NO_RETRY",
    "RESTClient",
    "RetryPolicy",
    "SAFE_METHODS",
    "parse_warning_header",
]

log = logging.getLogger("kubecore")


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long ``RESTClient`` retries a request.

    ``max_attempts`` counts every attempt (1 disables retries); the
    re-authentication after a 401 is not counted.  Sleeps add up to at most
    ``max_total_delay`` seconds: a ``Retry-After`` that would go beyond it is
    not waited for and the error is raised.  Without ``Retry-After`` the n-th
    sleep is uniform in ``[0, min(max_backoff, initial_backoff * 2**n)]``.
    """

    max_attempts: int = 5
    initial_backoff: float = 0.1
    max_backoff: float = 5.0
    max_total_delay: float = 30.0
    retry_statuses: frozenset[int] = frozenset({429, 500, 502, 503, 504})
    #: Retry 429 for POST/PATCH/PUT/DELETE too (the server did not process it).
    retry_429_any_verb: bool = True
    #: Retry connect errors/timeouts (the request was never sent) for every verb.
    retry_connect_errors: bool = True

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("RetryPolicy.max_attempts must be at least 1")
        if min(self.initial_backoff, self.max_backoff, self.max_total_delay) < 0:
            raise ValueError("RetryPolicy delays must not be negative")

    def backoff(self, retry_number: int, rand: Callable[[], float] = random.random) -> float:
        """The full-jitter sleep before retry ``retry_number`` (0-based)."""
        ceiling = min(self.max_backoff, self.initial_backoff * (2.0**retry_number))
        return rand() * ceiling


#: No retries at all (still one re-authentication after a 401).
NO_RETRY = RetryPolicy(max_attempts=1)


def parse_warning_header(value: str) -> list[tuple[int, str, str]]:
    """Parse one ``Warning`` header value: a list of (code, agent, text).

    The RFC 7234 grammar is ``code SP agent SP "quoted text" [SP "date"]``,
    several warnings separated by commas.  Malformed parts are skipped.
    """
    out: list[tuple[int, str, str]] = []
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i] in " \t,":
            i += 1
        if i >= n:
            break
        start = i
        while i < n and value[i] not in " \t,":
            i += 1
        code_text = value[start:i]
        while i < n and value[i] in " \t":
            i += 1
        start = i
        while i < n and value[i] not in " \t,":
            i += 1
        agent = value[start:i]
        while i < n and value[i] in " \t":
            i += 1
        text, i = _quoted(value, i)
        # An optional quoted warn-date.
        j = i
        while j < n and value[j] in " \t":
            j += 1
        if j < n and value[j] == '"':
            _, i = _quoted(value, j)
        # Skip to the next comma (anything else is garbage).
        while i < n and value[i] != ",":
            i += 1
        if len(code_text) == 3 and code_text.isdigit() and agent and text is not None:
            out.append((int(code_text), agent, text))
    return out


def _quoted(value: str, i: int) -> tuple[str | None, int]:
    """A quoted-string starting at ``value[i]``: (text, index after it) or (None, i)."""
    if i >= len(value) or value[i] != '"':
        return None, i
    i += 1
    chars: list[str] = []
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            chars.append(value[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(chars), i + 1
        chars.append(ch)
        i += 1
    return None, i


def _default_warning_handler(text: str) -> None:
    log.warning("server warning: %s", text)


def _is_loopback(host: str) -> bool:
    name = (urlsplit(host).hostname or "").strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def _environment_proxy(host: str) -> str | None:
    """The ``HTTPS_PROXY``/``HTTP_PROXY`` for ``host`` unless ``NO_PROXY`` covers it.

    As client-go (Go's ``ProxyFromEnvironment``): never for a loopback server.
    """
    if _is_loopback(host):
        return None
    import urllib.request  # only needed off loopback; it is not cheap to import

    parts = urlsplit(host)
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme.lower())
    if not proxy or urllib.request.proxy_bypass(parts.netloc):
        return None
    return proxy


class LineStream:
    """Lines (``bytes`` without the newline) of a streaming response.

    Iterate it; ``close()`` (or leaving a ``with`` block, or exhausting it)
    closes the HTTP response.
    """

    def __init__(self, response: Response) -> None:
        self.response = response
        self._lines = self._generate()
        self._closed = False

    def _generate(self) -> Generator[bytes, None, None]:
        pending = b""
        try:
            for chunk in self.response.iter_chunks():
                if not chunk:
                    continue
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    yield line.rstrip(b"\r")
            if pending:
                yield pending.rstrip(b"\r")
        finally:
            self.response.close()

    def __iter__(self) -> LineStream:
        return self

    def __next__(self) -> bytes:
        if self._closed:
            raise StopIteration
        try:
            return next(self._lines)
        except StopIteration:
            self._closed = True
            raise

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._lines.close()
        self.response.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> LineStream:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RESTClient:
    """Talks HTTP to one API server as one user (see the module docstring)."""

    def __init__(
        self,
        config: Config,
        *,
        retry: RetryPolicy | None = None,
        authenticator: Authenticator | None = None,
        warning_handler: Callable[[str], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._config = config
        self._retry = retry if retry is not None else RetryPolicy()
        self._auth = authenticator if authenticator is not None else Authenticator(config)
        self._warning_handler = warning_handler or _default_warning_handler
        self._sleep = sleep
        self._warned: set[str] = set()
        self._warn_lock = threading.Lock()
        self._headers = [
            ("User-Agent", config.user_agent),
            ("Accept", "application/json"),
            ("Accept-Encoding", "identity" if config.disable_compression else "gzip"),
        ]
        self._transport = self._build_transport()

    def _build_transport(self) -> Transport:
        cfg = self._config
        context = cfg.ssl_context(client_cert=self._auth.client_cert()) if cfg.uses_tls else None
        try:
            return Transport(
                cfg.host,
                ssl_context=context,
                server_hostname=cfg.tls_server_name,
                proxy_url=cfg.proxy_url or _environment_proxy(cfg.host),
                timeout=cfg.timeout,
            )
        except ValueError as exc:
            # A Config built by hand (or a proxy from the environment) skipped the checks
            # load_config makes: still a ConfigError naming the cluster and the files.
            cluster = f"cluster {cfg.cluster_name!r}" if cfg.cluster_name else "the server"
            files = f" (in {', '.join(cfg.source_files)})" if cfg.source_files else ""
            raise ConfigError(f"{cluster}{files}: {exc}") from None

    @property
    def config(self) -> Config:
        return self._config

    @property
    def authenticator(self) -> Authenticator:
        return self._auth

    @property
    def retry_policy(self) -> RetryPolicy:
        return self._retry

    # -- requests ----------------------------------------------------------------

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        body: Any = ...,
        content_type: str | None = ...,
        headers: Mapping[str, str] | None = ...,
        stream: Literal[False] = ...,
        idempotent: bool | None = ...,
        timeout: float | None = ...,
    ) -> bytes: ...

    @overload
    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = ...,
        body: Any = ...,
        content_type: str | None = ...,
        headers: Mapping[str, str] | None = ...,
        stream: Literal[True],
        idempotent: bool | None = ...,
        timeout: float | None = ...,
    ) -> Response: ...

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        idempotent: bool | None = None,
        timeout: float | None = None,
    ) -> bytes | Response:
        """Send a request; the body bytes, or the open response when ``stream``.

        ``body`` is ``bytes`` (sent as is) or anything JSON-encodable (dicts,
        models); ``content_type`` defaults to ``application/json``.  ``params``
        values that are lists repeat the parameter; booleans become
        ``true``/``false``.  ``timeout`` (seconds) overrides the configured one.
        A streamed response must be closed by the caller.  Raises ``ApiError``
        subclasses for non-2xx statuses and ``TransportError`` subclasses
        (``kubecore.client.transport``) for connection failures.
        """
        method = method.upper()
        content: bytes | None = None
        if body is not None:
            content = bytes(body) if isinstance(body, bytes | bytearray) else json_dumps(body)
            content_type = content_type or "application/json"
        retry_5xx = idempotent if idempotent is not None else method in SAFE_METHODS
        query = _query(params)
        target = f"{path}?{urlencode(query)}" if query else path
        extra_headers = [*self._headers, *(headers or {}).items()]
        if content_type:
            extra_headers.append(("Content-Type", content_type))

        policy = self._retry
        attempt = 0
        waited = 0.0
        reauthenticated = False
        while True:
            auth_headers = self._auth.headers()
            request_headers = [
                *extra_headers,
                *auth_headers.items(),
                *self._auth.impersonation_headers(),
            ]
            attempt += 1
            try:
                response = self._transport.send(
                    method, target, request_headers, content, timeout=timeout
                )
            except ConnectError as exc:
                delay = self._next_delay(attempt, waited, None)
                if not policy.retry_connect_errors or delay is None:
                    raise
                log.debug("%s %s: %s; retrying in %.3fs", method, path, type(exc).__name__, delay)
                waited += delay
                self._sleep(delay)
                continue

            self._handle_warnings(response)
            status = response.status
            if 200 <= status < 300:
                return response if stream else response.read()
            error = error_from_response(status, response.read(), dict(response.headers.items()))

            if status == 401 and not reauthenticated:
                reauthenticated = True
                attempt -= 1
                self._auth.on_unauthorized(auth_headers)
                log.debug("%s %s: 401, retrying with refreshed credentials", method, path)
                continue

            if status in policy.retry_statuses and (
                retry_5xx or (status == 429 and policy.retry_429_any_verb)
            ):
                delay = self._next_delay(attempt, waited, error.retry_after)
                if delay is not None:
                    log.debug("%s %s: %d; retrying in %.3fs", method, path, status, delay)
                    waited += delay
                    self._sleep(delay)
                    continue
            raise error

    def _next_delay(self, attempt: int, waited: float, retry_after: float | None) -> float | None:
        """The sleep before the next attempt, or None when no retry is left."""
        policy = self._retry
        if attempt >= policy.max_attempts:
            return None
        remaining = policy.max_total_delay - waited
        if retry_after is not None:
            return retry_after if retry_after <= remaining else None
        if remaining <= 0:
            return None
        return min(policy.backoff(attempt - 1), remaining)

    def _handle_warnings(self, response: Response) -> None:
        values = response.header_list("Warning")
        if not values:
            return
        for value in values:
            for code, _agent, text in parse_warning_header(value):
                if code != 299 or not text:
                    continue
                with self._warn_lock:
                    if text in self._warned:
                        continue
                    self._warned.add(text)
                try:
                    self._warning_handler(text)
                except Exception:  # a broken handler must not fail the request
                    log.exception("warning handler failed")

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path`` and decode the JSON body."""
        return json_loads(self.request("GET", path, params=params))

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send a request and decode the JSON body (``None`` when it is empty)."""
        data = self.request(
            method,
            path,
            params=params,
            body=body,
            content_type=content_type,
            idempotent=idempotent,
        )
        return json_loads(data) if data else None

    def stream_lines(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> LineStream:
        """GET ``path`` as a stream (watch, logs): an iterator of lines.

        Errors (non-2xx) are raised here, before iteration starts.
        """
        response = self.request("GET", path, params=params, stream=True, timeout=timeout)
        return LineStream(response)

    # -- lifetime ----------------------------------------------------------------

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> RESTClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_QueryItems = list[tuple[str, str | int | float | bool | None]]


def _query(params: Mapping[str, Any] | None) -> _QueryItems | None:
    if not params:
        return None
    out: _QueryItems = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if isinstance(item, bool):
                out.append((key, "true" if item else "false"))
            else:
                out.append((key, str(item)))
    return out
