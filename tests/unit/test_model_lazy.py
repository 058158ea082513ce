"""Lazy decoding: a decoded model builds its fields on first access, and nothing a user
does before or after that can tell (values, encoding, copies, equality, pickling)."""

from __future__ import annotations

import copy
import gc
import pickle
import threading
from typing import Any

import orjson
import pytest

from kube_clientgen_api.kubernetes.core.v1 import Pod, PodList, PodSpec
from kubecore.core import codec
from kubecore.core.codec import gc_paused
from kubecore.core.generated.meta_v1 import ObjectMeta
from tests.helpers import read_all

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {
        "name": "web",
        "namespace": "default",
        "labels": {"app": "web"},
        "creationTimestamp": "2024-05-06T07:08:09Z",
        "aNewMetadataField": {"x": [1, 2]},
    },
    "spec": {
        "containers": [
            {"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "500m"}}}
        ],
        "futureField": True,
        "nodeName": None,
    },
    "status": {"phase": "Running"},
}


def decoded() -> Pod:
    return Pod.from_json(orjson.dumps(POD))


@pytest.fixture(params=[True, False], ids=["split-lists", "parse-whole"])
def split_lists(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both list decoders: items kept as unparsed text (msgspec) and the plain parse."""
    monkeypatch.setattr(codec, "SPLIT_LISTS", request.param)
    return bool(request.param)


def test_an_unread_object_encodes_to_the_same_bytes(split_lists: bool) -> None:
    body = orjson.dumps(POD)
    assert Pod.from_json(body).to_json() == body
    listed = orjson.dumps({"apiVersion": "v1", "kind": "PodList", "items": [POD, POD]})
    pods = PodList.from_json(listed)
    assert orjson.loads(pods.to_json()) == orjson.loads(listed)
    assert pods.to_json().count(body) == 2  # unread items are written as they came


def test_reading_gives_typed_values_and_keeps_unknown_fields() -> None:
    pod = decoded()
    assert pod.metadata.name == "web" and pod.metadata.labels == {"app": "web"}
    assert pod.spec is not None and pod.spec.containers[0].image == "nginx"
    assert pod.spec.extra_fields == {"futureField": True, "nodeName": None}
    assert pod.metadata.creation_timestamp == "2024-05-06T07:08:09Z"
    assert pod.to_dict() == POD


def test_a_change_to_a_nested_field_is_encoded() -> None:
    pod = decoded()
    assert pod.spec is not None
    pod.spec.containers[0].image = "nginx:2"
    expected = copy.deepcopy(POD)
    expected["spec"]["containers"][0]["image"] = "nginx:2"
    assert pod.to_dict() == expected
    assert orjson.loads(pod.to_json()) == expected


@pytest.mark.parametrize("read_first", [False, True])
def test_a_field_assigned_before_anything_is_read_wins(read_first: bool) -> None:
    pod = decoded()
    pod.status = None
    pod.metadata = ObjectMeta(name="other")
    if read_first:
        assert pod.spec is not None and pod.spec.containers[0].name == "app"
    expected = {k: v for k, v in POD.items() if k != "status"}
    expected["metadata"] = {"name": "other"}
    assert pod.to_dict() == expected
    assert orjson.loads(pod.to_json()) == expected
    assert pod.metadata.name == "other" and pod.status is None
    twin = decoded()
    twin.status = None
    assert twin.deep_copy().to_dict() == {k: v for k, v in POD.items() if k != "status"}


def test_a_nested_assignment_before_reading_is_encoded() -> None:
    spec = PodSpec.from_dict(POD["spec"])
    spec.node_name = "node-1"  # set on an object no one has read
    assert spec.to_dict()["nodeName"] == "node-1"
    assert spec.containers[0].name == "app"


def test_from_dict_copies_unless_told_not_to() -> None:
    data = copy.deepcopy(POD)
    pod = Pod.from_dict(data)
    data["metadata"]["name"] = "changed"
    data["spec"]["containers"].clear()
    assert pod.metadata.name == "web" and pod.spec is not None and pod.spec.containers
    owned = copy.deepcopy(POD)
    taken = Pod.from_dict(owned, copy=False)
    assert taken.to_dict() == POD
    assert taken.to_dict() is not owned  # to_dict always returns a tree the caller owns
    fresh = taken.to_dict()
    fresh["metadata"]["name"] = "mutated"
    assert taken.metadata.name == "web"


def test_from_dict_copies_values_json_cannot_hold() -> None:
    big = 2**70  # beyond what orjson's fast copy takes
    pod = Pod.from_dict({"metadata": {"name": "a"}, "spec": {"x-big": big}})
    assert pod.spec is not None and pod.spec.extra_fields == {"x-big": big}
    assert pod.to_dict()["spec"] == {"x-big": big}


def test_equality_loaded_or_not() -> None:
    assert decoded() == decoded()
    one, two = decoded(), decoded()
    assert one.metadata.name == "web"  # one is loaded, two is not
    assert one == two and two == one
    three = decoded()
    three.status = None
    assert three != decoded()
    other = copy.deepcopy(POD)
    other["spec"]["futureField"] = False
    assert Pod.from_dict(other) != decoded()


def test_deep_copy_of_an_unread_object_is_independent() -> None:
    pod = decoded()
    twin = pod.deep_copy()
    assert twin == pod
    assert twin.spec is not None
    twin.spec.containers[0].name = "changed"
    assert pod.spec is not None and pod.spec.containers[0].name == "app"
    assert pod.to_dict() == POD


@pytest.mark.parametrize("read_first", [False, True])
def test_pickle_and_copy(read_first: bool) -> None:
    pod = decoded()
    if read_first:
        assert pod.metadata.name == "web"
    assert pickle.loads(pickle.dumps(pod)).to_dict() == POD
    assert copy.copy(pod).to_dict() == POD
    assert copy.deepcopy(pod).to_dict() == POD


def test_unknown_attributes_still_raise() -> None:
    pod = decoded()
    assert not hasattr(pod, "no_such_field")
    with pytest.raises(AttributeError, match="no_such_field"):
        pod.no_such_field  # type: ignore[attr-defined]  # noqa: B018
    assert pod.to_dict() == POD
    assert "Pod(" in repr(pod) and "name='web'" in repr(pod)


def test_wrong_shapes_inside_lists_are_still_kept() -> None:
    spec = PodSpec.from_dict({"containers": [None, {"name": "a"}], "volumes": "none"})
    assert spec.containers == [] and spec.volumes is None
    assert spec.extra_fields == {"containers": [None, {"name": "a"}], "volumes": "none"}
    assert spec.to_dict() == {"containers": [None, {"name": "a"}], "volumes": "none"}


def test_threads_reading_one_unread_object_see_the_same_values(split_lists: bool) -> None:
    for _ in range(20):
        pod = PodList.from_json(orjson.dumps({"items": [POD] * 50}))
        seen: list[list[str]] = []
        barrier = threading.Barrier(4)

        def read(
            pods: PodList = pod,
            seen: list[list[str]] = seen,
            barrier: threading.Barrier = barrier,
        ) -> None:
            barrier.wait()
            seen.append([p.spec.containers[0].name for p in pods.items if p.spec is not None])

        threads = [threading.Thread(target=read) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert seen == [["app"] * 50] * 4
        assert orjson.loads(pod.to_json()) == {"items": [POD] * 50}


def test_gc_pauses_nest_and_overlap() -> None:
    assert gc.isenabled()
    with gc_paused():
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause is still on
    assert gc.isenabled()
    first_in, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gc_paused():
            first_in.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    first_in.wait(10)
    with gc_paused():
        pass
    assert not gc.isenabled()  # the other thread's pause outlives ours
    release.set()
    thread.join(10)
    assert gc.isenabled()


def test_gc_pause_never_enables_a_collector_that_was_off() -> None:
    gc.disable()
    try:
        with gc_paused():
            Pod.from_json(orjson.dumps(POD)).deep_copy()
        assert not gc.isenabled()
    finally:
        gc.enable()


def listed(*items: Any, **top: Any) -> bytes:
    return orjson.dumps({"apiVersion": "v1", "kind": "PodList", **top, "items": list(items)})


def test_lists_decode_alike_either_way(split_lists: bool) -> None:
    body = listed(POD, POD, metadata={"resourceVersion": "7"})
    pods = PodList.from_json(body)
    assert pods.metadata.resource_version == "7" and len(pods.items) == 2
    assert orjson.loads(orjson.dumps(pods.to_dict())) == orjson.loads(body)  # plain JSON
    twin = pods.deep_copy()
    assert twin == pods == PodList.from_dict(orjson.loads(body))
    assert pickle.loads(pickle.dumps(pods)) == pods
    twin.items[0].metadata.name = "changed"
    assert pods.items[0].metadata.name == "web" and twin != pods
    read_all(pods)
    assert pods.to_dict() == orjson.loads(body)


@pytest.mark.parametrize(
    "items",
    [
        [POD, None],  # an item that is not an object: the list is kept as it came
        [POD, "text"],
        [],
    ],
)
def test_odd_items_are_kept_either_way(split_lists: bool, items: list[Any]) -> None:
    body = listed(*items)
    pods = PodList.from_json(body)
    assert orjson.loads(pods.to_json()) == orjson.loads(body)
    if items and not all(isinstance(i, dict) for i in items):
        assert pods.items == [] and pods.extra_fields == {"items": items}


def test_bodies_that_cannot_be_split_decode_like_the_plain_path(split_lists: bool) -> None:
    accented = copy.deepcopy(POD)
    accented["metadata"]["annotations"] = {"note": "caf\u00e9 \u2603"}
    body = listed(accented)
    assert not body.isascii()
    assert PodList.from_json(body).items[0].metadata.annotations == {"note": "caf\u00e9 \u2603"}
    odd = orjson.dumps({"apiVersion": "v1", "kind": "PodList", "items": {"a": 1}})
    assert PodList.from_json(odd).extra_fields == {"items": {"a": 1}}
    with pytest.raises(ValueError):
        PodList.from_json(b'{"items": [')
    with pytest.raises(TypeError):
        PodList.from_json(b"[1, 2]")


def test_the_benchmark_pod_list_is_lossless_either_way(split_lists: bool) -> None:
    bench = pytest.importorskip("bench.podlist", reason="bench/ is part of the repository")
    body = bench.podlist_bytes(40)
    expected = orjson.loads(body)
    pods = PodList.from_json(body)
    assert orjson.loads(pods.to_json()) == expected
    pods.items[3].metadata.labels["x"] = "y"  # type: ignore[index]
    expected["items"][3]["metadata"]["labels"]["x"] = "y"
    assert orjson.loads(pods.to_json()) == expected
    read_all(pods)
    assert orjson.loads(pods.to_json()) == expected and pods.to_dict() == expected


@pytest.mark.parametrize("read_first", [False, True], ids=["unread", "read"])
def test_deleting_a_field_deletes_it_loaded_or_not(read_first: bool) -> None:
    """The field is gone from the wire form, the rest stays; an always-set field reads as
    its empty value again (as when the wire lacks it), which is not encoded while empty."""
    pod = decoded()
    if read_first:
        read_all(pod)
    del pod.spec.containers
    assert "containers" not in pod.spec.to_dict()
    assert pod.spec.containers == []
    assert "containers" not in pod.spec.to_dict()
    with pytest.raises(AttributeError):
        del pod.spec.node_name_that_does_not_exist  # type: ignore[attr-defined]
    assert pod.spec.extra_fields == {"futureField": True, "nodeName": None}
    assert pod.metadata.name == "web"
