"""A reflector sink for the reflector tests: the objects by name, as the last list and the
changes since left them (what an informer's store would hold)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from kubecore.runtime.keys import object_name


class Cache:
    """The objects a reflector delivered, by ``metadata.name``."""

    def __init__(self) -> None:
        self.objects: dict[str, Any] = {}
        self._lock = threading.Lock()

    def replace(self, objects: Sequence[Any], resource_version: str) -> None:
        with self._lock:
            self.objects = {object_name(o): o for o in objects}

    def apply(self, event_type: str, obj: Any) -> None:
        with self._lock:
            if event_type == "DELETED":
                self.objects.pop(object_name(obj), None)
            else:
                self.objects[object_name(obj)] = obj

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self.objects)
