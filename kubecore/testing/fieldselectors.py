"""Field selectors per kind, as kube-apiserver serves them.

Every resource selects on ``metadata.name`` (and ``metadata.namespace`` when namespaced);
some built-in kinds add their own fields (each registry's ``GetAttrs`` / field label
conversion in k8s.io/kubernetes), and a CRD version adds its ``selectableFields``. A label a
kind does not support answers 400 ``field label not supported: <label>``, as kube-apiserver
does, never a selector silently ignored. Values compare as text; a missing field is the Go
zero value (``""``, ``"0"``, ``"false"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from kubecore.testing.eventconversion import EVENTS_FIELD_LABELS

Obj = dict[str, Any]
Getter = Callable[[Obj], str]


def _path(dotted: str, zero: str = "") -> Getter:
    """The text at a dotted path; booleans as ``true``/``false``, numbers as decimal."""
    keys = dotted.split(".")

    def get(obj: Obj) -> str:
        value: Any = obj
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return zero
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return get


def _event_source(obj: Obj) -> str:
    # kube-apiserver's Event GetAttrs: the source component, else the reporting controller.
    source = _path("source.component")(obj)
    return source or _path("reportingComponent")(obj)


_EVENT_FIELDS: dict[str, Getter] = {
    **{
        f"involvedObject.{name}": _path(f"involvedObject.{name}")
        for name in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion")
    },
    "involvedObject.fieldPath": _path("involvedObject.fieldPath"),
    "reason": _path("reason"),
    "reportingComponent": _path("reportingComponent"),
    "source": _event_source,
    "type": _path("type"),
}

#: (group, plural) -> the fields beyond metadata.name / metadata.namespace.
KIND_FIELDS: dict[tuple[str, str], dict[str, Getter]] = {
    ("", "events"): _EVENT_FIELDS,
    ("", "pods"): {
        "spec.nodeName": _path("spec.nodeName"),
        "spec.restartPolicy": _path("spec.restartPolicy"),
        "spec.schedulerName": _path("spec.schedulerName"),
        "spec.serviceAccountName": _path("spec.serviceAccountName"),
        "spec.hostNetwork": _path("spec.hostNetwork", "false"),
        "status.phase": _path("status.phase"),
        "status.podIP": _path("status.podIP"),
        "status.nominatedNodeName": _path("status.nominatedNodeName"),
    },
    ("", "nodes"): {"spec.unschedulable": _path("spec.unschedulable", "false")},
    ("", "namespaces"): {"status.phase": _path("status.phase")},
    ("", "secrets"): {"type": _path("type")},
    ("", "services"): {"spec.clusterIP": _path("spec.clusterIP"), "spec.type": _path("spec.type")},
    ("", "replicationcontrollers"): {"status.replicas": _path("status.replicas", "0")},
    ("apps", "replicasets"): {"status.replicas": _path("status.replicas", "0")},
    ("batch", "jobs"): {"status.successful": _path("status.successful", "0")},
    ("certificates.k8s.io", "certificatesigningrequests"): {
        "spec.signerName": _path("spec.signerName")
    },
}

#: Served (group, plural) -> its label conversion to the stored kind's labels.
LABEL_CONVERSIONS: dict[tuple[str, str], dict[str, str]] = {
    ("events.k8s.io", "events"): EVENTS_FIELD_LABELS,
}


def field_getter(
    group: str,
    plural: str,
    label: str,
    *,
    storage: tuple[str, str] | None = None,
    selectable: Sequence[str] = (),
) -> Getter | None:
    """How ``label`` reads a stored object of (group, plural), or ``None`` if unsupported.

    ``storage`` is the (group, plural) the objects are stored as (another resource's, for
    ``events.k8s.io``); ``selectable`` the ``jsonPath``s of a CRD version's
    ``selectableFields`` (``.spec.color``).
    """
    conversion = LABEL_CONVERSIONS.get((group, plural))
    if conversion is not None:
        converted = conversion.get(label)
        if converted is None:
            return None
        label = converted
    if label in ("metadata.name", "metadata.namespace"):
        return _path(label)
    found = KIND_FIELDS.get(storage or (group, plural), {}).get(label)
    if found is not None:
        return found
    if any(path.lstrip(".") == label for path in selectable):
        return _path(label)
    return None
