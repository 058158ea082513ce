"""Reading kubeconfig files and merging them with client-go's (kubectl's) rules.

* ``$KUBECONFIG`` is an ``os.pathsep``-separated list: for clusters, users and contexts
  the *first* file that defines a name wins (the whole entry), the first non-empty
  ``current-context`` wins, and empty entries, duplicates and missing files are skipped.
  Like kubectl, a literal ``~`` in ``$KUBECONFIG`` is not expanded (a shell expands it
  when the variable is assigned); an explicit path given to ``load_config`` is a Python
  argument, not shell text, so its ``~`` is expanded.
* Each file is read with kubectl's YAML rules (``kubecore.client.kubeconfig_yaml``) and
  checked against the shape of client-go's ``clientcmd/api/v1`` types, every entry, used
  or not, as kubectl decodes the whole file: a value of the wrong JSON type (a number
  where a string belongs, ``"true"`` for a boolean, bad base64...) raises
  ``ConfigError`` naming the file, the entry and the field. Unknown fields are ignored,
  as kubectl ignores them; ``null`` is the zero value anywhere.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

from kubecore.client.config_types import ConfigError
from kubecore.client.kubeconfig_yaml import KubeconfigYamlError, load_kubeconfig_text

__all__ = [
    "Entry",
    "KubeconfigFile",
    "MergedKubeconfig",
    "decode_base64",
    "default_kubeconfig_paths",
    "load_merged",
    "read_file",
]

log = logging.getLogger("kubecore.client.config")

SECTIONS = (("clusters", "cluster"), ("users", "user"), ("contexts", "context"))


@dataclass
class Entry:
    """A named cluster, user or context and the file it came from."""

    kind: str  # "cluster" | "user" | "context"
    name: str
    data: dict[str, Any]
    origin: str
    base_dir: str

    def where(self) -> str:
        return f"{self.kind} {self.name!r} (in {self.origin})"


@dataclass
class KubeconfigFile:
    path: str
    current_context: str | None
    sections: dict[str, dict[str, Entry]]


@dataclass
class MergedKubeconfig:
    files: list[str]
    current_context: str | None
    clusters: dict[str, Entry]
    users: dict[str, Entry]
    contexts: dict[str, Entry]


def default_kubeconfig_paths() -> list[str]:
    """The precedence list used when no explicit file is given.

    ``$KUBECONFIG`` split on ``os.pathsep`` (empty entries dropped, duplicates removed
    keeping the first), or ``~/.kube/config`` when it is unset/empty.
    """
    env = os.environ.get("KUBECONFIG", "")
    if env:
        seen: set[str] = set()
        paths = []
        for p in env.split(os.pathsep):
            if p and p not in seen:
                seen.add(p)
                paths.append(p)
        return paths
    return [os.path.join(os.path.expanduser("~"), ".kube", "config")]


#: The most a kubeconfig, or a file it names, may hold. client-go reads without a limit; a
#: path such as /dev/zero (or a pipe that never ends) then exhausts memory. Pipes stay
#: allowed (``--kubeconfig <(vault read ...)``), so the read is bounded, not the file type.
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_bounded(fh: BinaryIO, path: str, what: str) -> bytes:
    """All of ``fh``, or ``ConfigError`` once it holds more than ``MAX_FILE_BYTES``."""
    data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ConfigError(f"{what} {path} is larger than {MAX_FILE_BYTES // 2**20} MiB")
    return data


def read_file(path: str, what: str, owner: str | None = None) -> bytes:
    """The bytes of a file a kubeconfig refers to; ``ConfigError`` naming it otherwise."""
    of = f" of {owner}" if owner else ""
    try:
        with open(path, "rb") as fh:
            return read_bounded(fh, path, what + of)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"cannot read {what} {path}{of}: {reason}") from None
    except ValueError:  # open() refuses a NUL byte in a path
        raise ConfigError(f"cannot read {what} {path!r}{of}: the path holds a NUL byte") from None


def decode_base64(value: str) -> bytes:
    """Go's ``[]byte`` JSON decoding: standard base64, line breaks ignored."""
    return base64.b64decode(re.sub(r"[\r\n]", "", value), validate=True)


