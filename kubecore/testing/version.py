"""The Kubernetes version the test API server reports at ``/version``.

kube-apiserver reports its own release; the test server serves whatever specs it was
given, so it reports the release of the served Kubernetes OpenAPI spec, found from:

1. an explicit ``kubernetes_version`` (``"1.36"``, ``"v1.36.4"``);
2. the spec's ``info.version`` when it names a release (``v1.36.0``) — the upstream
   ``swagger.json`` says ``unversioned``, so usually not;
3. the spec file's content: the SHA-256 of a known upstream spec (the one vendored with
   kube-clientgen is release-1.36's ``api/openapi-spec/swagger.json``);
4. the spec file's name (``kubernetes-1.36.swagger.json``, ``k8s-v1.35.json``);
5. otherwise (CRDs only, or an unknown spec) the release of the spec vendored with this
   project, 1.36: the API the test server is tested against, with kubectl 1.36.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kubecore.testing.discovery import spec_files

__all__ = ["DEFAULT_KUBERNETES_VERSION", "detect_kubernetes_version", "version_info"]

#: Reported when no served spec names its release.
DEFAULT_KUBERNETES_VERSION = (1, 36)

#: SHA-256 of upstream swagger.json files, by release.
_KNOWN_SPECS = {
    "c316f6e232c666148076e82e20371ff656ffbb12e59d8953e6d94ec7685bc75c": (1, 36),
}
_RELEASE = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$")
_NAMED = re.compile(r"(?:kubernetes|k8s)[-_]?v?(\d+)\.(\d+)", re.IGNORECASE)


def parse_release(text: str) -> tuple[int, int]:
    """``"1.36"`` / ``"v1.36.4"`` -> ``(1, 36)``; ``ValueError`` for anything else."""
    match = _RELEASE.match(text.strip())
    if match is None:
        raise ValueError(f"not a Kubernetes release: {text!r} (expected e.g. 1.36 or v1.36.4)")
    return int(match[1]), int(match[2])


def _from_spec_file(path: Path) -> tuple[int, int] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    known = _KNOWN_SPECS.get(hashlib.sha256(data).hexdigest())
    if path.suffix == ".json" and known is None:
        try:
            doc: Any = json.loads(data)
        except ValueError:
            doc = None
        info = doc.get("info") if isinstance(doc, dict) else None
        version = info.get("version") if isinstance(info, dict) else None
        if isinstance(version, str) and _RELEASE.match(version):
            return parse_release(version)
    if known is not None:
        return known
    named = _NAMED.search(path.name)
    return (int(named[1]), int(named[2])) if named else None


def detect_kubernetes_version(
    specs: Iterable[str | Path], explicit: str | None = None
) -> tuple[int, int]:
    """The release to report for ``specs`` (see the module docstring for the order)."""
    if explicit:
        return parse_release(explicit)
    for spec in spec_files(specs):
        found = _from_spec_file(spec)
        if found is not None:
            return found
    return DEFAULT_KUBERNETES_VERSION


def version_info(release: tuple[int, int]) -> dict[str, str]:
    """The ``/version`` body (``version.Info``) for ``release``."""
    major, minor = release
    return {
        "major": str(major),
        "minor": str(minor),
        "gitVersion": f"v{major}.{minor}.0-kubecore.testing",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2025-01-01T00:00:00Z",
        "goVersion": "go1.24",
        "compiler": "gc",
        "platform": "linux/amd64",
    }
