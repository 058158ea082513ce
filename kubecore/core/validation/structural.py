"""Pruning and defaulting of custom resources by their structural schema, as kube-apiserver.

Both are pure functions: the input object is never changed; the result shares no mutable
value with it.

* :func:`prune` drops every field the schema does not declare and returns the dropped paths
  (``spec.foo``, ``spec.items[0].bar``), which is what ``fieldValidation=Strict`` lists as
  ``unknown field "spec.foo"`` and ``Warn`` sends as one ``Warning`` per field.
  ``x-kubernetes-preserve-unknown-fields: true`` keeps unknown fields at that level (the
  declared ones are still pruned inside), at any depth; an
  ``x-kubernetes-embedded-resource`` keeps ``apiVersion``, ``kind`` and ``metadata``; at the
  root, ``apiVersion``, ``kind`` and ``metadata`` are always kept (metadata is ObjectMeta,
  whose unknown fields the decoder drops, not the pruner).
* :func:`apply_defaults` sets each absent property that has a ``default`` (and a ``null``
  one when the property is not ``nullable``) to a copy of the default, top-down, so
  defaults inside a defaulted value apply too; remaining ``null``s of non-nullable
  properties without a default are dropped (apiextensions-apiserver's
  ``PruneNonNullableNullsWithoutDefaults``).
"""

from __future__ import annotations

import copy
from typing import Any

_ROOT_KEPT = ("apiVersion", "kind", "metadata")


def prune(obj: dict[str, Any], schema: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """``obj`` without undeclared fields, and the paths of the fields dropped."""
    pruned: list[str] = []
    out = _prune(obj, schema, "", pruned, root=True)
    return out, pruned


def _prune(value: Any, schema: Any, path: str, pruned: list[str], *, root: bool = False) -> Any:
    if not isinstance(schema, dict):
        return copy.deepcopy(value)
    if isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, dict):
            return copy.deepcopy(value)
        return [_prune(v, items, f"{path}[{i}]", pruned) for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties") or {}
    extra = schema.get("additionalProperties")
    keep_unknown = bool(schema.get("x-kubernetes-preserve-unknown-fields"))
    kept_always = _ROOT_KEPT if root or schema.get("x-kubernetes-embedded-resource") else ()
    out: dict[str, Any] = {}
    prefix = f"{path}." if path else ""
    for key, item in value.items():
        child = prefix + key
        if key in properties:
            if root and key == "metadata":
                out[key] = copy.deepcopy(item)
            else:
                out[key] = _prune(item, properties[key], child, pruned)
        elif key in kept_always:
            out[key] = copy.deepcopy(item)
        elif isinstance(extra, dict):
            out[key] = _prune(item, extra, child, pruned)
        elif keep_unknown or extra is True:
            out[key] = copy.deepcopy(item)
        else:
            pruned.append(child)
    return out


def apply_defaults(obj: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` with the schema's defaults applied (see the module docstring)."""
    result = _default(copy.deepcopy(obj), schema)
    return result if isinstance(result, dict) else obj


def _default(value: Any, schema: Any) -> Any:
    if not isinstance(schema, dict):
        return value
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                if item is None and "default" in items and not items.get("nullable"):
                    value[index] = copy.deepcopy(items["default"])
                value[index] = _default(value[index], items)
        return value
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties") or {}
    for key, sub in properties.items():
        if not isinstance(sub, dict):
            continue
        current = value.get(key)
        if current is None and not (key in value and sub.get("nullable")):
            if "default" in sub:
                value[key] = copy.deepcopy(sub["default"])
            elif key in value:
                del value[key]
                continue
        if key in value:
            value[key] = _default(value[key], sub)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key in [k for k in value if k not in properties]:
            if value[key] is None and "default" in extra and not extra.get("nullable"):
                value[key] = copy.deepcopy(extra["default"])
            value[key] = _default(value[key], extra)
    return value
