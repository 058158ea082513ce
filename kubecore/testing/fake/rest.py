"""An in-process REST backend: the real clients' requests become actions, no sockets.

:class:`FakeRESTClient` stands where a :class:`~kubecore.client.rest.RESTClient` stands
under the generated typed clients and the dynamic client. Each request (method, path,
query, body) is turned into an :class:`~kubecore.testing.fake.actions.Action` and run
through the :class:`~kubecore.testing.fake.fake.Fake`'s reactor chain; the answer is
encoded to JSON and handed back to the client, which decodes it exactly as it decodes a
server's answer. So the fake clients *are* the real clients (same verbs, same decoding,
same Protocols, same typed errors); only the transport differs.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, cast
from urllib.parse import parse_qsl, urlsplit

from kubecore.client.config import Config
from kubecore.client.errors import ApiError as ClientApiError
from kubecore.client.rest import NO_RETRY, LineStream, RESTClient
from kubecore.client.transport import ReadTimeout, Response
from kubecore.client.unstructured import GroupVersionResource
from kubecore.core.codec import json_dumps, json_loads
from kubecore.core.scheme import Scheme
from kubecore.testing.discovery import ResourceTable
from kubecore.testing.fake.actions import Action
from kubecore.testing.fake.fake import Fake
from kubecore.testing.fake.tracker_reactions import client_error, wire
from kubecore.testing.tracker import ApiError

__all__ = ["FakeRESTClient"]

FAKE_HOST = "http://fake.kubecore.invalid"


class FakeRESTClient(RESTClient):
    """A ``RESTClient`` that answers from a :class:`Fake` instead of HTTP.

    ``table`` says which resources exist (paths of other resources get 404, as from a
    server), ``scheme`` (optional) types the objects recorded in actions.
    """

    def __init__(self, fake: Fake, table: ResourceTable, scheme: Scheme | None = None) -> None:
        # No transport, no credentials: RESTClient.__init__ is deliberately not called.
        self._config = Config(host=FAKE_HOST)
        self._retry = NO_RETRY
        self._fake = fake
        self._table = table
        self._scheme = scheme

    def request(  # type: ignore[override]
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
        """Run the request as an action; the body bytes (or a stream, when ``stream``).

        Errors are the typed errors a server's answer would raise
        (``kubecore.client.errors``).
        """
        action = self._action(method.upper(), path, _query(params), _body(body), content_type)
        if action.verb == "watch":
            return cast(Response, _StreamResponse(self._watch_events(action), timeout))
        obj, err = self._fake.invokes(action)
        if err is not None:
            raise client_error(err) if isinstance(err, ApiError) else err
        if stream:
            lines = obj if isinstance(obj, Iterator) else iter([obj] if obj else [])
            return cast(Response, _StreamResponse(_text_chunks(lines)))
        return _encode(obj)

    def stream_lines(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        timeout: float | None = None,
    ) -> LineStream:
        response = self.request("GET", path, params=params, stream=True, timeout=timeout)
        return LineStream(cast(Response, response))

    def close(self) -> None:
        return None

    # -- requests -> actions ---------------------------------------------------------------

    def _watch_events(self, action: Action) -> Iterator[bytes]:
        events, err = self._fake.invokes_watch(action)
        if err is not None:
            raise client_error(err) if isinstance(err, ApiError) else err
        return _event_chunks(events or ())

    def _action(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
        content_type: str | None,
    ) -> Action:
        split = urlsplit(path)
        if split.query:
            query = {**dict(parse_qsl(split.query)), **query}
        parts = [p for p in split.path.split("/") if p]
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise _not_found()
        namespace = ""
        if len(rest) >= 3 and rest[0] == "namespaces":
            inner = self._table.get(group, version, rest[2])
            if inner is not None and inner.namespaced:
                namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise _not_found()
        gvr = GroupVersionResource(group, version, rest[0])
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        common: dict[str, Any] = {
            "resource": gvr,
            "namespace": namespace,
            "name": name,
            "subresource": sub,
            "params": query,
            "label_selector": query.get("labelSelector"),
            "field_selector": query.get("fieldSelector"),
            "resource_version": query.get("resourceVersion"),
        }
        if method in ("GET", "HEAD"):
            if name:
                return Action("get", **common)
            watching = query.get("watch") in ("1", "true")
            return Action("watch" if watching else "list", **common)
        if method == "POST":
            return Action("create", object=self._typed(gvr, sub, body), **common)
        if method == "PUT":
            return Action("update", object=self._typed(gvr, sub, body), **common)
        if method == "PATCH":
            patch_type = (content_type or "").split(";")[0].strip()
            return Action("patch", patch=body, patch_type=patch_type, **common)
        if method == "DELETE":
            verb = "delete" if name else "delete-collection"
            return Action(verb, options=body, **common)
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported here")

    def _typed(self, gvr: GroupVersionResource, sub: str, body: Any) -> Any:
        """The body as the model the scheme has for its kind (else the JSON data)."""
        if self._scheme is None or not isinstance(body, dict):
            return body
        resource = self._table.get(gvr.group, gvr.version, gvr.resource)
        if resource is not None and sub in ("", "status"):
            body = {"apiVersion": resource.group_version, "kind": resource.kind, **body}
        return self._scheme.from_dict(body, copy=False)


class _StreamResponse:
    """What ``LineStream`` and the watch client read from a response: ``iter_chunks``,
    ``close``, ``set_read_timeout`` and ``abort`` (the transport's streaming Response)."""

    status = 200

    def __init__(self, chunks: Iterator[bytes], read_timeout: float | None = None) -> None:
        self._chunks = chunks
        self._closed = False
        self._read_timeout = read_timeout
        self._last_data = time.monotonic()

    def iter_chunks(self) -> Iterator[bytes]:
        """The chunks; an idle tick (``b""``, about once a second) past the read timeout
        since the last data raises ``ReadTimeout``, as a silent socket would."""
        for chunk in self._chunks:
            if self._closed:
                break
            now = time.monotonic()
            if chunk:
                self._last_data = now
            elif self._read_timeout is not None and now - self._last_data > self._read_timeout:
                raise ReadTimeout("timed out waiting for the stream")
            yield chunk

    def set_read_timeout(self, seconds: float | None) -> None:
        """Bound the wait for the next data to ``seconds`` from now (None: no bound)."""
        self._read_timeout = seconds
        self._last_data = time.monotonic()

    def abort(self) -> None:
        """End the stream from any thread: the reader stops at its next event or idle tick
        (at most about a second later; there is no socket to shut down)."""
        self._closed = True

    def close(self) -> None:
        # Usually called from the consuming thread; from another one, the stream notices
        # the flag at its next event or idle tick (at most a second later).
        self._closed = True
        close = getattr(self._chunks, "close", None)
        if close is not None:
            try:
                close()
            except ValueError:  # the generator is running in another thread
                pass

    def read(self) -> bytes:
        return b"".join(self.iter_chunks())


def _event_chunks(events: Iterable[tuple[str, Any]]) -> Iterator[bytes]:
    try:
        for event_type, obj in events:
            if not event_type:
                yield b""  # an idle tick: LineStream skips it
                continue
            yield json_dumps({"type": event_type, "object": wire(obj)}) + b"\n"
    finally:
        close = getattr(events, "close", None)
        if close is not None:
            close()


def _text_chunks(lines: Iterator[Any]) -> Iterator[bytes]:
    for line in lines:
        yield str(line).encode()


def _not_found() -> ClientApiError:
    return client_error(
        ApiError(404, "NotFound", "the server could not find the requested resource")
    )


def _query(params: Mapping[str, Any] | None) -> dict[str, str]:
    """Query parameters as the server sees them (the last of repeated values wins)."""
    out: dict[str, str] = {}
    for key, value in (params or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if item is None:
                continue
            out[key] = ("true" if item else "false") if isinstance(item, bool) else str(item)
    return out


def _body(body: Any) -> Any:
    """The JSON data a server would decode from the request body."""
    if body is None:
        return None
    if isinstance(body, bytes | bytearray):
        if not body:
            return None
        try:
            return json_loads(bytes(body))
        except Exception:
            from kubecore.core.yamlio import load

            return load(bytes(body))
    return json_loads(json_dumps(body))


def _encode(obj: Any) -> bytes:
    """A reaction's answer as the bytes a server would send (nothing: ``{}``, as client-go's
    typed fakes return an empty object)."""
    if obj is None:
        return b"{}"
    if isinstance(obj, str):
        return obj.encode()
    if isinstance(obj, bytes):
        return obj
    return json_dumps(wire(obj))
