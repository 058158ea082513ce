"""What mypy sees of the generated clients (reveal_type, run by the real mypy)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_mypy_sees_typed_results_and_rejects_wrong_scopes() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "tests/typing/reveal_clientset.py",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
    )
    out = result.stdout
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"')
        for line in out.splitlines()
        if "Revealed type" in line
    ]
    assert revealed == [
        "kube_clientgen_api.kubernetes.core.v1.models.Pod",
        "kube_clientgen_api.kubernetes.core.v1.models.PodList",
        "kubecore.core.generated.autoscaling_v1.Scale",
        "kube_clientgen_api.kubernetes.core.v1.models.Node",
        "kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1.models.VirtualMachine",
    ], out
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 3, out
    assert '"nodes" of "CoreV1Client"' in errors[0] and "Too many arguments" in errors[0]
    assert '"pods" of "CoreV1Client"' in errors[1] and "Missing positional argument" in errors[1]
    assert '"BindingClient" has no attribute "get"' in errors[2]


def test_importing_the_clientset_does_not_import_every_group() -> None:
    code = (
        "import sys\n"
        "from kube_clientgen_api.kubernetes import Clientset\n"
        "import kubecore\n"
        "before = {m for m in sys.modules if m.startswith('kube_clientgen_api.kubernetes.')}\n"
        "cs = Clientset.from_config(kubecore.Config(host='https://127.0.0.1:1'))\n"
        "cs.core_v1.pods('default')\n"
        "after = {m for m in sys.modules if m.startswith('kube_clientgen_api.kubernetes.')}\n"
        "print(sorted(before)); print(sorted(after))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    before, after = out.splitlines()
    assert "models" not in before and "apps" not in before, before
    assert (
        "kube_clientgen_api.kubernetes.core.v1.models" in after and "kube_clientgen_api.kubernetes.apps" not in after
    ), after
