"""``python -m kubecore.testing --kubeconfig PATH SPEC... [--preload FILE]``: serve until stopped.

Each SPEC is an OpenAPI document (JSON or YAML), a YAML/JSON file of documents, or a
directory: its OpenAPI documents and CRDs (the ``.json``/``.yaml``/``.yml`` files below it,
sorted) are served and its other documents skipped, as ``kube-clientgen generate`` reads a
directory. Every document of a file named directly is used, none is ignored: OpenAPI documents and CustomResourceDefinitions (also
inside a ``List``) define what is served; any other Kubernetes object (``apiVersion``
and ``kind``) is stored at start, as with ``--preload``, so a manifest can be given
beside the specs. A document that is neither, or an object whose kind is not served,
stops the program before it listens: one line naming the file and the document, exit
status 2. A port already in use (or any other listening error) is one line and exit
status 1. ``/version`` reports the served spec's Kubernetes release (override it with
``--kubernetes-version``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

from kubecore.core import yamlio
from kubecore.testing.discovery import ResourceTable, spec_files
from kubecore.testing.server import TestApiServer
from kubecore.testing.tracker import ApiError

_PROG = "python -m kubecore.testing"


class _InputError(Exception):
    """A SPEC or --preload file that cannot be used: the message names the file and place."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=_PROG, description="A loopback Kubernetes API server.")
    parser.add_argument(
        "specs",
        nargs="+",
        metavar="SPEC",
        help="OpenAPI JSON/YAML, CRD YAML, or a manifest of objects to store",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--kubeconfig", required=True, help="where to write a kubeconfig")
    parser.add_argument(
        "--preload",
        action="append",
        default=[],
        metavar="FILE",
        help="objects to store at start (JSON, or YAML with several documents; Lists expand)",
    )
    parser.add_argument(
        "--kubernetes-version",
        metavar="X.Y",
        help="the release /version reports (default: the served spec's)",
    )
    args = parser.parse_args(argv)
    try:
        table, objects = _read_specs(args.specs)
        for path in args.preload:
            objects.extend((Path(path), i, d) for i, d in enumerate(_documents(Path(path))))
        server = TestApiServer(
            args.specs,
            table=table,
            host=args.host,
            port=args.port,
            kubeconfig_path=args.kubeconfig,
            kubernetes_version=args.kubernetes_version,
        )
        for path, index, obj in objects:
            try:
                server.preload([obj])
            except (ValueError, KeyError, TypeError, ApiError) as exc:
                raise _InputError(f"{path}: document {index + 1}: {exc}") from None
    except _InputError as exc:
        print(f"{_PROG}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # --kubernetes-version
        print(f"{_PROG}: {exc}", file=sys.stderr)
        return 2
    try:
        server.start()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        if exc.filename is not None:  # listening worked; writing --kubeconfig did not
            print(f"{_PROG}: cannot write the kubeconfig {exc.filename}: {reason}", file=sys.stderr)
            return 2
        print(f"{_PROG}: cannot listen on {args.host}:{args.port}: {reason}", file=sys.stderr)
        return 1
    print(f"serving on {server.url}; kubeconfig at {args.kubeconfig}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def _documents(path: Path) -> list[Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        if path.suffix == ".json":
            return [json.loads(text)]
        return yamlio.load_all(text)
    except ValueError as exc:
        raise _InputError(f"{path}: not valid JSON: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise _InputError(f"{path}: not valid YAML{where}: {problem}") from None


def _is_spec(doc: Any) -> bool:
    return isinstance(doc, dict) and ("swagger" in doc or "openapi" in doc)


def _is_crd(doc: Any) -> bool:
    return isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition"


def _read_specs(
    specs: list[str],
) -> tuple[ResourceTable, list[tuple[Path, int, dict[str, Any]]]]:
    """The served table, and the objects to store (file, document index, object)."""
    table = ResourceTable()
    objects: list[tuple[Path, int, dict[str, Any]]] = []
    folders = {file for spec in specs if Path(spec).is_dir() for file in spec_files([spec])}
    for path in spec_files(specs):
        for index, doc in enumerate(_documents(path)):
            items = doc.get("items") if isinstance(doc, dict) else None
            in_folder = path in folders  # there only specs and CRDs count, as for the generator
            if _is_spec(doc):
                table.add_openapi(doc)
            elif _is_crd(doc):
                table.add_crd(doc)
            elif isinstance(items, list) and str(doc.get("kind", "")).endswith("List"):
                for item in items:
                    if _is_crd(item):
                        table.add_crd(item)
                    elif not in_folder:
                        objects.append((path, index, _object(path, index, item)))
            elif not in_folder:
                objects.append((path, index, _object(path, index, doc)))
    return table, objects


def _object(path: Path, index: int, doc: Any) -> dict[str, Any]:
    if (
        not isinstance(doc, dict)
        or not isinstance(doc.get("apiVersion"), str)
        or not isinstance(doc.get("kind"), str)
    ):
        shape = (
            type(doc).__name__ if not isinstance(doc, dict) else "mapping without apiVersion/kind"
        )
        raise _InputError(
            f"{path}: document {index + 1} is neither an OpenAPI spec, a "
            f"CustomResourceDefinition nor a Kubernetes object ({shape})"
        )
    return doc


if __name__ == "__main__":
    sys.exit(main())
