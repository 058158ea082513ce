"""Fixtures for the kubecore.runtime tests: one test API server on the vendored 1.36 spec."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kube_clientgen_api.kubernetes import Clientset
from kubecore.client.config import load_config
from kubecore.testing import TestApiServer

SPEC = Path(__file__).resolve().parents[2] / "generator" / "specs" / "kubernetes-1.36.swagger.json"


@pytest.fixture(scope="module")
def server() -> Iterator[TestApiServer]:
    with TestApiServer([SPEC]) as api:
        yield api


@pytest.fixture()
def cs(server: TestApiServer) -> Iterator[Clientset]:
    server.faults.clear()
    with Clientset.from_config(load_config(server.kubeconfig_path)) as clientset:
        yield clientset
    server.faults.clear()
