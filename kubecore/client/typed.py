"""Generic verbs that generated resource clients bind to a kind (client-go's ``gentype``).

Each verb is a mixin, so a generated client inherits exactly the verbs the spec lists for
its resource: ``class PodClient(Get[Pod, PodList], List[Pod, PodList], ...)``. All of them
share ``ResourceClient``'s state: the REST client, the resource description, the model
classes and the namespace.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from kubecore.client.rest import RESTClient
from kubecore.client.watch import WatchEvent, watch_events
from kubecore.core.codec import decode_json, json_loads
from kubecore.core.generated.meta_v1 import Status
from kubecore.core.model import Model
from kubecore.core.options import FieldValidationDirective, PropagationPolicy
from kubecore.core.resource import ResourceInfo

T = TypeVar("T", bound=Model)
L = TypeVar("L", bound=Model)
S = TypeVar("S", bound=Model)
T_any = TypeVar("T_any")


class PatchType(enum.StrEnum):
    """The patch formats the apiserver accepts, as content types."""

    JSON = "application/json-patch+json"
    MERGE = "application/merge-patch+json"
    STRATEGIC_MERGE = "application/strategic-merge-patch+json"
    APPLY = "application/apply-patch+yaml"


class ResourceClient(Generic[T, L]):
    """State shared by the verb mixins; generated subclasses set the class attributes."""

    resource: ClassVar[ResourceInfo]
    model: ClassVar[type[Any]]
    list_model: ClassVar[type[Any]]

    def __init__(self, rest: RESTClient, namespace: str | None = None) -> None:
        if self.resource.namespaced and namespace is None:
            raise ValueError(
                f"{self.resource.plural} are namespaced: give a namespace ('' for all)"
            )
        if not self.resource.namespaced and namespace:
            raise ValueError(f"{self.resource.plural} are cluster-scoped: no namespace")
        self._rest = rest
        self._namespace = namespace or ""

    @property
    def namespace(self) -> str:
        return self._namespace

    def _path(
        self, name: str | None = None, subresource: str | None = None, *, collection: bool = False
    ) -> str:
        info = self.resource
        path = info.api_path
        if info.namespaced and (self._namespace or not collection):
            if not self._namespace:
                raise ValueError(f"a namespace is needed to address one of {info.plural}")
            path += f"/namespaces/{self._namespace}"
        path += f"/{info.plural}"
        if name is not None:
            if not name or "/" in name:
                raise ValueError(f"invalid object name {name!r}")
            path += f"/{name}"
        if subresource:
            path += f"/{subresource}"
        return path

    def _decode(self, data: bytes) -> T:
        obj: T = decode_json(data, self.model.from_dict)
        return obj

    def _decode_list(self, data: bytes) -> L:
        obj: L = decode_json(data, self.list_model.from_dict)
        return obj


def paginate(page: Callable[[str | None], tuple[list[T_any], str | None]]) -> Iterator[T_any]:
    """Items of every page: ``page(token)`` returns one page's items and the next token."""
    token: str | None = None
    while True:
        items, token = page(token)
        yield from items
        if not token:
            return


