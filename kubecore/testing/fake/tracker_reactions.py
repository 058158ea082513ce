"""The default reactions: what the fake does when no reactor handled an action.

client-go's ``testing.ObjectReaction(tracker)`` and ``DefaultWatchReactor``: every action
goes to the :class:`~kubecore.testing.tracker.Tracker`, the same object store the test
API server serves over HTTP, with the server's rules for each verb (resourceVersion
conflicts, status subresources, merge/JSON/strategic merge/apply patches, dry-run, delete
preconditions, finalizers, label and field selectors, watch from a resourceVersion), so a
fake and a server answer alike. The conformance suite
(``tests/integration/test_fake_conformance.py``) holds the two to the same results.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

from kubecore.client import errors as client_errors
from kubecore.core.codec import json_dumps
from kubecore.testing.discovery import Resource, ResourceTable
from kubecore.testing.fake.actions import Action
from kubecore.testing.patch import (
    apply_merge,
    json_patch,
    merge_patch,
    record_apply,
    strategic_merge_patch,
)
from kubecore.testing.tracker import ApiError, Obj, Tracker, bad_request, now_rfc3339
from kubecore.testing.validation import unknown_fields

__all__ = ["ObjectReaction", "WatchReaction", "client_error", "wire"]

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

Reaction = tuple[bool, Any, BaseException | None]
WatchEvents = Iterator[tuple[str, Any]]


def client_error(err: ApiError) -> client_errors.ApiError:
    """The typed client error (``NotFound``, ``Conflict``, ...) a client gets for ``err``,
    built from the same ``Status`` body the server would send."""
    return client_errors.error_from_response(err.code, json_dumps(err.status()), {})


def _not_served() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


class ObjectReaction:
    """client-go's ``ObjectReaction``: handles every action against ``tracker``."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    @property
    def table(self) -> ResourceTable:
        return self.tracker.table

    def __call__(self, action: Action) -> Reaction:
        gvr = action.resource
        resource = self.table.get(gvr.group, gvr.version, gvr.resource)
        try:
            if resource is None:
                raise _not_served()
            return True, self._react(resource, action), None
        except ApiError as err:
            return True, None, client_error(err)

    def _react(self, resource: Resource, action: Action) -> Any:
        tracker, verb, sub = self.tracker, action.verb, action.subresource
        namespace, name, params = action.namespace, action.name, action.params
        if sub and sub not in resource.subresources:
            raise _not_served()
        dry_run = _dry_run(params)
        body = wire(action.object)
        if sub == "log":
            return self._log(resource, action)
        if sub == "eviction":
            return self._evict(resource, action, body)
        if sub == "scale":
            return self._scale(resource, action, body)
        if verb == "get":
            return tracker.get(resource, namespace, name)
        if verb == "list":
            return tracker.list(
                resource,
                namespace,
                label_selector=action.label_selector,
                field_selector=action.field_selector,
                limit=int(params.get("limit") or 0),
                continue_=params.get("continue"),
            )
        if verb == "create":
            _check_type(resource, body)
            self._validate(resource, body, params)
            return tracker.create(resource, namespace, body, dry_run=dry_run)
        if verb == "update":
            _check_type(resource, body)
            self._validate(resource, body, params)
            return tracker.update(resource, namespace, name, body, subresource=sub, dry_run=dry_run)
        if verb == "patch":
            return self._patch(resource, action)
        if verb == "delete":
            options = action.options if isinstance(action.options, dict) else {}
            return tracker.delete(
                resource,
                namespace,
                name,
                preconditions=_preconditions(options),
                dry_run=dry_run or "All" in (options.get("dryRun") or ()),
            )
        if verb == "delete-collection":
            return tracker.delete_collection(
                resource,
                namespace,
                label_selector=action.label_selector,
                field_selector=action.field_selector,
            )
        raise ApiError(405, "MethodNotAllowed", f"{verb} is not supported here")

    def _log(self, resource: Resource, action: Action) -> Any:
        """``pods/log``: the text set with ``tracker.set_logs``; with ``follow``, an
        iterator of lines ("" while idle) that the REST backend streams."""
        if action.verb != "get":
            raise ApiError(405, "MethodNotAllowed", f"{action.verb} is not supported here")
        params, tracker = action.params, self.tracker
        tracker.get(resource, action.namespace, action.name)  # 404 for a missing pod
        follow = params.get("follow") in ("1", "true")
        lines = tracker.logs(
            action.namespace, action.name, params.get("container", ""), follow=follow
        )
        if follow:
            return lines
        text = "".join(lines)
        if params.get("tailLines"):
            tail = int(params["tailLines"])
            text = "".join(text.splitlines(keepends=True)[-tail:]) if tail else ""
        return text

    def _evict(self, resource: Resource, action: Action, body: Any) -> Obj:
        """``pods/eviction``: the pod is deleted (with the Eviction's delete options)."""
        if action.verb != "create":
            raise ApiError(405, "MethodNotAllowed", f"{action.verb} is not supported here")
        options = body.get("deleteOptions") if isinstance(body, dict) else None
        options = options if isinstance(options, dict) else {}
        self.tracker.delete(
            resource,
            action.namespace,
            action.name,
            preconditions=_preconditions(options),
            dry_run=_dry_run(action.params) or "All" in (options.get("dryRun") or ()),
        )
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "code": 201,
        }

    def _scale(self, resource: Resource, action: Action, body: Any) -> Obj:
        """``autoscaling/v1`` Scale from spec.replicas / status.replicas / the selector."""
        # The test API server's own Scale mapping, so the two cannot drift apart.
        from kubecore.testing.server import _scale_paths, _set_path, _to_scale

        tracker, verb = self.tracker, action.verb
        namespace, name = action.namespace, action.name
        paths = _scale_paths(resource)
        if verb == "get":
            return _to_scale(tracker.get(resource, namespace, name), paths)
        if verb not in ("update", "patch"):
            raise ApiError(405, "MethodNotAllowed", f"{verb} is not supported here")

        def change(obj: Obj) -> Obj:
            scale = _to_scale(obj, paths)
            if verb == "update":
                new_scale = body
            elif action.patch_type == JSON_PATCH:
                new_scale = json_patch(scale, action.patch)
            else:
                new_scale = merge_patch(scale, action.patch)
            if not isinstance(new_scale, dict):
                raise bad_request("a Scale must be an object")
            replicas = (new_scale.get("spec") or {}).get("replicas")
            if not isinstance(replicas, int) or replicas < 0:
                raise ApiError(
                    422, "Invalid", "Scale.autoscaling is invalid: spec.replicas: must be >= 0"
                )
            sent_rv = (new_scale.get("metadata") or {}).get("resourceVersion")
            if verb == "update" and sent_rv:
                obj["metadata"]["resourceVersion"] = sent_rv
            _set_path(obj, paths["specReplicasPath"], replicas)
            return obj

        updated = tracker.patch(
            resource, namespace, name, change, subresource="scale", dry_run=_dry_run(action.params)
        )
        return _to_scale(updated, paths)

    def _validate(self, resource: Resource, obj: Any, params: Any) -> None:
        """``fieldValidation=Strict`` fails on fields the schema does not know (when the
        fake was given schemas); Warn and Ignore let them through."""
        if params.get("fieldValidation") != "Strict" or not isinstance(obj, dict):
            return
        unknown = unknown_fields(self.table, resource, obj)
        if unknown:
            listed = ", ".join(f'unknown field "{path}"' for path in unknown)
            raise bad_request(
                f'{resource.kind} in version "{resource.version}" cannot be handled as a '
                f"{resource.kind}: strict decoding error: {listed}"
            )

    def _patch(self, resource: Resource, action: Action) -> Obj:
        table, tracker, params = self.table, self.tracker, action.params
        patch, patch_type = action.patch, action.patch_type
        schema = resource.schema if resource.is_crd else None
        if schema is None:
            schema = table.schema_for_kind(resource.group, resource.version, resource.kind)
        if patch_type == APPLY_PATCH:
            return self._apply(resource, action, schema)
        if patch_type == STRATEGIC_PATCH and resource.is_crd:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format - accepted media types "
                f"include: {JSON_PATCH}, {MERGE_PATCH}, {APPLY_PATCH}",
            )
        if patch_type not in (MERGE_PATCH, JSON_PATCH, STRATEGIC_PATCH):
            raise ApiError(
                415, "UnsupportedMediaType", f"unsupported patch content type {patch_type!r}"
            )

        def change(obj: Obj) -> Any:
            if patch_type == MERGE_PATCH:
                return merge_patch(obj, patch)
            if patch_type == JSON_PATCH:
                return json_patch(obj, patch)
            return strategic_merge_patch(table, obj, patch, schema or {})

        def checked(obj: Obj) -> Obj:
            result = change(obj)
            if not isinstance(result, dict):
                raise ApiError(422, "Invalid", "the patch did not produce an object")
            self._validate(resource, result, params)
            return result

        return tracker.patch(
            resource,
            action.namespace,
            action.name,
            checked,
            subresource=action.subresource,
            dry_run=_dry_run(params),
        )

    def _apply(self, resource: Resource, action: Action, schema: Any) -> Obj:
        """Server-side apply, as the test API server does it: create when missing, else
        merge the applied fields and record the field manager."""
        tracker, params, applied = self.tracker, action.params, action.patch
        namespace, name, sub = action.namespace, action.name, action.subresource
        manager = params.get("fieldManager", "")
        if not manager:
            raise ApiError(
                422,
                "Invalid",
                'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                "is required for apply patch",
            )
        if not isinstance(applied, dict):
            raise bad_request("an apply patch must be an object")
        _check_type(resource, applied)
        self._validate(resource, applied, params)
        meta: Obj = applied["metadata"] if isinstance(applied.get("metadata"), dict) else {}
        if meta.get("name") and meta["name"] != name:
            raise bad_request("the name of the object does not match the name on the URL")
        dry_run = _dry_run(params)
        try:
            tracker.get(resource, namespace, name)
        except ApiError as err:
            if err.code != 404 or sub:
                raise
            body = dict(applied)
            body["metadata"] = {**meta, "name": name}
            body["apiVersion"] = resource.group_version
            record_apply(body, applied, manager, now_rfc3339())
            try:
                return tracker.create(resource, namespace, body, dry_run=dry_run)
            except ApiError as conflict:
                if conflict.code != 409:
                    raise

        def change(obj: Obj) -> Obj:
            merged = apply_merge(self.table, obj, applied, schema or {})
            merged.get("metadata", {}).pop("resourceVersion", None)
            if isinstance(meta.get("resourceVersion"), str):
                merged["metadata"]["resourceVersion"] = meta["resourceVersion"]
            return record_apply(merged, applied, manager, now_rfc3339())

        return tracker.patch(resource, namespace, name, change, subresource=sub, dry_run=dry_run)


