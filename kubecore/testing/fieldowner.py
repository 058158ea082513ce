"""Field ownership as kube-apiserver keeps it (structured-merge-diff): ``metadata.managedFields``.

A *field set* is a set of paths; a path is a tuple of ``fieldsV1`` keys: ``f:<name>`` (a
map field), ``k:{"name":"c"}`` (an item of an associative list, by its list-map keys, the
keys sorted), ``v:"x"`` (an item of a set list). The walk that builds a set from an object
follows structured-merge-diff's ``toFieldSet``: scalars, atomic lists and atomic maps are
members; a struct's declared field holding a non-empty map is not (its fields are); every
key of a map without declared fields (labels, ``data``, untyped objects) is a member, as is
every list item (``"."`` in ``fieldsV1`` when it also has members below it). List types come
from the schema: ``x-kubernetes-list-type`` (``map`` with ``x-kubernetes-list-map-keys``,
``set``, ``atomic``), else the built-in kinds' ``x-kubernetes-patch-strategy: merge`` (with
``x-kubernetes-patch-merge-key``: a map list; without: a set), else atomic, as kube-apiserver
converts the OpenAPI spec; ``x-kubernetes-map-type: atomic`` makes a map one member. Without
a schema (a fake given no specs) maps are granular and lists atomic (SMD's deduced type).

What kube-apiserver does, and this module does with it:

- :func:`apply` (server-side apply, operation ``Apply``): merges the applied configuration,
  refuses (409 ``Conflict``, one ``FieldManagerConflict`` cause per field) a change to a
  field another manager (Apply or Update) owns, unless ``force``, which takes the fields
  over; the applier then owns exactly the applied set (shared with managers that applied
  the same values), and a field it applied before, no longer applies and nobody else owns
  is removed with everything below it.
- :func:`record_update` (create, PUT, merge/JSON/strategic patch, operation ``Update``):
  the manager gains the fields the write added or changed (taken from other managers, never
  a conflict) and everybody loses the fields it removed.

The fields kube-apiserver never tracks are left out (``apiVersion``, ``kind``,
``metadata.name``/``namespace``/``uid``/``resourceVersion``/``generation``/
``creationTimestamp``/``managedFields``/``selfLink``), and ``status`` counts only on the
``status`` subresource of a kind that has one (its reset fields). Entries are sorted as
kube-apiserver sorts them (operation, time, manager, apiVersion, subresource) and an entry
left without fields is dropped. client-go counterpart: ``k8s.io/apimachinery/pkg/util/
managedfields`` (server side) and ``metav1.ManagedFieldsEntry``.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable
from typing import Any

from kubecore.testing.discovery import Resource, ResourceTable
from kubecore.testing.tracker import ApiError, Obj

__all__ = [
    "Path",
    "apply",
    "field_set",
    "fields_v1",
    "manager_from_user_agent",
    "path_string",
    "record_update",
    "record_write",
    "set_from_fields_v1",
]

Path = tuple[str, ...]

_STRIPPED_META = frozenset(
    (
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "selfLink",
        "clusterName",
    )
)

# The parts of ObjectMeta's schema that field ownership reads (labels and annotations are
# maps of members, finalizers a set, ownerReferences a map list keyed by uid), so custom
# resources, whose schema says only ``metadata: {type: object}``, and fakes without specs
# track metadata as kube-apiserver does.
_OBJECT_META: Obj = {
    "type": "object",
    "properties": {
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {
            "type": "array",
            "items": {"type": "string"},
            "x-kubernetes-list-type": "set",
        },
        "ownerReferences": {
            "type": "array",
            "items": {"type": "object"},
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["uid"],
        },
        "generateName": {"type": "string"},
        "deletionTimestamp": {"type": "string"},
        "deletionGracePeriodSeconds": {"type": "integer"},
    },
}


# -- field sets ---------------------------------------------------------------------------------


def _list_type(schema: Obj) -> tuple[str, list[str]]:
    """``("map", keys)``, ``("set", [])`` or ``("atomic", [])`` for a list's schema."""
    declared = schema.get("x-kubernetes-list-type")
    if declared == "map":
        keys = schema.get("x-kubernetes-list-map-keys") or []
        return ("map", [str(k) for k in keys]) if keys else ("atomic", [])
    if declared in ("set", "atomic"):
        return str(declared), []
    if "merge" in str(schema.get("x-kubernetes-patch-strategy") or "").split(","):
        merge_key = schema.get("x-kubernetes-patch-merge-key")
        return ("map", [str(merge_key)]) if merge_key else ("set", [])
    return "atomic", []


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _item_key(item: Any, kind: str, keys: list[str]) -> str | None:
    """The path element of a list item, None when it cannot have one (then the list is
    owned as a whole)."""
    if kind == "map" and isinstance(item, dict):
        found = {k: item[k] for k in sorted(keys) if k in item}
        return f"k:{_json(found)}" if found else None
    if kind == "set" and not isinstance(item, (dict, list)):
        return f"v:{_json(item)}"
    return None


