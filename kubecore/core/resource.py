"""What a kind's REST resource looks like: the facts a client needs to build URLs."""

from __future__ import annotations


class ResourceInfo:
    """An immutable description of one REST resource (generated for every kind).

    A hand-written slotted class rather than a frozen dataclass: models import this at
    start-up, and the dataclasses module alone costs more than all of core/v1's classes.
    """

    __slots__ = (
        "group",
        "version",
        "kind",
        "plural",
        "singular",
        "namespaced",
        "verbs",
        "subresources",
        "short_names",
        "categories",
        "list_kind",
        "served",
    )

    group: str
    version: str
    kind: str
    plural: str
    singular: str
    namespaced: bool
    verbs: tuple[str, ...]
    subresources: tuple[str, ...]
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    list_kind: str
    served: bool  # False: the CRD defines this version with served: false (no client)

    def __init__(
        self,
        *,
        group: str,
        version: str,
        kind: str,
        plural: str,
        singular: str,
        namespaced: bool,
        verbs: tuple[str, ...],
        subresources: tuple[str, ...] = (),
        short_names: tuple[str, ...] = (),
        categories: tuple[str, ...] = (),
        list_kind: str = "",
        served: bool = True,
    ) -> None:
        values = (group, version, kind, plural, singular, namespaced, verbs) + (
            subresources,
            short_names,
            categories,
            list_kind,
            served,
        )
        for name, value in zip(self.__slots__, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ResourceInfo is immutable; cannot set {name!r}")

    def _key(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ResourceInfo):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"ResourceInfo({args})"

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def api_path(self) -> str:
        """``/api/v1`` or ``/apis/<group>/<version>``."""
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
