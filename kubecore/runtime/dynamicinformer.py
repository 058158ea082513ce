"""Informers for any resource by GroupVersionResource, on ``Unstructured`` objects
(client-go's ``dynamic/dynamicinformer``).

```python
factory = DynamicSharedInformerFactory(dynamic_client, resync_period=0, namespace=None)
vms = factory.for_resource(GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines"))
vms.informer().add_event_handler(on_add=..., on_update=..., on_delete=...)
factory.start(stop); factory.wait_for_cache_sync(stop)   # {gvr: bool}
vms.lister().by_namespace("default").get("vm1")          # Unstructured, shared: do not mutate
```
"""

from __future__ import annotations

from typing import Any

from kubecore.client.unstructured import GroupVersionResource, Unstructured
from kubecore.runtime.factory import SharedInformerFactory
from kubecore.runtime.informer import SharedIndexInformer
from kubecore.runtime.lister import GenericLister
from kubecore.runtime.listwatch import ListWatch, TweakListOptions

__all__ = ["DynamicSharedInformerFactory", "GenericInformer"]


class GenericInformer:
    """One GVR's shared informer and lister (client-go's ``informers.GenericInformer``)."""

    def __init__(self, factory: DynamicSharedInformerFactory, gvr: GroupVersionResource) -> None:
        self._factory = factory
        self.gvr = gvr

    def _new(self) -> SharedIndexInformer[Unstructured]:
        factory = self._factory
        resource = factory.client.resource(self.gvr)
        if factory.namespace:
            resource = resource.namespace(factory.namespace)
        return SharedIndexInformer(
            ListWatch.for_dynamic(resource, factory.list_options()),
            resync_period=factory.resync_period,
            name=str(self.gvr),
        )

    def informer(self) -> SharedIndexInformer[Unstructured]:
        """The shared informer for the GVR (made on first use)."""
        return self._factory.informer_for(self.gvr, self._new)

    def lister(self) -> GenericLister[Unstructured]:
        """A lister over the informer's cache."""
        return GenericLister(self.informer().get_indexer(), self.gvr.group, self.gvr.resource)


class DynamicSharedInformerFactory(SharedInformerFactory):
    """Shared informers by GVR over a ``DynamicClient``; ``wait_for_cache_sync`` is keyed by
    GVR. ``resync_period`` in seconds (0: never), ``namespace`` None for all namespaces."""

    def __init__(
        self,
        dynamic_client: Any,
        resync_period: float = 0,
        namespace: str | None = None,
        tweak_list_options: TweakListOptions | None = None,
    ) -> None:
        super().__init__(dynamic_client, resync_period, namespace, tweak_list_options)

    def for_resource(self, gvr: GroupVersionResource) -> GenericInformer:
        return GenericInformer(self, gvr)
