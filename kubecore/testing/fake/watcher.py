"""A watch a test drives by hand (client-go's ``watch.NewFake()`` / ``watch.FakeWatcher``)."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from typing import Any

__all__ = ["FakeWatcher"]

_STOP = ("", None)


class FakeWatcher:
    """Events pushed with :meth:`add`, :meth:`modify`, :meth:`delete`, :meth:`error`,
    :meth:`bookmark`; iterating yields ``(type, object)`` until :meth:`stop`.

    Return it from a watch reactor::

        watcher = FakeWatcher()
        fake.prepend_watch_reactor("virtualmachines", lambda action: (True, watcher, None))
        watcher.add(vm)        # the client's watch() yields an ADDED event for vm

    Objects are models, ``Unstructured`` or JSON dicts. Pushing never blocks.
    """

    def __init__(self) -> None:
        self._events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self._stopped = False

    def add(self, obj: Any) -> None:
        self._events.put(("ADDED", obj))

    def modify(self, obj: Any) -> None:
        self._events.put(("MODIFIED", obj))

    def delete(self, obj: Any) -> None:
        self._events.put(("DELETED", obj))

    def bookmark(self, obj: Any) -> None:
        self._events.put(("BOOKMARK", obj))

    def error(self, status: Any) -> None:
        """An ERROR event; ``status`` is a ``meta/v1 Status`` (model or dict)."""
        self._events.put(("ERROR", status))

    def stop(self) -> None:
        """End the stream (after the events already pushed)."""
        self._stopped = True
        self._events.put(_STOP)

    @property
    def stopped(self) -> bool:
        return self._stopped

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        """The pushed events; ends at :meth:`stop` (at once for a stopped watcher that
        is iterated again, as a client re-watching it would)."""
        while True:
            event = self._events.get()
            if event == _STOP:
                self._events.put(_STOP)  # every later iteration ends too
                return
            yield event
