"""Output discipline: deterministic, incremental, --check writes nothing, writes are atomic."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kube_clientgen.output
from tests.helpers import (
    CRDS,
    REPO,
    contents,
    generate,
    generate_capture,
    import_generated,
    snapshot,
    staging_leftovers,
    subprocess_env,
    unique_package_dir,
)

GADGET_MODELS = "tools_example_org/v1alpha1/models/_gadget.py"
WIDGET_MODELS = "demo_example_com/v1/models/_widget.py"


@pytest.fixture(autouse=True)
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory: where the fingerprint stamps go."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


def stamp_of(out: Path) -> Path:
    return kube_clientgen.output.stamp_path(out)


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    """Private copies of two CRDs in different groups, free to edit."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    copies = []
    for name in ("widget.yaml", "gadget.yaml"):
        shutil.copyfile(CRDS / name, folder / name)
        copies.append(folder / name)
    return copies


@pytest.fixture
def out(tmp_path: Path, inputs: list[Path]) -> Path:
    """A freshly generated package from ``inputs``."""
    target = tmp_path / "out" / "pkg"
    assert generate(inputs, target) == 0
    return target


def edit_gadget(inputs: list[Path]) -> None:
    gadget = inputs[1]
    text = gadget.read_text()
    assert "How the gadget runs." in text
    gadget.write_text(text.replace("How the gadget runs.", "How fast the gadget runs."))


