"""Leader election on ``coordination.k8s.io/v1`` Leases (client-go ``tools/leaderelection``).

```python
from kubecore.runtime.leaderelection import LeaderElector, LeaseLock

lock = LeaseLock(cs, namespace="default", name="vm-controller", identity="replica-a")
elector = LeaderElector(lock, on_started_leading=run_controllers, on_stopped_leading=exit_now)
elector.run(stop)    # blocks until ``stop`` (a threading.Event) is set or leadership is lost
```

Semantics are client-go's:

* A candidate tries to acquire the Lease every ``retry_period`` seconds (jittered by up to
  20 %, as ``wait.JitterUntil(retryPeriod, 1.2)``). A Lease is free when it has no holder or
  when the candidate has seen the same record, unchanged, for the record's lease duration.
* **Clock skew.** Expiry is judged by the local monotonic time at which this candidate last
  *observed a change* of the record, never by the holder's ``renewTime``: two replicas whose
  wall clocks disagree by minutes still agree on who leads.
* The leader renews every ``retry_period``; when no renewal succeeded for ``renew_deadline``
  seconds it stops leading (``is_leader()`` turns false at the deadline itself, even while a
  request hangs). ``renew_deadline < lease_duration`` guarantees that an old leader has
  stopped before anybody else can acquire.
* With ``release_on_cancel`` the leader clears the holder when ``stop`` is set, so a
  successor takes over on its next retry instead of waiting for expiry.

Lease fields hold whole seconds: the record carries ``ceil(lease_duration)`` and a
candidate waits for ``max(record's duration, own lease_duration)`` so that sub-second test
settings stay safe.
"""

from __future__ import annotations

import logging
import math
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol

from kubecore.client.errors import ApiError, NotFound
from kubecore.core.times import MicroTime

__all__ = [
    "CoordinationV1Getter",
    "LeaderElectionRecord",
    "LeaderElector",
    "LeaseClientset",
    "LeaseLock",
]

_log = logging.getLogger(__name__)

_JITTER_FACTOR = 1.2


class _LeaseClient(Protocol):
    """The verbs of a typed Lease client that the lock uses."""

    def get(self, name: str, *, resource_version: str | None = None) -> Any: ...

    def create(self, obj: Any) -> Any: ...

    def update(self, obj: Any) -> Any: ...


class CoordinationV1Getter(Protocol):
    """``coordination_v1`` of a clientset (``CoordinationV1Interface`` satisfies it)."""

    def leases(self, namespace: str) -> _LeaseClient: ...


class LeaseClientset(Protocol):
    """Any clientset with a ``coordination_v1`` group: the generated ``Clientset``, a fake."""

    @property
    def coordination_v1(self) -> CoordinationV1Getter: ...


@dataclass(frozen=True)
class LeaderElectionRecord:
    """What a lock stores (client-go ``resourcelock.LeaderElectionRecord``).

    ``holder_identity`` is ``""`` when nobody holds the lock; durations are whole seconds;
    times are ``MicroTime`` (the Lease's wire type).
    """

    holder_identity: str = ""
    lease_duration_seconds: int = 0
    acquire_time: MicroTime | None = None
    renew_time: MicroTime | None = None
    leader_transitions: int = 0


class LeaseLock:
    """A resource lock on one ``coordination.k8s.io/v1`` Lease (client-go ``LeaseLock``).

    ``clientset`` is anything with ``coordination_v1.leases(namespace)`` returning a typed
    Lease client. The Lease is created on first acquisition; writes are updates carrying
    the last seen ``resourceVersion``, so two candidates can never both win a race (the
    loser gets 409 Conflict). Fields of the Lease this lock does not manage (labels, a
    newer server's fields) are kept.
    """

    def __init__(
        self, clientset: LeaseClientset, *, namespace: str, name: str, identity: str
    ) -> None:
        if not identity:
            raise ValueError("a leader election identity must not be empty")
        self._leases = clientset.coordination_v1.leases(namespace)
        self.namespace = namespace
        self.name = name
        self._identity = identity
        self._lease: Any = None  # the last Lease model read or written

    @property
    def identity(self) -> str:
        return self._identity

    def describe(self) -> str:
        """``namespace/name``, for log lines (client-go ``Describe``)."""
        return f"{self.namespace}/{self.name}"

    def get(self) -> tuple[LeaderElectionRecord, bytes]:
        """The current record and its raw form (to detect changes); raises ``NotFound``."""
        self._lease = self._leases.get(self.name)
        return _record_of(self._lease), _raw_of(self._lease)

    def create(self, record: LeaderElectionRecord) -> None:
        """Create the Lease holding ``record``; raises ``AlreadyExists`` if another won."""
        model = getattr(self._leases, "model", None)
        if model is None:
            raise TypeError("the lease client must expose its model class (attribute 'model')")
        body = {"metadata": {"name": self.name, "namespace": self.namespace}}
        body["spec"] = _spec_of(record)
        self._lease = self._leases.create(model.from_dict(body))

    def update(self, record: LeaderElectionRecord) -> None:
        """Write ``record`` over the last Lease seen; raises ``Conflict`` if it changed."""
        if self._lease is None:
            raise RuntimeError("LeaseLock.update before get or create")
        data = self._lease.to_dict()
        spec = data.get("spec") or {}
        spec.update(_spec_of(record))
        data["spec"] = {k: v for k, v in spec.items() if v is not None}
        self._lease = self._leases.update(type(self._lease).from_dict(data))

    def _last_raw(self) -> bytes:
        """The raw form of the last Lease read or written (for the elector)."""
        return _raw_of(self._lease) if self._lease is not None else b""


