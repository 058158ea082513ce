"""kube-apiserver's defaulting of built-in kinds: the Go defaulters, applied on decode.

kube-apiserver decodes every create, update and patch body (and the merged result of a
patch) into the Go type and runs its defaulting functions — ``SetDefaults_*`` of
``pkg/apis/{core,apps,batch}/v1/defaults.go`` and the ``+default=`` markers the OpenAPI
v3 spec shows as ``default`` — before admission and validation. The test server applied
only CRD schema defaults, so a Deployment created without ``replicas`` read (and scaled)
as 0 where a cluster answers 1, and an update that drops a field did not get it back.
:func:`default_builtin` is called on every write of a built-in kind by
:func:`kubecore.testing.writes.validate_write` (the test server and the fake clients),
after pruning and before validation; the client-go counterpart is
``scheme.Default(obj)`` (``runtime.ObjectDefaulter``) as the apiserver's codec calls it.

Go's rule is kept: a field is defaulted when it is unset — absent or ``null`` (a nil
pointer), or ``""`` for a string field (Go's zero value); ``0`` and ``false`` of
pointer fields (``replicas: 0``, ``suspend: false``) are values and stay.

Covered (kind: fields):

* every pod spec (a Pod's ``spec``, the ``template.spec`` of PodTemplate,
  ReplicationController, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job, and the
  ``jobTemplate.spec.template.spec`` of a CronJob) — ``SetDefaults_PodSpec``:
  ``dnsPolicy`` ClusterFirst, ``restartPolicy`` Always, ``terminationGracePeriodSeconds``
  30, ``securityContext`` {}, ``schedulerName`` default-scheduler; containers, init and ephemeral containers —
  ``terminationMessagePath`` /dev/termination-log, ``terminationMessagePolicy`` File,
  ``imagePullPolicy`` (Always for a ``:latest`` or untagged image without digest, else
  IfNotPresent), ports' ``protocol`` TCP, env ``fieldRef.apiVersion`` v1, probes
  (``timeoutSeconds`` 1, ``periodSeconds`` 10, ``successThreshold`` 1,
  ``failureThreshold`` 3; ``httpGet`` ``path`` / and ``scheme`` HTTP); volumes — no source
  becomes ``emptyDir: {}``, ``defaultMode`` 420 (0644) of secret, configMap, downwardAPI
  and projected sources, a projected ``serviceAccountToken``'s ``expirationSeconds``
  3600, and the OpenAPI ``default`` markers of the volume sources (azureDisk, rbd, iscsi,
  scaleIO);
* Pod (``SetDefaults_Pod``): ``enableServiceLinks`` true, each container's resource
  ``requests`` default to its ``limits``, with ``hostNetwork`` its ports' ``hostPort`` to
  the ``containerPort`` (not in templates since 1.28: the
  ``DefaultHostNetworkHostPortsInPodTemplates`` gate is off);
* ReplicationController, ReplicaSet: ``replicas`` 1;
* Deployment: ``replicas`` 1, ``strategy`` RollingUpdate with ``maxUnavailable`` and
  ``maxSurge`` 25%, ``revisionHistoryLimit`` 10, ``progressDeadlineSeconds`` 600;
* StatefulSet: ``replicas`` 1, ``podManagementPolicy`` OrderedReady, ``updateStrategy``
  RollingUpdate with ``partition`` 0, ``revisionHistoryLimit`` 10,
  ``persistentVolumeClaimRetentionPolicy`` Retain/Retain;
* DaemonSet: ``updateStrategy`` RollingUpdate with ``maxUnavailable`` 1 and ``maxSurge``
  0, ``revisionHistoryLimit`` 10;
* Job: ``completions`` and ``parallelism`` 1 (``completions`` only when neither is set),
  ``backoffLimit`` 6 (2147483647 with ``backoffLimitPerIndex``), ``completionMode``
  NonIndexed, ``suspend`` false, ``podReplacementPolicy`` (Failed with a
  ``podFailurePolicy``, else TerminatingOrFailed), a failure policy pattern's ``status``
  "True";
* CronJob: ``concurrencyPolicy`` Allow, ``suspend`` false, ``successfulJobsHistoryLimit``
  3, ``failedJobsHistoryLimit`` 1;
* Service: ``type`` ClusterIP, ``sessionAffinity`` None (ClientIP: timeout 10800 s),
  ports' ``protocol`` TCP and ``targetPort`` = ``port``, ``internalTrafficPolicy``
  Cluster, ``externalTrafficPolicy`` Cluster (NodePort, LoadBalancer),
  ``allocateLoadBalancerNodePorts`` true (LoadBalancer), and what the Service registry
  sets on create when unset: ``ipFamilyPolicy`` SingleStack (RequireDualStack for a
  headless Service without selector), ``ipFamilies`` [IPv4] (not for ExternalName);
* Secret: ``type`` Opaque; Namespace: the ``kubernetes.io/metadata.name`` label;
  PersistentVolumeClaim: ``volumeMode`` Filesystem; PersistentVolume: ``volumeMode``
  Filesystem, ``persistentVolumeReclaimPolicy`` Retain; Endpoints: ports' ``protocol``
  TCP.

Left out: the IP allocation itself (``clusterIP``/``clusterIPs``, node ports), the
registry strategies' ``PrepareForCreate`` work (a Job's generated selector and
``controller-uid`` labels, a Pod's ``status.phase``/``qosClass``, a Namespace's
``kubernetes`` finalizer), feature-gated defaults that are not on by default in every
supported release (a StatefulSet's ``rollingUpdate.maxUnavailable``), the rarer kinds'
defaulters (LimitRange, Node, ResourceQuota, networking, rbac, storage,
admissionregistration, autoscaling, policy), and the defaults of other API versions than
``v1`` of these groups.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from kubecore.testing.builtinrules import _POD_SPECS, _at

__all__ = ["default_builtin"]

Obj = dict[str, Any]

_MAX_INT32 = 2**31 - 1

#: A struct's defaults: (field, value) pairs.
_Table = tuple[tuple[str, Any], ...]

#: Struct defaults as (field, value) pairs: the tables of ``SetDefaults_*``.
_POD_SPEC: _Table = (
    ("dnsPolicy", "ClusterFirst"),
    ("restartPolicy", "Always"),
    ("terminationGracePeriodSeconds", 30),
    ("securityContext", {}),
    ("schedulerName", "default-scheduler"),
)
_CONTAINER: _Table = (
    ("terminationMessagePath", "/dev/termination-log"),
    ("terminationMessagePolicy", "File"),
)
_PROBE: _Table = (
    ("timeoutSeconds", 1),
    ("periodSeconds", 10),
    ("successThreshold", 1),
    ("failureThreshold", 3),
)
_HTTP_GET: _Table = (("path", "/"), ("scheme", "HTTP"))
_PORT: _Table = (("protocol", "TCP"),)
#: A volume source's defaults (``SetDefaults_*VolumeSource`` and the OpenAPI ``default``
#: markers of the v3 spec); 420 is 0644.
_VOLUME_SOURCES: dict[str, _Table] = {
    "secret": (("defaultMode", 420),),
    "configMap": (("defaultMode", 420),),
    "downwardAPI": (("defaultMode", 420),),
    "projected": (("defaultMode", 420),),
    "azureDisk": (("cachingMode", "ReadWrite"), ("fsType", "ext4"), ("kind", "Shared")),
    "rbd": (("pool", "rbd"), ("user", "admin"), ("keyring", "/etc/ceph/keyring")),
    "iscsi": (("iscsiInterface", "default"),),
    "scaleIO": (("storageMode", "ThinProvisioned"), ("fsType", "xfs")),
}
#: Fields of a ``VolumeSource`` that are not a source (a volume with none gets emptyDir).
_NOT_SOURCES = frozenset({"name"})

_DEPLOYMENT: _Table = (
    ("replicas", 1),
    ("revisionHistoryLimit", 10),
    ("progressDeadlineSeconds", 600),
)
_STATEFUL_SET: _Table = (
    ("replicas", 1),
    ("podManagementPolicy", "OrderedReady"),
    ("revisionHistoryLimit", 10),
    ("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"}),
)
_CRON_JOB: _Table = (
    ("concurrencyPolicy", "Allow"),
    ("suspend", False),
    ("successfulJobsHistoryLimit", 3),
    ("failedJobsHistoryLimit", 1),
)
_SERVICE: _Table = (("type", "ClusterIP"), ("sessionAffinity", "None"))


def _unset(value: Any, default: Any) -> bool:
    """Go's "not set": a nil pointer (absent, ``null``) or a string field's ``""``."""
    return value is None or (isinstance(default, str) and value == "")


def _fill(obj: Any, table: _Table) -> None:
    """Set each unset field of the struct ``obj`` (a dict; else nothing) to its default."""
    if not isinstance(obj, dict):
        return
    for field, default in table:
        if _unset(obj.get(field), default):
            obj[field] = copy.deepcopy(default)


def _struct(obj: Obj, field: str) -> Obj:
    """``obj[field]``, made an empty struct when unset (Go: a nil pointer filled in)."""
    value = obj.get(field)
    if not isinstance(value, dict):
        value = obj[field] = {}
    return value


def _items(value: Any) -> list[Obj]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _image_pull_policy(image: Any) -> str:
    """``SetDefaults_Container``: Always for ``:latest`` or no tag (and no digest)."""
    if not isinstance(image, str):
        return "IfNotPresent"
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]  # a registry's ``host:port/`` is no tag
    tag = last.split(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _container(container: Obj) -> None:
    _fill(container, _CONTAINER)
    if _unset(container.get("imagePullPolicy"), ""):
        container["imagePullPolicy"] = _image_pull_policy(container.get("image"))
    for port in _items(container.get("ports")):
        _fill(port, _PORT)
    for env in _items(container.get("env")):
        _fill(_at(env, ("valueFrom", "fieldRef")), (("apiVersion", "v1"),))
    for probe_field in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(probe_field)
        if isinstance(probe, dict):
            _fill(probe, _PROBE)
            _fill(probe.get("httpGet"), _HTTP_GET)
    for hook in ("postStart", "preStop"):
        _fill(_at(container, ("lifecycle", hook, "httpGet")), _HTTP_GET)


def _volume(volume: Obj) -> None:
    if not any(v is not None for k, v in volume.items() if k not in _NOT_SOURCES):
        volume["emptyDir"] = {}
    for source, table in _VOLUME_SOURCES.items():
        _fill(volume.get(source), table)
    for item in _items(_at(volume, ("downwardAPI", "items"))):
        _fill(item.get("fieldRef"), (("apiVersion", "v1"),))
    for projection in _items(_at(volume, ("projected", "sources"))):
        _fill(projection.get("serviceAccountToken"), (("expirationSeconds", 3600),))
        for item in _items(_at(projection, ("downwardAPI", "items"))):
            _fill(item.get("fieldRef"), (("apiVersion", "v1"),))


def _pod_spec(spec: Any) -> None:
    """``SetDefaults_PodSpec`` and the defaulters of what a pod spec holds."""
    if not isinstance(spec, dict):
        return
    _fill(spec, _POD_SPEC)
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for container in _items(spec.get(field)):
            _container(container)
    for volume in _items(spec.get("volumes")):
        _volume(volume)


def _pod(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    for container in _items(spec.get("initContainers")) + _items(spec.get("containers")):
        if spec.get("hostNetwork") is True:  # Pods only since 1.28, not templates
            for port in _items(container.get("ports")):
                if not port.get("hostPort"):
                    port["hostPort"] = port.get("containerPort")
        resources = container.get("resources")
        limits = resources.get("limits") if isinstance(resources, dict) else None
        if isinstance(resources, dict) and isinstance(limits, dict) and limits:
            requests = resources.get("requests")
            if not isinstance(requests, dict):
                requests = resources["requests"] = {}
            for name, quantity in limits.items():
                requests.setdefault(name, quantity)


def _replicas(obj: Obj) -> None:
    _fill(obj.get("spec"), (("replicas", 1),))


def _deployment(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    _fill(spec, _DEPLOYMENT)
    strategy = _struct(spec, "strategy")
    _fill(strategy, (("type", "RollingUpdate"),))
    if strategy["type"] == "RollingUpdate":
        _fill(_struct(strategy, "rollingUpdate"), (("maxUnavailable", "25%"), ("maxSurge", "25%")))


def _stateful_set(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    _fill(spec, _STATEFUL_SET)
    _fill(
        spec["persistentVolumeClaimRetentionPolicy"],
        (("whenDeleted", "Retain"), ("whenScaled", "Retain")),
    )
    strategy = _struct(spec, "updateStrategy")
    if _unset(strategy.get("type"), ""):
        strategy["type"] = "RollingUpdate"
        _struct(strategy, "rollingUpdate")
    rolling = strategy.get("rollingUpdate")
    if strategy["type"] == "RollingUpdate" and isinstance(rolling, dict):
        _fill(rolling, (("partition", 0),))


def _daemon_set(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    _fill(spec, (("revisionHistoryLimit", 10),))
    strategy = _struct(spec, "updateStrategy")
    _fill(strategy, (("type", "RollingUpdate"),))
    if strategy["type"] == "RollingUpdate":
        _fill(_struct(strategy, "rollingUpdate"), (("maxUnavailable", 1), ("maxSurge", 0)))


def _job(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    _fill(spec, (("parallelism", 1),))
    if spec.get("backoffLimit") is None:
        per_index = spec.get("backoffLimitPerIndex") is not None
        spec["backoffLimit"] = _MAX_INT32 if per_index else 6
    _fill(spec, (("completionMode", "NonIndexed"), ("suspend", False)))
    failure_policy = spec.get("podFailurePolicy")
    if isinstance(failure_policy, dict):
        for rule in _items(failure_policy.get("rules")):
            for pattern in _items(rule.get("onPodConditions")):
                _fill(pattern, (("status", "True"),))
    replacement = "Failed" if failure_policy is not None else "TerminatingOrFailed"
    _fill(spec, (("podReplacementPolicy", replacement),))


def _cron_job(obj: Obj) -> None:
    _fill(obj.get("spec"), _CRON_JOB)


def _service(obj: Obj) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    _fill(spec, _SERVICE)
    kind = spec["type"]
    if spec["sessionAffinity"] == "ClientIP":
        config = _struct(_struct(spec, "sessionAffinityConfig"), "clientIP")
        _fill(config, (("timeoutSeconds", 10800),))
    for port in _items(spec.get("ports")):
        _fill(port, _PORT)
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if kind in ("NodePort", "LoadBalancer"):
        _fill(spec, (("externalTrafficPolicy", "Cluster"),))
    if kind == "LoadBalancer":
        _fill(spec, (("allocateLoadBalancerNodePorts", True),))
    if kind == "ExternalName":
        return
    _fill(spec, (("internalTrafficPolicy", "Cluster"),))
    ips = spec.get("clusterIPs")
    first_ip = ips[0] if isinstance(ips, list) and ips else spec.get("clusterIP")
    headless_without_selector = first_ip == "None" and not spec.get("selector")
    policy = "RequireDualStack" if headless_without_selector else "SingleStack"
    _fill(spec, (("ipFamilyPolicy", policy), ("ipFamilies", ["IPv4"])))


def _namespace(obj: Obj) -> None:
    name = _at(obj, ("metadata", "name"))
    if isinstance(name, str) and name:
        labels = _struct(_struct(obj, "metadata"), "labels")
        labels["kubernetes.io/metadata.name"] = name


def _endpoints(obj: Obj) -> None:
    for subset in _items(obj.get("subsets")):
        for port in _items(subset.get("ports")):
            _fill(port, _PORT)


def _secret(obj: Obj) -> None:
    _fill(obj, (("type", "Opaque"),))


def _persistent_volume(obj: Obj) -> None:
    _fill(
        obj.get("spec"),
        (("persistentVolumeReclaimPolicy", "Retain"), ("volumeMode", "Filesystem")),
    )


def _persistent_volume_claim(obj: Obj) -> None:
    _fill(obj.get("spec"), (("volumeMode", "Filesystem"),))


#: (group, plural) -> the kind's own defaulter (its pod spec is :data:`_POD_SPECS`').
_KINDS: dict[tuple[str, str], Callable[[Obj], None]] = {
    ("", "pods"): _pod,
    ("", "replicationcontrollers"): _replicas,
    ("", "services"): _service,
    ("", "secrets"): _secret,
    ("", "namespaces"): _namespace,
    ("", "endpoints"): _endpoints,
    ("", "persistentvolumes"): _persistent_volume,
    ("", "persistentvolumeclaims"): _persistent_volume_claim,
    ("apps", "deployments"): _deployment,
    ("apps", "replicasets"): _replicas,
    ("apps", "statefulsets"): _stateful_set,
    ("apps", "daemonsets"): _daemon_set,
    ("batch", "jobs"): _job,
    ("batch", "cronjobs"): _cron_job,
}


def default_builtin(group: str, version: str, plural: str, obj: Obj) -> Obj:
    """``obj`` (one decoded object of the built-in resource ``group``/``version``/
    ``plural``, JSON data) with kube-apiserver's defaults applied (module docstring);
    ``obj`` itself for kinds, versions and bodies this module does not default. Never
    modifies ``obj``: the result is a defaulted deep copy when anything may change. Raises
    nothing: a field of the wrong type is left for validation to report."""
    key = (group, plural)
    pod_spec = _POD_SPECS.get(key)
    kind = _KINDS.get(key)
    if version != "v1" or (kind is None and pod_spec is None) or not isinstance(obj, dict):
        return obj
    result = copy.deepcopy(obj)
    if kind is not None:
        kind(result)
    if pod_spec is not None:
        _pod_spec(_at(result, pod_spec))
    return result
