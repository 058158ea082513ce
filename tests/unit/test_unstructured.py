"""Unstructured objects, the nested field helpers, GVK/GVR and YAML loading."""

from __future__ import annotations

from typing import Any

import pytest

from kubecore.client.unstructured import (
    GroupVersionKind,
    GroupVersionResource,
    Unstructured,
    UnstructuredList,
    deep_copy_json,
    from_typed,
    load_yaml,
    nested_bool,
    nested_field,
    nested_field_no_copy,
    nested_float64,
    nested_int64,
    nested_map,
    nested_slice,
    nested_string,
    nested_string_map,
    nested_string_slice,
    remove_nested_field,
    set_nested_field,
    set_nested_slice,
    set_nested_string_map,
    split_api_version,
    to_typed,
)
from kubecore.core.generated.meta_v1 import Status
from kubecore.core.generated.scheme import scheme as apimachinery_scheme


def deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {
            "name": "web",
            "namespace": "default",
            "labels": {"app": "web"},
            "resourceVersion": "42",
            "uid": "u-1",
        },
        "spec": {
            "replicas": 2,
            "paused": False,
            "ratio": 0.5,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}},
            "args": ["a", "b"],
            "nothing": None,
        },
    }


# -- getters ------------------------------------------------------------------------------------


def test_typed_getters() -> None:
    obj = deployment()
    assert nested_string(obj, "metadata", "name") == ("web", True)
    assert nested_int64(obj, "spec", "replicas") == (2, True)
    assert nested_bool(obj, "spec", "paused") == (False, True)
    assert nested_float64(obj, "spec", "ratio") == (0.5, True)
    assert nested_string_slice(obj, "spec", "args") == (["a", "b"], True)
    assert nested_string_map(obj, "metadata", "labels") == ({"app": "web"}, True)
    assert nested_map(obj, "spec", "selector") == ({"matchLabels": {"app": "web"}}, True)
    containers, found = nested_slice(obj, "spec", "template", "spec", "containers")
    assert found and containers == [{"name": "web", "image": "nginx"}]


def test_missing_fields_are_not_errors() -> None:
    obj = deployment()
    assert nested_string(obj, "metadata", "generateName") == ("", False)
    assert nested_int64(obj, "status", "readyReplicas") == (0, False)
    assert nested_bool(obj, "spec", "missing") == (False, False)
    assert nested_slice(obj, "a", "b", "c") == ([], False)
    assert nested_map(obj, "status") == ({}, False)
    assert nested_string_map(obj, "metadata", "annotations") == ({}, False)
    assert nested_field(obj, "spec", "nothing", "deeper") == (None, False)  # through null
    assert nested_field(obj, "spec", "nothing") == (None, True)  # an explicit null exists


@pytest.mark.parametrize(
    ("getter", "path", "expected"),
    [
        (nested_string, ("spec", "replicas"), "expected str"),
        (nested_int64, ("spec", "paused"), "expected int"),  # bool is not an int here
        (nested_int64, ("spec", "ratio"), "expected int"),
        (nested_bool, ("metadata", "name"), "expected bool"),
        (nested_float64, ("spec", "replicas"), "expected float"),
        (nested_slice, ("spec", "selector"), "expected list"),
        (nested_map, ("spec", "args"), "expected dict"),
        (nested_string_map, ("spec", "selector"), "expected str"),
        (nested_string_slice, ("spec", "template", "spec", "containers"), "expected str"),
        (nested_string, ("spec", "args", "x"), "expected dict"),  # an intermediate list
    ],
)
def test_wrong_types_raise_type_error(getter: Any, path: tuple[str, ...], expected: str) -> None:
    with pytest.raises(TypeError, match=expected) as caught:
        getter(deployment(), *path)
    assert "accessor error" in str(caught.value)


def test_getters_copy_containers_but_no_copy_does_not() -> None:
    obj = deployment()
    containers, _ = nested_slice(obj, "spec", "template", "spec", "containers")
    containers[0]["image"] = "changed"
    labels, _ = nested_string_map(obj, "metadata", "labels")
    labels["x"] = "y"
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx"
    assert obj["metadata"]["labels"] == {"app": "web"}
    live, found = nested_field_no_copy(obj, "spec", "selector")
    assert found
    live["extra"] = 1
    assert obj["spec"]["selector"]["extra"] == 1


def test_empty_path_is_rejected() -> None:
    with pytest.raises(ValueError):
        nested_field({})
    with pytest.raises(ValueError):
        set_nested_field({}, 1)


# -- setters ------------------------------------------------------------------------------------


