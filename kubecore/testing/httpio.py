"""The HTTP edge of the test API server: time limits, request bodies, query parameters.

What kube-apiserver (Go's ``net/http`` plus the apiserver's filters) enforces before a
request reaches a handler, done the same way here:

- :class:`Limits` — headers must arrive within ``read_header_timeout`` of the request's
  first byte (32 s, kube-apiserver's ``ReadHeaderTimeout``), the body within
  ``request_timeout`` (60 s, ``--request-timeout``), an idle keep-alive connection is
  closed after ``idle_timeout`` (90 s, ``IdleTimeout``), a stalled writer after
  ``write_timeout``; bodies larger than ``max_request_body_bytes`` (3 MiB,
  ``MaxRequestBodyBytes``) get ``413``. A slowloris client therefore holds a thread for at
  most ``read_header_timeout`` seconds.
- :class:`DeadlineReader` — the connection's read side, with the deadline of the current
  phase applied to every ``recv``.
- :func:`read_body` — ``Content-Length`` (digits only, as Go's ``ParseUint``) or
  ``Transfer-Encoding: chunked``; ``400`` for a malformed or short body, ``413`` over the
  limit.
- :func:`parse_query` — query parameters, with the integer ones checked as Go's
  ``strconv.ParseInt`` does (``400``: ``strconv.ParseInt: parsing "abc": invalid syntax``).
- :func:`client_gone` — whether the peer closed a streaming connection (watch, follow),
  so its thread can end at once instead of at the next event.
"""

from __future__ import annotations

import io
import re
import select
import socket
import time
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from kubecore.testing.fielderrors import FieldError, GoLiteral, InvalidError
from kubecore.testing.tracker import ApiError, bad_request

__all__ = [
    "MAX_REQUEST_BODY_BYTES",
    "DeadlineReader",
    "Limits",
    "check_write_options",
    "client_gone",
    "parse_query",
    "query_flag",
    "read_body",
]

#: kube-apiserver's ``MaxRequestBodyBytes`` default: 3 MiB.
MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-connection time limits (seconds) and the request body limit (bytes)."""

    read_header_timeout: float = 32.0
    request_timeout: float = 60.0
    idle_timeout: float = 90.0
    write_timeout: float = 60.0
    max_request_body_bytes: int = MAX_REQUEST_BODY_BYTES


class DeadlineReader(io.RawIOBase):
    """A socket's read side whose every ``recv`` must finish before the phase's deadline.

    Phases: :meth:`await_request` (idle until the first byte, then the header deadline
    starts), :meth:`await_body`, :meth:`done` (no read deadline; the socket timeout becomes
    the write timeout). A missed deadline raises ``TimeoutError``.
    """

    def __init__(self, sock: socket.socket, limits: Limits) -> None:
        super().__init__()
        self._sock = sock
        self._limits = limits
        self._deadline: float | None = None
        self._idle = False

    def readable(self) -> bool:
        return True

    def await_request(self) -> None:
        self._deadline = time.monotonic() + self._limits.idle_timeout
        self._idle = True

    def await_body(self) -> None:
        self._deadline = time.monotonic() + self._limits.request_timeout
        self._idle = False

    def done(self) -> None:
        self._deadline = None
        self._idle = False
        self._sock.settimeout(self._limits.write_timeout)

    def readinto(self, buffer: Any) -> int:
        if self._deadline is not None:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the request did not arrive in time")
            self._sock.settimeout(remaining)
        count = self._sock.recv_into(buffer)
        if self._idle and count:
            self._idle = False
            self._deadline = time.monotonic() + self._limits.read_header_timeout
        return count


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "RequestEntityTooLarge", f"Request entity too large: limit is {limit}")


_DIGITS = re.compile(r"[0-9]+")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]+")


def read_body(
    headers: Message, rfile: io.BufferedIOBase, reader: DeadlineReader, limit: int
) -> bytes:
    """The request body, read before the body deadline.

    Raises :class:`ApiError`: 400 for a bad ``Content-Length`` (``bad Content-Length
    "abc"``), an unsupported transfer encoding, a malformed chunk or a body that ends or
    stalls before its length; 413 when it is over ``limit`` bytes. After an error the
    connection cannot be reused (the caller closes it).
    """
    encoding = (headers.get("Transfer-Encoding") or "").strip().lower()
    lengths = headers.get_all("Content-Length") or []
    if encoding and encoding != "identity":
        if encoding != "chunked":
            raise ApiError(501, "", f"unsupported transfer encoding: {encoding!r}")
        reader.await_body()
        return _read_chunked(rfile, limit)
    if not lengths:
        return b""
    values = {value.strip() for value in lengths}
    if len(values) != 1:
        raise bad_request(
            f"http: message cannot contain multiple Content-Length headers; got {lengths!r}"
        )
    text = values.pop()
    if not _DIGITS.fullmatch(text) or len(text) > 19:
        raise bad_request(f'bad Content-Length "{text}"')
    length = int(text)
    if length > limit:
        raise _too_large(limit)
    if length == 0:
        return b""
    reader.await_body()
    try:
        data = rfile.read(length)
    except TimeoutError:
        raise bad_request(
            f"the request body did not arrive in time (Content-Length {length})"
        ) from None
    if len(data) < length:
        raise bad_request(
            f"unexpected EOF: the request body ended after {len(data)} of {length} bytes"
        )
    return data


def _read_chunked(rfile: io.BufferedIOBase, limit: int) -> bytes:
    parts: list[bytes] = []
    total = 0
    try:
        while True:
            line = rfile.readline(1024)
            size_text = line.split(b";", 1)[0].strip()
            if not line.endswith(b"\n") or not _CHUNK_SIZE.fullmatch(size_text):
                raise bad_request("malformed chunked encoding")
            size = int(size_text, 16)
            if size == 0:
                while rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > limit:
                raise _too_large(limit)
            chunk = rfile.read(size)
            if len(chunk) < size or rfile.readline(3) not in (b"\r\n", b"\n"):
                raise bad_request("unexpected EOF in a chunked request body")
            parts.append(chunk)
    except TimeoutError:
        raise bad_request("the request body did not arrive in time") from None


# query parameters kube-apiserver decodes as integers (ListOptions, DeleteOptions,
# PodLogOptions, ...)
_INTEGER_PARAMETERS = frozenset(
    {"limit", "timeoutSeconds", "gracePeriodSeconds", "tailLines", "sinceSeconds", "limitBytes"}
)
_INT64 = 2**63


def _parse_int(name: str, text: str) -> None:
    """Go's ``strconv.ParseInt(text, 10, 64)`` as a check: the apiserver's messages."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise bad_request(f'strconv.ParseInt: parsing "{text}": invalid syntax')
    if not -_INT64 <= int(text) < _INT64:
        raise bad_request(f'strconv.ParseInt: parsing "{text}": value out of range')