def test_two_runs_into_different_dirs_are_byte_identical(tmp_path: Path) -> None:
    sources = [CRDS / "widget.yaml", CRDS / "gadget.yaml", CRDS / "hostile.yaml"]
    first = tmp_path / "a" / "pkg"
    assert generate(sources, first) == 0
    # The second run is another interpreter with another hash seed: no set or dict order leaks.
    second = tmp_path / "b" / "pkg"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kube_clientgen",
            "generate",
            *map(str, sources),
            "--out",
            str(second),
        ],
        cwd=REPO,
        env=subprocess_env(PYTHONHASHSEED="4242"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert contents(first) == contents(second)
    assert WIDGET_MODELS in contents(first)


def test_rerun_with_unchanged_inputs_touches_nothing(out: Path, inputs: list[Path]) -> None:
    before = snapshot(out)
    assert stamp_of(out).is_file()
    code, err = generate_capture(inputs, out)
    assert code == 0, err
    assert snapshot(out) == before  # same bytes, inode and mtime_ns for every file
    assert staging_leftovers(out) == []


def test_rerun_without_the_stamp_leaves_every_generated_file_alone(
    out: Path, inputs: list[Path]
) -> None:
    stamp_of(out).unlink()
    before = snapshot(out)
    assert generate(inputs, out) == 0
    assert stamp_of(out).is_file()
    assert snapshot(out) == before


def test_changing_one_crd_rewrites_only_its_files(out: Path, inputs: list[Path]) -> None:
    before = snapshot(out)
    edit_gadget(inputs)
    assert generate(inputs, out) == 0
    after = snapshot(out)
    assert set(after) == set(before)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {GADGET_MODELS}
    assert b"How fast the gadget runs." in after[GADGET_MODELS].data
    assert after[GADGET_MODELS].inode != before[GADGET_MODELS].inode
    assert after[WIDGET_MODELS] == before[WIDGET_MODELS]  # same inode, same mtime
    assert staging_leftovers(out) == []


def test_dropping_a_crd_removes_its_files_and_keeps_the_others(
    out: Path, inputs: list[Path]
) -> None:
    before = snapshot(out)
    assert generate(inputs[:1], out) == 0
    after = snapshot(out)
    assert not any(name.startswith("tools_example_org/") for name in after)
    assert not (out / "tools_example_org").exists()
    assert after[WIDGET_MODELS] == before[WIDGET_MODELS]


def test_check_on_fresh_output_exits_0_and_writes_nothing(out: Path, inputs: list[Path]) -> None:
    before = snapshot(out)
    code, err = generate_capture(inputs, out, "--check")
    assert code == 0, err
    assert "stale" not in err
    assert snapshot(out) == before


def test_check_on_fresh_output_without_a_stamp_exits_0_and_writes_nothing(
    out: Path, inputs: list[Path]
) -> None:
    stamp_of(out).unlink()
    before = snapshot(out)
    code, err = generate_capture(inputs, out, "--check")
    assert code == 0, err
    assert snapshot(out) == before
    assert not stamp_of(out).exists()


def test_check_on_stale_output_exits_1_and_writes_nothing(out: Path, inputs: list[Path]) -> None:
    before = snapshot(out)
    edit_gadget(inputs)
    code, err = generate_capture(inputs, out, "--check")
    assert code == 1, err
    assert "stale" in err and GADGET_MODELS in err and str(out) in err
    assert snapshot(out) == before
    assert staging_leftovers(out) == []


def test_check_finds_a_hand_edited_file(out: Path, inputs: list[Path]) -> None:
    models = out / WIDGET_MODELS
    models.write_text(models.read_text() + "# edited by hand\n")
    before = snapshot(out)
    code, err = generate_capture(inputs, out, "--check")
    assert code == 1 and WIDGET_MODELS in err
    assert snapshot(out) == before


def test_check_finds_a_stray_file(out: Path, inputs: list[Path]) -> None:
    (out / "stray.py").write_text("x = 1\n")
    code, err = generate_capture(inputs, out, "--check")
    assert code == 1 and "stray.py" in err
    assert (out / "stray.py").read_text() == "x = 1\n"


def test_check_of_missing_output_exits_1_and_creates_nothing(
    tmp_path: Path, inputs: list[Path]
) -> None:
    target = tmp_path / "nothing" / "pkg"
    code, _ = generate_capture(inputs, target, "--check")
    assert code == 1
    assert not (tmp_path / "nothing").exists()


def test_a_regenerated_hand_edit_is_repaired(out: Path, inputs: list[Path]) -> None:
    pristine = (out / WIDGET_MODELS).read_bytes()
    (out / WIDGET_MODELS).write_text("broken\n")
    (out / "stray.py").write_text("x = 1\n")
    assert generate(inputs, out) == 0
    assert (out / WIDGET_MODELS).read_bytes() == pristine
    assert not (out / "stray.py").exists()


def test_a_folder_of_ones_own_files_is_never_replaced(tmp_path: Path, inputs: list[Path]) -> None:
    """QA: ``--out`` naming an existing folder of the user's own code (``src/myapp``)
    replaced it whole, deleting every file in it, with exit 0. A non-empty folder whose
    ``__init__.py`` does not carry the generated header is refused (exit 2, a few files
    named) and left exactly as it was; an empty one, or one kube-clientgen wrote, is fine."""
    mine = tmp_path / "src" / "myapp"
    mine.mkdir(parents=True)
    (mine / "__init__.py").write_text('"""My app."""\n')
    (mine / "core.py").write_text("x = 1\n")
    before = snapshot(mine)
    code, err = generate_capture(inputs, mine)
    assert code == 2
    assert f"{mine}: holds files kube-clientgen did not write (__init__.py, core.py)" in err
    assert snapshot(mine) == before
    empty = tmp_path / "src" / "fresh"
    empty.mkdir()
    assert generate(inputs, empty) == 0
    assert generate(inputs, empty) == 0  # its own output: regenerated in place


@pytest.mark.parametrize("what", ["file", "symlink to a file", "dangling symlink"])
def test_a_file_at_the_output_path_is_never_replaced(
    tmp_path: Path, inputs: list[Path], what: str
) -> None:
    """QA: ``--out`` naming an existing *file* replaced it with the package, exit 0 (the
    guard above only looked inside directories)."""
    target = tmp_path / "notes"
    if what == "file":
        target.write_text("my notes\n")
    else:
        (tmp_path / "real.txt").write_text("my notes\n")
        target.symlink_to(tmp_path / ("real.txt" if what == "symlink to a file" else "gone"))
    code, err = generate_capture(inputs, target)
    assert code == 2 and "Traceback" not in err
    assert f"{target}: is a file, not a package directory" in err
    assert target.is_symlink() == (what != "file")
    kept = target if what == "file" else tmp_path / "real.txt"
    assert kept.read_text() == "my notes\n"


# --- atomicity ----------------------------------------------------------------------


def fail_after_first(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> list[str]:
    """Make the formatting step fail once it has formatted the first file."""
    formatted: list[str] = []
    real = kube_clientgen.output.format_files

    def flaky(files: dict[str, str]) -> dict[str, str]:
        first = sorted(n for n in files if n.endswith(".py"))[0]
        formatted.extend(real({first: files[first]}))
        raise exc

    monkeypatch.setattr(kube_clientgen.output, "format_files", flaky)
    return formatted


def test_formatting_failure_leaves_the_old_tree_intact(
    out: Path, inputs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    edit_gadget(inputs)
    formatted = fail_after_first(monkeypatch, RuntimeError("formatter exploded"))
    with pytest.raises(RuntimeError, match="formatter exploded"):
        generate(inputs, out)
    assert len(formatted) == 1
    assert snapshot(out) == before
    assert staging_leftovers(out) == []


def test_failure_while_writing_leaves_the_old_tree_intact(
    out: Path, inputs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    edit_gadget(inputs)
    real = Path.write_bytes

    def disk_full(self: Path, data: bytes) -> int:  # type: ignore[override]
        if self.name == "_gadget.py":
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    with pytest.raises(OSError, match="No space left"):
        generate(inputs, out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert staging_leftovers(out) == []


def test_interrupt_while_writing_leaves_the_old_tree_intact(
    out: Path, inputs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    edit_gadget(inputs)
    real = Path.write_bytes

    def interrupted(self: Path, data: bytes) -> int:  # type: ignore[override]
        if self.name == "_gadget.py":
            raise KeyboardInterrupt
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", interrupted)
    with pytest.raises(KeyboardInterrupt):
        generate(inputs, out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert staging_leftovers(out) == []


def test_failure_during_the_swap_restores_the_old_tree(
    out: Path, inputs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(out)
    edit_gadget(inputs)
    real = Path.rename

    def refuse_staging(self: Path, target: str | Path) -> Path:
        if self.name.startswith(f".{out.name}.new-"):
            raise OSError(16, "Device or resource busy")
        return real(self, target)

    monkeypatch.setattr(Path, "rename", refuse_staging)
    with pytest.raises(OSError, match="busy"):
        generate(inputs, out)
    monkeypatch.undo()
    assert snapshot(out) == before
    assert staging_leftovers(out) == []
    assert generate(inputs, out) == 0  # and the next run succeeds
    assert b"How fast the gadget runs." in (out / GADGET_MODELS).read_bytes()


def test_generated_package_imports_and_round_trips(tmp_path: Path) -> None:
    out = unique_package_dir(tmp_path, "widgets")
    assert generate([CRDS / "widget.yaml"], out) == 0
    document = {
        "apiVersion": "demo.example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w", "namespace": "default"},
        "spec": {
            "size": 3,
            "colour": "Red",
            "podIPs": ["10.0.0.1"],
            "replicas": "50%",
            "future": 1,
        },
        "status": {"ready": None},
    }
    with import_generated(out) as package:
        scheme = importlib.import_module(f"{package.__name__}.scheme").scheme
        widget = scheme.from_dict(document)
        assert type(widget).__name__ == "Widget"
        assert widget.spec.pod_ips == ["10.0.0.1"]
        assert (
            widget.spec.colour == "Red" and type(widget.spec.colour).__name__ == "WidgetSpecColour"
        )
        assert widget.to_dict() == document  # unknown fields and explicit nulls survive
    assert not any(name == out.name or name.startswith(out.name + ".") for name in sys.modules)
