"""Watching: typed events from a line-delimited stream, resumed after dropped connections.

``watch_events`` is client-go's RetryWatcher in one generator: it follows the last
resourceVersion it saw (from objects and BOOKMARKs), reconnects from there when the
connection drops or the server ends the stream early, and raises ``Gone`` when the server
says that version is too old (HTTP 410 or an ERROR event with code 410): the caller relists.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from kubecore.client.errors import ApiError, Gone, error_from_response
from kubecore.client.rest import RESTClient
from kubecore.client.transport import TransportError
from kubecore.core.codec import json_dumps, json_loads

T = TypeVar("T")

ADDED, MODIFIED, DELETED, BOOKMARK, ERROR = "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"


class WatchEvent(Generic[T]):
    """One watch event: ``type`` is ADDED, MODIFIED, DELETED, BOOKMARK or ERROR."""

    __slots__ = ("type", "object", "raw")

    def __init__(self, type: str, object: T, raw: dict[str, Any]) -> None:
        self.type = type
        self.object = object
        self.raw = raw  # the wire event, for objects the decoder did not type

    def __repr__(self) -> str:
        return f"WatchEvent({self.type}, {self.object!r})"


def watch_events(
    rest: RESTClient,
    path: str,
    params: Mapping[str, Any],
    decode: Callable[[dict[str, Any]], T],
    *,
    resource_version: str | None = None,
    timeout_seconds: float | None = None,
    reconnect_delay: float = 0.2,
) -> Iterator[WatchEvent[T]]:
    """Yield typed events until ``timeout_seconds`` pass (forever if None) or the caller stops."""
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    last_rv = resource_version
    failures = 0
    while deadline is None or time.monotonic() < deadline:
        query = dict(params, watch="true")
        if last_rv:
            query["resourceVersion"] = last_rv
        if deadline is not None:
            query["timeoutSeconds"] = max(1, int(deadline - time.monotonic() + 0.999))
        try:
            with rest.stream_lines(path, query) as lines:
                failures = 0
                for line in lines:
                    if not line.strip():
                        continue
                    raw = json_loads(line)
                    kind, obj = raw.get("type"), raw.get("object") or {}
                    if kind == ERROR:
                        raise _error_event(obj)
                    rv = (obj.get("metadata") or {}).get("resourceVersion")
                    if rv:
                        last_rv = rv
                    yield WatchEvent(kind, decode(obj), raw)  # a BOOKMARK carries only metadata
        except Gone:
            raise
        except ApiError as err:
            if err.status not in (429, 500, 502, 503, 504):
                raise
            failures += 1
        except TransportError:
            failures += 1  # the connection dropped: resume from the last seen version
        if failures > 5:
            raise ConnectionError(f"watch of {path} failed {failures} times in a row")
        if failures:
            time.sleep(min(reconnect_delay * 2 ** (failures - 1), 5.0))


def _error_event(status: dict[str, Any]) -> ApiError:
    code = int(status.get("code") or 500)
    return error_from_response(code, json_dumps(status), {})