class WatchReaction:
    """client-go's ``DefaultWatchReactor``: a watch on the tracker's event history.

    Yields ``(type, object)``; without a resourceVersion the current objects come first as
    ADDED events; a version older than the kept history raises ``Gone`` (410) before the
    first event, as the server answers it; ``timeoutSeconds`` ends the watch.

    Streaming lists (WatchList, ``sendInitialEvents=true``, which kube-apiserver accepts only
    with ``resourceVersionMatch=NotOlderThan`` and ``allowWatchBookmarks=true``): the
    current objects as ADDED events, then a BOOKMARK at their resourceVersion annotated
    ``k8s.io/initial-events-end: "true"``, then the changes after it, as kube-apiserver
    streams them, so a reflector using WatchList syncs on the fake too.
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def __call__(self, action: Action) -> tuple[bool, WatchEvents | None, BaseException | None]:
        gvr = action.resource
        resource = self.tracker.table.get(gvr.group, gvr.version, gvr.resource)
        if resource is None:
            return True, None, client_error(_not_served())
        params = action.params
        initial: list[tuple[str, Obj]] = []
        resource_version = action.resource_version
        try:
            if params.get("sendInitialEvents") in ("1", "true"):
                initial, resource_version = self._initial_events(resource, action)
            events = self.tracker.watch(
                resource,
                action.namespace,
                resource_version=resource_version,
                label_selector=action.label_selector,
                field_selector=action.field_selector,
                timeout=float(params.get("timeoutSeconds") or 1800),
            )
            first = next(events, None)  # 410 Gone and bad selectors surface here
        except ApiError as err:
            return True, None, client_error(err)
        return True, _chain(initial, first, events), None

    def _initial_events(
        self, resource: Resource, action: Action
    ) -> tuple[list[tuple[str, Obj]], str]:
        params = action.params
        if params.get("resourceVersionMatch") != "NotOlderThan":
            raise ApiError(
                422,
                "Invalid",
                "resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
                "resourceVersionMatch to NotOlderThan",
            )
        if params.get("allowWatchBookmarks") not in ("1", "true"):
            raise ApiError(
                422,
                "Invalid",
                "allowWatchBookmarks: Required value: sendInitialEvents requires "
                "allowWatchBookmarks=true",
            )
        listed = self.tracker.list(
            resource,
            action.namespace,
            label_selector=action.label_selector,
            field_selector=action.field_selector,
        )
        version = str(listed["metadata"]["resourceVersion"])
        bookmark: Obj = {
            "apiVersion": resource.group_version,
            "kind": resource.kind,
            "metadata": {
                "resourceVersion": version,
                "annotations": {"k8s.io/initial-events-end": "true"},
            },
        }
        initial = [("ADDED", item) for item in listed["items"]]
        return [*initial, ("BOOKMARK", bookmark)], version


def _chain(
    initial: list[tuple[str, Obj]],
    first: tuple[str, Obj] | None,
    rest: Generator[tuple[str, Obj], None, None],
) -> WatchEvents:
    """``initial``, ``first``, then ``rest``; idle ticks (``("", {})``) pass through, so
    that a consumer that stopped listening notices within a second."""
    try:
        yield from initial
        if first is not None:
            yield first
            yield from rest
    finally:
        rest.close()


def wire(obj: Any) -> Any:
    """JSON data of an action's object (the typed model or Unstructured becomes a dict)."""
    if obj is None or isinstance(obj, dict | list | str | int | float | bool):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    inner = getattr(obj, "object", None)
    if isinstance(inner, dict):
        return inner
    raise TypeError(f"cannot encode a {type(obj).__name__} as JSON data")


def _dry_run(params: Any) -> bool:
    value = params.get("dryRun")
    if value is None:
        return False
    if value != "All":
        raise bad_request(f'dryRun: Unsupported value: {value!r}: supported values: "All"')
    return True


def _preconditions(options: Obj) -> Obj | None:
    found = options.get("preconditions")
    return found if isinstance(found, dict) else None


def _check_type(resource: Resource, body: Any) -> None:
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    kind, api_version = body.get("kind"), body.get("apiVersion")
    if kind and kind != resource.kind:
        raise bad_request(f"the kind {kind!r} does not match the resource kind {resource.kind!r}")
    if api_version and api_version != resource.group_version:
        raise bad_request(
            f"the apiVersion {api_version!r} does not match {resource.group_version!r}"
        )
