"""Leader election against the test API server, with short durations (lease 2 s, renew
1 s, retry 0.2 s). A monitor thread checks continuously that at most one candidate leads."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.kubernetes.coordination.v1 import Lease
from kubecore.core.times import MicroTime
from kubecore.runtime.leaderelection import LeaderElector, LeaseLock
from kubecore.testing import TestApiServer

LEASE, RENEW, RETRY = 2.0, 1.0, 0.2  # whole seconds: a Lease stores leaseDurationSeconds
WAIT = 15.0  # upper bound for "eventually" on a loaded machine; never a speed claim


@dataclass
class Candidate:
    elector: LeaderElector
    stop: threading.Event = field(default_factory=threading.Event)
    started: list[threading.Event] = field(default_factory=list)
    stopped: threading.Event = field(default_factory=threading.Event)
    leaders_seen: list[str] = field(default_factory=list)
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.elector.run, args=(self.stop,), daemon=True)
        self.thread.start()

    def kill(self) -> None:
        self.stop.set()
        assert self.thread is not None
        self.thread.join(WAIT)
        assert not self.thread.is_alive()


def candidate(cs: Clientset, name: str, identity: str, **options: Any) -> Candidate:
    c: Candidate
    lock = LeaseLock(cs, namespace="default", name=name, identity=identity)
    settings: dict[str, Any] = {
        "lease_duration": LEASE,
        "renew_deadline": RENEW,
        "retry_period": RETRY,
        **options,
    }
    elector = LeaderElector(
        lock,
        on_started_leading=lambda stop: c.started.append(stop),
        on_stopped_leading=lambda: c.stopped.set(),
        on_new_leader=lambda who: c.leaders_seen.append(who),
        **settings,
    )
    c = Candidate(elector)
    return c


class Monitor:
    """Samples every candidate's ``is_leader()`` in a tight loop."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        self.max_leaders = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            leaders = sum(c.elector.is_leader() for c in self.candidates)
            self.max_leaders = max(self.max_leaders, leaders)
            self.samples += 1
            time.sleep(0.002)

    def __enter__(self) -> Monitor:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def wait_for_leader(candidates: list[Candidate], timeout: float = WAIT) -> Candidate:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        leading = [c for c in candidates if c.elector.is_leader()]
        if leading:
            return leading[0]
        time.sleep(0.01)
    raise AssertionError("no candidate became leader")


def test_three_candidates_one_leader_and_failover_after_kill(cs: Clientset) -> None:
    candidates = [candidate(cs, "failover", f"replica-{i}") for i in range(3)]
    with Monitor(candidates) as monitor:
        for c in candidates:
            c.start()
        first = wait_for_leader(candidates)
        time.sleep(3 * LEASE)  # several lease durations of renewals: nobody else takes over
        assert first.elector.is_leader()
        lease = cs.coordination_v1.leases("default").get("failover")
        assert lease.spec is not None
        assert lease.spec.holder_identity == first.elector.lock.identity
        assert isinstance(lease.spec.renew_time, MicroTime)
        assert lease.spec.lease_duration_seconds == 2
        assert len(first.started) == 1 and not first.started[0].is_set()

        killed_at = time.monotonic()
        first.kill()  # release_on_cancel is off: the Lease is left to expire
        rest = [c for c in candidates if c is not first]
        second = wait_for_leader(rest)
        failover = time.monotonic() - killed_at
        assert first.stopped.is_set() and first.started[0].is_set()
        taken = cs.coordination_v1.leases("default").get("failover").spec
        assert taken is not None and taken.holder_identity == second.elector.lock.identity
        for c in rest:
            c.kill()
    assert monitor.samples > 100
    assert monitor.max_leaders == 1
    # Failover needs the lease to expire in the successor's own observation: at least the
    # lease duration after the last renewal it saw, at most that plus two jittered retries.
    # The bound is generous for a loaded machine.
    assert failover < LEASE + 2 * 1.2 * RETRY + 2.0, failover
    for c in rest:
        assert first.elector.lock.identity in c.leaders_seen
    assert second.elector.lock.identity in second.leaders_seen
    lease = cs.coordination_v1.leases("default").get("failover")
    assert lease.spec is not None and lease.spec.lease_transitions == 1