# -- the declared shape of clientcmd/api/v1 ------------------------------------------------

_STR, _BOOL, _B64, _ANY = "a string", "true or false", "base64 text", "any"
_Shape = Any  # a str above, ("list", shape), ("map", shape) or {field: shape}
_EXTENSIONS: _Shape = ("list", {"name": _STR, "extension": _ANY})
_CLUSTER: _Shape = {
    "server": _STR,
    "tls-server-name": _STR,
    "insecure-skip-tls-verify": _BOOL,
    "certificate-authority": _STR,
    "certificate-authority-data": _B64,
    "proxy-url": _STR,
    "disable-compression": _BOOL,
    "extensions": _EXTENSIONS,
}
_EXEC: _Shape = {
    "command": _STR,
    "args": ("list", _STR),
    "env": ("list", {"name": _STR, "value": _STR}),
    "apiVersion": _STR,
    "installHint": _STR,
    "provideClusterInfo": _BOOL,
    "interactiveMode": _STR,
}
_USER: _Shape = {
    "client-certificate": _STR,
    "client-certificate-data": _B64,
    "client-key": _STR,
    "client-key-data": _B64,
    "token": _STR,
    "tokenFile": _STR,
    "as": _STR,
    "as-uid": _STR,
    "as-groups": ("list", _STR),
    "as-user-extra": ("map", ("list", _STR)),
    "username": _STR,
    "password": _STR,
    "auth-provider": {"name": _STR, "config": ("map", _STR)},
    "exec": _EXEC,
    "extensions": _EXTENSIONS,
}
_CONTEXT: _Shape = {"cluster": _STR, "user": _STR, "namespace": _STR, "extensions": _EXTENSIONS}
_BODIES: dict[str, _Shape] = {"cluster": _CLUSTER, "user": _USER, "context": _CONTEXT}
_TOP: _Shape = {
    "kind": _STR,
    "apiVersion": _STR,
    "current-context": _STR,
    "preferences": {"colors": _BOOL, "extensions": _EXTENSIONS},
    "extensions": _EXTENSIONS,
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _check(value: Any, shape: _Shape, field: str, where: str) -> None:
    """Raise ``ConfigError`` unless ``value`` fits ``shape`` (``null`` always fits)."""
    if value is None or shape == _ANY:
        return
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        raise ConfigError(f"{where}: field {field!r} holds {value!r}, which JSON cannot carry")
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise ConfigError(
                f"{where}: field {field!r} must be a mapping, not {_json_type(value)}"
            )
        for key, item in value.items():
            if key in shape:
                _check(item, shape[key], _join(field, key), where)
        return
    if isinstance(shape, tuple):
        container, item_shape = shape
        if container == "list":
            if not isinstance(value, list):
                raise ConfigError(
                    f"{where}: field {field!r} must be a list, not {_json_type(value)}"
                )
            for index, item in enumerate(value):
                _check(item, item_shape, f"{field}[{index}]", where)
        else:
            if not isinstance(value, dict):
                raise ConfigError(
                    f"{where}: field {field!r} must be a mapping, not {_json_type(value)}"
                )
            for key, item in value.items():
                _check(item, item_shape, _join(field, str(key)), where)
        return
    if shape == _BOOL:
        if not isinstance(value, bool):
            hint = " (write true or false without quotes)" if isinstance(value, str) else ""
            raise ConfigError(
                f"{where}: field {field!r} must be {shape}, not {_json_type(value)}{hint}"
            )
        return
    if not isinstance(value, str):
        hint = ""
        if isinstance(value, bool | int | float):
            hint = " (put the value in quotes; kubectl refuses it too)"
        raise ConfigError(
            f"{where}: field {field!r} must be a string, not {_json_type(value)}{hint}"
        )
    if shape == _B64:
        try:
            decode_base64(value)
        except (binascii.Error, ValueError):
            raise ConfigError(f"{where}: field {field!r} is not valid base64") from None


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


# -- reading -------------------------------------------------------------------------------


def parse_kubeconfig(path: str, *, explicit: bool) -> KubeconfigFile | None:
    """Parse and check one kubeconfig; ``None`` when a non-explicit file is missing."""
    try:
        with open(path, "rb") as fh:
            raw = read_bounded(fh, path, "kubeconfig file")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"kubeconfig file {path} does not exist") from None
        if path.startswith("~"):
            log.warning(
                "KUBECONFIG entry %s does not exist: '~' in $KUBECONFIG is not expanded "
                "(as kubectl; the shell expands it when the variable is set)",
                path,
            )
        return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"cannot read kubeconfig file {path}: {reason}") from None
    except ValueError:  # open() refuses a NUL byte in a path
        raise ConfigError(f"kubeconfig path {path!r} holds a NUL byte") from None

    try:
        doc = load_kubeconfig_text(raw)
    except KubeconfigYamlError as exc:
        raise ConfigError(f"kubeconfig file {path} is {exc}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError(f"kubeconfig file {path} must contain a mapping at the top")
    top_where = f"kubeconfig file {path}"
    for key, shape in _TOP.items():
        _check(doc.get(key), shape, key, top_where)
    kind = doc.get("kind")
    if kind not in (None, "", "Config"):
        raise ConfigError(f"kubeconfig file {path} has kind {kind!r}, expected Config")
    api_version = doc.get("apiVersion")
    if api_version not in (None, "", "v1"):
        raise ConfigError(f"kubeconfig file {path} has unsupported apiVersion {api_version!r}")

    base_dir = os.path.abspath(os.path.dirname(path))
    sections: dict[str, dict[str, Entry]] = {}
    for list_key, item_key in SECTIONS:
        entries: dict[str, Entry] = {}
        items = doc.get(list_key)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise ConfigError(
                f"kubeconfig file {path}: {list_key!r} must be a list, not {_json_type(items)}"
            )
        for index, item in enumerate(items):
            loc = f"kubeconfig file {path}: {list_key}[{index}]"
            if item is None:
                item = {}
            if not isinstance(item, dict):
                raise ConfigError(f"{loc} must be a mapping, not {_json_type(item)}")
            name = item.get("name")
            if name is None:
                name = ""
            if not isinstance(name, str):
                raise ConfigError(
                    f"{loc}.name must be a string, not {_json_type(name)} (put it in quotes)"
                )
            body = item.get(item_key)
            if body is None:
                body = {}
            where = f"{item_key} {name!r} (in {path})"
            if not isinstance(body, dict):
                raise ConfigError(f"{loc}.{item_key} must be a mapping, not {_json_type(body)}")
            _check(body, _BODIES[item_key], "", where)
            _check(item.get("extensions"), _EXTENSIONS, "extensions", where)
            if name in entries:
                raise ConfigError(f"kubeconfig file {path}: duplicate {item_key} name {name!r}")
            entries[name] = Entry(item_key, name, body, path, base_dir)
        sections[list_key] = entries

    current = doc.get("current-context")
    return KubeconfigFile(path, current or None, sections)


def load_merged(paths: list[str], *, explicit: bool) -> MergedKubeconfig:
    """Read ``paths`` in order and merge them (first definition of a name wins)."""
    merged = MergedKubeconfig([], None, {}, {}, {})
    targets = {"clusters": merged.clusters, "users": merged.users, "contexts": merged.contexts}
    for path in paths:
        parsed = parse_kubeconfig(path, explicit=explicit)
        if parsed is None:
            log.debug("kubeconfig %s does not exist; skipped", path)
            continue
        merged.files.append(path)
        if merged.current_context is None and parsed.current_context:
            merged.current_context = parsed.current_context
        for list_key, entries in parsed.sections.items():
            target = targets[list_key]
            for name, entry in entries.items():
                target.setdefault(name, entry)
    return merged
