"""The generated typed clients over real HTTP against kubecore.testing's API server:
kubeconfig -> Config -> Clientset -> group-version client -> resource client -> REST."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineSpec,
)
from kubecore import PatchType, load_config, retry_on_conflict
from kubecore.client import errors
from kubecore.core.generated.meta_v1 import ObjectMeta, Status
from kubecore.testing import TestApiServer
from tests.conftest import REPO, SPECS, requires_shared

# The seed CRD plus a status schema: the server prunes undeclared fields, as kube-apiserver.
VM_CRD = str(REPO / "tests" / "fixtures" / "crds" / "virtualmachine-status.yaml")


@pytest.fixture(scope="module")
def vm_server() -> Iterator[TestApiServer]:
    with TestApiServer([VM_CRD]) as server:
        yield server


@pytest.fixture()
def vms(vm_server: TestApiServer, request: pytest.FixtureRequest) -> Iterator[object]:
    cs = VMClientset.from_config(load_config(vm_server.kubeconfig_path))
    client = cs.cloud_waibizi_com_v1.virtual_machines("default")
    yield client
    client.delete_collection()
    cs.close()


def vm(name: str, **spec: object) -> VirtualMachine:
    return VirtualMachine(metadata=ObjectMeta(name=name, labels={"app": "vm"}), spec=VirtualMachineSpec(**spec))  # type: ignore[arg-type]


def test_create_get_update_delete(vms) -> None:  # type: ignore[no-untyped-def]
    created = vms.create(
        vm("public-wx", image="Centos-7.9", memory=4096, disk=500, status="creating")
    )
    assert isinstance(created, VirtualMachine)
    assert (
        created.metadata.uid
        and created.metadata.resource_version
        and created.metadata.creation_timestamp
    )
    assert created.metadata.generation == 1
    got = vms.get("public-wx")
    assert got.spec.image == "Centos-7.9" and got.spec.memory == 4096
    got.spec.memory = 8192
    updated = vms.update(got)
    assert updated.spec.memory == 8192 and updated.metadata.generation == 2
    assert updated.metadata.resource_version != created.metadata.resource_version
    deleted = vms.delete("public-wx")
    assert isinstance(deleted, VirtualMachine | Status)
    with pytest.raises(errors.NotFound) as caught:
        vms.get("public-wx")
    assert errors.is_not_found(caught.value) and caught.value.status == 404


def test_typed_errors(vms) -> None:  # type: ignore[no-untyped-def]
    vms.create(vm("dup", image="a"))
    with pytest.raises(errors.AlreadyExists):
        vms.create(vm("dup", image="a"))
    stale = vms.get("dup")
    fresh = vms.get("dup")
    fresh.spec.image = "b"
    vms.update(fresh)
    stale.spec.image = "c"
    with pytest.raises(errors.Conflict) as caught:
        vms.update(stale)
    assert errors.is_conflict(caught.value)
    with pytest.raises(errors.Invalid):
        vms.create(VirtualMachine(metadata=ObjectMeta(labels={"no": "name"})))


def test_list_pages_and_iterate(vms) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        vms.create(vm(f"vm-{i}", image="x"))
    page = vms.list(limit=2)
    assert len(page.items) == 2 and page.metadata.continue_ and page.metadata.resource_version
    rest = vms.list(limit=10, continue_=page.metadata.continue_)
    names = [v.metadata.name for v in page.items + rest.items]
    assert sorted(names) == [f"vm-{i}" for i in range(5)]
    assert sorted(v.metadata.name for v in vms.iterate(page_size=2)) == names and len(names) == 5
    assert len(vms.list(label_selector="app=vm").items) == 5
    assert vms.list(label_selector="app!=vm").items == []
    assert [v.metadata.name for v in vms.list(field_selector="metadata.name=vm-3").items] == [
        "vm-3"
    ]


def test_status_subresource_is_kept_apart(vms) -> None:  # type: ignore[no-untyped-def]
    created = vms.create(vm("s1", image="x"))
    created.to_dict()
    raw = created.to_dict()
    raw["status"] = {"observedGeneration": 7}
    with_status = VirtualMachine.from_dict(raw)
    after = vms.update_status(with_status)
    assert after.status.observed_generation == 7
    assert vms.get_status("s1").status.observed_generation == 7
    main = vms.get("s1")
    main_raw = main.to_dict()
    main_raw["status"] = {"observedGeneration": 99}
    vms.update(VirtualMachine.from_dict(main_raw))
    assert vms.get("s1").status.observed_generation == 7


def test_patches(vms) -> None:  # type: ignore[no-untyped-def]
    vms.create(vm("p1", image="x", memory=1))
    merged = vms.patch("p1", {"spec": {"memory": 2}}, patch_type=PatchType.MERGE)
    assert merged.spec.memory == 2 and merged.spec.image == "x"
    patched = vms.patch(
        "p1", [{"op": "replace", "path": "/spec/image", "value": "y"}], patch_type=PatchType.JSON
    )
    assert patched.spec.image == "y"
    with pytest.raises(errors.ApiError) as caught:  # CRs do not support strategic merge (415)
        vms.patch("p1", {"spec": {"memory": 3}}, patch_type=PatchType.STRATEGIC_MERGE)
    assert caught.value.status == 415


def test_watch_sees_changes_in_order(vms) -> None:  # type: ignore[no-untyped-def]
    start = vms.list().metadata.resource_version
    seen: list[tuple[str, str | None]] = []

    def watch() -> None:
        for event in vms.watch(resource_version=start, timeout_seconds=3):
            if event.type != "BOOKMARK":
                assert isinstance(event.object, VirtualMachine)
                seen.append((event.type, event.object.metadata.name))
            if len(seen) == 3:
                return

    thread = threading.Thread(target=watch)
    thread.start()
    time.sleep(0.3)
    vms.create(vm("w1", image="x"))
    vms.patch("w1", {"spec": {"image": "y"}})
    vms.delete("w1")
    thread.join(10)
    assert seen == [("ADDED", "w1"), ("MODIFIED", "w1"), ("DELETED", "w1")]


def test_the_readme_watch_loop_prints_changes_only(vms, capsys) -> None:  # type: ignore[no-untyped-def]
    """The README's loop: bookmarks advance the watch's resume version, never reach the loop."""
    page = vms.list(label_selector="app=vm")
    vms.create(vm("w1", image="x"))
    other = VirtualMachine(metadata=ObjectMeta(name="db", labels={"app": "db"}))
    latest = vms.create(other).metadata.resource_version  # not selected: only a bookmark
    events = vms.watch(
        resource_version=page.metadata.resource_version,
        label_selector="app=vm",
        timeout_seconds=2.5,  # longer than the server's one-second idle bookmark tick
    )
    for event in events:
        print(event.type, event.object.metadata.name)
    assert capsys.readouterr().out == "ADDED w1\n"
    assert events.resource_version == latest  # a consumed bookmark moved the resume point


def test_retry_on_conflict_wins_against_a_concurrent_writer(vms) -> None:  # type: ignore[no-untyped-def]
    vms.create(vm("counter", memory=0))
    stop = threading.Event()
    writes = 0
    wrote = threading.Condition()

    def writer() -> None:  # another client bumping spec.disk every 20 ms
        nonlocal writes
        while not stop.is_set():
            current = vms.get("counter")
            current.spec.disk = (current.spec.disk or 0) + 1
            try:
                vms.update(current)
            except errors.Conflict:
                continue
            with wrote:
                writes += 1
                wrote.notify_all()
            # Every few retries' time: DEFAULT_RETRY (5 tries, 10 ms apart) must be able to
            # win on a loaded machine too, while the first attempt still always loses.
            time.sleep(0.02)

    thread = threading.Thread(target=writer)
    thread.start()
    conflicts = 0
    try:
        for _ in range(10):
            attempts = 0

            def bump() -> None:
                nonlocal conflicts, attempts
                attempts += 1
                current = vms.get("counter")
                current.spec.memory = (current.spec.memory or 0) + 1
                if attempts == 1:  # let the writer win the first race, for certain:
                    # wait until the stored object is newer than the copy we hold
                    deadline = time.monotonic() + 10
                    held = current.metadata.resource_version
                    while vms.get("counter").metadata.resource_version == held:
                        assert time.monotonic() < deadline, "the writer never wrote"
                        time.sleep(0.001)
                try:
                    vms.update(current)
                except errors.Conflict:
                    conflicts += 1
                    raise

            retry_on_conflict(bump)  # client-go's DEFAULT_RETRY
    finally:
        stop.set()
        thread.join(10)
    final = vms.get("counter")
    assert final.spec.memory == 10  # every bump landed exactly once
    assert conflicts >= 10
    assert final.spec.disk == writes  # and none of the writer's updates was lost


def test_dry_run_changes_nothing(vms) -> None:  # type: ignore[no-untyped-def]
    made = vms.create(vm("dry", image="x"), dry_run=True)
    assert made.metadata.name == "dry"
    with pytest.raises(errors.NotFound):
        vms.get("dry")


@requires_shared
def test_builtin_kinds_over_the_core_group() -> None:
    with TestApiServer([str(SPECS / "kubernetes" / "swagger.json")]) as server:
        with Clientset.from_config(load_config(server.kubeconfig_path)) as cs:
            cms = cs.core_v1.config_maps("default")
            cms.create(ConfigMap(metadata=ObjectMeta(name="cfg"), data={"a": "1"}))
            patched = cms.patch("cfg", {"data": {"b": "2"}}, patch_type=PatchType.STRATEGIC_MERGE)
            assert patched.data == {"a": "1", "b": "2"}
            assert [c.metadata.name for c in cs.core_v1.config_maps("").list().items] == ["cfg"]
            namespaces = cs.core_v1.namespaces().list()
            assert {"default", "kube-system"} <= {n.metadata.name for n in namespaces.items}
            with pytest.raises(errors.NotFound):
                cs.core_v1.config_maps("missing-namespace").create(
                    ConfigMap(metadata=ObjectMeta(name="x"))
                )


def test_watch_from_a_compacted_version_reports_gone() -> None:
    with TestApiServer([VM_CRD], history=3) as server:
        cs = VMClientset.from_config(load_config(server.kubeconfig_path))
        client = cs.cloud_waibizi_com_v1.virtual_machines("default")
        first = client.create(vm("g0", image="x")).metadata.resource_version
        for i in range(1, 8):
            client.create(vm(f"g{i}", image="x"))
        with pytest.raises(errors.Gone) as caught:
            for _ in client.watch(resource_version=first, timeout_seconds=2):
                pass
        assert errors.is_gone(caught.value) and caught.value.status == 410
        relisted = client.list()
        assert len(relisted.items) == 8
        events = client.watch(
            resource_version=relisted.metadata.resource_version, timeout_seconds=1
        )
        assert [e.type for e in events if e.type != "BOOKMARK"] == []
        cs.close()
