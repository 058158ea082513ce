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

import itertools
from collections.abc import Generator, Iterator
from typing import Any

from kubecore.client import errors as client_errors
from kubecore.core.codec import json_dumps
from kubecore.testing import eviction, writes
from kubecore.testing.admission import Admission, check_list_options
from kubecore.testing.discovery import Resource, ResourceTable
from kubecore.testing.fake.actions import Action
from kubecore.testing.httpio import check_write_options, query_flag
from kubecore.testing.patch import check_patch_document
from kubecore.testing.scale import scale_paths, to_scale, update_scale
from kubecore.testing.tracker import ApiError, Obj, Tracker, parse_resource_version
from kubecore.testing.writes import JSON_PATCH, STRATEGIC_PATCH

__all__ = ["ObjectReaction", "WatchReaction", "client_error", "wire"]

# The HTTP method of each verb, for the write options checks (``check_write_options``).
_METHODS = {
    "create": "POST",
    "update": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "delete-collection": "DELETE",
}

Reaction = tuple[bool, Any, BaseException | None]
WatchEvents = Iterator[tuple[str, Any]]


def client_error(err: ApiError) -> client_errors.ApiError:
    """The typed client error (``NotFound``, ``Conflict``, ...) a client gets for ``err``,
    built from the same ``Status`` body the server would send."""
    return client_errors.error_from_response(err.code, json_dumps(err.status()), {})


def _not_served() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


class ObjectReaction:
    """client-go's ``ObjectReaction``: handles every action against ``tracker``.

    Writes go through the server's pipeline (:mod:`kubecore.testing.writes`) with an
    :class:`~kubecore.testing.admission.Admission` built from the tracker's table, so custom
    resources are pruned and defaulted and objects validated against their schemas as the
    test API server does; a fake given no specs knows only its resource list, so schema
    checks apply only where a schema is known (the CRDs it was given). Reads are defaulted
    as the server defaults them; deletes take the server's ``DeleteOptions`` checks and
    garbage collection options.
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self._admission: Admission | None = None
        self._admission_key: tuple[int, int] = (-1, -1)
        if tracker.defaulter is None:  # reads are defaulted as the server defaults them
            tracker.defaulter = self._default

    @property
    def admission(self) -> Admission:
        """The :class:`Admission` of the tracker's table, rebuilt when specs or CRDs were
        added to the table since (a tracker shared with a fake built later with specs)."""
        table = self.tracker.table
        key = (len(table.definitions), len(table.crds))
        if self._admission is None or key != self._admission_key:
            self._admission, self._admission_key = Admission(table), key
        return self._admission

    def _default(self, resource: Resource, obj: Obj) -> Obj:
        return self.admission.default(resource, obj)

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
        check_write_options(_METHODS.get(verb, "GET"), dict(params))
        writes.dry_run(params)  # a bad dryRun is refused (400) before anything else
        body = wire(action.object)
        if sub == "log":
            return self._log(resource, action)
        if sub == "eviction":
            return self._evict(resource, action, body)
        if sub == "scale":
            return self._scale(resource, action, body)
        admission = self.admission
        if verb == "list":  # a list's options: 422 first, as the server
            check_list_options({k: str(v) for k, v in params.items() if v is not None})
        if verb in ("get", "list"):  # 400 for a malformed version, as the server
            parse_resource_version(params.get("resourceVersion"))
        if verb == "get":
            return tracker.get(
                resource, namespace, name, resource_version=params.get("resourceVersion")
            )
        if verb == "list":
            listed = tracker.list(
                resource,
                namespace,
                label_selector=action.label_selector,
                field_selector=action.field_selector,
                limit=int(params.get("limit") or 0),
                continue_=params.get("continue"),
                resource_version=params.get("resourceVersion"),
                resource_version_match=params.get("resourceVersionMatch"),
            )
            return listed
        if verb == "create":
            return writes.create(tracker, admission, resource, namespace, body, params)
        if verb == "update":
            return writes.update(tracker, admission, resource, namespace, name, sub, body, params)
        if verb == "patch":
            return writes.patch(
                tracker,
                admission,
                resource,
                namespace,
                name,
                sub,
                action.patch_type,
                action.patch,
                params,
            ).object
        if verb == "delete":
            return writes.delete(tracker, resource, namespace, name, action.options, params).object
        if verb == "delete-collection":
            return writes.delete_collection(
                tracker,
                resource,
                namespace,
                action.options,
                params,
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
        """``pods/eviction``: as the server (:mod:`kubecore.testing.eviction`)."""
        if action.verb != "create":
            raise ApiError(405, "MethodNotAllowed", f"{action.verb} is not supported here")
        return eviction.evict(
            self.tracker, resource, action.namespace, action.name, body, action.params
        )

    def _scale(self, resource: Resource, action: Action, body: Any) -> Obj:
        """``autoscaling/v1`` Scale, with the test API server's mapping (``kubecore.testing.scale``)."""
        verb = action.verb
        if verb == "get":
            obj = self.tracker.get(resource, action.namespace, action.name)
            return to_scale(obj, scale_paths(resource))
        if verb not in ("update", "patch"):
            raise ApiError(405, "MethodNotAllowed", f"{verb} is not supported here")
        document = body if verb == "update" else action.patch
        if verb == "patch" and action.patch_type != JSON_PATCH:
            check_patch_document(document, strategic=action.patch_type == STRATEGIC_PATCH)
            if document is None:
                document = {}
        return update_scale(
            self.tracker,
            resource,
            action.namespace,
            action.name,
            replace=verb == "update",
            body=document,
            content_type=action.patch_type,
            dry_run=writes.dry_run(action.params),
            params=action.params,
        )


