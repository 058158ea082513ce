"""Writes as kube-apiserver handles them, after the request is decoded: one implementation
for the test API server (``kubecore.testing.server``) and the fake clients
(``kubecore.testing.fake``), so that both answer every create, update and patch alike.

Each function takes the request's query parameters (``params``: ``dryRun``,
``fieldValidation``, ``fieldManager``), the decoded body and the
:class:`~kubecore.testing.admission.Admission` of the server (or fake), runs the checks in
the apiserver's order — the body's kind, decoding (400: metadata types, ``date-time``
values, ``fieldValidation=Strict`` unknown fields of built-in kinds), validation (422
``Invalid`` with causes: :mod:`kubecore.testing.objectmeta`), then admission (pruning and
defaulting of custom resources, schema and CEL validation; the stored object is ``oldSelf``
on updates and patches) — and stores the admitted object through the
:class:`~kubecore.testing.tracker.Tracker`. Errors are the tracker's ``ApiError`` (the
``Status`` the server sends). ``warnings`` (optional) collects the ``Warning`` header values
(``299 - "..."``) to send: unknown or pruned fields under ``fieldValidation=Warn`` (the
default). ``user_agent`` (optional) names a writer without ``fieldManager`` in
``managedFields`` (:mod:`kubecore.testing.fieldowner`, which also tracks server-side
apply's field ownership).

The admission is a parameter, not the tracker's, because the server builds it once from its
table at start (a CRD whose CEL rule does not compile fails the start) and the fake builds
its own from its tracker's table: with no specs the fake has only the resource list, so
schema checks apply only where a schema is known.
"""

from __future__ import annotations

import secrets
from typing import Any, NamedTuple

from kubecore.testing import fieldowner
from kubecore.testing.admission import Admission, check_delete_options
from kubecore.testing.builtindefaults import default_builtin
from kubecore.testing.builtinrules import builtin_errors
from kubecore.testing.discovery import Resource
from kubecore.testing.fielderrors import FieldError, GoLiteral, InvalidError, invalid
from kubecore.testing.gojson import type_error
from kubecore.testing.httpio import query_flag
from kubecore.testing.objectmeta import (
    decode_errors,
    name_rule,
    validate_object_meta,
    validate_object_meta_update,
)
from kubecore.testing.patch import (
    check_patch_document,
    json_patch,
    merge_patch,
    strategic_merge_patch,
)
from kubecore.testing.pruning import prune_object
from kubecore.testing.schemawalk import date_time_error
from kubecore.testing.tracker import ApiError, Obj, Tracker, bad_request, now_rfc3339

__all__ = [
    "APPLY_PATCH",
    "JSON_PATCH",
    "MERGE_PATCH",
    "STRATEGIC_PATCH",
    "Written",
    "check_type",
    "create",
    "delete",
    "dry_run",
    "patch",
    "send_initial_events",
    "update",
    "validate_write",
]

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# the alphabet and lengths of apiserver's SimpleNameGenerator (no vowels: no words)
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_MAX_GENERATED_PREFIX = 63 - 5


class Written(NamedTuple):
    """What a patch or delete answers: the object and kube-apiserver's HTTP status for it.

    ``status`` is 200, except 201 Created for a server-side apply that created the object
    (``handlers/patch.go``) and 202 Accepted for a delete that left the object in place
    (finalizers) when the request set ``orphanDependents=false`` (``handlers/delete.go``:
    only then; a delete kept by finalizers or a ``Foreground`` policy answers 200). The
    fake clients use ``object`` only."""

    object: Obj
    status: int = 200


def dry_run(params: Any) -> bool:
    """Whether ``dryRun=All`` was asked (any other value: 400)."""
    value = params.get("dryRun")
    if value is None:
        return False
    if value != "All":
        raise bad_request(f'dryRun: Unsupported value: {value!r}: supported values: "All"')
    return True