def test_set_nested_field_creates_intermediates_and_copies() -> None:
    obj: dict[str, Any] = {}
    value = {"a": [1, {"b": 2}]}
    set_nested_field(obj, value, "spec", "template", "data")
    assert obj == {"spec": {"template": {"data": {"a": [1, {"b": 2}]}}}}
    value["a"].append(3)
    assert obj["spec"]["template"]["data"] == {"a": [1, {"b": 2}]}  # a copy was stored
    set_nested_field(obj, 3, "spec", "replicas")
    assert obj["spec"]["replicas"] == 3
    obj["spec"]["nothing"] = None
    set_nested_field(obj, "x", "spec", "nothing", "deeper")  # null is replaced
    assert obj["spec"]["nothing"] == {"deeper": "x"}
    set_nested_slice(obj, ("a", "b"), "spec", "args")
    assert obj["spec"]["args"] == ["a", "b"]


def test_set_nested_field_errors() -> None:
    obj = deployment()
    with pytest.raises(TypeError, match="not a dict"):
        set_nested_field(obj, 1, "spec", "replicas", "deeper")
    with pytest.raises(TypeError, match="not a JSON-compatible"):
        set_nested_field(obj, {1, 2}, "spec", "bad")
    with pytest.raises(TypeError, match="keys must be strings"):
        set_nested_field(obj, {1: "a"}, "spec", "bad")
    with pytest.raises(TypeError):
        set_nested_string_map(obj, {"a": 1}, "metadata", "labels")  # type: ignore[dict-item]
    assert "bad" not in obj["spec"]


def test_remove_nested_field() -> None:
    obj = deployment()
    remove_nested_field(obj, "spec", "replicas")
    assert "replicas" not in obj["spec"]
    remove_nested_field(obj, "spec", "replicas")  # already gone: fine
    remove_nested_field(obj, "status", "conditions")  # missing parents: fine
    remove_nested_field(obj, "spec", "args", "x")  # a list on the way: fine
    assert obj["spec"]["args"] == ["a", "b"]


def test_deep_copy_json() -> None:
    data = {"a": [1, (2, 3)], "b": {"c": None}}
    copied = deep_copy_json(data)
    assert copied == {"a": [1, [2, 3]], "b": {"c": None}}
    assert copied["b"] is not data["b"]


# -- Unstructured -------------------------------------------------------------------------------


def test_unstructured_accessors() -> None:
    u = Unstructured(deployment())
    assert (u.api_version, u.kind, u.name, u.namespace) == (
        "apps/v1",
        "Deployment",
        "web",
        "default",
    )
    assert (u.resource_version, u.uid, u.generate_name) == ("42", "u-1", "")
    assert u.group_version_kind == GroupVersionKind("apps", "v1", "Deployment")
    assert u.labels == {"app": "web"} and u.annotations == {}

    labels = u.labels
    labels["creator"] = "userxxx"  # a live view: the change reaches the object
    assert u.object["metadata"]["labels"] == {"app": "web", "creator": "userxxx"}
    u.labels = labels  # assigning the view to itself keeps the same data
    assert u.object["metadata"]["labels"] == {"app": "web", "creator": "userxxx"}
    u.annotations = {"note": "x"}
    assert u.annotations == {"note": "x"}
    u.annotations = None
    assert "annotations" not in u.object["metadata"]

    u.name = "web2"
    u.generate_name = "web-"
    u.resource_version = ""
    u.namespace = ""
    assert u.object["metadata"]["name"] == "web2"
    assert u.object["metadata"]["generateName"] == "web-"
    assert "resourceVersion" not in u.object["metadata"]  # "" removes, as client-go
    assert "namespace" not in u.object["metadata"]
    u.uid = "u-2"
    u.finalizers = ["a/b"]
    assert u.finalizers == ["a/b"] and u.uid == "u-2"
    u.owner_references = [{"apiVersion": "v1", "kind": "X", "name": "o", "uid": "1"}]
    assert u.owner_references[0]["name"] == "o"

    u.group_version_kind = GroupVersionKind("", "v1", "ConfigMap")
    assert (u.api_version, u.kind) == ("v1", "ConfigMap")
    u.api_version = "apps/v1"
    u.kind = "Deployment"
    assert u["kind"] == "Deployment" and "spec" in u and u.get("status") is None
    u["status"] = {"replicas": 1}
    assert u.nested_int64("status", "replicas") == (1, True)


