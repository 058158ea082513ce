"""Status condition helpers (apimachinery ``k8s.io/apimachinery/pkg/api/meta`` conditions).

``conditions`` is the list to change in place: a list of kubecore's
``kubecore.core.generated.meta_v1.Condition``, of any model with the same fields (a CRD's
generated condition type), or of dicts (an ``Unstructured`` object's
``status.conditions``). An object whose ``status`` exists may be passed instead of the
list: its ``status.conditions`` is used (and created when missing).

``last_transition_time`` changes only when ``status`` changes; reason, message and
observed generation are updated without touching it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubecore.core.times import Time
from kubecore.core.unstructured import Unstructured
from kubecore.runtime._objects import field_of

__all__ = [
    "CONDITION_FALSE",
    "CONDITION_TRUE",
    "CONDITION_UNKNOWN",
    "find_status_condition",
    "is_status_condition_false",
    "is_status_condition_present_and_equal",
    "is_status_condition_true",
    "remove_status_condition",
    "set_status_condition",
]

CONDITION_TRUE = "True"
CONDITION_FALSE = "False"
CONDITION_UNKNOWN = "Unknown"

# (wire name, attribute name) of every Condition field the helpers manage.
_FIELDS = (
    ("type", "type"),
    ("status", "status"),
    ("observedGeneration", "observed_generation"),
    ("lastTransitionTime", "last_transition_time"),
    ("reason", "reason"),
    ("message", "message"),
)


def _list_of(conditions: Any, *, create: bool) -> list[Any]:
    if isinstance(conditions, list):
        return conditions
    if isinstance(conditions, Unstructured):
        conditions = conditions.object
    if isinstance(conditions, dict):
        status = conditions.get("status")
        if status is None and create:
            status = conditions["status"] = {}
        if not isinstance(status, dict):
            if status is None:
                return []
            raise TypeError(f".status is a {type(status).__name__}, not an object")
        found = status.get("conditions")
        if found is None and create:
            found = status["conditions"] = []
        if found is None:
            return []
        if not isinstance(found, list):
            raise TypeError(f".status.conditions is a {type(found).__name__}, not a list")
        return found
    status = getattr(conditions, "status", None)
    if status is None or not hasattr(status, "conditions"):
        raise TypeError(
            "expected a list of conditions or an object with status.conditions, not "
            f"{type(conditions).__module__}.{type(conditions).__qualname__}"
        )
    if status.conditions is None and create:
        status.conditions = []
    return status.conditions if status.conditions is not None else []


def _get(item: Any, wire: str, attr: str) -> Any:
    return field_of(item, wire, attr)


def _set(item: Any, wire: str, attr: str, value: Any) -> None:
    if isinstance(item, dict):
        if value is None:
            item.pop(wire, None)
        else:
            item[wire] = str(value) if isinstance(value, Time) else value
    else:
        setattr(item, attr, value)


def _wire(condition: Any) -> dict[str, Any]:
    """A condition's JSON data (a copy)."""
    if isinstance(condition, Mapping):
        return {k: (str(v) if isinstance(v, Time) else v) for k, v in condition.items()}
    data: dict[str, Any] = condition.to_dict()
    return data


def _stored_copy(condition: Any, like: Any) -> Any:
    """A copy of ``condition`` in the representation of ``like``: a dict, or ``like``'s
    model class; with no ``like`` (an empty list), in ``condition``'s own."""
    model = like if like is not None else condition
    if isinstance(model, Mapping):
        return _wire(condition)
    return type(model).from_dict(_wire(condition))


def find_status_condition(conditions: Any, condition_type: str) -> Any:
    """The condition of ``condition_type`` (as stored: a model or a dict), or ``None``."""
    for item in _list_of(conditions, create=False):
        if _get(item, "type", "type") == condition_type:
            return item
    return None


def set_status_condition(conditions: Any, new_condition: Any) -> bool:
    """Add ``new_condition`` or update the one of its type; returns whether anything
    changed (``meta.SetStatusCondition``).

    ``new_condition`` is a ``Condition`` (or a model with the same fields) or a dict with
    wire names. ``lastTransitionTime`` is set to now when the condition is new or its status
    changed (unless ``new_condition`` carries one), and kept otherwise.
    """
    items = _list_of(conditions, create=True)
    condition_type = _get(new_condition, "type", "type")
    if not condition_type:
        raise ValueError("a condition needs a type")
    existing = find_status_condition(items, condition_type)
    if existing is None:
        added = _stored_copy(new_condition, items[0] if items else None)
        if not _get(added, "lastTransitionTime", "last_transition_time"):
            _set(added, "lastTransitionTime", "last_transition_time", Time.now())
        items.append(added)
        return True
    changed = False
    if _get(existing, "status", "status") != _get(new_condition, "status", "status"):
        _set(existing, "status", "status", _get(new_condition, "status", "status"))
        when = _get(new_condition, "lastTransitionTime", "last_transition_time") or Time.now()
        _set(existing, "lastTransitionTime", "last_transition_time", Time(when))
        changed = True
    for wire, attr in (
        ("reason", "reason"),
        ("message", "message"),
        ("observedGeneration", "observed_generation"),
    ):
        value = _get(new_condition, wire, attr)
        if _get(existing, wire, attr) != value:
            _set(existing, wire, attr, value)
            changed = True
    return changed


def remove_status_condition(conditions: Any, condition_type: str) -> bool:
    """Remove the condition of ``condition_type``; returns whether one was removed."""
    items = _list_of(conditions, create=False)
    for index, item in enumerate(items):
        if _get(item, "type", "type") == condition_type:
            del items[index]
            return True
    return False


def is_status_condition_present_and_equal(
    conditions: Any, condition_type: str, status: str
) -> bool:
    """Whether the condition of ``condition_type`` exists with ``status``."""
    found = find_status_condition(conditions, condition_type)
    return found is not None and _get(found, "status", "status") == status


def is_status_condition_true(conditions: Any, condition_type: str) -> bool:
    """Whether the condition of ``condition_type`` is ``"True"`` (absent: False)."""
    return is_status_condition_present_and_equal(conditions, condition_type, CONDITION_TRUE)


def is_status_condition_false(conditions: Any, condition_type: str) -> bool:
    """Whether the condition of ``condition_type`` is ``"False"`` (absent: False)."""
    return is_status_condition_present_and_equal(conditions, condition_type, CONDITION_FALSE)
