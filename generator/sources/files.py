"""Reading input files: JSON and (multi-document) YAML, with errors that point at a line.

YAML is read by ``kubecore.core.yamlio``, as Kubernetes reads it (its JSON: string keys,
go-yaml v2 scalars, aliases inside their own anchor refused with the line).

Inputs are bounded before anything walks them, so no input can make the generator's time
or memory explode, and every later stage can recurse without meeting ``RecursionError``:

* a file is at most ``MAX_FILE_BYTES`` (32 MiB: eight times the whole Kubernetes swagger,
  ten times the largest real CRD; kube-apiserver itself refuses request bodies over 3 MiB);
* a document holds at most ``MAX_VALUES`` JSON values (1,000,000: thirteen times the
  Kubernetes swagger), counted with every YAML alias expanded, so an alias "billion laughs"
  is refused instead of being expanded by the generator; a document that refers to itself
  through an alias is refused too;
* a document nests at most ``MAX_DEPTH`` levels (200: five times the deepest real CRD, whose
  schemas nest 39 levels). Deeper input is an error naming the place, not a ``RecursionError``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kube_clientgen.errors import SourceError, json_pointer
from kubecore.core.yamlio import KubeYamlLoader

_YAML_SUFFIXES = (".yaml", ".yml")
_INPUT_SUFFIXES = (".json", *_YAML_SUFFIXES)

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_VALUES = 1_000_000
MAX_DEPTH = 200
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Document:
    """One parsed document; ``label`` prefixes its JSON pointers (``doc 2`` in a stream,
    ``item 3`` of a List)."""

    path: str
    index: int  # position in a multi-document stream, 0 for JSON
    data: Any
    item: int | None = None  # position in a List's items (``kubectl get crd -o yaml``)

    @property
    def label(self) -> str:
        where = [f"doc {self.index}"] if self.path.endswith(_YAML_SUFFIXES) else []
        if self.item is not None:
            where.append(f"item {self.item}")
        return f"{self.path}[{', '.join(where)}]" if where else self.path


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
        elif path.exists():  # a device, pipe or socket: never read (it may never end)
            raise SourceError(raw, "", "not a regular file or a directory")
        else:
            raise SourceError(raw, "", "no such file or directory")
    return files


def read_documents(path: Path) -> list[Document]:
    """The documents of one file (empty YAML documents dropped), each checked against the
    bounds above; ``SourceError`` names the file and the line or the JSON pointer."""
    text = _read_text(path)
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            raise SourceError(
                str(path), f"line {err.lineno} column {err.colno}", f"invalid JSON: {err.msg}"
            ) from None
        except RecursionError:
            raise SourceError(
                str(path), "", f"nesting too deep (more than {MAX_DEPTH} levels)"
            ) from None
        if _SURROGATE_ESCAPE.search(text):
            check_bounds(Document(str(path), 0, data))  # bounded before the rebuild recurses
            data = _replace_lone_surrogates(data)
        docs = [Document(str(path), 0, data)]
    else:
        docs = [Document(str(path), i, d) for i, d in _load_yaml(path, text) if d is not None]
    for doc in docs:
        check_bounds(doc)
    return [item for doc in docs for item in _list_items(doc)]


def _list_items(doc: Document) -> list[Document]:
    """A List (``kind: List`` or ``...List`` with ``items``, what ``kubectl get crd -o yaml``
    writes) stands for its items, as kubectl and ``kube-clientgen validate`` read it; any
    other document stands for itself."""
    data = doc.data
    if (
        isinstance(data, dict)
        and str(data.get("kind", "")).endswith("List")
        and isinstance(data.get("items"), list)
    ):
        return [Document(doc.path, doc.index, d, i) for i, d in enumerate(data["items"])]
    return [doc]


def _replace_lone_surrogates(value: Any) -> Any:
    """JSON text may escape half a surrogate pair (``"\\ud800"``), which no UTF-8 file can
    hold; Go's decoder, the apiserver's, reads each as U+FFFD, and so does this."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in value.items()}
    return value


def _load_yaml(path: Path, text: str) -> list[tuple[int, Any]]:
    loaded: list[tuple[int, Any]] = []
    try:
        for data in yaml.load_all(text, Loader=KubeYamlLoader):
            loaded.append((len(loaded), data))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise SourceError(str(path), where, f"invalid YAML: {problem}") from None
    except RecursionError:
        label = Document(str(path), len(loaded), None).label
        raise SourceError(label, "", f"nesting too deep (more than {MAX_DEPTH} levels)") from None
    return loaded


def check_bounds(doc: Document) -> None:
    """Refuse a document that is too big (aliases expanded), too deep, or refers to itself.

    One pass over the distinct containers (shared ones, from YAML aliases, are measured
    once), so the check itself stays linear in the file's size.
    """
    sizes: dict[int, tuple[int, int]] = {}  # id(container) -> (values expanded, height)
    children: dict[int, list[tuple[str | int, Any]]] = {}
    open_ids: set[int] = set()
    # (value, done, place): place links (key, parent place) back to the root, for messages
    stack: list[tuple[Any, bool, _Place]] = [(doc.data, False, None)]
    while stack:
        value, done, place = stack.pop()
        key = id(value)
        if done:
            open_ids.discard(key)
            size, height = 1, 0
            for _, child in children[key]:
                child_size, child_height = sizes.get(id(child), (1, 0))
                size += child_size
                height = max(height, child_height)
            sizes[key] = (size, height + 1)
            continue
        if not isinstance(value, dict | list):
            continue
        if key in sizes:
            continue
        if key in open_ids:
            raise SourceError(
                doc.label, _pointer(place), "a YAML alias here refers to a value that contains it"
            )
        open_ids.add(key)
        items: list[tuple[str | int, Any]] = (
            list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        )
        children[key] = items
        stack.append((value, True, place))
        stack.extend((child, False, (k, place)) for k, child in items)
    size, height = sizes.get(id(doc.data), (1, 1))
    if size > MAX_VALUES:
        raise SourceError(
            doc.label,
            _descend(doc.data, children, sizes, 0, lambda path, s: s > MAX_VALUES),
            f"more than {MAX_VALUES:,} values (counting YAML aliases expanded): too big to generate",
        )
    if height > MAX_DEPTH:
        raise SourceError(
            doc.label,
            _descend(doc.data, children, sizes, 1, lambda path, s: len(path) < MAX_DEPTH),
            f"nesting deeper than {MAX_DEPTH} levels",
        )


_Place = tuple[str | int, "_Place"] | None


def _pointer(place: _Place) -> str:
    keys: list[str | int] = []
    while place is not None:
        keys.append(place[0])
        place = place[1]
    return json_pointer(*reversed(keys))


def _descend(
    root: Any,
    children: dict[int, list[tuple[str | int, Any]]],
    sizes: dict[int, tuple[int, int]],
    index: int,
    keep_going: Callable[[list[str | int], int], bool],
) -> str:
    """The JSON pointer reached from the root by following the largest (``index`` 0) or
    the deepest (``index`` 1) child while ``keep_going(path, measure)`` holds."""
    path: list[str | int] = []
    value = root
    while id(value) in children:
        nested = [(k, c) for k, c in children[id(value)] if id(c) in sizes]
        if not nested:
            break
        k, child = max(nested, key=lambda kc: sizes[id(kc[1])][index])
        if not keep_going(path, sizes[id(child)][index]):
            break
        path.append(k)
        value = child
    return json_pointer(*path)


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise SourceError(
                str(path), "", f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: too big to read"
            )
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(str(path), "", f"cannot read: {err}") from None
