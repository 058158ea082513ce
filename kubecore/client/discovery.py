"""Discovery: what the API server serves (client-go's ``discovery.DiscoveryClient``).

``DiscoveryClient`` reads ``/version``, ``/api`` and ``/apis`` (the groups and their
versions, preferred version first) and ``/api/v1`` or ``/apis/<group>/<version>`` (the
resources of one group-version). Answers are cached in memory (client-go's
``memory.NewMemCacheClient``); ``invalidate()`` forgets them, so the next call asks
the server again.

A group-version that fails to answer (an aggregated API server that is down, say) does
not spoil the others: ``server_preferred_resources()`` and
``server_groups_and_resources()`` raise :class:`GroupDiscoveryFailed`, which carries
the partial result, as client-go returns both a result and an ``ErrGroupDiscoveryFailed``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from kubecore.client.config import Config
from kubecore.client.errors import ApiError, NotFound
from kubecore.client.paths import api_path
from kubecore.client.rest import RESTClient
from kubecore.core.generated.meta_v1 import (
    APIGroup,
    APIGroupList,
    APIResource,
    APIResourceList,
    GroupVersionForDiscovery,
)
from kubecore.core.generated.version import Info

__all__ = ["DiscoveryClient", "GroupDiscoveryFailed", "is_subresource"]

#: How many group-versions are fetched at once.
_PARALLELISM = 8


class GroupDiscoveryFailed(Exception):
    """Some group-versions could not be discovered; ``resources`` holds what could be.

    ``failures`` maps each failed group-version (``"metrics.k8s.io/v1beta1"``) to its error.
    """

    def __init__(self, failures: dict[str, Exception], resources: list[APIResourceList]) -> None:
        names = ", ".join(f"{gv}: {err}" for gv, err in sorted(failures.items()))
        super().__init__(f"unable to retrieve the complete list of server APIs: {names}")
        self.failures = failures
        self.resources = resources


def is_subresource(resource: APIResource) -> bool:
    """``pods/status``, ``deployments/scale``...: discovery lists them beside resources."""
    return "/" in (resource.name or "")


def _group_version(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


class DiscoveryClient:
    """Discovery with an in-memory cache (thread-safe)."""

    def __init__(self, config_or_rest: Config | RESTClient) -> None:
        if isinstance(config_or_rest, RESTClient):
            self._rest = config_or_rest
        else:
            self._rest = RESTClient(config_or_rest)
        self._lock = threading.RLock()
        self._groups: APIGroupList | None = None
        self._resources: dict[str, APIResourceList | Exception] = {}
        self._version: Info | None = None

    @property
    def rest(self) -> RESTClient:
        return self._rest

    # -- cache --

    def invalidate(self) -> None:
        """Forget every cached answer."""
        with self._lock:
            self._groups = None
            self._resources = {}
            self._version = None

    @property
    def fresh(self) -> bool:
        """Whether the cache holds groups fetched since the last ``invalidate()``."""
        return self._groups is not None

    # -- queries --

    def server_version(self) -> Info:
        """``/version``: ``git_version``, ``major``, ``minor``, ``platform``..."""
        with self._lock:
            if self._version is None:
                self._version = Info.from_dict(self._rest.get_json("/version"))
            return self._version

    def server_groups(self) -> APIGroupList:
        """Every group, the legacy core group (named ``""``) first, each with its versions
        (preferred first) and ``preferred_version``."""
        with self._lock:
            if self._groups is None:
                self._groups = self._fetch_groups()
            return self._groups

    def _fetch_groups(self) -> APIGroupList:
        groups: list[APIGroup] = []
        try:
            core = self._rest.get_json("/api")
        except NotFound:
            core = None
        core_versions = [str(v) for v in (core or {}).get("versions") or ()]
        if core_versions:
            entries = [GroupVersionForDiscovery(group_version=v, version=v) for v in core_versions]
            groups.append(APIGroup(name="", versions=entries, preferred_version=entries[0]))
        try:
            listed = self._rest.get_json("/apis")
        except NotFound:
            listed = None
        if listed:
            groups.extend(APIGroupList.from_dict(listed).groups or ())
        return APIGroupList(api_version="v1", kind="APIGroupList", groups=groups)

    def server_resources_for_group_version(self, group_version: str) -> APIResourceList:
        """The resources (and subresources) of one group-version, e.g. ``"apps/v1"``.

        Raises ``NotFound`` when the server does not serve it and ``ValueError``
        (before any request) when a part is not a valid path segment.
        """
        with self._lock:
            cached = self._resources.get(group_version)
        if isinstance(cached, APIResourceList):
            return cached
        result = self._fetch_resources(group_version)
        with self._lock:
            self._resources[group_version] = result
        if isinstance(result, Exception):
            raise result
        return result

    def _fetch_resources(self, group_version: str) -> APIResourceList | Exception:
        if not group_version or group_version.count("/") > 1:
            return ValueError(f"invalid group version {group_version!r}")
        group, _, version = group_version.rpartition("/")
        try:
            # Group versions come from callers and from the server's lists: a part that is
            # not a path segment ("..", "a%2f") must not address another URL.
            path = api_path(group, version) if group or "/" not in group_version else ""
        except ValueError as err:
            return err
        if not path:
            return ValueError(f"invalid group version {group_version!r}")
        try:
            data = self._rest.get_json(path)
        except ApiError as err:
            return err
        resources = APIResourceList.from_dict(data)
        if not resources.group_version:
            resources.group_version = group_version
        return resources

    def _resources_for(
        self, group_versions: Iterable[str]
    ) -> tuple[dict[str, APIResourceList], dict[str, Exception]]:
        wanted = list(dict.fromkeys(group_versions))
        with self._lock:
            missing = [
                gv for gv in wanted if not isinstance(self._resources.get(gv), APIResourceList)
            ]
        if len(missing) > 1:
            with ThreadPoolExecutor(max_workers=min(_PARALLELISM, len(missing))) as pool:
                fetched = dict(zip(missing, pool.map(self._fetch_resources, missing), strict=True))
        else:
            fetched = {gv: self._fetch_resources(gv) for gv in missing}
        found: dict[str, APIResourceList] = {}
        failed: dict[str, Exception] = {}
        with self._lock:
            self._resources.update(fetched)
            for gv in wanted:
                value = self._resources[gv]
                if isinstance(value, Exception):
                    failed[gv] = value
                else:
                    found[gv] = value
        return found, failed

    def server_groups_and_resources(self) -> tuple[APIGroupList, list[APIResourceList]]:
        """Every group and the resource lists of all its versions (raises
        ``GroupDiscoveryFailed``, with the partial lists, if some could not be fetched)."""
        groups = self.server_groups()
        gvs = [
            str(v.group_version)
            for group in groups.groups or ()
            for v in group.versions or ()
            if v.group_version
        ]
        found, failed = self._resources_for(gvs)
        lists = [found[gv] for gv in gvs if gv in found]
        if failed:
            raise GroupDiscoveryFailed(failed, lists)
        return groups, lists

    def server_preferred_resources(self) -> list[APIResourceList]:
        """One list per group-version holding each resource of a group once, at the
        server's preferred version when the preferred version serves it (else at the first
        version listing it). Subresources are left out; empty lists are dropped."""
        groups = self.server_groups()
        gvs = [
            str(v.group_version)
            for group in groups.groups or ()
            for v in group.versions or ()
            if v.group_version
        ]
        found, failed = self._resources_for(gvs)
        chosen: dict[tuple[str, str], tuple[str, APIResource]] = {}  # (group, resource)
        order: list[str] = []
        for group in groups.groups or ():
            name = group.name or ""
            preferred = group.preferred_version.version if group.preferred_version else None
            for entry in group.versions or ():
                gv = str(entry.group_version or _group_version(name, entry.version or ""))
                resource_list = found.get(gv)
                if resource_list is None:
                    continue
                order.append(gv)
                for resource in resource_list.resources or ():
                    if is_subresource(resource):
                        continue
                    key = (name, resource.name or "")
                    if key in chosen and entry.version != preferred:
                        continue
                    chosen[key] = (gv, resource)
        by_gv: dict[str, list[APIResource]] = {}
        for gv, resource in chosen.values():
            by_gv.setdefault(gv, []).append(resource)
        result = [
            APIResourceList(
                api_version="v1", kind="APIResourceList", group_version=gv, resources=by_gv[gv]
            )
            for gv in dict.fromkeys(order)
            if by_gv.get(gv)
        ]
        if failed:
            raise GroupDiscoveryFailed(failed, result)
        return result

    def preferred_version(self, group: str) -> str:
        """The server's preferred version of ``group`` (``""`` is the core group)."""
        for entry in self.server_groups().groups or ():
            if (entry.name or "") == group and entry.preferred_version is not None:
                return str(entry.preferred_version.version or "")
        raise NotFound(f"the server does not serve the API group {group!r}")
