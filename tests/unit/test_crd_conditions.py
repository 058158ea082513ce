"""CRD ``status.conditions`` items shaped as meta/v1 Condition are typed as kubecore's
``kubecore.core.generated.meta_v1.Condition``; anything else keeps a per-CRD model."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

from kube_clientgen import ir
from kube_clientgen.sources.schema import SchemaConverter
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kubecore.core.generated.meta_v1 import Condition
from kubecore.runtime.conditions import find_status_condition, set_status_condition
from tests.helpers import CRDS, generate_capture, import_generated, unique_package_dir

BASE: dict[str, Any] = yaml.safe_load((CRDS / "widget.yaml").read_text())

CONDITION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["lastTransitionTime", "message", "reason", "status", "type"],
    "properties": {
        "lastTransitionTime": {"type": "string", "format": "date-time"},
        "message": {"type": "string", "maxLength": 32768},
        "observedGeneration": {"type": "integer", "format": "int64", "minimum": 0},
        "reason": {"type": "string", "maxLength": 1024, "minLength": 1},
        "status": {"type": "string", "enum": ["True", "False", "Unknown"]},
        "type": {"type": "string", "maxLength": 316},
    },
}

WIRE = {
    "type": "Ready",
    "status": "True",
    "observedGeneration": 3,
    "lastTransitionTime": "2026-01-02T03:04:05Z",
    "reason": "Provisioned",
    "message": "ok",
}


def _generated_widget(tmp_path: Path, item: dict[str, Any]) -> Any:
    doc = copy.deepcopy(BASE)
    schema = doc["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    schema["properties"]["status"]["properties"]["conditions"] = {
        "type": "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
        "items": item,
    }
    path = tmp_path / "widget.yaml"
    path.write_text(yaml.safe_dump(doc))
    out = unique_package_dir(tmp_path)
    code, err = generate_capture([path], out)
    assert code == 0, err
    return out


def test_controller_gen_conditions_are_meta_v1_conditions(tmp_path: Path) -> None:
    out = _generated_widget(tmp_path, CONDITION_SCHEMA)
    with import_generated(out) as package:
        models = importlib.import_module(package.__name__ + ".demo_example_com.v1.models")
        assert not [name for name in models.__all__ if "Condition" in name]
        data: dict[str, Any] = {
            "apiVersion": "demo.example.com/v1",
            "kind": "Widget",
            "status": {"conditions": [WIRE]},
        }
        widget = models.Widget.from_dict(data)
        (condition,) = widget.status.conditions
        assert condition.__class__ is Condition
        assert (condition.reason, condition.observed_generation) == ("Provisioned", 3)
        assert widget.to_dict() == data


def _converted(item: dict[str, Any]) -> Any:
    converter = SchemaConverter(ir.Api(), "widget.yaml")
    gv = ir.GroupVersion("demo.example.com", "v1")
    array = {"type": "array", "items": item}
    return converter.convert(array, "/status/conditions", "Widget.status.conditions", "X", gv)


def test_without_observed_generation_still_a_condition() -> None:
    item = copy.deepcopy(CONDITION_SCHEMA)
    del item["properties"]["observedGeneration"]
    assert _converted(item) == ir.ListOf(ir.Ref("io.k8s.apimachinery.pkg.apis.meta.v1.Condition"))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda p: p.update(severity={"type": "string"}), id="extra-property"),
        pytest.param(lambda p: p.pop("reason"), id="missing-reason"),
        pytest.param(lambda p: p["lastTransitionTime"].pop("format"), id="time-not-date-time"),
        pytest.param(lambda p: p.update(status={"type": "boolean"}), id="boolean-status"),
        pytest.param(lambda p: p.update(message={"type": "object"}), id="object-message"),
    ],
)
def test_other_shapes_keep_their_own_model(change: Any) -> None:
    item = copy.deepcopy(CONDITION_SCHEMA)
    change(item["properties"])
    converted = _converted(item)
    assert isinstance(converted, ir.ListOf) and isinstance(converted.item, ir.Ref)
    assert converted.item.type_id == "Widget.status.conditions[]"


def test_the_seed_virtual_machine_uses_meta_v1_conditions() -> None:
    vm = VirtualMachine.from_dict(
        {"apiVersion": "cloud.waibizi.com/v1", "kind": "VirtualMachine", "status": {}}
    )
    assert vm.status is not None
    assert set_status_condition(vm, Condition(type="Ready", status="False", reason="Wait"))
    found = find_status_condition(vm, "Ready")
    assert found.__class__ is Condition and found.reason == "Wait"
    assert vm.to_dict()["status"]["conditions"][0]["status"] == "False"
