"""The tracker's field selectors for CRD selectableFields, and one Event storage watched
through both Event APIs."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubecore.testing.discovery import load_table
from kubecore.testing.tracker import ApiError, Tracker
from tests.conftest import REPO
from tests.helpers import CRDS

SPEC = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"


def _widget_crd(tmp_path: Path) -> Path:
    doc: dict[str, Any] = copy.deepcopy(yaml.safe_load((CRDS / "widget.yaml").read_text()))
    doc["spec"]["versions"][0]["selectableFields"] = [{"jsonPath": ".spec.colour"}]
    path = tmp_path / "widget.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_crd_selectable_fields(tmp_path: Path) -> None:
    tracker = Tracker(load_table([_widget_crd(tmp_path)]))
    widgets = tracker.table.get("demo.example.com", "v1", "widgets")
    assert widgets is not None
    for name, colour in (("a", "Red"), ("b", "Blue")):
        tracker.create(widgets, "default", {"metadata": {"name": name}, "spec": {"colour": colour}})
    listed = tracker.list(widgets, "default", field_selector="spec.colour=Red")
    assert [w["metadata"]["name"] for w in listed["items"]] == ["a"]
    with pytest.raises(ApiError) as caught:
        tracker.list(widgets, "default", field_selector="spec.size=1")
    assert (caught.value.code, caught.value.message) == (
        400,
        "field label not supported: spec.size",
    )


def test_label_selectors_follow_labels_parse() -> None:
    """QA: ``n>4`` matched nothing (read as a key named ``n>4``) and ``app=we$b`` was served
    as an empty list; kube-apiserver matches Gt/Lt and answers a bad selector with 400."""
    tracker = Tracker(load_table([SPEC]))
    config_maps = tracker.table.get("", "v1", "configmaps")
    assert config_maps is not None
    for name, n in (("four", "4"), ("five", "5"), ("word", "many")):
        tracker.create(config_maps, "default", {"metadata": {"name": name, "labels": {"n": n}}})
    for selector, expected in (
        ("n>4", ["five"]),
        ("n<5", ["four"]),
        ("n", ["five", "four", "word"]),
    ):
        listed = tracker.list(config_maps, "default", label_selector=selector)
        assert sorted(c["metadata"]["name"] for c in listed["items"]) == expected, selector
    for selector in ("n>x", "app=we$b", "app=web,"):
        with pytest.raises(ApiError) as caught:
            tracker.list(config_maps, "default", label_selector=selector)
        assert caught.value.code == 400
        assert caught.value.message.startswith("unable to parse requirement: "), selector


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("metadata.name=a", ["a"]),
        ("metadata.name!=a", ["b"]),
        ("metadata.name=a,", ["a"]),  # empty terms are skipped
        ("metadata.name=a,,metadata.namespace=default", ["a"]),
        ("metadata.name=a\\,b", []),  # an escaped comma is part of the value
        ("metadata.name=", []),
        ("metadata.name = a", "field label not supported: metadata.name "),
        ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
        ("metadata.name=a=b", "invalid field selector: unescaped character in value: ="),
        ("metadata.name=a\\x", "invalid field selector: invalid escape sequence: \\x"),
    ],
)
def test_field_selectors_are_read_as_fields_parse_selector_reads_them(
    selector: str, expected: list[str] | str
) -> None:
    """QA: terms were trimmed and split at every comma, so ``metadata.name = a`` matched
    here and is a 400 on a cluster (nothing is trimmed there), and escapes were unknown."""
    tracker = Tracker(load_table([SPEC]))
    config_maps = tracker.table.get("", "v1", "configmaps")
    assert config_maps is not None
    for name in ("a", "b"):
        tracker.create(config_maps, "default", {"metadata": {"name": name}})
    if isinstance(expected, list):
        listed = tracker.list(config_maps, "default", field_selector=selector)
        assert sorted(c["metadata"]["name"] for c in listed["items"]) == expected
        return
    with pytest.raises(ApiError) as caught:
        tracker.list(config_maps, "default", field_selector=selector)
    assert (caught.value.code, caught.value.message) == (400, expected)


def test_a_watch_on_core_events_sees_events_k8s_io_writes() -> None:
    tracker = Tracker(load_table([SPEC]))
    core = tracker.table.get("", "v1", "events")
    new = tracker.table.get("events.k8s.io", "v1", "events")
    assert core is not None and new is not None
    start = tracker.resource_version
    created = tracker.create(
        new,
        "default",
        {
            "metadata": {"name": "e1"},
            "regarding": {"kind": "ConfigMap", "name": "x", "namespace": "default"},
            "note": "hello",
            "reportingController": "vm-controller",
            "deprecatedCount": 2,
            "type": "Normal",
        },
    )
    assert created["apiVersion"] == "events.k8s.io/v1" and created["note"] == "hello"
    watch = tracker.watch(
        core, "default", resource_version=start, field_selector="involvedObject.name=x"
    )
    seen = next((kind, obj) for kind, obj in watch if kind == "ADDED")
    watch.close()
    kind, obj = seen
    assert obj["apiVersion"] == "v1" and obj["message"] == "hello" and obj["count"] == 2
    assert obj["involvedObject"]["name"] == "x" and obj["reportingComponent"] == "vm-controller"
    assert "note" not in obj and "regarding" not in obj
    again = tracker.get(new, "default", "e1")
    assert {k: v for k, v in again.items() if k != "metadata"} == {
        k: v for k, v in created.items() if k != "metadata"
    }
