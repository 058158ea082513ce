"""client-go credential (exec) plugins: ``client.authentication.k8s.io/v1[beta1]``.

The plugin is run with the caller's environment plus the kubeconfig's ``env``
entries and ``KUBERNETES_EXEC_INFO`` (an ``ExecCredential`` whose ``spec``
carries ``interactive`` and, with ``provideClusterInfo``, ``cluster``).  It
prints an ``ExecCredential`` whose ``status`` holds a bearer token and/or a
client certificate and key, optionally with an ``expirationTimestamp``.

Credentials are cached until they expire or until ``invalidate()`` (the HTTP
layer calls it after a 401).  A lock serialises runs, so concurrent callers
never start the plugin twice.  The plugin's stderr is passed through (plugins
print login prompts there) and its tail is kept for error messages.

A run is bounded: ``timeout`` (``Config.exec_timeout``), by default
``DEFAULT_EXEC_TIMEOUT`` (60 s) for a non-interactive run and
``DEFAULT_EXEC_INTERACTIVE_TIMEOUT`` (600 s) when a human may be logging in. client-go
has no limit; here a hung plugin must not block the caller forever. A non-interactive
plugin runs in its own session, so that on a timeout (or any exception while waiting)
its whole process group is killed — helpers it started included — and nothing outlives
the call; an interactive one keeps the terminal's session (it must read from it) and
only the plugin itself is killed. The ``ExecPluginError`` names the command and the
user, never the arguments, environment or output.
"""

from __future__ import annotations

import base64
import collections
import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, TextIO

from kubecore.client.config_build import check_header_value
from kubecore.client.config_types import (
    DEFAULT_EXEC_INTERACTIVE_TIMEOUT,
    DEFAULT_EXEC_TIMEOUT,
    Config,
    ConfigError,
    ExecConfig,
)
from kubecore.core.times import Time

__all__ = [
    "ExecClusterInfo",
    "ExecCredential",
    "ExecCredentialProvider",
    "ExecPluginError",
    "KUBERNETES_EXEC_INFO",
]

KUBERNETES_EXEC_INFO = "KUBERNETES_EXEC_INFO"
_STDERR_TAIL_BYTES = 2048
_REDACTED = "<redacted>"
#: An apiVersion of the exec credential group, safe to quote (v1, v1beta1, v1alpha1, ...).
_EXEC_GROUP_VERSION = re.compile(
    r"client\.authentication\.k8s\.io/v[0-9]+(?:(?:alpha|beta)[0-9]+)?"
)


class ExecPluginError(ConfigError):
    """Running a credential plugin failed, or its output was unusable."""


@dataclass(frozen=True, repr=False)
class ExecCredential:
    """What a plugin returned (``ExecCredential.status``)."""

    token: str | None = None
    client_certificate_data: bytes | None = None
    client_key_data: bytes | None = None
    expiration: datetime | None = None

    def __repr__(self) -> str:
        def hide(value: object) -> str:
            return "None" if value is None else f"'{_REDACTED}'"

        return (
            f"ExecCredential(token={hide(self.token)}, "
            f"client_certificate_data={hide(self.client_certificate_data)}, "
            f"client_key_data={hide(self.client_key_data)}, "
            f"expiration={self.expiration!r})"
        )

    def expired(self, now: datetime) -> bool:
        return self.expiration is not None and now >= self.expiration


@dataclass(frozen=True)
class ExecClusterInfo:
    """``spec.cluster`` of ``KUBERNETES_EXEC_INFO`` (with ``provideClusterInfo``)."""

    server: str
    tls_server_name: str | None = None
    insecure_skip_tls_verify: bool = False
    certificate_authority_data: bytes | None = field(default=None, repr=False)
    proxy_url: str | None = None
    disable_compression: bool = False
    config: Any = None

    @classmethod
    def from_config(cls, config: Config) -> ExecClusterInfo:
        return cls(
            server=config.host,
            tls_server_name=config.tls_server_name,
            insecure_skip_tls_verify=config.insecure_skip_tls_verify,
            certificate_authority_data=config.ca_data,
            proxy_url=config.proxy_url,
            disable_compression=config.disable_compression,
            config=(config.exec_provider.cluster_config if config.exec_provider else None),
        )

    def to_json(self) -> dict[str, Any]:
        """The wire form; optional fields are omitted when empty, like client-go."""
        out: dict[str, Any] = {"server": self.server}
        if self.tls_server_name:
            out["tls-server-name"] = self.tls_server_name
        if self.insecure_skip_tls_verify:
            out["insecure-skip-tls-verify"] = True
        if self.certificate_authority_data:
            out["certificate-authority-data"] = base64.b64encode(
                self.certificate_authority_data
            ).decode("ascii")
        if self.proxy_url:
            out["proxy-url"] = self.proxy_url
        if self.disable_compression:
            out["disable-compression"] = True
        if self.config is not None:
            out["config"] = self.config
        return out


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _stdin_isatty() -> bool:
    try:
        return os.isatty(0)
    except OSError:
        return False