def check_type(resource: Resource, body: Any) -> None:
    """A body must be an object whose ``kind``/``apiVersion``, if given, are the resource's."""
    if not isinstance(body, dict):
        raise bad_request("the request body must be a JSON object")
    kind, api_version = body.get("kind"), body.get("apiVersion")
    if kind and kind != resource.kind:
        raise bad_request(f"the kind {kind!r} does not match the resource kind {resource.kind!r}")
    if api_version and api_version != resource.group_version:
        raise bad_request(
            f"the apiVersion {api_version!r} does not match {resource.group_version!r}"
        )


def validate_write(
    tracker: Tracker,
    admission: Admission,
    resource: Resource,
    obj: Any,
    params: Any,
    *,
    create: bool,
    old: Obj | None = None,
    partial: bool = False,
    warnings: list[str] | None = None,
    subresource: str = "",
) -> Any:
    """Every write's checks, in kube-apiserver's order; returns the object to store.

    Decoding (400): metadata types, the first JSON type a built-in kind's Go field cannot
    take (:mod:`kubecore.testing.gojson`), ``date-time`` values; then the object is pruned by its
    kind's schema, built-in kinds and custom resources alike (:mod:`kubecore.testing.pruning`:
    ``fieldValidation`` Strict fails on unknown fields, Warn, the default, adds a
    ``Warning`` value per field to ``warnings``, Ignore says nothing). Then validation (422
    Invalid with causes): the metadata rules of :mod:`kubecore.testing.objectmeta` (name
    rules only on ``create``: on update the name is the stored one), then
    ``admission.admit`` (defaulting of custom resources; schema and CEL validation with
    ``old`` as ``oldSelf``). ``partial``: an apply configuration, checked up to the
    metadata rules only (the merged result is admitted).
    """
    if not isinstance(obj, dict):
        return obj
    table = tracker.table
    problem = decode_errors(resource, obj) or (
        # a custom resource's metadata timestamps; a built-in kind's are type_error's
        date_time_error(table, resource, obj)
        if resource.is_crd
        else type_error(table, resource, obj)
    )
    if problem is not None:
        raise bad_request(problem)
    mode = params.get("fieldValidation", "Warn")
    # What decoding keeps. An apply configuration (partial) is checked for Strict only: the
    # merged result it is checked again as warns once per unknown field.
    obj = prune_object(table, resource, obj, mode, None if partial else warnings)
    if not partial and not resource.is_crd:  # the Go defaulters run on decode
        obj = default_builtin(resource.group, resource.version, resource.plural, obj)
    errors = validate_object_meta(resource, obj, create=create)
    if old is not None and not create and subresource != "status":  # status keeps old meta
        errors += validate_object_meta_update(obj.get("metadata") or {}, old.get("metadata") or {})
    if not partial and resource.storage_key == ("", "events"):
        errors += event_errors(resource, obj)
    if not partial and not resource.is_crd and subresource == "":
        errors += builtin_errors(resource.group, resource.plural, obj, old)
    if errors:
        name = (obj.get("metadata") or {}).get("name") or ""
        raise invalid(resource, name, errors)
    if partial:
        return obj
    return admission.admit(resource, obj, old=old, field_validation=mode, warnings=warnings)


#: ``pkg/apis/core/validation/events.go``: ReasonLengthLimit, ActionLengthLimit,
#: ReportingInstanceLengthLimit, NoteLengthLimit.
_EVENT_LIMITS = {"reason": 128, "action": 128, "reportingInstance": 128, "note": 1024}


def event_errors(resource: Resource, obj: Obj) -> list[FieldError]:
    """kube-apiserver's ``legacyValidateEvent`` for an Event with ``eventTime`` (what
    recorders write), in either view: reportingController, reportingInstance, action and
    reason required, each at most 128 bytes (Go counts bytes), the note at most 1 KiB. Not in the
    OpenAPI schema (Go code), so without this a recorder's 200-character reason passed
    here and was refused (422) by a cluster."""
    if not obj.get("eventTime"):
        return []
    core = resource.group == ""
    names = {"note": "message", "reportingController": "reportingComponent"} if core else {}
    errors: list[FieldError] = []
    for field in ("reportingController", "reportingInstance", "action", "reason", "note"):
        wire = names.get(field, field)
        value = obj.get(wire)
        if not value and field != "note":
            errors.append(FieldError.required(wire))
        elif isinstance(value, str) and len(value.encode()) > _EVENT_LIMITS.get(field, 1 << 30):
            detail = f"can have at most {_EVENT_LIMITS[field]} characters"
            errors.append(FieldError.invalid(wire, "", detail))
    return errors


