"""The validator for users: kubecore.validate, Model.validate, 422 causes, the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kubecore
from kube_clientgen.cli import main
from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kubecore.client.errors import Invalid, error_from_response
from kubecore.core.codec import json_dumps

_BAD_DEPLOYMENT = {
    "metadata": {"name": "web"},
    "spec": {
        "replicas": "two",
        "template": {"spec": {"containers": [{"name": "c", "imagePullPolicy": 1}]}},
    },
}


def test_model_validate_gives_wire_and_attribute_paths() -> None:
    problems = Deployment.from_dict(_BAD_DEPLOYMENT).validate()
    assert [(p.field, p.attribute_path) for p in problems] == [
        ("spec.replicas", "spec.replicas"),
        (
            "spec.template.spec.containers[0].imagePullPolicy",
            "spec.template.spec.containers[0].image_pull_policy",
        ),
        ("spec.selector", "spec.selector"),
    ]


def test_decoding_never_validates() -> None:
    cm = ConfigMap.from_dict({"metadata": {"name": "c"}, "data": {"a": 1}})
    assert cm.to_dict()["data"] == {"a": 1}
    assert [str(p) for p in cm.validate()] == [
        'data.a: Invalid value: "integer": data.a in body must be of type string: "integer"'
    ]


def test_kubecore_validate_takes_mappings_and_models() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}
    assert [str(p) for p in kubecore.validate(pod)] == ["spec.containers: Required value"]
    assert kubecore.validate(ConfigMap.from_dict({"metadata": {"name": "ok"}, "data": {}})) == []
    good = {**_BAD_DEPLOYMENT, "spec": {**_BAD_DEPLOYMENT["spec"], "replicas": 2}}
    assert len(kubecore.validate(Deployment.from_dict(good))) == 2


def test_a_422_maps_causes_to_attribute_paths() -> None:
    status = {
        "kind": "Status",
        "apiVersion": "v1",
        "status": "Failure",
        "reason": "Invalid",
        "code": 422,
        "details": {
            "kind": "Deployment",
            "causes": [
                {
                    "reason": "FieldValueInvalid",
                    "message": "Invalid value",
                    "field": "spec.template.spec.containers[0].imagePullPolicy",
                },
                {"reason": "FieldValueRequired", "message": "x", "field": "spec.hostIPC"},
            ],
        },
    }
    err = error_from_response(422, json_dumps(status), {})
    assert isinstance(err, Invalid)
    assert err.causes[0].attribute_path == "spec.template.spec.containers[0].image_pull_policy"
    assert err.causes[1].attribute_path == "spec.host_ipc"
    assert err.attribute_paths(Deployment)[0] == (
        "spec.template.spec.containers[0].image_pull_policy"
    )


_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
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
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
"""


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_reports_one_line_per_problem_and_exit_codes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    crd = tmp_path / "crd.yaml"
    crd.write_text(_CRD)
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "a.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\ndata: {a: b}\n---\n"
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: ns}\n"
        "spec: {size: 0}\n"
    )
    (manifests / "b.json").write_text('{"apiVersion": "v1", "kind": "Pod", "spec": {}}')
    code, out, err = _run([str(manifests), "--schema", str(crd)], capsys)
    assert code == 1
    assert out.splitlines() == [
        f"{manifests / 'a.yaml'}[doc 1] example.com/v1 Widget ns/w: spec.size: Invalid value: 0: "
        "spec.size in body should be greater than or equal to 1",
        f"{manifests / 'b.json'}[doc 0] v1 Pod: spec.containers: Required value",
    ]
    assert "3 documents, 2 invalid, 2 problems" in err

    code, out, _ = _run([str(manifests / "a.yaml")], capsys)
    assert code == 1 and "no schema for apiVersion 'example.com/v1' kind 'Widget'" in out
    code, out, _ = _run([str(manifests / "a.yaml"), "--ignore-missing-schemas"], capsys)
    assert (code, out) == (0, "")


def test_cli_summary_counts_one_in_the_singular(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = tmp_path / "pod.json"
    one.write_text('{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {}}')
    code, _, err = _run([str(one)], capsys)
    assert code == 1 and err.splitlines()[-1] == (
        "kube-clientgen validate: 1 document, 1 invalid, 1 problem"
    )
    (tmp_path / "ns.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    code, _, err = _run([str(tmp_path / "ns.yaml")], capsys)
    assert code == 0 and err.splitlines()[-1].endswith(": 1 document, 0 invalid, 0 problems")


def test_cli_exit_2_on_unreadable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: [unclosed\n")
    code, _, err = _run([str(bad)], capsys)
    assert code == 2 and f"{bad}:" in err and "invalid YAML" in err
    code, _, err = _run([str(tmp_path / "missing.yaml")], capsys)
    assert code == 2 and "no such file" in err
    if Path("/dev/null").exists():  # QA: a device was called "no such file or directory"
        code, _, err = _run(["/dev/null"], capsys)
        assert code == 2 and "/dev/null: not a regular file or a directory" in err
    crd = tmp_path / "crd.yaml"
    crd.write_text(
        _CRD.replace(
            "            required: [size]",
            "            required: [size]\n            x-kubernetes-validations: [{rule: 'self.size >'}]",
        )
    )
    code, _, err = _run([str(bad), "--schema", str(crd)], capsys)
    assert code == 2 and "does not compile" in err and str(crd) in err


def test_console_script_runs(tmp_path: Path) -> None:
    ok = tmp_path / "ok.yaml"
    ok.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    result = subprocess.run(
        [sys.executable, "-m", "kube_clientgen", "validate", str(ok)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
