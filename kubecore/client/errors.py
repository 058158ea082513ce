"""Typed errors for non-2xx API server responses.

``error_from_response()`` turns a status code, a body and the response headers
into an ``ApiError`` subclass.  Like client-go's ``k8s.io/apimachinery/pkg/api/errors``
the ``reason`` of a ``meta/v1 Status`` body decides first; the HTTP status code
decides when the body carries no (known) reason.

Messages are built from the response only (the server's ``Status.message`` or
a short excerpt of a non-Status body), never from request headers, so they can
never contain a bearer token or other credentials.
"""

from __future__ import annotations

import email.utils
import keyword
import re
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

from kubecore.core.codec import json_loads
from kubecore.core.generated.meta_v1 import Status

__all__ = [
    "AlreadyExists",
    "ApiError",
    "BadRequest",
    "Cause",
    "Conflict",
    "Forbidden",
    "Gone",
    "InternalError",
    "Invalid",
    "MethodNotAllowed",
    "NotFound",
    "ServerTimeout",
    "ServiceUnavailable",
    "TooManyRequests",
    "Unauthorized",
    "error_from_response",
    "has_status_cause",
    "is_already_exists",
    "is_conflict",
    "is_forbidden",
    "is_gone",
    "is_invalid",
    "is_not_found",
    "is_server_timeout",
    "is_too_many_requests",
    "is_unauthorized",
    "parse_retry_after",
]

#: How much of a non-Status body is quoted in a message.
_BODY_EXCERPT = 200


class Cause(NamedTuple):
    """One ``StatusCause`` of an ``Invalid`` error: (field, type, message).

    ``attribute_path`` is ``field`` in model attribute names (``spec.template.spec.
    containers[0].image_pull_policy``) by the generator's snake_case rule; for an exact
    mapping through a model's field metadata (renamed collisions) use
    :meth:`Invalid.attribute_paths`.
    """

    field: str | None
    type: str | None
    message: str | None

    @property
    def attribute_path(self) -> str | None:
        if self.field is None:
            return None
        return _ATTR_SEGMENT.sub(lambda m: _snake(m.group(0)), self.field)


class ApiError(Exception):
    """The API server answered with a non-2xx status.

    ``status`` is the HTTP status code, ``reason`` the ``Status.reason`` (or a
    reason derived from the code), ``details`` the decoded ``meta/v1 Status``
    (a ``dict`` when the body was other JSON, ``None`` when it was not JSON),
    ``retry_after`` the delay in seconds the server asked for (``Retry-After``
    header, else ``Status.details.retryAfterSeconds``).
    """

    default_status: int = 0
    default_reason: str = "Unknown"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        reason: str | None = None,
        details: Status | dict[str, Any] | None = None,
        retry_after: float | None = None,
        body: bytes = b"",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = self.default_status if status is None else status
        self.reason = reason or self.default_reason
        self.details = details
        self.retry_after = retry_after
        self.body = body

    @property
    def code(self) -> int:
        """Alias of ``status`` (the name ``meta/v1 Status`` uses)."""
        return self.status

    def __str__(self) -> str:
        return f"{self.status} {self.reason}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, reason={self.reason!r}, "
            f"message={self.message!r})"
        )


class BadRequest(ApiError):
    default_status = 400
    default_reason = "BadRequest"


class Unauthorized(ApiError):
    default_status = 401
    default_reason = "Unauthorized"


class Forbidden(ApiError):
    default_status = 403
    default_reason = "Forbidden"


class NotFound(ApiError):
    default_status = 404
    default_reason = "NotFound"


class MethodNotAllowed(ApiError):
    default_status = 405
    default_reason = "MethodNotAllowed"


class AlreadyExists(ApiError):
    """409 with reason ``AlreadyExists`` (not a ``Conflict``: retrying will not help)."""

    default_status = 409
    default_reason = "AlreadyExists"


class Conflict(ApiError):
    """409 for any other reason, typically a stale ``resourceVersion``."""

    default_status = 409
    default_reason = "Conflict"


class Gone(ApiError):
    """410: e.g. a watch or list continuation whose resourceVersion is too old."""

    default_status = 410
    default_reason = "Gone"


class Invalid(ApiError):
    """422: the object failed validation; ``causes`` lists (field, type, message)."""

    default_status = 422
    default_reason = "Invalid"

    @property
    def causes(self) -> list[Cause]:
        return _causes(self.details)

    def attribute_paths(self, model: type[Any]) -> list[str | None]:
        """Each cause's field in the attribute names of ``model`` (a generated model class)."""
        from kubecore.core.validation.api import attribute_path

        return [None if c.field is None else attribute_path(model, c.field) for c in self.causes]


class TooManyRequests(ApiError):
    default_status = 429
    default_reason = "TooManyRequests"


class InternalError(ApiError):
    default_status = 500
    default_reason = "InternalError"


class ServiceUnavailable(ApiError):
    default_status = 503
    default_reason = "ServiceUnavailable"


class ServerTimeout(ApiError):
    """504, or a Status with reason ``Timeout`` / ``ServerTimeout``."""

    default_status = 504
    default_reason = "Timeout"


_BY_REASON: dict[str, type[ApiError]] = {
    "BadRequest": BadRequest,
    "Unauthorized": Unauthorized,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
    "MethodNotAllowed": MethodNotAllowed,
    "AlreadyExists": AlreadyExists,
    "Conflict": Conflict,
    "Gone": Gone,
    "Expired": Gone,
    "Invalid": Invalid,
    "TooManyRequests": TooManyRequests,
    "InternalError": InternalError,
    "ServiceUnavailable": ServiceUnavailable,
    "Timeout": ServerTimeout,
    "ServerTimeout": ServerTimeout,
}

