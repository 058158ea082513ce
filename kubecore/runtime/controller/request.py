"""What a reconciler receives and returns (controller-runtime's ``reconcile.Request`` and
``reconcile.Result``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Request", "Result", "TerminalError"]


@dataclass(frozen=True, slots=True)
class Request:
    """The object to reconcile: ``namespace`` ("" for cluster-scoped kinds) and ``name``.

    Only the key, never the object: the reconciler reads the current state from a lister
    (or the server), so it always acts on the latest state (level-triggered). Hashable,
    so the workqueue deduplicates requests. ``str(request)`` is the ``namespace/name`` key.
    """

    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}" if self.namespace else self.name

    @property
    def key(self) -> str:
        """The cache key (``namespace/name``), as listers and ``Indexer.get_by_key`` use."""
        return str(self)


@dataclass(frozen=True, slots=True)
class Result:
    """What to do after a successful reconcile.

    ``requeue_after`` (seconds, > 0): reconcile again after that long (the rate limiter's
    backoff is reset first, as controller-runtime does). ``requeue``: reconcile again
    after the rate limiter's delay (backing off). Both unset, or returning ``None``: done
    until the next event.
    """

    requeue: bool = False
    requeue_after: float = 0.0


class TerminalError(Exception):
    """Raise it (or ``raise TerminalError(...) from err``) for an error that retrying cannot
    fix: it is logged and counted, but the request is not requeued (controller-runtime's
    ``reconcile.TerminalError``)."""
