"""Metadata reads that do not load the object (``kubecore.core.peek``): the cache's key and
metadata functions give, for an unread object, exactly what they give for a loaded one,
over every state and shape of ``metadata``, and the object stays unread."""

from __future__ import annotations

import sys
import threading
from typing import Any

import orjson
import pytest

from kube_clientgen_api.kubernetes.core.v1 import Namespace, Pod, PodList
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.core.model import ItemJSON
from kubecore.core.peek import peek_meta
from kubecore.runtime.keys import (
    meta_namespace_key_func,
    object_labels,
    object_name,
    object_namespace,
    object_resource_version,
    object_uid,
)
from kubecore.runtime.store import meta_namespace_index_func

SPEC = {"containers": [{"name": "c", "image": "nginx"}]}

#: ``metadata`` values: the shapes real servers send, and every wrong shape a buggy or
#: hostile server could (numbers and lists where strings belong, a list for labels, ...).
METAS: list[Any] = [
    {"name": "web", "namespace": "default", "uid": "u-1", "resourceVersion": "17"},
    {"name": "node-1", "resourceVersion": "3", "labels": {"zone": "a"}},  # cluster-scoped
    {"generateName": "web-", "namespace": "default"},  # no name yet
    {"name": "ünïcødé-名前", "namespace": "名前空間", "labels": {"ключ": "значение"}},
    {"name": 5, "namespace": ["default"], "resourceVersion": 12, "uid": True},
    {"name": "a", "namespace": None, "labels": ["x=y"], "resourceVersion": None},
    {"name": "a", "namespace": {}, "labels": "x=y", "annotations": [1]},
    {"name": "a", "labels": {"n": 1, "b": None}, "finalizers": "f", "generation": "3"},
    {"name": "a", "generation": True, "deletionGracePeriodSeconds": 30, "finalizers": ["f"]},
    {"name": "", "namespace": "ns"},
    {"name": "a", "creationTimestamp": "2024-01-01T00:00:00Z", "managedFields": [{}]},
    {"name": "a", "ownerReferences": "nope", "selfLink": 1.5, "unknownField": {"x": 1}},
    {},
    None,
    "metadata as a string",
    ["a", "list"],
    7,
    "absent",
]

KEY_FUNCS = [
    object_name,
    object_namespace,
    object_resource_version,
    object_uid,
    object_labels,
    meta_namespace_index_func,
]


def _doc(meta: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "spec": SPEC}
    if not (isinstance(meta, str) and meta == "absent"):
        doc["metadata"] = meta
    return doc


def _is_unread(obj: Any) -> bool:
    # An unread object's class is its state variant; obj.__class__ answers the generated one.
    return type(obj) is not obj.__class__ and type(obj)._VARIANT == "unread"


def _states(meta: Any) -> dict[str, Pod]:
    """The same document as a Pod in every state the cache meets."""
    doc = _doc(meta)
    body = orjson.dumps({"apiVersion": "v1", "kind": "PodList", "items": [doc]})
    outer_read = Pod.from_dict(doc)
    outer_read.spec  # noqa: B018 - loads the Pod; its metadata stays unread
    held_meta = Pod.from_dict(doc)
    held_meta.metadata.name  # noqa: B018 - both loaded (held where a value does not fit)
    built = Pod(metadata=ObjectMeta.from_dict(meta) if isinstance(meta, dict) else None)
    built.metadata.name  # noqa: B018
    return {
        "unread dict": Pod.from_dict(doc),
        "unread list item": PodList.from_json(body).items[0],
        "loaded, metadata unread": outer_read,
        "loaded": held_meta,
        "built": built if isinstance(meta, dict) or meta == "absent" else held_meta,
    }


def _reference(func: Any, meta: Any) -> Any:
    """What ``func`` gives for the same document read the typed way first."""
    pod = Pod.from_dict(_doc(meta))
    pod.metadata.name  # noqa: B018
    return _outcome(func, pod)


def _outcome(func: Any, obj: Any) -> Any:
    try:
        return ("ok", func(obj))
    except ValueError as err:
        return ("ValueError", str(err))


@pytest.mark.parametrize("meta", METAS, ids=repr)
def test_keys_of_unread_objects_equal_keys_of_loaded_ones(meta: Any) -> None:
    for func in [meta_namespace_key_func, *KEY_FUNCS]:
        expected = _reference(func, meta)
        for state, pod in _states(meta).items():
            assert _outcome(func, pod) == expected, (func.__name__, state)


