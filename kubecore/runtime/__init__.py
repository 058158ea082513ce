"""The controller toolkit: reflector, indexed cache, shared informers, listers, the
workqueue (client-go's ``tools/cache``, ``informers``, ``listers``, ``util/workqueue``),
leader election, events, condition/owner/finalizer helpers and ``wait_for``. Uses
``kubecore.client`` and ``kubecore.core``.

Names are imported on first use, so ``import kubecore.runtime`` costs nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "DeletedFinalStateUnknown": "kubecore.runtime.keys",
    "meta_namespace_key_func": "kubecore.runtime.keys",
    "split_meta_namespace_key": "kubecore.runtime.keys",
    "Indexer": "kubecore.runtime.store",
    "NAMESPACE_INDEX": "kubecore.runtime.store",
    "ListOptions": "kubecore.runtime.listwatch",
    "ListWatch": "kubecore.runtime.listwatch",
    "Reflector": "kubecore.runtime.reflector",
    "SharedIndexInformer": "kubecore.runtime.informer",
    "ResourceEventHandler": "kubecore.runtime.informer",
    "ResourceEventHandlerFuncs": "kubecore.runtime.informer",
    "wait_for_cache_sync": "kubecore.runtime.informer",
    "ClusterLister": "kubecore.runtime.lister",
    "GenericLister": "kubecore.runtime.lister",
    "NamespaceLister": "kubecore.runtime.lister",
    "NamespacedLister": "kubecore.runtime.lister",
    "SharedInformerFactory": "kubecore.runtime.factory",
    "DynamicSharedInformerFactory": "kubecore.runtime.dynamicinformer",
    "RateLimitingQueue": "kubecore.runtime.workqueue",
    "default_controller_rate_limiter": "kubecore.runtime.workqueue",
    "LeaderElector": "kubecore.runtime.leaderelection",
    "LeaseLock": "kubecore.runtime.leaderelection",
    "EventBroadcaster": "kubecore.runtime.events",
    "wait_for": "kubecore.runtime.wait",
    "Controller": "kubecore.runtime.controller",
    "Request": "kubecore.runtime.controller",
    "Result": "kubecore.runtime.controller",
}

__all__ = [
    "ClusterLister",
    "Controller",
    "default_controller_rate_limiter",
    "DeletedFinalStateUnknown",
    "DynamicSharedInformerFactory",
    "EventBroadcaster",
    "GenericLister",
    "Indexer",
    "LeaderElector",
    "LeaseLock",
    "ListOptions",
    "ListWatch",
    "meta_namespace_key_func",
    "NAMESPACE_INDEX",
    "NamespacedLister",
    "NamespaceLister",
    "RateLimitingQueue",
    "Reflector",
    "Request",
    "ResourceEventHandler",
    "ResourceEventHandlerFuncs",
    "Result",
    "SharedIndexInformer",
    "SharedInformerFactory",
    "split_meta_namespace_key",
    "wait_for",
    "wait_for_cache_sync",
]

if TYPE_CHECKING:
    from kubecore.runtime.controller import Controller, Request, Result
    from kubecore.runtime.dynamicinformer import DynamicSharedInformerFactory
    from kubecore.runtime.events import EventBroadcaster
    from kubecore.runtime.factory import SharedInformerFactory
    from kubecore.runtime.informer import (
        ResourceEventHandler,
        ResourceEventHandlerFuncs,
        SharedIndexInformer,
        wait_for_cache_sync,
    )
    from kubecore.runtime.keys import (
        DeletedFinalStateUnknown,
        meta_namespace_key_func,
        split_meta_namespace_key,
    )
    from kubecore.runtime.leaderelection import LeaderElector, LeaseLock
    from kubecore.runtime.lister import (
        ClusterLister,
        GenericLister,
        NamespacedLister,
        NamespaceLister,
    )
    from kubecore.runtime.listwatch import ListOptions, ListWatch
    from kubecore.runtime.reflector import Reflector
    from kubecore.runtime.store import NAMESPACE_INDEX, Indexer
    from kubecore.runtime.wait import wait_for
    from kubecore.runtime.workqueue import RateLimitingQueue, default_controller_rate_limiter


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kubecore.runtime' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
