"""Pruning and defaulting by structural schema, as kube-apiserver: custom resources by
their CRD's schema, and (pruning only) built-in kinds by their OpenAPI definitions, which
is what decoding into Go structs keeps (one mechanism for both, :func:`prune`).

Both are pure functions: the input object is never changed; the result shares no mutable
value with it (except :func:`with_defaults`'s, by design).

* :func:`prune` drops every field the schema does not declare and returns the dropped paths
  (``spec.foo``, ``spec.items[0].bar``), which is what ``fieldValidation=Strict`` lists as
  ``unknown field "spec.foo"`` and ``Warn`` sends as one ``Warning`` per field.
  ``x-kubernetes-preserve-unknown-fields: true`` keeps unknown fields at that level (the
  declared ones are still pruned inside), at any depth; an
  ``x-kubernetes-embedded-resource`` keeps ``apiVersion``, ``kind`` and ``metadata``; at the
  root, ``apiVersion``, ``kind`` and ``metadata`` are always kept (metadata is ObjectMeta,
  whose unknown fields the decoder drops, not the pruner).
* :func:`apply_defaults` (and :func:`with_defaults`, its copy-on-write twin for readers)
  sets each absent property that has a ``default`` (and a ``null``
  one when the property is not ``nullable``) to a copy of the default, top-down, so
  defaults inside a defaulted value apply too; remaining ``null``s of non-nullable
  properties without a default are dropped (apiextensions-apiserver's
  ``PruneNonNullableNullsWithoutDefaults``).
"""

from __future__ import annotations

import copy
import marshal
from collections.abc import Mapping
from typing import Any

_ROOT_KEPT = ("apiVersion", "kind", "metadata")
_SCALARS = frozenset((str, int, float, bool, type(None)))


def _copy(value: Any) -> Any:
    """A deep copy of JSON data: marshal's round trip (in C, exact, order kept), several
    times faster than ``copy.deepcopy``, which stays the fallback for anything marshal
    refuses (objects that are not plain data)."""
    if value.__class__ in _SCALARS:
        return value
    try:
        return marshal.loads(marshal.dumps(value))
    except ValueError:
        return copy.deepcopy(value)


def prune(
    obj: dict[str, Any],
    schema: dict[str, Any],
    definitions: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """``obj`` without undeclared fields, and the paths of the fields dropped.

    ``definitions`` (the OpenAPI definitions of the built-in API, by name) switches to what
    kube-apiserver's decoder keeps of a *built-in* kind, whose objects are Go structs: the
    same pruning, with ``$ref``s resolved, a schema that declares no structure (no
    ``type``, or an ``object`` without ``properties`` and ``additionalProperties``:
    ``RawExtension``, ``FieldsV1``, ``JSON``) kept whole, and explicit ``null``s read as
    Go reads them: a ``null`` property is the field's zero value, which the API's
    ``omitempty`` fields leave out, so it is dropped (not reported: it is no unknown
    field); a ``null`` map value or list item becomes its type's zero value (``""``,
    ``0``, ``false``, ``"0"`` for a Quantity, ``{}`` for an object). Go writes a few
    fields without ``omitempty`` (a zero ``name``) back as their zero value; here they are
    left out, so validation reports them as required either way.
    """
    pruned: list[str] = []
    out = _prune(obj, schema, "", pruned, definitions, root=True)
    return out, pruned


_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"


def resolve_ref(schema: Any, definitions: Mapping[str, Any] | None) -> tuple[Any, str]:
    """The schema behind ``$ref`` (or a one-member ``allOf``) and the last definition name
    (``""`` when there was no reference); ``{}`` for a dangling or looping reference."""
    name = ""
    if definitions is None:
        return schema, name
    for _ in range(32):
        if not isinstance(schema, dict):
            return schema, name
        ref = schema.get("$ref")
        all_of = schema.get("allOf")
        if ref is None and isinstance(all_of, list) and len(all_of) == 1:
            ref = all_of[0].get("$ref") if isinstance(all_of[0], dict) else None
        if not isinstance(ref, str):
            return schema, name
        name = ref.rsplit("/", 1)[-1]
        schema = definitions.get(name, {})
    return {}, name


def _free_form(schema: dict[str, Any]) -> bool:
    """A built-in schema that declares no structure: its value is kept as it is."""
    if schema.get("x-kubernetes-int-or-string"):
        return True
    kind = schema.get("type")
    if kind is None:
        return not schema.get("properties") and not schema.get("items")
    return (
        kind == "object" and not schema.get("properties") and "additionalProperties" not in schema
    )


def _zero(schema: Any, definitions: Mapping[str, Any] | None) -> Any:
    """Go's zero value for a ``null`` map value or list item of ``schema``."""
    resolved, name = resolve_ref(schema, definitions)
    if name == _QUANTITY:
        return "0"
    if not isinstance(resolved, dict):
        return None
    return {"string": "", "integer": 0, "number": 0, "boolean": False, "object": {}}.get(
        str(resolved.get("type")), None
    )


def _prune(
    value: Any,
    schema: Any,
    path: str,
    pruned: list[str],
    definitions: Mapping[str, Any] | None,
    *,
    root: bool = False,
) -> Any:
    schema, _ = resolve_ref(schema, definitions)
    if not isinstance(schema, dict):
        return _copy(value)
    builtin = definitions is not None
    if builtin and _free_form(schema):
        return _copy(value)
    if isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, dict):
            return _copy(value)
        return [
            (
                _zero(items, definitions)
                if v is None and builtin
                else _prune(v, items, f"{path}[{i}]", pruned, definitions)
            )
            for i, v in enumerate(value)
        ]
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
            if item is None and builtin:
                continue  # Go's zero value, left out (omitempty)
            if root and key == "metadata" and not builtin:
                out[key] = _copy(item)
            else:
                out[key] = _prune(item, properties[key], child, pruned, definitions)
        elif key in kept_always:
            out[key] = _copy(item)
        elif isinstance(extra, dict):
            if item is None and builtin:
                out[key] = _zero(extra, definitions)
            else:
                out[key] = _prune(item, extra, child, pruned, definitions)
        elif keep_unknown or extra is True:
            out[key] = _copy(item)
        else:
            pruned.append(child)
    return out


