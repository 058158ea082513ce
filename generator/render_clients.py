"""Views for the client modules: per-resource interface/getter/client, group-version
clients and the clientset (client-go's typed clientset, as Protocols plus thin classes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kube_clientgen import ir, naming
from kube_clientgen.layout import Layout
from kube_clientgen.pycode import docstring

_VERB_MIXINS = {
    "get": ("Get", "[{T}]"),
    "list": ("List", "[{T}, {L}]"),
    "watch": ("Watch", "[{T}]"),
    "create": ("Create", "[{T}]"),
    "update": ("Update", "[{T}]"),
    "patch": ("Patch", "[{T}]"),
    "delete": ("Delete", "[{T}]"),
    "deletecollection": ("DeleteCollection", "[{L}]"),
}


@dataclass
class ResourceView:
    module: str
    getter: str
    namespaced: bool
    kind: str  # model class
    list_kind: str
    interface: str
    getter_protocol: str
    client: str
    protocols: list[str]
    mixins: list[str]
    scale: bool
    doc: str
    interface_doc: str
    client_doc: str
    getter_doc: str
    source: ir.Resource | None = None  # for the fake module's resource table


@dataclass
class GroupView:
    package: str  # "core.v1"
    path: str  # "core/v1"
    attr: str  # "core_v1"
    interface: str
    client: str
    doc: str
    interface_doc: str
    client_doc: str
    resources: list[ResourceView] = field(default_factory=list)


def client_views(layout: Layout) -> list[GroupView]:
    """One view per group-version that has resources whose kind this package renders."""
    classes = {
        (gvk.group_version, gvk.kind): model.python_name
        for module in layout.modules.values()
        for model in module.models
        for gvk in model.gvks
        if len(model.gvks) == 1
    }
    groups: dict[str, GroupView] = {}
    for resource in sorted(
        layout.api.resources,
        key=lambda r: (r.group_version.group, r.group_version.version, r.plural),
    ):
        gv = resource.group_version
        kind_class = classes.get((gv, resource.kind))
        if kind_class is None or not resource.served:
            continue
        path = layout.gv_path(gv)
        group = groups.get(path)
        if group is None:
            attr = layout.gv_attrs[gv]
            title = layout.gv_titles[gv]
            group = groups[path] = GroupView(
                package=path.replace("/", "."),
                path=path,
                attr=attr,
                interface=f"{title}Interface",
                client=f"{title}Client",
                doc=docstring(f"The {gv.api_version} group-version client."),
                interface_doc=docstring(f"Getters for every resource of {gv.api_version}."),
                client_doc=docstring(
                    f"Typed clients for the resources of {gv.api_version}, over one REST client."
                ),
            )
        group.resources.append(
            _resource_view(resource, kind_class, classes.get((gv, resource.list_kind)))
        )
    return [groups[k] for k in sorted(groups)]


def _resource_view(r: ir.Resource, kind: str, list_kind: str | None) -> ResourceView:
    list_class = list_kind or kind
    protocols: list[str] = []
    mixins: list[str] = []
    for verb in ir.STANDARD_VERBS:
        if verb not in r.verbs or (verb in ("list", "deletecollection") and list_kind is None):
            continue
        name, params = _VERB_MIXINS[verb]
        protocols.append(f"_i.{name}" + params.format(T=kind, L=list_class))
        mixins.append(f"_v.{name}[{kind}, {list_class}]")
    subresources = {s.name: s for s in r.subresources}
    scale = "scale" in subresources and {"get", "update"} <= set(subresources["scale"].verbs)
    if "status" in subresources and {"get", "update"} <= set(subresources["status"].verbs):
        protocols.append(f"_i.StatusSubresource[{kind}]")
        mixins.append(f"_v.StatusSubresource[{kind}, {list_class}]")
    if scale:
        protocols.append("_i.ScaleSubresource[_Scale]")
        mixins.append(f"_v.ScaleSubresource[{kind}, {list_class}, _Scale]")
    if "log" in subresources:
        protocols.append("_i.LogSubresource")
        mixins.append(f"_v.LogSubresource[{kind}, {list_class}]")
    if "eviction" in subresources:
        protocols.append("_i.EvictionSubresource")
        mixins.append(f"_v.EvictionSubresource[{kind}, {list_class}]")
    if not mixins:
        mixins.append(f"_v.ResourceClient[{kind}, {list_class}]")
    scope = "namespaced" if r.namespaced else "cluster-scoped"
    api_version = r.group_version.api_version
    return ResourceView(
        module=r.python_name,
        getter=r.python_name,
        namespaced=r.namespaced,
        kind=kind,
        list_kind=list_class,
        interface=f"{kind}Interface",
        getter_protocol=f"{naming.pascal_from_snake(r.python_name)}Getter",
        client=f"{kind}Client",
        protocols=protocols,
        mixins=mixins,
        scale=scale,
        doc=docstring(
            f"The {r.plural} resource of {api_version} ({scope}): interface, getter and client."
        ),
        interface_doc=docstring(
            f"Typed access to {r.plural} ({api_version}, {scope}); verbs: {', '.join(r.verbs)}."
        ),
        client_doc=docstring(f"The REST implementation of {kind}Interface."),
        getter_doc=docstring(
            f"The {r.plural} client"
            + (" for ``namespace`` ('' for all namespaces)." if r.namespaced else ".")
        ),
        source=r,
    )
