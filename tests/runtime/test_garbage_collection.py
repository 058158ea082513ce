"""The test API server's garbage collector and finalizers, driven over HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kubecore.client.config import load_config
from kubecore.client.errors import Invalid, NotFound
from kubecore.core.generated.meta_v1 import ObjectMeta
from kubecore.runtime.finalizers import add_finalizer, has_finalizer, remove_finalizer
from kubecore.runtime.owners import set_controller_reference, set_owner_reference
from kubecore.testing import TestApiServer
from tests.runtime.conftest import SPEC
from tests.runtime.support import kubectl, requires_kubectl

HOLD = "example.com/hold"


class World:
    def __init__(self, cs: Clientset) -> None:
        self.cms = cs.core_v1.config_maps("default")
        self.prefix = uuid.uuid4().hex[:6]

    def name(self, short: str) -> str:
        return f"{self.prefix}-{short}"

    def make(
        self,
        short: str,
        *,
        controller: ConfigMap | None = None,
        owners: tuple[ConfigMap, ...] = (),
        finalizers: tuple[str, ...] = (),
    ) -> ConfigMap:
        cm = ConfigMap(
            metadata=ObjectMeta(name=self.name(short), namespace="default"), data={"k": short}
        )
        if controller is not None:
            set_controller_reference(controller, cm)
        for owner in owners:
            set_owner_reference(owner, cm)
        for finalizer in finalizers:
            add_finalizer(cm, finalizer)
        return self.cms.create(cm)

    def exists(self, short: str) -> bool:
        try:
            self.cms.get(self.name(short))
        except NotFound:
            return False
        return True

    def get(self, short: str) -> ConfigMap:
        return self.cms.get(self.name(short))

    def release(self, short: str) -> None:
        cm = self.get(short)
        assert remove_finalizer(cm, HOLD)
        self.cms.update(cm)


def owner_names(cm: ConfigMap) -> list[str]:
    refs = cm.metadata.owner_references if cm.metadata is not None else None
    return [r.name for r in refs or []]


class Recorder:
    """The watch events on config maps after its creation, as (type, name, finalizers):
    read afterwards from the saved resourceVersion, in the test's own thread."""

    def __init__(self, cs: Clientset) -> None:
        self._cms = cs.core_v1.config_maps("default")
        self._rv = self._cms.list(limit=1).metadata.resource_version

    def wait_for(self, event_type: str, name: str) -> list[tuple[str, str, list[str]]]:
        seen: list[tuple[str, str, list[str]]] = []
        events = self._cms.watch(resource_version=self._rv, timeout_seconds=10)
        try:
            for event in events:
                if event.type == "BOOKMARK":
                    continue
                meta = event.object.metadata
                seen.append((event.type, meta.name, list(meta.finalizers or [])))
                if (event.type, meta.name) == (event_type, name):
                    return seen
        finally:
            events.close()
        raise AssertionError(f"no {event_type} event for {name}: {seen}")


def test_finalizers_hold_an_object_until_removed(cs: Clientset) -> None:
    w = World(cs)
    w.make("held", finalizers=(HOLD,))
    deleted = w.cms.delete(w.name("held"))
    assert isinstance(deleted, ConfigMap) and deleted.metadata.deletion_timestamp
    current = w.get("held")  # the controller's delete flow: deletionTimestamp seen ...
    assert current.metadata.deletion_timestamp and has_finalizer(current, HOLD)
    current.data = {"cleaned": "up"}  # ... clean up, remove the finalizer, update
    remove_finalizer(current, HOLD)
    w.cms.update(current)
    assert not w.exists("held")


def test_background_deletes_dependents_in_cascade(cs: Clientset) -> None:
    w = World(cs)
    owner, other = w.make("owner"), w.make("other")
    child = w.make("child", controller=owner)
    w.make("grandchild", controller=child)
    w.make("shared", owners=(owner, other))
    w.make("unrelated")
    w.cms.delete(w.name("owner"), propagation_policy="Background")
    assert not w.exists("owner")
    assert not w.exists("child") and not w.exists("grandchild")
    assert owner_names(w.get("shared")) == [w.name("other")]  # a live owner keeps it
    assert w.exists("unrelated") and w.exists("other")


def test_background_waits_for_an_owner_held_by_a_finalizer(cs: Clientset) -> None:
    w = World(cs)
    owner = w.make("owner", finalizers=(HOLD,))
    w.make("child", controller=owner)
    w.cms.delete(w.name("owner"))  # the default policy is Background
    assert w.exists("child")  # the owner still exists (deleting, held)
    w.release("owner")
    assert not w.exists("owner") and not w.exists("child")


