"""The test API server's resource table, built from OpenAPI specs and CRD YAML.

An OpenAPI document (swagger v2 or OpenAPI v3) contributes its resources through
:func:`kubecore.core.openapi_paths.resources_from_paths` and its schema definitions (used
for strategic merge patch: ``x-kubernetes-patch-strategy`` / ``x-kubernetes-patch-merge-key``).
A ``CustomResourceDefinition`` contributes one resource per served version, with the
names (plural, singular, kind, listKind, shortNames), scope and subresources it declares.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubecore.core.builtin_names import BUILTIN_CATEGORIES, BUILTIN_SHORT_NAMES
from kubecore.core.codec import json_loads
from kubecore.core.openapi_paths import resources_from_paths
from kubecore.core.validation.registry import builtin_spec_path
from kubecore.core.yamlio import load_all
from kubecore.testing import openapi
from kubecore.testing.eventconversion import SHARED_STORAGE

SERVED_SUBRESOURCES = ("status", "scale", "log", "eviction")
ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass
class Resource:
    """One served resource of one group-version."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    singular: str = ""
    list_kind: str = ""
    verbs: tuple[str, ...] = ALL_VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: dict[str, str] = field(default_factory=dict)  # name -> kind
    is_crd: bool = False
    schema: dict[str, Any] | None = None  # a CRD version's openAPIV3Schema
    printer_columns: tuple[dict[str, Any], ...] = ()  # a CRD's additionalPrinterColumns
    scale_paths: dict[str, str] = field(default_factory=dict)  # a CRD's scale subresource
    selectable_fields: tuple[str, ...] = ()  # a CRD version's selectableFields jsonPaths

    def __post_init__(self) -> None:
        self.singular = self.singular or self.kind.lower()
        self.list_kind = self.list_kind or f"{self.kind}List"

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources

    @property
    def storage_key(self) -> tuple[str, str]:
        """Objects are stored per group + plural, whichever version served them; a resource
        served from another's storage (``events.k8s.io`` events) has that one's key."""
        return SHARED_STORAGE.get((self.group, self.plural), (self.group, self.plural))


