"""The generated informer factories and listers (informer-gen, lister-gen) over HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap, Namespace
from kube_clientgen_api.kubernetes.informers import SharedInformerFactory as K8sInformerFactory
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kube_clientgen_api.virtualmachine.informers import SharedInformerFactory
from kubecore import load_config
from kubecore.client import errors
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.keys import DeletedFinalStateUnknown
from kubecore.runtime.listwatch import ListOptions
from kubecore.testing import TestApiServer
from tests.conftest import REPO

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
K8S_SWAGGER = str(REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json")
WAIT = 20.0


def vm(name: str, namespace: str = "default", **labels: str) -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, namespace=namespace, labels=labels or None),
        spec=VirtualMachineSpec(image="x", status="creating"),
    )


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([VM_CRD]) as srv:
        yield srv


def test_the_issue_example_runs(server: TestApiServer) -> None:
    with VMClientset.from_config(load_config(server.kubeconfig_path)) as cs:
        cs.cloud_waibizi_com_v1.virtual_machines("default").create(vm("public-wx", app="web"))
        factory = SharedInformerFactory(cs, resync_period=30.0, namespace=None)
        vms = factory.cloud_waibizi_com_v1.virtual_machines()
        assert vms.informer() is factory.cloud_waibizi_com_v1.virtual_machines().informer()
        added: list[VirtualMachine] = []
        updated: list[tuple[VirtualMachine, VirtualMachine]] = []
        deleted: list[VirtualMachine | DeletedFinalStateUnknown[VirtualMachine]] = []
        changed = threading.Condition()

        def note(target: list, value: object) -> None:  # type: ignore[type-arg]
            with changed:
                target.append(value)
                changed.notify_all()

        vms.informer().add_event_handler(
            on_add=lambda obj: note(added, obj),
            on_update=lambda old, new: note(updated, (old, new)),
            on_delete=lambda obj: note(deleted, obj),
        )
        stop = threading.Event()
        factory.start(stop)
        try:
            assert factory.wait_for_cache_sync(stop) == {VirtualMachine: True}
            got = vms.lister().virtual_machines("default").get("public-wx")
            assert isinstance(got, VirtualMachine) and got.spec.image == "x"
            assert [v.metadata.name for v in vms.lister().list(label_selector="app=web")] == [
                "public-wx"
            ]
            with pytest.raises(errors.NotFound):
                vms.lister().virtual_machines("other").get("public-wx")
            client = cs.cloud_waibizi_com_v1.virtual_machines("default")
            client.patch("public-wx", {"spec": {"status": "complete"}})
            client.delete("public-wx")
            with changed:
                assert changed.wait_for(lambda: len(deleted) == 1, timeout=WAIT)
            assert [v.metadata.name for v in added] == ["public-wx"]
            assert [(o.spec.status, n.spec.status) for o, n in updated] == [
                ("creating", "complete")
            ]
            assert vms.lister().list() == []
        finally:
            stop.set()
            factory.shutdown()


def test_namespace_and_tweak_list_options_limit_what_is_cached(server: TestApiServer) -> None:
    with VMClientset.from_config(load_config(server.kubeconfig_path)) as cs:
        server.preload(
            [
                {
                    **vm(n, ns, app=app).to_dict(),
                    "apiVersion": "cloud.waibizi.com/v1",
                    "kind": "VirtualMachine",
                }
                for n, ns, app in [
                    ("a", "default", "web"),
                    ("b", "default", "db"),
                    ("c", "kube-system", "web"),
                ]
            ]
        )

        def web_only(options: ListOptions) -> None:
            options.label_selector = "app=web"

        factory = SharedInformerFactory(
            cs, resync_period=0, namespace="default", tweak_list_options=web_only
        )
        vms = factory.cloud_waibizi_com_v1.virtual_machines()
        vms.informer()
        stop = threading.Event()
        factory.start(stop)
        try:
            assert factory.wait_for_cache_sync(stop) == {VirtualMachine: True}
            assert [v.metadata.name for v in vms.lister().list()] == ["a"]
        finally:
            stop.set()
            factory.shutdown()


def test_builtin_package_cluster_scoped_and_namespaced_listers() -> None:
    with TestApiServer([K8S_SWAGGER]) as server:
        with Clientset.from_config(load_config(server.kubeconfig_path)) as cs:
            cs.core_v1.config_maps("default").create(
                ConfigMap(metadata=ObjectMeta(name="cfg"), data={"a": "1"})
            )
            factory = K8sInformerFactory(cs)
            namespaces = factory.core_v1.namespaces()
            config_maps = factory.core_v1.config_maps()
            namespaces.informer()
            config_maps.informer()
            stop = threading.Event()
            factory.start(stop)
            try:
                assert factory.wait_for_cache_sync(stop) == {Namespace: True, ConfigMap: True}
                assert isinstance(namespaces.lister().get("default"), Namespace)
                with pytest.raises(errors.NotFound) as caught:
                    namespaces.lister().get("nowhere")
                assert 'namespaces "nowhere" not found' in str(caught.value)
                cfg = config_maps.lister().config_maps("default").get("cfg")
                assert cfg.data == {"a": "1"}
            finally:
                stop.set()
                factory.shutdown()