_DEFAULT_STDERR: Any = object()


class ExecCredentialProvider:
    """Runs one configured plugin and caches its credentials."""

    def __init__(
        self,
        exec_config: ExecConfig,
        cluster: ExecClusterInfo | None = None,
        *,
        user_name: str | None = None,
        now: Callable[[], datetime] = _utcnow,
        stdin_isatty: Callable[[], bool] = _stdin_isatty,
        environ: Mapping[str, str] | None = None,
        stderr: TextIO | None = _DEFAULT_STDERR,
        timeout: float | None = None,
    ) -> None:
        self.exec_config = exec_config
        self.cluster = cluster
        self._user_name = user_name
        self._now = now
        self._stdin_isatty = stdin_isatty
        self._environ = environ
        self._stderr = stderr
        self._timeout = timeout
        self._lock = threading.Lock()
        self._cached: ExecCredential | None = None

    @property
    def _group_version(self) -> str:
        return self.exec_config.api_version

    def _describe(self) -> str:
        who = f" for user {self._user_name!r}" if self._user_name else ""
        src = f" ({self.exec_config.source})" if self.exec_config.source else ""
        return f"exec plugin {self.exec_config.command!r}{who}{src}"

    def interactive(self) -> bool:
        """Whether the next run is interactive (raises for ``Always`` w/o a tty)."""
        mode = self.exec_config.interactive_mode
        if mode == "Never":
            return False
        if mode == "IfAvailable":
            return self._stdin_isatty()
        if mode == "Always":
            if not self._stdin_isatty():
                raise ExecPluginError(
                    f"{self._describe()} cannot run: interactiveMode is Always but "
                    "standard input is not a terminal"
                )
            return True
        raise ExecPluginError(f"{self._describe()}: unknown interactiveMode {mode!r}")

    def exec_info(self, interactive: bool) -> dict[str, Any]:
        """The ``ExecCredential`` passed in ``KUBERNETES_EXEC_INFO``."""
        spec: dict[str, Any] = {"interactive": interactive}
        if self.exec_config.provide_cluster_info and self.cluster is not None:
            spec["cluster"] = self.cluster.to_json()
        return {
            "kind": "ExecCredential",
            "apiVersion": self._group_version,
            "spec": spec,
        }

    def get(self) -> ExecCredential:
        """Cached credentials, running the plugin when there are none or expired."""
        with self._lock:
            cached = self._cached
            if cached is not None and not cached.expired(self._now()):
                return cached
            self._cached = self._run()
            return self._cached

    def invalidate(self, predicate: Callable[[ExecCredential], bool] | None = None) -> None:
        """Forget the cached credentials (all, or only if ``predicate`` holds).

        The predicate lets a caller that got a 401 with particular credentials
        avoid discarding fresher ones another thread already fetched.
        """
        with self._lock:
            if self._cached is not None and (predicate is None or predicate(self._cached)):
                self._cached = None

    # -- running -------------------------------------------------------------

    def _env(self, interactive: bool) -> dict[str, str]:
        env = dict(os.environ if self._environ is None else self._environ)
        for var in self.exec_config.env:
            env[var.name] = var.value
        env[KUBERNETES_EXEC_INFO] = json.dumps(self.exec_info(interactive), separators=(",", ":"))
        return env

    def _run_timeout(self, interactive: bool) -> float:
        if self._timeout is not None:
            return self._timeout
        return DEFAULT_EXEC_INTERACTIVE_TIMEOUT if interactive else DEFAULT_EXEC_TIMEOUT

    def _run(self) -> ExecCredential:
        interactive = self.interactive()
        timeout = self._run_timeout(interactive)
        argv = [self.exec_config.command, *self.exec_config.args]
        try:
            proc = subprocess.Popen(
                argv,
                env=self._env(interactive),
                stdin=None if interactive else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=not interactive,
            )
        except FileNotFoundError:
            message = f"{self._describe()}: executable not found"
            if self.exec_config.install_hint:
                message += "\n\n" + self.exec_config.install_hint
            raise ExecPluginError(message) from None
        except OSError as exc:
            raise ExecPluginError(
                f"{self._describe()}: cannot start: {exc.strerror or exc}"
            ) from None
        except ValueError:  # a hand-built ExecConfig: never quote args or env values
            raise ExecPluginError(
                f"{self._describe()}: cannot start: a NUL byte in its command, arguments or "
                "environment, or '=' in an environment name"
            ) from None

        assert proc.stdout is not None and proc.stderr is not None
        stdout_chunks: list[bytes] = []
        tail: collections.deque[bytes] = collections.deque()
        sink = sys.stderr if self._stderr is _DEFAULT_STDERR else self._stderr
        readers = [
            threading.Thread(target=_drain, args=(proc.stdout, stdout_chunks.append), daemon=True),
            threading.Thread(
                target=_drain,
                args=(proc.stderr, _Tee(sink, tail).write),
                daemon=True,
            ),
        ]
        for reader in readers:
            reader.start()
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc, group=not interactive)
            for reader in readers:
                reader.join(_READER_GRACE)
            raise ExecPluginError(
                f"{self._describe()} did not finish within {timeout:g} s and was killed"
                + _format_tail(tail)
            ) from None
        except BaseException:
            _kill(proc, group=not interactive)  # e.g. KeyboardInterrupt: nothing outlives us
            raise
        if not interactive:
            # The plugin is done; helpers it left behind must not keep our pipes open.
            _kill(proc, group=True)
        for reader in readers:
            reader.join(_READER_GRACE)
        if code != 0:
            raise ExecPluginError(
                f"{self._describe()} failed with exit code {code}" + _format_tail(tail)
            )
        return self._parse(b"".join(stdout_chunks))

    def _parse(self, stdout: bytes) -> ExecCredential:
        # Never quote stdout in messages: it is where the secret lives.
        try:
            doc = json.loads(stdout)
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            raise ExecPluginError(
                f"{self._describe()} did not print a JSON ExecCredential on stdout"
            ) from None
        if not isinstance(doc, dict):
            raise ExecPluginError(f"{self._describe()} printed JSON that is not an object")
        # Values from stdout are named only when they are known constants (any other text
        # there may be the credential itself, misplaced by a broken plugin).
        api_version = doc.get("apiVersion")
        if api_version != self._group_version:
            returned = (
                f"version {api_version!r}"
                if isinstance(api_version, str) and _EXEC_GROUP_VERSION.fullmatch(api_version)
                else "another version"
            )
            raise ExecPluginError(
                f"{self._describe()} is configured to use API version "
                f"{self._group_version}, plugin returned {returned}"
            )
        if doc.get("kind") != "ExecCredential":
            raise ExecPluginError(f"{self._describe()} returned a kind other than ExecCredential")
        status = doc.get("status")
        if not isinstance(status, dict):
            raise ExecPluginError(f"{self._describe()} didn't return a status field")
        token = _opt_str(status, "token", self._describe)
        if token:
            try:
                check_header_value(token, "token", self._describe())
            except ConfigError as exc:
                raise ExecPluginError(f"{exc} (returned by the plugin)") from None
        cert = _opt_str(status, "clientCertificateData", self._describe)
        key = _opt_str(status, "clientKeyData", self._describe)
        if not token and not cert and not key:
            raise ExecPluginError(f"{self._describe()} didn't return a token or cert/key pair")
        if bool(cert) != bool(key):
            raise ExecPluginError(f"{self._describe()} returned only certificate or key, not both")
        expiration = None
        raw_exp = status.get("expirationTimestamp")
        if raw_exp:
            if not isinstance(raw_exp, str):
                raise ExecPluginError(
                    f"{self._describe()} returned a non-string expirationTimestamp"
                )
            # RFC 3339 with a zone, as client-go decodes a metav1.Time: no date-only or
            # zone-less forms (a zone-less time would be read in an arbitrary zone).
            try:
                expiration = Time(raw_exp).to_datetime()
            except ValueError:
                raise ExecPluginError(
                    f"{self._describe()} returned an expirationTimestamp that is not an "
                    "RFC 3339 time with a zone"
                ) from None
        return ExecCredential(
            token=token or None,
            client_certificate_data=cert.encode() if cert else None,
            client_key_data=key.encode() if key else None,
            expiration=expiration,
        )


