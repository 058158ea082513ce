"""``bench/common.py``'s ``AnchorVenv`` (a venv of its own for a benchmark anchor whose pins
would downgrade the project venv) and ``splice`` (one part's results into
docs/benchmarks.md). No network: the package installed is a wheel written here, offered to
pip with ``--no-index --find-links``; the venvs are real (``python -m venv``, its own pip)."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
PROJECT = "kcg-bench-probe"  # a name no index has: pip can only find the local wheel
MODULE = "kcg_bench_probe"


@pytest.fixture(scope="module")
def common() -> ModuleType:
    sys.path.insert(0, str(BENCH))
    try:
        import common
    finally:
        sys.path.remove(str(BENCH))
    return common


def write_wheel(folder: Path, version: str) -> Path:
    """A minimal pure-Python wheel of ``kcg-bench-probe`` ``version`` (PEP 427)."""
    dist_info = f"{MODULE}-{version}.dist-info"
    files = {
        f"{MODULE}/__init__.py": f"VERSION = {version!r}\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {PROJECT}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    record = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{MODULE}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for name, text in files.items():
            wheel.writestr(name, text)
    return path


def installed_version(python: Path) -> str:
    code = f"import {MODULE}; print({MODULE}.VERSION)"
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_commands_use_this_interpreter_to_create_and_the_venvs_pip_to_install(
    common: ModuleType, tmp_path: Path
) -> None:
    venv = common.AnchorVenv(
        "kubesdk", ("kubesdk-cli==0.3.1", "kubesdk==0.3.4"), ("--no-index",), home=tmp_path
    )
    assert venv.path == tmp_path / "kubesdk"
    assert venv.python == tmp_path / "kubesdk" / "bin" / "python"
    assert venv.create_command() == [sys.executable, "-m", "venv", str(tmp_path / "kubesdk")]
    assert venv.install_command() == [
        str(tmp_path / "kubesdk" / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-index",
        "kubesdk-cli==0.3.1",
        "kubesdk==0.3.4",
    ]
    assert not venv.is_current()  # nothing there yet
    with pytest.raises(RuntimeError, match="not installed"):
        venv.script("kubesdk")


def test_default_home_is_the_git_ignored_cache(common: ModuleType) -> None:
    venv = common.AnchorVenv("kubesdk", ("kubesdk-cli==0.3.1",))
    assert venv.path == common.REPO / ".bench-venvs" / "kubesdk"
    ignored = (common.REPO / ".gitignore").read_text().splitlines()
    assert ".bench-venvs/" in ignored


def test_ensure_builds_once_reuses_a_matching_venv_and_rebuilds_on_other_pins(
    common: ModuleType, tmp_path: Path
) -> None:
    wheels = tmp_path / "wheels"
    write_wheel(wheels, "1.0")
    write_wheel(wheels, "2.0")
    offline = ("--no-index", "--find-links", str(wheels))
    home = tmp_path / "venvs"
    v1 = common.AnchorVenv("probe", (f"{PROJECT}==1.0",), offline, home=home)

    python = v1.ensure()
    assert python == v1.python and installed_version(python) == "1.0"
    assert v1.is_current() and v1.version(PROJECT) == "1.0"
    assert json.loads(v1.record_path.read_text())["requirements"] == [f"{PROJECT}==1.0"]
    # the project venv is untouched
    assert subprocess.run([sys.executable, "-c", f"import {MODULE}"]).returncode != 0

    # A matching venv is reused as it is: nothing is created or installed again.
    sentinel = v1.path / "sentinel"
    sentinel.write_text("kept")
    stamp = (v1.record_path.stat().st_mtime_ns, v1.python.lstat().st_mtime_ns)
    assert v1.ensure() == python
    assert sentinel.read_text() == "kept"
    assert (v1.record_path.stat().st_mtime_ns, v1.python.lstat().st_mtime_ns) == stamp

    # Other pins (or options) do not match: the venv is built again from scratch.
    v2 = common.AnchorVenv("probe", (f"{PROJECT}==2.0",), offline, home=home)
    assert not v2.is_current()
    assert not common.AnchorVenv("probe", v1.requirements, (), home=home).is_current()
    assert installed_version(v2.ensure()) == "2.0"
    assert not sentinel.exists() and v2.is_current() and not v1.is_current()

    # A failed install leaves no record, so the next run does not trust the half-built venv.
    missing = common.AnchorVenv("probe", (f"{PROJECT}==9.9",), offline, home=home)
    with pytest.raises(RuntimeError, match="pip install"):
        missing.ensure()
    assert not missing.record_path.exists()
    assert not missing.is_current() and not v2.is_current()
    with pytest.raises(RuntimeError, match="not installed"):
        missing.version(PROJECT)


PAGE = """\
# Benchmarks

## Machine

- here

## Summary

| Benchmark | Ours | Anchor | Ratio | Target | Met |
|---|---|---|---|---|---|
| a. decode | 1 | 2 | 3 | 4 | 5 |
| x. old row | 1 | 2 | 3 | 4 | 5 |
| y. kept | 1 | 2 | 3 | 4 | 5 |

## a. Decode

keep a

## x. Old section

old x

## Method

- m
"""


def test_splice_replaces_one_parts_rows_and_section_in_place(common: ModuleType) -> None:
    rows = [("x. new row", "1", "2", "3", "4", "5")]
    section = "## x. New section\n\nnew x\n\nnote 1\n"
    once = common.splice(
        PAGE, rows=rows, row_labels=("x. ",), section=section, headings=("## x. ",)
    )
    assert once == PAGE.replace("| x. old row | 1 | 2 | 3 | 4 | 5 |\n", "").replace(
        "| y. kept | 1 | 2 | 3 | 4 | 5 |\n",
        "| y. kept | 1 | 2 | 3 | 4 | 5 |\n| x. new row | 1 | 2 | 3 | 4 | 5 |\n",
    ).replace("## x. Old section\n\nold x\n", "## x. New section\n\nnew x\n\nnote 1\n")
    again = common.splice(
        once, rows=rows, row_labels=("x. ",), section=section, headings=("## x. ",)
    )
    assert again == once


def test_splice_adds_a_missing_section_before_the_first_of_before(common: ModuleType) -> None:
    rows = [("z. first", "1", "2", "3", "4", "5")]
    section = "## z. Added\n\nz\n"
    text = common.splice(
        PAGE, rows=rows, row_labels=("z. ",), section=section, headings=("## z. ",)
    )
    assert text.index("## x. Old section") < text.index("## z. Added") < text.index("## Method")
    assert "z\n\n## Method" in text and text.endswith("- m\n")
    first = common.splice(
        PAGE,
        rows=rows,
        row_labels=("z. ",),
        section=section,
        headings=("## z. ",),
        before=("## ",),
        rows_first=True,
    )
    assert first.index("## Summary") < first.index("## z. Added") < first.index("## a. Decode")
    table = first[first.index("| Benchmark") :].splitlines()
    assert table[2] == "| z. first | 1 | 2 | 3 | 4 | 5 |"
