"""A loopback Kubernetes API server over HTTP, backed by a :class:`Tracker`.

Serves discovery (``/version``, ``/api``, ``/apis``, group-version resource lists),
``/openapi/v2`` (the swagger it was given), CRUD + patch + watch for every resource of
its :class:`ResourceTable`, and writes a kubeconfig pointing at itself.
"""

from __future__ import annotations

import copy
import http.server
import json
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kubecore.core.codec import json_dumps, json_loads
from kubecore.testing.discovery import Resource, ResourceTable, load_table
from kubecore.testing.tracker import ApiError, Obj, Tracker, bad_request

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"


class TestApiServer:
    """``with TestApiServer(specs) as server: ...`` — a real HTTP apiserver on 127.0.0.1."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        specs: Iterable[str | Path] = (),
        *,
        table: ResourceTable | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        kubeconfig_path: str | Path | None = None,
        history: int = 1000,
    ) -> None:
        self.table = table if table is not None else load_table(specs)
        self.tracker = Tracker(self.table, history=history)
        self._host, self._port = host, port
        self._kubeconfig = Path(kubeconfig_path) if kubeconfig_path else None
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def kubeconfig_path(self) -> Path:
        if self._kubeconfig is None:
            raise RuntimeError("the server is not started")
        return self._kubeconfig

    def start(self) -> str:
        """Listen, serve from a daemon thread, write the kubeconfig; returns the base URL."""
        httpd = _Server((self._host, self._port), _Handler)
        httpd.api = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        if self._kubeconfig is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="kubecore-testing-")
            self._kubeconfig = Path(self._tmpdir.name) / "kubeconfig"
        self._kubeconfig.write_text(self.kubeconfig_text())
        return self.url

    def kubeconfig_text(self) -> str:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "testing", "cluster": {"server": self.url}}],
            "users": [{"name": "testing", "user": {"token": "testing-token"}}],
            "contexts": [
                {
                    "name": "testing",
                    "context": {"cluster": "testing", "user": "testing", "namespace": "default"},
                }
            ],
            "current-context": "testing",
        }
        return json.dumps(config, indent=2) + "\n"

    def stop(self) -> None:
        self.tracker.close()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None
            self._kubeconfig = None
        self._httpd = self._thread = None

    def serve_forever(self) -> None:
        """Block until interrupted (used by ``python -m kubecore.testing``)."""
        if self._httpd is None:
            self.start()
        assert self._thread is not None
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> TestApiServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False
    api: TestApiServer


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    _raw: bytes = b""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass

    # -- plumbing ---------------------------------------------------------------------------

    def _send(self, code: int, body: Obj | bytes, content_type: str = "application/json") -> None:
        data = body if isinstance(body, bytes) else json_dumps(body)
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _body(self) -> Any:
        raw = self._raw
        if "protobuf" in (self.headers.get("Content-Type") or ""):
            raise ApiError(
                415,
                "UnsupportedMediaType",
                "the body of the request was in an unknown format - accepted media types include: "
                "application/json, application/yaml",
            )
        if not raw:
            raise bad_request("the request body is empty")
        try:
            return json_loads(raw)
        except Exception:
            try:
                from kubecore.core.yamlio import load

                return load(raw)
            except Exception:
                raise bad_request("the request body is not valid JSON or YAML") from None

    def _dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(length) if length else b""  # always drained: keep-alive
        try:
            self._route()
        except ApiError as err:
            self._send(err.code, err.status())
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as exc:  # pragma: no cover - a server bug, reported as 500
            self._send(500, ApiError(500, "InternalError", f"{type(exc).__name__}: {exc}").status())

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch

    # -- routing ----------------------------------------------------------------------------

    def _route(self) -> None:
        api = self.server.api
        table = api.table
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        parts = [p for p in split.path.split("/") if p]
        if self.command in ("GET", "HEAD"):
            body = self._discovery(parts)
            if body is not None:
                self._send(200, body)
                return
        if len(parts) >= 2 and parts[0] == "api":
            group, version, rest = "", parts[1], parts[2:]
        elif len(parts) >= 3 and parts[0] == "apis":
            group, version, rest = parts[1], parts[2], parts[3:]
        else:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        namespace = ""
        if (
            len(rest) >= 3
            and rest[0] == "namespaces"
            and (resource_here := table.get(group, version, rest[2])) is not None
            and resource_here.namespaced
        ):
            namespace, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        resource = table.get(group, version, rest[0])
        if resource is None:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        name = rest[1] if len(rest) > 1 else ""
        sub = rest[2] if len(rest) > 2 else ""
        if sub and sub not in resource.subresources:
            raise ApiError(404, "NotFound", "the server could not find the requested resource")
        self._resource_request(resource, namespace, name, sub, query)

    def _discovery(self, parts: list[str]) -> Obj | bytes | None:
        api = self.server.api
        table = api.table
        gvs = table.group_versions()
        if parts == ["version"]:
            return {
                "major": "1",
                "minor": "35",
                "gitVersion": "v1.35.0-kubecore.testing",
                "gitCommit": "0000000000000000000000000000000000000000",
                "gitTreeState": "clean",
                "buildDate": "2025-01-01T00:00:00Z",
                "goVersion": "go1.24",
                "compiler": "gc",
                "platform": "linux/amd64",
            }
        if parts == ["api"]:
            host = self.headers.get("Host", "127.0.0.1")
            return {
                "kind": "APIVersions",
                "versions": gvs.get("", []),
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": host}],
            }
        if parts == ["apis"]:
            return {
                "kind": "APIGroupList",
                "apiVersion": "v1",
                "groups": [_api_group(g, vs) for g, vs in sorted(gvs.items()) if g],
            }
        if len(parts) == 2 and parts[0] == "apis" and parts[1] in gvs:
            return {"kind": "APIGroup", "apiVersion": "v1", **_api_group(parts[1], gvs[parts[1]])}
        if len(parts) == 2 and parts[0] == "api" and parts[1] in gvs.get("", []):
            return _resource_list(table, "", parts[1])
        if len(parts) == 3 and parts[0] == "apis" and parts[2] in gvs.get(parts[1], []):
            return _resource_list(table, parts[1], parts[2])
        if parts == ["openapi", "v2"]:
            accept = self.headers.get("Accept", "")
            if table.swagger is None or ("json" not in accept and "*/*" not in accept and accept):
                raise ApiError(404, "NotFound", "the server could not find the requested resource")
            return json_dumps(table.swagger)
        return None

    def _resource_request(
        self, resource: Resource, namespace: str, name: str, sub: str, query: dict[str, str]
    ) -> None:
        tracker = self.server.api.tracker
        method = self.command
        labels, fields = query.get("labelSelector"), query.get("fieldSelector")
        if method in ("GET", "HEAD") and not name:
            if query.get("watch") in ("1", "true"):
                self._watch(resource, namespace, query)
                return
            limit = int(query.get("limit") or 0)
            listed = tracker.list(
                resource,
                namespace,
                label_selector=labels,
                field_selector=fields,
                limit=limit,
                continue_=query.get("continue"),
            )
            self._send(200, listed)
        elif method in ("GET", "HEAD"):
            self._send(200, tracker.get(resource, namespace, name))
        elif method == "POST" and not name:
            body = self._body()
            _check_type(resource, body)
            created = tracker.create(resource, namespace, body)
            self._send(201, created)
        elif method == "PUT" and name:
            body = self._body()
            _check_type(resource, body)
            self._send(200, tracker.update(resource, namespace, name, body, subresource=sub))
        elif method == "PATCH" and name:
            content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            patch = self._body()
            self._send(200, self._patch(resource, namespace, name, sub, content_type, patch))
        elif method == "DELETE" and name:
            self._send(200, tracker.delete(resource, namespace, name))
        elif method == "DELETE":
            self._send(
                200,
                tracker.delete_collection(
                    resource, namespace, label_selector=labels, field_selector=fields
                ),
            )
        else:
            raise ApiError(405, "MethodNotAllowed", f"{method} is not supported here")

    def _patch(
        self, resource: Resource, namespace: str, name: str, sub: str, content_type: str, patch: Any
    ) -> Obj:
        table = self.server.api.table
        if content_type == MERGE_PATCH:

            def apply(obj: Obj) -> Obj:
                result = merge_patch(obj, patch)
                return result if isinstance(result, dict) else {}

        elif content_type == JSON_PATCH:

            def apply(obj: Obj) -> Obj:
                result = json_patch(obj, patch)
                if not isinstance(result, dict):
                    raise ApiError(422, "Invalid", "the patch did not produce an object")
                return result

        elif content_type == STRATEGIC_PATCH:
            schema = table.schema_for_kind(resource.group, resource.version, resource.kind)
            if resource.is_crd or schema is None:
                raise ApiError(
                    415,
                    "UnsupportedMediaType",
                    f"the body of the request was in an unknown format - accepted media types "
                    f"include: {JSON_PATCH}, {MERGE_PATCH}, application/apply-patch+yaml",
                )

            def apply(obj: Obj) -> Obj:
                result = strategic_merge_patch(table, obj, patch, schema)
                return result if isinstance(result, dict) else {}

        else:
            raise ApiError(
                415, "UnsupportedMediaType", f"unsupported patch content type {content_type!r}"
            )
        return self.server.api.tracker.patch(resource, namespace, name, apply, subresource=sub)

    def _watch(self, resource: Resource, namespace: str, query: dict[str, str]) -> None:
        tracker = self.server.api.tracker
        timeout = float(query.get("timeoutSeconds") or 1800)
        bookmarks = query.get("allowWatchBookmarks") in ("1", "true")
        events = tracker.watch(
            resource,
            namespace,
            resource_version=query.get("resourceVersion"),
            label_selector=query.get("labelSelector"),
            field_selector=query.get("fieldSelector"),
            timeout=timeout,
        )
        first = next(events, None)  # raises 410 Gone / 400 before any header is sent
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.close_connection = True

        def chunk(event_type: str, obj: Obj) -> None:
            data = json_dumps({"type": event_type, "object": obj}) + b"\n"
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def bookmark() -> None:
            chunk(
                "BOOKMARK",
                {
                    "kind": resource.kind,
                    "apiVersion": resource.group_version,
                    "metadata": {"resourceVersion": tracker.resource_version},
                },
            )

        try:
            if bookmarks:
                bookmark()
            if first is not None:
                if first[0]:
                    chunk(*first)
                for event_type, obj in events:
                    if event_type:  # "" is an idle tick
                        chunk(event_type, obj)
            if bookmarks:
                bookmark()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            events.close()


# -- discovery documents ------------------------------------------------------------------------


def _api_group(group: str, versions: list[str]) -> Obj:
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": entries, "preferredVersion": entries[0]}


def _resource_list(table: ResourceTable, group: str, version: str) -> Obj:
    entries: list[Obj] = []
    for resource in table.in_group_version(group, version):
        entry: Obj = {
            "name": resource.plural,
            "singularName": resource.singular,
            "namespaced": resource.namespaced,
            "kind": resource.kind,
            "verbs": list(resource.verbs),
        }
        if resource.short_names:
            entry["shortNames"] = list(resource.short_names)
        if resource.categories:
            entry["categories"] = list(resource.categories)
        entries.append(entry)
        for sub, kind in sorted(resource.subresources.items()):
            sub_entry: Obj = {
                "name": f"{resource.plural}/{sub}",
                "singularName": "",
                "namespaced": resource.namespaced,
                "kind": kind,
                "verbs": ["get", "patch", "update"],
            }
            if sub == "scale":
                sub_entry["group"], sub_entry["version"] = "autoscaling", "v1"
            entries.append(sub_entry)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": entries,
    }


def _check_type(resource: Resource, body: Any) -> None:
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    kind, api_version = body.get("kind"), body.get("apiVersion")
    if kind and kind != resource.kind:
        raise bad_request(f"the kind {kind!r} does not match the resource kind {resource.kind!r}")
    if api_version and api_version != resource.group_version:
        raise bad_request(
            f"the apiVersion {api_version!r} does not match {resource.group_version!r}"
        )


# -- patches ------------------------------------------------------------------------------------


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