def test_release_on_cancel_hands_over_without_waiting_for_expiry(cs: Clientset) -> None:
    # A 30 s lease: a successor could not take over in the test's time without the release.
    options = {"lease_duration": 30.0, "renew_deadline": 1.0, "release_on_cancel": True}
    candidates = [candidate(cs, "handover", f"replica-{i}", **options) for i in range(3)]
    with Monitor(candidates) as monitor:
        for c in candidates:
            c.start()
        first = wait_for_leader(candidates)
        time.sleep(0.5)
        first.kill()
        released = cs.coordination_v1.leases("default").get("handover")
        rest = [c for c in candidates if c is not first]
        second = wait_for_leader(rest, timeout=10.0)
        for c in rest:
            c.kill()
    assert monitor.max_leaders == 1
    assert released.spec is not None
    assert released.spec.holder_identity in (None, second.elector.lock.identity)
    assert first.stopped.is_set()


def test_a_failed_renewal_stops_leading(cs: Clientset, server: TestApiServer) -> None:
    c = candidate(cs, "renewal", "only-one")
    c.start()
    wait_for_leader([c])
    server.faults.respond(
        500,
        times=None,
        method="PUT",
        path_prefix="/apis/coordination.k8s.io/v1/namespaces/default/leases/renewal",
    )
    assert c.stopped.wait(WAIT), "leadership was kept although no renewal succeeded"
    assert not c.elector.is_leader()
    assert c.started[0].is_set()
    assert c.thread is not None
    c.thread.join(WAIT)
    assert not c.thread.is_alive()  # run() returns when leadership is lost
    assert any(kind == "respond" for kind, _, _ in server.faults.fired)


def test_expiry_is_judged_by_local_observation_not_the_holders_clock(cs: Clientset) -> None:
    # Another holder whose clock is an hour behind: its renewTime looks ancient, but the
    # record is new to us, so we wait a whole lease duration (its 30 s) before taking it.
    an_hour_ago = MicroTime.from_datetime(MicroTime.now().to_datetime() - timedelta(hours=1))
    cs.coordination_v1.leases("default").create(
        Lease.from_dict(
            {
                "metadata": {"name": "skewed"},
                "spec": {
                    "holderIdentity": "skewed-holder",
                    "leaseDurationSeconds": 30,
                    "acquireTime": an_hour_ago,
                    "renewTime": an_hour_ago,
                },
            }
        )
    )
    c = candidate(cs, "skewed", "patient")
    c.start()
    try:
        deadline = time.monotonic() + WAIT
        while "skewed-holder" not in c.leaders_seen and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(5 * RETRY)
        assert c.leaders_seen == ["skewed-holder"]
        assert not c.elector.is_leader()
        assert c.elector.get_leader() == "skewed-holder"
    finally:
        c.kill()


def test_durations_are_checked() -> None:
    class _NoClientset:
        class coordination_v1:  # noqa: N801
            @staticmethod
            def leases(namespace: str) -> Any:
                return None

    lock = LeaseLock(_NoClientset(), namespace="default", name="x", identity="me")
    with pytest.raises(ValueError, match="lease_duration"):
        LeaderElector(lock, lease_duration=5.0, renew_deadline=5.0)
    with pytest.raises(ValueError, match="retry_period"):
        LeaderElector(lock, lease_duration=15.0, renew_deadline=2.0, retry_period=2.0)
    with pytest.raises(ValueError, match="identity"):
        LeaseLock(_NoClientset(), namespace="default", name="x", identity="")


def test_fractional_lease_durations_round_up_on_the_wire(cs: Clientset) -> None:
    c = candidate(cs, "fractional", "solo", lease_duration=1.5)
    c.start()
    try:
        wait_for_leader([c])
        lease = cs.coordination_v1.leases("default").get("fractional")
        assert lease.spec is not None and lease.spec.lease_duration_seconds == 2
    finally:
        c.kill()
