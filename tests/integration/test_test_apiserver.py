"""kubecore.testing.TestApiServer over plain HTTP: discovery, CRUD rules, patches, watch."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubecore.testing import TestApiServer, load_table
from kubecore.testing.discovery import ResourceTable

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO.parent / "shared" / "specs"
SWAGGER = SPECS / "kubernetes" / "swagger.json"
# The seed CRD plus a status schema: the server prunes undeclared fields, as kube-apiserver.
CRD = REPO / "tests" / "fixtures" / "crds" / "virtualmachine-status.yaml"

requires_shared = pytest.mark.skipif(
    not SPECS.is_dir(), reason=f"needs the real specs in {SPECS} (../shared beside the repo)"
)

VMS = "/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
CMS = "/api/v1/namespaces/default/configmaps"


@pytest.fixture(scope="module")
def crd_server() -> Iterator[TestApiServer]:
    with TestApiServer([CRD]) as server:
        yield server


@pytest.fixture(scope="module")
def full_server() -> Iterator[TestApiServer]:
    if not SPECS.is_dir():
        pytest.skip(f"needs the real specs in {SPECS}")
    with TestApiServer([SWAGGER, CRD]) as server:
        yield server


def client(server: TestApiServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=10)


def vm(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name},
        "spec": {"image": "centos", **spec},
    }


def test_crd_table() -> None:
    table = load_table([CRD])
    res = table.get("cloud.waibizi.com", "v1", "virtualmachines")
    assert res is not None
    assert (res.kind, res.singular, res.list_kind) == (
        "VirtualMachine",
        "virtualmachine",
        "VirtualMachineList",
    )
    assert res.short_names == ("vm",) and res.namespaced and res.has_status


@requires_shared
def test_openapi_table() -> None:
    table = ResourceTable()
    table.add_spec_file(SWAGGER)
    pods = table.get("", "v1", "pods")
    assert pods is not None and pods.namespaced and pods.kind == "Pod"
    assert "status" in pods.subresources and {"get", "list", "watch", "create"} <= set(pods.verbs)
    nodes = table.get("", "v1", "nodes")
    assert nodes is not None and not nodes.namespaced
    assert table.group_versions()["apps"][0] == "v1"
    assert table.schema_for_kind("apps", "v1", "Deployment") is not None


def test_discovery(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        assert c.get("/version").json()["major"] == "1"
        groups = c.get("/apis").json()
        assert groups["kind"] == "APIGroupList"
        assert groups["groups"][0]["preferredVersion"]["groupVersion"] == "cloud.waibizi.com/v1"
        resources = c.get("/apis/cloud.waibizi.com/v1").json()["resources"]
        names = {r["name"]: r for r in resources}
        assert names["virtualmachines"]["shortNames"] == ["vm"]
        assert names["virtualmachines"]["singularName"] == "virtualmachine"
        assert "virtualmachines/status" in names


def test_crud_and_errors(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        created = c.post(VMS, json=vm("a", memory=1))
        assert created.status_code == 201
        meta = created.json()["metadata"]
        assert meta["generation"] == 1 and meta["uid"] and meta["creationTimestamp"].endswith("Z")
        dup = c.post(VMS, json=vm("a"))
        assert dup.status_code == 409 and dup.json()["reason"] == "AlreadyExists"
        assert dup.json()["details"] == {
            "name": "a",
            "group": "cloud.waibizi.com",
            "kind": "virtualmachines",
        }
        nameless = vm("")
        assert c.post(VMS, json=nameless).json()["reason"] == "Invalid"
        nameless["metadata"] = {"generateName": "gen-"}
        generated = c.post(VMS, json=nameless).json()["metadata"]["name"]
        assert generated.startswith("gen-") and len(generated) > 4
        missing = c.get(f"{VMS}/nope").json()
        assert (missing["kind"], missing["status"], missing["code"]) == ("Status", "Failure", 404)
        obj = c.get(f"{VMS}/a").json()
        obj["spec"]["memory"] = 2
        obj["status"] = {"phase": "ignored"}
        updated = c.put(f"{VMS}/a", json=obj).json()
        assert updated["metadata"]["generation"] == 2 and "status" not in updated
        assert int(updated["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
        stale = c.put(f"{VMS}/a", json=obj)
        assert stale.status_code == 409 and stale.json()["reason"] == "Conflict"
        updated["status"] = {"phase": "Running"}
        updated["spec"]["memory"] = 99
        after = c.put(f"{VMS}/a/status", json=updated).json()
        assert after["status"] == {"phase": "Running"} and after["spec"]["memory"] == 2
        assert after["metadata"]["generation"] == 2
        other_ns = c.post(
            "/apis/cloud.waibizi.com/v1/namespaces/elsewhere/virtualmachines", json=vm("b")
        )
        assert other_ns.status_code == 201  # no namespaces resource served: any namespace
        everything = c.get("/apis/cloud.waibizi.com/v1/virtualmachines").json()
        assert everything["kind"] == "VirtualMachineList"
        assert {i["metadata"]["name"] for i in everything["items"]} >= {"a", "b", generated}


def test_finalizers_selectors_pages(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        body = vm("fin")
        body["metadata"]["finalizers"] = ["x/y"]
        c.post(VMS, json=body)
        deleting = c.delete(f"{VMS}/fin").json()
        assert deleting["metadata"]["deletionTimestamp"]
        assert c.get(f"{VMS}/fin").status_code == 200
        c.patch(
            f"{VMS}/fin",
            content=json.dumps({"metadata": {"finalizers": None}}),
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert c.get(f"{VMS}/fin").status_code == 404
        for i, (tier, env) in enumerate([("web", "prod"), ("db", "prod"), ("web", "dev")]):
            body = vm(f"sel{i}")
            body["metadata"]["labels"] = {"tier": tier, "env": env}
            c.post(VMS, json=body)

        def names(**params: str) -> set[str]:
            return {i["metadata"]["name"] for i in c.get(VMS, params=params).json()["items"]}

        assert names(labelSelector="tier=web,env==prod") == {"sel0"}
        assert names(labelSelector="tier in (web, db),env!=dev") == {"sel0", "sel1"}
        assert names(labelSelector="env notin (prod),tier") == {"sel2"}
        assert names(labelSelector="!tier") & {"sel0", "sel1", "sel2"} == set()
        assert names(fieldSelector="metadata.name=sel1") == {"sel1"}
        assert c.get(VMS, params={"fieldSelector": "spec.x=1"}).status_code == 400
        pages: list[str] = []
        token = ""
        while True:
            params = {"limit": "2", "labelSelector": "tier"}
            if token:
                params["continue"] = token
            page = c.get(VMS, params=params).json()
            pages += [i["metadata"]["name"] for i in page["items"]]
            token = page["metadata"].get("continue", "")
            if not token:
                break
        assert pages == ["sel0", "sel1", "sel2"]
        gone = c.delete(VMS, params={"labelSelector": "env=prod"}).json()
        assert len(gone["items"]) == 2 and names(labelSelector="tier") == {"sel2"}


def test_patches(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        c.post(VMS, json=vm("p", memory=1, disk=2))
        merged = c.patch(
            f"{VMS}/p",
            content=json.dumps({"spec": {"memory": 5, "disk": None}}),
            headers={"Content-Type": "application/merge-patch+json"},
        ).json()
        assert merged["spec"] == {"image": "centos", "memory": 5}
        ops = [{"op": "replace", "path": "/spec/image", "value": "ubuntu"}]
        patched = c.patch(
            f"{VMS}/p",
            content=json.dumps(ops),
            headers={"Content-Type": "application/json-patch+json"},
        ).json()
        assert patched["spec"]["image"] == "ubuntu"
        strategic = c.patch(
            f"{VMS}/p",
            content=b"{}",
            headers={"Content-Type": "application/strategic-merge-patch+json"},
        )
        assert strategic.status_code == 415


def test_watch(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        rv = c.get(VMS).json()["metadata"]["resourceVersion"]
        events: list[dict[str, Any]] = []

        def watch() -> None:
            params = {"watch": "1", "resourceVersion": rv, "timeoutSeconds": "2"}
            params["allowWatchBookmarks"] = "true"
            with httpx.stream("GET", crd_server.url + VMS, params=params, timeout=10) as response:
                for line in response.iter_lines():
                    if line:
                        events.append(json.loads(line))

        thread = threading.Thread(target=watch)
        thread.start()
        c.post(VMS, json=vm("w"))
        c.delete(f"{VMS}/w")
        thread.join(10)
        types = [e["type"] for e in events]
        # No watch opens with a BOOKMARK (kube-apiserver); one follows once it moved on.
        assert types[0] == "ADDED" and types[-1] == "BOOKMARK"
        assert [t for t in types if t != "BOOKMARK"] == ["ADDED", "DELETED"]


def test_watch_too_old() -> None:
    with TestApiServer([CRD], history=2) as server, client(server) as c:
        for i in range(5):
            c.post(VMS, json=vm(f"o{i}"))
        gone = c.get(VMS, params={"watch": "true", "resourceVersion": "1"})
        # kube-apiserver's cacher: 200, one ERROR event, the end. The history keeps the
        # events at 5 and 6 (the five creates are versions 2 to 6), so the message names
        # 4, one before the oldest kept event, as the watch cache does.
        assert gone.status_code == 200
        assert [json.loads(line) for line in gone.text.splitlines()] == [
            {
                "type": "ERROR",
                "object": {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": "too old resource version: 1 (4)",
                    "reason": "Expired",
                    "code": 410,
                },
            }
        ]


@requires_shared
def test_builtin_namespaces_and_strategic_patch(full_server: TestApiServer) -> None:
    with client(full_server) as c:
        cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
        missing = c.post("/api/v1/namespaces/nowhere/configmaps", json=cm)
        assert missing.status_code == 404 and missing.json()["details"]["kind"] == "namespaces"
        assert c.post("/api/v1/namespaces", json={"metadata": {"name": "nowhere"}}).is_success
        assert c.post("/api/v1/namespaces/nowhere/configmaps", json=cm).status_code == 201
        deployment = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "d"},
            "spec": {
                "selector": {"matchLabels": {"app": "d"}},
                "template": {
                    "metadata": {"labels": {"app": "d"}},
                    "spec": {
                        "containers": [
                            {"name": "a", "image": "1", "env": [{"name": "X", "value": "1"}]},
                            {"name": "b", "image": "2"},
                        ]
                    },
                },
            },
        }
        c.post("/apis/apps/v1/namespaces/default/deployments", json=deployment)
        patch = {
            "spec": {
                "template": {
                    "spec": {
                        "containers": [
                            {"name": "a", "env": [{"name": "Y", "value": "2"}]},
                            {"name": "b", "$patch": "delete"},
                            {"name": "c", "image": "3"},
                        ]
                    }
                }
            }
        }
        result = c.patch(
            "/apis/apps/v1/namespaces/default/deployments/d",
            content=json.dumps(patch),
            headers={"Content-Type": "application/strategic-merge-patch+json"},
        ).json()
        containers = result["spec"]["template"]["spec"]["containers"]
        assert [x["name"] for x in containers] == ["a", "c"]
        assert containers[0]["image"] == "1"
        assert containers[0]["env"] == [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]


def test_cli_serves_until_stopped(tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubecore.testing", "--kubeconfig", str(kubeconfig), str(CRD)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and "serving on" in proc.stdout.readline()
        deadline = time.monotonic() + 10
        while not kubeconfig.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        server = json.loads(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        assert httpx.get(server + "/apis/cloud.waibizi.com/v1", timeout=5).status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- second slice: OpenAPI v3, Tables, validation, dry runs, apply, subresources ---------------

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
PODS = "/api/v1/namespaces/default/pods"


def test_builtin_short_names_and_categories() -> None:
    table = ResourceTable()
    table.add_openapi(
        {
            "swagger": "2.0",
            "paths": {
                "/api/v1/namespaces/{namespace}/pods": {
                    "get": {
                        "x-kubernetes-action": "list",
                        "x-kubernetes-group-version-kind": {
                            "group": "",
                            "version": "v1",
                            "kind": "Pod",
                        },
                    }
                }
            },
        }
    )
    pods = table.get("", "v1", "pods")
    assert pods is not None and pods.short_names == ("po",) and pods.categories == ("all",)


def test_openapi_v3_for_crds(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        root = c.get("/openapi/v3").json()["paths"]
        url = root["apis/cloud.waibizi.com/v1"]["serverRelativeURL"]
        assert url.startswith("/openapi/v3/apis/cloud.waibizi.com/v1?hash=")
        doc = c.get(url).json()
        schema = doc["components"]["schemas"]["com.waibizi.cloud.v1.VirtualMachine"]
        assert schema["properties"]["spec"]["properties"]["memory"]["type"] == "integer"
        assert schema["x-kubernetes-group-version-kind"] == [
            {"group": "cloud.waibizi.com", "version": "v1", "kind": "VirtualMachine"}
        ]
        patch = doc["paths"][VMS.replace("default", "{namespace}") + "/{name}"]["patch"]
        assert "fieldValidation" in {p["name"] for p in patch["parameters"]}
        assert c.get("/openapi/v3/apis/nope/v1").status_code == 404


@requires_shared
def test_openapi_v3_from_swagger(full_server: TestApiServer) -> None:
    with client(full_server) as c:
        root = c.get("/openapi/v3").json()["paths"]
        assert {"api/v1", "apis/apps/v1", "apis/cloud.waibizi.com/v1"} <= set(root)
        doc = c.get(root["apis/apps/v1"]["serverRelativeURL"]).json()
        assert doc["openapi"].startswith("3.")
        schemas = doc["components"]["schemas"]
        deployment = schemas["io.k8s.api.apps.v1.Deployment"]
        assert deployment["properties"]["spec"]["allOf"] == [
            {"$ref": "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}
        ]
        assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in schemas
        assert "io.k8s.api.core.v1.ConfigMap" not in schemas  # only what apps/v1 reaches
        assert all(p.startswith("/apis/apps/v1/") for p in doc["paths"])
        post = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]
        body = post["requestBody"]["content"]["*/*"]["schema"]
        assert body == {"$ref": "#/components/schemas/io.k8s.api.apps.v1.Deployment"}
        names = {p["name"]: p for p in post["parameters"]}
        assert names["fieldValidation"]["in"] == "query"
        assert names["fieldValidation"]["schema"]["type"] == "string"
        assert "#/definitions/" not in json.dumps(doc)


def test_table_output(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        c.post(VMS, json=vm("tbl", status="running"))
        listed = c.get(VMS, headers={"Accept": TABLE}).json()
        assert listed["kind"] == "Table" and listed["apiVersion"] == "meta.k8s.io/v1"
        names = [col["name"] for col in listed["columnDefinitions"]]
        assert names == ["Name", "Image", "Status", "Age"]
        row = next(r for r in listed["rows"] if r["cells"][0] == "tbl")
        assert row["cells"][1:3] == ["centos", "running"] and row["cells"][3].endswith("s")
        assert row["object"]["kind"] == "PartialObjectMetadata"
        assert row["object"]["metadata"]["name"] == "tbl"
        one = c.get(f"{VMS}/tbl", headers={"Accept": TABLE}, params={"includeObject": "Object"})
        assert one.json()["rows"][0]["object"]["spec"]["image"] == "centos"
        assert c.get(f"{VMS}/tbl").json()["kind"] == "VirtualMachine"


def test_field_validation(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        bad = vm("fv", extra=1)
        strict = c.post(VMS, json=bad, params={"fieldValidation": "Strict"})
        assert strict.status_code == 400
        assert 'unknown field "spec.extra"' in strict.json()["message"]
        warned = c.post(VMS, json=bad, params={"fieldValidation": "Warn"})
        assert warned.status_code == 201 and "spec.extra" in warned.headers["Warning"]
        c.delete(f"{VMS}/fv")
        ignored = c.post(VMS, json=bad, params={"fieldValidation": "Ignore"})
        assert ignored.status_code == 201 and "Warning" not in ignored.headers


def test_dry_run_and_delete_preconditions(crd_server: TestApiServer) -> None:
    with client(crd_server) as c:
        dry = c.post(VMS, json=vm("dry"), params={"dryRun": "All"})
        assert dry.status_code == 201 and dry.json()["metadata"]["uid"]
        assert c.get(f"{VMS}/dry").status_code == 404
        assert c.post(VMS, json=vm("dry"), params={"dryRun": "Some"}).status_code == 422
        live = c.post(VMS, json=vm("dry")).json()
        rv = live["metadata"]["resourceVersion"]
        changed = dict(live, spec={"image": "ubuntu"})
        assert c.put(f"{VMS}/dry", json=changed, params={"dryRun": "All"}).json()["spec"] == {
            "image": "ubuntu"
        }
        merge = {"Content-Type": "application/merge-patch+json"}
        c.patch(f"{VMS}/dry", content=b'{"spec":{"x":1}}', headers=merge, params={"dryRun": "All"})
        after = c.get(f"{VMS}/dry").json()
        assert after["spec"] == {"image": "centos"} and after["metadata"]["resourceVersion"] == rv

        def delete(options: dict[str, Any], **params: str) -> httpx.Response:
            return c.request("DELETE", f"{VMS}/dry", json=options, params=params)

        assert delete({"dryRun": ["All"]}).status_code == 200
        assert delete({}, dryRun="All").status_code == 200
        conflict = delete({"preconditions": {"uid": "not-the-uid"}})
        assert conflict.status_code == 409 and conflict.json()["reason"] == "Conflict"
        assert delete({"preconditions": {"resourceVersion": "1"}}).status_code == 409
        assert c.get(f"{VMS}/dry").status_code == 200
        ok = delete(
            {
                "preconditions": {"uid": live["metadata"]["uid"], "resourceVersion": rv},
                "propagationPolicy": "Foreground",
            }
        )
        assert ok.status_code == 200 and c.get(f"{VMS}/dry").status_code == 404


def test_server_side_apply(crd_server: TestApiServer) -> None:
    apply = {"Content-Type": "application/apply-patch+yaml"}
    manifest = "apiVersion: cloud.waibizi.com/v1\nkind: VirtualMachine\nmetadata: {name: ssa}\n"
    with client(crd_server) as c:
        no_manager = c.patch(f"{VMS}/ssa", content=manifest + "spec: {image: a}\n", headers=apply)
        assert no_manager.status_code == 422
        params = {"fieldManager": "me"}
        created = c.patch(
            f"{VMS}/ssa",
            content=manifest + "spec: {image: a, memory: 1}\n",
            headers=apply,
            params=params,
        )
        assert created.status_code in (200, 201) and created.json()["spec"] == {
            "image": "a",
            "memory": 1,
        }
        managed = created.json()["metadata"]["managedFields"]
        assert managed[0]["manager"] == "me" and managed[0]["operation"] == "Apply"
        assert "f:memory" in managed[0]["fieldsV1"]["f:spec"]
        # another manager's apply merges into what "me" applied (the same manager applying
        # only disk would remove image and memory: test_server_side_apply_ownership.py)
        updated = c.patch(
            f"{VMS}/ssa",
            content=manifest + "spec: {disk: 9}\n",
            headers=apply,
            params={"fieldManager": "other"},
        ).json()
        assert updated["spec"] == {"image": "a", "memory": 1, "disk": 9}
        assert updated["metadata"]["generation"] == 2
        assert [m["manager"] for m in updated["metadata"]["managedFields"]] == ["me", "other"]


@requires_shared
def test_create_on_update_is_not_allowed(full_server: TestApiServer) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "never"}}
    with client(full_server) as c:
        assert c.put(f"{CMS}/never", json=cm).status_code == 404


@requires_shared
def test_scale_subresource(full_server: TestApiServer) -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "scaled"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "s"}},
            # kube-apiserver refuses a template its selector does not select (422)
            "template": {
                "metadata": {"labels": {"app": "s"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    with client(full_server) as c:
        c.post(DEPLOYMENTS, json=deployment)
        scale = c.get(f"{DEPLOYMENTS}/scaled/scale").json()
        assert (scale["kind"], scale["apiVersion"]) == ("Scale", "autoscaling/v1")
        assert scale["spec"] == {"replicas": 2}
        assert scale["status"] == {"replicas": 0, "selector": "app=s"}
        scale["spec"]["replicas"] = 5
        assert c.put(f"{DEPLOYMENTS}/scaled/scale", json=scale).json()["spec"]["replicas"] == 5
        stale = c.put(f"{DEPLOYMENTS}/scaled/scale", json=scale)
        assert stale.status_code == 409
        patched = c.patch(
            f"{DEPLOYMENTS}/scaled/scale",
            content=b'{"spec":{"replicas":1}}',
            headers={"Content-Type": "application/merge-patch+json"},
        )
        assert patched.json()["spec"]["replicas"] == 1
        assert c.get(f"{DEPLOYMENTS}/scaled").json()["spec"]["replicas"] == 1


@requires_shared
def test_pod_logs_and_eviction(full_server: TestApiServer) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "logger"},
        "spec": {"containers": [{"name": "main", "image": "busybox"}]},
    }
    with client(full_server) as c:
        assert c.get(f"{PODS}/logger/log").status_code == 404
        c.post(PODS, json=pod)
        full_server.tracker.set_logs("default", "logger", "one\ntwo\n")
        full_server.tracker.set_logs("default", "logger", "side\n", container="sidecar")
        plain = c.get(f"{PODS}/logger/log")
        assert plain.text == "one\ntwo\n" and plain.headers["Content-Type"] == "text/plain"
        assert c.get(f"{PODS}/logger/log", params={"container": "sidecar"}).text == "side\n"
        assert c.get(f"{PODS}/logger/log", params={"tailLines": "1"}).text == "two\n"

        lines: list[str] = []

        def follow() -> None:
            params = {"follow": "true", "timeoutSeconds": "3"}
            with httpx.stream("GET", full_server.url + PODS + "/logger/log", params=params) as r:
                lines.extend(r.iter_lines())

        thread = threading.Thread(target=follow)
        thread.start()
        import time

        time.sleep(0.5)
        full_server.tracker.append_logs("default", "logger", "three\n")
        thread.join(10)
        assert not thread.is_alive() and lines == ["one", "two", "three"]

        eviction = {
            "apiVersion": "policy/v1",
            "kind": "Eviction",
            "metadata": {"name": "logger", "namespace": "default"},
        }
        evicted = c.post(f"{PODS}/logger/eviction", json=eviction)
        assert evicted.status_code == 201 and evicted.json()["status"] == "Success"
        assert c.get(f"{PODS}/logger").status_code == 404
        resources = {r["name"]: r for r in c.get("/api/v1").json()["resources"]}
        assert resources["pods/log"]["verbs"] == ["get"]
        assert resources["pods/eviction"]["verbs"] == ["create"]
        assert resources["pods"]["shortNames"] == ["po"]
        assert resources["pods"]["categories"] == ["all"]


@requires_shared
def test_openapi_v3_refs_resolve(full_server: TestApiServer) -> None:
    with client(full_server) as c:
        for key, entry in c.get("/openapi/v3").json()["paths"].items():
            doc = c.get(entry["serverRelativeURL"]).json()
            refs = set(re.findall(r'"\$ref":\s*"#/components/schemas/([^"]+)"', json.dumps(doc)))
            assert refs <= set(doc["components"]["schemas"]), key


def test_preload_stores_objects_and_expands_lists(tmp_path: Path) -> None:
    objects = tmp_path / "objects.json"
    vm_list = {
        "apiVersion": "cloud.waibizi.com/v1",
        "kind": "VirtualMachineList",
        "items": [{"metadata": {"name": f"pre{i}"}, "spec": {"image": "x"}} for i in range(3)],
    }
    objects.write_text(json.dumps(vm_list))
    kubeconfig = tmp_path / "kubeconfig"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kubecore.testing",
            "--kubeconfig",
            str(kubeconfig),
            "--preload",
            str(objects),
            str(CRD),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and "serving on" in proc.stdout.readline()
        server_url = json.loads(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        listed = httpx.get(
            f"{server_url}/apis/cloud.waibizi.com/v1/namespaces/default/virtualmachines"
        ).json()
        assert sorted(i["metadata"]["name"] for i in listed["items"]) == ["pre0", "pre1", "pre2"]
        assert all(i["metadata"]["uid"] for i in listed["items"])
    finally:
        proc.terminate()
        proc.wait(10)
    with TestApiServer([CRD]) as server:
        with pytest.raises(ValueError, match="no served resource"):
            server.preload([{"apiVersion": "v1", "kind": "Nope"}])


def test_a_directory_of_specs_is_served_as_the_generator_reads_it(tmp_path: Path) -> None:
    """QA: ``TestApiServer(["crds/"])`` raised IsADirectoryError where ``kube-clientgen
    generate crds/`` reads the folder; now every JSON/YAML file below it is loaded (non-CRD
    documents skipped), and the version is detected from the files inside."""
    folder = tmp_path / "crds" / "nested"
    folder.mkdir(parents=True)
    (folder / "vm.yaml").write_text(CRD.read_text())
    (tmp_path / "crds" / "kustomization.yaml").write_text("resources: [nested/vm.yaml]\n")
    (tmp_path / "crds" / "README.md").write_text("not a spec\n")
    with TestApiServer([tmp_path / "crds"]) as server, client(server) as http:
        made = http.post(VMS, json=vm("from-folder"))
        assert made.status_code == 201, made.text
        assert http.get(f"{VMS}/from-folder").json()["spec"]["image"] == "centos"
        assert http.get("/version").json()["minor"] == "36"


def test_the_built_in_spec_by_name_as_the_generator_names_it() -> None:
    """QA: a newcomer with only the wheel had no path to give for built-in kinds (the spec
    lives inside ``kube_clientgen``); ``kubernetes`` / ``kubernetes:1.36`` name it, as for
    ``kube-clientgen generate``, and an unknown release names the available one."""
    with TestApiServer(["kubernetes:1.36", CRD]) as server, client(server) as http:
        made = http.post(CMS, json={"metadata": {"name": "c"}, "data": {"a": "1"}})
        assert made.status_code == 201, made.text
        assert http.post(VMS, json=vm("beside-builtins")).status_code == 201
        assert http.get("/version").json()["minor"] == "36"
    with pytest.raises(ValueError, match="available: kubernetes:1.36"):
        TestApiServer(["kubernetes:1.20"])
