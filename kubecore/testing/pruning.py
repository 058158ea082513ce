"""What kube-apiserver keeps of a written object: its kind's schema prunes it.

Custom resources are pruned by their CRD's structural schema; built-in kinds are decoded
into Go structs, which keep only the fields the struct declares and read an explicit
``null`` as the zero value: the same structural pruning
(:func:`kubecore.core.validation.structural.prune`) over the kind's OpenAPI definitions
does that. ``fieldValidation`` decides what the client hears: ``Strict`` refuses unknown
fields (400 ``strict decoding error: unknown field "spec.foo"``), ``Warn`` (the default)
sends one ``Warning`` per field, ``Ignore`` nothing; the stored object is pruned in every
mode.

A built-in kind's definitions come from the table the server (or fake) serves; a fake
built without specs, whose table has none, uses the Kubernetes API vendored with
kube-clientgen (loaded once, on the first write of a built-in kind), as client-go's fakes
hold Go structs that cannot carry unknown fields either. Kinds no schema describes
(an aggregated API the specs do not cover) are stored as sent.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from kubecore.core.validation.structural import prune
from kubecore.testing.discovery import Resource, ResourceTable
from kubecore.testing.tracker import ApiError

Obj = dict[str, Any]

__all__ = ["prune_object"]


@functools.cache
def _vendored() -> tuple[Mapping[str, Any], dict[tuple[str, str, str], str]]:
    """The vendored Kubernetes definitions and their (group, version, kind) index."""
    from kubecore.core.codec import json_loads
    from kubecore.core.validation.registry import builtin_spec_path

    try:
        definitions = json_loads(builtin_spec_path().read_bytes()).get("definitions") or {}
    except FileNotFoundError:
        return {}, {}
    index: dict[tuple[str, str, str], str] = {}
    for name, schema in definitions.items():
        for gvk in (
            (schema.get("x-kubernetes-group-version-kind") or ())
            if isinstance(schema, dict)
            else ()
        ):
            key = (str(gvk.get("group", "")), str(gvk.get("version", "")), str(gvk.get("kind", "")))
            index.setdefault(key, name)
    return definitions, index


def _schema(
    table: ResourceTable, resource: Resource
) -> tuple[dict[str, Any], Mapping[str, Any] | None] | None:
    """The schema to prune with and, for a built-in kind, the definitions it refers to."""
    if resource.is_crd:
        return (resource.schema, None) if isinstance(resource.schema, dict) else None
    found = table.schema_for_kind(resource.group, resource.version, resource.kind)
    if found is not None:
        return found, table.definitions
    definitions, index = _vendored()
    name = index.get((resource.group, resource.version, resource.kind))
    if name is None:
        return None
    return definitions[name], definitions


def prune_object(
    table: ResourceTable,
    resource: Resource,
    obj: Obj,
    field_validation: str = "Warn",
    warnings: list[str] | None = None,
) -> Obj:
    """``obj`` as kube-apiserver stores it: pruned by its kind's schema (module docstring).

    Raises 400 BadRequest ``<Kind> in version "<v>" cannot be handled as a <Kind>: strict
    decoding error: unknown field "a", unknown field "b"`` under ``Strict``; under ``Warn``
    appends ``299 - "unknown field \\"a\\""`` to ``warnings`` per field. Never modifies
    ``obj``.
    """
    found = _schema(table, resource)
    if found is None:
        return obj
    schema, definitions = found
    pruned_obj, unknown = prune(obj, schema, definitions)
    if unknown and field_validation == "Strict":
        listed = ", ".join(f'unknown field "{path}"' for path in unknown)
        raise ApiError(
            400,
            "BadRequest",
            f'{resource.kind} in version "{resource.version}" cannot be handled as a '
            f"{resource.kind}: strict decoding error: {listed}",
        )
    if unknown and field_validation != "Ignore" and warnings is not None:
        warnings.extend(_warning(f'unknown field "{path}"') for path in unknown)
    return pruned_obj


def _warning(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'
