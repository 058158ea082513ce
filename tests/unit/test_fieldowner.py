"""``kubecore.testing.fieldowner``: field sets and ``fieldsV1`` as kube-apiserver writes them.

The expected documents are the shapes the Kubernetes "Server-Side Apply" page and
kube-apiserver answers show (``f:`` fields, ``k:{...}`` list-map items with ``"."``, ``v:``
set items), built against the vendored built-in spec's schemas.
"""

from __future__ import annotations

from typing import Any

import pytest

from kubecore.testing.discovery import ResourceTable
from kubecore.testing.fake.clientsets import resource_table
from kubecore.testing.fieldowner import (
    apply,
    field_set,
    fields_v1,
    path_string,
    set_from_fields_v1,
)
from kubecore.testing.tracker import ApiError
from tests.conftest import REPO

SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
STAMP: dict[str, Any] = {"api_version": "v1", "time": "2026-01-01T00:00:00Z"}


@pytest.fixture(scope="module")
def table() -> ResourceTable:
    return resource_table((), specs=[SWAGGER])


def schema(table: ResourceTable, group: str, kind: str) -> Any:
    return table.schema_for_kind(group, "v1", kind)


def test_a_configmap_s_fields(table: ResourceTable) -> None:
    cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x", "namespace": "d", "labels": {"test-label": "test"}},
        "data": {"key": "some value"},
    }
    found = fields_v1(field_set(table, cm, schema(table, "", "ConfigMap")))
    assert found == {"f:data": {"f:key": {}}, "f:metadata": {"f:labels": {"f:test-label": {}}}}


def test_containers_are_list_map_items_and_finalizers_set_items(table: ResourceTable) -> None:
    deployment = {
        "metadata": {"finalizers": ["a/b"]},
        "spec": {
            "replicas": 2,
            "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}},
        },
    }
    found = fields_v1(field_set(table, deployment, schema(table, "apps", "Deployment")))
    assert found == {
        "f:metadata": {"f:finalizers": {'v:"a/b"': {}}},
        "f:spec": {
            "f:replicas": {},
            "f:template": {
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}},
                    }
                }
            },
        },
    }
    assert set_from_fields_v1(found) == field_set(
        table, deployment, schema(table, "apps", "Deployment")
    )


def test_paths_print_as_structured_merge_diff_prints_them() -> None:
    path = ("f:spec", "f:containers", 'k:{"name":"web"}', "f:image")
    assert path_string(path) == '.spec.containers[name="web"].image'
    assert path_string(("f:metadata", "f:finalizers", 'v:"a/b"')) == '.metadata.finalizers[="a/b"]'


def test_apply_conflicts_forces_and_removes(table: ResourceTable) -> None:
    cm_schema = schema(table, "", "ConfigMap")
    base = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    live = apply(table, {}, {**base, "data": {"a": "1", "b": "1"}}, cm_schema, manager="m", **STAMP)
    with pytest.raises(ApiError) as raised:
        apply(table, live, {**base, "data": {"a": "2"}}, cm_schema, manager="n", **STAMP)
    assert raised.value.code == 409 and raised.value.reason == "Conflict"
    forced = apply(
        table, live, {**base, "data": {"a": "2"}}, cm_schema, manager="n", force=True, **STAMP
    )
    assert forced["data"] == {"a": "2", "b": "1"}
    assert live["data"] == {"a": "1", "b": "1"}  # the live object is left as it was
    dropped = apply(table, forced, {**base, "data": {}}, cm_schema, manager="m", **STAMP)
    assert dropped["data"] == {"a": "2"}  # b went; a is n's


def test_several_conflicts_are_listed_by_manager(table: ResourceTable) -> None:
    cm_schema = schema(table, "", "ConfigMap")
    base = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    live = apply(table, {}, {**base, "data": {"a": "1", "b": "1"}}, cm_schema, manager="m", **STAMP)
    with pytest.raises(ApiError) as raised:
        apply(table, live, {**base, "data": {"a": "2", "b": "2"}}, cm_schema, manager="n", **STAMP)
    assert raised.value.message == (
        'Apply failed with 2 conflicts: conflicts with "m"\n- .data.a\n- .data.b'
    )
    assert [c["field"] for c in raised.value.details["causes"]] == [".data.a", ".data.b"]
