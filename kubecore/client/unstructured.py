"""Compatibility re-export: ``Unstructured`` and its helpers live in :mod:`kubecore.core.unstructured`.

They have no I/O, so they belong with the core types (as client-go keeps them in
apimachinery, not in client-go); this module keeps the old import path working.
"""

from __future__ import annotations

from kubecore.core.unstructured import *  # noqa: F403
from kubecore.core.unstructured import __all__ as __all__  # noqa: F401