def create(
    tracker: Tracker,
    admission: Admission,
    resource: Resource,
    namespace: str,
    body: Any,
    params: Any,
    *,
    warnings: list[str] | None = None,
    user_agent: str = "",
) -> Obj:
    """POST: ``generateName`` becomes a name (then validated like any name), checks,
    admission, store."""
    check_type(resource, body)
    _generate_name(body)
    body = validate_write(
        tracker, admission, resource, body, params, create=True, warnings=warnings
    )
    dry = dry_run(params)
    version = str(
        ((body.get("metadata") or {}) if isinstance(body, dict) else {}).get("resourceVersion")
        or ""
    )
    if not dry and version.isdigit() and int(version) != 0:
        # The etcd3 store's Create refuses a set version with a plain Go error
        # (storage.ErrResourceVersionSetOnCreate), which the handler answers as a 500 with
        # no reason; dry runs never reach the store, and an unparsable version is ignored
        # there. A copied object (a template read from the cluster) fails on a real one.
        raise ApiError(500, "", "resourceVersion should not be set on objects to be created")
    body = fieldowner.record_write(
        tracker.table, resource, {}, body, params, time=now_rfc3339(), user_agent=user_agent
    )
    return tracker.create(resource, namespace, body, dry_run=dry)


def update(
    tracker: Tracker,
    admission: Admission,
    resource: Resource,
    namespace: str,
    name: str,
    subresource: str,
    body: Any,
    params: Any,
    *,
    warnings: list[str] | None = None,
    user_agent: str = "",
) -> Obj:
    """PUT of the object or its ``status``: checks and admission (the stored object as
    ``old``), then a resourceVersion-checked update."""
    check_type(resource, body)
    try:
        old: Obj | None = tracker.get(resource, namespace, name)
    except ApiError:
        old = None
    _check_update_uid(resource, name, body, old)
    _check_conditional_update(resource, name, body, old)
    body = validate_write(
        tracker,
        admission,
        resource,
        body,
        params,
        create=False,
        old=old,
        warnings=warnings,
        subresource=subresource,
    )
    body = fieldowner.record_write(
        tracker.table,
        resource,
        old,
        body,
        params,
        time=now_rfc3339(),
        subresource=subresource,
        user_agent=user_agent,
    )
    return tracker.update(
        resource, namespace, name, body, subresource=subresource, dry_run=dry_run(params)
    )


def _check_update_uid(resource: Resource, name: str, body: Any, old: Obj | None) -> None:
    """A PUT body's ``metadata.uid`` is a precondition (``DefaultUpdatedObjectInfo``'s
    ``Preconditions``), checked before anything else: 409 when it names another
    incarnation of the object, so an update built from a deleted object's copy never
    overwrites the object recreated under its name."""
    meta = body.get("metadata") if isinstance(body, dict) else None
    uid = meta.get("uid") if isinstance(meta, dict) else None
    stored = ((old or {}).get("metadata") or {}).get("uid") or ""
    if old is not None and isinstance(uid, str) and uid and uid != stored:
        raise ApiError(
            409,
            "Conflict",
            f"Operation cannot be fulfilled on {resource.plural}"
            f'{"." + resource.group if resource.group else ""} "{name}": Precondition failed: '
            f"UID in precondition: {uid}, UID in object meta: {stored}",
            name=name,
            resource=resource,
        )


