"""mypy follows the development install (``make setup``): a user program outside the
repository, checked by the venv's ``mypy --strict`` without MYPYPATH, sees concrete types.

``make setup`` installs the project editable with a static path entry (a ``.pth`` line naming
``src/``), which mypy and pyright read; setuptools' import-hook editable mode is invisible
to them and every type became ``Any``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

PROGRAM = """\
from kube_clientgen_api.kubernetes import Clientset
from kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1 import VirtualMachine
from kubecore import load_config

cs = Clientset.from_config(load_config())
reveal_type(cs.core_v1.pods("ns").get("x"))
reveal_type(VirtualMachine.from_dict({}))
"""


def _outside_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}


def test_the_interpreter_imports_this_checkout_through_a_static_path(tmp_path: Path) -> None:
    found = subprocess.run(
        [sys.executable, "-c", "import kubecore, kube_clientgen; print(kubecore.__file__)"],
        cwd=tmp_path,
        env=_outside_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, f"run `make setup` first:\n{found.stderr}"
    assert Path(found.stdout.strip()).resolve().is_relative_to(REPO.resolve())


def test_mypy_strict_outside_the_repository_reveals_concrete_types(tmp_path: Path) -> None:
    program = tmp_path / "user_program.py"
    program.write_text(PROGRAM)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--cache-dir",
            str(tmp_path / ".mypy_cache"),
            program.name,
        ],
        cwd=tmp_path,
        env=_outside_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = result.stdout + result.stderr
    assert "Cannot find implementation or library stub" not in out, out
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"')
        for line in out.splitlines()
        if "Revealed type" in line
    ]
    assert revealed == [
        "kube_clientgen_api.kubernetes.core.v1.models._pod.Pod",
        "kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1.models._virtual_machine.VirtualMachine",
    ], out
    assert ": error:" not in out, out
