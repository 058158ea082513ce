"""The generated models' codec: lossless round trips, deliberate types, dataclass behaviour.

Uses the committed built-in API (generated/kubernetes) and a fixture CRD with every shape.
"""

from __future__ import annotations

import copy
import dataclasses
import enum
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import scheme
from kube_clientgen_api.kubernetes.apiextensions.v1 import CustomResourceDefinition, JSONSchemaProps
from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import Container, Pod, Service
from kubecore.core import yamlio
from kubecore.core.quantity import Quantity
from kubecore.core.times import MicroTime, Time
from tests.helpers import FIXTURES, generate, import_generated, read_all, unique_package_dir

REPO = Path(__file__).resolve().parents[2]


def roundtrip(cls: Any, data: dict[str, Any]) -> None:
    original = copy.deepcopy(data)
    obj = cls.from_dict(data)
    assert data == original, "decoding must not change its input"
    assert obj.to_dict() == original
    assert cls.from_json(obj.to_json()).to_dict() == original
    read_all(obj)  # decoding is lazy: the same with every field built
    assert obj.to_dict() == original
    assert cls.from_json(obj.to_json()).to_dict() == original


POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "web-0",
        "namespace": "default",
        "creationTimestamp": "2024-01-02T03:04:05Z",
        "labels": {"app": "web"},
        "managedFields": [
            {
                "manager": "kubectl",
                "fieldsV1": {"f:spec": {"f:containers": {}}},
                "time": "2024-01-02T03:04:05Z",
            }
        ],
        "aNewMetadataField": {"x": [1, 2, {"y": None}]},
    },
    "spec": {
        "containers": [
            {
                "name": "web",
                "image": "nginx:1.27",
                "ports": [{"containerPort": 80, "protocol": "TCP"}],
                "resources": {
                    "requests": {"cpu": "500m", "memory": "1Gi"},
                    "limits": {"cpu": 1, "memory": "1.0Gi"},
                },
                "livenessProbe": {"httpGet": {"port": "http", "path": "/"}},
                "futureContainerField": {"deeply": {"nested": [None, True]}},
            }
        ],
        "nodeName": None,
        "futureSpecField": 42,
    },
    "status": {
        "phase": "Running",
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": "2024-01-02T03:04:05+00:00",
            }
        ],
        "startTime": "2024-01-02T03:04:05.000000Z",
    },
}


def test_pod_round_trip_keeps_unknown_fields_nulls_and_text() -> None:
    roundtrip(Pod, POD)


def test_unknown_fields_and_nulls_are_visible_and_attributes_win() -> None:
    pod = Pod.from_dict(copy.deepcopy(POD))
    assert pod.spec is not None and pod.status is not None and pod.status.conditions is not None
    assert pod.spec.extra_fields == {"futureSpecField": 42, "nodeName": None}
    assert pod.spec.containers is not None
    assert pod.spec.containers[0].extra_fields == {
        "futureContainerField": {"deeply": {"nested": [None, True]}}
    }
    assert pod.status.conditions[0].last_probe_time is None
    assert pod.status.conditions[0].to_dict()["lastProbeTime"] is None
    pod.spec.node_name = "node-1"  # set over an explicit null
    assert pod.spec.to_dict()["nodeName"] == "node-1"


def test_times_keep_their_text_and_parse() -> None:
    pod = Pod.from_dict(copy.deepcopy(POD))
    assert pod.metadata is not None and pod.status is not None
    created = pod.metadata.creation_timestamp
    assert isinstance(created, Time) and created == "2024-01-02T03:04:05Z"
    assert created.to_datetime().year == 2024
    transition = pod.status.conditions[0].last_transition_time  # type: ignore[index]
    assert transition == "2024-01-02T03:04:05+00:00"
    assert pod.metadata.managed_fields[0].time == "2024-01-02T03:04:05Z"  # type: ignore[index]
    from kube_clientgen_api.kubernetes.events.v1 import Event

    event = Event.from_dict(
        {"eventTime": "2024-01-02T03:04:05.123456Z", "reportingController": "x"}
    )
    assert isinstance(event.event_time, MicroTime)
    assert event.to_dict()["eventTime"] == "2024-01-02T03:04:05.123456Z"


def test_quantities_keep_their_raw_form_and_compare_by_value() -> None:
    container = Pod.from_dict(copy.deepcopy(POD)).spec.containers[0]  # type: ignore[union-attr,index]
    requests = container.resources.requests  # type: ignore[union-attr]
    limits = container.resources.limits  # type: ignore[union-attr]
    assert isinstance(requests["cpu"], Quantity) and requests["cpu"].raw == "500m"
    assert limits["cpu"].raw == 1 and limits["memory"].raw == "1.0Gi"
    assert requests["memory"] == limits["memory"] and requests["cpu"] < limits["cpu"]
    assert container.to_dict()["resources"] == {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"cpu": 1, "memory": "1.0Gi"},
    }


