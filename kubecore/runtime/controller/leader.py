"""What the controller needs of a leader elector, as Protocols, so that any elector with
client-go's shape fits (``kubecore.runtime.leaderelection.LeaderElector`` among them).

An elector takes its callbacks when it is built, so a controller cannot hand its own to
an elector that already exists: it takes a *factory* that builds one from the callbacks,
for example ``functools.partial(LeaderElector, lock, lease_duration=15.0)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Elector", "ElectorFactory", "LeaderElectionLost"]


class Elector(Protocol):
    """client-go's ``LeaderElector``: ``run(stop)`` campaigns, leads, and returns when
    ``stop`` is set (releasing the lease if so configured) or leadership is lost."""

    def run(self, stop: threading.Event) -> None: ...

    def is_leader(self) -> bool: ...


class ElectorFactory(Protocol):
    """Builds an :class:`Elector` around the controller's callbacks.

    ``on_started_leading`` may be called with a ``stop`` event (set when leadership ends)
    or with none; ``on_stopped_leading()`` when leadership ends or was never won.
    """

    def __call__(
        self,
        *,
        on_started_leading: Callable[..., Any],
        on_stopped_leading: Callable[[], Any],
    ) -> Elector: ...


class LeaderElectionLost(RuntimeError):
    """Raised by ``Controller.run`` when leadership was lost before ``stop`` was set (as
    controller-runtime's manager returns an error: the process should exit and restart)."""
