"""Go's JSON decoding of a built-in kind: the first value whose JSON type does not fit.

kube-apiserver decodes a request body into the kind's Go struct before anything else, so
``"replicas": "3"`` in a Deployment is refused there, with ``400 BadRequest``::

    Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal
    string into Go struct field DeploymentSpec.spec.replicas of type int32

not by validation with a 422. :func:`type_error` gives that message from the served
OpenAPI schema, which stands in for the Go types:

* **Which error.** One. The decoder (``sigs.k8s.io/json``, a fork of ``encoding/json``)
  saves the first ``UnmarshalTypeError`` in document order and goes on, returning it at
  the end; an error a type's own ``UnmarshalJSON`` returns stops decoding at once and is
  returned instead (even after a saved one). Strict decoding (``fieldValidation=Strict``)
  collects unknown and duplicate fields, but reports them only "if no other errors
  occurred" (``saveStrictError``): a type error is never listed beside them.
* **Where.** ``Go struct field <Struct>.<path>``: ``<Struct>`` is the innermost struct
  holding the field (the definition's short name, the kind at the top); ``<path>`` is
  every struct field's JSON name from the top, joined by dots, without list indexes or map
  keys (Go's ``errorContext.FieldStack``).
* **Types.** From ``type`` + ``format``: ``int32``, ``int64``, ``float64``, ``string``,
  ``bool``, ``[]uint8`` (``format: byte``), ``[]T``, ``map[string]T``, and a struct as
  ``<package>.<Name>`` (``v1.PodSpec``) from its definition name; pointers are followed,
  as Go's message does. Named scalar types (``v1.Protocol``) are not in the schema: they
  read as their underlying ``string``; a map of quantities reads as ``v1.ResourceList``.
* **Custom decoders** (the stopping errors). ``IntOrString`` takes a string or an int32;
  ``Time``/``MicroTime`` a string that Go's ``time.Parse`` reads (the message is
  ``parsing time ...``, with no field). Their ``encoding/json`` type errors are the same
  Go type the fork aliases, so the field context is added to them too: ``json: cannot
  unmarshal bool into Go struct field HTTPGetAction.spec.containers.livenessProbe.httpGet.port
  of type int32``. ``Quantity`` takes a number or a string ``ParseQuantity`` reads, else
  ``quantities must match the regular expression ...`` (resource.ErrFormatWrong, no
  field; the rarer ErrNumeric/ErrSuffix wordings are not told apart). ``RawExtension``, ``FieldsV1``, ``Duration`` and the
  apiextensions JSON types decode themselves and are not checked here.

Custom resources are decoded unstructured: their type errors stay schema validation's
422, as kube-apiserver's.
"""

from __future__ import annotations

import functools
import weakref
from typing import Any, NamedTuple

from kubecore.core.quantity import _parse_text
from kubecore.testing.discovery import Resource, ResourceTable
from kubecore.testing.fielderrors import json_type
from kubecore.testing.schemawalk import (
    MICRO_TIME,
    RFC3339,
    RFC3339_MICRO,
    go_parse_time,
    resolve,
    schema_of,
)

__all__ = ["type_error"]

_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
#: resource.ErrFormatWrong, what Quantity.UnmarshalJSON returns for text ParseQuantity rejects.
_QUANTITY_ERROR = (
    "quantities must match the regular expression " "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
)
#: Definitions with their own UnmarshalJSON, not checked here.
_SELF_DECODING = frozenset(
    {
        "io.k8s.apimachinery.pkg.runtime.RawExtension",
        "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Duration",
        "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
    }
)
#: Named map types the schema cannot name: every map of quantities in the API is a
#: ``v1.ResourceList`` (limits, requests, capacity, hard, ...).
_NAMED_MAPS = {"map[string]resource.Quantity": "v1.ResourceList"}
_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}


class _Plan(NamedTuple):
    """How one schema decodes: ``want`` is the JSON kind it takes ("struct", "map",
    "array", "string", "int32", "int64", "float64", "bool"; "intstr", or a Go time layout
    for the types that decode themselves) or "" (anything)."""

    want: str
    go_type: str
    struct: str  # the struct's short name, for fields under it
    properties: dict[str, Any] | None
    element: Any  # additionalProperties or items


_PLANS: dict[int, dict[int, tuple[Any, _Plan]]] = {}


def _plans(table: ResourceTable) -> dict[int, tuple[Any, _Plan]]:
    """id(schema) -> (schema, plan) for ``table``; it goes when the table goes."""
    plans = _PLANS.get(id(table))
    if plans is None:
        plans = _PLANS[id(table)] = {}
        weakref.finalize(table, _PLANS.pop, id(table), None)
    return plans


def _plan(
    table: ResourceTable, raw: Any, plans: dict[int, tuple[Any, _Plan]] | None = None
) -> _Plan:
    if plans is None:
        plans = _plans(table)
    known = plans.get(id(raw))
    if known is not None and known[0] is raw:
        return known[1]
    plan = _make_plan(table, raw)
    if isinstance(raw, dict):
        plans[id(raw)] = (raw, plan)
    return plan


