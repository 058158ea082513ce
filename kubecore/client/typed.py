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

from kubecore.client.errors import error_from_response
from kubecore.client.paths import check_path_segment
from kubecore.client.rest import RESTClient
from kubecore.client.watch import Watcher, WatchEvent, watch_connection, watch_events
from kubecore.core.codec import decode_model_json, json_loads
from kubecore.core.generated.meta_v1 import Status
from kubecore.core.model import Model
from kubecore.core.options import (
    FieldValidationDirective,
    PropagationPolicy,
    ResourceVersionMatch,
)
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
        # Checked once here, so that a bad namespace fails before any request.
        self._namespace_segment = (
            check_path_segment(self._namespace, "namespace") if self._namespace else ""
        )

    @property
    def namespace(self) -> str:
        return self._namespace

    def _path(
        self, name: str | None = None, subresource: str | None = None, *, collection: bool = False
    ) -> str:
        """The request path; raises ``InvalidPathSegment`` (a ``ValueError``) for a name or
        subresource that is not a valid path segment, before anything is sent."""
        info = self.resource
        path = info.api_path
        if info.namespaced and (self._namespace or not collection):
            if not self._namespace:
                raise ValueError(f"a namespace is needed to address one of {info.plural}")
            path += f"/namespaces/{self._namespace_segment}"
        path += f"/{info.plural}"
        if name is not None:
            path += f"/{check_path_segment(name, 'name')}"
        if subresource:
            path += f"/{check_path_segment(subresource, 'subresource')}"
        return path

    def _body(self, obj: object, verb: str, model: type[Any] | None = None) -> bytes:
        """The JSON of ``obj`` for a write verb (``to_json``: no intermediate dict, and the
        parts never read go out as they came); ``TypeError`` unless it is a ``model``.

        A typed client takes its own model only, as client-go's typed clients do: a
        mapping (or another kind's model) is refused at the call with the expected type,
        rather than failing deep in the encoder. Decode a mapping with
        ``Model.from_dict(data)`` or send it with the dynamic client.
        """
        expected = model or self.model
        if isinstance(obj, expected):
            body: bytes = obj.to_json()
            return body
        hint = (
            f"; decode it first with {expected.__name__}.from_dict(...)"
            if isinstance(obj, Mapping)
            else ""
        )
        raise TypeError(
            f"{self.resource.plural}.{verb}() expects a {expected.__module__}."
            f"{expected.__qualname__}, not a {type(obj).__module__}.{type(obj).__qualname__}{hint}"
        )

    def _decode(self, data: bytes) -> T:
        try:
            obj: T = decode_model_json(data, self.model)
        except ValueError:
            raise_failure_status(data)
            raise
        return obj

    def _decode_list(self, data: bytes) -> L:
        try:
            obj: L = decode_model_json(data, self.list_model)
        except ValueError:
            raise_failure_status(data)
            raise
        return obj


def raise_failure_status(data: bytes) -> None:
    """Raise the ``ApiError`` of a 2xx body that is a ``Status`` other than Success.

    client-go's ``Result.Into`` does the same (``errors.FromObject``): a proxy or aggregated
    API answering 200 with a failure ``Status`` is that error, not a ``ValueError`` about the
    wrong kind. Called only once decoding failed, so a good answer costs nothing more.
    """
    try:
        doc = json_loads(data)
    except ValueError:
        return
    if isinstance(doc, dict) and doc.get("kind") == "Status" and doc.get("status") != "Success":
        code = doc.get("code")
        raise error_from_response(code if isinstance(code, int) and code >= 400 else 500, data)


def paginate(page: Callable[[str | None], tuple[list[T_any], str | None]]) -> Iterator[T_any]:
    """Items of every page: ``page(token)`` returns one page's items and the next token."""
    token: str | None = None
    while True:
        items, token = page(token)
        yield from items
        if not token:
            return


