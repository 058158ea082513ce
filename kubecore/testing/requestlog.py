"""What a :class:`~kubecore.testing.TestApiServer` was asked: ``server.requests``.

Tests count requests on the server side with it (how many lists an informer made, which
``resourceVersion`` a watch resumed from), instead of trusting the client's own account::

    lists = [r for r in server.requests.entries() if r.path == VMS and not r.is_watch]
    watches = [r.query.get("resourceVersion") for r in server.requests.entries() if r.is_watch]

Only the request line is kept (method, path, query; never bodies or credentials), for the
last ``maxlen`` requests, so a long-running server's memory stays bounded.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from kubecore.testing.httpio import query_flag

__all__ = ["RecordedRequest", "RequestLog"]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as it arrived: ``path`` without the query, ``query`` parsed (the last of
    repeated parameters wins, as the server reads them)."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)

    @property
    def is_watch(self) -> bool:
        """A watch request: ``watch`` set to anything but ``0``/``false`` (apimachinery's
        boolean parameter rule)."""
        return bool(query_flag(self.query, "watch"))


class RequestLog:
    """The last ``maxlen`` requests a server received, oldest first; thread-safe."""

    def __init__(self, maxlen: int = 10_000) -> None:
        self._lock = threading.Lock()
        # (method, request target) as received: parsed when read (:meth:`entries`), so
        # that every request does not pay for a parse only tests ever look at.
        self._entries: deque[tuple[str, str]] = deque(maxlen=maxlen)

    def record(self, method: str, target: str) -> None:
        """Note a request by its method and request target (path and query, as sent)."""
        with self._lock:
            self._entries.append((method, target))

    def entries(self) -> list[RecordedRequest]:
        """A snapshot, oldest first."""
        with self._lock:
            raw = list(self._entries)
        return [_parsed(method, target) for method, target in raw]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def _parsed(method: str, target: str) -> RecordedRequest:
    split = urlsplit(target)
    query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
    return RecordedRequest(method, split.path, query)
