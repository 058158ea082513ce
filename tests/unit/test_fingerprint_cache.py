"""The incremental fingerprint lives in the user's cache directory, never in the output tree:
the tree holds only generated code, identical whatever machine or environment wrote it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kube_clientgen.output import LEGACY_STAMP_NAME, stamp_path
from tests.helpers import CRDS, run_cli, snapshot

INPUTS = [str(CRDS / "widget.yaml"), str(CRDS / "gadget.yaml")]


def generate(out: Path, *options: str) -> tuple[int, str]:
    return run_cli(["generate", *INPUTS, "--out", str(out), *options])


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def test_the_output_tree_holds_only_generated_code(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "pkg"
    assert generate(out) == (0, "")
    names = set(snapshot(out))
    assert names and all(n.endswith(".py") or n.endswith("py.typed") for n in names), names
    assert not [n for n in names if any(part.startswith(".") for part in Path(n).parts)]
    stamps = list((cache / "kube-clientgen" / "stamps").iterdir())
    assert stamps == [stamp_path(out)]
    record = json.loads(stamps[0].read_text())
    assert record["out"] == str(out.resolve()) and set(record["files"]) == names


def test_another_environment_without_the_stamp_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    """What a pre-commit hook sees after the user generated in their own venv."""
    out = tmp_path / "pkg"
    assert generate(out)[0] == 0
    before = snapshot(out)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "other-machine-cache"))
    assert generate(out, "--fail-on-change") == (0, "")
    assert generate(out, "--check") == (0, "")
    assert snapshot(out) == before


def test_a_stamp_is_only_trusted_for_the_tree_it_describes(tmp_path: Path, cache: Path) -> None:
    out = tmp_path / "pkg"
    assert generate(out)[0] == 0
    models = out / "demo_example_com" / "v1" / "models" / "_widget.py"
    pristine = models.read_bytes()
    models.write_text("# edited\n")
    assert generate(out, "--check")[0] == 1
    assert generate(out)[0] == 0
    assert models.read_bytes() == pristine
    # a stamp naming another directory (a hash collision, a copied cache) is ignored
    record = json.loads(stamp_path(out).read_text())
    stamp_path(out).write_text(json.dumps({**record, "out": str(tmp_path / "elsewhere")}))
    models.write_text("# edited again\n")
    assert generate(out)[0] == 0
    assert models.read_bytes() == pristine


def test_a_legacy_stamp_in_the_tree_is_ignored_by_check_and_removed_by_a_run(
    tmp_path: Path, cache: Path
) -> None:
    out = tmp_path / "pkg"
    assert generate(out)[0] == 0
    (out / LEGACY_STAMP_NAME).write_text('{"fingerprint": "from an older version"}')
    before = snapshot(out)
    assert generate(out, "--check") == (0, "")
    assert snapshot(out) == before
    assert generate(out, "--fail-on-change") == (0, "")
    after = snapshot(out)
    del before[LEGACY_STAMP_NAME]
    assert after == before  # every generated file untouched (same inode and mtime)


def test_an_unwritable_cache_only_costs_a_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    out = tmp_path / "pkg"
    assert generate(out) == (0, "")
    before = snapshot(out)
    assert generate(out, "--fail-on-change") == (0, "")
    assert snapshot(out) == before
    assert blocker.read_text() == ""


def test_a_relative_xdg_cache_home_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "pkg"
    assert generate(out)[0] == 0
    assert stamp_path(out).parent == tmp_path / "home" / ".cache" / "kube-clientgen" / "stamps"
    assert stamp_path(out).is_file()
    assert not (tmp_path / "relative").exists()
