"""RESTMapper: resource names and kinds to REST mappings, from discovery.

What kubectl does with ``kubectl get deploy``: turn what a user typed (a plural, a
singular, a short name or a kind, optionally qualified ``deployments.apps`` or
``deployments.v1.apps``) or a ``GroupVersionKind`` into the resource to call and whether
it is namespaced::

    mapper = RESTMapper(DiscoveryClient(rest))
    m = mapper.kind_for("deploy")                  # RESTMapping(apps/v1 deployments ...)
    m = mapper.resource_for(GroupVersionKind("apps", "v1", "Deployment"))
    dyn.resource(m.gvr).namespace("default").list()

Matching is case-insensitive. When a name matches in several groups (``events`` is in
the core group and in ``events.k8s.io``), the group listed first by discovery wins (the
core group first), at the group's preferred version, like client-go's priority mapper.
Within a name, an exact plural beats a singular, which beats a short name, which beats a
kind.

The mappings are loaded from discovery on first use and cached. An unknown name makes
the mapper re-query discovery once (a CRD may have been installed since), as client-go's
``DeferredDiscoveryRESTMapper`` does, at most once per ``min_refresh_interval``
seconds; a name still unknown then raises :class:`NoMatchError`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kubecore.client.discovery import DiscoveryClient, GroupDiscoveryFailed, is_subresource
from kubecore.core.generated.meta_v1 import APIGroupList, APIResourceList
from kubecore.core.unstructured import GroupVersionKind, GroupVersionResource

__all__ = ["NoMatchError", "RESTMapper", "RESTMapping"]


class NoMatchError(LookupError):
    """No resource or kind matches (client-go's ``NoResourceMatchError`` /
    ``NoKindMatchError``); ``query`` is what was asked for."""

    def __init__(self, query: str) -> None:
        super().__init__(f"no matches for {query}: the server does not serve it")
        self.query = query


@dataclass(frozen=True, slots=True)
class RESTMapping:
    """One resource at one version: how to call it and what kind it holds."""

    group: str
    version: str
    resource: str
    kind: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    preferred: bool = True  # the version is the group's preferred one

    @property
    def gvr(self) -> GroupVersionResource:
        return GroupVersionResource(self.group, self.version, self.resource)

    @property
    def gvk(self) -> GroupVersionKind:
        return GroupVersionKind(self.group, self.version, self.kind)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def __str__(self) -> str:
        qualified = f"{self.resource}.{self.group}" if self.group else self.resource
        return f"{qualified} ({self.api_version} {self.kind})"


def _mappings_from(groups: APIGroupList, lists: Iterable[APIResourceList]) -> list[RESTMapping]:
    by_gv = {rl.group_version: rl for rl in lists if rl.group_version}
    out: list[RESTMapping] = []
    for group in groups.groups or ():
        name = group.name or ""
        preferred = group.preferred_version.version if group.preferred_version else None
        versions = [v.version or "" for v in group.versions or () if v.version]
        if preferred in versions:  # preferred first, then the server's order
            versions.remove(preferred)
            versions.insert(0, preferred)
        for version in versions:
            gv = f"{name}/{version}" if name else version
            resource_list = by_gv.get(gv)
            if resource_list is None:
                continue
            for res in resource_list.resources or ():
                if is_subresource(res) or not res.name or not res.kind:
                    continue
                out.append(
                    RESTMapping(
                        group=name,
                        version=version,
                        resource=res.name,
                        kind=res.kind,
                        namespaced=bool(res.namespaced),
                        singular=res.singular_name or res.kind.lower(),
                        short_names=tuple(res.short_names or ()),
                        categories=tuple(res.categories or ()),
                        verbs=tuple(res.verbs or ()),
                        preferred=preferred is None or version == preferred,
                    )
                )
    return out


def _name_tiers(m: RESTMapping) -> tuple[str, str, tuple[str, ...], str]:
    return (
        m.resource.lower(),
        m.singular.lower(),
        tuple(s.lower() for s in m.short_names),
        m.kind.lower(),
    )


class RESTMapper:
    """Maps names and kinds to :class:`RESTMapping` using a :class:`DiscoveryClient`."""

    def __init__(
        self,
        discovery: DiscoveryClient,
        *,
        min_refresh_interval: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._discovery = discovery
        self._min_refresh_interval = min_refresh_interval
        self._clock = clock
        self._lock = threading.RLock()
        self._mappings: list[RESTMapping] | None = None
        self._loaded_at = 0.0

    @property
    def discovery(self) -> DiscoveryClient:
        return self._discovery

    # -- loading --

    def reset(self) -> None:
        """Forget the mappings and discovery's cache: the next lookup asks the server."""
        with self._lock:
            self._mappings = None
            self._discovery.invalidate()

    def mappings(self) -> list[RESTMapping]:
        """Every resource at every served version (group priority, preferred version first)."""
        with self._lock:
            if self._mappings is None:
                try:
                    groups, lists = self._discovery.server_groups_and_resources()
                except GroupDiscoveryFailed as partial:  # use what could be discovered
                    groups, lists = self._discovery.server_groups(), partial.resources
                self._mappings = _mappings_from(groups, lists)
                self._loaded_at = self._clock()
            return list(self._mappings)

    def _lookup(
        self, query: str, find: Callable[[list[RESTMapping]], RESTMapping | None]
    ) -> RESTMapping:
        found = find(self.mappings())
        if found is not None:
            return found
        with self._lock:
            stale = self._clock() - self._loaded_at >= self._min_refresh_interval
            if stale:
                self.reset()
        if stale:
            found = find(self.mappings())
            if found is not None:
                return found
        raise NoMatchError(query)

    # -- lookups --

    def kind_for(self, resource: str | GroupVersionResource) -> RESTMapping:
        """The mapping for a resource as a user types it: ``deployments``, ``deployment``,
        ``deploy``, ``Deployment``, ``deployments.apps``, ``deployments.v1.apps`` (or a
        ``GroupVersionResource``; an empty version means the preferred one)."""
        if isinstance(resource, GroupVersionResource):
            gvr = resource
            return self._lookup(
                str(gvr), lambda ms: _match_name(ms, gvr.resource, gvr.group, gvr.version)
            )
        text = resource.strip()
        if not text:
            raise ValueError("an empty resource name")
        return self._lookup(repr(text), lambda ms: _match_arg(ms, text))

    def resource_for(self, kind: str | GroupVersionKind) -> RESTMapping:
        """The mapping for a kind: ``"Deployment"``, ``"Deployment.apps"``,
        ``"Deployment.v1.apps"`` or a ``GroupVersionKind`` (an empty version means the
        preferred one)."""
        if isinstance(kind, GroupVersionKind):
            gvk = kind
            if not gvk.kind:
                raise ValueError(f"a GroupVersionKind without a kind: {gvk!r}")
            return self._lookup(
                str(gvk), lambda ms: _match_kind(ms, gvk.kind, gvk.group, gvk.version)
            )
        text = kind.strip()
        if not text:
            raise ValueError("an empty kind")

        def find(ms: list[RESTMapping]) -> RESTMapping | None:
            for name, group, version in _qualified_forms(text):
                found = _match_kind(ms, name, group, version)
                if found is not None:
                    return found
            return None

        return self._lookup(repr(text), find)

    def resources_in_category(self, category: str) -> list[RESTMapping]:
        """Preferred-version mappings of a category (``kubectl get all``), one per resource."""
        wanted = category.lower()
        seen: set[tuple[str, str]] = set()
        out: list[RESTMapping] = []
        for m in self.mappings():
            key = (m.group, m.resource)
            if key in seen or wanted not in (c.lower() for c in m.categories):
                continue
            seen.add(key)
            out.append(m)
        return out


