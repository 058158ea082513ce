"""Typos a user makes writing model attributes: ``mypy --strict`` must report each one
(checked by tests/unit/test_model_storage_qa.py)."""

from __future__ import annotations

from kube_clientgen_api.kubernetes.core.v1 import Pod, PodStatus


def typos(pod: Pod, status: PodStatus) -> None:
    pod.spce = None  # line 10
    status.podIP = "10.0.0.1"  # line 11: the wire name, not the attribute
    del pod.metdata  # line 12
