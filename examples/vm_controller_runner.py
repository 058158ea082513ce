"""The VirtualMachine controller on the reconcile runner (issue #11, section 5): what a
controller needs in production, on kubecore.runtime.

* ``Controller(reconcile, for_=VirtualMachine, owns=[ConfigMap], workers=...)``: events of
  VMs and of the ConfigMaps they own enqueue the VM (controller-runtime's builder).
* A finalizer is added on first sight, so the delete flow always runs: once
  ``deletionTimestamp`` is set the controller releases what the VM holds outside the API
  (here: a log line and an event, where a real one would free the machine), then removes
  the finalizer and the API server deletes the VM. The ConfigMap is not deleted by hand:
  it carries a controller owner reference, and garbage collection removes it with its
  owner (as kube-controller-manager does).
* ``spec.status: creating``: the VM's ConfigMap is created (or adopted) and owned, then
  ``spec.status`` is merge-patched to ``complete``. A ``complete`` VM whose ConfigMap was
  deleted gets it back (level-triggered, not edge-triggered).
* ``status.conditions``: ``Ready`` True (``Provisioned``) or False (``ConfigMapConflict``
  when a ConfigMap of that name belongs to another controller, ``UnsupportedStatus`` for a
  ``spec.status`` the controller does not know), written through the status subresource
  with the VM's resourceVersion (a conflict requeues). One event per transition: an event
  is recorded only when the condition changed, so resyncs do not repeat them.
* Leader election on a ``coordination.k8s.io/v1`` Lease: only the leader's informers and
  workers run; the lease is released on a clean shutdown so a standby takes over at once.
  A replica that loses the lease exits with status 1 (a controller that lost it must not
  go on writing; its supervisor restarts it as a standby), as controller-runtime's
  manager does.
* SIGINT / SIGTERM stop it cleanly: reconciles in progress finish, queued events are sent,
  the lease is released; exit status 0.

Run: ``python examples/vm_controller_runner.py --kubeconfig ~/.kube/config --namespace
default --workers 4 --identity replica-a``.
"""

from __future__ import annotations

import argparse
import functools
import logging
import signal
import socket
import sys
import threading
import uuid
from typing import Any

import kubecore
from kube_clientgen_api.kubernetes import Clientset as KubernetesClientset
from kube_clientgen_api.kubernetes.core.v1 import ConfigMap
from kube_clientgen_api.virtualmachine import Clientset as VMClientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import (
    VirtualMachine,
    VirtualMachineStatus,
)
from kubecore.client.errors import Conflict, NotFound
from kubecore.core.generated.meta_v1 import Condition, ObjectMeta
from kubecore.runtime.conditions import (
    CONDITION_FALSE,
    CONDITION_TRUE,
    find_status_condition,
    set_status_condition,
)
from kubecore.runtime.controller import Controller, LeaderElectionLost, Request, Result
from kubecore.runtime.events import (
    EVENT_TYPE_NORMAL,
    EVENT_TYPE_WARNING,
    EventBroadcaster,
    EventRecorder,
)
from kubecore.runtime.factory import SharedInformerFactory
from kubecore.runtime.finalizers import add_finalizer, has_finalizer, remove_finalizer
from kubecore.runtime.leaderelection import LeaderElector, LeaseLock
from kubecore.runtime.owners import AlreadyOwnedError, is_controlled_by, set_controller_reference

log = logging.getLogger("vm-controller")

CONTROLLER_NAME = "cloud.waibizi.com/vm-controller"
FINALIZER = "cloud.waibizi.com/vm-protection"
READY = "Ready"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--kubeconfig",
        help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster config)",
    )
    parser.add_argument("--namespace", default="", help="namespace to watch (default: all)")
    parser.add_argument("--workers", type=int, default=4, help="concurrent reconciles")
    parser.add_argument(
        "--identity",
        default=f"{socket.gethostname()}_{uuid.uuid4()}",
        help="leader election identity (default: <hostname>_<uuid>, as client-go's examples)",
    )
    parser.add_argument("--lease-name", default="vm-controller", help="the Lease's name")
    parser.add_argument(
        "--lease-namespace", help="the Lease's namespace (default: --namespace, else default)"
    )
    parser.add_argument("--lease-duration", type=float, default=15.0, help="seconds")
    parser.add_argument("--renew-deadline", type=float, default=10.0, help="seconds")
    parser.add_argument("--retry-period", type=float, default=2.0, help="seconds")
    return parser.parse_args(argv)


