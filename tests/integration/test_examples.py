"""The seed scenarios in examples/ run against the loopback API server as they would
against a cluster (they only read $KUBECONFIG)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubecore.testing import TestApiServer
from tests.conftest import REPO, SPECS, requires_shared

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")


def run_example(name: str, server: TestApiServer, home: Path) -> str:
    env = {
        **os.environ,
        "KUBECONFIG": str(server.kubeconfig_path),
        "HOME": str(home),
        "PYTHONPATH": str(REPO / "src"),
    }
    result = subprocess.run(
        [sys.executable, str(REPO / "examples" / name)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_virtual_machine_clientset(tmp_path: Path) -> None:
    with TestApiServer([VM_CRD]) as server:
        out = run_example("virtualmachine_clientset.py", server, tmp_path)
    assert "created public-wx: image Centos-7.9, 4096 MiB" in out
    assert "status running" in out and " * public-wx" in out and "deleted public-wx" in out


@requires_shared
@pytest.mark.parametrize("example", ["dynamic_deployment.py", "list_pods.py"])
def test_builtin_examples(example: str, tmp_path: Path) -> None:
    with TestApiServer([str(SPECS / "kubernetes" / "swagger.json")]) as server:
        out = run_example(example, server, tmp_path)
    if example == "dynamic_deployment.py":
        assert "Created deployment 'demo-deployment'." in out
        assert " * demo-deployment (1 replicas)" in out and "Deleted deployment." in out
    else:
        assert "There are 0 pods in the cluster" in out
