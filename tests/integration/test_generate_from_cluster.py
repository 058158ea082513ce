"""``kube-clientgen generate cluster:`` reads /openapi/v3 through the REST core and gives
exactly what generation from the same spec files gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubecore.testing import TestApiServer
from tests.conftest import SPECS, requires_shared
from tests.helpers import generate_capture

pytestmark = requires_shared
V3 = SPECS / "kubernetes" / "v3"


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.py"))}


def test_cluster_generation_equals_generation_from_the_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    specs = [str(V3 / name) for name in ("api__v1_openapi.json", "apis__apps__v1_openapi.json")]
    with TestApiServer(specs) as server:
        monkeypatch.setenv("KUBECONFIG", str(server.kubeconfig_path))
        monkeypatch.setenv("HOME", str(tmp_path))
        code, err = generate_capture(["cluster:"], tmp_path / "live" / "k8s")
        assert code == 0, err
    code, err = generate_capture(specs, tmp_path / "files" / "k8s")
    assert code == 0, err
    live, files = tree(tmp_path / "live" / "k8s"), tree(tmp_path / "files" / "k8s")
    assert "apps/v1/models/_deployment.py" in live and "core/v1/resources/pods.py" in live
    assert live == files


def test_unreachable_cluster_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: c\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "contexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {}}]\n"
    )
    monkeypatch.setenv("KUBECONFIG", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))
    code, err = generate_capture(["cluster:"], tmp_path / "out" / "k8s")
    assert code == 2 and "cluster:" in err
    assert not (tmp_path / "out").exists()
