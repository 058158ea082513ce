"""wait_for against the test API server, with typed and dynamic clients."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kubecore.client.config import load_config
from kubecore.client.dynamic import DynamicClient
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.core.unstructured import GroupVersionResource, Unstructured
from kubecore.runtime.wait import WaitTimeoutError, wait_for
from kubecore.testing import TestApiServer

DEPLOYMENTS = GroupVersionResource("apps", "v1", "deployments")
PODS = GroupVersionResource("", "v1", "pods")


def later(action: Callable[[], object], delay: float = 0.3) -> threading.Thread:
    thread = threading.Timer(delay, action)
    thread.start()
    return thread


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture()
def dynamic(server: TestApiServer) -> Iterator[DynamicClient]:
    with DynamicClient(load_config(server.kubeconfig_path)) as client:
        yield client


def deployment(name: str) -> dict[str, object]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def set_conditions(dynamic: DynamicClient, name: str, *conditions: dict[str, object]) -> None:
    dynamic.resource(DEPLOYMENTS).namespace("default").patch(
        name, {"status": {"conditions": list(conditions)}}, subresource="status"
    )


def test_condition_with_a_typed_client(cs: Clientset, dynamic: DynamicClient) -> None:
    name = unique("web")
    dynamic.resource(DEPLOYMENTS).namespace("default").create(Unstructured(deployment(name)))
    set_conditions(dynamic, name, {"type": "Available", "status": "False"})
    timer = later(lambda: set_conditions(dynamic, name, {"type": "Available", "status": "True"}))
    found = wait_for(cs.apps_v1.deployments("default"), name, "condition=Available", 20)
    timer.join()
    assert found.metadata.name == name
    assert [(c.type, c.status) for c in found.status.conditions] == [("Available", "True")]
    # Already met: returns at once; case-insensitive like kubectl.
    again = wait_for(cs.apps_v1.deployments("default"), name, "condition=available=true", 5)
    assert again.metadata.resource_version == found.metadata.resource_version


def test_a_stale_observed_generation_does_not_count(dynamic: DynamicClient) -> None:
    # Pod conditions carry observedGeneration (1.34+); a DeploymentCondition has none, so
    # kube-apiserver (and the test server) would drop it from a Deployment's status.
    name = unique("gen")
    pods = dynamic.resource(PODS).namespace("default")
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    pods.create(Unstructured(pod))
    assert (
        pods.patch(name, {"spec": {"activeDeadlineSeconds": 30}}).object["metadata"]["generation"]
        == 2
    )

    def set_pod_conditions(*conditions: dict[str, object]) -> None:
        pods.patch(name, {"status": {"conditions": list(conditions)}}, subresource="status")

    stale = {"type": "Ready", "status": "True", "observedGeneration": 1}
    set_pod_conditions(stale)
    fresh = {**stale, "observedGeneration": 2}
    timer = later(lambda: set_pod_conditions(fresh))
    found = wait_for(pods, name, "condition=Ready", 20)
    timer.join()
    assert isinstance(found, Unstructured)
    assert found.object["status"]["conditions"][0]["observedGeneration"] == 2


def test_delete_and_create(cs: Clientset) -> None:
    config_maps = cs.core_v1.config_maps("default")
    name = unique("cm")
    timer = later(lambda: config_maps.create(ConfigMap(metadata=ObjectMeta(name=name))))
    created = wait_for(config_maps, name, "create", 20)
    timer.join()
    assert created.metadata.name == name
    timer = later(lambda: config_maps.delete(name))
    assert wait_for(config_maps, name, "delete", 20) is None
    timer.join()
    assert wait_for(config_maps, name, "delete", 1) is None  # already gone


def test_predicate_with_a_dynamic_client(dynamic: DynamicClient) -> None:
    config_maps = dynamic.resource(GroupVersionResource("", "v1", "configmaps")).namespace(
        "default"
    )
    name = unique("cm")
    config_maps.create(
        Unstructured({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
    )

    def bump() -> None:
        for n in range(1, 4):
            config_maps.patch(name, {"data": {"n": str(n)}})

    timer = later(bump)
    found = wait_for(config_maps, name, lambda cm: cm.object.get("data", {}).get("n") == "3", 20)
    timer.join()
    assert found.object["data"] == {"n": "3"}


def test_timeout_names_the_object_and_condition(cs: Clientset) -> None:
    config_maps = cs.core_v1.config_maps("default")
    name = unique("never")
    config_maps.create(ConfigMap(metadata=ObjectMeta(name=name)))
    with pytest.raises(WaitTimeoutError) as caught:
        wait_for(config_maps, name, "condition=Ready", 1.0)
    message = str(caught.value)
    assert f"configmaps/{name}" in message and "condition Ready=True" in message
    assert isinstance(caught.value, TimeoutError)
    assert caught.value.last.metadata.name == name
    with pytest.raises(ValueError, match="unknown condition"):
        wait_for(config_maps, name, "jsonpath={.x}", 1.0)


def test_survives_dropped_watches(cs: Clientset, server: TestApiServer) -> None:
    config_maps = cs.core_v1.config_maps("default")
    name = unique("cm")
    config_maps.create(ConfigMap(metadata=ObjectMeta(name=name)))
    drops_before = sum(kind == "drop_watch" for kind, _, _ in server.faults.fired)
    server.faults.drop_watches_after(0, times=2)
    timer = later(lambda: config_maps.delete(name), delay=0.5)
    assert wait_for(config_maps, name, "delete", 20) is None
    timer.join()
    assert sum(kind == "drop_watch" for kind, _, _ in server.faults.fired) - drops_before == 2
