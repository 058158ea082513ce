"""Kubernetes OpenAPI (swagger v2 ``definitions``, v3 ``components.schemas``) -> IR."""

from __future__ import annotations

import warnings
from typing import Any

from kube_clientgen import ir
from kube_clientgen.errors import SourceError, json_pointer
from kube_clientgen.sources.files import Document
from kube_clientgen.sources.schema import SchemaConverter, schema_refs
from kube_clientgen.sources.shapes import check_shape
from kubecore.core.builtin_names import BUILTIN_SHORT_NAMES
from kubecore.core.openapi_paths import resources_from_paths

# apimachinery types with hand-written runtime support in kubecore.
_SPECIAL_DEFINITIONS: dict[str, ir.TypeRef] = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": ir.Special("Quantity"),
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": ir.Special("IntOrString"),
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": ir.Special("Time"),
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": ir.Special("MicroTime"),
}
KUBECORE_PACKAGE_PREFIX = "io.k8s.apimachinery."


class DuplicateDefinitionWarning(UserWarning):
    """Two inputs define one OpenAPI definition name differently; the first is used."""


def is_openapi(doc: Document) -> bool:
    data = doc.data
    return isinstance(data, dict) and ("swagger" in data or "openapi" in data)


def add_openapi(api: ir.Api, docs: list[Document]) -> None:
    """Add every definition and resource of the documents (v3: one per group-version)."""
    schemas: dict[str, tuple[Document, str, dict[str, Any]]] = {}
    conflicts: dict[tuple[str, str], list[str]] = {}  # (first, other) -> names
    for doc in docs:
        check_shape(doc, "openapi-v2" if "swagger" in doc.data else "openapi-v3")
    for doc in docs:
        container, pointer = _schema_container(doc)
        for name in sorted(container):
            if not isinstance(container[name], dict):
                continue
            if name not in schemas:
                schemas[name] = (doc, pointer + json_pointer(name), container[name])
            elif schemas[name][2] != container[name]:
                conflicts.setdefault((schemas[name][0].label, doc.label), []).append(name)
    _warn_conflicts(conflicts)
    for doc, pointer, schema in schemas.values():
        _check_refs(schema, pointer, doc.label, schemas)
    packages = _package_group_versions(schemas)
    aliases: dict[str, ir.TypeRef] = {}
    models: list[str] = []
    for name, (_, _, schema) in schemas.items():
        if name in _SPECIAL_DEFINITIONS:
            aliases[name] = _SPECIAL_DEFINITIONS[name]
        elif _is_model(schema):
            models.append(name)

    def resolve(ref: str, where: str) -> ir.TypeRef:
        name = _ref_target(ref, schemas)
        if name is None:
            raise ValueError(f"dangling $ref {ref!r}")
        if name in aliases:
            return aliases[name]
        if name in model_names:
            return ir.Ref(name)
        doc, pointer, schema = schemas[name]
        aliases[name] = ir.AnyJson()  # a recursive alias is plain JSON
        aliases[name] = converters[doc.path].convert(
            schema, pointer, name, name.rsplit(".", 1)[-1], packages.get(_package(name))
        )
        return aliases[name]

    reserved = model_names = frozenset(models)
    converters = {doc.path: SchemaConverter(api, doc.label, resolve, reserved) for doc in docs}
    for name in sorted(models):
        doc, pointer, schema = schemas[name]
        gvks = [
            ir.GVK(g.get("group", ""), g.get("version", ""), g.get("kind", ""))
            for g in schema.get("x-kubernetes-group-version-kind") or ()
        ]
        converters[doc.path].model(
            schema,
            pointer,
            name,
            name.rsplit(".", 1)[-1],
            packages.get(_package(name)),
            gvks=gvks,
            claim=True,
        )
    for doc in docs:
        paths = doc.data.get("paths") or {}
        _add_resources(api, paths, doc.label)


_REF_PREFIXES = ("#/definitions/", "#/components/schemas/")


def _warn_conflicts(conflicts: dict[tuple[str, str], list[str]]) -> None:
    """One warning per pair of documents defining names differently (the first is used).

    Kubernetes' v3 files repeat shared definitions byte for byte. Different copies (a
    project's swagger embedding an older ``io.k8s.api.core.v1.Container`` beside
    ``kubernetes:1.36``) are common and not an error, but the copy not taken must not vanish
    silently: its extra fields are untyped there (still kept, losslessly).
    """
    for (first, other), names in conflicts.items():
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        warnings.warn(
            f"{len(names)} definition(s) differ between {first} and {other} ({shown}); "
            f"those of {first} are used (inputs in the order given, files sorted)",
            DuplicateDefinitionWarning,
            stacklevel=3,
        )


