"""The generic core of generated informer factories (client-go's ``informers`` package and
``internalinterfaces``).

A generated ``SharedInformerFactory`` (informer-gen) subclasses :class:`SharedInformerFactory`
and adds one attribute per group-version; each group-version's resource methods return a
:class:`ResourceInformer` bound to the resource's model, client getter and lister class. The
factory makes at most one informer per resource however often it is asked (the "shared" in
shared informers), and ``start`` starts the ones not started yet.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kubecore.runtime.informer import SharedIndexInformer
from kubecore.runtime.listwatch import ListOptions, ListWatch, TweakListOptions
from kubecore.runtime.store import Indexer

__all__ = ["ResourceInformer", "SharedInformerFactory"]

T = TypeVar("T")
L = TypeVar("L")


class SharedInformerFactory:
    """Informers for one clientset, shared by resource (see the module docstring).

    ``client`` is the clientset (real or fake); ``resync_period`` seconds (0: never) is the
    informers' default; ``namespace`` limits every informer to one namespace (None: all);
    ``tweak_list_options`` changes the :class:`~kubecore.runtime.listwatch.ListOptions` of
    every list and watch (selectors), as client-go's ``WithTweakListOptions``.
    """

    def __init__(
        self,
        client: Any,
        resync_period: float = 30.0,
        namespace: str | None = None,
        tweak_list_options: TweakListOptions | None = None,
    ) -> None:
        self.client = client
        self.resync_period = resync_period
        self.namespace = namespace
        self.tweak_list_options = tweak_list_options
        self._lock = threading.Lock()
        self._informers: dict[Any, SharedIndexInformer[Any]] = {}
        self._started: dict[Any, threading.Thread] = {}

    def list_options(self) -> ListOptions:
        """Fresh list options with the factory's tweak applied."""
        options = ListOptions()
        if self.tweak_list_options is not None:
            self.tweak_list_options(options)
        return options

    def informer_for(
        self, key: Any, new_informer: Callable[[], SharedIndexInformer[T]]
    ) -> SharedIndexInformer[T]:
        """The informer registered under ``key``, made by ``new_informer()`` the first time."""
        with self._lock:
            informer = self._informers.get(key)
            if informer is None:
                informer = self._informers[key] = new_informer()
            return informer

    def start(self, stop: threading.Event) -> None:
        """Run every informer asked for so far and not yet started, each in its own thread,
        until ``stop`` is set (client-go's ``Start``; call again after asking for more)."""
        with self._lock:
            for key, informer in self._informers.items():
                if key not in self._started:
                    self._started[key] = informer.start(stop)

    def wait_for_cache_sync(self, stop: threading.Event) -> dict[Any, bool]:
        """Wait until every started informer has synced or ``stop`` is set; returns
        ``{key: synced}`` (keys are model classes for generated factories)."""
        with self._lock:
            started = {key: self._informers[key] for key in self._started}
        result: dict[Any, bool] = {}
        for key, informer in started.items():
            while not informer.has_synced() and not stop.wait(0.05):
                pass
            result[key] = informer.has_synced()
        return result

    def shutdown(self, timeout: float = 10.0) -> None:
        """Wait for the started informers to end (set their ``stop`` first)."""
        with self._lock:
            threads = list(self._started.values())
        for thread in threads:
            thread.join(timeout)


class ResourceInformer(Generic[T, L]):
    """One resource's informer and lister from a factory (client-go's ``<Kind>Informer``).

    Generated code binds the model class, a ``client_for(clientset, namespace)`` that
    returns the resource client, the lister class and the resource's group and plural.
    """

    def __init__(
        self,
        factory: SharedInformerFactory,
        model: type[T],
        client_for: Callable[[Any, str], Any],
        lister_class: Callable[[Indexer[T], str, str], L],
        *,
        group: str,
        resource: str,
        namespaced: bool,
    ) -> None:
        self._factory = factory
        self._model = model
        self._client_for = client_for
        self._lister_class = lister_class
        self._group = group
        self._resource = resource
        self._namespaced = namespaced

    def _new(self) -> SharedIndexInformer[T]:
        factory = self._factory
        namespace = (factory.namespace or "") if self._namespaced else ""
        client = self._client_for(factory.client, namespace)
        list_watch: ListWatch[T] = ListWatch.for_client(client, factory.list_options())
        return SharedIndexInformer(
            list_watch,
            resync_period=factory.resync_period,
            name=f"{self._resource}.{self._group}" if self._group else self._resource,
        )

    def informer(self) -> SharedIndexInformer[T]:
        """The shared informer (made on first use; start it with ``factory.start``)."""
        return self._factory.informer_for(self._model, self._new)

    def lister(self) -> L:
        """A typed lister over the informer's cache."""
        return self._lister_class(self.informer().get_indexer(), self._group, self._resource)