@pytest.mark.parametrize("meta", METAS, ids=repr)
def test_every_metadata_field_peeks_as_the_typed_read_gives_it(meta: Any) -> None:
    for info in ObjectMeta.FIELDS:
        typed = Pod.from_dict(_doc(meta)).metadata
        expected = getattr(typed, info.name)
        for state, pod in _states(meta).items():
            got = peek_meta(pod, info.wire)
            assert got == expected and type(got) is type(expected), (info.wire, state)


@pytest.mark.parametrize("meta", METAS, ids=repr)
def test_the_key_functions_leave_an_unread_object_unread(meta: Any) -> None:
    states = _states(meta)
    for state in ("unread dict", "unread list item"):
        pod = states[state]
        for func in [meta_namespace_key_func, *KEY_FUNCS]:
            _outcome(func, pod)
        assert _is_unread(pod), state
    # and an unread ObjectMeta inside a loaded Pod stays unread too
    loaded = states["loaded, metadata unread"]
    inner = loaded.__dict__.get("metadata")
    for func in KEY_FUNCS:
        _outcome(func, loaded)
    if inner is not None:
        assert _is_unread(inner)


def test_a_list_item_parses_once_and_loads_from_the_kept_dict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    doc = _doc(METAS[0])
    body = orjson.dumps({"apiVersion": "v1", "kind": "PodList", "items": [doc, doc]})
    peeked, fresh = PodList.from_json(body).items
    parses: list[int] = []
    parse = ItemJSON.parse

    def counted(item: ItemJSON) -> Any:  # a spy: the real parse, counted
        parses.append(len(item.data))
        return parse(item)

    monkeypatch.setattr(ItemJSON, "parse", counted)
    assert meta_namespace_key_func(peeked) == "default/web"
    assert object_uid(peeked) == "u-1" and object_resource_version(peeked) == "17"
    assert _is_unread(peeked)
    peeked.spec  # noqa: B018 - the first field read loads it
    assert len(parses) == 1  # once, for the key; the load copied the kept dict
    monkeypatch.undo()
    # The parsed dict took the text's place: the object holds the same document, encodes
    # and loads to the same values as one that was never peeked.
    assert peeked == fresh
    assert orjson.loads(peeked.to_json()) == orjson.loads(fresh.to_json())
    assert peeked.to_dict() == fresh.to_dict() == doc
    assert peeked.spec == fresh.spec and peeked.metadata.uid == "u-1"
    assert not _is_unread(peeked)


def test_kinds_without_namespace_and_objects_changed_after_loading() -> None:
    ns = Namespace.from_dict({"metadata": {"name": "team-a", "labels": {"t": "a"}}})
    assert meta_namespace_key_func(ns) == "team-a" and object_labels(ns) == {"t": "a"}
    assert _is_unread(ns)
    pod = Pod.from_dict(_doc(METAS[0]))
    pod.metadata.name = "renamed"
    pod.metadata.labels = {"new": "1"}
    assert meta_namespace_key_func(pod) == "default/renamed"
    assert object_labels(pod) == {"new": "1"}
    pod.metadata = ObjectMeta(name="other", namespace="x")
    assert meta_namespace_key_func(pod) == "x/other"
    pod.metadata = None  # type: ignore[assignment]
    with pytest.raises(ValueError, match="no metadata.name"):
        meta_namespace_key_func(pod)
    assert object_labels(pod) == {}


def test_threads_peeking_while_others_load_always_get_the_right_keys() -> None:
    """Informer caches share objects across threads: a key read racing the first field
    read of another thread (which loads the object) must still answer right."""
    docs = [
        _doc({"name": f"p{i}", "namespace": f"ns{i % 3}", "labels": {"i": str(i)}})
        for i in range(300)
    ]
    body = orjson.dumps({"apiVersion": "v1", "kind": "PodList", "items": docs})
    expected = [f"ns{i % 3}/p{i}" for i in range(300)]
    errors: list[BaseException] = []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often: the window is a few bytecodes
    try:
        for _ in range(8):
            pods = PodList.from_json(body).items
            barrier = threading.Barrier(6)

            def peek(pods: list[Pod] = pods, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                try:
                    assert [meta_namespace_key_func(p) for p in pods] == expected
                    assert [object_labels(p)["i"] for p in pods] == [str(i) for i in range(300)]
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            def load(pods: list[Pod] = pods, barrier: threading.Barrier = barrier) -> None:
                barrier.wait()
                try:
                    assert all(p.spec.containers[0].name == "c" for p in pods)
                    assert [p.metadata.name for p in pods] == [f"p{i}" for i in range(300)]
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            threads = [threading.Thread(target=f) for f in (peek, load) * 3]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            assert [p.to_dict() for p in pods] == docs
            assert [meta_namespace_key_func(p) for p in pods] == expected
    finally:
        sys.setswitchinterval(switch)
    assert errors == []
