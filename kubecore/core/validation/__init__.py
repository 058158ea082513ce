"""Validation of Kubernetes objects against the OpenAPI schema of their kind.

No I/O beyond reading the vendored Kubernetes spec on :meth:`Validator.builtin`; usable by
users (``kubecore.validate``, ``Model.validate()``, ``kube-clientgen validate``) and by the
test API server. Errors are worded as kube-apiserver words them (see ``errors``).
"""

from __future__ import annotations

from kubecore.core.validation.cel import SUPPORTED_FUNCTIONS, CelError, CelUnsupported
from kubecore.core.validation.compile import SchemaCompiler
from kubecore.core.validation.errors import FieldError
from kubecore.core.validation.registry import KindSchema, SchemaNotFound, Validator
from kubecore.core.validation.structural import apply_defaults, prune

__all__ = [
    "SUPPORTED_FUNCTIONS",
    "CelError",
    "CelUnsupported",
    "FieldError",
    "KindSchema",
    "SchemaCompiler",
    "SchemaNotFound",
    "Validator",
    "apply_defaults",
    "prune",
]
