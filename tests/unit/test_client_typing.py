"""What mypy sees of the generated clients (reveal_type, run by the real mypy)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def mypy_strict(path: str) -> str:
    """What ``mypy --strict`` prints for ``path`` (a file of the repository), run afresh."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", path],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
    )
    return result.stdout


def test_mypy_sees_typed_results_and_rejects_wrong_scopes() -> None:
    out = mypy_strict("tests/typing/reveal_clientset.py")
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"')
        for line in out.splitlines()
        if "Revealed type" in line
    ]
    assert revealed == [
        "kube_clientgen_api.kubernetes.core.v1.models._pod.Pod",
        "kube_clientgen_api.kubernetes.core.v1.models._pod.PodList",
        "kubecore.core.generated.autoscaling_v1._scale.Scale",
        "kube_clientgen_api.kubernetes.core.v1.models._node.Node",
        "kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1.models._virtual_machine.VirtualMachine",
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
        "kube_clientgen_api.kubernetes.core.v1.models" in after
        and "kube_clientgen_api.kubernetes.apps" not in after
    ), after


def test_mypy_sees_typed_informers_and_listers() -> None:
    out = mypy_strict("tests/typing/reveal_informers.py")
    revealed = [
        line.split('Revealed type is "', 1)[1].rstrip('"')
        for line in out.splitlines()
        if "Revealed type" in line
    ]
    vm = "kube_clientgen_api.virtualmachine.cloud_waibizi_com.v1.models._virtual_machine.VirtualMachine"
    assert revealed == [
        vm,  # lister().virtual_machines(ns).get(name)
        f"list[{vm}]",  # lister().list(label_selector=...)
        vm,  # what on_add receives
        "dict[Any, bool]",
        "kube_clientgen_api.kubernetes.core.v1.models._node.Node",
        "list[kube_clientgen_api.kubernetes.apps.v1.models._deployment.Deployment]",
    ], out
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 2, out
    assert '"on_add"' in errors[0] and "Callable[[int], None]" in errors[0]
    assert '"NodeLister" has no attribute "nodes"' in errors[1]


def test_importing_a_package_does_not_import_its_informers() -> None:
    code = (
        "import sys, threading\n"
        "import kube_clientgen_api.virtualmachine as pkg\n"
        "from kube_clientgen_api.virtualmachine import informers\n"
        "def loaded(): return sorted(m for m in sys.modules if m.startswith(('kubecore.runtime', "
        "'kube_clientgen_api.virtualmachine.informers.')))\n"
        "print(loaded())\n"
        "factory = informers.SharedInformerFactory(pkg.Clientset.from_config("
        "__import__('kubecore').Config(host='https://127.0.0.1:1')))\n"
        "factory.cloud_waibizi_com_v1.virtual_machines().lister()\n"
        "print(loaded())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    before, after = out.splitlines()
    assert before == "[]", before
    assert "kube_clientgen_api.virtualmachine.informers.cloud_waibizi_com_v1" in after, after
    assert "kubecore.runtime.informer" in after, after


def test_mypy_holds_the_dynamic_client_to_the_typed_option_types() -> None:
    out = mypy_strict("tests/typing/dynamic_options.py")
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert len(errors) == 2, out
    assert errors[0].startswith("tests/typing/dynamic_options.py:12:"), out
    assert '"propagation_policy" to "delete"' in errors[0] and "'foreground'" in errors[0]
    assert '"field_validation" to "create"' in errors[1] and "'strict'" in errors[1]