def apply_defaults(obj: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` with the schema's defaults applied (see the module docstring)."""
    result = _default(_copy(obj), schema)
    return result if isinstance(result, dict) else obj


def with_defaults(obj: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``obj`` with the schema's defaults applied, as :func:`apply_defaults`, for reading.

    The same result (equal, same key order), copied on write: ``obj`` itself when the
    schema changes nothing in it (the common case: no defaults to add, no ``null`` to
    drop), otherwise new containers along the changed paths that share every unchanged
    value with ``obj``. ``obj`` is never changed. For callers that only read the result
    (validation, encoding an object as served) or own ``obj``: the deep copy
    :func:`apply_defaults` makes first cost more than the defaulting walk itself, and
    the test server defaults every write and every read (kube-apiserver's storage
    decoder defaults what it reads; no Go counterpart is needed: Go's defaulting works on
    its own decoded copy).
    """
    result = _with_defaults(obj, schema)
    return result if isinstance(result, dict) else obj


def _with_defaults(value: Any, schema: Any) -> Any:
    # _default's rules without changing ``value``: returns ``value`` when nothing changes.
    if not isinstance(schema, dict):
        return value
    if isinstance(value, list):
        items = schema.get("items")
        if not isinstance(items, dict):
            return value
        items_default = "default" in items and not items.get("nullable")
        new_list: list[Any] | None = None
        for index, item in enumerate(value):
            if item is None and items_default:
                changed = _default(_copy(items["default"]), items)
            else:
                changed = _with_defaults(item, items)
            if changed is not item:
                if new_list is None:
                    new_list = list(value)
                new_list[index] = changed
        return value if new_list is None else new_list
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] | None = None  # a shallow copy of ``value``, once something changes
    properties = schema.get("properties") or {}
    for key, sub in properties.items():
        if not isinstance(sub, dict):
            continue
        current = value.get(key)
        if current is None and not (key in value and sub.get("nullable")):
            if "default" in sub:
                if out is None:
                    out = dict(value)
                out[key] = _default(_copy(sub["default"]), sub)
            elif key in value:
                if out is None:
                    out = dict(value)
                del out[key]
            continue
        changed = _with_defaults(current, sub)
        if changed is not current:
            if out is None:
                out = dict(value)
            out[key] = changed
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        extra_default = "default" in extra and not extra.get("nullable")
        for key, current in value.items():
            if key in properties:
                continue
            if current is None and extra_default:
                changed = _default(_copy(extra["default"]), extra)
            else:
                changed = _with_defaults(current, extra)
            if changed is not current:
                if out is None:
                    out = dict(value)
                out[key] = changed
    return value if out is None else out


def _default(value: Any, schema: Any) -> Any:
    if not isinstance(schema, dict):
        return value
    if isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for index, item in enumerate(value):
                if item is None and "default" in items and not items.get("nullable"):
                    value[index] = _copy(items["default"])
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
                value[key] = _copy(sub["default"])
            elif key in value:
                del value[key]
                continue
        if key in value:
            value[key] = _default(value[key], sub)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        for key in [k for k in value if k not in properties]:
            if value[key] is None and "default" in extra and not extra.get("nullable"):
                value[key] = _copy(extra["default"])
            value[key] = _default(value[key], extra)
    return value
