"""API strings of request options, typed: deletion propagation, field validation and a
list's resourceVersion match.

Each is a ``StrEnum`` (client-go's named constants) plus a type that also admits the plain
strings, so ``delete(..., propagation_policy="Foreground")`` and
``propagation_policy=DeletionPropagation.FOREGROUND`` both type-check while a typo such as
``"foreground"`` does not. The values go on the wire as they are.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, TypeAlias

__all__ = [
    "DeletionPropagation",
    "FieldValidation",
    "FieldValidationDirective",
    "PropagationPolicy",
    "ResourceVersionMatch",
    "ResourceVersionMatchPolicy",
]


class DeletionPropagation(StrEnum):
    """``metav1.DeletionPropagation``: what happens to an object's dependents on delete."""

    ORPHAN = "Orphan"
    """Dependents are kept; their owner references to the object are removed."""
    BACKGROUND = "Background"
    """The object is deleted now; the garbage collector deletes dependents afterwards."""
    FOREGROUND = "Foreground"
    """The object stays (with a ``foregroundDeletion`` finalizer) until dependents are gone."""


class FieldValidation(StrEnum):
    """The ``fieldValidation`` query parameter: unknown or duplicate fields in a write."""

    IGNORE = "Ignore"
    """Drop them silently (the default before Kubernetes 1.27)."""
    WARN = "Warn"
    """Drop them and answer with a warning for each (the default since 1.27)."""
    STRICT = "Strict"
    """Refuse the request with 400 Bad Request naming them."""


class ResourceVersionMatchPolicy(StrEnum):
    """``metav1.ResourceVersionMatch``: how a list reads its ``resourceVersion``."""

    NOT_OLDER_THAN = "NotOlderThan"
    """Any state at least as new as the version (504 while the server has not reached it)."""
    EXACT = "Exact"
    """The state at exactly that version (410 Expired once it is older than the history)."""


PropagationPolicy: TypeAlias = DeletionPropagation | Literal["Orphan", "Background", "Foreground"]
FieldValidationDirective: TypeAlias = FieldValidation | Literal["Ignore", "Warn", "Strict"]
ResourceVersionMatch: TypeAlias = ResourceVersionMatchPolicy | Literal["NotOlderThan", "Exact"]
