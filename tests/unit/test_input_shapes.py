"""Malformed structure in CRDs and OpenAPI documents: exit 2 naming the file, the document
and a JSON pointer, never a traceback (issue #9 section 1). Every instance the mutation
fuzz of real CRDs found is a case here, plus the same kind of fault in OpenAPI v2 and v3."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import CRDS, generate_capture, models_source

BASE: dict[str, Any] = yaml.safe_load((CRDS / "widget.yaml").read_text())
SCHEMA = "/spec/versions/0/schema/openAPIV3Schema"


def _schema(crd: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    return result


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(crd: dict[str, Any]) -> None:
        *parents, last = path.strip("/").split("/")
        node: Any = crd
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value

    return mutate


def _drop_name(crd: dict[str, Any]) -> None:
    del crd["metadata"]["name"]


# (id, mutation, the pointer the error must name, words the message must contain)
MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None], str, str]] = [
    (
        "type-mapping",
        _set(SCHEMA + "/properties/spec/type", {"a": 1}),
        "/properties/spec/type",
        "wrong type",
    ),
    (
        "required-float",
        _set(SCHEMA + "/properties/spec/required", 1.5),
        "/properties/spec/required",
        "1.5",
    ),
    (
        "required-mapping-item",
        _set(SCHEMA + "/properties/spec/required", [{}]),
        "/properties/spec/required/0",
        "mapping",
    ),
    ("metadata-name-missing", _drop_name, "/metadata/name", "'name'"),
    ("metadata-int", _set("/metadata", 5), "/metadata", "the number 5"),
    ("schema-true", _set("/spec/versions/0/schema", True), "/spec/versions/0/schema", "boolean"),
    (
        "printer-column-string",
        _set("/spec/versions/0/additionalPrinterColumns", ["x"]),
        "/spec/versions/0/additionalPrinterColumns/0",
        "'x'",
    ),
    (
        "printer-priority-string",
        _set(
            "/spec/versions/0/additionalPrinterColumns",
            [{"name": "a", "type": "string", "jsonPath": ".a", "priority": "high"}],
        ),
        "/spec/versions/0/additionalPrinterColumns/0/priority",
        "integer",
    ),
    (
        "subresources-int",
        _set("/spec/versions/0/subresources", 1),
        "/spec/versions/0/subresources",
        "expected null or object",
    ),
    (
        "scale-int",
        _set("/spec/versions/0/subresources/scale", 5),
        "/spec/versions/0/subresources/scale",
        "wrong type",
    ),
    ("allOf-int", _set(SCHEMA + "/properties/spec/allOf", 7), "/properties/spec/allOf", "array"),
    ("shortNames-int", _set("/spec/names/shortNames", 5), "/spec/names/shortNames", "wrong type"),
    (
        "properties-list",
        _set(SCHEMA + "/properties/spec/properties", ["a"]),
        "/properties/spec/properties",
        "a list",
    ),
    (
        "items-string",
        _set(SCHEMA + "/properties/spec/properties/podIPs/items", "x"),
        "/properties/podIPs/items",
        "schema",
    ),
    ("scope-unknown", _set("/spec/scope", "Galaxy"), "/spec/scope", "'Galaxy'"),
    ("versions-empty", _set("/spec/versions", []), "/spec/versions", "empty"),
    ("kind-empty", _set("/spec/names/kind", ""), "/spec/names/kind", "empty"),
    (
        "list-map-keys-int",
        _set(SCHEMA + "/properties/spec/x-kubernetes-list-map-keys", [1]),
        "/x-kubernetes-list-map-keys/0",
        "expected string",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "pointer", "words"),
    [pytest.param(m, p, w, id=i) for i, m, p, w in MUTATIONS],
)
def test_wrong_typed_crd_values_exit_2_with_file_document_and_pointer(
    tmp_path: Path, mutate: Callable[[dict[str, Any]], None], pointer: str, words: str
) -> None:
    crd = copy.deepcopy(BASE)
    mutate(crd)
    # a good document first, so the document index in the message is not trivially 0
    other = copy.deepcopy(BASE)
    other["metadata"]["name"] = "gadgets.demo.example.com"
    other["spec"]["names"] = {"kind": "Gadget", "plural": "gadgets"}
    path = tmp_path / "crds.yaml"
    path.write_text(yaml.safe_dump_all([other, crd]))
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 2, err
    assert "Traceback" not in err
    assert f"{path}[doc 1]:/" in err, err
    where = err.split(f"{path}[doc 1]:", 1)[1].split(": ", 1)[0]
    assert where.endswith(pointer), err
    assert words in err, err
    assert not (tmp_path / "out").exists()


def test_errors_report_the_first_fault_in_document_order(tmp_path: Path) -> None:
    crd = copy.deepcopy(BASE)
    crd["spec"]["names"]["shortNames"] = 5
    _schema(crd)["properties"]["spec"]["required"] = 1.5
    path = tmp_path / "crd.yaml"
    path.write_text(yaml.safe_dump(crd))
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 2
    assert f"{path}[doc 0]:/spec/names/shortNames:" in err, err


def test_null_optional_values_read_as_unset(tmp_path: Path) -> None:
    """Go's decoder (the apiserver's) takes null for unset; so does the generator."""
    crd = copy.deepcopy(BASE)
    crd["spec"]["names"]["shortNames"] = None
    crd["spec"]["scope"] = None
    version = crd["spec"]["versions"][0]
    version["subresources"] = {"status": None, "scale": None}
    version["additionalPrinterColumns"] = [
        {"name": "Size", "type": "integer", "jsonPath": ".spec.size", "priority": None}
    ]
    _schema(crd)["properties"]["spec"]["properties"]["podIPs"]["items"] = None
    path = tmp_path / "crd.yaml"
    path.write_text(yaml.safe_dump(crd))
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 0, err
    resource = models_source(tmp_path / "out" / "demo_example_com" / "v1")
    assert "subresources=()" in resource and "namespaced=True" in resource


def _swagger(definitions: Any, paths: Any = None) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "t", "version": "v"},
        "paths": paths or {},
        "definitions": definitions,
    }


THING = {
    "type": "object",
    "x-kubernetes-group-version-kind": [{"group": "example.com", "version": "v1", "kind": "Thing"}],
    "properties": {"spec": {"type": "object", "properties": {"a": {"type": "string"}}}},
}


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        pytest.param(_swagger(5), "/definitions", id="v2-definitions-int"),
        pytest.param(
            _swagger({"com.example.v1.Thing": {**THING, "properties": []}}),
            "/definitions/com.example.v1.Thing/properties",
            id="v2-properties-list",
        ),
        pytest.param(
            _swagger(
                {
                    "com.example.v1.Thing": {
                        **THING,
                        "x-kubernetes-group-version-kind": [{"group": 1}],
                    }
                }
            ),
            "/definitions/com.example.v1.Thing/x-kubernetes-group-version-kind/0/group",
            id="v2-gvk-int",
        ),
        pytest.param(
            _swagger({"a.b": {"type": "object", "properties": {"x": {"type": 3}}}}),
            "/definitions/a.b/properties/x/type",
            id="v2-type-int",
        ),
        pytest.param(
            _swagger(
                {}, {"/apis/example.com/v1/things": {"get": {"x-kubernetes-action": ["list"]}}}
            ),
            "/paths/~1apis~1example.com~1v1~1things/get/x-kubernetes-action",
            id="v2-action-list",
        ),
        pytest.param(
            {
                "openapi": "3.0.0",
                "components": {"schemas": {"com.example.v1.Thing": {**THING, "required": "spec"}}},
            },
            "/components/schemas/com.example.v1.Thing/required",
            id="v3-required-string",
        ),
        pytest.param(
            {"openapi": "3.0.0", "components": []}, "/components", id="v3-components-list"
        ),
    ],
)
def test_wrong_typed_openapi_values_exit_2_with_pointer(
    tmp_path: Path, document: Any, pointer: str
) -> None:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(document))
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 2, err
    assert "Traceback" not in err
    assert f"{path}:{pointer}:" in err, err


def test_yaml_keys_that_are_not_strings_read_as_kubernetes_reads_them(tmp_path: Path) -> None:
    """sigs.k8s.io/yaml turns ``7:`` and ``true:`` into the JSON keys "7" and "true"."""
    crd = copy.deepcopy(BASE)
    props = _schema(crd)["properties"]["spec"]["properties"]
    props[7] = {"type": "string"}
    props[True] = {"type": "integer"}  # (not beside 1: in Python, True == 1)
    props[1.5] = {"type": "boolean"}
    path = tmp_path / "crd.yaml"
    path.write_text(yaml.safe_dump(crd))
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 0, err
    models = models_source(tmp_path / "out" / "demo_example_com" / "v1")
    assert '_FieldInfo("f_7", "7", "str | None")' in models
    assert '_FieldInfo("true", "true", "int | None")' in models
    assert '_FieldInfo("f_1_5", "1.5", "bool | None")' in models


@pytest.mark.parametrize(
    ("mapping", "line", "words"),
    [
        ('  1: x\n  "1": y\n', "4 column 3", "two different keys both become the JSON key '1'"),
        ("  ? null\n  : x\n", "3 column 5", "unsupported map key of type nil"),
        ("  .inf: x\n", "", None),
    ],
)
def test_yaml_keys_that_json_cannot_hold_exit_2(
    tmp_path: Path, mapping: str, line: str, words: str | None
) -> None:
    """Keys are read by ``kubecore.core.yamlio``: what Kubernetes refuses (a null key) or
    resolves at random (``1`` and ``"1"``) is an error naming the file and line."""
    path = tmp_path / "keys.yaml"
    path.write_text("kind: CustomResourceDefinition\nb:\n" + mapping)
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 2, err
    assert "Traceback" not in err
    if words is None:  # a valid key (".inf"), so the CRD's shape is what fails
        assert f"{path}[doc 0]" in err, err
    else:
        assert f"{path}:line {line}: invalid YAML: {words}" in err, err


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("!!binary aGVsbG8=", None),  # Kubernetes decodes it: the text "hello"
        ("!!set {a, b}", "/description"),  # a mapping of nulls: not a string
        ("!!omap [a: 1]", "/description"),  # a sequence of mappings
        (".nan", "line"),  # json.Marshal refuses NaN
    ],
)
def test_yaml_tags_read_as_kubernetes_reads_them(
    tmp_path: Path, value: str, words: str | None
) -> None:
    text = yaml.safe_dump(BASE).replace("description: A widget.", f"description: {value}", 1)
    assert value in text
    path = tmp_path / "crd.yaml"
    path.write_text(text)
    code, err = generate_capture([path], tmp_path / "out")
    assert "Traceback" not in err
    if words is None:
        assert code == 0, err
        assert "hello" in models_source(tmp_path / "out" / "demo_example_com" / "v1")
        return
    assert code == 2, err
    assert words in err, err


def test_lone_surrogates_in_json_read_as_go_reads_them(tmp_path: Path) -> None:
    """``"\\ud800"`` alone cannot be written as UTF-8 (it was a UnicodeEncodeError
    traceback); Go's JSON decoder, the apiserver's, reads it as U+FFFD."""
    text = json.dumps(BASE).replace('"colour"', '"col\\ud800our"', 1)
    text = text.replace('"A widget."', '"A \\udfff widget."', 1)
    assert "\\ud800" in text and "\\udfff" in text
    path = tmp_path / "crd.json"
    path.write_text(text)
    code, err = generate_capture([path], tmp_path / "out")
    assert code == 0, err
    models = models_source(tmp_path / "out" / "demo_example_com" / "v1")
    assert '"col\ufffdour"' in models
