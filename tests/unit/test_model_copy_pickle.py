"""The ``dataclasses`` functions, ``copy.copy`` and pickling of generated models and enums.

* ``dataclasses.replace`` keeps ``extra_fields`` (unknown fields, explicit nulls), through the
  ``InitVar`` pseudo-field ``extra_fields`` that the generated ``__init__`` accepts.
* ``copy.copy`` is the shallow copy a dataclass gets, whether the object was read or not.
* Members of generated string enums pickle naming the package, as models do.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import pickle
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from kube_clientgen_api.kubernetes.core.v1 import ConfigMap, Container, Pod, PodList, PodSpec
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.core.model import Model
from tests.helpers import FIXTURES, generate, import_generated, read_all, unique_package_dir

DOC: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "zz": 1,
    "status": None,
    "metadata": {"name": "web", "labels": {"app": "web"}, "newField": {"a": [1]}},
    "spec": {"containers": [{"name": "c", "image": "nginx", "futureField": True}]},
}


def _pod(how: str) -> Pod:
    if how == "list item":
        return PodList.from_json(orjson.dumps({"items": [DOC]})).items[0]
    pod = Pod.from_json(orjson.dumps(DOC))
    if how == "read":
        read_all(pod)
    return pod


HOWS = ["unread", "read", "list item"]


def _unread(obj: Model) -> bool:
    return object.__getattribute__(obj, "_raw") is not None


# -- dataclasses ------------------------------------------------------------------------


def test_replace_keeps_extra_fields_and_nulls_the_issue_example() -> None:
    p = Pod.from_json(b'{"zz":1,"status":null}')
    out = orjson.loads(dataclasses.replace(p, kind="Pod").to_json())
    assert out["zz"] == 1 and "status" in out and out["status"] is None
    assert out["kind"] == "Pod"


@pytest.mark.parametrize("how", HOWS)
def test_replace_keeps_extra_fields_at_every_level(how: str) -> None:
    pod = _pod(how)
    renamed = dataclasses.replace(pod, kind="Pod2")
    assert orjson.loads(renamed.to_json()) == {**DOC, "kind": "Pod2"}
    assert renamed.extra_fields == {"zz": 1, "status": None}
    same = dataclasses.replace(pod)
    assert same == pod and same is not pod and orjson.loads(same.to_json()) == DOC
    assert same.metadata is pod.metadata  # replace is shallow, as for any dataclass
    meta = dataclasses.replace(pod.metadata, name="other")
    assert meta.extra_fields == {"newField": {"a": [1]}} and meta.name == "other"
    assert pod.metadata.name == "web"
    # the InitVar can be replaced too: the new object gets exactly those extra fields
    swapped = dataclasses.replace(pod, extra_fields={"other": [2]})
    assert swapped.extra_fields == {"other": [2]}
    assert "zz" not in orjson.loads(swapped.to_json())
    cleared = dataclasses.replace(pod, extra_fields=None)
    assert cleared.extra_fields == {} and pod.extra_fields == {"zz": 1, "status": None}


def test_the_constructor_takes_extra_fields_and_attributes_win() -> None:
    pod = Pod(metadata=ObjectMeta(name="a"), extra_fields={"x": None, "kind": "Old", "y": 1})
    assert orjson.loads(pod.to_json()) == {
        "x": None,
        "y": 1,
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": {"name": "a"},
    }
    given = {"x": 1}
    built = ConfigMap(extra_fields=given)
    given["x"] = 2  # the object took a copy
    assert built.extra_fields == {"x": 1}
    assert ConfigMap(extra_fields={}).extra_fields == {} and ConfigMap() == ConfigMap(
        extra_fields={}
    )


def test_dataclass_functions_see_only_the_real_fields() -> None:
    pod = _pod("unread")
    assert dataclasses.is_dataclass(pod) and dataclasses.is_dataclass(Pod)
    names = [f.name for f in dataclasses.fields(pod)]
    assert names == ["api_version", "kind", "metadata", "spec", "status"]
    assert "extra_fields" in Pod.__dataclass_fields__
    init_var = Pod.__dataclass_fields__["extra_fields"]
    assert init_var._field_type is dataclasses._FIELD_INITVAR  # type: ignore[attr-defined]
    assert init_var.default is None and init_var.kw_only
    as_dict = dataclasses.asdict(pod)
    assert set(as_dict) == set(names) and as_dict["metadata"]["name"] == "web"
    assert as_dict["metadata"]["labels"] == {"app": "web"}
    assert dataclasses.astuple(ConfigMap(data={"a": "b"}))[2] == {"a": "b"}
    assert len(dataclasses.astuple(pod)) == len(names)
    assert repr(pod).startswith("Pod(api_version='v1', kind='Pod', metadata=ObjectMeta(")
    assert "extra_fields" not in repr(pod)


def test_a_wire_field_named_extra_fields_does_not_collide(tmp_path: Path) -> None:
    crd = """
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.x.example.com}
spec:
  group: x.example.com
  scope: Namespaced
  names: {kind: Thing, plural: things, singular: thing}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                extraFields: {type: object, additionalProperties: {type: string}}
                extra_fields: {type: integer}
