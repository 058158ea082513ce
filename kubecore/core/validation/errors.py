"""Field errors worded as kube-apiserver words them (apimachinery's ``field.Error``).

A :class:`FieldError` is one problem at one field: its path in wire names
(``spec.containers[0].image``), its type (``Invalid value``, ``Required value``, ...), the
bad value and a detail. ``str(error)`` is apimachinery's ``Error()`` text, which is what a
``422 Invalid`` cause's ``message`` holds: ``spec.replicas: Invalid value: "string":
spec.replicas in body must be of type integer: "string"``.
"""

from __future__ import annotations

import math
from typing import Any

# apimachinery field.ErrorType: the cause ``reason`` and the text in the message.
NOT_FOUND = "FieldValueNotFound"
REQUIRED = "FieldValueRequired"
DUPLICATE = "FieldValueDuplicate"
INVALID = "FieldValueInvalid"
NOT_SUPPORTED = "FieldValueNotSupported"
FORBIDDEN = "FieldValueForbidden"
TOO_LONG = "FieldValueTooLong"
TOO_MANY = "FieldValueTooMany"
INTERNAL = "InternalError"
TYPE_INVALID = "FieldValueTypeInvalid"

_TEXT = {
    NOT_FOUND: "Not found",
    REQUIRED: "Required value",
    DUPLICATE: "Duplicate value",
    INVALID: "Invalid value",
    NOT_SUPPORTED: "Unsupported value",
    FORBIDDEN: "Forbidden",
    TOO_LONG: "Too long",
    TOO_MANY: "Too many",
    INTERNAL: "Internal error",
    TYPE_INVALID: "Invalid value",
}
# Types whose message never shows the value (apimachinery's ErrorBody).
_NO_VALUE = frozenset({REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL})
_OMIT = object()


class FieldError:
    """One validation problem.

    ``field``: the path in wire names (``spec.ports[1].name``; ``""`` for the object itself).
    ``type``: an apimachinery ``field.ErrorType`` (``FieldValueInvalid``, ...), which is also
    the ``reason`` of the matching ``StatusCause``. ``value``: the bad value (any JSON value).
    ``detail``: the explanation. ``attribute_path``: the path in model attribute names
    (``spec.template.spec.image_pull_policy``), set by ``kubecore.validate`` when a model
    class is known. client-go counterpart: ``field.Error``.
    """

    __slots__ = ("field", "type", "value", "detail", "attribute_path")

    def __init__(self, field: str, type: str, value: Any = _OMIT, detail: str = "") -> None:
        self.field = field
        self.type = type
        self.value = value
        self.detail = detail
        #: The path in model attribute names, when validated through a model class.
        self.attribute_path: str | None = None

    @property
    def body(self) -> str:
        """The message without the field path (apimachinery's ``ErrorBody``)."""
        text = _TEXT.get(self.type, self.type)
        if self.type not in _NO_VALUE and self.value is not _OMIT:
            text = f"{text}: {go_value(self.value)}"
        return f"{text}: {self.detail}" if self.detail else text

    @property
    def message(self) -> str:
        return f"{self.field}: {self.body}" if self.field else self.body

    def to_cause(self) -> dict[str, str]:
        """The ``StatusCause`` a 422 carries for this problem: ``reason`` (the type),
        ``message`` (the body, without the path: apimachinery's ``ErrorBody``) and ``field``."""
        return {"reason": self.type, "message": self.body, "field": self.field}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"FieldError({self.message!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldError):
            return NotImplemented
        return self.message == other.message and self.type == other.type

    __hash__ = None  # type: ignore[assignment]


def required(field: str, detail: str = "") -> FieldError:
    return FieldError(field, REQUIRED, detail=detail)


def invalid(field: str, value: Any, detail: str) -> FieldError:
    return FieldError(field, INVALID, value, detail)


def not_supported(field: str, value: Any, supported: list[Any]) -> FieldError:
    listed = ", ".join(go_value(v) for v in supported)
    return FieldError(field, NOT_SUPPORTED, value, f"supported values: {listed}")


def duplicate(field: str, value: Any) -> FieldError:
    return FieldError(field, DUPLICATE, value)


def forbidden(field: str, detail: str) -> FieldError:
    return FieldError(field, FORBIDDEN, detail=detail)


def too_long(field: str, limit: int) -> FieldError:
    return FieldError(field, TOO_LONG, detail=f"may not be more than {limit} bytes")


def too_many(field: str, count: int, limit: int, what: str = "items") -> FieldError:
    return FieldError(field, TOO_MANY, count, f"must have at most {limit} {what}")


def go_value(value: Any) -> str:
    """A value as apimachinery prints it: Go's ``%q`` for strings, ``%v`` for numbers and
    booleans, ``"null"`` for nil (ErrorBody turns nil into the string "null"), and ``%#v`` for
    maps and lists (``map[string]interface {}{...}``).
    """
    if value is None:
        return '"null"'
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _go_quote(value)
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, int):
        return str(value)
    return _go_sharp(value)


def _go_quote(text: str) -> str:
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _go_float(value: float) -> str:
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _go_sharp(value: Any) -> str:
    """Go's ``%#v`` of decoded JSON (``map[string]interface {}`` and ``[]interface {}``)."""
    if isinstance(value, dict):
        items = ", ".join(f"{_go_quote(str(k))}:{_go_elem(v)}" for k, v in sorted(value.items()))
        return f"map[string]interface {{}}{{{items}}}"
    if isinstance(value, (list, tuple)):
        return f"[]interface {{}}{{{', '.join(_go_elem(v) for v in value)}}}"
    return _go_quote(str(value))


def _go_elem(value: Any) -> str:
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, (dict, list, tuple)):
        return _go_sharp(value)
    return go_value(value)
