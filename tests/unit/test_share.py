"""Identical inline CRD schemas share one class (issue #12, section 1)."""

from __future__ import annotations

import copy
import importlib
from pathlib import Path
from typing import Any

import pytest

from kube_clientgen.config import load_targets
from kube_clientgen.errors import SourceError
from kube_clientgen.pipeline import Target, render_target
from kubecore.core.model import Model
from tests.helpers import generate_capture, import_generated, unique_package_dir

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "share"
PIPELINES = FIXTURES / "pipelines.yaml"
RUNS = FIXTURES / "runs.yaml"

STEP = {"name": "build", "policy": "Always", "resources": {"cpu": "1", "memory": "1Gi"}}
PIPELINE: dict[str, Any] = {
    "apiVersion": "share.example.com/v1",
    "kind": "Pipeline",
    "metadata": {"name": "p", "namespace": "default"},
    "spec": {
        "first": STEP,
        "steps": [STEP, {"name": "test", "policy": "Sometimes", "extra": [1, None]}],
        "byName": {"a": {"name": "a", "resources": {"cpu": None}}},
        "optionalName": {"policy": "Never", "resources": {"memory": "2Gi"}},
    },
}


def _generate(tmp_path: Path, *options: str) -> Path:
    out = unique_package_dir(tmp_path)
    code, err = generate_capture([PIPELINES, RUNS], out, *options)
    assert code == 0, err
    return out


def _attributes(value: Any) -> Any:
    """A decoded value as plain data: attribute names and values, and unknown fields."""
    if isinstance(value, Model):
        fields = {f.name: _attributes(getattr(value, f.name)) for f in value.FIELDS}
        return {"extra": value.extra_fields, **fields}
    if isinstance(value, list):
        return [_attributes(v) for v in value]
    if isinstance(value, dict):
        return {k: _attributes(v) for k, v in value.items()}
    return value


def test_identical_inline_schemas_generate_one_class(tmp_path: Path) -> None:
    out = _generate(tmp_path)
    with import_generated(out):
        v1 = importlib.import_module(f"{out.name}.share_example_com.v1")
        v2 = importlib.import_module(f"{out.name}.share_example_com.v2")
        # The step: four places in v1 (descriptions, an example and maxLength differ),
        # named after the shortest path; optionalName differs in `required`: its own class.
        assert v1.RunSpecStep.__module__ == v1.Run.__module__
        assert {f.name for f in v1.RunSpecStep.FIELDS} == {"name", "policy", "resources"}
        pipeline = v1.Pipeline.from_dict(copy.deepcopy(PIPELINE))
        assert type(pipeline.spec.first) is v1.RunSpecStep
        assert {type(s) for s in pipeline.spec.steps} == {v1.RunSpecStep}
        assert type(pipeline.spec.by_name["a"]) is v1.RunSpecStep
        assert type(pipeline.spec.optional_name) is v1.PipelineSpecOptionalName
        # ...whose nested object and enum are the shared ones all the same
        assert type(pipeline.spec.optional_name.resources) is v1.RunSpecStepResources
        assert pipeline.spec.optional_name.policy is v1.RunSpecStepPolicy.NEVER
        for gone in ("PipelineSpecFirst", "PipelineSpecSteps", "PipelineSpecByName"):
            assert not hasattr(v1, gone)
        # another version keeps its own classes, named by its own paths
        assert {f.name for f in v2.PipelineSpecFirst.FIELDS} == {"name", "policy", "resources"}
        assert v2.PipelineSpecFirst is not v1.RunSpecStep
        # the shared class documents its own (shortest-path) schema, not another member's
        assert v1.RunSpecStep.__doc__ is None or "Another description" not in v1.RunSpecStep.__doc__
        assert pipeline.to_dict() == PIPELINE


def test_sharing_never_changes_what_a_document_decodes_to(tmp_path: Path) -> None:
    shared, separate = _generate(tmp_path), _generate(tmp_path, "--no-share")
    with import_generated(shared), import_generated(separate):
        a = importlib.import_module(f"{shared.name}.share_example_com.v1").Pipeline
        b = importlib.import_module(f"{separate.name}.share_example_com.v1").Pipeline
        assert b.from_dict(copy.deepcopy(PIPELINE)).spec.first.__class__.__name__ == (
            "PipelineSpecFirst"
        )
        for doc in (PIPELINE, {**PIPELINE, "spec": {"first": {"name": 3, "policy": ["x"]}}}):
            x, y = a.from_dict(copy.deepcopy(doc)), b.from_dict(copy.deepcopy(doc))
            assert x.to_dict() == y.to_dict() == doc
            assert _attributes(x) == _attributes(y)


def test_shared_output_is_byte_identical_whatever_the_input_order() -> None:
    def render(*inputs: Path) -> dict[str, str]:
        return render_target(Target(inputs=[str(p) for p in inputs], out="/nonexistent/pkg"))

    first = render(PIPELINES, RUNS)
    assert render(PIPELINES, RUNS) == first
    assert render(RUNS, PIPELINES) == first
    assert "class RunSpecStep(_Model):" in first["share_example_com/v1/models.py"]


def test_no_share_keeps_one_class_per_place() -> None:
    files = render_target(
        Target(inputs=[str(PIPELINES), str(RUNS)], out="/nonexistent/pkg", share=False)
    )
    models = files["share_example_com/v1/models.py"]
    for name in ("PipelineSpecFirst", "PipelineSpecSteps", "PipelineSpecByName", "RunSpecStep"):
        assert f"class {name}(_Model):" in models


def test_share_is_a_config_key(tmp_path: Path) -> None:
    config = tmp_path / "codegen.yaml"
    config.write_text(
        "targets:\n  - {inputs: [crds/], out: a}\n  - {inputs: [crds/], out: b, share: false}\n"
    )
    assert [t.share for t in load_targets(config)] == [True, False]
    config.write_text("targets:\n  - {inputs: [crds/], out: a, share: 'no'}\n")
    with pytest.raises(SourceError, match="share"):
        load_targets(config)
