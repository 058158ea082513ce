"""The fake clientsets: preloaded objects, reactors, recorded actions, watch reactors,
the fake dynamic client, laziness and typing (client-go's kubernetes/fake and testing)."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from kube_clientgen_api.kubernetes.core.v1 import (
    ConfigMap,
    Container,
    Pod,
    PodSpec,
    PodTemplate,
    PodTemplateSpec,
)
from kube_clientgen_api.kubernetes.fake import Clientset as KubeFake
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kube_clientgen_api.virtualmachine.fake import RESOURCES as VM_RESOURCES
from kube_clientgen_api.virtualmachine.fake import Clientset as FakeClientset
from kubecore import PatchType
from kubecore.client import errors
from kubecore.client.unstructured import GroupVersionResource, Unstructured
from kubecore.client.watch import watch_events
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.testing import Tracker
from kubecore.testing.fake import Action, FakeDynamicClient, FakeWatcher
from kubecore.testing.tracker import ApiError

REPO = Path(__file__).resolve().parents[2]
VM_GVR = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")


def vm(name: str, namespace: str = "default", status: str = "creating") -> VirtualMachine:
    return VirtualMachine.from_dict(
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachine",
            "metadata": {"name": name, "namespace": namespace, "labels": {"app": "vm"}},
            "spec": {"image": "centos", "status": status},
        }
    )


def test_objects_are_preloaded_into_the_tracker() -> None:
    fake = FakeClientset(
        vm("vm1"),
        vm("vm2", "other"),
        {
            "apiVersion": "cloud.waibizi.com/v1",
            "kind": "VirtualMachineList",
            "items": [{"metadata": {"name": "vm3"}}],
        },
    )
    everywhere = fake.cloud_waibizi_com_v1.virtual_machines("").list()
    assert [(v.metadata.namespace, v.metadata.name) for v in everywhere.items] == [
        ("default", "vm1"),
        ("default", "vm3"),
        ("other", "vm2"),
    ]
    got = fake.cloud_waibizi_com_v1.virtual_machines("default").get("vm1")
    assert isinstance(got, VirtualMachine) and got.spec.status == "creating"
    assert got.metadata.uid and got.metadata.resource_version
    assert fake.actions()[-1].verb == "get"  # preloading records no action
    assert len(fake.actions()) == 2


def test_preloading_creates_missing_namespaces_and_rejects_unknown_kinds() -> None:
    pod = Pod(metadata=ObjectMeta(name="p", namespace="prod"), spec=PodSpec(containers=[]))
    fake = KubeFake(pod)
    assert [n.metadata.name for n in fake.core_v1.namespaces().list().items] == [
        "default",
        "kube-system",
        "prod",
    ]
    with pytest.raises(ValueError, match="example.com/v1/Widget"):
        KubeFake({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})


def test_prepend_reactor_injects_an_error_and_the_tracker_is_untouched() -> None:
    fake = FakeClientset(vm("vm1"))
    seen: list[Action] = []

    def react(action: Action) -> tuple[bool, Any, BaseException | None]:
        seen.append(action)
        return True, None, errors.Conflict("injected", status=409)

    fake.prepend_reactor("update", "virtualmachines", react)
    vms = fake.cloud_waibizi_com_v1.virtual_machines("default")
    current = vms.get("vm1")
    current.spec.status = "complete"
    with pytest.raises(errors.Conflict, match="injected"):
        vms.update(current)
    assert vms.get("vm1").spec.status == "creating"
    assert len(seen) == 1 and isinstance(seen[0].object, VirtualMachine)
    assert seen[0].object.spec.status == "complete"
    vms.patch("vm1", {"spec": {"status": "complete"}})  # other verbs are not intercepted
    assert vms.get("vm1").spec.status == "complete"


def test_a_reactor_can_answer_pass_or_raise_a_server_status() -> None:
    fake = FakeClientset(vm("vm1"))
    answer = vm("canned", status="answered")
    fake.prepend_reactor("get", "*", lambda a: (a.name == "canned", answer, None))
    fake.prepend_reactor(
        "delete",
        "virtualmachines",
        lambda a: (True, None, ApiError(403, "Forbidden", "no deleting here")),
    )
    vms = fake.cloud_waibizi_com_v1.virtual_machines("default")
    assert vms.get("canned").spec.status == "answered"  # handled by the reactor
    assert vms.get("vm1").spec.status == "creating"  # not handled: on to the tracker
    with pytest.raises(errors.Forbidden) as caught:
        vms.delete("vm1")
    assert caught.value.status == 403 and caught.value.message == "no deleting here"
    with pytest.raises(errors.NotFound):
        vms.get("missing")


def test_add_reactor_comes_after_the_tracker_as_in_client_go() -> None:
    fake = FakeClientset(vm("vm1"))
    called: list[str] = []
    fake.add_reactor("*", "*", lambda a: (called.append(a.verb) or True, None, None))
    fake.cloud_waibizi_com_v1.virtual_machines("default").get("vm1")
    assert called == []  # the tracker's reaction handled it first


def test_an_empty_answer_decodes_to_an_empty_object() -> None:
    fake = FakeClientset()
    fake.prepend_reactor("get", "virtualmachines", lambda a: (True, None, None))
    got = fake.cloud_waibizi_com_v1.virtual_machines("default").get("anything")
    assert isinstance(got, VirtualMachine) and got.metadata == ObjectMeta()
    assert got.to_dict() == {}  # the always-set metadata is empty and not invented on encode


def test_subresource_matching_and_reentrant_reactors() -> None:
    fake = FakeClientset(vm("vm1"))
    vms = fake.cloud_waibizi_com_v1.virtual_machines("default")

    def react(action: Action) -> tuple[bool, Any, BaseException | None]:
        # a reactor may use the clientset itself (no lock is held while it runs)
        current = vms.get(action.name)
        return True, current, None

    fake.prepend_reactor("update", "virtualmachines/status", react)
    updated = vms.update_status(vms.get("vm1"))
    assert updated.metadata.name == "vm1"
    verbs = [(a.verb, a.subresource) for a in fake.actions()]
    assert verbs == [("get", ""), ("update", "status"), ("get", "")]


def test_actions_record_every_field() -> None:
    fake = FakeClientset(vm("vm1"))
    vms = fake.cloud_waibizi_com_v1.virtual_machines("default")
    fake.clear_actions()
    vms.list(label_selector="app=vm", field_selector="metadata.name=vm1")
    rv = vms.create(vm("vm2")).metadata.resource_version
    vms.patch(
        "vm1", [{"op": "replace", "path": "/spec/status", "value": "x"}], patch_type=PatchType.JSON
    )
    vms.delete("vm2", preconditions={"resourceVersion": rv}, propagation_policy="Foreground")
    vms.delete_collection(label_selector="app=vm")
    fake.cloud_waibizi_com_v1.virtual_machines("").list()
    actions = fake.actions()
    assert [a.verb for a in actions] == [
        "list",
        "create",
        "patch",
        "delete",
        "delete-collection",
        "list",
    ]
    listed, created, patched, deleted, collection, everywhere = actions
    assert listed.resource == VM_GVR and listed.namespace == "default"
    assert (listed.label_selector, listed.field_selector) == ("app=vm", "metadata.name=vm1")
    assert listed.matches("list", "virtualmachines") and not listed.matches("get", "*")
    assert isinstance(created.object, VirtualMachine) and created.object.metadata.name == "vm2"
    assert patched.name == "vm1" and patched.patch_type == PatchType.JSON.value
    assert patched.patch == [{"op": "replace", "path": "/spec/status", "value": "x"}]
    assert deleted.name == "vm2" and deleted.options["propagationPolicy"] == "Foreground"
    assert deleted.options["preconditions"] == {"resourceVersion": rv}
    assert collection.label_selector == "app=vm"
    assert everywhere.namespace == ""
    fake.clear_actions()
    assert fake.actions() == []


def test_watch_reactor_with_a_fake_watcher() -> None:
    fake = FakeClientset()
    watcher = FakeWatcher()
    fake.prepend_watch_reactor("virtualmachines", lambda a: (True, watcher, None))
    watcher.add(vm("a"))
    watcher.modify(vm("a", status="complete"))
    watcher.delete(vm("a").to_dict())
    watcher.stop()
    stream = fake.cloud_waibizi_com_v1.virtual_machines("default").watch(timeout_seconds=5)
    events = list(itertools.islice(stream, 3))
    assert [(e.type, e.object.metadata.name, e.object.spec.status) for e in events] == [
        ("ADDED", "a", "creating"),
        ("MODIFIED", "a", "complete"),
        ("DELETED", "a", "creating"),
    ]
    assert isinstance(events[0].object, VirtualMachine)
    assert fake.actions()[0].verb == "watch"


def test_watch_reactor_error_and_too_old_resource_version() -> None:
    fake = FakeClientset()
    vms = fake.cloud_waibizi_com_v1.virtual_machines("default")
    fake.prepend_watch_reactor(
        "*", lambda a: (True, None, errors.Forbidden("no watching", status=403))
    )
    with pytest.raises(errors.Forbidden, match="no watching"):
        next(iter(vms.watch(timeout_seconds=5)))
    small = FakeClientset(tracker=Tracker(FakeClientset().tracker.table, history=2))
    small_vms = small.cloud_waibizi_com_v1.virtual_machines("default")
    small_vms.create(vm("first"))
    start = small_vms.list().metadata.resource_version
    for name in ("a", "b", "c", "d"):
        small_vms.create(vm(name))
    with pytest.raises(errors.Gone):
        next(iter(small_vms.watch(resource_version=start, timeout_seconds=5)))


def test_fake_dynamic_client_shares_the_tracker_and_guesses_plurals() -> None:
    typed = FakeClientset(vm("vm1"))
    dynamic = FakeDynamicClient(tracker=typed.tracker)
    got = dynamic.resource(VM_GVR).namespace("default").get("vm1")
    assert isinstance(got, Unstructured) and got.object["spec"]["status"] == "creating"
    assert dynamic.actions()[0].resource == VM_GVR and typed.actions() == []

    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Policy",
        "metadata": {"name": "w", "namespace": "default"},
    }
    guessed = FakeDynamicClient(widget, resources=VM_RESOURCES)
    policies = guessed.resource(GroupVersionResource("example.com", "v1", "policies"))
    assert [i.object["metadata"]["name"] for i in policies.list().items] == ["w"]
    vms = guessed.resource(VM_GVR).namespace("default")
    vms.create(Unstructured(vm("vm9").to_dict()))
    assert vms.get("vm9").object["spec"]["image"] == "centos"


def test_strategic_merge_patch_with_and_without_schemas() -> None:
    # A PodTemplate, not a Pod: a Pod's containers cannot be removed by an update (422, as
    # kube-apiserver's ValidatePodUpdate), which the schema-less replace below does.
    template = PodTemplate(
        metadata=ObjectMeta(name="p"),
        template=PodTemplateSpec(
            spec=PodSpec(
                containers=[Container(name="a", image="1"), Container(name="b", image="1")]
            )
        ),
    )
    patch = {"template": {"spec": {"containers": [{"name": "b", "image": "2"}]}}}
    with_schema = KubeFake(template, specs=[REPO / "generator/specs/kubernetes-1.36.swagger.json"])
    merged = with_schema.core_v1.pod_templates("default").patch(
        "p", patch, patch_type=PatchType.STRATEGIC_MERGE
    )
    containers = merged.template.spec.containers
    assert [(c.name, c.image) for c in containers] == [("a", "1"), ("b", "2")]
    # without the schema the merge keys are unknown: lists are replaced (documented)
    plain = (
        KubeFake(template)
        .core_v1.pod_templates("default")
        .patch("p", patch, patch_type=PatchType.STRATEGIC_MERGE)
    )
    assert [(c.name, c.image) for c in plain.template.spec.containers] == [("b", "2")]


def test_pod_logs_and_eviction() -> None:
    fake = KubeFake(Pod(metadata=ObjectMeta(name="p"), spec=PodSpec(containers=[])))
    fake.tracker.set_logs("default", "p", "one\ntwo\n")
    pods = fake.core_v1.pods("default")
    assert pods.logs("p") == "one\ntwo\n"
    assert pods.logs("p", tail_lines=1) == "two\n"
    pods.evict("p")
    with pytest.raises(errors.NotFound):
        pods.get("p")
    assert [(a.verb, a.subresource) for a in fake.actions()] == [
        ("get", "log"),
        ("get", "log"),
        ("create", "eviction"),
        ("get", ""),
    ]


def test_configmap_unknown_fields_and_nulls_are_dropped_as_kube_apiserver_does() -> None:
    # The model keeps them (lossless); the store keeps what a Go struct keeps, as
    # kube-apiserver (and client-go's fakes, which hold structs) do.
    fake = KubeFake()
    cms = fake.core_v1.config_maps("default")
    sent = ConfigMap.from_dict(
        {"metadata": {"name": "c"}, "data": {"a": "1"}, "newField": 1, "immutable": None}
    )
    assert sent.extra_fields == {"newField": 1, "immutable": None}
    created = cms.create(sent)
    assert created.extra_fields == {} and created.data == {"a": "1"}
    assert cms.get("c").to_dict()["data"] == {"a": "1"} and "newField" not in cms.get("c").to_dict()
    with pytest.raises(errors.BadRequest, match='strict decoding error: unknown field "newField"'):
        cms.create(
            ConfigMap.from_dict({"metadata": {"name": "d"}, "newField": 1}),
            field_validation="Strict",
        )


def test_importing_a_package_does_not_import_the_fakes() -> None:
    code = (
        "import sys\n"
        "import kube_clientgen_api.kubernetes as k\n"
        "from kube_clientgen_api.kubernetes.core.v1 import Pod\n"
        "k.Clientset\n"
        "print(sorted(m for m in sys.modules if m.startswith('kubecore.testing') or m.endswith('.fake')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    ).stdout
    assert out.strip() == "[]"


def test_mypy_sees_the_fake_as_the_real_interface() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "tests/typing/fake_clientset.py",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
    )
    out = result.stdout
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"')
        for line in out.splitlines()
        if "Revealed type" in line
    ]
    assert revealed == [
        "kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1.models._virtual_machine.VirtualMachine",
        "kube_clientgen_api.kubernetes.core.v1.models._pod.Pod",
        "list[kubecore.testing.fake.actions.Action]",
    ], out
    errors_ = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors_) == 1 and "Interface" in errors_[0], out  # a wrong Interface is refused


def test_concurrent_clients_and_a_watcher_on_one_fake() -> None:
    """Writers in several threads, one watcher: every write recorded, every event seen."""
    fake = FakeClientset()
    vms = fake.cloud_waibizi_com_v1.virtual_machines("default")
    start = vms.list().metadata.resource_version
    seen: list[str] = []

    def watch() -> None:
        for event in vms.watch(resource_version=start, timeout_seconds=10):
            if event.type == "ADDED":
                seen.append(event.object.metadata.name)
            if len(seen) == 40:
                return

    def write(prefix: str) -> None:
        for i in range(10):
            vms.create(vm(f"{prefix}-{i}"))

    watcher = threading.Thread(target=watch)
    watcher.start()
    writers = [threading.Thread(target=write, args=(p,)) for p in "abcd"]
    for thread in writers:
        thread.start()
    for thread in [*writers, watcher]:
        thread.join(15)
        assert not thread.is_alive()
    assert sorted(seen) == sorted(f"{p}-{i}" for p in "abcd" for i in range(10))
    creates = [a for a in fake.actions() if a.verb == "create"]
    assert len(creates) == 40
    assert len(vms.list().items) == 40


def test_a_fake_has_no_configuration() -> None:
    with pytest.raises(TypeError, match="Clientset\\(\\*objects\\)"):
        FakeClientset.from_config()


def test_streaming_list_watch_sends_initial_events_then_the_end_bookmark() -> None:
    fake = FakeClientset(vm("b"), vm("a"), vm("x", "other"))
    path = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
    params = {
        "sendInitialEvents": "true",
        "resourceVersionMatch": "NotOlderThan",
        "allowWatchBookmarks": "true",
    }
    events = watch_events(fake.fake_rest, path, params, VirtualMachine.from_dict, timeout_seconds=5)
    first = list(itertools.islice(events, 3))
    assert [(e.type, e.object.metadata.name) for e in first] == [
        ("ADDED", "a"),
        ("ADDED", "b"),
        ("BOOKMARK", None),
    ]
    bookmark = first[2].object.metadata
    assert bookmark.annotations == {"k8s.io/initial-events-end": "true"}
    assert bookmark.resource_version == fake.tracker.resource_version
    fake.cloud_waibizi_com_v1.virtual_machines("default").create(vm("c"))
    after = next(events)
    assert (after.type, after.object.metadata.name) == ("ADDED", "c")
    events.close()
    without_match = {k: v for k, v in params.items() if k != "resourceVersionMatch"}
    with pytest.raises(errors.Invalid, match="NotOlderThan"):
        next(iter(watch_events(fake.fake_rest, path, without_match, dict, timeout_seconds=5)))


def test_typed_objects_without_type_meta_are_preloaded_as_their_class() -> None:
    """client-go's tracker asks the scheme for a typed object's kind; so does ours."""
    cm = ConfigMap.from_dict({"metadata": {"name": "a", "namespace": "default"}})
    fake = KubeFake(cm)
    got = fake.core_v1.config_maps("default").get("a")
    assert got.metadata.name == "a" and got.kind == "ConfigMap" and got.api_version == "v1"
    with pytest.raises(ValueError, match="no such resource"):
        KubeFake({"metadata": {"name": "b"}})  # a dict says nothing: still an error
