"""Identical inline CRD schemas share one class (issue #12, section 1)."""

from __future__ import annotations

import copy
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from kube_clientgen.config import load_targets
from kube_clientgen.errors import SourceError
from kube_clientgen.pipeline import Target, render_target
from kubecore.core.model import Model
from tests.helpers import (
    generate_capture,
    import_generated,
    models_source,
    rendered_models_source,
    unique_package_dir,
)

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
        assert v1.RunSpecStep.__module__.startswith(v1.models.__name__ + ".")
        assert {f.name for f in v1.RunSpecStep.FIELDS} == {"name", "policy", "resources"}
        pipeline = v1.Pipeline.from_dict(copy.deepcopy(PIPELINE))
        assert pipeline.spec.first.__class__ is v1.RunSpecStep
        assert {s.__class__ for s in pipeline.spec.steps} == {v1.RunSpecStep}
        assert pipeline.spec.by_name["a"].__class__ is v1.RunSpecStep
        assert pipeline.spec.optional_name.__class__ is v1.PipelineSpecOptionalName
        # ...whose nested object and enum are the shared ones all the same
        assert pipeline.spec.optional_name.resources.__class__ is v1.RunSpecStepResources
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
    assert "class RunSpecStep(_Model):" in rendered_models_source(first, "share_example_com/v1")


def test_no_share_keeps_one_class_per_place() -> None:
    files = render_target(
        Target(inputs=[str(PIPELINES), str(RUNS)], out="/nonexistent/pkg", share=False)
    )
    models = rendered_models_source(files, "share_example_com/v1")
    for name in ("PipelineSpecFirst", "PipelineSpecSteps", "PipelineSpecByName", "RunSpecStep"):
        assert f"class {name}(_Model):" in models


def test_share_and_reuse_are_config_keys(tmp_path: Path) -> None:
    config = tmp_path / "codegen.yaml"
    config.write_text(
        "targets:\n  - {inputs: [crds/], out: a}\n  - {inputs: [crds/], out: b, share: false}\n"
    )
    assert [t.share for t in load_targets(config)] == [True, False]
    config.write_text("targets:\n  - {inputs: [crds/], out: a, share: 'no'}\n")
    with pytest.raises(SourceError, match="share"):
        load_targets(config)


# --- built-in types reused (kube_clientgen.reuse) ---------------------------------------

SWAGGER = Path(__file__).resolve().parents[2] / "generator" / "specs"
DEFINITIONS: dict[str, Any] = json.loads((SWAGGER / "kubernetes-1.36.swagger.json").read_text())[
    "definitions"
]


# how controller-gen writes resource.Quantity
QUANTITY = {
    "anyOf": [{"type": "integer"}, {"type": "string"}],
    "pattern": r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]"
    r"|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$",
    "x-kubernetes-int-or-string": True,
}


