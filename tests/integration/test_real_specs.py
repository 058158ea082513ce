"""The generator against the real inputs in ../shared/specs: every CRD, the 1.36 swagger,
the 1.35 OpenAPI v3 directory, and every example manifest's round trip."""

from __future__ import annotations

import copy
import importlib
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from kube_clientgen import sources
from kube_clientgen.cli import main as clientgen
from kubecore.core import yamlio
from tests.conftest import REPO, SPECS, requires_shared
from tests.helpers import read_all

pytestmark = requires_shared

CRDS = SPECS / "crds"
# One generation run per project folder; the two flavours of argo-workflows define the same
# CRDs differently, so they run apart. The gateway-api channels run together too (their
# copies merge by version: the corpus has TLSRoute v1alpha2 objects only experimental serves).
CRD_SETS = {
    "argo_cd": ["argo-cd"],
    "argo_workflows_full": ["argo-workflows/full"],
    "argo_workflows_minimal": ["argo-workflows/minimal"],
    "cert_manager": ["cert-manager"],
    "external_snapshotter": ["external-snapshotter"],
    "gateway_standard": ["gateway-api/standard"],
    "gateway_experimental": ["gateway-api/experimental"],
    "gateway_both": ["gateway-api/standard", "gateway-api/experimental"],
    "kyverno": ["kyverno"],
    "metallb": ["metallb"],
    "ocm": ["open-cluster-management"],
    "prometheus_operator": ["prometheus-operator"],
}


def _generate(inputs: list[str], out: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert clientgen(["generate", *inputs, "--out", str(out)]) == 0


def _import_all(out: Path) -> list[str]:
    sys.path.insert(0, str(out.parent))
    try:
        names = sorted(
            ".".join(p.parent.relative_to(out.parent).parts)
            for p in out.rglob("models/__init__.py")
        )
        for name in names:  # every module of each lazy models package
            models = importlib.import_module(name)
            assert all(getattr(models, n) for n in models.__all__)
        return names
    finally:
        sys.path.remove(str(out.parent))


def _mypy(*paths: Path | str, cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", *map(str, paths)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "MYPYPATH": str(REPO / "src")},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.fixture(scope="module")
def crd_packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("crdpkgs")
    packages = {}
    for name, folders in CRD_SETS.items():
        _generate([str(CRDS / f) for f in folders], root / name)
        packages[name] = root / name
    return packages


def test_every_crd_file_is_read_and_every_version_typed() -> None:
    """Every version a CRD defines is typed; only served ones have a client resource."""
    files = sorted(p for p in CRDS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    checked = 0
    for path in files:
        docs = [
            d
            for d in sources.load_documents([str(path)])
            if d.data.get("kind") == "CustomResourceDefinition"
        ]
        if not docs:
            continue  # e.g. gateway-api's ValidatingAdmissionPolicy files
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            api = sources.load_api([str(path)])
        kinds = {(r.group_version.api_version, r.kind): r.served for r in api.resources}
        for doc in docs:
            spec = doc.data["spec"]
            for version in spec["versions"]:
                key = (f"{spec['group']}/{version['name']}", spec["names"]["kind"])
                assert key in kinds, key
                assert kinds[key] == bool(version.get("served")) or len(docs) > 1, key
                checked += 1
    print(f"\nchecked {checked} CRD versions in {len(files)} files")
    assert checked > 100


def test_every_crd_set_generates_imports_and_typechecks(crd_packages: dict[str, Path]) -> None:
    for name, out in crd_packages.items():
        modules = _import_all(out)
        assert modules, name
    _mypy(*[p.name for p in crd_packages.values()], cwd=next(iter(crd_packages.values())).parent)


def test_v3_directory_generates_imports_and_typechecks(tmp_path: Path) -> None:
    out = tmp_path / "k8s_v3"
    _generate([str(SPECS / "kubernetes" / "v3")], out)
    modules = _import_all(out)
    assert any(m.endswith("core.v1.models") for m in modules)
    assert len(modules) > 30
    _mypy(Path("k8s_v3"), cwd=tmp_path)


def test_swagger_generates_what_is_committed(tmp_path: Path) -> None:
    """The 1.36 swagger renders exactly the committed generated/kubernetes (then mypy it)."""
    out = tmp_path / "kubernetes"
    _generate([str(SPECS / "kubernetes" / "swagger.json")], out)
    committed = REPO / "generated" / "kubernetes"
    ours = {p.relative_to(out): p.read_bytes() for p in out.rglob("*.py")}
    theirs = {p.relative_to(committed): p.read_bytes() for p in committed.rglob("*.py")}
    assert ours == theirs
    _mypy("-p", "kube_clientgen_api", "-p", "kubecore.core.generated", cwd=REPO)


def test_generated_code_is_black_formatted(crd_packages: dict[str, Path]) -> None:
    """Black itself agrees with the formatter on the committed output and a CRD sample."""
    targets = [
        REPO / "generated",
        REPO / "kubecore" / "core" / "generated",
        crd_packages["cert_manager"],
        crd_packages["ocm"],
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "black",
            "--check",
            "--line-length",
            "100",
            "--target-version",
            "py311",
            *map(str, targets),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def _example_documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted((SPECS / "examples").rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or not path.is_file():
            continue
        try:
            loaded = yamlio.load_all(path.read_text())
        except Exception:  # noqa: BLE001 - a few example files are templates, not YAML
            continue
        for index, doc in enumerate(loaded):
            if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
                docs.append((f"{path.relative_to(SPECS)}[{index}]", doc))
    return docs


def _corpus_kinds() -> set[tuple[str, str]]:
    """(apiVersion, kind) of every version of every CRD in the corpus."""
    kinds = set()
    for doc in sources.load_documents([str(CRDS)]):
        if isinstance(doc.data, dict) and doc.data.get("kind") == "CustomResourceDefinition":
            spec = doc.data.get("spec") or {}
            for version in spec.get("versions") or ():
                kinds.add((f"{spec['group']}/{version['name']}", spec["names"]["kind"]))
    return kinds


def test_every_example_round_trips_losslessly(crd_packages: dict[str, Path]) -> None:
    from kube_clientgen_api.kubernetes import scheme as kubernetes_scheme

    schemes = [kubernetes_scheme.scheme]
    for out in crd_packages.values():
        sys.path.insert(0, str(out.parent))
        try:
            schemes.append(importlib.import_module(f"{out.name}.scheme").scheme)
        finally:
            sys.path.remove(str(out.parent))
    corpus_kinds = _corpus_kinds()
    checked, unknown, lost, untyped_corpus = 0, [], [], []
    for where, doc in _example_documents():
        original = copy.deepcopy(doc)
        for scheme in schemes:
            cls = scheme.lookup(doc["apiVersion"], doc["kind"])
            if cls is not None:
                break
        else:
            unknown.append(f"{doc['apiVersion']}/{doc['kind']}")
            if (doc["apiVersion"], doc["kind"]) in corpus_kinds:
                untyped_corpus.append(where)
            continue
        obj = cls.from_dict(doc)
        assert doc == original, f"{where}: decoding mutated the input"
        read = cls.from_dict(original)
        read_all(read)  # decoding is lazy: build every field, as a user reading it would
        if obj.to_dict() != original or read.to_dict() != original or read != obj:
            lost.append(where)
        checked += 1
    print(
        f"\nround-tripped {checked} example documents losslessly; {len(unknown)} had no generated type: {sorted(set(unknown))}"
    )
    assert not untyped_corpus, f"objects of corpus CRDs left untyped: {untyped_corpus}"
    assert not lost, f"lossy round trips: {lost}"
    assert checked > 300