class _Walk:
    """One object's walk against its schema; ``table`` resolves ``$ref``s."""

    def __init__(self, table: ResourceTable | None) -> None:
        self.table = table

    def resolve(self, schema: Any) -> Obj:
        if self.table is not None:
            return self.table.resolve(schema)
        return schema if isinstance(schema, dict) else {}

    def child(self, schema: Obj, key: str) -> tuple[Obj, bool]:
        """A map key's schema and whether it is a declared field."""
        properties = schema.get("properties") or {}
        if key in properties:
            return self.resolve(properties[key]), True
        extra = schema.get("additionalProperties")
        return (self.resolve(extra) if isinstance(extra, dict) else {}), False

    def items(self, schema: Obj) -> Obj:
        return self.resolve(schema.get("items"))

    def fields(self, value: Any, schema: Obj, path: Path, out: set[Path]) -> None:
        if isinstance(value, dict):
            if schema.get("x-kubernetes-map-type") == "atomic":
                out.add(path)
                return
            for key, child in value.items():
                child_schema, declared = self.child(schema, key)
                child_path = (*path, f"f:{key}")
                self.fields(child, child_schema, child_path, out)
                if child is None or child == {} or not declared:
                    out.add(child_path)
        elif isinstance(value, list):
            kind, keys = _list_type(schema)
            elements = [_item_key(item, kind, keys) for item in value]
            if kind == "atomic" or None in elements:
                out.add(path)
                return
            items = self.items(schema)
            for item, element in zip(value, elements, strict=True):
                item_path = (*path, str(element))
                self.fields(item, items, item_path, out)
                out.add(item_path)
        else:
            out.add(path)

    def merge(self, live: Any, applied: Any, schema: Obj) -> Any:
        """The applied value merged into the live one (SMD's ``Merge``)."""
        if isinstance(applied, dict) and isinstance(live, dict):
            if schema.get("x-kubernetes-map-type") == "atomic":
                return copy.deepcopy(applied)
            result = dict(live)
            for key, value in applied.items():
                child_schema, _ = self.child(schema, key)
                result[key] = self.merge(live.get(key), value, child_schema)
            return result
        if isinstance(applied, list) and isinstance(live, list):
            kind, keys = _list_type(schema)
            elements = [_item_key(item, kind, keys) for item in applied]
            old = [_item_key(item, kind, keys) for item in live]
            if kind != "atomic" and None not in elements and None not in old:
                items = self.items(schema)
                merged = list(live)
                for item, element in zip(applied, elements, strict=True):
                    if element in old:
                        position = old.index(element)
                        merged[position] = self.merge(live[position], item, items)
                    else:
                        merged.append(copy.deepcopy(item))
                        old.append(element)
                return merged
        return copy.deepcopy(applied)


def _root_schema(table: ResourceTable | None, schema: Any) -> Obj:
    walk = _Walk(table)
    root = dict(walk.resolve(schema))
    root["properties"] = {**(root.get("properties") or {}), "metadata": _OBJECT_META}
    return root


def field_set(
    table: ResourceTable | None, obj: Any, schema: Any, *, subresource: str = ""
) -> set[Path]:
    """The field set of ``obj`` (a whole object or an applied configuration) against its
    kind's ``schema`` (``{}``: unknown), without the fields kube-apiserver never tracks.

    ``subresource="status"``: only ``status``; ``""`` with a kind that has a status
    subresource: pass the object without ``status`` (the caller knows the kind)."""
    out: set[Path] = set()
    _Walk(table).fields(obj, _root_schema(table, schema), (), out)
    out.discard(())
    kept = {p for p in out if p[0] not in ("f:apiVersion", "f:kind")}
    kept = {
        p for p in kept if not (p[0] == "f:metadata" and len(p) > 1 and p[1][2:] in _STRIPPED_META)
    }
    kept.discard(("f:metadata",))
    if subresource == "status":
        kept = {p for p in kept if p[0] == "f:status"}
    return kept


# -- fieldsV1 -------------------------------------------------------------------------------------


