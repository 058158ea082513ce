"""User code over the wire-form models, as a dataclasses / client-go user writes it: must
pass ``mypy --strict`` with no error (checked by tests/unit/test_model_storage_qa.py)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from typing import Any

from kube_clientgen_api.kubernetes.core.v1 import (
    Container,
    Pod,
    PodCondition,
    PodList,
    PodSpec,
    PodStatus,
)
from kubecore.core.generated.meta_v1 import ObjectMeta


class TrackedPod(Pod):
    """A subclass keeping its own state (off the wire)."""

    retries: int = 0

    def bump(self) -> int:
        self.retries += 1
        self._last: str | None = self.metadata.name
        return self.retries


def ready(conditions: list[PodCondition]) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in conditions)


def edit(pods: PodList) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for pod in pods.items:
        mine = pod.deep_copy()
        mine.metadata.labels = {**(mine.metadata.labels or {}), "seen": "yes"}
        if mine.spec is not None:
            mine.spec.containers.append(Container(name="sidecar", image="busybox"))
            mine.spec.host_network = None
        status: PodStatus | None = mine.status
        if status is not None and status.conditions is not None:
            status.conditions = [
                dataclasses.replace(c, status="True") for c in status.conditions if ready([c])
            ]
        shallow: Pod = copy.copy(mine)
        back: Pod = pickle.loads(pickle.dumps(shallow))
        out.append(back.to_dict() | {"extra": dict(back.extra_fields)})
    return out


def build() -> TrackedPod:
    pod = TrackedPod(
        metadata=ObjectMeta(name="web"),
        spec=PodSpec(containers=[Container(name="c", image="nginx")]),
        extra_fields={"newField": 1},
    )
    pod.bump()
    name: str | None = pod.metadata.name
    assert name == "web"
    data: bytes = pod.to_json()
    same: TrackedPod = TrackedPod.from_json(data)
    assert same == pod
    return same
