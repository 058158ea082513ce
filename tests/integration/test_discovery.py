"""Discovery and the RESTMapper against the loopback API server (plus fakes for caching)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kubecore
from kubecore.client.discovery import DiscoveryClient, GroupDiscoveryFailed
from kubecore.client.errors import NotFound, ServiceUnavailable
from kubecore.client.rest import RESTClient
from kubecore.client.restmapper import NoMatchError, RESTMapper
from kubecore.client.unstructured import GroupVersionKind, GroupVersionResource
from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO.parent / "shared" / "specs"
SWAGGER = SPECS / "kubernetes" / "swagger.json"
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"

requires_shared = pytest.mark.skipif(
    not SPECS.is_dir(),
    reason=f"needs the real Kubernetes specs in {SPECS} (../shared beside the repo); "
    "absent on a fresh clone",
)


@pytest.fixture(scope="module")
def full_server() -> Iterator[TestApiServer]:
    if not SPECS.is_dir():
        pytest.skip(f"needs the real Kubernetes specs in {SPECS} (../shared beside the repo)")
    with TestApiServer([SWAGGER, CRD]) as server:
        yield server


@pytest.fixture(scope="module")
def crd_server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as server:
        yield server


@pytest.fixture
def rest(full_server: TestApiServer) -> Iterator[RESTClient]:
    with RESTClient(kubecore.load_config(full_server.kubeconfig_path)) as client:
        yield client


class CountingRest:
    """Wraps a RESTClient and counts GETs per path."""

    def __init__(self, rest: RESTClient) -> None:
        self.rest = rest
        self.calls: list[str] = []
        self.fail: dict[str, Exception] = {}
        self.served: dict[str, Any] = {}  # extra discovery documents (a CRD installed later)
        self.extra_groups: list[dict[str, Any]] = []

    def get_json(self, path: str, params: Any = None) -> Any:
        self.calls.append(path)
        if path in self.fail:
            raise self.fail[path]
        if path in self.served:
            return copy.deepcopy(self.served[path])
        data = self.rest.get_json(path, params)
        if path == "/apis":
            data["groups"] = [*data.get("groups", []), *copy.deepcopy(self.extra_groups)]
        return data


def counting_discovery(rest: RESTClient) -> tuple[DiscoveryClient, CountingRest]:
    counter = CountingRest(rest)
    discovery = DiscoveryClient(rest)
    discovery._rest = counter  # type: ignore[assignment]
    return discovery, counter


# -- discovery ----------------------------------------------------------------------------------


def test_server_version(rest: RESTClient) -> None:
    info = DiscoveryClient(rest).server_version()
    assert info.major == "1" and info.git_version and info.git_version.startswith("v1.")


def test_server_groups(rest: RESTClient) -> None:
    groups = DiscoveryClient(rest).server_groups().groups or []
    assert groups[0].name == ""  # the legacy core group comes first
    assert groups[0].preferred_version is not None
    assert groups[0].preferred_version.group_version == "v1"
    by_name = {g.name: g for g in groups}
    apps = by_name["apps"]
    assert apps.preferred_version is not None and apps.preferred_version.version == "v1"
    assert [v.group_version for v in apps.versions or []][0] == "apps/v1"
    vm_group = by_name["cloud.waibizi.com"]
    assert vm_group.preferred_version is not None
    assert vm_group.preferred_version.group_version == "cloud.waibizi.com/v1"


def test_resources_for_group_versions(rest: RESTClient) -> None:
    discovery = DiscoveryClient(rest)
    core = discovery.server_resources_for_group_version("v1")
    assert core.group_version == "v1"
    by_name = {r.name: r for r in core.resources or []}
    assert by_name["pods"].kind == "Pod" and by_name["pods"].namespaced
    assert by_name["nodes"].namespaced is False
    assert "pods/status" in by_name

    apps = discovery.server_resources_for_group_version("apps/v1")
    deployments = {r.name: r for r in apps.resources or []}["deployments"]
    assert deployments.kind == "Deployment" and deployments.namespaced
    assert {"create", "get", "list", "watch", "patch"} <= set(deployments.verbs or [])

    vms = discovery.server_resources_for_group_version("cloud.waibizi.com/v1")
    vm = {r.name: r for r in vms.resources or []}["virtualmachines"]
    assert vm.kind == "VirtualMachine" and vm.short_names == ["vm"]
    assert vm.singular_name == "virtualmachine"

    with pytest.raises(NotFound):
        discovery.server_resources_for_group_version("nope.example.com/v1")


def test_server_preferred_resources(rest: RESTClient) -> None:
    lists = DiscoveryClient(rest).server_preferred_resources()
    gvs = [rl.group_version for rl in lists]
    assert gvs[0] == "v1" and "apps/v1" in gvs and "cloud.waibizi.com/v1" in gvs
    assert len(gvs) == len(set(gvs))
    seen: set[tuple[str, str]] = set()
    for rl in lists:
        group = (rl.group_version or "").rpartition("/")[0]
        for r in rl.resources or []:
            assert "/" not in (r.name or "")  # no subresources
            assert (group, r.name) not in seen  # each resource once, at one version
            seen.add((group, r.name or ""))
    assert ("autoscaling", "horizontalpodautoscalers") in seen


def test_cache_and_invalidate(rest: RESTClient) -> None:
    discovery, counter = counting_discovery(rest)
    discovery.server_groups()
    discovery.server_groups()
    discovery.server_resources_for_group_version("apps/v1")
    discovery.server_resources_for_group_version("apps/v1")
    assert counter.calls == ["/api", "/apis", "/apis/apps/v1"]
    assert discovery.fresh
    discovery.invalidate()
    assert not discovery.fresh
    discovery.server_groups()
    assert counter.calls[-2:] == ["/api", "/apis"]


def test_partial_discovery_failure(rest: RESTClient) -> None:
    discovery, counter = counting_discovery(rest)
    counter.fail["/apis/batch/v1"] = ServiceUnavailable("down for maintenance")
    with pytest.raises(GroupDiscoveryFailed) as caught:
        discovery.server_preferred_resources()
    assert set(caught.value.failures) == {"batch/v1"}
    partial = [rl.group_version for rl in caught.value.resources]
    assert "apps/v1" in partial and "batch/v1" not in partial
    # The mapper works with what could be discovered.
    mapper = RESTMapper(discovery)
    assert mapper.kind_for("deploy" if _has_short_names(discovery) else "deployments").kind == (
        "Deployment"
    )
    with pytest.raises(NoMatchError):
        mapper.resource_for("CronJob.batch")


def _has_short_names(discovery: DiscoveryClient) -> bool:
    apps = discovery.server_resources_for_group_version("apps/v1")
    deployments = {r.name: r for r in apps.resources or []}["deployments"]
    return "deploy" in (deployments.short_names or [])


# -- RESTMapper -------------------------------------------------------------------------------


def test_restmapper_deployments(rest: RESTClient) -> None:
    discovery = DiscoveryClient(rest)
    mapper = RESTMapper(discovery)
    by_kind = mapper.resource_for("Deployment")
    assert (by_kind.group, by_kind.version, by_kind.resource) == ("apps", "v1", "deployments")
    assert by_kind.namespaced and by_kind.kind == "Deployment"
    assert by_kind.gvr == GroupVersionResource("apps", "v1", "deployments")
    assert by_kind.gvk == GroupVersionKind("apps", "v1", "Deployment")
    assert mapper.resource_for(GroupVersionKind("apps", "v1", "Deployment")) == by_kind
    assert mapper.resource_for(GroupVersionKind("apps", "", "Deployment")) == by_kind
    assert mapper.resource_for("deployment.apps") == by_kind  # case-insensitive kinds
    assert mapper.resource_for("Deployment.v1.apps") == by_kind

    for name in (
        "deployments",
        "Deployments",
        "deployment",
        "deployments.apps",
        "deployments.v1.apps",
        "Deployment",
        GroupVersionResource("apps", "v1", "deployments"),
        GroupVersionResource("apps", "", "deployments"),
    ):
        assert mapper.kind_for(name) == by_kind, name

    if _has_short_names(discovery):  # the built-in short names, when the server lists them
        assert mapper.kind_for("deploy") == by_kind
        assert mapper.kind_for("deploy.apps") == by_kind
        assert by_kind.short_names == ("deploy",)

    pods = mapper.kind_for("pods")
    assert (pods.group, pods.version, pods.kind, pods.namespaced) == ("", "v1", "Pod", True)
    nodes = mapper.kind_for("node")
    assert nodes.resource == "nodes" and not nodes.namespaced
    # events exist in the core group and in events.k8s.io: the core group wins ...
    assert mapper.kind_for("events").group == ""
    # ... unless qualified.
    assert mapper.kind_for("events.events.k8s.io").group == "events.k8s.io"
    hpa = mapper.resource_for("HorizontalPodAutoscaler")
    assert hpa.group == "autoscaling" and hpa.version == discovery.preferred_version("autoscaling")


def test_restmapper_virtual_machine(rest: RESTClient) -> None:
    mapper = RESTMapper(DiscoveryClient(rest))
    vm = mapper.kind_for("vm")
    assert vm.kind == "VirtualMachine"
    assert vm.gvr == GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")
    assert vm.namespaced and vm.short_names == ("vm",) and vm.singular == "virtualmachine"
    assert mapper.kind_for("VM") == vm
    assert mapper.kind_for("virtualmachines.cloud.waibizi.com") == vm
    assert mapper.kind_for("virtualmachine.v1.cloud.waibizi.com") == vm
    assert mapper.resource_for("VirtualMachine") == vm
    assert mapper.resource_for(GroupVersionKind("cloud.waibizi.com", "v1", "VirtualMachine")) == vm


def test_restmapper_no_match(rest: RESTClient) -> None:
    mapper = RESTMapper(DiscoveryClient(rest))
    with pytest.raises(NoMatchError, match="frobnicators"):
        mapper.kind_for("frobnicators")
    with pytest.raises(NoMatchError):
        mapper.resource_for(GroupVersionKind("apps", "v1beta9", "Deployment"))
    with pytest.raises(NoMatchError):
        mapper.kind_for("deployments.nope.example.com")
    with pytest.raises(LookupError):  # NoMatchError is a LookupError
        mapper.resource_for("Nope")


def test_restmapper_refreshes_on_miss(crd_server: TestApiServer) -> None:
    """A name the cached discovery does not know re-queries the server once."""
    now = [100.0]
    with RESTClient(kubecore.load_config(crd_server.kubeconfig_path)) as rest:
        discovery, counter = counting_discovery(rest)
        mapper = RESTMapper(discovery, min_refresh_interval=5.0, clock=lambda: now[0])
        assert mapper.kind_for("vm").kind == "VirtualMachine"
        loads = counter.calls.count("/apis")
        assert loads == 1

        # Within the refresh interval a miss does not hit the server again.
        with pytest.raises(NoMatchError):
            mapper.kind_for("gadgets")
        assert counter.calls.count("/apis") == 1

        # Later, the miss refreshes once, then gives up.
        now[0] += 10
        with pytest.raises(NoMatchError):
            mapper.kind_for("gadgets")
        assert counter.calls.count("/apis") == 2

        # A kind that appears on the server after the mapper loaded is found by refreshing.
        version = {"groupVersion": "example.com/v1alpha1", "version": "v1alpha1"}
        counter.extra_groups.append(
            {"name": "example.com", "versions": [version], "preferredVersion": version}
        )
        counter.served["/apis/example.com/v1alpha1"] = {
            "kind": "APIResourceList",
            "apiVersion": "v1",
            "groupVersion": "example.com/v1alpha1",
            "resources": [
                {
                    "name": "gadgets",
                    "singularName": "gadget",
                    "namespaced": False,
                    "kind": "Gadget",
                    "verbs": ["get", "list"],
                    "shortNames": ["gd"],
                    "categories": ["all"],
                },
                {"name": "gadgets/status", "namespaced": False, "kind": "Gadget", "verbs": []},
            ],
        }
        now[0] += 10
        gadget = mapper.kind_for("gd")
        assert gadget.gvr == GroupVersionResource("example.com", "v1alpha1", "gadgets")
        assert not gadget.namespaced
        assert counter.calls.count("/apis") == 3
        assert [m.kind for m in mapper.resources_in_category("all")] == ["Gadget"]
        # Known names are answered from the cache.
        mapper.kind_for("virtualmachines")
        mapper.resource_for("Gadget")
        assert counter.calls.count("/apis") == 3
