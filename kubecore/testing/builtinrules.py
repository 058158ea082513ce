"""Rules of built-in kinds that kube-apiserver checks in Go code, not in the OpenAPI schema.

The schema validator (:mod:`kubecore.core.validation`) checks what the spec says; a few
rules every workload meets live only in ``pkg/apis/*/validation``, and without them the
test server stored objects a cluster refuses (422), so tests passed here and failed there:

* a pod spec (of a Pod, or the template of a workload) has at least one container
  (``spec.containers: Required value``), container names are unique across init and
  regular containers (``Duplicate value``), and each volume has exactly one source, as
  ``ValidatePodSpec``;
* a Pod's spec changes only where ``ValidatePodUpdate`` allows (images, active deadline,
  added tolerations, ...): 422 ``spec: Forbidden: pod updates may not change fields other
  than ...`` (kube-apiserver appends a diff of the specs, left out here);
* ConfigMap and Secret keys are config keys, and an ``immutable`` one keeps its data;
* a Service has ports (unless headless or ``ExternalName``), named when there are several;
* an ``apps/v1`` workload's selector selects its template's labels, and is immutable
  (``ValidateDeployment``, ``ValidateReplicaSet``, ``ValidateStatefulSet``,
  ``ValidateDaemonSet`` and their updates);
* a Pod's containers name an image (a template's need not), and a ``Recreate`` Deployment
  has no ``rollingUpdate`` (``ValidateDeploymentStrategy``; a strategic merge patch that
  only sets ``type`` keeps the defaulted ``rollingUpdate``, as kube-apiserver's does).

:func:`builtin_errors` is called on every write of the object itself (not its status).
"""

from __future__ import annotations

from typing import Any

from kubecore.core.validation.names import is_config_map_key
from kubecore.runtime.labels import parse_selector
from kubecore.testing.fielderrors import FieldError, GoLiteral
from kubecore.testing.scale import _selector_string

__all__ = ["builtin_errors"]

_TEMPLATE = ("spec", "template", "spec")
#: (group, plural) -> where its pod spec is.
_POD_SPECS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "pods"): ("spec",),
    ("", "podtemplates"): ("template", "spec"),
    ("", "replicationcontrollers"): _TEMPLATE,
    ("apps", "deployments"): _TEMPLATE,
    ("apps", "replicasets"): _TEMPLATE,
    ("apps", "statefulsets"): _TEMPLATE,
    ("apps", "daemonsets"): _TEMPLATE,
    ("batch", "jobs"): _TEMPLATE,
    ("batch", "cronjobs"): ("spec", "jobTemplate", "spec", "template", "spec"),
}
_SELECTING = frozenset({"deployments", "replicasets", "statefulsets", "daemonsets"})


def _at(obj: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        obj = obj.get(part) if isinstance(obj, dict) else None
    return obj


def _go_map(labels: dict[str, Any]) -> GoLiteral:
    """A ``map[string]string`` as Go's ``%#v`` prints it (keys sorted)."""
    return GoLiteral(
        "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items())) + "}"
    )


def _go_selector(selector: dict[str, Any]) -> GoLiteral:
    """A ``*metav1.LabelSelector`` as its generated ``String()`` prints it."""
    labels = "".join(f"{k}: {v}," for k, v in sorted((selector.get("matchLabels") or {}).items()))
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key')},Operator:{e.get('operator')},"
        f"Values:[{' '.join(e.get('values') or ())}],}},"
        for e in selector.get("matchExpressions") or ()
        if isinstance(e, dict)
    )
    return GoLiteral(
        f"&LabelSelector{{MatchLabels:map[string]string{{{labels}}},"
        f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}"
    )


#: ``validateVolumeSource``'s order: the first source set counts, each later one is an error.
_VOLUME_SOURCES = (
    "emptyDir hostPath gitRepo gcePersistentDisk awsElasticBlockStore secret nfs iscsi "
    "glusterfs flocker persistentVolumeClaim rbd quobyte cinder cephfs downwardAPI fc "
    "flexVolume azureFile vsphereVolume photonPersistentDisk portworxVolume azureDisk "
    "storageos scaleIO configMap projected csi ephemeral image"
).split()