def _ref_target(ref: str, schemas: dict[str, Any]) -> str | None:
    """The definition a ``$ref`` names, or None: only whole schemas (``#/definitions/<name>``,
    ``#/components/schemas/<name>``) are targets, never a path into one."""
    for prefix in _REF_PREFIXES:
        if ref.startswith(prefix):
            name = ref[len(prefix) :].replace("~1", "/").replace("~0", "~")
            return name if "/" not in ref[len(prefix) :] and name in schemas else None
    return None


def _check_refs(schema: Any, pointer: str, label: str, schemas: dict[str, Any]) -> None:
    """Every ``$ref`` of a schema, in any branch (see ``schema_refs``), names a definition:
    a dangling one is an error at its place, not a silently untyped field."""
    for ref, where in schema_refs(schema, pointer):
        if _ref_target(ref, schemas) is None:
            raise SourceError(label, where, f"dangling $ref {ref[:200]!r}")


def _schema_container(doc: Document) -> tuple[dict[str, Any], str]:
    data = doc.data
    if "swagger" in data:
        container, pointer = data.get("definitions"), "/definitions"
    else:
        container, pointer = (data.get("components") or {}).get("schemas"), "/components/schemas"
    if container is None:
        container = {}
    if not isinstance(container, dict):
        raise SourceError(doc.label, pointer, "must be a mapping of schemas")
    return container, pointer


def _is_model(schema: dict[str, Any]) -> bool:
    if schema.get("x-kubernetes-group-version-kind"):
        return True
    return bool(schema.get("properties")) and schema.get("type", "object") == "object"


def _package(name: str) -> str:
    return name.rsplit(".", 1)[0]


def _package_group_versions(
    schemas: dict[str, tuple[Document, str, dict[str, Any]]],
) -> dict[str, ir.GroupVersion]:
    """Which group-version module each definition package goes to (None: kubecore)."""
    seen: dict[str, set[tuple[str, str]]] = {}
    for name, (_, _, schema) in schemas.items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or ():
            seen.setdefault(_package(name), set()).add(
                (gvk.get("group", ""), gvk.get("version", ""))
            )
    result: dict[str, ir.GroupVersion] = {}
    for name, (doc, pointer, _) in schemas.items():
        package = _package(name)
        if package in result or package.startswith(KUBECORE_PACKAGE_PREFIX):
            continue
        candidates = sorted(seen.get(package, ()))
        if candidates:
            result[package] = ir.GroupVersion(*candidates[0])
            continue
        # A package without kinds names its group-version: io.k8s.api.<group>.<version>.
        parts = name.split(".")
        if len(parts) < 3 or not all(parts[-3:]):
            raise SourceError(
                doc.label,
                pointer,
                f"definition name {name[:100]!r} does not say its API group and version: "
                "name it <group>.<version>.<Kind> (as io.k8s.api.core.v1.Pod does), or give "
                "a schema of its package x-kubernetes-group-version-kind",
            )
        result[package] = ir.GroupVersion(parts[-3], parts[-2])
    return result


def _add_resources(api: ir.Api, paths: dict[str, Any], label: str) -> None:
    known = {(r.group_version, r.plural) for r in api.resources}
    for found in resources_from_paths(paths):
        gv = ir.GroupVersion(found.group, found.version)
        if (gv, found.plural) in known or found.kind is None:
            continue
        kind = found.kind[2]
        verbs = tuple(v for v in ir.STANDARD_VERBS if v in found.verbs)
        subresources = [
            ir.Subresource(
                name=s.name, verbs=tuple(sorted(s.verbs)), kind=ir.GVK(*s.kind) if s.kind else None
            )
            for s in sorted(found.subresources.values(), key=lambda s: s.name)
        ]
        api.resources.append(
            ir.Resource(
                group_version=gv,
                kind=kind,
                plural=found.plural,
                singular=kind.lower(),
                namespaced=found.namespaced,
                verbs=verbs,
                short_names=BUILTIN_SHORT_NAMES.get((found.group, found.plural), ()),
                subresources=subresources,
                list_kind=kind + "List",
                source=label + "#/paths",
            )
        )
