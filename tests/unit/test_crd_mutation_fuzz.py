"""A hypothesis fuzz over mutated real CRDs (issue #9 section 1): every run either generates
a package that imports and round-trips an instance of every kind it defines, or exits 2
naming the file, the document and a JSON pointer. Never a traceback, never exit 1.

The budget is bounded (``max_examples``) so it runs in ``make test`` in seconds. Real CRDs
come from ../shared when present; the repository's own fixture CRDs otherwise.
"""

from __future__ import annotations

import copy
import importlib
import json
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import SPECS
from tests.helpers import CRDS, REPO, generate_capture, import_generated, unique_package_dir

_REAL = [
    SPECS / "crds" / "external-snapshotter" / "snapshot.storage.k8s.io_volumesnapshotclasses.yaml",
    SPECS / "crds" / "external-snapshotter" / "snapshot.storage.k8s.io_volumesnapshots.yaml",
]
SOURCES = [p for p in _REAL if p.is_file()] or [CRDS / "widget.yaml", CRDS / "gadget.yaml"]
BASES: list[dict[str, Any]] = [yaml.safe_load(p.read_text()) for p in SOURCES]


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Every place in the document (the keys and indexes leading to each value)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


PATHS = [_paths(base) for base in BASES]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.sampled_from(["", "x", "object", "array", "string", "v1", "Foo", "-", "a.b"])
    | st.text(max_size=4),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(
        st.sampled_from(["type", "properties", "items", "a", "name", 1, True])
        | st.text(max_size=3),
        inner,
        max_size=3,
    ),
    max_leaves=6,
)


@st.composite
def mutated_crds(draw: st.DrawFn) -> dict[str, Any]:
    which = draw(st.integers(0, len(BASES) - 1))
    doc = copy.deepcopy(BASES[which])
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(PATHS[which]))
        parent: Any = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this place
    return doc


_POINTER = re.compile(r"\[doc 0\]:/\S*: ")


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=mutated_crds())
def test_mutated_crds_generate_or_exit_2_with_a_pointer(
    tmp_path: Path, doc: dict[str, Any]
) -> None:
    path = tmp_path / "crd.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))  # keys may be 1 or true
    out = unique_package_dir(tmp_path)
    code, err = generate_capture([path], out)
    event(f"exit status {code}")
    assert "Traceback" not in err
    if code == 2:
        assert f"kube-clientgen: error: {path}" in err, err
        assert _POINTER.search(err), err
        return
    assert code == 0, err
    with import_generated(out) as package:
        scheme = importlib.import_module(package.__name__ + ".scheme").scheme
        kinds = [(v, k) for v, k in scheme if not k.endswith("List")]
        assert kinds, "a generated package defines its kinds"
        for api_version, kind in kinds:
            data = {
                "apiVersion": api_version,
                "kind": kind,
                "metadata": {"name": "x"},
                "extra": [1],
            }
            obj = scheme.from_dict(copy.deepcopy(data))
            assert type(obj).__name__ != "dict", (api_version, kind)
            assert scheme.to_dict(obj) == data


# The same for OpenAPI: a small real swagger (ConfigMap and what it refers to, from the
# vendored Kubernetes spec, which is in the repository), mutated at random places.
def _small_swagger() -> dict[str, Any]:
    full = json.loads(SWAGGER.read_text())
    wanted, todo = {}, ["io.k8s.api.core.v1.ConfigMap"]
    while todo:
        name = todo.pop()
        if name in wanted:
            continue
        wanted[name] = full["definitions"][name]
        todo += [
            r.rsplit("/", 1)[-1]
            for r in re.findall(r'"\$ref": "([^"]+)"', json.dumps(wanted[name]))
        ]
    paths = {
        p: v
        for p, v in full["paths"].items()
        if p.startswith("/api/v1/namespaces/{namespace}/configmaps")
    }
    return {"swagger": "2.0", "info": full["info"], "definitions": wanted, "paths": paths}


SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
SMALL_SWAGGER = _small_swagger()
SWAGGER_PATHS = _paths(SMALL_SWAGGER)


@st.composite
def mutated_swaggers(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(SMALL_SWAGGER)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(SWAGGER_PATHS))
        parent: Any = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue
    return doc


@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=mutated_swaggers())
def test_mutated_swagger_generates_or_exits_2_with_a_pointer(
    tmp_path: Path, doc: dict[str, Any]
) -> None:
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps(doc))
    out = unique_package_dir(tmp_path)
    code, err = generate_capture([path], out)
    event(f"exit status {code}")
    assert "Traceback" not in err
    if code == 2:
        assert re.search(rf"error: {re.escape(str(path))}:/\S*: ", err), err
        return
    assert code == 0, err
    with import_generated(out) as package:
        scheme = importlib.import_module(package.__name__ + ".scheme").scheme
        for api_version, kind in scheme:
            data = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
            obj = scheme.from_dict(copy.deepcopy(data))
            assert scheme.to_dict(obj) == data


def test_a_kind_whose_schema_lost_its_properties_still_generates(tmp_path: Path) -> None:
    """Found by the fuzz above: a kind with no fields rendered ``__init__(self, *,)``."""
    doc = copy.deepcopy(SMALL_SWAGGER)
    del doc["definitions"]["io.k8s.api.core.v1.ConfigMap"]["properties"]
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps(doc))
    out = unique_package_dir(tmp_path)
    code, err = generate_capture([path], out)
    assert code == 0, err
    with import_generated(out) as package:
        models = importlib.import_module(package.__name__ + ".core.v1.models")
        assert models.ConfigMap().to_dict() == {}
        kept = models.ConfigMap.from_dict({"data": {"a": "b"}})
        assert kept.to_dict() == {"data": {"a": "b"}} and kept.extra_fields == {"data": {"a": "b"}}