def _inline(name: str, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A definition of the 1.36 spec written out as controller-gen does (no $ref)."""

    def walk(schema: Any) -> Any:
        if isinstance(schema, dict):
            if schema.get("$ref", "").endswith(".api.resource.Quantity"):
                return QUANTITY
            if "$ref" in schema:
                return walk(DEFINITIONS[schema["$ref"].rsplit("/", 1)[-1]])
            return {k: walk(v) for k, v in schema.items()}
        if isinstance(schema, list):
            return [walk(v) for v in schema]
        return schema

    schema: dict[str, Any] = walk(DEFINITIONS[name])
    for key in drop:
        del schema["properties"][key]
    return schema


def _crd(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "jobs.reuse.example.com"},
        "spec": {
            "group": "reuse.example.com",
            "names": {"kind": "Job", "plural": "jobs"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {"spec": {"type": "object", "properties": properties}},
                        }
                    },
                }
            ],
        },
    }


REUSE_CRD = _crd(
    {
        # an older copy: Toleration before tolerationSeconds (a subset, with its docs)
        "tolerations": {
            "type": "array",
            "items": _inline("io.k8s.api.core.v1.Toleration", drop=("tolerationSeconds",)),
        },
        "selector": _inline("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"),
        "resources": _inline("io.k8s.api.core.v1.ResourceRequirements"),
        # shaped like EnvVar, but not a copy of it: no descriptions, 3 properties
        "header": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "value": {"type": "string"},
                "valueFrom": {
                    "type": "object",
                    "properties": {"secretKeyRef": _inline("io.k8s.api.core.v1.SecretKeySelector")},
                },
            },
        },
    }
)
JOB: dict[str, Any] = {
    "apiVersion": "reuse.example.com/v1",
    "kind": "Job",
    "metadata": {"name": "j"},
    "spec": {
        "tolerations": [
            {"key": "k", "operator": "Exists", "effect": "NoSchedule"},
            # a newer server: a field the old copy lacks, and one no class knows
            {"key": "k2", "tolerationSeconds": 30, "future": {"x": [1]}},
        ],
        "selector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "a"}]},
        "resources": {"limits": {"cpu": "500m"}, "requests": {"memory": "1Gi"}},
        "header": {"name": "h", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
    },
}


def _reuse_package(tmp_path: Path, *options: str) -> Path:
    crd = tmp_path / "jobs.yaml"
    crd.write_text(json.dumps(REUSE_CRD))
    out = unique_package_dir(tmp_path)
    code, err = generate_capture([crd], out, *options)
    assert code == 0, err
    return out


def test_copies_of_built_in_types_reuse_the_built_in_classes(tmp_path: Path) -> None:
    from kube_clientgen_api.kubernetes.core.v1 import ResourceRequirements, Toleration
    from kubecore.core.generated.meta_v1 import LabelSelector, LabelSelectorRequirement

    out = _reuse_package(tmp_path)
    models = models_source(out / "reuse_example_com" / "v1")
    assert "from kube_clientgen_api.kubernetes.core.v1 import models as _k8s_core_v1" in models
    assert "class JobSpecTolerations" not in models and "class JobSpecSelector" not in models
    with import_generated(out):
        v1 = importlib.import_module(f"{out.name}.reuse_example_com.v1")
        job = v1.Job.from_dict(copy.deepcopy(JOB))
        assert {t.__class__ for t in job.spec.tolerations} == {Toleration}
        assert job.spec.tolerations[1].toleration_seconds == 30
        assert job.spec.tolerations[1].extra_fields == {"future": {"x": [1]}}
        assert job.spec.selector.__class__ is LabelSelector
        assert job.spec.selector.match_expressions is not None
        assert job.spec.selector.match_expressions[0].__class__ is LabelSelectorRequirement
        assert job.spec.resources.__class__ is ResourceRequirements
        # the EnvVar look-alike keeps its own class; inside it, SecretKeySelector's copy
        # (described, the same fields) is the built-in class
        assert type(job.spec.header).__name__ == "JobSpecHeader"
        assert type(job.spec.header.value_from.secret_key_ref).__name__ == "SecretKeySelector"
        assert job.to_dict() == JOB


def test_no_reuse_keeps_the_crds_own_classes_and_decodes_alike(tmp_path: Path) -> None:
    reused, own = _reuse_package(tmp_path), _reuse_package(tmp_path, "--no-reuse")
    assert "kube_clientgen_api" not in models_source(own / "reuse_example_com/v1")
    with import_generated(reused), import_generated(own):
        a = importlib.import_module(f"{reused.name}.reuse_example_com.v1").Job
        b = importlib.import_module(f"{own.name}.reuse_example_com.v1").Job
        y = b.from_dict(copy.deepcopy(JOB))
        assert type(y.spec.tolerations[0]).__name__ == "JobSpecTolerations"
        x = a.from_dict(copy.deepcopy(JOB))
        assert x.to_dict() == y.to_dict() == JOB
        assert x.spec.selector.match_labels == y.spec.selector.match_labels == {"app": "web"}
