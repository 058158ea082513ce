"""Recorded requests of the fake clients (client-go's ``k8s.io/client-go/testing`` actions).

client-go has one action type per verb (``GetAction``, ``CreateAction``, ``PatchAction``,
...); here one frozen :class:`Action` carries every field, the ones a verb does not use
left empty, so a test reads ``action.verb``, ``action.resource``, ``action.object`` alike
for every request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubecore.client.unstructured import GroupVersionResource

__all__ = ["Action", "VERBS"]

#: client-go's verb names (``delete-collection`` with a dash, as in client-go's actions).
VERBS = ("get", "list", "watch", "create", "update", "patch", "delete", "delete-collection")


@dataclass(frozen=True)
class Action:
    """One request the fake received, before any reactor ran.

    ``verb``: one of :data:`VERBS`; ``resource``: the GroupVersionResource;
    ``namespace``: "" for cluster-scoped resources and for lists across namespaces;
    ``name``: "" for collections; ``subresource``: "status", "scale", "log", "eviction"
    or "". ``object``: the body of create and update (the typed model when the fake's
    scheme knows the kind, else the JSON ``dict``); ``patch``: the decoded patch of a
    patch, ``patch_type`` its content type (a ``PatchType`` value); ``options``: the
    ``DeleteOptions`` (JSON) of delete and delete-collection. ``label_selector``,
    ``field_selector`` and ``resource_version`` come from list, watch and get options;
    ``params`` has every query parameter as sent.
    """

    verb: str
    resource: GroupVersionResource
    namespace: str = ""
    name: str = ""
    subresource: str = ""
    object: Any = None
    patch: Any = None
    patch_type: str = ""
    options: Any = None
    label_selector: str | None = None
    field_selector: str | None = None
    resource_version: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)

    def matches(self, verb: str, resource: str) -> bool:
        """client-go's ``Action.Matches``: ``verb`` and the plural ``resource`` ("*": any).

        ``resource`` may name a subresource as ``"pods/status"``.
        """
        if verb not in ("*", self.verb):
            return False
        if resource == "*":
            return True
        plural, _, sub = resource.partition("/")
        return plural == self.resource.resource and (not sub or sub == self.subresource)
