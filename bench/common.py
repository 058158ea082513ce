"""Helpers shared by the ``make bench`` modules: paths, the worker runner, formatting."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".bench"
DOC = REPO / "docs" / "benchmarks.md"
WORKERS = Path(__file__).resolve().parent / "workers.py"


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
