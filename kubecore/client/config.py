"""Client configuration: kubeconfig files and in-cluster service accounts.

``load_config()`` follows the loading rules of client-go's ``clientcmd`` package
(what ``kubectl`` does):

1. an explicit ``kubeconfig`` path (it must exist);
2. otherwise ``$KUBECONFIG``, an ``os.pathsep``-separated list that is merged:
   for clusters, users and contexts the *first* file that defines a name wins
   (the whole entry; later entries of the same name are ignored), the first
   non-empty ``current-context`` wins, empty entries, duplicates and missing
   files are skipped;
3. otherwise ``~/.kube/config``;
4. if none of that selects a context, the in-cluster service account
   (``KUBERNETES_SERVICE_HOST`` / ``KUBERNETES_SERVICE_PORT`` and the files
   under ``/var/run/secrets/kubernetes.io/serviceaccount``).

Relative paths inside a kubeconfig (``certificate-authority``,
``client-certificate``, ``client-key``, ``tokenFile`` and an exec ``command``
containing a path separator) are resolved against the directory of the file
that defines the entry.  Like client-go, ``~`` is *not* expanded.

Like client-go, credentials and server-identification settings (CA,
``insecure-skip-tls-verify``, ``tls-server-name``) are only applied when the
server URL uses ``https``; a server without a scheme is treated as ``http``.

Secrets (tokens, passwords, private keys, certificate data, exec arguments and
environment values) never appear in ``repr()``/``str()`` or in error messages.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import importlib.metadata
import logging
import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

__all__ = [
    "Config",
    "ConfigError",
    "ExecConfig",
    "ExecEnvVar",
    "EXEC_API_VERSIONS",
    "EXEC_CLUSTER_EXTENSION",
    "INTERACTIVE_MODES",
    "SERVICE_ACCOUNT_DIR",
    "default_kubeconfig_paths",
    "load_config",
    "load_in_cluster_config",
    "load_kubeconfig",
]

log = logging.getLogger(__name__)

#: Where a pod's service-account files live, relative to the filesystem root.
SERVICE_ACCOUNT_DIR = "var/run/secrets/kubernetes.io/serviceaccount"
#: Name of the cluster extension handed to exec plugins as ``spec.cluster.config``.
EXEC_CLUSTER_EXTENSION = "client.authentication.k8s.io/exec"
#: ExecCredential API versions this client speaks.
EXEC_API_VERSIONS = (
    "client.authentication.k8s.io/v1",
    "client.authentication.k8s.io/v1beta1",
)
#: Valid values of an exec plugin's ``interactiveMode``.
INTERACTIVE_MODES = ("Never", "IfAvailable", "Always")

_REDACTED = "<redacted>"
_PROXY_SCHEMES = ("http", "https", "socks5")


class ConfigError(Exception):
    """The configuration cannot be loaded or is not usable.

    Messages name the file and the entry at fault, never a secret value.
    """


def _default_user_agent() -> str:
    try:
        version = importlib.metadata.version("kube-clientgen")
    except importlib.metadata.PackageNotFoundError:
        version = "0.0.0"
    return f"kube-clientgen/{version}"


def _redact_url(url: str | None) -> str | None:
    """Hide the password of ``scheme://user:password@host`` URLs."""
    if url is None:
        return None
    return re.sub(r"(//[^/@:]*):[^/@]*@", rf"\1:{_REDACTED}@", url)


def _bytes_summary(data: bytes | None) -> str:
    return "None" if data is None else f"<{len(data)} bytes>"


@dataclass(frozen=True)
class ExecEnvVar:
    """One ``env`` entry of an exec plugin; the value is treated as a secret."""

    name: str
    value: str = field(repr=False)

    def __repr__(self) -> str:
        return f"ExecEnvVar(name={self.name!r}, value='{_REDACTED}')"


