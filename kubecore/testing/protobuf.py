"""Kubernetes protobuf request bodies (``application/vnd.kubernetes.protobuf``) as JSON objects.

kubectl sends built-in kinds as protobuf: the 4-byte magic ``k8s\\x00``, then a
``runtime.Unknown`` whose ``typeMeta`` names the apiVersion and kind and whose ``raw`` holds
the typed message (``k8s.io.api.core.v1.ConfigMap``, ...). The message types come from the
compiled descriptor set vendored beside this module (``kubernetes-1.36.protoset``, built by
``tools/build_protoset.py`` from the Kubernetes 1.36 ``.proto`` files); decoding uses the
``protobuf`` package (``kube-clientgen[testing]``). The server keeps answering in JSON, which
kubectl accepts.

The JSON is what Go's decoder followed by its JSON encoder would give: ``Time`` and
``MicroTime`` as RFC 3339 text, ``Quantity`` as its string, ``IntOrString`` as a number or
a string, ``RawExtension`` and ``FieldsV1`` as embedded JSON, ``bytes`` as base64; empty
strings, zero numbers, ``false``, empty lists and maps and zero timestamps are left out
(``omitempty``; an explicit ``replicas: 0`` is kept). Nested objects stay, even empty
(``resources: {}``), as Go writes non-pointer structs.
"""

from __future__ import annotations

import base64
import importlib
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kubecore.core.codec import json_loads

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"
PROTOSET = Path(__file__).with_name("kubernetes-1.36.protoset")
_META = "k8s.io.apimachinery.pkg.apis.meta.v1."
# gogo-protobuf writes every non-pointer field, zero or not; Go's JSON encoder then drops the
# zero ones (omitempty). Proto2 descriptors do not say which fields are pointers, so zeros
# are dropped, except for these pointer fields where an explicit 0 means something.
_ZERO_KEPT = frozenset({"replicas"})
_lock = threading.Lock()
_pool: Any = None


class ProtobufError(ValueError):
    """A body that is not a Kubernetes protobuf message this server can read."""


def _descriptors() -> Any:
    global _pool
    with _lock:
        if _pool is None:
            try:  # by name: the protobuf package ships no type stubs
                descriptor_pb2 = importlib.import_module("google.protobuf.descriptor_pb2")
                descriptor_pool = importlib.import_module("google.protobuf.descriptor_pool")
            except ImportError as err:
                raise ProtobufError(
                    "protobuf bodies need the protobuf package: pip install 'kube-clientgen[testing]'"
                ) from err
            files = descriptor_pb2.FileDescriptorSet.FromString(PROTOSET.read_bytes())
            pool = descriptor_pool.DescriptorPool()
            for file in files.file:
                pool.Add(file)
            _pool = pool
        return _pool


def _message_class(name: str) -> Any:
    message_factory = importlib.import_module("google.protobuf.message_factory")

    try:
        descriptor = _descriptors().FindMessageTypeByName(name)
    except KeyError:
        return None
    return message_factory.GetMessageClass(descriptor)


def _type_name(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    short = group.split(".")[0] if group else "core"
    return f"k8s.io.api.{short}.{version}.{kind}"


def decode(body: bytes) -> dict[str, Any]:
    """The JSON object a protobuf request body encodes; raises :class:`ProtobufError`."""
    if not body.startswith(MAGIC):
        raise ProtobufError("the protobuf body does not start with the k8s\\x00 magic")
    unknown_class = _message_class("k8s.io.apimachinery.pkg.runtime.Unknown")
    try:
        unknown = unknown_class.FromString(body[len(MAGIC) :])
    except Exception as err:  # DecodeError, and others from a corrupt body
        raise ProtobufError(f"the protobuf envelope does not decode: {err}") from None
    api_version, kind = unknown.typeMeta.apiVersion, unknown.typeMeta.kind
    if unknown.contentEncoding:
        raise ProtobufError(f"unsupported protobuf content encoding {unknown.contentEncoding!r}")
    name = _type_name(api_version, kind)
    message_class = _message_class(name)
    if message_class is None:
        raise ProtobufError(f"no protobuf message type for {api_version} {kind} ({name})")
    try:
        message = message_class.FromString(unknown.raw)
    except Exception as err:
        raise ProtobufError(f"the {name} message does not decode: {err}") from None
    obj = _message(message)
    obj["apiVersion"], obj["kind"] = api_version, kind
    return obj


def _message(message: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field, value in message.ListFields():
        converted = _field(field, value)
        if field.message_type is not None and not _is_map(field):
            if converted is None:
                continue
        elif not converted and not (converted == 0 and field.name in _ZERO_KEPT):
            continue
        out[field.name] = converted
    return out


def _is_map(field: Any) -> bool:
    return bool(field.message_type is not None and field.message_type.GetOptions().map_entry)


def _field(field: Any, value: Any) -> Any:
    if _is_map(field):
        value_field = field.message_type.fields_by_name["value"]
        return {key: _single(value_field, item) for key, item in value.items()}
    if field.is_repeated:
        return [_single(field, item) for item in value]
    return _single(field, value)


def _single(field: Any, value: Any) -> Any:
    if field.message_type is not None:
        return _special(field.message_type.full_name, value)
    if field.type == field.TYPE_BYTES:
        return base64.b64encode(value).decode("ascii")
    return value


def _special(full_name: str, value: Any) -> Any:
    if full_name == _META + "Time":
        return _rfc3339(value.seconds, 0) if value.seconds or value.nanos else None
    if full_name == _META + "MicroTime":
        return (
            _rfc3339(value.seconds, value.nanos // 1000) if value.seconds or value.nanos else None
        )
    if full_name == "k8s.io.apimachinery.pkg.api.resource.Quantity":
        return value.string
    if full_name == "k8s.io.apimachinery.pkg.util.intstr.IntOrString":
        return value.strVal if value.type == 1 else value.intVal
    if full_name in ("k8s.io.apimachinery.pkg.runtime.RawExtension", _META + "FieldsV1"):
        raw = value.raw if full_name.endswith("RawExtension") else value.Raw
        return json_loads(raw) if raw else None
    if full_name == _META + "Duration":
        return _go_duration(value.duration)
    return _message(value)


def _rfc3339(seconds: int, micros: int) -> str:
    moment = datetime.fromtimestamp(seconds, UTC)
    if micros:
        return moment.replace(microsecond=micros).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _go_duration(nanos: int) -> str:
    """Go's ``time.Duration.String()`` for whole units (``1h2m3s``, ``500ms``, ``0s``)."""
    if nanos == 0:
        return "0s"
    sign = "-" if nanos < 0 else ""
    nanos = abs(nanos)
    if nanos < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if nanos >= size:
                return f"{sign}{nanos / size:g}{unit}"
    hours, rest = divmod(nanos, 3_600_000_000_000)
    minutes, rest = divmod(rest, 60_000_000_000)
    seconds = rest / 1_000_000_000
    text = f"{seconds:g}s"
    if hours or minutes:
        text = f"{minutes}m{text}"
    if hours:
        text = f"{hours}h{text}"
    return sign + text
