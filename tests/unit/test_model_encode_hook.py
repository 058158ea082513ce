"""The model encoder hands every model to orjson's default hook, which reads what to write
in C: a plain object's instance dict, an unread object's wire dict or text, a held
object's dict built by Python (issue 12's encode target). These tests pin what that
path must keep: the same bytes as ``json.dumps(obj.to_dict())`` in every state and at any
depth, and no load of an unread object that is only encoded or asked for its API."""

from __future__ import annotations

import json
from typing import Any

import orjson
import pytest

from kube_clientgen_api.kubernetes.apiextensions.v1 import JSONSchemaProps
from kube_clientgen_api.kubernetes.core.v1 import Container, Pod, PodList, PodSpec
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.core.jsontext import json_loads


def _reference_bytes(obj: Any) -> bytes:
    return json.dumps(obj.to_dict(), separators=(",", ":")).encode()


def _is_unread(obj: Any) -> bool:
    # An unread object's class is its state variant; obj.__class__ answers the generated one.
    return type(obj) is not obj.__class__ and type(obj)._VARIANT == "unread"


def _schema_chain(depth: int) -> tuple[bytes, dict[str, Any]]:
    """A ``not`` chain ``depth`` levels deep, as JSON text (written by hand, so the
    expected bytes owe nothing to any encoder) and parsed."""
    text = '{"type":"string"}'
    for level in range(depth):
        text = f'{{"description":"level {level}","not":{text}}}'
    return text.encode(), json_loads(text)  # the models' parser: as deep as recursion allows


@pytest.mark.parametrize("state", ["unread", "built", "constructed"])
@pytest.mark.parametrize("depth", [10, 253, 254, 300, 600, 900])
def test_models_nested_deeper_than_orjson_default_limit_encode(depth: int, state: str) -> None:
    """orjson follows at most 254 nested default-hook results (and 254 levels of anything);
    a deeper tree of models (a recursive CRD schema) must still encode, through the general
    path, to the same bytes. Python's json ended near 330 levels of loaded models."""
    text, doc = _schema_chain(depth)
    if state == "constructed":
        obj = JSONSchemaProps(type="string")
        for level in range(depth):
            obj = JSONSchemaProps(description=f"level {level}", not_=obj)
    else:
        obj = JSONSchemaProps.from_dict(doc)
        if state == "built":
            node: Any = obj
            levels = 0
            while node is not None:
                node = node.not_  # loads every level
                levels += 1
            assert levels == depth + 1
    assert obj.to_json() == text


def test_every_state_in_one_tree_encodes_as_to_dict() -> None:
    """A list whose items are unread text, a loaded item with unread children, a held
    child (a value of the wrong shape) and a plain one, all written in one call."""
    items = [
        {
            "metadata": {"name": f"p{i}", "labels": {"a": str(i)}},
            "spec": {
                "containers": [{"name": "c", "image": "nginx", "ports": [{"containerPort": 80}]}],
                "hostNetwork": "yes" if i == 2 else False,
            },
            "status": {"podIP": f"10.0.0.{i}", "newField": {"x": [1, None, 2.5]}},
        }
        for i in range(4)
    ]
    body = {
        "apiVersion": "v1",
        "kind": "PodList",
        "metadata": {"resourceVersion": "7"},
        "items": items,
    }
    pods = PodList.from_json(orjson.dumps(body))
    assert pods.items[1].metadata is not None and pods.items[1].metadata.name == "p1"
    assert pods.items[2].spec is not None and pods.items[2].spec.host_network is None  # held
    spec3 = pods.items[3].spec
    assert spec3 is not None and spec3.containers[0].image == "nginx"  # plain, built
    assert _is_unread(pods.items[0])
    assert orjson.loads(pods.to_json()) == body
    assert pods.to_json() == _reference_bytes(pods)


def test_encoding_an_unread_object_does_not_load_it() -> None:
    pod = Pod.from_dict({"metadata": {"name": "a"}, "spec": {"containers": []}})
    assert _is_unread(pod)
    pod.to_json()
    assert _is_unread(pod)


@pytest.mark.parametrize("name", ["to_json", "FIELDS", "KIND", "validate", "__class__"])
def test_the_class_api_of_an_unread_object_does_not_load_it(name: str) -> None:
    pod = Pod.from_dict({"metadata": {"name": "a"}})
    getattr(pod, name)
    assert _is_unread(pod)


@pytest.mark.parametrize("name", ["metadata", "extra_fields", "__dict__"])
def test_a_field_or_the_wire_form_of_an_unread_object_loads_it(name: str) -> None:
    pod = Pod.from_dict({"metadata": {"name": "a"}, "x": 1})
    value = getattr(pod, name)
    assert not _is_unread(pod)
    assert value == getattr(pod, name)


def test_a_renamed_field_and_its_wire_name_read_the_same_value_when_unread() -> None:
    spec = PodSpec.from_dict({"hostNetwork": True, "containers": []})
    assert spec.hostNetwork is True  # type: ignore[attr-defined]
    again = PodSpec.from_dict({"hostNetwork": True, "containers": []})
    assert again.host_network is True
    assert PodSpec.from_dict({}).host_network is None


def test_a_class_level_read_through_the_unread_variant_gives_the_generated_attribute() -> None:
    unread_class = type(Pod.from_dict({}))
    assert unread_class is not Pod
    assert unread_class.KIND == Pod.KIND
    for name in [f.name for f in Pod.FIELDS] + [f.wire for f in Pod.FIELDS]:
        assert hasattr(unread_class, name) == hasattr(Pod, name), name
        if hasattr(Pod, name):
            assert getattr(unread_class, name) is getattr(Pod, name)


def test_a_user_subclass_with_slots_encodes_its_wire_form_only() -> None:
    class Tagged(Container):
        __slots__ = ("tag",)

    c = Tagged(name="c", image="nginx")
    c.tag = "mine"
    assert orjson.loads(c.to_json()) == {"name": "c", "image": "nginx"}
    assert c.to_json() == _reference_bytes(c)


def test_a_model_inside_extra_fields_and_maps_encodes_in_any_state() -> None:
    meta = ObjectMeta(name="a", extra_fields={"owner": Pod.from_dict({"metadata": {"name": "o"}})})
    assert orjson.loads(meta.to_json()) == {"name": "a", "owner": {"metadata": {"name": "o"}}}


@pytest.mark.parametrize("how", ["setattr", "object.__setattr__"])
def test_a_write_to_an_unread_object_loads_it_first(how: str) -> None:
    """A write around ``Model.__setattr__`` must not land in the unread object's empty
    instance dict, where it would hide the field from reads and from the wire form."""
    meta = ObjectMeta.from_dict({"name": "a", "labels": {"x": "1"}})
    if how == "setattr":
        meta.name = "b"
    else:
        object.__setattr__(meta, "name", "b")
    assert meta.name == "b" and meta.labels == {"x": "1"}
    assert orjson.loads(meta.to_json()) == {"name": "b", "labels": {"x": "1"}}


def test_extra_fields_stays_read_only_on_an_unread_object() -> None:
    meta = ObjectMeta.from_dict({"name": "a", "x": 1})
    with pytest.raises(AttributeError):
        meta.extra_fields = {"y": 2}  # type: ignore[misc]
    assert meta.extra_fields == {"x": 1}
    assert orjson.loads(meta.to_json()) == {"name": "a", "x": 1}
