"""``pods/eviction`` as kube-apiserver's ``EvictionREST`` handles it: one implementation for
the test API server and the fake clients.

``POST .../pods/<name>/eviction`` with a ``policy/v1`` Eviction (``pkg/registry/core/pod/
storage/eviction.go``):

1. the body must be an Eviction whose ``metadata.name`` is the URL's (else 400 ``name in
   URL does not match name in Eviction object``);
2. the request's ``dryRun`` joins the Eviction's ``deleteOptions.dryRun`` (both set and
   different: 500 ``Non-matching dry-run options in request and content: [...] and
   [...]``, a plain error the apiserver reports without a reason);
3. the pod is read (404 when missing);
4. unless dry-run, the pod's status gets the ``DisruptionTarget`` condition (``True``,
   ``EvictionByEvictionAPI``, ``Eviction API: evicting``) in a status update that first
   checks the ``deleteOptions.preconditions`` (409 Conflict, worded as the apiserver words
   it); a ``resourceVersion`` precondition then names the updated version, as the
   apiserver bumps it;
5. the pod is deleted with the Eviction's ``deleteOptions`` through the same delete as
   ``DELETE`` (:func:`kubecore.testing.writes.delete`): ``propagationPolicy`` (garbage
   collection), ``preconditions``, ``dryRun`` and their 422 checks;
6. the answer is ``Status`` ``Success`` with code 201.

PodDisruptionBudgets are not consulted: the test server runs no disruption controller to
keep their ``status.disruptionsAllowed`` current, so every eviction proceeds as for a pod
that no budget covers. Where the apiserver retries a conflicting eviction of a pending or
terminal pod (up to 20 times, 500 ms apart, unless a ``resourceVersion`` precondition was
given), this answers the conflict at once: against an unchanging pod the outcome is the
same, and tests do not wait ten seconds for it.
"""

from __future__ import annotations

from typing import Any

from kubecore.testing import writes
from kubecore.testing.discovery import Resource
from kubecore.testing.tracker import (
    ApiError,
    Obj,
    Tracker,
    bad_request,
    check_preconditions,
    now_rfc3339,
)

__all__ = ["DISRUPTION_TARGET", "evict"]

#: The pod condition an eviction adds before deleting (``DisruptionTarget``).
DISRUPTION_TARGET: Obj = {
    "type": "DisruptionTarget",
    "status": "True",
    "reason": "EvictionByEvictionAPI",
    "message": "Eviction API: evicting",
}

_SUCCESS: Obj = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Success",
    "code": 201,
}


def evict(
    tracker: Tracker, resource: Resource, namespace: str, name: str, body: Any, params: Any
) -> Obj:
    """Evict the pod ``name`` (see the module docstring); returns the ``Status`` to send
    with HTTP 201. ``params``: the request's query (``dryRun``). Raises ``ApiError``."""
    if not isinstance(body, dict) or body.get("kind") not in (None, "Eviction"):
        raise bad_request("the request body must be an Eviction")
    meta = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
    if (meta or {}).get("name", "") != name:
        raise bad_request("name in URL does not match name in Eviction object")
    options = _propagate_dry_run(body.get("deleteOptions"), params)
    tracker.get(resource, namespace, name)  # 404 for a missing pod
    if not options.get("dryRun"):
        options = _mark_disruption_target(tracker, resource, namespace, name, options)
    writes.delete(tracker, resource, namespace, name, options, {})
    return dict(_SUCCESS)


def _propagate_dry_run(options: Any, params: Any) -> Obj:
    """The Eviction's ``deleteOptions`` with the request's ``dryRun`` when it has none
    (``propagateDryRun``)."""
    requested = ["All"] if writes.dry_run(params) else []
    if not isinstance(options, dict):
        return {"dryRun": requested} if requested else {}
    own = options.get("dryRun")
    if not own:
        return {**options, "dryRun": requested} if requested else dict(options)
    if requested and own != requested:
        listed = " ".join(str(v) for v in own) if isinstance(own, list) else str(own)
        raise ApiError(
            500,
            "",
            f"Non-matching dry-run options in request and content: [All] and [{listed}]",
        )
    return dict(options)


def _mark_disruption_target(
    tracker: Tracker, resource: Resource, namespace: str, name: str, options: Obj
) -> Obj:
    """The status update before the delete (``addConditionAndDeletePod``); returns the
    delete options to use (a ``resourceVersion`` precondition moved to the new version)."""
    given = options.get("preconditions")
    preconditions: Obj = given if isinstance(given, dict) else {}

    def add_condition(pod: Obj) -> Obj:
        # Only non-empty preconditions count here; the delete checks all of them again.
        check_preconditions(resource, pod, {k: v for k, v in preconditions.items() if v})
        status = pod.get("status") if isinstance(pod.get("status"), dict) else None
        pod["status"] = status = dict(status or {})
        conditions = [c for c in status.get("conditions") or () if isinstance(c, dict)]
        now = now_rfc3339()
        for index, condition in enumerate(conditions):
            if condition.get("type") == DISRUPTION_TARGET["type"]:
                same = condition.get("status") == DISRUPTION_TARGET["status"]
                since = condition.get("lastTransitionTime") if same else now
                conditions[index] = {**condition, **DISRUPTION_TARGET, "lastTransitionTime": since}
                break
        else:
            conditions.append(
                {**DISRUPTION_TARGET, "lastProbeTime": None, "lastTransitionTime": now}
            )
        status["conditions"] = conditions
        return pod

    updated = tracker.patch(resource, namespace, name, add_condition, subresource="status")
    if preconditions.get("resourceVersion"):
        version = updated["metadata"]["resourceVersion"]
        return {**options, "preconditions": {**preconditions, "resourceVersion": version}}
    return options
