"""Resources described by an OpenAPI document's paths (swagger v2 and OpenAPI v3 alike).

Kubernetes annotates every operation with ``x-kubernetes-action`` and
``x-kubernetes-group-version-kind``; the path's shape tells the rest:
``/api/v1/namespaces/{namespace}/pods/{name}/status`` is the namespaced resource
``pods`` of the core group, subresource ``status``. Used by the generator and by the
test API server, which is why it lives in kubecore and has no dependencies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_METHODS = ("get", "put", "post", "patch", "delete")
_ACTION_VERBS = {
    "get": "get",
    "list": "list",
    "watch": "watch",
    "watchlist": "watch",
    "post": "create",
    "put": "update",
    "patch": "patch",
    "delete": "delete",
    "deletecollection": "deletecollection",
    "connect": "connect",
}
_PATH = re.compile(
    r"^/(?:api/(?P<core_version>[^/]+)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))"
    r"(?P<watch>/watch)?"
    r"(?:/namespaces/\{namespace\})?"
    r"/(?P<plural>[^/{]+)(?P<named>/\{name\})?(?:/(?P<sub>[^/{]+))?(?P<rest>/.*)?$"
)


@dataclass
class PathSubresource:
    name: str
    verbs: set[str] = field(default_factory=set)
    kind: tuple[str, str, str] | None = None


@dataclass
class PathResource:
    group: str
    version: str
    plural: str
    namespaced: bool
    kind: tuple[str, str, str] | None = None  # (group, version, kind)
    verbs: set[str] = field(default_factory=set)
    subresources: dict[str, PathSubresource] = field(default_factory=dict)


def resources_from_paths(paths: dict[str, Any]) -> list[PathResource]:
    """Every resource with at least one operation, sorted by group, version, plural."""
    found: dict[tuple[str, str, str], PathResource] = {}
    for path in sorted(paths):
        match = _PATH.match(path)
        item = paths[path]
        if match is None or match["rest"] or not isinstance(item, dict):
            continue
        group = match["group"] or ""
        version = match["core_version"] or match["version"]
        namespaced = "{namespace}" in path
        for method in _METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            verb = _ACTION_VERBS.get(str(op.get("x-kubernetes-action", "")))
            gvk = op.get("x-kubernetes-group-version-kind")
            if verb is None:
                continue
            key = (group, version, match["plural"])
            resource = found.get(key)
            if resource is None:
                resource = found[key] = PathResource(group, version, match["plural"], namespaced)
            resource.namespaced = resource.namespaced or namespaced
            kind = (
                (gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
                if isinstance(gvk, dict)
                else None
            )
            sub = match["sub"]
            if sub:
                entry = resource.subresources.setdefault(sub, PathSubresource(sub))
                entry.verbs.add(verb)
                entry.kind = entry.kind or kind
            else:
                if verb == "get" and not match["named"]:
                    continue  # e.g. a bare GET on a collection that is not a list
                resource.verbs.add(verb)
                if kind and resource.kind is None:
                    resource.kind = kind
    return [found[k] for k in sorted(found)]
