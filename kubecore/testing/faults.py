"""Fault injection for client tests: canned error responses, delays and dropped watches.

```python
server.faults.respond(status=429, retry_after=0.3)        # the next request gets a 429
server.faults.respond(status=500, times=2, method="GET")  # the next two GETs get a 500
server.faults.delay(1.5, path_prefix="/api/v1/pods")      # the next matching request waits
server.faults.drop_watches_after(2)                       # the next watch dies after 2 events
server.faults.cut_watches()                               # the watches open now die
```

Every rule fires ``times`` times (``None``: until :meth:`Faults.clear`) on the requests it
matches (``path_prefix`` against the URL path, ``method`` against the HTTP verb), oldest
rule first; :meth:`Faults.cut_watches` acts at once on the watches open when called. All
methods are thread-safe.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


@dataclass
class _Rule:
    kind: str  # "respond", "delay", "drop_watch"
    times: int | None
    path_prefix: str | None
    method: str | None
    status: int = 0
    retry_after: float | None = None
    message: str = ""
    seconds: float = 0.0
    events: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


class OpenWatch:
    """A watch stream the server is serving, as :meth:`Faults.cut_watches` sees it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._cut = threading.Event()

    def cut(self) -> None:
        self._cut.set()

    def is_cut(self) -> bool:
        return self._cut.is_set()


@dataclass(frozen=True)
class Response:
    """A canned error response: status code, ``Status`` body and headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str]


class Faults:
    """The fault rules of one :class:`~kubecore.testing.TestApiServer` (``server.faults``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self.fired: list[tuple[str, str, str]] = []  # (kind, method, path) of each fault
        self._open: list[OpenWatch] = []

    # -- configuring ------------------------------------------------------------------------

    def respond(
        self,
        status: int,
        *,
        retry_after: float | None = None,
        times: int | None = 1,
        path_prefix: str | None = None,
        method: str | None = None,
        message: str = "",
    ) -> None:
        """Answer matching requests with ``status`` and a ``Status`` body instead of serving."""
        self._add(
            _Rule(
                "respond",
                times,
                path_prefix,
                method,
                status=status,
                retry_after=retry_after,
                message=message,
            )
        )

    def delay(
        self,
        seconds: float,
        *,
        times: int | None = 1,
        path_prefix: str | None = None,
        method: str | None = None,
    ) -> None:
        """Wait ``seconds`` before serving matching requests."""
        self._add(_Rule("delay", times, path_prefix, method, seconds=seconds))

    def drop_watches_after(
        self, n_events: int, *, times: int | None = 1, path_prefix: str | None = None
    ) -> None:
        """Close matching watch streams abruptly (no final chunk) after ``n_events`` events."""
        self._add(_Rule("drop_watch", times, path_prefix, "GET", events=n_events))

    def cut_watches(self, *, path_prefix: str | None = None) -> int:
        """Close the matching watch streams open now abruptly (no final chunk), as a dropped
        connection: each at its next event or idle tick (within about a second). Later
        watches are not affected. Returns how many streams were cut."""
        with self._lock:
            cut = [w for w in self._open if path_prefix is None or w.path.startswith(path_prefix)]
            for watch in cut:
                watch.cut()
                self.fired.append(("cut_watch", "GET", watch.path))
        return len(cut)

    def clear(self) -> None:
        """Forget every rule that has not fired yet."""
        with self._lock:
            self._rules.clear()

    @property
    def pending(self) -> int:
        """How many rules can still fire."""
        with self._lock:
            return len(self._rules)

    def _add(self, rule: _Rule) -> None:
        if rule.times is not None and rule.times <= 0:
            raise ValueError("times must be positive (or None for always)")
        with self._lock:
            self._rules.append(rule)

    # -- used by the server -----------------------------------------------------------------

    def _take(self, kind: str, method: str, path: str) -> _Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.kind == kind and rule.matches(method, path):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times == 0:
                            self._rules.remove(rule)
                    self.fired.append((kind, method, path))
                    return rule
        return None

    def delay_for(self, method: str, path: str) -> float:
        rule = self._take("delay", method, path)
        return rule.seconds if rule is not None else 0.0

    def response_for(self, method: str, path: str) -> Response | None:
        rule = self._take("respond", method, path)
        if rule is None:
            return None
        reason = _REASONS.get(rule.status, "Unknown")
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": rule.message or f"injected fault: {rule.status} {reason}",
            "reason": reason,
            "code": rule.status,
        }
        headers: dict[str, str] = {}
        if rule.retry_after is not None:
            seconds = rule.retry_after
            headers["Retry-After"] = str(int(seconds)) if seconds == int(seconds) else str(seconds)
            body["details"] = {"retryAfterSeconds": math.ceil(seconds)}
        return Response(rule.status, body, headers)

    def watch_opened(self, path: str) -> OpenWatch:
        """Register a watch stream being served (until :meth:`watch_closed`)."""
        watch = OpenWatch(path)
        with self._lock:
            self._open.append(watch)
        return watch

    def watch_closed(self, watch: OpenWatch) -> None:
        with self._lock:
            if watch in self._open:
                self._open.remove(watch)

    def watch_drop_after(self, path: str) -> int | None:
        rule = self._take("drop_watch", "GET", path)
        return rule.events if rule is not None else None