def test_foreground_keeps_the_owner_until_blocking_dependents_are_gone(cs: Clientset) -> None:
    w = World(cs)
    owner = w.make("owner")
    w.make("blocker", controller=owner, finalizers=(HOLD,))  # blockOwnerDeletion: true
    w.make("quick", controller=owner)
    w.make("loose", owners=(owner,))  # not blocking, still a dependent
    recorder = Recorder(cs)
    response = w.cms.delete(w.name("owner"), propagation_policy="Foreground")
    assert isinstance(response, ConfigMap)
    assert response.metadata.deletion_timestamp
    assert response.metadata.finalizers == ["foregroundDeletion"]
    owner_now = w.get("owner")
    assert owner_now.metadata.finalizers == ["foregroundDeletion"]
    assert owner_now.metadata.deletion_timestamp
    assert not w.exists("quick") and not w.exists("loose")
    blocker = w.get("blocker")
    assert blocker.metadata.deletion_timestamp and blocker.metadata.finalizers == [HOLD]
    w.release("blocker")
    assert not w.exists("blocker") and not w.exists("owner")
    seen = recorder.wait_for("DELETED", w.name("owner"))
    order = [(t, n) for t, n, _ in seen]
    assert ("MODIFIED", w.name("owner")) in order
    assert order.index(("DELETED", w.name("blocker"))) < order.index(("DELETED", w.name("owner")))
    assert order.index(("DELETED", w.name("quick"))) < order.index(("DELETED", w.name("owner")))
    first_owner_change = next(f for t, n, f in seen if n == w.name("owner"))
    assert first_owner_change == ["foregroundDeletion"]


def test_foreground_cascades_through_dependents_with_dependents(cs: Clientset) -> None:
    w = World(cs)
    owner = w.make("owner")
    middle = w.make("middle", controller=owner)
    w.make("leaf", controller=middle, finalizers=(HOLD,))
    w.cms.delete(w.name("owner"), propagation_policy="Foreground")
    # middle is deleted in the foreground too: it waits for leaf, and owner waits for it.
    assert w.get("middle").metadata.finalizers == ["foregroundDeletion"]
    assert w.exists("owner")
    w.release("leaf")
    assert not w.exists("leaf") and not w.exists("middle") and not w.exists("owner")


def test_orphan_keeps_dependents_without_the_reference(cs: Clientset) -> None:
    w = World(cs)
    owner, other = w.make("owner"), w.make("other")
    w.make("child", controller=owner)
    w.make("shared", owners=(owner, other))
    recorder = Recorder(cs)
    w.cms.delete(w.name("owner"), propagation_policy="Orphan")
    assert not w.exists("owner")
    assert owner_names(w.get("child")) == []
    assert w.get("child").metadata.owner_references is None
    assert owner_names(w.get("shared")) == [w.name("other")]
    seen = recorder.wait_for("DELETED", w.name("owner"))
    assert [f for t, n, f in seen if n == w.name("owner")][0] == ["orphan"]


def test_orphan_with_another_finalizer_and_orphan_dependents_option(
    cs: Clientset, server: TestApiServer
) -> None:
    w = World(cs)
    owner = w.make("owner", finalizers=(HOLD,))
    w.make("child", controller=owner)
    # The deprecated DeleteOptions.orphanDependents, as older clients send it.
    rest: Any = cs.rest
    rest.request(
        "DELETE",
        f"/api/v1/namespaces/default/configmaps/{w.name('owner')}",
        body={"kind": "DeleteOptions", "apiVersion": "v1", "orphanDependents": True},
    )
    held = w.get("owner")
    assert held.metadata.finalizers == [HOLD]  # orphan finalizer done and removed
    assert owner_names(w.get("child")) == []
    w.release("owner")
    assert not w.exists("owner") and w.exists("child")


def test_bad_propagation_options_are_refused(cs: Clientset) -> None:
    w = World(cs)
    w.make("owner")
    with pytest.raises(Invalid, match="Unsupported value"):
        w.cms.delete(w.name("owner"), propagation_policy="Sideways")
    rest: Any = cs.rest
    with pytest.raises(Invalid, match="cannot be both set"):
        rest.request(
            "DELETE",
            f"/api/v1/namespaces/default/configmaps/{w.name('owner')}",
            body={"propagationPolicy": "Orphan", "orphanDependents": True},
        )
    assert w.exists("owner")


@requires_kubectl
def test_kubectl_delete_cascade(cs: Clientset, server: TestApiServer, tmp_path: Path) -> None:
    w = World(cs)
    owner = w.make("owner")
    w.make("child", controller=owner)
    kubectl(server, tmp_path, "delete", "configmap", w.name("owner"), "--cascade=orphan")
    assert not w.exists("owner") and owner_names(w.get("child")) == []
    owner = w.make("owner2")
    w.make("child2", controller=owner)
    kubectl(server, tmp_path, "delete", "configmap", w.name("owner2"), "--cascade=foreground")
    assert not w.exists("owner2") and not w.exists("child2")


def test_collects_after_the_history_was_compacted() -> None:
    # history=3: the GC's dependents index cannot follow the event log and rescans.
    with TestApiServer([SPEC], history=3) as small:
        with Clientset.from_config(load_config(small.kubeconfig_path)) as cs:
            w = World(cs)
            w.make("first")
            w.cms.delete(w.name("first"))  # the index is built here
            owner = w.make("owner")
            w.make("child", controller=owner)
            for i in range(6):
                w.make(f"noise{i}")
            w.cms.delete(w.name("owner"))
            assert not w.exists("child")
            assert all(w.exists(f"noise{i}") for i in range(6))