class VMReconciler:
    """``reconcile(request)`` for VirtualMachines; ``controller`` is set once built (its
    cache serves the reads)."""

    def __init__(self, vms: VMClientset, k8s: KubernetesClientset, recorder: EventRecorder) -> None:
        self.vms = vms
        self.k8s = k8s
        self.recorder = recorder
        self.controller: Controller[VirtualMachine] | None = None

    def __call__(self, request: Request) -> Result | None:
        try:
            return self._reconcile(request)
        except Conflict:
            # The cache had not seen our last write yet: read again after a short backoff.
            # Expected in any controller, so not logged as a failure (controller-runtime
            # users return Requeue on IsConflict for the same reason).
            log.info("%s changed meanwhile: requeued", request)
            return Result(requeue=True)
        except NotFound:
            return None  # deleted meanwhile (client.IgnoreNotFound): nothing left to do

    def _reconcile(self, request: Request) -> Result | None:
        assert self.controller is not None
        try:
            cached = self.controller.get(VirtualMachine, request)
        except NotFound:
            return None  # deleted; its ConfigMap goes with it (owner reference)
        log.info("reconcile %s", request)
        vm = VirtualMachine.from_dict(cached.to_dict())  # the cache's copy is shared
        client = self.vms.cloud_waibizi_com_v1.virtual_machines(request.namespace)
        if vm.metadata is not None and vm.metadata.deletion_timestamp is not None:
            self._finalize(vm, client)
            return None
        if add_finalizer(vm, FINALIZER):
            vm = client.update(vm)
        phase = vm.spec.status if vm.spec is not None else None
        if phase not in ("creating", "complete"):
            self._set_ready(
                vm, client, False, "UnsupportedStatus", f"spec.status {phase!r} is not handled"
            )
            return None
        try:
            self._ensure_config_map(vm)
        except AlreadyOwnedError as err:
            self._set_ready(vm, client, False, "ConfigMapConflict", str(err))
            return None
        if phase == "creating":
            vm = client.patch(request.name, {"spec": {"status": "complete"}})
        self._set_ready(vm, client, True, "Provisioned", f"ConfigMap {_config_map_name(vm)} ready")
        return None

    def _ensure_config_map(self, vm: VirtualMachine) -> None:
        """Create the VM's ConfigMap, or adopt an unowned one; ``AlreadyOwnedError`` when
        another controller owns it."""
        assert vm.metadata is not None and vm.metadata.namespace is not None
        config_maps = self.k8s.core_v1.config_maps(vm.metadata.namespace)
        name = _config_map_name(vm)
        try:
            existing = config_maps.get(name)
        except NotFound:
            wanted = ConfigMap(
                metadata=ObjectMeta(name=name, namespace=vm.metadata.namespace),
                data=_config_data(vm),
            )
            set_controller_reference(vm, wanted)
            # Made meanwhile by someone else: AlreadyExists requeues, the next pass adopts it.
            config_maps.create(wanted)
            log.info("created ConfigMap %s/%s", vm.metadata.namespace, name)
            return
        if is_controlled_by(existing, vm) and existing.data == _config_data(vm):
            return
        set_controller_reference(vm, existing)  # raises AlreadyOwnedError
        existing.data = _config_data(vm)
        config_maps.update(existing)

    def _set_ready(
        self, vm: VirtualMachine, client: Any, ready: bool, reason: str, message: str
    ) -> None:
        """Write the Ready condition if it changed, and record one event per transition."""
        assert vm.metadata is not None
        if vm.status is None:
            vm.status = VirtualMachineStatus()
        before = find_status_condition(vm, READY)
        before_state = None if before is None else (before.status, before.reason)
        condition = Condition(
            type=READY,
            status=CONDITION_TRUE if ready else CONDITION_FALSE,
            reason=reason,
            message=message,
            observed_generation=vm.metadata.generation,
        )
        if not set_status_condition(vm, condition):
            return
        vm.status.observed_generation = vm.metadata.generation
        client.update_status(vm)
        if before_state != (condition.status, reason):
            kind = EVENT_TYPE_NORMAL if ready else EVENT_TYPE_WARNING
            self.recorder.eventf(vm, None, kind, reason, "Reconcile", "%s", message)

    def _finalize(self, vm: VirtualMachine, client: Any) -> None:
        assert vm.metadata is not None
        if not has_finalizer(vm, FINALIZER):
            return
        # A real controller frees the machine here; it must be idempotent (it may run again).
        log.info("releasing %s/%s", vm.metadata.namespace, vm.metadata.name)
        self.recorder.eventf(
            vm, None, EVENT_TYPE_NORMAL, "Released", "Delete", "virtual machine released"
        )
        remove_finalizer(vm, FINALIZER)
        client.update(vm)


def _config_map_name(vm: VirtualMachine) -> str:
    assert vm.metadata is not None
    return f"{vm.metadata.name}-vm"


def _config_data(vm: VirtualMachine) -> dict[str, str]:
    spec = vm.spec.to_dict() if vm.spec is not None else {}
    return {key: str(value) for key, value in sorted(spec.items()) if key != "status"}


def stop_on_signals() -> threading.Event:
    """An event set on SIGINT or SIGTERM (controller-runtime's ``SetupSignalHandler``)."""
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        log.info("signal %d: shutting down", signum)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format=f"%(asctime)s %(levelname)s [{args.identity}] %(name)s: %(message)s",
    )
    stop = stop_on_signals()
    config = kubecore.load_config(args.kubeconfig)
    with VMClientset.from_config(config) as vms, KubernetesClientset.from_config(config) as k8s:
        broadcaster = EventBroadcaster(k8s)
        broadcaster.start_recording_to_sink()
        reconciler = VMReconciler(vms, k8s, broadcaster.new_recorder(CONTROLLER_NAME))
        lock = LeaseLock(
            k8s,
            namespace=args.lease_namespace or args.namespace or "default",
            name=args.lease_name,
            identity=args.identity,
        )
        elector = functools.partial(
            LeaderElector,
            lock,
            lease_duration=args.lease_duration,
            renew_deadline=args.renew_deadline,
            retry_period=args.retry_period,
            release_on_cancel=True,
            on_new_leader=lambda identity: log.info("leader is %s", identity),
        )
        factory = SharedInformerFactory(vms, resync_period=300.0, namespace=args.namespace or None)
        controller = Controller(
            reconciler,
            for_=VirtualMachine,
            owns=[ConfigMap],
            factory=factory,
            workers=args.workers,
            leader_election=elector,
        )
        reconciler.controller = controller
        try:
            controller.run(stop)
        except LeaderElectionLost:
            log.error("leader election lost: exiting")
            return 1
        finally:
            broadcaster.shutdown(timeout=5.0)
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
