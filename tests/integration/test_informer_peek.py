"""An informer over the loopback test API server keys and indexes its objects without
loading them (``kubecore.core.peek``): the cache holds unread objects under the right keys,
whether the initial state came as a list (unparsed list items) or streamed (WatchList:
watch events)."""

from __future__ import annotations

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
from kubecore.runtime.informer import SharedIndexInformer, wait_for_cache_sync
from kubecore.runtime.keys import meta_namespace_key_func, object_labels
from kubecore.runtime.listwatch import ListWatch
from kubecore.runtime.store import NAMESPACE_INDEX
from kubecore.testing import TestApiServer
from tests.conftest import REPO

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
WAIT = 20.0  # seconds: an upper bound for conditions, never an expected duration


def _is_unread(obj: Any) -> bool:
    return type(obj) is not obj.__class__ and type(obj)._VARIANT == "unread"


def _vm(name: str, namespace: str, app: str) -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, namespace=namespace, labels={"app": app}),
        spec=VirtualMachineSpec(image="x", status="creating"),
    )


@pytest.fixture
def server() -> Iterator[TestApiServer]:
    with TestApiServer([VM_CRD]) as srv:
        yield srv


@pytest.mark.parametrize("watch_list", [True, False], ids=["streamed", "listed"])
def test_an_informer_keys_and_indexes_unread_objects(
    server: TestApiServer, watch_list: bool
) -> None:
    server.watch_list = watch_list
    with VMClientset.from_config(load_config(server.kubeconfig_path)) as cs:
        group = cs.cloud_waibizi_com_v1
        for i in range(6):
            namespace = "default" if i % 2 else "kube-system"
            group.virtual_machines(namespace).create(_vm(f"vm-{i}", namespace, f"a{i % 3}"))
        informer: SharedIndexInformer[VirtualMachine] = SharedIndexInformer(
            ListWatch.for_client(group.virtual_machines(""))
        )
        informer.add_indexers({"app": lambda obj: [object_labels(obj).get("app", "")]})
        keyed: list[str] = []
        seen = threading.Condition()

        def on_add(obj: VirtualMachine) -> None:
            with seen:
                keyed.append(meta_namespace_key_func(obj))
                seen.notify_all()

        informer.add_event_handler(on_add=on_add)
        stop = threading.Event()
        thread = informer.start(stop)
        try:
            assert wait_for_cache_sync(stop, informer.has_synced)
            indexer = informer.get_indexer()
            expected = sorted(f"{'default' if i % 2 else 'kube-system'}/vm-{i}" for i in range(6))
            assert sorted(indexer.list_keys()) == expected
            assert sorted(indexer.index_keys(NAMESPACE_INDEX, "default")) == [
                "default/vm-1",
                "default/vm-3",
                "default/vm-5",
            ]
            assert sorted(indexer.index_keys("app", "a0")) == [
                "default/vm-3",
                "kube-system/vm-0",
            ]
            assert informer.reflector.uses_watch_list is watch_list
            assert all(_is_unread(obj) for obj in indexer.list())

            group.virtual_machines("default").create(_vm("late", "default", "a0"))
            with seen:
                assert seen.wait_for(lambda: "default/late" in keyed, timeout=WAIT)
            late = indexer.get_by_key("default/late")
            assert late is not None and _is_unread(late)
            assert sorted(indexer.index_keys("app", "a0"))[0] == "default/late"
            assert sorted(keyed) == sorted([*expected, "default/late"])
            # Reading a field loads the object as always.
            assert late.metadata.labels == {"app": "a0"} and late.spec.status == "creating"
        finally:
            stop.set()
            thread.join(WAIT)
        assert not thread.is_alive()