def _check_conditional_update(resource: Resource, name: str, body: Any, old: Obj | None) -> None:
    """A custom resource's PUT must carry a ``resourceVersion``: its registry strategy does
    not ``AllowUnconditionalUpdate`` (most built-in kinds do), so kube-apiserver's store
    answers 422 ``metadata.resourceVersion: Invalid value: 0x0: must be specified for an
    update`` (the kind in the message is the resource, as the store writes it). The test
    server accepted such blind overwrites, which a cluster refuses."""
    meta = body.get("metadata") if isinstance(body, dict) else None
    version = meta.get("resourceVersion") if isinstance(meta, dict) else None
    if old is None or not resource.is_crd or version:
        return
    problem = FieldError.invalid(
        "metadata.resourceVersion", GoLiteral("0x0"), "must be specified for an update"
    )
    raise InvalidError(resource.plural, resource.group, name, [problem])


def patch(
    tracker: Tracker,
    admission: Admission,
    resource: Resource,
    namespace: str,
    name: str,
    subresource: str,
    content_type: str,
    document: Any,
    params: Any,
    *,
    warnings: list[str] | None = None,
    user_agent: str = "",
) -> Written:
    """PATCH by ``content_type``: merge, JSON, strategic merge (built-in kinds only: 415
    for custom resources, as kube-apiserver) or server-side apply (``fieldManager``
    required; creates a missing object, answered with 201). The patched object is checked
    and admitted like an update, the stored object as ``old``."""
    table = tracker.table
    schema = table.schema_for_kind(resource.group, resource.version, resource.kind)
    if resource.is_crd:
        schema = resource.schema
    if content_type == APPLY_PATCH:
        return _apply(
            tracker,
            admission,
            resource,
            namespace,
            name,
            subresource,
            document,
            params,
            schema,
            warnings,
        )
    if content_type in (MERGE_PATCH, STRATEGIC_PATCH):
        # Before anything is read or stored: the object stays untouched.
        check_patch_document(document, strategic=content_type == STRATEGIC_PATCH)
        if document is None:
            document = {}
    if content_type == MERGE_PATCH:

        def change(obj: Obj) -> Obj:
            result = merge_patch(obj, document)
            return result if isinstance(result, dict) else {}

    elif content_type == JSON_PATCH:

        def change(obj: Obj) -> Obj:
            result = json_patch(obj, document)
            if not isinstance(result, dict):
                raise ApiError(422, "Invalid", "the patch did not produce an object")
            return result

    elif content_type == STRATEGIC_PATCH:
        if resource.is_crd:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format - accepted media types "
                f"include: {JSON_PATCH}, {MERGE_PATCH}, {APPLY_PATCH}",
            )

        def change(obj: Obj) -> Obj:
            # Without a schema (a fake given no specs) the merge keys are unknown: lists
            # are replaced, as a JSON merge patch replaces them.
            result = strategic_merge_patch(table, obj, document, schema or {})
            return result if isinstance(result, dict) else {}

    else:
        raise ApiError(
            415, "UnsupportedMediaType", f"unsupported patch content type {content_type!r}"
        )

    def checked(obj: Obj) -> Obj:
        result: Obj = validate_write(
            tracker,
            admission,
            resource,
            change(obj),
            params,
            create=False,
            old=obj,
            warnings=warnings,
            subresource=subresource,
        )
        recorded: Obj = fieldowner.record_write(
            table,
            resource,
            obj,
            result,
            params,
            time=now_rfc3339(),
            subresource=subresource,
            user_agent=user_agent,
        )
        return recorded

    patched = tracker.patch(
        resource, namespace, name, checked, subresource=subresource, dry_run=dry_run(params)
    )
    return Written(patched)


def delete(
    tracker: Tracker,
    resource: Resource,
    namespace: str,
    name: str,
    options: Any,
    params: Any,
) -> Written:
    """DELETE of one object with its ``DeleteOptions`` (the body; ``propagationPolicy``,
    ``orphanDependents`` and ``dryRun`` may also come as query parameters, the body
    winning): checked as kube-apiserver checks them (422,
    :func:`~kubecore.testing.admission.check_delete_options`), then the tracker's delete
    with the preconditions, dry-run and the garbage collection options (``Orphan``,
    ``Background``, ``Foreground``: :mod:`kubecore.testing.gc`). Returns the deleted object,
    or the object marked for deletion while finalizers remain (202 with
    ``orphanDependents=false``, else 200: see :class:`Written`)."""
    parsed = _delete_options(options, params)
    deleted = tracker.delete(resource, namespace, name, **parsed)
    meta = deleted.get("metadata")
    kept = isinstance(meta, dict) and bool(meta.get("deletionTimestamp"))
    return Written(deleted, 202 if kept and parsed["orphan_dependents"] is False else 200)


