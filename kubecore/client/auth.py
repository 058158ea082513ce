"""Request authentication derived from a ``Config``.

Precedence follows client-go: a static bearer token (``token`` / ``tokenFile``),
basic auth and a static client certificate are used as configured; an exec
plugin is only consulted when none of those is present.

``tokenFile`` is re-read at most every ``token_file_refresh`` seconds (60 by
default, as client-go does for rotated, bound service-account tokens) and on
the next request after ``on_unauthorized()``.  When the file cannot be read the
last good token (or the static ``token``) is used.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Mapping
from urllib.parse import quote

from kubecore.client.config_types import Config, ConfigError
from kubecore.client.exec_plugin import (
    ExecClusterInfo,
    ExecCredential,
    ExecCredentialProvider,
)
from kubecore.client.kubeconfig_files import MAX_FILE_BYTES

__all__ = ["Authenticator"]

log = logging.getLogger(__name__)


def _bearer(token: str) -> str:
    return f"Bearer {token}"


#: RFC 7230 ``tchar`` punctuation; ASCII letters, digits and ``-._~`` are never quoted.
_TOKEN_PUNCTUATION = "!#$&'*+^`|"


def extra_header_name(key: str) -> str:
    """The ``Impersonate-Extra-<key>`` header name for an extra-info ``key``.

    Extra keys are usually domain-prefixed (``authentication.kubernetes.io/pod-name``),
    and ``/``, ``:``, spaces or non-ASCII text cannot stand in a header name. As client-go's
    ``headerKeyEscape`` does, every byte of the UTF-8 key that is not an RFC 7230 token
    character, and ``%`` itself, is percent-encoded; kube-apiserver unescapes the name.
    """
    return "Impersonate-Extra-" + quote(key, safe=_TOKEN_PUNCTUATION)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


class Authenticator:
    """Produces ``Authorization`` headers and client-certificate material."""

    def __init__(
        self,
        config: Config,
        *,
        token_file_refresh: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        exec_provider: ExecCredentialProvider | None = None,
    ) -> None:
        self._config = config
        self._refresh = token_file_refresh
        self._clock = clock
        self._lock = threading.Lock()
        self._file_token: str | None = None
        self._file_token_read_at = 0.0
        self._file_token_stale = True

        self._static_cert: tuple[bytes, bytes] | None = None
        if config.client_cert_data is not None and config.client_key_data is not None:
            self._static_cert = (config.client_cert_data, config.client_key_data)
        has_static = bool(
            config.token
            or config.token_file
            or config.username
            or config.client_cert_data
            or config.client_key_data
        )
        # client-go skips the exec plugin when static credentials exist.
        self._exec: ExecCredentialProvider | None = None
        if not has_static and config.exec_provider is not None:
            self._exec = exec_provider or ExecCredentialProvider(
                config.exec_provider,
                ExecClusterInfo.from_config(config),
                user_name=config.user_name,
                timeout=config.exec_timeout,
            )
        if not has_static and self._exec is None and config.auth_provider is not None:
            name = config.auth_provider.get("name", "?")
            raise ConfigError(
                f"user {config.user_name!r} uses auth-provider {name!r}, which is not "
                "supported; configure a client-go credential (exec) plugin instead "
                "(for example gke-gcloud-auth-plugin or kubelogin)"
            )

    @property
    def config(self) -> Config:
        return self._config

    @property
    def exec_provider(self) -> ExecCredentialProvider | None:
        """The credential plugin in use, if any."""
        return self._exec

    # -- headers ---------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        """The ``Authorization`` header to send (empty when anonymous)."""
        token = self._bearer_token()
        if token:
            return {"Authorization": _bearer(token)}
        cfg = self._config
        if cfg.username:
            raw = f"{cfg.username}:{cfg.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode("ascii")}
        if self._exec is not None:
            cred = self._exec.get()
            if cred.token:
                return {"Authorization": _bearer(cred.token)}
        return {}

    def impersonation_headers(self) -> list[tuple[str, str]]:
        """``Impersonate-*`` headers (a list: groups repeat the header name)."""
        cfg = self._config
        if not cfg.impersonate_user:
            return []
        out = [("Impersonate-User", cfg.impersonate_user)]
        if cfg.impersonate_uid:
            out.append(("Impersonate-Uid", cfg.impersonate_uid))
        out.extend(("Impersonate-Group", g) for g in cfg.impersonate_groups)
        for key, values in cfg.impersonate_extra.items():
            out.extend((extra_header_name(key), v) for v in values)
        return out

    def client_cert(self) -> tuple[bytes, bytes] | None:
        """``(certificate PEM, key PEM)`` for the TLS handshake, if any."""
        if self._static_cert is not None:
            return self._static_cert
        if self._exec is not None:
            cred = self._exec.get()
            if cred.client_certificate_data and cred.client_key_data:
                return (cred.client_certificate_data, cred.client_key_data)
        return None

    def on_unauthorized(self, sent_headers: Mapping[str, str] | None = None) -> None:
        """Call after a 401: re-read the token file / re-run the exec plugin.

        ``sent_headers`` are the headers of the rejected request; when given,
        exec credentials are only dropped if they are the ones that were sent
        (another thread may already have refreshed them).
        """
        with self._lock:
            self._file_token_stale = True
        if self._exec is None:
            return
        if sent_headers is None:
            self._exec.invalidate()
            return
        sent = _header(sent_headers, "Authorization")

        def was_sent(cred: ExecCredential) -> bool:
            current = _bearer(cred.token) if cred.token else None
            return current == sent

        self._exec.invalidate(was_sent)

    # -- token file ------------------------------------------------------------

    def _bearer_token(self) -> str | None:
        cfg = self._config
        if not cfg.token_file:
            return cfg.token
        with self._lock:
            now = self._clock()
            due = (
                self._file_token_stale
                or self._file_token is None
                or now - self._file_token_read_at >= self._refresh
            )
            if due:
                try:
                    token = _read_token_file(cfg.token_file)
                except (OSError, ValueError) as exc:
                    fallback = self._file_token or cfg.token
                    if fallback is None:
                        raise ConfigError(
                            f"cannot read tokenFile {cfg.token_file} of user "
                            f"{cfg.user_name!r}: {_reason(exc)}"
                        ) from None
                    log.warning(
                        "cannot re-read token file %s (%s); using the previous token",
                        cfg.token_file,
                        _reason(exc),
                    )
                    return fallback
                self._file_token = token
                self._file_token_read_at = now
                self._file_token_stale = False
            return self._file_token


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) if isinstance(exc, ValueError) else type(exc).__name__


def _read_token_file(path: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:  # /dev/zero, a pipe that never ends
        raise ValueError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB")
    token = data.decode("utf-8", "replace").strip()
    if not token:
        raise ValueError("the file is empty")
    return token
