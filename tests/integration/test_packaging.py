"""The built wheel: only namespaced top-level names, everything a non-editable install needs
(templates, the built-in spec, typed markers), and it works installed in a fresh virtualenv
beside a user's own ``generated`` package.

The wheel is built from a copy of the working tree's files (tracked and untracked, not
ignored): what a clean checkout holds, and no in-tree ``build/`` shared between workers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

import kube_clientgen
from tests.checkout import copy_checkout
from tests.conftest import REPO
from tests.helpers import contents

TOP_LEVEL = {"kube_clientgen", "kube_clientgen_api", "kubecore"}
_TIMEOUT = 300  # seconds; pip works from its cache and the local indexes


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheel")
    checkout = root / "checkout"
    copy_checkout(checkout)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(root), str(checkout)])
    (built,) = root.glob("kube_clientgen-*.whl")
    return built


def _run(
    args: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command; a failure shows its output (pip, the program) in the test report."""
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=_TIMEOUT
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result


def _clean_env(**extra: str) -> dict[str, str]:
    """No path into the repository: the installed wheel must stand on its own."""
    env = {
        k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH", "VIRTUAL_ENV")
    }
    env.update(extra)
    return env


def test_wheel_installs_only_namespaced_top_level_names(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert top == TOP_LEVEL | {f"kube_clientgen-{kube_clientgen.__version__}.dist-info"}
    top_level_txt = [n for n in names if n.endswith(".dist-info/top_level.txt")]
    if top_level_txt:
        listed = zipfile.ZipFile(wheel).read(top_level_txt[0]).decode().split()
        assert set(listed) == TOP_LEVEL


def test_wheel_ships_templates_spec_and_typed_markers(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    names = set(archive.namelist())
    templates = {p.name for p in (REPO / "templates").glob("*.jinja")}
    assert templates and {f"kube_clientgen/templates/{t}" for t in templates} <= names
    assert {
        "kubecore/py.typed",
        "kube_clientgen_api/kubernetes/py.typed",
        "kubecore/core/generated/py.typed",
        "kube_clientgen/specs/README.md",
    } <= names
    spec = "kube_clientgen/specs/kubernetes-1.36.swagger.json"
    vendored = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
    assert archive.read(spec) == vendored.read_bytes()
    assert "kube_clientgen/cli.py" in names and "kubecore/testing/server.py" in names


USER_PROGRAM = """\
import json
import sys

import generated  # the user's own package of that name
from generated.settings import NAMESPACE

from kube_clientgen_api.kubernetes import Clientset, scheme
from kube_clientgen_api.kubernetes.core.v1 import Pod
import kube_clientgen_api.kubernetes
import kubecore

document = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "web", "namespace": NAMESPACE, "creationTimestamp": "2024-05-06T07:08:09Z"},
    "spec": {"containers": [{"name": "c", "image": "nginx", "futureField": 1}]},
}
pod = scheme.from_dict(document)
assert isinstance(pod, Pod) and pod.spec.containers[0].image == "nginx"
assert pod.to_dict() == document
pods = Clientset.from_config(kubecore.Config(host="https://127.0.0.1:1")).core_v1.pods(NAMESPACE)
print(json.dumps({
    "generated": generated.__file__,
    "api": kube_clientgen_api.kubernetes.__file__,
    "kubecore": kubecore.__file__,
    "client": type(pods).__name__,
    "jinja2": "jinja2" in sys.modules,
}))
"""


@pytest.mark.slow
def test_installed_wheel_works_beside_a_users_own_generated_package(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _run([*pip, "--no-deps", str(wheel), "orjson", "PyYAML"], env=_clean_env())

    user = tmp_path / "user"
    (user / "generated").mkdir(parents=True)
    (user / "generated" / "__init__.py").write_text("")
    (user / "generated" / "settings.py").write_text('NAMESPACE = "team-a"\n')
    (user / "main.py").write_text(USER_PROGRAM)
    run = _run([str(python), "main.py"], cwd=user, env=_clean_env())
    seen = json.loads(run.stdout)
    site = str(venv)
    assert seen["generated"] == str(user / "generated" / "__init__.py")
    assert seen["api"].startswith(site) and seen["kubecore"].startswith(site)
    assert seen["client"] == "PodClient"
    assert seen["jinja2"] is False  # generated clients need only orjson and PyYAML

    # The generator from the installed wheel: the built-in spec into the user's own package.
    _run([*pip, "Jinja2>=3.1", "ruff==0.17.6", "jsonschema-rs>=0.29"], env=_clean_env())
    env = _clean_env(XDG_CACHE_HOME=str(tmp_path / "cache"))
    version = _run([str(venv / "bin" / "kube-clientgen"), "--version"], cwd=user, env=env)
    assert version.stdout.strip() == f"kube-clientgen {kube_clientgen.__version__}"
    _run(
        [str(venv / "bin" / "kube-clientgen"), "generate", "kubernetes:1.36", "--out", "src/k8s"],
        cwd=user,
        env=env,
    )
    assert contents(user / "src" / "k8s") == contents(REPO / "generated" / "kubernetes")
    check = textwrap.dedent("""\
        from k8s.apps.v1 import Deployment
        from k8s import Clientset
        d = Deployment.from_dict({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": 2}})
        print(d.spec.replicas, Clientset.__module__)
        """)
    imported = _run([str(python), "-c", check], cwd=user / "src", env=env)
    assert imported.stdout.split() == ["2", "k8s.clientset"]
