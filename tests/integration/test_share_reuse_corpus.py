"""Sharing identical schemas and reusing built-in classes never change what a real document
decodes to or encodes back as (issue #12, section 1): every Argo Workflows and Prometheus
Operator example, decoded by a package generated with both and one generated with neither."""

from __future__ import annotations

import copy
import importlib
import warnings
from pathlib import Path
from typing import Any

import pytest

from kube_clientgen.cli import main as clientgen
from kubecore.core import yamlio
from kubecore.core.model import Model
from tests.conftest import SPECS, requires_shared
from tests.helpers import import_generated, read_all, unique_package_dir

pytestmark = [requires_shared, pytest.mark.slow]

# CRD folder -> example folders
SETS = {
    "argo-workflows/full": ("argo-workflows",),
    "prometheus-operator": ("prometheus-operator", "kube-prometheus"),
}


def _generate(inputs: Path, out: Path, *options: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert clientgen(["generate", str(inputs), "--out", str(out), *options]) == 0


def _documents(folders: tuple[str, ...]) -> list[tuple[str, dict[str, Any]]]:
    docs = []
    paths = sorted(p for folder in folders for p in (SPECS / "examples" / folder).rglob("*"))
    for path in paths:
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        try:
            loaded = yamlio.load_all(path.read_text())
        except Exception:  # noqa: BLE001 - a few example files are templates, not YAML
            continue
        for index, doc in enumerate(loaded):
            if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
                docs.append((f"{path.relative_to(SPECS)}[{index}]", doc))
    return docs


def _attributes(value: Any) -> Any:
    """What a decoded value holds, as plain data: the attributes that are set (a newer
    built-in class has more attributes, left unset), their values, and unknown fields."""
    if isinstance(value, Model):
        extra = value.extra_fields  # (reading loads the object)
        wire_form = vars(value)  # keys are the wire names present
        held = {
            f.name: _attributes(getattr(value, f.name))
            for f in value.FIELDS
            if (f.wire in wire_form or not f.always_set) and getattr(value, f.name) is not None
        }
        return {"extra_fields": extra, **held}
    if isinstance(value, list):
        return [_attributes(v) for v in value]
    if isinstance(value, dict):
        return {k: _attributes(v) for k, v in value.items()}
    return value


@pytest.mark.parametrize("crds", sorted(SETS))
def test_share_and_reuse_never_change_decoding(tmp_path: Path, crds: str) -> None:
    compact, plain = unique_package_dir(tmp_path), unique_package_dir(tmp_path)
    _generate(SPECS / "crds" / crds, compact)
    _generate(SPECS / "crds" / crds, plain, "--no-share", "--no-reuse")
    with import_generated(compact), import_generated(plain):
        a = importlib.import_module(f"{compact.name}.scheme").scheme
        b = importlib.import_module(f"{plain.name}.scheme").scheme
        checked, reused = 0, 0
        for where, doc in _documents(SETS[crds]):
            cls_a = a.lookup(doc["apiVersion"], doc["kind"])
            if cls_a is None:
                continue
            cls_b = b.lookup(doc["apiVersion"], doc["kind"])
            x = cls_a.from_dict(copy.deepcopy(doc))
            y = cls_b.from_dict(copy.deepcopy(doc))
            assert x.to_dict() == doc, where
            assert y.to_dict() == doc, where
            assert _attributes(x) == _attributes(y), where
            read_all(x)  # decoding is lazy: encode again with every field built
            read_all(y)
            assert x.to_dict() == doc and y.to_dict() == doc, where
            checked += 1
            reused += "kube_clientgen_api.kubernetes" in repr(_classes(x))
    assert checked > 20
    assert reused > 0, "no example reached a reused built-in class"


def _classes(value: Any) -> set[str]:
    """The modules of every model class in a decoded value."""
    if isinstance(value, Model):
        found = {type(value).__module__}
        for f in value.FIELDS:
            found |= _classes(getattr(value, f.name))
        return found
    if isinstance(value, list):
        return set().union(*map(_classes, value)) if value else set()
    if isinstance(value, dict):
        return set().union(*map(_classes, value.values())) if value else set()
    return set()
