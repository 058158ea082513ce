"""A model's instance dict is its wire form, and orjson encodes it in C.

The contract (``kubecore.core.model.Model``): ``vars(obj)`` holds wire names in wire order,
a key present exactly when the field is on the wire; unknown fields are keys like the
others; what cannot be a key (a value of the wrong shape, keys orjson cannot write from a
dataclass) is kept aside and the object is *held*; ``to_json`` equals the JSON of
``to_dict()`` in every state.
"""

from __future__ import annotations

import json
import pickle
from typing import Any

import orjson
import pytest

from kube_clientgen_api.kubernetes.core.v1 import Container, Pod, PodList, PodSpec, PodStatus
from kubecore.core.codec import json_dumps
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.core.model import Model
from kubecore.core.quantity import Quantity
from tests.helpers import read_all


def _same_bytes_as_to_dict(obj: Any) -> None:
    assert orjson.loads(obj.to_json()) == obj.to_dict()
    assert obj.to_json() == json_dumps(obj.to_dict())


def test_vars_is_the_wire_form_in_wire_order() -> None:
    doc = {"podIP": "10.0.0.1", "phase": "Running", "someNewThing": [1], "nominatedNodeName": None}
    status = PodStatus.from_dict(doc)
    assert status.pod_ip == "10.0.0.1" and status.nominated_node_name is None
    assert list(vars(status)) == ["podIP", "phase", "someNewThing", "nominatedNodeName"]
    assert status.extra_fields == {"someNewThing": [1], "nominatedNodeName": None}
    status.pod_ip = "10.0.0.2"
    status.host_ip = "192.168.0.1"
    assert vars(status)["podIP"] == "10.0.0.2" and vars(status)["hostIP"] == "192.168.0.1"
    status.pod_ip = None  # None removes the field from the wire form
    assert "podIP" not in vars(status) and status.pod_ip is None
    _same_bytes_as_to_dict(status)


def test_attributes_that_are_not_fields_are_refused() -> None:
    pod = Pod(metadata=ObjectMeta(name="a"))
    with pytest.raises(AttributeError, match="spce"):
        pod.spce = PodSpec()  # type: ignore[attr-defined]
    assert "spce" not in vars(pod) and b"spce" not in pod.to_json()


def test_keys_orjson_cannot_write_from_a_dataclass_are_kept_aside() -> None:
    # orjson 3.x aborts the interpreter on an empty key in a dataclass's __dict__, and skips
    # keys that start with "_": such keys are held aside and written from Python.
    doc = {"name": "c", "": 1, "_private": {"x": 2}, "validate": 3, "__class__": 4}
    container = Container.from_dict(doc)
    assert container.name == "c"
    assert container.extra_fields == {"": 1, "_private": {"x": 2}, "validate": 3, "__class__": 4}
    assert orjson.loads(container.to_json()) == doc
    assert container.validate.__func__ is Model.validate  # type: ignore[attr-defined]  # not shadowed
    _same_bytes_as_to_dict(container)
    built = Container(name="c", extra_fields={"": 1, "_private": 2})
    assert orjson.loads(built.to_json()) == {"": 1, "_private": 2, "name": "c"}


def test_wrong_shapes_are_held_and_written_back_as_they_came() -> None:
    doc = {"containers": "not a list", "nodeName": 5, "hostname": "h"}
    spec = PodSpec.from_dict(doc)
    assert spec.containers == [] and spec.node_name is None and spec.hostname == "h"
    assert orjson.loads(spec.to_json()) == doc
    spec.node_name = "n1"  # what is assigned later wins
    assert orjson.loads(spec.to_json()) == {**doc, "nodeName": "n1"}
    _same_bytes_as_to_dict(spec)


