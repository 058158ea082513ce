"""``kube-clientgen generate`` without inputs runs the targets of the project's configuration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import CRDS, run_cli, snapshot

WIDGET_MODELS = Path("demo_example_com/v1/models/_widget.py")
GADGET_MODELS = Path("tools_example_org/v1alpha1/models/_gadget.py")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder with CRDs in ``crds/`` and a ``src/`` folder to run from."""
    root = tmp_path / "project"
    (root / "crds").mkdir(parents=True)
    (root / "src" / "deep").mkdir(parents=True)
    for name in ("widget.yaml", "gadget.yaml"):
        shutil.copyfile(CRDS / name, root / "crds" / name)
    return root


PYPROJECT = """\
[project]
name = "demo"

[[tool.kube-clientgen.targets]]
inputs = ["crds/widget.yaml"]
out = "generated/widgets"

[[tool.kube-clientgen.targets]]
inputs = ["crds/gadget.yaml"]
out = "generated/gadgets"
"""

CODEGEN_YAML = """\
targets:
  - inputs: [crds/]
    out: gen/everything
"""


def test_pyproject_targets_are_found_from_a_subdirectory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text(PYPROJECT)
    monkeypatch.chdir(project / "src" / "deep")
    code, err = run_cli(["generate"])
    assert code == 0, err
    # paths are relative to the config file, not to the working directory
    assert (project / "generated" / "widgets" / WIDGET_MODELS).is_file()
    assert (project / "generated" / "gadgets" / GADGET_MODELS).is_file()
    assert not (project / "generated" / "widgets" / GADGET_MODELS).exists()
    assert not (project / "src" / "deep" / "generated").exists()


def test_pyproject_targets_check_mode(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text(PYPROJECT)
    monkeypatch.chdir(project)
    assert run_cli(["generate"])[0] == 0
    before = snapshot(project / "generated")
    assert run_cli(["generate", "--check"])[0] == 0
    gadget = project / "crds" / "gadget.yaml"
    gadget.write_text(gadget.read_text().replace("How the gadget runs.", "How it runs."))
    code, err = run_cli(["generate", "--check"])
    assert code == 1
    assert "gadgets" in err and str(GADGET_MODELS) in err and "widgets" not in err
    assert snapshot(project / "generated") == before


def test_codegen_yaml_targets(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "codegen.yaml").write_text(CODEGEN_YAML)
    monkeypatch.chdir(project / "src")
    code, err = run_cli(["generate"])
    assert code == 0, err
    out = project / "gen" / "everything"
    assert (out / WIDGET_MODELS).is_file() and (out / GADGET_MODELS).is_file()


def test_codegen_yaml_is_preferred_beside_a_pyproject_without_targets(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (project / "codegen.yaml").write_text(CODEGEN_YAML)
    monkeypatch.chdir(project)
    assert run_cli(["generate"])[0] == 0
    assert (project / "gen" / "everything" / WIDGET_MODELS).is_file()


def test_explicit_config_path(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "configs" / "codegen.yaml"
    config.parent.mkdir()
    config.write_text("targets:\n  - inputs: [../crds/widget.yaml]\n    out: ../out/widgets\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, err = run_cli(["generate", "--config", str(config)])
    assert code == 0, err
    assert (project / "out" / "widgets" / WIDGET_MODELS).is_file()
    assert list(elsewhere.iterdir()) == []


def test_absolute_paths_in_a_config_stay_absolute(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "abs-out" / "widgets"
    (project / "codegen.yaml").write_text(
        f"targets:\n  - inputs: ['{project / 'crds' / 'widget.yaml'}']\n    out: '{out}'\n"
    )
    monkeypatch.chdir(project)
    assert run_cli(["generate"])[0] == 0
    assert (out / WIDGET_MODELS).is_file()


@pytest.mark.parametrize(
    ("name", "text", "place"),
    [
        ("pyproject.toml", "[tool.kube-clientgen]\n", "/tool/kube-clientgen/targets"),
        ("pyproject.toml", "[tool.kube-clientgen]\ntargets = []\n", "/tool/kube-clientgen/targets"),
        ("codegen.yaml", "targets: []\n", "/targets"),
        ("codegen.yaml", "something: else\n", "/targets"),
    ],
)
def test_a_config_without_targets_exits_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, name: str, text: str, place: str
) -> None:
    (project / name).write_text(text)
    monkeypatch.chdir(project)
    code, err = run_cli(["generate"])
    assert code == 2
    assert f"{project / name}:{place}" in err and "targets" in err


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("targets:\n  - out: gen/x\n", "/targets/0"),
        ("targets:\n  - inputs: crds/\n    out: gen/x\n", "/targets/0"),
        (
            "targets:\n  - inputs: [crds/]\n    out: gen/x\n  - inputs: [crds/]\n    out: 3\n",
            "/targets/1",
        ),
    ],
)
def test_a_malformed_target_exits_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, text: str, place: str
) -> None:
    (project / "codegen.yaml").write_text(text)
    monkeypatch.chdir(project)
    code, err = run_cli(["generate"])
    assert code == 2
    assert f"codegen.yaml:{place}" in err


# QA: a misspelt switch (no_share, as the CLI spells --no-share) was silently ignored, a
# non-boolean apimachinery_only was taken for its truth, and empty inputs were reported
# with no file at all (": no OpenAPI document ...").
@pytest.mark.parametrize(
    ("entry", "place", "message"),
    [
        ("{inputs: [crds/], out: gen/x, no_share: true}", "/targets/0/no_share", "unknown key"),
        (
            "{inputs: [crds/], out: gen/x, apimachinery_only: 1}",
            "/targets/0/apimachinery_only",
            "true or false",
        ),
        ("{inputs: [], out: gen/x}", "/targets/0/inputs", "'inputs' is empty"),
    ],
)
def test_a_target_key_that_would_be_ignored_exits_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, entry: str, place: str, message: str
) -> None:
    (project / "codegen.yaml").write_text(f"targets:\n  - {entry}\n")
    monkeypatch.chdir(project)
    code, err = run_cli(["generate"])
    assert code == 2 and "Traceback" not in err
    assert f"codegen.yaml:{place}: " in err and message in err
    assert not (project / "gen").exists()


