"""Building ``ssl.SSLContext`` objects from in-memory PEM material.

``ssl.SSLContext.load_cert_chain`` only accepts file names.  The client
certificate and key are therefore handed to it through an anonymous in-memory
file (``memfd``, Linux) or, where that is unavailable, a private temporary
file (mode 0600) that is removed as soon as OpenSSL has read it.
"""

from __future__ import annotations

import os
import ssl
import tempfile

from kubecore.client.config_types import ConfigError

__all__ = ["build_ssl_context"]


def build_ssl_context(
    *,
    ca_data: bytes | None = None,
    insecure: bool = False,
    client_cert: tuple[bytes, bytes] | None = None,
) -> ssl.SSLContext:
    """A client context: TLS >= 1.2, hostname checking on unless ``insecure``.

    ``ca_data`` is a PEM bundle (or one DER certificate) to trust instead of
    the system store.  ``client_cert`` is ``(certificate PEM, key PEM)``.
    """
    if insecure and ca_data:
        raise ConfigError(
            "a certificate authority cannot be combined with insecure-skip-tls-verify"
        )
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    elif ca_data:
        try:
            if b"-----BEGIN" in ca_data:
                ctx.load_verify_locations(cadata=ca_data.decode("ascii", "replace"))
            else:
                ctx.load_verify_locations(cadata=ca_data)
        except (ssl.SSLError, ValueError) as exc:
            raise ConfigError(
                f"the certificate authority data is not a valid certificate bundle "
                f"({_reason(exc)})"
            ) from None
    else:
        ctx.load_default_certs(ssl.Purpose.SERVER_AUTH)
    if client_cert is not None:
        cert, key = client_cert
        _load_cert_chain(ctx, cert, key)
    return ctx


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ssl.SSLError) and exc.reason:
        return str(exc.reason)
    return type(exc).__name__


def _load_cert_chain(ctx: ssl.SSLContext, cert: bytes, key: bytes) -> None:
    pem = cert if cert.endswith(b"\n") else cert + b"\n"
    pem += key
    try:
        if not _load_via_memfd(ctx, pem):
            _load_via_tempfile(ctx, pem)
    except ssl.SSLError as exc:
        raise ConfigError(f"cannot use the client certificate and key ({_reason(exc)})") from None


def _no_passphrase() -> bytes:
    """The passphrase for an encrypted client key: none. Without a callback OpenSSL asks for
    it on the terminal, blocking the caller (a controller) forever, or fails with a bare
    ``OSError`` when there is no terminal. A kubeconfig has no passphrase field, and client-go
    refuses such a key too (``tls: failed to parse private key``)."""
    return b""


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _load_via_memfd(ctx: ssl.SSLContext, pem: bytes) -> bool:
    memfd_create = getattr(os, "memfd_create", None)
    if memfd_create is None:
        return False
    try:
        fd = memfd_create("kubecore-client-cert", getattr(os, "MFD_CLOEXEC", 0))
    except OSError:
        return False
    try:
        path = f"/proc/self/fd/{fd}"
        if not os.path.exists(path):
            return False
        _write_all(fd, pem)
        ctx.load_cert_chain(path, password=_no_passphrase)
        return True
    finally:
        os.close(fd)


def _load_via_tempfile(ctx: ssl.SSLContext, pem: bytes) -> None:
    fd, path = tempfile.mkstemp(prefix="kubecore-", suffix=".pem")  # mode 0600
    try:
        try:
            _write_all(fd, pem)
        finally:
            os.close(fd)
        ctx.load_cert_chain(path, password=_no_passphrase)
    finally:
        os.unlink(path)
