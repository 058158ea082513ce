"""Server-side field validation (``fieldValidation=Strict|Warn``): unknown fields.

Walks an object along its schema (swagger v2 definitions, OpenAPI v3 component schemas
or a CRD's ``openAPIV3Schema``) and reports each field the schema does not declare, as
the apiserver's strict decoder does: ``unknown field "spec.foo"``. Maps with
``additionalProperties`` and subtrees with ``x-kubernetes-preserve-unknown-fields`` or
``x-kubernetes-embedded-resource`` accept anything.
"""

from __future__ import annotations

from typing import Any

from kubecore.testing.discovery import Resource, ResourceTable

_ALWAYS = ("apiVersion", "kind", "metadata")


def unknown_fields(table: ResourceTable, resource: Resource, obj: Any) -> list[str]:
    """Dotted paths of the fields of ``obj`` that the resource's schema does not know."""
    if resource.is_crd:
        schema: Any = resource.schema
        if not isinstance(schema, dict):
            return []
        anything = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        properties = {key: anything for key in _ALWAYS} | (schema.get("properties") or {})
        schema = {**schema, "type": "object", "properties": properties}
    else:
        schema = table.schema_for_kind(resource.group, resource.version, resource.kind)
        if schema is None:
            return []
    found: list[str] = []
    _walk(table, schema, obj, "", found)
    return found


def _walk(table: ResourceTable, schema: Any, value: Any, path: str, found: list[str]) -> None:
    schema = table.resolve(schema)
    if _open(schema):
        return
    if isinstance(value, dict):
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        if not isinstance(properties, dict):
            if isinstance(extra, dict):
                for key, item in value.items():
                    _walk(table, extra, item, f"{path}.{key}" if path else key, found)
            return
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            if key in properties:
                _walk(table, properties[key], item, child, found)
            elif not extra:
                found.append(child)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            _walk(table, schema["items"], item, f"{path}[{index}]", found)


def _open(schema: dict[str, Any]) -> bool:
    return bool(
        schema.get("x-kubernetes-preserve-unknown-fields")
        or schema.get("x-kubernetes-embedded-resource")
        or schema.get("x-kubernetes-int-or-string")
        or (schema.get("type") is None and not schema.get("properties") and not schema.get("items"))
    )
