"""Field errors as kube-apiserver writes them (``k8s.io/apimachinery/pkg/util/validation/field``).

A :class:`FieldError` is one problem at one field path; :func:`invalid` turns a list of them
into the ``422 Invalid`` :class:`~kubecore.testing.tracker.ApiError` the apiserver answers,
with one ``details.causes`` entry per problem. Metadata validation uses these today; schema
validation (issue #10) reports through the same type so every 422 reads alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from kubecore.testing.discovery import Resource
from kubecore.testing.tracker import ApiError, Obj

__all__ = ["FieldError", "GoLiteral", "InvalidError", "invalid", "json_type"]

_OMIT = object()

# field.ErrorType -> the words the apiserver writes
_TYPE_WORDS = {
    "FieldValueNotFound": "Not found",
    "FieldValueRequired": "Required value",
    "FieldValueDuplicate": "Duplicate value",
    "FieldValueInvalid": "Invalid value",
    "FieldValueNotSupported": "Unsupported value",
    "FieldValueForbidden": "Forbidden",
    "FieldValueTooLong": "Too long",
    "FieldValueTooMany": "Too many",
    "InternalError": "Internal error",
    "FieldValueTypeInvalid": "Invalid value",
}
# types whose message never repeats the value (it may be huge or absent)
_NO_VALUE = frozenset(
    {"FieldValueRequired", "FieldValueForbidden", "FieldValueTooLong", "InternalError"}
)


def json_type(value: Any) -> str:
    """The JSON kind of a decoded value, as Go's ``UnmarshalTypeError`` names it."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class GoLiteral(str):
    """A bad value already written as Go prints it (``[]string{"x"}``): used verbatim."""

    __slots__ = ()


def _go_value(value: Any) -> str:
    """The bad value the way ``field.Error`` prints it: strings quoted, numbers bare."""
    if isinstance(value, GoLiteral):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


@dataclass(frozen=True, slots=True)
class FieldError:
    """One validation problem: ``type`` is a ``field.ErrorType`` (``FieldValueInvalid``, ...),
    ``field`` the dotted wire path (``metadata.labels``), ``value`` the offending value and
    ``detail`` the explanation. client-go: ``field.Error``.
    """

    type: str
    field: str
    value: Any = _OMIT
    detail: str = ""

    @classmethod
    def invalid(cls, field: str, value: Any, detail: str) -> FieldError:
        return cls("FieldValueInvalid", field, value, detail)

    @classmethod
    def required(cls, field: str, detail: str = "") -> FieldError:
        return cls("FieldValueRequired", field, _OMIT, detail)

    @classmethod
    def forbidden(cls, field: str, detail: str) -> FieldError:
        return cls("FieldValueForbidden", field, _OMIT, detail)

    @classmethod
    def too_long(cls, field: str, max_bytes: int) -> FieldError:
        return cls("FieldValueTooLong", field, _OMIT, f"must have at most {max_bytes} bytes")

    def body(self) -> str:
        """The message without the field (``Invalid value: "x": detail``): a cause's message."""
        words = _TYPE_WORDS.get(self.type, self.type)
        text = words
        if self.type not in _NO_VALUE and self.value is not _OMIT:
            text = f"{words}: {_go_value(self.value)}"
        return f"{text}: {self.detail}" if self.detail else text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"

    def cause(self) -> Obj:
        return {"reason": self.type, "message": self.body(), "field": self.field}


class InvalidError(ApiError):
    """``422 Invalid`` with ``details.causes`` (client-go: ``errors.NewInvalid``)."""

    def __init__(self, kind: str, group: str, name: str, errors: list[FieldError]) -> None:
        unique: list[FieldError] = []
        seen: set[str] = set()
        for error in errors:  # ToAggregate drops repeated messages
            if str(error) not in seen:
                seen.add(str(error))
                unique.append(error)
        qualified = f"{kind}.{group}" if group else kind
        listed = str(unique[0]) if len(unique) == 1 else f"[{', '.join(map(str, unique))}]"
        super().__init__(
            422,
            "Invalid",
            f"{qualified} {json.dumps(name, ensure_ascii=False)} is invalid: {listed}",
        )
        self.details = {"name": name, "group": group, "kind": kind}
        if not name:
            del self.details["name"]
        self.causes = unique
        self.details["causes"] = [error.cause() for error in unique]


def invalid(resource: Resource, name: str, errors: list[FieldError]) -> InvalidError:
    """The 422 for ``errors`` found in an object of ``resource`` named ``name``."""
    return InvalidError(resource.kind, resource.group, name, errors)
