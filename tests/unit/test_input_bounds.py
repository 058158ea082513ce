"""Inputs cannot make the generator's time or memory explode, and deep nesting is either
generated or refused with the place (issue #9 section 1)."""

from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from kube_clientgen.sources import files
from kube_clientgen.sources.shapes import MAX_ENUM_VALUES
from tests.helpers import CRDS, generate_capture, import_generated, unique_package_dir

BASE: dict[str, Any] = yaml.safe_load((CRDS / "widget.yaml").read_text())


def _crd_with(prop: dict[str, Any]) -> dict[str, Any]:
    crd = copy.deepcopy(BASE)
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
    spec["properties"]["deep"] = prop
    return crd


def _nested_objects(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for i in reversed(range(levels)):
        schema = {"type": "object", "properties": {f"l{i}": schema}}
    return schema


def _rejected(tmp_path: Path, path: Path) -> str:
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 2, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    return err


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 10) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    err = _rejected(tmp_path, path)
    assert f"{path}[doc 0]:/i" in err
    assert "more than 1,000,000 values" in err


def test_alias_bomb_inside_a_crd_schema_is_refused(tmp_path: Path) -> None:
    text = yaml.safe_dump(_crd_with({"type": "object"}))
    anchors = "".join(
        f"x-b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 10) + "]\n" for i in range(1, 8)
    )
    path = tmp_path / "crd.yaml"
    path.write_text("x-b0: &b0 {type: string, description: aaaaaaaa}\n" + anchors + text)
    assert "more than 1,000,000 values" in _rejected(tmp_path, path)


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("kind: CustomResourceDefinition\nspec: &s\n  inner:\n    again: *s\n")
    err = _rejected(tmp_path, path)
    # refused while reading, as go-yaml refuses it ("anchor value contains itself"),
    # at the anchor's line
    assert f"{path}:line 2 column 7: invalid YAML: an alias refers to a value that contains" in err


@pytest.mark.parametrize("levels", [400, 2000])
def test_crd_nesting_beyond_the_bound_names_the_place(tmp_path: Path, levels: int) -> None:
    path = tmp_path / "deep.yaml"
    # JSON is YAML; written by hand, as json.dumps itself cannot nest this deep
    deep = "".join(f'{{"type": "object", "properties": {{"l{i}": ' for i in range(levels))
    deep += '{"type": "string"}' + "}}" * levels
    path.write_text(json.dumps(_crd_with({"x-marker": 1})).replace('{"x-marker": 1}', deep))
    err = _rejected(tmp_path, path)
    assert "nesting" in err
    if levels == 400:  # PyYAML itself stops far deeper documents, with their line
        pointer = "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/deep/"
        assert f"{path}[doc 0]:{pointer}properties/l0/properties/l1/" in err


def test_json_nesting_beyond_the_bound_is_refused(tmp_path: Path) -> None:
    for depth in (files.MAX_DEPTH + 1, 100_000):
        path = tmp_path / f"deep{depth}.json"
        path.write_text('{"swagger": "2.0", "x": ' + "[" * depth + "]" * depth + "}")
        assert "nesting" in _rejected(tmp_path, path)


def test_nesting_within_the_bound_generates_imports_and_round_trips(tmp_path: Path) -> None:
    levels = 90  # 90 nested object schemas: JSON depth 190 of the CRD document
    path = tmp_path / "deep.yaml"
    path.write_text(yaml.safe_dump(_crd_with(_nested_objects(levels))))
    out = unique_package_dir(tmp_path)
    code, err = generate_capture([path], out)
    assert code == 0, err
    value: Any = "leaf"
    for i in reversed(range(levels)):
        value = {f"l{i}": value}
    doc = {
        "apiVersion": "demo.example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": 1, "deep": value},
    }
    with import_generated(out) as package:
        obj = importlib.import_module(package.__name__ + ".scheme").from_dict(copy.deepcopy(doc))
        assert type(obj).__name__ == "Widget"
        assert obj.to_dict() == doc
        node = obj.spec.deep
        for i in range(levels - 1):
            node = getattr(node, f"l{i}")
        assert getattr(node, f"l{levels - 1}") == "leaf"


def test_enormous_enum_is_refused(tmp_path: Path) -> None:
    values = [f"v{i}" for i in range(MAX_ENUM_VALUES + 1)]
    path = tmp_path / "enum.yaml"
    path.write_text(yaml.safe_dump(_crd_with({"type": "string", "enum": values})))
    err = _rejected(tmp_path, path)
    assert "/properties/spec/properties/deep/enum:" in err
    assert f"more than {MAX_ENUM_VALUES} items" in err


def test_an_enum_at_the_bound_generates(tmp_path: Path) -> None:
    values = [f"v{i}" for i in range(MAX_ENUM_VALUES)]
    path = tmp_path / "enum.yaml"
    path.write_text(yaml.safe_dump(_crd_with({"type": "string", "enum": values})))
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 0, err


def test_a_file_over_the_size_bound_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:  # sparse: no disk is used and nothing is read
        handle.truncate(files.MAX_FILE_BYTES + 1)
    err = _rejected(tmp_path, path)
    assert f"{path}: larger than 32 MiB" in err
