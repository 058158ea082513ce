"""An in-memory object store with the apiserver's bookkeeping rules.

Objects are kept per (group, plural) and keyed by (namespace, name); every write bumps
a global resourceVersion counter and is recorded in a bounded event history that
watches read from. Errors are :class:`ApiError` carrying a real ``Status`` object.
"""

from __future__ import annotations

import base64
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kubecore.core.codec import json_dumps, json_loads
from kubecore.runtime.labels import parse_selector
from kubecore.testing.discovery import Resource, ResourceTable
from kubecore.testing.eventconversion import from_storage, to_storage
from kubecore.testing.fieldselectors import field_getter
from kubecore.testing.gc import GarbageCollector


def _clone(value: Any) -> Any:
    """A deep copy of JSON data (what the tracker holds); several times faster than deepcopy."""
    return json_loads(json_dumps(value))


Obj = dict[str, Any]

INITIAL_NAMESPACES = ("default", "kube-system")

# (object key, stored object) pairs of one list page.
_Selected = list[tuple[tuple[str, str], Obj]]


class ApiError(Exception):
    """A failed request, as the apiserver's ``Status`` object."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        name: str = "",
        resource: Resource | None = None,
        kind: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        details: dict[str, Any] = {}
        if name:
            details["name"] = name
        if resource is not None:
            details["group"] = resource.group
            details["kind"] = kind or resource.plural
        self.details = details
        #: The Status's ``metadata`` (a ListMeta: an expired continue token's fresh
        #: ``continue``, as kube-apiserver's etcd3 store sends it).
        self.list_meta: dict[str, Any] = {}

    @property
    def retry_after(self) -> int | None:
        """``details.retryAfterSeconds``, which kube-apiserver also sends as the
        ``Retry-After`` header."""
        value = self.details.get("retryAfterSeconds")
        return value if isinstance(value, int) and value > 0 else None

    def status(self) -> Obj:
        body: Obj = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": dict(self.list_meta),
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if not self.reason:  # metav1.Status omits an empty reason (StatusReasonUnknown)
            del body["reason"]
        if self.details:
            body["details"] = self.details
        return body


def _keep_managed_fields(stored: Obj, sent: Obj) -> None:
    """A status write keeps the object's metadata but records its field manager
    (``kubecore.testing.fieldowner``): the sent ``managedFields`` are stored."""
    managed = (sent.get("metadata") or {}).get("managedFields")
    if isinstance(managed, list):
        stored.setdefault("metadata", {})["managedFields"] = _clone(managed)


def _qualified(resource: Resource) -> str:
    return f"{resource.plural}.{resource.group}" if resource.group else resource.plural


def not_found(resource: Resource, name: str) -> ApiError:
    return ApiError(
        404, "NotFound", f'{_qualified(resource)} "{name}" not found', name=name, resource=resource
    )


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


_UINT64_MAX = 2**64 - 1


def parse_resource_version(value: str | None) -> int:
    """A request's ``resourceVersion`` as kube-apiserver's storage reads it: ``None``, ``""``
    and ``"0"`` are 0 (any version), otherwise a base-10 unsigned 64-bit integer.

    Anything else raises 400 BadRequest with the etcd3 storage's message (its
    ``ValidateListOptions`` and ``validateMinimumResourceVersion``), e.g. ``invalid resource
    version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc":
    invalid syntax``. The test server answers gets, lists and watches alike with it; a real
    apiserver serving the request from its watch cache may word the failure differently."""
    if value in (None, "", "0"):
        return 0
    text = str(value)
    problem = ""
    if not text.isascii() or not text.isdigit():
        problem = "invalid syntax"
    elif int(text) > _UINT64_MAX:
        problem = "value out of range"
    if problem:
        quoted = json_dumps(text).decode()
        raise bad_request(
            f"invalid resource version: resourceVersion: Invalid value: {quoted}: "
            f"strconv.ParseUint: parsing {quoted}: {problem}"
        )
    return int(text)


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- selectors ------------------------------------------------------------------------------


def label_matcher(selector: str | None) -> Callable[[dict[str, str]], bool]:
    """A predicate for a label selector: ``kubecore.runtime.labels``, the grammar and checks
    of apimachinery's ``labels.Parse`` (=, ==, !=, in, notin, exists, !exists, >, <), so the
    server, the fakes and listers agree; a bad selector is 400 ``unable to parse
    requirement``, as kube-apiserver answers."""
    try:
        return parse_selector(selector)
    except ValueError as err:
        raise bad_request(f"unable to parse requirement: {err}") from None


def _field_terms(selector: str) -> list[tuple[str, str, str]]:
    """``(field, operator, value)`` of each term, as apimachinery's ``fields.ParseSelector``
    reads them: terms split at unescaped commas, empty ones skipped, the first ``!=``,
    ``==`` or ``=`` splits a term (nothing is trimmed: ``a = b`` names the field ``"a "``),
    and values unescape a backslash before a backslash, comma or ``=`` (any other escape,
    or a bare comma or ``=``, is an error). Raises 400 with the parser's message."""
    terms: list[str] = []
    current, escaped = "", False
    for char in selector:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            current, escaped = current + char, True
        elif char == ",":
            terms, current = [*terms, current], ""
        else:
            current += char
    found: list[tuple[str, str, str]] = []
    for term in [*terms, current]:
        if not term:
            continue
        split = next(
            (
                (term[:i], op, term[i + len(op) :])
                for i in range(len(term))
                for op in ("!=", "==", "=")
                if term.startswith(op, i)
            ),
            None,
        )
        if split is None:
            raise bad_request(f"invalid selector: '{selector}'; can't understand '{term}'")
        value, raw = "", iter(split[2])
        for char in raw:
            if char == "\\":
                following = next(raw, "")
                if following not in ("\\", ",", "="):
                    raise bad_request(
                        f"invalid field selector: invalid escape sequence: \\{following}"
                    )
                value += following
            elif char in ",=":
                raise bad_request(f"invalid field selector: unescaped character in value: {char}")
            else:
                value += char
        found.append((split[0], split[1], value))
    return found