def parse_query(query: str) -> dict[str, str]:
    """The last value of each query parameter; integer parameters checked (400).

    Booleans need no check: read them with :func:`query_flag`.
    """
    parsed = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    for name in _INTEGER_PARAMETERS & parsed.keys():
        _parse_int(name, parsed[name])
    return parsed


def query_flag(query: dict[str, str], name: str) -> bool | None:
    """A boolean query parameter as kube-apiserver reads it; ``None`` when absent.

    apimachinery's ``Convert_Slice_string_To_bool``: ``0`` and ``false`` in any case are
    false, any other value (``True`` as Python clients send it, ``yes``, even the empty
    ``?watch=``) is true. Nothing is refused.
    """
    value = query.get(name)
    if value is None:
        return None
    return not (value == "0" or value.lower() == "false")


_OPTIONS_KINDS = {
    "POST": "CreateOptions",
    "PUT": "UpdateOptions",
    "PATCH": "PatchOptions",
    "DELETE": "DeleteOptions",
}
_FIELD_VALIDATION = ("Ignore", "Strict", "Warn")


def check_write_options(method: str, query: dict[str, str]) -> None:
    """``dryRun`` and ``fieldValidation`` of a write, as kube-apiserver validates its
    ``CreateOptions`` (``UpdateOptions``, ``PatchOptions``, ``DeleteOptions``): ``422``,
    e.g. ``CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value:
    "strict": supported values: "Ignore", "Strict", "Warn"``.
    """
    kind = _OPTIONS_KINDS.get(method)
    if kind is None:
        return
    errors = []
    dry_run = query.get("dryRun")
    if dry_run is not None and dry_run != "All":
        errors.append(
            FieldError(
                "FieldValueNotSupported",
                "dryRun",
                GoLiteral(f'[]string{{"{dry_run}"}}'),
                'supported values: "All"',
            )
        )
    validation = query.get("fieldValidation")
    if validation is not None and method != "DELETE" and validation not in _FIELD_VALIDATION:
        errors.append(
            FieldError(
                "FieldValueNotSupported",
                "fieldValidation",
                validation,
                "supported values: " + ", ".join(f'"{v}"' for v in _FIELD_VALIDATION),
            )
        )
    if method != "DELETE":  # DeleteOptions has no fieldManager
        errors += _field_manager_errors(query.get("fieldManager") or "")
    if errors:
        raise InvalidError(kind, "meta.k8s.io", "", errors)


def _field_manager_errors(manager: str) -> list[FieldError]:
    """apimachinery's ``ValidateFieldManager`` (create, update and patch options): at most
    128 bytes, printable characters only. A 200-character manager was accepted and its
    managedFields entry stored; a cluster refuses the request."""
    errors: list[FieldError] = []
    if len(manager.encode()) > 128:
        errors.append(FieldError.too_long("fieldManager", 128))
    for i, char in enumerate(manager):
        if not char.isprintable():
            detail = f"invalid character U+{ord(char):04X} (at position {i})"
            errors.append(FieldError.invalid("fieldManager", manager, detail))
    return errors


_GONE_EVENTS = getattr(select, "POLLRDHUP", 0) | select.POLLHUP | select.POLLERR


def client_gone(sock: socket.socket) -> bool:
    """True when the peer closed (or reset) the connection ``sock`` streams to.

    Uses ``poll`` with ``POLLRDHUP`` (the peer shut its side, even with unread bytes left,
    which also covers TLS close_notify); without it, a peek for end of stream.
    """
    try:
        fd = sock.fileno()
        if fd < 0:
            return True
        poller = select.poll()
        poller.register(fd, _GONE_EVENTS | select.POLLIN)
        events = poller.poll(0)
        if not events:
            return False
        mask = events[0][1]
        if mask & _GONE_EVENTS:
            return True
        if isinstance(sock, socket.socket) and not hasattr(sock, "cipher"):
            return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        return False
    except (BlockingIOError, InterruptedError):
        return False
    except OSError:
        return True
