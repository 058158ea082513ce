"""``==`` of models and Unstructured objects is "the same JSON document after encoding" for
every value whose JSON type the schema leaves open: unknown fields, free-form and
preserve-unknown-fields values, int-or-string, unions. ``1``, ``1.0`` and ``True`` differ
there (a controller comparing desired with actual must not skip an update), NaN never
equals, and the answer does not depend on whether an object was read yet.
"""

from __future__ import annotations

import importlib
import json
import math
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import orjson
import pytest

from kube_clientgen_api.kubernetes.apps.v1 import Deployment, RollingUpdateDeployment
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap, Pod, PodList
from kubecore.core.generated.meta_v1 import ManagedFieldsEntry, ObjectMeta
from kubecore.core.jsoneq import same_json
from kubecore.core.quantity import Quantity
from kubecore.core.unstructured import Unstructured
from tests.helpers import FIXTURES, generate, import_generated, read_all, unique_package_dir

Decode = Callable[[type[Any], dict[str, Any]], Any]


def _unread(cls: type[Any], doc: dict[str, Any]) -> Any:
    return cls.from_json(orjson.dumps(doc))


def _read(cls: type[Any], doc: dict[str, Any]) -> Any:
    obj = cls.from_json(orjson.dumps(doc))
    read_all(obj)
    return obj


def _list_item(cls: type[Any], doc: dict[str, Any]) -> Any:
    if cls is not Pod:
        return _unread(cls, doc)
    return PodList.from_json(orjson.dumps({"items": [doc]})).items[0]


@pytest.fixture(params=[_unread, _read, _list_item], ids=["unread", "read", "list-item"])
def decode(request: pytest.FixtureRequest) -> Decode:
    fn: Decode = request.param
    return fn


def _differ(decode: Decode, cls: type[Any], one: dict[str, Any], two: dict[str, Any]) -> None:
    a, b = decode(cls, one), decode(cls, two)
    assert a.to_json() != b.to_json()  # the premise: they encode differently
    assert a != b and b != a and not a == b
    # mixed: one read, the other not
    assert _read(cls, one) != _unread(cls, two) and _unread(cls, one) != _read(cls, two)
    assert decode(cls, one) == _read(cls, one) == _unread(cls, one)


@pytest.mark.parametrize(
    ("one", "two"),
    [
        (1, True),
        (1, 1.0),
        (0, False),
        (0.0, False),
        ("1", 1),
        ([1], [True]),
        ({"a": 1}, {"a": 1.0}),
    ],
)
def test_unknown_fields_compare_as_json(decode: Decode, one: Any, two: Any) -> None:
    _differ(decode, ConfigMap, {"x": one}, {"x": two})
    _differ(
        decode, Pod, {"spec": {"future": {"deep": [one]}}}, {"spec": {"future": {"deep": [two]}}}
    )


def test_the_issue_example_read_or_unread() -> None:
    a, b = ConfigMap.from_json('{"x":1}'), ConfigMap.from_json('{"x":true}')
    assert a != b
    assert a.data is None and b.data is None  # now both are read
    assert a != b
    assert a.to_json() != b.to_json()


def test_the_same_document_is_equal_whatever_the_key_order(decode: Decode) -> None:
    one = {"metadata": {"name": "a", "labels": {"x": "1", "y": "2"}}, "z": {"b": 1, "a": [1.5]}}
    two = {"z": {"a": [1.5], "b": 1}, "metadata": {"labels": {"y": "2", "x": "1"}, "name": "a"}}
    assert decode(Pod, one) == decode(Pod, two) == _read(Pod, two) == _unread(Pod, one)


def test_free_form_fields_compare_as_json(decode: Decode) -> None:
    assert ManagedFieldsEntry._LOOSE_FIELDS == ("fields_v1",)
    one = {"manager": "m", "fieldsV1": {"f:spec": {"f:replicas": 1}}}
    two = {"manager": "m", "fieldsV1": {"f:spec": {"f:replicas": True}}}
    _differ(decode, ManagedFieldsEntry, one, two)
    meta = {"name": "a", "managedFields": [one]}
    _differ(decode, Pod, {"metadata": meta}, {"metadata": {**meta, "managedFields": [two]}})


