"""kubecore.runtime building blocks without I/O: keys, label selectors, the indexed store."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kubecore.client.unstructured import Unstructured
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.keys import (
    DeletedFinalStateUnknown,
    meta_namespace_key_func,
    object_resource_version,
    split_meta_namespace_key,
)
from kubecore.runtime.labels import parse_selector
from kubecore.runtime.store import NAMESPACE_INDEX, Indexer


def typed(name: str, namespace: str | None = "default", **labels: str) -> VirtualMachine:
    meta = ObjectMeta(name=name, namespace=namespace, labels=labels or None, resource_version="3")
    return VirtualMachine(metadata=meta)


def unstructured(name: str, namespace: str = "", **labels: str) -> Unstructured:
    meta: dict[str, Any] = {"name": name, "resourceVersion": "9"}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    return Unstructured({"apiVersion": "v1", "kind": "X", "metadata": meta})


def test_keys_of_typed_unstructured_and_tombstones() -> None:
    assert meta_namespace_key_func(typed("a")) == "default/a"
    assert meta_namespace_key_func(typed("n", None)) == "n"
    assert meta_namespace_key_func(unstructured("u", "ns")) == "ns/u"
    assert meta_namespace_key_func(unstructured("c")) == "c"
    assert meta_namespace_key_func(DeletedFinalStateUnknown("ns/gone", None)) == "ns/gone"
    assert meta_namespace_key_func("explicit/key") == "explicit/key"
    assert object_resource_version(typed("a")) == "3"
    assert object_resource_version(unstructured("u")) == "9"
    with pytest.raises(ValueError, match="no metadata.name"):
        meta_namespace_key_func(VirtualMachine())


def test_split_meta_namespace_key() -> None:
    assert split_meta_namespace_key("ns/name") == ("ns", "name")
    assert split_meta_namespace_key("name") == ("", "name")
    with pytest.raises(ValueError, match="unexpected key format"):
        split_meta_namespace_key("a/b/c")


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("", {}, True),
        ("app=web", {"app": "web"}, True),
        ("app==web", {"app": "db"}, False),
        ("app!=web", {}, True),
        ("app in (web, db)", {"app": "db"}, True),
        ("app notin (web,db)", {"app": "db"}, False),
        ("app notin (web)", {}, True),
        ("app", {"app": ""}, True),
        ("!app", {"app": "x"}, False),
        ("app=web,tier", {"app": "web"}, False),
        ("app=web, tier in (front)", {"app": "web", "tier": "front"}, True),
        # QA: Gt/Lt were read as "a label named 'n>4' exists" and matched nothing.
        ("n>4", {"n": "5"}, True),
        ("n>4", {"n": "4"}, False),
        ("n<10", {"n": "-3"}, True),
        ("n>4", {"n": "five"}, False),
        ("n>4", {}, False),
        # labels.Parse: an empty value list and doubled commas hold the empty value.
        ("app in ()", {"app": ""}, True),
        ("app in (web,,db)", {"app": ""}, True),
        ("tier notin ()", {"tier": ""}, False),
    ],
)
def test_label_selectors(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_selector(selector)(labels) is expected


def test_a_bad_label_selector_names_the_requirement() -> None:
    with pytest.raises(ValueError, match="'a b c'"):
        parse_selector("app=web,a b c")


@pytest.mark.parametrize(
    ("selector", "named"),
    [
        ("n>x", "'x' in requirement 'n>x' is not an integer"),
        ("app=we$b", "'we$b' in requirement 'app=we$b' is not a valid label value"),
        ("app=" + "x" * 64, "is not a valid label value"),
        ("app in (web,-db)", "'-db' in requirement"),
        ("Bad_Prefix.io/app", "invalid label key 'Bad_Prefix.io/app'"),
        ("app=web,", "invalid label selector requirement ''"),
        (",app", "invalid label selector requirement ''"),
    ],
)
def test_label_selectors_are_checked_as_labels_parse_checks_them(selector: str, named: str) -> None:
    """QA: values, keys and empty requirements were not checked, so a selector that can
    never match (a 64-character value, ``we$b``) silently matched nothing; apimachinery's
    ``labels.Parse`` refuses them, and so do listers, the fakes and the test server."""
    with pytest.raises(ValueError) as caught:
        parse_selector(selector)
    assert named in str(caught.value)


def test_indexer_reads_writes_and_indexes() -> None:
    def by_app(obj: Any) -> list[str]:
        return [obj.metadata.labels["app"]] if obj.metadata.labels else []

    store: Indexer[VirtualMachine] = Indexer(indexers={"app": by_app})
    a, b, c = typed("a", app="web"), typed("b", "other", app="web"), typed("c", app="db")
    for obj in (a, b, c):
        store.add(obj)
    assert store.get_by_key("default/a") is a and store.get(typed("c")) is c
    assert sorted(store.list_keys()) == ["default/a", "default/c", "other/b"]
    assert sorted(o.metadata.name for o in store.by_index(NAMESPACE_INDEX, "default")) == ["a", "c"]
    assert sorted(store.index_keys("app", "web")) == ["default/a", "other/b"]
    moved = typed("a", app="db")
    store.update(moved)  # re-indexed: no longer under "web"
    assert store.index_keys("app", "web") == ["other/b"]
    assert sorted(store.index_keys("app", "db")) == ["default/a", "default/c"]
    store.delete(c)
    store.delete("not/there")
    assert store.index_keys("app", "db") == ["default/a"] and len(store) == 2
    assert sorted(store.list_index_func_values("app")) == ["db", "web"]
    store.replace([typed("z", "ns", app="new")])
    assert store.list_keys() == ["ns/z"] and store.index_keys("app", "web") == []
    assert store.get_by_key("default/a") is None
    with pytest.raises(KeyError, match="nope"):
        store.by_index("nope", "x")


def test_indexers_added_later_index_what_is_there_and_names_do_not_clash() -> None:
    store: Indexer[Unstructured] = Indexer()
    store.add(unstructured("u", "ns", team="a"))
    store.add_indexers({"team": lambda o: [o.labels.get("team", "")]})
    assert store.index_keys("team", "a") == ["ns/u"]
    with pytest.raises(ValueError, match="conflict"):
        store.add_indexers({"namespace": lambda o: []})


def test_indexer_is_consistent_under_concurrent_writers() -> None:
    store: Indexer[VirtualMachine] = Indexer()

    def writer(namespace: str) -> None:
        for i in range(300):
            store.add(typed(f"o{i}", namespace))
            if i % 3 == 0:
                store.delete(typed(f"o{i}", namespace))

    threads = [threading.Thread(target=writer, args=(f"ns{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store) == 4 * 200
    for n in range(4):
        assert len(store.index_keys(NAMESPACE_INDEX, f"ns{n}")) == 200
