"""YAML the way Kubernetes reads it: JSON-compatible values, every document of a stream.

Two differences from ``yaml.safe_load``: timestamps stay strings (Kubernetes converts
YAML to JSON, so ``2024-01-02T03:04:05Z`` is text, and round trips keep it exact), and
the YAML 1.1 ``=`` value tag loads as the string ``"="`` (real CRDs have unquoted
``- =`` enum items, which PyYAML otherwise refuses).
"""

from __future__ import annotations

from typing import IO, Any

import yaml

_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class KubeYamlLoader(_Base):  # type: ignore[misc]
    """A safe loader with Kubernetes' scalar rules (see the module docstring)."""


KubeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
KubeYamlLoader.add_constructor("tag:yaml.org,2002:value", yaml.SafeLoader.construct_yaml_str)
KubeYamlLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load_all(stream: str | bytes | IO[str] | IO[bytes]) -> list[Any]:
    """Every non-empty document of a YAML stream."""
    return [doc for doc in yaml.load_all(stream, Loader=KubeYamlLoader) if doc is not None]


def load(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    return yaml.load(stream, Loader=KubeYamlLoader)
