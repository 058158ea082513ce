"""Helpers shared by the ``make bench`` modules: paths, the worker runner, formatting,
splicing one part's results into docs/benchmarks.md, and a venv of its own for an anchor."""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".bench"
DOC = REPO / "docs" / "benchmarks.md"
WORKERS = Path(__file__).resolve().parent / "workers.py"
#: Where anchors that cannot share the project venv get theirs (git-ignored).
VENVS = REPO / ".bench-venvs"


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def user_env(pythonpath: bool = False) -> dict[str, str]:
    """The environment a user has: bytecode caching on."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if pythonpath:
        env["PYTHONPATH"] = os.pathsep.join(
            filter(None, [str(REPO / "src"), env.get("PYTHONPATH")])
        )
    return env


def worker(*args: object) -> dict[str, Any]:
    """Run ``bench/workers.py ARGS...`` in a fresh interpreter; its last stdout line as JSON."""
    cmd = [sys.executable, str(WORKERS), *map(str, args)]
    proc = subprocess.run(
        cmd, cwd=REPO, env=user_env(pythonpath=True), capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[1:])} failed:\n{proc.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def med(values: list[float]) -> float:
    return statistics.median(values)


def fmt_s(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.1:
        return f"{seconds * 1000:.0f} ms"
    if seconds >= 0.001:
        return f"{seconds * 1000:.2f} ms" if seconds < 0.01 else f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def fmt_mb(n: float) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 1e8 else f"{n / 1e6:.1f} MB"


def verdict(ratio: float | None, target: float) -> str:
    if ratio is None:
        return "not measured"
    return "**yes**" if ratio <= target else "**no**"


# --------------------------------------------------------------------------- splice


def splice(
    doc: str,
    *,
    rows: Sequence[Sequence[str]],
    row_labels: tuple[str, ...],
    section: str,
    headings: tuple[str, ...],
    before: tuple[str, ...] = ("## Method",),
    rows_first: bool = False,
) -> str:
    """``doc`` (docs/benchmarks.md) with one part's results replaced, everything else kept;
    for a run of that part alone (``bench/run.py`` writes the whole page itself).

    - Summary table (the first table under ``## Summary``): its rows whose benchmark label
      starts with one of ``row_labels`` are dropped and ``rows`` (cells, not yet markdown)
      are added at its end, or right under its header with ``rows_first``.
    - Sections: ``section`` (markdown, one or more ``## `` sections, ending with the run
      note) takes the place of the first section whose heading starts with one of
      ``headings``, and every such section is dropped; when the page has none, it goes
      before the first section after the summary whose heading starts with one of
      ``before``, else at the end.

    Raises ``ValueError`` if ``doc`` has no ``## Summary`` table. Splicing the same
    results twice gives the same page.
    """
    lines = doc.split("\n")
    start = lines.index("## Summary")
    first_row = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("|"))
    last_row = first_row
    while last_row + 1 < len(lines) and lines[last_row + 1].startswith("|"):
        last_row += 1
    header, body = lines[first_row : first_row + 2], lines[first_row + 2 : last_row + 1]
    dropped = tuple(f"| {label}" for label in row_labels)
    body = [line for line in body if not line.startswith(dropped)]
    new_rows = ["| " + " | ".join(row) + " |" for row in rows]
    lines[first_row : last_row + 1] = header + (new_rows + body if rows_first else body + new_rows)
    blocks = [b if b.endswith("\n") else b + "\n" for b in _split_sections("\n".join(lines))]
    new = section.strip("\n") + "\n\n"
    old_at = next((i for i, b in enumerate(blocks) if b.startswith(headings)), None)
    kept = [b for b in blocks if not b.startswith(headings)]
    if old_at is not None:
        at = sum(1 for b in blocks[:old_at] if not b.startswith(headings))
    else:
        summary_at = next(i for i, b in enumerate(kept) if b.startswith("## Summary"))
        at = next(
            (i for i in range(summary_at + 1, len(kept)) if kept[i].startswith(before)),
            len(kept),
        )
    if at and not kept[at - 1].endswith("\n\n"):
        kept[at - 1] += "\n"  # a blank line before the new section
    kept.insert(at, new)
    return "".join(kept).rstrip("\n") + "\n"


def _split_sections(text: str) -> list[str]:
    """``text`` cut before every ``## `` heading (the first block is the title and intro)."""
    blocks: list[str] = []
    current: list[str] = []
    for line in text.splitlines(keepends=True):
        if line.startswith("## ") and current:
            blocks.append("".join(current))
            current = []
        current.append(line)
    if current:
        blocks.append("".join(current))
    return blocks


# --------------------------------------------------------------------------- anchor venvs


@dataclass(frozen=True)
class AnchorVenv:
    """A virtual environment of its own for one benchmark anchor, created on demand.

    Some anchors pin their dependencies exactly (kubesdk-cli 0.3.1 pins
    datamodel-code-generator 0.35.0 and, through kubesdk, PyYAML 6.0.3); installed into the
    project venv they would downgrade what our code and the other anchors run on. Such an
    anchor lives in ``home/name`` (default ``.bench-venvs/<name>``), made with ``python -m
    venv`` by this interpreter and filled by that venv's own pip with ``requirements``
    (exact pins, so every run measures the same code), plus ``pip_options`` (e.g.
    ``--no-index --find-links DIR``; the machine's pip configuration applies as usual).

    A venv is reused when its record (``anchor-venv.json``: the requirements, the pip options,
    the Python version and base prefix that created it, written only after a successful
    install) matches; otherwise it is deleted and built again, so a half-built venv is
    never trusted. Two benchmark runs must not build the same venv at once (no lock).
    No client-go counterpart: Go links its anchors into separate binaries.
    """

    name: str
    requirements: tuple[str, ...]
    pip_options: tuple[str, ...] = ()
    home: Path = VENVS

    @property
    def path(self) -> Path:
        return self.home / self.name

    @property
    def python(self) -> Path:
        """The venv's interpreter (``bin/python``); run every measurement of the anchor
        with it (or with :meth:`script`)."""
        return self.path / "bin" / "python"

    @property
    def record_path(self) -> Path:
        return self.path / "anchor-venv.json"

    def script(self, name: str) -> Path:
        """The console script ``name`` installed in the venv (``bin/NAME``); raises
        ``RuntimeError`` if there is none."""
        path = self.path / "bin" / name
        if not path.exists():
            raise RuntimeError(f"{name} is not installed in {self.path}")
        return path

    def record(self) -> dict[str, Any]:
        """What a matching venv's ``anchor-venv.json`` holds."""
        return {
            "requirements": list(self.requirements),
            "pip_options": list(self.pip_options),
            "python": platform.python_version(),
            "base_prefix": sys.base_prefix,
        }

    def create_command(self) -> list[str]:
        """``python -m venv PATH`` with this interpreter."""
        return [sys.executable, "-m", "venv", str(self.path)]

    def install_command(self) -> list[str]:
        """``PATH/bin/python -m pip install --quiet --disable-pip-version-check [pip_options]
        REQUIREMENTS``: the venv's own pip, so nothing lands in the project venv."""
        return [
            str(self.python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *self.pip_options,
            *self.requirements,
        ]

    def is_current(self) -> bool:
        """True if the venv exists, its interpreter is there and its record matches."""
        try:
            recorded = json.loads(self.record_path.read_text())
        except (OSError, ValueError):
            return False
        return recorded == self.record() and self.python.exists()

    def ensure(self) -> Path:
        """The venv's interpreter, after creating and installing the venv unless
        :meth:`is_current`. Raises ``RuntimeError`` with pip's output if a step fails (the
        venv is then left without a record, so the next run starts over)."""
        if self.is_current():
            return self.python
        log(f"   creating the {self.name} venv in {self.path}: {' '.join(self.requirements)} ...")
        shutil.rmtree(self.path, ignore_errors=True)
        self.home.mkdir(parents=True, exist_ok=True)
        for cmd in (self.create_command(), self.install_command()):
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode != 0:
                out = (proc.stdout + proc.stderr)[-3000:]
                raise RuntimeError(f"{' '.join(cmd)} failed:\n{out}")
        self.record_path.write_text(json.dumps(self.record(), indent=1) + "\n")
        return self.python

    def version(self, distribution: str) -> str:
        """The version of ``distribution`` installed in the venv (``importlib.metadata``,
        run by the venv's interpreter); raises ``RuntimeError`` if it is not installed."""
        code = "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))"
        proc = subprocess.run(
            [str(self.python), "-c", code, distribution], capture_output=True, text=True
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{distribution} is not installed in {self.path}")
        return proc.stdout.strip()
