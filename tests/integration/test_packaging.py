"""The built wheel carries what a non-editable install needs (the jinja2 templates)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_ships_templates_and_typed_markers(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("kube_clientgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (REPO / "templates").glob("*.jinja")}
    assert templates and {f"kube_clientgen/templates/{t}" for t in templates} <= names
    assert {
        "kubecore/py.typed",
        "kube_clientgen_api/kubernetes/py.typed",
        "kubecore/core/generated/py.typed",
    } <= names
    assert "kube_clientgen/cli.py" in names and "kubecore/testing/server.py" in names
