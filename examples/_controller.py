"""What both VirtualMachine controllers share: flags, signal handling and the worker loop
of client-go's sample-controller (``processNextWorkItem``), on kubecore's rate-limited
workqueue. Not a framework: the reconcile runner (``kubecore.runtime.controller``) is that.
"""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from collections.abc import Callable

from kubecore.runtime.workqueue import RateLimitingQueue, default_controller_rate_limiter

log = logging.getLogger("vm-controller")


def parse_args(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--kubeconfig",
        help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config, then in-cluster config)",
    )
    parser.add_argument("--namespace", default="", help="namespace to watch (default: all)")
    parser.add_argument("--workers", type=int, default=2, help="concurrent workers")
    return parser.parse_args(argv)


def stop_on_signals() -> threading.Event:
    """An event set on SIGINT or SIGTERM (controller-runtime's SetupSignalHandler)."""
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        log.info("signal %d: shutting down", signum)
        stop.set()

    signal.signal(signal.SIGINT, handle)
    signal.signal(signal.SIGTERM, handle)
    return stop


class WorkQueueRunner:
    """Keys in, ``sync(key)`` out, on ``workers`` threads; a failed sync is requeued with
    the controller rate limiter (per-item exponential backoff and an overall token bucket)."""

    def __init__(self, sync: Callable[[str], None]) -> None:
        self.queue: RateLimitingQueue[str] = RateLimitingQueue(
            rate_limiter=default_controller_rate_limiter()
        )
        self._sync = sync

    def run(self, workers: int, stop: threading.Event) -> None:
        """Process keys until ``stop`` is set, then drain the queue and return."""
        threads = [
            threading.Thread(target=self._work, name=f"worker-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in threads:
            thread.start()
        stop.wait()
        self.queue.shut_down_with_drain()
        for thread in threads:
            thread.join()

    def _work(self) -> None:
        while True:
            key, shutdown = self.queue.get()
            if shutdown or key is None:
                return
            try:
                self._sync(key)
            except Exception:
                log.exception("syncing %s failed; requeued with backoff", key)
                self.queue.add_rate_limited(key)
            else:
                self.queue.forget(key)
            finally:
                self.queue.done(key)
