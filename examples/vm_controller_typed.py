"""Seed 003's VirtualMachine controller, typed: the generated informer and lister of
``cloud.waibizi.com/v1`` VirtualMachines feed a rate-limited workqueue; every VM whose
``spec.status`` is ``creating`` is merge-patched to ``complete``.

Run: python examples/vm_controller_typed.py [--kubeconfig FILE] [--namespace NS] [--workers N]
(SIGINT or SIGTERM stops it cleanly).
"""

from __future__ import annotations

import logging
import sys
import threading

from _controller import WorkQueueRunner, log, parse_args, stop_on_signals

import kubecore
from kube_clientgen_api.virtualmachine import Clientset, Interface
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kube_clientgen_api.virtualmachine.informers import SharedInformerFactory
from kubecore.client.errors import NotFound
from kubecore.runtime.keys import meta_namespace_key_func, split_meta_namespace_key


def run(cs: Interface, stop: threading.Event, *, namespace: str = "", workers: int = 2) -> bool:
    """Run the controller on ``cs`` (a real or fake clientset) until ``stop`` is set.
    Returns False if the informer cache never synced."""
    factory = SharedInformerFactory(cs, resync_period=30.0, namespace=namespace or None)
    vms = factory.cloud_waibizi_com_v1.virtual_machines()
    lister = vms.lister()

    def sync(key: str) -> None:
        ns, name = split_meta_namespace_key(key)
        try:
            vm = lister.virtual_machines(ns).get(name)  # shared cache object: never mutate
        except NotFound:
            return  # deleted since it was queued
        if vm.spec is not None and vm.spec.status == "creating":
            cs.cloud_waibizi_com_v1.virtual_machines(ns).patch(
                name, {"spec": {"status": "complete"}}, patch_type=kubecore.PatchType.MERGE
            )
            print(f"{key}: creating -> complete", flush=True)

    runner = WorkQueueRunner(sync)

    def enqueue(vm: VirtualMachine) -> None:
        runner.queue.add(meta_namespace_key_func(vm))

    vms.informer().add_event_handler(on_add=enqueue, on_update=lambda old, new: enqueue(new))
    factory.start(stop)
    if not all(factory.wait_for_cache_sync(stop).values()):
        return False
    print("caches synced", flush=True)
    runner.run(workers, stop)
    factory.shutdown()
    return True


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[0], argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    stop = stop_on_signals()
    with Clientset.from_config(kubecore.load_config(args.kubeconfig)) as cs:
        synced = run(cs, stop, namespace=args.namespace, workers=args.workers)
    log.info("stopped")
    return 0 if synced else 1


if __name__ == "__main__":
    sys.exit(main())
