"""The dynamic client against the loopback API server: the seed scenario end to end.

client-go's ``examples/dynamic-create-update-delete-deployment`` with ``Unstructured``
objects and GVRs, the VirtualMachine custom resource, multi-document YAML and the
typed <-> unstructured conversions.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kubecore
from kubecore.client.discovery import DiscoveryClient
from kubecore.client.dynamic import (
    DynamicClient,
    GroupVersionResource,
    NamespaceableResource,
    PatchType,
    ResourceInterface,
)
from kubecore.client.errors import AlreadyExists, Conflict, Invalid, NotFound
from kubecore.client.restmapper import RESTMapper
from kubecore.client.retry import retry_on_conflict
from kubecore.client.unstructured import (
    Unstructured,
    from_typed,
    load_yaml,
    nested_int64,
    nested_slice,
    nested_string,
    set_nested_field,
    to_typed,
)
from kubecore.client.watch import WatchEvent
from kubecore.core.options import DeletionPropagation
from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO.parent / "shared" / "specs"
SWAGGER = SPECS / "kubernetes" / "swagger.json"
# The seed CRD plus a status schema: the server prunes undeclared fields, as kube-apiserver.
CRD = REPO / "tests" / "fixtures" / "crds" / "virtualmachine-status.yaml"
INGRESS_NGINX = SPECS / "examples" / "kubernetes" / "ingress-nginx" / "deploy-cloud.yaml"
HTTP_SVC = SPECS / "examples" / "kubernetes" / "ingress-nginx" / "http-svc.yaml"

DEPLOYMENTS = GroupVersionResource("apps", "v1", "deployments")
VMS = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")
NAMESPACES = GroupVersionResource("", "v1", "namespaces")

pytestmark = pytest.mark.skipif(
    not SPECS.is_dir(),
    reason=f"needs the real Kubernetes specs in {SPECS} (../shared beside the repo); "
    "absent on a fresh clone",
)


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([SWAGGER, CRD]) as srv:
        yield srv


@pytest.fixture(scope="module")
def dyn(server: TestApiServer) -> Iterator[DynamicClient]:
    with DynamicClient(kubecore.load_config(server.kubeconfig_path)) as client:
        yield client


def ensure_namespace(dyn: DynamicClient, name: str) -> None:
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    try:
        dyn.resource(NAMESPACES).create(namespace)
    except AlreadyExists:
        pass


def demo_deployment(name: str = "demo-deployment", replicas: int = 2) -> Unstructured:
    return Unstructured(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {"app": "demo"}},
                "template": {
                    "metadata": {"labels": {"app": "demo"}},
                    "spec": {
                        "containers": [
                            {
                                "name": "web",
                                "image": "nginx:1.12",
                                "ports": [{"name": "http", "protocol": "TCP", "containerPort": 80}],
                            }
                        ]
                    },
                },
            },
        }
    )


def collect(events: Iterator[WatchEvent[Unstructured]], out: list[Any]) -> None:
    try:
        for event in events:
            if event.type != "BOOKMARK":
                out.append(event)
            if event.type == "DELETED":
                return
    except Exception as exc:  # reported by the test's assertions
        out.append(exc)


def test_seed_scenario_deployment(dyn: DynamicClient) -> None:
    namespace = "seed"
    ensure_namespace(dyn, namespace)
    deployments = dyn.resource(DEPLOYMENTS).namespace(namespace)
    assert isinstance(deployments, ResourceInterface)
    assert deployments.namespace_name == namespace

    # Watch from "now" so the stream shows exactly this scenario's events.
    start_rv = deployments.list().resource_version
    seen: list[Any] = []
    watcher = threading.Thread(
        target=collect,
        args=(
            deployments.watch(
                resource_version=start_rv,
                field_selector="metadata.name=demo-deployment",
                timeout_seconds=20,
            ),
            seen,
        ),
        daemon=True,
    )
    watcher.start()

    # Create
    created = deployments.create(demo_deployment())
    assert created.name == "demo-deployment" and created.namespace == namespace
    assert created.uid and created.resource_version
    with pytest.raises(AlreadyExists):
        deployments.create(demo_deployment())

    # Update replicas and image, retrying on conflicts (client-go's RetryOnConflict).
    attempts = 0

    def update() -> Unstructured:
        nonlocal attempts
        attempts += 1
        result = deployments.get("demo-deployment")
        if attempts == 1:  # a competing writer makes the first attempt stale
            other = deployments.get("demo-deployment")
            other.labels = {"touched": "yes"}
            deployments.update(other)
        set_nested_field(result.object, 1, "spec", "replicas")
        containers, found = nested_slice(result.object, "spec", "template", "spec", "containers")
        assert found and containers
        set_nested_field(containers[0], "nginx:1.13", "image")
        set_nested_field(result.object, containers, "spec", "template", "spec", "containers")
        return deployments.update(result)

    updated = retry_on_conflict(update)
    assert attempts == 2
    assert nested_int64(updated.object, "spec", "replicas") == (1, True)
    with pytest.raises(TypeError, match="expected str"):  # a list is not a string
        nested_string(updated.object, "spec", "template", "spec", "containers")
    fetched = deployments.get("demo-deployment")
    assert fetched.labels == {"touched": "yes"}
    containers, _ = fetched.nested_slice("spec", "template", "spec", "containers")
    assert containers[0]["image"] == "nginx:1.13"

    # A stale update is a Conflict.
    stale = Unstructured(created.to_dict())
    with pytest.raises(Conflict):
        deployments.update(stale)

    # List
    listed = deployments.list()
    assert listed.kind == "DeploymentList" and listed.resource_version
    assert [d.name for d in listed] == ["demo-deployment"]
    assert listed.items[0].kind == "Deployment" and listed.items[0].api_version == "apps/v1"
    assert nested_int64(listed.items[0].object, "spec", "replicas") == (1, True)

    # Patch: merge and JSON
    merged = deployments.patch("demo-deployment", {"metadata": {"labels": {"tier": "web"}}})
    assert merged.labels == {"touched": "yes", "tier": "web"}
    jsoned = deployments.patch(
        "demo-deployment",
        [{"op": "replace", "path": "/spec/replicas", "value": 3}],
        PatchType.JSON,
    )
    assert jsoned.nested_int64("spec", "replicas") == (3, True)
    strategic = deployments.patch(
        "demo-deployment",
        {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.14"}]}}}},
        patch_type=PatchType.STRATEGIC_MERGE,
    )
    containers, _ = strategic.nested_slice("spec", "template", "spec", "containers")
    assert containers[0]["image"] == "nginx:1.14" and containers[0]["ports"]

    # Delete
    deleted = deployments.delete("demo-deployment", propagation_policy="Foreground")
    assert deleted.kind in ("Deployment", "Status")
    with pytest.raises(NotFound):
        deployments.get("demo-deployment")

    watcher.join(timeout=20)
    assert not watcher.is_alive()
    assert all(isinstance(e, WatchEvent) for e in seen), seen
    types = [e.type for e in seen]
    assert types[0] == "ADDED" and types[-1] == "DELETED"
    assert set(types[1:-1]) == {"MODIFIED"} and len(types) >= 6
    assert all(isinstance(e.object, Unstructured) for e in seen)
    assert seen[0].object.name == "demo-deployment"
    assert seen[-1].object.kind == "Deployment"


def test_dry_run_and_selectors_and_paging(dyn: DynamicClient) -> None:
    ensure_namespace(dyn, "paging")
    deployments = dyn.resource(DEPLOYMENTS).namespace("paging")
    for i in range(5):
        d = demo_deployment(f"page-{i}")
        d.labels = {"parity": "even" if i % 2 == 0 else "odd"}
        deployments.create(d)
    page = deployments.list(limit=2)
    assert len(page) == 2 and page.continue_
    rest = deployments.list(limit=10, continue_=page.continue_)
    assert [d.name for d in rest] == ["page-2", "page-3", "page-4"] and not rest.continue_
    assert [d.name for d in deployments.iterate(page_size=2)] == [f"page-{i}" for i in range(5)]
    evens = deployments.list(label_selector="parity=even")
    assert [d.name for d in evens] == ["page-0", "page-2", "page-4"]
    by_field = deployments.list(field_selector="metadata.name=page-3")
    assert [d.name for d in by_field] == ["page-3"]

    # All namespaces: the unbound resource lists across them.
    everywhere = dyn.resource(DEPLOYMENTS).list(label_selector="parity")
    assert {d.namespace for d in everywhere} == {"paging"} and len(everywhere) == 5

    removed = deployments.delete_collection(label_selector="parity=odd")
    assert removed.kind != ""
    assert [d.name for d in deployments.list()] == ["page-0", "page-2", "page-4"]
    deployments.delete_collection()
    assert len(deployments.list()) == 0


def test_requests_carry_options(dyn: DynamicClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """dry_run, field managers, force and delete options are sent as the typed client sends them."""
    calls: list[dict[str, Any]] = []
    rest = dyn.rest

    def fake_request(method: str, path: str, **kwargs: Any) -> bytes:
        calls.append({"method": method, "path": path, **kwargs})
        return b'{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}'

    monkeypatch.setattr(rest, "request", fake_request)
    res = dyn.resource(DEPLOYMENTS).namespace("ns")
    res.create(demo_deployment("x"), dry_run=True, field_manager="me")
    res.apply(demo_deployment("x"), field_manager="me", force=True)
    res.patch("x", {"spec": {}}, subresource="scale", dry_run=True)
    res.delete("x", dry_run=True, grace_period_seconds=0, preconditions={"uid": "u"})
    res.update_status(demo_deployment("x"))
    res.get_status("x")
    assert (
        calls[0]["method"] == "POST"
        and calls[0]["path"] == "/apis/apps/v1/namespaces/ns/deployments"
    )
    assert calls[0]["params"] == {"dryRun": "All", "fieldManager": "me"}
    assert calls[1]["method"] == "PATCH" and calls[1]["path"].endswith("/deployments/x")
    assert calls[1]["content_type"] == "application/apply-patch+yaml"
    assert calls[1]["params"] == {"fieldManager": "me", "force": "true"}
    assert calls[2]["path"].endswith("/deployments/x/scale")
    assert calls[2]["content_type"] == "application/merge-patch+json"
    assert calls[3]["body"] == {
        "apiVersion": "v1",
        "kind": "DeleteOptions",
        "gracePeriodSeconds": 0,
        "preconditions": {"uid": "u"},
        "dryRun": ["All"],
    }
    assert calls[4]["method"] == "PUT" and calls[4]["path"].endswith("/deployments/x/status")
    assert calls[5]["method"] == "GET" and calls[5]["path"].endswith("/deployments/x/status")


def test_virtual_machine_custom_resource(dyn: DynamicClient) -> None:
    vms = dyn.resource(VMS).namespace("default")
    vm = Unstructured(
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachine",
            "metadata": {"name": "vm1", "labels": {"os": "centos"}},
            "spec": {"name": "vm1", "image": "centos-7", "memory": 2048, "disk": 40},
        }
    )
    created = vms.create(vm)
    assert created.uid and created.nested_int64("spec", "memory") == (2048, True)
    got = vms.get("vm1")
    assert got.nested_string("spec", "image") == ("centos-7", True)
    assert [v.name for v in vms.list(label_selector="os=centos")] == ["vm1"]
    listed = vms.list()
    assert listed.kind == "VirtualMachineList" and listed.items[0].kind == "VirtualMachine"

    got.set_nested_field("Running", "status", "phase")
    with_status = vms.update_status(got)
    assert with_status.nested_string("status", "phase") == ("Running", True)
    assert vms.get_status("vm1").nested_string("status", "phase") == ("Running", True)

    got = vms.get("vm1")
    got.set_nested_field(4096, "spec", "memory")
    updated = vms.update(got)
    assert updated.nested_int64("spec", "memory") == (4096, True)

    vms.delete("vm1")
    with pytest.raises(NotFound):
        vms.get("vm1")


def test_delete_takes_the_typed_propagation_policy(dyn: DynamicClient) -> None:
    """The typed clients' ``PropagationPolicy``; a bad value is refused as for them (422)."""
    vms = dyn.resource(VMS).namespace("default")
    body = {"apiVersion": "cloud.waibizi.com/v1", "kind": "VirtualMachine"}
    vms.create({**body, "metadata": {"name": "vm-prop"}, "spec": {"image": "x"}})
    with pytest.raises(Invalid, match='propagationPolicy: Unsupported value: "foreground"'):
        vms.delete("vm-prop", propagation_policy="foreground")  # type: ignore[arg-type]
    assert vms.get("vm-prop").name == "vm-prop"
    deleted = vms.delete("vm-prop", propagation_policy=DeletionPropagation.BACKGROUND)
    assert deleted.kind == "VirtualMachine"  # custom resources answer with the deleted object
    with pytest.raises(NotFound):
        vms.get("vm-prop")


