"""A clone with nothing beside it regenerates its committed output exactly: the configured
targets read only the vendored spec (``kubernetes:1.36``) and files inside the repository.

``.ci/run`` does the same with a real ``git clone`` and the README's ``make generate`` (a new
virtualenv); this is the quick version on a snapshot of the working tree, run by its own
code (``src/`` of the copy on PYTHONPATH) and the test venv's formatter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.checkout import git, snapshot_repository


def test_generate_in_a_lone_clone_leaves_git_status_clean(tmp_path: Path) -> None:
    clone = tmp_path / "lone" / "kube-clientgen"
    snapshot_repository(clone)
    assert not (clone.parent / "shared").exists()
    env = {
        **os.environ,
        "PYTHONPATH": str(clone / "src"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    probe = subprocess.run(
        [sys.executable, "-c", "import kube_clientgen; print(kube_clientgen.__file__)"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert Path(probe.stdout.strip()).resolve().is_relative_to(clone), probe
    result = subprocess.run(
        [sys.executable, "-m", "kube_clientgen", "generate", "--fail-on-change"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert git(clone, "status", "--porcelain", "--untracked-files=all") == ""