def write_params(
    dry_run: bool, field_manager: str | None, field_validation: FieldValidationDirective | None
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if dry_run:
        params["dryRun"] = "All"
    if field_manager:
        params["fieldManager"] = field_manager
    if field_validation:
        params["fieldValidation"] = field_validation
    return params


def patch_body(patch: Any, patch_type: PatchType | str | None) -> tuple[Any, PatchType]:
    """The body and content type of a patch.

    ``patch_type=None`` chooses from the body's shape: a list (or tuple) is a JSON patch
    (RFC 6902 operations), anything else a JSON merge patch — a list sent as a merge
    patch would replace the whole object (RFC 7386), which is never what was meant. An
    explicit ``patch_type`` must fit the body: a list with a merge, strategic merge or
    apply patch type, or a mapping/model with ``PatchType.JSON``, raises ``TypeError``
    before anything is sent. ``bytes``/``str`` bodies are sent as they are (an explicit
    type is then required for anything but a merge patch).
    """
    if isinstance(patch, Model):
        patch = patch.to_dict()
    elif hasattr(patch, "to_dict") and callable(patch.to_dict):  # e.g. Unstructured
        patch = patch.to_dict()
    if isinstance(patch, str):
        patch = patch.encode()
    if patch_type is None:
        chosen = PatchType.JSON if isinstance(patch, list | tuple) else PatchType.MERGE
    else:
        chosen = PatchType(patch_type)
    if isinstance(patch, tuple):
        patch = list(patch)
    if isinstance(patch, list) and chosen is not PatchType.JSON:
        raise TypeError(
            f"a list body is a JSON patch (PatchType.JSON), not a {chosen.name} patch "
            "(a merge patch must be a JSON object)"
        )
    if isinstance(patch, Mapping) and chosen is PatchType.JSON:
        raise TypeError("a JSON patch (PatchType.JSON) is a list of operations, not a mapping")
    if not isinstance(patch, list | Mapping | bytes | bytearray):
        raise TypeError(
            "a patch is a mapping or model (merge patch), a list of operations (JSON patch) "
            f"or bytes, not a {type(patch).__name__}"
        )
    return patch, chosen


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
    resource_version_match: str | None = None,
) -> dict[str, Any]:
    raw = {
        "labelSelector": label_selector,
        "fieldSelector": field_selector,
        "limit": limit,
        "continue": continue_,
        "resourceVersion": resource_version,
        "resourceVersionMatch": resource_version_match,
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
        resource_version_match: ResourceVersionMatch | None = None,
    ) -> L:
        """One page: the typed list with ``metadata.resource_version`` and ``metadata.continue_``.

        ``resource_version_match`` is client-go's ``ListOptions.ResourceVersionMatch``:
        ``"Exact"`` lists the state at ``resource_version``, ``"NotOlderThan"`` any state
        at least that new (the API concepts' "Resource versions" table)."""
        params = list_params(
            label_selector,
            field_selector,
            limit,
            continue_,
            resource_version,
            timeout_seconds,
            resource_version_match,
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
        """Typed ADDED / MODIFIED / DELETED events; resumes after dropped connections and
        raises ``Gone`` on 410 (relist): client-go's ``RetryWatcher`` over ``Watch``.

        ``allow_bookmarks`` asks the server for BOOKMARKs (``allowWatchBookmarks``); they
        only move the resume version forward and are not yielded, as ``RetryWatcher`` does
        (:meth:`open_watch` is the plain watch that yields them).
        """
        return watch_events(
            self._rest,
            self._path(collection=True),
            watch_params(label_selector, field_selector, allow_bookmarks),
            self.model._from_owned,
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
    ) -> Watcher[T]:
        """One watch connection yielding every event, BOOKMARKs included: client-go's
        typed ``Watch(ctx, opts)`` (a ``watch.Interface``), what informers drive.

        Events are :class:`~kubecore.client.watch.WatchEvent` s of typed objects (a
        BOOKMARK's object carries only ``metadata.resourceVersion``, and annotations). No
        reconnect: iteration ends when the server ends the stream (after
        ``timeout_seconds``; without it, a random 5 to 10 minutes) or when ``stop()`` is
        called from any thread. ``resource_version`` "" or None starts with the current
        objects as ADDED events; ``send_initial_events`` asks for a streamed list
        (WatchList: the current objects, then the ``k8s.io/initial-events-end`` BOOKMARK).
        Raises ``Gone`` for a 410 answer or ERROR event (relist), other ``ApiError`` s as
        answered, and ``TransportError`` when the connection drops.
        """
        return watch_connection(
            self._rest,
            self._path(collection=True),
            watch_params(label_selector, field_selector, allow_bookmarks),
            self.model._from_owned,
            resource_version=resource_version,
            timeout_seconds=timeout_seconds,
            send_initial_events=send_initial_events,
        )


def watch_params(
    label_selector: str | None, field_selector: str | None, allow_bookmarks: bool
) -> dict[str, Any]:
    """The query of a watch request, apart from the parameters the watcher adds."""
    params = list_params(label_selector, field_selector)
    if allow_bookmarks:
        params["allowWatchBookmarks"] = "true"
    return params


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
                "POST", self._path(collection=True), params=params, body=self._body(obj, "create")
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
        body = self._body(obj, "update")
        return self._decode(
            self._rest.request("PUT", self._path(_name_of(obj)), params=params, body=body)
        )


class Patch(ResourceClient[T, L]):
    def patch(
        self,
        name: str,
        patch: Any,
        *,
        patch_type: PatchType | None = None,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> T:
        """Patch with a JSON patch (a list), a merge or strategic merge patch, or an apply
        configuration (``PatchType.APPLY`` needs ``field_manager``).

        Without ``patch_type`` a list is sent as a JSON patch and a mapping or model as a
        merge patch; a body that does not fit ``patch_type`` raises ``TypeError`` before
        anything is sent (see ``patch_body``)."""
        params = write_params(dry_run, field_manager, None)
        if force is not None:
            params["force"] = "true" if force else "false"
        body, chosen = patch_body(patch, patch_type)
        path = self._path(name, subresource)
        return self._decode(
            self._rest.request("PATCH", path, params=params, body=body, content_type=chosen.value)
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
        body = self._body(obj, "apply")
        return self.patch(
            _name_of(obj),
            body,
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
        decoded: T = self.model.from_dict(data, copy=False)
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
        decoded: L = self.list_model.from_dict(data, copy=False)
        return decoded


def delete_options(
    propagation_policy: PropagationPolicy | None,
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
        body = self._body(obj, "update_status")
        return self._decode(
            self._rest.request("PUT", self._path(_name_of(obj), "status"), params=params, body=body)
        )

    def patch_status(
        self,
        name: str,
        patch: Any,
        *,
        patch_type: PatchType | None = None,
        field_manager: str | None = None,
    ) -> T:
        """Patch the status subresource; the body rules are ``patch``'s."""
        params = write_params(False, field_manager, None)
        body, chosen = patch_body(patch, patch_type)
        return self._decode(
            self._rest.request(
                "PATCH",
                self._path(name, "status"),
                params=params,
                body=body,
                content_type=chosen.value,
            )
        )


class ScaleSubresource(ResourceClient[T, L], Generic[T, L, S]):
    scale_model: ClassVar[type[Any]]

    def get_scale(self, name: str) -> S:
        scale: S = self.scale_model.from_dict(
            json_loads(self._rest.request("GET", self._path(name, "scale"))), copy=False
        )
        return scale

    def update_scale(self, name: str, scale: S, *, dry_run: bool = False) -> S:
        params = write_params(dry_run, None, None)
        body = self._body(scale, "update_scale", self.scale_model)
        data = self._rest.request("PUT", self._path(name, "scale"), params=params, body=body)
        updated: S = self.scale_model.from_dict(json_loads(data), copy=False)
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
