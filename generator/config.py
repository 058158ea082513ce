"""Generation targets from the project's configuration.

Either a ``[tool.kube-clientgen]`` table in ``pyproject.toml`` or a ``codegen.yaml``,
both holding a list of targets::

    [[tool.kube-clientgen.targets]]
    inputs = ["crds/"]          # files or directories, relative to the config file, or a
                                # built-in spec ("kubernetes:1.36") or "cluster:[CONTEXT]"
    out = "generated/mycrds"    # the package directory to write
    apimachinery_only = false   # true only for kubecore's own apimachinery types
    share = true                # identical inline CRD schemas share one class
    reuse = true                # CRD copies of built-in types use the built-in classes
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import yaml

from kube_clientgen.errors import SourceError
from kube_clientgen.pipeline import Target
from kube_clientgen.sources import is_builtin_input, is_cluster_input
from kubecore.core import yamlio


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        for name in ("codegen.yaml", "pyproject.toml"):
            candidate = folder / name
            if candidate.is_file() and (
                name != "pyproject.toml"
                or "tool" in _read(candidate)
                and "kube-clientgen" in _read(candidate)["tool"]
            ):
                return candidate
    return None


def load_targets(path: Path) -> list[Target]:
    data = _read(path)
    table = data["tool"]["kube-clientgen"] if path.name == "pyproject.toml" else data
    raw = table.get("targets") if isinstance(table, dict) else None
    where = "/tool/kube-clientgen/targets" if path.name == "pyproject.toml" else "/targets"
    if not isinstance(raw, list) or not raw:
        raise SourceError(str(path), where, "expected a non-empty list of targets")
    base = path.parent
    targets = []
    for i, entry in enumerate(raw):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("inputs"), list)
            or not all(isinstance(p, str) for p in entry["inputs"])
            or not isinstance(entry.get("out"), str)
        ):
            raise SourceError(
                str(path),
                f"{where}/{i}",
                "a target needs 'inputs' (a list of strings) and 'out' (a path)",
            )
        unknown = sorted(set(entry) - set(_SWITCHES) - {"inputs", "out"})
        if unknown:  # a misspelt switch (no_share, --no-reuse's spelling) must not be ignored
            raise SourceError(
                str(path),
                f"{where}/{i}/{unknown[0]}",
                f"unknown key {unknown[0]!r}; a target takes inputs, out, " + ", ".join(_SWITCHES),
            )
        if not entry["inputs"]:
            raise SourceError(str(path), f"{where}/{i}/inputs", "'inputs' is empty")
        switches = {}
        for key, default in _SWITCHES.items():
            switches[key] = entry.get(key, default)
            if not isinstance(switches[key], bool):
                raise SourceError(str(path), f"{where}/{i}/{key}", f"'{key}' must be true or false")
        targets.append(
            Target(
                inputs=[_input(base, p) for p in entry["inputs"]],
                out=_relative(base, entry["out"]),
                apimachinery_only=switches["apimachinery_only"],
                share=switches["share"],
                reuse=switches["reuse"],
            )
        )
    _check_distinct_outs(targets, str(path), where)
    return targets


# A target's switches and their defaults.
_SWITCHES = {"apimachinery_only": False, "share": True, "reuse": True}


def _check_distinct_outs(targets: list[Target], path: str, where: str) -> None:
    """Two targets must not write one package, or one inside the other: each run replaces
    its whole tree, so the later target silently replaced the earlier one's output, or
    removed the nested package as a stray file (and the other target wrote it back, so the
    output was never fresh)."""
    resolved = [Path(t.out).resolve() for t in targets]
    for j, out in enumerate(resolved):
        for i, other in enumerate(resolved[:j]):
            if out == other or other in out.parents or out in other.parents:
                raise SourceError(
                    path,
                    f"{where}/{j}/out",
                    f"{targets[j].out} overlaps the output of target {i} ({targets[i].out}): "
                    "each target needs a package directory of its own, not inside another",
                )


def _input(base: Path, value: str) -> str:
    if is_builtin_input(value) or is_cluster_input(value):
        return value  # a name, not a path
    return _relative(base, value)


def _relative(base: Path, value: str) -> str:
    path = Path(value)
    if path.is_absolute():
        return str(path)
    try:
        return str((base / path).relative_to(Path.cwd()))
    except ValueError:
        return str(base / path)


def _read(path: Path) -> dict[str, Any]:
    try:
        if path.suffix == ".toml":
            with path.open("rb") as f:
                return tomllib.load(f)
        data = yamlio.load(path.read_text())
    except (OSError, tomllib.TOMLDecodeError, ValueError) as err:
        raise SourceError(str(path), "", f"cannot read configuration: {err}") from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise SourceError(
            str(path), where, f"invalid YAML: {getattr(err, 'problem', None) or err}"
        ) from None
    if not isinstance(data, dict):
        raise SourceError(str(path), "", "configuration must be a mapping")
    return data
