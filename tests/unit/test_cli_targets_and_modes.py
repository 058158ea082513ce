"""The CLI runs every target even when some fail, checks the package name, prints its version,
and ``--fail-on-change`` reports every created, changed or removed file with exit 1."""

from __future__ import annotations

import importlib.metadata
import shutil
from pathlib import Path

import pytest

import kube_clientgen
from tests.helpers import CRDS, run_cli, snapshot

WIDGET_MODELS = Path("demo_example_com/v1/models/_widget.py")
GADGET_MODELS = Path("tools_example_org/v1alpha1/models/_gadget.py")


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    (root / "crds").mkdir(parents=True)
    for name in ("widget.yaml", "gadget.yaml"):
        shutil.copyfile(CRDS / name, root / "crds" / name)
    monkeypatch.chdir(root)
    return root


def test_every_target_is_tried_and_every_error_reported(project: Path) -> None:
    (project / "crds" / "broken.yaml").write_text("kind: [\n")
    (project / "codegen.yaml").write_text(
        "targets:\n"
        "  - inputs: [crds/missing.yaml]\n"
        "    out: gen/first\n"
        "  - inputs: [crds/widget.yaml]\n"
        "    out: gen/widgets\n"
        "  - inputs: [crds/broken.yaml]\n"
        "    out: gen/broken\n"
        "  - inputs: [crds/gadget.yaml]\n"
        "    out: gen/my-gadgets\n"
        "  - inputs: [crds/gadget.yaml]\n"
        "    out: gen/gadgets\n"
    )
    code, err = run_cli(["generate"])
    assert code == 2
    errors = [line for line in err.splitlines() if line.startswith("kube-clientgen: error:")]
    assert len(errors) == 3, err
    assert "crds/missing.yaml: no such file or directory" in errors[0]
    assert "crds/broken.yaml:line 2" in errors[1] and "invalid YAML" in errors[1]
    assert "'my-gadgets'" in errors[2] and "gen/my_gadgets" in errors[2]
    assert "3 of 5 targets failed" in err and "Traceback" not in err
    # the good targets, before and after the failures, were written
    assert (project / "gen" / "widgets" / WIDGET_MODELS).is_file()
    assert (project / "gen" / "gadgets" / GADGET_MODELS).is_file()
    assert sorted(p.name for p in (project / "gen").iterdir()) == ["gadgets", "widgets"]


def test_bad_input_wins_over_stale_output_in_check_mode(project: Path) -> None:
    (project / "codegen.yaml").write_text(
        "targets:\n"
        "  - inputs: [crds/widget.yaml]\n"
        "    out: gen/widgets\n"
        "  - inputs: [crds/missing.yaml]\n"
        "    out: gen/other\n"
    )
    code, err = run_cli(["generate", "--check"])
    assert code == 2
    assert "gen/widgets is stale" in err and "missing.yaml" in err
    assert not (project / "gen").exists()


@pytest.mark.parametrize(
    ("out", "suggestion"),
    [("my-crds", "my_crds"), ("2fast", "_2fast"), ("class", "_class"), ("a.b", "a_b")],
)
def test_an_output_name_that_is_not_an_identifier_exits_2(
    project: Path, out: str, suggestion: str
) -> None:
    target = project / "src" / out
    code, err = run_cli(["generate", "crds/widget.yaml", "--out", str(target)])
    assert code == 2
    assert f"{target}: the output directory's name {out!r} is the package's import name" in err
    assert f"try {project / 'src' / suggestion}" in err and "Traceback" not in err
    assert not (project / "src").exists()


# A package named after what the generated code imports (the runtime, the built-in API, the
# standard library) hides it: `--out src/kubecore` made every generated package unimportable
# ("No module named 'kubecore.core'"), and `--out src/json` broke orjson's import.
@pytest.mark.parametrize("out", ["kubecore", "kube_clientgen_api", "json", "typing"])
def test_an_output_name_that_hides_an_imported_module_exits_2(project: Path, out: str) -> None:
    target = project / "src" / out
    code, err = run_cli(["generate", "crds/widget.yaml", "--out", str(target)])
    assert code == 2 and "Traceback" not in err
    assert f"{target}: the output directory's name {out!r} is the package's import name" in err
    assert f"try {project / 'src' / (out + '_api')}" in err
    assert not (project / "src").exists()


@pytest.mark.parametrize("out", [".", "/"])
def test_an_output_without_a_name_exits_2(project: Path, out: str) -> None:
    code, err = run_cli(["generate", "crds/widget.yaml", "--out", out])
    assert code == 2 and "must name the package directory" in err
    assert sorted(p.name for p in project.iterdir()) == ["crds"]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_cli(["--version"]) == (0, "")
    printed = capsys.readouterr().out.strip()
    assert printed == f"kube-clientgen {kube_clientgen.__version__}"
    # the installed distribution's metadata says the same (pyproject reads __version__)
    assert importlib.metadata.version("kube-clientgen") == kube_clientgen.__version__


def test_check_and_fail_on_change_exclude_each_other(project: Path) -> None:
    code, err = run_cli(["generate", "crds/", "--out", "x", "--check", "--fail-on-change"])
    assert code == 2 and "not allowed with" in err


def test_fail_on_change_reports_creation_change_and_removal(project: Path) -> None:
    out = project / "gen" / "crds"
    args = ["generate", "crds/", "--out", str(out), "--fail-on-change"]

    code, err = run_cli(args)  # created
    assert code == 1
    assert f"{out}: " in err and "files created, changed or removed" in err
    assert (out / WIDGET_MODELS).is_file()

    code, err = run_cli(args)  # nothing to do
    assert code == 0, err
    assert err == ""

    gadget = project / "crds" / "gadget.yaml"
    gadget.write_text(gadget.read_text().replace("How the gadget runs.", "How it runs."))
    code, err = run_cli(["generate", "crds/", "--out", str(out), "--check"])
    assert code == 1 and f"{out} is stale (1 file): {GADGET_MODELS}" in err
    code, err = run_cli(args)  # changed
    assert code == 1 and str(GADGET_MODELS) in err and str(WIDGET_MODELS) not in err
    assert code == 1 and f"{out}: 1 file created, changed or removed" in err
    assert run_cli(args)[0] == 0

    gadget.unlink()  # removed
    code, err = run_cli(args)
    # the listing is cut after a few names: the removal itself is what must be reported
    assert code == 1 and "files created, changed or removed" in err
    assert "demo_example_com/" not in err
    assert not (out / "tools_example_org").exists() and (out / WIDGET_MODELS).is_file()
    assert run_cli(args)[0] == 0

    (out / "stray.py").write_text("x = 1\n")  # a file generation does not own
    before = snapshot(out)
    code, err = run_cli(args)
    assert code == 1 and "stray.py" in err
    assert not (out / "stray.py").exists()
    assert set(snapshot(out)) == set(before) - {"stray.py"}


def test_without_fail_on_change_a_regeneration_exits_0(project: Path) -> None:
    out = project / "gen" / "crds"
    assert run_cli(["generate", "crds/", "--out", str(out)]) == (0, "")
    gadget = project / "crds" / "gadget.yaml"
    gadget.write_text(gadget.read_text().replace("How the gadget runs.", "How it runs."))
    assert run_cli(["generate", "crds/", "--out", str(out)]) == (0, "")
    assert "How it runs." in (out / GADGET_MODELS).read_text()