def _volume_errors(volumes: Any, path: str) -> list[FieldError]:
    """Exactly one source per volume: a strategic merge patch that sets another source of
    a volume (without ``$retainKeys``) makes two, which kube-apiserver refuses."""
    errors: list[FieldError] = []
    for i, volume in enumerate(volumes if isinstance(volumes, list) else ()):
        if not isinstance(volume, dict):
            continue
        sources = [name for name in _VOLUME_SOURCES if volume.get(name) is not None]
        if not sources:
            errors.append(FieldError.required(f"{path}[{i}]", "must specify a volume type"))
        errors.extend(
            FieldError.forbidden(f"{path}[{i}].{extra}", "may not specify more than 1 volume type")
            for extra in sources[1:]
        )
    return errors


def _pod_spec_errors(spec: Any, path: str) -> list[FieldError]:
    if not isinstance(spec, dict):
        return []
    errors = _volume_errors(spec.get("volumes"), f"{path}.volumes")
    containers = spec.get("containers")
    if isinstance(containers, list) and not containers:
        errors.append(FieldError.required(f"{path}.containers"))
    seen: set[str] = set()  # regular containers first, then init ones against all of them
    for field in ("containers", "initContainers"):
        for i, container in enumerate(spec.get(field) or ()):
            name = container.get("name") if isinstance(container, dict) else None
            if isinstance(name, str) and name:
                if name in seen:
                    errors.append(
                        FieldError("FieldValueDuplicate", f"{path}.{field}[{i}].name", name)
                    )
                seen.add(name)
    return errors


def _pod_image_errors(spec: Any) -> list[FieldError]:
    """A Pod's containers each name an image (``validateContainerOnlyForPod``); a template's
    may leave it empty, for an admission webhook to fill in."""
    errors: list[FieldError] = []
    if not isinstance(spec, dict):
        return errors
    for field in ("containers", "initContainers"):  # ValidatePodSpec's order
        for i, container in enumerate(spec.get(field) or ()):
            if isinstance(container, dict) and not container.get("image"):
                errors.append(FieldError.required(f"spec.{field}[{i}].image"))
    return errors


_POD_UPDATE = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
    "set to 1 if it was previously negative)"
)


def _pod_spec_frozen(spec: Any, old_spec: Any) -> dict[str, Any]:
    """``spec`` with what ``ValidatePodUpdate`` lets change set to the stored values: the
    images, activeDeadlineSeconds, added tolerations, a negative grace period set to 1,
    removed scheduling gates (and ephemeral containers, a subresource's business)."""
    frozen = dict(spec) if isinstance(spec, dict) else {}
    old = old_spec if isinstance(old_spec, dict) else {}
    for field in ("containers", "initContainers"):
        new_list, old_list = frozen.get(field), old.get(field)
        if isinstance(new_list, list) and isinstance(old_list, list):
            frozen[field] = [
                {**c, "image": o.get("image")} if isinstance(c, dict) and isinstance(o, dict) else c
                for c, o in zip(new_list, old_list, strict=False)
            ] + new_list[len(old_list) :]
    for field in ("activeDeadlineSeconds", "ephemeralContainers", "schedulingGates"):
        frozen.pop(field, None)
    tolerations, before = frozen.get("tolerations") or [], old.get("tolerations") or []
    if isinstance(tolerations, list) and all(t in tolerations for t in before):
        frozen.pop("tolerations", None)
    grace, old_grace = frozen.get("terminationGracePeriodSeconds"), old.get(
        "terminationGracePeriodSeconds"
    )
    if grace == 1 and isinstance(old_grace, int) and old_grace < 0:
        frozen.pop("terminationGracePeriodSeconds", None)
    return frozen


def _pod_update_errors(obj: Any, old: Any) -> list[FieldError]:
    spec, old_spec = _at(obj, ("spec",)), _at(old, ("spec",))
    if not isinstance(spec, dict) or not isinstance(old_spec, dict):
        return []
    if _pod_spec_frozen(spec, old_spec) == _pod_spec_frozen(old_spec, old_spec):
        return []
    return [FieldError.forbidden("spec", _POD_UPDATE)]


_IMMUTABLE = "field is immutable when `immutable` is set"


