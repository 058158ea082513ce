"""What kube-apiserver does to an object between decoding and storage: default, validate.

One :class:`Admission` per test server, built from its resource table: the built-in
definitions of the specs it loaded and its CRDs (whose CEL rules are compiled here, so a
CRD with a rule that does not compile makes the server fail to start, naming the rule, as
kube-apiserver refuses such a CRD).

On every write (create, update, patch, apply result), after the object was decoded and
pruned by its kind's schema (:mod:`kubecore.testing.pruning`, custom resources and
built-in kinds alike, with ``fieldValidation``'s 400 or warnings):

* schema defaults are applied (and on every read — gets, lists, watch events — as
  kube-apiserver defaults what it reads from etcd: :meth:`Admission.default`, the
  tracker's ``defaulter``);
* the object is validated against its schema (and CEL rules, with the stored object as
  ``oldSelf``); any problem answers ``422 Invalid`` with one cause per problem, worded and
  placed as kube-apiserver does.

A deprecated CRD version adds its ``deprecationWarning`` (or ``<group>/<version> <Kind> is
deprecated``) as a ``Warning: 299`` header to every request for it.
"""

from __future__ import annotations

from typing import Any

from kubecore.core.codec import json_dumps
from kubecore.core.validation import FieldError, SchemaNotFound, Validator
from kubecore.core.validation.registry import KindSchema
from kubecore.testing.discovery import Resource, ResourceTable
from kubecore.testing.tracker import ApiError

Obj = dict[str, Any]

_UNSET = object()


class Admission:
    """Pruning, defaulting and validation of one server's kinds (module docstring)."""

    def __init__(self, table: ResourceTable) -> None:
        self._validator = Validator()
        self._validator.add_openapi({"definitions": table.definitions})
        self._deprecated: dict[tuple[str, str], str] = {}
        # (apiVersion, kind) -> the schema to default reads with, None when it has no
        # default anywhere (most kinds: reads skip the copy defaulting makes).
        self._defaulting: dict[tuple[str, str], object] = {}
        self._storage_version: dict[tuple[str, str], str] = {}  # (group, kind) -> version
        for crd in table.crds:
            name = str((crd.get("metadata") or {}).get("name", ""))
            self._validator.add_crd(crd, where=f"CustomResourceDefinition {name}")
            spec = crd.get("spec") or {}
            kind = str((spec.get("names") or {}).get("kind", ""))
            for entry in spec.get("versions") or ():
                if isinstance(entry, dict) and entry.get("storage"):
                    self._storage_version[(str(spec.get("group")), kind)] = str(entry.get("name"))
                if isinstance(entry, dict) and entry.get("deprecated"):
                    text = entry.get("deprecationWarning") or (
                        f"{spec.get('group')}/{entry.get('name')} {kind} is deprecated"
                    )
                    self._deprecated[(str(spec.get("group")), str(entry.get("name")))] = str(text)

    def warnings(self, resource: Resource) -> list[str]:
        """``Warning`` header values every request for ``resource`` gets (deprecation)."""
        text = self._deprecated.get((resource.group, resource.version))
        return [_warning(text)] if text else []

    def admit(
        self,
        resource: Resource,
        obj: Obj,
        *,
        old: Obj | None = None,
        field_validation: str = "Warn",
        warnings: list[str] | None = None,
    ) -> Obj:
        """The object to store: defaulted (CRDs), validated; raises ApiError.

        ``obj`` is already pruned (:func:`kubecore.testing.pruning.prune_object`), a copy
        the caller owns: the result may share values with it;
        ``field_validation`` and ``warnings`` are accepted for callers that pass them and
        no longer used here.
        """
        try:
            schema = self._validator.lookup(resource.group_version, resource.kind)
        except SchemaNotFound:
            return obj
        if schema.is_crd:  # pruned when decoded (kubecore.testing.pruning)
            # ``obj`` is the decoder's fresh copy (validate_write): no second copy.
            obj = schema.default(obj, copy=False)
        problems = schema.validate(obj, old)
        if problems:
            raise invalid(resource, obj, problems)
        return obj

    def default(self, resource: Resource, obj: Obj) -> Obj:
        """``obj`` (one object as served) with the read defaults applied: a custom
        resource gets the defaults of its CRD's *storage* version schema, as kube-apiserver
        defaults what it decodes from etcd ("when reading from etcd using the storage
        version defaults", the CRD documentation), whichever version serves the read, and
        for every read alike (gets, lists, watch events). Other kinds, and kinds whose
        schema declares no default, come back as they are. Never modifies ``obj``; the
        result is ``obj`` itself when no default applies and otherwise shares the unchanged
        values with it (copy on write). The tracker's ``defaulter``
        (:class:`~kubecore.testing.tracker.Tracker`)."""
        if not resource.is_crd:
            return obj
        storage = self._storage_version.get((resource.group, resource.kind), resource.version)
        key = (f"{resource.group}/{storage}", resource.kind)
        schema = self._defaulting.get(key, _UNSET)
        if schema is _UNSET:
            try:
                found = self._validator.lookup(*key)
            except SchemaNotFound:
                found = None
            declares = found is not None and b'"default"' in json_dumps(found.schema or {})
            schema = self._defaulting[key] = found if declares else None
        if schema is None:
            return obj
        assert isinstance(schema, KindSchema)
        # Read defaults are encoded or handed out as a copy already (Tracker._out clones
        # first): copied on write, the unchanged object itself when no default applies.
        return schema.default(obj, copy=False)


