"""No name, namespace or other user-given path part can address another URL (issue 7 §7).

Every bad value goes through every verb of the typed client, the dynamic client and
discovery against a loopback server that records requests: the call must raise
``InvalidPathSegment`` and the server must have seen nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kubecore.client import errors
from kubecore.client.config import Config
from kubecore.client.discovery import DiscoveryClient
from kubecore.client.dynamic import DynamicClient
from kubecore.client.paths import InvalidPathSegment, check_path_segment
from kubecore.client.rest import NO_RETRY, RESTClient
from kubecore.core.generated.autoscaling_v1 import Scale
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.core.unstructured import GroupVersionResource, Unstructured
from tests.loopback_server import LoopbackServer

BAD_NAMES = ["..", ".", "%2e%2e", "a/b", "a?watch=true", "a#frag", "a b", "a\nb", "", "x%2Fy"]

Call = Callable[[Clientset, str], Any]

TYPED_NAME_CALLS: dict[str, Call] = {
    "get": lambda cs, n: cs.core_v1.config_maps("default").get(n),
    "evict": lambda cs, n: cs.core_v1.pods("default").evict(n),
    "update": lambda cs, n: cs.core_v1.config_maps("default").update(
        ConfigMap(metadata=ObjectMeta(name=n))
    ),
    "patch": lambda cs, n: cs.core_v1.config_maps("default").patch(n, {"data": {}}),
    "apply": lambda cs, n: cs.core_v1.config_maps("default").apply(
        ConfigMap(metadata=ObjectMeta(name=n)), field_manager="t"
    ),
    "delete": lambda cs, n: cs.core_v1.config_maps("default").delete(n),
    "get_status": lambda cs, n: cs.apps_v1.deployments("default").get_status(n),
    "update_status": lambda cs, n: cs.apps_v1.deployments("default").update_status(
        Deployment(metadata=ObjectMeta(name=n))
    ),
    "patch_status": lambda cs, n: cs.apps_v1.deployments("default").patch_status(n, {}),
    "get_scale": lambda cs, n: cs.apps_v1.deployments("default").get_scale(n),
    "update_scale": lambda cs, n: cs.apps_v1.deployments("default").update_scale(n, Scale()),
    "logs": lambda cs, n: cs.core_v1.pods("default").logs(n),
    "follow_logs": lambda cs, n: list(cs.core_v1.pods("default").follow_logs(n)),
    "patch_subresource": lambda cs, n: cs.apps_v1.deployments("default").patch(
        "web", {}, subresource=n
    ),
}

TYPED_NAMESPACE_CALLS: dict[str, Call] = {
    "list": lambda cs, ns: cs.core_v1.config_maps(ns).list(),
    "watch": lambda cs, ns: next(iter(cs.core_v1.config_maps(ns).watch())),
    "create": lambda cs, ns: cs.core_v1.config_maps(ns).create(
        ConfigMap(metadata=ObjectMeta(name="ok"))
    ),
    "get": lambda cs, ns: cs.core_v1.pods(ns).get("ok"),
    "delete_collection": lambda cs, ns: cs.core_v1.pods(ns).delete_collection(),
}

GVR = GroupVersionResource("", "v1", "configmaps")


def _cm(name: str, namespace: str = "default") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
    }


DynCall = Callable[[DynamicClient, str], Any]

DYNAMIC_NAME_CALLS: dict[str, DynCall] = {
    "get": lambda d, n: d.resource(GVR).namespace("default").get(n),
    "get_subresource": lambda d, n: d.resource(GVR).namespace("default").get("ok", subresource=n),
    "create_subresource": lambda d, n: d.resource(GVR).create(_cm(n), subresource="status"),
    "update": lambda d, n: d.resource(GVR).namespace("default").update(_cm(n)),
    "update_status": lambda d, n: d.resource(GVR).update_status(Unstructured(_cm(n))),
    "patch": lambda d, n: d.resource(GVR).namespace("default").patch(n, {"data": {}}),
    "apply": lambda d, n: d.resource(GVR).apply(_cm(n), field_manager="t"),
    "delete": lambda d, n: d.resource(GVR).namespace("default").delete(n),
}

DYNAMIC_NAMESPACE_CALLS: dict[str, DynCall] = {
    "namespace": lambda d, ns: d.resource(GVR).namespace(ns).list(),
    "object_namespace_create": lambda d, ns: d.resource(GVR).create(_cm("ok", ns)),
    "object_namespace_update": lambda d, ns: d.resource(GVR).update(_cm("ok", ns)),
    "gvr_group": lambda d, ns: d.resource(GroupVersionResource(ns, "v1", "x")).list(),
    "gvr_version": lambda d, ns: d.resource(GroupVersionResource("apps", ns, "x")).list(),
    "gvr_resource": lambda d, ns: d.resource(GroupVersionResource("apps", "v1", ns)).list(),
}


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer(max_lifetime=60) as srv:
        yield srv


@pytest.fixture()
def rest(server: LoopbackServer) -> Iterator[RESTClient]:
    server.requests.clear()
    with RESTClient(Config(host=server.url), retry=NO_RETRY) as client:
        yield client
    assert server.requests == [], "a request was sent for an invalid path segment"


def _cases(calls: dict[str, Any]) -> list[tuple[str, str]]:
    # An empty subresource means "none" (a valid request): not a bad value there.
    return [
        (verb, name)
        for verb in sorted(calls)
        for name in BAD_NAMES
        if name or "subresource" not in verb
    ]


@pytest.mark.parametrize(("verb", "name"), _cases(TYPED_NAME_CALLS))
def test_typed_verbs_refuse_bad_names(rest: RESTClient, verb: str, name: str) -> None:
    cs = Clientset(rest)
    # an empty name in an object means "no name": its own ValueError, also before sending
    with pytest.raises(InvalidPathSegment if name else ValueError):
        TYPED_NAME_CALLS[verb](cs, name)


@pytest.mark.parametrize("namespace", [n for n in BAD_NAMES if n])
@pytest.mark.parametrize("verb", sorted(TYPED_NAMESPACE_CALLS))
def test_typed_verbs_refuse_bad_namespaces(rest: RESTClient, verb: str, namespace: str) -> None:
    cs = Clientset(rest)
    with pytest.raises(InvalidPathSegment, match="namespace"):
        TYPED_NAMESPACE_CALLS[verb](cs, namespace)


@pytest.mark.parametrize(("verb", "name"), _cases(DYNAMIC_NAME_CALLS))
def test_dynamic_verbs_refuse_bad_names(rest: RESTClient, verb: str, name: str) -> None:
    dyn = DynamicClient(rest)
    with pytest.raises(InvalidPathSegment if name else ValueError):
        DYNAMIC_NAME_CALLS[verb](dyn, name)


@pytest.mark.parametrize("value", [n for n in BAD_NAMES if n])
@pytest.mark.parametrize("verb", sorted(DYNAMIC_NAMESPACE_CALLS))
def test_dynamic_client_refuses_bad_namespaces_and_gvrs(
    rest: RESTClient, verb: str, value: str
) -> None:
    dyn = DynamicClient(rest)
    with pytest.raises(InvalidPathSegment):
        DYNAMIC_NAMESPACE_CALLS[verb](dyn, value)


@pytest.mark.parametrize("group_version", ["../v1", "apps/..", "apps/%2e", "a?b/v1", "/v1", ""])
def test_discovery_refuses_bad_group_versions(rest: RESTClient, group_version: str) -> None:
    with pytest.raises(ValueError):
        DiscoveryClient(rest).server_resources_for_group_version(group_version)


def test_good_names_reach_the_server_unchanged(server: LoopbackServer) -> None:
    server.requests.clear()
    with RESTClient(Config(host=server.url), retry=NO_RETRY) as rest:
        cs = Clientset(rest)
        for name in ("web-1", "system:node:a", "a.b.c"):
            with pytest.raises(errors.NotFound):  # the loopback server answers 404
                cs.core_v1.config_maps("kube-system").get(name)
        with pytest.raises(errors.NotFound):
            DynamicClient(rest).resource(GVR).namespace("ns-1").delete("x.y")
    assert [r.path for r in server.requests] == [
        "/api/v1/namespaces/kube-system/configmaps/web-1",
        "/api/v1/namespaces/kube-system/configmaps/system:node:a",
        "/api/v1/namespaces/kube-system/configmaps/a.b.c",
        "/api/v1/namespaces/ns-1/configmaps/x.y",
    ]


def test_non_ascii_is_percent_encoded_and_not_a_type() -> None:
    assert check_path_segment("café") == "caf%C3%A9"
    with pytest.raises(TypeError):
        check_path_segment(5)
    assert issubclass(InvalidPathSegment, ValueError)
