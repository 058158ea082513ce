"""Table columns of the most used built-in kinds, computed as kube-apiserver's printers do.

kube-apiserver answers ``kubectl get`` with a Table whose columns come from hand-written
printers (``pkg/printers/internalversion``), not from the OpenAPI schema. This module has
the same columns for pods, deployments, replicasets, statefulsets, daemonsets, services,
configmaps, secrets, namespaces, nodes, jobs, cronjobs, ingresses and events, with cells
computed from the stored object. Priority-1 columns are the ones ``kubectl get -o wide``
adds. ``Age`` cells are filled by :mod:`kubecore.testing.tables`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]
#: (name, type, priority, cell function); ``None`` cell function: the Age column.
Column = tuple[str, str, int, "Callable[[Obj], Any] | None"]


def _get(obj: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, int):
            obj = obj[step] if isinstance(obj, list) and step < len(obj) else None
        else:
            obj = obj.get(step) if isinstance(obj, dict) else None
        if obj is None:
            return None
    return obj


def _int(obj: Obj, *path: str) -> int:
    value = _get(obj, *path)
    return value if isinstance(value, int) else 0


def _list(obj: Obj, *path: str) -> list[Any]:
    value = _get(obj, *path)
    return value if isinstance(value, list) else []


def _none(text: str) -> str:
    return text if text else "<none>"


def _containers(obj: Obj, *spec: str) -> str:
    return ",".join(str(c.get("name", "")) for c in _list(obj, *spec, "containers"))


def _images(obj: Obj, *spec: str) -> str:
    return ",".join(str(c.get("image", "")) for c in _list(obj, *spec, "containers"))


def _selector(obj: Obj) -> str:
    selector = _get(obj, "spec", "selector")
    if not isinstance(selector, dict):
        return "<none>"
    labels = selector.get("matchLabels") if "matchLabels" in selector else selector
    parts = [f"{k}={v}" for k, v in sorted((labels or {}).items()) if isinstance(v, str)]
    for expr in selector.get("matchExpressions") or ():
        values = ",".join(expr.get("values") or ())
        parts.append(f"{expr.get('key')} {str(expr.get('operator', '')).lower()} ({values})")
    return _none(",".join(parts))


# -- pods -------------------------------------------------------------------------------------


def _pod_ready(pod: Obj) -> str:
    statuses = _list(pod, "status", "containerStatuses")
    ready = sum(1 for s in statuses if s.get("ready"))
    return f"{ready}/{len(_list(pod, 'spec', 'containers'))}"


def _pod_status(pod: Obj) -> str:
    reason = str(_get(pod, "status", "reason") or _get(pod, "status", "phase") or "")
    initializing = False
    inits = _list(pod, "spec", "initContainers")
    for index, status in enumerate(_list(pod, "status", "initContainerStatuses")):
        terminated = _get(status, "state", "terminated")
        waiting = _get(status, "state", "waiting")
        if isinstance(terminated, dict) and terminated.get("exitCode") == 0:
            continue
        initializing = True
        if isinstance(terminated, dict):
            reason = "Init:" + str(
                terminated.get("reason") or f"ExitCode:{terminated.get('exitCode')}"
            )
        elif isinstance(waiting, dict) and waiting.get("reason") not in (None, "PodInitializing"):
            reason = f"Init:{waiting['reason']}"
        else:
            reason = f"Init:{index}/{len(inits)}"
        break
    if not initializing:
        running = False
        for status in reversed(_list(pod, "status", "containerStatuses")):
            waiting = _get(status, "state", "waiting")
            terminated = _get(status, "state", "terminated")
            if isinstance(waiting, dict) and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif isinstance(terminated, dict):
                reason = str(
                    terminated.get("reason")
                    or (
                        f"Signal:{terminated['signal']}"
                        if terminated.get("signal")
                        else f"ExitCode:{terminated.get('exitCode')}"
                    )
                )
            elif status.get("ready") and _get(status, "state", "running") is not None:
                running = True
        if reason == "Completed" and running:
            reason = "Running"
    if _get(pod, "metadata", "deletionTimestamp"):
        reason = "Unknown" if _get(pod, "status", "reason") == "NodeLost" else "Terminating"
    return reason


def _pod_restarts(pod: Obj) -> int:
    return sum(int(s.get("restartCount") or 0) for s in _list(pod, "status", "containerStatuses"))


# -- workloads --------------------------------------------------------------------------------


def _ratio(ready: tuple[str, ...], total: tuple[str, ...]) -> Callable[[Obj], str]:
    return lambda obj: f"{_int(obj, *ready)}/{_int(obj, *total)}"


def _job_status(job: Obj) -> str:
    for condition in _list(job, "status", "conditions"):
        if condition.get("status") == "True":
            if condition.get("type") == "Complete":
                return "Complete"
            if condition.get("type") == "Failed":
                return "Failed"
            if condition.get("type") == "Suspended":
                return "Suspended"
    return "Running"


def _completions(job: Obj) -> str:
    completions = _get(job, "spec", "completions")
    succeeded = _int(job, "status", "succeeded")
    if isinstance(completions, int):
        return f"{succeeded}/{completions}"
    parallelism = _get(job, "spec", "parallelism")
    return (
        f"{succeeded}/1 of {parallelism}"
        if isinstance(parallelism, int) and parallelism > 1
        else f"{succeeded}/1"
    )


def _job_duration(job: Obj) -> str:
    from datetime import UTC, datetime

    from kubecore.testing.tables import human_age

    start = _get(job, "status", "startTime")
    if not isinstance(start, str):
        return ""
    end = _get(job, "status", "completionTime")
    if not isinstance(end, str):
        return human_age(start)
    try:
        finished = datetime.strptime(end, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return ""
    return human_age(start, now=finished)


def _last_schedule(cron: Obj) -> str:
    from kubecore.testing.tables import human_age

    last = _get(cron, "status", "lastScheduleTime")
    return human_age(last) if isinstance(last, str) else "<none>"


# -- services and ingresses ------------------------------------------------------------------


def _external_ips(svc: Obj) -> str:
    kind = _get(svc, "spec", "type") or "ClusterIP"
    ips = [str(ip) for ip in _list(svc, "spec", "externalIPs")]
    if kind == "LoadBalancer":
        ingress = [
            str(i.get("ip") or i.get("hostname") or "")
            for i in _list(svc, "status", "loadBalancer", "ingress")
        ]
        found = ingress + ips
        return ",".join(found) if found else "<pending>"
    if kind == "ExternalName":
        return str(_get(svc, "spec", "externalName") or "<none>")
    return ",".join(ips) if ips else "<none>"


def _ports(svc: Obj) -> str:
    out = []
    for port in _list(svc, "spec", "ports"):
        text = f"{port.get('port')}"
        if port.get("nodePort"):
            text += f":{port['nodePort']}"
        out.append(f"{text}/{port.get('protocol') or 'TCP'}")
    return _none(",".join(out))


def _ingress_hosts(ing: Obj) -> str:
    hosts = [str(r.get("host")) for r in _list(ing, "spec", "rules") if r.get("host")]
    if not hosts:
        return "*"
    return ",".join(hosts[:3]) + (f" + {len(hosts) - 3} more..." if len(hosts) > 3 else "")


def _ingress_address(ing: Obj) -> str:
    return ",".join(
        str(i.get("ip") or i.get("hostname") or "")
        for i in _list(ing, "status", "loadBalancer", "ingress")
    )


# -- nodes and events -------------------------------------------------------------------------


def _node_status(node: Obj) -> str:
    status = "Unknown"
    for condition in _list(node, "status", "conditions"):
        if condition.get("type") == "Ready":
            status = "Ready" if condition.get("status") == "True" else "NotReady"
    if _get(node, "spec", "unschedulable"):
        status += ",SchedulingDisabled"
    return status


def _node_roles(node: Obj) -> str:
    labels = _get(node, "metadata", "labels") or {}
    roles = sorted(
        key.split("/", 1)[1]
        for key in labels
        if key.startswith("node-role.kubernetes.io/") and key.split("/", 1)[1]
    )
    if labels.get("kubernetes.io/role"):
        roles.append(str(labels["kubernetes.io/role"]))
    return _none(",".join(roles))


def _node_address(kind: str) -> Callable[[Obj], str]:
    def cell(node: Obj) -> str:
        for address in _list(node, "status", "addresses"):
            if address.get("type") == kind:
                return str(address.get("address", ""))
        return "<none>"

    return cell


def _event_last_seen(event: Obj) -> str:
    from kubecore.testing.tables import human_age

    when = (
        _get(event, "lastTimestamp")
        or _get(event, "eventTime")
        or _get(event, "metadata", "creationTimestamp")
    )
    return human_age(str(when)) if when else "<unknown>"


def _event_object(event: Obj) -> str:
    kind = str(_get(event, "involvedObject", "kind") or "").lower()
    return f"{kind}/{_get(event, 'involvedObject', 'name') or ''}"


# -- the table --------------------------------------------------------------------------------

_AGE: Column = ("Age", "string", 0, None)

PRINTERS: dict[tuple[str, str], list[Column]] = {
    ("", "pods"): [
        ("Ready", "string", 0, _pod_ready),
        ("Status", "string", 0, _pod_status),
        ("Restarts", "string", 0, _pod_restarts),
        _AGE,
        ("IP", "string", 1, lambda p: _get(p, "status", "podIP") or "<none>"),
        ("Node", "string", 1, lambda p: _get(p, "spec", "nodeName") or "<none>"),
        (
            "Nominated Node",
            "string",
            1,
            lambda p: _get(p, "status", "nominatedNodeName") or "<none>",
        ),
        ("Readiness Gates", "string", 1, lambda p: "<none>"),
    ],
    ("apps", "deployments"): [
        ("Ready", "string", 0, _ratio(("status", "readyReplicas"), ("spec", "replicas"))),
        ("Up-to-date", "string", 0, lambda d: _int(d, "status", "updatedReplicas")),
        ("Available", "string", 0, lambda d: _int(d, "status", "availableReplicas")),
        _AGE,
        ("Containers", "string", 1, lambda d: _containers(d, "spec", "template", "spec")),
        ("Images", "string", 1, lambda d: _images(d, "spec", "template", "spec")),
        ("Selector", "string", 1, _selector),
    ],
    ("apps", "replicasets"): [
        ("Desired", "integer", 0, lambda r: _int(r, "spec", "replicas")),
        ("Current", "integer", 0, lambda r: _int(r, "status", "replicas")),
        ("Ready", "integer", 0, lambda r: _int(r, "status", "readyReplicas")),
        _AGE,
        ("Containers", "string", 1, lambda r: _containers(r, "spec", "template", "spec")),
        ("Images", "string", 1, lambda r: _images(r, "spec", "template", "spec")),
        ("Selector", "string", 1, _selector),
    ],
    ("apps", "statefulsets"): [
        ("Ready", "string", 0, _ratio(("status", "readyReplicas"), ("spec", "replicas"))),
        _AGE,
        ("Containers", "string", 1, lambda s: _containers(s, "spec", "template", "spec")),
        ("Images", "string", 1, lambda s: _images(s, "spec", "template", "spec")),
    ],
    ("apps", "daemonsets"): [
        ("Desired", "integer", 0, lambda d: _int(d, "status", "desiredNumberScheduled")),
        ("Current", "integer", 0, lambda d: _int(d, "status", "currentNumberScheduled")),
        ("Ready", "integer", 0, lambda d: _int(d, "status", "numberReady")),
        ("Up-to-date", "integer", 0, lambda d: _int(d, "status", "updatedNumberScheduled")),
        ("Available", "integer", 0, lambda d: _int(d, "status", "numberAvailable")),
        (
            "Node Selector",
            "string",
            0,
            lambda d: _none(
                ",".join(
                    f"{k}={v}"
                    for k, v in sorted(
                        (_get(d, "spec", "template", "spec", "nodeSelector") or {}).items()
                    )
                )
            ),
        ),
        _AGE,
        ("Containers", "string", 1, lambda d: _containers(d, "spec", "template", "spec")),
        ("Images", "string", 1, lambda d: _images(d, "spec", "template", "spec")),
        ("Selector", "string", 1, _selector),
    ],
    ("", "services"): [
        ("Type", "string", 0, lambda s: _get(s, "spec", "type") or "ClusterIP"),
        ("Cluster-IP", "string", 0, lambda s: _get(s, "spec", "clusterIP") or "<none>"),
        ("External-IP", "string", 0, _external_ips),
        ("Port(s)", "string", 0, _ports),
        _AGE,
        (
            "Selector",
            "string",
            1,
            lambda s: _none(
                ",".join(f"{k}={v}" for k, v in sorted((_get(s, "spec", "selector") or {}).items()))
            ),
        ),
    ],
    ("", "configmaps"): [
        (
            "Data",
            "integer",
            0,
            lambda c: len(_get(c, "data") or {}) + len(_get(c, "binaryData") or {}),
        ),
        _AGE,
    ],
    ("", "secrets"): [
        ("Type", "string", 0, lambda s: _get(s, "type") or "Opaque"),
        ("Data", "integer", 0, lambda s: len(_get(s, "data") or {})),
        _AGE,
    ],
    ("", "namespaces"): [
        ("Status", "string", 0, lambda n: _get(n, "status", "phase") or "Active"),
        _AGE,
    ],
    ("", "nodes"): [
        ("Status", "string", 0, _node_status),
        ("Roles", "string", 0, _node_roles),
        _AGE,
        ("Version", "string", 0, lambda n: _get(n, "status", "nodeInfo", "kubeletVersion") or ""),
        ("Internal-IP", "string", 1, _node_address("InternalIP")),
        ("External-IP", "string", 1, _node_address("ExternalIP")),
        ("OS-Image", "string", 1, lambda n: _get(n, "status", "nodeInfo", "osImage") or ""),
        (
            "Kernel-Version",
            "string",
            1,
            lambda n: _get(n, "status", "nodeInfo", "kernelVersion") or "",
        ),
        (
            "Container-Runtime",
            "string",
            1,
            lambda n: _get(n, "status", "nodeInfo", "containerRuntimeVersion") or "",
        ),
    ],
    ("batch", "jobs"): [
        ("Status", "string", 0, _job_status),
        ("Completions", "string", 0, _completions),
        ("Duration", "string", 0, _job_duration),
        _AGE,
        ("Containers", "string", 1, lambda j: _containers(j, "spec", "template", "spec")),
        ("Images", "string", 1, lambda j: _images(j, "spec", "template", "spec")),
        ("Selector", "string", 1, _selector),
    ],
    ("batch", "cronjobs"): [
        ("Schedule", "string", 0, lambda c: _get(c, "spec", "schedule") or ""),
        ("Timezone", "string", 0, lambda c: _get(c, "spec", "timeZone") or "<none>"),
        ("Suspend", "boolean", 0, lambda c: bool(_get(c, "spec", "suspend"))),
        ("Active", "integer", 0, lambda c: len(_list(c, "status", "active"))),
        ("Last Schedule", "string", 0, _last_schedule),
        _AGE,
        (
            "Containers",
            "string",
            1,
            lambda c: _containers(c, "spec", "jobTemplate", "spec", "template", "spec"),
        ),
        (
            "Images",
            "string",
            1,
            lambda c: _images(c, "spec", "jobTemplate", "spec", "template", "spec"),
        ),
        ("Selector", "string", 1, _selector),
    ],
    ("networking.k8s.io", "ingresses"): [
        ("Class", "string", 0, lambda i: _get(i, "spec", "ingressClassName") or "<none>"),
        ("Hosts", "string", 0, _ingress_hosts),
        ("Address", "string", 0, _ingress_address),
        ("Ports", "string", 0, lambda i: "80, 443" if _list(i, "spec", "tls") else "80"),
        _AGE,
    ],
    ("", "events"): [
        ("Last Seen", "string", 0, _event_last_seen),
        ("Type", "string", 0, lambda e: _get(e, "type") or ""),
        ("Reason", "string", 0, lambda e: _get(e, "reason") or ""),
        ("Object", "string", 0, _event_object),
        ("Subobject", "string", 1, lambda e: _get(e, "involvedObject", "fieldPath") or ""),
        ("Source", "string", 1, lambda e: _get(e, "source", "component") or ""),
        ("Message", "string", 0, lambda e: str(_get(e, "message") or "").strip()),
        (
            "First Seen",
            "string",
            1,
            lambda e: _event_last_seen({"lastTimestamp": _get(e, "firstTimestamp")}),
        ),
        ("Count", "string", 1, lambda e: _int(e, "count")),
        ("Name", "string", 1, lambda e: _get(e, "metadata", "name") or ""),
    ],
}
#: Kinds whose table has no leading Name column (events list it last, for -o wide).
NO_NAME_FIRST = frozenset({("", "events")})


def columns_for(group: str, plural: str) -> list[Column] | None:
    """The printer columns of a built-in resource, or None (Name first unless NO_NAME_FIRST)."""
    return PRINTERS.get((group, plural))