def field_matcher(selector: str | None, resource: Resource | None = None) -> Callable[[Obj], bool]:
    """A predicate over stored objects for a field selector (``=``, ``==``, ``!=`` terms,
    parsed as :func:`_field_terms` says).

    With ``resource``, the labels that kind supports in kube-apiserver (see
    :mod:`kubecore.testing.fieldselectors`); without, ``metadata.name`` and
    ``metadata.namespace`` only. Raises 400 ``field label not supported`` for any other.
    """
    requirements: list[tuple[Callable[[Obj], str], str, bool]] = []
    for label, op, value in _field_terms(selector or ""):
        if resource is None:
            getter = field_getter("", "", label)
        else:
            getter = field_getter(
                resource.group,
                resource.plural,
                label,
                storage=resource.storage_key,
                selectable=resource.selectable_fields,
            )
        if getter is None:
            raise bad_request(f"field label not supported: {label}")
        requirements.append((getter, value, op == "!="))

    def matches(obj: Obj) -> bool:
        return all((getter(obj) == value) != negate for getter, value, negate in requirements)

    return matches


# -- the tracker ------------------------------------------------------------------------------


@dataclass
class Event:
    resource_version: int
    type: str  # ADDED, MODIFIED, DELETED
    key: tuple[str, str]  # storage key (group, plural)
    object: Obj
    # The object's JSON as served under each apiVersion, encoded once for every watcher.
    wire: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)
    # The object as it was stored before this change (None for ADDED): what a list at an
    # older resourceVersion sees (Tracker._snapshot), as etcd keeps a key's older revisions.
    prev: Obj | None = field(default=None, compare=False, repr=False)

    @property
    def object_key(self) -> tuple[str, str]:
        meta = self.object.get("metadata") or {}
        return str(meta.get("namespace") or ""), str(meta.get("name") or "")


#: Applies the read defaults to an object as served: ``(resource, object) -> object``.
Defaulter = Callable[[Resource, Obj], Obj]


