"""``meta.k8s.io/v1`` Table responses (what ``kubectl get`` asks for).

Columns: for the most used built-in kinds, kube-apiserver's printer columns
(:mod:`kubecore.testing.printers`); otherwise Name, then a CRD's
``additionalPrinterColumns`` (simple JSONPath ``.a.b`` or ``.a[0].b``), then Age; rows carry the object's metadata (``includeObject=Metadata``, the
default), the whole object (``Object``) or nothing (``None``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from kubecore.testing import printers
from kubecore.testing.discovery import Resource

Obj = dict[str, Any]

TABLE_MEDIA = "as=table"
_NAME: printers.Column = ("Name", "string", 0, None)
_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def wants_table(accept: str) -> bool:
    """Whether an Accept header asks for a meta.k8s.io Table first."""
    first = accept.split(",")[0].replace(" ", "").lower()
    return TABLE_MEDIA in first.split(";") and "g=meta.k8s.io" in first.split(";")


def json_path(obj: Any, path: str) -> Any:
    """Evaluate ``.a.b[0].c`` (optionally wrapped in ``{}``); ``None`` when absent."""
    path = path.strip()
    if path.startswith("{") and path.endswith("}"):
        path = path[1:-1]
    position = 0
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            return None
        position = match.end()
        if match[1] is not None:
            obj = obj.get(match[1]) if isinstance(obj, dict) else None
        else:
            index = int(match[2])
            obj = obj[index] if isinstance(obj, list) and index < len(obj) else None
        if obj is None:
            return None
    return obj


def human_age(timestamp: str, now: datetime | None = None) -> str:
    """kubectl's short durations: ``42s``, ``5m``, ``3h``, ``12d``, ``2y``."""
    try:
        then = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return "<unknown>"
    seconds = max(0, int(((now or datetime.now(UTC)) - then).total_seconds()))
    for unit, size in (("y", 365 * 86400), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size * (2 if unit != "m" else 1):
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _cell(value: Any, column_type: str) -> Any:
    if value is None:
        return None
    if column_type == "date" and isinstance(value, str):
        return human_age(value)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, separators=(",", ":"))
    return value


def _builtin(resource: Resource) -> list[printers.Column] | None:
    return None if resource.is_crd else printers.columns_for(resource.group, resource.plural)


def column_definitions(resource: Resource) -> list[Obj]:
    builtin = _builtin(resource)
    if builtin is not None:
        name_first = (resource.group, resource.plural) not in printers.NO_NAME_FIRST
        return [
            {
                "name": name,
                "type": kind,
                "format": "name" if name == "Name" else "",
                "description": "",
                "priority": priority,
            }
            for name, kind, priority, _ in ([_NAME] if name_first else []) + builtin
        ]
    columns: list[Obj] = [
        {
            "name": "Name",
            "type": "string",
            "format": "name",
            "description": "Name must be unique within a namespace.",
            "priority": 0,
        }
    ]
    for column in resource.printer_columns:
        columns.append(
            {
                "name": str(column.get("name", "")),
                "type": str(column.get("type", "string")),
                "format": str(column.get("format", "")),
                "description": str(column.get("description", "")),
                "priority": int(column.get("priority", 0)),
            }
        )
    if not any(c.get("name") == "Age" for c in resource.printer_columns):
        columns.append(
            {
                "name": "Age",
                "type": "date",
                "format": "",
                "description": "CreationTimestamp is the time the object was created.",
                "priority": 0,
            }
        )
    return columns


def _row(resource: Resource, obj: Obj, include: str) -> Obj:
    meta = obj.get("metadata") or {}
    builtin = _builtin(resource)
    cells: list[Any]
    if builtin is not None:
        name_first = (resource.group, resource.plural) not in printers.NO_NAME_FIRST
        cells = [meta.get("name", "")] if name_first else []
        for _, _, _, cell in builtin:
            cells.append(
                human_age(str(meta.get("creationTimestamp", ""))) if cell is None else cell(obj)
            )
    else:
        cells = [meta.get("name", "")]
        for column in resource.printer_columns:
            cells.append(
                _cell(json_path(obj, str(column.get("jsonPath", ""))), str(column.get("type", "")))
            )
        if not any(c.get("name") == "Age" for c in resource.printer_columns):
            cells.append(human_age(str(meta.get("creationTimestamp", ""))))
    row: Obj = {"cells": cells}
    if include == "Object":
        row["object"] = obj
    elif include != "None":
        row["object"] = {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": meta,
        }
    return row


def to_table(resource: Resource, body: Obj, include: str = "Metadata", headers: bool = True) -> Obj:
    """A Table for an object or a list (``include``: the ``includeObject`` parameter)."""
    items = body.get("items") if "items" in body else [body]
    table: Obj = {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {
            k: v for k, v in (body.get("metadata") or {}).items() if k in ("resourceVersion",)
        },
        "columnDefinitions": column_definitions(resource) if headers else [],
        "rows": [_row(resource, item, include) for item in items or ()],
    }
    if "items" in body and (body.get("metadata") or {}).get("continue"):
        table["metadata"]["continue"] = body["metadata"]["continue"]
    return table