def _config_errors(plural: str, obj: Any, old: Any | None) -> list[FieldError]:
    """``ValidateConfigMap`` / ``ValidateSecret`` and their updates: keys are config keys,
    a ConfigMap key is in ``data`` or ``binaryData``, not both, and once ``immutable`` is
    true neither it nor the data may change (a Secret's ``type`` never does)."""
    errors: list[FieldError] = []
    bags = ("data", "binaryData") if plural == "configmaps" else ("data",)
    for bag in bags:
        values = obj.get(bag) if isinstance(obj.get(bag), dict) else {}
        for key in sorted(values):
            path = f"{bag}[{key}]"
            errors += [FieldError.invalid(path, key, m) for m in is_config_map_key(key)]
            if bag == "data" and key in (obj.get("binaryData") or {}):
                detail = "duplicate of key present in binaryData"
                errors.append(FieldError.invalid(path, key, detail))
    if not isinstance(old, dict):
        return errors
    kinds = (obj.get("type"), old.get("type"))  # both set: no Opaque default is applied here
    if plural == "secrets" and all(kinds) and kinds[0] != kinds[1]:
        errors.append(FieldError.invalid("type", kinds[0], "field is immutable"))
    if old.get("immutable") is True:
        if obj.get("immutable") is not True:
            errors.append(FieldError.forbidden("immutable", _IMMUTABLE))
        errors += [
            FieldError.forbidden(bag, _IMMUTABLE)
            for bag in bags
            if (obj.get(bag) or {}) != (old.get(bag) or {})
        ]
    return errors


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _service_errors(obj: Any) -> list[FieldError]:
    """``ValidateService``'s ports: a Service has ports unless headless or ``ExternalName``,
    and with several ports each has a name, unique among them (a classic mistake of a
    controller's owned Service that the test server stored). An absent type is ClusterIP,
    the default kube-apiserver applies first."""
    spec = obj.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    ports, ips = (_as_list(spec.get(f)) for f in ("ports", "clusterIPs"))
    kind = spec.get("type") or "ClusterIP"
    headless = kind == "ClusterIP" and "None" in (spec.get("clusterIP"), *ips[:1])
    errors: list[FieldError] = []
    if not ports and not headless and kind != "ExternalName":
        errors.append(FieldError.required("spec.ports"))
    names: set[str] = set()
    for i, port in enumerate(ports):
        name = port.get("name") if isinstance(port, dict) else None
        if not name and len(ports) > 1:
            errors.append(FieldError.required(f"spec.ports[{i}].name"))
        elif isinstance(name, str) and name in names:
            errors.append(FieldError("FieldValueDuplicate", f"spec.ports[{i}].name", name))
        elif isinstance(name, str):
            names.add(name)
    return errors


def builtin_errors(group: str, plural: str, obj: Any, old: Any | None) -> list[FieldError]:
    """The Go-code rules above for a write of ``obj`` (``old``: the stored object of an
    update or patch, else None); ``[]`` for kinds without such rules."""
    errors: list[FieldError] = []
    if group == "" and plural in ("configmaps", "secrets") and isinstance(obj, dict):
        errors += _config_errors(plural, obj, old)
    if (group, plural) == ("", "services") and isinstance(obj, dict):
        errors += _service_errors(obj)
    pod_spec = _POD_SPECS.get((group, plural))
    if pod_spec is not None:
        errors += _pod_spec_errors(_at(obj, pod_spec), ".".join(pod_spec))
    if (group, plural) == ("", "pods"):
        errors += _pod_image_errors(_at(obj, ("spec",)))
        if old is not None:
            errors += _pod_update_errors(obj, old)
    if (group, plural) == ("apps", "deployments"):
        strategy = _at(obj, ("spec", "strategy"))
        if isinstance(strategy, dict) and strategy.get("type") == "Recreate":
            if strategy.get("rollingUpdate") is not None:
                errors.append(
                    FieldError.forbidden(
                        "spec.strategy.rollingUpdate",
                        "may not be specified when strategy `type` is 'Recreate'",
                    )
                )
    if group != "apps" or plural not in _SELECTING:
        return errors
    selector = _at(obj, ("spec", "selector"))
    labels = _at(obj, ("spec", "template", "metadata", "labels")) or {}
    if isinstance(selector, dict) and isinstance(labels, dict):
        text = _selector_string(selector)
        try:
            selects = parse_selector(text)(labels) if text else True
        except ValueError:  # a malformed expression: the schema check reports it
            selects = True
        if not selects:
            errors.append(
                FieldError.invalid(
                    "spec.template.metadata.labels",
                    _go_map(labels),
                    "`selector` does not match template `labels`",
                )
            )
    before = _at(old, ("spec", "selector")) if old is not None else None
    if isinstance(before, dict) and isinstance(selector, dict) and selector != before:
        errors.append(
            FieldError.invalid("spec.selector", _go_selector(selector), "field is immutable")
        )
    return errors
