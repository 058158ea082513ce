"""Turning merged kubeconfig entries into a ``Config`` (client-go's ``ClientConfig``).

Relative paths inside a kubeconfig (``certificate-authority``, ``client-certificate``,
``client-key``, ``tokenFile`` and an exec ``command`` containing a path separator) are
resolved against the directory of the file that defines the entry; like client-go, ``~``
is *not* expanded there.

Like client-go, credentials and server-identification settings (CA,
``insecure-skip-tls-verify``, ``tls-server-name``) are only applied when the server URL
uses ``https``; a server without a scheme is treated as ``http``.

Checked here, so that a bad value fails when the kubeconfig is loaded, with a
``ConfigError`` naming the entry and its file, rather than as a bare ``ValueError`` (or
a connection to the wrong host) on the first request:

* server URLs: scheme ``http``/``https``, a host, a port in 1..65535, a well-formed IPv6
  literal (``https://`` alone would otherwise become host ``https``, port 80);
* proxy URLs: scheme ``http``/``https``/``socks5``, a host and a valid port;
* bearer tokens and impersonation values: no control characters (a trailing newline
  from a block scalar is the usual one) and nothing outside ASCII, which cannot go into
  an HTTP header; the message names the user, never the value.
"""

from __future__ import annotations

import binascii
import logging
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from kubecore.client.config_types import (
    EXEC_API_VERSIONS,
    EXEC_CLUSTER_EXTENSION,
    INTERACTIVE_MODES,
    Config,
    ConfigError,
    ExecConfig,
    ExecEnvVar,
    redact_url,
)
from kubecore.client.kubeconfig_files import Entry, MergedKubeconfig, decode_base64, read_file

__all__ = ["build_config", "check_header_value", "normalize_host"]

log = logging.getLogger("kubecore.client.config")

_PROXY_SCHEMES = ("http", "https", "socks5")
# What Go's url.Parse refuses and Python's urlsplit lets through: a control character
# anywhere (urlsplit silently *drops* tab, CR and LF), and in the host a space or a %-escape
# (outside an IPv6 zone). kubectl refuses these URLs when it loads them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_BAD_HOST = re.compile(r"[\s%]")


def _url_problem(url: str) -> str | None:
    """Why Go (kubectl) would refuse ``url`` although ``urlsplit`` accepts it, or None."""
    if _CONTROL.search(url):
        return "it contains a control character"
    netloc = urlsplit(url).netloc.rpartition("@")[2]
    if not netloc.startswith("[") and _BAD_HOST.search(netloc):
        return "invalid character in host name"
    return None


_HEADER_UNSAFE = re.compile(r"[^\x20-\x7e]")


def check_header_value(value: str, what: str, where: str) -> str:
    """``value`` if it can be sent as an HTTP header value, else ``ConfigError``.

    Refuses control characters (CR, LF, NUL, tab...) and anything outside printable
    ASCII. The message names ``what`` and ``where`` and the offending character's
    position, never the value (a token is a secret).
    """
    bad = _HEADER_UNSAFE.search(value)
    if bad is not None:
        char = bad.group()
        kind = (
            "a control character"
            if ord(char) < 0x20 or ord(char) == 0x7F
            else "a non-ASCII character"
        )
        trailing = " (a trailing newline?)" if bad.start() == len(value.rstrip("\r\n")) else ""
        raise ConfigError(
            f"{where}: the {what} contains {kind} at position {bad.start()}{trailing}, "
            "which cannot be sent in an HTTP header"
        )
    return value


def _get_str(entry: Entry, key: str) -> str | None:
    value = entry.data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{entry.where()}: field {key!r} must be a string")
    return value


def _get_bool(entry: Entry, key: str) -> bool:
    value = entry.data.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ConfigError(f"{entry.where()}: field {key!r} must be true or false")
    return value


def _get_b64(entry: Entry, key: str) -> bytes | None:
    value = _get_str(entry, key)
    if value is None:
        return None
    try:
        return decode_base64(value)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{entry.where()}: field {key!r} is not valid base64") from None


def _get_str_list(entry: Entry, data: Mapping[str, Any], key: str) -> tuple[str, ...]:
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


