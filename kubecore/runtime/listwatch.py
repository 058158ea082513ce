"""How a reflector lists and watches one collection (client-go's ``cache.ListWatch``).

:class:`ListWatch` adapts a typed resource client (``cs.core_v1.pods("ns")``), a dynamic
``ResourceInterface``, or any object with the same ``list`` and ``open_watch`` verbs, to two
calls: one page of a list, and one watch connection. Every source is watched the same way,
through its ``open_watch()`` (client-go's ``Watch``: one connection, every event, BOOKMARKs
included), never through the resuming ``watch()``, which consumes BOOKMARKs as client-go's
``RetryWatcher`` does: the reflector needs them to advance its resourceVersion, so that a
watch cut while nothing changed in its collection resumes from the last bookmark instead of
an old version the server may have compacted away (which would cost a relist). The clients
over HTTP and the fake clientsets (the real clients over an in-process ``RESTClient``)
share that one path, WatchList included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kubecore.client.unstructured import Unstructured
from kubecore.client.watch import WatchHandle

__all__ = ["ListOptions", "ListPage", "ListWatch", "TweakListOptions", "WatchHandle"]

T = TypeVar("T")


@dataclass
class ListOptions:
    """The list options an informer's list and watch share (``metav1.ListOptions``' selectors).

    ``tweak_list_options`` callables of informer factories receive one and change it in place.
    """

    label_selector: str | None = None
    field_selector: str | None = None


TweakListOptions = Callable[[ListOptions], None]

#: ``(limit, continue_, resource_version, resource_version_match) -> (items,
#: resourceVersion, continue token)``: one page of a list (see :class:`ListWatch`).
ListPage = Callable[[int | None, str | None, str, str], tuple[list[T], str, str | None]]


class ListWatch(Generic[T]):
    """List pages and watch connections of one collection, with fixed selectors.

    Build one with :meth:`for_client` (typed) or :meth:`for_dynamic`; or give the callables:
    ``list_page(limit, continue_, resource_version, resource_version_match) -> (items,
    resourceVersion, continue token)`` (client-go's ``ListFunc``; ``""`` leaves
    ``resourceVersion`` or ``resourceVersionMatch`` unset, ``None`` leaves ``limit`` or
    ``continue`` unset) and ``watch(resource_version, send_initial_events) -> WatchHandle``.
    The reflector decides the versions (see :mod:`kubecore.runtime.reflector`).
    """

    def __init__(
        self,
        list_page: ListPage[T],
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
        """A typed resource client (or any object with its ``list`` and ``open_watch``
        verbs): ``list()`` pages are typed lists, events typed objects. Raises ``TypeError``
        for a client without ``open_watch``."""
        opts = options or ListOptions()

        def list_page(
            limit: int | None, token: str | None, resource_version: str, match: str
        ) -> tuple[list[Any], str, str | None]:
            listed = client.list(
                label_selector=opts.label_selector,
                field_selector=opts.field_selector,
                limit=limit,
                continue_=token,
                **_version_options(resource_version, match),
            )
            meta = getattr(listed, "metadata", None)
            return (
                list(getattr(listed, "items", None) or ()),
                getattr(meta, "resource_version", None) or "",
                getattr(meta, "continue_", None) or None,
            )

        return cls._with_watch(client, opts, list_page)

    @classmethod
    def for_dynamic(
        cls, resource: Any, options: ListOptions | None = None
    ) -> ListWatch[Unstructured]:
        """A dynamic ``ResourceInterface``: every object is an ``Unstructured``. Raises
        ``TypeError`` for an object without ``open_watch``."""
        opts = options or ListOptions()

        def list_page(
            limit: int | None, token: str | None, resource_version: str, match: str
        ) -> tuple[list[Unstructured], str, str | None]:
            listed = resource.list(
                label_selector=opts.label_selector,
                field_selector=opts.field_selector,
                limit=limit,
                continue_=token,
                **_version_options(resource_version, match),
            )
            return list(listed.items), listed.resource_version, listed.continue_ or None

        return cls._with_watch(resource, opts, list_page)

    @classmethod
    def _with_watch(
        cls,
        client: Any,
        opts: ListOptions,
        list_page: ListPage[Any],
    ) -> ListWatch[Any]:
        open_watch = getattr(client, "open_watch", None)
        if not callable(open_watch):
            raise TypeError(
                f"{type(client).__name__} has no open_watch(): an informer watches through "
                "open_watch (every event, BOOKMARKs included), not the resuming watch(); "
                "give ListWatch(list_page, watch) callables for other sources"
            )

        def watch(resource_version: str, send_initial_events: bool) -> WatchHandle[Any]:
            handle: WatchHandle[Any] = open_watch(
                resource_version=resource_version,
                label_selector=opts.label_selector,
                field_selector=opts.field_selector,
                allow_bookmarks=True,
                send_initial_events=send_initial_events,
            )
            return handle

        return cls(list_page, watch, supports_watch_list=True, description=_describe(client))


def _version_options(resource_version: str, match: str) -> dict[str, str]:
    """The ``list()`` keywords for a version and a match ("" leaves either unset, so a
    source whose ``list`` predates ``resource_version_match`` still works without one)."""
    options = {}
    if resource_version:
        options["resource_version"] = resource_version
    if match:
        options["resource_version_match"] = match
    return options


def _describe(client: Any) -> str:
    """A name for logs: ``virtualmachines.cloud.waibizi.com/v1 in "default"`` and the like."""
    info = getattr(client, "resource", None)  # typed clients: a ResourceInfo
    gvr = getattr(client, "gvr", None)  # dynamic resource interfaces
    if info is not None and hasattr(info, "plural"):
        what = f"{info.plural}.{info.group or 'core'}/{info.version}"
        namespace = getattr(client, "namespace", "")
    elif gvr is not None:
        what = f"{gvr.resource}.{gvr.group or 'core'}/{gvr.version}"
        namespace = getattr(client, "namespace_name", "")
    else:
        return type(client).__name__
    return f"{what} in {namespace!r}" if namespace else what
