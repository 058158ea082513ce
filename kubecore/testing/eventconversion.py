"""One stored Event, served as ``core/v1`` and as ``events.k8s.io/v1``.

kube-apiserver keeps a single ``events`` storage (in the internal, core-shaped form) and
converts on every read and write through ``events.k8s.io/v1``: a recorder writing through
the new API shows up in ``kubectl events`` / ``kubectl describe`` (which read ``core/v1``),
and the other way round. The test server does the same: objects of both views live under
the ``core/v1`` storage key in ``core/v1`` shape; :func:`to_storage` and :func:`from_storage`
rename the fields that differ (k8s.io/kubernetes ``pkg/apis/events/v1`` conversion):

=========================  ===================
events.k8s.io/v1           core/v1
=========================  ===================
regarding                  involvedObject
note                       message
reportingController        reportingComponent
deprecatedSource           source
deprecatedFirstTimestamp   firstTimestamp
deprecatedLastTimestamp    lastTimestamp
deprecatedCount            count
=========================  ===================

Every other field (``eventTime``, ``series``, ``action``, ``related``, ``reason``, ``type``,
``reportingInstance``, ``metadata``, and fields unknown here) is carried as is, so a write
through one view reads back unchanged through the same view.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]

#: Storage shared between served resources: (group, plural) -> the storage (group, plural).
SHARED_STORAGE: dict[tuple[str, str], tuple[str, str]] = {
    ("events.k8s.io", "events"): ("", "events"),
}

_EVENTS_TO_CORE = {
    "regarding": "involvedObject",
    "note": "message",
    "reportingController": "reportingComponent",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
}
_CORE_TO_EVENTS = {core: new for new, core in _EVENTS_TO_CORE.items()}

#: events.k8s.io/v1 field selector labels -> the core/v1 labels they select on (as
#: kube-apiserver's field label conversion for events.k8s.io/v1 Event).
EVENTS_FIELD_LABELS = {
    "regarding.kind": "involvedObject.kind",
    "regarding.namespace": "involvedObject.namespace",
    "regarding.name": "involvedObject.name",
    "regarding.uid": "involvedObject.uid",
    "regarding.apiVersion": "involvedObject.apiVersion",
    "regarding.resourceVersion": "involvedObject.resourceVersion",
    "regarding.fieldPath": "involvedObject.fieldPath",
    "reportingController": "reportingComponent",
    "reason": "reason",
    "type": "type",
    "metadata.name": "metadata.name",
    "metadata.namespace": "metadata.namespace",
}


def _renamed(obj: Obj, names: dict[str, str]) -> Obj:
    return {names.get(key, key): value for key, value in obj.items()}


def to_storage(group: str, plural: str, obj: Obj) -> Obj:
    """``obj`` as sent to (group, plural), in the shape its storage keeps (a new dict)."""
    if (group, plural) == ("events.k8s.io", "events"):
        stored = _renamed(obj, _EVENTS_TO_CORE)
        stored["apiVersion"], stored["kind"] = "v1", "Event"
        return stored
    return obj


def from_storage(group: str, plural: str, obj: Obj) -> Obj:
    """A stored object as served by (group, plural) (a new dict when the shape differs)."""
    if (group, plural) == ("events.k8s.io", "events"):
        return _renamed(obj, _CORE_TO_EVENTS)
    return obj