def test_unbound_resource_uses_the_object_namespace(dyn: DynamicClient) -> None:
    ensure_namespace(dyn, "team-a")
    resource = dyn.resource(VMS)
    assert isinstance(resource, NamespaceableResource)
    vm = Unstructured(
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachine",
            "metadata": {"name": "vm-in-ns", "namespace": "team-a"},
            "spec": {"image": "ubuntu"},
        }
    )
    created = resource.create(vm)
    assert created.namespace == "team-a"
    assert resource.namespace("team-a").get("vm-in-ns").name == "vm-in-ns"
    resource.namespace("team-a").delete("vm-in-ns")


def test_multi_document_yaml_create_each(dyn: DynamicClient) -> None:
    mapper = RESTMapper(DiscoveryClient(dyn.rest))
    objects = load_yaml(INGRESS_NGINX.read_text())
    assert len(objects) == 19 and objects[0].kind == "Namespace"
    created = []
    for obj in objects:
        obj.labels = {**obj.labels, "creator": "userxxx"}  # seed 004: label every resource
        created.append(dyn.for_object(obj, mapper).create(obj))
    namespace = next(o for o in created if o.kind == "Deployment").namespace
    assert namespace == "ingress-nginx"
    assert all(o.labels.get("creator") == "userxxx" for o in created)
    cluster_roles = [o for o in created if o.kind == "ClusterRole"]
    assert cluster_roles and all(o.namespace == "" for o in cluster_roles)
    assert dyn.resource(NAMESPACES).get("ingress-nginx").labels["creator"] == "userxxx"

    # Objects without a namespace land in the default one.
    for obj in load_yaml(HTTP_SVC.read_text()):
        assert dyn.for_object(obj, mapper).create(obj).namespace == "default"
    services = dyn.resource(GroupVersionResource("", "v1", "services")).namespace("default")
    assert "http-svc" in {s.name for s in services.list()}


