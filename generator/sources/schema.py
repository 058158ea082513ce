"""JSON schema (OpenAPI v2/v3 definitions and CRD structural schemas) -> IR types.

Nested objects with properties become models named after their path
(``VirtualMachine`` > ``spec`` -> ``VirtualMachineSpec``); inline string enums become
enum types named the same way. References go through ``resolve_ref`` so the OpenAPI and
the CRD sources share everything else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from kube_clientgen import ir
from kube_clientgen.errors import SourceError, json_pointer
from kube_clientgen.naming import pascal_case

# controller-gen writes resource.Quantity as int-or-string with this pattern.
QUANTITY_PATTERN_HINT = "(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?"

META_V1 = "io.k8s.apimachinery.pkg.apis.meta.v1."
OBJECT_META = META_V1 + "ObjectMeta"
LIST_META = META_V1 + "ListMeta"
CONDITION = META_V1 + "Condition"

# meta/v1 Condition's properties and the (type, format) each must have; observedGeneration
# may be absent (older controller-gen output and hand-written CRDs leave it out).
_CONDITION_SHAPE: dict[str, tuple[str, str | None]] = {
    "type": ("string", None),
    "status": ("string", None),
    "observedGeneration": ("integer", None),
    "lastTransitionTime": ("string", "date-time"),
    "reason": ("string", None),
    "message": ("string", None),
}

_PRIMITIVES: dict[str, ir.PrimitiveName] = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
}
# Keywords that give a schema a shape (anything else in an anyOf branch only validates).
_SHAPE_KEYWORDS = {
    "type",
    "$ref",
    "items",
    "additionalProperties",
    "enum",
    "format",
    "x-kubernetes-int-or-string",
}

RefResolver = Callable[[str, str], ir.TypeRef]


def _no_refs(ref: str, where: str) -> ir.TypeRef:
    raise ValueError(f"unsupported construct: $ref {ref!r} (structural schemas have no references)")


def schema_refs(schema: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """Every ``$ref`` of a schema and its JSON pointer, at any depth and in every branch,
    including those the converter reads only for their shape or skips (``anyOf``/``oneOf``
    under a typed parent, ``allOf`` beside other members, ``not``, tuple ``items``), so a
    reference is checked once where documents enter. Walks schema keywords only: a property
    *named* ``$ref``, or data under ``default``/``example``, is not a reference. Depth is
    bounded in ``sources.files``."""
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref")
    if isinstance(ref, str):
        yield ref, pointer + "/$ref"
    properties = schema.get("properties")
    for key, sub in (properties if isinstance(properties, dict) else {}).items():
        yield from schema_refs(sub, pointer + json_pointer("properties", key))
    for key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
        sub = schema.get(key)
        if isinstance(sub, list):
            for i, member in enumerate(sub):
                yield from schema_refs(member, pointer + json_pointer(key, i))
        else:
            yield from schema_refs(sub, pointer + json_pointer(key))


def unique_type_id(api: ir.Api, type_id: str, reserved: frozenset[str] = frozenset()) -> str:
    """``type_id``, or ``type_id~2``, ``~3``, ... if a type already has it.

    Type ids are built from paths (``kind.spec.x``), so a property named ``a.b`` and a
    property ``b`` inside ``a`` would share one; a fresh id keeps the second type from
    overwriting the first. The walk is deterministic, so the ids are too.
    """
    if type_id not in api.types and type_id not in api.enums and type_id not in reserved:
        return type_id
    n = 2
    while (fresh := f"{type_id}~{n}") in api.types or fresh in api.enums or fresh in reserved:
        n += 1
    return fresh


class SchemaConverter:
    """Converts one file's schemas; errors carry ``file`` and the JSON pointer.

    ``reserved`` holds the ids that only their owner may take with ``model(claim=True)``
    (OpenAPI definition names, which ``$ref``s resolve to); nested types never take them.
    """

    def __init__(
        self,
        api: ir.Api,
        file: str,
        resolve_ref: RefResolver = _no_refs,
        reserved: frozenset[str] = frozenset(),
        *,
        shareable: bool = False,
    ) -> None:
        self.api = api
        self.file = file
        self.resolve_ref = resolve_ref
        self.reserved = reserved
        self.shareable = shareable  # inline types may later share a class (CRD schemas)

    def error(self, pointer: str, message: str) -> SourceError:
        return SourceError(self.file, pointer, message)

    # -- models ----------------------------------------------------------------------

    def model(
        self,
        schema: dict[str, Any],
        pointer: str,
        type_id: str,
        base_name: str,
        gv: ir.GroupVersion | None,
        *,
        gvks: list[ir.GVK] | None = None,
        top_level: bool = False,
        claim: bool = False,
    ) -> ir.ModelType:
        """Register and return the model for an object schema with properties.

        The model's ``type_id`` is ``type_id`` when ``claim`` is set (an OpenAPI definition
        name), else a fresh id based on it (see ``unique_type_id``).
        """
        if not claim:
            type_id = unique_type_id(self.api, type_id, self.reserved)
        model = ir.ModelType(
            type_id=type_id,
            group_version=gv,
            base_name=base_name,
            description=str(schema.get("description") or ""),
            gvks=list(gvks or []),
            source=f"{self.file}#{pointer}",
            shareable=self.shareable and not claim and not gvks,
        )
        self.api.types[type_id] = model  # registered first: recursive schemas refer back
        properties = _merged_properties(schema)
        if not isinstance(properties, dict):
            raise self.error(pointer + "/properties", "properties must be a mapping")
        required = set(schema.get("required") or ())
        for wire_name in sorted(properties):
            prop = properties[wire_name]
            prop_pointer = pointer + json_pointer("properties", wire_name)
            if not isinstance(prop, dict):
                raise self.error(prop_pointer, "a property schema must be a mapping")
            if top_level and wire_name == "metadata":
                field_type: ir.TypeRef = ir.Ref(OBJECT_META)
            else:
                field_type = self.convert(
                    prop,
                    prop_pointer,
                    type_id + "." + wire_name,
                    base_name + pascal_case(wire_name),
                    gv,
                )
            model.fields.append(_field(wire_name, field_type, prop, wire_name in required))
        if top_level:
            _ensure_type_meta(model)
        return model

    # -- any schema ------------------------------------------------------------------

    def convert(
        self,
        schema: dict[str, Any],
        pointer: str,
        type_id: str,
        name: str,
        gv: ir.GroupVersion | None,
    ) -> ir.TypeRef:
        try:
            return self._convert(schema, pointer, type_id, name, gv)
        except ValueError as err:
            raise self.error(pointer, str(err)) from None

    def _convert(
        self,
        schema: dict[str, Any],
        pointer: str,
        type_id: str,
        name: str,
        gv: ir.GroupVersion | None,
    ) -> ir.TypeRef:
        if "$ref" in schema:
            return self.resolve_ref(str(schema["$ref"]), pointer + "/$ref")
        all_of = schema.get("allOf")
        if all_of:
            if len(all_of) == 1 and isinstance(all_of[0], dict) and "$ref" in all_of[0]:
                return self.resolve_ref(str(all_of[0]["$ref"]), pointer + "/allOf/0/$ref")
            if any(isinstance(s, dict) and "$ref" in s for s in all_of):
                return ir.AnyJson()
        if schema.get("x-kubernetes-int-or-string"):
            return ir.Special(
                "Quantity"
                if QUANTITY_PATTERN_HINT in str(schema.get("pattern", ""))
                else "IntOrString"
            )
        union = self._union(schema, pointer, type_id, name, gv)
        if union is not None:
            return union
        schema_type = schema.get("type")
        if isinstance(schema_type, list):
            raise ValueError(f"unsupported construct: type {schema_type!r} (a list of types)")
        properties = _merged_properties(schema)
        if schema.get("x-kubernetes-embedded-resource") and not properties:
            return ir.AnyJson(object_only=True, embedded_resource=True)
        if _is_meta_condition(schema, properties):
            return ir.Ref(CONDITION)
        if schema_type in (None, "object") and properties:
            return ir.Ref(
                self.model(
                    schema,
                    pointer,
                    type_id,
                    name,
                    gv,
                    top_level=bool(schema.get("x-kubernetes-embedded-resource")),
                ).type_id
            )
        if schema_type == "object":
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return ir.MapOf(
                    self.convert(extra, pointer + "/additionalProperties", type_id + "{}", name, gv)
                )
            if extra is True or (isinstance(extra, dict) and not extra):
                return ir.MapOf(ir.AnyJson())
            return ir.AnyJson(object_only=True)
        if schema_type == "array":
            items = schema.get("items")
            if isinstance(items, dict):
                return ir.ListOf(self.convert(items, pointer + "/items", type_id + "[]", name, gv))
            return ir.ListOf(ir.AnyJson())
        if schema_type is None:
            return ir.AnyJson()
        if schema_type not in _PRIMITIVES:
            raise ValueError(f"unsupported construct: type {schema_type!r}")
        if schema_type == "string":
            fmt = schema.get("format")
            if fmt == "date-time":
                return ir.Special("Time")
            if fmt == "int-or-string":
                return ir.Special("IntOrString")
            enum = schema.get("enum")
            if isinstance(enum, list):
                values = tuple(v for v in enum if v is not None)
                if values and all(isinstance(v, str) for v in values):
                    return self._enum(values, schema, type_id, name, gv)
        return ir.Primitive(_PRIMITIVES[schema_type])

    def _union(
        self,
        schema: dict[str, Any],
        pointer: str,
        type_id: str,
        name: str,
        gv: ir.GroupVersion | None,
    ) -> ir.TypeRef | None:
        """anyOf/oneOf: validation-only branches are ignored; typed branches form a union."""
        for key in ("anyOf", "oneOf"):
            branches = schema.get(key)
            if not branches:
                continue
            if not isinstance(branches, list) or not all(isinstance(b, dict) for b in branches):
                raise ValueError(f"{key} must be a list of schemas")
            if not any(set(b) & _SHAPE_KEYWORDS for b in branches):
                continue  # constraints on which properties are set, not alternative shapes
            if schema.get("type") or schema.get("properties"):
                continue  # the parent already fixes the shape
            options: list[ir.TypeRef] = []
            for i, branch in enumerate(branches):
                option = self.convert(
                    branch, pointer + json_pointer(key, i), f"{type_id}|{i}", name, gv
                )
                if not isinstance(option, ir.Primitive | ir.Special):
                    return ir.AnyJson()
                if option not in options:
                    options.append(option)
            return options[0] if len(options) == 1 else ir.UnionOf(tuple(options))
        return None

    def _enum(
        self,
        values: tuple[str, ...],
        schema: dict[str, Any],
        type_id: str,
        name: str,
        gv: ir.GroupVersion | None,
    ) -> ir.TypeRef:
        unique = tuple(dict.fromkeys(values))
        type_id = unique_type_id(self.api, type_id, self.reserved)
        self.api.enums[type_id] = ir.EnumType(
            type_id=type_id,
            group_version=gv,
            base_name=name,
            values=unique,
            description=str(schema.get("description") or ""),
            shareable=self.shareable,
        )
        return ir.Ref(type_id)


def _is_meta_condition(schema: dict[str, Any], properties: dict[str, Any]) -> bool:
    """Whether an inline object schema is structurally meta/v1 ``Condition``.

    Such items (``status.conditions`` of CRDs written with controller-gen's
    ``[]metav1.Condition``) are typed as kubecore's
    ``kubecore.core.generated.meta_v1.Condition`` rather than a per-CRD copy: one type for
    ``kubecore.runtime.conditions`` and user code across every CRD, as Go shares
    ``metav1.Condition``. The match is strict (the same property names and types, no
    other properties, no unknown-field preservation), so decoding stays lossless:
    anything the schema allows, ``Condition`` carries. A status enum (``True``,
    ``False``, ``Unknown``) only narrows what ``Condition.status`` holds, so it fits.
    """
    if schema.get("type", "object") != "object" or not properties:
        return False
    if schema.get("x-kubernetes-preserve-unknown-fields") or schema.get("additionalProperties"):
        return False
    names = set(properties)
    if not set(_CONDITION_SHAPE) - {"observedGeneration"} <= names <= set(_CONDITION_SHAPE):
        return False
    for name, prop in properties.items():
        wanted_type, wanted_format = _CONDITION_SHAPE[name]
        if not isinstance(prop, dict) or prop.get("type") != wanted_type:
            return False
        if wanted_format is not None and prop.get("format") != wanted_format:
            return False
        if wanted_format is None and prop.get("format") not in (None, "int64", "int32"):
            return False
        if "x-kubernetes-int-or-string" in prop or "properties" in prop:
            return False
    return True


def _ensure_type_meta(model: ir.ModelType) -> None:
    """apiVersion, kind and metadata exist on every kind and embedded resource."""
    present = {f.wire_name for f in model.fields}
    implied = (
        ("apiVersion", ir.Primitive("str")),
        ("kind", ir.Primitive("str")),
        ("metadata", ir.Ref(OBJECT_META)),
    )
    for wire, type_ in implied:
        if wire not in present:
            model.fields.append(ir.Field(wire_name=wire, type=type_))
    model.fields.sort(key=lambda f: f.wire_name)


def _merged_properties(schema: dict[str, Any]) -> dict[str, Any]:
    """``properties`` plus those of inline ``allOf`` members."""
    own: dict[str, Any] = schema.get("properties") or {}
    members = [m["properties"] for m in schema.get("allOf") or () if m.get("properties")]
    if not members:
        return own
    merged: dict[str, Any] = {}
    for properties in reversed(members):  # the schema's own, then earlier members, win
        merged.update(properties)
    merged.update(own)
    return merged


def _field(
    wire_name: str, field_type: ir.TypeRef, prop: dict[str, Any], required: bool
) -> ir.Field:
    description = str(prop.get("description") or "")
    keys = prop.get("x-kubernetes-list-map-keys") or ()
    return ir.Field(
        wire_name=wire_name,
        type=field_type,
        description=description,
        required=required,
        nullable=bool(prop.get("nullable")),
        deprecated=description.lstrip().lower().startswith("deprecated"),
        patch_strategy=prop.get("x-kubernetes-patch-strategy"),
        patch_merge_key=prop.get("x-kubernetes-patch-merge-key"),
        list_type=prop.get("x-kubernetes-list-type"),
        list_map_keys=tuple(str(k) for k in keys),
    )
