"""OpenAPI v3 documents for the test API server: ``/openapi/v3`` and one per group-version.

Sources, per group-version: an OpenAPI v3 input document as it is; else the paths of a
swagger v2 input converted to v3 (``#/definitions/`` refs become ``#/components/schemas/``,
body parameters become request bodies) with the schemas they reach; else, for CRDs, the
``openAPIV3Schema`` of each served version plus the paths of its resource. Every document
keeps ``x-kubernetes-group-version-kind`` and the ``fieldValidation`` query parameter, which
is what kubectl looks for to validate on the client or to ask the server to.
"""

from __future__ import annotations

import copy
import hashlib
from typing import Any

from kubecore.core.codec import json_dumps

Obj = dict[str, Any]

_V2_REF = "#/definitions/"
_V3_REF = "#/components/schemas/"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def gv_path(group: str, version: str) -> str:
    """``api/v1`` or ``apis/<group>/<version>``: the key under ``/openapi/v3``."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def gv_path_of_url(path: str) -> str | None:
    """The group-version key an API path belongs to (``/apis/apps/v1/...`` -> ``apis/apps/v1``)."""
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] == "api":
        return f"api/{parts[1]}"
    if len(parts) >= 3 and parts[0] == "apis":
        return f"apis/{parts[1]}/{parts[2]}"
    return None


def document_hash(doc: Obj) -> str:
    return hashlib.sha512(json_dumps(doc)).hexdigest()[:64].upper()


def root_document(docs: dict[str, Obj]) -> Obj:
    """The ``/openapi/v3`` discovery document."""
    return {
        "paths": {
            key: {"serverRelativeURL": f"/openapi/v3/{key}?hash={document_hash(doc)}"}
            for key, doc in sorted(docs.items())
        }
    }


# -- swagger v2 -> v3 -----------------------------------------------------------------------------


def _rewrite_refs(node: Any) -> Any:
    """Deep copy with v2 definition refs pointing at v3 component schemas (siblings: allOf)."""
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_V2_REF):
        target = {"$ref": _V3_REF + ref[len(_V2_REF) :]}
        rest = {k: _rewrite_refs(v) for k, v in node.items() if k != "$ref"}
        return {"allOf": [target], **rest} if rest else target
    return {k: _rewrite_refs(v) for k, v in node.items()}


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, list):
        for value in node:
            _refs(value, found)
    elif isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, found)


def reachable_schemas(start: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    """Every definition reachable through refs from ``start`` (by name, unconverted)."""
    pending: set[str] = set()
    _refs(start, pending)
    seen: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name in seen or name not in definitions:
            continue
        seen[name] = definitions[name]
        more: set[str] = set()
        _refs(definitions[name], more)
        pending |= more - set(seen)
    return seen


def _parameter(param: Obj, shared: Obj) -> Obj:
    ref = param.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/parameters/"):
        param = shared.get(ref.rsplit("/", 1)[-1], {})
    return param


def _v3_parameter(param: Obj) -> Obj:
    schema = {k: param[k] for k in ("type", "uniqueItems", "items", "format") if k in param}
    out: Obj = {k: param[k] for k in ("name", "in", "description", "required") if k in param}
    out["schema"] = _rewrite_refs(schema)
    return out


def _v3_operation(op: Obj, shared: Obj) -> Obj:
    out: Obj = {k: _rewrite_refs(v) for k, v in op.items() if k.startswith("x-")}
    for key in ("description", "operationId", "tags"):
        if key in op:
            out[key] = copy.deepcopy(op[key])
    parameters: list[Obj] = []
    for raw in op.get("parameters") or ():
        param = _parameter(raw, shared)
        if param.get("in") == "body":
            out["requestBody"] = {
                "content": {
                    media: {"schema": _rewrite_refs(param.get("schema") or {})}
                    for media in op.get("consumes") or ["*/*"]
                },
                "required": bool(param.get("required")),
            }
        elif param:
            parameters.append(_v3_parameter(param))
    if parameters:
        out["parameters"] = parameters
    responses: Obj = {}
    for code, response in (op.get("responses") or {}).items():
        converted: Obj = {"description": response.get("description", "")}
        if "schema" in response:
            converted["content"] = {
                media: {"schema": _rewrite_refs(response["schema"])}
                for media in op.get("produces") or ["application/json"]
            }
        responses[str(code)] = converted
    out["responses"] = responses
    return out


def from_swagger(swagger: Obj) -> dict[str, Obj]:
    """One v3-shaped document per group-version of a swagger v2 document."""
    shared = swagger.get("parameters") or {}
    definitions = swagger.get("definitions") or {}
    grouped: dict[str, Obj] = {}
    for path, item in (swagger.get("paths") or {}).items():
        key = gv_path_of_url(path)
        if key is None or not isinstance(item, dict):
            continue
        converted: Obj = {}
        for method, op in item.items():
            if method == "parameters":
                converted["parameters"] = [
                    _v3_parameter(_parameter(p, shared))
                    for p in op
                    if _parameter(p, shared).get("in") != "body"
                ]
            elif isinstance(op, dict):
                converted[method] = _v3_operation(op, shared)
        grouped.setdefault(key, {})[path] = converted
    docs: dict[str, Obj] = {}
    for key, paths in grouped.items():
        schemas = reachable_schemas(paths, definitions)
        docs[key] = {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": "unversioned"},
            "paths": paths,
            "components": {"schemas": {n: _rewrite_refs(s) for n, s in sorted(schemas.items())}},
        }
    return docs


# -- CRDs -----------------------------------------------------------------------------------------


def crd_schema_name(group: str, version: str, kind: str) -> str:
    """The apiserver's component name for a custom resource (reversed group, version, kind)."""
    return ".".join([*reversed(group.split(".")), version, kind])


