"""Conditions, owner references and finalizers on typed models, Unstructured and dicts."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kube_clientgen_api.kubernetes.apiextensions.v1 import (
    CustomResourceDefinition,
    CustomResourceDefinitionCondition,
    CustomResourceDefinitionStatus,
)
from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap, Namespace
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kubecore.core.generated.meta_v1 import Condition, ObjectMeta, OwnerReference
from kubecore.core.times import Time
from kubecore.core.unstructured import Unstructured
from kubecore.runtime.conditions import (
    find_status_condition,
    is_status_condition_false,
    is_status_condition_present_and_equal,
    is_status_condition_true,
    remove_status_condition,
    set_status_condition,
)
from kubecore.runtime.finalizers import add_finalizer, has_finalizer, remove_finalizer
from kubecore.runtime.owners import (
    AlreadyOwnedError,
    get_controller_of,
    has_owner_reference,
    is_controlled_by,
    remove_owner_reference,
    set_controller_reference,
    set_owner_reference,
)

OLD = "2020-01-01T00:00:00Z"

# -- conditions -------------------------------------------------------------------------------


def test_conditions_on_kubecore_condition_models() -> None:
    conditions: list[Condition] = []
    assert set_status_condition(
        conditions, Condition(type="Ready", status="False", reason="Booting", message="")
    )
    ready = find_status_condition(conditions, "Ready")
    assert isinstance(ready, Condition) and isinstance(ready.last_transition_time, Time)
    assert is_status_condition_false(conditions, "Ready")
    assert not is_status_condition_true(conditions, "Ready")
    ready.last_transition_time = Time(OLD)

    # Same status, new reason: changed, but the transition time stays.
    changed = set_status_condition(
        conditions, Condition(type="Ready", status="False", reason="Pulling", message="m")
    )
    assert changed and ready.reason == "Pulling" and ready.message == "m"
    assert ready.last_transition_time == OLD
    # Nothing new: no change.
    assert not set_status_condition(
        conditions, Condition(type="Ready", status="False", reason="Pulling", message="m")
    )
    # Status changes: the transition time moves.
    assert set_status_condition(
        conditions,
        Condition(type="Ready", status="True", reason="Up", message="", observed_generation=3),
    )
    assert is_status_condition_true(conditions, "Ready")
    assert ready.last_transition_time != OLD and ready.observed_generation == 3
    assert is_status_condition_present_and_equal(conditions, "Ready", "True")
    # An explicit transition time given with a status change is kept.
    set_status_condition(
        conditions,
        Condition(type="Ready", status="False", reason="Down", last_transition_time=Time(OLD)),
    )
    assert ready.last_transition_time == OLD
    assert set_status_condition(conditions, Condition(type="Degraded", status="Unknown"))
    assert [c.type for c in conditions] == ["Ready", "Degraded"]
    assert remove_status_condition(conditions, "Ready")
    assert not remove_status_condition(conditions, "Ready")
    assert find_status_condition(conditions, "Ready") is None
    assert not is_status_condition_true(conditions, "Ready")
    assert not is_status_condition_false(conditions, "Ready")


def test_conditions_on_a_model_with_the_same_fields() -> None:
    crd = CustomResourceDefinition(status=CustomResourceDefinitionStatus())
    assert set_status_condition(crd, Condition(type="Established", status="True", reason="Ok"))
    assert crd.status is not None and crd.status.conditions is not None
    (stored,) = crd.status.conditions
    assert isinstance(stored, Condition)  # an empty list takes the given model's class
    crd.status.conditions = [
        CustomResourceDefinitionCondition(
            type="NamesAccepted", status="True", reason="NoConflicts", last_transition_time=OLD
        )
    ]
    assert set_status_condition(crd, Condition(type="Established", status="True", reason="Ok"))
    established = find_status_condition(crd, "Established")
    assert isinstance(established, CustomResourceDefinitionCondition)  # the list's own class
    assert not set_status_condition(
        crd, {"type": "NamesAccepted", "status": "True", "reason": "NoConflicts"}
    )
    assert crd.status.conditions[0].last_transition_time == OLD
    assert is_status_condition_true(crd, "NamesAccepted")


def test_conditions_on_unstructured_and_dicts() -> None:
    vm = Unstructured({"apiVersion": "cloud.waibizi.com/v1", "kind": "VirtualMachine"})
    assert find_status_condition(vm, "Ready") is None
    assert set_status_condition(vm, {"type": "Ready", "status": "False", "reason": "Booting"})
    stored = vm.object["status"]["conditions"][0]
    assert isinstance(stored, dict) and type(stored["lastTransitionTime"]) is str
    stored["lastTransitionTime"] = OLD
    assert set_status_condition(vm, Condition(type="Ready", status="False", reason="Booting2"))
    assert vm.object["status"]["conditions"][0]["lastTransitionTime"] == OLD
    assert set_status_condition(vm, Condition(type="Ready", status="True", reason="Up"))
    assert vm.object["status"]["conditions"][0]["lastTransitionTime"] != OLD
    assert is_status_condition_true(vm.object, "Ready")
    added = vm.object["status"]["conditions"]
    set_status_condition(added, Condition(type="Synced", status="True", reason="Ok"))
    assert isinstance(added[1], dict) and added[1]["type"] == "Synced"
    assert remove_status_condition(vm, "Ready")
    assert [c["type"] for c in vm.object["status"]["conditions"]] == ["Synced"]
    with pytest.raises(ValueError, match="type"):
        set_status_condition([], {"status": "True"})


# -- owner references -------------------------------------------------------------------------


def owner(name: str = "vm1", uid: str = "uid-1", namespace: str = "default") -> VirtualMachine:
    return VirtualMachine(metadata=ObjectMeta(name=name, namespace=namespace, uid=uid))


def test_controller_reference_on_a_typed_object() -> None:
    vm = owner()
    cm = ConfigMap(metadata=ObjectMeta(name="vm1-config", namespace="default"))
    assert set_controller_reference(vm, cm)
    assert cm.metadata is not None and cm.metadata.owner_references is not None
    (ref,) = cm.metadata.owner_references
    assert isinstance(ref, OwnerReference)
    assert ref.to_dict() == {
        "apiVersion": "cloud.waibizi.com/v1",  # from the model's RESOURCE (kind/apiVersion unset)
        "kind": "VirtualMachine",
        "name": "vm1",
        "uid": "uid-1",
        "controller": True,
        "blockOwnerDeletion": True,
    }
    assert not set_controller_reference(vm, cm)  # already so
    assert is_controlled_by(cm, vm)
    assert get_controller_of(cm) is ref
    with pytest.raises(AlreadyOwnedError, match="already owned by another VirtualMachine"):
        set_controller_reference(owner("vm2", "uid-2"), cm)
    assert not is_controlled_by(cm, owner("vm2", "uid-2"))
    # A plain owner reference beside the controller.
    assert set_owner_reference(owner("vm2", "uid-2"), cm)
    assert [r.name for r in cm.metadata.owner_references] == ["vm1", "vm2"]
    assert cm.metadata.owner_references[1].controller is None
    # SetOwnerReference on the controller replaces its reference: no longer the controller.
    assert set_owner_reference(vm, cm)
    assert get_controller_of(cm) is None
    assert set_controller_reference(owner("vm2", "uid-2"), cm)
    assert is_controlled_by(cm, owner("vm2", "uid-2"))
    assert has_owner_reference(cm, vm) and has_owner_reference(cm, owner("vm2", "uid-2"))
    assert remove_owner_reference(owner("vm2", "uid-2"), cm)
    assert not remove_owner_reference(owner("vm2", "uid-2"), cm)
    assert get_controller_of(cm) is None and not has_owner_reference(cm, owner("vm2", "uid-2"))
    assert remove_owner_reference(vm, cm)
    assert cm.metadata.owner_references is None


def test_owner_references_on_unstructured_and_dicts() -> None:
    deployment = Deployment.from_dict(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "ns", "uid": "d-1"},
        }
    )
    pod = Unstructured(
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"}}
    )
    assert set_controller_reference(deployment, pod)
    assert pod.owner_references[0]["uid"] == "d-1" and pod.owner_references[0]["controller"]
    assert is_controlled_by(pod, deployment)
    raw = copy.deepcopy(pod.object)
    assert is_controlled_by(raw, deployment.to_dict())
    other: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "x", "namespace": "ns", "uid": "d-2"},
    }
    with pytest.raises(AlreadyOwnedError):
        set_controller_reference(other, raw)
    # The same owner under another API version is the same owner (group, kind, name).
    moved = {**deployment.to_dict(), "apiVersion": "apps/v1beta2"}
    assert set_controller_reference(moved, raw)
    assert [r["apiVersion"] for r in raw["metadata"]["ownerReferences"]] == ["apps/v1beta2"]


def test_owner_reference_rules() -> None:
    cm = ConfigMap(metadata=ObjectMeta(name="c", namespace="other"))
    with pytest.raises(ValueError, match="cross-namespace"):
        set_controller_reference(owner(), cm)
    cluster_scoped = Namespace(metadata=ObjectMeta(name="ns1"))
    with pytest.raises(ValueError, match="cluster-scoped resource must not have a namespace"):
        set_owner_reference(owner(), cluster_scoped)
    namespace_owner = Namespace.from_dict({"metadata": {"name": "ns1", "uid": "n-1"}})
    assert set_owner_reference(namespace_owner, cm)  # a cluster-scoped owner is fine
    with pytest.raises(ValueError, match="uid"):
        set_owner_reference(VirtualMachine(metadata=ObjectMeta(name="new")), cm)


# -- finalizers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: ConfigMap(metadata=ObjectMeta(name="c")),
        lambda: ConfigMap(),
        lambda: Unstructured({"kind": "ConfigMap", "metadata": {"name": "c"}}),
        lambda: {"kind": "ConfigMap"},
    ],
    ids=["typed", "typed-no-metadata", "unstructured", "dict"],
)
def test_finalizers(make: Any) -> None:
    obj = make()
    assert not has_finalizer(obj, "example.com/cleanup")
    assert not remove_finalizer(obj, "example.com/cleanup")
    assert add_finalizer(obj, "example.com/cleanup")
    assert not add_finalizer(obj, "example.com/cleanup")
    assert add_finalizer(obj, "other")
    assert has_finalizer(obj, "example.com/cleanup")
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    assert data["metadata"]["finalizers"] == ["example.com/cleanup", "other"]
    assert remove_finalizer(obj, "example.com/cleanup")
    assert not has_finalizer(obj, "example.com/cleanup")
    assert remove_finalizer(obj, "other")
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    # an always-set metadata that is empty again is not encoded (nothing is invented)
    assert "finalizers" not in data.get("metadata", {})
    with pytest.raises(ValueError):
        add_finalizer(obj, "")
