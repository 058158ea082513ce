"""One suite, two backends: the fake clientsets and the test API server over HTTP must
give identical observable results (objects, lists, errors, watch events).

Each scenario runs once against a fresh ``TestApiServer`` (the real clients over loopback
HTTP) and once against fresh fake clientsets (the same clients over the in-process
backend); the observations, with uids and timestamps left out, must be equal. Every
scenario also asserts what it observes, so that two equally wrong backends do not pass.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes import fake as kube_fake
from kube_clientgen_api.kubernetes.apps.v1 import Deployment
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap, Namespace
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine import fake as vm_fake
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kubecore import PatchType, load_config
from kubecore.client import errors
from kubecore.client.dynamic import DynamicClient
from kubecore.client.unstructured import GroupVersionResource, Unstructured
from kubecore.client.watch import Watcher
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.listwatch import ListWatch
from kubecore.testing import ResourceTable, TestApiServer, Tracker, load_table
from kubecore.testing.fake import FakeDynamicClient
from tests.conftest import REPO

SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
# The seed CRD with a status schema: kube-apiserver (and the test server) prune fields a CRD
# does not declare, status included.
VM_CRD = REPO / "tests" / "fixtures" / "crds" / "virtualmachine-status.yaml"
VM_GVR = GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")
WATCH_BOUND = 5  # seconds: a watch that misses an event ends instead of hanging


@dataclass
class Backend:
    kube: Any  # the kubernetes Interface (real or fake clientset)
    vm: Any  # the virtualmachine Interface
    dynamic: DynamicClient
    tracker: Tracker  # the store behind it (to compact its history)


@pytest.fixture(scope="module")
def table() -> ResourceTable:
    return load_table([SWAGGER, VM_CRD])


@contextmanager
def server_backend(table: ResourceTable) -> Iterator[Backend]:
    with TestApiServer(table=table) as server:
        config = load_config(server.kubeconfig_path)
        kube, vm = Clientset.from_config(config), VMClientset.from_config(config)
        dynamic = DynamicClient(config)
        try:
            yield Backend(kube, vm, dynamic, server.tracker)
        finally:
            kube.close()
            vm.close()
            dynamic.close()


@contextmanager
def fake_backend(table: ResourceTable) -> Iterator[Backend]:
    kube = kube_fake.Clientset()  # no specs: the package's own resource list
    vm = vm_fake.Clientset(tracker=kube.tracker)  # one "cluster" for both packages
    dynamic = FakeDynamicClient(tracker=kube.tracker)
    try:
        yield Backend(kube, vm, dynamic, kube.tracker)
    finally:
        kube.tracker.close()


def _norm(value: Any) -> Any:
    """JSON data without what differs by nature between two stores (uids, timestamps)."""
    if hasattr(value, "to_dict"):
        value = value.to_dict()
    if isinstance(value, Unstructured):
        value = value.object
    if isinstance(value, dict):
        return {
            k: _norm(v)
            for k, v in value.items()
            if k not in ("uid", "creationTimestamp", "deletionTimestamp", "time")
        }
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _error(call: Callable[[], Any]) -> tuple[str, int, str, str]:
    try:
        call()
    except errors.ApiError as err:
        return type(err).__name__, err.status, err.reason, err.message
    raise AssertionError("no error raised")


def cm(name: str, namespace: str = "default", **labels: str) -> ConfigMap:
    return ConfigMap(
        metadata=ObjectMeta(name=name, namespace=namespace, labels=labels or None),
        data={"key": name},
    )


def vm(name: str, status: str = "creating") -> VirtualMachine:
    return VirtualMachine(
        metadata=ObjectMeta(name=name, labels={"app": "vm"}),
        spec=VirtualMachineSpec(image="centos", memory=4096, status=status),  # type: ignore[arg-type]
    )


# -- scenarios --------------------------------------------------------------------------------


def s_create_get(b: Backend) -> Any:
    cms = b.kube.core_v1.config_maps("default")
    created = cms.create(cm("one", app="web"))
    got = cms.get("one")
    assert isinstance(got, ConfigMap) and got.data == {"key": "one"}
    assert got.metadata.resource_version == created.metadata.resource_version
    assert created.metadata.uid and created.metadata.resource_version
    dry = cms.create(cm("dry"), dry_run=True)
    generated = cms.create(ConfigMap(metadata=ObjectMeta(generate_name="gen-"), data={"a": "1"}))
    assert generated.metadata.name.startswith("gen-")
    return [
        _norm(created),
        _norm(got),
        _norm(dry),
        _error(lambda: cms.get("dry")),
        _error(lambda: cms.create(cm("one"))),
        _error(lambda: cms.create(ConfigMap(metadata=ObjectMeta(), data={}))),
        len(generated.metadata.name),
    ]


def s_list_label_selectors(b: Backend) -> Any:
    cms = b.kube.core_v1.config_maps("default")
    cms.create(cm("a", app="web", tier="front"))
    cms.create(cm("b", app="web", tier="back"))
    cms.create(cm("c", app="db"))
    b.kube.core_v1.config_maps("kube-system").create(cm("d", "kube-system", app="web"))
    out = {}
    for selector in ["app=web", "app!=web", "tier in (front,back)", "!tier", "app", ""]:
        listed = cms.list(label_selector=selector or None)
        out[selector] = [i.metadata.name for i in listed.items]
    everywhere = b.kube.core_v1.config_maps("").list(label_selector="app=web")
    out["all namespaces"] = [(i.metadata.namespace, i.metadata.name) for i in everywhere.items]
    out["field"] = [i.metadata.name for i in cms.list(field_selector="metadata.name=b").items]
    page = cms.list(limit=2)
    rest = cms.list(limit=2, continue_=page.metadata.continue_)
    out["pages"] = [[i.metadata.name for i in page.items], [i.metadata.name for i in rest.items]]
    out["iterate"] = [i.metadata.name for i in cms.iterate(page_size=1)]
    out["list rv"] = page.metadata.resource_version
    out["bad selector"] = _error(lambda: cms.list(label_selector="a in (b"))
    assert out["app=web"] == ["a", "b"] and out["app!=web"] == ["c"]
    assert out["iterate"] == ["a", "b", "c"]
    return out


def s_update_conflict(b: Backend) -> Any:
    vms = b.vm.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("vm1"))
    stale, fresh = vms.get("vm1"), vms.get("vm1")
    fresh.spec.memory = 8192
    updated = vms.update(fresh)
    assert updated.metadata.generation == 2
    stale.spec.memory = 1
    conflict = _error(lambda: vms.update(stale))
    assert conflict[:3] == ("Conflict", 409, "Conflict")
    missing = _error(lambda: vms.update(vm("nope")))
    noop = vms.update(vms.get("vm1"))  # no change: no new resourceVersion
    assert noop.metadata.resource_version == updated.metadata.resource_version
    # A custom resource's update must name the version it replaces (kube-apiserver: the
    # CR strategy does not AllowUnconditionalUpdate); a ConfigMap's need not.
    blind = vms.get("vm1")
    blind.metadata.resource_version = None
    unconditional = _error(lambda: vms.update(blind))
    assert unconditional[:2] == ("Invalid", 422)
    assert unconditional[3] == (
        'virtualmachines.cloud.waibizi.com "vm1" is invalid: metadata.resourceVersion: '
        "Invalid value: 0x0: must be specified for an update"
    )
    cms = b.kube.core_v1.config_maps("default")
    cms.create(cm("blind"))
    assert cms.update(cm("blind")).metadata.resource_version
    return [_norm(updated), conflict, missing, _norm(noop), unconditional]


def s_patch_merge_and_json(b: Backend) -> Any:
    cms = b.kube.core_v1.config_maps("default")
    cms.create(ConfigMap(metadata=ObjectMeta(name="p"), data={"a": "1", "b": "2"}))
    merged = cms.patch("p", {"data": {"a": None, "c": "3"}}, patch_type=PatchType.MERGE)
    assert merged.data == {"b": "2", "c": "3"}
    jsoned = cms.patch(
        "p",
        [
            {"op": "add", "path": "/data/d", "value": "4"},
            {"op": "replace", "path": "/data/b", "value": "two"},
            {"op": "remove", "path": "/data/c"},
        ],
        patch_type=PatchType.JSON,
    )
    assert jsoned.data == {"b": "two", "d": "4"}
    failed = _error(
        lambda: cms.patch(
            "p", [{"op": "test", "path": "/data/b", "value": "x"}], patch_type=PatchType.JSON
        )
    )
    stale_rv = _error(
        lambda: cms.patch("p", {"metadata": {"resourceVersion": "1"}, "data": {"x": "y"}})
    )
    missing = _error(lambda: cms.patch("nope", {"data": {}}))
    vms = b.vm.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("vm1"))
    vm_patched = vms.patch("vm1", {"spec": {"status": "complete"}})
    assert vm_patched.spec.status == "complete"
    smp_on_crd = _error(
        lambda: vms.patch("vm1", {"spec": {}}, patch_type=PatchType.STRATEGIC_MERGE)
    )
    assert smp_on_crd[1] == 415
    return [_norm(merged), _norm(jsoned), failed, stale_rv, missing, _norm(vm_patched), smp_on_crd]


def s_delete_and_not_found(b: Backend) -> Any:
    cms = b.kube.core_v1.config_maps("default")
    cms.create(cm("x"))
    cms.create(cm("y", app="web"))
    cms.create(cm("z", app="web"))
    deleted = cms.delete("x")
    gone = _error(lambda: cms.get("x"))
    assert gone[:2] == ("NotFound", 404)
    again = _error(lambda: cms.delete("x"))
    created = cms.create(cm("w"))
    precondition = _error(lambda: cms.delete("w", preconditions={"resourceVersion": "1"}))
    dry = cms.delete("w", dry_run=True)
    still = cms.get("w").metadata.name
    collection = cms.delete_collection(label_selector="app=web")
    left = [i.metadata.name for i in cms.list().items]
    assert left == ["w"]
    finalized = cms.create(
        ConfigMap(metadata=ObjectMeta(name="f", finalizers=["example.com/keep"]))
    )
    terminating = cms.delete("f")
    kept = cms.get("f")
    assert kept.metadata.deletion_timestamp is not None
    released = cms.patch("f", {"metadata": {"finalizers": None}})
    after = _error(lambda: cms.get("f"))
    return [
        _norm(deleted),
        gone,
        again,
        created.metadata.resource_version,
        precondition,
        _norm(dry),
        still,
        _norm(collection),
        left,
        _norm(finalized),
        _norm(terminating),
        _norm(kept),
        _norm(released),
        after,
    ]


def _with_status(obj: VirtualMachine, status: dict[str, str]) -> VirtualMachine:
    """The generated model has no status (the seed CRD has none): it travels as an unknown
    field, kept losslessly; the CRD the backends serve declares it, so it is not pruned."""
    return VirtualMachine.from_dict({**obj.to_dict(), "status": status})


def _status(obj: VirtualMachine) -> Any:
    return obj.to_dict().get("status")


def s_status_subresource(b: Backend) -> Any:
    vms = b.vm.cloud_waibizi_com_v1.virtual_machines("default")
    created = vms.create(_with_status(vm("vm1"), {"phase": "ignored"}))
    assert _status(created) is None  # a CRD's status is not set on create
    status_updated = vms.update_status(_with_status(vms.get("vm1"), {"phase": "Running"}))
    assert _status(status_updated) == {"phase": "Running"}
    main = _with_status(vms.get("vm1"), {"phase": "not through the main resource"})
    main.spec.memory = 1024
    main_updated = vms.update(main)
    assert _status(main_updated) == {"phase": "Running"} and main_updated.spec.memory == 1024
    spec_through_status = _with_status(vms.get("vm1"), {"phase": "Running"})
    spec_through_status.spec.memory = 1
    ignored_spec = vms.update_status(spec_through_status)
    assert ignored_spec.spec.memory == 1024
    status_patched = vms.patch_status("vm1", {"status": {"phase": "Stopped"}})
    got_status = vms.get_status("vm1")
    assert _status(got_status) == {"phase": "Stopped"}
    return [
        _norm(created),
        _norm(status_updated),
        _norm(main_updated),
        _norm(ignored_spec),
        _norm(status_patched),
        _norm(got_status),
    ]


def s_namespaces(b: Backend) -> Any:
    namespaces = b.kube.core_v1.namespaces()
    missing = _error(lambda: b.kube.core_v1.config_maps("team").create(cm("c", "team")))
    vm_missing = _error(lambda: b.vm.cloud_waibizi_com_v1.virtual_machines("team").create(vm("v")))
    created = namespaces.create(Namespace(metadata=ObjectMeta(name="team")))
    b.kube.core_v1.config_maps("team").create(cm("c", "team"))
    b.vm.cloud_waibizi_com_v1.virtual_machines("team").create(vm("v"))
    names = [n.metadata.name for n in namespaces.list().items]
    mismatch = _error(lambda: b.kube.core_v1.config_maps("default").create(cm("m", "team")))
    namespaces.delete("team")
    after = b.kube.core_v1.config_maps("team").list()
    vms_after = b.vm.cloud_waibizi_com_v1.virtual_machines("").list()
    assert names == ["default", "kube-system", "team"]
    return [missing, vm_missing, _norm(created), names, mismatch, _norm(after), _norm(vms_after)]


def s_namespace_termination(b: Backend) -> Any:
    """kube-apiserver and its namespace controller: a deleted namespace is ``Terminating``
    while objects that finalizers hold are left in it, refuses new content (403 with a
    ``NamespaceTerminating`` cause), and goes once its last object goes. It had gone at
    once, leaving such objects in a namespace that no longer existed; ``default`` could be
    deleted too."""
    namespaces = b.kube.core_v1.namespaces()
    namespaces.create(Namespace(metadata=ObjectMeta(name="ending")))
    cms = b.kube.core_v1.config_maps("ending")
    cms.create(ConfigMap(metadata=ObjectMeta(name="held", finalizers=["example.com/keep"])))
    cms.create(cm("plain", "ending"))
    answer = namespaces.delete("ending")
    terminating = namespaces.get("ending")
    assert terminating.status.phase == "Terminating"
    assert terminating.metadata.deletion_timestamp is not None
    refused = _error(lambda: cms.create(cm("late", "ending")))
    assert refused[:2] == ("Forbidden", 403)
    left = [c.metadata.name for c in cms.list().items]
    assert left == ["held"]
    cms.patch("held", {"metadata": {"finalizers": None}})
    gone = _error(lambda: namespaces.get("ending"))
    assert gone[:2] == ("NotFound", 404)
    # NamespaceLifecycle admission: default, kube-system and kube-public are immortal.
    immortal = _error(lambda: namespaces.delete("default"))
    assert immortal[:2] == ("Forbidden", 403)
    assert immortal[3] == 'namespaces "default" is forbidden: this namespace may not be deleted'
    return [_norm(answer), refused, left, gone, immortal]


def _collect(events: Iterator[Any], count: int) -> list[tuple[str, str, Any]]:
    seen: list[tuple[str, str, Any]] = []
    for event in events:
        if event.type == "BOOKMARK":
            continue
        meta = event.object.metadata
        seen.append((event.type, meta.name, meta.resource_version))
        if len(seen) == count:
            break
    return seen


def s_watch_events(b: Backend) -> Any:
    vms = b.vm.cloud_waibizi_com_v1.virtual_machines("default")
    vms.create(vm("before"))
    start = vms.list().metadata.resource_version
    vms.create(vm("a"))
    vms.patch("a", {"spec": {"status": "complete"}})
    vms.create(vm("b"))
    vms.delete("a")
    b.kube.core_v1.config_maps("default").create(cm("unrelated"))
    b.kube.core_v1.config_maps("default").create(cm("web", app="web"))
    resumed = _collect(vms.watch(resource_version=start, timeout_seconds=WATCH_BOUND), 4)
    initial = _collect(vms.watch(timeout_seconds=WATCH_BOUND), 2)
    selected = _collect(
        b.kube.core_v1.config_maps("default").watch(
            label_selector="app=web", timeout_seconds=WATCH_BOUND
        ),
        1,
    )
    live: list[tuple[str, str, Any]] = []
    ready = threading.Event()

    def watch_live() -> None:
        events = vms.watch(
            resource_version=vms.list().metadata.resource_version, timeout_seconds=WATCH_BOUND
        )
        ready.set()
        live.extend(_collect(events, 2))

    watcher = threading.Thread(target=watch_live)
    watcher.start()
    ready.wait(WATCH_BOUND)
    vms.create(vm("c"))
    vms.delete("c")
    watcher.join(WATCH_BOUND + 5)
    assert [e[:2] for e in resumed] == [
        ("ADDED", "a"),
        ("MODIFIED", "a"),
        ("ADDED", "b"),
        ("DELETED", "a"),
    ]
    assert [e[:2] for e in live] == [("ADDED", "c"), ("DELETED", "c")]
    assert [e[:2] for e in initial] == [("ADDED", "b"), ("ADDED", "before")]
    assert [e[:2] for e in selected] == [("ADDED", "web")]  # "unrelated" sorts first
    dynamic = b.dynamic.resource(VM_GVR).namespace("default")
    dyn_events = _collect_dynamic(
        dynamic.watch(resource_version=start, timeout_seconds=WATCH_BOUND), 4
    )
    return [resumed, initial, selected, live, dyn_events]


def _collect_dynamic(events: Iterator[Any], count: int) -> list[tuple[str, str]]:
    seen = []
    for event in events:
        if event.type != "BOOKMARK":
            seen.append((event.type, event.object.object["metadata"]["name"]))
        if len(seen) == count:
            break
    return seen


def s_watch_list(b: Backend) -> Any:
    """Streaming lists (``sendInitialEvents=true``): the current objects as ADDED events,
    the initial-events-end BOOKMARK at the list's version, then live changes; the request
    checks answer alike."""
    vms = b.vm.cloud_waibizi_com_v1.virtual_machines("default")
    for name in ("x", "y"):
        vms.create(vm(name))
    listed_rv = vms.list().metadata.resource_version
    stream = ListWatch.for_client(vms).watch("", True)
    seen: list[tuple[str, str, Any]] = []
    for event in stream:
        meta = event.object.metadata
        if event.type == "BOOKMARK":
            seen.append((event.type, str(meta.annotations), meta.resource_version))
            vms.create(vm("z"))  # after the initial state: a live event
            continue
        seen.append((event.type, meta.name, meta.resource_version))
        if meta.name == "z":
            break
    stream.stop()
    assert [e[:2] for e in seen] == [
        ("ADDED", "x"),
        ("ADDED", "y"),
        ("BOOKMARK", "{'k8s.io/initial-events-end': 'true'}"),
        ("ADDED", "z"),
    ]
    assert seen[2][2] == listed_rv
    path = vms._path(collection=True)
    bad = [
        _error(lambda q=query: list(Watcher(vms._rest, path, q, dict, resume=False)))
        for query in (
            {"sendInitialEvents": "true"},
            {"sendInitialEvents": "true", "resourceVersionMatch": "NotOlderThan"},
            {"resourceVersionMatch": "NotOlderThan"},
        )
    ]
    assert [e[1] for e in bad] == [422, 422, 422]
    return [seen, bad]


def s_gone(b: Backend) -> Any:
    cms = b.kube.core_v1.config_maps("default")
    old = cms.list().metadata.resource_version
    for i in range(3):
        cms.create(cm(f"c{i}"))
    b.tracker.compact()  # the history now starts after ``old``, as after etcd compaction
    with pytest.raises(errors.Gone) as caught:
        for _ in cms.watch(resource_version=old, timeout_seconds=WATCH_BOUND):
            pass
    with pytest.raises(errors.BadRequest) as malformed:  # not a version at all: 400
        for _ in cms.watch(resource_version="-5", timeout_seconds=WATCH_BOUND):
            pass
    return [type(caught.value).__name__, caught.value.status, str(malformed.value)]


def s_dynamic_client(b: Backend) -> Any:
    resource = b.dynamic.resource(VM_GVR).namespace("default")
    created = resource.create(
        Unstructured(
            {
                "apiVersion": "cloud.waibizi.com/v1",
                "kind": "VirtualMachine",
                "metadata": {"name": "dyn"},
                "spec": {"image": "x", "status": "creating"},
            }
        )
    )
    patched = resource.patch("dyn", {"spec": {"status": "complete"}})
    listed = b.dynamic.resource(VM_GVR).list()
    typed = b.vm.cloud_waibizi_com_v1.virtual_machines("default").get("dyn")
    assert typed.spec.status == "complete"
    missing = _error(lambda: resource.get("nope"))
    resource.delete("dyn")
    return [_norm(created), _norm(patched), _norm(listed), _norm(typed), missing]


def s_scale_subresource(b: Backend) -> Any:
    deployments = b.kube.apps_v1.deployments("default")
    deployments.create(
        Deployment.from_dict(
            {
                "metadata": {"name": "web"},
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"app": "web"}},
                    "template": {
                        "metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
                    },
                },
            }
        )
    )
    scale = deployments.get_scale("web")
    assert scale.spec.replicas == 2 and scale.status.selector == "app=web"
    scale.spec.replicas = 5
    updated = deployments.update_scale("web", scale)
    assert deployments.get("web").spec.replicas == 5
    scale.spec.replicas = 1  # stale resourceVersion now
    conflict = _error(lambda: deployments.update_scale("web", scale))
    return [_norm(scale), _norm(updated), conflict]


CM_GVR = GroupVersionResource("", "v1", "configmaps")
POD_GVR = GroupVersionResource("", "v1", "pods")


def s_list_continue_with_version(b: Backend) -> Any:
    cms = b.dynamic.resource(CM_GVR).namespace("default")
    for name in ("a", "b"):
        cms.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
    first = cms.list(limit=1)
    assert first.continue_
    refused = _error(lambda: cms.list(limit=1, continue_=first.continue_, resource_version="1"))
    assert refused[:2] == ("BadRequest", 400)
    allowed = cms.list(limit=1, continue_=first.continue_, resource_version="0")
    # etcd3's store counts what the next pages hold, only without a selector.
    typed = b.kube.core_v1.config_maps("default")
    assert typed.list(limit=1).metadata.remaining_item_count == 1
    assert typed.list(limit=1, label_selector="x!=y").metadata.remaining_item_count is None
    assert typed.list(limit=5).metadata.remaining_item_count is None
    return [refused, [i.object["metadata"]["name"] for i in allowed.items]]


def s_list_snapshots(b: Backend) -> Any:
    """Every page of a paged list shows the state of its first page (the token carries its
    resourceVersion); Exact, legacy exact (limit) and NotOlderThan lists; a version older
    than the history is 410 (a continue token's 410 carries a token that continues at the
    current state)."""
    cms = b.kube.core_v1.config_maps("default")
    for index in range(4):
        cms.create(cm(f"c{index}"))
    first = cms.list(limit=2)
    rv = first.metadata.resource_version
    cms.delete("c3")
    changed = cms.get("c2")
    changed.data = {"key": "changed"}
    cms.update(changed)
    cms.create(cm("c25"))
    rest = cms.list(limit=2, continue_=first.metadata.continue_)

    def names(listed: Any) -> list[str]:
        return [item.metadata.name for item in listed.items]

    assert names(first) + names(rest) == ["c0", "c1", "c2", "c3"]
    assert rest.metadata.resource_version == rv and rest.items[0].data == {"key": "c2"}
    exact = cms.list(resource_version=rv, resource_version_match="Exact")
    legacy = cms.list(resource_version=rv, limit=10)  # limit: the legacy exact read
    newer = cms.list(resource_version=rv, resource_version_match="NotOlderThan")
    assert names(exact) == names(legacy) == ["c0", "c1", "c2", "c3"]
    assert names(newer) == ["c0", "c1", "c2", "c25"]
    assert int(newer.metadata.resource_version) > int(rv)
    b.tracker.compact()
    expired = _error(lambda: cms.list(resource_version=rv, resource_version_match="Exact"))
    assert expired[:3] == ("Gone", 410, "Expired")
    try:
        cms.list(limit=2, continue_=first.metadata.continue_)
        raise AssertionError("an expired continue token was accepted")
    except errors.Gone as err:
        token = json.loads(err.body or b"{}")["metadata"]["continue"]
        gone_token = (err.reason, err.message)
    resumed = cms.list(limit=2, continue_=token)  # continues at the current state
    assert names(resumed) == ["c2", "c25"] and resumed.items[0].data == {"key": "changed"}
    return [
        names(first),
        names(rest),
        [_norm(i) for i in rest.items],
        names(newer),
        expired,
        gone_token,
        names(resumed),
    ]


def s_dry_run_delete_with_finalizers(b: Backend) -> Any:
    cms = b.dynamic.resource(CM_GVR).namespace("default")
    meta = {"name": "held", "finalizers": ["example.com/hold"]}
    stored = cms.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta})
    previewed = cms.delete("held", dry_run=True)
    assert previewed.object["metadata"]["deletionTimestamp"]
    assert cms.get("held").object == stored.object  # nothing stored
    foreground = cms.delete("held", dry_run=True, propagation_policy="Foreground")
    return [_norm(previewed), _norm(foreground), _norm(cms.get("held"))]


def s_eviction_options(b: Backend) -> Any:
    pods = b.dynamic.resource(POD_GVR).namespace("default")
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    made = pods.create(pod)

    def evict(name: str = "p", **options: Any) -> Any:
        body: dict[str, Any] = {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": name, "namespace": "default"},
        }
        if options:
            body["deleteOptions"] = options
        return pods.create(body, subresource="eviction")

    conflict = _error(lambda: evict(preconditions={"uid": "nope"}))
    assert conflict[:2] == ("Conflict", 409)
    dry = evict(dryRun=["All"])
    assert pods.get("p").object == made.object
    done = evict(preconditions={"resourceVersion": made.object["metadata"]["resourceVersion"]})
    gone = _error(lambda: pods.get("p"))
    return [conflict[:3], _norm(dry), _norm(done), gone]


def s_delete_collection_options(b: Backend) -> Any:
    """``delete_collection`` honours its DeleteOptions as kube-apiserver does (it deletes
    each item with them): a dry run deletes nothing (it emptied the collection), and an
    item that finalizers hold is marked for deletion, not gone."""
    cms = b.kube.core_v1.config_maps("default")
    for name in ("a", "b"):
        cms.create(cm(name, app="web"))
    previewed = cms.delete_collection(label_selector="app=web", dry_run=True)
    after_dry = sorted(i.metadata.name for i in cms.list().items)
    assert after_dry == ["a", "b"]
    dynamic = b.dynamic.resource(CM_GVR).namespace("default")
    dynamic.delete_collection(label_selector="app=web", dry_run=True)
    assert sorted(i.metadata.name for i in cms.list().items) == ["a", "b"]
    cms.patch("a", {"metadata": {"finalizers": ["example.com/keep"]}})
    cms.delete_collection(label_selector="app=web", propagation_policy="Orphan")
    held = cms.get("a").metadata
    assert held.deletion_timestamp is not None
    assert [i.metadata.name for i in cms.list().items] == ["a"]
    return [_norm(previewed), after_dry, held.finalizers]


SCENARIOS = {
    "list_snapshots": s_list_snapshots,
    "list_continue_with_version": s_list_continue_with_version,
    "dry_run_delete_with_finalizers": s_dry_run_delete_with_finalizers,
    "eviction_options": s_eviction_options,
    "delete_collection_options": s_delete_collection_options,
    "scale_subresource": s_scale_subresource,
    "create_get": s_create_get,
    "list_label_selectors": s_list_label_selectors,
    "update_conflict": s_update_conflict,
    "patch_merge_and_json": s_patch_merge_and_json,
    "delete_and_not_found": s_delete_and_not_found,
    "status_subresource": s_status_subresource,
    "namespaces": s_namespaces,
    "namespace_termination": s_namespace_termination,
    "watch_events": s_watch_events,
    "watch_gone": s_gone,
    "watch_list": s_watch_list,
    "dynamic_client": s_dynamic_client,
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fake_and_server_agree(name: str, table: ResourceTable) -> None:
    scenario = SCENARIOS[name]
    with server_backend(table) as backend:
        over_http = scenario(backend)
    with fake_backend(table) as backend:
        in_process = scenario(backend)
    assert in_process == over_http