@dataclass(frozen=True)
class ExecConfig:
    """The ``user.exec`` stanza of a kubeconfig (a client-go credential plugin)."""

    command: str
    api_version: str
    args: tuple[str, ...] = ()
    env: tuple[ExecEnvVar, ...] = ()
    install_hint: str | None = None
    provide_cluster_info: bool = False
    interactive_mode: str = "IfAvailable"
    #: The cluster's ``client.authentication.k8s.io/exec`` extension, if any.
    cluster_config: Any = None
    #: The kubeconfig file that defined this plugin (for messages).
    source: str | None = None

    def __repr__(self) -> str:
        # Arguments regularly carry client secrets (e.g. OIDC plugins), so only
        # their number is shown.
        return (
            f"ExecConfig(command={self.command!r}, api_version={self.api_version!r}, "
            f"args=<{len(self.args)} redacted>, env={list(self.env)!r}, "
            f"provide_cluster_info={self.provide_cluster_info!r}, "
            f"interactive_mode={self.interactive_mode!r}, source={self.source!r})"
        )


_SECRET_FIELDS = frozenset(
    {"token", "password", "client_key_data", "client_cert_data", "auth_provider"}
)
_URL_FIELDS = frozenset({"host", "proxy_url"})
_BYTES_FIELDS = frozenset({"ca_data"})


@dataclass(repr=False)
class Config:
    """Everything needed to talk to one API server as one user.

    File-based material is read eagerly into bytes (``ca_data``,
    ``client_cert_data``, ``client_key_data``); the ``*_file`` fields keep the
    resolved paths for diagnostics (and ``token_file`` for rotation).
    """

    host: str
    namespace: str = "default"
    context: str | None = None
    cluster_name: str | None = None
    user_name: str | None = None
    ca_data: bytes | None = None
    ca_file: str | None = None
    insecure_skip_tls_verify: bool = False
    tls_server_name: str | None = None
    proxy_url: str | None = None
    disable_compression: bool = False
    client_cert_data: bytes | None = field(default=None, repr=False)
    client_cert_file: str | None = None
    client_key_data: bytes | None = field(default=None, repr=False)
    client_key_file: str | None = None
    token: str | None = field(default=None, repr=False)
    token_file: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    exec_provider: ExecConfig | None = None
    #: A legacy ``auth-provider`` stanza (kept so it is not silently lost).
    auth_provider: dict[str, Any] | None = field(default=None, repr=False)
    impersonate_user: str | None = None
    impersonate_uid: str | None = None
    impersonate_groups: tuple[str, ...] = ()
    impersonate_extra: dict[str, tuple[str, ...]] = field(default_factory=dict)
    user_agent: str = field(default_factory=_default_user_agent)
    #: Per-request timeout in seconds; ``None`` means no client-side limit.
    timeout: float | None = None
    in_cluster: bool = False
    #: The kubeconfig files that were read, in precedence order.
    source_files: tuple[str, ...] = ()

    def __repr__(self) -> str:
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in _SECRET_FIELDS:
                shown = "None" if value is None else f"'{_REDACTED}'"
            elif f.name in _URL_FIELDS:
                shown = repr(_redact_url(value))
            elif f.name in _BYTES_FIELDS:
                shown = _bytes_summary(value)
            else:
                shown = repr(value)
            parts.append(f"{f.name}={shown}")
        return f"Config({', '.join(parts)})"

    __str__ = __repr__

    @property
    def uses_tls(self) -> bool:
        """True when the server URL is ``https``."""
        return urlsplit(self.host).scheme.lower() == "https"

    def ssl_context(self, client_cert: tuple[bytes, bytes] | None = None) -> ssl.SSLContext:
        """An ``ssl.SSLContext`` for this server (TLS >= 1.2).

        Trusts ``ca_data`` (or the system store when unset), or verifies
        nothing when ``insecure_skip_tls_verify``.  ``client_cert`` (PEM
        certificate, PEM key) overrides the configured client certificate, e.g.
        with one an exec plugin returned.  ``tls_server_name`` is not part of a
        context: pass it as ``server_hostname`` (SNI and verification name)
        when wrapping the socket.
        """
        from kubecore.client.tls import build_ssl_context

        if client_cert is None and self.client_cert_data is not None:
            if self.client_key_data is None:
                raise ConfigError(f"client certificate of user {self.user_name!r} has no key")
            client_cert = (self.client_cert_data, self.client_key_data)
        return build_ssl_context(
            ca_data=self.ca_data,
            insecure=self.insecure_skip_tls_verify,
            client_cert=client_cert,
        )


