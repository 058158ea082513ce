"""Write-time checks of ``metadata``, as kube-apiserver makes them.

Two stages, in the apiserver's order:

1. :func:`decode_errors` — the shape. kube-apiserver decodes a request body into Go structs
   before anything else, so a name that is a number or ``labels: ['x']`` fails there with
   ``400 BadRequest`` (``ConfigMap in version "v1" cannot be handled as a ConfigMap: json:
   cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type
   map[string]string``), not with a 422. Returns the message, or ``None``.
2. :func:`validate_object_meta` — the syntax (``ValidateObjectMeta``): name rules per kind,
   ``generateName``, namespace, label keys and values, annotation keys and their total
   size (256 KiB), owner references, finalizer names, a non-negative generation. Returns
   :class:`FieldError`\\ s that become ``422 Invalid`` with ``details.causes``.

Name rules (:func:`name_rule`): most kinds and every custom resource use the DNS-1123
subdomain (client-go ``NameIsDNSSubdomain``); namespaces, services and statefulsets a
DNS-1123 label (services since ``RelaxedServiceNameValidation``); RBAC roles and bindings
only a path segment (``ValidateRBACName``: not ``.``/``..``, no ``/`` or ``%``). The
messages are apimachinery's, word for word, so tests written here match a real cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubecore.core.validation.names import (
    go_len,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_label_value,
    is_path_segment_name,
    is_qualified_name,
    mask_trailing_dash,
)
from kubecore.testing.discovery import Resource
from kubecore.testing.fielderrors import FieldError, GoLiteral, json_type

__all__ = [
    "TOTAL_ANNOTATION_SIZE_LIMIT",
    "decode_errors",
    "is_dns1035_label",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "is_label_value",
    "is_path_segment_name",
    "is_qualified_name",
    "name_rule",
    "validate_object_meta",
]

#: apimachinery's ``TotalAnnotationSizeLimitB``: keys plus values, in bytes.
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024

NameRule = Callable[[str, bool], list[str]]


def _subdomain(name: str, prefix: bool) -> list[str]:
    return is_dns1123_subdomain(mask_trailing_dash(name) if prefix else name)


def _label(name: str, prefix: bool) -> list[str]:
    return is_dns1123_label(mask_trailing_dash(name) if prefix else name)


def _path_segment(name: str, prefix: bool) -> list[str]:
    return is_path_segment_name(name, prefix)


# (group, plural) -> rule, where it is not the DNS-1123 subdomain
_NAME_RULES: dict[tuple[str, str], NameRule] = {
    ("", "namespaces"): _label,
    ("", "services"): _label,
    ("apps", "statefulsets"): _label,  # its pods' names (and host names) derive from it
    ("rbac.authorization.k8s.io", "roles"): _path_segment,
    ("rbac.authorization.k8s.io", "clusterroles"): _path_segment,
    ("rbac.authorization.k8s.io", "rolebindings"): _path_segment,
    ("rbac.authorization.k8s.io", "clusterrolebindings"): _path_segment,
}


def name_rule(resource: Resource) -> NameRule:
    """The name check of a kind: ``rule(name, prefix) -> [problem, ...]``.

    ``prefix=True`` checks a ``generateName`` (a trailing ``-`` is allowed).
    """
    if resource.is_crd:
        return _subdomain
    return _NAME_RULES.get((resource.group, resource.plural), _subdomain)


# -- stage 1: shapes --------------------------------------------------------------------------

# ObjectMeta fields with the Go type they decode into
_STRING_FIELDS = ("name", "generateName", "namespace", "selfLink", "uid", "resourceVersion")
_GO_TYPES = {"uid": "types.UID"}
_MAP_FIELDS = ("labels", "annotations")
_INT_FIELDS = ("generation", "deletionGracePeriodSeconds")


def decode_errors(resource: Resource, obj: Any) -> str | None:
    """The 400 message kube-apiserver gives when ``obj``'s metadata cannot be decoded.

    ``None`` when every checked field has its type (``null`` is always accepted, as Go's
    decoder does). Checked: metadata itself, the string fields, labels, annotations,
    finalizers, generation and deletionGracePeriodSeconds.
    """
    if not isinstance(obj, dict) or "metadata" not in obj:
        return None
    meta = obj["metadata"]
    prefix = (
        f'{resource.kind} in version "{resource.version}" cannot be handled as a '
        f"{resource.kind}: json: cannot unmarshal"
    )
    if meta is None:
        return None
    if not isinstance(meta, dict):
        return (
            f"{prefix} {json_type(meta)} into Go struct field {resource.kind}.metadata "
            "of type v1.ObjectMeta"
        )

    def wrong(value: Any, field: str, go_type: str) -> str:
        return (
            f"{prefix} {json_type(value)} into Go struct field ObjectMeta.metadata.{field} "
            f"of type {go_type}"
        )

    for field in _STRING_FIELDS:
        value = meta.get(field)
        if value is not None and not isinstance(value, str):
            return wrong(value, field, _GO_TYPES.get(field, "string"))
    for field in _MAP_FIELDS:
        value = meta.get(field)
        if value is None:
            continue
        if not isinstance(value, dict):
            return wrong(value, field, "map[string]string")
        for item in value.values():
            if item is not None and not isinstance(item, str):
                return wrong(item, field, "string")
    finalizers = meta.get("finalizers")
    if finalizers is not None:
        if not isinstance(finalizers, list):
            return wrong(finalizers, "finalizers", "[]string")
        for item in finalizers:
            if item is not None and not isinstance(item, str):
                return wrong(item, "finalizers", "string")
    owners = meta.get("ownerReferences")
    if owners is not None:
        problem = _owner_decode_error(owners, prefix)
        if problem is not None:
            return problem
    for field in _INT_FIELDS:
        value = meta.get(field)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            return wrong(value, field, "int64")
        if isinstance(value, float) and not value.is_integer():
            return (
                f"{prefix} number {value!r} into Go struct field "
                f"ObjectMeta.metadata.{field} of type int64"
            )
    return None


_OWNER_STRINGS = {"apiVersion": "string", "kind": "string", "name": "string", "uid": "types.UID"}


def _owner_decode_error(owners: Any, prefix: str) -> str | None:
    where = "Go struct field ObjectMeta.metadata.ownerReferences"
    if not isinstance(owners, list):
        return f"{prefix} {json_type(owners)} into {where} of type []v1.OwnerReference"
    for owner in owners:
        if owner is None:
            continue
        if not isinstance(owner, dict):
            return f"{prefix} {json_type(owner)} into {where} of type v1.OwnerReference"
        for field, value in owner.items():
            if value is None:
                continue
            go_type = _OWNER_STRINGS.get(field)
            if go_type is None and field in ("controller", "blockOwnerDeletion"):
                go_type = "bool" if not isinstance(value, bool) else None
            elif go_type is not None and isinstance(value, str):
                go_type = None
            if go_type is not None:
                return (
                    f"{prefix} {json_type(value)} into Go struct field "
                    f"OwnerReference.metadata.ownerReferences.{field} of type {go_type}"
                )
    return None


def _owner_errors(owners: list[Any]) -> list[FieldError]:
    """``ValidateOwnerReferences``: every reference names its version, kind, name and uid,
    and at most one is the controller (each further one is an error naming the first; a
    second controller was stored, and owner helpers then picked either)."""
    errors: list[FieldError] = []
    path = "metadata.ownerReferences"
    first_controller = ""
    for owner in owners:
        owner = owner or {}
        if owner.get("controller") is True:
            name = f"{owner.get('kind') or ''}/{owner.get('name') or ''}"
            if first_controller:
                errors.append(
                    FieldError.invalid(
                        path,
                        GoLiteral("[]v1.OwnerReference{...}"),  # Go prints pointer addresses
                        "Only one reference can have Controller set to true. Found "
                        f'"true" in references for {first_controller} and {name}',
                    )
                )
            else:
                first_controller = name
        api_version = owner.get("apiVersion") or ""
        version = api_version.split("/")[-1] if api_version.count("/") <= 1 else ""
        if not version:
            errors.append(
                FieldError.invalid(f"{path}.apiVersion", api_version, "version must not be empty")
            )
        for field in ("kind", "name", "uid"):
            if not owner.get(field):
                errors.append(FieldError.invalid(f"{path}.{field}", "", "must not be empty"))
    return errors


# -- stage 2: syntax --------------------------------------------------------------------------


def validate_object_meta(
    resource: Resource, obj: dict[str, Any], *, create: bool
) -> list[FieldError]:
    """``ValidateObjectMeta`` (``create=True``) or the syntax part of its update counterpart.

    ``obj`` must have passed :func:`decode_errors`. On create the name (or, before a name is
    generated, the generateName) follows :func:`name_rule`; on update the name is the
    stored object's and is not checked again, as in kube-apiserver. Labels, annotations,
    finalizers and generation are checked on every write.
    """
    meta: dict[str, Any] = obj.get("metadata") or {}
    errors: list[FieldError] = []
    rule = name_rule(resource)
    name = meta.get("name") or ""
    generate_name = meta.get("generateName") or ""
    if create:
        if generate_name:
            errors.extend(
                FieldError.invalid("metadata.generateName", generate_name, msg)
                for msg in rule(generate_name, True)
            )
        if name:
            errors.extend(
                FieldError.invalid("metadata.name", name, msg) for msg in rule(name, False)
            )
        elif not generate_name:
            errors.append(FieldError.required("metadata.name", "name or generateName is required"))
        namespace = meta.get("namespace") or ""
        if resource.namespaced and namespace:
            errors.extend(
                FieldError.invalid("metadata.namespace", namespace, msg)
                for msg in is_dns1123_label(namespace)
            )
    generation = meta.get("generation")
    if isinstance(generation, int | float) and generation < 0:
        errors.append(
            FieldError.invalid(
                "metadata.generation", int(generation), "must be greater than or equal to 0"
            )
        )
    labels: dict[str, str] = meta.get("labels") or {}
    for key in sorted(labels):
        errors.extend(FieldError.invalid("metadata.labels", key, m) for m in is_qualified_name(key))
        value = labels[key] or ""
        errors.extend(
            FieldError.invalid("metadata.labels", value, m) for m in is_label_value(value)
        )
    annotations: dict[str, str] = meta.get("annotations") or {}
    for key in sorted(annotations):
        errors.extend(
            FieldError.invalid("metadata.annotations", key, m)
            for m in is_qualified_name(key.lower())
        )
    size = sum(go_len(k) + go_len(v or "") for k, v in annotations.items())
    if size > TOTAL_ANNOTATION_SIZE_LIMIT:
        errors.append(FieldError.too_long("metadata.annotations", TOTAL_ANNOTATION_SIZE_LIMIT))
    errors.extend(_owner_errors(meta.get("ownerReferences") or []))
    for finalizer in meta.get("finalizers") or ():
        errors.extend(
            FieldError.invalid("metadata.finalizers", finalizer or "", m)
            for m in is_qualified_name(finalizer or "")
        )
    return errors


def validate_object_meta_update(meta: dict[str, Any], old_meta: dict[str, Any]) -> list[FieldError]:
    """The update-only rules of apimachinery's ``ValidateObjectMetaUpdate``: ``uid`` is
    immutable (an empty one is the stored one, as ``rest.BeforeUpdate`` fills it in), and
    an object being deleted takes no new finalizers (``ValidateNoNewFinalizers``), which
    would hold it for good. Both were accepted here and refused (422) by a cluster."""
    errors: list[FieldError] = []
    uid = meta.get("uid") or ""
    if uid and uid != (old_meta.get("uid") or ""):
        errors.append(FieldError.invalid("metadata.uid", uid, "field is immutable"))
    if old_meta.get("deletionTimestamp"):
        kept = set(old_meta.get("finalizers") or ())
        extra = sorted({f for f in meta.get("finalizers") or () if f not in kept})
        if extra:
            found = "[]string{" + ", ".join(f'"{f}"' for f in extra) + "}"
            errors.append(
                FieldError.forbidden(
                    "metadata.finalizers",
                    "no new finalizers can be added if the object is being deleted, "
                    f"found new finalizers {found}",
                )
            )
    return errors
