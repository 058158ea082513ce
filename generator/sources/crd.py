"""CustomResourceDefinitions (``apiextensions.k8s.io/v1``) -> IR.

Every version a CRD defines becomes a group-version module with a model, a list model and
scheme entries, because real manifests and stored objects still use versions a CRD no
longer serves; only served versions get client getters, and the others are marked not
served in their docstring and ``RESOURCE`` metadata. The storage version is marked;
deprecation flags and warnings are carried.

The same CRD name in several files (gateway-api's standard and experimental channels,
metallb's all-in-one install beside the single CRDs) is merged by version, because each
copy may serve versions the other does not: a version that any copy serves is served, its
schema taken from the last file (in sorted path order) that serves it; a version no copy
serves comes from the last file that defines it; names and scope come from the last file.
A warning names the files and says so.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any

from kube_clientgen import ir
from kube_clientgen.errors import SourceError, json_pointer
from kube_clientgen.sources.files import Document
from kube_clientgen.sources.schema import (
    LIST_META,
    SchemaConverter,
    schema_refs,
    unique_type_id,
)
from kube_clientgen.sources.shapes import check_shape

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


@dataclass(frozen=True)
class CRDSource:
    """One CRD after merging its copies: names and scope from ``doc``, and each version as
    (the copy it is taken from, its index in that copy's ``spec.versions``)."""

    doc: Document
    versions: tuple[tuple[Document, int], ...]


def select_crds(docs: list[Document]) -> list[CRDSource]:
    """One merged CRD per name; documents are given in sorted file order.

    Every document is checked against the declared CRD shape first (``sources.shapes``),
    so everything after reads well-typed values.
    """
    copies: dict[str, list[Document]] = {}
    for doc in docs:
        if doc.data.get("apiVersion") not in CRD_API_VERSIONS:
            raise SourceError(
                doc.label,
                "/apiVersion",
                f"unsupported CRD apiVersion {doc.data.get('apiVersion')!r}; "
                "expected apiextensions.k8s.io/v1",
            )
        check_shape(doc, "crd")
        copies.setdefault(doc.data["metadata"]["name"], []).append(doc)
    return [_merge(name, copies[name]) for name in sorted(copies)]


def _merge(name: str, docs: list[Document]) -> CRDSource:
    last = docs[-1]
    if len(docs) == 1:
        return CRDSource(last, tuple((last, i) for i in range(len(_versions(last)))))
    defined: dict[str, list[tuple[Document, int, bool]]] = {}
    for doc in reversed(docs):  # the last file's versions first, in its order
        for index, version in enumerate(_versions(doc)):
            defined.setdefault(version["name"], []).append(
                (doc, index, bool(version.get("served")))
            )
    chosen: list[tuple[Document, int]] = []
    elsewhere: list[str] = []
    for version_name, candidates in defined.items():
        serving = [c for c in candidates if c[2]]
        doc, index, _ = (serving or candidates)[0]
        chosen.append((doc, index))
        if doc is not last:
            elsewhere.append(f"{version_name} from {doc.label}")
    files = ", ".join(d.label for d in docs)
    taken = f"; versions taken from other copies: {', '.join(elsewhere)}" if elsewhere else ""
    warnings.warn(
        f"CRD {name} is defined in {files}; merged by version (a version any copy serves is "
        f"served, from the last file that serves it; names and scope from {last.label}){taken}",
        DuplicateCRDWarning,
        stacklevel=3,
    )
    return CRDSource(last, tuple(chosen))


def _versions(doc: Document) -> list[dict[str, Any]]:
    versions: list[dict[str, Any]] = doc.data["spec"]["versions"]
    return versions


def _check_names(label: str, names: dict[str, Any]) -> None:
    """``spec.names`` as kube-apiserver validates them (``ValidateCustomResourceDefinitionNames``):
    plural, singular, short names and categories are DNS-1035 labels; kind and listKind
    are too once lowercased (they may have mixed case)."""

    def check(value: Any, pointer: str, what: str, mixed_case: bool = False) -> None:
        text = value.lower() if mixed_case and isinstance(value, str) else value
        if not isinstance(text, str) or len(text) > 63 or not _DNS_LABEL.fullmatch(text):
            case = "may have mixed case, but otherwise " if mixed_case else ""
            raise SourceError(
                label,
                pointer,
                f"{what} {str(value)[:100]!r} {case}must be a DNS-1035 label (letters, digits "
                "and '-', starting with a letter)",
            )

    check(names.get("plural"), "/spec/names/plural", "plural")
    check(names.get("kind"), "/spec/names/kind", "kind", mixed_case=True)
    for key, what, mixed in (("singular", "singular", False), ("listKind", "listKind", True)):
        if names.get(key):
            check(names[key], f"/spec/names/{key}", what, mixed_case=mixed)
    for key in ("shortNames", "categories"):
        for index, value in enumerate(names.get(key) or ()):
            check(value, json_pointer("spec", "names", key, index), key[:-1])


def add_crd(api: ir.Api, crd: CRDSource) -> None:
    data: dict[str, Any] = crd.doc.data
    label = crd.doc.label
    spec = data["spec"]
    group = spec["group"]
    if len(group) > 253 or not _DNS_SUBDOMAIN.fullmatch(group):
        raise SourceError(
            label,
            "/spec/group",
            f"group {group!r} is not a DNS subdomain (lowercase letters, digits, '-' and '.')",
        )
    names = spec["names"]
    _check_names(label, names)
    kind: str = names["kind"]
    plural: str = names["plural"]
    scope = spec.get("scope") or "Namespaced"
    converters: dict[str, SchemaConverter] = {}
    for doc, index in crd.versions:
        version = _versions(doc)[index]
        pointer = json_pointer("spec", "versions", index)
        name = version["name"]
        if len(name) > 63 or not _DNS_LABEL.fullmatch(name):
            raise SourceError(
                doc.label,
                pointer + "/name",
                f"version name {name!r} is not a DNS label (like v1, v1beta2)",
            )
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if not isinstance(schema, dict):
            raise SourceError(
                doc.label,
                pointer + "/schema/openAPIV3Schema",
                "missing openAPIV3Schema: cannot generate types without a schema",
            )
        for ref, where in schema_refs(schema, pointer + "/schema/openAPIV3Schema"):
            # kube-apiserver refuses $ref anywhere in a CRD schema, not only where we read
            raise SourceError(
                doc.label,
                where,
                f"unsupported construct: $ref {ref[:200]!r} (structural schemas have no references)",
            )
        served = bool(version.get("served"))
        converter = converters.setdefault(
            doc.label, SchemaConverter(api, doc.label, shareable=True)
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
        if not served:
            model.description = _not_served_note(gv, kind, model.description)
        if version.get("deprecated"):
            model.deprecated = str(
                version.get("deprecationWarning") or f"{gv.api_version} {kind} is deprecated"
            )
        _add_list_type(api, model.type_id, kind, gv)
        api.resources.append(
            ir.Resource(
                group_version=gv,
                kind=kind,
                plural=plural,
                singular=str(names.get("singular") or kind.lower()),
                namespaced=scope == "Namespaced",
                verbs=ir.STANDARD_VERBS,
                short_names=tuple(names.get("shortNames") or ()),
                categories=tuple(names.get("categories") or ()),
                subresources=_subresources(version.get("subresources") or {}),
                printer_columns=[
                    ir.PrinterColumn(
                        name=c.get("name") or "",
                        type=c.get("type") or "",
                        json_path=c.get("jsonPath") or "",
                        description=c.get("description") or "",
                        priority=c.get("priority") or 0,
                        format=c.get("format") or "",
                    )
                    for c in version.get("additionalPrinterColumns") or ()
                ],
                storage_version=bool(version.get("storage")),
                deprecated=bool(version.get("deprecated")),
                deprecation_warning=version.get("deprecationWarning"),
                list_kind=str(names.get("listKind") or kind + "List"),
                served=served,
                source=f"{doc.label}#{pointer}",
            )
        )


def _not_served_note(gv: ir.GroupVersion, kind: str, description: str) -> str:
    note = (
        f"Not served: the CustomResourceDefinition defines {gv.api_version} {kind} with "
        "served: false, so the API server does not serve this version and no client getter "
        "is generated; the model reads and writes such objects (manifests, stored data)."
    )
    return f"{description}\n\n{note}" if description else note


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
    list_type.type_id = unique_type_id(api, list_type.type_id)
    api.types[list_type.type_id] = list_type


def _subresources(spec: dict[str, Any]) -> list[ir.Subresource]:
    result = []
    # null is unset, as Go decodes it: no subresource
    if spec.get("scale") is not None:
        scale = spec["scale"]
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
    if spec.get("status") is not None:
        result.append(ir.Subresource(name="status", verbs=("get", "patch", "update")))
    return sorted(result, key=lambda s: s.name)
