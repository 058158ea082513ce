"""The dynamic client: every verb on any resource, named by GroupVersionResource.

client-go's ``dynamic.Interface`` for Python: no generated code, objects are
:class:`~kubecore.core.unstructured.Unstructured`::

    dyn = DynamicClient(kubecore.load_config())
    deployments = dyn.resource(GroupVersionResource("apps", "v1", "deployments"))
    created = deployments.namespace("default").create(Unstructured({...}))
    nodes = dyn.resource(GroupVersionResource("", "v1", "nodes")).list()  # cluster-scoped

``resource(gvr)`` addresses the resource across all namespaces (or a cluster-scoped
one); ``.namespace(ns)`` binds it to one namespace. The client does not know whether a
resource is namespaced (use a :class:`~kubecore.client.restmapper.RESTMapper` for that):
on an unbound resource, write verbs use the object's ``metadata.namespace`` when it has
one, so ``resource(gvr).create(obj)`` works for objects loaded from a manifest.

Query parameters, patch types, delete options and dry-run are built exactly as the
typed clients build them (``kubecore.client.typed``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

from kubecore.client.config import Config
from kubecore.client.paths import api_path, check_path_segment, resource_path
from kubecore.client.rest import RESTClient
from kubecore.client.typed import (
    PatchType,
    delete_options,
    list_params,
    paginate,
    patch_body,
    watch_params,
    write_params,
)
from kubecore.client.watch import Watcher, WatchEvent, watch_connection, watch_events
from kubecore.core.codec import json_loads
from kubecore.core.model import Model
from kubecore.core.options import (
    FieldValidationDirective,
    PropagationPolicy,
    ResourceVersionMatch,
)
from kubecore.core.unstructured import (
    GroupVersionKind,
    GroupVersionResource,
    Unstructured,
    UnstructuredList,
)

if TYPE_CHECKING:
    from kubecore.client.restmapper import RESTMapper

__all__ = [
    "DynamicClient",
    "GroupVersionKind",
    "GroupVersionResource",
    "NamespaceableResource",
    "PatchType",
    "ResourceInterface",
]


def _as_dict(obj: Unstructured | Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object of a write verb's argument.

    The dynamic client takes an ``Unstructured`` or any mapping (client-go's dynamic
    client takes ``*unstructured.Unstructured``; a dict is its Python spelling). A typed
    model is refused with ``TypeError`` naming both ways to send it (the typed client,
    or ``kubecore.core.unstructured.from_typed``), as is anything else.
    """
    if isinstance(obj, Unstructured):
        return obj.object
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, Model):
        raise TypeError(
            f"the dynamic client expects an Unstructured or a mapping, not a "
            f"{type(obj).__name__} model: use the typed client, or from_typed(obj)"
        )
    raise TypeError(f"expected an Unstructured or a mapping, not a {type(obj).__name__}")


def _decode(data: bytes) -> Unstructured:
    decoded = json_loads(data) if data else {}
    if not isinstance(decoded, dict):
        raise ValueError("the server did not answer with a JSON object")
    return Unstructured(decoded)


