"""Formatting with black and writing an output package atomically and incrementally.

* Deterministic: black with a fixed mode, files in sorted order, no timestamps.
* Atomic: the new tree is built beside the old one and swapped in with renames only
  after every file rendered and formatted; a failure leaves the old tree as it was.
* Incremental: unchanged files are hard-linked into the new tree (same inode, same
  mtime), and a fingerprint of inputs + generator makes a no-op run touch nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

STAMP_NAME = ".kube-clientgen.stamp"  # git-ignored; holds the fingerprint of the last run
_PARALLEL_THRESHOLD = 400_000  # characters of source before formatting in worker processes


def black_mode() -> object:
    import black

    return black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)


def format_source(source: str) -> str:
    import black

    return black.format_str(source, mode=black_mode())  # type: ignore[arg-type]


def format_files(files: dict[str, str]) -> dict[str, str]:
    """Black-format every ``.py`` file; large batches use one process per core."""
    names = sorted(n for n in files if n.endswith(".py"))
    total = sum(len(files[n]) for n in names)
    workers = min(os.cpu_count() or 1, 4)
    if total > _PARALLEL_THRESHOLD and workers > 1:
        order = sorted(names, key=lambda n: -len(files[n]))  # big files first balance better
        with ProcessPoolExecutor(max_workers=workers) as pool:
            formatted = dict(zip(order, pool.map(format_source, [files[n] for n in order]), strict=True))
    else:
        formatted = {n: format_source(files[n]) for n in names}
    return {n: formatted.get(n, files[n]) for n in files}


def fingerprint(inputs: Iterable[Path], options: str) -> str:
    """A hash of the inputs' contents, the options, the generator's code and black's version."""
    import black

    digest = hashlib.sha256()
    digest.update(options.encode())
    digest.update(black.__version__.encode())
    for path in inputs:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    here = Path(__file__).resolve().parent
    from generator.render import templates_dir

    for folder in (here, templates_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in (".py", ".jinja"):
                digest.update(path.name.encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def is_fresh(out: Path, stamp: str) -> bool:
    """True when ``out`` was written by a run with this fingerprint and is unchanged since."""
    try:
        recorded = json.loads((out / STAMP_NAME).read_text())
    except (OSError, ValueError):
        return False
    if recorded.get("fingerprint") != stamp:
        return False
    files = recorded.get("files", {})
    return current_files(out) == set(files) and all(_digest((out / n).read_bytes()) == h for n, h in files.items())


def current_files(out: Path) -> set[str]:
    if not out.is_dir():
        return set()
    return {
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.is_file() and p.name != STAMP_NAME and "__pycache__" not in p.parts
    }


def differences(out: Path, files: dict[str, str]) -> list[str]:
    """Relative paths that would change (added, modified or removed)."""
    existing = current_files(out)
    changed = [n for n in files if n not in existing or (out / n).read_bytes() != files[n].encode()]
    return sorted(changed + [n for n in existing if n not in files])


def write_tree(out: Path, files: dict[str, str], stamp: str) -> list[str]:
    """Replace ``out`` with exactly ``files``; returns the paths that changed."""
    changed = differences(out, files)
    stamp_text = json.dumps({"fingerprint": stamp, "files": {n: _digest(files[n].encode()) for n in sorted(files)}}, indent=1)
    if not changed:
        (out / STAMP_NAME).write_text(stamp_text)
        return []
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        for name in sorted(files):
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            source = out / name
            if name not in changed and source.is_file():
                os.link(source, target)
            else:
                target.write_bytes(files[name].encode())
        (staging / STAMP_NAME).write_text(stamp_text)
        _swap(out, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changed


def _swap(out: Path, staging: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