def test_every_state_encodes_as_its_to_dict() -> None:
    doc = {
        "metadata": {"name": "a", "labels": {"x": "y"}},
        "spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": "500m"}}}]},
        "status": {"phase": "Running"},
    }
    body = orjson.dumps({"items": [doc, doc]})
    pods = PodList.from_json(body)
    _same_bytes_as_to_dict(pods)  # unread items: their text
    pods.items[0].metadata.labels["z"] = "w"  # type: ignore[index]
    _same_bytes_as_to_dict(pods)  # one item read, one not
    read_all(pods)
    _same_bytes_as_to_dict(pods)  # everything read: orjson's dataclass path only
    limits = pods.items[1].spec.containers[0].resources.limits  # type: ignore[union-attr]
    assert limits == {"cpu": Quantity("500m")}
    assert orjson.loads(pods.to_json())["items"][1]["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m"}
    }


def test_values_orjson_cannot_write_take_the_general_path() -> None:
    pod = Pod.from_dict({"metadata": {"name": "a"}, "big": 2**70, "deep": [[[[1]]]]})
    pod.metadata.labels = {"x": "y"}
    assert json.loads(pod.to_json()) == {
        "metadata": {"name": "a", "labels": {"x": "y"}},
        "big": 2**70,
        "deep": [[[[1]]]],
    }


def test_unread_and_held_objects_answer_their_generated_class() -> None:
    pod = PodList.from_json(b'{"items": [{"metadata": {"name": "a"}}]}').items[0]
    assert pod.__class__ is Pod and isinstance(pod, Pod) and type(pod) is not Pod  # unread
    assert type(pod).__name__ == "Pod" and type(pod).__qualname__ == "Pod"
    assert pod.metadata.name == "a"
    assert type(pod) is Pod  # read: the generated class itself
    spec = PodSpec.from_dict({"nodeName": 5})
    assert spec.__class__ is PodSpec and type(spec) is not PodSpec  # held
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and again.__class__ is PodSpec and again.to_dict() == {"nodeName": 5}


def test_a_user_subclass_keeps_its_own_state_in_slots() -> None:
    class Tagged(Pod):
        __slots__ = ("tag",)
        tag: str

    pod = Tagged.from_dict({"metadata": {"name": "a"}})
    pod.tag = "mine"
    assert pod.metadata.name == "a" and pod.tag == "mine"
    assert orjson.loads(pod.to_json()) == {"metadata": {"name": "a"}}

    class Loose(Pod):
        pass

    loose = Loose(metadata=ObjectMeta(name="b"))
    with pytest.raises(AttributeError):
        loose.tag = "x"  # type: ignore[attr-defined]
    assert orjson.loads(loose.to_json()) == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "b"},
    }


def _json_types(value: Any) -> set[type]:
    """The classes of every leaf of a JSON-like tree."""
    if isinstance(value, dict):
        return set().union(*map(_json_types, value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*map(_json_types, value)) if value else set()
    return {type(value)}


def test_to_dict_holds_plain_json_whether_read_or_not() -> None:
    """QA: once a Time field (or an enum, a datetime) had been read or set, ``to_dict()``
    held the ``Time``/enum instance itself (a ``str`` subclass), so ``yaml.safe_dump(
    obj.to_dict())`` raised RepresenterError for a read object and not for an unread one."""
    import datetime

    import yaml

    from kube_clientgen_api.kubernetes.core.v1 import PodCondition

    doc = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "creationTimestamp": "2024-01-01T00:00:00Z"},
        "spec": {"restartPolicy": "Always", "containers": [{"name": "c"}]},
        "status": {"conditions": [{"type": "Ready", "lastTransitionTime": "2024-01-01T00:00:00Z"}]},
    }
    unread = Pod.from_json(json.dumps(doc))
    read = Pod.from_json(json.dumps(doc))
    read_all(read)
    built = Pod(
        metadata=ObjectMeta(
            name="p", creation_timestamp=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
        ),
        spec=PodSpec(restart_policy="Always", containers=[Container(name="c")]),
        status=PodStatus(
            conditions=[
                PodCondition(
                    type="Ready", status="True", last_transition_time="2024-01-01T00:00:00Z"
                )
            ]
        ),
    )
    for obj in (unread, read, built):
        wire = obj.to_dict()
        assert _json_types(wire) <= {str, int, float, bool, type(None)}
        assert yaml.safe_load(yaml.safe_dump(wire)) == wire
    assert read.to_dict() == unread.to_dict() == doc