def test_int_or_string_keeps_its_type() -> None:
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443, "targetPort": "https"}]},
    }
    roundtrip(Service, service)
    ports = Service.from_dict(service).spec.ports  # type: ignore[union-attr]
    assert ports is not None and ports[0].target_port == 8080 and ports[1].target_port == "https"


def test_spec_defaults_are_never_injected() -> None:
    assert Container(name="c").to_dict() == {"name": "c"}
    assert Pod().to_dict() == {"apiVersion": "v1", "kind": "Pod"}
    assert Deployment.from_dict({"spec": {}}).to_dict() == {"spec": {}}


def test_required_fields_may_be_absent_when_decoding() -> None:
    container = Container.from_dict({})  # the schema requires "name"
    assert container.name == "" and container.to_dict() == {}
    assert [f.name for f in Container.FIELDS if f.required] == ["name"]
    assert Container.from_dict({"name": ""}).to_dict() == {"name": ""}  # present stays present
    container.name = "web"
    assert container.to_dict() == {"name": "web"}


def test_recursive_schema_types_decode() -> None:
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "x.y.z"},
        "spec": {
            "group": "y.z",
            "names": {"kind": "X", "plural": "xs"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"n": {"type": "integer", "default": 3}},
                                    "x-kubernetes-preserve-unknown-fields": True,
                                }
                            },
                            "$schema": "http://json-schema.org/draft-04/schema#",
                        }
                    },
                }
            ],
        },
    }
    roundtrip(CustomResourceDefinition, crd)
    schema = CustomResourceDefinition.from_dict(crd).spec.versions[0].schema.open_apiv3_schema  # type: ignore[union-attr,index]
    assert isinstance(schema, JSONSchemaProps)
    spec = schema.properties["spec"]  # type: ignore[index]
    assert isinstance(spec, JSONSchemaProps) and spec.x_kubernetes_preserve_unknown_fields is True
    assert spec.properties["n"].default == 3  # type: ignore[index]
    assert schema.dollar_schema == "http://json-schema.org/draft-04/schema#"


def test_models_behave_like_kw_only_dataclasses_over_their_wire_form() -> None:
    pod = Pod.from_dict(copy.deepcopy(POD))
    assert dataclasses.is_dataclass(pod)
    assert [f.name for f in dataclasses.fields(Pod)] == [
        "api_version",
        "kind",
        "metadata",
        "spec",
        "status",
    ]
    renamed = dataclasses.replace(pod, kind="Pod")
    assert renamed == pod and renamed is not pod
    assert pod.status is not None and pod.status.start_time is not None
    assert vars(pod.status)["startTime"] is pod.status.start_time  # keys are wire names
    with pytest.raises(TypeError):
        Pod("v1")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        pod.not_a_field = 1  # type: ignore[attr-defined]
    assert "Pod(" in repr(pod) and "web-0" in repr(pod)
    assert Pod.from_dict({"kind": "Pod"}) != Pod.from_dict({"kind": "Pod", "x": 1})


def test_kinds_carry_their_resource_metadata() -> None:
    assert (Pod.API_VERSION, Pod.KIND) == ("v1", "Pod")
    assert Pod.RESOURCE.plural == "pods" and Pod.RESOURCE.namespaced
    assert "status" in Pod.RESOURCE.subresources and "eviction" in Pod.RESOURCE.subresources
    assert (
        Deployment.RESOURCE.api_path == "/apis/apps/v1"
        and "scale" in Deployment.RESOURCE.subresources
    )
    from kube_clientgen_api.kubernetes.core.v1 import Node

    assert not Node.RESOURCE.namespaced and Node.RESOURCE.short_names == ("no",)


def test_scheme_decodes_known_kinds_and_passes_unknown_through() -> None:
    assert isinstance(scheme.from_dict(copy.deepcopy(POD)), Pod)
    unknown = {"apiVersion": "example.com/v1", "kind": "Thing", "spec": {}}
    assert scheme.from_dict(unknown) is unknown
    status = scheme.from_dict(
        {"apiVersion": "v1", "kind": "Status", "code": 404, "reason": "NotFound"}
    )
    from kubecore.core.generated.meta_v1 import Status

    assert isinstance(status, Status) and status.code == 404
    assert scheme.to_dict(scheme.from_dict(copy.deepcopy(POD))) == POD


