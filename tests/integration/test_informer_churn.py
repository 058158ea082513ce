"""Informer correctness under faults (issue #8 section 5).

1,000 objects are created, updated and deleted against the test API server while watches
are dropped, the history is compacted (410, relist; deletes made just before a compaction
can only be seen as tombstones) and informers are restarted. At the end every long-lived
cache equals the server, and every handler saw each object's changes once each, in
resourceVersion order, ending in the server's state.

The churn writes through the server's tracker (the same storage its HTTP handlers use) so
that the test spends its time in the informers, which read over HTTP as always.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from typing import Any

from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kube_clientgen_api.virtualmachine.informers import SharedInformerFactory
from kubecore import load_config
from kubecore.runtime.keys import DeletedFinalStateUnknown, meta_namespace_key_func
from kubecore.testing import TestApiServer
from tests.conftest import REPO

VM_CRD = str(REPO / "examples" / "crds" / "virtualmachine.yaml")
OBJECTS = 1000
WAIT = 40.0  # an upper bound for convergence, not an expected duration


class History:
    """One handler's view: per key, the notifications in the order they came."""

    def __init__(self) -> None:
        self.by_key: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self.lock = threading.Lock()

    def _note(self, kind: str, obj: Any) -> None:
        rv = 0
        if not isinstance(obj, DeletedFinalStateUnknown):
            rv = int(obj.metadata.resource_version)
        with self.lock:
            self.by_key[meta_namespace_key_func(obj)].append((kind, rv))

    def on_add(self, obj: VirtualMachine) -> None:
        self._note("add", obj)

    def on_update(self, old: VirtualMachine, new: VirtualMachine) -> None:
        assert old is not new, "no resync was asked for"
        assert int(old.metadata.resource_version) < int(new.metadata.resource_version)
        self._note("update", new)

    def on_delete(self, obj: VirtualMachine | DeletedFinalStateUnknown[VirtualMachine]) -> None:
        self._note("tombstone" if isinstance(obj, DeletedFinalStateUnknown) else "delete", obj)

    def view(self) -> dict[str, int]:
        """key -> the resourceVersion the handler last saw, for objects it believes exist."""
        with self.lock:
            out = {}
            for key, events in self.by_key.items():
                kind, rv = events[-1]
                if kind in ("add", "update"):
                    out[key] = rv
            return out

    def check(self, written: dict[str, list[int]]) -> tuple[int, int]:
        """Every key's notifications are a valid life: an add, updates with growing versions
        that were really written, at most one delete last. Returns (events, tombstones)."""
        total = tombstones = 0
        with self.lock:
            for key, events in self.by_key.items():
                total += len(events)
                assert events[0][0] == "add", (key, events)
                versions = [rv for kind, rv in events if kind in ("add", "update")]
                assert versions == sorted(set(versions)), (key, events)  # once each, in order
                assert set(versions) <= set(written[key]), (key, events, written[key])
                kinds = [kind for kind, _ in events]
                assert kinds.count("add") == 1, (key, events)
                ends = [k for k in kinds if k in ("delete", "tombstone")]
                assert len(ends) <= 1 and (not ends or kinds[-1] == ends[0]), (key, events)
                tombstones += kinds.count("tombstone")
        return total, tombstones


def wait_until(condition: Any, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, f"no convergence: {what}"
        time.sleep(0.05)


def test_informers_stay_exact_under_dropped_watches_compaction_and_restarts() -> None:
    rng = random.Random(8)
    with TestApiServer([VM_CRD], history=300) as server:
        resource = server.table.for_kind("cloud.waibizi.com/v1", "VirtualMachine")
        assert resource is not None
        tracker = server.tracker
        written: dict[str, list[int]] = defaultdict(list)
        live: list[tuple[str, str]] = []

        def create(i: int) -> None:
            namespace = ("default", "kube-system")[i % 2]
            body = {
                "apiVersion": "cloud.waibizi.com/v1",
                "kind": "VirtualMachine",
                "metadata": {"name": f"vm-{i:04}", "namespace": namespace},
                "spec": {"image": "centos", "status": "creating", "memory": 0},
            }
            out = tracker.create(resource, namespace, body)
            written[f"{namespace}/vm-{i:04}"].append(int(out["metadata"]["resourceVersion"]))
            live.append((namespace, f"vm-{i:04}"))

        def update() -> None:
            namespace, name = rng.choice(live)

            def bump(obj: dict[str, Any]) -> dict[str, Any]:
                obj["spec"]["memory"] += 1
                return obj

            out = tracker.patch(resource, namespace, name, bump)
            written[f"{namespace}/{name}"].append(int(out["metadata"]["resourceVersion"]))

        def delete() -> None:
            namespace, name = live.pop(rng.randrange(len(live)))
            tracker.delete(resource, namespace, name)

        def churn(start: int, stop: int) -> None:
            for i in range(start, stop):
                create(i)
                for _ in range(rng.randint(0, 2)):
                    update()
                if rng.random() < 0.3:
                    delete()
                if i % 97 == 0:
                    time.sleep(0.01)  # let the watchers run now and then

        def compact_with_missed_deletes() -> None:
            with tracker._lock:  # deletes no watcher can see before the history is gone
                for _ in range(5):
                    delete()
                tracker.compact()

        server.faults.drop_watches_after(40, times=30)
        with VMClientset.from_config(load_config(server.kubeconfig_path)) as cs:
            factories = []
            histories = []

            def start_informer() -> tuple[Any, threading.Event, History]:
                factory = SharedInformerFactory(cs, resync_period=0)
                history = History()
                informer = factory.cloud_waibizi_com_v1.virtual_machines().informer()
                informer.add_event_handler(history)
                stop = threading.Event()
                factory.start(stop)
                assert factory.wait_for_cache_sync(stop) == {VirtualMachine: True}
                factories.append((factory, stop))
                histories.append(history)
                return factory, stop, history

            long_lived, _, long_history = start_informer()
            churn(0, 300)
            compact_with_missed_deletes()
            restarted, restarted_stop, _ = start_informer()  # lives through the middle only
            churn(300, 650)
            compact_with_missed_deletes()
            restarted_stop.set()
            restarted.shutdown()
            final, _, final_history = start_informer()  # the restart
            churn(650, OBJECTS)
            compact_with_missed_deletes()
            with tracker._lock:
                update()  # a last change after the compaction

            server_state = {
                meta_namespace_key_func(o): int(o["metadata"]["resourceVersion"])
                for o in tracker.list(resource)["items"]
            }
            assert len(server_state) == len(live) and len(written) == OBJECTS
            for factory in (long_lived, final):
                lister = factory.cloud_waibizi_com_v1.virtual_machines().lister()

                def cached(lister: Any = lister) -> dict[str, int]:
                    return {
                        meta_namespace_key_func(o): int(o.metadata.resource_version)
                        for o in lister.list()
                    }

                wait_until(lambda c=cached: c() == server_state, "cache == server")
            for history in (long_history, final_history):
                wait_until(lambda h=history: h.view() == server_state, "handler == server")
            events = {}
            for index, history in enumerate(histories):
                events[index] = history.check(written)
            for _, stop in factories:
                stop.set()
            for factory, _ in factories:
                factory.shutdown()
        long_events, long_tombstones = events[0]
        assert long_tombstones >= 1  # the deletes hidden by compactions came as tombstones
        assert long_events >= OBJECTS  # every object was seen at least once
        assert len(server.faults.fired) >= 5  # and watches really were dropped