def fields_v1(paths: Iterable[Path]) -> Obj:
    """The ``fieldsV1`` document of a field set (keys sorted, ``"."`` for an item that is
    itself a member and has members below it)."""
    members = set(paths)
    root: Obj = {}
    for path in members:
        node = root
        for element in path:
            node = node.setdefault(element, {})
    for path in members:
        node = root
        for element in path:
            node = node[element]
        if node:
            node["."] = {}
    return _sorted(root)


def _sorted(node: Obj) -> Obj:
    return {key: _sorted(node[key]) for key in sorted(node)}


def set_from_fields_v1(document: Any, prefix: Path = ()) -> set[Path]:
    """The field set a ``fieldsV1`` document holds (unreadable parts are skipped)."""
    out: set[Path] = set()
    if not isinstance(document, dict):
        return out
    for key, child in document.items():
        if key == ".":
            out.add(prefix)
        elif isinstance(key, str):
            path = (*prefix, key)
            if child:
                out |= set_from_fields_v1(child, path)
            else:
                out.add(path)
    out.discard(())
    return out


def path_string(path: Path) -> str:
    """structured-merge-diff's ``Path.String()``: ``.spec.containers[name="c"].image``,
    ``.metadata.finalizers[="x"]``."""
    parts = []
    for element in path:
        kind, rest = element[:2], element[2:]
        if kind == "f:":
            parts.append(f".{rest}")
        elif kind == "k:":
            keys = json.loads(rest)
            parts.append("[" + ",".join(f"{k}={_json(v)}" for k, v in keys.items()) + "]")
        elif kind == "v:":
            parts.append(f"[={rest}]")
        else:
            parts.append(f"[{rest}]")
    return "".join(parts)


# -- values at paths ------------------------------------------------------------------------------

_MISSING = object()


def _step(value: Any, element: str) -> tuple[Any, Any]:
    """``(container, key)`` of a path element in ``value``; key None when absent."""
    kind, rest = element[:2], element[2:]
    if kind == "f:":
        return value, rest if isinstance(value, dict) and rest in value else None
    if not isinstance(value, list):
        return value, None
    if kind == "k:":
        wanted = _element_value(element)
        for index, item in enumerate(value):
            if isinstance(item, dict) and all(
                item.get(k, _MISSING) == v for k, v in wanted.items()
            ):
                return value, index
    elif kind == "v:":
        wanted = _element_value(element)
        for index, item in enumerate(value):
            if item == wanted:
                return value, index
    elif kind == "i:" and rest.isdigit() and int(rest) < len(value):
        return value, int(rest)
    return value, None


@functools.lru_cache(maxsize=4096)
def _element_value(element: str) -> Any:
    """The key fields (``k:``) or value (``v:``) of a path element, parsed once (read only)."""
    return json.loads(element[2:])


class _Values:
    """The values of one object at paths, each path resolved from its parent's cached
    value (a path's lookup is one step, not a walk from the root)."""

    def __init__(self, obj: Any) -> None:
        self.cache: dict[Path, Any] = {(): obj}

    def get(self, path: Path) -> Any:
        if path in self.cache:
            return self.cache[path]
        parent = self.get(path[:-1])
        value = _MISSING
        if parent is not _MISSING:
            container, key = _step(parent, path[-1])
            if key is not None:
                value = container[key]
        self.cache[path] = value
        return value


def _get(obj: Any, path: Path) -> Any:
    value = obj
    for element in path:
        container, key = _step(value, element)
        if key is None:
            return _MISSING
        value = container[key]
    return value


def _remove(obj: Any, path: Path) -> None:
    parent = _get(obj, path[:-1])
    container, key = _step(parent, path[-1])
    if key is not None:
        del container[key]


def _changed(before: Any, after: Any, paths: set[Path]) -> set[Path]:
    """The paths of ``paths`` that ``after`` adds or changes against ``before``: a member
    with members below it (a list item, a label map entry holding a map) changes only by
    appearing, a leaf by its value."""
    parents = {p[:i] for p in paths for i in range(1, len(p))}
    old_values, new_values = _Values(before), _Values(after)
    changed = set()
    for path in paths:
        old = old_values.get(path)
        if old is _MISSING or (path not in parents and old != new_values.get(path)):
            changed.add(path)
    return changed


# -- managedFields entries -----------------------------------------------------------------------


_ENTRY_ORDER = (
    "manager",
    "operation",
    "apiVersion",
    "time",
    "fieldsType",
    "fieldsV1",
    "subresource",
)