class WatchReaction:
    """client-go's ``DefaultWatchReactor``: a watch on the tracker's event history.

    Yields ``(type, object)``; without a resourceVersion the current objects come first as
    ADDED events; a version older than the kept history gets one ERROR event carrying a
    410 ``Expired`` Status, then the stream ends, as the server answers it (clients raise
    ``Gone`` and relist); ``timeoutSeconds`` ends the watch.

    Streaming lists (WatchList, ``sendInitialEvents=true``, which kube-apiserver accepts only
    with ``resourceVersionMatch=NotOlderThan`` and ``allowWatchBookmarks=true``) are the
    tracker's (``Tracker.watch(send_initial_events=True)``), validated by the server's own
    check (``kubecore.testing.writes.send_initial_events``): the current objects as ADDED
    events, then a BOOKMARK annotated ``k8s.io/initial-events-end: "true"``, then the
    changes after it, so a reflector using WatchList syncs on the fake too.

    With ``allowWatchBookmarks``, an idle stream also gets progress BOOKMARKs as from the
    server (at most about one a second, only when the version moved, never covering an
    event not yet yielded), so an informer on a fake advances its resourceVersion while its
    own objects are quiet, exactly as against the server.
    """

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker

    def __call__(self, action: Action) -> tuple[bool, WatchEvents | None, BaseException | None]:
        gvr = action.resource
        resource = self.tracker.table.get(gvr.group, gvr.version, gvr.resource)
        if resource is None:
            return True, None, client_error(_not_served())
        params = action.params
        try:
            events = self.tracker.watch(
                resource,
                action.namespace,
                resource_version=action.resource_version,
                label_selector=action.label_selector,
                field_selector=action.field_selector,
                timeout=float(params.get("timeoutSeconds") or 1800),
                send_initial_events=writes.send_initial_events(params),
            )
            first = next(events, None)  # bad versions and selectors (400) surface here
        except ApiError as err:
            return True, None, client_error(err)
        progress = bool(query_flag({k: str(v) for k, v in params.items()}, "allowWatchBookmarks"))
        return True, _typed_bookmarks(resource, first, events, progress), None


def _typed_bookmarks(
    resource: Resource,
    first: tuple[str, Obj] | None,
    rest: Generator[tuple[str, Obj], None, None],
    progress: bool,
) -> WatchEvents:
    """``first`` then ``rest``, BOOKMARK objects given the resource's kind and apiVersion
    (as the server sends them); idle ticks (``("", {...})``) pass through, so that a
    consumer that stopped listening notices within a second. With ``progress``, an idle
    tick at a version not yet announced is preceded by a BOOKMARK at that version (the
    server's progress bookmarks, ``TestApiServer``'s watch); the first tick, where the
    stream starts, is never announced (no watch opens with a BOOKMARK)."""
    announced = ""
    try:
        if first is None:
            return
        for event_type, obj in itertools.chain([first], rest):
            if event_type == "BOOKMARK":
                announced = obj["metadata"]["resourceVersion"]
                obj = {"kind": resource.kind, "apiVersion": resource.group_version, **obj}
            elif not event_type and not announced:
                announced = obj["metadata"]["resourceVersion"]  # the start: no progress yet
            elif not event_type and progress and obj["metadata"]["resourceVersion"] != announced:
                announced = obj["metadata"]["resourceVersion"]
                yield "BOOKMARK", {
                    "kind": resource.kind,
                    "apiVersion": resource.group_version,
                    "metadata": {"resourceVersion": announced},
                }
            yield event_type, obj
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
