"""``kube-clientgen validate MANIFEST... [--schema SPEC_OR_CRD...]``: kubeconform for CI.

Validates every document of the given YAML/JSON files (multi-document streams,
directories walked for ``*.yaml``, ``*.yml``, ``*.json``) against the Kubernetes 1.36 API
vendored with kube-clientgen plus the CRDs and OpenAPI documents given with ``--schema``,
with kube-apiserver's checks and wording (:mod:`kubecore.core.validation`). One line per
problem on stdout::

    deploy.yaml[doc 1] apps/v1 Deployment default/web: spec.selector: Required value

Exit status: 0 all valid, 1 a problem was found (including a kind with no schema, unless
``--ignore-missing-schemas``), 2 unreadable input (a missing file, bad YAML, a CRD whose CEL
rule does not compile), with the file and place on stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kube_clientgen.wording import counted

EXIT_INVALID = 1
EXIT_BAD_INPUT = 2
_SUFFIXES = (".yaml", ".yml", ".json")


class _BadInput(Exception):
    pass


def add_parser(commands: Any) -> None:
    """Register the ``validate`` subcommand on the main parser's subparsers."""
    cmd = commands.add_parser(
        "validate",
        help="validate manifests against the Kubernetes API and CRDs (kubeconform-style)",
    )
    cmd.add_argument("manifests", nargs="+", help="YAML/JSON files or directories")
    cmd.add_argument(
        "--schema",
        action="append",
        default=[],
        metavar="SPEC_OR_CRD",
        help="CRD YAML or OpenAPI JSON file or directory (repeatable)",
    )
    cmd.add_argument(
        "--ignore-missing-schemas",
        action="store_true",
        help="skip documents whose kind has no schema instead of failing",
    )
    cmd.add_argument(
        "--strict", action="store_true", help="also report fields a CRD schema does not declare"
    )


def run(args: argparse.Namespace) -> int:
    from kubecore.core.validation import CelError, Validator

    try:
        validator = Validator.builtin()
        for path in _files(args.schema):
            for doc, index in _documents(path):
                if doc.get("kind") == "CustomResourceDefinition":
                    # the generator's way of naming a place: file[doc N]:/json/pointer
                    validator.add_crd(doc, where=f"{path}[doc {index}]")
                elif "swagger" in doc or "openapi" in doc:
                    validator.add_openapi(doc)
        manifests = list(_files(args.manifests))
        counts = [0, 0, 0]  # documents, invalid documents, problems
        for path in manifests:
            for doc, index in _documents(path):
                lines = _check(validator, doc, args)
                counts[0] += 1
                if lines:
                    counts[1] += 1
                    counts[2] += len(lines)
                for line in lines:
                    print(f"{path}[doc {index}] {_describe(doc)}: {line}")
    except (_BadInput, CelError, OSError) as err:
        print(f"kube-clientgen: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"kube-clientgen validate: {counted(counts[0], 'document')}, {counts[1]} invalid, "
        f"{counted(counts[2], 'problem')}",
        file=sys.stderr,
    )
    return EXIT_INVALID if counts[1] else 0


def _check(validator: Any, doc: dict[str, Any], args: argparse.Namespace) -> list[str]:
    from kubecore.core.validation import SchemaNotFound

    if not doc.get("apiVersion") or not doc.get("kind"):
        return ["missing apiVersion or kind"]
    try:
        schema = validator.lookup(str(doc["apiVersion"]), str(doc["kind"]))
    except SchemaNotFound as err:
        return [] if args.ignore_missing_schemas else [str(err)]
    lines = [str(problem) for problem in schema.validate(doc)]
    if args.strict and schema.is_crd:
        _, pruned = schema.prune(doc)
        lines += [f'unknown field "{path}"' for path in pruned]
    return lines


def _describe(doc: dict[str, Any]) -> str:
    raw = doc.get("metadata")
    meta: dict[str, Any] = raw if isinstance(raw, dict) else {}
    name = meta.get("name") or meta.get("generateName") or ""
    namespace = meta.get("namespace")
    who = f"{namespace}/{name}" if namespace else str(name)
    return f"{doc.get('apiVersion', '')} {doc.get('kind', '')} {who}".rstrip()


def _files(inputs: list[str]) -> Iterator[Path]:
    for raw in inputs:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES
            )
        elif path.is_file():
            yield path
        elif path.exists():  # a device, pipe or socket: never read (it may never end)
            raise _BadInput(f"{path}: not a regular file or a directory")
        else:
            raise _BadInput(f"{path}: no such file or directory")


def _documents(path: Path) -> Iterator[tuple[dict[str, Any], int]]:
    """(document, index) for every mapping document; a List's items count as documents."""
    import yaml

    from kubecore.core.yamlio import load_all

    try:
        docs = load_all(path.read_bytes())
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise _BadInput(f"{path}{where}: invalid YAML: {problem}") from err
    except UnicodeDecodeError as err:
        raise _BadInput(f"{path}: not UTF-8 text (byte {err.start})") from err
    for index, doc in enumerate(docs):
        if (
            isinstance(doc, dict)
            and str(doc.get("kind", "")).endswith("List")
            and isinstance(doc.get("items"), list)
        ):
            for item in doc["items"]:
                if isinstance(item, dict):
                    yield item, index
        elif isinstance(doc, dict):
            yield doc, index
        else:
            raise _BadInput(f"{path}[doc {index}]: not a mapping ({type(doc).__name__})")
