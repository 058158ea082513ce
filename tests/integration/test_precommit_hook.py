"""The pre-commit hooks in someone else's repository, run by the real pre-commit.

A scratch git repository holds a CRD and a ``codegen.yaml`` target. The hook repository is a
snapshot of this working tree. ``pre-commit try-repo`` builds its hook environment in a
fresh temporary store on every call (PRE_COMMIT_HOME does not apply to it), about half a
minute of pip each time; so the first step runs through ``try-repo`` and the others through
``pre-commit run`` with a configuration naming the same repository and revision (what
``try-repo`` writes for itself), whose environment is built once in a private
PRE_COMMIT_HOME. The configuration runs ``kube-clientgen-check`` before ``kube-clientgen``,
so at each step the check sees the tree the generating hook starts from.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.checkout import GIT_IDENTITY, git, snapshot_repository
from tests.helpers import CRDS

pytestmark = pytest.mark.slow

GENERATE = "kube-clientgen generate"
CHECK = "kube-clientgen generate --check"
MODELS = "gen/widgets/demo_example_com/v1/models/_widget.py"
_RESULT = re.compile(r"^(kube-clientgen generate(?: --check)?)\.+(Passed|Failed)$", re.M)


class Scratch:
    """A user's repository with pre-commit wired to a snapshot of our hooks."""

    def __init__(self, root: Path, hooks_repo: Path, env: dict[str, str]) -> None:
        self.root = root
        self.hooks_repo = hooks_repo
        self.env = env

    def pre_commit(self, *args: str) -> tuple[int, dict[str, str], str]:
        """(exit status, hook name -> Passed/Failed, output) of ``pre-commit ARGS``."""
        result = subprocess.run(
            [sys.executable, "-m", "pre_commit", *args, "--all-files", "--color", "never"],
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        output = result.stdout + result.stderr
        assert "Traceback" not in output and "An unexpected error" not in output, output
        return result.returncode, dict(_RESULT.findall(output)), output

    def status(self) -> list[str]:
        return sorted(git(self.root, "status", "--porcelain", "--untracked-files=all").splitlines())

    def commit_all(self, message: str) -> None:
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "--no-verify", "-m", message)


@pytest.fixture
def scratch(tmp_path: Path) -> Scratch:
    hooks_repo = tmp_path / "kube-clientgen"
    revision = snapshot_repository(hooks_repo)
    root = tmp_path / "user-repo"
    (root / "crds").mkdir(parents=True)
    shutil.copyfile(CRDS / "widget.yaml", root / "crds" / "widget.yaml")
    (root / "codegen.yaml").write_text("targets:\n  - inputs: [crds/]\n    out: gen/widgets\n")
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {hooks_repo}\n"
        f"    rev: {revision}\n"
        "    hooks:\n"
        "      - id: kube-clientgen-check\n"
        "      - id: kube-clientgen\n"
    )
    git(root, "init", "-q")
    git(root, "commit", "-q", "--allow-empty", "-m", "empty")  # HEAD exists
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", "a CRD and a generation target")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        **GIT_IDENTITY,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PIP_NO_COMPILE": "1",  # the hook environment installs 4 MB of generated code
    }
    return Scratch(root, hooks_repo, env)


def test_hooks_fail_on_created_changed_files_and_pass_on_a_clean_tree(scratch: Scratch) -> None:
    # 1. Nothing generated yet: the check fails and writes nothing ...
    code, hooks, out = scratch.pre_commit("run", "kube-clientgen-check")
    assert code == 1 and hooks == {CHECK: "Failed"}, out
    assert "gen/widgets is stale" in out
    assert scratch.status() == []
    # ... and the generating hook, through try-repo, fails although it only created
    # untracked files (which pre-commit itself does not notice).
    code, hooks, out = scratch.pre_commit("try-repo", str(scratch.hooks_repo), "kube-clientgen")
    assert code == 1 and hooks == {GENERATE: "Failed"}, out
    assert "files created, changed or removed" in out
    created = scratch.status()
    assert f"?? {MODELS}" in created and all(line.startswith("?? gen/") for line in created)
    # Nothing machine-dependent was written: only generated modules.
    assert all(line.endswith((".py", "py.typed")) for line in created), created

    # 2. Committed: both hooks pass and touch nothing.
    scratch.commit_all("generated clients")
    code, hooks, out = scratch.pre_commit("run")
    assert code == 0 and hooks == {CHECK: "Passed", GENERATE: "Passed"}, out
    assert scratch.status() == []

    # 3. The CRD changed: the check fails, the hook regenerates and fails.
    crd = scratch.root / "crds" / "widget.yaml"
    text = crd.read_text()
    assert "Size in centimetres." in text
    crd.write_text(text.replace("Size in centimetres.", "Size in millimetres."))
    code, hooks, out = scratch.pre_commit("run")
    assert code == 1 and hooks == {CHECK: "Failed", GENERATE: "Failed"}, out
    assert scratch.status() == [" M crds/widget.yaml", f" M {MODELS}"]
    assert "Size in millimetres." in (scratch.root / MODELS).read_text()

    # 4. Committed again: both pass.
    scratch.commit_all("regenerated")
    code, hooks, out = scratch.pre_commit("run")
    assert code == 0 and hooks == {CHECK: "Passed", GENERATE: "Passed"}, out
    assert scratch.status() == []
