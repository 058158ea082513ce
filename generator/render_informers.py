"""Views for informer-gen and lister-gen: per package an ``informers`` subpackage with the
``SharedInformerFactory``, and per group-version one module of typed informers and listers.

Only resources that can be listed and watched get an informer (as client-go). The classes
generated here only bind a kind to the generic core in ``kubecore.runtime``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import jinja2

from kube_clientgen import ir
from kube_clientgen.layout import Layout
from kube_clientgen.pycode import docstring, string_literal
from kube_clientgen.render_clients import GroupView


@dataclass
class InformerView:
    getter: str  # the clientset's resource getter and the factory's method: "virtual_machines"
    kind: str  # the model class
    namespaced: bool
    interface: str  # the resource client's Protocol
    client_module: str  # "cloud_waibizi_com.v1.resources.virtual_machines"
    lister: str
    informer: str
    group_literal: str
    plural_literal: str
    lister_doc: str
    informer_doc: str
    getter_doc: str
    namespace_doc: str


@dataclass
class InformerGroupView:
    attr: str  # "cloud_waibizi_com_v1" (as the clientset's attribute)
    package: str  # "cloud_waibizi_com.v1" (models and clients)
    informers_class: str
    doc: str
    class_doc: str
    attr_doc: str
    resources: list[InformerView] = field(default_factory=list)


def informer_views(layout: Layout, groups: list[GroupView]) -> list[InformerGroupView]:
    """One view per group-version with at least one listable and watchable resource."""
    # The layout's collision-free names (package folders, class-name titles), never names
    # recomputed from the group or version: two that read alike would share one.
    by_module: dict[tuple[str, str], ir.Resource] = {}
    titles: dict[str, str] = {}
    for resource in layout.api.resources:
        path = layout.gv_path(resource.group_version)
        by_module[(path, resource.python_name)] = resource
        titles[path] = layout.gv_titles[resource.group_version]
    out: list[InformerGroupView] = []
    for group in groups:
        view = InformerGroupView(
            attr=group.attr,
            package=group.package,
            informers_class=f"{titles.get(group.path, group.attr)}Informers",
            doc="",
            class_doc="",
            attr_doc="",
        )
        for r in group.resources:
            resource = by_module[(group.path, r.module)]
            if not {"list", "watch"} <= set(resource.verbs):
                continue
            api_version = resource.group_version.api_version
            view.doc = docstring(f"Shared informers and listers of {api_version}.")
            view.class_doc = docstring(f"The informers of {api_version}'s resources.")
            view.attr_doc = docstring(f"Informers of {api_version}.")
            scope = "namespaced" if resource.namespaced else "cluster-scoped"
            view.resources.append(
                InformerView(
                    getter=r.getter,
                    kind=r.kind,
                    namespaced=r.namespaced,
                    interface=r.interface,
                    client_module=f"{group.package}.resources.{r.module}",
                    lister=f"{r.kind}Lister",
                    informer=f"{r.kind}Informer",
                    group_literal=string_literal(resource.group_version.group),
                    plural_literal=string_literal(resource.plural),
                    lister_doc=docstring(
                        f"Typed reads of the cached {resource.plural} ({api_version}, {scope}). "
                        "The objects are the cache's own, shared with every reader: do not "
                        "mutate them."
                    ),
                    informer_doc=docstring(
                        f"The shared informer and the lister of {resource.plural} ({api_version})."
                    ),
                    getter_doc=docstring(
                        f"The {resource.plural} informer (one per factory, however often asked)."
                    ),
                    namespace_doc=docstring(
                        f"The cached {resource.plural} of ``namespace`` (``get`` raises NotFound)."
                    ),
                )
            )
        if view.resources:
            out.append(view)
    return out


def render_informers(
    env: jinja2.Environment, header: str, layout: Layout, groups: list[GroupView]
) -> dict[str, str]:
    """The ``informers`` subpackage's files (relative path -> unformatted source)."""
    views = informer_views(layout, groups)
    if not views:
        return {}
    files = {
        "informers/__init__.py": env.get_template("informers_init.py.jinja").render(header=header),
        "informers/factory.py": env.get_template("informers_factory.py.jinja").render(
            header=header, groups=views
        ),
    }
    for view in views:
        files[f"informers/{view.attr}.py"] = env.get_template("informers_gv.py.jinja").render(
            header=header, g=view
        )
    return files
