"""The runner's Prometheus metrics (controller-runtime's names), scraped from a registry
after real reconciles against the test API server; and the runner without
``prometheus_client`` (its import blocked)."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kubecore import load_config
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.controller import Controller, Request, Result
from kubecore.runtime.workqueue import ItemExponentialFailureRateLimiter
from kubecore.testing import TestApiServer
from tests.conftest import REPO
from tests.integration.test_controller import WAIT, Recorder, Running, wait_until

prometheus_client = pytest.importorskip("prometheus_client")  # the dev extra installs it

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")


@pytest.fixture
def vms() -> Iterator[Any]:
    with TestApiServer([VM_CRD]) as srv:
        with VMClientset.from_config(load_config(srv.kubeconfig_path)) as cs:
            yield cs


def create(cs: Any, name: str) -> None:
    cs.cloud_waibizi_com_v1.virtual_machines("default").create(
        VirtualMachine(
            metadata=ObjectMeta(name=name, namespace="default"),
            spec=VirtualMachineSpec(image="centos", status="creating"),
        )
    )


def test_reconcile_and_workqueue_metrics_are_scraped(vms: Any) -> None:
    registry = prometheus_client.CollectorRegistry()
    for name in ("ok", "fails-once", "requeues"):
        create(vms, name)
    seen = Recorder()
    blocked, release = threading.Event(), threading.Event()

    def reconcile(request: Request) -> Result | None:
        seen.note(request)
        if request.name == "fails-once" and seen.count("fails-once") == 1:
            raise RuntimeError("first attempt fails")
        if request.name == "requeues" and seen.count("requeues") == 1:
            return Result(requeue=True)
        if request.name == "slow":
            blocked.set()
            release.wait(WAIT)
        return None

    ctl = Controller(
        reconcile,
        for_=VirtualMachine,
        client=vms,
        workers=2,
        name="vm-metrics",
        registry=registry,
        rate_limiter=ItemExponentialFailureRateLimiter(0.001, 0.01),
    )
    run = Running(ctl)
    try:
        seen.wait_for(lambda: seen.count("fails-once") == 2 and seen.count("requeues") == 2)

        def sample(metric: str, **labels: str) -> float:
            value = registry.get_sample_value(metric, labels)
            return 0.0 if value is None else value

        ctl_label = {"controller": "vm-metrics"}
        wait_until(
            lambda: sample("controller_runtime_reconcile_total", result="success", **ctl_label)
            == 3,
            "three successes",
        )
        assert sample("controller_runtime_reconcile_total", result="error", **ctl_label) == 1
        assert sample("controller_runtime_reconcile_total", result="requeue", **ctl_label) == 1
        assert (
            sample("controller_runtime_reconcile_total", result="requeue_after", **ctl_label) == 0
        )
        assert sample("controller_runtime_reconcile_errors_total", **ctl_label) == 1
        assert sample("controller_runtime_reconcile_time_seconds_count", **ctl_label) == 5
        assert sample("controller_runtime_max_concurrent_reconciles", **ctl_label) == 2
        queue = {"name": "vm-metrics"}
        # 3 creates + 2 rate-limited re-adds; the retries are the two re-adds.
        assert sample("workqueue_adds_total", **queue) == 5
        assert sample("workqueue_retries_total", **queue) == 2
        assert sample("workqueue_queue_duration_seconds_count", **queue) == 5
        assert sample("workqueue_work_duration_seconds_count", **queue) == 5
        assert sample("workqueue_depth", **queue) == 0

        create(vms, "slow")
        assert blocked.wait(WAIT)
        assert sample("controller_runtime_active_workers", **ctl_label) == 1
        wait_until(
            lambda: sample("workqueue_longest_running_processor_seconds", **queue) > 0
            and sample("workqueue_unfinished_work_seconds", **queue) > 0,
            "the unfinished work gauges",
        )
        release.set()
        wait_until(
            lambda: sample("controller_runtime_active_workers", **ctl_label) == 0,
            "the worker idle again",
        )
        text = prometheus_client.generate_latest(registry).decode()
        for name in (
            "controller_runtime_reconcile_total",
            "controller_runtime_reconcile_errors_total",
            "controller_runtime_reconcile_time_seconds_bucket",
            "workqueue_depth",
            "workqueue_adds_total",
            "workqueue_queue_duration_seconds_bucket",
            "workqueue_work_duration_seconds_bucket",
            "workqueue_retries_total",
            "workqueue_unfinished_work_seconds",
            "workqueue_longest_running_processor_seconds",
        ):
            assert f"\n{name}{{" in text, name
    finally:
        release.set()
        run.stop()
    assert run.error is None


def test_two_controllers_share_one_registry(vms: Any) -> None:
    registry = prometheus_client.CollectorRegistry()
    first = Controller(lambda r: None, for_=VirtualMachine, client=vms, registry=registry)
    second = Controller(
        lambda r: None, for_=VirtualMachine, client=vms, registry=registry, name="other"
    )
    assert first.name == "virtualmachine"
    for controller in ("virtualmachine", "other"):
        labels = {"controller": controller, "result": "success"}
        assert registry.get_sample_value("controller_runtime_reconcile_total", labels) == 0
    second.queue.shut_down()
    first.queue.shut_down()


def test_the_runner_works_without_prometheus_client(
    vms: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "prometheus_client", None)  # import raises ImportError
    seen = Recorder()
    create(vms, "vm")
    ctl = Controller(seen.note, for_=VirtualMachine, client=vms)
    assert ctl._metrics is None and ctl.queue._metrics is None
    run = Running(ctl)
    seen.wait_for(lambda: seen.count("vm") == 1)
    run.stop()
    assert run.error is None


BLOCKED_RUN = """
import sys, threading
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "prometheus_client":
            raise ImportError("blocked: prometheus_client is not installed")
sys.meta_path.insert(0, Block())
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kube_clientgen_api.virtualmachine.fake import Clientset
from kubecore.runtime.controller import Controller
from kubecore.runtime.factory import SharedInformerFactory
ctl = Controller(lambda request: None, for_=VirtualMachine, client=Clientset())
assert ctl._metrics is None
stop = threading.Event()
stop.set()
ctl.run(stop)
assert "prometheus_client" not in sys.modules
print("ran without prometheus_client")
"""


def test_nothing_is_imported_when_prometheus_client_is_absent() -> None:
    done = subprocess.run(
        [sys.executable, "-c", BLOCKED_RUN],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert "ran without prometheus_client" in done.stdout
