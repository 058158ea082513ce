"""Which module of a group-version's lazy ``models`` package each class goes into.

Rule (README, "One module per set of kinds"): a class goes into the module of the *set of
roots that reach it*. The roots are the kinds of the group-version (a kind together with
its list kind, ``Pod`` with ``PodList``, is one root), plus every class that no kind reaches,
each its own root. Classes reached by exactly the same set share one module. If a class in
module A refers to a class in module B, every root that reaches the first reaches the second,
so A's set is a subset of B's, and strictly smaller (equal sets are one module): modules only
import modules of larger sets, and imports between them can never form a cycle. Importing one
kind therefore loads exactly the classes it can reach (plus the few its module-mates reach).

Only references inside the group-version count: other group-versions and kubecore are
imported as lazy packages (``_meta_v1.ObjectMeta``), whose classes load on first use.

A module is named after its leading class, snake-cased with a ``_`` prefix: a root in it (a
kind, or a class no kind reaches), else a class no other class of the module refers to;
kinds first, then list kinds, nested types and enums, by name within each tier. For the set
of one kind that is the kind (``_pod``); for a shared set it is the type at the top of what
they share (``_pod_spec``). Names that collide after snake-casing are numbered in sorted
order of the classes' type ids, so the layout is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from kube_clientgen import ir, naming

# Names the lazy ``__init__`` binds itself; a module name must not shadow them.
RESERVED_MODULE_NAMES = frozenset({"_import_module", "_MODULE_OF"})
MAX_NAME = 80  # file names stay well below any file system's limit


@dataclass
class Chunk:
    name: str  # module name inside the models package, e.g. "_pod"
    roots: list[str]  # class names of the roots that reach it (their leading class), sorted
    models: list[ir.ModelType] = field(default_factory=list)
    enums: list[ir.EnumType] = field(default_factory=list)

    def classes(self) -> list[ir.ModelType | ir.EnumType]:
        return [*self.models, *self.enums]


def refs(t: ir.TypeRef) -> Iterator[str]:
    """Type ids a field type refers to."""
    if isinstance(t, ir.Ref):
        yield t.type_id
    elif isinstance(t, ir.ListOf):
        yield from refs(t.item)
    elif isinstance(t, ir.MapOf):
        yield from refs(t.value)
    elif isinstance(t, ir.UnionOf):
        for option in t.options:
            yield from refs(option)


def split(models: list[ir.ModelType], enums: list[ir.EnumType]) -> list[Chunk]:
    """The chunks of one group-version (named classes in), in the order of their names.

    Classes keep their relative order (``models`` then ``enums``) inside each chunk.
    """
    named: dict[str, ir.ModelType | ir.EnumType] = {m.type_id: m for m in models}
    named.update((e.type_id, e) for e in enums)
    edges = {
        m.type_id: sorted({r for f in m.fields for r in refs(f.type) if r in named}) for m in models
    }
    units = _kind_units(models, named)
    reach: dict[str, set[str]] = {tid: set() for tid in named}
    for unit, members in units.items():
        _mark(unit, members, edges, reach)
    unreached = [tid for tid in named if not reach[tid]]  # each its own root
    for tid in unreached:
        units[tid] = [tid]
    for tid in unreached:
        _mark(tid, [tid], edges, reach)

    by_set: dict[frozenset[str], list[str]] = {}
    for tid in named:  # models then enums, each in their given order
        by_set.setdefault(frozenset(reach[tid]), []).append(tid)
    chunks: dict[str, Chunk] = {}
    wanted: dict[str, str] = {}
    for roots, members in by_set.items():
        pointed = {r for o in members for r in edges.get(o, ()) if r != o}
        heads = [t for t in members if t in units]
        tops = heads or [t for t in members if t not in pointed]
        lead = min(tops or members, key=lambda t: (_tier(named[t]), _name(named[t])))
        key = named[lead].type_id
        chunk = Chunk(
            name="",
            roots=sorted(_name(named[u]) for u in roots),
            models=[m for t in members if isinstance(m := named[t], ir.ModelType)],
            enums=[e for t in members if isinstance(e := named[t], ir.EnumType)],
        )
        chunks[key] = chunk
        wanted[key] = "_" + naming.snake_case(_name(named[lead]))[:MAX_NAME].rstrip("_")
    names = naming.assign_unique(wanted, taken=RESERVED_MODULE_NAMES)
    for key, chunk in chunks.items():
        chunk.name = names[key]
    return sorted(chunks.values(), key=lambda c: c.name)


def _kind_units(
    models: list[ir.ModelType], named: dict[str, ir.ModelType | ir.EnumType]
) -> dict[str, list[str]]:
    """Root id -> member type ids: each kind, with its list kind when there is one."""
    kinds = {m.type_id: m for m in models if m.gvks}
    by_kind = {g.kind: m.type_id for m in kinds.values() for g in m.gvks}
    units: dict[str, list[str]] = {}
    lists: dict[str, str] = {}  # list kind id -> item kind id
    for m in kinds.values():
        item = _list_item(m, by_kind, named)
        if item is not None:
            lists[m.type_id] = item
    for tid in kinds:
        if tid not in lists:
            units[tid] = [tid]
    for list_id, item in lists.items():
        units.setdefault(item, [item]).append(list_id)
    return units


def _list_item(
    m: ir.ModelType, by_kind: dict[str, str], named: dict[str, ir.ModelType | ir.EnumType]
) -> str | None:
    """The item kind's id when ``m`` is its list kind (kind ``FooList`` with ``items: [Foo]``)."""
    for gvk in m.gvks:
        if not gvk.kind.endswith("List"):
            return None
        item = by_kind.get(gvk.kind[: -len("List")])
        for f in m.fields:
            if (
                f.wire_name == "items"
                and isinstance(f.type, ir.ListOf)
                and isinstance(f.type.item, ir.Ref)
                and f.type.item.type_id == item
                and item in named
                and item != m.type_id
            ):
                return item
    return None


def _mark(
    unit: str, members: list[str], edges: dict[str, list[str]], reach: dict[str, set[str]]
) -> None:
    """Add ``unit`` to the reach set of everything its members reach (themselves included)."""
    stack = list(members)
    seen: set[str] = set()
    while stack:
        tid = stack.pop()
        if tid in seen:
            continue
        seen.add(tid)
        reach[tid].add(unit)
        stack.extend(edges.get(tid, ()))


def _tier(t: ir.ModelType | ir.EnumType) -> int:
    """Kinds, list kinds, nested types, enums (the order in which ``layout`` names them)."""
    if isinstance(t, ir.EnumType):
        return 3
    if not t.gvks:
        return 2
    return 1 if all(g.kind.endswith("List") for g in t.gvks) else 0


def _name(t: ir.ModelType | ir.EnumType) -> str:
    return t.python_name or naming.pascal_case(t.base_name)
