"""Mistakes at the model boundary get a clear error; conveniences convert (issue #7 §5, §6, §8).

Always-set fields, constructor conversions, model-typed arguments, another kind's document,
naive datetimes and deep copies.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import scheme
from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import (
    ConfigMap,
    Container,
    EmptyDirVolumeSource,
    PersistentVolumeClaimSpec,
    Pod,
    PodList,
    PodSpec,
    VolumeResourceRequirements,
)
from kube_clientgen_api.kubernetes.events.v1 import Event
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.core.quantity import Quantity
from kubecore.core.times import MicroTime, Time
from tests.unit.test_models import POD


def test_list_items_and_metadata_are_always_set_yet_never_invented() -> None:
    listed = PodList.from_dict({"apiVersion": "v1", "kind": "PodList"})
    assert listed.items == [] and listed.metadata.resource_version is None
    assert listed.to_dict() == {"apiVersion": "v1", "kind": "PodList"}
    explicit = {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": []}
    assert PodList.from_dict(copy.deepcopy(explicit)).to_dict() == explicit
    nulls = {"kind": "PodList", "metadata": None, "items": None}
    decoded = PodList.from_dict(copy.deepcopy(nulls))
    assert decoded.items == [] and decoded.to_dict() == nulls
    decoded.items.append(Pod(metadata=ObjectMeta(name="p")))
    assert decoded.to_dict()["items"] == [
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}
    ]


def test_constructed_objects_leave_unset_always_set_fields_out() -> None:
    cm = ConfigMap(data={"a": "1"})
    assert cm.metadata == ObjectMeta() and "metadata" not in cm.to_dict()
    cm.metadata.name = "cfg"  # no assert, no Optional: set it in place
    assert cm.to_dict()["metadata"] == {"name": "cfg"}
    assert ConfigMap(metadata=ObjectMeta()).to_dict()["metadata"] == {}  # passed: kept
    assert ConfigMap() == ConfigMap.from_dict({"apiVersion": "v1", "kind": "ConfigMap"})
    assert ConfigMap() != ConfigMap.from_dict(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}
    )
    assert "metadata" not in repr(ConfigMap())


def test_constructors_convert_plain_values_of_quantities_times_and_enums() -> None:
    spec = PersistentVolumeClaimSpec(
        resources=VolumeResourceRequirements(requests={"storage": "10Gi"}, limits={"cpu": 2})
    )
    storage = spec.resources.requests["storage"]  # type: ignore[union-attr,index]
    assert isinstance(storage, Quantity) and storage.raw == "10Gi" and storage == "10240Mi"
    assert spec.to_dict() == {"resources": {"requests": {"storage": "10Gi"}, "limits": {"cpu": 2}}}
    assert isinstance(EmptyDirVolumeSource(size_limit="1Gi").size_limit, Quantity)
    with pytest.raises(TypeError, match="Quantity"):
        EmptyDirVolumeSource(size_limit=[1])  # type: ignore[arg-type]
    when = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2)))
    meta = ObjectMeta(creation_timestamp=when)
    assert isinstance(meta.creation_timestamp, Time)
    assert meta.to_dict() == {"creationTimestamp": "2024-05-06T05:08:09Z"}
    assert ObjectMeta(creation_timestamp="2024-01-02T03:04:05Z").creation_timestamp == Time(
        "2024-01-02T03:04:05Z"
    )
    event = Event(event_time=when, reporting_controller="c")
    assert isinstance(event.event_time, MicroTime)
    assert event.to_dict()["eventTime"] == "2024-05-06T05:08:09.123456Z"


def test_naive_datetimes_raise_on_construction_and_on_encode() -> None:
    with pytest.raises(ValueError, match="naive datetime"):
        Event(event_time=datetime(2024, 5, 6, 7, 8, 9))
    with pytest.raises(ValueError, match="naive datetime"):
        ObjectMeta(creation_timestamp=datetime(2024, 5, 6, 7, 8, 9))
    event = Event(reporting_controller="c")
    event.event_time = datetime(2024, 5, 6, 7, 8, 9)  # type: ignore[assignment]
    with pytest.raises(ValueError, match="naive datetime"):
        event.to_dict()
    event.event_time = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)  # type: ignore[assignment]
    assert event.to_dict()["eventTime"] == "2024-05-06T07:08:09.000000Z"


def test_a_mapping_where_a_model_is_expected_is_a_type_error_at_the_call() -> None:
    with pytest.raises(
        TypeError, match=r"ConfigMap\(metadata=...\): expected ObjectMeta, got dict"
    ):
        ConfigMap(metadata={"name": "x"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"PodSpec\(containers=...\): expected Container, got dict"):
        PodSpec(containers=[Container(name="a"), {"name": "b"}])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="ObjectMeta.from_dict"):
        Pod(metadata={"name": "x"})  # type: ignore[arg-type]


def test_from_dict_refuses_another_kinds_document() -> None:
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
    with pytest.raises(ValueError) as info:
        ConfigMap.from_dict(deployment)
    assert "'apps/v1' 'Deployment'" in str(info.value) and "v1 ConfigMap" in str(info.value)
    with pytest.raises(ValueError, match="apps/v1 Deployment"):
        Deployment.from_dict({"apiVersion": "apps/v1beta2", "kind": "Deployment"})
    assert isinstance(scheme.from_dict(copy.deepcopy(deployment)), Deployment)
    assert ConfigMap.from_dict({"data": {"a": "b"}}).data == {"a": "b"}  # no type meta: fine
    with pytest.raises(TypeError, match="expects a JSON object"):
        ConfigMap.from_dict(["not", "an", "object"])  # type: ignore[arg-type]
    # inside a list the items are decoded whatever they claim to be, and kept as they came
    listed = {"kind": "PodList", "items": [{"kind": "NotAPod", "metadata": {"name": "x"}}]}
    assert PodList.from_dict(copy.deepcopy(listed)).to_dict() == listed


def test_deep_copy_is_equal_and_independent() -> None:
    pod = Pod.from_dict(copy.deepcopy(POD))
    twin = pod.deep_copy()
    assert twin == pod and twin is not pod and twin.to_dict() == POD
    twin.metadata.labels["app"] = "changed"  # type: ignore[index]
    twin.spec.containers[0].name = "other"  # type: ignore[union-attr]
    unknown: Any = twin.metadata.__dict__  # unknown fields are keys of the wire form
    unknown["aNewMetadataField"]["x"].append(3)
    assert pod.to_dict() == POD and twin != pod
    assert twin.spec.containers[0].resources.requests["cpu"] == (  # type: ignore[union-attr,index]
        pod.spec.containers[0].resources.requests["cpu"]  # type: ignore[union-attr,index]
    )
    loaded = Pod.from_dict(copy.deepcopy(POD))
    assert loaded.spec.containers[0].resources.requests  # type: ignore[union-attr]
    copied = loaded.deep_copy()  # a loaded object copies field by field
    assert copied.spec.containers[0].resources.requests["cpu"] is (  # type: ignore[union-attr,index]
        loaded.spec.containers[0].resources.requests["cpu"]  # type: ignore[union-attr,index]
    )  # Quantities are immutable: shared
    empty = ConfigMap().deep_copy()
    assert empty.to_dict() == {"apiVersion": "v1", "kind": "ConfigMap"}


@pytest.mark.parametrize("value", [[], None, "Pod", 5])
def test_scheme_refuses_what_is_not_a_document_with_a_type_error(value: object) -> None:
    """QA: ``scheme.from_dict`` and ``scheme.to_dict`` raised AttributeError ('list' object
    has no attribute 'get') where ``Model.from_dict`` raises TypeError."""
    with pytest.raises(TypeError, match="scheme.from_dict expects a JSON object"):
        scheme.from_dict(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="scheme.to_dict expects a model or a dict"):
        scheme.to_dict(value)  # type: ignore[arg-type]