def test_conversion_with_generated_schemes(dyn: DynamicClient) -> None:
    from kube_clientgen_api.kubernetes.apps.v1.models import Deployment
    from kube_clientgen_api.kubernetes.scheme import scheme as kubernetes_scheme
    from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1.models import VirtualMachine
    from kube_clientgen_api.virtualmachine.scheme import scheme as vm_scheme

    ensure_namespace(dyn, "convert")
    deployments = dyn.resource(DEPLOYMENTS).namespace("convert")
    created = deployments.create(demo_deployment("typed"))
    typed = to_typed(created, kubernetes_scheme)
    assert isinstance(typed, Deployment)
    assert typed.metadata is not None and typed.metadata.name == "typed"
    assert typed.spec is not None and typed.spec.replicas == 2
    assert to_typed(created, Deployment) == typed
    back = from_typed(typed)
    assert back == created  # lossless both ways

    typed.spec.replicas = 5
    updated = deployments.update(from_typed(typed))
    assert updated.nested_int64("spec", "replicas") == (5, True)

    vms = dyn.resource(VMS).namespace("convert")
    vm = vms.create(
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachine",
            "metadata": {"name": "typed-vm"},
            "spec": {"image": "debian", "memory": 512, "extra": "kept"},
        }
    )
    typed_vm = to_typed(vm, vm_scheme)
    assert isinstance(typed_vm, VirtualMachine)
    assert typed_vm.spec is not None and typed_vm.spec.memory == 512
    assert from_typed(typed_vm) == vm

    bare = VirtualMachine.from_dict({"metadata": {"name": "bare"}})
    assert from_typed(bare).api_version == "cloud.waibizi.com/v1"
    assert from_typed(bare).kind == "VirtualMachine"
    with pytest.raises(LookupError):
        to_typed(vm, kubernetes_scheme)


