"""Shared helpers for generator tests: run the CLI in-process, snapshot and import output."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from kube_clientgen.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
CRDS = FIXTURES / "crds"


def run_cli(args: list[str]) -> tuple[int, str]:
    """``kube-clientgen ARGS`` in-process: (exit status, stderr text)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            code = main(args)
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    return code, err.getvalue()


def generate(inputs: list[str | Path], out: str | Path, *options: str) -> int:
    """``kube-clientgen generate INPUTS --out OUT [OPTIONS]`` in-process; the exit status."""
    return run_cli(["generate", *map(str, inputs), "--out", str(out), *options])[0]


def generate_capture(inputs: list[str | Path], out: str | Path, *options: str) -> tuple[int, str]:
    """Like ``generate``, also returning what was printed on stderr."""
    return run_cli(["generate", *map(str, inputs), "--out", str(out), *options])


def unique_package_dir(parent: Path, stem: str = "gen") -> Path:
    """A not-yet-existing package directory under ``parent`` whose name no test reuses."""
    return parent / f"{stem}_{uuid.uuid4().hex[:12]}"


@contextlib.contextmanager
def import_generated(out_dir: Path) -> Iterator[ModuleType]:
    """Import the generated package at ``out_dir`` (by its basename); undo it afterwards.

    The basename must be unique to the test (see ``unique_package_dir``), so stale module
    caches of another test's package can never be picked up.
    """
    name = out_dir.name
    if not name.isidentifier():
        raise ValueError(f"{name!r} is not an importable package name")
    if any(m == name or m.startswith(name + ".") for m in sys.modules):
        raise RuntimeError(f"a package named {name!r} is already imported; use a unique name")
    parent = str(out_dir.parent)
    sys.path.insert(0, parent)
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(parent)
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]
        importlib.invalidate_caches()


@dataclass(frozen=True)
class FileState:
    data: bytes
    mtime_ns: int
    inode: int


def snapshot(root: Path) -> dict[str, FileState]:
    """Every file below ``root`` (relative path -> bytes, mtime, inode); caches excluded."""
    result = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            st = path.stat()
            result[str(path.relative_to(root))] = FileState(
                path.read_bytes(), st.st_mtime_ns, st.st_ino
            )
    return result


def contents(root: Path) -> dict[str, bytes]:
    return {name: state.data for name, state in snapshot(root).items()}


def staging_leftovers(out: Path) -> list[str]:
    """Temporary trees the atomic writer leaves beside ``out`` if it failed to clean up."""
    prefixes = (f".{out.name}.new-", f".{out.name}.old-")
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(prefixes))


def models_source(group_version: Path) -> str:
    """The source of a group-version's models: every module of its lazy ``models`` package."""
    return "".join(p.read_text() for p in sorted((group_version / "models").glob("*.py")))


def rendered_models_source(files: dict[str, str], group_version: str) -> str:
    """``models_source`` of rendered files (package-relative path -> source)."""
    prefix = f"{group_version}/models/"
    return "".join(files[p] for p in sorted(files) if p.startswith(prefix))


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def subprocess_env(**extra: str) -> dict[str, str]:
    """An environment for a child interpreter that can import ``kube_clientgen``, ``kube_clientgen_api``
    and ``kubecore`` (the repository's ``src/``, whose links map the repository folders)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO / "src"), str(REPO), *filter(None, [env.get("PYTHONPATH")])]
    )
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def read_all(value: object) -> None:
    """Read every field of every model in ``value``, building the whole tree.

    Decoding is lazy (fields are built on first access), so a decode -> encode round trip
    that reads nothing never runs a loader: tests of decoding read everything first.
    """
    from kubecore.core.model import Model

    if isinstance(value, Model):
        for f in value.FIELDS:
            read_all(getattr(value, f.name))
    elif isinstance(value, list | tuple):
        for item in value:
            read_all(item)
    elif isinstance(value, dict):
        for item in value.values():
            read_all(item)