def delete_collection(
    tracker: Tracker,
    resource: Resource,
    namespace: str,
    options: Any,
    params: Any,
    *,
    label_selector: str | None = None,
    field_selector: str | None = None,
) -> Obj:
    """DELETE of a collection (``deletecollection``): the same ``DeleteOptions`` as
    :func:`delete` (body or query, checked the same way), applied to every matching
    object, as kube-apiserver's ``Store.DeleteCollection`` calls ``Delete`` per item with
    one copy of the options. Returns the list as it was matched. ``dryRun=All`` deletes
    nothing: without the options a dry-run ``delete_collection`` emptied the collection."""
    parsed = _delete_options(options, params)
    return tracker.delete_collection(
        resource,
        namespace,
        label_selector=label_selector,
        field_selector=field_selector,
        **parsed,
    )


def _delete_options(options: Any, params: Any) -> dict[str, Any]:
    """A delete's ``DeleteOptions`` from the body and the query (the body winning),
    checked (422, :func:`~kubecore.testing.admission.check_delete_options`), as the
    keyword arguments of :meth:`Tracker.delete`."""
    options = options if isinstance(options, dict) else {}
    query = {k: v for k, v in params.items() if isinstance(v, str)}
    check_delete_options(options, query)
    preconditions = options.get("preconditions")
    orphan = options.get("orphanDependents", params.get("orphanDependents"))
    return {
        "preconditions": preconditions if isinstance(preconditions, dict) else None,
        "dry_run": dry_run(params) or "All" in (options.get("dryRun") or ()),
        "propagation_policy": options.get("propagationPolicy") or params.get("propagationPolicy"),
        "orphan_dependents": None if orphan is None else orphan in (True, "true", "1"),
    }


def send_initial_events(params: Any, *, supported: bool = True) -> bool:
    """Validate a watch's WatchList options as kube-apiserver does; True when the request
    is a streaming list (``sendInitialEvents=true``). ``supported=False`` answers as an
    apiserver without the feature (422). Booleans read as kube-apiserver reads them
    (:func:`~kubecore.testing.httpio.query_flag`: only ``0`` and ``false`` are false)."""
    value = params.get("sendInitialEvents")
    if value is None:
        if params.get("resourceVersionMatch"):
            raise ApiError(422, "Invalid", "resourceVersionMatch: Forbidden: not allowed for watch")
        return False
    if not supported:
        raise ApiError(
            422, "Invalid", "sendInitialEvents: Forbidden: sendInitialEvents is not supported"
        )
    params = {k: str(v) for k, v in params.items()}  # a fake's params may be Python values
    wanted = bool(query_flag(params, "sendInitialEvents"))
    if wanted:
        if params.get("resourceVersionMatch") != "NotOlderThan":
            raise ApiError(
                422,
                "Invalid",
                "resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
                "resourceVersionMatch to NotOlderThan",
            )
        if not query_flag(params, "allowWatchBookmarks"):
            raise ApiError(
                422,
                "Invalid",
                "allowWatchBookmarks: Forbidden: sendInitialEvents requires allowWatchBookmarks",
            )
    return wanted


def _generate_name(body: Obj) -> None:
    """``generateName`` -> ``name`` before validation, as kube-apiserver's BeforeCreate does,
    so the generated name is validated too (and a long prefix is cut to 58 characters)."""
    meta = body.get("metadata")
    if not isinstance(meta, dict) or meta.get("name"):
        return
    prefix = meta.get("generateName")
    if isinstance(prefix, str) and prefix:
        suffix = "".join(secrets.choice(_NAME_ALPHABET) for _ in range(5))
        meta["name"] = prefix[:_MAX_GENERATED_PREFIX] + suffix


