"""The schema validator: kube-apiserver's checks and wording, CEL, pruning and defaulting."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kubecore.core.validation import (
    CelError,
    SchemaNotFound,
    Validator,
    apply_defaults,
    prune,
)
from kubecore.core.validation.structural import with_defaults

_BUILTIN = Validator.builtin()


def _crd(schema: dict[str, Any], *, kind: str = "Widget") -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "names": {"kind": kind, "plural": "widgets"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": schema},
                }
            ],
        },
    }


def _spec(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"spec": {"type": "object", "properties": properties, **extra}},
    }


def _messages(schema: dict[str, Any], spec: Any, old: Any = None) -> list[str]:
    validator = Validator()
    validator.add_crd(_crd(schema))
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    obj["spec"] = spec
    old_obj = None if old is None else {**obj, "spec": old}
    return [str(e) for e in validator.validate(obj, old_obj)]


def test_wrong_type_has_kube_apiservers_wording() -> None:
    schema = _spec({"replicas": {"type": "integer"}})
    assert _messages(schema, {"replicas": "two"}) == [
        'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'
    ]


def test_required_enum_and_minimum() -> None:
    schema = _spec(
        {
            "tier": {"type": "string", "enum": ["a", "b"]},
            "replicas": {"type": "integer", "minimum": 1},
            "x": {"type": "string"},
        },
        required=["x"],
    )
    assert _messages(schema, {"tier": "premum", "replicas": 0}) == [
        'spec.tier: Unsupported value: "premum": supported values: "a", "b"',
        "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
        "spec.x: Required value",
    ]


def test_bounds_lengths_counts_and_pattern() -> None:
    schema = _spec(
        {
            "n": {"type": "number", "maximum": 5, "exclusiveMaximum": True},
            "s": {"type": "string", "maxLength": 3},
            "t": {"type": "string", "minLength": 2, "pattern": "^[a-z]+$"},
            "l": {"type": "array", "items": {"type": "string"}, "maxItems": 1},
            "m": {"type": "array", "items": {"type": "string"}, "minItems": 2},
            "p": {"type": "object", "additionalProperties": {"type": "string"}, "maxProperties": 1},
            "q": {
                "type": "object",
                "minProperties": 1,
                "x-kubernetes-preserve-unknown-fields": True,
            },
        }
    )
    spec = {"n": 5, "s": "abcd", "t": "A", "l": ["a", "b"], "m": ["a"], "p": {"a": "", "b": ""}}
    spec["q"] = {}
    assert _messages(schema, spec) == [
        "spec.n: Invalid value: 5: spec.n in body should be less than 5",
        "spec.s: Too long: may not be more than 3 bytes",
        'spec.t: Invalid value: "A": spec.t in body should be at least 2 chars long',
        "spec.t: Invalid value: \"A\": spec.t in body should match '^[a-z]+$'",
        "spec.l: Too many: 2: must have at most 1 items",
        "spec.m: Invalid value: 1: spec.m in body should have at least 2 items",
        "spec.p: Too many: 2: must have at most 1 properties",
        "spec.q: Invalid value: 0: spec.q in body should have at least 1 properties",
    ]


def test_formats_int32_and_date_time() -> None:
    schema = _spec(
        {
            "port": {"type": "integer", "format": "int32"},
            "at": {"type": "string", "format": "date-time"},
        }
    )
    assert _messages(schema, {"port": 2**31, "at": "2024-01-02T03:04:05Z"}) == [
        'spec.port: Invalid value: 2147483648: spec.port in body must be of type int32: "2147483648"'
    ]
    assert _messages(schema, {"port": 80, "at": "yesterday"}) == [
        'spec.at: Invalid value: "yesterday": spec.at in body must be of type date-time: "yesterday"'
    ]


def test_nullable_and_null_items() -> None:
    schema = _spec(
        {
            "a": {"type": "string", "nullable": True},
            "b": {"type": "array", "items": {"type": "string"}},
            "c": {"type": "array", "items": {"type": "string", "nullable": True}},
        }
    )
    assert _messages(schema, {"a": None, "c": [None]}) == []
    assert _messages(schema, {"b": ["x", None]}) == [
        'spec.b[1]: Invalid value: "null": spec.b[1] in body must be of type string: "null"'
    ]


def test_list_types_map_and_set() -> None:
    schema = _spec(
        {
            "ports": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                "items": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
            "tags": {"type": "array", "x-kubernetes-list-type": "set", "items": {"type": "string"}},
        }
    )
    assert _messages(
        schema, {"ports": [{"name": "a"}, {"name": "a"}], "tags": ["x", "y", "x"]}
    ) == [
        'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"a"}',
        'spec.tags[2]: Duplicate value: "x"',
    ]


def test_int_or_string_and_embedded_resource() -> None:
    schema = _spec(
        {
            "port": {"x-kubernetes-int-or-string": True},
            "template": {
                "type": "object",
                "x-kubernetes-embedded-resource": True,
                "x-kubernetes-preserve-unknown-fields": True,
            },
        }
    )
    assert _messages(schema, {"port": 80, "template": {"apiVersion": "v1", "kind": "Pod"}}) == []
    assert _messages(schema, {"port": "http", "template": {"kind": "Pod"}}) == [
        "spec.template.apiVersion: Required value"
    ]
    assert _messages(schema, {"port": True}) == [
        'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'
    ]


def test_builtin_kinds_from_the_vendored_spec() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    }
    assert [str(e) for e in _BUILTIN.validate(deployment)] == ["spec.selector: Required value"]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}
    assert [str(e) for e in _BUILTIN.validate(pod)] == ["spec.containers: Required value"]
    config_map = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}
    config_map["data"] = {"a": 1}
    assert [str(e) for e in _BUILTIN.validate(config_map)] == [
        'data.a: Invalid value: "integer": data.a in body must be of type string: "integer"'
    ]
    pod["spec"] = {
        "containers": [{"name": "c", "resources": {"limits": {"cpu": 1, "memory": "x"}}}]
    }
    problems = _BUILTIN.validate(pod)
    assert [e.field for e in problems] == ["spec.containers[0].resources.limits.memory"]
    assert problems[0].to_cause()["reason"] == "FieldValueInvalid"


def test_unknown_kind_raises() -> None:
    with pytest.raises(SchemaNotFound, match="example.com/v9"):
        _BUILTIN.validate({"apiVersion": "example.com/v9", "kind": "Nope"})


def test_cel_message_expression_field_path_reason_and_transition() -> None:
    schema = _spec(
        {"replicas": {"type": "integer"}, "min": {"type": "integer"}, "name": {"type": "string"}},
        **{
            "x-kubernetes-validations": [
                {"rule": "self.replicas >= self.min", "message": "replicas below min"},
                {
                    "rule": "self.name.lowerAscii() == self.name",
                    "messageExpression": "'name ' + self.name + ' is not lower case'",
                    "fieldPath": ".name",
                    "reason": "FieldValueForbidden",
                },
                {"rule": "self.replicas >= oldSelf.replicas", "message": "may not scale down"},
                {"rule": "self.min > 0"},
            ]
        },
    )
    spec = {"replicas": 1, "min": 2, "name": "Web"}
    assert _messages(schema, spec) == [
        'spec: Invalid value: "object": replicas below min',
        "spec.name: Forbidden: name Web is not lower case",
    ]
    assert _messages(schema, {"replicas": 1, "min": 0, "name": "a"}, old={"replicas": 3}) == [
        'spec: Invalid value: "object": may not scale down',
        'spec: Invalid value: "object": failed rule: self.min > 0',
    ]


def test_cel_transition_rules_correlate_list_map_items() -> None:
    item = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "size": {"type": "integer"}},
        "x-kubernetes-validations": [{"rule": "self.size >= oldSelf.size", "message": "shrunk"}],
    }
    schema = _spec(
        {
            "disks": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["name"],
                "items": item,
            }
        }
    )
    new = {"disks": [{"name": "b", "size": 1}, {"name": "a", "size": 5}]}
    old = {"disks": [{"name": "a", "size": 9}, {"name": "c", "size": 9}]}
    assert _messages(schema, new, old=old) == ['spec.disks[1]: Invalid value: "object": shrunk']


def test_cel_kubernetes_libraries() -> None:
    rules = [
        "self.tags.isSorted()",
        "self.url.isURL() && url(self.url).getHost() == 'example.com:8080'",
        "quantity(self.mem).isLessThan(quantity('2Gi'))",
        "self.csv.split(',').size() == 2",
        "self.name.find('[0-9]+') == '42'",
    ]
    schema = _spec(
        {
            "tags": {"type": "array", "items": {"type": "string"}},
            "url": {"type": "string"},
            "mem": {"type": "string"},
            "csv": {"type": "string"},
            "name": {"type": "string"},
        },
        **{"x-kubernetes-validations": [{"rule": r} for r in rules]},
    )
    good = {"tags": ["a", "b"], "url": "https://example.com:8080/x", "mem": "1Gi"}
    good |= {"csv": "a,b", "name": "web42"}
    assert _messages(schema, good) == []
    bad = {**good, "tags": ["b", "a"], "mem": "3Gi"}
    assert _messages(schema, bad) == [
        'spec: Invalid value: "object": failed rule: self.tags.isSorted()',
        "spec: Invalid value: \"object\": failed rule: quantity(self.mem).isLessThan(quantity('2Gi'))",
    ]


@pytest.mark.parametrize(
    ("rule", "reason"),
    [("self.x ==", "does not compile"), ("self.x.format([1]) == ''", "unsupported CEL function")],
)
def test_a_bad_rule_is_reported_at_crd_load(rule: str, reason: str) -> None:
    schema = _spec({"x": {"type": "string"}}, **{"x-kubernetes-validations": [{"rule": rule}]})
    with pytest.raises(CelError, match=reason) as info:
        Validator().add_crd(_crd(schema), where="w.yaml")
    assert "w.yaml:/spec/versions/0/schema/openAPIV3Schema/properties/spec" in str(info.value)


def test_prune_honours_preserve_unknown_fields_at_any_depth_and_embedded_resources() -> None:
    schema = _spec(
        {
            "known": {"type": "string"},
            "open": {
                "type": "object",
                "x-kubernetes-preserve-unknown-fields": True,
                "properties": {
                    "inner": {"type": "object", "properties": {"a": {"type": "string"}}}
                },
            },
            "items": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
            "template": {
                "type": "object",
                "x-kubernetes-embedded-resource": True,
                "properties": {"spec": {"type": "object"}},
            },
        }
    )
    obj = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "top": 1,
        "spec": {
            "known": "k",
            "unknown": 1,
            "open": {"anything": {"deep": True}, "inner": {"a": "x", "b": "dropped"}},
            "items": [{"name": "a", "extra": 1}],
            "template": {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "status": {}},
        },
    }
    before = copy.deepcopy(obj)
    pruned, paths = prune(obj, schema)
    assert obj == before
    assert paths == [
        "top",
        "spec.unknown",
        "spec.open.inner.b",
        "spec.items[0].extra",
        "spec.template.status",
    ]
    assert pruned["spec"]["open"] == {"anything": {"deep": True}, "inner": {"a": "x"}}
    assert pruned["spec"]["template"] == {"apiVersion": "v1", "kind": "Pod", "metadata": {}}


def test_defaults_apply_top_down_and_drop_non_nullable_nulls() -> None:
    schema = _spec(
        {
            "replicas": {"type": "integer", "default": 1},
            "strategy": {
                "type": "object",
                "default": {},
                "properties": {"type": {"type": "string", "default": "Rolling"}},
            },
            "ports": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"protocol": {"type": "string", "default": "TCP"}},
                },
            },
            "note": {"type": "string"},
            "keep": {"type": "string", "nullable": True},
        }
    )
    obj = {"spec": {"ports": [{}, {"protocol": "UDP"}], "note": None, "keep": None}}
    result = apply_defaults(obj, schema)
    assert result["spec"] == {
        "replicas": 1,
        "strategy": {"type": "Rolling"},
        "ports": [{"protocol": "TCP"}, {"protocol": "UDP"}],
        "keep": None,
    }
    assert obj == {"spec": {"ports": [{}, {"protocol": "UDP"}], "note": None, "keep": None}}


_DEFAULTING_SCHEMA = _spec(
    {
        "replicas": {"type": "integer", "default": 1},
        "strategy": {
            "type": "object",
            "default": {},
            "properties": {"type": {"type": "string", "default": "Rolling"}},
        },
        "ports": {
            "type": "array",
            "items": {
                "type": "object",
                "default": {"name": "p"},
                "properties": {"protocol": {"type": "string", "default": "TCP"}},
            },
        },
        "labels": {
            "type": "object",
            "additionalProperties": {"type": "string", "default": "none"},
        },
        "note": {"type": "string"},
        "keep": {"type": "string", "nullable": True},
    }
)


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"ports": [{}, None, {"protocol": "UDP"}], "note": None, "keep": None},
        {"labels": {"a": None, "b": "x"}, "strategy": None, "extra": {"deep": [1, None]}},
        {"replicas": 3, "strategy": {"type": "Recreate"}, "note": "n", "keep": "k"},
    ],
)
def test_with_defaults_is_apply_defaults_copied_on_write(spec: dict[str, Any]) -> None:
    # The read path's copy-on-write defaulting gives apply_defaults's result (equal, same
    # key order at every level), never changes its input, and shares what it did not change.
    obj = {"metadata": {"name": "w"}, "spec": spec}
    before = copy.deepcopy(obj)
    expected = apply_defaults(obj, _DEFAULTING_SCHEMA)
    result = with_defaults(obj, _DEFAULTING_SCHEMA)
    assert result == expected
    assert json.dumps(result) == json.dumps(expected)
    assert obj == before
    assert result["metadata"] is obj["metadata"]


def test_with_defaults_returns_the_object_when_nothing_changes() -> None:
    obj = {
        "spec": {"replicas": 3, "strategy": {"type": "Recreate"}, "ports": [{"protocol": "UDP"}]}
    }
    assert with_defaults(obj, _DEFAULTING_SCHEMA) is obj
    assert apply_defaults(obj, _DEFAULTING_SCHEMA) is not obj


def test_crd_validation_sees_defaults_first() -> None:
    schema = _spec(
        {"mode": {"type": "string", "default": "A"}},
        **{"x-kubernetes-validations": [{"rule": "self.mode == 'A'"}]},
    )
    assert _messages(schema, {}) == []


def test_secret_values_never_appear_in_problems() -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}
    secret["data"] = {"password": "hunter2-not-base64!"}
    problems = _BUILTIN.validate(secret)
    assert [str(p) for p in problems] == [
        'data.password: Invalid value: "<redacted>": data.password in body must be of type '
        'byte: "<redacted>"'
    ]
    assert "hunter2" not in repr(problems) and "hunter2" not in str(problems[0].to_cause())


QUANTITY = "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"


def test_prune_with_definitions_keeps_what_a_go_struct_keeps() -> None:
    definitions = {
        "Thing": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "raw": {"$ref": "#/definitions/Raw"},
                "port": {"x-kubernetes-int-or-string": True},
                "limits": {"type": "object", "additionalProperties": {"$ref": QUANTITY}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "counts": {"type": "array", "items": {"type": "integer"}},
                "children": {"type": "array", "items": {"$ref": "#/definitions/Thing"}},
            },
        },
        "Raw": {"type": "object"},  # RawExtension: declares no structure
        QUANTITY.rsplit("/", 1)[1]: {"type": "string"},
    }
    obj = {
        "name": None,
        "raw": {"any": {"thing": None}},
        "port": "http",
        "limits": {"cpu": None, "memory": "1Gi"},
        "labels": {"a": None},
        "counts": [None, 2],
        "children": [{"name": "c", "bogus": 1}, None],
        "extra": True,
    }
    before = copy.deepcopy(obj)
    pruned, unknown = prune(obj, {"$ref": "#/definitions/Thing"}, definitions)
    assert obj == before  # never modified
    assert unknown == ["children[0].bogus", "extra"]
    assert pruned == {
        "raw": {"any": {"thing": None}},
        "port": "http",
        "limits": {"cpu": "0", "memory": "1Gi"},
        "labels": {"a": ""},
        "counts": [0, 2],
        "children": [{"name": "c"}, {}],
    }
    # without definitions (a CRD's structural schema) nulls are left to defaulting
    crd_schema = {"type": "object", "properties": {"name": {"type": "string"}}}
    assert prune({"name": None}, crd_schema) == ({"name": None}, [])