class _Manager:
    """One ``managedFields`` entry and its field set."""

    def __init__(self, entry: Obj, fields: set[Path]) -> None:
        self.entry = entry
        self.fields = fields

    @property
    def identity(self) -> tuple[str, str, str, str]:
        e = self.entry
        version = "" if e.get("operation") == "Apply" else str(e.get("apiVersion") or "")
        return (
            str(e.get("manager") or ""),
            str(e.get("operation") or ""),
            version,
            str(e.get("subresource") or ""),
        )

    def describe(self) -> str:
        """kube-apiserver's ``printManager``: ``"name"``, ``"name" using v1`` for Update."""
        manager, operation, version, subresource = self.identity
        text = json.dumps(manager)
        if subresource:
            text += f" with subresource {json.dumps(subresource)}"
        if operation == "Update":
            text += f" using {version}"
        return text

    def encoded(self) -> Obj:
        """The entry in ``metav1.ManagedFieldsEntry``'s field order."""
        fields = {**self.entry, "fieldsType": "FieldsV1", "fieldsV1": fields_v1(self.fields)}
        ordered = {k: fields[k] for k in _ENTRY_ORDER if k in fields}
        return {**ordered, **{k: v for k, v in fields.items() if k not in ordered}}


def _managers(obj: Any) -> list[_Manager]:
    meta = obj.get("metadata") if isinstance(obj, dict) else None
    entries = meta.get("managedFields") if isinstance(meta, dict) else None
    found = []
    for entry in entries if isinstance(entries, list) else ():
        if isinstance(entry, dict):
            found.append(_Manager(dict(entry), set_from_fields_v1(entry.get("fieldsV1"))))
    return found


def _store(obj: Obj, managers: list[_Manager]) -> None:
    def order(m: _Manager) -> tuple[str, str, str, str, str]:
        e = m.entry
        return (
            str(e.get("operation") or ""),
            str(e.get("time") or ""),
            str(e.get("manager") or ""),
            str(e.get("apiVersion") or ""),
            str(e.get("subresource") or ""),
        )

    kept = sorted((m for m in managers if m.fields), key=order)
    meta = obj.setdefault("metadata", {})
    if kept:
        meta["managedFields"] = [m.encoded() for m in kept]
    else:
        meta.pop("managedFields", None)


def _entry(manager: str, operation: str, api_version: str, subresource: str, time: str) -> Obj:
    entry: Obj = {"manager": manager, "operation": operation, "apiVersion": api_version}
    entry["time"] = time
    if subresource:
        entry["subresource"] = subresource
    return entry


def _conflict(conflicts: list[tuple[_Manager, Path]]) -> ApiError:
    """kube-apiserver's ``NewConflictError``: 409 Conflict, a cause per field."""
    ordered = sorted(conflicts, key=lambda c: (c[0].describe(), path_string(c[1])))
    if len(ordered) == 1:
        who, path = ordered[0]
        message = (
            f"Apply failed with 1 conflict: conflict with {who.describe()}: {path_string(path)}"
        )
    else:
        lines: list[str] = []
        for name in sorted({m.describe() for m, _ in ordered}):
            lines.append(f"conflicts with {name}")
            lines += [f"- {path_string(p)}" for m, p in ordered if m.describe() == name]
        message = f"Apply failed with {len(ordered)} conflicts: " + "\n".join(lines)
    error = ApiError(409, "Conflict", message)
    error.details["causes"] = [
        {
            "reason": "FieldManagerConflict",  # StatusCause.Type is `json:"reason"`
            "message": f"conflict with {who.describe()}",
            "field": path_string(path),
        }
        for who, path in ordered
    ]
    return error


# -- the operations -------------------------------------------------------------------------------


def apply(
    table: ResourceTable | None,
    live: Obj,
    applied: Obj,
    schema: Any,
    *,
    manager: str,
    api_version: str,
    time: str,
    subresource: str = "",
    force: bool = False,
) -> Obj:
    """Server-side apply of ``applied`` (the configuration) over ``live`` (``{}`` when the
    apply creates): the merged object, its ``managedFields`` updated.

    Raises :class:`~kubecore.testing.tracker.ApiError` 409 ``Conflict`` (causes of type
    ``FieldManagerConflict``, ``field`` as ``.spec.replicas``) when the apply changes a
    field another manager owns and ``force`` is false. client-go counterpart: the
    ``Apply`` of ``k8s.io/apimachinery/pkg/util/managedfields/internal.FieldManager``."""
    walk = _Walk(table)
    root = _root_schema(table, schema)
    applied_set = field_set(table, applied, schema, subresource=subresource)
    merged: Obj = walk.merge(live, applied, root)
    changed = _changed(live, merged, applied_set)
    managers = _managers(live)
    mine = [m for m in managers if m.identity == (manager, "Apply", "", subresource)]
    others = [m for m in managers if m not in mine]
    conflicts = [(m, p) for m in others for p in sorted(m.fields & changed)]
    if conflicts and not force:
        raise _conflict(conflicts)
    for other in others:
        other.fields -= changed
    last = set().union(*(m.fields for m in mine)) if mine else set()
    owned = applied_set.union(*(m.fields for m in others))
    owned_parents = {p[:i] for p in owned for i in range(1, len(p))}
    for path in sorted(last - owned, key=len):
        if path not in owned_parents and _get(merged, path) is not _MISSING:
            merged = _copy_path(merged, path)
            _remove(merged, path)
    merged["metadata"] = dict(merged.get("metadata") or {})  # live's stays as it is
    entry = _entry(manager, "Apply", api_version, subresource, time)
    _store(merged, [*others, _Manager(entry, applied_set)])
    return merged


