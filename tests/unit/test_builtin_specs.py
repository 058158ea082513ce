"""Built-in spec names as inputs (``kubernetes:1.36``, ``kubernetes``) and the vendored spec."""

from __future__ import annotations

from pathlib import Path

import pytest

from kube_clientgen.config import load_targets
from kube_clientgen.sources import builtin
from tests.conftest import SPECS, requires_shared
from tests.helpers import REPO, contents, run_cli

VENDORED = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@requires_shared
def test_vendored_spec_is_byte_identical_to_the_shared_copy() -> None:
    assert VENDORED.read_bytes() == (SPECS / "kubernetes" / "swagger.json").read_bytes()


def test_the_vendored_spec_has_its_source_and_license_noted() -> None:
    note = (REPO / "generator" / "specs" / "README.md").read_text()
    assert "release-1.36" in note and "Apache License 2.0" in note


def test_builtin_names_resolve_through_package_resources() -> None:
    assert builtin.available_versions() == ["1.36"]
    data = VENDORED.read_bytes()
    assert builtin.spec_bytes("kubernetes:1.36") == data
    assert builtin.spec_bytes("kubernetes:v1.36") == data
    assert builtin.spec_bytes("kubernetes") == data  # the newest


@pytest.mark.parametrize("name", ["kubernetes:1.36", "kubernetes"])
def test_generate_from_a_builtin_name_equals_the_committed_package(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / "src" / "k8s"
    code, err = run_cli(["generate", name, "--out", str(out)])
    assert code == 0, err
    assert contents(out) == contents(REPO / "generated" / "kubernetes")


@pytest.mark.parametrize("name", ["kubernetes:1.99", "kubernetes:", "kubernetes:latest"])
def test_an_unknown_builtin_version_exits_2_naming_the_available_ones(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / "k8s"
    code, err = run_cli(["generate", name, "--out", str(out)])
    assert code == 2
    assert f"kube-clientgen: error: {name}: unknown built-in Kubernetes version" in err
    assert "available: kubernetes:1.36" in err and "Traceback" not in err
    assert not out.exists()


def test_a_directory_named_kubernetes_is_reached_with_a_slash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "kubernetes"
    folder.mkdir()
    (folder / "widget.yaml").write_bytes((REPO / "tests/fixtures/crds/widget.yaml").read_bytes())
    monkeypatch.chdir(tmp_path)
    code, err = run_cli(["generate", "kubernetes/", "--out", "widgets"])
    assert code == 0, err
    assert (tmp_path / "widgets" / "demo_example_com" / "v1" / "models" / "_widget.py").is_file()
    assert not (tmp_path / "widgets" / "core").exists()


def test_a_config_target_keeps_a_builtin_name_as_a_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "codegen.yaml").write_text(
        "targets:\n"
        "  - inputs: [kubernetes:1.36]\n"
        "    out: gen/meta\n"
        "    apimachinery_only: true\n"
    )
    monkeypatch.chdir(project / "sub")  # relative paths would become ../kubernetes:1.36
    code, err = run_cli(["generate"])
    assert code == 0, err
    assert contents(project / "gen" / "meta") == contents(REPO / "kubecore" / "core" / "generated")


def test_the_repository_targets_read_nothing_outside_the_repository(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    targets = load_targets(REPO / "pyproject.toml")
    inputs = [i for t in targets for i in t.inputs]
    assert "kubernetes:1.36" in inputs
    for name in inputs:
        if not builtin.is_builtin_input(name):
            assert (REPO / name).resolve().is_relative_to(REPO), name