# -- matching ---------------------------------------------------------------------------------

_ANY: str | None = None


def _qualified_forms(text: str) -> list[tuple[str, str | None, str | None]]:
    """(name, group, version) readings of ``name[.version.group]`` / ``name[.group]``,
    the fully qualified reading first (client-go's ``ParseResourceArg``)."""
    if "." not in text:
        return [(text, _ANY, _ANY)]
    forms: list[tuple[str, str | None, str | None]] = []
    parts = text.split(".", 2)
    if len(parts) == 3:
        forms.append((parts[0], parts[2], parts[1]))
    name, group = text.split(".", 1)
    forms.append((name, group, _ANY))
    return forms


def _in_scope(m: RESTMapping, group: str | None, version: str | None) -> bool:
    if group is not None and m.group.lower() != group.lower():
        return False
    if version:
        return m.version.lower() == version.lower()
    return True


def _match_name(
    mappings: list[RESTMapping], name: str, group: str | None, version: str | None
) -> RESTMapping | None:
    wanted = name.lower()
    # The mappings are in priority order: groups as discovered, preferred version first.
    candidates = [m for m in mappings if _in_scope(m, group, version)]
    tiers = [_name_tiers(m) for m in candidates]
    for tier in range(4):
        for m, names in zip(candidates, tiers, strict=True):
            value = names[tier]
            if (wanted in value) if isinstance(value, tuple) else value == wanted:
                return m
    return None


def _match_arg(mappings: list[RESTMapping], text: str) -> RESTMapping | None:
    for name, group, version in _qualified_forms(text):
        found = _match_name(mappings, name, group, version)
        if found is not None:
            return found
    return None


def _match_kind(
    mappings: list[RESTMapping], kind: str, group: str | None, version: str | None
) -> RESTMapping | None:
    wanted = kind.lower()
    candidates = [m for m in mappings if _in_scope(m, group, version) and m.kind.lower() == wanted]
    return candidates[0] if candidates else None