# --------------------------------------------------------------------------
# Reading and merging kubeconfig files
# --------------------------------------------------------------------------


@dataclass
class _Entry:
    """A named cluster, user or context and the file it came from."""

    kind: str  # "cluster" | "user" | "context"
    name: str
    data: dict[str, Any]
    origin: str
    base_dir: str

    def where(self) -> str:
        return f"{self.kind} {self.name!r} (in {self.origin})"


@dataclass
class _KubeconfigFile:
    path: str
    current_context: str | None
    sections: dict[str, dict[str, _Entry]]


@dataclass
class _Merged:
    files: list[str]
    current_context: str | None
    clusters: dict[str, _Entry]
    users: dict[str, _Entry]
    contexts: dict[str, _Entry]


_SECTIONS = (("clusters", "cluster"), ("users", "user"), ("contexts", "context"))


def default_kubeconfig_paths() -> list[str]:
    """The precedence list used when no explicit file is given.

    ``$KUBECONFIG`` split on ``os.pathsep`` (empty entries dropped, duplicates
    removed keeping the first), or ``~/.kube/config`` when it is unset/empty.
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


def _read_file(path: str, what: str, owner: str | None = None) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        of = f" of {owner}" if owner else ""
        raise ConfigError(f"cannot read {what} {path}{of}: {reason}") from None


def _parse_kubeconfig(path: str, *, explicit: bool) -> _KubeconfigFile | None:
    """Parse one kubeconfig; ``None`` when a non-explicit file is missing."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"kubeconfig file {path} does not exist") from None
        return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ConfigError(f"cannot read kubeconfig file {path}: {reason}") from None

    try:
        doc = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        # str(exc) quotes the offending line, which may hold a secret: report
        # only the position and the parser's description of the problem.
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "syntax error"
        pos = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"kubeconfig file {path} is not valid YAML{pos}: {problem}") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ConfigError(f"kubeconfig file {path} must contain a mapping at the top")
    kind = doc.get("kind")
    if kind not in (None, "", "Config"):
        raise ConfigError(f"kubeconfig file {path} has kind {kind!r}, expected Config")
    api_version = doc.get("apiVersion")
    if api_version not in (None, "", "v1"):
        raise ConfigError(f"kubeconfig file {path} has unsupported apiVersion {api_version!r}")

    base_dir = os.path.abspath(os.path.dirname(path))
    sections: dict[str, dict[str, _Entry]] = {}
    for list_key, item_key in _SECTIONS:
        entries: dict[str, _Entry] = {}
        items = doc.get(list_key)
        if items is None:
            items = []
        if not isinstance(items, list):
            raise ConfigError(f"kubeconfig file {path}: {list_key!r} must be a list")
        for index, item in enumerate(items):
            loc = f"kubeconfig file {path}: {list_key}[{index}]"
            if not isinstance(item, dict):
                raise ConfigError(f"{loc} must be a mapping")
            name = item.get("name", "")
            if not isinstance(name, str):
                raise ConfigError(f"{loc}.name must be a string")
            body = item.get(item_key)
            if body is None:
                body = {}
            if not isinstance(body, dict):
                raise ConfigError(f"{loc}.{item_key} must be a mapping")
            if name in entries:
                raise ConfigError(f"kubeconfig file {path}: duplicate {item_key} name {name!r}")
            entries[name] = _Entry(item_key, name, body, path, base_dir)
        sections[list_key] = entries

    current = doc.get("current-context")
    if current is not None and not isinstance(current, str):
        raise ConfigError(f"kubeconfig file {path}: current-context must be a string")
    return _KubeconfigFile(path, current or None, sections)


