"""The client configuration types: ``Config``, exec plugin settings and ``ConfigError``.

No file is read here: ``kubecore.client.kubeconfig_files`` reads and merges kubeconfig
files, ``kubecore.client.config_build`` turns their entries into a ``Config`` and
``kubecore.client.in_cluster`` builds one from a pod's service account.

Secrets (tokens, passwords, private keys, certificate data, exec arguments and
environment values) never appear in ``repr()``/``str()`` or in error messages.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "Config",
    "ConfigError",
    "DEFAULT_EXEC_INTERACTIVE_TIMEOUT",
    "DEFAULT_EXEC_TIMEOUT",
    "ExecConfig",
    "ExecEnvVar",
    "EXEC_API_VERSIONS",
    "EXEC_CLUSTER_EXTENSION",
    "INTERACTIVE_MODES",
    "SERVICE_ACCOUNT_DIR",
    "redact_url",
]

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
#: Seconds a non-interactive exec plugin run may take before it is killed. client-go has
#: no limit; a plugin that cannot ask anyone anything and has not answered in a minute is
#: hung, and without a limit it would block the caller (and outlive it) forever.
DEFAULT_EXEC_TIMEOUT = 60.0
#: Seconds an interactive run (a human logging in, e.g. a browser flow) may take.
DEFAULT_EXEC_INTERACTIVE_TIMEOUT = 600.0

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


def redact_url(url: str | None) -> str | None:
    """Hide the password of ``scheme://user:password@host`` URLs.

    The user information ends at the last ``@`` of the authority (which ends at the first
    ``/``, ``?`` or ``#``), as both ``urllib.parse`` and Go's ``net/url`` read it, so a
    password holding ``@`` or ``:`` is hidden whole.
    """
    if url is None:
        return None
    start = url.find("//")
    if start < 0:
        return url
    start += 2
    end = min((i for i in (url.find(c, start) for c in "/?#") if i >= 0), default=len(url))
    at = url.rfind("@", start, end)
    user, colon, _ = url[start : max(at, start)].partition(":")
    if at < 0 or not colon:
        return url
    return f"{url[:start]}{user}:{_REDACTED}{url[at:]}"


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
    #: Seconds an exec credential plugin may run before it is killed (its whole process
    #: group) and ``ExecPluginError`` is raised; ``None`` means the defaults
    #: ``DEFAULT_EXEC_TIMEOUT`` (non-interactive) / ``DEFAULT_EXEC_INTERACTIVE_TIMEOUT``.
    exec_timeout: float | None = None
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
                shown = repr(redact_url(value))
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
