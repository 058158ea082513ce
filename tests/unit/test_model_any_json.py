"""Decoding real data never fails and stays lossless: any JSON in any position (issue #9 §2).

A hypothesis property over every field position of a few real objects (a Pod, a Deployment
from ../shared, the VirtualMachine CRD example): put random JSON there (or remove the key),
decode, and the encoding is the same data, through JSON too; a deep copy is equal.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import Container, Pod, PodList, PodSpec
from kube_clientgen_api.kubernetes.events.v1 import Event
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kubecore.core import yamlio
from kubecore.core.model import Model
from tests.conftest import SPECS, requires_shared
from tests.helpers import FIXTURES, generate, import_generated, read_all, unique_package_dir
from tests.unit.test_models import POD

REPO = Path(__file__).resolve().parents[2]
_REMOVE = object()  # the mutation that deletes the key instead

Path_ = tuple[str | int, ...]

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
    | st.sampled_from(["1Gi", "500m", "2024-01-02T03:04:05Z", "Always", "TCP", "25%"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


def _positions(value: Any, data: Any, path: Path_, out: list[Path_]) -> None:
    """Every field of every typed object reachable in ``data`` (present or not), and every
    item of every list and map on the way."""
    if isinstance(value, Model) and isinstance(data, dict):
        for f in value.FIELDS:
            out.append((*path, f.wire))
            if f.wire in data:
                _positions(getattr(value, f.name), data[f.wire], (*path, f.wire), out)
    elif isinstance(value, list) and isinstance(data, list):
        for i, (v, d) in enumerate(zip(value, data, strict=True)):
            out.append((*path, i))
            _positions(v, d, (*path, i), out)
    elif isinstance(value, dict) and isinstance(data, dict):
        for k, d in data.items():
            out.append((*path, k))
            _positions(value.get(k), d, (*path, k), out)


def _mutated(doc: dict[str, Any], path: Path_, new: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    parent: Any = doc
    for key in path[:-1]:
        parent = parent[key]
    # An earlier mutation may have put a map where a list was (or the reverse): a key of
    # the wrong type would make a document that is not JSON (an int key in an object).
    if not isinstance(path[-1], str if isinstance(parent, dict) else int):
        raise TypeError(f"{path[-1]!r} cannot index {type(parent).__name__}")
    if new is _REMOVE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = new
    return doc


def _check_lossless(cls: type[Model], doc: dict[str, Any]) -> None:
    original = copy.deepcopy(doc)
    obj = cls.from_dict(doc)
    assert doc == original, "decoding must not change its input"
    assert obj.to_dict() == original
    assert cls.from_json(obj.to_json()).to_dict() == original
    twin = obj.deep_copy()
    assert twin == obj and twin.to_dict() == original
    # Decoding is lazy: nothing above built a field. Read everything, then check again.
    read = cls.from_dict(copy.deepcopy(original))
    read_all(read)
    assert read.to_dict() == original
    assert cls.from_json(read.to_json()).to_dict() == original
    assert read == obj and obj == read and read.deep_copy() == read


def _property(cls: type[Model], doc: dict[str, Any]) -> Any:
    positions: list[Path_] = []
    _positions(cls.from_dict(copy.deepcopy(doc)), doc, (), positions)
    assert len(positions) > 20

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        st.lists(
            st.tuples(st.sampled_from(positions), _JSON | st.just(_REMOVE)), min_size=1, max_size=3
        )
    )
    def check(mutations: list[tuple[Path_, Any]]) -> None:
        mutated = doc
        for path, value in mutations:
            try:
                mutated = _mutated(mutated, path, value)
            except (KeyError, IndexError, TypeError):
                continue  # an earlier mutation replaced this position's parent
        kind, version = mutated.get("kind"), mutated.get("apiVersion")
        other_kind = (isinstance(kind, str) and kind != cls.KIND) or (  # type: ignore[attr-defined]
            isinstance(version, str) and version != cls.API_VERSION  # type: ignore[attr-defined]
        )
        if other_kind:
            with pytest.raises(ValueError, match="not "):
                cls.from_dict(mutated)
        else:
            _check_lossless(cls, mutated)

    return check


def test_any_json_anywhere_in_a_pod_round_trips() -> None:
    _property(Pod, POD)()


def test_any_json_anywhere_in_a_virtual_machine_round_trips() -> None:
    (doc,) = yamlio.load_all((REPO / "examples" / "manifests" / "public-wx.yaml").read_text())
    _property(VirtualMachine, doc)()


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = unique_package_dir(tmp_path_factory.mktemp("shapes"), "anyjson_shapes")
    assert generate([FIXTURES / "crds" / "shapes.yaml"], out) == 0
    with import_generated(out) as package:
        yield importlib.import_module(f"{package.__name__}.test_example_com.v1")


def test_any_json_anywhere_in_a_crd_object_of_every_shape_round_trips(shapes: ModuleType) -> None:
    """The fixture CRD has every field shape: enums (alone and in lists), Time, Quantity
    (alone and in maps), int-or-string, unions, embedded and preserve-unknown objects."""
    doc = {
        "apiVersion": "test.example.com/v1",
        "kind": "Shape",
        "metadata": {"name": "s", "creationTimestamp": "2030-01-01T00:00:00Z"},
        "spec": {
            "size": "1.5Gi",
            "port": "http",
            "color": "Purple",
            "colors": ["Red", "Ultraviolet"],
            "when": "2030-01-01T00:00:00Z",
            "labels": {"a": "b"},
            "limits": {"cpu": 2, "memory": "1Gi"},
            "free": {"anything": {"goes": [1, None]}},
            "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}},
            "typedTemplate": {"apiVersion": "v1", "kind": "X", "metadata": {"name": "t"}},
            "rules": [{"name": "r", "from": "a", "nested": {"deep": {"value": "v"}}}],
            "choice": {"a": "x"},
            "either": False,
        },
        "status": {
            "replicas": 1,
            "conditions": [{"type": "Ready", "lastTransitionTime": "2030-01-01T00:00:00Z"}],
        },
    }
    _property(shapes.Shape, doc)()


@requires_shared
def test_any_json_anywhere_in_a_real_deployment_round_trips() -> None:
    path = SPECS / "examples" / "kube-prometheus" / "prometheusOperator-deployment.yaml"
    (doc,) = yamlio.load_all(path.read_text())
    _property(Deployment, doc)()


def test_the_shapes_real_objects_crashed_on() -> None:
    """#9 §2: a string where an object is expected, ``[null]`` for a list of objects, a null
    in a nested list of objects, and the rest of the kind."""
    cases: list[dict[str, Any]] = [
        {"spec": "see the docs"},
        {"spec": {"containers": [None]}},
        {"spec": {"containers": [{"name": "a", "ports": [None, {"containerPort": 1}]}]}},
        {"spec": {"containers": 5}},
        {"spec": {"containers": {"name": "a"}}},
        {"spec": {"containers": "a"}},
        {"spec": {"nodeSelector": ["a"]}},
        {"spec": {"nodeSelector": {"a": None}}},
        {"spec": {"overhead": {"cpu": None}}},
        {"spec": {"overhead": {"cpu": [1]}}},
        {"spec": {"affinity": [{"nodeAffinity": {}}]}},
        {"metadata": "x"},
        {"metadata": {"labels": {"a": 1}, "ownerReferences": [None]}},
        {"status": {"conditions": [{"type": "Ready", "lastTransitionTime": 1714000000}]}},
    ]
    for doc in cases:
        _check_lossless(Pod, doc)
    _check_lossless(PodList, {"items": [None, "x", {"spec": 1}]})
    _check_lossless(PodList, {"items": {"a": {}}})


def test_a_wrong_shape_is_kept_in_extra_fields_and_the_attribute_stays_typed() -> None:
    pod = Pod.from_dict({"spec": "see the docs", "metadata": 7})
    assert pod.spec is None and pod.extra_fields == {"spec": "see the docs", "metadata": 7}
    assert pod.metadata.name is None  # always set: an empty ObjectMeta, not encoded
    pod.metadata.name = "web"  # a change wins over the kept value
    assert pod.to_dict() == {"spec": "see the docs", "metadata": {"name": "web"}}
    spec = PodSpec.from_dict({"containers": [None, {"name": "a"}]})
    assert spec.containers == [] and spec.extra_fields == {"containers": [None, {"name": "a"}]}
    assert Container.from_dict({"name": 5}).name == ""  # required str: empty, 5 kept
    assert Container.from_dict({"name": 5}).to_dict() == {"name": 5}


def test_an_integer_in_a_date_time_field_comes_back_as_the_integer() -> None:
    event = Event.from_dict({"eventTime": 1714000000, "deprecatedFirstTimestamp": [1]})
    assert event.event_time is None and event.deprecated_first_timestamp is None
    assert event.to_dict() == {"eventTime": 1714000000, "deprecatedFirstTimestamp": [1]}
    assert isinstance(event.to_dict()["eventTime"], int)