def _spec_of(record: LeaderElectionRecord) -> dict[str, Any]:
    return {
        "holderIdentity": record.holder_identity or None,
        "leaseDurationSeconds": record.lease_duration_seconds,
        "acquireTime": str(record.acquire_time) if record.acquire_time else None,
        "renewTime": str(record.renew_time) if record.renew_time else None,
        "leaseTransitions": record.leader_transitions,
    }


def _record_of(lease: Any) -> LeaderElectionRecord:
    spec = lease.spec
    if spec is None:
        return LeaderElectionRecord()
    return LeaderElectionRecord(
        holder_identity=spec.holder_identity or "",
        lease_duration_seconds=int(spec.lease_duration_seconds or 0),
        acquire_time=MicroTime(spec.acquire_time) if spec.acquire_time else None,
        renew_time=MicroTime(spec.renew_time) if spec.renew_time else None,
        leader_transitions=int(spec.lease_transitions or 0),
    )


def _raw_of(lease: Any) -> bytes:
    spec = lease.spec.to_dict() if lease.spec is not None else {}
    return repr(sorted(spec.items())).encode()


class LeaderElector:
    """Runs a leader election for one candidate (client-go ``LeaderElector``).

    Durations are seconds; defaults are client-go's (15 / 10 / 2). Callbacks:

    * ``on_started_leading(stop)`` runs in its own thread when this candidate becomes the
      leader; ``stop`` (a ``threading.Event``) is set when leadership ends.
    * ``on_stopped_leading()`` runs when :meth:`run` returns — as in client-go, also for a
      candidate that never led.
    * ``on_new_leader(identity)`` runs on a notifier thread (in order) whenever the observed
      holder changes, this candidate included.

    Raises ``ValueError`` for inconsistent durations (client-go's ``NewLeaderElector``
    checks).
    """

    def __init__(
        self,
        lock: LeaseLock,
        *,
        lease_duration: float = 15.0,
        renew_deadline: float = 10.0,
        retry_period: float = 2.0,
        on_started_leading: Callable[[threading.Event], None] | None = None,
        on_stopped_leading: Callable[[], None] | None = None,
        on_new_leader: Callable[[str], None] | None = None,
        release_on_cancel: bool = False,
        name: str = "",
    ) -> None:
        if lease_duration <= renew_deadline:
            raise ValueError("lease_duration must be greater than renew_deadline")
        if renew_deadline <= _JITTER_FACTOR * retry_period:
            raise ValueError("renew_deadline must be greater than retry_period * 1.2")
        if retry_period <= 0:
            raise ValueError("retry_period must be positive")
        self.lock = lock
        self.lease_duration = lease_duration
        self.renew_deadline = renew_deadline
        self.retry_period = retry_period
        self.release_on_cancel = release_on_cancel
        self.name = name or lock.identity
        self._on_started = on_started_leading
        self._on_stopped = on_stopped_leading
        self._on_new_leader = on_new_leader
        self._guard = threading.Lock()
        self._observed = LeaderElectionRecord()
        self._observed_raw = b""
        self._observed_time = 0.0  # local monotonic time of the last observed change
        self._leading = False
        self._last_renew = 0.0  # monotonic time at which the last successful write was sent
        self._reported_leader = ""
        self._notices: queue.SimpleQueue[str | None] = queue.SimpleQueue()

    # -- public -----------------------------------------------------------------------------

    def is_leader(self) -> bool:
        """Whether this candidate holds the lease now and its last renewal is within the
        renew deadline (false from the deadline on, even while a renewal request hangs)."""
        with self._guard:
            return self._leading and time.monotonic() - self._last_renew < self.renew_deadline

    def get_leader(self) -> str:
        """The holder identity last observed (``""``: none)."""
        with self._guard:
            return self._observed.holder_identity

    def run(self, stop: threading.Event) -> None:
        """Campaign, lead, renew; returns when ``stop`` is set or leadership is lost."""
        notifier = threading.Thread(
            target=self._notify_loop, name=f"leader-notify-{self.name}", daemon=True
        )
        notifier.start()
        leading_stop = threading.Event()
        try:
            if not self._acquire(stop):
                return
            _log.info("%s: became leader of lease %s", self.name, self.lock.describe())
            if self._on_started is not None:
                threading.Thread(
                    target=self._on_started,
                    args=(leading_stop,),
                    name=f"leader-{self.name}",
                    daemon=True,
                ).start()
            self._renew(stop)
        finally:
            with self._guard:
                was_leading = self._leading
                self._leading = False
            leading_stop.set()
            if was_leading and self.release_on_cancel and stop.is_set():
                self._release()
            self._notices.put(None)
            if self._on_stopped is not None:
                self._on_stopped()

    # -- the loops --------------------------------------------------------------------------

    def _sleep(self, stop: threading.Event) -> None:
        stop.wait(self.retry_period * (1 + random.random() * (_JITTER_FACTOR - 1)))

    def _acquire(self, stop: threading.Event) -> bool:
        while not stop.is_set():
            if self._try_acquire_or_renew():
                return True
            self._sleep(stop)
        return False

    def _renew(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._sleep(stop)
            if stop.is_set():
                return
            while True:
                if self._try_acquire_or_renew():
                    break
                if time.monotonic() - self._last_renew >= self.renew_deadline or stop.is_set():
                    _log.info(
                        "%s: failed to renew lease %s within %.1fs: stopped leading",
                        self.name,
                        self.lock.describe(),
                        self.renew_deadline,
                    )
                    return
                stop.wait(self.retry_period)

    def _try_acquire_or_renew(self) -> bool:
        """One client-go ``tryAcquireOrRenew``: True when this candidate holds the lease."""
        now = MicroTime.now()
        desired = LeaderElectionRecord(
            holder_identity=self.lock.identity,
            lease_duration_seconds=math.ceil(self.lease_duration),
            acquire_time=now,
            renew_time=now,
        )
        sent = time.monotonic()
        with self._guard:
            leading, observed = self._leading, self._observed
        if leading:  # fast path: update the Lease last written, no GET first
            renewed = replace(
                desired,
                acquire_time=observed.acquire_time,
                leader_transitions=observed.leader_transitions,
            )
            try:
                self.lock.update(renewed)
            except ApiError as err:
                _log.debug("%s: renewal fast path failed: %s", self.name, err)
            except OSError as err:
                _log.debug("%s: renewal fast path failed: %s", self.name, err)
                return False
            else:
                self._set_observed(renewed, sent, leading=True)
                return True
        try:
            current, raw = self.lock.get()
        except NotFound:
            try:
                self.lock.create(desired)
            except (ApiError, OSError) as err:
                _log.debug("%s: creating lease %s failed: %s", self.name, self.lock.describe(), err)
                return False
            self._set_observed(desired, sent, leading=True)
            return True
        except (ApiError, OSError) as err:
            _log.debug("%s: reading lease %s failed: %s", self.name, self.lock.describe(), err)
            return False
        with self._guard:
            if raw != self._observed_raw:
                self._observed, self._observed_raw = current, raw
                self._observed_time = time.monotonic()
            held_by_me = current.holder_identity == self.lock.identity and self._leading
            valid = time.monotonic() < self._observed_time + max(
                current.lease_duration_seconds, self.lease_duration
            )
        self._report_leader(current.holder_identity)
        if current.holder_identity and valid and not held_by_me:
            return False
        if held_by_me:
            desired = replace(
                desired,
                acquire_time=current.acquire_time,
                leader_transitions=current.leader_transitions,
            )
        else:
            desired = replace(desired, leader_transitions=current.leader_transitions + 1)
        try:
            self.lock.update(desired)
        except (ApiError, OSError) as err:
            _log.debug("%s: updating lease %s failed: %s", self.name, self.lock.describe(), err)
            return False
        self._set_observed(desired, sent, leading=True)
        return True

    def _set_observed(self, record: LeaderElectionRecord, sent: float, *, leading: bool) -> None:
        with self._guard:
            self._observed = record
            self._observed_raw = self.lock._last_raw()
            self._observed_time = time.monotonic()
            self._leading = leading
            self._last_renew = sent
        self._report_leader(record.holder_identity)

    def _release(self) -> None:
        """Clear the holder (client-go ``release``) so a successor need not wait for expiry."""
        with self._guard:
            observed = self._observed
        now = MicroTime.now()
        try:
            self.lock.update(
                LeaderElectionRecord(
                    holder_identity="",
                    lease_duration_seconds=1,
                    acquire_time=now,
                    renew_time=now,
                    leader_transitions=observed.leader_transitions,
                )
            )
        except (ApiError, OSError) as err:
            _log.warning("%s: releasing lease %s failed: %s", self.name, self.lock.describe(), err)
            return
        _log.info("%s: released lease %s", self.name, self.lock.describe())

    # -- on_new_leader ----------------------------------------------------------------------

    def _report_leader(self, identity: str) -> None:
        with self._guard:
            if not identity or identity == self._reported_leader:
                return
            self._reported_leader = identity
        if self._on_new_leader is not None:
            self._notices.put(identity)

    def _notify_loop(self) -> None:
        while (identity := self._notices.get()) is not None:
            if self._on_new_leader is None:
                continue
            try:
                self._on_new_leader(identity)
            except Exception:
                _log.exception("%s: on_new_leader(%r) failed", self.name, identity)
