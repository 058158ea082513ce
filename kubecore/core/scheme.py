"""A registry from apiVersion/kind to model class, like client-go's runtime.Scheme."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from typing import Any

from kubecore.core.model import Model


class Scheme:
    """Maps (apiVersion, kind) to model classes, importing model modules lazily.

    ``parents`` are consulted for kinds this scheme does not have (every generated
    package's scheme has the apimachinery scheme as a parent, for Status and friends).
    """

    def __init__(
        self,
        package: str,
        kinds: Mapping[tuple[str, str], tuple[str, str]],
        *,
        parents: tuple[Scheme, ...] = (),
    ) -> None:
        self._package = package
        self._kinds = dict(kinds)
        self._parents = parents
        self._resolved: dict[tuple[str, str], type[Model]] = {}

    def lookup(self, api_version: str, kind: str) -> type[Model] | None:
        key = (api_version, kind)
        found = self._resolved.get(key)
        if found is not None:
            return found
        entry = self._kinds.get(key)
        if entry is None:
            for parent in self._parents:
                found = parent.lookup(api_version, kind)
                if found is not None:
                    return found
            return None
        module_path, class_name = entry
        module = importlib.import_module(f"{self._package}.{module_path}")
        resolved: type[Model] = getattr(module, class_name)
        self._resolved[key] = resolved
        return resolved

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and self.lookup(*key) is not None

    def __iter__(self) -> Iterator[tuple[str, str]]:
        yield from sorted(self._kinds)

    def from_dict(self, data: dict[str, Any], *, copy: bool = True) -> Model | dict[str, Any]:
        """The typed object for ``data``'s apiVersion and kind, or ``data`` itself if unknown.
        ``copy`` is ``Model.from_dict``'s (False: the object takes ``data`` over). Raises
        ``TypeError`` when ``data`` is not a dict (as ``Model.from_dict`` does)."""
        if not isinstance(data, dict):
            raise TypeError(
                f"scheme.from_dict expects a JSON object (dict), got {type(data).__name__}"
            )
        cls = self.lookup(str(data.get("apiVersion", "")), str(data.get("kind", "")))
        return data if cls is None else cls.from_dict(data, copy=copy)

    def to_dict(self, obj: Model | dict[str, Any]) -> dict[str, Any]:
        """The wire form of a model (or of anything with ``to_dict()``, such as an
        ``Unstructured``), or a dict itself. ``TypeError`` for anything else."""
        if isinstance(obj, dict):
            return obj
        to_dict = getattr(obj, "to_dict", None)
        if not callable(to_dict):
            raise TypeError(f"scheme.to_dict expects a model or a dict, got {type(obj).__name__}")
        wire: dict[str, Any] = to_dict()
        return wire
