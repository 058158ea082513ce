"""Seed 003's VirtualMachine controller as the seed writes it: a dynamic informer and
lister on the ``cloud.waibizi.com/v1`` virtualmachines GVR (no generated code), a
rate-limited workqueue, and a merge patch of ``spec.status`` from ``creating`` to ``complete``.

Run: python examples/vm_controller_dynamic.py [--kubeconfig FILE] [--namespace NS] [--workers N]
(SIGINT or SIGTERM stops it cleanly).
"""

from __future__ import annotations

import logging
import sys
import threading

from _controller import WorkQueueRunner, log, parse_args, stop_on_signals

import kubecore
from kubecore.client.dynamic import DynamicClient
from kubecore.client.errors import NotFound
from kubecore.core.unstructured import Unstructured, nested_string
from kubecore.runtime.dynamicinformer import DynamicSharedInformerFactory
from kubecore.runtime.keys import meta_namespace_key_func, split_meta_namespace_key

VMS = kubecore.GroupVersionResource("cloud.waibizi.com", "v1", "virtualmachines")


def run(
    client: DynamicClient, stop: threading.Event, *, namespace: str = "", workers: int = 2
) -> bool:
    """Run the controller on ``client`` (a real or fake dynamic client) until ``stop`` is
    set. Returns False if the informer cache never synced."""
    factory = DynamicSharedInformerFactory(client, resync_period=0, namespace=namespace or None)
    informer = factory.for_resource(VMS)
    lister = informer.lister()

    def sync(key: str) -> None:
        ns, name = split_meta_namespace_key(key)
        try:
            vm = lister.by_namespace(ns).get(name)  # shared cache object: never mutate
        except NotFound:
            return
        status, found = nested_string(vm.object, "spec", "status")
        if found and status == "creating":
            client.resource(VMS).namespace(ns).patch(
                name, {"spec": {"status": "complete"}}, patch_type=kubecore.PatchType.MERGE
            )
            print(f"{key}: creating -> complete", flush=True)

    runner = WorkQueueRunner(sync)

    def enqueue(vm: Unstructured) -> None:
        runner.queue.add(meta_namespace_key_func(vm))

    informer.informer().add_event_handler(on_add=enqueue, on_update=lambda old, new: enqueue(new))
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
    with DynamicClient(kubecore.load_config(args.kubeconfig)) as client:
        synced = run(client, stop, namespace=args.namespace, workers=args.workers)
    log.info("stopped")
    return 0 if synced else 1


if __name__ == "__main__":
    sys.exit(main())