_PROPAGATION = ["Foreground", "Background", "Orphan"]


def check_delete_options(options: Obj, query: dict[str, str]) -> None:
    """``DeleteOptions`` (body, or query parameters) as kube-apiserver checks them.

    Raises ``422`` ``DeleteOptions.meta.k8s.io "" is invalid: ...`` for an unknown
    ``propagationPolicy``, ``orphanDependents`` together with ``propagationPolicy``, a
    or a ``dryRun`` value other than ``All``.
    """
    from kubecore.core.validation import errors as fe

    merged: Obj = dict(options)
    for key in ("propagationPolicy", "orphanDependents", "gracePeriodSeconds"):
        if key in query and key not in merged:
            merged[key] = query[key]
    problems: list[FieldError] = []
    policy = merged.get("propagationPolicy")
    if policy is not None and policy not in _PROPAGATION:
        problems.append(fe.not_supported("propagationPolicy", policy, _PROPAGATION))
    if policy is not None and merged.get("orphanDependents") is not None:
        problems.append(
            fe.invalid(
                "propagationPolicy",
                policy,
                "orphanDependents and deletionPropagation cannot be both set",
            )
        )
    dry_run = merged.get("dryRun")
    for index, value in enumerate(dry_run if isinstance(dry_run, list) else ()):
        if value != "All":
            problems.append(fe.not_supported(f"dryRun[{index}]", value, ["All"]))
    if problems:
        raise _options_invalid("DeleteOptions", problems)


_MATCHES = ["Exact", "NotOlderThan", ""]


def check_list_options(query: dict[str, str]) -> None:
    """A list's (not a watch's) options as kube-apiserver's list handler checks them
    (``ValidateListOptions``) before anything is read: ``resourceVersionMatch`` needs a
    ``resourceVersion``, is refused with ``continue``, must be ``Exact`` or
    ``NotOlderThan`` (``Exact`` not at ``"0"``); ``sendInitialEvents`` is for watches.
    Raises 422 ``ListOptions.meta.k8s.io "" is invalid: ...`` with one cause per problem."""
    from kubecore.core.validation import errors as fe

    problems: list[FieldError] = []
    match = query.get("resourceVersionMatch") or ""
    if match:
        if not query.get("resourceVersion"):
            problems.append(
                fe.forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden unless resourceVersion is provided",
                )
            )
        if query.get("continue"):
            problems.append(
                fe.forbidden(
                    "resourceVersionMatch",
                    "resourceVersionMatch is forbidden when continue is provided",
                )
            )
        if match not in _MATCHES:
            problems.append(fe.not_supported("resourceVersionMatch", match, _MATCHES))
        if match == "Exact" and query.get("resourceVersion") == "0":
            problems.append(
                fe.forbidden(
                    "resourceVersionMatch",
                    'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
                )
            )
    if query.get("sendInitialEvents") is not None:
        problems.append(
            fe.forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list")
        )
    if problems:
        raise _options_invalid("ListOptions", problems)


def _options_invalid(kind: str, problems: list[FieldError]) -> ApiError:
    """apimachinery's ``NewInvalid`` for ``meta.k8s.io`` options: 422, ``<kind>.meta.k8s.io
    "" is invalid: <problem>`` (several: ``[a, b]``), one cause each."""
    listed = [p.message for p in problems]
    summary = listed[0] if len(listed) == 1 else f"[{', '.join(listed)}]"
    error = ApiError(422, "Invalid", f'{kind}.meta.k8s.io "" is invalid: {summary}')
    error.details = {
        "group": "meta.k8s.io",
        "kind": kind,
        "causes": [p.to_cause() for p in problems],
    }
    return error


def invalid(resource: Resource, obj: Obj, problems: list[FieldError]) -> ApiError:
    """kube-apiserver's ``422 Invalid``: ``<Kind>.<group> "<name>" is invalid: ...``."""
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    name = str((meta or {}).get("name") or "")
    qualified = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
    listed = [p.message for p in problems]
    summary = listed[0] if len(listed) == 1 else f"[{', '.join(listed)}]"
    error = ApiError(
        422,
        "Invalid",
        f'{qualified} "{name}" is invalid: {summary}',
        name=name,
        resource=resource,
        kind=resource.kind,
    )
    error.details["causes"] = [p.to_cause() for p in problems]
    return error


def _warning(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'