class Tracker:
    """Thread-safe in-memory storage for every resource of a :class:`ResourceTable`.

    ``defaulter`` (also settable later as the attribute) defaults every object the tracker
    hands out — gets, lists, watch events, write and delete answers — as kube-apiserver's
    storage decoder defaults what it reads from etcd (custom resources: their schema's
    defaults), so a watched object equals a fetched one. The test API server passes its
    :class:`~kubecore.testing.admission.Admission`'s ``default``. It must not modify its
    argument, and must be deterministic: list and watch JSON is cached per object version.
    """

    def __init__(
        self, table: ResourceTable, *, history: int = 1000, defaulter: Defaulter | None = None
    ) -> None:
        self.table = table
        self.defaulter = defaulter
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._objects: dict[tuple[str, str], dict[tuple[str, str], Obj]] = {}
        # (storage key, object key) -> (stored dict, apiVersion, resourceVersion, JSON): each
        # object is encoded once per version, not once per list or watcher (see _wire).
        self._wire: dict[tuple[tuple[str, str], tuple[str, str]], tuple[Obj, str, str, bytes]] = {}
        # Above 0, as etcd revisions are: "0" in a request means "any version", not a version.
        self._rv = 1
        self._events: deque[Event] = deque(maxlen=history)
        # (storage key, object key) -> the object of its latest event (a copy no one
        # changes): the ``prev`` of its next event.
        self._latest: dict[tuple[tuple[str, str], tuple[str, str]], Obj] = {}
        #: How long a read at a resourceVersion not reached yet waits for it before 504
        #: ``Too large resource version`` (kube-apiserver's watch cache: ``blockTimeout``, 3 s).
        self.fresh_timeout = 3.0
        # Watches from versions older than this one cannot be served (410 Expired).
        self._compacted_rv = 0
        self._closed = False
        self._logs: dict[tuple[str, str, str], list[str]] = {}
        self.gc = GarbageCollector(self)
        namespaces = table.get("", "v1", "namespaces")
        for name in INITIAL_NAMESPACES:
            if namespaces is not None:
                self.create(namespaces, "", {"metadata": {"name": name}})

    # -- helpers ----------------------------------------------------------------------------

    @property
    def resource_version(self) -> str:
        with self._lock:
            return str(self._rv)

    def _next_rv(self) -> str:
        self._rv += 1
        return str(self._rv)

    def _store(self, resource: Resource) -> dict[tuple[str, str], Obj]:
        return self._objects.setdefault(resource.storage_key, {})

    def _record(self, type_: str, resource: Resource, obj: Obj) -> None:
        if self._events.maxlen is not None and len(self._events) == self._events.maxlen:
            self._compacted_rv = self._events[0].resource_version
        copy = _clone(obj)
        event = Event(self._rv, type_, resource.storage_key, copy)
        latest_key = (resource.storage_key, event.object_key)
        event.prev = self._latest.get(latest_key)
        if type_ == "DELETED":
            self._latest.pop(latest_key, None)
        else:
            self._latest[latest_key] = copy
        self._events.append(event)
        self._changed.notify_all()

    def _events_after(self, after: int) -> list[Event]:
        """The history's events newer than resourceVersion ``after``, oldest first (lock
        held). The history is in resourceVersion order, so this reads from its newest end
        and stops at the first older event: a watcher that is keeping up pays for the
        events it gets, not for the whole history (up to ``history`` events) per wake-up."""
        events = self._events
        if not events or events[-1].resource_version <= after:
            return []
        newer: list[Event] = []
        for event in reversed(events):
            if event.resource_version <= after:
                break
            newer.append(event)
        newer.reverse()
        return newer

    def compact(self) -> None:
        """Forget the whole event history, as etcd compaction does: every watcher that has
        not seen the current resourceVersion, and every watch from an older one, gets 410."""
        with self._lock:
            self._events.clear()
            self._compacted_rv = self._rv
            self._changed.notify_all()

    def _check_namespace(self, resource: Resource, namespace: str, name: str = "") -> None:
        """The namespace of a create exists (404) and is not terminating (403, as
        kube-apiserver's NamespaceLifecycle admission, with its ``NamespaceTerminating``
        cause)."""
        if not resource.namespaced:
            return
        if not namespace:
            raise bad_request("the namespace of the provided object does not match the request")
        namespaces = self.table.get("", "v1", "namespaces")
        if namespaces is None:
            return
        found = self._store(namespaces).get(("", namespace))
        if found is None:
            if namespace in INITIAL_NAMESPACES:
                return
            raise not_found(namespaces, namespace)
        if found["metadata"].get("deletionTimestamp"):
            error = ApiError(
                403,
                "Forbidden",
                f'{_qualified(resource)} "{name}" is forbidden: unable to create new content in '
                f"namespace {namespace} because it is being terminated",
                name=name,
                resource=resource,
            )
            error.details["causes"] = [
                {
                    "reason": "NamespaceTerminating",
                    "message": f"namespace {namespace} is being terminated",
                    "field": "metadata.namespace",
                }
            ]
            raise error

    def _out(self, resource: Resource, obj: Obj) -> Obj:
        """A stored object as ``resource`` serves it: a copy, converted, typed, defaulted."""
        result: Obj = from_storage(resource.group, resource.plural, _clone(obj))
        result["apiVersion"] = resource.group_version
        result["kind"] = resource.kind
        return self._defaulted(resource, result)

    def _defaulted(self, resource: Resource, obj: Obj) -> Obj:
        defaulter = self.defaulter
        return obj if defaulter is None else defaulter(resource, obj)

    def _served(self, resource: Resource, obj: Obj) -> Obj:
        """:func:`_typed`, then the read defaults: what lists and watches encode."""
        return self._defaulted(resource, _typed(resource, obj))

    def _wire_of(self, resource: Resource, key: tuple[str, str], obj: Obj) -> bytes:
        """The JSON of ``_out(resource, obj)`` (apiVersion and kind first), cached.

        Lists and the initial state of watches send every stored object; cloning and
        re-encoding each one per request made the test server slower than the clients it
        serves. The entry is reused only for the same stored dict at the same
        resourceVersion (an in-place change, as a finalizer-held delete makes, bumps it).
        Call with the lock held.
        """
        cache_key = (resource.storage_key, key)
        rv = str((obj.get("metadata") or {}).get("resourceVersion", ""))
        entry = self._wire.get(cache_key)
        if (
            entry is not None
            and entry[0] is obj
            and entry[1] == resource.group_version
            and entry[2] == rv
        ):
            return entry[3]
        data = json_dumps(self._served(resource, obj))
        self._wire[cache_key] = (obj, resource.group_version, rv, data)
        return data

    def _forget(self, resource: Resource, key: tuple[str, str]) -> None:
        del self._store(resource)[key]
        self._wire.pop((resource.storage_key, key), None)

    def _event_wire(self, resource: Resource, event: Event) -> bytes:
        data = event.wire.get(resource.group_version)
        if data is None:
            served = self._served(resource, event.object)
            data = event.wire[resource.group_version] = json_dumps(served)
        return data

    # -- reads ------------------------------------------------------------------------------

    def get(
        self,
        resource: Resource,
        namespace: str,
        name: str,
        *,
        resource_version: str | None = None,
    ) -> Obj:
        """The object as it is now. ``resource_version`` (a GET's ``resourceVersion``) is
        a minimum, as kube-apiserver's watch cache serves it: unset, ``""`` or ``"0"`` is
        any; a version not reached yet waits up to :attr:`fresh_timeout` for it, then 504
        ``Timeout: Too large resource version: <rv>, current: <current>``; an older one
        gets the current object."""
        with self._lock:
            self._wait_fresh(parse_resource_version(resource_version))
            obj = self._store(resource).get((namespace if resource.namespaced else "", name))
            if obj is None:
                raise not_found(resource, name)
            return self._out(resource, obj)

    def list(
        self,
        resource: Resource,
        namespace: str = "",
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int = 0,
        continue_: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> Obj:
        """A ``<Kind>List``; ``namespace=""`` lists every namespace.

        Which state is listed follows kube-apiserver (the API concepts' "Resource versions"
        table; etcd3 ``GetList``, the watch cache): unset ``resource_version`` is the most
        recent state, ``"0"`` any (the most recent here); another version is a minimum
        (``resource_version_match`` ``NotOlderThan``, or unset without ``limit``) or the
        exact state at that version (``Exact``, or unset with ``limit``), rebuilt from the
        event history. Every page of a paged list (``limit``) is served from the state of
        its first page: the ``continue_`` token carries that version. Errors: an exact
        version (or a token's) older than the kept history is 410 Expired ``The
        resourceVersion for the provided list is too old.`` (a token: ``The provided
        continue parameter is too old ...``, with a fresh token in the Status's
        ``metadata.continue`` that continues at the current state); a version not reached
        yet waits up to :attr:`fresh_timeout`, then 504 ``Timeout: Too large resource
        version: <rv>, current: <current>`` (``retryAfterSeconds: 1``). With a token,
        ``resource_version`` may only be unset, ``""`` or ``"0"``: anything else is 400
        BadRequest ``specifying resource version is not allowed when using continue``; a
        token that does not decode is 400 ``invalid continue token: ...`` first."""
        with self._lock:
            selected, metadata = self._select(
                resource,
                namespace,
                label_selector,
                field_selector,
                limit,
                continue_,
                resource_version,
                resource_version_match,
            )
            items = [self._out(resource, obj) for _, obj in selected]
        for item in items:
            item.pop("apiVersion", None)
            item.pop("kind", None)
        return {
            "apiVersion": resource.group_version,
            "kind": resource.list_kind,
            "metadata": metadata,
            "items": [self._with_type(resource, item) for item in items],
        }

    def list_json(
        self,
        resource: Resource,
        namespace: str = "",
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        limit: int = 0,
        continue_: str | None = None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> bytes:
        """:meth:`list` as the JSON bytes of the response (what the test server sends).

        Each item's JSON is kept per resourceVersion, so listing unchanged objects again
        encodes only the list's envelope. Raises as :meth:`list`.
        """
        with self._lock:
            selected, metadata = self._select(
                resource,
                namespace,
                label_selector,
                field_selector,
                limit,
                continue_,
                resource_version,
                resource_version_match,
            )
            store = self._store(resource)
            items = [
                (
                    self._wire_of(resource, key, obj)
                    if store.get(key) is obj
                    else json_dumps(self._served(resource, obj))  # an older version
                )
                for key, obj in selected
            ]
        envelope = json_dumps(
            {"apiVersion": resource.group_version, "kind": resource.list_kind, "metadata": metadata}
        )
        return b"".join((envelope[:-1], b',"items":[', b",".join(items), b"]}"))

    def _wait_fresh(self, requested: int) -> None:
        """Block (lock held) until the store reaches ``requested``, at most
        :attr:`fresh_timeout` seconds; then 504, as the watch cache's
        ``waitUntilFreshAndBlock`` answers (``storage.NewTooLargeResourceVersionError``)."""
        if requested <= self._rv:
            return
        deadline = time.monotonic() + self.fresh_timeout
        while self._rv < requested and not self._closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._changed.wait(remaining)
        if self._rv < requested:
            raise too_large_resource_version(requested, self._rv)

    def _snapshot(self, resource: Resource, at: int) -> dict[tuple[str, str], Obj]:
        """The resource's objects as they were at resourceVersion ``at`` (lock held): the
        current ones with every later event of the history undone. Raises 410 when the
        history no longer reaches ``at`` (the caller words it)."""
        store = self._store(resource)
        if at >= self._rv:
            return store
        if at < self._compacted_rv:
            raise ApiError(410, "Expired", _LIST_EXPIRED)
        state = dict(store)
        for event in reversed(self._events):
            if event.resource_version <= at:
                break
            if event.key != resource.storage_key:
                continue
            if event.prev is None:
                state.pop(event.object_key, None)
            else:
                state[event.object_key] = event.prev
        return state

    def _select(
        self,
        resource: Resource,
        namespace: str,
        label_selector: str | None,
        field_selector: str | None,
        limit: int,
        continue_: str | None,
        resource_version: str | None = None,
        resource_version_match: str | None = None,
    ) -> tuple[_Selected, Obj]:
        """The (key, object) pairs of one list page and the list's metadata (lock held);
        the rules are :meth:`list`'s."""
        labels, fields = label_matcher(label_selector), field_matcher(field_selector, resource)
        start: tuple[str, str] | None = None
        requested = parse_resource_version(resource_version)
        at: int | None = None  # the version listed (None: the current one)
        if continue_:
            try:
                token = json_loads(base64.urlsafe_b64decode(continue_.encode()))
                start, token_rv = (str(token["ns"]), str(token["name"])), int(token["rv"])
            except Exception as exc:
                raise bad_request(f"invalid continue token: {exc}") from None
            if resource_version not in (None, "", "0"):  # etcd3 store's GetList
                raise bad_request("specifying resource version is not allowed when using continue")
            if token_rv > 0:  # -1: continue at the current state (an expired token's successor)
                if token_rv < self._compacted_rv:
                    raise _continue_expired(start)
                at = token_rv
        elif requested:
            self._wait_fresh(requested)
            match = resource_version_match or ""
            if match == "Exact" or (not match and limit > 0):  # legacy: limit means exact
                at = requested
        at = self._rv if at is None else min(at, self._rv)
        objects = self._snapshot(resource, at)
        selected: _Selected = []
        more: tuple[str, str] | None = None
        for key in sorted(objects):
            if namespace and resource.namespaced and key[0] != namespace:
                continue
            if start is not None and key <= start:
                continue
            obj = objects[key]
            if not labels(obj.get("metadata", {}).get("labels") or {}) or not fields(obj):
                continue
            if limit and len(selected) == limit:
                more = selected[-1][0]
                break
            selected.append((key, obj))
        metadata: Obj = {"resourceVersion": str(at)}
        if more is not None:
            metadata["continue"] = _continue_token(more, at)
            if not label_selector and not field_selector:
                # etcd3's store: how many objects the next pages hold, only when no selector
                # makes the count inexact (the RemainingItemCount feature, on by default).
                metadata["remainingItemCount"] = sum(
                    1
                    for key in objects
                    if key > more
                    and (not namespace or not resource.namespaced or key[0] == namespace)
                )
        return selected, metadata

    @staticmethod
    def _with_type(resource: Resource, item: Obj) -> Obj:
        return {"apiVersion": resource.group_version, "kind": resource.kind, **item}

    # -- writes -----------------------------------------------------------------------------

    def create(self, resource: Resource, namespace: str, obj: Obj, *, dry_run: bool = False) -> Obj:
        """POST; ``dry_run``: every check, nothing stored (``dryRun=All``)."""
        obj = to_storage(resource.group, resource.plural, _clone(obj))
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise ApiError(422, "Invalid", "metadata must be an object", resource=resource)
        if resource.namespaced:
            namespace = namespace or meta.get("namespace") or ""
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise bad_request(
                    "the namespace of the provided object does not match the namespace sent on "
                    "the request"
                )
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
            namespace = ""
        with self._lock:
            if not meta.get("name"):
                if meta.get("generateName"):
                    meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
                else:
                    # fielderrors builds on this module's ApiError: imported here, not on top.
                    from kubecore.testing.fielderrors import FieldError, InvalidError

                    # The same Status as the server's metadata validation (kube-apiserver's
                    # 'ConfigMap "" is invalid: ...'), so fakes and the server agree.
                    raise InvalidError(
                        resource.kind,
                        resource.group,
                        "",
                        [FieldError.required("metadata.name", "name or generateName is required")],
                    )
            name = str(meta["name"])
            self._check_namespace(resource, namespace, name)
            store = self._store(resource)
            if (namespace, name) in store:
                raise ApiError(
                    409,
                    "AlreadyExists",
                    f'{_qualified(resource)} "{name}" already exists',
                    name=name,
                    resource=resource,
                )
            if resource.has_status and resource.is_crd:
                obj.pop("status", None)
            for key in ("deletionTimestamp", "deletionGracePeriodSeconds"):
                meta.pop(key, None)
            meta["uid"] = str(uuid.uuid4())
            meta["creationTimestamp"] = now_rfc3339()
            if tracks_generation(resource):
                meta["generation"] = 1
            # A dry-run create answers without resourceVersion (DryRunnableStorage.Create
            # copies the object as it would be stored; etcd never numbered it).
            if dry_run:
                meta.pop("resourceVersion", None)
            else:
                meta["resourceVersion"] = self._next_rv()
            if resource.storage_key == ("", "namespaces"):
                obj.setdefault("spec", {"finalizers": ["kubernetes"]})
                obj["status"] = {"phase": "Active"}
            _stamp(resource, obj)
            if dry_run:
                return self._out(resource, obj)
            store[(namespace, name)] = obj
            self._record("ADDED", resource, obj)
            return self._out(resource, obj)

    def update(
        self,
        resource: Resource,
        namespace: str,
        name: str,
        obj: Obj,
        *,
        subresource: str = "",
        dry_run: bool = False,
    ) -> Obj:
        """PUT: replace the object (or only its status, for ``subresource="status"``)."""
        obj = to_storage(resource.group, resource.plural, obj)
        with self._lock:
            key = (namespace if resource.namespaced else "", name)
            old = self._store(resource).get(key)
            if old is None:
                raise not_found(resource, name)
            meta = obj.get("metadata") or {}
            if meta.get("name") and meta["name"] != name:
                raise bad_request("the name of the object does not match the name on the URL")
            sent_rv = meta.get("resourceVersion")
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise ApiError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {_qualified(resource)} "{name}": the object '
                    "has been modified; please apply your changes to the latest version and try "
                    "again",
                    name=name,
                    resource=resource,
                )
            if subresource == "status":
                new = _clone(old)
                if "status" in obj:
                    new["status"] = _clone(obj["status"])
                else:
                    new.pop("status", None)
                _keep_managed_fields(new, obj)
            else:
                new = _clone(obj)
                if resource.has_status:
                    if "status" in old:
                        new["status"] = _clone(old["status"])
                    else:
                        new.pop("status", None)
            result = self._replace(resource, key, old, new, dry_run=dry_run)
            self.gc.updated(deleted=key not in self._store(resource))
            return result

    def _replace(
        self, resource: Resource, key: tuple[str, str], old: Obj, new: Obj, *, dry_run: bool = False
    ) -> Obj:
        """Store ``new`` over ``old``, keeping the server-owned metadata."""
        meta = new.setdefault("metadata", {})
        old_meta = old["metadata"]
        for field_name in ("uid", "creationTimestamp", "deletionTimestamp", "generation"):
            if field_name in old_meta:
                meta[field_name] = old_meta[field_name]
            else:
                meta.pop(field_name, None)
        meta["name"] = old_meta["name"]
        if resource.namespaced:
            meta["namespace"] = old_meta["namespace"]
        _stamp(resource, new)
        if generation_changes(resource, old, new):
            meta["generation"] = int(old_meta.get("generation", 1)) + 1
        if new == old or _without_rv(new) == _without_rv(old):
            return self._out(resource, old)  # a no-op write does not bump resourceVersion
        if dry_run:
            meta["resourceVersion"] = old_meta["resourceVersion"]
            return self._out(resource, new)
        meta["resourceVersion"] = self._next_rv()
        if old_meta.get("deletionTimestamp") and not meta.get("finalizers"):
            if resource.storage_key == _NAMESPACES:
                self._store(resource)[key] = new
                self._record("MODIFIED", resource, new)
                self._finish_namespace(key[1])  # once its content is gone too
                return self._out(resource, new)
            self._forget(resource, key)
            self._record("DELETED", resource, new)
            if resource.namespaced:
                self._finish_namespace(key[0])
            return self._out(resource, new)
        self._store(resource)[key] = new
        self._record("MODIFIED", resource, new)
        return self._out(resource, new)

    def patch(
        self,
        resource: Resource,
        namespace: str,
        name: str,
        apply: Callable[[Obj], Obj],
        *,
        subresource: str = "",
        dry_run: bool = False,
    ) -> Obj:
        """Read-modify-write under the lock: ``apply`` maps the current object to the new one."""
        with self._lock:
            key = (namespace if resource.namespaced else "", name)
            old = self._store(resource).get(key)
            if old is None:
                raise not_found(resource, name)
            new = apply(self._out(resource, old))
            if not isinstance(new, dict):
                raise ApiError(422, "Invalid", "the patch did not produce an object")
            new = to_storage(resource.group, resource.plural, new)
            sent_rv = (new.get("metadata") or {}).get("resourceVersion")
            if sent_rv and sent_rv != old["metadata"]["resourceVersion"]:
                raise ApiError(
                    409,
                    "Conflict",
                    f'Operation cannot be fulfilled on {_qualified(resource)} "{name}": the object '
                    "has been modified; please apply your changes to the latest version and try "
                    "again",
                    name=name,
                    resource=resource,
                )
            if subresource == "status":
                merged = _clone(old)
                merged["status"] = new.get("status")
                if merged["status"] is None:
                    merged.pop("status")
                _keep_managed_fields(merged, new)
                new = merged
            elif resource.has_status:
                new["status"] = _clone(old.get("status"))
                if new["status"] is None:
                    new.pop("status")
            result = self._replace(resource, key, old, new, dry_run=dry_run)
            self.gc.updated(deleted=key not in self._store(resource))
            return result

    def delete(
        self,
        resource: Resource,
        namespace: str,
        name: str,
        *,
        preconditions: Obj | None = None,
        dry_run: bool = False,
        propagation_policy: str | None = None,
        orphan_dependents: bool | None = None,
    ) -> Obj:
        """DELETE; ``preconditions`` (``uid``, ``resourceVersion``) must match or 409;
        dependents are garbage collected by ``propagation_policy`` (see ``gc``). An object
        that finalizers hold is marked for deletion (:func:`_mark_deleting`) and returned;
        ``dry_run`` answers the same without storing anything."""
        policy_options = (propagation_policy, orphan_dependents)
        if resource.storage_key == _NAMESPACES and name in _IMMORTAL_NAMESPACES:
            # NamespaceLifecycle admission: these namespaces may never be deleted.
            raise ApiError(
                403,
                "Forbidden",
                f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                name=name,
                resource=resource,
            )
        with self._lock:
            key = (namespace if resource.namespaced else "", name)
            obj = self._store(resource).get(key)
            if obj is None:
                raise not_found(resource, name)
            check_preconditions(resource, obj, preconditions)
            if dry_run:
                return self._out(resource, self._dry_run_delete(resource, obj, policy_options))
            return self.gc.delete(resource, key, obj, propagation_policy, orphan_dependents)

    def _dry_run_delete(
        self, resource: Resource, obj: Obj, options: tuple[str | None, bool | None]
    ) -> Obj:
        """What a delete with ``dryRun=All`` answers, nothing stored: the object as the real
        delete would leave it when finalizers (its own, or the GC's that the propagation
        ``options`` add) hold it — ``deletionTimestamp``, ``deletionGracePeriodSeconds: 0``,
        the generation bumped, its resourceVersion unchanged — else the object as it is.
        kube-apiserver's registry runs the same graceful-deletion update in dry-run
        (``Store.Delete`` -> ``updateForGracefulDeletionAndFinalizers``) and returns its
        result without deleting."""
        finalizers = self.gc.deletion_finalizers(resource, obj, *options)
        if not finalizers:
            return obj
        preview: Obj = _clone(obj)
        meta = preview["metadata"]
        meta["finalizers"] = finalizers
        _mark_deleting(meta)
        return preview

    def _delete(self, resource: Resource, key: tuple[str, str], obj: Obj) -> Obj:
        meta = obj["metadata"]
        if resource.storage_key == _NAMESPACES:
            return self._delete_namespace(resource, key, obj)
        if meta.get("finalizers"):
            if not meta.get("deletionTimestamp"):
                _mark_deleting(meta)
                meta["resourceVersion"] = self._next_rv()
                self._record("MODIFIED", resource, obj)
            return self._out(resource, obj)
        self._forget(resource, key)
        # As kube-apiserver: the DELETED event carries the deletion's own resourceVersion (a
        # watch resumed from it must not replay the delete); the response keeps the last one.
        gone = _clone(obj)
        gone["metadata"]["resourceVersion"] = self._next_rv()
        self._record("DELETED", resource, gone)
        if resource.namespaced:
            self._finish_namespace(key[0])
        return self._out(resource, obj)

    def _delete_namespace(self, resource: Resource, key: tuple[str, str], obj: Obj) -> Obj:
        """kube-apiserver and the namespace controller: the namespace turns ``Terminating``
        (``deletionTimestamp``, ``status.phase``; the answer shows it), its content is
        deleted, and it goes once no content is left (objects that finalizers hold keep it
        until they go: :meth:`_finish_namespace`). It had gone at once, leaving such objects
        in a namespace that no longer existed."""
        meta = obj["metadata"]
        if not meta.get("deletionTimestamp"):
            _mark_deleting(meta)
            obj["status"] = {**(obj.get("status") or {}), "phase": "Terminating"}
            meta["resourceVersion"] = self._next_rv()
            self._record("MODIFIED", resource, obj)
            for other in self.table.resources.values():
                if other.namespaced:
                    store = self._store(other)
                    for child in [k for k in store if k[0] == key[1]]:
                        if child in store:
                            self._delete(other, child, store[child])
        answer = self._out(resource, obj)
        self._finish_namespace(key[1])
        return answer

    def _finish_namespace(self, name: str) -> None:
        """Remove the namespace ``name`` if it is terminating, its own finalizers are gone
        and no object is left in it (lock held)."""
        namespaces = self.table.get("", "v1", "namespaces")
        if namespaces is None:
            return
        obj = self._store(namespaces).get(("", name))
        if obj is None or not obj["metadata"].get("deletionTimestamp"):
            return
        if obj["metadata"].get("finalizers"):
            return
        for other in self.table.resources.values():
            if other.namespaced and any(k[0] == name for k in self._store(other)):
                return
        self._forget(namespaces, ("", name))
        gone = _clone(obj)
        gone["metadata"]["resourceVersion"] = self._next_rv()
        self._record("DELETED", namespaces, gone)

    def delete_collection(
        self,
        resource: Resource,
        namespace: str = "",
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        preconditions: Obj | None = None,
        dry_run: bool = False,
        propagation_policy: str | None = None,
        orphan_dependents: bool | None = None,
    ) -> Obj:
        """Every matching object deleted as :meth:`delete` deletes one, with the same
        options, as kube-apiserver's ``Store.DeleteCollection`` deletes each item (an item
        already gone is skipped; any other error, such as a failed precondition, fails
        the request); returns the list as it was matched."""
        with self._lock:
            listed = self.list(
                resource, namespace, label_selector=label_selector, field_selector=field_selector
            )
            for item in listed["items"]:
                meta = item["metadata"]
                try:
                    self.delete(
                        resource,
                        meta.get("namespace", "") if resource.namespaced else "",
                        meta["name"],
                        preconditions=preconditions,
                        dry_run=dry_run,
                        propagation_policy=propagation_policy,
                        orphan_dependents=orphan_dependents,
                    )
                except ApiError as err:
                    if err.code != 404:
                        raise
            return listed

    # -- pod logs -----------------------------------------------------------------------------

    def set_logs(self, namespace: str, pod: str, text: str, container: str | None = None) -> None:
        """What ``pods/log`` returns for the pod (and container; ``None``: the default one)."""
        with self._lock:
            self._logs[(namespace, pod, container or "")] = text.splitlines(keepends=True)
            self._changed.notify_all()

    def append_logs(
        self, namespace: str, pod: str, text: str, container: str | None = None
    ) -> None:
        """Add lines to the pod's log; ``follow=true`` readers get them as they come."""
        with self._lock:
            lines = self._logs.setdefault((namespace, pod, container or ""), [])
            lines.extend(text.splitlines(keepends=True))
            self._changed.notify_all()

    def _log_lines(self, namespace: str, pod: str, container: str) -> Sequence[str]:
        """A container's lines; a container without its own log shows the pod's default."""
        found = self._logs.get((namespace, pod, container))
        if found is None:
            found = self._logs.get((namespace, pod, "")) or []
        return found

    def logs(
        self,
        namespace: str,
        pod: str,
        container: str = "",
        *,
        follow: bool = False,
        timeout: float = 1800.0,
    ) -> Generator[str, None, None]:
        """The log lines; with ``follow`` also later ones, until ``timeout`` or :meth:`close`.

        While following, yields ``""`` about once a second when nothing new came.
        """
        deadline = time.monotonic() + timeout
        sent = 0
        while True:
            with self._lock:
                fresh = self._log_lines(namespace, pod, container)[sent:]
                if not fresh and follow:
                    remaining = deadline - time.monotonic()
                    if self._closed or remaining <= 0:
                        return
                    self._changed.wait(min(remaining, 1.0))
                    fresh = self._log_lines(namespace, pod, container)[sent:]
            sent += len(fresh)
            yield from fresh
            if not follow:
                return
            if not fresh:
                yield ""

    # -- watch ------------------------------------------------------------------------------

    def close(self) -> None:
        """Wake every watcher and make them finish."""
        with self._lock:
            self._closed = True
            self._changed.notify_all()

    def watch(
        self,
        resource: Resource,
        namespace: str = "",
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout: float = 1800.0,
        send_initial_events: bool = False,
    ) -> Generator[tuple[str, Obj], None, None]:
        """(type, object) pairs after ``resource_version``; ends at ``timeout`` seconds.

        Without a resourceVersion (or "0"), or with ``send_initial_events`` (WatchList), the
        current objects come first as ADDED events; ``send_initial_events`` then yields a
        ``("BOOKMARK", {"metadata": {"resourceVersion": ..., "annotations":
        {"k8s.io/initial-events-end": "true"}}})``. A WatchList's resourceVersion is a
        minimum (``resourceVersionMatch=NotOlderThan``): the current state is sent for any
        version reached, however old; one not reached yet waits up to
        :attr:`fresh_timeout`, then raises 504 ``Too large resource version`` (as lists
        do) before anything is yielded. A resourceVersion older than the kept
        history, or a watcher that falls behind it later, gets an ``("ERROR", <Status 410
        Expired "too old resource version: <rv> (<oldest>)">)`` and the stream ends, never a
        gap: kube-apiserver's cacher answers a too-old version with such an event after
        HTTP 200 (``newErrWatcher``), not with an HTTP 410. A malformed version raises 400
        before anything is yielded. With a selector, as kube-apiserver's cacher
        (``cacheWatcher.convertToWatchEvent``): a change that brings an object into the
        selection is ADDED, one that takes it out is DELETED (its last selected state, at the
        change's resourceVersion), so a selecting informer's cache never keeps an object that
        left it. Between events
        the iterator yields ``("", {"metadata": {"resourceVersion": <progress>}})`` about once
        a second: callers notice closed connections and may send it as a BOOKMARK (it never
        covers an event not yet yielded).
        """
        return self._watch(
            resource,
            namespace,
            resource_version,
            label_selector,
            field_selector,
            timeout,
            send_initial_events,
            encoded=False,
        )

    def watch_json(
        self,
        resource: Resource,
        namespace: str = "",
        *,
        resource_version: str | None = None,
        label_selector: str | None = None,
        field_selector: str | None = None,
        timeout: float = 1800.0,
        send_initial_events: bool = False,
    ) -> Generator[tuple[str, Obj | bytes], None, None]:
        """:meth:`watch` for a server: the objects of ADDED, MODIFIED and DELETED events come
        as their JSON bytes (apiVersion and kind first), encoded once per object version and
        shared by every watcher; BOOKMARK, ERROR and idle ticks stay dicts. Raises as
        :meth:`watch`.
        """
        return self._watch(
            resource,
            namespace,
            resource_version,
            label_selector,
            field_selector,
            timeout,
            send_initial_events,
            encoded=True,
        )

    def _watch(
        self,
        resource: Resource,
        namespace: str,
        resource_version: str | None,
        label_selector: str | None,
        field_selector: str | None,
        timeout: float,
        send_initial_events: bool,
        *,
        encoded: bool,
    ) -> Generator[tuple[str, Any], None, None]:
        labels, fields = label_matcher(label_selector), field_matcher(field_selector, resource)

        def wanted(obj: Obj) -> bool:
            meta = obj.get("metadata") or {}
            if namespace and resource.namespaced and meta.get("namespace") != namespace:
                return False
            return labels(meta.get("labels") or {}) and fields(obj)

        deadline = time.monotonic() + timeout
        initial: list[Any] = []
        requested = parse_resource_version(resource_version)  # 400 before anything is sent
        expired: ApiError | None = None
        with self._lock:
            if send_initial_events and requested:
                # WatchList "not older than" a version: kube-apiserver's cacher waits for
                # its cache to reach it (up to blockTimeout), then 504 "Too large resource
                # version", before anything is sent; any older version is served the
                # current state (never 410: the latest state is not older than it).
                self._wait_fresh(requested)
            if send_initial_events or not requested:
                after = self._rv
                stored = sorted(self._store(resource).items())
                if encoded:
                    initial = [self._wire_of(resource, k, o) for k, o in stored if wanted(o)]
                else:
                    initial = [self._out(resource, o) for _, o in stored]
            else:
                after = requested
                if after < self._compacted_rv:
                    # As kube-apiserver's cacher: once the request is accepted and its version
                    # parsed, a version the history no longer reaches is an ERROR event
                    # (HTTP 200), never an HTTP 410 (client-go relists on either).
                    expired = _expired(after, self._compacted_rv)
        if expired is not None:
            yield "ERROR", expired.status()
            return
        for obj in initial:
            if encoded or wanted(obj):
                yield "ADDED", obj
        if send_initial_events:
            yield "BOOKMARK", {
                "metadata": {
                    "resourceVersion": str(after),
                    "annotations": {"k8s.io/initial-events-end": "true"},
                }
            }
        else:
            yield "", {"metadata": {"resourceVersion": str(after)}}
        while True:
            batch: list[Event] = []
            with self._lock:
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    yield "", {"metadata": {"resourceVersion": str(after)}}
                    return
                if after < self._compacted_rv:
                    expired = _expired(after, self._compacted_rv)
                else:
                    expired = None
                    batch = self._events_after(after)
                    if not batch:
                        self._changed.wait(min(remaining, 1.0))
                        if after < self._compacted_rv:
                            expired = _expired(after, self._compacted_rv)
                        else:
                            batch = self._events_after(after)
            if expired is not None:
                yield "ERROR", expired.status()
                return
            if not batch:
                yield "", {"metadata": {"resourceVersion": str(after)}}
                continue
            for event in batch:
                after = event.resource_version
                if event.key != resource.storage_key:
                    continue
                now_in = wanted(event.object)
                if event.type == "DELETED" or event.prev is None or now_in == wanted(event.prev):
                    if now_in:
                        if encoded:
                            yield event.type, self._event_wire(resource, event)
                        else:
                            yield event.type, self._out(resource, event.object)
                elif now_in:  # the change brought it into the selection
                    yield "ADDED", (
                        self._event_wire(resource, event)
                        if encoded
                        else self._out(resource, event.object)
                    )
                else:  # it left the selection: its last state in it, at the event's version
                    left = _clone(event.prev)
                    left["metadata"]["resourceVersion"] = str(event.resource_version)
                    yield "DELETED", (
                        json_dumps(self._served(resource, left))
                        if encoded
                        else self._out(resource, left)
                    )


_PRECONDITION_FAILURES = {
    "uid": "the UID in the precondition ({}) does not match the UID in record ({}). The "
    "object might have been deleted and then recreated",
    "resourceVersion": "the ResourceVersion in the precondition ({}) does not match the "
    "ResourceVersion in record ({}). The object might have been modified",
}


def check_preconditions(resource: Resource, obj: Obj, preconditions: Obj | None) -> None:
    """A delete's ``preconditions`` (``uid``, then ``resourceVersion``) against the stored
    ``obj``, as the registry's ``rest.BeforeDelete`` checks them: a precondition that is
    set (even to ``""``) and differs is 409 Conflict ``Operation cannot be fulfilled on
    <Kind>[.<group>] "<name>": the UID in the precondition (...) does not match the UID in
    record (...). ...``, with details ``{name, group, kind: <Kind>}``."""
    meta = obj.get("metadata") or {}
    for field_name, text in _PRECONDITION_FAILURES.items():
        wanted = (preconditions or {}).get(field_name)
        actual = meta.get(field_name) or ""
        if wanted is not None and wanted != actual:
            kind = f"{resource.kind}.{resource.group}" if resource.group else resource.kind
            name = str(meta.get("name") or "")
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {kind} "{name}": ' + text.format(wanted, actual),
                name=name,
                resource=resource,
                kind=resource.kind,
            )


