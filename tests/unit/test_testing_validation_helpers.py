"""The validation helpers of kubecore.testing: apimachinery's checks and Go's time.Parse."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubecore.testing import load_table
from kubecore.testing.fielderrors import FieldError, InvalidError
from kubecore.testing.httpio import parse_query
from kubecore.testing.objectmeta import (
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_path_segment_name,
    is_qualified_name,
)
from kubecore.testing.schemawalk import (
    RFC3339,
    RFC3339_MICRO,
    go_parse_time,
    reaches,
    schema_of,
    walk,
)
from kubecore.testing.tracker import ApiError

REPO = Path(__file__).resolve().parents[2]
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"


@pytest.mark.parametrize(
    ("value", "layout", "message"),
    [
        ("2024-05-06T07:08:09", RFC3339, 'cannot parse "" as "Z07:00"'),
        ("2024-05-06T07:08:09", RFC3339_MICRO, 'cannot parse "" as ".000000"'),
        ("2024-05-06T07:08:09Z", RFC3339_MICRO, 'cannot parse "Z" as ".000000"'),
        ("2024-05-06 07:08:09Z", RFC3339, 'cannot parse " 07:08:09Z" as "T"'),
        ("abc", RFC3339, 'cannot parse "abc" as "2006"'),
        ("", RFC3339, 'cannot parse "" as "2006"'),
        ("2024-5-06T07:08:09Z", RFC3339, 'cannot parse "5-06T07:08:09Z" as "01"'),
        ("2024-05-06T07:08:09+0200", RFC3339, 'cannot parse "+0200" as "Z07:00"'),
    ],
)
def test_go_parse_time_errors(value: str, layout: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        go_parse_time(value, layout)
    assert str(caught.value) == f'parsing time "{value}" as "{layout}": {message}'


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-06T07:08:09Z", 'parsing time "2024-13-06T07:08:09Z": month out of range'),
        ("2023-02-29T07:08:09Z", 'parsing time "2023-02-29T07:08:09Z": day out of range'),
        ("2024-05-06T24:08:09Z", 'parsing time "2024-05-06T24:08:09Z": hour out of range'),
        ("2024-05-06T07:08:09Zjunk", 'parsing time "2024-05-06T07:08:09Zjunk": extra text: "junk"'),
    ],
)
def test_go_parse_time_range_and_extra_text(value: str, message: str) -> None:
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(") + "$"):
        go_parse_time(value)


@pytest.mark.parametrize(
    "value",
    [
        "2024-05-06T07:08:09Z",
        "2024-02-29T07:08:09Z",
        "2024-05-06T07:08:09.5+01:00",
        "2024-05-06T07:08:09,5Z",
    ],
)
def test_go_parse_time_accepts_rfc3339(value: str) -> None:
    go_parse_time(value)


def test_go_parse_time_micro_needs_six_digits() -> None:
    go_parse_time("2024-05-06T07:08:09.123456Z", RFC3339_MICRO)
    with pytest.raises(ValueError, match=r'cannot parse "\.123Z" as "\.000000"'):
        go_parse_time("2024-05-06T07:08:09.123Z", RFC3339_MICRO)


def test_name_checks_match_apimachinery() -> None:
    assert is_dns1123_subdomain("example.com") == []
    assert is_dns1123_subdomain("a" * 254)[0] == "must be no more than 253 characters"
    assert is_dns1123_label("a.b") == ["must not contain dots"]
    assert is_dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    assert is_dns1123_label("é")[0].startswith("a lowercase RFC 1123 label")
    assert is_path_segment_name(".") == ["may not be '.'"]
    assert is_path_segment_name("a%/") == ["may not contain '/'", "may not contain '%'"]
    assert is_qualified_name("example.com/app") == []
    assert is_qualified_name("a/b/c")[0].startswith("a valid label key must consist of")
    assert is_qualified_name("/x") == ["prefix part must be non-empty"]
    assert is_label_value("") == [] and is_label_value("v1.2_3") == []
    assert is_label_value("x\n")[0].startswith("a valid label must be")


def test_multibyte_names_count_bytes() -> None:
    # Go's len() counts bytes: 32 two-byte characters are 64 bytes, over the label limit
    assert "must be no more than 63 characters" in is_label_value("é" * 32)


def test_invalid_error_lists_every_cause_once() -> None:
    errors = [
        FieldError.invalid("metadata.labels", "a b", "bad"),
        FieldError.invalid("metadata.labels", "a b", "bad"),
        FieldError.required("metadata.name", "name or generateName is required"),
        FieldError.invalid("spec.replicas", 5, "too many"),
    ]
    error = InvalidError("Deployment", "apps", "web", errors)
    assert isinstance(error, ApiError) and error.code == 422
    assert error.message == (
        'Deployment.apps "web" is invalid: [metadata.labels: Invalid value: "a b": bad, '
        "metadata.name: Required value: name or generateName is required, "
        "spec.replicas: Invalid value: 5: too many]"
    )
    status = error.status()
    assert status["reason"] == "Invalid" and len(status["details"]["causes"]) == 3


def test_invalid_error_quotes_like_go() -> None:
    error = InvalidError(
        "ConfigMap", "", "café", [FieldError.invalid("metadata.name", "café", "x")]
    )
    assert error.message == 'ConfigMap "café" is invalid: metadata.name: Invalid value: "café": x'


def test_walk_yields_paths_schemas_and_definitions() -> None:
    table = load_table([SWAGGER])
    pods = table.get("", "v1", "pods")
    assert pods is not None
    schema = schema_of(table, pods)
    pod = {
        "metadata": {"name": "p", "labels": {"app": "web"}, "creationTimestamp": "x"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}, {"name": "d"}]},
    }
    nodes = {node.path: node for node in walk(table, schema, pod)}
    assert nodes["spec.containers[1].name"].value == "d"
    assert nodes["spec.containers[0].image"].schema["type"] == "string"
    assert nodes["metadata.labels[app]"].value == "web"
    stamp = nodes["metadata.creationTimestamp"]
    assert stamp.schema["format"] == "date-time"
    assert stamp.definition == "io.k8s.apimachinery.pkg.apis.meta.v1.Time"


def test_walk_survives_deep_values() -> None:
    table = load_table([SWAGGER])
    crds = table.get("apiextensions.k8s.io", "v1", "customresourcedefinitions")
    assert crds is not None
    deep: dict[str, object] = {"type": "object"}
    for _ in range(5000):  # JSONSchemaProps nest without end; no recursion limit is hit
        deep = {"type": "object", "properties": {"x": deep}}
    crd = {"spec": {"versions": [{"schema": {"openAPIV3Schema": deep}}]}}
    assert sum(1 for _ in walk(table, schema_of(table, crds), crd)) > 5000


def test_parse_query_checks_integers_only() -> None:
    assert parse_query("limit=5&watch=&labelSelector=a%3Db") == {
        "limit": "5",
        "watch": "",
        "labelSelector": "a=b",
    }
    with pytest.raises(ApiError) as caught:
        parse_query("gracePeriodSeconds=soon")
    assert caught.value.code == 400
    assert caught.value.message == 'strconv.ParseInt: parsing "soon": invalid syntax'


def _is_date_time(schema: dict[str, object], definition: str) -> bool:
    return schema.get("format") == "date-time"


def test_reaches_prunes_subtrees_without_timestamps() -> None:
    table = load_table([SWAGGER])
    deployments = table.get("apps", "v1", "deployments")
    assert deployments is not None
    schema = schema_of(table, deployments)
    assert reaches(table, schema, _is_date_time)
    container = table.definitions["io.k8s.api.core.v1.Container"]
    assert not reaches(table, container, _is_date_time)
    crd = table.definitions[
        "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"
    ]
    assert not reaches(table, crd, _is_date_time)  # recursive, and no date-time inside
    deployment = {
        "metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}},
    }
    kept = [
        node.path
        for node in walk(table, schema, deployment, lambda s: reaches(table, s, _is_date_time))
    ]
    assert "metadata.creationTimestamp" in kept
    assert not any("containers" in path for path in kept)
