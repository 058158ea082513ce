"""The ``scale`` subresource: an object seen as an ``autoscaling/v1`` Scale, and back.

kube-apiserver maps built-in kinds through their own ``spec.replicas`` /
``status.replicas`` / ``spec.selector``; a custom resource through the CRD's
``subresources.scale`` paths (``specReplicasPath``, ``statusReplicasPath``,
``labelSelectorPath``). The test API server and the fake clients both serve the
subresource with :func:`scale_paths`, :func:`to_scale` and :func:`update_scale`, so the two
cannot drift apart.
"""

from __future__ import annotations

import copy
from typing import Any

from kubecore.testing import fieldowner, tables
from kubecore.testing.discovery import Resource
from kubecore.testing.patch import json_patch, merge_patch
from kubecore.testing.tracker import ApiError, Obj, Tracker, bad_request, now_rfc3339

__all__ = ["scale_paths", "set_path", "to_scale", "update_scale"]

JSON_PATCH = "application/json-patch+json"

_DEFAULT_SCALE_PATHS = {
    "specReplicasPath": ".spec.replicas",
    "statusReplicasPath": ".status.replicas",
    "labelSelectorPath": ".status.selector",
}


def scale_paths(resource: Resource) -> dict[str, str]:
    """The JSON paths (``.spec.replicas`` style) of ``resource``'s Scale fields; an empty
    ``labelSelectorPath`` means the Scale carries no selector."""
    if resource.is_crd:
        return {**_DEFAULT_SCALE_PATHS, "labelSelectorPath": "", **resource.scale_paths}
    return {**_DEFAULT_SCALE_PATHS, "labelSelectorPath": ".spec.selector"}


def to_scale(obj: Obj, paths: dict[str, str]) -> Obj:
    """The ``autoscaling/v1`` Scale of ``obj`` (a stored object, JSON data)."""
    meta = obj.get("metadata") or {}
    replicas = tables.json_path(obj, paths["specReplicasPath"])
    status: Obj = {"replicas": tables.json_path(obj, paths["statusReplicasPath"]) or 0}
    if paths.get("labelSelectorPath"):
        selector = _selector_string(tables.json_path(obj, paths["labelSelectorPath"]))
        if selector:
            status["selector"] = selector
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        "spec": {"replicas": replicas if isinstance(replicas, int) else 0},
        "status": status,
    }


def set_path(obj: Obj, path: str, value: Any) -> None:
    """Set ``value`` at the dotted ``path`` (``.spec.replicas``), creating objects on the way."""
    keys = [k for k in path.strip().split(".") if k]
    target = obj
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def update_scale(
    tracker: Tracker,
    resource: Resource,
    namespace: str,
    name: str,
    *,
    replace: bool,
    body: Any,
    content_type: str = "",
    dry_run: bool = False,
    params: Any = None,
    user_agent: str = "",
) -> Obj:
    """PUT (``replace``) or PATCH (merge or JSON patch ``body``, by ``content_type``) a
    Scale: the new ``spec.replicas`` lands at the object's spec replicas path. Returns the
    new Scale. Raises ``ApiError`` 400 (not an object), 422 (negative or missing replicas),
    409 (a PUT with a stale resourceVersion), 404. The write is owned as kube-apiserver
    records it (``params``' ``fieldManager``, else ``user_agent``'s; operation ``Update``,
    subresource ``scale``), so a later apply of other replicas conflicts."""
    paths = scale_paths(resource)

    def change(obj: Obj) -> Obj:
        scale = to_scale(obj, paths)
        if replace:
            new_scale = body
        elif content_type == JSON_PATCH:
            new_scale = json_patch(scale, body)
        else:
            new_scale = merge_patch(scale, body)
        if not isinstance(new_scale, dict):
            raise bad_request("a Scale must be an object")
        replicas = (new_scale.get("spec") or {}).get("replicas")
        if not isinstance(replicas, int) or replicas < 0:
            raise ApiError(
                422, "Invalid", "Scale.autoscaling is invalid: spec.replicas: must be >= 0"
            )
        sent_rv = (new_scale.get("metadata") or {}).get("resourceVersion")
        if replace and sent_rv:
            obj["metadata"]["resourceVersion"] = sent_rv
        before = copy.deepcopy(obj)
        set_path(obj, paths["specReplicasPath"], replicas)
        recorded: Obj = fieldowner.record_write(
            tracker.table,
            resource,
            before,
            obj,
            params or {},
            time=now_rfc3339(),
            subresource="scale",
            user_agent=user_agent,
        )
        return recorded

    updated = tracker.patch(resource, namespace, name, change, subresource="scale", dry_run=dry_run)
    return to_scale(updated, paths)


def _selector_string(selector: Any) -> str:
    if isinstance(selector, str):
        return selector
    if not isinstance(selector, dict):
        return ""
    terms = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or ():
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        if op == "In":
            terms.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            terms.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            terms.append(str(key))
        elif op == "DoesNotExist":
            terms.append(f"!{key}")
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        terms = [f"{k}={v}" for k, v in sorted(selector.items())]  # ReplicationController
    return ",".join(terms)
