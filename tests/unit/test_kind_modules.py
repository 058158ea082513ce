"""Lazy models packages: importing one kind loads only the classes it can reach (issue #12).

Every group-version's ``models`` is a package whose ``__init__`` imports nothing until a name
is asked for; each class lives in the module of the set of kinds that reach it
(``kube_clientgen.chunks``). These tests import in fresh interpreters and look at
``sys.modules``: the public API is the import path and what the import loads.
"""

from __future__ import annotations

import ast
import importlib
import json
import pickle
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

from kube_clientgen.pipeline import Target, render_target
from tests.conftest import REPO, SPECS, requires_shared
from tests.helpers import generate_capture, subprocess_env, unique_package_dir

ARGO_FULL = SPECS / "crds" / "argo-workflows" / "full"

# Run in a fresh interpreter: import one kind, record which modules of the package that
# import loaded and which classes they define, then walk every class the kind (and its
# list kind) can reach through its fields' annotations.
PROBE = r"""
import enum, json, re, sys
from kubecore.core.model import Model

package, gv, kind, list_kind = sys.argv[1:5]
before = set(sys.modules)
models = __import__(f"{package}.{gv}", fromlist=[kind])
roots = [getattr(models, kind), getattr(models, list_kind)]
loaded = sorted(m for m in set(sys.modules) - before if m.startswith(package + "."))
classes = sorted(
    f"{obj.__module__}.{obj.__qualname__}"
    for m in loaded
    for obj in vars(sys.modules[m]).values()
    if isinstance(obj, type) and obj.__module__ == m
)

def reachable(*roots):
    seen, stack = set(), list(roots)
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        if not issubclass(cls, Model):
            continue
        namespace = vars(sys.modules[cls.__module__])
        for info in cls.FIELDS:
            for dotted in re.findall(r"[A-Za-z_][\w.]*", info.type):
                head, *rest = dotted.split(".")
                obj = namespace.get(head)
                for part in rest:
                    obj = getattr(obj, part, None)
                if isinstance(obj, type) and issubclass(obj, (Model, enum.Enum)):
                    stack.append(obj)
    return seen

reached = sorted(f"{c.__module__}.{c.__qualname__}" for c in reachable(*roots))
print(json.dumps({"loaded": loaded, "classes": classes, "reached": reached}))
"""


