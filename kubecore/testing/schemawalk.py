"""Walk an object along its OpenAPI schema: the lookup every write-time check builds on.

:func:`walk` yields a :class:`Node` — wire path, resolved schema, the name of the
definition it came from (``io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime``) and the
value — for every value of an object that its kind's schema describes (properties,
``items``, ``additionalProperties``), iteratively, so a deep object cannot exhaust the
stack. The schema is the one the server serves (swagger v2 definitions, OpenAPI v3
components or a CRD's ``openAPIV3Schema``), through :meth:`ResourceTable.schema_for_kind`.

:func:`date_time_error` is the first user: kube-apiserver decodes ``Time`` and
``MicroTime`` fields (``format: date-time``) with Go's ``time.Parse`` and answers a
zone-less timestamp with ``400 BadRequest``; the message here is Go's, word for word.
Full schema validation (types, enums, ranges: issue #10) is meant to walk the same nodes.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kubecore.core.validation.structural import resolve_ref
from kubecore.testing.discovery import Resource, ResourceTable
from kubecore.testing.fielderrors import json_type

__all__ = [
    "Node",
    "date_time_error",
    "go_parse_time",
    "reaches",
    "resolve",
    "schema_of",
    "walk",
]

MICRO_TIME = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"
RFC3339 = "2006-01-02T15:04:05Z07:00"
RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00"


@dataclass(frozen=True, slots=True)
class Node:
    """One value of an object with its schema: ``path`` is the dotted wire path
    (``spec.containers[0].image``, map keys as ``labels[app]``)."""

    path: str
    schema: dict[str, Any]
    definition: str
    value: Any


def _resolve(table: ResourceTable, schema: Any) -> tuple[dict[str, Any], str]:
    """Follow ``$ref`` (or a one-member ``allOf``) to a schema (``{}`` if not a mapping)
    and the last definition name; memoised per table and schema object (walks resolve the
    same few schemas for every write)."""
    resolved_by_id = _memo(table).resolved
    known = resolved_by_id.get(id(schema))
    if known is not None and known[0] is schema:
        return known[1], known[2]
    resolved, name = resolve_ref(schema, table.definitions)
    result = resolved if isinstance(resolved, dict) else {}
    if isinstance(schema, dict) and result:  # kept in the entry, so its id stays its own;
        # an unresolved $ref is not remembered: a table can gain definitions later
        resolved_by_id[id(schema)] = (schema, result, name)
    return result, name


def resolve(table: ResourceTable, schema: Any) -> tuple[dict[str, Any], str]:
    """``schema`` with ``$ref`` (or a one-member ``allOf``) followed, ``{}`` if it is not a
    mapping, and the name of the last definition reached ("" for an inline schema)."""
    return _resolve(table, schema)


def schema_of(table: ResourceTable, resource: Resource) -> dict[str, Any] | None:
    """The served schema of a resource's kind (a CRD's ``openAPIV3Schema``), if any."""
    if resource.is_crd:
        return resource.schema if isinstance(resource.schema, dict) else None
    return table.schema_for_kind(resource.group, resource.version, resource.kind)


def _children(schema: dict[str, Any]) -> Iterator[Any]:
    properties = schema.get("properties")
    if isinstance(properties, dict):
        yield from properties.values()
    for key in ("additionalProperties", "items"):
        if isinstance(schema.get(key), dict):
            yield schema[key]


_Answers = dict[tuple[int, int], tuple[Any, Any, bool]]
# A schema's part in date_time_error: (Go layout if it is a date-time else "", properties,
# additionalProperties, items), or None when no date-time is under it.
_TimeStep = tuple[str, dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None]


class _TableMemo:
    """What is derived once from a table's schemas; it goes when the table goes."""

    __slots__ = ("answers", "custom_root", "resolved", "time_steps")

    def __init__(self) -> None:
        # (id(schema), id(predicate)) -> (schema, predicate, answer): the objects are kept
        # so that their ids stay theirs
        self.answers: _Answers = {}
        self.custom_root: dict[str, Any] | None = None
        # id(schema) -> (schema, resolved schema, definition name), for _resolve
        self.resolved: dict[int, tuple[Any, dict[str, Any], str]] = {}
        # id(schema) -> (schema, its date_time_error step)
        self.time_steps: dict[int, tuple[Any, _TimeStep | None]] = {}


_MEMOS: dict[int, _TableMemo] = {}


def _memo(table: ResourceTable) -> _TableMemo:
    memo = _MEMOS.get(id(table))
    if memo is None:
        memo = _MEMOS[id(table)] = _TableMemo()
        weakref.finalize(table, _MEMOS.pop, id(table), None)
    return memo