def test_apply_and_dry_run_against_the_server(dyn: DynamicClient) -> None:
    vms = dyn.resource(VMS).namespace("default")
    ghost = Unstructured(
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachine",
            "metadata": {"name": "ghost"},
            "spec": {"image": "x"},
        }
    )
    vms.create(ghost, dry_run=True)
    with pytest.raises(NotFound):
        vms.get("ghost")
    applied = vms.apply(
        Unstructured(
            {
                "apiVersion": "cloud.waibizi.com/v1",
                "kind": "VirtualMachine",
                "metadata": {"name": "applied"},
                "spec": {"image": "a", "memory": 1},
            }
        ),
        field_manager="tests",
    )
    assert applied.object["spec"] == {"image": "a", "memory": 1}
    again = vms.apply(
        Unstructured(
            {
                "apiVersion": "cloud.waibizi.com/v1",
                "kind": "VirtualMachine",
                "metadata": {"name": "applied"},
                "spec": {"memory": 2},
            }
        ),
        field_manager="tests",
    )
    assert again.object["spec"]["memory"] == 2
    vms.delete("applied", dry_run=True)
    assert vms.get("applied").name == "applied"
    vms.delete("applied")


def test_dynamic_client_over_https_with_a_token() -> None:
    certs = REPO / "tests" / "fixtures" / "kubeconfig" / "certs"
    with TestApiServer(
        [str(CRD)],
        tls=True,
        tls_cert=certs / "server.crt",
        tls_key=certs / "server.key",
        tls_ca=certs / "ca.crt",
        tokens={"t0k3n": "alice"},
    ) as server:
        with DynamicClient(kubecore.load_config(server.kubeconfig_path)) as client:
            vms = client.resource(VMS).namespace("default")
            vms.create(
                Unstructured(
                    {
                        "apiVersion": "cloud.waibizi.com/v1",
                        "kind": "VirtualMachine",
                        "metadata": {"name": "tls"},
                    }
                )
            )
            assert [v.name for v in vms.list().items] == ["tls"]