def test_int_or_string_fields_compare_as_json() -> None:
    assert RollingUpdateDeployment._LOOSE_FIELDS == ("max_surge", "max_unavailable")
    assert RollingUpdateDeployment(max_surge=1) != RollingUpdateDeployment(max_surge=True)
    assert RollingUpdateDeployment(max_surge=1) != RollingUpdateDeployment(max_surge="1")
    assert RollingUpdateDeployment(max_surge="25%") == RollingUpdateDeployment(max_surge="25%")

    def deployment(surge: Any) -> dict[str, Any]:
        return {"spec": {"strategy": {"rollingUpdate": {"maxSurge": surge}}}}

    for decode in (_unread, _read):
        _differ(decode, Deployment, deployment(1), deployment("1"))
        assert decode(Deployment, deployment(2)) == _read(Deployment, deployment(2))


def test_typed_fields_keep_their_meaning() -> None:
    # A typed field's value has one JSON type per the schema (a wrong one is kept in
    # extra_fields, so it differs); Quantities compare by value, as kubectl and the
    # apiserver do.
    assert not Pod._LOOSE_FIELDS
    # Maps and lists of strings are checked only as maps and lists when decoded, so their
    # items' JSON types count for ==: labels {"a": 0} and {"a": False} differ.
    assert ObjectMeta._LOOSE_FIELDS == ("annotations", "finalizers", "labels")
    for decode in (_unread, _read):
        _differ(
            decode, Pod, {"metadata": {"labels": {"": 0}}}, {"metadata": {"labels": {"": False}}}
        )
    for one, two in [({"hostNetwork": True}, {"hostNetwork": 1})]:
        assert _unread(Pod, {"spec": one}) != _unread(Pod, {"spec": two})
        assert _read(Pod, {"spec": one}) != _read(Pod, {"spec": two})

    def limits(cpu: Any) -> dict[str, Any]:
        return {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": cpu}}}]}}

    for decode in (_unread, _read):
        assert decode(Pod, limits("1")) == decode(Pod, limits("1000m")) == decode(Pod, limits(1))


def test_a_quantity_that_is_not_a_number_compares_without_raising(decode: Decode) -> None:
    def limits(cpu: Any) -> dict[str, Any]:
        return {"spec": {"containers": [{"name": "c", "resources": {"limits": {"cpu": cpu}}}]}}

    _differ(decode, Pod, limits(True), limits(1))
    _differ(decode, Pod, limits(1), limits(True))
    _differ(decode, Pod, limits([1]), limits([1.0]))
    _differ(decode, Pod, limits(True), limits("true"))
    assert decode(Pod, limits(True)) == _read(Pod, limits(True))


def test_quantity_eq_returns_not_implemented_for_types_it_does_not_compare() -> None:
    q = Quantity(1)
    for other in (True, False, None, [1], {"a": 1}, object()):
        assert q.__eq__(other) is NotImplemented
        assert q != other and other != q
    assert Quantity(True) != Quantity(1) and Quantity(1) != Quantity(True)
    assert Quantity(True) == Quantity(True) and Quantity("x") == Quantity("x") == "x"
    assert Quantity(True) != "True" and Quantity(True) != Quantity("true")
    assert Quantity("1") == Quantity("1000m") == 1 == Quantity(1.0)
    assert {Quantity("1"): "a"}[Quantity("1000m")] == "a"  # equal ones hash alike


def test_nan_never_equals_even_the_same_object() -> None:
    doc: dict[str, Any] = {"metadata": {"name": "a"}, "x": [math.nan]}
    a, b = Pod.from_dict(doc, copy=False), Pod.from_dict(doc, copy=False)  # one shared dict
    assert a != b  # unread
    read_all(a)
    read_all(b)
    # unknown fields are keys of the instance dict (the wire form)
    assert a.__dict__["x"] is b.__dict__["x"]  # the very same list holding the same NaN
    assert a != b  # read
    assert Unstructured(doc) != Unstructured(doc)
    items = {"items": [{"x": math.nan}]}  # NaN is not JSON: only a program's data holds one
    assert PodList.from_dict(items).items[0] != PodList.from_dict(items).items[0]
    # infinities are numbers: equal to themselves
    assert Pod.from_dict({"x": math.inf}) == Pod.from_dict({"x": math.inf})


def test_unstructured_compares_as_json() -> None:
    assert Unstructured({"a": 1}) != Unstructured({"a": True})
    assert Unstructured({"a": 1}) != Unstructured({"a": 1.0})
    assert Unstructured({"a": {"b": [0]}}) != Unstructured({"a": {"b": [False]}})
    assert Unstructured({"a": 1, "b": None}) == Unstructured({"b": None, "a": 1})
    big = 2**70  # beyond what orjson writes: compared item by item
    assert Unstructured({"a": big}) == Unstructured({"a": big})
    assert Unstructured({"a": big}) != Unstructured({"a": float(big)})
    assert Unstructured({"a": 1}).__eq__({"a": 1}) is NotImplemented


@pytest.mark.parametrize(
    ("one", "two", "same"),
    [
        (1, 1, True),
        (1, 1.0, False),
        (1, True, False),
        (0.0, -0.0, False),  # written 0.0 and -0.0
        ("a", "a", True),
        (None, None, True),
        ({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]}, True),
        ({"a": [1, {"b": None}]}, {"a": [1, {"b": 0}]}, False),
        ({"k": Quantity("1")}, {"k": Quantity("1000m")}, True),  # not JSON: compared by ==
        ({"k": Quantity(1)}, {"k": Quantity(True)}, False),
        ({1: "int keys"}, {1: "int keys"}, True),
        ({1: 1}, {1: 1.0}, False),
    ],
)
def test_same_json(one: Any, two: Any, same: bool) -> None:
    assert same_json(one, two) is same and same_json(two, one) is same


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = unique_package_dir(tmp_path_factory.mktemp("shapes"), "shapes_eq")
    assert generate([FIXTURES / "crds" / "shapes.yaml"], out) == 0
    with import_generated(out) as package:
        yield importlib.import_module(f"{package.__name__}.test_example_com.v1")


