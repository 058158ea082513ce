"""``kubecore.validate`` and ``Model.validate()``: the validator for users.

Validation is never part of decoding (a newer server's data must always decode); call it
when you want it, typically before sending an object or in CI. Problems come back as
:class:`~kubecore.core.validation.errors.FieldError` values with the path twice: ``field``
in wire names (``spec.template.spec.containers[0].imagePullPolicy``), as kube-apiserver
writes it, and ``attribute_path`` in the model's attribute names
(``spec.template.spec.containers[0].image_pull_policy``) when a model class is known.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Mapping
from typing import Any

from kubecore.core.model import FieldInfo, Model
from kubecore.core.validation.errors import FieldError
from kubecore.core.validation.registry import Validator

_lock = threading.Lock()
_default: Validator | None = None
_SEGMENT = re.compile(r"([^.\[\]]+)|\[([^\]]*)\]")


def default_validator() -> Validator:
    """The shared validator with the built-in Kubernetes 1.36 API, built on first use.

    Add your CRDs to it once (``default_validator().add_crd(crd)``) and ``kubecore.validate``
    and ``Model.validate()`` know their kinds too.
    """
    global _default
    with _lock:
        if _default is None:
            _default = Validator.builtin()
        return _default


def validate(
    obj: Model | Mapping[str, Any],
    *,
    old: Model | Mapping[str, Any] | None = None,
    validator: Validator | None = None,
    model: type[Model] | None = None,
) -> list[FieldError]:
    """The problems kube-apiserver would report for ``obj`` (a typed model or a dict).

    ``old``: the stored object, for CEL transition rules. ``validator``: defaults to
    :func:`default_validator`. ``model``: the class to name attribute paths by, when
    ``obj`` is a dict (a typed ``obj`` brings its own). Raises
    :class:`~kubecore.core.validation.registry.SchemaNotFound` for an unknown kind. The
    validator's counterparts: ``kubectl apply --dry-run=server``, ``kubeconform``.
    """
    cls: type[Model] | None = model
    if isinstance(obj, Model):
        cls = type(obj)
        data = _wire(obj)
    else:
        data = dict(obj)
    old_data = _wire(old) if isinstance(old, Model) else (dict(old) if old is not None else None)
    problems = (validator or default_validator()).validate(data, old_data)
    if cls is not None:
        for problem in problems:
            problem.attribute_path = attribute_path(cls, problem.field)
    return problems


def _wire(obj: Model) -> dict[str, Any]:
    data = obj.to_dict()
    for key, attr in (("apiVersion", "API_VERSION"), ("kind", "KIND")):
        if key not in data and isinstance(getattr(type(obj), attr, None), str):
            data[key] = getattr(type(obj), attr)
    return data


def attribute_path(cls: type[Model], wire_path: str) -> str:
    """``spec.containers[0].imagePullPolicy`` -> ``spec.containers[0].image_pull_policy``.

    Follows the model classes' field metadata; past a field it cannot follow (a map key,
    free-form JSON, an unknown field) the rest of the path is kept as it is.
    """
    out: list[str] = []
    current: type[Model] | None = cls
    for match in _SEGMENT.finditer(wire_path):
        name, index = match.group(1), match.group(2)
        if index is not None:
            out.append(f"[{index}]")
            continue
        info = _field(current, name) if current is not None else None
        if info is None:
            out.append(f".{name}" if out else name)
            current = None
            continue
        out.append(f".{info.name}" if out else info.name)
        current = _resolve(current, info) if current is not None else None
    return "".join(out)


def _field(cls: type[Model], wire: str) -> FieldInfo | None:
    for info in cls.FIELDS:
        if info.wire == wire:
            return info
    return None


def _resolve(owner: type[Model], info: FieldInfo) -> type[Model] | None:
    """The model class a field holds (through ``list[...]``; not through maps)."""
    text = info.type.replace(" | None", "").strip()
    while text.startswith("list["):
        text = text[5:-1].strip()
    if "[" in text or "|" in text:
        return None
    module = sys.modules.get(owner.__module__)
    target: Any = module
    for part in text.split("."):
        target = getattr(target, part, None)
        if target is None:
            return None
    return target if isinstance(target, type) and issubclass(target, Model) else None