def write_params(
    dry_run: bool, field_manager: str | None, field_validation: str | None
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if dry_run:
        params["dryRun"] = "All"
    if field_manager:
        params["fieldManager"] = field_manager
    if field_validation:
        params["fieldValidation"] = field_validation
    return params


def _name_of(obj: Model) -> str:
    metadata = getattr(obj, "metadata", None)
    name = getattr(metadata, "name", None)
    if not name:
        raise ValueError("the object has no metadata.name")
    return str(name)


def list_params(
    label_selector: str | None,
    field_selector: str | None,
    limit: int | None = None,
    continue_: str | None = None,
    resource_version: str | None = None,
    timeout_seconds: int | None = None,
) -> dict[str, Any]:
    raw = {
        "labelSelector": label_selector,
        "fieldSelector": field_selector,
        "limit": limit,
        "continue": continue_,
        "resourceVersion": resource_version,
        "timeoutSeconds": timeout_seconds,
    }
    return {k: v for k, v in raw.items() if v is not None}


class Get(ResourceClient[T, L]):
    def get(self, name: str, *, resource_version: str | None = None) -> T:
        params = {"resourceVersion": resource_version} if resource_version else None
        return self._decode(self._rest.request("GET", self._path(name), params=params))


class List(ResourceClient[T, L]):
    def list(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        timeout_seconds: int | None = None,
    ) -> L:
        """One page: the typed list with ``metadata.resource_version`` and ``metadata.continue_``."""
        params = list_params(
            label_selector, field_selector, limit, continue_, resource_version, timeout_seconds
        )
        return self._decode_list(
            self._rest.request("GET", self._path(collection=True), params=params)
        )

    def iterate(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> Iterator[T]:
        """Every object, fetching pages of ``page_size`` with ``limit``/``continue`` as needed."""

        def page(token: str | None) -> tuple[list[T], str | None]:
            listed = self.list(
                label_selector=label_selector,
                field_selector=field_selector,
                limit=page_size,
                continue_=token,
            )
            items: list[T] = getattr(listed, "items", None) or []
            return items, getattr(getattr(listed, "metadata", None), "continue_", None)

        return paginate(page)


class Watch(ResourceClient[T, L]):
    def watch(
        self,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: float | None = None,
        allow_bookmarks: bool = True,
    ) -> Iterator[WatchEvent[T]]:
        """Typed events; resumes after dropped connections, raises ``Gone`` on 410 (relist)."""
        params = list_params(label_selector, field_selector)
        if allow_bookmarks:
            params["allowWatchBookmarks"] = "true"
        return watch_events(
            self._rest,
            self._path(collection=True),
            params,
            self.model.from_dict,
            resource_version=resource_version,
            timeout_seconds=timeout_seconds,
        )


class Create(ResourceClient[T, L]):
    def create(
        self,
        obj: T,
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: FieldValidationDirective | None = None,
    ) -> T:
        params = write_params(dry_run, field_manager, field_validation)
        return self._decode(
            self._rest.request(
                "POST", self._path(collection=True), params=params, body=obj.to_dict()
            )
        )


class Update(ResourceClient[T, L]):
    def update(
        self,
        obj: T,
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: FieldValidationDirective | None = None,
    ) -> T:
        params = write_params(dry_run, field_manager, field_validation)
        return self._decode(
            self._rest.request("PUT", self._path(_name_of(obj)), params=params, body=obj.to_dict())
        )


class Patch(ResourceClient[T, L]):
    def patch(
        self,
        name: str,
        patch: Any,
        *,
        patch_type: PatchType = PatchType.MERGE,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> T:
        """Patch with a JSON patch (a list), a merge or strategic merge patch, or an apply
        configuration (``PatchType.APPLY`` needs ``field_manager``)."""
        params = write_params(dry_run, field_manager, None)
        if force is not None:
            params["force"] = "true" if force else "false"
        body = patch.to_dict() if isinstance(patch, Model) else patch
        path = self._path(name, subresource)
        return self._decode(
            self._rest.request(
                "PATCH", path, params=params, body=body, content_type=patch_type.value
            )
        )

    def apply(
        self,
        obj: T,
        *,
        field_manager: str,
        force: bool = False,
        dry_run: bool = False,
        subresource: str | None = None,
    ) -> T:
        """Server-side apply of ``obj`` (only the fields it sets) as ``field_manager``."""
        return self.patch(
            _name_of(obj),
            obj.to_dict(),
            patch_type=PatchType.APPLY,
            subresource=subresource,
            dry_run=dry_run,
            field_manager=field_manager,
            force=force,
        )


class Delete(ResourceClient[T, L]):
    def delete(
        self,
        name: str,
        *,
        propagation_policy: PropagationPolicy | None = None,
        grace_period_seconds: int | None = None,
        preconditions: Mapping[str, str] | None = None,
        dry_run: bool = False,
    ) -> T | Status:
        """Delete; returns the object (when finalizers or grace keep it) or the server's Status."""
        body = delete_options(propagation_policy, grace_period_seconds, preconditions, dry_run)
        data = json_loads(self._rest.request("DELETE", self._path(name), body=body))
        if data.get("kind") == "Status":
            return Status.from_dict(data)
        decoded: T = self.model.from_dict(data)
        return decoded


class DeleteCollection(ResourceClient[T, L]):
    def delete_collection(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        propagation_policy: PropagationPolicy | None = None,
        grace_period_seconds: int | None = None,
        dry_run: bool = False,
    ) -> L | Status:
        body = delete_options(propagation_policy, grace_period_seconds, None, dry_run)
        params = list_params(label_selector, field_selector)
        data = json_loads(
            self._rest.request("DELETE", self._path(collection=True), params=params, body=body)
        )
        if data.get("kind") == "Status":
            return Status.from_dict(data)
        decoded: L = self.list_model.from_dict(data)
        return decoded


def delete_options(
    propagation_policy: str | None,
    grace_period_seconds: int | None,
    preconditions: Mapping[str, str] | None,
    dry_run: bool,
) -> dict[str, Any]:
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "DeleteOptions"}
    if propagation_policy:
        body["propagationPolicy"] = propagation_policy
    if grace_period_seconds is not None:
        body["gracePeriodSeconds"] = grace_period_seconds
    if preconditions:
        body["preconditions"] = dict(preconditions)
    if dry_run:
        body["dryRun"] = ["All"]
    return body


class StatusSubresource(ResourceClient[T, L]):
    def get_status(self, name: str) -> T:
        return self._decode(self._rest.request("GET", self._path(name, "status")))

    def update_status(
        self, obj: T, *, dry_run: bool = False, field_manager: str | None = None
    ) -> T:
        params = write_params(dry_run, field_manager, None)
        return self._decode(
            self._rest.request(
                "PUT", self._path(_name_of(obj), "status"), params=params, body=obj.to_dict()
            )
        )

    def patch_status(
        self,
        name: str,
        patch: Any,
        *,
        patch_type: PatchType = PatchType.MERGE,
        field_manager: str | None = None,
    ) -> T:
        params = write_params(False, field_manager, None)
        body = patch.to_dict() if isinstance(patch, Model) else patch
        return self._decode(
            self._rest.request(
                "PATCH",
                self._path(name, "status"),
                params=params,
                body=body,
                content_type=patch_type.value,
            )
        )


class ScaleSubresource(ResourceClient[T, L], Generic[T, L, S]):
    scale_model: ClassVar[type[Any]]

    def get_scale(self, name: str) -> S:
        scale: S = self.scale_model.from_dict(
            json_loads(self._rest.request("GET", self._path(name, "scale")))
        )
        return scale

    def update_scale(self, name: str, scale: S, *, dry_run: bool = False) -> S:
        params = write_params(dry_run, None, None)
        data = self._rest.request(
            "PUT", self._path(name, "scale"), params=params, body=scale.to_dict()
        )
        updated: S = self.scale_model.from_dict(json_loads(data))
        return updated


class LogSubresource(ResourceClient[T, L]):
    def logs(
        self,
        name: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        timestamps: bool = False,
        previous: bool = False,
    ) -> str:
        """The log text (see ``follow_logs`` to stream it)."""
        params = _log_params(
            container, tail_lines, since_seconds, timestamps, previous, follow=False
        )
        return self._rest.request("GET", self._path(name, "log"), params=params).decode(
            "utf-8", "replace"
        )

    def follow_logs(
        self,
        name: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        timestamps: bool = False,
    ) -> Iterator[str]:
        """Log lines as they are written (``follow=true``), until the container stops."""
        params = _log_params(container, tail_lines, since_seconds, timestamps, False, follow=True)
        with self._rest.stream_lines(self._path(name, "log"), params) as lines:
            for line in lines:
                yield line.decode("utf-8", "replace")


def _log_params(
    container: str | None,
    tail_lines: int | None,
    since_seconds: int | None,
    timestamps: bool,
    previous: bool,
    *,
    follow: bool,
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "container": container,
        "tailLines": tail_lines,
        "sinceSeconds": since_seconds,
    }
    params = {k: v for k, v in raw.items() if v is not None}
    for key, flag in (("timestamps", timestamps), ("previous", previous), ("follow", follow)):
        if flag:
            params[key] = "true"
    return params


class EvictionSubresource(ResourceClient[T, L]):
    def evict(
        self, name: str, *, grace_period_seconds: int | None = None, dry_run: bool = False
    ) -> Status | None:
        """Evict through the eviction subresource (honours PodDisruptionBudgets)."""
        body: dict[str, Any] = {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": name, "namespace": self._namespace},
        }
        options = delete_options(None, grace_period_seconds, None, dry_run)
        if len(options) > 2:
            body["deleteOptions"] = options
        data = self._rest.request("POST", self._path(name, "eviction"), body=body)
        decoded = json_loads(data) if data else None
        return (
            Status.from_dict(decoded)
            if isinstance(decoded, dict) and decoded.get("kind") == "Status"
            else None
        )