def _make_plan(table: ResourceTable, raw: Any) -> _Plan:
    schema, name = resolve(table, raw)
    short = name.rsplit(".", 1)[-1]
    package = name.rsplit(".", 2)[-2] if name.count(".") >= 1 else ""
    kind, fmt = schema.get("type"), schema.get("format")
    if name in _SELF_DECODING or schema.get("x-kubernetes-preserve-unknown-fields"):
        return _Plan("", f"{package}.{short}" if name else "interface {}", "", None, None)
    if name == _QUANTITY:
        return _Plan("quantity", "resource.Quantity", "", None, None)
    if name == _INT_OR_STRING or fmt == "int-or-string":
        return _Plan("intstr", "int32", "", None, None)
    if kind == "object":
        properties = schema.get("properties")
        if isinstance(properties, dict):
            go_type = f"{package}.{short}" if name else "struct"
            return _Plan("struct", go_type, short if name else "", properties, None)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            go_type = f"map[string]{_plan(table, extra).go_type}"
            return _Plan("map", _NAMED_MAPS.get(go_type, go_type), "", None, extra)
        return _Plan("", "interface {}", "", None, None)
    if kind == "array" and isinstance(schema.get("items"), dict):
        items = schema["items"]
        return _Plan("array", f"[]{_plan(table, items).go_type}", "", None, items)
    if kind == "string":
        if fmt == "date-time":
            return _Plan(RFC3339_MICRO if name == MICRO_TIME else RFC3339, "string", "", None, None)
        return _Plan("string", "[]uint8" if fmt == "byte" else "string", "", None, None)
    if kind == "integer":
        bits = "int32" if fmt == "int32" else "int64"
        return _Plan(bits, bits, "", None, None)
    if kind == "number":
        return _Plan("float64", "float64", "", None, None)
    if kind == "boolean":
        return _Plan("bool", "bool", "", None, None)
    return _Plan("", f"{package}.{short}" if name else "interface {}", "", None, None)


def _mismatch(want: str, value: Any) -> str | None:
    """Go's ``Value`` of the UnmarshalTypeError for ``value`` decoded as ``want``, or None."""
    if want in ("struct", "map"):
        ok = isinstance(value, dict)
    elif want == "array":
        ok = isinstance(value, list)
    elif want == "string":
        ok = isinstance(value, str)
    elif want == "bool":
        ok = isinstance(value, bool)
    elif want == "float64":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif want in _RANGES:  # an integer: a number that is not one is "number <text>"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return json_type(value)
        low, high = _RANGES[want]
        if isinstance(value, float) or not low <= value <= high:
            return f"number {value!r}"
        return None
    else:
        return None
    return None if ok else json_type(value)


def type_error(table: ResourceTable, resource: Resource, obj: Any) -> str | None:
    """The 400 message for the error Go's decoder returns for built-in ``obj`` (module
    docstring), or ``None`` when it decodes. Custom resources: always None."""
    if resource.is_crd or not isinstance(obj, dict):
        return None
    schema = schema_of(table, resource)
    if schema is None:
        return None
    prefix = (
        f'{resource.kind} in version "{resource.version}" cannot be handled as a '
        f"{resource.kind}: "
    )
    saved: str | None = None  # the first UnmarshalTypeError; decoding goes on
    # (schema, value, innermost struct, field path), depth first in document order
    top = _plan(table, schema)
    stack: list[tuple[Any, Any, str, str]] = [
        (top.properties[key], obj[key], resource.kind, key)
        for key in reversed(list(obj))
        if top.properties and key in top.properties and key not in ("apiVersion", "kind")
    ]
    plans = _plans(table)
    while stack:
        raw, value, struct, path = stack.pop()
        if value is None:
            continue  # null fits every Go type
        known = plans.get(id(raw))
        plan = known[1] if known is not None and known[0] is raw else _plan(table, raw, plans)
        want = plan.want
        if want == "struct" and isinstance(value, dict):  # the common cases first
            properties = plan.properties or {}
            inner = plan.struct or struct
            for key in reversed(list(value)):
                if key in properties:
                    stack.append((properties[key], value[key], inner, f"{path}.{key}"))
            continue
        if want == "string" and isinstance(value, str):
            continue
        if want == "quantity":  # Quantity.UnmarshalJSON: ParseQuantity's error stops decoding
            if not _quantity_ok(value):
                return prefix + _QUANTITY_ERROR
            continue
        if want == "intstr" or want.startswith("2006"):
            # A type decoding itself: its error stops decoding, and wins over a saved one.
            if want.startswith("2006") and isinstance(value, str):
                problem = _time_problem(value, want)
                if problem is not None:
                    return prefix + problem
                continue
            wrong = _mismatch("int32" if want == "intstr" else "string", value)
            if wrong is not None and not isinstance(value, str):
                return f"{prefix}json: cannot unmarshal {wrong} into Go struct field {struct}.{path} of type {plan.go_type}"
            continue
        wrong = _mismatch(want, value)
        if wrong is not None:
            if saved is None:
                saved = f"{prefix}json: cannot unmarshal {wrong} into Go struct field {struct}.{path} of type {plan.go_type}"
        elif want == "map":
            for key in reversed(list(value)):
                stack.append((plan.element, value[key], struct, path))
        elif want == "array":
            for index in range(len(value) - 1, -1, -1):
                stack.append((plan.element, value[index], struct, path))
    return saved


def _quantity_ok(value: Any) -> bool:
    """Whether Go's ``Quantity.UnmarshalJSON`` reads ``value``: a JSON number, or a string
    ``ParseQuantity`` reads after ``strings.TrimSpace`` (a bool, list or object is its
    text, which never parses)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return False
    if not isinstance(value, str):
        return True
    try:
        _parse_text(value.strip())
    except (ValueError, ArithmeticError):
        return False
    return True


@functools.lru_cache(maxsize=4096)
def _time_problem(value: str, layout: str) -> str | None:
    """Go's ``time.Parse`` message for ``value``, or None; memoised (every write of an
    object carries the same stored timestamps again)."""
    try:
        go_parse_time(value, layout)
    except ValueError as err:
        return str(err)
    return None
