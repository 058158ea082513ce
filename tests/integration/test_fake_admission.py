"""The fake clientsets admit writes exactly as the test API server does: one write pipeline
(``kubecore.testing.writes``) prunes custom resources of undeclared fields (``fieldValidation``
Strict refuses them), validates them against their schema (422 with causes, on create,
update, patch and server-side apply alike), and deletes with the server's ``DeleteOptions``
checks and garbage collection options (``propagationPolicy``, ``orphanDependents``).

Each scenario runs against a fresh ``TestApiServer`` over loopback HTTP and against fresh
fake clientsets given the same CRD; the observations (uids and timestamps left out) must be
equal, and each scenario asserts what it observes so two equally wrong backends fail too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes import fake as kube_fake
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kube_clientgen_api.virtualmachine import fake as vm_fake
from kubecore import PatchType, load_config
from kubecore.client import errors
from kubecore.client.dynamic import DynamicClient
from kubecore.client.unstructured import GroupVersionResource, Unstructured
from kubecore.core.generated.meta_v1 import ObjectMeta, OwnerReference
from kubecore.testing import TestApiServer, load_table
from kubecore.testing.fake import FakeDynamicClient
from tests.conftest import REPO

SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
VM_CRD = REPO / "tests" / "fixtures" / "crds" / "virtualmachine-status.yaml"
VM_GVR = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")

Backend = tuple[Any, DynamicClient]  # (kubernetes Interface, dynamic client)


@contextmanager
def _server() -> Iterator[Backend]:
    with TestApiServer(table=load_table([SWAGGER, VM_CRD])) as server:
        config = load_config(server.kubeconfig_path)
        kube, dynamic = Clientset.from_config(config), DynamicClient(config)
        try:
            yield kube, dynamic
        finally:
            kube.close()
            dynamic.close()


@contextmanager
def _fake() -> Iterator[Backend]:
    kube = kube_fake.Clientset()
    vm_fake.Clientset(specs=[VM_CRD], tracker=kube.tracker)  # the CRD joins the table
    try:
        yield kube, FakeDynamicClient(tracker=kube.tracker)
    finally:
        kube.tracker.close()


def _norm(value: Any) -> Any:
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    if isinstance(value, Unstructured):
        value = value.object
    if isinstance(value, dict):
        return {
            k: _norm(v)
            for k, v in value.items()
            if k not in ("uid", "creationTimestamp", "deletionTimestamp", "time")
        }
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _error(call: Callable[[], Any]) -> tuple[str, int, str]:
    try:
        call()
    except errors.ApiError as err:
        return type(err).__name__, err.status, err.message
    raise AssertionError("no error raised")


def _vm(name: str, **spec: Any) -> Unstructured:
    return Unstructured(
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachine",
            "metadata": {"name": name},
            "spec": {"image": "centos", "status": "creating", **spec},
        }
    )


def s_pruning(b: Backend) -> Any:
    vms = b[1].resource(VM_GVR).namespace("default")
    created = vms.create(_vm("pruned", foo="bar"))
    assert "foo" not in created.object["spec"]
    assert "foo" not in vms.get("pruned").object["spec"]
    strict = _error(lambda: vms.create(_vm("strict", foo="bar"), field_validation="Strict"))
    assert strict[1] == 400 and 'unknown field "spec.foo"' in strict[2]
    applied = vms.apply(_vm("applied", extra=1), field_manager="test")
    assert "extra" not in applied.object["spec"]
    patched = vms.patch("pruned", {"spec": {"bar": 1}}, patch_type=PatchType.MERGE)
    assert "bar" not in patched.object["spec"]
    return [_norm(created), strict, _norm(applied), _norm(patched)]


def s_schema_validation(b: Backend) -> Any:
    vms = b[1].resource(VM_GVR).namespace("default")
    refused = _error(lambda: vms.create(_vm("bad", memory="lots")))
    assert refused[:2] == ("Invalid", 422) and "spec.memory" in refused[2]
    good = vms.create(_vm("good", memory=4096))
    body = good.object
    body["spec"]["memory"] = "more"
    on_update = _error(lambda: vms.update(Unstructured(body)))
    on_patch = _error(
        lambda: vms.patch("good", {"spec": {"disk": "big"}}, patch_type=PatchType.MERGE)
    )
    on_apply = _error(lambda: vms.apply(_vm("good", disk="big"), field_manager="test"))
    assert on_update[1] == on_patch[1] == on_apply[1] == 422
    kept = vms.get("good").object["spec"]
    assert kept["memory"] == 4096 and "disk" not in kept
    return [refused, on_update, on_patch, on_apply, kept]


def _owned(name: str, owner: ConfigMap) -> ConfigMap:
    reference = OwnerReference(
        api_version="v1", kind="ConfigMap", name=owner.metadata.name, uid=owner.metadata.uid
    )
    return ConfigMap(metadata=ObjectMeta(name=name, owner_references=[reference]))


def s_garbage_collection(b: Backend) -> Any:
    cms = b[0].core_v1.config_maps("default")
    owner = cms.create(ConfigMap(metadata=ObjectMeta(name="owner")))
    cms.create(_owned("orphaned", owner))
    cms.delete("owner", propagation_policy="Orphan")
    orphaned = cms.get("orphaned")
    assert not orphaned.metadata.owner_references
    owner = cms.create(ConfigMap(metadata=ObjectMeta(name="owner2")))
    cms.create(_owned("collected", owner))
    cms.delete("owner2", propagation_policy="Background")
    collected = _error(lambda: cms.get("collected"))
    assert collected[:2] == ("NotFound", 404)
    cms.create(ConfigMap(metadata=ObjectMeta(name="x")))
    bad_policy = _error(lambda: cms.delete("x", propagation_policy="Sideways"))
    assert bad_policy[1] == 422 and "propagationPolicy" in bad_policy[2]
    return [_norm(orphaned), collected, bad_policy, [c.metadata.name for c in cms.list().items]]


SCENARIOS = {
    "pruning": s_pruning,
    "schema_validation": s_schema_validation,
    "garbage_collection": s_garbage_collection,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fake_admits_as_the_server_does(name: str) -> None:
    scenario = SCENARIOS[name]
    with _server() as backend:
        over_http = scenario(backend)
    with _fake() as backend:
        in_process = scenario(backend)
    assert in_process == over_http


def test_a_shared_tracker_admits_with_specs_added_later() -> None:
    """A fake whose reactions already served a write admits with the CRD a fake built later
    on its tracker brought (the admission follows the table)."""
    kube = kube_fake.Clientset()
    dynamic = FakeDynamicClient(tracker=kube.tracker)
    try:
        kube.core_v1.config_maps("default").create(ConfigMap(metadata=ObjectMeta(name="first")))
        dynamic.resource(GroupVersionResource("", "v1", "configmaps")).namespace("default").get(
            "first"
        )
        vm_fake.Clientset(specs=[VM_CRD], tracker=kube.tracker)
        vms = dynamic.resource(VM_GVR).namespace("default")
        refused = _error(lambda: vms.create(_vm("bad", memory="lots")))
        assert refused[:2] == ("Invalid", 422)
        assert "foo" not in vms.create(_vm("pruned", foo=1)).object["spec"]
    finally:
        kube.tracker.close()