def _copy_path(obj: Obj, path: Path) -> Obj:
    """``obj`` with the containers along ``path`` copied (the merge shares the rest with
    the live object, which must stay as it is)."""
    result = dict(obj)
    container: Any = result
    for element in path[:-1]:
        _, key = _step(container, element)
        if key is None:
            break
        child = container[key]
        container[key] = (
            dict(child)
            if isinstance(child, dict)
            else list(child) if isinstance(child, list) else child
        )
        container = container[key]
    meta = result.get("metadata")
    if isinstance(meta, dict):
        result["metadata"] = dict(meta)
    return result


def record_update(
    table: ResourceTable | None,
    old: Any,
    new: Obj,
    schema: Any,
    *,
    manager: str,
    api_version: str,
    time: str,
    subresource: str = "",
    has_status: bool = False,
) -> Obj:
    """Record a write (operation ``Update``: create, PUT, non-apply PATCH) of ``new`` over
    ``old`` (``{}`` for a create) by ``manager`` in ``new``'s ``managedFields`` (in place;
    ``new`` is returned). The entries are ``new``'s when it carries some (a client edited
    them), else ``old``'s, as kube-apiserver keeps them from clients that drop them."""

    def tracked(obj: Any) -> set[Path]:
        if isinstance(obj, dict) and has_status and not subresource:
            obj = {k: v for k, v in obj.items() if k != "status"}
        return field_set(table, obj, schema, subresource=subresource)

    before, after = tracked(old), tracked(new)
    changed = _changed(old, new, after)
    removed = before - after
    managers = _managers(new) or _managers(old)
    mine = [m for m in managers if m.identity == (manager, "Update", api_version, subresource)]
    for other in managers:
        if other not in mine:
            other.fields -= changed | removed
    fields = set().union(*(m.fields for m in mine)) if mine else set()
    fields = (fields | changed) - removed
    others = [m for m in managers if m not in mine]
    if changed or removed or not mine:
        entry = _entry(manager, "Update", api_version, subresource, time)
    else:
        entry = mine[0].entry
    _store(new, [*others, _Manager(entry, fields)])
    return new


def record_write(
    table: ResourceTable,
    resource: Resource,
    old: Any,
    new: Any,
    params: Any,
    *,
    time: str,
    subresource: str = "",
    user_agent: str = "",
) -> Any:
    """:func:`record_update` for a create, PUT or non-apply PATCH of ``resource`` with the
    request's query ``params``: recorded when the request names a ``fieldManager`` or the
    object already has ``managedFields``. A writer without ``fieldManager`` is named after
    its ``user_agent`` as kube-apiserver names it (the part before the first ``/``, printable
    characters, at most 128), ``unknown`` without one (a fake). kube-apiserver records every
    write; here an object nobody applied or named a manager for stays without entries (so
    plain creates and updates read, and cost, as before)."""
    manager = str(params.get("fieldManager") or "")
    if not isinstance(new, dict) or not (manager or _managers(old) or _managers(new)):
        return new
    if not manager:
        manager = manager_from_user_agent(user_agent) or "unknown"
    schema = resource.schema if resource.is_crd else None
    if not resource.is_crd:
        schema = table.schema_for_kind(resource.group, resource.version, resource.kind)
    return record_update(
        table,
        old if isinstance(old, dict) else {},
        new,
        schema or {},
        manager=manager,
        api_version=resource.group_version,
        time=time,
        subresource=subresource,
        has_status=resource.has_status,
    )


def manager_from_user_agent(user_agent: str) -> str:
    """kube-apiserver's default field manager (``prefixFromUserAgent``): the User-Agent up
    to its first ``/``, printable characters only, at most 128 of them."""
    prefix = user_agent.split("/", 1)[0]
    return "".join(c for c in prefix if c.isprintable())[:128]
