"""``kubectl wait`` in Python: block until one object meets a condition, watch-based.

```python
from kubecore.runtime.wait import wait_for

vm = wait_for(cs.cloud_waibizi_com_v1.virtual_machines("default"), "vm1", "condition=Ready", 60)
wait_for(dynamic.resource(gvr).namespace("default"), "vm1", "delete", 30)
wait_for(pods, "web-0", lambda pod: pod.status.phase == "Running", 120)
```

``condition`` is what ``kubectl wait --for`` takes — ``"delete"``, ``"create"``,
``"condition=Ready"`` (status ``True``), ``"condition=Ready=False"`` — or a predicate
called with the object. As in kubectl, a condition whose ``observedGeneration`` is older
than the object's ``metadata.generation`` does not count yet, and condition type and status
compare case-insensitively.

One list (``fieldSelector=metadata.name=<name>``) gives the current state and a
resourceVersion; a watch from that version delivers every later change, so nothing is
missed between the two and no polling happens. A watch that expires (410 Gone) or ends
early is followed by a new list. Waiting for a condition on an object that does not exist
yet (or was deleted) keeps waiting: it may be created before the timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol

from kubecore.client.errors import Gone
from kubecore.runtime._objects import metadata_of, wire_dict

__all__ = ["WaitTimeoutError", "wait_for"]


class _Waitable(Protocol):
    """What ``wait_for`` needs: a typed resource client or a dynamic resource interface."""

    def list(self, *, field_selector: str | None = None) -> Any: ...

    def watch(
        self,
        *,
        resource_version: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: float | None = None,
    ) -> Any: ...


class WaitTimeoutError(TimeoutError):
    """The condition was not met in time; ``last`` is the object last seen (``None``:
    absent)."""

    def __init__(self, message: str, last: Any) -> None:
        super().__init__(message)
        self.last = last


def _condition_check(spec: str) -> tuple[str, Callable[[Any], bool]]:
    text = spec.strip()
    lowered = text.lower()
    if lowered in ("delete", "deleted"):
        return "delete", lambda obj: obj is None
    if lowered in ("create", "created"):
        return "create", lambda obj: obj is not None
    if lowered.startswith("condition="):
        rest = text[len("condition=") :]
        condition_type, _, wanted = rest.partition("=")
        if not condition_type:
            raise ValueError(f"no condition type in {spec!r}")
        wanted = wanted or "True"

        def met(obj: Any) -> bool:
            if obj is None:
                return False
            data = wire_dict(obj)
            generation = (data.get("metadata") or {}).get("generation")
            for item in (data.get("status") or {}).get("conditions") or []:
                if not isinstance(item, dict):
                    continue
                if str(item.get("type", "")).lower() != condition_type.lower():
                    continue
                observed = item.get("observedGeneration")
                if observed is not None and generation is not None and observed != generation:
                    return False
                return str(item.get("status", "")).lower() == wanted.lower()
            return False

        return f"condition {condition_type}={wanted}", met
    raise ValueError(
        f"unknown condition {spec!r}: use 'delete', 'create', 'condition=Type[=Status]' or a "
        "predicate"
    )


def _plural(client: Any) -> str:
    info = getattr(client, "resource", None) or getattr(client, "gvr", None)
    return str(getattr(info, "plural", None) or getattr(info, "resource", None) or "objects")


def _list_rv(listed: Any) -> str | None:
    rv = getattr(listed, "resource_version", None)
    if isinstance(rv, str):
        return rv or None
    meta = getattr(listed, "metadata", None)
    return getattr(meta, "resource_version", None)


def wait_for(
    client: _Waitable,
    name: str,
    condition: str | Callable[[Any], bool],
    timeout: float,
) -> Any:
    """Wait up to ``timeout`` seconds until object ``name`` meets ``condition``.

    ``client`` is a typed resource client (``cs.core_v1.pods("ns")``) or a dynamic
    ``ResourceInterface``. Returns the object that met the condition (``None`` for
    ``"delete"``). A predicate gets the typed object or ``Unstructured`` (never ``None``).
    Raises :class:`WaitTimeoutError` (a ``TimeoutError``) naming the object and the
    condition, ``ValueError`` for an unknown condition string, and the client's
    ``ApiError`` for errors other than an expired watch.
    """
    met: Callable[[Any], bool]
    if callable(condition):
        predicate = condition
        what = "the condition"

        def _predicate_met(obj: Any) -> bool:
            return obj is not None and bool(predicate(obj))

        met = _predicate_met
    else:
        what, met = _condition_check(condition)
    deadline = time.monotonic() + timeout
    selector = f"metadata.name={name}"
    current: Any = None
    while True:
        listed = client.list(field_selector=selector)
        items = list(getattr(listed, "items", None) or [])
        current = next((i for i in items if _name(i) == name), None)
        if met(current):
            return current
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        events = client.watch(
            resource_version=_list_rv(listed), field_selector=selector, timeout_seconds=remaining
        )
        try:
            for event in events:
                if event.type == "BOOKMARK" or _name(event.object) != name:
                    continue
                current = None if event.type == "DELETED" else event.object
                if met(current):
                    return current
                if time.monotonic() >= deadline:
                    break
        except Gone:
            pass  # the version expired: list again
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()  # ends the HTTP stream now, not when the generator is collected
        if time.monotonic() >= deadline:
            break
    state = "absent" if current is None else "present"
    raise WaitTimeoutError(
        f"timed out after {timeout:g}s waiting for {what} on {_plural(client)}/{name} "
        f"(the object is {state})",
        current,
    )


def _name(obj: Any) -> str | None:
    meta = metadata_of(obj)
    if meta is None:
        return None
    return meta.get("name") if isinstance(meta, dict) else meta.name
