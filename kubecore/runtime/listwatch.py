"""How a reflector lists and watches one collection (client-go's ``cache.ListWatch``).

:class:`ListWatch` adapts a typed resource client (``cs.core_v1.pods("ns")``) or a dynamic
``ResourceInterface`` to two calls: one page of a list, and one watch connection. Clients
that talk HTTP through a ``RESTClient`` are watched with :class:`~kubecore.client.watch.Watcher`
directly (one connection at a time, stoppable from another thread, WatchList capable);
other clients (fakes) are watched through their public ``watch()``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from kubecore.client.rest import RESTClient
from kubecore.client.unstructured import Unstructured
from kubecore.client.watch import Watcher, WatchEvent

__all__ = ["ListOptions", "ListWatch", "TweakListOptions", "WatchHandle"]

T = TypeVar("T")

#: How long one watch of a client without HTTP (a fake) lasts before it is re-watched; it
#: bounds how late such a watch notices ``stop``.
_FALLBACK_WATCH_SECONDS = 1.0


@dataclass
class ListOptions:
    """The list options an informer's list and watch share (``metav1.ListOptions``' selectors).

    ``tweak_list_options`` callables of informer factories receive one and change it in place.
    """

    label_selector: str | None = None
    field_selector: str | None = None


TweakListOptions = Callable[[ListOptions], None]


class WatchHandle(Protocol[T]):
    """One running watch: iterate its events; ``stop()`` from any thread ends it."""

    def __iter__(self) -> Iterator[WatchEvent[T]]: ...

    def stop(self) -> None: ...


class _IteratorWatch(Generic[T]):
    """A client's own ``watch()`` iterator, made stoppable between events."""

    def __init__(self, events: Iterator[WatchEvent[T]]) -> None:
        self._events = events
        self._stopped = threading.Event()

    def __iter__(self) -> Iterator[WatchEvent[T]]:
        for event in self._events:
            if self._stopped.is_set():
                return
            yield event

    def stop(self) -> None:
        self._stopped.set()


class ListWatch(Generic[T]):
    """List pages and watch connections of one collection, with fixed selectors.

    Build one with :meth:`for_client` (typed) or :meth:`for_dynamic`; or give the callables:
    ``list_page(limit, continue_) -> (items, resourceVersion, continue token)`` and
    ``watch(resource_version, send_initial_events) -> WatchHandle``.
    """

    def __init__(
        self,
        list_page: Callable[[int | None, str | None], tuple[list[T], str, str | None]],
        watch: Callable[[str, bool], WatchHandle[T]],
        *,
        supports_watch_list: bool = False,
        description: str = "",
    ) -> None:
        self.list_page = list_page
        self.watch = watch
        #: Whether :meth:`watch` can stream the initial state (``send_initial_events``).
        self.supports_watch_list = supports_watch_list
        self.description = description

    @classmethod
    def for_client(cls, client: Any, options: ListOptions | None = None) -> ListWatch[Any]:
        """A typed resource client: ``list()`` pages are typed lists, events typed objects."""
        opts = options or ListOptions()

        def list_page(limit: int | None, token: str | None) -> tuple[list[Any], str, str | None]:
            listed = client.list(
                label_selector=opts.label_selector,
                field_selector=opts.field_selector,
                limit=limit,
                continue_=token,
            )
            meta = getattr(listed, "metadata", None)
            return (
                list(getattr(listed, "items", None) or ()),
                getattr(meta, "resource_version", None) or "",
                getattr(meta, "continue_", None) or None,
            )

        def decode(data: dict[str, Any]) -> Any:
            return client.model.from_dict(data, copy=False)

        return cls._with_watch(client, opts, decode, list_page)

    @classmethod
    def for_dynamic(
        cls, resource: Any, options: ListOptions | None = None
    ) -> ListWatch[Unstructured]:
        """A dynamic ``ResourceInterface``: every object is an ``Unstructured``."""
        opts = options or ListOptions()

        def list_page(
            limit: int | None, token: str | None
        ) -> tuple[list[Unstructured], str, str | None]:
            listed = resource.list(
                label_selector=opts.label_selector,
                field_selector=opts.field_selector,
                limit=limit,
                continue_=token,
            )
            return list(listed.items), listed.resource_version, listed.continue_ or None

        return cls._with_watch(resource, opts, Unstructured, list_page)

    @classmethod
    def _with_watch(
        cls,
        client: Any,
        opts: ListOptions,
        decode: Callable[[dict[str, Any]], Any],
        list_page: Callable[[int | None, str | None], tuple[list[Any], str, str | None]],
    ) -> ListWatch[Any]:
        rest = getattr(client, "_rest", None)
        path_of = getattr(client, "_path", None)
        params: dict[str, Any] = {"allowWatchBookmarks": "true"}
        if opts.label_selector:
            params["labelSelector"] = opts.label_selector
        if opts.field_selector:
            params["fieldSelector"] = opts.field_selector
        if isinstance(rest, RESTClient) and callable(path_of):
            path = _collection_path(path_of)

            def watch(resource_version: str, send_initial_events: bool) -> WatchHandle[Any]:
                return Watcher(
                    rest,
                    path,
                    params,
                    decode,
                    resource_version=resource_version,
                    send_initial_events=send_initial_events,
                    resume=False,
                )

            return cls(list_page, watch, supports_watch_list=True, description=path)

        def watch_fallback(resource_version: str, send_initial_events: bool) -> WatchHandle[Any]:
            if send_initial_events:
                raise NotImplementedError("this client cannot stream lists")
            return _IteratorWatch(
                client.watch(
                    resource_version=resource_version,
                    label_selector=opts.label_selector,
                    field_selector=opts.field_selector,
                    timeout_seconds=_FALLBACK_WATCH_SECONDS,
                )
            )

        return cls(list_page, watch_fallback, description=type(client).__name__)


def _collection_path(path_of: Callable[..., str]) -> str:
    try:
        return path_of(collection=True)  # typed clients
    except TypeError:
        return path_of()  # dynamic resource interfaces