def test_crd_free_form_union_and_int_or_string_fields_compare_as_json(
    shapes: ModuleType,
) -> None:
    spec = shapes.ShapeSpec
    # port, either: int-or-string and a union; free, template: free-form; colors, labels:
    # a list and a map of strings (their items are not checked when decoded)
    assert set(spec._LOOSE_FIELDS) == {"port", "free", "template", "either", "colors", "labels"}
    base = {"size": "1", "ratio": 1}

    def both(decode: Decode) -> None:
        for field, one, two in [
            ("free", {"a": [1]}, {"a": [1.0]}),
            ("template", {"kind": "X", "n": 1}, {"kind": "X", "n": True}),
            ("port", 8080, "8080"),
            ("either", "true", True),
        ]:
            _differ(decode, spec, {**base, field: one}, {**base, field: two})
            assert decode(spec, {**base, field: one}) == _read(spec, {**base, field: one})

    both(_unread)
    both(_read)
    # a typed number field: 1 and 1.0 are the same number (what Go's float64 reads)
    assert _read(spec, {**base, "ratio": 1}) == _read(spec, {**base, "ratio": 1.0})
    assert _read(spec, {"size": "1"}) == _unread(spec, {"size": "1000m"})


@pytest.mark.parametrize("read", [False, True], ids=["unread", "read"])
@pytest.mark.parametrize("depth", [300, 600])
def test_deep_unknown_values_compare_without_recursion_error(read: bool, depth: int) -> None:
    """Past orjson's 254 levels ``same_json`` compares item by item; that walk recursed and
    raised RecursionError at about 400 levels of objects, a depth ``from_json``, ``to_dict``
    and ``to_json`` all handle."""

    def decode(leaf: Any) -> ConfigMap:
        value: Any = leaf
        for _ in range(depth):
            value = {"a": value}
        doc = {"apiVersion": "v1", "kind": "ConfigMap", "x": [value]}
        obj = ConfigMap.from_json(json.dumps(doc).encode())  # orjson stops at 254 levels
        if read:
            read_all(obj)
        return obj

    assert decode(1) == decode(1) and not decode(1) != decode(1)
    assert decode(1) != decode(True) and decode(1.0) != decode(1) and decode(2) != decode(1)
    assert same_json(decode(1).extra_fields, decode(1).extra_fields)