_NAMESPACES = ("", "namespaces")
_IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})


def _mark_deleting(meta: Obj) -> None:
    """The registry's ``markAsDeleting``: an object that finalizers hold gets
    ``deletionTimestamp`` (now, unless set) and ``deletionGracePeriodSeconds: 0``; its
    ``generation`` goes up by one when its deletion starts (controllers see the change)."""
    if not meta.get("deletionTimestamp"):
        generation = meta.get("generation")
        if isinstance(generation, int) and generation > 0:
            meta["generation"] = generation + 1
        meta["deletionTimestamp"] = now_rfc3339()
    meta["deletionGracePeriodSeconds"] = 0


def _expired(rv: int, oldest: int) -> ApiError:
    return ApiError(410, "Expired", f"too old resource version: {rv} ({oldest})")


# kube-apiserver's etcd3 store (pkg/storage/etcd3/errors.go), word for word.
_LIST_EXPIRED = "The resourceVersion for the provided list is too old."
_CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You "
    "can start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted "
    "between the time the first chunk was returned and now may show up in the list."
)


def _continue_token(after: tuple[str, str], rv: int) -> str:
    """A continue token: the last key listed and the version every page is served at
    (``-1``: the current state, as etcd3's ``handleCompactedErrorForPaging`` encodes it)."""
    token_json = json_dumps({"ns": after[0], "name": after[1], "rv": rv})
    return base64.urlsafe_b64encode(token_json).decode()