def test_virtual_machine_example_round_trips() -> None:
    from kube_clientgen_api.virtualmachine import scheme as vm_scheme
    from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine

    (doc,) = yamlio.load_all((REPO / "examples" / "manifests" / "public-wx.yaml").read_text())
    vm = vm_scheme.from_dict(copy.deepcopy(doc))
    assert isinstance(vm, VirtualMachine)
    assert vm.spec is not None and vm.spec.image == "Centos-7.9" and vm.spec.memory == 4096
    assert vm.spec.disk == 500 and vm.spec.status == "creating"
    assert vm.to_dict() == doc
    assert VirtualMachine.RESOURCE.short_names == (
        "vm",
    ) and VirtualMachine.RESOURCE.subresources == ("status",)


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = unique_package_dir(tmp_path_factory.mktemp("shapes"), "shapes")
    assert generate([FIXTURES / "crds" / "shapes.yaml"], out) == 0
    with import_generated(out) as package:
        yield package


def test_shapes_get_their_deliberate_types(shapes: ModuleType) -> None:
    import importlib

    v1 = importlib.import_module(f"{shapes.__name__}.test_example_com.v1")
    fields = {f.wire: f.type for f in v1.ShapeSpec.FIELDS}
    assert fields["size"] == "_Quantity | None"
    assert fields["port"] == "_IntOrString | None"
    assert fields["color"] == "ShapeSpecColor | str | None"
    assert fields["colors"] == "list[ShapeSpecColors | str] | None"
    assert fields["when"] == "_Time | None"
    assert fields["labels"] == "dict[str, str] | None"
    assert fields["limits"] == "dict[str, _Quantity] | None"
    assert fields["free"] == "dict[str, Any] | None"
    assert fields["template"] == "dict[str, Any] | None"
    assert fields["typedTemplate"] == "ShapeSpecTypedTemplate | None"
    assert fields["choice"] == "ShapeSpecChoice | None"
    assert fields["either"] == "str | bool | None"
    assert {f.wire: f.name for f in v1.ShapeSpec.FIELDS}["mirrorPercent"] == "mirror_percent_2"
    rules = next(f for f in v1.ShapeSpec.FIELDS if f.wire == "rules")
    assert rules.list_type == "map" and rules.list_map_keys == ("name",)
    assert issubclass(v1.ShapeSpecColor, enum.Enum) and v1.ShapeSpecColor("=").name == "V_3D"
    typed_meta = {f.wire: f.type for f in v1.ShapeSpecTypedTemplate.FIELDS}["metadata"]
    assert typed_meta == "_meta_v1.ObjectMeta | None"
    assert (
        v1.Shape.RESOURCE.subresources == ("scale", "status") and not v1.Shape.RESOURCE.namespaced
    )
    v1beta1 = importlib.import_module(f"{shapes.__name__}.test_example_com.v1beta1")
    assert "deprecated" in v1beta1.Shape.DEPRECATED


def test_shapes_round_trip_with_unknown_enum_values(shapes: ModuleType) -> None:
    import importlib

    v1 = importlib.import_module(f"{shapes.__name__}.test_example_com.v1")
    doc = {
        "apiVersion": "test.example.com/v1",
        "kind": "Shape",
        "metadata": {"name": "s"},
        "spec": {
            "size": "1.5Gi",
            "port": "http",
            "color": "Purple",
            "colors": ["Red", "Ultraviolet"],
            "when": "2030-01-01T00:00:00Z",
            "limits": {"cpu": 2},
            "free": {"anything": {"goes": [1, None]}},
            "template": {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "c"},
                "data": {"a": "b"},
            },
            "typedTemplate": {
                "apiVersion": "v1",
                "kind": "X",
                "metadata": {"name": "t", "labels": {"a": "b"}},
                "replicas": 2,
                "other": True,
            },
            "rules": [{"name": "r", "from": "a", "nested": {"deep": {"value": "v", "unknown": 1}}}],
            "choice": {"a": "x"},
            "either": False,
            "mirrorPercent": 1,
            "mirror_percent": 2,
        },
        "status": {
            "replicas": 1,
            "conditions": [{"type": "Ready", "lastTransitionTime": "2030-01-01T00:00:00Z"}],
        },
    }
    roundtrip(v1.Shape, doc)
    shape = v1.Shape.from_dict(copy.deepcopy(doc))
    assert shape.spec.color == "Purple" and not isinstance(shape.spec.color, enum.Enum)
    assert shape.spec.colors[0] is v1.ShapeSpecColors.RED and shape.spec.colors[1] == "Ultraviolet"
    assert shape.spec.rules[0].from_ == "a"
    assert shape.spec.mirror_percent == 2 and shape.spec.mirror_percent_2 == 1
    assert shape.spec.size == Quantity("1536Mi")
    scheme_module = importlib.import_module(f"{shapes.__name__}.scheme")
    assert isinstance(scheme_module.from_dict(copy.deepcopy(doc)), v1.Shape)
    listed = scheme_module.from_dict(
        {"apiVersion": "test.example.com/v1", "kind": "ShapeList", "items": [doc]}
    )
    assert listed.items[0].spec.port == "http"