def normalize_host(server: str, where: str = "the server URL") -> str:
    """client-go's treatment of ``cluster.server``, checked.

    A value without ``scheme://`` gets ``http://`` (client-go decides the scheme before
    it has seen any TLS settings); query and fragment are dropped when the URL has a
    path. Raises ``ConfigError`` (naming ``where``) for another scheme than http/https,
    no host, a port that is not a number in 1..65535 or a malformed IPv6 literal.
    """
    if "://" not in server:
        server = "http://" + server
    try:
        parts = urlsplit(server)
        port = parts.port
        problem = _url_problem(server)
        if problem:
            raise ValueError(problem)
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid server URL {redact_url(server)!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ConfigError(
            f"{where}: invalid server URL {redact_url(server)!r}: unsupported scheme "
            f"{parts.scheme!r}, must be https or http"
        )
    if not parts.hostname:
        raise ConfigError(f"{where}: invalid server URL {redact_url(server)!r}: no host")
    if port == 0:
        raise ConfigError(f"{where}: invalid server URL {redact_url(server)!r}: port 0")
    if len(parts.path) > 1 and (parts.query or parts.fragment):
        server = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return server


def _check_proxy_url(proxy_url: str, where: str) -> None:
    shown = redact_url(proxy_url)
    try:
        parts = urlsplit(proxy_url)
        port = parts.port
        problem = _url_problem(proxy_url)
        if problem:
            raise ValueError(problem)
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid proxy-url {shown!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in _PROXY_SCHEMES:
        raise ConfigError(
            f"{where}: invalid proxy-url {shown!r}: unsupported "
            f"scheme {scheme!r}, must be http, https, or socks5"
        )
    if not parts.hostname:
        raise ConfigError(f"{where}: invalid proxy-url {shown!r}: no host")
    if port == 0:
        raise ConfigError(f"{where}: invalid proxy-url {shown!r}: port 0")


def _exec_config(entry: Entry, cluster: Entry | None) -> ExecConfig | None:
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
        if "=" in name or "\0" in name or "\0" in value:  # no process can be given these
            errors.append(
                f"exec: env[{index}] has '=' or a NUL byte in its name, or NUL in its value"
            )
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
    args = _get_str_list(entry, raw, "args")
    if "\0" in command:
        errors.append("exec: command holds a NUL byte")
    errors.extend(f"exec: args[{i}] holds a NUL byte" for i, a in enumerate(args) if "\0" in a)
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
        args=args,
        env=tuple(env),
        install_hint=hint or None,
        provide_cluster_info=provide,
        interactive_mode=mode,
        cluster_config=cluster_config,
        source=entry.origin,
    )


def _cluster_extension(cluster: Entry, name: str) -> Any:
    extensions = cluster.data.get("extensions") or []
    if not isinstance(extensions, list):
        raise ConfigError(f"{cluster.where()}: field 'extensions' must be a list")
    for item in extensions:
        if isinstance(item, dict) and item.get("name") == name:
            return item.get("extension")
    return None


def _impersonation(
    entry: Entry,
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
    # These become Impersonate-* headers.
    for what, value in (("as", user), ("as-uid", uid), *(("as-groups", g) for g in groups)):
        if value:
            check_header_value(value, what, entry.where())
    # Keys go into header names percent-encoded (client-go's headerKeyEscape); values as-is.
    for values in extra.values():
        for value in values:
            check_header_value(value, "as-user-extra", entry.where())
    return user, uid, groups, extra


def build_config(merged: MergedKubeconfig, context_name: str, master_url: str | None) -> Config:
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

    cluster: Entry | None = None
    if cluster_name is not None:
        cluster = merged.clusters.get(cluster_name)
        if cluster is None and master_url is None:
            raise ConfigError(
                f"{ctx.where()} refers to cluster {cluster_name!r}, which is not "
                f"defined in {files}"
            )
    elif master_url is None:
        raise ConfigError(f"{ctx.where()} does not name a cluster")

    user: Entry | None = None
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
            ca_data = read_file(ca_file, "certificate-authority", where)
        if proxy_url:
            _check_proxy_url(proxy_url, where)
    if master_url:
        server = master_url
        # Like kubectl --server: a new server invalidates tls-server-name.
        tls_server_name = None
    if not server:
        assert cluster is not None
        raise ConfigError(f"{cluster.where()} has no server defined")
    # A bad master_url is the caller's, not the cluster entry's.
    host = normalize_host(
        server, cluster.where() if cluster is not None and not master_url else "master_url"
    )
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
    config: Config, user: Entry, cluster: Entry | None, *, load_credentials: bool
) -> None:
    where = user.where()
    token = _get_str(user, "token")
    if token:
        check_header_value(token, "token", where)
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
        cert_data = read_file(cert_file, "client-certificate", where)
    if cert_file or cert_data:
        if key_file:
            key_data = read_file(key_file, "client-key", where)

    config.impersonate_user = imp_user
    config.impersonate_uid = imp_uid
    config.impersonate_groups = imp_groups
    config.impersonate_extra = imp_extra
    if not load_credentials:
        if token or token_file or username or cert_file or cert_data or exec_config:
            log.debug(
                "server %s is not https: credentials of %s are not used",
                redact_url(config.host),
                where,
            )
        return

    config.token_file = token_file
    if token:
        config.token = token
    elif token_file:
        content = read_file(token_file, "tokenFile", where)
        file_token = content.decode("utf-8", "replace").strip() or None
        if file_token:
            check_header_value(file_token, f"token in {token_file}", where)
        config.token = file_token
    config.username = username
    config.password = password
    if cert_file or cert_data:
        config.client_cert_data = cert_data
        config.client_cert_file = cert_file
        config.client_key_data = key_data
        config.client_key_file = key_file
    config.exec_provider = exec_config
    config.auth_provider = auth_provider
