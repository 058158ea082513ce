"""The declared shape of what the generator reads, checked once where documents enter.

Every value the sources read from a CRD or an OpenAPI document has its JSON type declared
here, as a JSON Schema (draft 2020-12) of *what we read* — not of everything Kubernetes
accepts: unknown keys are allowed, and keys the generator never looks at are not checked.
``check_shape`` validates a document against it and turns the first violation into a
``SourceError`` naming the file, the document index and a JSON pointer, so the converters
after it can read without a type check at each step.

The validator is ``jsonschema_rs`` (a compiled, maintained JSON Schema library whose errors
carry the instance path). Measured on the 120 real CRDs of ../shared/specs: 0.045 s with it,
4.5 s with the pure-Python ``jsonschema`` (which also recurses in Python, so deep input would
need its own guard); both give JSON pointers. Documents are bounded in size and depth before
they get here (``sources.files``).
"""

from __future__ import annotations

from typing import Any

import jsonschema_rs

from kube_clientgen.errors import SourceError, json_pointer
from kube_clientgen.sources.files import Document

# Optional values may be null, as Go's JSON decoder (the apiserver's) takes null for "unset";
# the sources read null like an absent key. Names the generator needs are non-empty strings.
MAX_ENUM_VALUES = 1000  # the largest real enum has 23 values; each value becomes a member

_STRING = {"type": ["string", "null"]}
_NONEMPTY_STRING = {"type": "string", "minLength": 1}
_BOOLEAN = {"type": ["boolean", "null"]}
_STRINGS = {"type": ["array", "null"], "items": {"type": "string"}}
_PROPS = {"$ref": "#/$defs/props"}
_GVK = {
    "type": "object",
    "properties": {
        "group": {"type": "string"},
        "version": {"type": "string"},
        "kind": {"type": "string"},
    },
}

# JSONSchemaProps as the schema converter reads it (sources/schema.py).
_PROPS_SHAPE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "$ref": _STRING,
        "type": {"anyOf": [_STRING, _STRINGS]},
        "format": _STRING,
        "pattern": _STRING,
        "description": _STRING,
        "properties": {"type": ["object", "null"], "additionalProperties": _PROPS},
        "additionalProperties": {"anyOf": [_BOOLEAN, _PROPS]},
        "items": {"anyOf": [{"type": "null"}, _PROPS, {"type": "array", "items": _PROPS}]},
        "allOf": {"type": ["array", "null"], "items": _PROPS},
        "anyOf": {"type": ["array", "null"], "items": _PROPS},
        "oneOf": {"type": ["array", "null"], "items": _PROPS},
        "required": _STRINGS,
        "enum": {"type": ["array", "null"], "maxItems": MAX_ENUM_VALUES},
        "nullable": _BOOLEAN,
        "x-kubernetes-int-or-string": _BOOLEAN,
        "x-kubernetes-embedded-resource": _BOOLEAN,
        "x-kubernetes-preserve-unknown-fields": _BOOLEAN,
        "x-kubernetes-list-type": _STRING,
        "x-kubernetes-list-map-keys": _STRINGS,
        "x-kubernetes-patch-strategy": _STRING,
        "x-kubernetes-patch-merge-key": _STRING,
        "x-kubernetes-group-version-kind": {"type": ["array", "null"], "items": _GVK},
    },
}

_PRINTER_COLUMN = {
    "type": "object",
    "properties": {
        "name": _STRING,
        "type": _STRING,
        "jsonPath": _STRING,
        "description": _STRING,
        "priority": {"type": ["integer", "null"]},
        "format": _STRING,
    },
}
_SCALE = {
    "type": ["object", "null"],
    "properties": {
        "specReplicasPath": _STRING,
        "statusReplicasPath": _STRING,
        "labelSelectorPath": _STRING,
    },
}
_VERSION = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": _NONEMPTY_STRING,
        "served": _BOOLEAN,
        "storage": _BOOLEAN,
        "deprecated": _BOOLEAN,
        "deprecationWarning": _STRING,
        "schema": {"type": ["object", "null"], "properties": {"openAPIV3Schema": _PROPS}},
        "subresources": {
            "type": ["object", "null"],
            "properties": {"status": {"type": ["object", "null"]}, "scale": _SCALE},
        },
        "additionalPrinterColumns": {"type": ["array", "null"], "items": _PRINTER_COLUMN},
    },
}