@dataclass
class ResourceTable:
    """Every resource the server serves, plus what specs it was built from."""

    resources: dict[tuple[str, str, str], Resource] = field(default_factory=dict)
    swagger: dict[str, Any] | None = None  # a swagger v2 document to serve at /openapi/v2
    definitions: dict[str, Any] = field(default_factory=dict)  # name -> schema
    v3_documents: dict[str, Any] = field(default_factory=dict)  # "apis/g/v" -> OpenAPI v3 input
    crds: list[dict[str, Any]] = field(default_factory=list)
    _openapi_v3: dict[str, Any] | None = None
    _by_gvk: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def add(self, resource: Resource) -> None:
        self.resources[(resource.group, resource.version, resource.plural)] = resource

    def get(self, group: str, version: str, plural: str) -> Resource | None:
        return self.resources.get((group, version, plural))

    def group_versions(self) -> dict[str, list[str]]:
        """Group name -> versions served, preferred (first added, highest) first."""
        found: dict[str, list[str]] = {}
        for group, version, _ in self.resources:
            versions = found.setdefault(group, [])
            if version not in versions:
                versions.append(version)
        for versions in found.values():
            versions.sort(key=_version_priority)
        return found

    def for_kind(self, api_version: str, kind: str) -> Resource | None:
        """The resource serving ``kind`` at ``api_version`` (``apps/v1``, ``v1``), if any."""
        group, _, version = api_version.rpartition("/")
        for resource in self.resources.values():
            if (resource.group, resource.version, resource.kind) == (group, version, kind):
                return resource
        return None

    def in_group_version(self, group: str, version: str) -> list[Resource]:
        return [r for (g, v, _), r in sorted(self.resources.items()) if g == group and v == version]

    def schema_for_kind(self, group: str, version: str, kind: str) -> dict[str, Any] | None:
        name = self._by_gvk.get((group, version, kind))
        return self.definitions.get(name) if name else None

    def resolve(self, schema: Any) -> dict[str, Any]:
        """Follow ``$ref`` (and a single-``allOf`` wrapper, as OpenAPI v3 writes refs)."""
        for _ in range(32):
            if not isinstance(schema, dict):
                return {}
            ref = schema.get("$ref")
            if ref is None and len(schema.get("allOf") or ()) == 1:
                ref = (
                    schema["allOf"][0].get("$ref") if isinstance(schema["allOf"][0], dict) else None
                )
            if not isinstance(ref, str):
                return schema
            schema = self.definitions.get(ref.rsplit("/", 1)[-1], {})
        return {}

    def openapi_v3(self) -> dict[str, dict[str, Any]]:
        """Group-version key (``api/v1``, ``apis/apps/v1``) -> OpenAPI v3 document (cached)."""
        if self._openapi_v3 is None:
            docs: dict[str, Any] = {}
            if self.swagger is not None:
                docs.update(openapi.from_swagger(self.swagger))
            docs.update(self.v3_documents)
            custom: dict[str, list[Any]] = {}
            for resource in self.resources.values():
                if resource.is_crd:
                    custom.setdefault(openapi.gv_path(resource.group, resource.version), []).append(
                        (
                            resource.group,
                            resource.version,
                            resource.plural,
                            resource.kind,
                            resource.list_kind,
                            resource.namespaced,
                            resource.schema,
                        )
                    )
            for key, entries in custom.items():
                docs[key] = openapi.crd_document(entries, self.definitions)
            self._openapi_v3 = docs
        return self._openapi_v3

    # -- loading -------------------------------------------------------------------------

    def add_spec_file(self, path: str | Path) -> None:
        """An OpenAPI JSON file, a (multi-document) CRD YAML file, a directory of them, or
        ``kubernetes``/``kubernetes:1.36`` (the vendored spec).

        A directory contributes every ``.json``/``.yaml``/``.yml`` file below it, in sorted
        order (:func:`spec_files`), as ``kube-clientgen generate`` reads one.
        """
        files = spec_files([path])
        if files != [Path(path)]:  # a directory or a built-in name
            for file in files:
                self.add_spec_file(file)
            return
        path = Path(path)
        data = path.read_bytes()
        if path.suffix == ".json":
            self.add_openapi(json_loads(data))
            return
        for doc in load_all(data):
            if isinstance(doc, dict) and ("swagger" in doc or "openapi" in doc):
                self.add_openapi(doc)
            elif isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                self.add_crd(doc)
            elif isinstance(doc, dict) and doc.get("kind") == "List":
                for item in doc.get("items") or []:
                    if isinstance(item, dict) and item.get("kind") == "CustomResourceDefinition":
                        self.add_crd(item)

    def add_openapi(self, doc: dict[str, Any]) -> None:
        self._openapi_v3 = None
        if "swagger" in doc and self.swagger is None:
            self.swagger = doc
        elif "openapi" in doc:
            keys = {openapi.gv_path_of_url(p) for p in doc.get("paths") or {}} - {None}
            if len(keys) == 1:
                self.v3_documents.setdefault(str(keys.pop()), doc)
        definitions = doc.get("definitions") or (doc.get("components") or {}).get("schemas") or {}
        for name, schema in definitions.items():
            self.definitions.setdefault(name, schema)
            for gvk in schema.get("x-kubernetes-group-version-kind") or ():
                key = (gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", ""))
                self._by_gvk.setdefault(key, name)
        for found in resources_from_paths(doc.get("paths") or {}):
            if found.kind is None or "get" not in found.verbs and "list" not in found.verbs:
                continue
            subresources = {
                name: (sub.kind[2] if sub.kind else found.kind[2])
                for name, sub in found.subresources.items()
                if name in SERVED_SUBRESOURCES
            }
            self.add(
                Resource(
                    group=found.group,
                    version=found.version,
                    plural=found.plural,
                    kind=found.kind[2],
                    namespaced=found.namespaced,
                    verbs=tuple(sorted(found.verbs)),
                    short_names=BUILTIN_SHORT_NAMES.get((found.group, found.plural), ()),
                    categories=BUILTIN_CATEGORIES.get((found.group, found.plural), ()),
                    subresources=subresources,
                )
            )

    def add_crd(self, crd: dict[str, Any]) -> None:
        self._openapi_v3 = None
        self.crds.append(crd)
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        group = str(spec.get("group", ""))
        versions = spec.get("versions") or [{"name": spec.get("version"), "served": True}]
        for entry in versions:
            if not entry.get("served", True) or not entry.get("name"):
                continue
            subs = entry.get("subresources") or spec.get("subresources") or {}
            subresources = {name: names["kind"] for name in ("status",) if name in subs}
            if "scale" in subs:
                subresources["scale"] = "Scale"
            schema = (entry.get("schema") or spec.get("validation") or {}).get("openAPIV3Schema")
            columns = entry.get("additionalPrinterColumns") or spec.get("additionalPrinterColumns")
            self.add(
                Resource(
                    group=group,
                    version=str(entry["name"]),
                    plural=str(names["plural"]),
                    kind=str(names["kind"]),
                    namespaced=spec.get("scope", "Namespaced") == "Namespaced",
                    singular=str(names.get("singular") or ""),
                    list_kind=str(names.get("listKind") or ""),
                    short_names=tuple(names.get("shortNames") or ()),
                    categories=tuple(names.get("categories") or ()),
                    subresources=subresources,
                    is_crd=True,
                    schema=schema if isinstance(schema, dict) else None,
                    printer_columns=tuple(c for c in columns or () if isinstance(c, dict)),
                    scale_paths=dict(subs.get("scale") or {}),
                    selectable_fields=tuple(
                        str(f["jsonPath"])
                        for f in entry.get("selectableFields") or ()
                        if isinstance(f, dict) and isinstance(f.get("jsonPath"), str)
                    ),
                )
            )


#: The files a spec directory contributes (the generator's ``expand_inputs`` reads the same).
SPEC_SUFFIXES = (".json", ".yaml", ".yml")


def spec_files(specs: Iterable[str | Path]) -> list[Path]:
    """``specs`` with each directory replaced by its JSON/YAML files below it, sorted.

    So the test server, the fakes and ``kube-clientgen generate`` accept the same inputs (a
    CRD folder such as cert-manager's, a folder of OpenAPI v3 documents, ``kubernetes`` or
    ``kubernetes:1.36`` for the vendored Kubernetes spec).
    """
    files: list[Path] = []
    for spec in specs:
        if isinstance(spec, str) and (spec == "kubernetes" or spec.startswith("kubernetes:")):
            files.append(_builtin_spec(spec))
            continue
        path = Path(spec)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.suffix in SPEC_SUFFIXES and p.is_file())
            )
        else:
            files.append(path)
    return files


def _builtin_spec(name: str) -> Path:
    """The vendored spec a ``kubernetes[:X.Y]`` name denotes, as ``kube-clientgen generate``
    reads the name (a file of that name is written ``./kubernetes``); ``ValueError`` naming
    the available release for another version."""
    path = builtin_spec_path()
    available = path.name.removeprefix("kubernetes-").removesuffix(".swagger.json")
    if name not in ("kubernetes", f"kubernetes:{available}"):
        raise ValueError(f"unknown built-in spec {name!r}: available: kubernetes:{available}")
    return path


def load_table(specs: Iterable[str | Path]) -> ResourceTable:
    table = ResourceTable()
    for spec in specs:
        table.add_spec_file(spec)
    return table


def _version_priority(version: str) -> tuple[int, int, int, str]:
    """Kubernetes version ordering: GA > beta > alpha, higher numbers first, others last."""
    import re

    match = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if match is None:
        return (3, 0, 0, version)
    stage = {"": 0, "beta": 1, "alpha": 2}[match[2] or ""]
    return (stage, -int(match[1]), -int(match[3] or 0), version)