def _query(name: str, description: str = "") -> Obj:
    return {"name": name, "in": "query", "description": description, "schema": {"type": "string"}}


_WRITE_PARAMS = ("dryRun", "fieldManager", "fieldValidation")


def crd_document(
    resources: list[tuple[str, str, str, str, str, bool, Obj | None]],
    definitions: dict[str, Any],
) -> Obj:
    """A group-version document for custom resources.

    ``resources``: (group, version, plural, kind, list_kind, namespaced, openAPIV3Schema).
    ``definitions``: v2-style definitions to take ObjectMeta and friends from, if any.
    """
    schemas: Obj = {}
    paths: Obj = {}
    meta_ref: Obj = {"type": "object"}
    if OBJECT_META in definitions:
        for name, schema in reachable_schemas({"$ref": _V2_REF + OBJECT_META}, definitions).items():
            schemas[name] = _rewrite_refs(schema)
        meta_ref = {"allOf": [{"$ref": _V3_REF + OBJECT_META}]}
    for group, version, plural, kind, list_kind, namespaced, schema in resources:
        gvk = [{"group": group, "version": version, "kind": kind}]
        name = crd_schema_name(group, version, kind)
        body: Obj = copy.deepcopy(schema) if schema else {"type": "object"}
        if not schema:
            body["x-kubernetes-preserve-unknown-fields"] = True
        props = body.setdefault("properties", {})
        props.setdefault("apiVersion", {"type": "string"})
        props.setdefault("kind", {"type": "string"})
        props["metadata"] = copy.deepcopy(meta_ref)
        body["x-kubernetes-group-version-kind"] = gvk
        schemas[name] = body
        list_name = crd_schema_name(group, version, list_kind)
        schemas[list_name] = {
            "type": "object",
            "required": ["items"],
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "items": {"type": "array", "items": {"$ref": _V3_REF + name}},
                "metadata": {"type": "object"},
            },
            "x-kubernetes-group-version-kind": [
                {"group": group, "version": version, "kind": list_kind}
            ],
        }
        base = f"/apis/{group}/{version}"
        collection = (
            f"{base}/namespaces/{{namespace}}/{plural}" if namespaced else f"{base}/{plural}"
        )

        def op(
            action: str,
            ref: str,
            *params: str,
            body_ref: str | None = None,
            kind: str = kind,
            gvk: list[Obj] = gvk,
        ) -> Obj:
            result: Obj = {
                "operationId": f"{action}{kind}",
                "parameters": [_query(p) for p in params],
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": {"$ref": _V3_REF + ref}}},
                    }
                },
                "x-kubernetes-action": action,
                "x-kubernetes-group-version-kind": gvk[0],
            }
            if body_ref is not None:
                result["requestBody"] = {
                    "content": {"*/*": {"schema": {"$ref": _V3_REF + body_ref}}},
                    "required": True,
                }
            return result

        paths[collection] = {
            "get": op("list", list_name, "labelSelector", "fieldSelector", "limit", "continue"),
            "post": op("post", name, *_WRITE_PARAMS, body_ref=name),
        }
        paths[f"{collection}/{{name}}"] = {
            "get": op("get", name),
            "put": op("put", name, *_WRITE_PARAMS, body_ref=name),
            "patch": op("patch", name, *_WRITE_PARAMS, "force", body_ref=name),
            "delete": op("delete", name, "dryRun", "propagationPolicy"),
        }
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes CRD Swagger", "version": "v0.1.0"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
