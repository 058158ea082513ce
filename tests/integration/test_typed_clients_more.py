"""More of the typed clients over real HTTP(S): subresources, server-side apply,
preconditions, TLS with client certificates and bearer tokens, and injected faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.apps.v1 import Deployment, DeploymentSpec
from kube_clientgen_api.kubernetes.core.v1 import (
    Container,
    Pod,
    PodSpec,
    PodTemplateSpec,
)
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kubecore import load_config
from kubecore.client import errors
from kubecore.core.generated.autoscaling_v1 import Scale, ScaleSpec
from kubecore.core.generated.meta_v1 import LabelSelector, ObjectMeta
from kubecore.testing import TestApiServer
from tests.conftest import REPO, SPECS, requires_shared

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
CERTS = REPO / "tests" / "fixtures" / "kubeconfig" / "certs"


def vm(name: str, **spec: object) -> VirtualMachine:
    return VirtualMachine(metadata=ObjectMeta(name=name), spec=VirtualMachineSpec(**spec))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def builtin_server() -> Iterator[TestApiServer]:
    if not SPECS.is_dir():
        pytest.skip(f"needs the real specs in {SPECS}")
    with TestApiServer([str(SPECS / "kubernetes" / "swagger.json")]) as server:
        yield server


@pytest.fixture()
def cs(builtin_server: TestApiServer) -> Iterator[Clientset]:
    with Clientset.from_config(load_config(builtin_server.kubeconfig_path)) as clientset:
        yield clientset


def deployment(name: str, replicas: int = 1) -> Deployment:
    labels = {"app": name}
    return Deployment(
        metadata=ObjectMeta(name=name),
        spec=DeploymentSpec(
            replicas=replicas,
            selector=LabelSelector(match_labels=labels),
            template=PodTemplateSpec(
                metadata=ObjectMeta(labels=labels),
                spec=PodSpec(containers=[Container(name="web", image="nginx")]),
            ),
        ),
    )


@requires_shared
def test_scale_subresource(cs: Clientset) -> None:
    deployments = cs.apps_v1.deployments("default")
    deployments.create(deployment("scaled", replicas=2))
    scale = deployments.get_scale("scaled")
    assert isinstance(scale, Scale) and scale.spec is not None and scale.spec.replicas == 2
    deployments.update_scale(
        "scaled",
        Scale(metadata=ObjectMeta(name="scaled", namespace="default"), spec=ScaleSpec(replicas=5)),
    )
    assert deployments.get("scaled").spec.replicas == 5  # type: ignore[union-attr]
    deployments.delete("scaled")


@requires_shared
def test_pod_logs_follow_and_eviction(cs: Clientset, builtin_server: TestApiServer) -> None:
    pods = cs.core_v1.pods("default")
    pods.create(
        Pod(
            metadata=ObjectMeta(name="logger"),
            spec=PodSpec(containers=[Container(name="c", image="busybox")]),
        )
    )
    builtin_server.tracker.set_logs("default", "logger", "one\ntwo\n")
    assert pods.logs("logger") == "one\ntwo\n"
    assert pods.logs("logger", tail_lines=1) == "two\n"
    followed: list[str] = []

    def follow() -> None:
        for line in pods.follow_logs("logger"):
            followed.append(line)
            if len(followed) == 3:
                return

    thread = threading.Thread(target=follow)
    thread.start()
    time.sleep(0.3)
    builtin_server.tracker.append_logs("default", "logger", "three\n")
    thread.join(10)
    assert followed == ["one", "two", "three"]
    pods.evict("logger")
    with pytest.raises(errors.NotFound):
        pods.get("logger")


@requires_shared
def test_server_side_apply_and_strategic_merge(cs: Clientset) -> None:
    deployments = cs.apps_v1.deployments("default")
    applied = deployments.apply(deployment("applied", replicas=1), field_manager="tests")
    assert applied.metadata.managed_fields  # type: ignore[union-attr]
    again = deployments.apply(deployment("applied", replicas=3), field_manager="tests")
    assert again.spec.replicas == 3  # type: ignore[union-attr]
    with_sidecar = {
        "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "envoy"}]}}}
    }
    from kubecore import PatchType

    merged = deployments.patch("applied", with_sidecar, patch_type=PatchType.STRATEGIC_MERGE)
    names = [c.name for c in merged.spec.template.spec.containers]  # type: ignore[union-attr]
    assert names == ["sidecar", "web"] or sorted(names) == ["sidecar", "web"]
    deployments.delete("applied")


@requires_shared
def test_delete_preconditions(cs: Clientset) -> None:
    deployments = cs.apps_v1.deployments("default")
    made = deployments.create(deployment("guarded"))
    with pytest.raises(errors.Conflict):
        deployments.delete("guarded", preconditions={"uid": "not-the-uid"})
    deployments.delete("guarded", preconditions={"uid": made.metadata.uid})  # type: ignore[union-attr,dict-item]
    with pytest.raises(errors.NotFound):
        deployments.get("guarded")


def _tls_server(**kwargs: object) -> TestApiServer:
    return TestApiServer(
        [VM_CRD], tls=True, tls_cert=CERTS / "server.crt", tls_key=CERTS / "server.key", tls_ca=CERTS / "ca.crt", **kwargs  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("auth", ["client-certificate", "bearer-token"])
def test_clientset_over_https(auth: str, tmp_path: object) -> None:
    kwargs: dict[str, object] = (
        {
            "client_ca": CERTS / "ca.crt",
            "client_cert": CERTS / "client.crt",
            "client_key": CERTS / "client.key",
        }
        if auth == "client-certificate"
        else {"tokens": {"secret-token": "alice"}}
    )
    with _tls_server(**kwargs) as server:
        config = load_config(server.kubeconfig_path)
        assert config.host.startswith("https://")
        with VMClientset.from_config(config) as vcs:
            vms = vcs.cloud_waibizi_com_v1.virtual_machines("default")
            vms.create(vm("secure", image="x"))
            assert vms.get("secure").spec.image == "x"  # type: ignore[union-attr]
        if auth == "bearer-token":
            config.token = "wrong"
            with VMClientset.from_config(config) as bad:
                with pytest.raises(errors.Unauthorized):
                    bad.cloud_waibizi_com_v1.virtual_machines("default").list()


def test_dropped_watch_resumes_without_missing_or_repeating_events() -> None:
    with TestApiServer([VM_CRD]) as server:
        with VMClientset.from_config(load_config(server.kubeconfig_path)) as vcs:
            vms = vcs.cloud_waibizi_com_v1.virtual_machines("default")
            start = vms.list().metadata.resource_version  # type: ignore[union-attr]
            server.faults.drop_watches_after(3, times=2)
            for i in range(10):
                vms.create(vm(f"w{i}", image="x"))
            seen = []
            for event in vms.watch(
                resource_version=start, timeout_seconds=5, allow_bookmarks=False
            ):
                seen.append((event.type, event.object.metadata.name))  # type: ignore[union-attr]
                if len(seen) == 10:
                    break
            assert seen == [("ADDED", f"w{i}") for i in range(10)]
            assert len(server.faults.fired) >= 2


def test_429_with_retry_after_is_honoured() -> None:
    with TestApiServer([VM_CRD]) as server:
        with VMClientset.from_config(load_config(server.kubeconfig_path)) as vcs:
            vms = vcs.cloud_waibizi_com_v1.virtual_machines("default")
            server.faults.respond(429, retry_after=0.5, times=1)
            started = time.monotonic()
            assert vms.list().items == []
            assert time.monotonic() - started >= 0.5
            server.faults.respond(500, times=2, method="GET")
            assert vms.list().items == []  # retried with backoff
            server.faults.respond(500, times=1, method="POST")
            with pytest.raises(errors.InternalError):
                vms.create(vm("not-retried", image="x"))
