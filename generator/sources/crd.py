"""CustomResourceDefinitions (``apiextensions.k8s.io/v1``) -> IR.

Every served version becomes a group-version module; the storage version is marked;
deprecation flags and warnings are carried. The same CRD name in several files
(release channels, all-in-one installs) is resolved deterministically: the file that
sorts last wins, with a warning naming both.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

from kube_clientgen import ir
from kube_clientgen.errors import SourceError, json_pointer
from kube_clientgen.sources.files import Document
from kube_clientgen.sources.schema import LIST_META, SchemaConverter

CRD_API_VERSIONS = ("apiextensions.k8s.io/v1",)

# What the apiserver accepts (and what becomes package names and apiVersion strings):
# the group is a DNS-1123 subdomain, a version name a DNS-1035 label.
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")


class DuplicateCRDWarning(UserWarning):
    pass


def is_crd(doc: Document) -> bool:
    data = doc.data
    return isinstance(data, dict) and data.get("kind") == "CustomResourceDefinition"


def select_crds(docs: list[Document]) -> list[Document]:
    """One document per CRD name; documents are given in sorted file order."""
    chosen: dict[str, Document] = {}
    for doc in docs:
        name = str((doc.data.get("metadata") or {}).get("name", ""))
        if name in chosen:
            warnings.warn(
                f"CRD {name} is defined in {chosen[name].label} and {doc.label}; using {doc.label}",
                DuplicateCRDWarning,
                stacklevel=2,
            )
        chosen[name] = doc
    return [chosen[name] for name in sorted(chosen)]


def add_crd(api: ir.Api, doc: Document) -> None:
    data: dict[str, Any] = doc.data
    label = doc.label
    if data.get("apiVersion") not in CRD_API_VERSIONS:
        raise SourceError(
            label,
            "/apiVersion",
            f"unsupported CRD apiVersion {data.get('apiVersion')!r}; expected apiextensions.k8s.io/v1",
        )
    spec = _mapping(data, "spec", label, "")
    group = _string(spec, "group", label, "/spec")
    if len(group) > 253 or not _DNS_SUBDOMAIN.fullmatch(group):
        raise SourceError(
            label,
            "/spec/group",
            f"group {group!r} is not a DNS subdomain (lowercase letters, digits, '-' and '.')",
        )
    names = _mapping(spec, "names", label, "/spec")
    kind = _string(names, "kind", label, "/spec/names")
    plural = _string(names, "plural", label, "/spec/names")
    scope = spec.get("scope", "Namespaced")
    if scope not in ("Namespaced", "Cluster"):
        raise SourceError(
            label, "/spec/scope", f"scope must be Namespaced or Cluster, not {scope!r}"
        )
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        raise SourceError(label, "/spec/versions", "a CRD needs a non-empty list of versions")
    converter = SchemaConverter(api, label)
    for index, version in enumerate(versions):
        pointer = json_pointer("spec", "versions", index)
        if not isinstance(version, dict):
            raise SourceError(label, pointer, "a version must be a mapping")
        if not version.get("served", False):
            continue
        name = _string(version, "name", label, pointer)
        if len(name) > 63 or not _DNS_LABEL.fullmatch(name):
            raise SourceError(
                label,
                pointer + "/name",
                f"version name {name!r} is not a DNS label (like v1, v1beta2)",
            )
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if not isinstance(schema, dict):
            raise SourceError(
                label,
                pointer + "/schema/openAPIV3Schema",
                "missing openAPIV3Schema: cannot generate types without a schema",
            )
        gv = ir.GroupVersion(group, name)
        gvk = ir.GVK(group, name, kind)
        type_id = f"{data['metadata']['name']}/{name}"
        model = converter.model(
            schema,
            pointer + "/schema/openAPIV3Schema",
            type_id,
            kind,
            gv,
            gvks=[gvk],
            top_level=True,
        )
        if version.get("deprecated"):
            model.deprecated = str(
                version.get("deprecationWarning") or f"{gv.api_version} {kind} is deprecated"
            )
        _add_list_type(api, type_id, kind, gv)
        api.resources.append(
            ir.Resource(
                group_version=gv,
                kind=kind,
                plural=plural,
                singular=str(names.get("singular") or kind.lower()),
                namespaced=scope == "Namespaced",
                verbs=ir.STANDARD_VERBS,
                short_names=tuple(str(s) for s in names.get("shortNames") or ()),
                categories=tuple(str(s) for s in names.get("categories") or ()),
                subresources=_subresources(version.get("subresources") or {}),
                printer_columns=[
                    ir.PrinterColumn(
                        name=str(c.get("name", "")),
                        type=str(c.get("type", "")),
                        json_path=str(c.get("jsonPath", "")),
                        description=str(c.get("description", "")),
                        priority=int(c.get("priority", 0)),
                        format=str(c.get("format", "")),
                    )
                    for c in version.get("additionalPrinterColumns") or ()
                ],
                storage_version=bool(version.get("storage")),
                deprecated=bool(version.get("deprecated")),
                deprecation_warning=version.get("deprecationWarning"),
                list_kind=str(names.get("listKind") or kind + "List"),
            )
        )


def _add_list_type(api: ir.Api, item_id: str, kind: str, gv: ir.GroupVersion) -> None:
    list_type = ir.ModelType(
        type_id=item_id + "#list",
        group_version=gv,
        base_name=kind + "List",
        description=f"A list of {kind} objects.",
        gvks=[ir.GVK(gv.group, gv.version, kind + "List")],
        fields=[
            ir.Field(wire_name="apiVersion", type=ir.Primitive("str")),
            ir.Field(wire_name="items", type=ir.ListOf(ir.Ref(item_id)), required=True),
            ir.Field(wire_name="kind", type=ir.Primitive("str")),
            ir.Field(wire_name="metadata", type=ir.Ref(LIST_META)),
        ],
    )
    api.types[list_type.type_id] = list_type


def _subresources(spec: dict[str, Any]) -> list[ir.Subresource]:
    result = []
    if "scale" in spec:
        scale = spec["scale"] or {}
        result.append(
            ir.Subresource(
                name="scale",
                verbs=("get", "patch", "update"),
                kind=ir.GVK("autoscaling", "v1", "Scale"),
                spec_replicas_path=scale.get("specReplicasPath"),
                status_replicas_path=scale.get("statusReplicasPath"),
                label_selector_path=scale.get("labelSelectorPath"),
            )
        )
    if "status" in spec:
        result.append(ir.Subresource(name="status", verbs=("get", "patch", "update")))
    return sorted(result, key=lambda s: s.name)


def _mapping(data: dict[str, Any], key: str, label: str, pointer: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise SourceError(label, pointer + json_pointer(key), "missing or not a mapping")
    return value


def _string(data: dict[str, Any], key: str, label: str, pointer: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise SourceError(label, pointer + json_pointer(key), "missing or not a string")
    return value