_BY_CODE: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    410: Gone,
    422: Invalid,
    429: TooManyRequests,
    500: InternalError,
    503: ServiceUnavailable,
    504: ServerTimeout,
}

# What client-go says when the body is not a Status (k8s.io/apimachinery api/errors).
_DEFAULT_MESSAGES: dict[int, str] = {
    400: "the server rejected our request for an unknown reason",
    401: "the server has asked for the client to provide credentials",
    403: "the server does not allow access to the requested resource",
    404: "the server could not find the requested resource",
    405: "the server does not allow this method on the requested resource",
    409: "the server reported a conflict",
    410: "the server reported that the requested resource is gone",
    422: "the server rejected our request due to an error in our request",
    429: "the server has received too many requests and has asked us to try again later",
    500: "an error on the server has prevented the request from succeeding",
    503: "the server is currently unable to handle the request",
    504: "the server was unable to return a response in the time allotted",
}


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, val in headers.items():
        if key.lower() == wanted:
            return val
    return None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), else None.

    Fractional seconds are accepted; negative values and past dates give 0.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        current = time.time() if now is None else now
        return max(0.0, when.timestamp() - current)
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return None
    return max(0.0, seconds)


def _decode_status(body: bytes) -> Status | dict[str, Any] | None:
    if not body:
        return None
    try:
        data = json_loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if data.get("kind") == "Status":
        try:
            return Status.from_dict(data)
        except (TypeError, ValueError, KeyError, AttributeError):
            return data
    return data


_ATTR_SEGMENT = re.compile(r"(?<![\[A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*")


def _snake(name: str) -> str:
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text).lower()
    return f"{text}_" if keyword.iskeyword(text) else text


def _causes(details: Status | dict[str, Any] | None) -> list[Cause]:
    if isinstance(details, Status):
        if details.details is None or not details.details.causes:
            return []
        return [Cause(c.field, c.reason, c.message) for c in details.details.causes]
    if isinstance(details, dict):
        inner = details.get("details")
        raw = inner.get("causes") if isinstance(inner, dict) else None
        if not isinstance(raw, list):
            return []
        return [
            Cause(c.get("field"), c.get("reason"), c.get("message"))
            for c in raw
            if isinstance(c, dict)
        ]
    return []


def _excerpt(body: bytes) -> str:
    text = body[: _BODY_EXCERPT * 4].decode("utf-8", "replace").strip()
    text = " ".join(text.split())
    if len(text) > _BODY_EXCERPT:
        text = text[:_BODY_EXCERPT] + "..."
    return text


def error_from_response(
    status_code: int, body: bytes, headers: Mapping[str, str] | None = None
) -> ApiError:
    """The typed error for a non-2xx response (the ``Status`` reason wins over the code)."""
    details = _decode_status(body)
    reason: str | None = None
    message: str | None = None
    retry_after = parse_retry_after(_header(headers, "Retry-After"))
    if isinstance(details, Status):
        reason = details.reason or None
        message = details.message or None
        if retry_after is None and details.details is not None:
            seconds = details.details.retry_after_seconds
            if isinstance(seconds, int) and seconds > 0:
                retry_after = float(seconds)
    elif isinstance(details, dict) and details.get("kind") == "Status":
        raw_reason, raw_message = details.get("reason"), details.get("message")
        reason = raw_reason if isinstance(raw_reason, str) and raw_reason else None
        message = raw_message if isinstance(raw_message, str) and raw_message else None

    cls: type[ApiError] | None = _BY_REASON.get(reason) if reason else None
    if cls is None:
        cls = _BY_CODE.get(status_code)
        if cls is None and 500 <= status_code < 600:
            cls = InternalError
        if cls is None:
            cls = ApiError
    if message is None:
        default = _DEFAULT_MESSAGES.get(status_code, f"unexpected HTTP status {status_code}")
        excerpt = _excerpt(body) if details is None or not isinstance(details, Status) else ""
        message = f"{default} ({excerpt})" if excerpt else default
    return cls(
        message,
        status=status_code,
        reason=reason or (cls.default_reason if cls is not ApiError else None),
        details=details,
        retry_after=retry_after,
        body=body,
    )


def has_status_cause(err: BaseException | None, cause_type: str) -> bool:
    """Whether ``err`` is an :class:`ApiError` whose ``Status.details.causes`` hold one of
    type (``reason``) ``cause_type``, e.g. ``"ResourceVersionTooLarge"``; client-go's
    ``apierrors.HasStatusCause``."""
    return isinstance(err, ApiError) and any(c.type == cause_type for c in _causes(err.details))


def is_not_found(err: BaseException | None) -> bool:
    return isinstance(err, NotFound)


def is_already_exists(err: BaseException | None) -> bool:
    return isinstance(err, AlreadyExists)


def is_conflict(err: BaseException | None) -> bool:
    return isinstance(err, Conflict)


def is_invalid(err: BaseException | None) -> bool:
    return isinstance(err, Invalid)


def is_gone(err: BaseException | None) -> bool:
    return isinstance(err, Gone)


def is_forbidden(err: BaseException | None) -> bool:
    return isinstance(err, Forbidden)


def is_unauthorized(err: BaseException | None) -> bool:
    return isinstance(err, Unauthorized)


def is_too_many_requests(err: BaseException | None) -> bool:
    return isinstance(err, TooManyRequests)


def is_server_timeout(err: BaseException | None) -> bool:
    return isinstance(err, ServerTimeout)