def _continue_expired(after: tuple[str, str]) -> ApiError:
    """410 for a token older than the history, with a token that continues at the current
    state in the Status's ``metadata.continue`` (etcd3 ``handleCompactedErrorForPaging``)."""
    error = ApiError(410, "Expired", _CONTINUE_EXPIRED)
    error.list_meta["continue"] = _continue_token(after, -1)
    return error


def too_large_resource_version(requested: int, current: int) -> ApiError:
    """kube-apiserver's ``storage.NewTooLargeResourceVersionError`` from the watch cache:
    504 Timeout, ``Timeout: Too large resource version: <rv>, current: <current>``, a
    ``ResourceVersionTooLarge`` cause and ``retryAfterSeconds: 1``
    (``resourceVersionTooHighRetrySeconds``)."""
    error = ApiError(
        504, "Timeout", f"Timeout: Too large resource version: {requested}, current: {current}"
    )
    error.details = {
        "causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}],
        "retryAfterSeconds": 1,
    }
    return error


def _stamp(resource: Resource, obj: Obj) -> None:
    """The stored apiVersion and kind: the storage's own where two resources share one."""
    if resource.storage_key != (resource.group, resource.plural):
        return  # to_storage set them
    obj["apiVersion"], obj["kind"] = resource.group_version, resource.kind


