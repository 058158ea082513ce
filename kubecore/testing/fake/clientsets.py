"""Fake clientsets: the real generated clients over the in-process REST backend.

client-go's ``kubernetes/fake.NewSimpleClientset(objects...)`` and
``dynamic/fake.NewSimpleDynamicClient``. Every generated package has a ``fake`` module
whose ``Clientset`` subclasses the package's real ``Clientset`` and :class:`FakeClientset`;
:class:`FakeDynamicClient` is the dynamic client on the same machinery.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from pathlib import Path
from typing import Any

from kubecore.client.dynamic import DynamicClient
from kubecore.core.model import Model
from kubecore.core.resource import ResourceInfo
from kubecore.core.scheme import Scheme
from kubecore.core.unstructured import from_typed
from kubecore.testing.discovery import SERVED_SUBRESOURCES, Resource, ResourceTable, load_table
from kubecore.testing.fake.fake import Fake
from kubecore.testing.fake.rest import FakeRESTClient
from kubecore.testing.fake.tracker_reactions import ObjectReaction, WatchReaction, wire
from kubecore.testing.tracker import INITIAL_NAMESPACES, ApiError, Tracker

__all__ = ["FakeClientset", "FakeDynamicClient", "resource_table"]

_SUBRESOURCE_KINDS = {"scale": "Scale", "eviction": "Eviction"}


def resource_table(
    resources: Iterable[ResourceInfo],
    *,
    custom: Collection[tuple[str, str]] = (),
    specs: Iterable[str | Path] = (),
    table: ResourceTable | None = None,
) -> ResourceTable:
    """The tracker's resource table for ``resources`` (a generated package's ``RESOURCES``).

    ``custom``: (group, plural) of custom resources (status is not set on create; no
    strategic merge patch), as the API server treats CRDs. ``specs``: OpenAPI or CRD files
    to load first (as ``TestApiServer`` does), for schema-aware strategic merge patches,
    server-side apply and ``fieldValidation=Strict``. ``table``: add to this table (the
    one of a tracker shared with another fake) instead of a new one.
    """
    if table is None:
        table = load_table(specs)
    else:
        for spec in specs:
            table.add_spec_file(spec)
    for info in resources:
        if table.get(info.group, info.version, info.plural) is not None:
            continue
        subresources = {
            name: _SUBRESOURCE_KINDS.get(name, info.kind)
            for name in info.subresources
            if name in SERVED_SUBRESOURCES
        }
        table.add(
            Resource(
                group=info.group,
                version=info.version,
                plural=info.plural,
                kind=info.kind,
                namespaced=info.namespaced,
                singular=info.singular,
                list_kind=info.list_kind,
                verbs=info.verbs,
                short_names=info.short_names,
                categories=info.categories,
                subresources=subresources,
                is_crd=(info.group, info.plural) in custom,
            )
        )
    return table


class FakeClientset(Fake):
    """The machinery of a fake clientset: a tracker, the reactor chain ending with the
    tracker's reactions, the recorded actions and the in-process REST client
    (``fake_rest``).

    ``objects`` (models, ``Unstructured`` or dicts; ``List`` kinds are expanded) are
    created in the tracker first, as ``kubectl create`` would: they get a uid, a
    creationTimestamp and a resourceVersion; a namespaced object without a namespace goes
    to "default", and namespaces they name are created when missing (client-go's fake does
    not check namespaces at all; the tracker does, as the API server). Pass ``tracker`` to
    share one store between several fakes (a typed and a dynamic fake of one "cluster").
    """

    def __init__(
        self,
        objects: Iterable[Any] = (),
        *,
        table: ResourceTable | None = None,
        scheme: Scheme | None = None,
        tracker: Tracker | None = None,
    ) -> None:
        super().__init__()
        if tracker is None:
            tracker = Tracker(table if table is not None else ResourceTable())
        self.tracker = tracker
        self.add_reactor("*", "*", ObjectReaction(tracker))
        self.add_watch_reactor("*", WatchReaction(tracker))
        self.fake_rest = FakeRESTClient(self, tracker.table, scheme)
        for obj in objects:
            self._preload(_typed_wire(obj))

    def _preload(self, obj: dict[str, Any]) -> None:
        kind = str(obj.get("kind", ""))
        if kind.endswith("List") and isinstance(obj.get("items"), list):
            for item in obj["items"]:
                if kind != "List":
                    item = {"apiVersion": obj.get("apiVersion"), "kind": kind[:-4], **item}
                self._preload(item)
            return
        table = self.tracker.table
        resource = self._resource_for(obj)
        namespace = ""
        if resource.namespaced:
            namespace = (obj.get("metadata") or {}).get("namespace") or "default"
            namespaces = table.get("", "v1", "namespaces")
            if namespaces is not None and namespace not in INITIAL_NAMESPACES:
                try:
                    self.tracker.create(namespaces, "", {"metadata": {"name": namespace}})
                except ApiError as err:
                    if err.code != 409:
                        raise
        self.tracker.create(resource, namespace, obj)

    def _resource_for(self, obj: dict[str, Any]) -> Resource:
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        resource = self.tracker.table.for_kind(api_version, kind)
        if resource is None:
            raise ValueError(
                f"the fake cannot store a {api_version}/{kind}: no such resource in its table"
            )
        return resource


def _typed_wire(obj: Any) -> Any:
    """``wire(obj)``; a typed object through ``from_typed``, which fills in the apiVersion
    and kind its class knows when the object does not say them (client-go's tracker asks
    the scheme for the kind of a typed object the same way)."""
    return from_typed(obj).object if isinstance(obj, Model) else wire(obj)


class FakeDynamicClient(DynamicClient, FakeClientset):
    """client-go's ``dynamic/fake.NewSimpleDynamicClient``: the real ``DynamicClient`` over
    the in-process backend, with reactors and recorded actions.

    ``resources`` (``ResourceInfo``s, e.g. ``VirtualMachine.RESOURCE`` or a generated
    package's ``fake.RESOURCES``) and ``specs`` say what is served. A preloaded object of
    a kind the table lacks is served under a guessed plural (client-go's
    ``UnsafeGuessKindToResource``: ``VirtualMachine`` -> ``virtualmachines``), namespaced
    when it has a namespace. ``tracker``: share the store of another fake (``resources`` are
    added to its table).
    """

    def __init__(
        self,
        *objects: Any,
        resources: Iterable[ResourceInfo] = (),
        custom: Collection[tuple[str, str]] = (),
        specs: Iterable[str | Path] = (),
        tracker: Tracker | None = None,
    ) -> None:
        table = (
            None if tracker is not None else resource_table(resources, custom=custom, specs=specs)
        )
        FakeClientset.__init__(self, objects, table=table, tracker=tracker)
        DynamicClient.__init__(self, self.fake_rest)

    def _resource_for(self, obj: dict[str, Any]) -> Resource:
        api_version, kind = str(obj.get("apiVersion", "")), str(obj.get("kind", ""))
        table = self.tracker.table
        resource = table.for_kind(api_version, kind)
        if resource is None and kind:
            group, _, version = api_version.rpartition("/")
            namespaced = bool((obj.get("metadata") or {}).get("namespace"))
            resource = Resource(group, version, _guess_plural(kind), kind, namespaced)
            table.add(resource)
        return super()._resource_for(obj)


def _guess_plural(kind: str) -> str:
    """client-go's ``UnsafeGuessKindToResource``."""
    lower = kind.lower()
    if lower.endswith("s"):
        return lower + "es"
    if lower.endswith("y") and lower[-2:-1] not in ("a", "e", "i", "o", "u"):
        return lower[:-1] + "ies"
    return lower + "s"
