"""Patches as the apiserver applies them: JSON merge patch (RFC 7386), JSON patch (RFC 6902),
strategic merge patch (driven by the schema's ``x-kubernetes-patch-*`` extensions). Server-side
apply (``application/apply-patch+yaml``) merges and tracks field ownership in
:mod:`kubecore.testing.fieldowner`.
"""

from __future__ import annotations

import copy
from typing import Any

from kubecore.testing.discovery import ResourceTable
from kubecore.testing.tracker import ApiError, Obj, bad_request

# -- patches ------------------------------------------------------------------------------------


def check_patch_document(patch: Any, *, strategic: bool) -> None:
    """Refuse a merge or strategic merge patch whose body is not a JSON object.

    RFC 7386 would replace the whole target by a non-object patch; kube-apiserver refuses
    it instead (400 BadRequest): for a merge patch with json-patch's "Invalid JSON Patch",
    for a strategic merge patch with the JSON decoder's message. A ``null`` body decodes
    to an empty patch there, and here.
    """
    if patch is None or isinstance(patch, dict):
        return
    if not strategic:
        raise bad_request("Invalid JSON Patch")
    go_types = {list: "array", str: "string", bool: "bool", int: "number", float: "number"}
    found = go_types.get(type(patch), "value")
    raise bad_request(
        f"json: cannot unmarshal {found} into Go value of type map[string]interface {{}}"
    )


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiError(422, "Invalid", f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(container: list[Any], token: str, *, allow_end: bool) -> int:
    if token == "-" and allow_end:
        return len(container)
    if not token.isdigit():
        raise ApiError(422, "Invalid", f"invalid array index {token!r}")
    index = int(token)
    if index > len(container) or (index == len(container) and not allow_end):
        raise ApiError(422, "Invalid", f"array index {index} out of range")
    return index


def _get(doc: Any, tokens: list[str]) -> Any:
    for token in tokens:
        if isinstance(doc, dict) and token in doc:
            doc = doc[token]
        elif isinstance(doc, list):
            doc = doc[_index(doc, token, allow_end=False)]
        else:
            raise ApiError(422, "Invalid", f"path /{'/'.join(tokens)} does not exist")
    return doc


def _add(doc: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent = _get(doc, tokens[:-1])
    if isinstance(parent, dict):
        parent[tokens[-1]] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, tokens[-1], allow_end=True), value)
    else:
        raise ApiError(422, "Invalid", f"cannot add at /{'/'.join(tokens)}")
    return doc


def _remove(doc: Any, tokens: list[str]) -> Any:
    if not tokens:
        raise ApiError(422, "Invalid", "cannot remove the whole document")
    parent = _get(doc, tokens[:-1])
    if isinstance(parent, dict) and tokens[-1] in parent:
        return parent.pop(tokens[-1])
    if isinstance(parent, list):
        return parent.pop(_index(parent, tokens[-1], allow_end=False))
    raise ApiError(422, "Invalid", f"path /{'/'.join(tokens)} does not exist")


def json_patch(doc: Any, operations: Any) -> Any:
    """RFC 6902 JSON patch (add, remove, replace, move, copy, test)."""
    if not isinstance(operations, list):
        raise bad_request("a JSON patch must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in operations:
        if not isinstance(op, dict) or "path" not in op:
            raise ApiError(422, "Invalid", f"invalid JSON patch operation {op!r}")
        kind, tokens = op.get("op"), _pointer(str(op["path"]))
        if kind == "add":
            doc = _add(doc, tokens, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, tokens)
        elif kind == "replace":
            _get(doc, tokens)
            if tokens:
                _remove(doc, tokens)
            doc = _add(doc, tokens, copy.deepcopy(op.get("value")))
        elif kind in ("move", "copy"):
            source = _pointer(str(op.get("from", "")))
            value = _remove(doc, source) if kind == "move" else copy.deepcopy(_get(doc, source))
            doc = _add(doc, tokens, value)
        elif kind == "test":
            if _get(doc, tokens) != op.get("value"):
                raise ApiError(422, "Invalid", f"test operation failed at {op['path']}")
        else:
            raise ApiError(422, "Invalid", f"unknown JSON patch operation {kind!r}")
    return doc


def strategic_merge_patch(table: ResourceTable, target: Any, patch: Any, schema: Any) -> Any:
    """Strategic merge patch: maps merge, lists with a patch merge key merge by that key.

    Supports ``$patch: replace|delete|merge``, ``$retainKeys``,
    ``$deleteFromPrimitiveList/<field>`` and ``$setElementOrder/<field>`` directives.
    """
    schema = table.resolve(schema)
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if directive == "delete":
        return None
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    orders: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value if isinstance(value, list) else []
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field_name = key.split("/", 1)[1]
            if isinstance(result.get(field_name), list) and isinstance(value, list):
                result[field_name] = [v for v in result[field_name] if v not in value]
            continue
        field_schema = table.resolve(
            properties.get(key) if key in properties else extra if isinstance(extra, dict) else {}
        )
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list):
            result[key] = _merge_list(table, result.get(key), value, field_schema)
        elif isinstance(value, dict):
            merged = strategic_merge_patch(table, result.get(key), value, field_schema)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        else:
            result[key] = copy.deepcopy(value)
    for field_name, order in orders.items():
        merge_key = table.resolve(properties.get(field_name)).get("x-kubernetes-patch-merge-key")
        if isinstance(result.get(field_name), list):
            result[field_name] = _reorder(result[field_name], order, merge_key)
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _merge_list(table: ResourceTable, target: Any, patch: list[Any], schema: Obj) -> list[Any]:
    strategy = str(schema.get("x-kubernetes-patch-strategy") or "")
    merge_key = schema.get("x-kubernetes-patch-merge-key")
    if "merge" not in strategy.split(","):
        return [v for v in copy.deepcopy(patch) if not (isinstance(v, dict) and "$patch" in v)]
    result = copy.deepcopy(target) if isinstance(target, list) else []
    items = table.resolve(schema.get("items"))
    for value in patch:
        if not isinstance(value, dict) or not merge_key:
            if value not in result:
                result.append(copy.deepcopy(value))
            continue
        if value.get("$patch") == "replace":
            return [v for v in copy.deepcopy(patch) if not (isinstance(v, dict) and "$patch" in v)]
        position = next(
            (
                i
                for i, item in enumerate(result)
                if isinstance(item, dict) and item.get(merge_key) == value.get(merge_key)
            ),
            None,
        )
        if value.get("$patch") == "delete":
            if position is not None:
                del result[position]
        elif position is None:
            result.append(strategic_merge_patch(table, {}, value, items))
        else:
            result[position] = strategic_merge_patch(table, result[position], value, items)
    return result


def _reorder(values: list[Any], order: list[Any], merge_key: Any) -> list[Any]:
    def key_of(item: Any) -> Any:
        return item.get(merge_key) if merge_key and isinstance(item, dict) else item

    wanted = [key_of(o) for o in order]
    ranked = [v for v in values if key_of(v) in wanted]
    ranked.sort(key=lambda v: wanted.index(key_of(v)))
    rest = [v for v in values if key_of(v) not in wanted]
    return ranked + rest
