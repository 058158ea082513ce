"""Reactor chains and recorded actions (client-go's ``k8s.io/client-go/testing.Fake``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kubecore.testing.fake.actions import Action

__all__ = ["Fake", "ReactionFunc", "WatchReactionFunc"]

#: ``react(action) -> (handled, object or None, error or None)``: client-go's ReactionFunc.
#: ``handled=False`` passes the action on to the next reactor. The object is a model, an
#: ``Unstructured`` or JSON data; the error is raised to the caller.
ReactionFunc = Callable[[Action], tuple[bool, Any, BaseException | None]]

#: ``react(action) -> (handled, events or None, error or None)``: client-go's
#: WatchReactionFunc. ``events`` iterates ``(type, object)`` pairs, e.g. a FakeWatcher.
WatchReactionFunc = Callable[
    [Action], tuple[bool, Iterable[tuple[str, Any]] | None, BaseException | None]
]


@dataclass(frozen=True)
class _Reactor:
    verb: str
    resource: str
    react: Callable[[Action], Any]

    def handles(self, action: Action) -> bool:
        return action.matches(self.verb, self.resource)


class Fake:
    """Records every action and runs it through a chain of reactors.

    As in client-go, a fake clientset's chain ends with the object tracker's reaction, so
    :meth:`add_reactor` appends *after* it and only sees actions the tracker does not
    handle: use :meth:`prepend_reactor` to inject errors or answers. Thread-safe; reactors
    run outside the lock, so a reactor may call the fake clientset itself.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._actions: list[Action] = []
        self._reactors: list[_Reactor] = []
        self._watch_reactors: list[_Reactor] = []

    # -- reactors ---------------------------------------------------------------------------

    def add_reactor(self, verb: str, resource: str, react: ReactionFunc) -> None:
        """Append a reactor for ``verb`` and ``resource`` (plural, ``"pods/status"``, or
        ``"*"``) to the chain (client-go's ``AddReactor``)."""
        with self._lock:
            self._reactors.append(_Reactor(verb, resource, react))

    def prepend_reactor(self, verb: str, resource: str, react: ReactionFunc) -> None:
        """Put a reactor first in the chain (client-go's ``PrependReactor``)."""
        with self._lock:
            self._reactors.insert(0, _Reactor(verb, resource, react))

    def add_watch_reactor(self, resource: str, react: WatchReactionFunc) -> None:
        """Append a watch reactor for ``resource`` (``"*"``: any) (``AddWatchReactor``)."""
        with self._lock:
            self._watch_reactors.append(_Reactor("watch", resource, react))

    def prepend_watch_reactor(self, resource: str, react: WatchReactionFunc) -> None:
        """Put a watch reactor first (client-go's ``PrependWatchReactor``)."""
        with self._lock:
            self._watch_reactors.insert(0, _Reactor("watch", resource, react))

    # -- actions ----------------------------------------------------------------------------

    def actions(self) -> list[Action]:
        """A copy of the actions recorded so far, oldest first (client-go's ``Actions``)."""
        with self._lock:
            return list(self._actions)

    def clear_actions(self) -> None:
        """Forget the recorded actions (client-go's ``ClearActions``)."""
        with self._lock:
            self._actions.clear()

    def invokes(self, action: Action) -> tuple[Any, BaseException | None]:
        """Record ``action`` and run the reactor chain: ``(object, error)`` of the first
        reactor that handled it; ``(None, None)`` when none did (client-go's ``Invokes``)."""
        with self._lock:
            self._actions.append(action)
            chain = list(self._reactors)
        for reactor in chain:
            if not reactor.handles(action):
                continue
            handled, obj, err = reactor.react(action)
            if handled:
                return obj, err
        return None, None

    def invokes_watch(
        self, action: Action
    ) -> tuple[Iterable[tuple[str, Any]] | None, BaseException | None]:
        """Record a watch action and run the watch reactor chain (``InvokesWatch``)."""
        with self._lock:
            self._actions.append(action)
            chain = list(self._watch_reactors)
        for reactor in chain:
            if not reactor.handles(action):
                continue
            handled, events, err = reactor.react(action)
            if handled:
                return events, err
        return None, None
