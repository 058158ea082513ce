"""kubecore: the thin shared runtime that generated Kubernetes clients import.

Layers, each depending only on the ones before it (as kube-rs's kube-core / kube-client):

* ``kubecore.core``: types and codecs, no I/O (Model, Quantity, Time, Scheme, YAML/JSON).
* ``kubecore.client``: configuration, authentication, HTTP.

Names are imported lazily, so ``import kubecore`` costs nothing until one is used.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

_EXPORTS = {
    "Model": "kubecore.core.model",
    "FieldInfo": "kubecore.core.model",
    "Quantity": "kubecore.core.quantity",
    "Time": "kubecore.core.times",
    "MicroTime": "kubecore.core.times",
    "IntOrString": "kubecore.core.intstr",
    "int_or_percent": "kubecore.core.intstr",
    "ResourceInfo": "kubecore.core.resource",
    "Scheme": "kubecore.core.scheme",
    "validate": "kubecore.core.validation.api",
    "load_config": "kubecore.client.config",
    "load_kubeconfig": "kubecore.client.config",
    "load_in_cluster_config": "kubecore.client.config",
    "Config": "kubecore.client.config",
    "ConfigError": "kubecore.client.config",
    "Authenticator": "kubecore.client.auth",
    "RESTClient": "kubecore.client.rest",
    "RetryPolicy": "kubecore.client.rest",
    "ApiError": "kubecore.client.errors",
    "TransportError": "kubecore.client.transport",
    "retry_on_conflict": "kubecore.client.retry",
    "PatchType": "kubecore.client.typed",
    "WatchEvent": "kubecore.client.watch",
    "DynamicClient": "kubecore.client.dynamic",
    "Unstructured": "kubecore.client.unstructured",
    "GroupVersionResource": "kubecore.client.unstructured",
    "GroupVersionKind": "kubecore.client.unstructured",
    "DiscoveryClient": "kubecore.client.discovery",
    "RESTMapper": "kubecore.client.restmapper",
}

__all__ = [
    "ApiError",
    "Authenticator",
    "PatchType",
    "RESTClient",
    "RESTMapper",
    "RetryPolicy",
    "WatchEvent",
    "retry_on_conflict",
    "Config",
    "ConfigError",
    "DiscoveryClient",
    "DynamicClient",
    "GroupVersionKind",
    "GroupVersionResource",
    "FieldInfo",
    "IntOrString",
    "MicroTime",
    "Model",
    "Quantity",
    "ResourceInfo",
    "Scheme",
    "Time",
    "TransportError",
    "Unstructured",
    "int_or_percent",
    "validate",
    "load_config",
    "load_in_cluster_config",
    "load_kubeconfig",
]

if TYPE_CHECKING:
    from kubecore.client.auth import Authenticator
    from kubecore.client.config import (
        Config,
        ConfigError,
        load_config,
        load_in_cluster_config,
        load_kubeconfig,
    )
    from kubecore.client.discovery import DiscoveryClient
    from kubecore.client.dynamic import DynamicClient
    from kubecore.client.errors import ApiError
    from kubecore.client.rest import RESTClient, RetryPolicy
    from kubecore.client.restmapper import RESTMapper
    from kubecore.client.retry import retry_on_conflict
    from kubecore.client.transport import TransportError
    from kubecore.client.typed import PatchType
    from kubecore.client.unstructured import GroupVersionKind, GroupVersionResource, Unstructured
    from kubecore.client.watch import WatchEvent
    from kubecore.core.intstr import IntOrString, int_or_percent
    from kubecore.core.model import FieldInfo, Model
    from kubecore.core.quantity import Quantity
    from kubecore.core.resource import ResourceInfo
    from kubecore.core.scheme import Scheme
    from kubecore.core.times import MicroTime, Time
    from kubecore.core.validation.api import validate


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kubecore' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