def _typed(resource: Resource, obj: Obj) -> Obj:
    """A shallow copy of a stored object as ``resource`` serves it (converted where two
    resources share one storage, as Events do): apiVersion and kind first."""
    served = from_storage(resource.group, resource.plural, obj)
    return {
        "apiVersion": resource.group_version,
        "kind": resource.kind,
        **{k: v for k, v in served.items() if k != "apiVersion" and k != "kind"},
    }


# Built-in resources whose registry strategy sets metadata.generation (PrepareForCreate: 1;
# PrepareForUpdate: +1 when the spec changes), as (group, plural). Every other built-in
# kind (ConfigMaps, Secrets, Services, Namespaces, Nodes, ...) has none.
GENERATION_RESOURCES = frozenset(
    {
        ("", "pods"),  # since 1.33 (KEP-5067), whatever the feature gate
        ("", "replicationcontrollers"),
        ("apps", "deployments"),
        ("apps", "replicasets"),
        ("apps", "statefulsets"),
        ("apps", "daemonsets"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
        ("networking.k8s.io", "ingresses"),
        ("networking.k8s.io", "networkpolicies"),
        ("policy", "poddisruptionbudgets"),
        ("apiextensions.k8s.io", "customresourcedefinitions"),
        ("admissionregistration.k8s.io", "validatingwebhookconfigurations"),
        ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"),
        ("admissionregistration.k8s.io", "validatingadmissionpolicies"),
        ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"),
        ("admissionregistration.k8s.io", "mutatingadmissionpolicies"),
        ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"),
        ("flowcontrol.apiserver.k8s.io", "flowschemas"),
        ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"),
    }
)


def tracks_generation(resource: Resource) -> bool:
    """Whether kube-apiserver keeps ``metadata.generation`` for the resource: custom
    resources always; built-in ones when their registry strategy sets it
    (:data:`GENERATION_RESOURCES`). Others keep whatever a create sent (``BeforeCreate``
    leaves it alone) and an update cannot change it (``BeforeUpdate``)."""
    return resource.is_crd or resource.storage_key in GENERATION_RESOURCES


def generation_changes(resource: Resource, old: Obj, new: Obj) -> bool:
    """Whether an update bumps the generation, as the strategies' ``PrepareForUpdate``: a
    change of anything but ``metadata`` and ``status`` (the spec; a webhook
    configuration's ``webhooks``), and for Deployments also of the annotations (they are
    copied to the ReplicaSets)."""
    if not tracks_generation(resource):
        return False
    if _spec_of(new) != _spec_of(old):
        return True
    if resource.storage_key == ("apps", "deployments"):
        annotations = [(o.get("metadata") or {}).get("annotations") or {} for o in (old, new)]
        return annotations[0] != annotations[1]
    return False


def _spec_of(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


def _without_rv(obj: Obj) -> Obj:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k != "resourceVersion"}
    return {**obj, "metadata": meta}