def _load_merged(paths: list[str], *, explicit: bool) -> _Merged:
    merged = _Merged([], None, {}, {}, {})
    targets = {"clusters": merged.clusters, "users": merged.users}
    targets["contexts"] = merged.contexts
    for path in paths:
        parsed = _parse_kubeconfig(path, explicit=explicit)
        if parsed is None:
            log.debug("kubeconfig %s does not exist; skipped", path)
            continue
        merged.files.append(path)
        if merged.current_context is None and parsed.current_context:
            merged.current_context = parsed.current_context
        for list_key, entries in parsed.sections.items():
            target = targets[list_key]
            for name, entry in entries.items():
                # The first file to define a name wins, as a whole entry.
                target.setdefault(name, entry)
    return merged


# --------------------------------------------------------------------------
# Field access with precise errors
# --------------------------------------------------------------------------


def _get_str(entry: _Entry, key: str) -> str | None:
    value = entry.data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{entry.where()}: field {key!r} must be a string")
    return value


def _get_bool(entry: _Entry, key: str) -> bool:
    value = entry.data.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigError(f"{entry.where()}: field {key!r} must be true or false")
    return value


def _get_b64(entry: _Entry, key: str) -> bytes | None:
    value = _get_str(entry, key)
    if value is None:
        return None
    try:
        return base64.b64decode(re.sub(r"[\r\n]", "", value), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{entry.where()}: field {key!r} is not valid base64") from None


def _get_str_list(entry: _Entry, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{entry.where()}: field {key!r} must be a list of strings")
    return tuple(value)


def _resolve(path: str | None, base_dir: str) -> str | None:
    """Resolve a kubeconfig-relative path the way client-go does (no ``~``)."""
    if not path or os.path.isabs(path):
        return path
    return os.path.normpath(os.path.join(base_dir, path))


def _normalize_host(server: str) -> str:
    """client-go's treatment of ``cluster.server``.

    A value without ``scheme://host`` gets ``http://`` (client-go decides the
    scheme before it has seen any TLS settings); query and fragment are dropped
    when the URL has a path.
    """
    parts = urlsplit(server)
    if not parts.scheme or not parts.netloc or "://" not in server:
        server = "http://" + server
        parts = urlsplit(server)
    if len(parts.path) > 1 and (parts.query or parts.fragment):
        server = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return server


def _check_proxy_url(proxy_url: str, where: str) -> None:
    scheme = urlsplit(proxy_url).scheme.lower()
    if scheme not in _PROXY_SCHEMES:
        raise ConfigError(
            f"{where}: invalid proxy-url {_redact_url(proxy_url)!r}: unsupported "
            f"scheme {scheme!r}, must be http, https, or socks5"
        )


def _exec_config(entry: _Entry, cluster: _Entry | None) -> ExecConfig | None:
    raw = entry.data.get("exec")
    if raw is None:
        return None
    where = entry.where()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: field 'exec' must be a mapping")
    errors = []
    command = raw.get("command") or ""
    api_version = raw.get("apiVersion") or ""
    if not isinstance(command, str) or not isinstance(api_version, str):
        raise ConfigError(f"{where}: exec command and apiVersion must be strings")
    if not command:
        errors.append("exec: command must be specified")
    if not api_version:
        errors.append("exec: apiVersion must be specified")
    elif api_version not in EXEC_API_VERSIONS:
        errors.append(
            f"exec: unsupported apiVersion {api_version!r} "
            f"(supported: {', '.join(EXEC_API_VERSIONS)})"
        )
    mode = raw.get("interactiveMode") or ""
    if not isinstance(mode, str):
        errors.append("exec: interactiveMode must be a string")
        mode = ""
    if not mode and api_version == "client.authentication.k8s.io/v1beta1":
        mode = "IfAvailable"  # client-go's default for v1beta1 only
    if not mode:
        errors.append("exec: interactiveMode must be specified for apiVersion v1")
    elif mode not in INTERACTIVE_MODES:
        errors.append(
            f"exec: invalid interactiveMode {mode!r} "
            f"(must be one of {', '.join(INTERACTIVE_MODES)})"
        )
    env: list[ExecEnvVar] = []
    raw_env = raw.get("env") or []
    if not isinstance(raw_env, list):
        errors.append("exec: env must be a list of name/value pairs")
        raw_env = []
    for index, item in enumerate(raw_env):
        if not isinstance(item, dict):
            errors.append(f"exec: env[{index}] must be a mapping")
            continue
        name, value = item.get("name") or "", item.get("value")
        if value is None:
            value = ""
        if not isinstance(name, str) or not name:
            errors.append(f"exec: env[{index}] needs a name")
            continue
        if not isinstance(value, str):
            errors.append(f"exec: env[{index}] ({name}) value must be a string")
            continue
        env.append(ExecEnvVar(name, value))
    provide = raw.get("provideClusterInfo", False)
    if not isinstance(provide, bool):
        errors.append("exec: provideClusterInfo must be true or false")
        provide = False
    hint = raw.get("installHint")
    if hint is not None and not isinstance(hint, str):
        errors.append("exec: installHint must be a string")
        hint = None
    if errors:
        raise ConfigError(f"{where}: " + "; ".join(errors))
    # Only a command with a path separator is file-relative; others use $PATH.
    if os.sep in command or (os.altsep and os.altsep in command):
        command = _resolve(command, entry.base_dir) or command
    cluster_config = None
    if cluster is not None:
        cluster_config = _cluster_extension(cluster, EXEC_CLUSTER_EXTENSION)
    return ExecConfig(
        command=command,
        api_version=api_version,
        args=_get_str_list(entry, raw, "args"),
        env=tuple(env),
        install_hint=hint or None,
        provide_cluster_info=provide,
        interactive_mode=mode,
        cluster_config=cluster_config,
        source=entry.origin,
    )


def _cluster_extension(cluster: _Entry, name: str) -> Any:
    extensions = cluster.data.get("extensions") or []
    if not isinstance(extensions, list):
        raise ConfigError(f"{cluster.where()}: field 'extensions' must be a list")
    for item in extensions:
        if isinstance(item, dict) and item.get("name") == name:
            return item.get("extension")
    return None


def _impersonation(
    entry: _Entry,
) -> tuple[str | None, str | None, tuple[str, ...], dict[str, tuple[str, ...]]]:
    user = _get_str(entry, "as")
    uid = _get_str(entry, "as-uid")
    groups = _get_str_list(entry, entry.data, "as-groups")
    raw_extra = entry.data.get("as-user-extra") or {}
    if not isinstance(raw_extra, dict):
        raise ConfigError(f"{entry.where()}: field 'as-user-extra' must be a mapping")
    extra: dict[str, tuple[str, ...]] = {}
    for key, values in raw_extra.items():
        if not isinstance(key, str) or not isinstance(values, list):
            raise ConfigError(f"{entry.where()}: 'as-user-extra' must map names to lists")
        extra[key] = tuple(str(v) for v in values)
    if (uid or groups or extra) and not user:
        raise ConfigError(
            f"{entry.where()}: as-uid, as-groups or as-user-extra need 'as' "
            "(the user to impersonate)"
        )
    return user, uid, groups, extra


def _build_config(merged: _Merged, context_name: str, master_url: str | None) -> Config:
    ctx = merged.contexts.get(context_name)
    if ctx is None:
        available = ", ".join(sorted(repr(n) for n in merged.contexts)) or "none"
        files = ", ".join(merged.files) or "no kubeconfig file was found"
        raise ConfigError(
            f"context {context_name!r} not found (files: {files}; "
            f"available contexts: {available})"
        )
    cluster_name = _get_str(ctx, "cluster")
    user_name = _get_str(ctx, "user")
    namespace = _get_str(ctx, "namespace") or "default"
    files = ", ".join(merged.files)

    cluster: _Entry | None = None
    if cluster_name is not None:
        cluster = merged.clusters.get(cluster_name)
        if cluster is None and master_url is None:
            raise ConfigError(
                f"{ctx.where()} refers to cluster {cluster_name!r}, which is not "
                f"defined in {files}"
            )
    elif master_url is None:
        raise ConfigError(f"{ctx.where()} does not name a cluster")

    user: _Entry | None = None
    if user_name is not None:
        user = merged.users.get(user_name)
        if user is None:
            # client-go silently continues without credentials here; an
            # explicit error is kinder than anonymous requests failing later.
            raise ConfigError(
                f"{ctx.where()} refers to user {user_name!r}, which is not defined in {files}"
            )

    # ---- cluster ---------------------------------------------------------
    server = ca_file = tls_server_name = proxy_url = None
    ca_data: bytes | None = None
    insecure = disable_compression = False
    if cluster is not None:
        where = cluster.where()
        server = _get_str(cluster, "server")
        ca_file = _resolve(_get_str(cluster, "certificate-authority"), cluster.base_dir)
        ca_data = _get_b64(cluster, "certificate-authority-data")
        insecure = _get_bool(cluster, "insecure-skip-tls-verify")
        tls_server_name = _get_str(cluster, "tls-server-name")
        proxy_url = _get_str(cluster, "proxy-url")
        disable_compression = _get_bool(cluster, "disable-compression")
        if ca_file and ca_data:
            raise ConfigError(
                f"{where}: certificate-authority-data and certificate-authority "
                "are both specified"
            )
        if ca_file:
            ca_data = _read_file(ca_file, "certificate-authority", where)
        if proxy_url:
            _check_proxy_url(proxy_url, where)
    if master_url:
        server = master_url
        # Like kubectl --server: a new server invalidates tls-server-name.
        tls_server_name = None
    if not server:
        assert cluster is not None
        raise ConfigError(f"{cluster.where()} has no server defined")
    host = _normalize_host(server)
    tls = urlsplit(host).scheme.lower() == "https"

    config = Config(
        host=host,
        namespace=namespace,
        context=context_name,
        cluster_name=cluster_name,
        user_name=user_name,
        proxy_url=proxy_url,
        disable_compression=disable_compression,
        source_files=tuple(merged.files),
    )
    if tls:
        if insecure and ca_data:
            assert cluster is not None
            raise ConfigError(
                f"{cluster.where()}: a certificate authority cannot be combined "
                "with insecure-skip-tls-verify"
            )
        config.ca_data = ca_data
        config.ca_file = ca_file
        config.insecure_skip_tls_verify = insecure
        config.tls_server_name = tls_server_name

    # ---- user --------------------------------------------------------------
    if user is not None:
        _apply_user(config, user, cluster, load_credentials=tls)
    return config


def _apply_user(
    config: Config, user: _Entry, cluster: _Entry | None, *, load_credentials: bool
) -> None:
    where = user.where()
    token = _get_str(user, "token")
    token_file = _resolve(_get_str(user, "tokenFile"), user.base_dir)
    username = _get_str(user, "username")
    password = _get_str(user, "password")
    cert_file = _resolve(_get_str(user, "client-certificate"), user.base_dir)
    cert_data = _get_b64(user, "client-certificate-data")
    key_file = _resolve(_get_str(user, "client-key"), user.base_dir)
    key_data = _get_b64(user, "client-key-data")
    auth_provider = user.data.get("auth-provider")
    if auth_provider is not None and not isinstance(auth_provider, dict):
        raise ConfigError(f"{where}: field 'auth-provider' must be a mapping")
    exec_config = _exec_config(user, cluster)
    imp_user, imp_uid, imp_groups, imp_extra = _impersonation(user)

    errors = []
    methods = []
    if token or token_file:
        methods.append("token")
    if username or password:
        methods.append("basic auth")
    if len(methods) > 1:
        errors.append(f"more than one authentication method ({' and '.join(methods)})")
    if cert_file or cert_data:
        if cert_file and cert_data:
            errors.append("client-certificate-data and client-certificate are both specified")
        if key_file and key_data:
            errors.append("client-key-data and client-key are both specified")
        if not key_file and not key_data:
            errors.append("a client certificate needs client-key or client-key-data")
    if exec_config is not None and auth_provider is not None:
        errors.append("auth-provider cannot be combined with an exec plugin")
    if errors:
        raise ConfigError(f"{where}: " + "; ".join(errors))
    # Like client-go's validation, unreadable certificate files are an error
    # even when the server is not https and they end up unused.
    if cert_file:
        cert_data = _read_file(cert_file, "client-certificate", where)
    if cert_file or cert_data:
        if key_file:
            key_data = _read_file(key_file, "client-key", where)

    config.impersonate_user = imp_user
    config.impersonate_uid = imp_uid
    config.impersonate_groups = imp_groups
    config.impersonate_extra = imp_extra
    if not load_credentials:
        if token or token_file or username or cert_file or cert_data or exec_config:
            log.debug(
                "server %s is not https: credentials of %s are not used",
                _redact_url(config.host),
                where,
            )
        return

    config.token_file = token_file
    if token:
        config.token = token
    elif token_file:
        content = _read_file(token_file, "tokenFile", where)
        config.token = content.decode("utf-8", "replace").strip() or None
    config.username = username
    config.password = password
    if cert_file or cert_data:
        config.client_cert_data = cert_data
        config.client_cert_file = cert_file
        config.client_key_data = key_data
        config.client_key_file = key_file
    config.exec_provider = exec_config
    config.auth_provider = auth_provider


# --------------------------------------------------------------------------
# Public entry points
# --------------------------------------------------------------------------


def _selected_context(merged: _Merged, context: str | None) -> str | None:
    return context or merged.current_context


def _nothing_configured_error(merged: _Merged, paths: list[str]) -> ConfigError:
    if merged.files:
        available = ", ".join(sorted(repr(n) for n in merged.contexts)) or "none"
        return ConfigError(
            f"no current-context is set in {', '.join(merged.files)} and no context "
            f"was given (available contexts: {available})"
        )
    looked = ", ".join(paths) or "(none)"
    return ConfigError(
        f"no configuration has been provided: no kubeconfig file found (looked at: "
        f"{looked}) and not running inside a cluster"
    )


def _kubeconfig_paths(kubeconfig: str | os.PathLike[str] | None) -> list[str]:
    if kubeconfig is not None:
        path = os.fspath(kubeconfig)
        if not path:
            raise ConfigError("the kubeconfig path is empty")
        return [path]
    return default_kubeconfig_paths()


def load_kubeconfig(
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    master_url: str | None = None,
) -> Config:
    """Load configuration from kubeconfig files only (no in-cluster fallback).

    ``kubeconfig`` is an explicit file (which must exist); without it
    ``$KUBECONFIG`` or ``~/.kube/config`` are used.  ``context`` overrides
    ``current-context``; ``master_url`` overrides the cluster's server (and,
    like ``kubectl --server``, clears its ``tls-server-name``).
    """
    paths = _kubeconfig_paths(kubeconfig)
    merged = _load_merged(paths, explicit=kubeconfig is not None)
    context_name = _selected_context(merged, context)
    if context_name is None:
        if master_url:
            return Config(host=_normalize_host(master_url), source_files=tuple(merged.files))
        raise _nothing_configured_error(merged, paths)
    return _build_config(merged, context_name, master_url)


def _in_cluster_possible(root: str) -> bool:
    token = os.path.join(root, SERVICE_ACCOUNT_DIR, "token")
    return (
        bool(os.environ.get("KUBERNETES_SERVICE_HOST"))
        and bool(os.environ.get("KUBERNETES_SERVICE_PORT"))
        and os.path.isfile(token)
    )


def load_in_cluster_config(root: str | os.PathLike[str] = "/") -> Config:
    """Configuration of a pod's service account.

    Host from ``KUBERNETES_SERVICE_HOST``/``KUBERNETES_SERVICE_PORT``; token,
    CA and namespace from ``<root>/var/run/secrets/kubernetes.io/serviceaccount``.
    The token file is kept in ``token_file`` so that rotated (bound) tokens are
    picked up.  The namespace is ``$POD_NAMESPACE``, else the ``namespace``
    file, else ``"default"``.
    """
    host = os.environ.get("KUBERNETES_SERVICE_HOST", "")
    port = os.environ.get("KUBERNETES_SERVICE_PORT", "")
    if not host or not port:
        raise ConfigError(
            "unable to load in-cluster configuration: KUBERNETES_SERVICE_HOST "
            "and KUBERNETES_SERVICE_PORT must be defined"
        )
    sa_dir = os.path.join(os.fspath(root), SERVICE_ACCOUNT_DIR)
    token_path = os.path.join(sa_dir, "token")
    token = _read_file(token_path, "in-cluster service account token")
    ca_path = os.path.join(sa_dir, "ca.crt")
    ca_data: bytes | None
    try:
        with open(ca_path, "rb") as fh:
            ca_data = fh.read()
    except OSError as exc:
        # client-go logs and carries on with the system trust store.
        log.warning("cannot read in-cluster CA %s: %s", ca_path, exc.strerror)
        ca_data = None
    namespace = os.environ.get("POD_NAMESPACE", "")
    if not namespace:
        try:
            with open(os.path.join(sa_dir, "namespace"), encoding="utf-8") as fh:
                namespace = fh.read().strip()
        except OSError:
            namespace = ""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # IPv6 literal
    return Config(
        host=f"https://{host}:{port}",
        namespace=namespace or "default",
        ca_data=ca_data,
        ca_file=ca_path if ca_data is not None else None,
        token=token.decode("utf-8", "replace").strip() or None,
        token_file=token_path,
        in_cluster=True,
    )


def load_config(
    kubeconfig: str | os.PathLike[str] | None = None,
    context: str | None = None,
    master_url: str | None = None,
    *,
    in_cluster_root: str | os.PathLike[str] = "/",
) -> Config:
    """Load client configuration with client-go's (kubectl's) loading rules.

    Explicit ``kubeconfig`` file, else ``$KUBECONFIG`` (merged), else
    ``~/.kube/config``; when those select no context at all, the in-cluster
    service account (files under ``in_cluster_root``).  ``master_url``
    overrides the server in either case.  Raises ``ConfigError``.
    """
    paths = _kubeconfig_paths(kubeconfig)
    merged = _load_merged(paths, explicit=kubeconfig is not None)
    context_name = _selected_context(merged, context)
    if context_name is not None:
        return _build_config(merged, context_name, master_url)
    root = os.fspath(in_cluster_root)
    if _in_cluster_possible(root):
        config = load_in_cluster_config(root)
        if master_url:
            config.host = _normalize_host(master_url)
        return config
    if master_url:
        return Config(host=_normalize_host(master_url), source_files=tuple(merged.files))
    raise _nothing_configured_error(merged, paths)