"""
    source = tmp_path / "thing.yaml"
    source.write_text(crd)
    out = unique_package_dir(tmp_path, "collide")
    assert generate([source], out) == 0
    with import_generated(out) as package:
        v1 = importlib.import_module(f"{package.__name__}.x_example_com.v1")
        names = {f.wire: f.name for f in v1.ThingSpec.FIELDS}
        assert "extra_fields" not in names.values()
        doc = {"extraFields": {"a": "b"}, "extra_fields": 3, "unknown": None}
        spec = v1.ThingSpec.from_dict(doc)
        assert getattr(spec, names["extraFields"]) == {"a": "b"}
        assert getattr(spec, names["extra_fields"]) == 3
        assert spec.extra_fields == {"unknown": None}
        assert dataclasses.replace(spec).to_dict() == doc
        changed = dataclasses.replace(spec, **{names["extra_fields"]: 4})
        assert changed.to_dict() == {**doc, "extra_fields": 4}


# -- copy.copy ---------------------------------------------------------------------------


@pytest.mark.parametrize("how", HOWS)
def test_copy_copy_is_the_dataclass_shallow_copy_read_or_not(how: str) -> None:
    pod = _pod(how)
    shallow = copy.copy(pod)
    assert shallow is not pod and shallow.__class__ is Pod
    assert shallow.metadata is pod.metadata and shallow.spec is pod.spec
    assert shallow.metadata.labels is pod.metadata.labels
    assert shallow.spec is not None and pod.spec is not None
    assert shallow.spec.containers is pod.spec.containers
    assert shallow == pod and shallow.extra_fields == pod.extra_fields
    assert orjson.loads(shallow.to_json()) == DOC
    shallow.kind = "Changed"  # its own fields, shared children
    shallow.metadata.labels["more"] = "1"  # type: ignore[index]
    assert pod.kind == "Pod" and pod.metadata.labels == {"app": "web", "more": "1"}


@pytest.mark.parametrize("how", HOWS)
def test_deepcopy_deep_copy_and_pickle_still_copy_everything_and_stay_unread(how: str) -> None:
    for make in (copy.deepcopy, Pod.deep_copy, lambda p: pickle.loads(pickle.dumps(p))):
        pod = _pod(how)
        other = make(pod)
        if how != "read":
            assert _unread(pod) and _unread(other)
        assert other == pod and orjson.loads(other.to_json()) == DOC
        assert other.metadata is not pod.metadata
        assert other.metadata.labels is not pod.metadata.labels


def test_copy_copy_keeps_fields_set_before_loading_and_a_subclass_state() -> None:
    pod = _pod("unread")
    pod.kind = "Set"
    shallow = copy.copy(pod)
    assert shallow.kind == "Set" and shallow.metadata is pod.metadata
    assert shallow.extra_fields == {"zz": 1, "status": None}

    class Noted(Pod):  # a subclass declares its own state; models take their fields only
        __slots__ = ("note",)

    noted = Noted.from_json(orjson.dumps(DOC))
    noted.note = "mine"  # type: ignore[attr-defined]
    again = copy.copy(noted)
    assert again.__class__ is Noted and again.note == "mine"  # type: ignore[attr-defined]
    assert again.metadata is noted.metadata and again == noted


def test_copy_copy_of_a_built_object() -> None:
    spec = PodSpec(containers=[Container(name="c")])
    shallow = copy.copy(spec)
    assert shallow == spec and shallow.containers is spec.containers


# -- enum pickles ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = unique_package_dir(tmp_path_factory.mktemp("shapes"), "shapes_pickle")
    assert generate([FIXTURES / "crds" / "shapes.yaml"], out) == 0
    with import_generated(out) as package:
        yield importlib.import_module(f"{package.__name__}.test_example_com.v1")


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_enum_members_pickle_naming_the_package(shapes: ModuleType, protocol: int) -> None:
    color = shapes.ShapeSpecColor
    chunk = color.__module__
    public = f"{shapes.__name__}.models"
    assert chunk.startswith(public + "._")  # the private module the generator chose
    member = color.RED
    data = pickle.dumps(member, protocol=protocol)
    assert chunk.encode() not in data and public.encode() in data
    assert pickle.loads(data) is member
    assert copy.copy(member) is member and copy.deepcopy(member) is member
    # inside a model, decoded from the wire
    spec = shapes.ShapeSpec.from_dict({"size": "1", "color": "Red", "colors": ["Blue", "New"]})
    assert spec.color is color.RED
    back = pickle.loads(pickle.dumps(spec, protocol=protocol))
    read_all(back)
    assert back == spec and back.color is color.RED
    assert back.colors == [shapes.ShapeSpecColors.BLUE, "New"]
    assert chunk.encode() not in pickle.dumps(back, protocol=protocol)


def test_every_enum_of_a_package_unpickles_through_the_package(shapes: ModuleType) -> None:
    import enum

    models = importlib.import_module(f"{shapes.__name__}.models")
    enums = [
        cls
        for name in models.__all__
        if isinstance(cls := getattr(models, name), type) and issubclass(cls, enum.Enum)
    ]
    assert len(enums) >= 2
    for cls in enums:
        assert issubclass(cls, enum.StrEnum)
        for member in cls:
            assert pickle.loads(pickle.dumps(member)) is member
