"""The helpers of ``bench/generation_scale.py`` (issue #12's generation-at-scale benchmark)
on the seed CRD: output counting, finding the module that defines a kind, the import probe
and the report. kubesdk-cli and ../shared are not needed: the benchmark's own run compares."""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO, generate, unique_package_dir

# The bench scripts import each other as top-level modules (``import common``), as they do
# when run as ``python bench/...``.
sys.path.insert(0, str(REPO / "bench"))
try:
    import generation_scale as gs
finally:
    sys.path.remove(str(REPO / "bench"))

SEED_CRD = REPO / "examples" / "crds" / "virtualmachine.yaml"


@pytest.fixture(scope="module")
def vm_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = unique_package_dir(tmp_path_factory.mktemp("genscale"), "vm")
    assert generate([SEED_CRD], out) == 0
    return out


def test_count_classes_walks_nested_classes_and_reads_newer_syntax() -> None:
    assert (
        gs.count_classes(b"class A:\n    class B:\n        pass\n\n\nclass C(A):\n    pass\n") == 3
    )
    assert gs.count_classes(b"def f():\n    class Local:\n        pass\n") == 1
    # PEP 695 (Python 3.12+), which kubesdk-cli writes; counted on any interpreter
    newer = b"class K8sResourceList[T: int](Base):\n    x: T\n"
    assert gs.count_classes(newer) == 1


def test_output_stats_match_the_files_written(vm_tree: Path) -> None:
    stats = gs.output_stats(vm_tree)
    files = [p for p in vm_tree.rglob("*.py") if "__pycache__" not in p.parts]
    assert stats["files"] == len(files)
    assert stats["bytes"] == sum(p.stat().st_size for p in files)
    classes = {
        node.name
        for p in files
        for node in ast.walk(ast.parse(p.read_bytes()))
        if isinstance(node, ast.ClassDef)
    }
    assert {"VirtualMachine", "VirtualMachineList"} <= classes
    assert stats["classes"] >= len(classes)


def test_defining_module_is_found_in_the_tree_and_imports(vm_tree: Path) -> None:
    module = gs.defining_module(vm_tree, "VirtualMachine")
    assert module.startswith(vm_tree.name + ".")
    path = vm_tree.parent.joinpath(*module.split("."))
    source = (path / "__init__.py" if path.is_dir() else path.with_suffix(".py")).read_text()
    assert "class VirtualMachine(" in source
    with pytest.raises(LookupError):
        gs.defining_module(vm_tree, "NoSuchKind")


@pytest.fixture(scope="module")
def vm_imports(vm_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    module = gs.defining_module(vm_tree, "VirtualMachine")
    work = tmp_path_factory.mktemp("imports")
    return gs.import_times(
        vm_tree, module, first_runs=1, warm_runs=1, work=work, kind="VirtualMachine"
    )


def test_import_times_first_import_caches_nothing(vm_imports: dict[str, Any]) -> None:
    assert vm_imports["statement"] == f"from {vm_imports['module']} import VirtualMachine"
    for phase in ("first", "warm"):
        assert vm_imports[phase]["seconds"] > 0
        assert vm_imports[phase]["peak_rss"] > vm_imports["baseline_rss"] > 0
        assert vm_imports[phase]["modules"] > 0
    assert vm_imports["bytecode_written"] is False


def test_probe_reports_an_import_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="ModuleNotFoundError"):
        gs.probe("import no_such_package_xyz", tmp_path, cache=False)


def test_probe_imports_a_kind_without_writing_bytecode(vm_tree: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(vm_tree, copy / vm_tree.name)
    module = gs.defining_module(copy / vm_tree.name, "VirtualMachine")
    run = gs.probe(f"from {module} import VirtualMachine", copy, cache=False)
    assert run["seconds"] > 0 and run["peak_rss"] > 0 and run["modules"] > 0
    assert not list(copy.rglob("__pycache__"))
    gs.probe(f"from {module} import VirtualMachine", copy, cache=True)
    assert list(copy.rglob("__pycache__"))


def test_probe_runs_the_given_interpreter_and_nothing_of_the_project_leaks_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An anchor's side runs with its own venv's interpreter: the project's packages are
    not importable there, even with them on this process's ``PYTHONPATH``."""
    import subprocess

    subprocess.run([sys.executable, "-m", "venv", "--without-pip", tmp_path / "v"], check=True)
    monkeypatch.setenv("PYTHONPATH", str(REPO / "src"))
    other = tmp_path / "v" / "bin" / "python"
    with pytest.raises(RuntimeError, match="ModuleNotFoundError"):
        gs.probe("import kubecore", tmp_path, cache=False, python=other)
    assert gs.probe("import kubecore", tmp_path, cache=False)["modules"] > 0


def test_round_trip_counts_the_group_documents(vm_tree: Path) -> None:
    result = gs.round_trip(vm_tree, REPO / "examples" / "manifests", group="cloud.waibizi.com")
    assert result["checked"] > 0
    assert result["lossless"] == result["checked"]
    assert result["failures"] == []
    assert gs.round_trip(vm_tree, REPO / "examples" / "manifests", group="argoproj.io") == {
        "checked": 0,
        "lossless": 0,
        "failures": [],
    }


def test_report_and_splice(vm_tree: Path, vm_imports: dict[str, Any]) -> None:
    """The report renders from measured results, and splicing it into a benchmarks page
    twice keeps one copy of the section and its rows and the rest of the page."""
    side = {
        "generation": {"times": [1.0], "seconds": 1.0},
        "output": gs.output_stats(vm_tree),
        "import": vm_imports,
    }
    results = {
        "crds": [SEED_CRD.name],
        "reps": {"generation": 1, "first": 1, "warm": 1},
        "kubesdk_version": "0.3.1",
        "kubesdk_input_bytes": 1,
        "ours": side,
        "kubesdk": side,
        "round_trip": {"checked": 2, "lossless": 2, "failures": []},
    }
    rows = gs.summary_rows(results)
    assert all(len(row) == 6 and row[0].startswith("m. ") for row in rows)
    assert rows[-1][1] == "2 of 2" and rows[-1][5] == "**yes**"
    section = gs.report(results)
    assert section.startswith(gs.SECTION_TITLE)
    page = "# Benchmarks\n\n## Summary\n\n| B | O | A | R | T | M |\n|---|---|---|---|---|---|\n| a. x | 1 | 2 | 3 | 4 | 5 |\n\nData: x\n\n## Method\n\n- m\n"
    once = gs.splice(page, results, "note 1")
    twice = gs.splice(once, results, "note 2")
    for text in (once, twice):
        assert text.count(gs.SECTION_TITLE) == 1
        assert sum(line.startswith("| m. ") for line in text.splitlines()) == len(rows)
        assert "| a. x |" in text and text.rstrip().endswith("- m")
    assert "note 2" in twice and "note 1" not in twice
    assert sys.modules.get(vm_tree.name) is None  # everything ran in child processes