class ResourceInterface:
    """The verbs of one resource, in one namespace (or cluster-wide when ``namespace_name``
    is ``""``). Returned by ``NamespaceableResource.namespace(ns)``."""

    def __init__(self, rest: RESTClient, gvr: GroupVersionResource, namespace: str = "") -> None:
        if not gvr.version or not gvr.resource:
            raise ValueError(f"incomplete GroupVersionResource {gvr!r}")
        # Checked here so that a bad group, version, resource or namespace fails at once.
        self._base = api_path(gvr.group, gvr.version)
        check_path_segment(gvr.resource, "resource")
        if namespace:
            check_path_segment(namespace, "namespace")
        self._rest = rest
        self._gvr = gvr
        self._namespace = namespace

    @property
    def gvr(self) -> GroupVersionResource:
        return self._gvr

    @property
    def namespace_name(self) -> str:
        """The bound namespace; ``""`` for cluster-scoped or all-namespaces access."""
        return self._namespace

    def __repr__(self) -> str:
        where = f", namespace={self._namespace!r}" if self._namespace else ""
        return f"{type(self).__name__}({self._gvr}{where})"

    # -- paths --

    def _path(
        self, name: str | None = None, subresource: str | None = None, namespace: str = ""
    ) -> str:
        """The request path; raises ``InvalidPathSegment`` (a ``ValueError``) for any part
        that is not a valid path segment, before anything is sent."""
        return resource_path(
            self._base,
            self._gvr.resource,
            namespace=self._namespace or namespace,
            name=name,
            subresource=subresource,
        )

    def _object_path(self, obj: dict[str, Any], subresource: str | None = None) -> str:
        metadata = obj.get("metadata")
        name = metadata.get("name") if isinstance(metadata, Mapping) else None
        if not isinstance(name, str) or not name:
            raise ValueError("the object has no metadata.name")
        return self._path(name, subresource, _object_namespace(obj))

    # -- reads --

    def get(
        self, name: str, *, resource_version: str | None = None, subresource: str | None = None
    ) -> Unstructured:
        params = {"resourceVersion": resource_version} if resource_version else None
        return _decode(self._rest.request("GET", self._path(name, subresource), params=params))

    def get_status(self, name: str) -> Unstructured:
        return self.get(name, subresource="status")

    def list(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        timeout_seconds: int | None = None,
        resource_version_match: ResourceVersionMatch | None = None,
    ) -> UnstructuredList:
        """One page: items plus ``resource_version`` and ``continue_`` (the next page's
        token); ``resource_version_match`` as in the typed clients' ``list``."""
        params = list_params(
            label_selector,
            field_selector,
            limit,
            continue_,
            resource_version,
            timeout_seconds,
            resource_version_match,
        )
        data = json_loads(self._rest.request("GET", self._path(), params=params))
        if not isinstance(data, dict):
            raise ValueError("the server did not answer with a JSON object")
        return UnstructuredList.from_dict(data)

    def iterate(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> Iterator[Unstructured]:
        """Every object, fetched in pages of ``page_size`` (``limit`` / ``continue``)."""

        def page(token: str | None) -> tuple[list[Unstructured], str | None]:
            listed = self.list(
                label_selector=label_selector,
                field_selector=field_selector,
                limit=page_size,
                continue_=token,
            )
            return list(listed.items), listed.continue_

        return paginate(page)

    def watch(
        self,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: float | None = None,
        allow_bookmarks: bool = True,
    ) -> Iterator[WatchEvent[Unstructured]]:
        """Events with ``Unstructured`` objects; resumes after dropped connections and
        raises ``Gone`` when ``resource_version`` is too old (relist, then watch again).

        BOOKMARKs (``allow_bookmarks``) move the resume version forward and are not yielded,
        as in client-go's ``RetryWatcher`` (:meth:`open_watch` yields them)."""
        return watch_events(
            self._rest,
            self._path(),
            watch_params(label_selector, field_selector, allow_bookmarks),
            Unstructured,
            resource_version=resource_version,
            timeout_seconds=timeout_seconds,
        )

    def open_watch(
        self,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: float | None = None,
        allow_bookmarks: bool = True,
        send_initial_events: bool = False,
    ) -> Watcher[Unstructured]:
        """One watch connection yielding every event, BOOKMARKs included, with
        ``Unstructured`` objects: client-go's dynamic ``Watch(ctx, opts)``, what informers
        drive. Same contract as ``kubecore.client.typed.Watch.open_watch``: no reconnect,
        ``stop()`` from any thread, ``Gone`` on 410 (relist)."""
        return watch_connection(
            self._rest,
            self._path(),
            watch_params(label_selector, field_selector, allow_bookmarks),
            Unstructured,
            resource_version=resource_version,
            timeout_seconds=timeout_seconds,
            send_initial_events=send_initial_events,
        )

    # -- writes --

    def create(
        self,
        obj: Unstructured | Mapping[str, Any],
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: FieldValidationDirective | None = None,
    ) -> Unstructured:
        """POST the object (to ``<name>/<subresource>`` when ``subresource`` is given)."""
        body = _as_dict(obj)
        params = write_params(dry_run, field_manager, field_validation)
        if subresource:
            path = self._object_path(body, subresource)
        else:
            path = self._path(namespace=_object_namespace(body))
        return _decode(self._rest.request("POST", path, params=params, body=body))

    def update(
        self,
        obj: Unstructured | Mapping[str, Any],
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: FieldValidationDirective | None = None,
    ) -> Unstructured:
        """PUT the object; its ``metadata.resourceVersion`` makes this a compare-and-swap
        (``Conflict`` when stale: see ``kubecore.client.retry.retry_on_conflict``)."""
        body = _as_dict(obj)
        params = write_params(dry_run, field_manager, field_validation)
        path = self._object_path(body, subresource)
        return _decode(self._rest.request("PUT", path, params=params, body=body))

    def update_status(
        self,
        obj: Unstructured | Mapping[str, Any],
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
    ) -> Unstructured:
        return self.update(obj, subresource="status", dry_run=dry_run, field_manager=field_manager)

    def patch(
        self,
        name: str,
        patch: Any,
        patch_type: PatchType | None = None,
        *,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> Unstructured:
        """Patch with a JSON patch (a list of operations), a merge or strategic merge patch
        (a dict or an ``Unstructured``), or raw ``bytes`` / ``str`` in ``patch_type``.

        Without ``patch_type`` a list is a JSON patch and anything else a merge patch; a
        body that does not fit ``patch_type`` raises ``TypeError`` before anything is sent
        (``kubecore.client.typed.patch_body``)."""
        params = write_params(dry_run, field_manager, None)
        if force is not None:
            params["force"] = "true" if force else "false"
        body, chosen = patch_body(patch, patch_type)
        return _decode(
            self._rest.request(
                "PATCH",
                self._path(name, subresource),
                params=params,
                body=body,
                content_type=chosen.value,
            )
        )

    def apply(
        self,
        obj: Unstructured | Mapping[str, Any],
        *,
        field_manager: str,
        force: bool = False,
        dry_run: bool = False,
        subresource: str | None = None,
    ) -> Unstructured:
        """Server-side apply of ``obj`` (the fields it sets) as ``field_manager``."""
        if not field_manager:
            raise ValueError("server-side apply needs a field_manager")
        body = _as_dict(obj)
        params = write_params(dry_run, field_manager, None)
        params["force"] = "true" if force else "false"
        return _decode(
            self._rest.request(
                "PATCH",
                self._object_path(body, subresource),
                params=params,
                body=body,
                content_type=PatchType.APPLY.value,
            )
        )

    def apply_status(
        self,
        obj: Unstructured | Mapping[str, Any],
        *,
        field_manager: str,
        force: bool = False,
        dry_run: bool = False,
    ) -> Unstructured:
        return self.apply(
            obj, field_manager=field_manager, force=force, dry_run=dry_run, subresource="status"
        )

    def delete(
        self,
        name: str,
        *,
        propagation_policy: PropagationPolicy | None = None,
        grace_period_seconds: int | None = None,
        preconditions: Mapping[str, str] | None = None,
        dry_run: bool = False,
        subresource: str | None = None,
    ) -> Unstructured:
        """Delete; returns what the server sent: the object (when finalizers or a grace
        period keep it) or a ``Status`` (``kind == "Status"``).

        ``propagation_policy`` is typed as in the typed clients (``DeletionPropagation`` or
        its string): mypy refuses any other string, and the server answers one with
        ``Invalid`` (422, ``Unsupported value``)."""
        body = delete_options(propagation_policy, grace_period_seconds, preconditions, dry_run)
        return _decode(self._rest.request("DELETE", self._path(name, subresource), body=body))

    def delete_collection(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        propagation_policy: PropagationPolicy | None = None,
        grace_period_seconds: int | None = None,
        dry_run: bool = False,
    ) -> UnstructuredList | Unstructured:
        """Delete every matching object: the deleted objects' list, or a ``Status``."""
        body = delete_options(propagation_policy, grace_period_seconds, None, dry_run)
        params = list_params(label_selector, field_selector)
        data = json_loads(self._rest.request("DELETE", self._path(), params=params, body=body))
        if not isinstance(data, dict):
            raise ValueError("the server did not answer with a JSON object")
        if isinstance(data.get("items"), list):
            return UnstructuredList.from_dict(data)
        return Unstructured(data)


def _object_namespace(obj: Mapping[str, Any]) -> str:
    metadata = obj.get("metadata")
    namespace = metadata.get("namespace") if isinstance(metadata, Mapping) else None
    return namespace if isinstance(namespace, str) else ""


class NamespaceableResource(ResourceInterface):
    """A resource across all namespaces (or a cluster-scoped one); ``.namespace(ns)``
    binds it to one namespace."""

    def namespace(self, namespace: str) -> ResourceInterface:
        return ResourceInterface(self._rest, self._gvr, namespace)


class DynamicClient:
    """client-go's ``dynamic.NewForConfig``: takes a ``Config`` or a ``RESTClient``."""

    def __init__(self, config_or_rest: Config | RESTClient) -> None:
        if isinstance(config_or_rest, RESTClient):
            self._rest = config_or_rest
            self._owns_rest = False
        else:
            self._rest = RESTClient(config_or_rest)
            self._owns_rest = True

    @property
    def rest(self) -> RESTClient:
        return self._rest

    def resource(self, gvr: GroupVersionResource) -> NamespaceableResource:
        if not isinstance(gvr, GroupVersionResource):
            raise TypeError(f"expected a GroupVersionResource, got a {type(gvr).__name__}")
        return NamespaceableResource(self._rest, gvr)

    def for_object(
        self,
        obj: Unstructured | Mapping[str, Any],
        mapper: RESTMapper,
        *,
        default_namespace: str = "default",
    ) -> ResourceInterface:
        """The resource interface for ``obj``'s kind (found with ``mapper``), bound to its
        namespace (``default_namespace`` when it has none) if the kind is namespaced, as
        ``kubectl apply -f`` resolves manifests."""
        data = _as_dict(obj)
        gvk = GroupVersionKind.from_api_version(
            str(data.get("apiVersion") or ""), str(data.get("kind") or "")
        )
        mapping = mapper.resource_for(gvk)
        resource = self.resource(mapping.gvr)
        if not mapping.namespaced:
            return resource
        return resource.namespace(_object_namespace(data) or default_namespace)

    def close(self) -> None:
        """Close the HTTP client if this client created it."""
        if self._owns_rest:
            self._rest.close()

    def __enter__(self) -> DynamicClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