def probe(package: str, gv: str, kind: str, *, path: Path | None = None) -> dict[str, list[str]]:
    env = subprocess_env()
    if path is not None:
        env["PYTHONPATH"] = f"{path}:{env['PYTHONPATH']}"
    out = subprocess.run(
        [sys.executable, "-c", PROBE, package, gv, kind, f"{kind}List"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, list[str]] = json.loads(out)
    return result


def test_importing_pod_loads_only_the_classes_pod_reaches() -> None:
    from kube_clientgen_api.kubernetes.apps.v1 import Deployment
    from kube_clientgen_api.kubernetes.core.v1 import ConfigMap, Pod, Service

    seen = probe("kube_clientgen_api.kubernetes", "core.v1", "Pod")
    assert Pod.__module__ in seen["loaded"]
    for other in (ConfigMap, Service, Deployment):
        assert other.__module__ not in seen["loaded"], other
    assert not any(".apps." in m for m in seen["loaded"])
    # every class loaded is one Pod or PodList can reach, and there is no whole-group module
    assert set(seen["classes"]) <= set(seen["reached"])
    assert "kube_clientgen_api.kubernetes.core.v1.models._pod.Pod" in seen["classes"]
    assert len(seen["classes"]) < 200  # core/v1 has about 240 classes


def models_packages() -> list[str]:
    """Every lazy models package committed in the repository."""
    roots = {"kube_clientgen_api": REPO / "generated", "kubecore": REPO / "kubecore"}
    found = []
    for name, root in roots.items():
        for init in root.rglob("__init__.py"):
            text = init.read_text()
            if "_MODULE_OF = {" in text:
                parts = init.parent.relative_to(root).parts
                found.append(".".join((name, *parts)))
    return sorted(found)


def test_type_checking_reexports_match_the_runtime_exports() -> None:
    packages = models_packages()
    assert "kube_clientgen_api.kubernetes.core.v1.models" in packages
    assert "kubecore.core.generated.meta_v1" in packages
    for name in packages:
        models = importlib.import_module(name)
        assert models.__file__ is not None
        tree = ast.parse(Path(models.__file__).read_text())
        [block] = [
            node
            for node in tree.body
            if isinstance(node, ast.If)
            and isinstance(node.test, ast.Name)
            and node.test.id == "TYPE_CHECKING"
        ]
        exported = {}
        for node in block.body:
            assert isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
            for alias in node.names:
                assert alias.asname == alias.name  # an explicit re-export, precise for mypy
                exported[alias.name] = f"{name}.{node.module}"
        assert sorted(exported) == sorted(models.__all__), name
        for cls_name, module in exported.items():
            assert getattr(models, cls_name).__module__ == module, (name, cls_name)
        # and the package's modules define nothing it does not export
        defined = set()
        for info in pkgutil.iter_modules(models.__path__):
            chunk = importlib.import_module(f"{name}.{info.name}")
            defined |= set(chunk.__all__)
        assert defined == set(models.__all__), name


def test_star_import_and_dir_give_every_name() -> None:
    code = (
        "import json\n"
        "ns = {}\n"
        "exec('from kube_clientgen_api.kubernetes.core.v1.models import *', ns)\n"
        "gv = {}\n"
        "exec('from kube_clientgen_api.kubernetes.core.v1 import *', gv)\n"
        "import kube_clientgen_api.kubernetes.core.v1 as v1\n"
        "print(json.dumps([sorted(ns), sorted(gv), dir(v1.models), dir(v1), v1.models.__all__]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    star, gv_star, models_dir, gv_dir, names = json.loads(out)
    assert len(names) > 200
    assert set(star) - {"__builtins__"} == set(names)
    assert set(gv_star) - {"__builtins__"} == set(names)
    assert set(names) <= set(models_dir) and set(names) <= set(gv_dir)
    assert "client" in gv_dir or "models" in gv_dir


def test_unknown_names_raise_attribute_error() -> None:
    import kube_clientgen_api.kubernetes.core.v1 as v1

    with pytest.raises(AttributeError, match="Podd"):
        v1.Podd  # noqa: B018
    with pytest.raises(AttributeError, match="Podd"):
        v1.models.Podd  # noqa: B018
    with pytest.raises(ImportError):
        from kube_clientgen_api.kubernetes.core.v1.models import Podd  # noqa: F401


def test_models_pickle_and_repr_through_their_modules() -> None:
    from kube_clientgen_api.kubernetes import scheme
    from kube_clientgen_api.kubernetes.core.v1 import Container, Pod, PodSpec
    from kubecore.core.generated.meta_v1 import ObjectMeta

    pod = Pod(
        metadata=ObjectMeta(name="web", labels={"app": "web"}),
        spec=PodSpec(containers=[Container(name="c", image="nginx")]),
    )
    copy = pickle.loads(pickle.dumps(pod))
    assert copy == pod and copy.__class__ is Pod and copy.spec.__class__ is PodSpec
    assert repr(pod).startswith(
        "Pod("
    ) and "spec=PodSpec(containers=[Container(image='nginx', name='c')])" in repr(pod)
    assert Pod.__qualname__ == "Pod"
    assert Pod.__module__ == "kube_clientgen_api.kubernetes.core.v1.models._pod"
    assert scheme.from_dict(pod.to_dict()).__class__ is Pod


def test_chunk_assignment_is_deterministic() -> None:
    if not ARGO_FULL.is_dir():
        pytest.skip(f"needs the real specs in {SPECS}")
    files = sorted(str(p) for p in ARGO_FULL.glob("*.yaml"))
    first = render_target(Target(inputs=files, out="/nonexistent/argo"))
    assert render_target(Target(inputs=files[::-1], out="/nonexistent/argo")) == first
    chunks = [p for p in first if "/models/_" in p]
    assert len(chunks) > 5


@pytest.fixture(scope="module")
def argo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not ARGO_FULL.is_dir():
        pytest.skip(f"needs the real specs in {SPECS}")
    out = unique_package_dir(tmp_path_factory.mktemp("argo"), "argo")
    code, err = generate_capture([ARGO_FULL], out)
    assert code == 0, err
    return out


@requires_shared
def test_argo_workflow_loads_only_what_workflow_reaches(argo: Path) -> None:
    seen = probe(argo.name, "argoproj_io.v1alpha1", "Workflow", path=argo.parent)
    assert set(seen["classes"]) <= set(seen["reached"])
    assert any(c.endswith("._workflow.Workflow") for c in seen["classes"])
    others = probe(argo.name, "argoproj_io.v1alpha1", "CronWorkflow", path=argo.parent)
    only_cron = set(others["classes"]) - set(seen["reached"])
    assert only_cron  # CronWorkflowSpec, CronWorkflowStatus, ...
    assert not only_cron & set(seen["classes"])
    modules = {m.rpartition(".")[0] for m in only_cron}
    assert not modules & set(seen["loaded"])


def test_informers_load_a_model_only_when_its_informer_is_asked_for() -> None:
    code = (
        "import sys\n"
        "from kube_clientgen_api.kubernetes.fake import Clientset\n"
        "from kube_clientgen_api.kubernetes.informers import SharedInformerFactory\n"
        "prefix = 'kube_clientgen_api.kubernetes.core.v1.models._'\n"
        "factory = SharedInformerFactory(Clientset(), resync_period=0)\n"
        "group = factory.core_v1\n"
        "print(sorted(m for m in sys.modules if m.startswith(prefix)))\n"
        "group.config_maps()\n"
        "print(sorted(m for m in sys.modules if m.startswith(prefix)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    before, after = (json.loads(line.replace("'", '"')) for line in out.splitlines())
    assert before == []
    assert after == ["kube_clientgen_api.kubernetes.core.v1.models._config_map"]


def test_pickles_name_the_package_not_the_chunk_module() -> None:
    """A regeneration may move a class to another chunk module; the package stays."""
    from kube_clientgen_api.kubernetes.core.v1 import Pod
    from kube_clientgen_api.kubernetes.core.v1 import models as core_models
    from kubecore.core.generated import meta_v1

    pod = Pod.from_json(b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"}}')
    data = pickle.dumps(pod)
    assert object.__getattribute__(pod, "_raw") is not None  # not loaded by pickling
    assert b"models._pod" not in data and b"meta_v1._object_meta" not in data
    assert b"kube_clientgen_api.kubernetes.core.v1.models" in data
    back = pickle.loads(data)
    assert back == pod and back.metadata.name == "web"
    # Every class of a package unpickles through the package.
    for package in (core_models, meta_v1):
        for name in package.__all__:
            cls = getattr(package, name)
            if isinstance(cls, type) and hasattr(cls, "FIELDS"):
                assert type(pickle.loads(pickle.dumps(cls.__new__(cls)))) is cls
