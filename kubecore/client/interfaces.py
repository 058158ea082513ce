"""Per-verb ``typing.Protocol``s: the interfaces generated resource interfaces compose.

A generated ``PodInterface`` is ``Get[Pod] + List[Pod, PodList] + ... + Protocol``; the
real clients (``kubecore.client.typed``), fakes and async clients all satisfy it. The
generated code asserts, for mypy, that each real client implements its interface.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol, TypeVar

from kubecore.client.typed import PatchType
from kubecore.client.watch import WatchEvent, WatchHandle
from kubecore.core.generated.meta_v1 import Status
from kubecore.core.options import (
    FieldValidationDirective,
    PropagationPolicy,
    ResourceVersionMatch,
)

T = TypeVar("T")
S = TypeVar("S")
T_co = TypeVar("T_co", covariant=True)
L_co = TypeVar("L_co", covariant=True)


class Get(Protocol[T_co]):
    def get(self, name: str, *, resource_version: str | None = None) -> T_co: ...


class List(Protocol[T_co, L_co]):
    def list(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int | None = None,
        continue_: str | None = None,
        resource_version: str | None = None,
        timeout_seconds: int | None = None,
        resource_version_match: ResourceVersionMatch | None = None,
    ) -> L_co: ...

    def iterate(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        page_size: int = 500,
    ) -> Iterator[T_co]: ...


class Watch(Protocol[T]):
    def watch(
        self,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: float | None = None,
        allow_bookmarks: bool = True,
    ) -> Iterator[WatchEvent[T]]: ...

    def open_watch(
        self,
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout_seconds: float | None = None,
        allow_bookmarks: bool = True,
        send_initial_events: bool = False,
    ) -> WatchHandle[T]: ...


class Create(Protocol[T]):
    def create(
        self,
        obj: T,
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: FieldValidationDirective | None = None,
    ) -> T: ...


class Update(Protocol[T]):
    def update(
        self,
        obj: T,
        *,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: FieldValidationDirective | None = None,
    ) -> T: ...


class Patch(Protocol[T]):
    def patch(
        self,
        name: str,
        patch: Any,
        *,
        patch_type: PatchType | None = None,
        subresource: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        force: bool | None = None,
    ) -> T: ...

    def apply(
        self,
        obj: T,
        *,
        field_manager: str,
        force: bool = False,
        dry_run: bool = False,
        subresource: str | None = None,
    ) -> T: ...


class Delete(Protocol[T_co]):
    def delete(
        self,
        name: str,
        *,
        propagation_policy: PropagationPolicy | None = None,
        grace_period_seconds: int | None = None,
        preconditions: Mapping[str, str] | None = None,
        dry_run: bool = False,
    ) -> T_co | Status: ...


class DeleteCollection(Protocol[L_co]):
    def delete_collection(
        self,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        propagation_policy: PropagationPolicy | None = None,
        grace_period_seconds: int | None = None,
        dry_run: bool = False,
    ) -> L_co | Status: ...


class StatusSubresource(Protocol[T]):
    def get_status(self, name: str) -> T: ...

    def update_status(
        self, obj: T, *, dry_run: bool = False, field_manager: str | None = None
    ) -> T: ...

    def patch_status(
        self,
        name: str,
        patch: Any,
        *,
        patch_type: PatchType | None = None,
        field_manager: str | None = None,
    ) -> T: ...


class ScaleSubresource(Protocol[S]):
    def get_scale(self, name: str) -> S: ...

    def update_scale(self, name: str, scale: S, *, dry_run: bool = False) -> S: ...


class LogSubresource(Protocol):
    def logs(
        self,
        name: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        timestamps: bool = False,
        previous: bool = False,
    ) -> str: ...

    def follow_logs(
        self,
        name: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        since_seconds: int | None = None,
        timestamps: bool = False,
    ) -> Iterator[str]: ...


class EvictionSubresource(Protocol):
    def evict(
        self, name: str, *, grace_period_seconds: int | None = None, dry_run: bool = False
    ) -> Status | None: ...
