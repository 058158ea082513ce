"""Where everything goes: Python names for types and fields, and the module of each type.

This is the naming pass over the IR (it fills ``python_name`` fields) plus the module
layout of an output package:

``<pkg>/<group>/<version>/models.py``  the models of one group-version
``<pkg>/<group>/<version>/__init__.py`` re-exports them
``<pkg>/scheme.py``                      apiVersion/kind -> class

apimachinery types (``io.k8s.apimachinery.*``) live in ``kubecore.core.generated`` and are
only rendered by a run in kubecore mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kube_clientgen import ir, naming

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
    path: tuple[str, ...]  # package-relative module path, e.g. ("core", "v1", "models")
    group_version: ir.GroupVersion | None
    alias: str  # how other modules import it: "_core_v1"
    models: list[ir.ModelType] = field(default_factory=list)
    enums: list[ir.EnumType] = field(default_factory=list)


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
    group_packages: dict[str, str] = field(default_factory=dict)

    def class_name(self, type_id: str) -> str:
        named = self.api.types.get(type_id) or self.api.enums.get(type_id)
        if named is not None and named.python_name:
            return named.python_name
        return naming.pascal_case(type_id.rsplit(".", 1)[-1])

    def module_for_external(self, type_id: str) -> tuple[str, str] | None:
        """(absolute module, alias) for a kubecore type referenced but not rendered here."""
        if type_id.startswith(KUBECORE_TYPE_PREFIX) and type_id not in self.module_of:
            name = kubecore_module_name(type_id)
            return f"{KUBECORE_PACKAGE}.{name}", f"_{name}"
        return None


def plan(api: ir.Api, *, kubecore_mode: bool = False) -> Layout:
    layout = Layout(api, kubecore_mode)
    layout.group_packages = _group_packages(api)
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
    for model in api.types.values():
        wanted = {f.wire_name: naming.snake_case(f.wire_name) for f in model.fields}
        names = naming.assign_unique(wanted)
        for f in model.fields:
            f.python_name = names[f.wire_name]
    for resource in api.resources:
        resource.python_name = naming.resource_getter(resource.kind, resource.plural)
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
    return f"{layout.group_packages[gv.group]}/{naming.version_package(gv.version)}"


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
    named: list[ir.ModelType | ir.EnumType] = [*module.models, *module.enums]
    wanted = {t.type_id: naming.pascal_case(t.base_name) for t in named}
    names = naming.assign_unique(wanted)
    for t in named:
        t.python_name = names[t.type_id]
    for enum in module.enums:
        members = naming.assign_unique({v: naming.enum_member(v) for v in enum.values})
        enum.member_names = tuple(members[v] for v in enum.values)


def _group_packages(api: ir.Api) -> dict[str, str]:
    """Group -> package name; groups whose short names collide fall back to full names."""
    groups = sorted({gv.group for gv in api.group_versions()})
    wanted = {g: naming.group_package(g) for g in groups}
    counts: dict[str, int] = {}
    for name in wanted.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        g: name if counts[name] == 1 else naming.snake_case(g.replace(".", "_").replace("-", "_"))
        for g, name in wanted.items()
    }
