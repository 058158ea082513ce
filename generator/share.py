"""Identical inline CRD schemas share one class.

controller-gen writes a Go type out again at every place it is used, so a CRD such as
Argo's Workflow holds the same ``Container`` schema hundreds of times; one class per
place gave 10,000 classes for the Argo CRDs. This pass, run on the IR before naming,
gives each set of identical inline types one class.

**When two inline types are identical.** They generate the same class apart from
docstrings and the class name: the same group-version, and field by field the same wire
name, the same type (recursively: nested models and enums must themselves share one
class), and the same ``required``, ``nullable``, patch strategy, patch merge key, list type
and list-map keys; enums have the same values in the same order. Compared on the IR, so
everything the generated class does not encode is ignored: descriptions (which become
docstrings), ``example``, ``title``, ``default`` (never injected on encode) and the
validation keywords (``pattern``, ``minimum``, ``maxLength``, CEL rules ...), which
validation reads from the CRD's own schema, never from these classes.

**Only inline CRD types, only within a group-version.** Kinds, list kinds and OpenAPI
definitions (named types) never merge. A class is shared only inside one group-version
module, so a version's module stays self-contained and adding or removing a version never
moves or renames another version's classes.

**The shared class's name** (and its docstrings) come from the member with the shortest
path name (``WorkflowSpecTemplatesContainer`` rather than
``ClusterWorkflowTemplateSpecTemplatesContainer``), ties broken by the name and then the
type id in sorted order. Type ids come from CRD names and schema paths, so the choice does
not depend on the order of the inputs, and output stays byte-identical run to run.
"""

from __future__ import annotations

from kube_clientgen import ir

_Signature = tuple[object, ...]


def share_identical(api: ir.Api) -> int:
    """Merge identical shareable types of ``api`` in place; return how many were removed."""
    classes: dict[_Signature, int] = {}  # signature -> class number
    class_of: dict[str, int] = {}  # type id -> class number

    def type_key(t: ir.TypeRef) -> object:
        if isinstance(t, ir.Ref):
            if t.type_id in class_of or _shareable(api, t.type_id):
                return ("class", visit(t.type_id))
            return t
        if isinstance(t, ir.ListOf):
            return ("list", type_key(t.item))
        if isinstance(t, ir.MapOf):
            return ("map", type_key(t.value))
        if isinstance(t, ir.UnionOf):
            return ("union", tuple(type_key(o) for o in t.options))
        return t

    def visit(type_id: str) -> int:
        number = class_of.get(type_id)
        if number is not None:
            return number
        signature: _Signature
        enum = api.enums.get(type_id)
        if enum is not None:
            signature = ("enum", enum.group_version, enum.values)
        else:
            model = api.types[type_id]
            signature = (
                "model",
                model.group_version,
                tuple(
                    (
                        f.wire_name,
                        type_key(f.type),
                        f.required,
                        f.nullable,
                        f.patch_strategy,
                        f.patch_merge_key,
                        f.list_type,
                        f.list_map_keys,
                    )
                    for f in model.fields
                ),
            )
        number = classes.setdefault(signature, len(classes))
        class_of[type_id] = number
        return number

    # Inline CRD schemas have no references, so the types form trees: visit() terminates.
    for type_id in sorted([*api.types, *api.enums]):
        if _shareable(api, type_id):
            visit(type_id)
    members: dict[int, list[str]] = {}
    for type_id, number in class_of.items():
        members.setdefault(number, []).append(type_id)
    chosen: dict[str, str] = {}  # merged type id -> the id of its shared class
    for ids in members.values():
        if len(ids) < 2:
            continue
        keep = min(ids, key=lambda i: (len(_base_name(api, i)), _base_name(api, i), i))
        chosen.update({i: keep for i in ids if i != keep})
    if not chosen:
        return 0
    for type_id in chosen:
        api.types.pop(type_id, None)
        api.enums.pop(type_id, None)
    for model in api.types.values():
        for f in model.fields:
            f.type = _redirect(f.type, chosen)
    return len(chosen)


def _shareable(api: ir.Api, type_id: str) -> bool:
    named = api.types.get(type_id) or api.enums.get(type_id)
    return named is not None and named.shareable


def _base_name(api: ir.Api, type_id: str) -> str:
    named = api.types.get(type_id) or api.enums.get(type_id)
    assert named is not None
    return named.base_name


def _redirect(t: ir.TypeRef, chosen: dict[str, str]) -> ir.TypeRef:
    if isinstance(t, ir.Ref):
        return ir.Ref(chosen[t.type_id]) if t.type_id in chosen else t
    if isinstance(t, ir.ListOf):
        return ir.ListOf(_redirect(t.item, chosen))
    if isinstance(t, ir.MapOf):
        return ir.MapOf(_redirect(t.value, chosen))
    if isinstance(t, ir.UnionOf):
        return ir.UnionOf(tuple(_redirect(o, chosen) for o in t.options))
    return t