CRD_SHAPE: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "metadata", "spec"],
    "properties": {
        "apiVersion": {"type": "string"},
        "metadata": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": _NONEMPTY_STRING},
        },
        "spec": {
            "type": "object",
            "required": ["group", "names", "versions"],
            "properties": {
                "group": _NONEMPTY_STRING,
                "scope": {"enum": ["Namespaced", "Cluster", None]},
                "names": {
                    "type": "object",
                    "required": ["kind", "plural"],
                    "properties": {
                        "kind": _NONEMPTY_STRING,
                        "plural": _NONEMPTY_STRING,
                        "singular": _STRING,
                        "listKind": _STRING,
                        "shortNames": _STRINGS,
                        "categories": _STRINGS,
                    },
                },
                "versions": {"type": "array", "minItems": 1, "items": _VERSION},
            },
        },
    },
    "$defs": {"props": _PROPS_SHAPE},
}

_OPERATION = {
    "type": "object",
    "properties": {"x-kubernetes-action": _STRING, "x-kubernetes-group-version-kind": _GVK},
}
_PATHS = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "properties": {m: _OPERATION for m in ("get", "put", "post", "patch", "delete")},
    },
}
_SCHEMAS = {"type": "object", "additionalProperties": _PROPS}

OPENAPI_V2_SHAPE: dict[str, Any] = {
    "type": "object",
    "properties": {"definitions": _SCHEMAS, "paths": _PATHS},
    "$defs": {"props": _PROPS_SHAPE},
}
OPENAPI_V3_SHAPE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "components": {"type": "object", "properties": {"schemas": _SCHEMAS}},
        "paths": _PATHS,
    },
    "$defs": {"props": _PROPS_SHAPE},
}

_VALIDATORS = {
    name: jsonschema_rs.Draft202012Validator(shape)
    for name, shape in (
        ("crd", CRD_SHAPE),
        ("openapi-v2", OPENAPI_V2_SHAPE),
        ("openapi-v3", OPENAPI_V3_SHAPE),
    )
}


def check_shape(doc: Document, shape: str) -> None:
    """Raise ``SourceError`` (file, document, JSON pointer) if ``doc`` breaks ``shape``.

    ``shape`` is ``"crd"``, ``"openapi-v2"`` or ``"openapi-v3"``. Of several violations the
    one first in document order is reported, so the message does not depend on the
    library's traversal order.
    """
    validator = _VALIDATORS[shape]
    if validator.is_valid(doc.data):
        return
    errors = sorted(
        validator.iter_errors(doc.data), key=lambda e: [str(p) for p in e.instance_path]
    )
    error: Any = errors[0]
    place = list(error.instance_path)
    if type(error.kind).__name__ == "Required":
        place.append(error.kind.property)  # point at the missing key itself
    raise SourceError(doc.label, json_pointer(*place), _message(error))


def _message(error: Any) -> str:
    kind = error.kind
    name = type(kind).__name__
    if name == "Type" or name == "AnyOf":
        return f"{_describe(error.instance)} is the wrong type here ({_expected(error)})"
    if name == "Required":
        return f"missing the required key {kind.property!r}"
    if name == "Enum":
        options = ", ".join(repr(o) for o in kind.options)
        return f"{_describe(error.instance)} is not one of {options}"
    if name == "MinItems":
        return "must not be empty"
    if name == "MaxItems":
        return f"more than {kind.limit} items: too many to generate"
    if name == "MinLength":
        return "must not be an empty string"
    return str(error.message)[:200]


_ALTERNATIVES = {
    "type": "a type name or a list of them",
    "additionalProperties": "a boolean or a schema",
    "items": "a schema or a list of schemas",
}


def _expected(error: Any) -> str:
    types = getattr(error.kind, "types", None)
    if types:
        return "expected " + " or ".join(str(t) for t in types)
    last = error.instance_path[-1] if error.instance_path else ""
    return "expected " + _ALTERNATIVES.get(str(last), "another shape")


def _describe(value: Any) -> str:
    """A short description of a wrong value: its JSON type and, for scalars, a bounded repr."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {value!r}"
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    kind = "string" if isinstance(value, str) else "number"
    return f"the {kind} {text}"