def reaches(
    table: ResourceTable, schema: Any, predicate: Callable[[dict[str, Any], str], bool]
) -> bool:
    """Whether ``schema`` or any schema under it satisfies ``predicate(schema, definition)``.

    Memoised per table, schema object and predicate (the served schemas do not change; pass
    a module-level function, not a fresh lambda), so a walk can skip every subtree without,
    say, a ``date-time`` field: a Deployment's containers are never visited to find its
    timestamps. Recursive schemas (JSONSchemaProps) end.
    """
    answers = _memo(table).answers
    known = answers.get((id(_resolve(table, schema)[0]), id(predicate)))
    if known is not None:  # the common case: answered once for this schema
        return bool(known[2])
    return _reaches(table, answers, schema, "", predicate, set())[0]


def _reaches(
    table: ResourceTable,
    memo: _Answers,
    raw: Any,
    name: str,
    predicate: Callable[[dict[str, Any], str], bool],
    active: set[int],
) -> tuple[bool, bool]:
    """(answer, complete): an answer cut short by a cycle is not remembered."""
    schema, resolved_name = _resolve(table, raw)
    name = resolved_name or name
    key = (id(schema), id(predicate))
    known = memo.get(key)
    if known is not None:
        return known[2], True
    if id(schema) in active:
        return False, False
    if predicate(schema, name):
        memo[key] = (schema, predicate, True)
        return True, True
    active.add(id(schema))
    complete = True
    try:
        for child in _children(schema):
            found, child_complete = _reaches(table, memo, child, "", predicate, active)
            if found:
                memo[key] = (schema, predicate, True)
                return True, True
            complete = complete and child_complete
    finally:
        active.discard(id(schema))
    if complete:
        memo[key] = (schema, predicate, False)
    return False, complete


def walk(
    table: ResourceTable,
    schema: Any,
    value: Any,
    keep: Callable[[dict[str, Any]], bool] | None = None,
) -> Iterator[Node]:
    """Every (path, schema, value) of ``value`` that ``schema`` describes, parents first.

    ``keep(schema)`` false skips a subtree (see :func:`reaches`).
    """
    stack: list[tuple[str, Any, Any]] = [("", schema, value)]
    while stack:
        path, raw, item = stack.pop()
        resolved, name = _resolve(table, raw)
        if not resolved or (keep is not None and not keep(resolved)):
            continue
        yield Node(path, resolved, name, item)
        if isinstance(item, dict):
            properties = resolved.get("properties")
            extra = resolved.get("additionalProperties")
            for key in reversed(list(item)):
                child = item[key]
                if isinstance(properties, dict) and key in properties:
                    stack.append((f"{path}.{key}" if path else key, properties[key], child))
                elif isinstance(extra, dict):
                    stack.append((f"{path}[{key}]", extra, child))
        elif isinstance(item, list) and isinstance(resolved.get("items"), dict):
            for index in range(len(item) - 1, -1, -1):
                stack.append((f"{path}[{index}]", resolved["items"], item[index]))


# -- Go's time.Parse, for the two layouts the API uses ---------------------------------------

_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _ParseError(ValueError):
    pass


def go_parse_time(value: str, layout: str = RFC3339) -> None:
    """Check ``value`` as Go's ``time.Parse(layout, value)`` would; raise ``ValueError``
    with Go's message (``parsing time "..." as "...": cannot parse "" as "Z07:00"``).

    ``layout`` is :data:`RFC3339` (``metav1.Time``) or :data:`RFC3339_MICRO`
    (``metav1.MicroTime``).
    """
    micro = layout == RFC3339_MICRO
    rest = value

    def fail(element: str) -> _ParseError:
        return _ParseError(
            f"parsing time {_quote(value)} as {_quote(layout)}: "
            f"cannot parse {_quote(rest)} as {_quote(element)}"
        )

    def out_of_range(what: str) -> _ParseError:
        return _ParseError(f"parsing time {_quote(value)}: {what} out of range")

    numbers: dict[str, int] = {}
    for element, width, separator in (
        ("2006", 4, "-"),
        ("01", 2, "-"),
        ("02", 2, "T"),
        ("15", 2, ":"),
        ("04", 2, ":"),
        ("05", 2, ""),
    ):
        digits = rest[:width]
        if len(digits) < width or not digits.isascii() or not digits.isdigit():
            raise fail(element)
        numbers[element] = int(digits)
        rest = rest[width:]
        if separator:
            if not rest.startswith(separator):
                raise fail(separator)
            rest = rest[1:]
    if micro:
        fraction = rest[:7]
        if len(fraction) < 7 or fraction[0] not in ".," or not fraction[1:].isdigit():
            raise fail(".000000")
        rest = rest[7:]
    elif len(rest) >= 2 and rest[0] in ".," and rest[1].isdigit():
        end = 2
        while end < len(rest) and rest[end].isdigit():
            end += 1
        rest = rest[end:]
    if rest.startswith("Z"):
        rest = rest[1:]
    elif (
        len(rest) >= 6
        and rest[0] in "+-"
        and rest[1:3].isdigit()
        and rest[3] == ":"
        and rest[4:6].isdigit()
    ):
        rest = rest[6:]
    else:
        raise fail("Z07:00")
    if rest:
        raise _ParseError(f"parsing time {_quote(value)}: extra text: {_quote(rest)}")
    month, day = numbers["01"], numbers["02"]
    if not 1 <= month <= 12:
        raise out_of_range("month")
    year = numbers["2006"]
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if day < 1 or day > (_DAYS[month - 1] if month != 2 or leap else 28):
        raise out_of_range("day")
    for element, what, top in (("15", "hour", 23), ("04", "minute", 59), ("05", "second", 59)):
        if numbers[element] > top:
            raise out_of_range(what)