def _opt_str(status: Mapping[str, Any], key: str, describe: Callable[[], str]) -> str | None:
    value = status.get(key)
    if value is None or isinstance(value, str):
        return value
    raise ExecPluginError(f"{describe()} returned a non-string status.{key}")


#: Seconds to wait for the output readers once the plugin has exited or was killed.
_READER_GRACE = 5.0


def _kill(proc: subprocess.Popen[bytes], *, group: bool) -> None:
    """Kill ``proc`` (and its process group when it leads one) and reap it."""
    if group:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(_READER_GRACE)
    except subprocess.TimeoutExpired:
        pass


def _drain(stream: IO[bytes], sink: Callable[[bytes], object]) -> None:
    with stream:
        while True:
            chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read()
            if not chunk:
                return
            sink(chunk)


class _Tee:
    """Forward plugin stderr to the user's stderr, keeping a bounded tail."""

    def __init__(self, sink: TextIO | None, tail: collections.deque[bytes]) -> None:
        self._sink = sink
        self._tail = tail
        self._size = 0

    def write(self, chunk: bytes) -> None:
        self._tail.append(chunk)
        self._size += len(chunk)
        while self._size - len(self._tail[0]) >= _STDERR_TAIL_BYTES:
            self._size -= len(self._tail.popleft())
        if self._sink is not None:
            try:
                self._sink.write(chunk.decode("utf-8", "replace"))
                self._sink.flush()
            except (OSError, ValueError):
                pass


def _format_tail(tail: collections.deque[bytes]) -> str:
    text = b"".join(tail)[-_STDERR_TAIL_BYTES:].decode("utf-8", "replace").strip()
    if not text:
        return ""
    lines = text.splitlines()[-10:]
    return "; stderr:\n  " + "\n  ".join(lines)
