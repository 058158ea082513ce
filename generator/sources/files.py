"""Reading input files: JSON and (multi-document) YAML, with errors that point at a line."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kube_clientgen.errors import SourceError
from kubecore.core.yamlio import KubeYamlLoader

_YAML_SUFFIXES = (".yaml", ".yml")
_INPUT_SUFFIXES = (".json", *_YAML_SUFFIXES)


@dataclass(frozen=True)
class Document:
    """One parsed document; ``where`` prefixes its JSON pointers (``doc 2`` in a stream)."""

    path: str
    index: int  # position in a multi-document stream, 0 for JSON
    data: Any

    @property
    def label(self) -> str:
        return f"{self.path}[doc {self.index}]" if self.path.endswith(_YAML_SUFFIXES) else self.path


def expand_inputs(inputs: list[str]) -> list[Path]:
    """Files named directly, and the JSON/YAML files below named directories, sorted."""
    files: list[Path] = []
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in _INPUT_SUFFIXES and p.is_file())
            )
        elif path.is_file():
            files.append(path)
        else:
            raise SourceError(raw, "", "no such file or directory")
    return files


def read_documents(path: Path) -> list[Document]:
    text = _read_text(path)
    if path.suffix == ".json":
        try:
            return [Document(str(path), 0, json.loads(text))]
        except json.JSONDecodeError as err:
            raise SourceError(
                str(path), f"line {err.lineno} column {err.colno}", f"invalid JSON: {err.msg}"
            ) from None
    try:
        docs = list(yaml.load_all(text, Loader=KubeYamlLoader))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise SourceError(str(path), where, f"invalid YAML: {problem}") from None
    return [Document(str(path), i, d) for i, d in enumerate(docs) if d is not None]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(str(path), "", f"cannot read: {err}") from None