def _check_apply_name(tracker: Tracker, resource: Resource, namespace: str, name: str) -> None:
    """An apply that creates checks the name from the URL as a create does (422)."""
    messages = name_rule(resource)(name, False)
    if not messages:
        return
    try:
        tracker.get(resource, namespace, name)
    except ApiError as err:
        if err.code != 404:
            raise
        raise invalid(
            resource,
            name,
            [FieldError.invalid("metadata.name", name, message) for message in messages],
        ) from None


def _apply(
    tracker: Tracker,
    admission: Admission,
    resource: Resource,
    namespace: str,
    name: str,
    subresource: str,
    applied: Any,
    params: Any,
    schema: Any,
    warnings: list[str] | None,
) -> Written:
    """Server-side apply: create when missing (201), else merge the applied fields and
    record the field manager (200)."""
    if not subresource:
        _check_apply_name(tracker, resource, namespace, name)
    manager = params.get("fieldManager", "")
    if not manager:
        raise ApiError(
            422,
            "Invalid",
            'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
            "is required for apply patch",
        )
    if not isinstance(applied, dict):
        raise bad_request("an apply patch must be an object")
    # structured-merge-diff's FieldManager.Apply checks (a missing apiVersion is one too)
    if applied.get("apiVersion") != resource.group_version:
        raise bad_request(
            "Incorrect version specified in apply patch. Specified patch version: "
            f"{applied.get('apiVersion') or ''}, expected: {resource.group_version}"
        )
    meta_sent = applied.get("metadata")
    if isinstance(meta_sent, dict) and meta_sent.get("managedFields") is not None:
        raise bad_request("metadata.managedFields must be nil")
    check_type(resource, applied)
    validate_write(
        tracker, admission, resource, applied, params, create=False, partial=True, warnings=warnings
    )
    meta: Obj = applied["metadata"] if isinstance(applied.get("metadata"), dict) else {}
    if meta.get("name") and meta["name"] != name:
        raise bad_request("the name of the object does not match the name on the URL")
    dry = dry_run(params)
    force = str(params.get("force", "false")).lower() not in ("0", "false")
    # A kind with a status subresource resets an apply's status on the main resource
    # (its reset fields): neither applied nor owned there.
    configuration = applied
    if resource.has_status and not subresource:
        configuration = {k: v for k, v in applied.items() if k != "status"}
    try:
        tracker.get(resource, namespace, name)
    except ApiError as err:
        if err.code != 404 or subresource:
            raise
        body = dict(configuration)
        body["metadata"] = {**meta, "name": name}
        body["apiVersion"] = resource.group_version
        body = fieldowner.apply(
            tracker.table,
            {},
            body,
            schema or {},
            manager=manager,
            api_version=resource.group_version,
            time=now_rfc3339(),
        )
        if "status" in applied:  # stored as the tracker stores a created status
            body["status"] = applied["status"]
        # the URL's name was checked as a create checks it (_check_apply_name)
        body = validate_write(
            tracker, admission, resource, body, params, create=False, warnings=warnings
        )
        try:
            return Written(tracker.create(resource, namespace, body, dry_run=dry), 201)
        except ApiError as conflict:
            if conflict.code != 409:
                raise  # created meanwhile: apply over it below

    def change(obj: Obj) -> Obj:
        merged = fieldowner.apply(
            tracker.table,
            obj,
            configuration,
            schema or {},
            manager=manager,
            api_version=resource.group_version,
            time=now_rfc3339(),
            subresource=subresource,
            force=force,
        )
        merged["metadata"].pop("resourceVersion", None)
        if isinstance(meta.get("resourceVersion"), str):
            merged["metadata"]["resourceVersion"] = meta["resourceVersion"]
        result: Obj = validate_write(
            tracker,
            admission,
            resource,
            merged,
            params,
            create=False,
            old=obj,
            warnings=warnings,
            subresource=subresource,
        )
        return result

    return Written(
        tracker.patch(resource, namespace, name, change, subresource=subresource, dry_run=dry)
    )
