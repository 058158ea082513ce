"""The intermediate representation: the single source of truth the templates read.

Sources (swagger v2, OpenAPI v3, CRD YAML) produce an ``Api``; naming fills in Python
names; templates render it. Nothing downstream of this module looks at a raw spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# --- types -----------------------------------------------------------------------

PrimitiveName = Literal["str", "int", "float", "bool"]
SpecialName = Literal["Quantity", "IntOrString", "Time", "MicroTime"]


@dataclass(frozen=True)
class Primitive:
    name: PrimitiveName


@dataclass(frozen=True)
class Special:
    """A value type with hand-written runtime support in kubecore."""

    name: SpecialName


@dataclass(frozen=True)
class AnyJson:
    """Arbitrary JSON kept as decoded (preserve-unknown-fields, embedded resources, JSON).

    ``object_only`` marks a value that is always a JSON object (``dict[str, Any]``).
    """

    object_only: bool = False
    embedded_resource: bool = False


@dataclass(frozen=True)
class Ref:
    """A named type (model or enum) by its type id."""

    type_id: str


@dataclass(frozen=True)
class ListOf:
    item: TypeRef


@dataclass(frozen=True)
class MapOf:
    value: TypeRef


@dataclass(frozen=True)
class UnionOf:
    """anyOf / oneOf over primitive alternatives: values are kept as decoded."""

    options: tuple[TypeRef, ...]


TypeRef = Primitive | Special | AnyJson | Ref | ListOf | MapOf | UnionOf


@dataclass
class Field:
    wire_name: str
    type: TypeRef
    description: str = ""
    required: bool = False
    nullable: bool = False
    deprecated: bool = False
    patch_strategy: str | None = None
    patch_merge_key: str | None = None
    list_type: str | None = None
    list_map_keys: tuple[str, ...] = ()
    python_name: str = ""  # filled by naming


@dataclass(frozen=True)
class GroupVersion:
    group: str  # "" for the core group
    version: str

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


@dataclass(frozen=True)
class GVK:
    group: str
    version: str
    kind: str

    @property
    def group_version(self) -> GroupVersion:
        return GroupVersion(self.group, self.version)


@dataclass
class ModelType:
    type_id: str
    group_version: GroupVersion | None  # None: lives in kubecore (apimachinery types)
    base_name: str  # preferred class name before collision handling
    description: str = ""
    fields: list[Field] = field(default_factory=list)
    gvks: list[GVK] = field(default_factory=list)  # x-kubernetes-group-version-kind
    source: str = ""  # "file#/json/pointer" for messages
    python_name: str = ""  # filled by naming
    deprecated: str | None = None


@dataclass
class EnumType:
    type_id: str
    group_version: GroupVersion | None
    base_name: str
    values: tuple[str, ...]
    description: str = ""
    python_name: str = ""
    member_names: tuple[str, ...] = ()  # filled by naming


# --- resources -------------------------------------------------------------------

Verb = Literal["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"]
STANDARD_VERBS: tuple[str, ...] = (
    "get",
    "list",
    "watch",
    "create",
    "update",
    "patch",
    "delete",
    "deletecollection",
)


@dataclass
class Subresource:
    name: str  # status, scale, log, eviction, ...
    verbs: tuple[str, ...]
    kind: GVK | None = None  # the body kind when it differs from the parent (Scale, Eviction)
    # CRD scale subresource paths
    spec_replicas_path: str | None = None
    status_replicas_path: str | None = None
    label_selector_path: str | None = None


@dataclass
class PrinterColumn:
    name: str
    type: str
    json_path: str
    description: str = ""
    priority: int = 0
    format: str = ""


@dataclass
class Resource:
    group_version: GroupVersion
    kind: str
    plural: str
    singular: str
    namespaced: bool
    verbs: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: list[Subresource] = field(default_factory=list)
    printer_columns: list[PrinterColumn] = field(default_factory=list)
    storage_version: bool = False
    deprecated: bool = False
    deprecation_warning: str | None = None
    list_kind: str = ""
    served: bool = True  # False: a CRD version with served: false (a model, no client getter)
    source: str = ""  # "file#/json/pointer" for messages
    python_name: str = ""  # getter name, e.g. "pods", "virtual_machines" (filled by naming)


@dataclass
class Api:
    """Everything one generation run knows."""

    types: dict[str, ModelType] = field(default_factory=dict)
    enums: dict[str, EnumType] = field(default_factory=dict)
    resources: list[Resource] = field(default_factory=list)

    def group_versions(self) -> list[GroupVersion]:
        seen = {t.group_version for t in self.types.values() if t.group_version}
        seen |= {r.group_version for r in self.resources}
        return sorted(seen, key=lambda gv: (gv.group, gv.version))

    def kind_type(self, gvk: GVK) -> ModelType | None:
        for t in self.types.values():
            if gvk in t.gvks:
                return t
        return None