def test_metadata_views_never_lose_a_mutation() -> None:
    u = Unstructured({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
    u.labels["creator"] = "x"
    u.annotations["note"] = "y"
    u.finalizers.append("example.com/cleanup")
    u.owner_references.append({"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "1"})
    u.owner_references[0]["controller"] = True
    assert u.object["metadata"] == {
        "name": "x",
        "labels": {"creator": "x"},
        "annotations": {"note": "y"},
        "finalizers": ["example.com/cleanup"],
        "ownerReferences": [
            {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "1", "controller": True}
        ],
    }
    u.labels.update(tier="web")
    del u.labels["creator"]
    assert dict(u.labels) == {"tier": "web"} and len(u.labels) == 1
    u.finalizers.remove("example.com/cleanup")
    del u.annotations["note"]
    # emptied through the view: the field goes, as client-go's setters with an empty value
    assert "finalizers" not in u.object["metadata"]
    assert "annotations" not in u.object["metadata"]
    u.finalizers.extend(["a", "b"])
    u.finalizers[0] = "c"
    assert u.object["metadata"]["finalizers"] == ["c", "b"] and u.finalizers == ["c", "b"]
    with pytest.raises(TypeError):
        u.labels["n"] = 1  # type: ignore[assignment]
    with pytest.raises(TypeError):
        u.finalizers.append(3)  # type: ignore[arg-type]
    # the same holds for an object the view had to create metadata for
    fresh = Unstructured()
    fresh.labels["a"] = "b"
    assert fresh.object == {"metadata": {"labels": {"a": "b"}}}


def test_metadata_views_refuse_to_overwrite_malformed_data() -> None:
    u = Unstructured({"metadata": {"labels": ["x"], "finalizers": "y"}})
    assert u.labels == {} and u.finalizers == []
    with pytest.raises(TypeError, match="metadata.labels"):
        u.labels["a"] = "b"
    with pytest.raises(TypeError, match="metadata.finalizers"):
        u.finalizers.append("z")
    assert u.object == {"metadata": {"labels": ["x"], "finalizers": "y"}}


def test_unstructured_on_empty_and_malformed_objects() -> None:
    u = Unstructured()
    assert (u.name, u.namespace, u.kind, u.api_version) == ("", "", "", "")
    assert u.labels == {} and u.finalizers == [] and u.generation == 0
    u.labels = {"a": "b"}
    assert u.object == {"metadata": {"labels": {"a": "b"}}}
    bad = Unstructured({"metadata": "not a dict", "kind": 3})
    assert bad.name == "" and bad.labels == {} and bad.kind == ""
    with pytest.raises(TypeError):
        Unstructured([])  # type: ignore[arg-type]


def test_unstructured_methods_and_copies() -> None:
    u = Unstructured.from_dict(deployment())
    u.set_nested_field(5, "spec", "replicas")
    assert u.nested_int64("spec", "replicas") == (5, True)
    u.set_nested_string_map({"a": "b"}, "spec", "selector", "matchLabels")
    assert u.nested_string_map("spec", "selector", "matchLabels") == ({"a": "b"}, True)
    u.set_nested_slice(["x"], "spec", "args")
    u.set_nested_map({"k": 1}, "spec", "extra")
    assert u.nested_slice("spec", "args") == (["x"], True)
    assert u.nested_map("spec", "extra") == ({"k": 1}, True)
    assert u.nested_field("spec", "extra", "k") == (1, True)
    assert u.nested_string("metadata", "name") == ("web", True)
    assert u.nested_bool("spec", "paused") == (False, True)
    assert u.nested_float64("spec", "ratio") == (0.5, True)
    assert u.nested_string_slice("spec", "args") == (["x"], True)
    u.remove_nested_field("spec", "extra")
    assert u.nested_map("spec", "extra") == ({}, False)

    copy = u.deep_copy()
    assert copy == u and copy.object is not u.object
    copy.set_nested_field(1, "spec", "replicas")
    assert copy != u
    assert u.to_dict() == u.object and u.to_dict() is not u.object
    assert "Deployment" in repr(u) and "default/web" in repr(u)
    assert not u.is_list()


def test_unstructured_list() -> None:
    data = {
        "apiVersion": "v1",
        "kind": "ConfigMapList",
        "metadata": {"resourceVersion": "7", "continue": "tok", "remainingItemCount": 3},
        "items": [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}, "kind": "ConfigMap"}],
    }
    listed = UnstructuredList.from_dict(data)
    assert (listed.api_version, listed.kind) == ("v1", "ConfigMapList")
    assert (listed.resource_version, listed.continue_, listed.remaining_item_count) == (
        "7",
        "tok",
        3,
    )
    assert [i.name for i in listed] == ["a", "b"] and len(listed) == 2
    assert all(i.kind == "ConfigMap" and i.api_version == "v1" for i in listed)  # filled in
    again = listed.to_dict()
    assert again["items"][0] == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}
    assert "2 items" in repr(listed)
    generic = UnstructuredList.from_dict({"kind": "List", "items": [{"metadata": {}}]})
    assert generic.items[0].kind == ""  # a generic List's items keep their own types


# -- GVK / GVR ----------------------------------------------------------------------------------


def test_group_version_kind_and_resource() -> None:
    assert split_api_version("apps/v1") == ("apps", "v1")
    assert split_api_version("v1") == ("", "v1")
    with pytest.raises(ValueError):
        split_api_version("a/b/c")
    gvk = GroupVersionKind.from_api_version("cloud.waibizi.com/v1", "VirtualMachine")
    assert gvk == GroupVersionKind("cloud.waibizi.com", "v1", "VirtualMachine")
    assert gvk.api_version == "cloud.waibizi.com/v1"
    assert str(gvk) == "cloud.waibizi.com/v1, Kind=VirtualMachine"
    gvr = GroupVersionResource.from_api_version("v1", "pods")
    assert gvr == GroupVersionResource("", "v1", "pods") and gvr.api_path == "/api/v1"
    assert GroupVersionResource("apps", "v1", "deployments").api_path == "/apis/apps/v1"
    assert {gvr, GroupVersionResource("", "v1", "pods")} == {gvr}  # hashable
    with pytest.raises(AttributeError):
        gvr.resource = "x"  # type: ignore[misc]


# -- YAML ---------------------------------------------------------------------------------------

MANIFEST = """
# leading comment
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: example
  creationTimestamp: 2024-01-02T03:04:05Z
spec:
  replicas: 2
---
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: svc}
- apiVersion: v1
  kind: List
  items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: nested}}
---
apiVersion: v1
kind: SecretList
items:
- metadata: {name: s1}
"""


def test_load_yaml_multi_document() -> None:
    objects = load_yaml(MANIFEST)
    assert [(o.kind, o.name) for o in objects] == [
        ("Deployment", "example"),
        ("Service", "svc"),
        ("ConfigMap", "nested"),
        ("Secret", "s1"),
    ]
    assert objects[0].creation_timestamp == "2024-01-02T03:04:05Z"  # kept as text
    assert objects[0].nested_int64("spec", "replicas") == (2, True)
    assert objects[3].api_version == "v1"
    assert load_yaml("") == [] and load_yaml("---\n---\n") == []
    assert (
        load_yaml(b'{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}')[0].name == "p"
    )


def test_load_yaml_rejects_non_objects() -> None:
    with pytest.raises(ValueError, match="document 2"):
        load_yaml("kind: Pod\n---\n- a\n- b\n")


# -- typed conversion ---------------------------------------------------------------------------


def test_to_and_from_typed_with_the_apimachinery_scheme() -> None:
    u = Unstructured(
        {
            "apiVersion": "v1",
            "kind": "Status",
            "status": "Failure",
            "reason": "NotFound",
            "code": 404,
            "unknownField": {"kept": True},
        }
    )
    status = to_typed(u, apimachinery_scheme)
    assert isinstance(status, Status) and status.reason == "NotFound" and status.code == 404
    assert from_typed(status) == u  # lossless, unknown fields included
    assert to_typed(u.object, Status) == status
    u.object["reason"] = "changed"
    assert status.reason == "NotFound"  # the typed object does not share the dict

    with pytest.raises(LookupError, match="Widget"):
        to_typed(Unstructured({"apiVersion": "x/v1", "kind": "Widget"}), apimachinery_scheme)
    with pytest.raises(ValueError, match="cannot decode"):
        to_typed(Unstructured({"apiVersion": "apps/v1", "kind": "Deployment"}), Status)
    bare = from_typed(Status(reason="Gone"))
    assert (bare.api_version, bare.kind) == ("v1", "Status")
    assert list(bare.object)[:2] == ["apiVersion", "kind"]


def test_unstructured_lives_in_core_and_the_old_path_re_exports_it() -> None:
    import subprocess
    import sys

    import kubecore.client.unstructured as compat
    import kubecore.core.unstructured as core

    assert compat.Unstructured is core.Unstructured and compat.load_yaml is core.load_yaml
    assert set(compat.__all__) == set(core.__all__)
    assert all(getattr(compat, name) is getattr(core, name) for name in core.__all__)
    # the core layer does no I/O: importing it loads nothing from kubecore.client
    probe = (
        "import sys, kubecore.core.unstructured; "
        "print([m for m in sys.modules if m.startswith('kubecore.client')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "[]"


def test_unstructured_lists_compare_as_json_documents_with_their_items_in_order() -> None:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMapList",
        "metadata": {"resourceVersion": "5"},
        "items": [{"metadata": {"name": "a"}, "data": {"n": "1"}}, {"metadata": {"name": "b"}}],
    }
    first = UnstructuredList.from_dict(body)
    assert first == UnstructuredList.from_dict(body)
    assert first != UnstructuredList.from_dict({**body, "items": body["items"][::-1]})
    assert first != UnstructuredList.from_dict({**body, "metadata": {"resourceVersion": "6"}})
    changed = UnstructuredList.from_dict(body)
    changed.items[0].object["data"]["n"] = 1  # the number 1 is not the string "1"
    assert first != changed
    assert first != body  # a list response is not its dict
    with pytest.raises(TypeError):
        hash(first)
