"""Copies of this checkout for tests that build or install it (the wheel, a pre-commit hook).

``copy_checkout`` copies the working tree's files that git would see (tracked and untracked,
not ignored), so uncommitted work is what gets tested and nothing ignored (``.venv``,
``build/``) comes along; ``snapshot_repository`` makes that copy a one-commit git repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "kube-clientgen tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "kube-clientgen tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}


def copy_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if not os.path.lexists(source):
            continue  # deleted in the working tree, not yet committed
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), destination)
        else:
            shutil.copy2(source, destination)


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` with a fixed identity; its stdout."""
    return subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_IDENTITY},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout


def snapshot_repository(target: Path) -> str:
    """The working tree copied into a new git repository at ``target``; its commit id."""
    copy_checkout(target)
    git(target, "init", "-q")
    git(target, "add", "-A")
    git(target, "commit", "-q", "--no-verify", "-m", "snapshot of the working tree")
    return git(target, "rev-parse", "HEAD").strip()