# QA: two targets writing one package (the second replaced the first's output, exit 0), or
# one inside another (each run removed the other's package as stray files and the other
# target wrote it back: never fresh, so the pre-commit hook failed on every commit).
@pytest.mark.parametrize(
    ("first", "second"),
    [("gen/a", "gen/a"), ("gen/a", "gen/./a/"), ("gen/a", "gen/a/b"), ("gen/a/b", "gen/a")],
)
def test_targets_whose_outputs_overlap_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, first: str, second: str
) -> None:
    (project / "codegen.yaml").write_text(
        f"targets:\n  - {{inputs: [crds/widget.yaml], out: {first}}}\n"
        f"  - {{inputs: [crds/gadget.yaml], out: {second}}}\n"
    )
    monkeypatch.chdir(project)
    code, err = run_cli(["generate"])
    assert code == 2 and "Traceback" not in err
    assert "codegen.yaml:/targets/1/out: " in err and "overlaps the output of target 0" in err
    assert not (project / "gen").exists()


def test_sibling_targets_with_a_common_prefix_are_fine(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "codegen.yaml").write_text(
        "targets:\n  - {inputs: [crds/widget.yaml], out: gen/a}\n"
        "  - {inputs: [crds/gadget.yaml], out: gen/ab}\n"
    )
    monkeypatch.chdir(project)
    assert run_cli(["generate"]) == (0, "")
    assert (project / "gen" / "a" / WIDGET_MODELS).is_file()
    assert (project / "gen" / "ab" / GADGET_MODELS).is_file()


def test_an_unreadable_config_exits_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "codegen.yaml").write_text("targets:\n  - inputs: [\n")
    monkeypatch.chdir(project)
    code, err = run_cli(["generate"])
    assert code == 2 and "Traceback" not in err
    assert f"{project / 'codegen.yaml'}:line 3" in err and "invalid YAML" in err


def test_an_unreadable_pyproject_exits_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text("[tool.kube-clientgen\n")
    monkeypatch.chdir(project)
    code, err = run_cli(["generate", "--config", "pyproject.toml"])
    assert code == 2 and "pyproject.toml" in err and "line 1" in err


def test_a_target_with_a_missing_input_exits_2(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "codegen.yaml").write_text(
        "targets:\n  - inputs: [crds/nope.yaml]\n    out: gen/x\n"
    )
    monkeypatch.chdir(project)
    code, err = run_cli(["generate"])
    assert code == 2 and "nope.yaml" in err
    assert not (project / "gen").exists()


def test_no_config_and_no_inputs_exits_2(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    monkeypatch.chdir(project)
    code, err = run_cli(["generate"])
    assert code == 2
    assert "no inputs" in err


def test_inputs_without_out_is_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    code, err = run_cli(["generate", "crds/widget.yaml"])
    assert code == 2 and "--out" in err
