"""Import cost of one kind from a large generated package (issue #12, "One module per kind").

Generates the full Argo Workflows CRD set (``../shared/specs/crds/argo-workflows/full``) into a
temporary directory and reports: generation time, output size, class count, number of model
modules, the first import of ``Workflow`` without bytecode (``PYTHONDONTWRITEBYTECODE=1``, a
fresh copy of the tree) and the warm import, with the peak RSS of the importing process
(``ru_maxrss`` of a child); then the warm import of ``Pod`` from the built-in package.

    .venv/bin/python bench/kind_imports.py

Not part of ``make bench``: it reports absolute numbers of this machine, no ratios.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARGO = REPO.parent / "shared" / "specs" / "crds" / "argo-workflows" / "full"
WORKFLOW = "import sys; sys.path.insert(0, 'src'); from argo.argoproj_io.v1alpha1 import Workflow"
POD = "from kube_clientgen_api.kubernetes.core.v1.models import Pod"
# Runs the import in a grandchild and reports its wall time and peak RSS (KiB on Linux).
WRAPPER = (
    "import resource, subprocess, sys, time; t = time.perf_counter(); "
    "subprocess.run(sys.argv[1:], check=True); e = time.perf_counter() - t; "
    "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def timed(code: str, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """(seconds, peak MiB) of a fresh interpreter running ``code``."""
    out = subprocess.run(
        [sys.executable, "-c", WRAPPER, sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1]) / 1024


def main() -> int:
    if not ARGO.is_dir():
        print(f"needs {ARGO}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = dict(os.environ, XDG_CACHE_HOME=str(work / "cache"))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        cli = Path(sys.executable).parent / "kube-clientgen"
        start = time.perf_counter()
        subprocess.run(
            [str(cli), "generate", *sorted(map(str, ARGO.glob("*.yaml"))), "--out", "src/argo"],
            cwd=work,
            env=env,
            check=True,
        )
        seconds = time.perf_counter() - start
        files = [p for p in (work / "src" / "argo").rglob("*.py")]
        size = sum(p.stat().st_size for p in files)
        classes = sum(p.read_text().count("\nclass ") for p in files)
        models = [p for p in files if "models" in p.parts or p.name == "models.py"]
        print(f"generation: {seconds:.1f} s")
        print(f"output: {size / 1e6:.2f} MB, {len(files)} modules, {len(models)} of them models")
        print(f"classes: {classes}")
        cold = []
        for i in range(3):
            fresh = work / f"fresh{i}"
            shutil.copytree(work / "src", fresh / "src")
            cold.append(timed(WORKFLOW, fresh, dict(env, PYTHONDONTWRITEBYTECODE="1")))
        print(
            "Workflow, first import (no bytecode): "
            f"{statistics.median(s for s, _ in cold):.2f} s, "
            f"{statistics.median(m for _, m in cold):.0f} MiB peak"
        )
        timed(WORKFLOW, work, env)  # writes the bytecode
        for label, code in (("Workflow", WORKFLOW), ("Pod", POD), ("bare interpreter", "pass")):
            warm = [timed(code, work, env) for _ in range(7)]
            print(
                f"{label}, warm import: {statistics.median(s for s, _ in warm):.3f} s, "
                f"{statistics.median(m for _, m in warm):.0f} MiB peak"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
