"""Built-in specs as inputs: ``kubernetes:1.36``, or ``kubernetes`` for the newest one.

The Kubernetes apiserver OpenAPI specs vendored in ``kube_clientgen/specs`` ship in the
wheel as package data and are read through ``importlib.resources``, so the names work the
same from a checkout, an editable install or an installed wheel (even a zipped one). A
spec is ``specs/kubernetes-<major>.<minor>.swagger.json``: adding a file adds a version.

The bare name ``kubernetes`` always means the built-in spec, never a path: a file or
directory of that name is written ``./kubernetes`` or ``kubernetes/``. Choosing one rule
(like ``cluster:``) keeps what a configuration means independent of the files lying around.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from importlib.resources.abc import Traversable

from kube_clientgen.errors import SourceError
from kube_clientgen.sources.files import Document

NAME = "kubernetes"
_SPEC_FILE = re.compile(r"kubernetes-(\d+)\.(\d+)\.swagger\.json")


def is_builtin_input(value: str) -> bool:
    """True for ``kubernetes`` and ``kubernetes:VERSION`` (whether or not VERSION exists)."""
    return value == NAME or value.startswith(NAME + ":")


def available_versions() -> list[str]:
    """The vendored Kubernetes versions, oldest first (``["1.36"]``)."""
    return [version for version, _ in _specs()]


def spec_bytes(value: str) -> bytes:
    """The raw bytes of the spec a built-in name denotes.

    Raises ``SourceError`` naming the available versions when the version is unknown.
    """
    specs = dict(_specs())  # oldest first: the bare name means the last
    version = (
        value[len(NAME) + 1 :].removeprefix("v") if value != NAME else next(reversed(specs), "")
    )
    spec = specs.get(version)
    if spec is None:
        known = ", ".join(f"{NAME}:{v}" for v in specs) or "none"
        raise SourceError(
            value, "", f"unknown built-in Kubernetes version {version!r}; available: {known}"
        )
    return spec.read_bytes()


def read_builtin(value: str) -> list[Document]:
    """The built-in spec as one OpenAPI document, labelled with the name it was asked by."""
    data = spec_bytes(value)
    try:
        return [Document(value, 0, json.loads(data))]
    except ValueError as err:  # a damaged installation
        raise SourceError(value, "", f"the built-in spec is not valid JSON: {err}") from None


def _specs() -> list[tuple[str, Traversable]]:
    folder = resources.files("kube_clientgen") / "specs"
    found = []
    for entry in folder.iterdir() if folder.is_dir() else ():
        match = _SPEC_FILE.fullmatch(entry.name)
        if match:
            found.append(((int(match[1]), int(match[2])), entry))
    return [(f"{major}.{minor}", entry) for (major, minor), entry in sorted(found)]
