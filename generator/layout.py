"""Where everything goes: Python names for types and fields, and the module of each type.

This is the naming pass over the IR (it fills ``python_name`` fields) plus the module
layout of an output package:

``<pkg>/<group>/<version>/models/``     the models of one group-version: a lazy package
                                         (``__init__.py``) over one module per set of kinds
                                         (``_pod.py``; see ``generator.chunks``)
``<pkg>/<group>/<version>/__init__.py`` re-exports them, lazily too
``<pkg>/scheme.py``                      apiVersion/kind -> class

apimachinery types (``io.k8s.apimachinery.*``) live in ``kubecore.core.generated`` and are
only rendered by a run in kubecore mode, in the same lazy layout (``meta_v1/`` is the lazy
package, ``meta_v1/_object_meta.py`` a module of it).

No generated name may drop or overwrite another. Every namespace the output has gets
distinct names, deterministically: group packages (one per group, see ``_group_packages``),
version packages within a group, clientset attributes and group-version client classes,
resource getters (and so resource modules) within a group-version, classes within a module
(kinds first, then list kinds, nested types and enums), attributes within a class. Where a
name cannot be made distinct without changing what it means, generation stops with exit 2
naming both inputs: two types for one apiVersion/kind, two resources for one plural.
``generator.namecheck`` checks the rendered modules once more.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kube_clientgen import ir, naming
from kube_clientgen.chunks import Chunk, split
from kube_clientgen.errors import SourceError

# Names at the top of an output package that are not group packages (modules of the
# package, and packages the client templates may add).
RESERVED_TOP_LEVEL = frozenset({"scheme", "clientset", "informers", "listers", "fake", "testing"})
# Members of the generated Clientset that a group-version attribute must not shadow.
RESERVED_CLIENTSET_MEMBERS = frozenset({"rest", "from_config", "close"})

KUBECORE_TYPE_PREFIX = "io.k8s.apimachinery."
KUBECORE_PACKAGE = "kubecore.core.generated"
# Not apimachinery, but every scale subresource speaks it, CRDs' included.
KUBECORE_EXTRA_TYPES = {
    "io.k8s.api.autoscaling.v1.Scale": "autoscaling_v1",
    "io.k8s.api.autoscaling.v1.ScaleSpec": "autoscaling_v1",
    "io.k8s.api.autoscaling.v1.ScaleStatus": "autoscaling_v1",
}


@dataclass
class ModuleInfo:
    key: str  # "core/v1" or "meta_v1" (kubecore)
    path: tuple[str, ...]  # package-relative path of the lazy package, ("core", "v1", "models")
    group_version: ir.GroupVersion | None
    alias: str  # how other modules import it: "_core_v1"
    models: list[ir.ModelType] = field(default_factory=list)
    enums: list[ir.EnumType] = field(default_factory=list)
    chunks: list[Chunk] = field(default_factory=list)  # the package's modules


def kubecore_module_name(type_id: str) -> str:
    """``io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`` -> ``meta_v1``."""
    package = type_id[len(KUBECORE_TYPE_PREFIX) :].rsplit(".", 1)[0]
    parts = [p for p in package.split(".") if p not in ("pkg", "apis")]
    return "_".join(parts) or "apimachinery"


@dataclass
class Layout:
    api: ir.Api
    kubecore_mode: bool
    modules: dict[str, ModuleInfo] = field(default_factory=dict)
    module_of: dict[str, str] = field(default_factory=dict)  # type id -> module key
    chunk_of: dict[str, str] = field(default_factory=dict)  # type id -> "_pod" (in its package)
    group_packages: dict[str, str] = field(default_factory=dict)
    version_packages: dict[ir.GroupVersion, str] = field(default_factory=dict)
    gv_attrs: dict[ir.GroupVersion, str] = field(default_factory=dict)  # clientset attributes
    gv_titles: dict[ir.GroupVersion, str] = field(default_factory=dict)  # CoreV1Interface's CoreV1

    def gv_path(self, gv: ir.GroupVersion) -> str:
        """``core/v1``: the package-relative folder of a group-version."""
        return f"{self.group_packages[gv.group]}/{self.version_packages[gv]}"

    def class_name(self, type_id: str) -> str:
        external = self.api.external.get(type_id)
        if external is not None:
            return external.name
        named = self.api.types.get(type_id) or self.api.enums.get(type_id)
        if named is not None and named.python_name:
            return named.python_name
        return naming.pascal_case(type_id.rsplit(".", 1)[-1])

    def module_for_external(self, type_id: str) -> tuple[str, str] | None:
        """(absolute module, alias) for a type referenced but not rendered here: a kubecore
        type, or a reused built-in type (``ir.Api.external``)."""
        external = self.api.external.get(type_id)
        if external is not None and type_id not in self.module_of:
            parts = external.module.split(".")
            if external.module.startswith(KUBECORE_PACKAGE + "."):
                return external.module, f"_{parts[-1]}"
            return external.module, "_k8s_" + "_".join(parts[2:-1])  # _k8s_core_v1
        if type_id.startswith(KUBECORE_TYPE_PREFIX) and type_id not in self.module_of:
            name = kubecore_module_name(type_id)
            return f"{KUBECORE_PACKAGE}.{name}", f"_{name}"
        return None


def plan(api: ir.Api, *, kubecore_mode: bool = False) -> Layout:
    _check_unique_kinds(api)
    layout = Layout(api, kubecore_mode)
    layout.group_packages = _group_packages(api)
    layout.version_packages = _version_packages(api)
    layout.gv_attrs = _gv_attrs(layout)
    layout.gv_titles = _gv_titles(layout)
    for model in sorted(api.types.values(), key=lambda t: t.type_id):
        key = _module_key(layout, model.type_id, model.group_version)
        if key is not None:
            _module(layout, key, model.type_id, model.group_version).models.append(model)
    for enum in sorted(api.enums.values(), key=lambda t: t.type_id):
        key = _module_key(layout, enum.type_id, enum.group_version)
        if key is not None:
            _module(layout, key, enum.type_id, enum.group_version).enums.append(enum)
    for module in layout.modules.values():
        _name_types(module)
        module.chunks = split(module.models, module.enums)
        for chunk in module.chunks:
            for t in chunk.classes():
                layout.chunk_of[t.type_id] = chunk.name
    for model in api.types.values():
        wanted = {f.wire_name: naming.snake_case(f.wire_name) for f in model.fields}
        names = naming.assign_unique(wanted)
        for f in model.fields:
            f.python_name = names[f.wire_name]
    _name_getters(api)
    return layout


def _module_key(layout: Layout, type_id: str, gv: ir.GroupVersion | None) -> str | None:
    apimachinery = type_id.startswith(KUBECORE_TYPE_PREFIX) or gv is None
    if layout.kubecore_mode:
        if apimachinery:
            return kubecore_module_name(type_id)
        return KUBECORE_EXTRA_TYPES.get(type_id)
    if apimachinery:
        return None
    assert gv is not None
    return layout.gv_path(gv)


def _module(layout: Layout, key: str, type_id: str, gv: ir.GroupVersion | None) -> ModuleInfo:
    layout.module_of[type_id] = key
    module = layout.modules.get(key)
    if module is None:
        path = (key,) if layout.kubecore_mode else (*key.split("/"), "models")
        module = layout.modules[key] = ModuleInfo(
            key, path, None if layout.kubecore_mode else gv, "_" + key.replace("/", "_")
        )
    return module


def _name_types(module: ModuleInfo) -> None:
    """Class names, unique in the module; kinds choose first, then list kinds, then nested
    types and enums, so a nested ``FooSpec`` never takes the name of a kind ``FooSpec``."""
    named: list[ir.ModelType | ir.EnumType] = [*module.models, *module.enums]

    def tier(t: ir.ModelType | ir.EnumType) -> int:
        if isinstance(t, ir.EnumType):
            return 3
        if not t.gvks:
            return 2
        return 1 if t.type_id.endswith("#list") else 0

    taken: set[str] = set()
    for level in range(4):
        wanted = {t.type_id: naming.pascal_case(t.base_name) for t in named if tier(t) == level}
        names = naming.assign_unique(wanted, taken=taken)
        for t in named:
            if t.type_id in names:
                t.python_name = names[t.type_id]
        taken.update(names.values())
    for enum in module.enums:
        members = naming.assign_unique({v: naming.enum_member(v) for v in enum.values})
        enum.member_names = tuple(members[v] for v in enum.values)


def _group_packages(api: ir.Api) -> dict[str, str]:
    """Group -> package name, one package per group.

    Short names (``rbac``) that collide fall back to full names; full names that collide
    (``foo-bar.example.com`` and ``foo.bar.example.com`` both read ``foo_bar_example_com``)
    spell each ``-`` as ``__``, which no dot can produce, so the dotted group keeps its name
    and the result does not depend on the order of the inputs. Anything left (names that
    are not DNS names, from an OpenAPI document) is numbered in sorted order.
    """
    groups = sorted({gv.group for gv in api.group_versions()})
    wanted = {g: naming.group_package(g) for g in groups}
    wanted = _spread(wanted, lambda g: naming.snake_case(g.replace(".", "_").replace("-", "_")))
    wanted = _spread(wanted, _hyphens_doubled)
    return naming.assign_unique(wanted, taken=RESERVED_TOP_LEVEL)


def _hyphens_doubled(group: str) -> str:
    name = group.replace(".", "_").replace("-", "__")
    return name if name.isidentifier() and name[0].isalpha() else naming.snake_case(name)


def _spread(wanted: dict[str, str], fallback: Callable[[str], str]) -> dict[str, str]:
    counts: dict[str, int] = {}
    for name in wanted.values():
        counts[name] = counts.get(name, 0) + 1
    return {g: name if counts[name] == 1 else fallback(g) for g, name in wanted.items()}


def _version_packages(api: ir.Api) -> dict[ir.GroupVersion, str]:
    """Version package names, unique within each group (``v1-beta`` and ``v1--beta``)."""
    result: dict[ir.GroupVersion, str] = {}
    by_group: dict[str, list[ir.GroupVersion]] = {}
    for gv in api.group_versions():
        by_group.setdefault(gv.group, []).append(gv)
    for gvs in by_group.values():
        names = naming.assign_unique({gv.version: naming.version_package(gv.version) for gv in gvs})
        result.update({gv: names[gv.version] for gv in gvs})
    return result


def _gv_attrs(layout: Layout) -> dict[ir.GroupVersion, str]:
    """Clientset attributes (``core_v1``), unique across the package."""
    gvs = layout.api.group_versions()
    wanted = {
        f"{gv.group}/{gv.version}": f"{layout.group_packages[gv.group]}_{layout.version_packages[gv]}"
        for gv in gvs
    }
    names = naming.assign_unique(wanted, taken=RESERVED_CLIENTSET_MEMBERS)
    return {gv: names[f"{gv.group}/{gv.version}"] for gv in gvs}


def _gv_titles(layout: Layout) -> dict[ir.GroupVersion, str]:
    """Class-name prefixes of the group-version clients (``CoreV1``), unique across the
    package: ``foo__bar_example_com_v1`` and ``foo_bar_example_com_v1`` read alike."""
    gvs = layout.api.group_versions()
    wanted = {
        f"{gv.group}/{gv.version}": naming.pascal_from_snake(layout.gv_attrs[gv]) for gv in gvs
    }
    names = naming.assign_unique(wanted)
    return {gv: names[f"{gv.group}/{gv.version}"] for gv in gvs}


def _name_getters(api: ir.Api) -> None:
    """Resource getters (``pods``), unique within each group-version: they name the client
    methods and the resource modules (``foo-bars`` beside kind ``FooBar``'s ``foobars``)."""
    by_gv: dict[ir.GroupVersion, list[ir.Resource]] = {}
    for resource in api.resources:
        by_gv.setdefault(resource.group_version, []).append(resource)
    for resources in by_gv.values():
        wanted = {r.plural: naming.resource_getter(r.kind, r.plural) for r in resources}
        names = naming.assign_unique(wanted)
        for r in resources:
            r.python_name = names[r.plural]


def _check_unique_kinds(api: ir.Api) -> None:
    """Two types for one apiVersion/kind, or two resources for one group-version-plural,
    would overwrite each other in the scheme and the clients: exit 2 naming both."""
    kinds: dict[ir.GVK, ir.ModelType] = {}
    for model in sorted(api.types.values(), key=lambda t: t.type_id):
        for gvk in model.gvks:
            other = kinds.setdefault(gvk, model)
            if other is not model:
                raise _duplicate(
                    f"kind {gvk.kind} of {gvk.group_version.api_version}",
                    other.source,
                    model.source,
                )
    plurals: dict[tuple[ir.GroupVersion, str], ir.Resource] = {}
    for resource in api.resources:
        first = plurals.setdefault((resource.group_version, resource.plural), resource)
        if first is not resource:
            raise _duplicate(
                f"resource {resource.plural} of {resource.group_version.api_version}",
                first.source,
                resource.source,
            )


def _duplicate(what: str, first: str, second: str) -> SourceError:
    file, _, where = (second or "?").partition("#")
    return SourceError(
        file, where, f"{what} is defined twice: here and in {first or 'another input'}"
    )