def _is_date_time(schema: dict[str, Any], definition: str) -> bool:
    return schema.get("format") == "date-time"


_TIME = {"type": "string", "format": "date-time"}
# ObjectMeta's timestamps, for custom resources served without the Kubernetes swagger
_OBJECT_META_TIMES = {
    "type": "object",
    "properties": {
        "creationTimestamp": _TIME,
        "deletionTimestamp": _TIME,
        "managedFields": {"type": "array", "items": {"properties": {"time": _TIME}}},
    },
}
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def _custom_root(table: ResourceTable) -> dict[str, Any]:
    """``{metadata: ObjectMeta}``, built once per table so the memo does not grow per write."""
    memo = _memo(table)
    if memo.custom_root is None:
        meta = table.definitions.get(OBJECT_META, _OBJECT_META_TIMES)
        memo.custom_root = {"type": "object", "properties": {"metadata": meta}}
    return memo.custom_root


def date_time_error(table: ResourceTable, resource: Resource, obj: Any) -> str | None:
    """The 400 message kube-apiserver gives for the first bad ``format: date-time`` value.

    Every ``Time`` and ``MicroTime`` field of a built-in kind, and the ``metadata`` of a
    custom resource: those are decoded into Go structs, which refuse what ``time.Parse``
    refuses. (Other ``date-time`` fields of custom resources are checked by schema
    validation, with a 422.) ``None`` when every timestamp parses.
    """
    schema: Any
    if resource.is_crd:
        schema = _custom_root(table)
    else:
        schema = schema_of(table, resource)
        if schema is None:
            return None
    # walk(table, schema, obj, keep=reaches date-time), with each schema's step planned once
    # (_time_step): every write runs this, and resolving and asking ``reaches`` again per
    # node cost more than the check.
    stack: list[tuple[Any, Any]] = [(schema, obj)]
    while stack:
        raw, value = stack.pop()
        step = _time_step(table, raw)
        if step is None:
            continue
        layout, properties, extra, items = step
        if layout and value is not None:
            prefix = (
                f'{resource.kind} in version "{resource.version}" cannot be handled as a '
                f"{resource.kind}: "
            )
            if not isinstance(value, str):
                kind = json_type(value)
                return f"{prefix}json: cannot unmarshal {kind} into Go value of type string"
            problem = _time_problem(value, layout)
            if problem is not None:
                return prefix + problem
        if isinstance(value, dict):
            for key in reversed(list(value)):
                if properties is not None and key in properties:
                    stack.append((properties[key], value[key]))
                elif extra is not None:
                    stack.append((extra, value[key]))
        elif isinstance(value, list) and items is not None:
            for index in range(len(value) - 1, -1, -1):
                stack.append((items, value[index]))
    return None


def _time_step(table: ResourceTable, raw: Any) -> _TimeStep | None:
    steps = _memo(table).time_steps
    known = steps.get(id(raw))
    if known is not None and known[0] is raw:
        cached: _TimeStep | None = known[1]
        return cached
    resolved, name = _resolve(table, raw)
    step: _TimeStep | None = None
    if resolved and reaches(table, resolved, _is_date_time):
        layout = ""
        if _is_date_time(resolved, name):
            layout = RFC3339_MICRO if name == MICRO_TIME else RFC3339
        properties, extra, items = (
            resolved.get("properties"),
            resolved.get("additionalProperties"),
            resolved.get("items"),
        )
        step = (
            layout,
            properties if isinstance(properties, dict) else None,
            extra if isinstance(extra, dict) else None,
            items if isinstance(items, dict) else None,
        )
    if isinstance(raw, dict) and resolved:  # an unresolved $ref may resolve later
        steps[id(raw)] = (raw, step)
    return step


@functools.lru_cache(maxsize=4096)
def _time_problem(value: str, layout: str) -> str | None:
    """:func:`go_parse_time`'s message for ``value``, or ``None``; memoised, as every write
    of an object checks the same stored timestamps again (``creationTimestamp``, the
    ``managedFields`` times)."""
    try:
        go_parse_time(value, layout)
    except ValueError as err:
        return str(err)
    return None
